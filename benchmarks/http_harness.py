"""What the HTTP benchmarks share: the benchmark site of a scale, the production server and
wrk with a Lua script that cycles over prepared requests.

- Database: BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/lms_bench). Each scale
  has its own database, the name with `_small` or `_large` added, copied from a migrated
  template (`_template`) the first time, so that both data sets stay built and a second
  run only checks them. BENCH_REBUILD=1 drops the scale's database first.
  A sqlite:/// URL works too (a file per scale), for a quick check without PostgreSQL.
- Redis: BENCH_REDIS_URL (redis://127.0.0.1:6379/14), a database of its own, emptied
  before each server start.
- Server: the command of docker/Dockerfile's CMD (its ASGI server and worker count) on a
  free port of 127.0.0.1, with DEBUG off and the settings production has.
- Load: wrk, BENCH_CONNECTIONS (10) connections on 2 threads for BENCH_SECONDS (8) seconds
  per scenario, after BENCH_WARMUP_SECONDS (1) seconds of warm-up. Each request is the
  next of the scenario's prepared requests (a thread takes every other one), so that the
  signed-in scenarios spread over many learners and a one-shot request (a submit) is
  never sent twice while there are prepared ones left. A response with another status
  than the scenario expects counts as an error, as do wrk's socket errors and timeouts.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
THREADS = 2


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def connections() -> int:
    return int(setting("BENCH_CONNECTIONS", "10"))


def seconds() -> int:
    return int(setting("BENCH_SECONDS", "8"))


def warmup_seconds() -> int:
    return int(setting("BENCH_WARMUP_SECONDS", "1"))


def scales() -> list[str]:
    scale = setting("BENCH_SCALE", "both")
    if scale not in ("small", "large", "both"):
        raise SystemExit(f"BENCH_SCALE is small, large or both, not {scale!r}")
    return ["small", "large"] if scale == "both" else [scale]


def wrk_path() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    return wrk


# --- Database and Redis --------------------------------------------------------------------
def database_url(scale: str) -> str:
    base = setting("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lms_bench")
    parts = urlsplit(base)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        suffix = path.suffix or ".sqlite3"
        return f"sqlite:///{path.with_name(f'{path.stem}_{scale}{suffix}')}"
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{scale}"))


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True)


def _pg_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def database_ensure(scale: str, env: dict[str, str]) -> str:
    """The scale's database, migrated; made from a migrated template database (the name
    with `_template` added) on first use."""
    url = database_url(scale)
    if url.startswith("sqlite"):
        if setting("BENCH_REBUILD", "") == "1":
            Path(urlsplit(url).path[1:]).unlink(missing_ok=True)
        manage({**env, "DATABASE_URL": url}, "migrate", "--no-input", "-v0")
        return url
    template = database_url("template")
    name, template_name = (urlsplit(u).path.strip("/") for u in (url, template))
    try:
        admin = _pg_admin(url)
    except Exception as error:  # say what to do, whatever went wrong
        raise SystemExit(
            f"PostgreSQL is not reachable for {url}: {error}\n"
            "Start it, or set BENCH_DATABASE_URL (a sqlite:/// URL for a quick check)."
        ) from error
    with admin, admin.cursor() as cursor:
        if setting("BENCH_REBUILD", "") == "1" and _pg_exists(cursor, name):
            cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not _pg_exists(cursor, name):
            if not _pg_exists(cursor, template_name):
                cursor.execute(f'CREATE DATABASE "{template_name}"')
            log(f"migrating {template_name} (the first time only)…")
            manage({**env, "DATABASE_URL": template}, "migrate", "--no-input", "-v0")
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    manage({**env, "DATABASE_URL": url}, "migrate", "--no-input", "-v0")
    return url


def redis_flush(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"Redis is not reachable at {url}: {error}") from error


# --- The site ------------------------------------------------------------------------------
def environment() -> dict[str, str]:
    """The server's environment: production settings on 127.0.0.1."""
    DATA.mkdir(parents=True, exist_ok=True)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BENCH_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(DATA / "static"),
        "MEDIA_ROOT": str(DATA / "media"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": setting("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "TASK_BACKEND": "database",  # as docker/compose.yaml: a worker runs the tasks
        "EMAIL_URL": "dummymail://",
        # One client address sends every lookup: the per-address limit would turn the
        # benchmark into a test of the limit.
        "CERTIFICATE_VERIFY_RATE": "1000000/s",
        "PAGE_CACHE_SECONDS": os.environ.get("PAGE_CACHE_SECONDS", "300"),
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stderr[-4000:]}")
    return result.stdout


