"""The coordination board: live changes of the shared training calendar.

Partners, reviewers and administrators connect to /ws/coordination/; everyone else is
refused. The server only sends: events as they are committed (`coordination.event_publish`)
and, on `{"type": "resume", "after": N}`, the stored events after N. Protocol:
scheduling/PROTOCOL.md.
"""

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.translation import gettext as _

from lms.websocket import CLOSE_UNAUTHENTICATED, GuardedJsonConsumer
from scheduling import coordination, selectors

# Close codes in the 4000 range are the application's own (RFC 6455 §7.4.2); the guard's
# (4401 unauthenticated, 4413 too large, 4429 rate limited) are in lms.websocket.
CLOSE_FORBIDDEN = 4403
# Sequence numbers are database keys: a bigger `after` is nobody's (and no database's).
MAX_SEQ = 2**63 - 1


def _resume(after: int) -> dict:
    limit = settings.COORDINATION_RESUME_MAX
    events = selectors.coordination_events_after(after=after, limit=limit + 1)
    more = len(events) > limit
    events = events[:limit]
    return {
        "type": "events",
        "events": [coordination.event_message(event) for event in events],
        "last": events[-1].pk if events else after,
        "more": more,
    }


def _hello(user) -> dict | None:
    if not selectors.can_see_board(user):
        return None
    return {"type": "hello", "user": user.username, "last": selectors.coordination_last_seq()}


class CoordinationConsumer(GuardedJsonConsumer):
    """Behind the guard of every consumer (lms.websocket) with COORDINATION_* limits: a
    rate bucket per user, shared by the user's boards in this process."""

    group = None

    def message_limits(self) -> tuple[int, int, float]:
        return (
            settings.COORDINATION_MAX_MESSAGE_BYTES,
            settings.COORDINATION_RATE_BURST,
            settings.COORDINATION_RATE_PER_SECOND,
        )

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        # Join before reading the last sequence number, so nothing falls in between.
        self.group = coordination.group_name()
        await self.channel_layer.group_add(self.group, self.channel_name)
        hello = await database_sync_to_async(_hello)(user)
        if hello is None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.accept()
        self.bucket_join(user.pk)
        await self.send_json(hello)

    async def disconnect(self, code) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_message(self, content: dict) -> None:
        handler = {"ping": self.on_ping, "resume": self.on_resume}.get(content["type"])
        if handler is None:
            await self.send_error("unknown_type", _("Unknown message type."), content.get("ref"))
            return
        await handler(content)

    async def on_ping(self, content: dict) -> None:
        await self.send_json({"type": "pong", "id": content.get("id")})

    async def on_resume(self, content: dict) -> None:
        after = content.get("after", 0)
        if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= MAX_SEQ:
            await self.send_error(
                "invalid", _("`after` is the last sequence number you saw."), content.get("ref")
            )
            return
        await self.send_json(await database_sync_to_async(_resume)(after))

    async def coordination_event(self, event: dict) -> None:
        if not self.closing:
            await self.send_json(event["message"])
