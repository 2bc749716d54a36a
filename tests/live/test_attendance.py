"""Attendance: minutes from connections (merged, clipped to the session), the share that
counts as attended, hand marks that win and are logged, and what attendance feeds:
course completion ("attended at least N sessions"), lessons shown, the gradebook."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services as course_services
from courses.models import Enrolment, LessonProgress
from live import attendance, attendance_selectors
from live.models import (
    AttendanceMark,
    AttendanceRecord,
    CourseAttendanceRule,
    LiveConnection,
    LiveEvent,
    LiveRoom,
)
from lms.exceptions import NotAllowed, ServiceError
from lms.roles import Role
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory
from tests.live.factories import classroom_create

pytestmark = pytest.mark.django_db


def connect(session, user, *, start_min: float, end_min: float | None, role="participant"):
    """A connection from `start_min` to `end_min` minutes after the session's start (open
    when end_min is None)."""
    base = session.starts_at
    end = None if end_min is None else base + timedelta(minutes=end_min)
    return LiveConnection.objects.create(
        session=session,
        user=user,
        role=role,
        channel_name="test",
        connected_at=base + timedelta(minutes=start_min),
        last_seen_at=end or timezone.now(),
        disconnected_at=end,
    )


@pytest.fixture
def officer():
    return UserFactory(username="officer", roles=[Role.OFFICER])


@pytest.fixture
def past_session(officer):
    """A 60-minute session that ended an hour ago."""
    return classroom_create(
        participants=[officer], starts_at=timezone.now() - timedelta(hours=2), duration_minutes=60
    )


def test_overlapping_connections_count_once_and_only_within_the_session():
    start = timezone.now()
    at = lambda m: start + timedelta(minutes=m)  # noqa: E731

    seconds = attendance_selectors.seconds_present(
        [(at(-10), at(5)), (at(0), at(20)), (at(15), at(30)), (at(50), at(90))], at(0), at(60)
    )

    assert seconds == (30 + 10) * 60


def test_two_tabs_and_a_drop_give_the_minutes_present(past_session, officer):
    # given two tabs open together, a drop, and a return
    connect(past_session, officer, start_min=0, end_min=20)
    connect(past_session, officer, start_min=10, end_min=25)
    connect(past_session, officer, start_min=30, end_min=55)

    record = attendance.attendance_update(session=past_session, user=officer)

    assert record.seconds_present == 50 * 60
    assert record.minutes_present == 50.0
    assert record.measured_attended is True and record.status == "present"  # 83% ≥ 80%


def test_less_than_the_share_is_absent_and_the_share_is_a_setting(past_session, officer, settings):
    connect(past_session, officer, start_min=0, end_min=40)

    before = attendance.attendance_update(session=past_session, user=officer).status
    settings.LIVE_ATTENDANCE_SHARE = 0.5
    after = attendance.attendance_update(session=past_session, user=officer).status

    assert (before, after) == ("absent", "present")


def test_a_connection_left_open_by_a_dead_worker_counts_until_last_heard_from(
    past_session, officer
):
    connection = connect(past_session, officer, start_min=0, end_min=None)
    LiveConnection.objects.filter(pk=connection.pk).update(
        last_seen_at=past_session.starts_at + timedelta(minutes=30)
    )

    record = attendance.attendance_update(session=past_session, user=officer)

    assert record.seconds_present == 30 * 60


def test_the_trainers_start_and_end_are_the_window_once_the_session_ran(past_session, officer):
    LiveRoom.objects.create(
        session=past_session,
        started_at=past_session.starts_at + timedelta(minutes=10),
        ended_at=past_session.starts_at + timedelta(minutes=40),
    )
    connect(past_session, officer, start_min=12, end_min=45)

    record = attendance.attendance_update(session=past_session, user=officer)

    assert record.seconds_present == 28 * 60 and record.status == "present"


def test_a_hand_mark_wins_over_the_measure_and_is_logged(past_session, officer):
    trainer = past_session.training.assignments.get().trainer.user
    connect(past_session, officer, start_min=0, end_min=10)

    record = attendance.attendance_mark(
        session=past_session, user=officer, by=trainer, status="late", note="network"
    )
    attendance.attendance_update(session=past_session, user=officer)
    attendance.attendance_mark(session=past_session, user=officer, by=trainer, status="excused")

    record.refresh_from_db()
    assert record.status == "excused" and record.marked_by == trainer
    assert record.seconds_present == 600  # still measured
    assert list(AttendanceMark.objects.values_list("status", "by", "note")) == [
        ("excused", trainer.pk, ""),
        ("late", trainer.pk, "network"),
    ]
    report = attendance_selectors.session_attendance(session=past_session)
    row = next(r for r in report.rows if r.user == officer)
    assert (row.status, row.marked_by, row.minutes) == ("excused", trainer, 10.0)


def test_only_the_trainings_trainers_mark_attendance(past_session, officer):
    with pytest.raises(NotAllowed):
        attendance.attendance_mark(session=past_session, user=officer, by=officer, status="present")
    trainer = past_session.training.assignments.get().trainer.user
    with pytest.raises(ServiceError):
        attendance.attendance_mark(session=past_session, user=officer, by=trainer, status="gone")
    stranger = UserFactory(username="stranger")
    with pytest.raises(ServiceError):
        attendance.attendance_mark(session=past_session, user=stranger, by=trainer, status="late")
    assert not AttendanceRecord.objects.exists()


def test_the_session_report_lists_trainers_participants_and_who_never_came(past_session, officer):
    trainer = past_session.training.assignments.get().trainer.user
    absent = UserFactory(username="absent")
    from scheduling.models import Nomination

    Nomination.objects.create(training=past_session.training, user=absent, status="confirmed")
    connect(past_session, trainer, start_min=0, end_min=60, role="trainer")
    connect(past_session, officer, start_min=5, end_min=60)

    rows = attendance_selectors.session_attendance(session=past_session).rows

    assert (rows[0].user, rows[0].role, rows[0].minutes, rows[0].status) == (
        trainer,
        "trainer",
        60.0,
        "present",
    )
    assert {(r.user.username, r.role, r.minutes, r.status) for r in rows[1:]} == {
        ("absent", "participant", 0.0, "absent"),
        ("officer", "participant", 55.0, "present"),
    }


# --- What attendance feeds ------------------------------------------------------------------
@pytest.fixture
def course_with_training(officer):
    course = course_create(modules=1, lessons=2)
    course_services.enrolment_create(user=officer, course=course, source="import")
    first = classroom_create(
        participants=[officer],
        course=course,
        starts_at=timezone.now() - timedelta(days=3),
        sessions=2,
    )
    sessions = list(first.training.sessions.order_by("starts_at"))
    return course, sessions


def attend(session, user):
    connect(session, user, start_min=0, end_min=session.duration_minutes)
    return attendance.attendance_update(session=session, user=user)


def test_attended_at_least_n_sessions_holds_back_completion_until_met(
    course_with_training, officer
):
    course, sessions = course_with_training
    CourseAttendanceRule.objects.create(course=course, min_sessions=2)
    for lesson in lessons_of(course):
        course_services.lesson_complete(user=officer, lesson=lesson, course=course)
    enrolment = Enrolment.objects.get(user=officer, course=course)
    assert enrolment.completed_at is None  # every lesson done, no session attended yet

    attend(sessions[0], officer)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    attend(sessions[1], officer)

    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert attendance_selectors.attended_sessions_count(user=officer, course=course) == 2


def test_a_course_without_an_attendance_rule_is_not_held_back(course_with_training, officer):
    course, _sessions = course_with_training
    for lesson in lessons_of(course):
        course_services.lesson_complete(user=officer, lesson=lesson, course=course)

    assert Enrolment.objects.get(user=officer, course=course).completed_at is not None


def test_attending_completes_the_lessons_the_trainer_showed(course_with_training, officer):
    course, sessions = course_with_training
    shown, not_shown = lessons_of(course)
    LiveRoom.objects.create(session=sessions[0], last_seq=1)
    LiveEvent.objects.create(
        session=sessions[0],
        seq=1,
        type="follow.changed",
        payload={"lesson": {"id": shown.pk, "title": shown.title}, "slide": 0},
    )

    attend(sessions[0], officer)

    done = set(
        LessonProgress.objects.filter(user=officer, completed_at__isnull=False).values_list(
            "lesson", flat=True
        )
    )
    assert done == {shown.pk}
    assert not_shown.pk not in done


def test_the_gradebook_gets_an_attendance_column(course_with_training, officer):
    from assessments.gradebook import gradebook_table

    course, sessions = course_with_training
    attend(sessions[0], officer)

    header, rows = gradebook_table(course=course)

    assert header[-1] == "Live sessions attended"
    row = next(r for r in rows if r[0] == "officer")
    assert row[-1] == "1/2"


def test_a_course_without_live_sessions_has_no_attendance_column(officer):
    from assessments.gradebook import gradebook_table

    course = course_create(modules=1, lessons=1)
    course_services.enrolment_create(user=officer, course=course, source="import")

    header, _rows = gradebook_table(course=course)

    assert "Live sessions attended" not in header


def test_the_training_report_has_participants_by_sessions(course_with_training, officer):
    _course, sessions = course_with_training
    attend(sessions[0], officer)

    listed, rows = attendance_selectors.training_attendance(training=sessions[0].training)

    assert listed == sessions
    assert [(r.user, r.attended, r.cells[1]) for r in rows] == [(officer, 1, None)]
    assert rows[0].minutes == float(sessions[0].duration_minutes)
