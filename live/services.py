"""Writes of the live classroom: connections, the session's start and end, moderation,
hands, polls, follow-me, video. Chat and questions are in live/messages.py, attendance in
live/attendance.py.

Every change that everyone in a session must see becomes a numbered `LiveEvent` (its
sequence number comes from the session's `LiveRoom` row, taken under a row lock) and goes
to the session's channel-layer group once the transaction commits. Messages for one peer
(WebRTC signalling) are not stored and carry no number. Errors are `lms.exceptions`:
the consumer sends them to the client as `{"type": "error", ...}`.
"""

import json
import logging
import threading
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from live import processes, selectors
from live.attendance import attendance_finalise, attendance_update
from live.exceptions import NotFound
from live.models import (
    HandRaise,
    LiveConnection,
    LiveEvent,
    LiveRoom,
    Mute,
    Poll,
    PollVote,
)
from lms.exceptions import Conflict, ErrorItem, NotAllowed, ServiceError
from scheduling.models import TrainingSession

logger = logging.getLogger(__name__)


# --- Channel-layer groups and sending -----------------------------------------------------
def group_name(session_id: int) -> str:
    """The one place a session's group name is made."""
    return f"live.session.{session_id}"


# Events of the service running in this thread that the channel layer did not take.
_undelivered = threading.local()


def broadcast(session_id: int, message: dict) -> None:
    """Send an event to everyone in the session, encoded once (not once per recipient).

    The event is stored before it is sent. When the channel layer cannot take it (Redis
    is down) the write still stands: the failure is logged, the event is noted for
    `run_noting_undelivered`, and every client gets it from the store when it resumes.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(session_id),
            # the number, for the hubs' ordering (live/fanout.py); the text, encoded once
            {"type": "live.event", "seq": message.get("seq"), "text": json.dumps(message)},
        )
    except Exception as error:  # the channel layer's (Redis') errors, whatever they are
        logger.warning(
            "live: event %s of session %s stored but not sent (%r); clients get it on resume",
            message.get("seq"),
            session_id,
            error,
        )
        noted = getattr(_undelivered, "events", None)
        if noted is not None:
            noted.append(message)


def run_noting_undelivered(service, /, **kwargs) -> tuple[object, list[dict]]:
    """Run a service; (its result, the events it stored that the channel layer did not
    take). The consumer hands those to its own client and has everyone reconnect."""
    _undelivered.events = []
    try:
        result = service(**kwargs)
        return result, _undelivered.events
    finally:
        _undelivered.events = None


def event_emit(*, session_id: int, type: str, payload: dict, actor=None) -> dict:
    """Number, store and (after the commit) send an event to everyone in the session."""
    LiveRoom.objects.filter(pk=session_id).update(last_seq=F("last_seq") + 1)
    seq = LiveRoom.objects.filter(pk=session_id).values_list("last_seq", flat=True).get()
    LiveEvent.objects.create(
        session_id=session_id, seq=seq, type=type, payload=payload, actor=actor
    )
    message = {**payload, "type": type, "seq": seq}
    transaction.on_commit(lambda: broadcast(session_id, message))
    return message


def require_moderator(access: selectors.Access) -> None:
    if not access.moderator:
        raise NotAllowed(_("Only the session's trainers may do this."))


def clean_text(value, *, field: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ServiceError(_("Write something first."), [ErrorItem(_("Required."), field=field)])
    if len(text) > limit:
        raise ServiceError(
            _("Too long."),
            [ErrorItem(_("At most %(n)d characters.") % {"n": limit}, field=field)],
        )
    return text


def clean_int(value, *, field: str, maximum: int = 2**63 - 1) -> int:
    """A whole number that a database column can hold (ids are 64-bit; a client may send
    any size of number)."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > maximum:
        raise ServiceError(_("A number is needed."), [ErrorItem(_("A number."), field=field)])
    return value


# --- Connections and presence -----------------------------------------------------------------
@dataclass
class Joined:
    access: selectors.Access
    connection: LiveConnection


