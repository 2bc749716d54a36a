"""Page load under concurrency, against a server started the production way.

The server is uvicorn with one worker per core, DEBUG off, on a generated site
(`generate_bench_data`, scale BENCH_SCALE: small or large). The database is
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/lms_bench), or a SQLite file
under benchmarks/.data/; REDIS_URL is passed through. Load comes from wrk (Debian package
`wrk`): BENCH_CONNECTIONS connections (10) for BENCH_SECONDS seconds (10) per scenario.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data"
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50\\": %d, \\"p95\\": %d, "
    .. "\\"p99\\": %d, \\"errors\\": %d, \\"non2xx\\": %d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors, summary.errors.status))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict[str, str]:
    DATA.mkdir(parents=True, exist_ok=True)
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{DATA / 'bench.sqlite3'}"
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(DATA / "static"),
        "MEDIA_ROOT": str(DATA / "media"),
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stderr}")
    return result.stdout


SESSION_SCRIPT = """
import json
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from courses.models import Enrolment, LessonPage
e = (Enrolment.objects.filter(course__code__startswith="BEN-", role="learner")
     .select_related("user", "course").order_by("pk").first())
s = SessionStore()
s[SESSION_KEY] = str(e.user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = e.user.get_session_auth_hash()
s.create()
lesson = LessonPage.objects.live().descendant_of(e.course).order_by("path")[2]
print(json.dumps({"session": s.session_key, "course": e.course.url, "lesson": lesson.url}))
"""


def run() -> list[dict]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    scale = os.environ.get("BENCH_SCALE", "small")
    connections = int(os.environ.get("BENCH_CONNECTIONS", "10"))
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    workers = os.cpu_count() or 2
    env = _environment()
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "generate_bench_data", "--scale", scale)
    _manage(env, "collectstatic", "--no-input", "-v0")
    target = json.loads(_manage(env, "shell", "-c", SESSION_SCRIPT).strip().splitlines()[-1])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "lms.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--lifespan", "off",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rows = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/courses/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        cookie = f"Cookie: sessionid={target['session']}"
        scenarios = [
            ("anonymous catalogue", "/courses/", None),
            ("course outline (enrolled learner)", target["course"], cookie),
            ("lesson page (enrolled learner)", target["lesson"], cookie),
            ("dashboard (learner)", "/dashboard/", cookie),
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        for name, path, header in scenarios:
            command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script.name]
            if header:
                command += ["-H", header]
            output = subprocess.run(
                [*command, base + path], capture_output=True, text=True, check=True
            ).stdout
            figures = json.loads(output.split("WRK ", 1)[1].splitlines()[0])
            rows.append(
                {
                    "scenario": f"{name} [{scale}]",
                    "size": f"c={connections}, {workers} workers",
                    "runs": figures["requests"],
                    "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
                    "p50_ms": round(figures["p50"] / 1000, 1),
                    "p95_ms": round(figures["p95"] / 1000, 1),
                    "p99_ms": round(figures["p99"] / 1000, 1),
                    "errors": figures["errors"] + figures["non2xx"],
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    return rows
