"""WebSocket consumers of live sessions: the classroom (`/ws/live/<session_id>/`) and a
heartbeat that proves the stack end to end. Every message and close code is documented
in live/PROTOCOL.md.

The classroom consumer is thin (STYLE.md #6): it checks the user and the session at
connect, then hands each JSON `type` to a small handler that awaits a service in a
thread; the services send their events to the session's group after the commit (#7),
and the handlers here only forward them.
"""

import functools
import json
import logging
import time
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils.translation import gettext as _

from live import fanout, messages, processes, selectors, services
from live.exceptions import NotFound
from lms.exceptions import Conflict, NotAllowed, ServiceError
from lms.websocket import (
    CLOSE_RATE_LIMITED,
    CLOSE_TOO_LARGE,
    CLOSE_UNAUTHENTICATED,
    GuardedJsonConsumer,
    TokenBucket,
    invalid_message,
    message_decode,
    message_size,
    rate_limited_message,
    too_large_message,
)

logger = logging.getLogger(__name__)

# Close codes in the 4000 range are the application's own (RFC 6455 §7.4.2); the guard's
# (4401 unauthenticated, 4413 too large, 4429 rate limited) are in lms.websocket.
CLOSE_NOT_FOUND = 4404  # no such session, or not one of its participants
CLOSE_TOO_MANY_CONNECTIONS = 4409
# RFC 6455 "try again later": this process lost its channel layer (Redis); reconnect.
CLOSE_TRY_AGAIN = 1013


class HeartbeatConsumer(GuardedJsonConsumer):
    """`{"type": "ping", "id": ...}` → `{"type": "pong", "id": ...}`; anything else echoes,
    to the sender only. Behind the same guard and limits as the classroom (per user)."""

    def message_limits(self) -> tuple[int, int, float]:
        return (
            settings.LIVE_MAX_MESSAGE_BYTES,
            settings.LIVE_RATE_BURST,
            settings.LIVE_RATE_PER_SECOND,
        )

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        self.bucket_join(user.pk)
        await self.send_json({"type": "hello", "user": user.username})

    async def receive_message(self, content: dict) -> None:
        if content["type"] == "ping":
            await self.send_json({"type": "pong", "id": content.get("id")})
        else:
            await self.send_json({"type": "echo", "message": content})


def _error_code(error: ServiceError) -> str:
    if isinstance(error, NotFound):
        return "not_found"
    if isinstance(error, NotAllowed):
        return "not_allowed"
    if isinstance(error, Conflict):
        return "conflict"
    return "invalid"


