"""Certificates: issue (stored once), idempotence, codes, revoke, re-issue, expiry, course
completion, bulk issue for a cohort, notifications."""

import hashlib
import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.utils import timezone

from courses import services as course_services
from lms.exceptions import Conflict, ServiceError
from lms.models import AuditEvent, Notification
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory
from tests.trainers.factories import certified_trainer, tot_cohort
from trainers.models import Certificate, CertificateIssueJob, CertificateTemplate, Certification
from trainers.selectors import certificates as selectors
from trainers.services import certificates as services
from trainers.services.registry import certification_set_state

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_links(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI"):
                links.append(str(action["/URI"]))
    return links


@pytest.fixture
def learner():
    return UserFactory(username="amina", first_name="Amina", last_name="Durrani")


@pytest.fixture
def course():
    return course_create(title="Identifying victims of trafficking", modules=1, lessons=2)


def issue_course(user, course, **kwargs) -> Certificate:
    return services.certificate_issue(kind="course", user=user, course=course, **kwargs)


# --- Issue -------------------------------------------------------------------------------
def test_a_course_certificate_is_rendered_and_stored_once_with_holder_and_code(learner, course):
    certificate = issue_course(learner, course)

    stored = certificate.pdf.read()
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    text = pdf_text(stored)
    assert "Amina Durrani" in text
    assert certificate.code in text
    assert "Identifying victims of trafficking" in text
    assert certificate.holder_name == "Amina Durrani"
    assert certificate.template.is_default and certificate.template.language == "en"
    # the stored file's name does not derive from the public code
    assert certificate.code not in certificate.pdf.name


def test_the_pdf_links_to_the_public_verification_page(learner, course, settings):
    certificate = issue_course(learner, course)

    links = pdf_links(certificate.pdf.read())

    assert set(links) == {f"{settings.SITE_URL}/verify/{certificate.code}/"}


def test_issuing_again_while_valid_returns_the_same_certificate_and_file(learner, course):
    first = issue_course(learner, course)
    second = issue_course(learner, course)

    assert second.pk == first.pk
    assert Certificate.objects.count() == 1
    assert second.pdf.read() == first.pdf.read()


def test_codes_are_long_random_and_unambiguous():
    codes = {services.certificate_code_new() for _ in range(500)}

    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}", code), code
    assert not set("".join(codes)) & set("01ILO")


def test_a_typed_code_is_normalised():
    assert services.certificate_code_normalise(" abcd efgh-jkmn pqrs ") == "ABCD-EFGH-JKMN-PQRS"


def test_the_holder_is_notified_with_a_link_to_their_certificates(learner, course):
    certificate = issue_course(learner, course)

    notification = Notification.objects.get(user=learner)
    assert "Identifying victims of trafficking" in notification.subject
    assert notification.url == "/trainers/certificates/"
    assert certificate.code in notification.body


def test_a_course_certificate_needs_a_learner_and_a_course(course):
    with pytest.raises(ServiceError) as error:
        services.certificate_issue(kind="course", course=course)
    assert [item.field for item in error.value.errors] == ["user"]


def test_an_urdu_course_gets_the_urdu_template(learner):
    course = course_create(title="انسانی اسمگلنگ", language="ur", modules=1, lessons=1)

    certificate = issue_course(learner, course)

    assert certificate.template.language == "ur"
    assert certificate.language == "ur"


def test_default_templates_exist_for_both_kinds_and_languages():
    defaults = set(
        CertificateTemplate.objects.filter(is_default=True).values_list("kind", "language")
    )
    assert defaults == {("course", "en"), ("course", "ur"), ("tot", "en"), ("tot", "ur")}


def test_missing_default_templates_are_made_on_demand(learner, course):
    CertificateTemplate.objects.all().delete()

    certificate = issue_course(learner, course)

    assert certificate.template.name == "Course completion (English)"
    assert CertificateTemplate.objects.filter(is_default=True).count() == 4


