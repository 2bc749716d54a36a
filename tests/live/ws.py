"""Classroom connections for the consumer tests: the real ASGI application, signed in with
a real session cookie."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from lms.asgi import application

TIMEOUT = 5


async def _cookie(user) -> str:
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(user)
    return client.cookies["sessionid"].value


async def signed_in_communicator(user, origin: bytes = b"http://localhost", path="/ws/heartbeat/"):
    """A communicator whose scope carries a real session cookie for the user."""
    cookie = await _cookie(user)
    return WebsocketCommunicator(
        application,
        path,
        headers=[(b"origin", origin), (b"cookie", f"sessionid={cookie}".encode())],
    )


async def join(user, session_id: int) -> tuple[WebsocketCommunicator, dict]:
    """Connect to the classroom and read the welcome."""
    comm = await signed_in_communicator(user, path=f"/ws/live/{session_id}/")
    connected, _ = await comm.connect(timeout=10)
    assert connected
    welcome = await comm.receive_json_from(timeout=TIMEOUT)
    assert welcome["type"] == "welcome", welcome
    return comm, welcome


async def until(comm: WebsocketCommunicator, type_: str) -> dict:
    """The next message of this type (skipping others, such as presence)."""
    for _ in range(50):
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] == type_:
            return message
    raise AssertionError(f"no {type_}")


async def take(comm: WebsocketCommunicator, *types: str) -> dict[str, dict]:
    """The next message of each of these types, whatever order they come in (a reply to
    one connection may overtake an event to everyone), by type."""
    found: dict[str, dict] = {}
    for _ in range(50):
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] in types and message["type"] not in found:
            found[message["type"]] = message
            if len(found) == len(types):
                return found
    raise AssertionError(f"no {set(types) - set(found)}")


async def refused(comm: WebsocketCommunicator) -> tuple[dict, int]:
    """A refused classroom connection: the error it was told, and the close code."""
    connected, _ = await comm.connect(timeout=10)
    assert connected  # accepted only to say why
    error = await comm.receive_json_from(timeout=TIMEOUT)
    close = await comm.receive_output(timeout=TIMEOUT)
    assert close["type"] == "websocket.close"
    return error, close["code"]


async def count(model, **filters) -> int:
    return await sync_to_async(model.objects.filter(**filters).count)()
