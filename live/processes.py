"""Which server processes are alive (live/PROTOCOL.md, "Connections of a dead process").

A server process that is killed cannot close its classroom connections: their rows stay
open and would count against LIVE_MAX_CONNECTIONS_PER_USER until they go stale
(LIVE_STALE_SECONDS, two minutes), so a person with a few tabs on it would be refused
meanwhile. Each process has an id of its own (`process_id()`, kept on each of its
connections) and, while it holds classroom connections, writes a heartbeat in the cache
every LIVE_PROCESS_HEARTBEAT_SECONDS that lives for three beats (`lifetime()`). When the
cap would refuse someone, `dead()` tells which of the processes holding their other
connections have no heartbeat: those connections are closed and stop counting.

A missing heartbeat means a dead process only when the cache is known to remember: this
process's own heartbeat, written just before, reads back, and the cache has kept its
"since" mark (written once, never expiring) for at least a heartbeat's lifetime — a Redis
that came back empty a moment ago has lost the heartbeats of live processes too. When that
cannot be told (the cache is down, or just back) nobody is declared dead, and the
connections count until they go stale, as before.

The cache must be one that the server processes share (Redis, with `REDIS_URL`); the
in-process default goes with the embedded one-process server, where any other process
is a previous run of it.
"""

import asyncio
import contextlib
import logging
import os
import time
import uuid
import weakref
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

SINCE_KEY = "live:processes:since"  # since when the cache has been keeping heartbeats

_id: tuple[int, str] | None = None  # (pid, id): a forked child makes its own


def process_id() -> str:
    """This server process's id."""
    global _id
    if _id is None or _id[0] != os.getpid():
        _id = (os.getpid(), uuid.uuid4().hex)
    return _id[1]


def heartbeat_key(process: str) -> str:
    return f"live:process:{process}"


def lifetime() -> int:
    """How long a heartbeat lives: three beats."""
    return 3 * settings.LIVE_PROCESS_HEARTBEAT_SECONDS


def beat() -> None:
    """Write this process's heartbeat (and the cache's "since" mark when it has none)."""
    try:
        cache.add(SINCE_KEY, time.time(), timeout=None)
        cache.set(heartbeat_key(process_id()), 1, timeout=lifetime())
    except Exception as error:  # the cache's errors, whatever its backend
        logger.warning("live: the process heartbeat was not written: %r", error)


def dead(processes: Iterable[str]) -> set[str]:
    """Of these processes (ids; "" for unknown), those known to be dead: no heartbeat in a
    cache that demonstrably works and remembers. Empty when that cannot be told. Three
    cache round trips."""
    me = process_id()
    others = {p for p in processes if p and p != me}
    if not others:
        return set()
    now = time.time()
    beat()
    try:
        found = cache.get_many(
            [SINCE_KEY, heartbeat_key(me), *(heartbeat_key(p) for p in sorted(others))]
        )
    except Exception as error:
        logger.warning("live: the process heartbeats were not read: %r", error)
        return set()
    since = found.get(SINCE_KEY)
    if heartbeat_key(me) not in found or not isinstance(since, int | float):
        return set()  # the cache is down: it cannot tell
    if now - since < lifetime():
        return set()  # the cache has not kept heartbeats long enough to tell
    return {p for p in others if heartbeat_key(p) not in found}


# --- Beating while this process holds classroom connections -----------------------------------
class _Beating:
    def __init__(self):
        self.connections = 0
        self.first: asyncio.Task | None = None
        self.task: asyncio.Task | None = None


# per event loop (a server process has one; tests start one per test)
_beating: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Beating]" = (
    weakref.WeakKeyDictionary()
)


async def attach() -> None:
    """A classroom connection is opening in this process: beat while there are any. The
    first beat is written before this returns (before the connection is stored)."""
    loop = asyncio.get_running_loop()
    state = _beating.setdefault(loop, _Beating())
    state.connections += 1
    if state.task is None:
        state.first = loop.create_task(asyncio.to_thread(beat))
        state.task = loop.create_task(_keep_beating(state.first))
    try:
        await asyncio.shield(state.first)
    except Exception as error:  # beat() logs its own; this is the thread's
        logger.warning("live: the process heartbeat was not written: %r", error)


def detach() -> None:
    """A classroom connection of this process ended (or never opened)."""
    loop = asyncio.get_running_loop()
    state = _beating.get(loop)
    if state is None:
        return
    state.connections -= 1
    if state.connections <= 0:
        if state.task is not None:
            state.task.cancel()
        del _beating[loop]


def beating() -> bool:
    """Whether this process (event loop) is writing its heartbeat."""
    state = _beating.get(asyncio.get_running_loop())
    return state is not None and state.task is not None and not state.task.done()


async def _keep_beating(first: asyncio.Task) -> None:
    with contextlib.suppress(Exception):  # logged by attach(); the next beat tries again
        await first
    while True:
        await asyncio.sleep(settings.LIVE_PROCESS_HEARTBEAT_SECONDS)
        await asyncio.to_thread(beat)
