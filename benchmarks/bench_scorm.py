"""SCORM commit round trip: BENCH_SCORM_LEARNERS learners (200) each committing every
BENCH_SCORM_INTERVAL seconds (10), concurrently, for BENCH_SCORM_SECONDS seconds (60).

The server is started as bench_http starts it (docker/Dockerfile's command, DEBUG off,
PostgreSQL: BENCH_DATABASE_URL with `_scorm` added, Redis: BENCH_REDIS_URL). A setup script
makes a course with the demo SCORM 2004 package, the learners (enrolled), a signed-in
session and a session of the SCO launched the way the player launches it (through the
sequencer) for each. wrk then holds one connection per
learner; each sends what the player sends, a commit of a few CMI values with the next
``seq`` of its session, waits the interval (the first wait is random so the learners are
spread over it) and sends the next, on a new connection as a browser does after 10 s
idle (the server keeps idle connections 5 s). The figures are wrk's latency of those requests:
client to stored and back on 127.0.0.1, i.e. the server's time for a commit. Afterwards
the stored ``seq`` of every attempt is checked against the requests wrk completed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from benchmarks.bench_http import _environment, _free_port, _manage
from benchmarks.http_harness import Server, production_command, workers_of

SETUP_SCRIPT = """
import io, json, secrets
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from courses.demo_scorm import passport_package_2004
from courses.models import CatalogueIndexPage, CoursePage, Enrolment, ScormPackage
from courses.scorm.navigation import scorm_navigate
from courses.scorm.services import scorm_package_upload
from courses.services import enrolment_create, site_structure_ensure
from lms.models import User

COUNT = {count}
site_structure_ensure()
course = CoursePage.objects.filter(code="BEN-SCORM").first()
if course is None:
    course = CatalogueIndexPage.objects.first().add_child(instance=CoursePage(
        title="SCORM benchmark", slug="ben-scorm", code="BEN-SCORM", summary="Benchmark."))
package = ScormPackage.objects.filter(course=course).first()
if package is None:
    package = scorm_package_upload(
        course=course, file=io.BytesIO(passport_package_2004()), user=None).package
learners = []
for n in range(COUNT):
    user, made = User.objects.get_or_create(username=f"bench-scorm-{{n:04d}}")
    if made:
        user.set_unusable_password()
        user.save()
        enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    launch = scorm_navigate(user=user, package=package, request="start").launch
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    token = secrets.token_hex(16)
    learners.append({{"cookie": f"sessionid={{store.session_key}}; csrftoken={{token}}",
                      "csrf": token, "attempt": launch.attempt.pk,
                      "session": launch.session}})
print(json.dumps(learners))
"""

STORED_SCRIPT = """
from courses.models import ScormAttempt
print(sum(ScormAttempt.objects.filter(pk__in={ids}).values_list("seq", flat=True)))
"""

# One Lua state per wrk thread; thread t serves the learners t, t + threads, ...
WRK_SCRIPT = """
local learners = {learners}
local threads = {threads}
local interval = {interval}
local counter = 0
local started = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  mine = {{}}
  for i = tid + 1, #learners, threads do
    local l = learners[i]
    l.seq = 0
    mine[#mine + 1] = l
  end
  next_index = 0
  math.randomseed(os.time() + tid)
end

function delay()
  started = started + 1
  if started <= #mine then
    return math.random(0, interval)  -- spread the learners over the interval
  end
  return interval
end

function request()
  next_index = next_index % #mine + 1
  local l = mine[next_index]
  l.seq = l.seq + 1
  local body = string.format(
    '{{"session": %d, "commits": [{{"seq": %d, "values": [["cmi.location", "page-%d"], '
    .. '["cmi.suspend_data", "visited=1,2,3;answers=a,b,c;page=%d"], '
    .. '["cmi.progress_measure", "0.5"]]}}]}}', l.session, l.seq, l.seq, l.seq)
  return wrk.format("POST", "/learn/scorm/attempts/" .. l.attempt .. "/commit", {{
    ["Content-Type"] = "application/json",
    ["Connection"] = "close",
    ["Cookie"] = l.cookie,
    ["X-CSRFToken"] = l.csrf,
  }}, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "WRK {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50\\": %d, \\"p95\\": %d, "
    .. "\\"p99\\": %d, \\"max\\": %d, \\"errors\\": %d, \\"non2xx\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors, summary.errors.status))
end
"""


def _lua_table(learners: list[dict]) -> str:
    rows = [
        f"{{cookie={json.dumps(item['cookie'])}, csrf={json.dumps(item['csrf'])}, "
        f"attempt={int(item['attempt'])}, session={int(item['session'])}}}"
        for item in learners
    ]
    return "{\n  " + ",\n  ".join(rows) + "\n}"


def run() -> list[dict]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    count = int(os.environ.get("BENCH_SCORM_LEARNERS", "200"))
    interval_ms = int(float(os.environ.get("BENCH_SCORM_INTERVAL", "10")) * 1000)
    seconds = int(os.environ.get("BENCH_SCORM_SECONDS", "60"))
    threads = min(4, count)
    env = _environment()
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "collectstatic", "--no-input", "-v0")
    learners = json.loads(
        _manage(env, "shell", "-c", SETUP_SCRIPT.format(count=count)).strip().splitlines()[-1]
    )
    port = _free_port()
    command = production_command(port)
    with Server(command, env, port, name="bench_scorm server") as server:
        script = WRK_SCRIPT.format(
            learners=_lua_table(learners), threads=threads, interval=interval_ms
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(script)
        wrk_command = [
            wrk, f"-t{threads}", f"-c{count}", f"-d{seconds}s", "--timeout", "10s",
            "-s", handle.name, server.base,
        ]  # fmt: skip
        output = subprocess.run(wrk_command, capture_output=True, text=True, check=True).stdout
        figures = json.loads(output.split("WRK ", 1)[1].splitlines()[0])
    ids = [item["attempt"] for item in learners]
    stored = int(_manage(env, "shell", "-c", STORED_SCRIPT.format(ids=ids)).split()[-1])
    errors = figures["errors"] + figures["non2xx"]
    answered = figures["requests"] - errors
    if stored < answered:
        print(f"bench_scorm: {answered} commits answered, only {stored} stored", file=sys.stderr)
        errors += answered - stored
    return [
        {
            "scenario": f"SCORM commit, {count} learners every {interval_ms / 1000:g} s",
            "server": f"{command[0].rsplit('/', 1)[-1]} x{workers_of(command)}",
            "concurrency": count,
            "note": f"{stored} commits stored",
            "runs": figures["requests"],
            "rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
            "p50_ms": round(figures["p50"] / 1000, 1),
            "p95_ms": round(figures["p95"] / 1000, 1),
            "p99_ms": round(figures["p99"] / 1000, 1),
            "max_ms": round(figures["max"] / 1000, 1),
            "errors": errors,
        }
    ]
