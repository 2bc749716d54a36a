"""Fan-out of the live classroom over Redis, against a server started the production way.

A swarm of WebSocket clients (the `websockets` library, signed in with real session
cookies) joins live sessions on uvicorn (one worker per core, DEBUG off) with the Redis
channel layer, and every client sends a chat message now and then (an exponential wait of
BENCH_LIVE_INTERVAL seconds on average, 30, and a class at most BENCH_LIVE_CLASS_RATE
messages a second, 10). Each message carries its send time; every
client records when it arrives (fan-out latency, p50/p95/p99) and checks the sequence
numbers: a gap makes it ask for a replay (`resume`), as the page does, and at the end each
client must hold every message of its session. Scenarios (BENCH_LIVE_SCENARIOS):

- `300`: one session of 300 participants;
- `20x30`: twenty sessions of 30;
- `1000`: one session of 1,000 (BENCH_LIVE_SCENARIOS=300,20x30,1000 to add it);
- `idle2000`: 2,000 idle connections (40 sessions of 50), server memory measured.

Both channel layers are measured in turn (BENCH_LIVE_LAYERS=core,pubsub): channels-redis'
RedisChannelLayer and its RedisPubSubChannelLayer; `core100` is the core layer at the
default capacity of 100 (it drops, the clients' replays make up for it). The database is
PostgreSQL, BENCH_DATABASE_URL with `_live` added (made from the migrated template of the
HTTP scenarios the first time); Redis is BENCH_LIVE_REDIS_URL (redis://127.0.0.1:6379/15, flushed
before each run: give the benchmark a database of its own). BENCH_LIVE_SERVER_ARGS adds
uvicorn options (e.g. `--ws-per-message-deflate false`).
"""

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.http_harness import database_ensure, dockerfile_command
from benchmarks.live_swarm import Swarm

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
USERS = 1000

SETUP = """
import json
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from live.models import ChatMessage, LiveConnection, LiveEvent, LiveRoom, Poll
from lms.models import Organisation, User
from lms.roles import Role
from scheduling.models import Nomination, Training, TrainingSession, TrainingTrainer
from trainers.models import Trainer

USERS = %(users)d
now = timezone.now()
org, _ = Organisation.objects.get_or_create(
    short_name="BENCH", defaults={"name": "Bench", "kind": "partner"})
existing = set(
    User.objects.filter(username__startswith="bench-").values_list("username", flat=True))
officers = Group.objects.get(name=Role.OFFICER.value)
new = [User(username=f"bench-{n:04d}", first_name="Officer", last_name=f"{n:04d}")
       for n in range(USERS) if f"bench-{n:04d}" not in existing]
for user in new:
    user.set_unusable_password()
User.objects.bulk_create(new, batch_size=500)
users = list(User.objects.filter(username__regex=r"^bench-[0-9]{4}$").order_by("username"))
officers.user_set.add(*users)
coach, _ = User.objects.get_or_create(username="coach-bench", defaults={"first_name": "Coach"})
profile, _ = Trainer.objects.get_or_create(
    user=coach, defaults={"full_name": "Coach", "country": "PK"})

def training(title, members):
    t, created = Training.objects.get_or_create(
        title=title, organiser=org,
        defaults={"starts_at": now, "ends_at": now + timedelta(days=30), "status": "confirmed"})
    if created:
        TrainingTrainer.objects.create(training=t, trainer=profile)
        Nomination.objects.bulk_create(
            [Nomination(training=t, user=u, status="confirmed") for u in members])
        TrainingSession.objects.create(training=t, starts_at=now, duration_minutes=600)
    session = t.sessions.get()
    return session.pk, [u.pk for u in members]

big = training("Bench: one big class", users)
small = [training(f"Bench: class {k:02d}", [users[(k * 50 + i) %% USERS] for i in range(50)])
         for k in range(40)]
# a clean slate: no ghosts of earlier runs, no old events to replay
LiveConnection.objects.filter(disconnected_at__isnull=True).update(disconnected_at=now)
LiveEvent.objects.all().delete(); ChatMessage.objects.all().delete(); Poll.objects.all().delete()
LiveRoom.objects.update(last_seq=0)
keys = {}
for user in users:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    keys[user.pk] = store.session_key
print("BENCH " + json.dumps({"big": big, "small": small, "keys": keys}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(layer: str) -> dict[str, str]:
    DATA.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(DATA / "static"),
        "MEDIA_ROOT": str(DATA / "media"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": os.environ.get("BENCH_LIVE_REDIS_URL", "redis://127.0.0.1:6379/15"),
        # "core100": the core layer at channels-redis' default capacity of 100 messages per
        # channel, past which it drops messages without a word (the clients' sequence
        # check then asks for a replay)
        "CHANNEL_LAYER_BACKEND": "core" if layer == "core100" else layer,
        "CHANNEL_LAYER_CAPACITY": "100"
        if layer == "core100"
        else os.environ.get("CHANNEL_LAYER_CAPACITY", "1000"),
    }
    env["DATABASE_URL"] = database_ensure("live", env)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stderr}")
    return result.stdout


def _rss_mb(root_pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def _cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children (the workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        if pid in stats:  # utime and stime, fields 14 and 15 of /proc/<pid>/stat
            total += int(stats[pid][11]) + int(stats[pid][12])
    return total / tick


def _websocket_options() -> list[str]:
    """uvicorn's WebSocket options in docker/Dockerfile (--ws-per-message-deflate false)."""
    command, options = dockerfile_command(), []
    for n, arg in enumerate(command):
        if arg.startswith("--ws"):
            options += [arg] if "=" in arg else [arg, command[n + 1]]
    return options


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _percentile(values: list[float], share: float) -> float:
    return round(values[min(len(values) - 1, int(len(values) * share))] * 1000, 1)


