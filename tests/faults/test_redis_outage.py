"""Redis stops during a live session (and comes back on the same port, empty).

While it is down: pages still answer (the cache is optional, lms/cache.py); a chat
message sent then is stored and acknowledged to its sender, and the server closes the
classrooms with 1013 ("try again later") so that pages say they are reconnecting;
reconnecting fails until Redis is back. Then every client reconnects, resumes from the
last event it applied and ends with every message stored, each once, in order; attendance
counts each person's connected time, the outage left out."""

import asyncio
import sqlite3
import time
from datetime import datetime

from tests.faults.clients import LiveClient, holes, settle
from tests.faults.harness import site_environment

NAMES = ["coach", "officer1", "officer2", "officer3"]
OUTAGE = 3  # seconds Redis stays down


def _rows(url: str, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as connection:
        return connection.execute(sql, params).fetchall()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def expected_seconds(url: str, session: int, user: int) -> float:
    """Seconds the user's connections cover within the session's window, counted once."""
    ((started, ended),) = _rows(
        url, "SELECT started_at, ended_at FROM live_liveroom WHERE session_id = ?", session
    )
    start, end = _time(started), _time(ended)
    spans = sorted(
        (max(_time(a), start), min(_time(b), end))
        for a, b in _rows(
            url,
            "SELECT connected_at, disconnected_at FROM live_liveconnection"
            " WHERE session_id = ? AND user_id = ?",
            session,
            user,
        )
    )
    total, reach = 0.0, start
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            total += (b - a).total_seconds()
            reach = b
    return total


async def test_redis_stops_during_a_live_session(
    redis_server, live_database, folder, start_server, figures
):
    url, data = live_database
    session = data["session"]
    server = start_server(site_environment(folder, DATABASE_URL=url, REDIS_URL=redis_server.url()))
    clients = {n: LiveClient(server.base, session, data["keys"][n], n) for n in NAMES}
    everyone = list(clients.values())
    officer1, officer2 = clients["officer1"], clients["officer2"]

    def stored() -> dict[int, str]:
        return dict(
            _rows(url, "SELECT id, text FROM live_chatmessage WHERE session_id = ?", session)
        )

    def current_seq() -> int:
        return _rows(url, "SELECT last_seq FROM live_liveroom WHERE session_id = ?", session)[0][0]

    def has_everything(client: LiveClient) -> bool:
        """Every message sent so far is stored, and the client holds every one stored."""
        messages = stored()
        sent = {text for c in everyone for text in c.sent}
        return (
            client.live.is_set()
            and sent <= set(messages.values())
            and set(messages) <= set(client.chats)
        )

    async def all_have_everything(what: str) -> None:
        for client in everyone:
            await client.until(lambda c=client: has_everything(c), timeout=20, what=what)

    try:
        for client in everyone:
            await client.start()
        await clients["coach"].send({"type": "session.start"})
        await clients["coach"].until(
            lambda: "session.started" in clients["coach"].types.values(),
            timeout=10,
            what="the start of the session",
        )
        for name, client in clients.items():
            await client.say(f"{name}: before")
        await all_have_everything("the messages before the outage")
        await asyncio.sleep(2)  # the class under way

        # Redis dies.
        killed = time.monotonic()
        redis_server.kill()
        cookie = {"Cookie": f"sessionid={data['keys']['officer1']}"}
        pages = {path: server.get(path)[0] for path in ("/accounts/login/", "/courses/")}
        pages |= {
            f"{path} (signed in)": server.get(path, headers=cookie)[0]
            for path in ("/dashboard/", "/courses/", f"/live/{session}/")
        }
        await officer1.say("officer1: during the outage")
        await officer1.until(
            lambda: "officer1: during the outage" in officer1.acked,
            timeout=10,
            what="the acknowledgement of a message sent while Redis is down",
        )
        for client in everyone:
            await client.until(
                lambda c=client: any(at > killed and code == 1013 for at, code in c.closes),
                timeout=10,
                what="the server to close the classroom with 1013",
            )
        await officer2.say("officer2: written while disconnected")  # kept, sent on reconnect
        for client in everyone:  # reconnecting fails while Redis is down
            await client.until(
                lambda c=client: c.failed_connects > 0, timeout=10, what="a refused reconnection"
            )
        assert not any(c.live.is_set() for c in everyone)
        await asyncio.sleep(max(0.0, killed + OUTAGE - time.monotonic()))

        # Redis is back (empty: no persistence), on the same port.
        redis_server.start()
        back = time.monotonic()
        for client in everyone:
            await client.until(client.live.is_set, timeout=20, what="the reconnection")
        resumed = time.monotonic()
        for name, client in clients.items():
            await client.say(f"{name}: after")
        await clients["coach"].send({"type": "session.end"})
        await all_have_everything("every message after the outage")
        for client in everyone:
            await client.until(
                lambda c=client: "session.ended" in c.types.values(),
                timeout=20,
                what="the end of the session",
            )
        last_seq = await settle(everyone, stored=stored, last_seq=current_seq)
    finally:
        for client in everyone:
            await client.stop()
    await clients["coach"].until(
        lambda: (
            not _rows(
                url,
                "SELECT id FROM live_liveconnection"
                " WHERE session_id = ? AND disconnected_at IS NULL",
                session,
            )
        ),
        timeout=10,
        what="the server to close every connection",
    )

    # Everything acknowledged is stored, once; everyone holds all of it, in order.
    messages = stored()
    texts = list(messages.values())
    acked = set().union(*(c.acked for c in everyone))
    assert acked <= set(texts)
    assert len(texts) == len(set(texts))  # nothing stored twice
    assert set(texts) == {t for c in everyone for t in c.sent}  # nothing sent was lost
    assert "officer2: written while disconnected" in texts
    for client in everyone:  # every event up to the end of the session, in order
        assert set(client.chats) == set(messages)
        applied = [seq for seq in client.applied if seq <= last_seq]  # (later: goodbyes)
        assert applied == list(range(client.applied[0], last_seq + 1)), holes(client)
    assert pages == dict.fromkeys(pages, 200)

    # Attendance: each person's connected time within the session, the outage left out.
    ids = data["ids"]
    for name in NAMES:
        ((seconds,),) = _rows(
            url,
            "SELECT seconds_present FROM live_attendancerecord"
            " WHERE session_id = ? AND user_id = ?",
            session,
            ids[name],
        )
        assert abs(seconds - expected_seconds(url, session, ids[name])) <= 1
        assert seconds > 0
    ((started, ended),) = _rows(
        url, "SELECT started_at, ended_at FROM live_liveroom WHERE session_id = ?", session
    )
    window = (_time(ended) - _time(started)).total_seconds()
    outage = back - killed
    assert expected_seconds(url, session, ids["officer3"]) < window - outage / 2

    figures.update(
        {
            "fault": "Redis killed (SIGKILL) during a live session, restarted on the same port",
            "outage_s": round(outage, 1),
            "back_to_all_resumed_s": round(resumed - back, 1),
            "longest_client_offline_s": round(
                max(min(t for t in c.live_since if t > killed) for c in everyone) - killed, 1
            ),
            "pages_during_outage": pages,
            "closed_1013": sum(1 for c in everyone for _, code in c.closes if code == 1013),
            "reconnect_attempts_refused": sum(c.failed_connects for c in everyone),
            "reconnections": sum(c.connects for c in everyone) - len(everyone),
            "replayed_events": sum(c.replayed for c in everyone),
            "messages_sent": sum(len(c.sent) for c in everyone),
            "messages_stored": len(texts),
            "messages_acknowledged": len(acked),
            "messages_lost": len({t for c in everyone for t in c.sent} - set(texts)),
            "clients_missing_messages": sum(1 for c in everyone if set(c.chats) != set(messages)),
            "attendance_seconds": {
                name: _rows(
                    url,
                    "SELECT seconds_present FROM live_attendancerecord"
                    " WHERE session_id = ? AND user_id = ?",
                    session,
                    ids[name],
                )[0][0]
                for name in NAMES
            },
            "session_window_s": round(window, 1),
        }
    )