@dataclass
class Site:
    scale: str
    env: dict[str, str]
    setup: dict = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def prepare(cls, scale: str, *, fixtures: bool = True) -> "Site":
        """The scale's database with its data, static files collected, the benchmark
        accounts and attempts made (`benchmarks.http_setup`), Redis emptied."""
        env = environment()
        site = cls(scale=scale, env=env)
        started = time.monotonic()
        env["DATABASE_URL"] = database_ensure(scale, env)
        site.timings["database"] = time.monotonic() - started
        started = time.monotonic()
        log(manage(env, "generate_bench_data", "--scale", scale).strip())
        site.timings["data"] = time.monotonic() - started
        if not (DATA / "static" / "staticfiles.json").exists() or _static_changed():
            started = time.monotonic()
            manage(env, "collectstatic", "--no-input", "-v0")
            site.timings["collectstatic"] = time.monotonic() - started
        if fixtures:
            started = time.monotonic()
            output = manage(env, "shell", "-c", "from benchmarks.http_setup import main; main()")
            site.setup = json.loads(output.strip().splitlines()[-1])
            site.timings["setup"] = time.monotonic() - started
        redis_flush(env["REDIS_URL"])
        return site


def _static_changed() -> bool:
    """Whether a static source file is newer than the collected manifest."""
    manifest = (DATA / "static" / "staticfiles.json").stat().st_mtime
    return any(
        path.stat().st_mtime > manifest
        for app in ("lms", "courses", "assessments", "trainers", "scheduling", "live")
        for path in (ROOT / app / "static").rglob("*")
        if path.is_file()
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The server ------------------------------------------------------------------------
def dockerfile_command() -> list[str]:
    """docker/Dockerfile's CMD (exec form)."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    match = re.search(r"^CMD\s+(\[.*\])\s*$", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"No CMD [...] line in {DOCKERFILE}")
    return json.loads(match.group(1))


def workers_of(command: list[str]) -> int:
    for flag in ("--workers", "-w"):
        if flag in command:
            return int(command[command.index(flag) + 1])
    for arg in command:
        if arg.startswith("--workers="):
            return int(arg.split("=", 1)[1])
    return 1


def production_command(port: int) -> list[str]:
    """The Dockerfile's command, run from this virtualenv on 127.0.0.1:`port`."""
    command = dockerfile_command()
    program = Path(sys.executable).parent / command[0]
    command[0] = str(program) if program.exists() else command[0]
    if command[0] in ("python", "python3"):
        command[0] = sys.executable
    out = []
    skip = False
    for n, arg in enumerate(command):
        if skip:
            skip = False
            continue
        if arg in ("--host", "--port", "--bind", "-b"):
            value = {"--host": "127.0.0.1", "--port": str(port)}.get(arg, f"127.0.0.1:{port}")
            out += [arg, value]
            skip = n + 1 < len(command)
        else:
            out.append(arg)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server process for the duration of a `with` block, ready when entered."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, name: str = ""):
        self.command, self.env, self.port, self.name = command, env, port, name
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> "Server":
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.base + "/courses/", timeout=10) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.HTTPError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                self.log.seek(0)
                raise RuntimeError(
                    f"{self.name or self.command[0]} did not start:\n"
                    + self.log.read().decode(errors="replace")[-4000:]
                )
            time.sleep(0.5)

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def request(base: str, method: str, path: str, headers: dict, body: str | None = None):
    """One request outside wrk (probes, the token): (status, body)."""
    data = body.encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- wrk -------------------------------------------------------------------------------
