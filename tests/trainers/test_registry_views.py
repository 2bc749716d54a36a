"""Registry pages: search with filters, profiles, cohorts, summary, export; who may do what;
a constant number of queries per page."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from lms.models import Organisation
from tests.factories import OrganisationFactory, UserFactory
from tests.trainers.factories import registry_population, registry_trainer, themes, tot_cohort
from trainers.models import Certification, CohortParticipant
from trainers.services import registry as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    """Three trainers: an Urdu speaker certified in smuggling, an Arabic speaker certified in
    return, and an uncertified Dari speaker."""
    fia = OrganisationFactory(short_name="FIA AHTC", kind=Organisation.Kind.FIA_UNIT)
    momd = OrganisationFactory(short_name="MoMD Iraq", country="IQ")
    smuggling = tot_cohort(
        name="Islamabad ToT", themes=themes("smuggling-of-migrants"), end_date=date(2025, 10, 17)
    )
    erbil = tot_cohort(
        name="Erbil ToT",
        place="Erbil",
        country="IQ",
        themes=themes("return-and-reintegration"),
    )
    naveed = registry_trainer(
        full_name="Naveed Akhtar",
        full_name_native="نوید اختر",
        organisation=fia,
        languages=["ur", "pa"],
        email="naveed@example.org",
        phone="+92 300 0000000",
    )
    zainab = registry_trainer(
        full_name="Zainab Al-Jubouri",
        full_name_native="زينب الجبوري",
        country="IQ",
        gender="female",
        organisation=momd,
        languages=["ar"],
        specialisations=["return-and-reintegration"],
    )
    farida = registry_trainer(full_name="Farida Sultani", country="AF", languages=["fa"])
    services.certification_grant(trainer=naveed, cohort=smuggling)
    services.certification_grant(trainer=zainab, cohort=erbil)
    services.delivery_record(
        trainer=naveed,
        title="Investigating smuggling networks",
        start_date=date(2026, 1, 12),
        end_date=date(2026, 1, 16),
        participants_reached=26,
        source="test:1",
    )
    return {"naveed": naveed, "zainab": zainab, "farida": farida, "cohort": smuggling}


def _names(response) -> list[str]:
    return [t.full_name for t in response.context["trainers"]]


# --- Search ------------------------------------------------------------------------------
def test_the_registry_is_for_signed_in_users(client, registry):
    assert client.get("/trainers/").status_code == 302


@pytest.mark.parametrize("who", ["admin", "reviewer", "trainer", "partner", "officer"])
def test_every_signed_in_user_may_search_the_registry(client, users, registry, who):
    client.force_login(users[who])

    assert client.get("/trainers/").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Farida Sultani", "Naveed Akhtar", "Zainab Al-Jubouri"]),
        ("?theme=smuggling-of-migrants", ["Naveed Akhtar"]),
        ("?theme=return-and-reintegration", ["Zainab Al-Jubouri"]),
        ("?language=ur", ["Naveed Akhtar"]),
        ("?language=ar&country=IQ", ["Zainab Al-Jubouri"]),
        ("?country=AF", ["Farida Sultani"]),
        ("?organisation=FIA+AHTC", ["Naveed Akhtar"]),
        ("?status=certified", ["Naveed Akhtar", "Zainab Al-Jubouri"]),
        ("?status=expired", []),
        ("?q=zainab", ["Zainab Al-Jubouri"]),
        ("?q=نوید", ["Naveed Akhtar"]),
        ("?q=momd", ["Zainab Al-Jubouri"]),
        ("?theme=smuggling-of-migrants&language=ur&status=certified", ["Naveed Akhtar"]),
        (
            "?language=klingon&status=bogus",
            ["Farida Sultani", "Naveed Akhtar", "Zainab Al-Jubouri"],
        ),
    ],
)
def test_the_search_filters(client, users, registry, query, expected):
    client.force_login(users["partner"])

    response = client.get(f"/trainers/{query}")

    assert _names(response) == expected


def test_the_status_filter_follows_the_expiry_date(client, users, registry):
    today = timezone.localdate()
    Certification.objects.filter(trainer=registry["naveed"]).update(
        expires_on=today + timedelta(days=10)
    )
    Certification.objects.filter(trainer=registry["zainab"]).update(
        expires_on=today - timedelta(days=1)
    )
    client.force_login(users["partner"])

    assert _names(client.get("/trainers/?status=expiring")) == ["Naveed Akhtar"]
    assert _names(client.get("/trainers/?status=expired")) == ["Zainab Al-Jubouri"]
    assert _names(client.get("/trainers/?status=certified")) == ["Naveed Akhtar"]


def test_a_trainer_shows_the_best_of_their_certifications(client, users, registry):
    naveed = registry["naveed"]
    suspended = services.certification_grant(trainer=naveed, cohort=tot_cohort())
    services.certification_set_state(certification=suspended, state="suspended", reason="x")
    client.force_login(users["partner"])

    assert _names(client.get("/trainers/?status=active")) == ["Naveed Akhtar", "Zainab Al-Jubouri"]
    assert _names(client.get("/trainers/?status=suspended")) == []


def test_a_result_shows_the_themes_the_trainer_is_certified_in(client, users, registry):
    client.force_login(users["partner"])

    content = client.get("/trainers/?language=ur").content.decode()

    assert "Smuggling of migrants" in content  # certified in, though not a listed specialisation
    assert "نوید اختر" in content


def test_the_search_page_costs_the_same_queries_at_two_sizes(client, users, query_budget):
    client.force_login(users["partner"])
    registry_population(2)
    small = query_budget(client.get, "/trainers/?language=ur", max_queries=16).context
    small_count = query_budget.last_count
    registry_population(20)

    response = query_budget(client.get, "/trainers/?language=ur", max_queries=small_count)

    assert len(response.context["trainers"]) == 22 and len(small["trainers"]) == 2


# --- Export ------------------------------------------------------------------------------
def test_the_csv_export_is_the_current_search_with_names_in_their_script(client, users, registry):
    client.force_login(users["partner"])

    response = client.get("/trainers/export.csv?country=IQ")

    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufefffull_name,full_name_native,email,phone,organisation")
    assert "Zainab Al-Jubouri,زينب الجبوري" in text
    assert "Naveed" not in text


def test_officers_export_without_contact_details(client, users, registry):
    client.force_login(users["officer"])

    text = client.get("/trainers/export.csv").content.decode("utf-8")

    assert "email" not in text.splitlines()[0]
    assert "naveed@example.org" not in text


def test_the_xlsx_export_opens_in_a_spreadsheet(client, users, registry):
    from openpyxl import load_workbook

    client.force_login(users["admin"])

    response = client.get("/trainers/export.xlsx?language=ur")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("full_name", "full_name_native", "email")
    assert rows[1][:3] == ("Naveed Akhtar", "نوید اختر", "naveed@example.org")
    assert len(rows) == 2


def test_the_export_costs_the_same_queries_at_two_sizes(client, users, query_budget):
    client.force_login(users["admin"])
    registry_population(2)
    query_budget(client.get, "/trainers/export.xlsx", max_queries=12)
    small_count = query_budget.last_count
    registry_population(15)

    query_budget(client.get, "/trainers/export.xlsx", max_queries=small_count)


# --- Profile -----------------------------------------------------------------------------
def test_the_profile_shows_certifications_deliveries_and_reach(client, users, registry):
    client.force_login(users["officer"])

    response = client.get(f"/trainers/{registry['naveed'].pk}/")

    content = response.content.decode()
    assert "Islamabad ToT" in content
    assert "Investigating smuggling networks" in content
    assert response.context["profile"].reach == 26
    assert "naveed@example.org" not in content  # officers do not see contact details


def test_partners_and_the_trainer_see_contact_details(client, users, registry):
    naveed = registry["naveed"]
    client.force_login(users["partner"])
    assert "naveed@example.org" in client.get(f"/trainers/{naveed.pk}/").content.decode()

    own = UserFactory()
    services.trainer_upsert(full_name=naveed.full_name, country="PK", user=own)
    client.force_login(own)
    assert "naveed@example.org" in client.get(f"/trainers/{naveed.pk}/").content.decode()


def test_an_unknown_trainer_is_not_found(client, users):
    client.force_login(users["partner"])

    assert client.get("/trainers/999999/").status_code == 404


def test_my_profile_leads_to_the_trainers_own_page(client, users, registry):
    services.trainer_upsert(full_name="Naveed Akhtar", country="PK", user=users["trainer"])
    client.force_login(users["trainer"])

    response = client.get("/trainers/me/")

    assert response.url == f"/trainers/{registry['naveed'].pk}/"
    client.force_login(users["officer"])
    assert client.get("/trainers/me/").status_code == 404


def test_the_profile_costs_the_same_queries_at_two_sizes(client, users, query_budget, registry):
    naveed = registry["naveed"]
    client.force_login(users["admin"])
    query_budget(client.get, f"/trainers/{naveed.pk}/", max_queries=20)
    small_count = query_budget.last_count
    for n in range(6):
        certification = services.certification_grant(trainer=naveed, cohort=tot_cohort())
        services.certification_renew(certification=certification, note=f"renewal {n}")
        services.delivery_record(
            trainer=naveed,
            title=f"Training {n}",
            start_date=date(2026, 3, 1),
            end_date=date(2026, 3, 2),
            participants_reached=n,
        )

    query_budget(client.get, f"/trainers/{naveed.pk}/", max_queries=small_count)


# --- Certification actions ---------------------------------------------------------------
def test_an_administrator_suspends_and_renews_from_the_profile(client, users, registry):
    certification = Certification.objects.get(trainer=registry["naveed"])
    client.force_login(users["admin"])

    client.post(
        f"/trainers/certifications/{certification.pk}/state/",
        {"state": "suspended", "reason": "Complaint"},
    )
    client.post(f"/trainers/certifications/{certification.pk}/renew/", {"expires_on": "2031-01-31"})

    certification.refresh_from_db()
    assert certification.state == "suspended"
    assert certification.expires_on == date(2031, 1, 31)
    assert certification.renewals.count() == 2


def test_revoking_without_a_reason_is_refused_with_a_message(client, users, registry):
    certification = Certification.objects.get(trainer=registry["naveed"])
    client.force_login(users["admin"])

    response = client.post(
        f"/trainers/certifications/{certification.pk}/state/", {"state": "revoked"}, follow=True
    )

    certification.refresh_from_db()
    assert certification.state == "active"
    assert "Say why the certification is revoked." in response.content.decode()


@pytest.mark.parametrize("who", ["partner", "trainer", "reviewer", "officer"])
def test_only_administrators_change_certifications(client, users, registry, who):
    certification = Certification.objects.get(trainer=registry["naveed"])
    client.force_login(users[who])

    response = client.post(
        f"/trainers/certifications/{certification.pk}/state/",
        {"state": "revoked", "reason": "x"},
    )

    assert response.status_code == 403
    certification.refresh_from_db()
    assert certification.state == "active"


# --- Cohorts -----------------------------------------------------------------------------
def test_the_cohort_page_shows_participants_and_cascade_reach(client, users, registry):
    cohort = registry["cohort"]
    client.force_login(users["partner"])

    response = client.get(f"/trainers/cohorts/{cohort.pk}/")

    detail = response.context["detail"]
    assert [row.membership.trainer.full_name for row in detail.participants] == ["Naveed Akhtar"]
    assert (detail.reach, detail.deliveries, detail.certified) == (26, 1, 1)
    assert "Add participants" not in response.content.decode()


def test_reach_counts_only_trainings_after_the_cohort_ended(client, users, registry):
    services.delivery_record(
        trainer=registry["naveed"],
        title="Before the ToT",
        start_date=date(2025, 1, 5),
        end_date=date(2025, 1, 6),
        participants_reached=100,
    )
    client.force_login(users["partner"])

    response = client.get(f"/trainers/cohorts/{registry['cohort'].pk}/")

    assert response.context["detail"].reach == 26


def test_an_administrator_adds_participants_and_certifies_them(client, users, registry):
    cohort = registry["cohort"]
    farida, zainab = registry["farida"], registry["zainab"]
    client.force_login(users["admin"])
    here = f"/trainers/cohorts/{cohort.pk}/"

    client.post(here, {"action": "add", "trainers": [farida.pk, zainab.pk]})
    client.post(here, {"action": "outcome", "trainer": zainab.pk, "outcome": "not_certified"})
    client.post(here, {"action": "certify_all"})

    outcomes = dict(cohort.memberships.values_list("trainer__full_name", "outcome"))
    assert outcomes == {
        "Naveed Akhtar": CohortParticipant.Outcome.CERTIFIED,
        "Farida Sultani": CohortParticipant.Outcome.CERTIFIED,
        "Zainab Al-Jubouri": CohortParticipant.Outcome.NOT_CERTIFIED,
    }
    assert Certification.objects.filter(cohort=cohort, trainer=farida).exists()


def test_only_administrators_manage_a_cohort(client, users, registry):
    cohort = registry["cohort"]
    client.force_login(users["partner"])

    response = client.post(
        f"/trainers/cohorts/{cohort.pk}/", {"action": "add", "trainers": [registry["farida"].pk]}
    )

    assert response.status_code == 403
    assert cohort.memberships.count() == 1


def test_the_cohort_pages_cost_the_same_queries_at_two_sizes(client, users, query_budget):
    client.force_login(users["admin"])
    cohort = tot_cohort()
    registry_population(2, cohort=cohort)
    query_budget(client.get, f"/trainers/cohorts/{cohort.pk}/", max_queries=25)
    detail_count = query_budget.last_count
    query_budget(client.get, "/trainers/cohorts/", max_queries=15)
    list_count = query_budget.last_count
    registry_population(20, cohort=cohort)
    for _ in range(5):
        registry_population(1)

    query_budget(client.get, f"/trainers/cohorts/{cohort.pk}/", max_queries=detail_count)
    response = query_budget(client.get, "/trainers/cohorts/", max_queries=list_count)

    figures = {c.pk: c for c in response.context["cohorts"]}[cohort.pk]
    assert (figures.participant_count, figures.certified_count, figures.reach) == (22, 22, 220)


# --- Summary -----------------------------------------------------------------------------
def test_the_summary_counts_by_country_gender_specialisation_status_and_cohort(
    client, users, registry
):
    client.force_login(users["reviewer"])

    response = client.get("/trainers/summary/")

    context = response.context
    assert context["figures"]["trainers"] == 3
    assert context["figures"]["certified"] == 2
    assert context["figures"]["reach"] == 26
    assert {bar.key: bar.value for bar in context["by_country"]} == {"PK": 1, "IQ": 1, "AF": 1}
    assert {bar.key: bar.value for bar in context["by_gender"]}["female"] == 1
    assert {bar.key: bar.value for bar in context["by_status"]}["active"] == 2
    assert {bar.key: bar.value for bar in context["by_theme"]} == {"return-and-reintegration": 1}
    assert "<svg" in response.content.decode()


def test_the_summary_costs_the_same_queries_at_two_sizes(client, users, query_budget):
    client.force_login(users["admin"])
    registry_population(2)
    query_budget(client.get, "/trainers/summary/", max_queries=15)
    small_count = query_budget.last_count
    for _ in range(4):
        registry_population(5)

    query_budget(client.get, "/trainers/summary/", max_queries=small_count)
