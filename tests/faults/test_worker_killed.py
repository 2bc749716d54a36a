"""A server worker is killed (SIGKILL) under load: the server runs as the Dockerfile runs
it (uvicorn, here with 2 workers) on Redis, several HTTP clients request pages without a
pause and classroom clients on both workers chat. Uvicorn's master starts a new worker;
the other worker keeps serving meanwhile; only the requests the dead worker was answering
fail; the classroom clients it held reconnect, resume and miss nothing. No chat message
is lost: each carries a client id and the clients send what the server has not answered
for again after reconnecting, as the page does; the server stores each once. The dead
worker's connections stay open in the database, but stop counting against the
per-user connection cap once its heartbeat is gone."""

import asyncio
import contextlib
import os
import signal
import sqlite3
import threading
import time

from tests.faults.clients import LiveClient, holes, settle
from tests.faults.harness import serving_pid, site_environment, wait_until

NAMES = ["coach", "officer1", "officer2", "officer3", "officer4", "officer5"]
HTTP_CLIENTS = 3
CHAT_EVERY = 0.5  # seconds between two messages of one client
MAX_CONNECTIONS = 3  # LIVE_MAX_CONNECTIONS_PER_USER
HEARTBEAT = 1  # LIVE_PROCESS_HEARTBEAT_SECONDS: a dead worker is known after 3 s


def _rows(url: str, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


class HttpLoad:
    """`clients` threads requesting pages back to back; every answer with its time."""

    def __init__(self, server, paths: list[tuple[str, dict]], clients: int):
        self.server, self.paths = server, paths
        self.answers: list[tuple[float, int]] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(clients)]

    def _run(self, n: int) -> None:
        turn = n
        while not self.stopping.is_set():
            path, headers = self.paths[turn % len(self.paths)]
            turn += 1
            status, _body = self.server.get(path, headers=headers, timeout=15)
            self.answers.append((time.monotonic(), status))

    def __enter__(self) -> "HttpLoad":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(30)

    def failed(self, after: float = 0.0) -> list[tuple[float, int]]:
        return [(t, s) for t, s in self.answers if t > after and s != 200]


async def _respawn(server, workers: list[int]) -> tuple[int, float, float]:
    """Wait for uvicorn's master to replace the killed worker, then for the new worker to
    serve: (its pid, when it appeared, when it served)."""
    deadline = time.monotonic() + 60
    while len(pids := server.worker_pids()) != 2 or not set(pids) - set(workers):
        assert time.monotonic() < deadline, "the master did not start a new worker"
        await asyncio.sleep(0.1)
    appeared = time.monotonic()
    (new,) = set(pids) - set(workers)
    while not server.log_contains(f"Started server process [{new}]"):
        assert time.monotonic() < deadline, "the new worker did not serve"
        await asyncio.sleep(0.1)
    return new, appeared, time.monotonic()