@transaction.atomic
def connection_open(*, session_id: int, user, channel_name: str, process: str = "") -> Joined:
    """Let the user in (or refuse: NotFound, Conflict when they have too many connections
    open) and announce them to the session. `process`: the server process holding the
    connection (live/processes.py)."""
    access = selectors.classroom_access(user=user, session_id=session_id)
    if access is None:
        raise NotFound(_("No such session, or you are not one of its participants."))
    LiveRoom.objects.get_or_create(session_id=session_id)
    LiveRoom.objects.select_for_update().get(pk=session_id)  # one joiner at a time
    already = list(
        selectors.open_connections(session_id=session_id)
        .filter(user=user)
        .values_list("pk", "process")
    )
    if len(already) >= settings.LIVE_MAX_CONNECTIONS_PER_USER:
        # Connections held by a server process that died do not count: they are closed.
        dead = processes.dead({process for _pk, process in already})
        for pk, _process in [c for c in already if c[1] in dead]:
            connection_close(connection_id=pk, dropped=True)
        already = [c for c in already if c[1] not in dead]
    if len(already) >= settings.LIVE_MAX_CONNECTIONS_PER_USER:
        raise Conflict(
            _("You already have %(n)d connections open to this session; close one first.")
            % {"n": len(already)}
        )
    connection = LiveConnection.objects.create(
        session_id=session_id,
        user=user,
        role=access.role,
        channel_name=channel_name,
        process=process,
    )
    event_emit(
        session_id=session_id,
        type="presence.joined",
        payload=selectors.peer_of(connection),
        actor=user,
    )
    return Joined(access=access, connection=connection)


@transaction.atomic
def connection_close(*, connection_id: int, dropped: bool = False) -> None:
    """The connection ended (closed or dropped): announce it and update the attendance.
    `dropped`: its server process died without closing it; it ended when last heard from."""
    # Only the connection's row is locked (`of`): locking the joined session and user rows
    # too would deadlock with any event stored meanwhile (its foreign keys share-lock them
    # while it holds the room's row, which `event_emit` below waits for).
    connection = (
        LiveConnection.objects.select_for_update(of=("self",))
        .select_related("session", "user")
        .filter(pk=connection_id, disconnected_at__isnull=True)
        .first()
    )
    if connection is None:
        return
    connection.disconnected_at = connection.last_seen_at if dropped else timezone.now()
    connection.save(update_fields=["disconnected_at"])
    event_emit(
        session_id=connection.session_id,
        type="presence.left",
        payload={"peer": connection.pk, "user_id": connection.user_id},
        actor=connection.user,
    )
    attendance_update(session=connection.session, user=connection.user)


