"""Certificate pages and API: my certificates, downloads, admin revoke and re-issue, cohort
bulk issue with progress, public verification (page and API) with its rate limit, the
template editor in the Wagtail admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.courses.factories import course_create
from tests.factories import UserFactory
from tests.trainers.factories import certified_trainer, tot_cohort
from trainers.models import Certificate, CertificateIssueJob, CertificateTemplate
from trainers.services import certificates as services

pytestmark = pytest.mark.django_db

VERIFY_KEYS = {
    "status",
    "code",
    "holder_name",
    "course",
    "period_start",
    "period_end",
    "issued_on",
    "expires_on",
}


@pytest.fixture
def course():
    return course_create(title="Document fraud at border crossings", modules=1, lessons=1)


@pytest.fixture
def certificate(users, course):
    users["officer"].first_name, users["officer"].last_name = "Bilal", "Ahmed"
    users["officer"].save()
    return services.certificate_issue(kind="course", user=users["officer"], course=course)


def signed_in(client, user):
    client.force_login(user)
    return client


# --- My certificates and downloads --------------------------------------------------------
def test_my_certificates_lists_mine_with_a_download(client, users, certificate):
    response = signed_in(client, users["officer"]).get("/trainers/certificates/")

    page = response.content.decode()
    assert response.status_code == 200
    assert certificate.code in page
    assert reverse("trainers:certificate_download", args=[certificate.code]) in page
    assert f"/verify/{certificate.code}/" in page


def test_my_certificates_shows_a_trainer_their_tot_certificate(client):
    certification = certified_trainer()
    tot = services.certificate_issue(
        kind="tot", trainer=certification.trainer, cohort=certification.cohort
    )

    response = signed_in(client, certification.trainer.user).get("/trainers/certificates/")

    assert tot.code in response.content.decode()


def test_my_certificates_does_not_show_other_people_s(client, users, certificate):
    response = signed_in(client, users["trainer"]).get("/trainers/certificates/")

    assert certificate.code not in response.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_my_certificates_costs_the_same_queries_whatever_the_number(
    client, users, query_budget, size
):
    for n in range(size):
        services.certificate_issue(
            kind="course",
            user=users["officer"],
            course=course_create(code=f"TST-CRT-{size}{n}", modules=1, lessons=1),
        )
    signed_in(client, users["officer"])

    response = query_budget(client.get, "/trainers/certificates/", max_queries=8)

    assert response.status_code == 200


def test_the_holder_downloads_the_stored_file(client, users, certificate):
    response = signed_in(client, users["officer"]).get(
        reverse("trainers:certificate_download", args=[certificate.code])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"certificate-{certificate.code}.pdf" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    certificate.pdf.open("rb")
    assert body == certificate.pdf.read()


def test_an_administrator_downloads_anyone_s(client, users, certificate):
    response = signed_in(client, users["admin"]).get(
        reverse("trainers:certificate_download", args=[certificate.code])
    )

    assert response.status_code == 200


@pytest.mark.parametrize("username", ["trainer", "partner", "reviewer"])
def test_others_get_404_for_a_download(client, users, certificate, username):
    response = signed_in(client, users[username]).get(
        reverse("trainers:certificate_download", args=[certificate.code])
    )

    assert response.status_code == 404


def test_an_anonymous_download_asks_to_sign_in(client, certificate):
    response = client.get(reverse("trainers:certificate_download", args=[certificate.code]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_dashboard_links_to_my_certificates(client, users):
    response = signed_in(client, users["officer"]).get("/dashboard/")

    assert reverse("trainers:certificates") in response.content.decode()


# --- Administrators: revoke and re-issue ------------------------------------------------
def test_an_administrator_revokes_with_a_reason(client, users, certificate):
    signed_in(client, users["admin"])

    response = client.post(
        reverse("trainers:certificate_revoke", args=[certificate.code]),
        {"reason": "Completion recorded by mistake"},
        follow=True,
    )

    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revoked_reason == "Completion recorded by mistake"
    assert "Completion recorded by mistake" in response.content.decode()


def test_revoking_without_a_reason_is_refused_with_the_field_error(client, users, certificate):
    signed_in(client, users["admin"])

    response = client.post(
        reverse("trainers:certificate_revoke", args=[certificate.code]), {"reason": ""}
    )

    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_an_administrator_reissues(client, users, certificate):
    signed_in(client, users["admin"])

    response = client.post(reverse("trainers:certificate_reissue", args=[certificate.code]))

    new = Certificate.objects.get(status="valid")
    assert response.status_code == 302
    assert response["Location"] == reverse("trainers:certificate_detail", args=[new.code])
    certificate.refresh_from_db()
    assert certificate.replaced_by == new


@pytest.mark.parametrize("username", ["officer", "trainer", "partner", "reviewer"])
def test_only_administrators_manage_certificates(client, users, certificate, username):
    signed_in(client, users[username])

    pages = [
        client.get(reverse("trainers:certificates_manage")),
        client.get(reverse("trainers:certificate_detail", args=[certificate.code])),
        client.post(
            reverse("trainers:certificate_revoke", args=[certificate.code]), {"reason": "x"}
        ),
        client.post(reverse("trainers:certificate_reissue", args=[certificate.code])),
    ]

    assert [page.status_code for page in pages] == [404, 404, 404, 404]
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_the_admin_finds_a_certificate_by_code_or_holder(client, users, certificate):
    signed_in(client, users["admin"])

    by_code = client.get(reverse("trainers:certificates_manage"), {"q": certificate.code.lower()})
    by_name = client.get(reverse("trainers:certificates_manage"), {"q": "bilal"})
    nothing = client.get(reverse("trainers:certificates_manage"), {"q": "nobody"})

    assert certificate.code in by_code.content.decode()
    assert certificate.code in by_name.content.decode()
    assert certificate.code not in nothing.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_the_admin_list_costs_the_same_queries_whatever_the_number(
    client, users, query_budget, size
):
    for n in range(size):
        services.certificate_issue(
            kind="course",
            user=UserFactory(),
            course=course_create(code=f"TST-ADM-{size}{n}", modules=1, lessons=1),
        )
    signed_in(client, users["admin"])

    response = query_budget(client.get, reverse("trainers:certificates_manage"), max_queries=9)

    assert response.status_code == 200


# --- Cohort bulk issue -------------------------------------------------------------------
def test_the_cohort_page_offers_administrators_the_bulk_issue(client, users):
    cohort = tot_cohort()

    as_admin = signed_in(client, users["admin"]).get(reverse("trainers:cohort", args=[cohort.pk]))
    client.logout()
    as_partner = signed_in(client, users["partner"]).get(
        reverse("trainers:cohort", args=[cohort.pk])
    )

    button = reverse("trainers:cohort_certificates_issue", args=[cohort.pk])
    assert button in as_admin.content.decode()
    assert button not in as_partner.content.decode()


def test_an_administrator_issues_a_cohort_s_certificates_and_sees_progress(
    client, users, django_capture_on_commit_callbacks
):
    cohort = tot_cohort()
    certifications = [certified_trainer(cohort=cohort) for _ in range(3)]
    signed_in(client, users["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("trainers:cohort_certificates_issue", args=[cohort.pk]))

    job = CertificateIssueJob.objects.get(cohort=cohort)
    assert response["Location"] == reverse("trainers:certificate_job", args=[job.pk])
    progress = client.get(reverse("trainers:certificate_job_progress", args=[job.pk])).json()
    assert progress | {"id": None} == {
        "id": None,
        "state": "finished",
        "state_label": "Finished",
        "done": 3,
        "total": 3,
        "percent": 100,
        "error": "",
        "finished": True,
    }
    page = client.get(reverse("trainers:certificate_job", args=[job.pk])).content.decode()
    assert "3 of 3 certificates issued" in page
    assert 'http-equiv="refresh"' not in page
    cohort_page = client.get(reverse("trainers:cohort", args=[cohort.pk])).content.decode()
    assert "3 of 3 certificates issued" in cohort_page
    assert all(c.trainer.certificates.filter(status="valid").exists() for c in certifications)


def test_a_running_job_page_refreshes_itself(client, users):
    cohort = tot_cohort()
    certified_trainer(cohort=cohort)
    job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])  # not run yet

    page = signed_in(client, users["admin"]).get(reverse("trainers:certificate_job", args=[job.pk]))

    assert 'http-equiv="refresh"' in page.content.decode()
    assert "0 of 1 certificates issued" in page.content.decode()


def test_others_cannot_issue_or_watch_cohort_jobs(client, users):
    cohort = tot_cohort()
    job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])
    signed_in(client, users["partner"])

    responses = [
        client.post(reverse("trainers:cohort_certificates_issue", args=[cohort.pk])),
        client.get(reverse("trainers:certificate_job", args=[job.pk])),
        client.get(reverse("trainers:certificate_job_progress", args=[job.pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert CertificateIssueJob.objects.count() == 1


# --- Public verification ------------------------------------------------------------------
def test_the_verification_page_says_valid_with_holder_course_and_dates(client, certificate):
    response = client.get(f"/verify/{certificate.code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid." in page
    assert "Bilal Ahmed" in page
    assert "Document fraud at border crossings" in page
    assert certificate.issued_on.strftime("%Y") in page
    assert "officer" not in page  # no account details


def test_the_verification_page_accepts_a_code_typed_loosely(client, certificate):
    response = client.get(f"/verify/{certificate.code.lower().replace('-', '')}/")

    assert "This certificate is valid." in response.content.decode()


def test_the_verification_page_says_revoked_without_the_reason(client, users, certificate):
    services.certificate_revoke(certificate=certificate, reason="Secret reason", by=users["admin"])

    page = client.get(f"/verify/{certificate.code}/").content.decode()

    assert "This certificate has been revoked." in page
    assert "Secret reason" not in page


def test_an_unknown_code_gets_a_404_page_in_the_same_layout(client):
    response = client.get("/verify/ABCD-EFGH-JKMN-PQRS/")

    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()


def test_the_verify_form_goes_to_the_code_s_page(client, certificate):
    response = client.get("/verify/", {"code": f" {certificate.code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.code}/"
    assert client.get("/verify/").status_code == 200


def test_the_verification_page_is_in_urdu_for_urdu_readers(client, certificate):
    client.cookies["django_language"] = "ur"

    response = client.get(f"/verify/{certificate.code}/")

    assert '<html lang="ur" dir="rtl">' in response.content.decode()


def test_a_hit_and_a_miss_cost_one_query_each(client, certificate, django_assert_num_queries):
    from trainers.selectors.certificates import certificate_verify

    with django_assert_num_queries(1):
        hit = certificate_verify(code=certificate.code)
    with django_assert_num_queries(1):
        miss = certificate_verify(code="ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    with django_assert_num_queries(1):
        garbage = certificate_verify(code="'; drop table --")

    assert hit.as_dict().keys() == miss.as_dict().keys() == garbage.as_dict().keys()
    assert (hit.status, miss.status, garbage.status) == ("valid", "not found", "not found")


@pytest.mark.parametrize("prefix", ["/api/v1/certificates/", "/verify/"])
def test_over_http_a_miss_costs_the_same_queries_as_a_hit(client, certificate, prefix):
    client.get(f"{prefix}{certificate.code}")  # warm: the site and the rate limit's cache

    with CaptureQueriesContext(connection) as hit:
        client.get(f"{prefix}{certificate.code}" + ("/" if prefix == "/verify/" else ""))
    with CaptureQueriesContext(connection) as miss:
        client.get(f"{prefix}ZZZZ-ZZZZ-ZZZZ-ZZZZ" + ("/" if prefix == "/verify/" else ""))

    assert len(hit.captured_queries) == len(miss.captured_queries)


def test_the_api_verifies_a_code(client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.code}")

    body = response.json()
    assert response.status_code == 200
    assert set(body) == VERIFY_KEYS
    assert body["status"] == "valid"
    assert body["holder_name"] == "Bilal Ahmed"
    assert body["course"] == "Document fraud at border crossings"
    assert body["issued_on"] == certificate.issued_on.isoformat()


def test_the_api_answers_an_unknown_code_with_404_in_the_same_shape(client):
    response = client.get("/api/v1/certificates/ABCD-EFGH-JKMN-PQRS")

    assert response.status_code == 404
    assert set(response.json()) == VERIFY_KEYS
    assert response.json()["status"] == "not found"
    assert response.json()["holder_name"] is None


def test_the_api_says_replaced_for_an_old_code(client, users, certificate):
    services.certificate_reissue(certificate=certificate, by=users["admin"])

    body = client.get(f"/api/v1/certificates/{certificate.code}").json()

    assert body["status"] == "replaced"


def test_verification_is_rate_limited_per_address_across_page_and_api(
    client, settings, certificate
):
    settings.CERTIFICATE_VERIFY_RATE = "3/m"

    statuses = [
        client.get(f"/api/v1/certificates/{certificate.code}").status_code,
        client.get(f"/verify/{certificate.code}/").status_code,
        client.get("/api/v1/certificates/ABCD-EFGH-JKMN-PQRS").status_code,
        client.get(f"/api/v1/certificates/{certificate.code}").status_code,
        client.get(f"/verify/{certificate.code}/").status_code,
    ]
    other_address = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="10.1.2.3")

    assert statuses == [200, 200, 404, 429, 429]
    assert other_address.status_code == 200


def test_a_forged_forwarded_header_does_not_lift_the_limit(client, settings, certificate):
    settings.CERTIFICATE_VERIFY_RATE = "2/m"
    settings.AXES_IPWARE_PROXY_COUNT = 0

    statuses = [
        client.get(
            f"/api/v1/certificates/{certificate.code}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 429, 429]


def test_signed_in_users_are_limited_too(client, settings, users, certificate):
    settings.CERTIFICATE_VERIFY_RATE = "1/m"
    signed_in(client, users["admin"])

    first = client.get(f"/api/v1/certificates/{certificate.code}")
    second = client.get(f"/api/v1/certificates/{certificate.code}")

    assert (first.status_code, second.status_code) == (200, 429)
    assert set(second.json()) == {"detail", "errors"}


def test_the_verification_api_is_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/certificates/{code}" in schema["paths"]


# --- Template editing in the Wagtail admin ------------------------------------------------
def test_administrators_edit_templates_with_a_preview(client, users):
    template = CertificateTemplate.objects.get(kind="course", language="ur", is_default=True)
    signed_in(client, users["admin"])

    listing = client.get(reverse("wagtailsnippets_trainers_certificatetemplate:list"))
    edit = client.get(
        reverse("wagtailsnippets_trainers_certificatetemplate:edit", args=[template.pk])
    )

    assert listing.status_code == 200
    assert "Course completion (Urdu)" in listing.content.decode()
    assert edit.status_code == 200
    assert (
        reverse("wagtailsnippets_trainers_certificatetemplate:preview_on_edit", args=[template.pk])
        in edit.content.decode()
    )


def test_the_admin_preview_renders_the_edited_template_as_pdf(client, users):
    import io

    import pypdf

    template = CertificateTemplate.objects.get(kind="course", language="en", is_default=True)
    signed_in(client, users["admin"])
    url = reverse(
        "wagtailsnippets_trainers_certificatetemplate:preview_on_edit", args=[template.pk]
    )
    data = {
        "name": template.name,
        "kind": "course",
        "language": "en",
        "is_default": "on",
        "html": template.html.replace("Certificate of Completion", "Certificate of Excellence"),
        "css": template.css,
        "signatory_1_name": "Dr. Imran Qureshi",
        "signatory_1_title": "Director, FIA Academy",
        "signatory_2_name": "",
        "signatory_2_title": "",
    }

    checked = client.post(url, data)
    preview = client.get(url, {"mode": ""})
    image = client.get(url)  # the default mode: an image that fits the panel

    assert checked.json()["is_valid"] is True
    assert preview["Content-Type"] == "application/pdf"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert 'src="data:image/png;base64,' in image.content.decode()
    text = pypdf.PdfReader(io.BytesIO(preview.content)).pages[0].extract_text()
    assert "Certificate of Excellence" in text and "Dr. Imran Qureshi" in text
    template.refresh_from_db()
    assert "Certificate of Excellence" not in template.html  # a preview saves nothing
