"""Reads of the live classroom: who may enter, the state a client starts from, replays,
attendance figures and reports, and the sessions a dashboard lists."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from live.models import (
    ATTENDED_STATUSES,
    AttendanceRecord,
    AttendanceStatus,
    ChatMessage,
    CourseAttendanceRule,
    HandRaise,
    LiveConnection,
    LiveEvent,
    LiveRoom,
    Mute,
    Poll,
    PollVote,
    Question,
    QuestionVote,
)
from lms.roles import Role
from scheduling.models import Nomination, Training, TrainingSession, TrainingTrainer

# Trainings whose sessions open: confirmed ones, and completed ones (for their reports).
OPEN_STATUSES = (Training.Status.CONFIRMED, Training.Status.COMPLETED)
Roles = LiveConnection.Role


# --- Who may enter ------------------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    session: TrainingSession
    role: str  # LiveConnection.Role
    moderator: bool


def _is_admin(user) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


def _is_staff(user) -> bool:
    return _is_admin(user) or user.has_role(Role.REVIEWER)


def classroom_access(*, user, session_id: int) -> Access | None:
    """The user's place in the session, or None when they may not enter (or it does not
    exist: the two look the same). Trainers of the training and administrators moderate."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    session = (
        TrainingSession.objects.select_related("training", "training__course")
        .filter(pk=session_id, training__status__in=OPEN_STATUSES)
        .first()
    )
    if session is None:
        return None
    if TrainingTrainer.objects.filter(training=session.training_id, trainer__user=user).exists():
        return Access(session=session, role=Roles.TRAINER, moderator=True)
    if Nomination.objects.filter(
        training=session.training_id, user=user, status=Nomination.Status.CONFIRMED
    ).exists():
        return Access(session=session, role=Roles.PARTICIPANT, moderator=_is_admin(user))
    if _is_staff(user):
        return Access(session=session, role=Roles.STAFF, moderator=_is_admin(user))
    return None


def can_manage_training(*, user, training: Training) -> bool:
    """Trainers of the training and administrators see and mark its attendance."""
    if not user.is_authenticated:
        return False
    return (
        _is_admin(user)
        or TrainingTrainer.objects.filter(training=training, trainer__user=user).exists()
    )


def user_summary(user, role: str) -> dict:
    return {"id": user.pk, "name": user.get_full_name() or user.username, "role": role}


# --- The state a client starts from ---------------------------------------------------------
def stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LIVE_STALE_SECONDS)


def open_connections(*, session_id: int):
    """Connections that are open and were heard from lately (a crashed worker leaves rows
    open: they stop counting after LIVE_STALE_SECONDS)."""
    return LiveConnection.objects.filter(
        session_id=session_id, disconnected_at__isnull=True, last_seen_at__gte=stale_before()
    )


def peer_of(connection: LiveConnection) -> dict:
    return {
        "peer": connection.pk,
        "user": user_summary(connection.user, connection.role),
        "video": connection.video,
    }


def poll_counts(poll: Poll, votes: dict[tuple[int, int], int]) -> list[int]:
    return [votes.get((poll.pk, n), 0) for n in range(len(poll.options))]


def poll_message(poll: Poll, counts: list[int]) -> dict:
    return {
        "id": poll.pk,
        "question": poll.question,
        "options": poll.options,
        "counts": counts,
        "total": sum(counts),
        "closed": poll.closed_at is not None,
    }


def chat_message(message: ChatMessage, role: str | None = None) -> dict:
    return {
        "id": message.pk,
        "author": user_summary(message.author, role or Roles.PARTICIPANT),
        "text": message.text,
        "at": timezone.localtime(message.created_at).isoformat(),
        "client_id": message.client_id or None,
    }


def question_message(question: Question, votes: int) -> dict:
    return {
        "id": question.pk,
        "author": user_summary(question.author, Roles.PARTICIPANT),
        "text": question.text,
        "votes": votes,
        "answered": question.answered_at is not None,
        "at": timezone.localtime(question.created_at).isoformat(),
        "client_id": question.client_id or None,
    }


def follow_message(room: LiveRoom) -> dict:
    lesson = room.follow_lesson
    return {
        "lesson": lesson and {"id": lesson.pk, "title": lesson.title},
        "slide": room.follow_slide,
    }