LUA = """
local entries = {ENTRIES}
local expected = {EXPECTED}
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  unexpected = 0
  repeats = 0
end

function request()
  local index = tid + sent * THREADS
  sent = sent + 1
  if index >= #entries then
    repeats = repeats + 1
    index = index % #entries
  end
  local e = entries[index + 1]
  return wrk.format(e[1], e[2], e[3], e[4])
end

function response(status, headers, body)
  if not expected[status] then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad, again = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    again = again + thread:get("repeats")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50\\": %d, \\"p95\\": %d, "
    .. "\\"p99\\": %d, \\"max\\": %d, \\"socket_errors\\": %d, \\"unexpected\\": %d, "
    .. "\\"repeats\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors, bad, again))
end
"""


def _lua(value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if not value.isascii():
            raise ValueError(f"non-ASCII text in a wrk request: {value[:40]!r}")
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    raise TypeError(type(value))


@dataclass
class Scenario:
    """Requests (method, path, headers, body) that wrk cycles over, and what a right
    answer's status is. `probe` sends the first one before the run: a scenario whose
    endpoint is not there yet is skipped with a note (`optional`) instead of failing.
    A `once` scenario's requests are one-shot: more requests than prepared are noted."""

    name: str
    requests: list[tuple[str, str, dict, str | None]]
    expected: tuple[int, ...] = (200,)
    optional: bool = False
    probe: bool = True
    warmup: bool = True
    once: bool = False  # each request may be sent once (a submit): say if wrk ran out
    size: str = ""


def wrk_run(base: str, scenario: Scenario, *, duration: int, conns: int | None = None) -> dict:
    script = LUA.replace("THREADS", str(THREADS))
    script = script.replace("{ENTRIES}", _lua([list(r) for r in scenario.requests]))
    script = script.replace("{EXPECTED}", _lua(dict.fromkeys(scenario.expected, 1)))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            wrk_path(), f"-t{THREADS}", f"-c{conns or connections()}", f"-d{duration}s",
            "--timeout", "10s", "-s", handle.name, base + "/",
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        os.unlink(handle.name)
    if "WRK " not in result.stdout:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.split("WRK ", 1)[1].splitlines()[0])


def measure(base: str, scenario: Scenario, *, label: dict) -> dict:
    """Probe, warm up and run one scenario; one row of the table."""
    row = {"scenario": scenario.name, **label, "concurrency": connections()}
    if scenario.probe:
        method, path, headers, body = scenario.requests[0]
        status, content = request(base, method, path, headers, body)
        if status not in scenario.expected:
            note = f"probe {method} {path.split('?')[0]} answered {status}"
            if scenario.optional:
                return {**row, "note": f"skipped: {note} (endpoint not there yet?)"}
            row["note"] = f"{note}: {content[:120]!r}"
    if scenario.warmup and warmup_seconds():
        wrk_run(base, scenario, duration=warmup_seconds())
    figures = wrk_run(base, scenario, duration=seconds())
    row.update(
        runs=figures["requests"],
        rps=round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        p50_ms=round(figures["p50"] / 1000, 1),
        p95_ms=round(figures["p95"] / 1000, 1),
        p99_ms=round(figures["p99"] / 1000, 1),
        max_ms=round(figures["max"] / 1000, 1),
        errors=figures["socket_errors"] + figures["unexpected"],
    )
    if scenario.size:
        row["size"] = scenario.size
    if scenario.once and figures["repeats"]:
        note = f"{figures['repeats']} requests repeated one already sent"
        row["note"] = f"{row['note']}; {note}" if row.get("note") else note
    return row
