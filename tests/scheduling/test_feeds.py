"""Private iCalendar feeds: valid VCALENDAR with zones, stable UIDs, SEQUENCE and
cancellations; a person's confirmed trainings' sessions and what they teach."""

import icalendar
import pytest
from django.test import Client

from scheduling import services
from scheduling.models import Nomination, Training
from tests.scheduling.factories import at, officer, trainer, training

pytestmark = pytest.mark.django_db


def fetch(feed) -> icalendar.Calendar:
    response = Client().get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_a_participants_feed_has_the_live_sessions_of_their_confirmed_trainings(users):
    me = users["officer"]
    mine = training(
        title="Document fraud", sessions=[(at(hours=1), 120), (at(days=1, hours=1), 60)]
    )
    Nomination.objects.create(training=mine, user=me, status="confirmed")
    waiting = training(title="Waiting", sessions=[(at(days=5), 60)])
    Nomination.objects.create(training=waiting, user=me, status="waitlisted")
    training(title="Not mine", sessions=[(at(days=6), 60)])

    calendar = fetch(services.calendar_feed_get(user=me))

    found = events(calendar)
    first, second = mine.sessions.order_by("starts_at")
    assert set(found) == {f"session-{first.pk}@127.0.0.1", f"session-{second.pk}@127.0.0.1"}
    event = found[f"session-{first.pk}@127.0.0.1"]
    assert str(event["SUMMARY"]) == "Document fraud"
    assert event["DTSTART"].dt == first.starts_at
    assert event["DTSTART"].params["TZID"] == "Asia/Karachi"
    assert event["DTEND"].dt == first.ends_at
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Karachi"]
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]


def test_a_trainers_feed_has_what_they_teach_even_when_proposed(users):
    taught = training(
        title="Taught", status=Training.Status.PROPOSED, trainers=[trainer(user=users["trainer"])]
    )

    found = events(fetch(services.calendar_feed_get(user=users["trainer"])))

    [(uid, event)] = found.items()
    assert uid == f"training-{taught.pk}@127.0.0.1"
    assert str(event["STATUS"]) == "TENTATIVE"


def test_a_cancellation_keeps_the_uid_raises_the_sequence_and_says_cancelled(users):
    me = users["officer"]
    t = training(organiser=users["partner"].organisation, sessions=[(at(hours=1), 60)])
    Nomination.objects.create(training=t, user=me, status="confirmed")
    feed = services.calendar_feed_get(user=me)
    before = events(fetch(feed))

    services.training_cancel(user=users["partner"], training=t, reason="Floods")
    after = events(fetch(feed))

    assert set(before) == set(after)
    [event] = after.values()
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == int(next(iter(before.values()))["SEQUENCE"]) + 1


def test_an_organisations_feed_has_its_trainings_but_not_drafts(users):
    icmpd = users["partner"].organisation
    ours = training(organiser=icmpd, status=Training.Status.PROPOSED)
    co_organised = training()
    co_organised.co_organisers.add(icmpd)
    training(organiser=icmpd, status=Training.Status.DRAFT)
    training()

    found = events(fetch(services.calendar_feed_get(organisation=icmpd)))

    assert set(found) == {
        f"training-{ours.pk}@127.0.0.1",
        f"training-{co_organised.pk}@127.0.0.1",
    }


def test_a_regenerated_address_stops_the_old_one(users):
    feed = services.calendar_feed_get(user=users["officer"])
    old_url = feed.get_absolute_url()
    services.calendar_feed_regenerate(user=users["officer"])
    assert Client().get(old_url).status_code == 404


def test_the_feeds_page_shows_the_addresses_and_makes_new_ones(users):
    client = Client()
    client.force_login(users["partner"])
    page = client.get("/trainings/feeds/")
    personal = services.calendar_feed_get(user=users["partner"])
    organisation = services.calendar_feed_get(organisation=users["partner"].organisation)

    client.post("/trainings/feeds/", {"feed": "organisation"})
    again = client.get("/trainings/feeds/").content.decode()

    assert personal.token in page.content.decode()
    assert organisation.token in page.content.decode()
    assert organisation.token not in again
    assert personal.token in again


def test_a_feed_costs_the_same_queries_whatever_its_size(users, query_budget):
    me = officer()
    feed = services.calendar_feed_get(user=me)
    for n in range(2):
        t = training(sessions=[(at(days=n, hours=1), 60)])
        Nomination.objects.create(training=t, user=me, status="confirmed")
    query_budget(Client().get, feed.get_absolute_url(), max_queries=8)
    small = query_budget.last_count
    for n in range(20):
        t = training(sessions=[(at(days=n, hours=1), 60), (at(days=n, hours=3), 60)])
        Nomination.objects.create(training=t, user=me, status="confirmed")
    query_budget(Client().get, feed.get_absolute_url(), max_queries=small)