# --- Revoke and re-issue ------------------------------------------------------------------
def test_revoking_needs_a_reason(learner, course, users):
    certificate = issue_course(learner, course)

    with pytest.raises(ServiceError) as error:
        services.certificate_revoke(certificate=certificate, reason="  ", by=users["admin"])

    assert error.value.errors[0].field == "reason"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_a_revoked_certificate_says_so_and_keeps_the_reason(learner, course, users):
    certificate = issue_course(learner, course)

    services.certificate_revoke(
        certificate=certificate, reason="Issued to the wrong officer", by=users["admin"]
    )

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_reason == "Issued to the wrong officer"
    assert certificate.revoked_by == users["admin"]
    assert selectors.certificate_verify(code=certificate.code).status == "revoked"
    audit = AuditEvent.objects.get(action="certificate_revoked")
    assert (audit.actor, audit.detail["reason"]) == (users["admin"], "Issued to the wrong officer")
    with pytest.raises(Conflict):
        services.certificate_revoke(certificate=certificate, reason="again", by=users["admin"])


def test_reissue_gives_a_new_code_and_the_old_one_says_replaced(learner, course, users):
    old = issue_course(learner, course)
    learner.last_name = "Durrani-Khan"
    learner.save()

    new = services.certificate_reissue(certificate=old, by=users["admin"])

    old.refresh_from_db()
    assert new.code != old.code
    assert old.status == Certificate.Status.REPLACED
    assert old.replaced_by == new
    assert new.holder_name == "Amina Durrani-Khan"
    assert "Amina Durrani-Khan" in pdf_text(new.pdf.read())
    assert selectors.certificate_verify(code=old.code).status == "replaced"
    assert selectors.certificate_verify(code=new.code).status == "valid"
    with pytest.raises(Conflict):
        services.certificate_reissue(certificate=old, by=users["admin"])


def test_after_revocation_a_new_certificate_can_be_issued(learner, course, users):
    old = issue_course(learner, course)
    services.certificate_revoke(certificate=old, reason="Wrong dates", by=users["admin"])

    new = issue_course(learner, course)

    assert new.pk != old.pk and new.status == Certificate.Status.VALID


# --- ToT certificates ---------------------------------------------------------------------
def test_a_tot_certificate_takes_dates_and_expiry_from_the_certification():
    certification = certified_trainer(full_name="Sadia Malik")

    certificate = services.certificate_issue(
        kind="tot", trainer=certification.trainer, cohort=certification.cohort
    )

    certification.refresh_from_db()
    assert certification.certificate == certificate
    assert certificate.expires_on == certification.expires_on is not None
    assert certificate.issued_on == certification.issued_on
    assert certificate.period_start == certification.cohort.start_date
    assert certificate.hours == 60
    assert certificate.user == certification.trainer.user
    text = pdf_text(certificate.pdf.read())
    assert "Sadia Malik" in text and "Certificate of Trainer Certification" in text


def test_a_tot_certificate_needs_a_certification():
    certification = certified_trainer()
    other_cohort = tot_cohort()

    with pytest.raises(Conflict):
        services.certificate_issue(kind="tot", trainer=certification.trainer, cohort=other_cohort)


def test_a_certificate_past_its_expiry_verifies_as_expired():
    certification = certified_trainer()
    certificate = services.certificate_issue(
        kind="tot", trainer=certification.trainer, cohort=certification.cohort
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )

    assert selectors.certificate_verify(code=certificate.code).status == "expired"


def test_revoking_the_certification_in_the_registry_revokes_its_certificate(users):
    certification = certified_trainer()
    certificate = services.certificate_issue(
        kind="tot", trainer=certification.trainer, cohort=certification.cohort
    )

    certification_set_state(
        certification=certification, state="revoked", reason="Fraud", by=users["admin"]
    )

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_reason == "Fraud"


def test_reissuing_a_tot_certificate_moves_the_certification_to_the_new_one(users):
    certification = certified_trainer()
    old = services.certificate_issue(
        kind="tot", trainer=certification.trainer, cohort=certification.cohort
    )

    new = services.certificate_reissue(certificate=old, by=users["admin"])

    certification.refresh_from_db()
    assert certification.certificate == new
    assert new.expires_on == certification.expires_on


# --- Course completion --------------------------------------------------------------------
def complete(user, course):
    for lesson in lessons_of(course):
        course_services.lesson_view(user=user, lesson=lesson, course=course)


def test_completing_a_course_issues_its_certificate(
    learner, course, django_capture_on_commit_callbacks
):
    course_services.enrolment_create(user=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, course)

    certificate = Certificate.objects.get(user=learner, course=course)
    assert certificate.kind == "course"
    assert certificate.period_end == timezone.localdate()
    assert certificate.hours == int(course.duration_hours)


