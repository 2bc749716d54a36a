"""The connection cap (LIVE_MAX_CONNECTIONS_PER_USER) and server processes that died: their
connections, which they could not close, stop counting as soon as their heartbeat is
missing from a cache that works; live processes' connections still count; with the cache
down (or just back, empty) the old rule holds (they count until they go stale)."""

import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.utils import timezone

from live import processes
from live.models import AttendanceRecord, LiveConnection, LiveEvent
from tests.live.ws import join, refused, signed_in_communicator

pytestmark = pytest.mark.django_db(transaction=True)

DEAD, ALIVE = "0dead0process", "1alive1process"


@pytest.fixture
def heartbeats():
    """The cache has kept heartbeats for an hour; `ALIVE` beats, `DEAD` does not."""
    keys = [processes.SINCE_KEY, *(processes.heartbeat_key(p) for p in (DEAD, ALIVE))]
    cache.delete_many(keys)
    cache.set(processes.SINCE_KEY, time.time() - 3600, timeout=None)
    cache.set(processes.heartbeat_key(ALIVE), 1, timeout=processes.lifetime())
    yield
    cache.delete_many([*keys, processes.heartbeat_key(processes.process_id())])


def _left_open(room, process: str, n: int) -> list[int]:
    """`n` connections of the officer held by `process`, heard from 10 s ago (not stale)."""
    seen = timezone.now() - timedelta(seconds=10)
    return [
        LiveConnection.objects.create(
            session=room["session"],
            user=room["officer"],
            role="participant",
            channel_name=f"{process}.hub",
            process=process,
            connected_at=seen - timedelta(minutes=5),
            last_seen_at=seen,
        ).pk
        for _n in range(n)
    ]


async def _connection(pk: int) -> LiveConnection:
    return await sync_to_async(LiveConnection.objects.get)(pk=pk)


async def test_a_connection_records_its_process_which_beats_while_it_has_connections(room):
    officer, _ = await join(room["officer"], room["session"].pk)

    stored = await sync_to_async(LiveConnection.objects.get)(user=room["officer"])
    beat_while_open = await sync_to_async(cache.get)(
        processes.heartbeat_key(processes.process_id())
    )
    assert processes.beating()
    await officer.disconnect()

    assert stored.process == processes.process_id()
    assert beat_while_open == 1
    assert not processes.beating()


async def test_connections_of_a_dead_process_stop_counting_and_are_closed(
    room, settings, heartbeats
):
    # given the officer's two tabs on a worker that was killed, and a cap of two
    settings.LIVE_MAX_CONNECTIONS_PER_USER = 2
    ghosts = await sync_to_async(_left_open)(room, DEAD, 2)

    # when the officer's pages reconnect (to a live worker)
    officer, welcome = await join(room["officer"], room["session"].pk)

    # then they are let in; the dead worker's connections ended when last heard from,
    # announced as left, and counted in the attendance
    closed = [await _connection(pk) for pk in ghosts]
    assert all(c.disconnected_at == c.last_seen_at for c in closed)
    left = await sync_to_async(
        lambda: sorted(e.payload["peer"] for e in LiveEvent.objects.filter(type="presence.left"))
    )()
    assert left == sorted(ghosts)
    assert ghosts[0] not in {p["peer"] for p in welcome["peers"]}
    record = await sync_to_async(AttendanceRecord.objects.get)(user=room["officer"])
    assert record.last_left_at == closed[0].last_seen_at
    await officer.disconnect()


async def test_connections_of_live_processes_still_count(room, settings, heartbeats):
    settings.LIVE_MAX_CONNECTIONS_PER_USER = 2
    alive = await sync_to_async(_left_open)(room, ALIVE, 1)
    dead = await sync_to_async(_left_open)(room, DEAD, 1)
    # a third tab: the dead worker's connection gives way, the live one counts
    third, _ = await join(room["officer"], room["session"].pk)
    fourth = await signed_in_communicator(room["officer"], path=f"/ws/live/{room['session'].pk}/")

    error, code = await refused(fourth)

    assert (error["code"], code) == ("too_many_connections", 4409)
    assert (await _connection(alive[0])).disconnected_at is None
    assert (await _connection(dead[0])).disconnected_at is not None
    await fourth.disconnect()
    await third.disconnect()


async def test_with_the_cache_down_dead_processes_count_until_stale(room, settings, heartbeats):
    settings.LIVE_MAX_CONNECTIONS_PER_USER = 2
    ghosts = await sync_to_async(_left_open)(room, DEAD, 2)
    # Redis down: the tolerant cache reads nothing and drops writes, as the dummy cache does
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    comm = await signed_in_communicator(room["officer"], path=f"/ws/live/{room['session'].pk}/")

    error, code = await refused(comm)

    assert (error["code"], code) == ("too_many_connections", 4409)
    assert all([(await _connection(pk)).disconnected_at is None for pk in ghosts])
    await comm.disconnect()


async def test_a_cache_just_back_empty_cannot_tell_the_dead_from_the_live(room, settings):
    # given a cache that lost every heartbeat a moment ago (Redis restarted)
    settings.LIVE_MAX_CONNECTIONS_PER_USER = 2
    ghosts = await sync_to_async(_left_open)(room, DEAD, 2)
    await sync_to_async(cache.delete_many)([processes.SINCE_KEY, processes.heartbeat_key(DEAD)])
    comm = await signed_in_communicator(room["officer"], path=f"/ws/live/{room['session'].pk}/")

    error, code = await refused(comm)

    assert (error["code"], code) == ("too_many_connections", 4409)
    assert all([(await _connection(pk)).disconnected_at is None for pk in ghosts])
    await comm.disconnect()
    await sync_to_async(cache.delete_many)(
        [processes.SINCE_KEY, processes.heartbeat_key(processes.process_id())]
    )
