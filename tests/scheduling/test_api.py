"""REST API of the training calendar: the contract's GET and POST /api/v1/trainings and the
endpoints around them."""

import json

import pytest
from django.test import Client

from lms import services as lms_services
from scheduling.models import ConflictAcknowledgement, CoordinationEvent, Nomination, Training
from tests.courses.factories import course_create
from tests.scheduling.factories import at, officer, partner_org, trainer, training

pytestmark = pytest.mark.django_db
Status = Training.Status


def api(user=None) -> Client:
    client = Client()
    if user is not None:
        token = lms_services.api_token_issue(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def body(**fields) -> dict:
    values = {
        "title": "Victim identification, Lahore",
        "starts_at": "2030-03-04T09:00:00+05:00",
        "ends_at": "2030-03-05T17:00:00+05:00",
        "themes": ["trafficking-in-human-beings"],
        "audience": [{"kind": "unit", "value": "FIA Lahore Zone"}],
        "sessions": [{"starts_at": "2030-03-04T10:00:00+05:00", "duration_minutes": 120}],
    }
    values.update(fields)
    return values


# --- List --------------------------------------------------------------------------------
def test_the_list_needs_a_signed_in_user():
    assert api().get("/api/v1/trainings").status_code == 401


def test_the_list_filters_and_paginates(users):
    unodc = partner_org("UNODC")
    march = training(organiser=unodc, starts_at=at(), theme_slugs=("document-fraud",))
    training(organiser=unodc, starts_at=at(days=60))
    training(organiser=partner_org(), starts_at=at(days=1), status=Status.PROPOSED)
    client = api(users["partner"])

    everything = client.get("/api/v1/trainings?page_size=2").json()
    in_march = client.get("/api/v1/trainings?from=2030-03-01&to=2030-03-31").json()
    theirs = client.get("/api/v1/trainings?organisation=UNODC&theme=document-fraud").json()
    proposed = client.get("/api/v1/trainings?status=proposed").json()

    assert everything["count"] == 3 and len(everything["items"]) == 2
    assert in_march["count"] == 2
    assert [t["id"] for t in theirs["items"]] == [march.pk]
    assert theirs["items"][0]["starts_at"] == "2030-03-04T09:00:00+05:00"
    assert theirs["items"][0]["organiser"]["short_name"] == "UNODC"
    assert proposed["count"] == 1
    assert client.get("/api/v1/trainings?status=bogus").status_code == 400


def test_officers_do_not_see_proposals_or_other_drafts(users):
    training(status=Status.PROPOSED)
    draft = training(status=Status.DRAFT)
    confirmed = training()
    assert [t["id"] for t in api(users["officer"]).get("/api/v1/trainings").json()["items"]] == [
        confirmed.pk
    ]
    assert api(users["partner"]).get(f"/api/v1/trainings/{draft.pk}").status_code == 404


# --- Propose -----------------------------------------------------------------------------
def test_a_coordinator_proposes_and_gets_201(users):
    response = post(api(users["partner"]), "/api/v1/trainings", body())

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "proposed"
    assert data["organiser"]["short_name"] == "ICMPD"
    assert data["audience"] == [{"kind": "unit", "value": "FIA Lahore Zone"}]
    assert [s["duration_minutes"] for s in data["sessions"]] == [120]
    assert Training.objects.get().proposed_by == users["partner"]


def test_a_clash_answers_409_with_the_conflicts_and_saves_nothing(users):
    course = course_create(code="TST-A-1", themes=["trafficking-in-human-beings"])
    other = training(organiser=partner_org("UNODC"), course=course, title="UNODC's course")

    response = post(api(users["partner"]), "/api/v1/trainings", body(course="TST-A-1"))

    assert response.status_code == 409
    answer = response.json()
    assert answer["detail"]
    assert answer["errors"] == [
        {
            "kind": "same_course",
            "message": answer["errors"][0]["message"],
            "training": other.pk,
            "url": f"/trainings/{other.pk}/",
        }
    ]
    assert "UNODC's course" in answer["errors"][0]["message"]
    assert Training.objects.count() == 1


def test_acknowledged_conflicts_are_recorded(users):
    training(organiser=partner_org("UNODC"))
    client = api(users["partner"])

    no_reason = post(client, "/api/v1/trainings", body(acknowledge_conflicts=True))
    created = post(
        client,
        "/api/v1/trainings",
        body(acknowledge_conflicts=True, reason="Different officers, agreed with UNODC."),
    )

    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert created.status_code == 201
    ack = ConflictAcknowledgement.objects.get()
    assert ack.reason == "Different officers, agreed with UNODC."
    assert ack.training_id == created.json()["id"]


@pytest.mark.parametrize("who", ["officer", "trainer", "reviewer"])
def test_only_coordinators_and_admins_propose(users, who):
    assert post(api(users[who]), "/api/v1/trainings", body()).status_code == 403


def test_a_coordinator_cannot_propose_for_another_organisation(users):
    partner_org("UNODC")
    response = post(api(users["partner"]), "/api/v1/trainings", body(organisation="UNODC"))
    assert response.status_code == 403


def test_unknown_references_are_400_naming_the_field(users):
    response = post(
        api(users["partner"]), "/api/v1/trainings", body(course="NOPE-1", themes=["nope"])
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "course"


def test_an_admin_proposes_for_a_named_organisation(users):
    partner_org("UNODC")
    response = post(api(users["admin"]), "/api/v1/trainings", body(organisation="UNODC"))
    assert response.status_code == 201
    assert response.json()["organiser"]["short_name"] == "UNODC"


# --- One training, changes and decisions -------------------------------------------------
def test_patch_changes_the_fields_given(users):
    t = training(organiser=users["partner"].organisation, status=Status.PROPOSED)
    response = api(users["partner"]).patch(
        f"/api/v1/trainings/{t.pk}",
        json.dumps({"title": "Renamed", "capacity": 30}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    t.refresh_from_db()
    assert (t.title, t.capacity, t.status) == ("Renamed", 30, Status.PROPOSED)


def test_patch_by_another_partner_is_403(users):
    t = training(organiser=partner_org(), status=Status.PROPOSED)
    response = api(users["partner"]).patch(
        f"/api/v1/trainings/{t.pk}", json.dumps({"title": "x"}), content_type="application/json"
    )
    assert response.status_code == 403


def test_patch_into_a_clash_is_409(users):
    busy = trainer()
    training(trainers=[busy], theme_slugs=("cybercrime",), starts_at=at(days=10))
    t = training(organiser=users["partner"].organisation, theme_slugs=("cybercrime",))
    response = api(users["partner"]).patch(
        f"/api/v1/trainings/{t.pk}",
        json.dumps({"trainers": [busy.pk], "starts_at": "2030-03-14T09:00:00+05:00",
                    "ends_at": "2030-03-15T09:00:00+05:00"}),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    assert {e["kind"] for e in response.json()["errors"]} >= {"trainer_double_booked"}


def test_the_academy_approves_sends_back_and_the_organiser_cancels(users):
    t = training(organiser=users["partner"].organisation, status=Status.PROPOSED)
    u = training(organiser=users["partner"].organisation, status=Status.PROPOSED)

    assert post(api(users["partner"]), f"/api/v1/trainings/{t.pk}/approve").status_code == 403
    approved = post(api(users["reviewer"]), f"/api/v1/trainings/{t.pk}/approve")
    sent_back = post(
        api(users["admin"]), f"/api/v1/trainings/{u.pk}/send-back", {"note": "Other dates."}
    )
    cancelled = post(api(users["partner"]), f"/api/v1/trainings/{t.pk}/cancel", {"reason": "x"})

    assert approved.json()["status"] == "confirmed"
    assert approved.json()["approved_by"] == "reviewer"
    assert sent_back.json()["status"] == "draft"
    assert sent_back.json()["review_note"] == "Other dates."
    assert cancelled.json()["status"] == "cancelled"
    assert CoordinationEvent.objects.count() == 3


def test_conflicts_of_a_training_as_the_calendar_stands(users):
    t = training(organiser=users["partner"].organisation, status=Status.PROPOSED)
    other = training(organiser=partner_org())
    response = api(users["admin"]).get(f"/api/v1/trainings/{t.pk}/conflicts")
    assert [c["training"] for c in response.json()] == [other.pk]
    assert api(users["officer"]).get(f"/api/v1/trainings/{t.pk}/conflicts").status_code == 404


# --- Nominations -------------------------------------------------------------------------
def test_nominating_by_username_and_withdrawing(users):
    t = training(organiser=users["partner"].organisation, capacity=1)
    first, second = officer(), officer()
    client = api(users["partner"])

    response = post(
        client,
        f"/api/v1/trainings/{t.pk}/nominations",
        {"usernames": [first.username, second.username]},
    )
    listing = client.get(f"/api/v1/trainings/{t.pk}/nominations").json()
    nomination = Nomination.objects.get(user=first)
    withdrawn = post(api(first), f"/api/v1/nominations/{nomination.pk}/withdraw")

    assert response.status_code == 201
    assert [n["status"] for n in response.json()] == ["confirmed", "waitlisted"]
    assert [n["username"] for n in listing] == [first.username, second.username]
    assert withdrawn.json()["status"] == "withdrawn"
    assert Nomination.objects.get(user=second).status == "confirmed"


def test_unknown_officers_are_400(users):
    t = training(organiser=users["partner"].organisation)
    response = post(
        api(users["partner"]), f"/api/v1/trainings/{t.pk}/nominations", {"usernames": ["ghost"]}
    )
    assert response.status_code == 400
    assert not Nomination.objects.exists()


def test_self_registration_with_an_empty_list(users):
    t = training(self_registration=True)
    response = post(api(users["officer"]), f"/api/v1/trainings/{t.pk}/nominations", {})
    assert response.status_code == 201
    assert response.json()[0]["username"] == "officer"
    mine = api(users["officer"]).get(f"/api/v1/trainings/{t.pk}/nominations").json()
    assert [n["username"] for n in mine] == ["officer"]


def test_someone_elses_nomination_is_hidden(users):
    t = training()
    nomination = Nomination.objects.create(training=t, user=officer(), status="confirmed")
    response = post(api(users["officer"]), f"/api/v1/nominations/{nomination.pk}/withdraw")
    assert response.status_code == 404


# --- Board and feeds ---------------------------------------------------------------------
def test_missed_board_events_over_http(users, settings):
    settings.COORDINATION_RESUME_MAX = 2
    for _ in range(3):
        post(api(users["partner"]), "/api/v1/trainings", body(themes=["cybercrime"],
             acknowledge_conflicts=True, reason="test"))  # fmt: skip
    first = CoordinationEvent.objects.order_by("pk").first().pk

    page = api(users["admin"]).get(f"/api/v1/coordination/events?after={first - 1}").json()

    assert page["more"] is True
    assert [e["seq"] for e in page["events"]] == [first, first + 1]
    assert page["last"] == first + 1
    assert api(users["officer"]).get("/api/v1/coordination/events").status_code == 403


def test_my_feed_addresses(users):
    data = api(users["partner"]).get("/api/v1/me/calendar-feeds").json()
    assert data["personal"].endswith(".ics")
    assert data["organisation"].endswith(".ics")
    assert api(users["officer"]).get("/api/v1/me/calendar-feeds").json()["organisation"] is None


def test_the_schema_documents_the_endpoints(users):
    schema = api().get("/api/v1/openapi.json").json()
    assert "/api/v1/trainings" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/trainings"]