def test_a_course_without_certificates_issues_none(
    learner, course, django_capture_on_commit_callbacks
):
    course.issues_certificate = False
    course.save_revision().publish()
    course.refresh_from_db()
    course_services.enrolment_create(user=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, course)

    assert not Certificate.objects.exists()


def test_a_course_certificate_needs_the_course_completed(learner, course):
    course_services.enrolment_create(user=learner, course=course)

    with pytest.raises(Conflict):
        services.course_certificate_issue(user=learner, course=course)


# --- Cohort bulk issue --------------------------------------------------------------------
def test_a_cohort_job_issues_a_certificate_to_every_active_certification(
    users, django_capture_on_commit_callbacks
):
    cohort = tot_cohort()
    certifications = [certified_trainer(cohort=cohort) for _ in range(4)]
    external = certified_trainer(cohort=cohort, with_account=False)
    suspended = certifications.pop()
    certification_set_state(certification=suspended, state="suspended", by=users["admin"])
    already = services.certificate_issue(
        kind="tot", trainer=certifications[0].trainer, cohort=cohort
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    job.refresh_from_db()
    assert job.state == CertificateIssueJob.State.FINISHED
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    issued = Certification.objects.filter(cohort=cohort, certificate__isnull=False)
    assert set(issued.values_list("pk", flat=True)) == {
        *(c.pk for c in certifications),
        external.pk,
    }
    assert Certification.objects.get(pk=certifications[0].pk).certificate == already
    assert Certificate.objects.filter(cohort=cohort).count() == 4


def test_a_second_cohort_job_has_nothing_left_to_do(users, django_capture_on_commit_callbacks):
    cohort = tot_cohort()
    certified_trainer(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    with django_capture_on_commit_callbacks(execute=True):
        job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("finished", 0, 0)
    assert Certificate.objects.count() == 1


def test_a_queued_job_is_returned_instead_of_a_second_one(users):
    cohort = tot_cohort()
    certified_trainer(cohort=cohort)

    first = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])
    second = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    assert first.pk == second.pk
    assert first.state == CertificateIssueJob.State.QUEUED


def test_a_failing_certificate_does_not_stop_the_cohort(
    users, monkeypatch, django_capture_on_commit_callbacks
):
    cohort = tot_cohort()
    good, bad = certified_trainer(cohort=cohort), certified_trainer(cohort=cohort)
    real_issue = services.certificate_issue

    def issue(**kwargs):
        if kwargs["trainer"] == bad.trainer:
            raise RuntimeError("disk full")
        return real_issue(**kwargs)

    monkeypatch.setattr(services, "certificate_issue", issue)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    job.refresh_from_db()
    assert job.state == CertificateIssueJob.State.FAILED
    assert "disk full" in job.error
    assert (job.done, job.total) == (1, 2)
    assert Certification.objects.get(pk=good.pk).certificate is not None


def test_the_qr_code_in_the_pdf_encodes_the_verification_address(learner, course, settings):
    """No QR decoder here: compare the embedded image, module by module, with the QR code
    of the verification address (the same deterministic encoder and mask)."""
    import qrcode

    certificate = issue_course(learner, course)
    page = pypdf.PdfReader(io.BytesIO(certificate.pdf.read())).pages[0]
    images = [image.image.convert("L") for image in page.images]
    expected = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=2
    )
    expected.add_data(f"{settings.SITE_URL}/verify/{certificate.code}/")
    matrix = expected.get_matrix()

    qr = next(image for image in images if image.size == (len(matrix), len(matrix)))
    modules = [[qr.getpixel((x, y)) < 128 for x in range(qr.width)] for y in range(qr.height)]
    assert modules == matrix


def test_a_job_abandoned_by_a_stopped_worker_does_not_block_the_cohort(
    users, django_capture_on_commit_callbacks
):
    cohort = tot_cohort()
    certified_trainer(cohort=cohort)
    stuck = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])  # never run
    CertificateIssueJob.objects.filter(pk=stuck.pk).update(
        state="running", created_at=timezone.now() - timedelta(hours=2)
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = services.cohort_certificates_issue(cohort=cohort, by=users["admin"])

    stuck.refresh_from_db()
    job.refresh_from_db()
    assert job.pk != stuck.pk
    assert stuck.state == "failed" and "stopped" in stuck.error
    assert (job.state, job.done) == ("finished", 1)
