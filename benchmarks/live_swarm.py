"""The client side of bench_live: classroom WebSockets spread over several processes.

One Python process cannot take in the deliveries of a class of 1,000 (10,000 messages a
second) on its own: its event loop falls behind, and the latency it reports is its own
queue, not the server's. The members are therefore dealt round-robin to
BENCH_LIVE_CLIENT_PROCESSES processes (4 by default; 1 gives the old single-process
client), each with its own event loop, driven by the parent over a pipe in steps (connect,
settle, talk, check, report). Every member still checks the sequence numbers it receives,
asks for a replay (`resume`) on a gap as the page does, and must end up with every
message of its session; the parent gathers what each process saw to check it.
"""

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import sys
import time


class Member:
    """One participant: a WebSocket, the sequence check, the latencies it saw."""

    def __init__(self, base: str, session: int, user: int, key: str):
        self.url = f"{base.replace('http', 'ws')}/ws/live/{session}/"
        self.origin, self.session, self.user, self.key = base, session, user, key
        self.last = 0
        self.early: dict[int, dict] = {}
        self.seen: set[int] = set()
        self.latencies: list[float] = []
        self.gaps = self.replayed = self.sent = 0
        self.gap_timer: asyncio.TimerHandle | None = None

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.key}"},
            open_timeout=60,
            max_queue=None,
            # the server pings (uvicorn, every 20 s); a client busy reading must not close
            # its own connection for a late pong of its own ping
            ping_interval=None,
        )
        welcome = json.loads(await self.ws.recv())
        if welcome.get("type") != "welcome":
            raise RuntimeError(f"refused: {welcome}")
        self.last = welcome["seq"]
        self.reader = asyncio.ensure_future(self.read())

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                now, data = time.time(), json.loads(raw)
                # a frame holds one message, or several events at once (live/PROTOCOL.md)
                for message in data if isinstance(data, list) else (data,):
                    self.receive(message, now)
        except Exception:  # noqa: S110 - a closed socket ends the reading
            pass

    def receive(self, message: dict, now: float) -> None:
        seq = message.get("seq")
        if seq is None:
            return
        if message.get("replay"):
            self.replayed += 1
        if seq <= self.last:
            return
        if seq > self.last + 1:
            self.early[seq] = message
            if self.gap_timer is None:
                self.gap_timer = asyncio.get_running_loop().call_later(0.5, self.ask)
            return
        self.apply(message, now)
        while self.last + 1 in self.early:
            self.apply(self.early.pop(self.last + 1), now)

    def dropped(self) -> bool:
        """The server closed the connection (a keepalive ping timeout, an error)."""
        return self.ws.close_code is not None

    def ask(self) -> None:
        self.gap_timer = None
        if self.early:
            self.gaps += 1
            self.asking = asyncio.ensure_future(self.send({"type": "resume", "after": self.last}))

    async def send(self, message: dict) -> None:
        with contextlib.suppress(Exception):  # a closing socket: nothing to ask any more
            await self.ws.send(json.dumps(message))

    def apply(self, message: dict, now: float) -> None:
        self.last = message["seq"]
        if message["type"] == "chat.message" and message["text"].startswith("bench "):
            self.seen.add(message["id"])
            self.latencies.append(now - float(message["text"].split()[1]))

    async def talk(self, start: float, until: float, interval: float) -> int:
        await asyncio.sleep(max(0.0, start - time.time()))
        sent = 0
        while True:
            wait = random.expovariate(1 / interval)
            if time.time() + wait >= until:
                await asyncio.sleep(max(0.0, until - time.time()))
                return sent
            await asyncio.sleep(wait)
            try:
                await self.ws.send(
                    json.dumps({"type": "chat.send", "text": f"bench {time.time()}"})
                )
            except Exception:  # the server closed the connection (counted as dropped)
                return sent
            sent += 1
            self.sent = sent


