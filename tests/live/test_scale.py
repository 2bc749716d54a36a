"""Two ASGI server processes against one Redis: what is said on one reaches the people
connected to the other (chat, presence, polls). Skipped when Redis is not reachable."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
REDIS_DB = int(os.environ.get("LIVE_SCALE_REDIS_DB", "13"))

SETUP = """
import json
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from lms.models import Organisation, User
from lms.roles import Role
from lms.services import user_upsert
from scheduling.models import Nomination, Training, TrainingSession, TrainingTrainer
from trainers.models import Trainer

def person(name, role):
    user = user_upsert(username=name, roles=[role], first_name=name.title())
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return user, store.session_key

trainer, trainer_key = person("coach", Role.TRAINER)
amna, amna_key = person("amna", Role.OFFICER)
bilal, bilal_key = person("bilal", Role.OFFICER)
org = Organisation.objects.create(name="ICMPD", short_name="ICMPD", kind="international")
now = timezone.now()
training = Training.objects.create(
    title="Scale", organiser=org, starts_at=now, ends_at=now + timedelta(hours=2),
    status="confirmed")
profile = Trainer.objects.create(user=trainer, full_name="Coach", country="PK")
TrainingTrainer.objects.create(training=training, trainer=profile)
for user in (amna, bilal):
    Nomination.objects.create(training=training, user=user, status="confirmed")
session = TrainingSession.objects.create(training=training, starts_at=now)
print(json.dumps({"session": session.pk, "trainer": trainer_key, "amna": amna_key,
                  "bilal": bilal_key}))
"""


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable on 127.0.0.1:6379"),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="runs once, on the default path: its servers have their own SQLite file and "
        "Redis database whatever DATABASE_URL says, so the PostgreSQL pass would only repeat it",
    ),
]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two uvicorn processes on one SQLite file and one Redis database; the keys of a
    trainer and two officers of one session."""
    tmp = tmp_path_factory.mktemp("scale")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp / 'scale.sqlite3'}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
        # pub/sub channels are shared by every Redis database: apart from other tests'
        "CHANNEL_LAYER_PREFIX": "lms-scale",
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--no-input", "-v0")
    data = json.loads(manage("shell", "-c", SETUP).strip().splitlines()[-1])
    ports, servers, logs = [_free_port(), _free_port()], [], []
    command = [sys.executable, "-m", "uvicorn", "lms.asgi:application", "--host", "127.0.0.1"]
    for port in ports:
        log = (tmp / f"server-{port}.log").open("w")
        server = subprocess.Popen(
            [*command, "--port", str(port), "--lifespan", "off", "--no-access-log"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append(server)
        logs.append(log)
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        yield {**data, "ports": ports}
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        for log in logs:
            log.close()


class Client:
    def __init__(self, port: int, session_id: int, key: str):
        self.url = f"ws://127.0.0.1:{port}/ws/live/{session_id}/"
        self.origin = f"http://127.0.0.1:{port}"
        self.key = key

    async def __aenter__(self):
        import websockets

        self.ws = await websockets.connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.key}"},
            open_timeout=10,
        )
        self.welcome = await self.next("welcome")
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def next(self, type_: str, **match) -> dict:
        async with asyncio.timeout(10):
            while True:
                message = json.loads(await self.ws.recv())
                if message["type"] == type_ and all(message.get(k) == v for k, v in match.items()):
                    return message


async def test_chat_presence_polls_and_signals_cross_between_server_processes(two_servers):
    a, b = two_servers["ports"]
    session = two_servers["session"]

    async with (
        Client(a, session, two_servers["trainer"]) as trainer,
        Client(a, session, two_servers["amna"]) as amna,
    ):
        async with Client(b, session, two_servers["bilal"]) as bilal:
            # presence: Bilal joined on the other process
            joined = await trainer.next("presence.joined", peer=bilal.welcome["you"]["peer"])
            # chat: Bilal (B) speaks, the trainer and Amna (A) hear it
            await bilal.send({"type": "chat.send", "text": "Salaam from process B"})
            heard = [await c.next("chat.message") for c in (trainer, amna, bilal)]
            # polls: the trainer (A) asks, Bilal (B) votes, everyone sees the results
            await trainer.send(
                {"type": "poll.create", "question": "Ready?", "options": ["Yes", "No"]}
            )
            opened = await bilal.next("poll.opened")
            await bilal.send({"type": "poll.vote", "poll_id": opened["id"], "option": 0})
            results = [await c.next("poll.results") for c in (trainer, amna)]
            # WebRTC signalling: to the hub of the trainer's process (A), to the trainer only
            await bilal.send(
                {"type": "signal", "to": trainer.welcome["you"]["peer"], "kind": "offer",
                 "data": {"sdp": "v=0"}}
            )  # fmt: skip
            signal = await trainer.next("signal")
        left = await trainer.next("presence.left", peer=bilal.welcome["you"]["peer"])

    assert joined["user"]["role"] == "participant"
    assert {m["text"] for m in heard} == {"Salaam from process B"}
    assert len({m["seq"] for m in heard}) == 1  # one event, one number, everywhere
    assert opened["question"] == "Ready?"
    assert [r["counts"] for r in results] == [[1, 0], [1, 0]]
    assert left["user_id"] == joined["user"]["id"]
    assert (signal["from"], signal["kind"], signal["data"]) == (
        bilal.welcome["you"]["peer"],
        "offer",
        {"sdp": "v=0"},
    )
