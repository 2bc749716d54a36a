"""What every WebSocket consumer of the platform does with a client's message before any
handler sees it (live/PROTOCOL.md, scheduling/PROTOCOL.md):

1. a message larger than the route's byte limit closes the connection with 4413;
2. past the route's rate limit (a token bucket per user, shared by the user's connections
   in this process) the connection is closed with 4429;
3. anything but a JSON text frame holding an object with a string `type` is answered with
   an `invalid` error, and the connection stays open: binary frames, text that is not JSON
   (NaN and Infinity included), JSON nested deeper than the parser goes, and strings that
   are not Unicode text (lone surrogates, which no database stores).

Each refusal is told to the client first (`{"type": "error", "code", "message"}`), then
only the offending connection is closed: everyone else carries on.
"""

from __future__ import annotations

import json
import time
from typing import ClassVar

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

# Close codes in the 4000 range are the application's own (RFC 6455 §7.4.2).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_LARGE = 4413
CLOSE_RATE_LIMITED = 4429


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


def message_size(text_data: str | None, bytes_data: bytes | None) -> int:
    return len(text_data.encode()) if text_data is not None else len(bytes_data or b"")


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def message_decode(text_data: str | None) -> dict | None:
    """The message as a JSON object with a string `type`, or None when it is anything else
    (a binary frame has no text: None)."""
    if text_data is None:
        return None
    try:
        content = json.loads(text_data, parse_constant=_not_json)
        # Strings must be text a database can store: no lone surrogates (\ud800).
        json.dumps(content, ensure_ascii=False).encode()
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        return None
    return content


def too_large_message(limit: int) -> str:
    return _("Messages are limited to %(n)d bytes.") % {"n": limit}


def rate_limited_message() -> str:
    return _("Too many messages: slow down. This connection is closed.")


def invalid_message() -> str:
    return _("Messages are JSON objects with a type.")


class GuardedJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON consumer behind the guard above. A subclass gives its limits
    (`message_limits`), joins the rate bucket once it accepts (`bucket_join`), and handles
    the messages that pass in `receive_message`."""

    buckets: ClassVar[dict]  # one per subclass: (key → TokenBucket)
    bucket: TokenBucket | None = None
    bucket_key = None
    closing = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.buckets = {}

    def message_limits(self) -> tuple[int, int, float]:
        """(largest message in bytes, rate burst, rate per second)."""
        raise NotImplementedError

    def bucket_join(self, key) -> None:
        _max_bytes, burst, rate = self.message_limits()
        self.bucket_key = key
        self.bucket = self.buckets.setdefault(key, TokenBucket(burst=burst, rate=rate))
        self.bucket.users += 1

    def bucket_leave(self) -> None:
        bucket, self.bucket = self.bucket, None
        if bucket is not None:
            bucket.users -= 1
            if bucket.users <= 0:
                self.buckets.pop(self.bucket_key, None)

    async def websocket_disconnect(self, message):
        self.closing = True
        self.bucket_leave()
        await super().websocket_disconnect(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if self.closing or self.bucket is None:
            return
        max_bytes, _burst, _rate = self.message_limits()
        if message_size(text_data, bytes_data) > max_bytes:
            await self.expel(CLOSE_TOO_LARGE, "too_large", too_large_message(max_bytes))
            return
        if not self.bucket.take():
            await self.expel(CLOSE_RATE_LIMITED, "rate_limited", rate_limited_message())
            return
        content = message_decode(text_data)
        if content is None:
            await self.send_error("invalid", invalid_message())
            return
        await self.receive_message(content)

    async def receive_message(self, content: dict) -> None:
        raise NotImplementedError

    async def send_error(self, code: str, message: str, ref=None, **fields) -> None:
        await self.send_json(
            {"type": "error", "code": code, "message": str(message), "ref": ref, **fields}
        )

    async def expel(self, code: int, reason: str, message: str) -> None:
        """A misbehaving client: say why, then close its connection (and only its)."""
        self.closing = True
        await self.send_error(reason, message)
        await self.close(code=code)
