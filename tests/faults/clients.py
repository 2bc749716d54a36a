"""Clients that behave as the platform's pages do when the server falters: the live
classroom (live/static/live/classroom.js), the quiz autosave
(assessments/static/assessments/attempt.js) and the SCORM runtime's commits
(courses/static/courses/scorm/commits.js). Only the waits are shorter (a backoff of at
most 2 s instead of 30-60 s) so that the tests stay short."""

import asyncio
import contextlib
import json
import random
import secrets
import threading
import time
from collections import Counter

from tests.faults.harness import fetch

FATAL_CLOSES = {4401, 4404, 4409, 4413, 4429}  # the page does not reconnect after these
GAP_WAIT = 0.4  # the page's GAP_WAIT_MS


def backoff(attempt: int, cap: float = 2.0) -> float:
    """The pages' exponential backoff with jitter, from 0.25 s."""
    return min(cap, 0.25 * 2**attempt) * (0.5 + random.random() / 2)


class LiveClient:
    """One classroom connection, kept open like the page keeps it: reconnects after any
    close but the fatal ones, resumes from the last event it applied, applies numbered
    events strictly in order, holds early ones and asks for a replay when a gap stays.
    Chat messages carry a `client_id` and stay pending until the server has them (their
    echo or `chat.accepted`); every pending one is sent again, in order, after each
    welcome, as the page does."""

    def __init__(self, base: str, session_id: int, key: str, name: str):
        self.url = f"{base.replace('http', 'ws', 1)}/ws/live/{session_id}/"
        self.origin, self.key, self.name = base, key, name
        self.user_id: int | None = None
        self.last: int | None = None  # the last sequence number applied
        self.early: dict[int, dict] = {}
        self.applied: list[int] = []
        self.chats: dict[int, dict] = {}  # by id, as the page keeps them
        self.types: dict[int, str] = {}  # seq → type of every event applied
        self.sent: list[str] = []
        self.client_ids: dict[str, str] = {}  # client_id → text of every message written
        self.acked: set[str] = set()  # own chat texts seen back from the server (stored)
        self.pending: list[dict] = []  # chat.send messages the server has not answered for
        self.resent = 0  # pending messages sent after a welcome (again, or at last)
        self.copies = 0  # of those, the ones the server had already (`duplicate`)
        self.closes: list[tuple[float, int | None]] = []  # (when, close code)
        self.connects = self.failed_connects = self.resumes = self.replayed = self.gaps = 0
        self.errors: list[dict] = []
        self.ws = None
        self.live = asyncio.Event()  # connected and caught up
        self.live_since: list[float] = []  # when it was caught up, after each connection
        self.welcomed = False  # this connection has said welcome (the page's `state`)
        self.stopped = False
        self.task: asyncio.Task | None = None
        self.gap_timer: asyncio.TimerHandle | None = None
        self.asking: asyncio.Future | None = None
        self.port: int | None = None  # the client side's port of the current connection

    # --- Running ---------------------------------------------------------------------------
    async def start(self, timeout: float = 20) -> "LiveClient":
        self.task = asyncio.create_task(self._run())
        async with asyncio.timeout(timeout):
            await self.live.wait()
        return self

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task

    async def _run(self) -> None:
        import websockets

        attempt = 0
        while not self.stopped:
            try:
                ws = await websockets.connect(
                    self.url,
                    origin=self.origin,
                    additional_headers={"Cookie": f"sessionid={self.key}"},
                    open_timeout=5,
                    max_queue=None,
                )
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                self.failed_connects += 1
                await asyncio.sleep(backoff(attempt))
                attempt += 1
                continue
            self.connects += 1
            self.ws, self.port = ws, ws.local_address[1]
            try:
                async for raw in ws:
                    message = json.loads(raw)
                    if message.get("type") == "welcome":
                        attempt = 0
                    await self.receive(message)
            except websockets.ConnectionClosed:
                pass
            self.ws, self.welcomed = None, False
            self.live.clear()
            code = ws.close_code  # 1006 when the connection dropped without a close
            self.closes.append((time.monotonic(), code))
            if code in FATAL_CLOSES or self.stopped:
                return
            await asyncio.sleep(backoff(attempt))
            attempt += 1

    async def _send(self, message: dict) -> bool:
        if self.ws is None or not self.welcomed:
            return False
        try:
            await self.ws.send(json.dumps(message))
        except Exception:  # a closing socket, as the page's readyState check
            return False
        return True

    async def say(self, text: str) -> None:
        """Write a chat message: pending until the server has it; sent now when connected,
        else after the next welcome."""
        client_id = secrets.token_hex(12)
        self.sent.append(text)
        self.client_ids[client_id] = text
        message = {"type": "chat.send", "text": text, "client_id": client_id}
        self.pending.append(message)
        await self._send(message)

    def _settle(self, client_id) -> bool:
        """The server has the message (or refused it): no longer pending."""
        before = len(self.pending)
        self.pending = [m for m in self.pending if m["client_id"] != client_id]
        return len(self.pending) < before

    async def send(self, message: dict) -> bool:
        return await self._send(message)

    # --- Receiving -----------------------------------------------------------------------------
    async def receive(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "welcome":
            self.user_id = message["you"]["id"]
            self.welcomed = True
            if self.last is None:  # the first connection: take the state
                self._take_state(message)
                self._caught_up()
            else:  # a reconnection: keep what we have, ask for what we missed
                await self._send({"type": "resume", "after": self.last})
            for message in list(self.pending):  # in order, whether sent before or not
                if not await self._send(message):
                    break
                self.resent += 1
            return
        if kind == "state":  # too much missed: start again from the server's state
            self._take_state(message)
            self.early.clear()
            self._caught_up()
            return
        if kind == "resumed":
            self.resumes += 1
            self._caught_up()
            return
        if kind == "error":
            self.errors.append(message)
            self._settle(message.get("client_id"))
            return
        if kind == "chat.accepted":
            self.copies += bool(message["duplicate"])
            if self._settle(message["client_id"]):
                self.acked.add(self.client_ids[message["client_id"]])
            return
        seq = message.get("seq")
        if seq is None:
            return
        if message.get("replay"):
            self.replayed += 1
        if kind == "chat.message" and message["author"]["id"] == self.user_id:
            self.acked.add(message["text"])
            self._settle(message.get("client_id"))
        if seq <= self.last:
            return  # a duplicate
        if seq > self.last + 1:
            self.early[seq] = message
            if self.gap_timer is None:
                self.gap_timer = asyncio.get_running_loop().call_later(GAP_WAIT, self._gap)
            return
        self._apply(message)
        while self.last + 1 in self.early:
            self._apply(self.early.pop(self.last + 1))

    def _caught_up(self) -> None:
        if not self.live.is_set():
            self.live.set()
            self.live_since.append(time.monotonic())

    def _gap(self) -> None:
        self.gap_timer = None
        if self.early:
            self.gaps += 1
            self.asking = asyncio.ensure_future(self._send({"type": "resume", "after": self.last}))

    def _take_state(self, state: dict) -> None:
        self.last = state["seq"]
        for chat in state["chat"]:
            self.chats[chat["id"]] = chat
            if chat["author"]["id"] == self.user_id:
                self.acked.add(chat["text"])
                self._settle(chat.get("client_id"))

    def _apply(self, message: dict) -> None:
        self.last = message["seq"]
        self.applied.append(message["seq"])
        self.types[message["seq"]] = message["type"]
        if message["type"] == "chat.message":
            self.chats[message["id"]] = message

    async def until(self, predicate, *, timeout: float, what: str) -> None:
        """Wait (polling) until `predicate()` holds."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: timed out waiting for {what} (closes {self.closes}, "
                f"connects {self.connects}, refused {self.failed_connects}, last {self.last}, "
                f"errors {self.errors[-3:]})"
            ) from None


async def settle(clients: list[LiveClient], *, stored, last_seq, timeout: float = 30) -> int:
    """Wait until everyone is connected, every message written has been answered for (none
    pending), every client is at the last event and holds every message stored
    (`stored()`: id → text); that last event's number, as it was then (the session may go
    on: a late presence event)."""
    seen: list[int] = []

    def settled() -> bool:
        seq, messages = last_seq(), set(stored())
        seen.append(seq)
        return all(
            c.live.is_set() and not c.pending and c.last == seq and messages <= set(c.chats)
            for c in clients
        )

    await clients[0].until(settled, timeout=timeout, what="everyone to catch up")
    return seen[-1]


def holes(client: LiveClient) -> str:
    """What is wrong with a client's sequence of applied events (for assertion messages)."""
    seqs = client.applied
    missing = sorted(set(range(seqs[0], seqs[-1] + 1)) - set(seqs)) if seqs else []
    twice = sorted({s for s in seqs if seqs.count(s) > 1})
    return f"{client.name}: {seqs[:1]}..{seqs[-1:]} missing {missing} twice {twice}"


