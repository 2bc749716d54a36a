"""Reads of the live classroom: who may enter, the state a client starts from, replays,
the external video room and the sessions a dashboard lists (attendance:
live/attendance_selectors.py)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from live.models import (
    ChatMessage,
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
