"""The per-process fan-out of a session's events (live/fanout.py): one member of the
session's group per server process, events passed on in the order of their numbers (what
is missing read from the store), and a slow client holding up no one else."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer

from live import fanout, services
from live.models import LiveConnection, LiveEvent, LiveRoom
from lms.roles import Role
from tests.factories import UserFactory
from tests.live.factories import classroom_create
from tests.live.ws import join, until

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 5


@pytest.fixture
async def room():
    """A running classroom: a trainer and two confirmed officers."""

    def build():
        trainer = UserFactory(username="trainer", roles=[Role.TRAINER])
        officer = UserFactory(username="officer", roles=[Role.OFFICER])
        other = UserFactory(username="other", roles=[Role.OFFICER])
        session = classroom_create(trainer=trainer, participants=[officer, other])
        return {"session": session, "trainer": trainer, "officer": officer, "other": other}

    return await sync_to_async(build)()


async def _last_seq(session_id: int) -> int:
    return await sync_to_async(
        LiveRoom.objects.filter(pk=session_id).values_list("last_seq", flat=True).get
    )()


async def _publish(session_id: int, seq: int, **fields) -> None:
    """An event as `services.broadcast` sends it to the session's group."""
    event = {"type": "hand.lowered", "user_id": 1, "by": 1, **fields, "seq": seq}
    await get_channel_layer().group_send(
        services.group_name(session_id),
        {"type": fanout.EVENT, "seq": seq, "text": json.dumps(event)},
    )


async def _next_after(comm, after: int) -> dict:
    """The next event numbered after `after` (the client's own arrival may come first)."""
    for _ in range(20):
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message.get("seq", 0) > after:
            return message
    raise AssertionError(f"nothing after {after}")


async def test_the_connections_of_a_process_share_one_member_of_the_group_and_one_channel(
    room, settings
):
    # the in-memory layer shows its groups and channels (the Redis layers' are in Redis;
    # tests/live/test_scale.py runs the hubs of two processes on Redis)
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    session = room["session"].pk
    group = services.group_name(session)
    layer = get_channel_layer()

    trainer, _ = await join(room["trainer"], session)
    officer, _ = await join(room["officer"], session)
    other, _ = await join(room["other"], session)
    members_while_open = len(layer.groups.get(group, {}))
    hubs_while_open = fanout.hub_count()
    channels_while_open = set(layer.channels)  # those that have been listened to
    stored = await sync_to_async(
        lambda: set(LiveConnection.objects.values_list("channel_name", flat=True))
    )()
    await officer.send_json_to({"type": "chat.send", "text": "one copy for all"})
    heard = [await until(c, "chat.message") for c in (trainer, officer, other)]
    for comm in (trainer, officer, other):
        await comm.disconnect()

    assert members_while_open == 1
    assert hubs_while_open == 1
    # no channel per connection: signals for each go to its process's hub
    assert channels_while_open == stored and len(stored) == 1
    assert {m["text"] for m in heard} == {"one copy for all"}
    assert not layer.groups.get(group)  # the last to leave took the hub out of the group
    assert fanout.hub_count() == 0


async def test_events_that_reach_the_process_out_of_order_go_out_in_order(room):
    session = room["session"].pk
    officer, _ = await join(room["officer"], session)
    last = await _last_seq(session)

    await _publish(session, last + 2)
    await _publish(session, last + 1)
    first = await _next_after(officer, last)
    second = await officer.receive_json_from(timeout=TIMEOUT)
    await officer.disconnect()

    assert [first["seq"], second["seq"]] == [last + 1, last + 2]


async def test_an_event_the_layer_lost_is_read_from_the_store_before_the_next(room):
    session = room["session"].pk
    officer, _ = await join(room["officer"], session)
    last = await _last_seq(session)
    # stored (as every event is, before it is sent) but never published
    await sync_to_async(LiveEvent.objects.create)(
        session_id=session, seq=last + 1, type="chat.deleted", payload={"id": 7, "by": 1}
    )
    await sync_to_async(LiveRoom.objects.filter(pk=session).update)(last_seq=last + 2)

    await _publish(session, last + 2)
    first = await _next_after(officer, last)
    second = await officer.receive_json_from(timeout=TIMEOUT)
    await officer.disconnect()

    assert first == {"id": 7, "by": 1, "type": "chat.deleted", "seq": last + 1}
    assert second["seq"] == last + 2


async def test_a_client_that_does_not_read_holds_up_only_its_own_events():
    layer = InMemoryChannelLayer()
    stuck, received = asyncio.Event(), []

    async def send_to_stuck(texts):
        await stuck.wait()  # a client whose socket is full

    async def send_to_reader(texts):
        received.extend(texts)

    slow, fast = fanout.Outbox(send_to_stuck), fanout.Outbox(send_to_reader)
    for outbox in (slow, fast):
        await fanout.join(layer, "live.session.0", outbox, lambda **kwargs: [])
        outbox.open()
    for seq, text in ((1, "first"), (2, "second"), (3, "third")):
        await layer.group_send("live.session.0", {"type": fanout.EVENT, "seq": seq, "text": text})
    async with asyncio.timeout(TIMEOUT):
        while len(received) < 3:
            await asyncio.sleep(0.01)
    waiting = list(slow.waiting)
    for outbox in (slow, fast):
        await fanout.leave("live.session.0", outbox)

    assert received == ["first", "second", "third"]
    assert waiting == ["second", "third"]  # "first" is in the send that does not end
    assert fanout.hub_count() == 0
