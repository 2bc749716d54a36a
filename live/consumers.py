"""WebSocket consumers of live sessions: the classroom (`/ws/live/<session_id>/`) and a
heartbeat that proves the stack end to end. Every message and close code is documented
in live/PROTOCOL.md.

The classroom consumer is thin (STYLE.md #6): it checks the user and the session at
connect, then hands each JSON `type` to a small handler that awaits a service in a
thread; the services send their events to the session's group after the commit (#7),
and the handlers here only forward them.
"""

import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from live import selectors, services
from lms.exceptions import Conflict, NotAllowed, ServiceError

# Close codes in the 4000 range are the application's own (RFC 6455 §7.4.2).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404  # no such session, or not one of its participants
CLOSE_TOO_MANY_CONNECTIONS = 4409
CLOSE_TOO_LARGE = 4413
CLOSE_RATE_LIMITED = 4429


class HeartbeatConsumer(AsyncJsonWebsocketConsumer):
    """`{"type": "ping", "id": ...}` → `{"type": "pong", "id": ...}`; anything else echoes."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send_json({"type": "hello", "user": user.username})

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict) or "type" not in content:
            await self.send_json(
                {"type": "error", "message": "Messages are JSON objects with a type."}
            )
            return
        if content["type"] == "ping":
            await self.send_json({"type": "pong", "id": content.get("id")})
        else:
            await self.send_json({"type": "echo", "message": content})

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None


class TokenBucket:
    """`burst` messages at once, refilled at `rate` per second."""

    def __init__(self, *, burst: int, rate: float):
        self.burst, self.rate = burst, rate
        self.tokens, self.at = float(burst), time.monotonic()
        self.users = 0  # connections of this process sharing the bucket

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _error_code(error: ServiceError) -> str:
    if isinstance(error, services.NotFound):
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
        await self.channel_layer.group_add(self.group, self.channel_name)
        try:
            joined = await database_sync_to_async(services.connection_open)(
                session_id=self.session_id, user=self.user, channel_name=self.channel_name
            )
        except ServiceError as error:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if isinstance(error, Conflict):
                await self.refuse(CLOSE_TOO_MANY_CONNECTIONS, "too_many_connections", error.detail)
            else:
                await self.refuse(CLOSE_NOT_FOUND, "not_found", error.detail)
            return
        self.access, self.connection_id = joined.access, joined.connection.pk
        key = (self.session_id, self.user.pk)
        self.bucket = self.buckets.setdefault(
            key,
            TokenBucket(burst=settings.LIVE_RATE_BURST, rate=settings.LIVE_RATE_PER_SECOND),
        )
        self.bucket.users += 1
        await self.accept()
        state = await database_sync_to_async(selectors.classroom_state)(
            access=self.access, user=self.user, connection_id=self.connection_id
        )
        await self.send_json({"type": "welcome", **state, "limits": limits()})

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
        try:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        finally:
            await database_sync_to_async(services.connection_close)(connection_id=connection_id)

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        """Sending to a client that has just gone (uvicorn raises ClientDisconnected, an
        OSError) is not an error: its disconnect follows."""
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            self.closing = True

    # --- Incoming messages ----------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.closing or self.connection_id is None:
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.LIVE_MAX_MESSAGE_BYTES:
            await self.expel(
                CLOSE_TOO_LARGE,
                "too_large",
                _("Messages are limited to %(n)d bytes.") % {"n": settings.LIVE_MAX_MESSAGE_BYTES},
            )
            return
        if not self.bucket.take():
            await self.expel(
                CLOSE_RATE_LIMITED,
                "rate_limited",
                _("Too many messages: slow down. This connection is closed."),
            )
            return
        try:
            content = json.loads(text_data) if text_data is not None else None
        except ValueError:
            content = None
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("invalid", _("Messages are JSON objects with a type."))
            return
        name = self.handlers.get(content["type"])
        if name is None:
            await self.error("unknown_type", _("Unknown message type."), ref=content.get("ref"))
            return
        try:
            await getattr(self, name)(content)
        except ServiceError as error:
            await self.send_json(
                {
                    "type": "error",
                    "code": _error_code(error),
                    "message": str(error.detail),
                    "errors": [item.as_dict() for item in error.errors],
                    "ref": content.get("ref"),
                }
            )

    async def expel(self, code: int, reason: str, message: str) -> None:
        """A misbehaving client: say why, then close its connection (and only its)."""
        self.closing = True
        await self.error(reason, message)
        await self.close(code=code)

    async def error(self, code: str, message: str, ref=None) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message), "ref": ref})

    def call(self, service, **kwargs):
        """Run a service with this connection's access and user, in the database thread."""
        return database_sync_to_async(service)(access=self.access, user=self.user, **kwargs)

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
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
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
        await self.call(services.chat_send, text=content.get("text"))

    async def on_chat_delete(self, content) -> None:
        await self.call(services.chat_delete, message_id=content.get("id"))

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
        await self.call(services.question_ask, text=content.get("text"))

    async def on_question_upvote(self, content) -> None:
        await self.call(services.question_upvote, question_id=content.get("id"))

    async def on_question_answer(self, content) -> None:
        await self.call(services.question_answer, question_id=content.get("id"))

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
        channel = await database_sync_to_async(services.signal_target)(
            access=self.access, peer=content.get("to")
        )
        await self.channel_layer.send(
            channel,
            {
                "type": "live.direct",
                "event": {
                    "type": "signal",
                    "from": self.connection_id,
                    "from_user": self.user.pk,
                    "kind": kind,
                    "data": content.get("data"),
                },
            },
        )

    # --- Events from the channel layer: forwarded as they are ------------------------------
    async def dispatch(self, message) -> None:
        # Group events are only forwarded: they skip the per-message database clean-up
        # hop of the base class (a thread switch per recipient of every broadcast).
        if message["type"] == "live.event":
            if not self.closing:
                await self.send(text_data=message["text"])
            return
        if message["type"] == "live.direct":
            if not self.closing:
                await self.send_json(message["event"])
            return
        await super().dispatch(message)


def limits() -> dict:
    return {
        "max_message_bytes": settings.LIVE_MAX_MESSAGE_BYTES,
        "rate_burst": settings.LIVE_RATE_BURST,
        "rate_per_second": settings.LIVE_RATE_PER_SECOND,
        "max_connections": settings.LIVE_MAX_CONNECTIONS_PER_USER,
        "chat_max_chars": settings.LIVE_CHAT_MAX_CHARS,
    }