def classroom_state(*, access: Access, user, connection_id: int | None) -> dict:
    """Everything a client needs to draw the classroom, and the sequence number it is true
    at. The number is read first: an event that lands while the rest is read is also sent
    to the client afterwards, and the client applies events by id, so twice is harmless."""
    session = access.session
    room = LiveRoom.objects.select_related("follow_lesson").get(session=session)
    seq = room.last_seq
    peers = [peer_of(c) for c in open_connections(session_id=session.pk).select_related("user")]
    roles = {p["user"]["id"]: p["user"]["role"] for p in peers}
    messages = list(
        ChatMessage.objects.filter(session=session, deleted_at__isnull=True)
        .select_related("author")
        .order_by("-created_at", "-pk")[: settings.LIVE_CHAT_HISTORY]
    )
    questions = list(Question.objects.filter(session=session).select_related("author"))
    question_votes = dict(
        QuestionVote.objects.filter(question__session=session)
        .values("question")
        .annotate(n=Count("pk"))
        .values_list("question", "n")
    )
    my_question_votes = set(
        QuestionVote.objects.filter(question__session=session, user=user).values_list(
            "question", flat=True
        )
    )
    polls = list(Poll.objects.filter(session=session))
    votes = {
        (row["poll"], row["option"]): row["n"]
        for row in PollVote.objects.filter(poll__session=session)
        .values("poll", "option")
        .annotate(n=Count("pk"))
    }
    my_votes = dict(
        PollVote.objects.filter(poll__session=session, user=user).values_list("poll", "option")
    )
    hands = list(
        HandRaise.objects.filter(session=session, lowered_at__isnull=True).select_related("user")
    )
    muted = list(Mute.objects.filter(session=session).values_list("user", flat=True))
    return {
        "seq": seq,
        "session": session_summary(session=session, room=room),
        "you": {
            **user_summary(user, access.role),
            "peer": connection_id,
            "moderator": access.moderator,
            "muted": user.pk in muted,
        },
        "peers": peers,
        "hands": [hand_message(h, roles.get(h.user_id)) for h in hands],
        "chat": [chat_message(m, roles.get(m.author_id)) for m in reversed(messages)],
        "questions": [
            {**question_message(q, question_votes.get(q.pk, 0)), "voted": q.pk in my_question_votes}
            for q in questions
        ],
        "polls": [
            {**poll_message(p, poll_counts(p, votes)), "my_vote": my_votes.get(p.pk)} for p in polls
        ],
        "follow": follow_message(room),
        "muted": muted if access.moderator else [],
        "ice_servers": settings.LIVE_ICE_SERVERS,
        "video_max_peers": settings.LIVE_WEBRTC_MAX_PEERS,
    }


def hand_message(hand: HandRaise, role: str | None = None) -> dict:
    return {
        "user": user_summary(hand.user, role or Roles.PARTICIPANT),
        "at": timezone.localtime(hand.raised_at).isoformat(),
    }


def session_summary(*, session: TrainingSession, room: LiveRoom | None) -> dict:
    def iso(value):
        return value and timezone.localtime(value).isoformat()

    return {
        "id": session.pk,
        "title": str(session),
        "training": {"id": session.training_id, "title": session.training.title},
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "started_at": iso(room and room.started_at),
        "ended_at": iso(room and room.ended_at),
    }


def events_after(*, session_id: int, after: int) -> list[dict] | None:
    """The events after sequence number `after`, in order; None when more than
    LIVE_REPLAY_MAX were missed (the client then takes a fresh state instead)."""
    limit = settings.LIVE_REPLAY_MAX
    events = list(
        LiveEvent.objects.filter(session_id=session_id, seq__gt=after).order_by("seq")[: limit + 1]
    )
    if len(events) > limit:
        return None
    return [{**event.as_message(), "replay": True} for event in events]


def events_between(*, session_id: int, after: int, before: int) -> list[dict]:
    """The events numbered after `after` and before `before`, in order, as they were sent
    (at most LIVE_REPLAY_MAX): what a server process's hub missed (live/fanout.py)."""
    events = LiveEvent.objects.filter(session_id=session_id, seq__gt=after, seq__lt=before)
    return [event.as_message() for event in events.order_by("seq")[: settings.LIVE_REPLAY_MAX]]


# --- External video room --------------------------------------------------------------------
def external_room(*, session: TrainingSession, user, moderator: bool) -> dict | None:
    """The session's external video room as this user opens it: a Jitsi Meet room as it
    is, a BigBlueButton meeting (an address under BBB_URL) as a checksum-signed join link."""
    url = session.external_room_url
    if not url:
        return None
    if settings.BBB_URL and settings.BBB_SECRET and url.startswith(settings.BBB_URL):
        meeting = bbb_meeting_id(session)
        return {
            "kind": "bigbluebutton",
            "meeting": meeting,
            "url": bbb_url(
                "join",
                {
                    "fullName": user.get_full_name() or user.username,
                    "meetingID": meeting,
                    "role": "MODERATOR" if moderator else "VIEWER",
                    "userID": str(user.pk),
                    "redirect": "true",
                },
            ),
        }
    return {"kind": "jitsi" if "jit" in urlsplit(url).netloc else "link", "url": url}


def bbb_meeting_id(session: TrainingSession) -> str:
    """The meeting named in the room address (`?meetingID=`), or one made for the session."""
    given = parse_qs(urlsplit(session.external_room_url).query).get("meetingID")
    return given[0] if given else f"fia-live-{session.pk}"


def bbb_checksum(call: str, query: str) -> str:
    """BigBlueButton's API checksum: hash(call name + query string + shared secret)."""
    digest = hashlib.new(settings.BBB_CHECKSUM, usedforsecurity=True)
    digest.update(f"{call}{query}{settings.BBB_SECRET}".encode())
    return digest.hexdigest()


def bbb_url(call: str, params: dict[str, str]) -> str:
    query = urlencode(params)
    base = settings.BBB_URL.split("?")[0]
    if not base.endswith("/"):
        base += "/"
    return f"{base}{call}?{query}&checksum={bbb_checksum(call, query)}"


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


# --- Dashboard ---------------------------------------------------------------------------
def my_live_sessions(*, user, teaching: bool, days: int = 14, limit: int = 10) -> list:
    """Today's and the coming sessions the user teaches (or attends), soonest first
    (1 query)."""
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = TrainingSession.objects.filter(
        training__status__in=OPEN_STATUSES,
        starts_at__gte=today,
        starts_at__lt=today + timedelta(days=days),
    )
    if teaching:
        sessions = sessions.filter(training__assignments__trainer__user=user)
    else:
        sessions = sessions.filter(
            Q(training__nominations__user=user)
            & Q(training__nominations__status=Nomination.Status.CONFIRMED)
        )
    return list(
        sessions.select_related("training", "live_room")
        .order_by("starts_at", "pk")
        .distinct()[:limit]
    )
