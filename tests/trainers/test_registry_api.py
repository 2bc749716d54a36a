"""GET /api/v1/trainers and /api/v1/trainers/{id}: filters, pagination, errors, contacts."""

from datetime import date

import pytest

from tests.trainers.factories import registry_population, registry_trainer, themes, tot_cohort
from trainers.services import registry as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def naveed(db):
    trainer = registry_trainer(
        full_name="Naveed Akhtar",
        full_name_native="نوید اختر",
        languages=["ur", "pa"],
        specialisations=["investigation-techniques"],
        email="naveed@example.org",
    )
    cohort = tot_cohort(name="Islamabad ToT", themes=themes("smuggling-of-migrants"))
    certification = services.certification_grant(trainer=trainer, cohort=cohort)
    services.certification_renew(certification=certification, note="Refresher")
    services.delivery_record(
        trainer=trainer,
        title="Investigating smuggling networks",
        start_date=date(2026, 1, 12),
        end_date=date(2026, 1, 16),
        participants_reached=26,
        source="test:1",
    )
    registry_trainer(full_name="Zainab Al-Jubouri", country="IQ", languages=["ar"])
    return trainer


def test_the_registry_api_needs_a_signed_in_user(client, naveed):
    response = client.get("/api/v1/trainers")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_the_list_filters_and_says_its_total(client, users, naveed):
    client.force_login(users["officer"])

    body = client.get(
        "/api/v1/trainers?theme=smuggling-of-migrants&language=ur&status=certified&country=PK"
    ).json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["full_name"] == "Naveed Akhtar"
    assert item["full_name_native"] == "نوید اختر"
    assert item["languages"] == ["ur", "pa"]
    assert item["status"] == "active"
    assert item["url"] == f"/trainers/{naveed.pk}/"
    assert item["email"] is None  # officers get no contact details


def test_partners_get_contact_details(client, users, naveed):
    client.force_login(users["partner"])

    item = client.get("/api/v1/trainers?q=naveed").json()["items"][0]

    assert item["email"] == "naveed@example.org"


def test_free_text_finds_names_in_their_own_script(client, users, naveed):
    client.force_login(users["partner"])

    body = client.get("/api/v1/trainers", {"q": "نوید"}).json()

    assert [item["full_name"] for item in body["items"]] == ["Naveed Akhtar"]


def test_a_bearer_token_works_too(client, users, naveed):
    from lms.services import api_token_issue

    token = api_token_issue(user=users["partner"])

    response = client.get("/api/v1/trainers", headers={"Authorization": f"Bearer {token}"})

    assert response.json()["count"] == 2


def test_unknown_filter_values_are_a_400_naming_the_field(client, users, naveed):
    client.force_login(users["partner"])

    response = client.get("/api/v1/trainers?status=great&language=xx&country=ZZZ")

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"status", "language", "country"}


def test_pages_are_capped_at_200(client, users, naveed):
    client.force_login(users["partner"])

    body = client.get("/api/v1/trainers?page_size=1&page=2").json()
    assert body["count"] == 2
    assert [item["full_name"] for item in body["items"]] == ["Zainab Al-Jubouri"]
    assert len(client.get("/api/v1/trainers?page_size=5000").json()["items"]) == 2


def test_one_trainer_with_certifications_history_and_reach(client, users, naveed):
    client.force_login(users["partner"])

    body = client.get(f"/api/v1/trainers/{naveed.pk}").json()

    assert body["cascade_reach"] == 26
    certification = body["certifications"][0]
    assert certification["cohort"]["name"] == "Islamabad ToT"
    assert certification["status"] == "active"
    assert [t["slug"] for t in certification["themes"]] == ["smuggling-of-migrants"]
    assert certification["history"][0]["note"] == "Refresher"
    assert body["deliveries"][0]["participants_reached"] == 26


def test_an_unknown_trainer_is_a_404(client, users):
    client.force_login(users["partner"])

    response = client.get("/api/v1/trainers/999999")

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_the_list_costs_the_same_queries_at_two_sizes(client, users, query_budget):
    client.force_login(users["partner"])
    registry_population(2)
    query_budget(client.get, "/api/v1/trainers?language=ur", max_queries=12)
    small_count = query_budget.last_count
    registry_population(25)

    response = query_budget(client.get, "/api/v1/trainers?language=ur", max_queries=small_count)

    assert response.json()["count"] == 27