async def test_a_worker_killed_under_load(
    redis_server, live_database, folder, start_server, figures
):
    url, data = live_database
    session = data["session"]
    env = site_environment(
        folder,
        DATABASE_URL=url,
        REDIS_URL=redis_server.url(),
        LIVE_MAX_CONNECTIONS_PER_USER=str(MAX_CONNECTIONS),
        LIVE_PROCESS_HEARTBEAT_SECONDS=str(HEARTBEAT),
    )
    server = start_server(env, workers=2)
    workers = server.worker_pids()
    clients: dict[str, LiveClient] = {}

    def worker_of(client: LiveClient) -> int | None:
        return serving_pid(server.port, client.port, workers)

    def stored() -> dict[int, str]:
        return dict(
            _rows(url, "SELECT id, text FROM live_chatmessage WHERE session_id = ?", session)
        )

    def stored_client_ids() -> dict[str, int]:
        """client_id → how many times it is stored."""
        return dict(
            _rows(
                url,
                "SELECT client_id, count(*) FROM live_chatmessage WHERE session_id = ?"
                " GROUP BY client_id",
                session,
            )
        )

    def last_seq() -> int:
        return _rows(url, "SELECT last_seq FROM live_liveroom WHERE session_id = ?", session)[0][0]

    async def chatter(client: LiveClient, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            await client.say(f"{client.name}: {n}")
            await asyncio.sleep(CHAT_EVERY)

    cookie = {"Cookie": f"sessionid={data['keys']['officer1']}"}
    paths = [("/accounts/login/", {}), ("/courses/", {}), (f"/live/{session}/", cookie)]
    stop_talking = asyncio.Event()
    talkers: list[asyncio.Task] = []
    respawn: asyncio.Task | None = None
    try:
        for name in NAMES:
            clients[name] = await LiveClient(server.base, session, data["keys"][name], name).start()
        # Classroom clients on both workers (connections go to whichever accepts first).
        for _ in range(20):
            on = {name: worker_of(client) for name, client in clients.items()}
            if set(on.values()) == set(workers):
                break
            crowded = max(workers, key=lambda pid: list(on.values()).count(pid))
            name = next(n for n, pid in on.items() if pid == crowded)
            await clients[name].stop()
            clients[name] = await LiveClient(server.base, session, data["keys"][name], name).start()
        assert set(on.values()) == set(workers), on
        everyone = list(clients.values())
        talkers = [asyncio.create_task(chatter(c, stop_talking)) for c in everyone]

        with HttpLoad(server, paths, HTTP_CLIENTS) as load:
            await asyncio.sleep(2)  # the class under way
            victim = max(workers, key=lambda pid: list(on.values()).count(pid))
            held = [clients[name] for name, pid in on.items() if pid == victim]
            killed = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            # The master's new worker, watched meanwhile: (its pid, when it was started,
            # when it served).
            respawn = asyncio.create_task(_respawn(server, workers))
            for client in held:
                await client.until(
                    lambda c=client: c.live.is_set() and c.closes and c.closes[-1][0] > killed,
                    timeout=20,
                    what="the reconnection after the worker died",
                )
            await asyncio.sleep(1)  # the class goes on
        load_ended = time.monotonic()
        stop_talking.set()
        await asyncio.gather(*talkers)

        final_seq = await settle(everyone, stored=stored, last_seq=last_seq)
        new_worker, respawned_at, serving_at = await respawn
    finally:
        stop_talking.set()
        for task in [*talkers, respawn]:
            if task is not None:
                task.cancel()
        for client in clients.values():
            await client.stop()

    # HTTP: the other worker kept answering; what failed was in the dead worker's hands.
    failed = load.failed()
    served_meanwhile = [
        t for t, s in load.answers if killed < t < min(serving_at, load_ended) and s == 200
    ]
    assert len(failed) <= HTTP_CLIENTS, failed
    assert all(t > killed for t, _status in failed)
    assert served_meanwhile
    assert new_worker in server.worker_pids() and victim not in server.worker_pids()

    # Live: nothing missed, nothing twice, every event in order; no chat message lost,
    # every one written stored exactly once.
    messages = stored()
    texts = list(messages.values())
    sent = {t for c in everyone for t in c.sent}
    acked = set().union(*(c.acked for c in everyone))
    written = {cid for c in everyone for cid in c.client_ids}
    assert acked <= set(texts)
    assert len(texts) == len(set(texts))
    assert stored_client_ids() == dict.fromkeys(written, 1)
    assert sent == set(texts)
    for client in everyone:
        assert set(client.chats) == set(messages)
        applied = [seq for seq in client.applied if seq <= final_seq]
        assert applied == list(range(client.applied[0], final_seq + 1)), holes(client)
    for client in held:
        assert any(at > killed and code == 1006 for at, code in client.closes)
        assert client.resumes >= 1

    # The dead worker could not close its connections: they stay open in the database
    # until they go stale (LIVE_STALE_SECONDS); every other one is closed.
    def still_open() -> int:
        return _rows(
            url,
            "SELECT count(*) FROM live_liveconnection"
            " WHERE session_id = ? AND disconnected_at IS NULL",
            session,
        )[0][0]

    ghosts = await asyncio.to_thread(
        wait_until, lambda: still_open() == len(held), timeout=10, what="the other closes"
    )

    # ... but they stop counting against the cap once the dead worker's heartbeat is gone:
    # a person whose tab was on it opens as many tabs as the cap allows.
    name = held[0].name
    (ghost,) = _rows(
        url,
        "SELECT id FROM live_liveconnection WHERE session_id = ? AND user_id = ?"
        " AND disconnected_at IS NULL",
        session,
        data["ids"][name],
    )
    tabs: list[LiveClient] = []
    refused_tabs = 0
    try:
        while len(tabs) < MAX_CONNECTIONS:
            assert time.monotonic() < killed + 30, "the dead worker's connection still counts"
            tab = LiveClient(server.base, session, data["keys"][name], f"{name} tab")
            tab.task = asyncio.create_task(tab._run())
            await tab.until(
                lambda t=tab: t.live.is_set() or any(c == 4409 for _at, c in t.closes),
                timeout=20,
                what="a welcome or a refusal",
            )
            if tab.live.is_set():
                tabs.append(tab)
            else:
                refused_tabs += 1
                await tab.stop()
                await asyncio.sleep(0.5)
        relieved_at = time.monotonic()
    finally:
        for tab in tabs:
            with contextlib.suppress(Exception):
                await tab.stop()
    (ended, last_seen) = _rows(
        url, "SELECT disconnected_at, last_seen_at FROM live_liveconnection WHERE id = ?", *ghost
    )[0]
    assert ended == last_seen  # closed as dropped: it ended when last heard from

    figures.update(
        {
            "fault": "one of 2 uvicorn workers killed (SIGKILL) under HTTP and WebSocket load",
            "worker_respawned_after_s": round(respawned_at - killed, 1),
            "new_worker_serving_after_s": round(serving_at - killed, 1),
            "websocket_clients_on_killed_worker": len(held),
            "their_reconnection_after_s": round(
                max(min(t for t in c.live_since if t > killed) for c in held) - killed, 1
            ),
            "http_requests": len(load.answers),
            "http_failed": len(failed),
            "http_failed_statuses": sorted({s for _, s in failed}),
            "http_served_while_worker_down": len(served_meanwhile),
            "ws_reconnect_attempts_refused": sum(c.failed_connects for c in everyone),
            "replayed_events": sum(c.replayed for c in everyone),
            "gaps_filled": sum(c.gaps for c in everyone),
            "messages_sent": len(sent),
            "messages_stored": len(texts),
            "messages_acknowledged": len(acked),
            "messages_lost": len(sent - set(texts)),
            "messages_sent_again_after_reconnecting": sum(c.resent for c in everyone),
            "copies_the_server_had_already": sum(c.copies for c in everyone),
            "clients_missing_messages": sum(1 for c in everyone if set(c.chats) != set(messages)),
            "connections_left_open_by_the_dead_worker": len(held) if ghosts else None,
            "all_tabs_admitted_after_kill_s": round(relieved_at - killed, 1),
            "tabs_refused_meanwhile": refused_tabs,
        }
    )