def _scenario(name, base, groups, keys, layer, server_pid) -> dict:
    if name.startswith("idle"):
        return _idle(name, base, groups, keys, layer, server_pid)
    swarm = Swarm(base, groups, keys)
    try:
        failures = swarm.connect()
        row = {"scenario": f"live {name} [{layer}]", **_talk(swarm, groups, server_pid)}
        row["errors"] += failures
        row["note"] += f"; {len(swarm.pids)} client processes"
    finally:
        swarm.close()
    time.sleep(3)
    return row


def _idle(name, base, groups, keys, layer, server_pid) -> dict:
    """Server memory at rest, with the first half of the connections open, with all: the
    second half's growth is what a connection costs (the first also warms the workers)."""
    rest = _rss_mb(server_pid)
    half = len(groups) // 2
    swarms, failures, rss = [], 0, []
    try:
        for part in (groups[:half], groups[half:]):
            swarms.append(Swarm(base, part, keys))
            failures += swarms[-1].connect()
            rss.append(_rss_mb(server_pid))
    finally:
        for swarm in swarms:
            swarm.close()
    time.sleep(3)
    members = sum(len(users) for _s, users in groups) - failures
    second = sum(len(users) for _s, users in groups[half:])
    each_kb = (rss[1] - rss[0]) * 1024 / max(1, second)
    return {
        "scenario": f"live {name} [{layer}]",
        "size": f"{members} open connections",
        "runs": members,
        "errors": failures,
        "note": f"server RSS {rest} MB at rest, {rss[0]} MB with {members - second}, "
        f"{rss[1]} MB with {members} open ({each_kb:.0f} KB a connection)",
    }