class ClassroomConsumer(AsyncJsonWebsocketConsumer):
    """The live classroom of one session: presence, chat, hands, questions, polls,
    follow-me, WebRTC signalling; numbered events and replay on `resume`."""

    # Rate-limit buckets per (session, user), shared by the user's connections in this
    # worker process; across processes LIVE_MAX_CONNECTIONS_PER_USER bounds the total.
    buckets: dict[tuple[int, int], TokenBucket] = {}
    # The classroom connections open in this process (closed together when the channel
    # layer is lost).
    open_here: "weakref.WeakSet[ClassroomConsumer]" = weakref.WeakSet()
    # No channel-layer channel per connection (no channel layer alias: Channels makes none):
    # the session's events and the signals for this connection come through the hub of
    # this process (live/fanout.py), which saves each connection a queue, a task and a
    # Redis subscription.
    channel_layer_alias = None

    handlers = {
        "ping": "on_ping",
        "resume": "on_resume",
        "chat.send": "on_chat_send",
        "chat.delete": "on_chat_delete",
        "participant.mute": "on_participant_mute",
        "hand.raise": "on_hand_raise",
        "hand.lower": "on_hand_lower",
        "question.ask": "on_question_ask",
        "question.upvote": "on_question_upvote",
        "question.answer": "on_question_answer",
        "poll.create": "on_poll_create",
        "poll.vote": "on_poll_vote",
        "poll.close": "on_poll_close",
        "follow.set": "on_follow_set",
        "session.start": "on_session_start",
        "session.end": "on_session_end",
        "video.join": "on_video_join",
        "video.leave": "on_video_leave",
        "signal": "on_signal",
    }

    # --- Connect and disconnect ---------------------------------------------------------
    async def __call__(self, scope, receive, send):
        self.connection_id = None
        self.close_sent = False
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the consumer ends (an error, a cancelled task), the connection is closed
            # in the database: presence and attendance must not count a ghost.
            if self.connection_id is not None:
                await self.disconnect(None)

    async def connect(self) -> None:
        self.connection_id = None
        self.closing = False
        self.touched = time.monotonic()
        self.user = self.scope.get("user")
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED, "unauthenticated", _("Sign in first."))
            return
        self.group = services.group_name(self.session_id)
        # The session's events, from this process's hub (live/fanout.py); they wait in the
        # outbox until the welcome is sent.
        self.outbox = fanout.Outbox(self.send_events)
        missed = functools.partial(selectors.events_between, session_id=self.session_id)
        self.layer = get_channel_layer()
        hub_channel = await fanout.join(self.layer, self.group, self.outbox, missed)
        try:
            # this process's heartbeat, so that the cap can tell its connections are alive
            await processes.attach()
            joined = await database_sync_to_async(services.connection_open)(
                session_id=self.session_id,
                user=self.user,
                channel_name=hub_channel,
                process=processes.process_id(),
            )
        except BaseException as error:
            processes.detach()
            await fanout.leave(self.group, self.outbox)
            if not isinstance(error, ServiceError):
                raise
            if isinstance(error, Conflict):
                await self.refuse(CLOSE_TOO_MANY_CONNECTIONS, "too_many_connections", error.detail)
            else:
                await self.refuse(CLOSE_NOT_FOUND, "not_found", error.detail)
            return
        self.access, self.connection_id = joined.access, joined.connection.pk
        self.outbox.peer = self.connection_id
        key = (self.session_id, self.user.pk)
        self.bucket = self.buckets.setdefault(
            key,
            TokenBucket(burst=settings.LIVE_RATE_BURST, rate=settings.LIVE_RATE_PER_SECOND),
        )
        self.bucket.users += 1
        self.open_here.add(self)
        await self.accept()
        state = await database_sync_to_async(selectors.classroom_state)(
            access=self.access, user=self.user, connection_id=self.connection_id
        )
        await self.send_json({"type": "welcome", **state, "limits": limits()})
        self.outbox.open()

    async def refuse(self, code: int, reason: str, message: str) -> None:
        """Accept only to say why, then close with the code (a browser never sees the code
        of a handshake that was refused outright)."""
        self.closing = True
        await self.accept()
        await self.send_json({"type": "error", "code": reason, "message": str(message)})
        await self.close(code=code)

    async def disconnect(self, code) -> None:
        connection_id, self.connection_id = self.connection_id, None
        if connection_id is None:
            return
        self.closing = True
        bucket = getattr(self, "bucket", None)
        if bucket is not None:
            bucket.users -= 1
            if bucket.users <= 0:
                self.buckets.pop((self.session_id, self.user.pk), None)
        self.open_here.discard(self)
        processes.detach()
        await fanout.leave(self.group, self.outbox)
        await database_sync_to_async(services.connection_close)(connection_id=connection_id)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Sending to a client that has just gone (uvicorn raises ClientDisconnected, an
        OSError) is not an error: its disconnect follows. Nothing is sent after the close
        (another connection's handler may have closed this one meanwhile)."""
        if self.close_sent:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            self.closing = True

    # --- Incoming messages ----------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.closing or self.connection_id is None:
            return
        # The same guard as every consumer's (lms.websocket), with the classroom's limits.
        if message_size(text_data, bytes_data) > settings.LIVE_MAX_MESSAGE_BYTES:
            await self.expel(
                CLOSE_TOO_LARGE, "too_large", too_large_message(settings.LIVE_MAX_MESSAGE_BYTES)
            )
            return
        if not self.bucket.take():
            await self.expel(CLOSE_RATE_LIMITED, "rate_limited", rate_limited_message())
            return
        content = message_decode(text_data)
        if content is None:
            await self.error("invalid", invalid_message())
            return
        name = self.handlers.get(content["type"])
        if name is None:
            await self.error("unknown_type", _("Unknown message type."), ref=content.get("ref"))
            return
        try:
            await getattr(self, name)(content)
        except ServiceError as error:
            reply = {
                "type": "error",
                "code": _error_code(error),
                "message": str(error.detail),
                "errors": [item.as_dict() for item in error.errors],
                "ref": content.get("ref"),
            }
            if "client_id" in content:  # which of the client's pending messages failed
                reply["client_id"] = content["client_id"]
            await self.send_json(reply)

    async def close(self, code=None, reason=None) -> None:
        if not self.close_sent:
            self.close_sent = True
            await super().close(code=code, reason=reason)

    async def expel(self, code: int, reason: str, message: str) -> None:
        """A misbehaving client: say why, then close its connection (and only its)."""
        self.closing = True
        await self.error(reason, message)
        await self.close(code=code)

    async def error(self, code: str, message: str, ref=None) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message), "ref": ref})

    async def call(self, service, **kwargs):
        """Run a service with this connection's access and user, in the database thread.

        When the channel layer did not take the events the service stored (Redis is
        down), this client gets them straight away (what it did is stored: that is its
        acknowledgement) and every classroom connection of this process is closed with
        CLOSE_TRY_AGAIN: the pages say they are reconnecting, and once the layer is back
        they resume and replay from the store.
        """
        result, undelivered = await database_sync_to_async(services.run_noting_undelivered)(
            service, access=self.access, user=self.user, **kwargs
        )
        if undelivered:
            for event in undelivered:
                await self.send_json(event)
            await self.layer_lost()
        return result

    async def layer_lost(self) -> None:
        logger.warning("live: channel layer unavailable; closing this process's classrooms")
        for consumer in list(self.open_here):
            if not consumer.closing:
                consumer.closing = True
                await consumer.close(code=CLOSE_TRY_AGAIN)

    # --- Handlers: one per message type -----------------------------------------------------
    async def on_ping(self, content) -> None:
        if time.monotonic() - self.touched > settings.LIVE_STALE_SECONDS / 4:
            self.touched = time.monotonic()
            await database_sync_to_async(services.connection_touch)(
                connection_id=self.connection_id
            )
        await self.send_json({"type": "pong", "id": content.get("id")})

    async def on_resume(self, content) -> None:
        after = content.get("after")
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after < 2**63:
            raise ServiceError(_("`after` is the last sequence number you saw."))
        events = await database_sync_to_async(selectors.events_after)(
            session_id=self.session_id, after=after
        )
        if events is None:  # too much missed: start again from the current state
            state = await database_sync_to_async(selectors.classroom_state)(
                access=self.access, user=self.user, connection_id=self.connection_id
            )
            await self.send_json({"type": "state", **state})
            return
        for event in events:
            await self.send_json(event)
        await self.send_json({"type": "resumed", "after": after, "count": len(events)})

    async def on_chat_send(self, content) -> None:
        await self.accept_written(
            await self.call(
                messages.chat_send, text=content.get("text"), client_id=content.get("client_id")
            )
        )

    async def on_chat_delete(self, content) -> None:
        await self.call(messages.chat_delete, message_id=content.get("id"))

    async def on_participant_mute(self, content) -> None:
        await self.call(
            services.participant_mute,
            user_id=content.get("user_id"),
            muted=bool(content.get("muted", True)),
        )

    async def on_hand_raise(self, content) -> None:
        await self.call(services.hand_raise)

    async def on_hand_lower(self, content) -> None:
        await self.call(services.hand_lower, user_id=content.get("user_id"))

    async def on_question_ask(self, content) -> None:
        await self.accept_written(
            await self.call(
                messages.question_ask, text=content.get("text"), client_id=content.get("client_id")
            )
        )

    async def on_question_upvote(self, content) -> None:
        await self.call(messages.question_upvote, question_id=content.get("id"))

    async def on_question_answer(self, content) -> None:
        await self.call(messages.question_answer, question_id=content.get("id"))

    async def accept_written(self, written: messages.Written) -> None:
        """A message sent with a client id is answered, to this connection only, once it is
        stored (or found stored: a copy): the client stops sending it again."""
        if written.client_id:
            await self.send_json(written.accepted())

    async def on_poll_create(self, content) -> None:
        await self.call(
            services.poll_create, question=content.get("question"), options=content.get("options")
        )

    async def on_poll_vote(self, content) -> None:
        await self.call(
            services.poll_vote, poll_id=content.get("poll_id"), option=content.get("option")
        )

    async def on_poll_close(self, content) -> None:
        await self.call(services.poll_close, poll_id=content.get("poll_id"))

    async def on_follow_set(self, content) -> None:
        await self.call(
            services.follow_set, lesson_id=content.get("lesson_id"), slide=content.get("slide", 0)
        )

    async def on_session_start(self, content) -> None:
        await self.call(services.session_start)

    async def on_session_end(self, content) -> None:
        await self.call(services.session_end)

    async def on_video_join(self, content) -> None:
        await self.call(services.video_set, connection_id=self.connection_id, on=True)

    async def on_video_leave(self, content) -> None:
        await self.call(services.video_set, connection_id=self.connection_id, on=False)

    async def on_signal(self, content) -> None:
        """WebRTC offer, answer or ICE candidate, relayed to the addressed peer only."""
        kind = content.get("kind")
        if kind not in ("offer", "answer", "ice"):
            raise ServiceError(_("`kind` is offer, answer or ice."))
        peer = content.get("to")
        # the channel of the hub of the process the peer is connected to
        channel = await database_sync_to_async(services.signal_target)(
            access=self.access, peer=peer
        )
        signal = {
            "type": "signal",
            "from": self.connection_id,
            "from_user": self.user.pk,
            "kind": kind,
            "data": content.get("data"),
        }
        try:
            await self.layer.send(
                channel, {"type": fanout.SIGNAL, "peer": peer, "text": json.dumps(signal)}
            )
        except Exception as error:  # the channel layer (Redis) is down
            logger.warning("live: signal not relayed: %r", error)
            await self.layer_lost()

    # --- From the hub: forwarded as they are ------------------------------------------------
    async def send_events(self, texts: list[str]) -> None:
        """The session's events (encoded once, for all) and the signals for this peer."""
        for text in texts:
            if self.closing:
                return
            await self.send(text_data=text)


def limits() -> dict:
    return {
        "max_message_bytes": settings.LIVE_MAX_MESSAGE_BYTES,
        "rate_burst": settings.LIVE_RATE_BURST,
        "rate_per_second": settings.LIVE_RATE_PER_SECOND,
        "max_connections": settings.LIVE_MAX_CONNECTIONS_PER_USER,
        "chat_max_chars": settings.LIVE_CHAT_MAX_CHARS,
    }
