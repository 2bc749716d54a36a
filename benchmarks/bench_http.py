"""The HTTP scenarios of issue #9 at the small and the large scale, against a server started
the production way (docker/Dockerfile's ASGI server and worker count, DEBUG off, PostgreSQL
and Redis on 127.0.0.1). Settings, databases and load: benchmarks/http_harness.py.

    make bench BENCH_ARGS=http                       # both scales, 8 s per scenario
    BENCH_SCALE=small BENCH_SECONDS=2 make bench BENCH_ARGS=http   # a quick check

Scenarios (signed-in ones as learners of BEN-SHOWCASE, 65 lessons, 300 learners, unless said):

- anonymous catalogue: GET /courses/ without a session;
- signed-in dashboard: GET /dashboard/, cycling over 50 learners;
- course outline (65 activities): the showcase course page for enrolled learners;
- lesson page: a lesson of it (each view is recorded);
- quiz attempt page (10 questions, one page): an attempt in progress of each learner;
- quiz autosave: PUT /api/v1/attempts/{id}/responses with the ten responses, alternating
  two answers so that every save writes, over 100 attempts (session and CSRF token, as the
  attempt page's script sends them);
- quiz submit: POST /api/v1/attempts/{id}/submit, each of the prepared attempts once
  (grading and storing the result);
- gradebook: the showcase course's 300 learners x 3 quizzes, for its trainer;
- certificate verification: GET /api/v1/certificates/{code}, cycling over every code;
- training proposal with conflict detection: POST /api/v1/trainings as a partner
  coordinator (bearer token from POST /api/v1/auth/token), clashing with a scheduled
  training of the same course and dates: 409 with the conflicts (201 accepted too).

SCORM commits and the live chat fan-out are in bench_scorm.py and bench_live.py.
"""

import json
import os
import secrets
import time

from benchmarks.http_harness import (
    DATA,
    ROOT,
    Scenario,
    Server,
    Site,
    database_ensure,
    dockerfile_command,
    free_port,
    log,
    measure,
    production_command,
    request,
    scales,
    workers_of,
    wrk_path,
)
from benchmarks.http_harness import free_port as _free_port  # bench_scorm imports these
from benchmarks.http_harness import manage as _manage


def _environment(name: str = "scorm") -> dict[str, str]:
    """A server environment for the benchmark modules that make their own data and start
    their own server (bench_scorm): PostgreSQL and Redis as the HTTP scenarios have them,
    the database named after the module (BENCH_DATABASE_URL with `_scorm` added, made
    from the migrated template the first time)."""
    DATA.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(DATA / "static"),
        "MEDIA_ROOT": str(DATA / "media"),
        "LOG_LEVEL": "WARNING",
    }
    env["DATABASE_URL"] = database_ensure(name, env)
    return env


__all__ = ["ROOT", "_environment", "_free_port", "_manage", "run"]


def scenarios(site: Site, base: str) -> list[Scenario]:
    setup = site.setup
    csrf = setup["csrf"]

    def page(key: str) -> dict:
        return {"Cookie": f"sessionid={key}"}

    def api(key: str) -> dict:
        return {
            "Cookie": f"sessionid={key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
        }

    learners = setup["learners"]
    status, body = request(
        base,
        "POST",
        "/api/v1/auth/token",
        {"Content-Type": "application/json"},
        json.dumps(setup["partner"]),
    )
    partner = json.loads(body)["token"] if status == 200 else "none"
    autosave = [
        ("PUT", f"/api/v1/attempts/{a['id']}/responses", api(a["session"]), body)
        for n in range(2)
        for a in setup["autosave"]
        for body in [a["bodies"][n]]
    ]
    return [
        Scenario("anonymous catalogue", [("GET", "/courses/", {}, None)]),
        Scenario(
            "dashboard (learner)",
            [("GET", "/dashboard/", page(key), None) for key in learners],
            size=f"{len(learners)} learners",
        ),
        Scenario(
            "course outline (65 activities, enrolled learner)",
            [("GET", setup["course"], page(key), None) for key in learners],
            size=f"{setup['showcase_lessons']} lessons",
        ),
        Scenario(
            "lesson page (enrolled learner)",
            [("GET", setup["lesson"], page(key), None) for key in learners],
        ),
        Scenario(
            "quiz attempt page (10 questions)",
            [
                ("GET", f"/quizzes/attempts/{a['id']}/", page(a["session"]), None)
                for a in setup["attempt_pages"]
            ],
            size=f"{len(setup['attempt_pages'])} attempts",
        ),
        Scenario("quiz autosave (10 responses)", autosave, size=f"{len(autosave) // 2} attempts"),
        Scenario(
            "quiz submit (grade and store)",
            [
                ("POST", f"/api/v1/attempts/{a['id']}/submit", api(a["session"]), "{}")
                for a in setup["submit"]
            ],
            probe=False,
            warmup=False,
            once=True,
            size=f"{len(setup['submit'])} attempts, once each",
        ),
        Scenario(
            "gradebook (trainer)",
            [("GET", setup["gradebook"], page(setup["trainer"]), None)],
            size=f"{setup['learners_in_showcase']} learners x 3 quizzes",
        ),
        Scenario(
            "certificate verification (API)",
            [("GET", f"/api/v1/certificates/{code}", {}, None) for code in setup["certificates"]],
            optional=True,
            size=f"{len(setup['certificates'])} codes",
        ),
        Scenario(
            "training proposal with conflict check (API)",
            [
                (
                    "POST",
                    "/api/v1/trainings",
                    {"Authorization": f"Bearer {partner}", "Content-Type": "application/json"},
                    json.dumps(setup["proposal"]),
                )
            ],
            expected=(201, 409),
            optional=True,
            size="201 or 409",
        ),
    ]


def run() -> list[dict]:
    wrk_path()
    rows = []
    workers = workers_of(dockerfile_command())
    server_name = dockerfile_command()[0]
    for scale in scales():
        log(f"bench_http: preparing the {scale} site…")
        site = Site.prepare(scale)
        log(
            "bench_http: "
            + ", ".join(f"{name} {value:.0f} s" for name, value in site.timings.items())
        )
        port = free_port()
        started = time.monotonic()
        with Server(production_command(port), site.env, port, server_name) as server:
            log(f"bench_http: {server_name} ready in {time.monotonic() - started:.0f} s")
            for scenario in scenarios(site, server.base):
                log(f"bench_http: {scale}: {scenario.name} ({time.monotonic() - started:.0f} s)")
                label = {"scale": scale, "server": f"{server_name} x{workers}"}
                rows.append(measure(server.base, scenario, label=label))
    return rows