def _talk(swarm: Swarm, groups: list[tuple[int, list[int]]], server_pid: int) -> dict:
    """Everyone speaks now and then; the figures of what every member received."""
    seconds = float(os.environ.get("BENCH_LIVE_SECONDS", "20"))
    interval = float(os.environ.get("BENCH_LIVE_INTERVAL", "30"))
    # a class talks at most BENCH_LIVE_CLASS_RATE messages a second (10): the members of a
    # class of 1,000 speak less often than those of a class of 300
    largest = max(len(users) for _session, users in groups)
    interval = max(interval, largest / float(os.environ.get("BENCH_LIVE_CLASS_RATE", "10")))
    cpu = _cpu_seconds(server_pid)
    sent_total, elapsed = swarm.talk(seconds, interval)
    cpu = _cpu_seconds(server_pid) - cpu
    rss = _rss_mb(server_pid)
    members = swarm.report()
    # every message of a session at every member of it (sequence-checked, replays in)
    by_session: dict[int, set[int]] = {}
    sent: dict[int, int] = {}
    for session, seen, sent_by, *_rest in members:
        by_session.setdefault(session, set()).update(seen)
        sent[session] = sent.get(session, 0) + sent_by
    # what a member lacks of the others' messages, or of the count sent to its session
    missing = sum(
        max(len(by_session[session] - seen), sent[session] - len(seen))
        for session, seen, *_rest in members
    )
    latencies = sorted(x for m in members for x in m[5])
    gaps = sum(m[3] for m in members)
    replayed = sum(m[4] for m in members)
    dropped = sum(1 for m in members if m[6])
    sessions = len(by_session)
    if latencies:
        median = statistics.median(latencies) * 1000
        print(f"  median {median:.1f} ms", file=sys.stderr)
    return {
        "size": f"{sessions} x {len(members) // sessions} clients",
        "runs": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": _percentile(latencies, 0.50) if latencies else None,
        "p95_ms": _percentile(latencies, 0.95) if latencies else None,
        "p99_ms": _percentile(latencies, 0.99) if latencies else None,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "errors": missing + dropped,
        "note": f"1 msg/{interval:g} s each, {sent_total} sent; "
        f"gaps {gaps}, replayed {replayed}, dropped {dropped}; server RSS {rss} MB; "
        f"server CPU {cpu:.1f} s ({cpu * 1e6 / max(1, len(latencies)):.0f} µs a delivery)",
    }


def _groups(name: str, data: dict) -> list[tuple[int, list[int]]]:
    big_session, big_users = data["big"]
    if name == "300":
        return [(big_session, big_users[:300])]
    if name == "1000":
        return [(big_session, big_users)]
    if name == "20x30":
        return [(s, users[:30]) for s, users in data["small"][:20]]
    if name == "idle2000":
        return [(s, users) for s, users in data["small"]]
    raise SystemExit(f"unknown scenario {name}")


def run() -> list[dict]:
    layers = os.environ.get("BENCH_LIVE_LAYERS", "core,pubsub").split(",")
    scenarios = os.environ.get("BENCH_LIVE_SCENARIOS", "300,20x30,idle2000").split(",")
    workers = os.cpu_count() or 2
    rows = []
    for layer in layers:
        env = _environment(layer)
        _flush_redis(env["REDIS_URL"])
        _manage(env, "migrate", "--no-input", "-v0")
        output = _manage(env, "shell", "-c", SETUP % {"users": USERS})
        data = json.loads(output.split("BENCH ", 1)[1].splitlines()[0])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "lms.asgi:application", "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers), "--lifespan", "off",
                "--no-access-log", "--backlog", "4096", *_websocket_options(),
                *os.environ.get("BENCH_LIVE_SERVER_ARGS", "").split(),
            ],
            cwd=ROOT,
            env={**env, "LIVE_RATE_BURST": "1000", "LIVE_RATE_PER_SECOND": "100"},
            stdout=subprocess.DEVNULL,
            stderr=sys.stderr if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            for name in scenarios:
                print(f"  {name} on {layer}…", file=sys.stderr, flush=True)
                groups = _groups(name, data)
                row = _scenario(name, base, groups, data["keys"], layer, server.pid)
                print(f"  {row}", file=sys.stderr, flush=True)
                rows.append(row)
        finally:
            server.terminate()
            try:
                server.wait(timeout=120)  # every open connection is closed in the database
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
