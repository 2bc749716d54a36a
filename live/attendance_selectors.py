"""Reads of attendance: the time a session is measured against, the seconds each person
was present (from their connections), the session and training reports, and what the
completion rules and the gradebook read."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from live.models import (
    ATTENDED_STATUSES,
    AttendanceRecord,
    AttendanceStatus,
    CourseAttendanceRule,
    LiveConnection,
    LiveRoom,
)
from live.selectors import OPEN_STATUSES, Roles
from scheduling.models import Nomination, Training, TrainingSession, TrainingTrainer


# --- Attendance --------------------------------------------------------------------------
def attendance_window(*, session: TrainingSession, room: LiveRoom | None) -> tuple:
    """The time attendance is measured against: from the trainer's start (or the scheduled
    start) for the session's length, or to the trainer's end when they ended it."""
    start = (room and room.started_at) or session.starts_at
    end = (room and room.ended_at) or start + timedelta(minutes=session.duration_minutes)
    return start, max(end, start)


def connection_interval(connection: LiveConnection, now: datetime) -> tuple:
    """When the connection was open: to its close, to now while it is open and alive, to
    when it was last heard from when it went stale (a worker that died never closed it)."""
    if connection.disconnected_at is not None:
        end = connection.disconnected_at
    elif connection.last_seen_at >= now - timedelta(seconds=settings.LIVE_STALE_SECONDS):
        end = now
    else:
        end = connection.last_seen_at
    return connection.connected_at, end


def seconds_present(intervals, start: datetime, end: datetime) -> float:
    """Seconds covered by the intervals within [start, end], overlaps counted once (two tabs
    open at the same time are one person present)."""
    clipped = sorted((max(a, start), min(b, end)) for a, b in intervals if b > start and a < end)
    total = timedelta()
    current_start = current_end = None
    for a, b in clipped:
        if b <= a:
            continue
        if current_end is None or a > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = a, b
        else:
            current_end = max(current_end, b)
    if current_end is not None:
        total += current_end - current_start
    return total.total_seconds()


def measured_attended(seconds: float, start: datetime, end: datetime) -> bool:
    length = (end - start).total_seconds()
    return length > 0 and seconds >= settings.LIVE_ATTENDANCE_SHARE * length


@dataclass
class AttendanceRow:
    user: object
    role: str
    seconds: int
    first_joined_at: datetime | None
    last_left_at: datetime | None
    status: str
    marked_by: object = None
    marked_at: datetime | None = None
    note: str = ""
    online: bool = False

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 1)

    @property
    def status_label(self) -> str:
        return AttendanceStatus(self.status).label

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED_STATUSES


@dataclass
class SessionAttendance:
    session: TrainingSession
    room: LiveRoom | None
    start: datetime
    end: datetime
    rows: list[AttendanceRow] = field(default_factory=list)


def session_attendance(*, session: TrainingSession) -> SessionAttendance:
    """Everyone expected or present in a session, with minutes measured now from their
    connections and the status (a hand mark wins). A fixed number of queries."""
    from lms.models import User

    room = LiveRoom.objects.filter(session=session).first()
    start, end = attendance_window(session=session, room=room)
    now = timezone.now()
    trainer_ids = set(
        TrainingTrainer.objects.filter(
            training=session.training_id, trainer__user__isnull=False
        ).values_list("trainer__user", flat=True)
    )
    participant_ids = set(
        Nomination.objects.filter(
            training=session.training_id, status=Nomination.Status.CONFIRMED
        ).values_list("user", flat=True)
    )
    connections = list(LiveConnection.objects.filter(session=session))
    records = {
        r.user_id: r
        for r in AttendanceRecord.objects.filter(session=session).select_related("marked_by")
    }
    by_user: dict[int, list[LiveConnection]] = {}
    for connection in connections:
        by_user.setdefault(connection.user_id, []).append(connection)
    ids = trainer_ids | participant_ids | set(by_user) | set(records)
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    rows = []
    for user_id, user in users.items():
        mine = by_user.get(user_id, [])
        intervals = [connection_interval(c, now) for c in mine]
        seconds = seconds_present(intervals, start, end)
        record = records.get(user_id)
        if record is not None and record.marked_at is not None:
            status = record.status
        else:
            attended = measured_attended(seconds, start, end)
            status = AttendanceStatus.PRESENT if attended else AttendanceStatus.ABSENT
        if user_id in trainer_ids:
            role = Roles.TRAINER
        elif user_id in participant_ids:
            role = Roles.PARTICIPANT
        else:
            role = mine[0].role if mine else Roles.STAFF
        rows.append(
            AttendanceRow(
                user=user,
                role=role,
                seconds=round(seconds),
                first_joined_at=min((c.connected_at for c in mine), default=None),
                last_left_at=max(
                    (c.disconnected_at for c in mine if c.disconnected_at), default=None
                ),
                status=status,
                marked_by=record and record.marked_by,
                marked_at=record and record.marked_at,
                note=record.note if record else "",
                online=any(
                    c.disconnected_at is None and connection_interval(c, now)[1] == now
                    for c in mine
                ),
            )
        )
    order = {Roles.TRAINER: 0, Roles.PARTICIPANT: 1, Roles.STAFF: 2}
    rows.sort(key=lambda r: (order.get(r.role, 3), r.user.last_name, r.user.username))
    return SessionAttendance(session=session, room=room, start=start, end=end, rows=rows)


@dataclass
class TrainingAttendanceRow:
    user: object
    cells: list[AttendanceRecord | None]

    @property
    def attended(self) -> int:
        return sum(1 for cell in self.cells if cell is not None and cell.attended)

    @property
    def minutes(self) -> float:
        return round(sum(cell.seconds_present for cell in self.cells if cell) / 60, 1)


def training_attendance(*, training: Training) -> tuple[list, list[TrainingAttendanceRow]]:
    """Confirmed participants x the training's sessions, from the stored attendance records
    (4 queries)."""
    sessions = list(TrainingSession.objects.filter(training=training).order_by("starts_at", "pk"))
    nominations = list(
        Nomination.objects.filter(training=training, status=Nomination.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    records = {
        (r.session_id, r.user_id): r
        for r in AttendanceRecord.objects.filter(session__training=training)
    }
    rows = [
        TrainingAttendanceRow(user=n.user, cells=[records.get((s.pk, n.user_id)) for s in sessions])
        for n in nominations
    ]
    return sessions, rows


# --- Completion and the gradebook ----------------------------------------------------------
def attended_sessions_count(*, user, course) -> int:
    return AttendanceRecord.objects.filter(
        user=user, session__training__course=course, status__in=ATTENDED_STATUSES
    ).count()


def attendance_requirement(*, user, course) -> bool | None:
    """The completion requirement "attended at least N live sessions" (None: the course has
    no such rule). Registered with courses.completion by LiveConfig.ready."""
    rule = CourseAttendanceRule.objects.filter(course=course).first()
    if rule is None or rule.min_sessions == 0:
        return None
    return attended_sessions_count(user=user, course=course) >= rule.min_sessions


def gradebook_attendance_columns(*, course, user_ids: list[int]) -> list[tuple[str, dict]]:
    """The gradebook's attendance column: of the sessions held so far of the course's
    trainings each learner takes part in, how many they attended ("2/3"; 3 queries). No
    column for a course without live sessions."""
    from django.utils.translation import gettext

    held_sessions = TrainingSession.objects.filter(
        training__course=course,
        training__status__in=OPEN_STATUSES,
        starts_at__lte=timezone.now(),
    )
    if not held_sessions.exists():
        return []
    held = dict(
        held_sessions.filter(
            training__nominations__user__in=user_ids,
            training__nominations__status=Nomination.Status.CONFIRMED,
        )
        .values("training__nominations__user")
        .annotate(n=Count("pk"))
        .values_list("training__nominations__user", "n")
    )
    attended = dict(
        AttendanceRecord.objects.filter(
            session__training__course=course,
            user__in=user_ids,
            status__in=ATTENDED_STATUSES,
        )
        .values("user")
        .annotate(n=Count("pk"))
        .values_list("user", "n")
    )
    values = {
        user_id: f"{attended.get(user_id, 0)}/{held[user_id]}" if held.get(user_id) else None
        for user_id in user_ids
    }
    return [(gettext("Live sessions attended"), values)]
