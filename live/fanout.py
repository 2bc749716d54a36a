"""Fan-out of a session's events in each server process (live/PROTOCOL.md, "Scale").

An event goes to the session's channel-layer group once (`services.broadcast`, encoded to
JSON once). In each server process one *hub* per session is a member of that group: it
takes each event off the channel layer once and hands the same text to the outbox of
every connection to the session open in this process. (Were every connection a member of
the group itself, the layer would hand each its own copy: one decoding, one queue and one
consumer dispatch per recipient of every event.)

The hub passes the events on in the order of their numbers. Events stored by two server
processes can reach the layer out of order (each process publishes after its own commit);
a later event waits at the hub for the missing one for HOLD_SECONDS, and if it has not
come by then the hub reads what it missed from the database (an event is stored before
it is sent) — one read per process instead of a `resume` from every client. Should that
fail, the events go on as they are and each client's sequence check asks for a replay,
as before.

The hub's channel is also where messages for one connection are sent (WebRTC signalling,
addressed by the connection's number, its peer id): a connection has no channel of its
own, which saves each a queue, a task and a Redis subscription.

A connection's outbox keeps its events in order; a task of the connection sends what is
waiting and ends when nothing is left, so a slow client holds up its own events only. The
hub of a session starts with the first connection of this process to it and stops with
the last.
"""

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)

EVENT = "live.event"  # the group message: {"type": EVENT, "seq": n, "text": <the event as JSON>}
SIGNAL = "live.signal"  # to a hub's channel: {"type": SIGNAL, "peer": <connection>, "text": ...}
HOLD_SECONDS = 0.1  # how long an event waits at the hub for an earlier one (then the store)

# fetch(after=, before=): the events numbered strictly between, in order, as dicts.
Fetch = Callable[..., list[dict]]


class Outbox:
    """The events on their way to one connection. They wait until `open()` (the client
    has its welcome), then `send(texts)` is awaited with all that are waiting, in order,
    by one task at a time."""

    def __init__(self, send: Callable[[list[str]], Awaitable[None]]):
        self.send = send
        self.peer: int | None = None  # the connection's number, once it has one
        self.waiting: list[str] = []
        self.task: asyncio.Task | None = None
        self.opened = self.closed = False

    def put(self, text: str) -> None:
        if self.closed:
            return
        self.waiting.append(text)
        if self.opened and self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._drain())

    def open(self) -> None:
        self.opened = True
        if self.waiting and self.task is None and not self.closed:
            self.task = asyncio.get_running_loop().create_task(self._drain())

    def close(self) -> None:
        self.closed = True
        self.waiting = []
        if self.task is not None:
            self.task.cancel()

    async def _drain(self) -> None:
        try:
            while self.waiting and not self.closed:
                texts, self.waiting = self.waiting, []
                await self.send(texts)
        finally:
            self.task = None


class Hub:
    """One session's member of its group in this process, and the local outboxes."""

    def __init__(self, layer, group: str, fetch: Fetch):
        self.layer, self.group, self.fetch = layer, group, fetch
        self.outboxes: dict[Outbox, None] = {}  # in the order they joined
        self.channel: str | None = None
        self.reader: asyncio.Task | None = None
        self.last: int | None = None  # the number of the last event passed on in order
        self.held: dict[int, str] = {}  # events that came before an earlier one
        self.filler: asyncio.Task | None = None
        self.ready = asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the layer's (Redis') errors: try again shortly
                logger.warning("live: receiving the events of %s: %r", self.group, error)
                await asyncio.sleep(1)
                continue
            if message.get("type") == EVENT:
                self.take(message.get("seq"), message["text"])
            elif message.get("type") == SIGNAL:
                for outbox in tuple(self.outboxes):
                    if outbox.peer == message["peer"]:
                        outbox.put(message["text"])

    def take(self, seq: int | None, text: str) -> None:
        """An event from the layer: passed on in order, or held until the earlier ones."""
        if seq is None or self.last is None or seq <= self.last:
            # the first this hub sees, one that comes late, or one without a number: as it is
            self.deliver(text)
            if seq is not None and (self.last is None or seq > self.last):
                self.last = seq
        elif seq == self.last + 1:
            self.last = seq
            self.deliver(text)
            self.release()
        else:
            self.held[seq] = text
            if self.filler is None:
                self.filler = asyncio.get_running_loop().create_task(self._fill())

    def release(self) -> None:
        """Pass on the held events that now follow in order."""
        while self.last + 1 in self.held:
            self.last += 1
            self.deliver(self.held.pop(self.last))

    def deliver(self, text: str) -> None:
        for outbox in tuple(self.outboxes):
            outbox.put(text)

    async def _fill(self) -> None:
        """After a short wait, what is still missing is read from the store."""
        try:
            await asyncio.sleep(HOLD_SECONDS)
            while self.held:
                first = min(self.held)
                if self.last + 1 < first:
                    try:
                        missed = await database_sync_to_async(self.fetch)(
                            after=self.last, before=first
                        )
                    except Exception as error:  # the clients' own replay makes it good
                        logger.warning("live: reading the events %s missed: %r", self.group, error)
                        missed = []
                    for event in missed:
                        if event["seq"] == self.last + 1:
                            self.last += 1
                            self.deliver(json.dumps(event))
                if self.held and self.last + 1 < min(self.held):  # still missing: on as they are
                    self.last = min(self.held) - 1
                self.release()
        finally:
            self.filler = None

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.ready
        for task in (self.reader, self.filler):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.channel is not None:
            try:
                await self.layer.group_discard(self.group, self.channel)
            except Exception as error:  # the layer is down: its subscriptions went with it
                logger.warning("live: leaving the group %s: %r", self.group, error)


# The hubs of each event loop (a server process has one; tests start one per test).
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Hub]]" = (
    weakref.WeakKeyDictionary()
)


async def join(layer, group: str, outbox: Outbox, fetch: Fetch) -> str:
    """Have the group's events put in this outbox (they wait there until it is opened);
    `fetch` reads the events a hub missed. The hub's channel, where SIGNAL messages for
    the outbox's peer go. Raises the layer's error when the hub cannot join the group
    (Redis is down)."""
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = hubs.get(group)
    if hub is None:
        hub = hubs[group] = Hub(layer, group, fetch)
    hub.outboxes[outbox] = None
    try:
        await asyncio.shield(hub.ready)
    except BaseException:
        hub.outboxes.pop(outbox, None)
        failed = hub.ready.done() and (hub.ready.cancelled() or hub.ready.exception())
        if hubs.get(group) is hub and (failed or not hub.outboxes):
            del hubs[group]  # the next join starts again
            await hub.stop()
        raise
    return hub.channel


async def leave(group: str, outbox: Outbox) -> None:
    """No more events for this outbox; the last outbox of a session stops its hub."""
    outbox.close()
    hubs = _hubs.get(asyncio.get_running_loop(), {})
    hub = hubs.get(group)
    if hub is None or outbox not in hub.outboxes:
        return
    del hub.outboxes[outbox]
    if not hub.outboxes:
        del hubs[group]
        await hub.stop()


def hub_count() -> int:
    """Hubs running in this event loop (one per session with a connection here)."""
    return len(_hubs.get(asyncio.get_running_loop(), {}))
