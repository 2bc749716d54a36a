"""Pages of the training calendar: month, week and list views in a constant number of
queries, the form that shows conflicts and asks for a reason, approvals, nominations, CSV."""

import csv
import io

import pytest
from django.test import Client

from scheduling.models import ConflictAcknowledgement, Nomination, Training
from tests.scheduling.factories import at, officer, partner_org, trainer, training

pytestmark = pytest.mark.django_db
Status = Training.Status


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fill(size: int, offset: int = 0) -> None:
    organisations = [partner_org() for _ in range(3)]
    for n in range(size):
        training(
            organiser=organisations[n % 3],
            starts_at=at(days=(n % 25) + offset, hours=n % 5),
            status=[Status.PROPOSED, Status.CONFIRMED, Status.CANCELLED][n % 3],
            theme_slugs=("trafficking-in-human-beings", "document-fraud"),
            audience=[("unit", f"Unit {n % 3}")],
            sessions=[(at(days=(n % 25) + offset, hours=1), 60)],
        )


@pytest.mark.parametrize(
    "query",
    [
        "?date=2030-03-10",
        "?view=week&date=2030-03-06",
        "?view=list&date=2030-03-01",
        "?date=2030-03-10&theme=document-fraud&status=confirmed&audience=unit:Unit 1",
    ],
)
def test_calendar_views_cost_the_same_queries_at_two_sizes(users, query_budget, query):
    client = signed_in(users["partner"])
    _fill(4)
    small = query_budget(client.get, f"/trainings/{query}", max_queries=20)
    small_count = query_budget.last_count
    _fill(40, offset=1)
    large = query_budget(client.get, f"/trainings/{query}", max_queries=small_count)

    assert small.status_code == large.status_code == 200
    assert large.content.count(b"data-training=") > small.content.count(b"data-training=")


def test_month_view_shows_a_training_on_each_of_its_days(users):
    t = training(title="Three-day course", starts_at=at(), ends_at=at(days=2, hours=8))

    html = signed_in(users["officer"]).get("/trainings/?date=2030-03-04").content.decode()

    assert html.count(f'data-training="{t.pk}"') == 3
    assert "March 2030" in html


def test_filters_narrow_the_calendar(users):
    unodc = partner_org("UNODC")
    theirs = training(organiser=unodc, title="UNODC one", audience=[("unit", "FIA Lahore Zone")])
    training(title="Other one", audience=[("unit", "FIA Karachi Zone")])
    open_to_all = training(title="Open to all")
    client = signed_in(users["partner"])

    by_partner = client.get(f"/trainings/?view=list&date=2030-03-01&organisation={unodc.pk}")
    by_audience = client.get("/trainings/?view=list&date=2030-03-01&audience=unit:FIA Lahore Zone")

    assert list(by_partner.context["trainings"]) == [theirs]
    assert {t.pk for t in by_audience.context["trainings"]} == {theirs.pk, open_to_all.pk}


def test_the_board_is_only_on_partners_and_the_academys_calendar(users):
    assert b"data-coordination" in signed_in(users["partner"]).get("/trainings/").content
    assert b"data-coordination" in signed_in(users["reviewer"]).get("/trainings/").content
    assert b"data-coordination" not in signed_in(users["officer"]).get("/trainings/").content


def test_the_calendar_needs_signing_in():
    assert Client().get("/trainings/").status_code == 302


# --- Propose with conflicts --------------------------------------------------------------
def form(**fields) -> dict:
    values = {
        "title": "Victim identification, Lahore",
        "themes": [],
        "modality": "in_person",
        "venue": "Hall A",
        "starts_at": "2030-03-04T09:00",
        "ends_at": "2030-03-05T17:00",
        "time_zone": "Asia/Karachi",
        "capacity": "25",
        "audience_units": "FIA Lahore Zone",
        "sessions": "2030-03-04 10:00, 120, Opening",
        "action": "propose",
    }
    values.update(fields)
    return values


def test_the_form_shows_conflicts_asks_a_reason_and_records_it(users):
    from courses.models import ThematicArea

    theme = ThematicArea.objects.get(slug="trafficking-in-human-beings")
    other = training(organiser=partner_org("UNODC"), title="UNODC's Lahore course")
    client = signed_in(users["partner"])
    data = form(themes=[theme.pk], organiser=users["partner"].organisation_id)

    first = client.post("/trainings/new/", data)
    keys = [c.key for c in first.context["conflicts"]]
    no_reason = client.post(
        "/trainings/new/", {**data, "acknowledge": "1", "conflict_key": keys, "reason": ""}
    )
    done = client.post(
        "/trainings/new/",
        {**data, "acknowledge": "1", "conflict_key": keys, "reason": "Agreed with UNODC."},
    )

    assert first.status_code == 409
    assert "UNODC&#x27;s Lahore course" in first.content.decode()
    assert f'href="/trainings/{other.pk}/"' in first.content.decode()
    assert 'name="reason"' in first.content.decode()
    assert no_reason.status_code == 409  # asked again, nothing saved
    assert Training.objects.count() == 2
    new = Training.objects.exclude(pk=other.pk).get()
    assert done.status_code == 302 and done["Location"] == f"/trainings/{new.pk}/"
    assert new.status == Status.PROPOSED
    assert [s.duration_minutes for s in new.sessions.all()] == [120]
    assert ConflictAcknowledgement.objects.get().reason == "Agreed with UNODC."


