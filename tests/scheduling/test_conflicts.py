"""Every conflict rule, and the detection's query count whatever the calendar's size."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling.conflicts import Kind, Proposal, audiences_overlap, proposal_conflicts
from scheduling.models import Nomination, Training
from tests.courses.factories import course_create
from tests.scheduling.factories import at, officer, partner_org, themes, trainer, training

pytestmark = pytest.mark.django_db


def proposal(**fields) -> Proposal:
    values = {
        "starts_at": at(),
        "ends_at": at(days=1, hours=8),
        "theme_ids": [t.pk for t in themes("trafficking-in-human-beings")],
    }
    values.update(fields)
    return Proposal(**values)


def kinds(conflicts) -> list[tuple[str, int | None]]:
    return [(c.kind, c.training) for c in conflicts]


# --- Duplicates --------------------------------------------------------------------------
def test_same_course_on_overlapping_dates_is_a_conflict_with_reason_and_link():
    course = course_create(code="TST-THB-1", themes=["trafficking-in-human-beings"])
    other = training(course=course, organiser=partner_org("UNODC"), title="Lahore course")

    conflicts = proposal_conflicts(proposal(course_id=course.pk, starts_at=at(hours=2)))

    assert kinds(conflicts) == [(Kind.SAME_COURSE, other.pk)]
    assert "Lahore course" in conflicts[0].message
    assert "UNODC" in conflicts[0].message
    assert "same course (TST-THB-1)" in conflicts[0].message
    assert conflicts[0].url == f"/trainings/{other.pk}/"


def test_same_course_within_the_window_is_a_conflict_and_beyond_it_is_not(settings):
    settings.TRAINING_DUPLICATE_WINDOW_DAYS = 30
    course = course_create(code="TST-THB-2", themes=["trafficking-in-human-beings"])
    near = training(course=course, starts_at=at(days=20))
    training(course=course, starts_at=at(days=45))

    conflicts = proposal_conflicts(proposal(course_id=course.pk))

    assert kinds(conflicts) == [(Kind.SAME_COURSE, near.pk)]
    assert "days apart" in conflicts[0].message


def test_the_window_is_a_setting(settings):
    settings.TRAINING_DUPLICATE_WINDOW_DAYS = 60
    course = course_create(code="TST-THB-3", themes=["trafficking-in-human-beings"])
    far = training(course=course, starts_at=at(days=45))

    assert kinds(proposal_conflicts(proposal(course_id=course.pk))) == [(Kind.SAME_COURSE, far.pk)]


def test_a_similar_course_is_a_conflict():
    ours = course_create(
        code="TST-SIM-1",
        title="Identifying victims of trafficking at airports",
        summary="Indicators of trafficking, screening interviews and referral of victims.",
        themes=["trafficking-in-human-beings"],
    )
    theirs = course_create(
        code="TST-SIM-2",
        title="Identifying trafficking victims at airports and borders",
        summary="Screening interviews, indicators of trafficking and referral of victims.",
        themes=["trafficking-in-human-beings"],
    )
    other = training(course=theirs, theme_slugs=("trafficking-in-human-beings",))

    conflicts = proposal_conflicts(proposal(course_id=ours.pk))

    assert kinds(conflicts) == [(Kind.SIMILAR_COURSE, other.pk)]
    assert "TST-SIM-2" in conflicts[0].message
    assert "% alike" in conflicts[0].message


def test_same_thematic_area_is_a_conflict_naming_the_area():
    other = training(theme_slugs=("smuggling-of-migrants", "document-fraud"))

    conflicts = proposal_conflicts(
        proposal(theme_ids=[t.pk for t in themes("smuggling-of-migrants")])
    )

    assert kinds(conflicts) == [(Kind.SAME_THEME, other.pk)]
    assert "Smuggling of migrants" in conflicts[0].message


def test_another_thematic_area_is_no_conflict():
    training(theme_slugs=("cybercrime",))

    assert proposal_conflicts(proposal()) == []


def test_audiences_that_do_not_overlap_are_no_duplicate():
    training(audience=[("unit", "FIA Lahore Zone")])
    karachi = proposal(audience=[("unit", "FIA Karachi Zone")])
    lahore_inspectors = proposal(audience=[("unit", "fia lahore zone"), ("rank", "Inspector")])

    assert proposal_conflicts(karachi) == []
    assert [c.kind for c in proposal_conflicts(lahore_inspectors)] == [Kind.SAME_THEME]


def test_audience_overlap_rules():
    assert audiences_overlap([], [("unit", "A")])  # open to all units
    assert audiences_overlap([("unit", "A"), ("unit", "B")], [("unit", "b")])
    assert not audiences_overlap([("unit", "A")], [("unit", "B")])
    assert audiences_overlap([("unit", "A")], [("rank", "Inspector")])
    assert not audiences_overlap(
        [("unit", "A"), ("rank", "Inspector")], [("unit", "A"), ("rank", "Director")]
    )


def test_drafts_and_cancelled_trainings_are_no_duplicates_and_a_training_not_its_own():
    training(status=Training.Status.DRAFT)
    training(status=Training.Status.CANCELLED)
    itself = training()

    assert proposal_conflicts(proposal(exclude_pk=itself.pk)) == []


# --- Trainers ----------------------------------------------------------------------------
def test_a_trainer_booked_at_overlapping_times_is_a_conflict():
    busy = trainer(full_name="Farah Naz")
    other = training(trainers=[busy], theme_slugs=("cybercrime",), starts_at=at(hours=4))
    training(trainers=[busy], theme_slugs=("cybercrime",), starts_at=at(days=3))  # later

    conflicts = proposal_conflicts(proposal(trainer_ids=[busy.pk]))

    assert kinds(conflicts) == [(Kind.TRAINER_DOUBLE_BOOKED, other.pk)]
    assert conflicts[0].trainer == busy.pk
    assert "Farah Naz is already booked" in conflicts[0].message


def test_a_trainer_without_an_active_certification_in_the_theme_is_a_conflict():
    certified = trainer(certified_in=("trafficking-in-human-beings",))
    other_theme = trainer(certified_in=("cybercrime",), full_name="Kamran Haider")
    expired = trainer(expires_on=date(2029, 1, 1), full_name="Expired One")
    expiring_mid_training = trainer(expires_on=at().date(), full_name="Expires Monday")
    suspended = trainer(state="suspended", full_name="Suspended One")
    never = trainer(certified_in=(), full_name="Never Certified")

    conflicts = proposal_conflicts(
        proposal(
            trainer_ids=[
                certified.pk,
                other_theme.pk,
                expired.pk,
                expiring_mid_training.pk,
                suspended.pk,
                never.pk,
            ]
        )
    )

    assert all(c.kind == Kind.TRAINER_NOT_CERTIFIED for c in conflicts)
    assert {c.trainer for c in conflicts} == {
        other_theme.pk,
        expired.pk,
        expiring_mid_training.pk,
        suspended.pk,
        never.pk,
    }


def test_a_certification_valid_through_the_last_day_counts():
    ok = trainer(expires_on=(at(days=1)).date())

    assert proposal_conflicts(proposal(trainer_ids=[ok.pk])) == []


# --- Officers and venues -----------------------------------------------------------------
def test_an_officer_nominated_into_overlapping_trainings_is_a_conflict():
    person = officer(first_name="Bilal", last_name="Ahmed")
    other = training(theme_slugs=("cybercrime",), starts_at=at(hours=3))
    Nomination.objects.create(training=other, user=person, status=Nomination.Status.CONFIRMED)
    withdrawn_from = training(theme_slugs=("cybercrime",))
    Nomination.objects.create(
        training=withdrawn_from, user=person, status=Nomination.Status.WITHDRAWN
    )

    conflicts = proposal_conflicts(proposal(nominee_ids=[person.pk]))

    assert kinds(conflicts) == [(Kind.OFFICER_DOUBLE_BOOKED, other.pk)]
    assert "Bilal Ahmed is already nominated" in conflicts[0].message


def test_moving_a_training_onto_its_nominees_other_trainings_is_a_conflict():
    person = officer()
    ours = training(theme_slugs=("cybercrime",), starts_at=at(days=10))
    Nomination.objects.create(training=ours, user=person, status=Nomination.Status.CONFIRMED)
    theirs = training(theme_slugs=("document-fraud",))
    Nomination.objects.create(training=theirs, user=person, status=Nomination.Status.WAITLISTED)

    moved = proposal(
        theme_ids=[t.pk for t in themes("cybercrime")], exclude_pk=ours.pk, nominees_of=ours.pk
    )

    assert kinds(proposal_conflicts(moved)) == [(Kind.OFFICER_DOUBLE_BOOKED, theirs.pk)]


def test_a_venue_booked_twice_is_a_conflict_and_remote_trainings_share_no_venue():
    hall = training(
        theme_slugs=("cybercrime",),
        modality=Training.Modality.IN_PERSON,
        venue="FIA Academy, Hall A",
        starts_at=at(hours=5),
    )

    in_person = proposal(
        theme_ids=[t.pk for t in themes("document-fraud")],
        venue="fia academy, hall a",
        modality=Training.Modality.IN_PERSON,
    )
    remote = proposal(
        theme_ids=[t.pk for t in themes("document-fraud")],
        venue="FIA Academy, Hall A",
        modality=Training.Modality.REMOTE,
    )

    assert kinds(proposal_conflicts(in_person)) == [(Kind.VENUE_DOUBLE_BOOKED, hall.pk)]
    assert proposal_conflicts(remote) == []


def test_trainings_that_merely_touch_do_not_overlap():
    busy = trainer()
    training(trainers=[busy], theme_slugs=("cybercrime",), starts_at=at(days=-2), ends_at=at())

    assert kinds(proposal_conflicts(proposal(trainer_ids=[busy.pk]))) == []


# --- Constant queries --------------------------------------------------------------------
def _calendar(size: int, *, busy, person, course) -> None:
    for n in range(size):
        t = training(
            course=course if n % 3 == 0 else None,
            theme_slugs=("trafficking-in-human-beings", "smuggling-of-migrants"),
            starts_at=at(days=(n % 40) - 20, hours=n % 7),
            venue="Hall A",
            modality=Training.Modality.IN_PERSON,
            audience=[("unit", f"Unit {n % 4}")],
            trainers=[busy] if n % 5 == 0 else [],
        )
        if n % 4 == 0:
            Nomination.objects.create(training=t, user=person, status="confirmed")


def _count(p: Proposal) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        found = proposal_conflicts(p)
    return len(captured.captured_queries), len(found)


def test_detection_costs_the_same_queries_whatever_the_calendar_size():
    course = course_create(code="TST-Q-1", themes=["trafficking-in-human-beings"])
    busy = trainer(certified_in=("cybercrime",))
    person = officer()
    check = proposal(
        course_id=course.pk,
        trainer_ids=[busy.pk],
        nominee_ids=[person.pk],
        venue="Hall A",
        modality=Training.Modality.IN_PERSON,
    )
    _calendar(5, busy=busy, person=person, course=course)
    small_queries, small_found = _count(check)
    _calendar(60, busy=busy, person=person, course=course)
    large_queries, large_found = _count(check)

    assert large_found > small_found  # the larger calendar has more conflicts…
    assert large_queries == small_queries  # …found with the same queries
    assert small_queries <= 12


def test_proposal_spanning_a_long_period_is_still_checked_with_range_queries():
    course = course_create(code="TST-Q-2", themes=["trafficking-in-human-beings"])
    training(course=course, starts_at=at(days=300))
    long_one = proposal(course_id=course.pk, ends_at=at(days=280) + timedelta(hours=1))

    assert [c.kind for c in proposal_conflicts(long_one)] == [Kind.SAME_COURSE]