def connection_touch(*, connection_id: int) -> None:
    """The connection is alive (the client pinged)."""
    LiveConnection.objects.filter(pk=connection_id, disconnected_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


# --- Session start and end -------------------------------------------------------------------
@transaction.atomic
def session_start(*, access: selectors.Access, user) -> dict:
    require_moderator(access)
    room = LiveRoom.objects.select_for_update().get(pk=access.session.pk)
    if room.started_at and not room.ended_at:
        raise Conflict(_("The session has already started."))
    room.started_at, room.ended_at = timezone.now(), None
    room.save(update_fields=["started_at", "ended_at"])
    return event_emit(
        session_id=room.pk,
        type="session.started",
        payload={"at": timezone.localtime(room.started_at).isoformat()},
        actor=user,
    )


@transaction.atomic
def session_end(*, access: selectors.Access, user) -> dict:
    """End the session: attendance is worked out for everyone expected or present."""
    require_moderator(access)
    room = LiveRoom.objects.select_for_update().get(pk=access.session.pk)
    if room.started_at is None or room.ended_at is not None:
        raise Conflict(_("The session is not running."))
    room.ended_at = timezone.now()
    room.save(update_fields=["ended_at"])
    HandRaise.objects.filter(session=access.session, lowered_at__isnull=True).update(
        lowered_at=room.ended_at, lowered_by=user
    )
    message = event_emit(
        session_id=room.pk,
        type="session.ended",
        payload={"at": timezone.localtime(room.ended_at).isoformat()},
        actor=user,
    )
    attendance_finalise(session=access.session)
    return message


# --- Moderation ------------------------------------------------------------------------------
@transaction.atomic
def participant_mute(*, access: selectors.Access, user, user_id, muted) -> dict:
    require_moderator(access)
    user_id = clean_int(user_id, field="user_id")
    if user_id == user.pk:
        raise ServiceError(_("You cannot mute yourself."))
    if not LiveConnection.objects.filter(session=access.session, user_id=user_id).exists():
        raise NotFound(_("That person has not been in this session."))
    if muted:
        Mute.objects.get_or_create(session=access.session, user_id=user_id, defaults={"by": user})
    else:
        Mute.objects.filter(session=access.session, user_id=user_id).delete()
    return event_emit(
        session_id=access.session.pk,
        type="participant.muted",
        payload={"user_id": user_id, "muted": bool(muted)},
        actor=user,
    )


# --- Hands -----------------------------------------------------------------------------------
@transaction.atomic
def hand_raise(*, access: selectors.Access, user) -> dict:
    try:
        with transaction.atomic():
            hand = HandRaise.objects.create(session=access.session, user=user)
    except IntegrityError:
        raise Conflict(_("Your hand is already raised.")) from None
    return event_emit(
        session_id=access.session.pk,
        type="hand.raised",
        payload=selectors.hand_message(hand, access.role),
        actor=user,
    )


@transaction.atomic
def hand_lower(*, access: selectors.Access, user, user_id=None) -> dict:
    """Lower your own hand, or (a trainer) someone else's."""
    target = user.pk if user_id is None else clean_int(user_id, field="user_id")
    if target != user.pk:
        require_moderator(access)
    updated = HandRaise.objects.filter(
        session=access.session, user_id=target, lowered_at__isnull=True
    ).update(lowered_at=timezone.now(), lowered_by=user)
    if not updated:
        raise Conflict(_("That hand is not raised."))
    return event_emit(
        session_id=access.session.pk,
        type="hand.lowered",
        payload={"user_id": target, "by": user.pk},
        actor=user,
    )


# --- Polls -----------------------------------------------------------------------------------
def _counts(poll: Poll) -> list[int]:
    votes = {
        row["option"]: row["n"]
        for row in PollVote.objects.filter(poll=poll).values("option").annotate(n=Count("pk"))
    }
    return [votes.get(n, 0) for n in range(len(poll.options))]


@transaction.atomic
def poll_create(*, access: selectors.Access, user, question, options) -> dict:
    require_moderator(access)
    question = clean_text(question, field="question", limit=300)
    if not isinstance(options, list):
        options = []
    options = [o.strip()[:200] for o in options if isinstance(o, str) and o.strip()]
    if not 2 <= len(options) <= settings.LIVE_POLL_MAX_OPTIONS:
        raise ServiceError(
            _("A poll needs between 2 and %(n)d options.") % {"n": settings.LIVE_POLL_MAX_OPTIONS},
            [ErrorItem(_("Give the options."), field="options")],
        )
    poll = Poll.objects.create(
        session=access.session, question=question, options=options, created_by=user
    )
    return event_emit(
        session_id=access.session.pk,
        type="poll.opened",
        payload=selectors.poll_message(poll, [0] * len(options)),
        actor=user,
    )


@transaction.atomic
def poll_vote(*, access: selectors.Access, user, poll_id, option) -> dict:
    """A learner's one vote; everyone gets the new counts."""
    if access.role == LiveConnection.Role.TRAINER:
        raise NotAllowed(_("Trainers run polls; participants vote."))
    poll = (
        Poll.objects.select_for_update()
        .filter(pk=clean_int(poll_id, field="poll_id"), session=access.session)
        .first()
    )
    if poll is None:
        raise NotFound(_("No such poll."))
    if poll.closed_at is not None:
        raise Conflict(_("This poll is closed."))
    option = clean_int(option, field="option")
    if not 0 <= option < len(poll.options):
        raise ServiceError(_("No such option."), [ErrorItem(_("No such option."), field="option")])
    try:
        with transaction.atomic():
            PollVote.objects.create(poll=poll, user=user, option=option)
    except IntegrityError:
        raise Conflict(_("You have already voted in this poll.")) from None
    return event_emit(
        session_id=access.session.pk,
        type="poll.results",
        payload=selectors.poll_message(poll, _counts(poll)),
        actor=user,
    )


@transaction.atomic
def poll_close(*, access: selectors.Access, user, poll_id) -> dict:
    require_moderator(access)
    poll = (
        Poll.objects.select_for_update()
        .filter(pk=clean_int(poll_id, field="poll_id"), session=access.session)
        .first()
    )
    if poll is None or poll.closed_at is not None:
        raise NotFound(_("No such open poll."))
    poll.closed_at = timezone.now()
    poll.save(update_fields=["closed_at"])
    return event_emit(
        session_id=access.session.pk,
        type="poll.closed",
        payload=selectors.poll_message(poll, _counts(poll)),
        actor=user,
    )


# --- Follow-me --------------------------------------------------------------------------------
@transaction.atomic
def follow_set(*, access: selectors.Access, user, lesson_id=None, slide=0) -> dict:
    """The trainer shows a lesson (of the training's course) and one of its slides."""
    from courses.models import LessonPage

    require_moderator(access)
    slide = clean_int(slide, field="slide", maximum=2**31 - 1)  # a PositiveIntegerField
    if slide < 0:
        raise ServiceError(_("Slides are numbered from 0."), [ErrorItem("≥ 0", field="slide")])
    lesson = None
    if lesson_id is not None:
        course = access.session.training.course
        lesson = (
            LessonPage.objects.live()
            .descendant_of(course)
            .filter(pk=clean_int(lesson_id, field="lesson_id"))
            .first()
            if course is not None
            else None
        )
        if lesson is None:
            raise NotFound(_("No such lesson in this training's course."))
    LiveRoom.objects.filter(pk=access.session.pk).update(follow_lesson=lesson, follow_slide=slide)
    return event_emit(
        session_id=access.session.pk,
        type="follow.changed",
        payload={"lesson": lesson and {"id": lesson.pk, "title": lesson.title}, "slide": slide},
        actor=user,
    )


# --- WebRTC -----------------------------------------------------------------------------------
@transaction.atomic
def video_set(*, access: selectors.Access, user, connection_id: int, on: bool) -> dict:
    """This connection turns its camera on (joins the video mesh) or off."""
    if on:
        in_mesh = (
            selectors.open_connections(session_id=access.session.pk)
            .filter(video=True)
            .exclude(pk=connection_id)
            .count()
        )
        if in_mesh >= settings.LIVE_WEBRTC_MAX_PEERS:
            raise Conflict(
                _("Video is full (%(n)d people); the session's video room is for larger groups.")
                % {"n": settings.LIVE_WEBRTC_MAX_PEERS}
            )
    LiveConnection.objects.filter(pk=connection_id).update(video=bool(on))
    return event_emit(
        session_id=access.session.pk,
        type="video.joined" if on else "video.left",
        payload={"peer": connection_id, "user_id": user.pk},
        actor=user,
    )


def signal_target(*, access: selectors.Access, peer) -> str:
    """Where signals for the addressed peer go (the channel of the hub of the server
    process it is connected to: live/fanout.py), when it is an open connection of this
    session."""
    channel = (
        selectors.open_connections(session_id=access.session.pk)
        .filter(pk=clean_int(peer, field="to"))
        .values_list("channel_name", flat=True)
        .first()
    )
    if channel is None:
        raise NotFound(_("That peer is not in the session."))
    return channel


# --- BigBlueButton -----------------------------------------------------------------------------
def bbb_meeting_ensure(*, session: TrainingSession) -> bool:
    """Create the session's BigBlueButton meeting (BBB answers success for one that exists).
    False when the server could not be reached: the join link then says so itself."""
    import urllib.request

    params = {
        "meetingID": selectors.bbb_meeting_id(session),
        "name": str(session)[:200],
        "record": "false",
    }
    try:
        with urllib.request.urlopen(  # noqa: S310 - the address comes from settings
            selectors.bbb_url("create", params), timeout=5
        ) as response:
            return b"SUCCESS" in response.read(65536)
    except OSError:
        return False