def test_form_errors_are_shown_on_their_fields(users):
    response = signed_in(users["partner"]).post(
        "/trainings/new/",
        form(organiser=users["partner"].organisation_id, sessions="tomorrow at ten"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sessions"]
    assert not Training.objects.exists()


def test_times_are_read_in_the_trainings_time_zone(users):
    from courses.models import ThematicArea

    signed_in(users["partner"]).post(
        "/trainings/new/",
        form(
            themes=[ThematicArea.objects.get(slug="cybercrime").pk],
            organiser=users["partner"].organisation_id,
            time_zone="Europe/Vienna",
            sessions="",
        ),
    )
    t = Training.objects.get()
    assert t.starts_at.isoformat() == "2030-03-04T08:00:00+00:00"


def test_officers_cannot_open_the_form_and_partners_cannot_edit_others(users):
    other = training(organiser=partner_org(), status=Status.PROPOSED)
    assert signed_in(users["officer"]).get("/trainings/new/").status_code == 404
    assert signed_in(users["partner"]).get(f"/trainings/{other.pk}/edit/").status_code == 404


def test_editing_prefills_the_form(users):
    t = training(
        organiser=users["partner"].organisation,
        audience=[("unit", "A"), ("unit", "B")],
        sessions=[(at(hours=1), 45)],
        trainers=[trainer(full_name="Farah Naz")],
    )
    response = signed_in(users["partner"]).get(f"/trainings/{t.pk}/edit/")
    initial = response.context["form"].initial
    assert initial["audience_units"] == "A, B"
    assert initial["sessions"] == "2030-03-04 10:00, 45"
    assert initial["starts_at"] == "2030-03-04T09:00"


# --- Detail, approvals, nominations ------------------------------------------------------
def test_the_detail_page_shows_current_conflicts_to_the_organiser_only(users, query_budget):
    t = training(organiser=users["partner"].organisation, status=Status.PROPOSED)
    training(organiser=partner_org(), title="Clashing one")

    mine = query_budget(signed_in(users["partner"]).get, f"/trainings/{t.pk}/", max_queries=30)
    theirs = signed_in(users["officer"]).get(f"/trainings/{t.pk}/")

    assert b"Clashing one" in mine.content
    assert theirs.status_code == 404  # a proposal is not the officers' business


def test_approving_from_the_page(users):
    t = training(organiser=users["partner"].organisation, status=Status.PROPOSED)
    queue = signed_in(users["reviewer"]).get("/trainings/approvals/")
    response = signed_in(users["reviewer"]).post(f"/trainings/{t.pk}/approve/")
    t.refresh_from_db()
    assert t.title.encode() in queue.content
    assert response.status_code == 302
    assert t.status == Status.CONFIRMED
    assert signed_in(users["partner"]).get("/trainings/approvals/").status_code == 404


def test_approvals_queue_costs_the_same_queries_at_two_sizes(users, query_budget):
    client = signed_in(users["admin"])
    for _ in range(2):
        training(status=Status.PROPOSED)
    query_budget(client.get, "/trainings/approvals/", max_queries=15)
    small = query_budget.last_count
    for _ in range(20):
        t = training(status=Status.PROPOSED)
        ConflictAcknowledgement.objects.create(training=t, action="propose", reason="r")
    query_budget(client.get, "/trainings/approvals/", max_queries=small)


def test_nominating_from_the_page_with_service_numbers(users):
    t = training(organiser=users["partner"].organisation, capacity=1)
    a = officer(service_number="FIA-1001")
    b = officer()
    client = signed_in(users["partner"])

    response = client.post(
        f"/trainings/{t.pk}/nominations/", {"officers": f"fia-1001, {b.username}"}
    )
    page = client.get(f"/trainings/{t.pk}/nominations/")

    assert response.status_code == 302
    assert dict(Nomination.objects.values_list("user", "status")) == {
        a.pk: "confirmed",
        b.pk: "waitlisted",
    }
    assert b.username.encode() in page.content or b.get_full_name().encode() in page.content


def test_unknown_names_are_reported(users):
    t = training(organiser=users["partner"].organisation)
    response = signed_in(users["partner"]).post(
        f"/trainings/{t.pk}/nominations/", {"officers": "ghost"}
    )
    assert "ghost" in response.content.decode()
    assert not Nomination.objects.exists()


def test_an_officer_registers_and_withdraws_from_the_page(users):
    t = training(self_registration=True)
    client = signed_in(users["officer"])

    client.post(f"/trainings/{t.pk}/register/")
    nomination = Nomination.objects.get(user=users["officer"])
    client.post(f"/trainings/nominations/{nomination.pk}/withdraw/")

    nomination.refresh_from_db()
    assert nomination.status == "withdrawn"


def test_csv_export_lists_the_trainings_the_user_sees(users, query_budget):
    training(title="Visible, with “quotes”, and Urdu: تربیت", audience=[("unit", "A")])
    training(status=Status.DRAFT, title="Someone's draft")

    response = query_budget(
        signed_in(users["officer"]).get, "/trainings/export.csv?from=2030-01-01", max_queries=12
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["id", "title", "status"]
    assert [r[1] for r in rows[1:]] == ["Visible, with “quotes”, and Urdu: تربیت"]


def test_administrators_manage_trainings_in_the_wagtail_admin(users):
    t = training(title="Managed in the admin")
    client = signed_in(users["admin"])

    listing = client.get("/cms/snippets/scheduling/training/")
    edit = client.get(f"/cms/snippets/scheduling/training/edit/{t.pk}/")

    assert listing.status_code == 200
    assert b"Managed in the admin" in listing.content
    assert edit.status_code == 200
    assert signed_in(users["trainer"]).get("/cms/snippets/scheduling/training/").status_code in (
        302,
        403,
    )