# --- HTTP clients of the learning pages ------------------------------------------------------
class Browser:
    """A signed-in browser's HTTP requests: its session cookie and CSRF token (a token the
    browser made up is as good as one the server set: Django compares cookie and header)."""

    def __init__(self, base: str, session_key: str):
        self.base = base
        csrf = secrets.token_hex(16)  # 32 characters, the length of Django's CSRF secret
        self.headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def request(self, method: str, path: str, body=None, *, timeout: float = 30):
        data = json.dumps(body).encode() if body is not None else None
        status, content = fetch(
            self.base + path, method=method, body=data, headers=self.headers, timeout=timeout
        )
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            return status, content[:500]


class Tally:
    """Every request a saving loop made: (sent, answered, status); status 0 is no HTTP
    answer at all (refused, reset)."""

    def __init__(self):
        self.requests: list[tuple[float, float, int]] = []
        self.lock = threading.Lock()

    def answered(self, sent: float, status: int) -> None:
        with self.lock:
            self.requests.append((sent, time.monotonic(), status))

    def during(self, start: float, end: float) -> list[tuple[float, float, int]]:
        """The requests in flight at some moment of [start, end]."""
        return [r for r in self.requests if r[0] <= end and r[1] >= start]

    @property
    def statuses(self) -> list[int]:
        return [status for _sent, _answered, status in self.requests]

    @property
    def retries(self) -> int:
        """Requests sent again: one per failed answer."""
        return sum(1 for s in self.statuses if not 200 <= s < 300)

    @property
    def failures(self) -> Counter:
        """Failed answers by status."""
        return Counter(s for s in self.statuses if not 200 <= s < 300)