# --- One client process ----------------------------------------------------------------------
async def _serve(pipe, base: str, specs: list[tuple[int, int, str]]) -> None:
    members = [Member(base, session, user, key) for session, user, key in specs]
    loop = asyncio.get_running_loop()
    while True:
        command, args = await loop.run_in_executor(None, pipe.recv)
        if command == "connect":
            failures = 0
            for start in range(0, len(members), 50):  # join in waves, as a class does
                results = await asyncio.gather(
                    *(m.connect() for m in members[start : start + 50]), return_exceptions=True
                )
                failures += sum(1 for r in results if isinstance(r, BaseException))
            members = [m for m in members if hasattr(m, "reader")]
            pipe.send(failures)
        elif command == "lasts":  # the last number each session's members have applied
            lasts: dict[int, set[int]] = {}
            for m in members:
                lasts.setdefault(m.session, set()).add(m.last)
            pipe.send(lasts)
        elif command == "talk":
            sent = await asyncio.gather(*(m.talk(*args) for m in members))
            pipe.send(sum(sent))
        elif command == "seen":  # per session: the messages seen here, the count sent from here
            seen: dict[int, set[int]] = {}
            sent: dict[int, int] = {}
            for m in members:
                seen.setdefault(m.session, set()).update(m.seen)
                sent[m.session] = sent.get(m.session, 0) + m.sent
            pipe.send((seen, sent))
        elif command == "complete":  # has every member here all of its session's messages?
            union, sent = args
            pipe.send(
                all(
                    union[m.session] <= m.seen and len(m.seen) >= sent[m.session] and not m.early
                    for m in members
                )
            )
        elif command == "report":
            pipe.send(
                [
                    (m.session, m.seen, m.sent, m.gaps, m.replayed, m.latencies, m.dropped())
                    for m in members
                ]
            )
        elif command == "close":
            await asyncio.gather(*(m.ws.close() for m in members), return_exceptions=True)
            pipe.send(None)
            return


def _process(pipe, base: str, specs: list[tuple[int, int, str]]) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_serve(pipe, base, specs))


# --- The parent's side -----------------------------------------------------------------------
class Swarm:
    """Members of the given sessions, dealt round-robin over the client processes."""

    def __init__(self, base: str, groups: list[tuple[int, list[int]]], keys: dict):
        specs = [(s, u, keys[str(u)]) for s, users in groups for u in users]
        count = max(1, int(os.environ.get("BENCH_LIVE_CLIENT_PROCESSES", "4")))
        count = min(count, len(specs))
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for n in range(count):
            parent, child = context.Pipe()
            process = context.Process(
                target=_process, args=(child, base, specs[n::count]), daemon=True
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        self.pids = [p.pid for p in self.processes]

    def ask(self, command: str, *args) -> list:
        for pipe in self.pipes:
            pipe.send((command, args))
        return [pipe.recv() for pipe in self.pipes]

    def connect(self) -> int:
        """Join everyone, then wait until each session's arrivals are known to all its
        members (every join is announced to everyone). The failures to join."""
        begun = time.time()
        failures = sum(self.ask("connect"))
        joined = time.time()
        deadline = joined + 120
        while time.time() < deadline:
            lasts: dict[int, set[int]] = {}
            for part in self.ask("lasts"):
                for session, values in part.items():
                    lasts.setdefault(session, set()).update(values)
            if all(len(values) == 1 for values in lasts.values()):
                break
            time.sleep(0.5)
        print(
            f"  joined in {joined - begun:.0f} s ({failures} failed), "
            f"everyone told of every arrival {time.time() - joined:.0f} s later",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(1)
        return failures

    def talk(self, seconds: float, interval: float) -> tuple[int, float]:
        """Everyone talks for `seconds`, then the last messages (and replays) arrive.
        The messages sent and the time taken."""
        start = time.time() + 0.5
        sent = sum(self.ask("talk", start, start + seconds, interval))
        elapsed = time.time() - start
        deadline = time.time() + 20
        while time.time() < deadline:
            union: dict[int, set[int]] = {}
            count: dict[int, int] = {}
            for seen, sent_here in self.ask("seen"):
                for session, ids in seen.items():
                    union.setdefault(session, set()).update(ids)
                for session, n in sent_here.items():
                    count[session] = count.get(session, 0) + n
            if all(self.ask("complete", union, count)):
                break
            time.sleep(0.5)
        return sent, elapsed

    def report(self) -> list[tuple]:
        """Per member: session, ids seen, messages sent, gaps, replayed, latencies,
        whether the server dropped it."""
        return [row for part in self.ask("report") for row in part]

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self.ask("close")
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
