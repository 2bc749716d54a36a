"""Attendance of live sessions, measured from the connections (live/PROTOCOL.md,
"Attendance"): a person's minutes are the union of their connections' intervals within the
session's window; a trainer's hand mark wins over the measure and is logged."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live import attendance_selectors, selectors
from live.exceptions import NotFound
from live.models import (
    AttendanceMark,
    AttendanceRecord,
    AttendanceStatus,
    LiveConnection,
    LiveEvent,
    LiveRoom,
)
from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from scheduling.models import TrainingSession


def _record(session: TrainingSession, user) -> AttendanceRecord:
    record, _created = AttendanceRecord.objects.select_for_update().get_or_create(
        session=session, user=user
    )
    return record


def _measure(record: AttendanceRecord, session: TrainingSession, room: LiveRoom | None) -> None:
    start, end = attendance_selectors.attendance_window(session=session, room=room)
    now = timezone.now()
    connections = list(LiveConnection.objects.filter(session=session, user=record.user_id))
    intervals = [attendance_selectors.connection_interval(c, now) for c in connections]
    seconds = attendance_selectors.seconds_present(intervals, start, end)
    record.seconds_present = round(seconds)
    record.first_joined_at = min((c.connected_at for c in connections), default=None)
    record.last_left_at = max(
        (c.disconnected_at for c in connections if c.disconnected_at), default=None
    )
    record.measured_attended = attendance_selectors.measured_attended(seconds, start, end)
    if record.marked_at is None:  # a hand mark wins
        record.status = (
            AttendanceStatus.PRESENT if record.measured_attended else AttendanceStatus.ABSENT
        )


@transaction.atomic
def attendance_update(*, session: TrainingSession, user) -> AttendanceRecord:
    """Measure the user's attendance of the session from their connections again."""
    room = LiveRoom.objects.filter(session=session).first()
    record = _record(session, user)
    was = record.attended
    _measure(record, session, room)
    record.save()
    if record.attended and not was:
        _attended(session=session, user=record.user)
    return record


@transaction.atomic
def attendance_finalise(*, session: TrainingSession) -> list[AttendanceRecord]:
    """Records for everyone expected (trainers, confirmed participants) or present."""
    from lms.models import User

    report = attendance_selectors.session_attendance(session=session)
    users = User.objects.filter(pk__in=[row.user.pk for row in report.rows])
    return [attendance_update(session=session, user=user) for user in users]


@transaction.atomic
def attendance_mark(
    *, session: TrainingSession, user, by, status: str, note: str = ""
) -> AttendanceRecord:
    """A trainer's hand mark: it wins over the measured status, and is logged."""
    if not selectors.can_manage_training(user=by, training=session.training):
        raise NotAllowed(_("Only the training's trainers mark attendance."))
    if status not in AttendanceStatus.values:
        raise ServiceError(
            _("Choose present, late, excused or absent."),
            [ErrorItem(_("Unknown status."), field="status")],
        )
    expected = attendance_selectors.session_attendance(session=session)
    if user.pk not in {row.user.pk for row in expected.rows}:
        raise NotFound(_("That person is not a participant of this session."))
    room = LiveRoom.objects.filter(session=session).first()
    record = _record(session, user)
    was = record.attended
    _measure(record, session, room)
    now = timezone.now()
    record.status, record.marked_by, record.marked_at, record.note = status, by, now, note[:300]
    record.save()
    AttendanceMark.objects.create(record=record, status=status, note=note[:300], by=by, at=now)
    if record.attended and not was:
        _attended(session=session, user=user)
    return record


def _attended(*, session: TrainingSession, user) -> None:
    """The learner now counts as having attended: the lessons the trainer presented in the
    session are done for them, and the course's completion is checked again."""
    from courses import services as course_services
    from courses.models import Enrolment, LessonPage

    course = session.training.course
    if course is None:
        return
    if not Enrolment.objects.filter(
        user=user,
        course=course,
        role=Enrolment.Role.LEARNER,
        status__in=(Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED),
    ).exists():
        return
    shown = {
        payload["lesson"]["id"]
        for payload in LiveEvent.objects.filter(session=session, type="follow.changed").values_list(
            "payload", flat=True
        )
        if payload.get("lesson")
    }
    for lesson in LessonPage.objects.live().descendant_of(course).filter(pk__in=shown).specific():
        required = [a for a in lesson.activities if a.value.get("required")]
        if lesson.completion_rule == LessonPage.CompletionRule.ACTIVITIES and any(
            a.block_type != "live_session" for a in required
        ):
            continue  # a quiz or SCORM module of the lesson still decides
        course_services.lesson_complete(user=user, lesson=lesson, course=course)
    course_services.course_completion_evaluate(user=user, course=course)