class QuizAutosave:
    """attempt.js: one save at a time, no client-side timeout; answers that did not reach
    the server are sent again until a 2xx (the page sends its newest answers then; here
    the learner waits for the save, so they are the same); 403 and 409 would be final
    (the attempt moved on or closed): a test failure."""

    def __init__(self, browser: Browser, attempt_id: int):
        self.browser, self.path = browser, f"/api/v1/attempts/{attempt_id}/responses"
        self.tally = Tally()
        self.confirmed: dict | None = None  # the last responses the server took

    def save(self, responses: dict, *, deadline: float) -> None:
        attempt = 0
        while True:
            sent = time.monotonic()
            status, body = self.browser.request("PUT", self.path, {"responses": responses})
            self.tally.answered(sent, status)
            if 200 <= status < 300:
                self.confirmed = responses
                return
            if status in (403, 409):
                raise AssertionError(f"autosave refused for good: {status} {body}")
            if time.monotonic() > deadline:
                raise AssertionError(f"autosave still failing at the deadline: {status} {body}")
            time.sleep(backoff(attempt))
            attempt += 1


class ScormCommits:
    """commits.js: commits are queued with an increasing `seq` and the whole queue is
    posted until the server answers `{"seq": n}`; everything up to n is dropped. A failed
    post (network, 5xx) is retried with backoff; 400/404/409/413 would be final."""

    def __init__(self, browser: Browser, commit_url: str, session: int):
        self.browser, self.url, self.session = browser, commit_url, session
        self.queue: list[dict] = []
        self.seq = 0
        self.tally = Tally()
        self.lock = threading.Lock()
        self.stored_seq = 0

    def commit(self, values: list[list[str]]) -> None:
        with self.lock:
            self.seq += 1
            self.queue.append({"seq": self.seq, "values": values, "finish": False})

    def flush(self) -> bool:
        """Post the queue once; whether the post succeeded (or there was nothing to post).
        What the server acknowledged leaves the queue."""
        with self.lock:
            queue = list(self.queue)
        if not queue:
            return True
        sent = time.monotonic()
        status, body = self.browser.request(
            "POST", self.url, {"session": self.session, "commits": queue}
        )
        self.tally.answered(sent, status)
        if status in (400, 404, 409, 413):
            raise AssertionError(f"commit refused for good: {status} {body}")
        if not 200 <= status < 300:
            return False
        assert not body["errors"], body["errors"]
        with self.lock:
            self.stored_seq = body["seq"]
            self.queue = [c for c in self.queue if c["seq"] > body["seq"]]
        return True
