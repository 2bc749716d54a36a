"""Nominations racing for the last seats of a training (PostgreSQL's row locks): the
services lock the training row, so however many arrive at once, no more officers are
confirmed than the capacity, the rest go on the waiting list, and nobody gets an error.

Courses have no capacity of their own (enrolment is open, by key or by a trainer), so the
training's seats are the only limit there is to race for.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from courses.models import Enrolment
from scheduling import services
from scheduling.models import Nomination
from tests.courses.factories import course_create
from tests.scheduling.factories import at, coordinator, officer, partner_org, training

pytestmark = pytest.mark.django_db(transaction=True)
CAPACITY = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks: run with DATABASE_URL=postgres://...")


def at_once(calls: list[Callable[[], object]]) -> tuple[list, list]:
    """Run the calls in threads released together; (results, errors)."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = calls[index]()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    connection.close()  # the pool's connections are the threads' now
    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def statuses(t) -> dict[str, int]:
    counts = {"confirmed": 0, "waitlisted": 0, "withdrawn": 0}
    for status in Nomination.objects.filter(training=t).values_list("status", flat=True):
        counts[status] += 1
    return counts


def test_ten_nominations_at_once_confirm_exactly_the_capacity():
    # given a confirmed training with 3 seats, its course, and 10 officers
    organiser = partner_org()
    by = coordinator(organiser)
    course = course_create(lessons=1, modules=1)
    t = training(organiser=organiser, capacity=CAPACITY, starts_at=at(days=3), course=course)
    people = [officer() for _ in range(10)]

    # when the coordinator's 10 nominations, one officer each, arrive at the same moment
    results, errors = at_once(
        [
            lambda person=person: services.nomination_create(training=t, users=[person], by=by)
            for person in people
        ]
    )

    # then 3 are confirmed (and enrolled in the course), 7 wait, and nobody got an error
    assert errors == []
    answered = [nominations[0].status for nominations in results]
    assert answered.count("confirmed") == CAPACITY
    assert statuses(t) == {"confirmed": CAPACITY, "waitlisted": 7, "withdrawn": 0}
    confirmed = set(
        Nomination.objects.filter(training=t, status="confirmed").values_list("user", flat=True)
    )
    enrolled = set(
        Enrolment.objects.filter(course=course, source=Enrolment.Source.SCHEDULE).values_list(
            "user", flat=True
        )
    )
    assert enrolled == confirmed


def test_self_registrations_at_once_confirm_exactly_the_capacity():
    # given an open training with 3 seats and 8 officers registering themselves
    t = training(capacity=CAPACITY, starts_at=at(days=3), self_registration=True)
    people = [officer() for _ in range(8)]

    _, errors = at_once(
        [
            lambda person=person: services.nomination_create(training=t, users=[person], by=person)
            for person in people
        ]
    )

    assert errors == []
    assert statuses(t) == {"confirmed": CAPACITY, "waitlisted": 5, "withdrawn": 0}


def test_withdrawals_and_nominations_at_once_keep_the_seats_full_and_no_more():
    # given a full training (3 confirmed, 2 waiting)
    organiser = partner_org()
    by = coordinator(organiser)
    t = training(organiser=organiser, capacity=CAPACITY, starts_at=at(days=3))
    first = [officer() for _ in range(5)]
    services.nomination_create(training=t, users=first, by=by)
    leaving = list(Nomination.objects.filter(training=t, status="confirmed"))
    newcomers = [officer() for _ in range(4)]

    # when the 3 confirmed withdraw while 4 more are nominated
    _, errors = at_once(
        [
            *(lambda n=n: services.nomination_withdraw(nomination=n, by=n.user) for n in leaving),
            *(
                lambda person=person: services.nomination_create(training=t, users=[person], by=by)
                for person in newcomers
            ),
        ]
    )

    # then the seats are full again, with 3 and no more, and the rest still wait
    assert errors == []
    assert statuses(t) == {"confirmed": CAPACITY, "waitlisted": 3, "withdrawn": 3}
