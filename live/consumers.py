"""WebSocket consumers of live sessions.

For now: a heartbeat consumer that proves the stack end to end (auth at connect, JSON
messages dispatched by `type`). The classroom consumer joins it here.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes in the 4000 range are the application's own (RFC 6455 §7.4.2).
CLOSE_UNAUTHENTICATED = 4401


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
