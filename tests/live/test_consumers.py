"""The WebSocket stack: auth at connect, allowed origins, JSON messages by type."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from lms.asgi import application
from tests.factories import UserFactory


def communicator(user=None, origin: bytes = b"http://localhost") -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, "/ws/heartbeat/", headers=[(b"origin", origin)])
    comm.scope["user"] = user or AnonymousUser()
    return comm


async def signed_in_communicator(user, origin: bytes = b"http://localhost"):
    """A communicator whose scope carries a real session cookie for the user."""
    from asgiref.sync import sync_to_async
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(user)
    cookie = client.cookies["sessionid"].value
    return WebsocketCommunicator(
        application,
        "/ws/heartbeat/",
        headers=[(b"origin", origin), (b"cookie", f"sessionid={cookie}".encode())],
    )


@pytest.mark.django_db(transaction=True)
async def test_an_anonymous_connection_is_refused():
    comm = communicator()

    connected, code = await comm.connect(timeout=10)

    assert connected is False
    assert code == 4401
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_signed_in_user_gets_pong_for_ping():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user)

    connected, _ = await comm.connect(timeout=10)
    hello = await comm.receive_json_from(timeout=2)
    await comm.send_json_to({"type": "ping", "id": 7})
    pong = await comm.receive_json_from(timeout=2)

    assert connected is True
    assert hello == {"type": "hello", "user": "aslam"}
    assert pong == {"type": "pong", "id": 7}
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_malformed_messages_get_an_error_not_a_crash():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user)
    await comm.connect(timeout=10)
    await comm.receive_json_from(timeout=2)

    await comm.send_to(text_data="{not json")
    error = await comm.receive_json_from(timeout=2)
    await comm.send_json_to({"type": "ping"})

    assert error["type"] == "error"
    assert (await comm.receive_json_from(timeout=2))["type"] == "pong"
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_foreign_origin_is_refused_even_when_signed_in():
    from asgiref.sync import sync_to_async

    user = await sync_to_async(UserFactory)(username="aslam")
    comm = await signed_in_communicator(user, origin=b"https://evil.example")

    connected, _ = await comm.connect(timeout=10)

    assert connected is False
    await comm.disconnect()
