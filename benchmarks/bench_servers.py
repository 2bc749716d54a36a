"""ASGI servers side by side (issue #9: choose the production server by measurement).

Runs only when asked: `make bench BENCH_ARGS=servers`. Each server serves the same site
(the small data set of bench_http, BENCH_SERVERS_SCALE to change it) with the worker count
of docker/Dockerfile, DEBUG off, PostgreSQL and Redis as in bench_http, and takes the
anonymous catalogue and the course outline of BEN-SHOWCASE (65 activities, an enrolled
learner) at BENCH_CONNECTIONS (10) connections for BENCH_SECONDS (8) seconds each.

None of them writes an access log line per request (uvicorn's default does: the others'
do not), so that the figures compare the servers, not their logging.

Servers (BENCH_SERVERS, comma-separated; those not installed are reported and skipped):
- uvicorn: uvicorn with its own worker processes (httptools, uvloop), as the Dockerfile;
- gunicorn: gunicorn managing uvicorn workers (the uvicorn-worker package);
- granian: granian's Rust HTTP server, ASGI interface without lifespan;
- daphne: Channels' server, one process (it has no worker option; not in the default list).
"""

import shutil
import sys
from pathlib import Path

from benchmarks.http_harness import (
    Scenario,
    Server,
    Site,
    dockerfile_command,
    free_port,
    log,
    measure,
    setting,
    workers_of,
    wrk_path,
)

ON_REQUEST = True  # benchmarks/run.py runs it only when named
APP = "lms.asgi:application"


def _bin(name: str) -> str | None:
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else shutil.which(name)


def commands(port: int, workers: int) -> dict[str, list[str] | str]:
    """Each server's command, or why it cannot run."""
    host = ["--host", "127.0.0.1", "--port", str(port)]
    out: dict[str, list[str] | str] = {}
    uvicorn = _bin("uvicorn")
    out["uvicorn"] = (
        [uvicorn, APP, *host, "--workers", str(workers), "--lifespan", "off", "--no-access-log"]
        if uvicorn
        else "uvicorn is not installed"
    )
    gunicorn = _bin("gunicorn")
    try:
        import uvicorn_worker  # noqa: F401

        worker = "uvicorn_worker.UvicornWorker"
    except ImportError:
        worker = "uvicorn.workers.UvicornWorker"
    out["gunicorn"] = (
        [
            gunicorn,
            APP,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker,
        ]
        if gunicorn
        else "gunicorn is not installed (pip install gunicorn uvicorn-worker)"
    )
    granian = _bin("granian")
    out["granian"] = (
        [granian, "--interface", "asginl", *host, "--workers", str(workers), APP]
        if granian
        else "granian is not installed (pip install granian)"
    )
    daphne = _bin("daphne")
    out["daphne"] = (
        [daphne, "-b", "127.0.0.1", "-p", str(port), APP] if daphne else "daphne is not installed"
    )
    return out


def run() -> list[dict]:
    wrk_path()
    names = setting("BENCH_SERVERS", "uvicorn,gunicorn,granian").split(",")
    scale = setting("BENCH_SERVERS_SCALE", "small")
    workers = workers_of(dockerfile_command())
    log(f"bench_servers: preparing the {scale} site…")
    site = Site.prepare(scale)
    learner = site.setup["learners"][0]
    scenarios = [
        Scenario("anonymous catalogue", [("GET", "/courses/", {}, None)]),
        Scenario(
            "course outline (65 activities, enrolled learner)",
            [("GET", site.setup["course"], {"Cookie": f"sessionid={learner}"}, None)],
        ),
    ]
    rows = []
    for name in names:
        port = free_port()
        command = commands(port, workers).get(name.strip(), f"unknown server {name!r}")
        size = "1 process" if name == "daphne" else f"{workers} workers"
        if isinstance(command, str):
            rows.append({"scenario": "server comparison", "server": name, "note": command})
            continue
        try:
            with Server(command, site.env, port, name) as server:
                for scenario in scenarios:
                    log(f"bench_servers: {name}: {scenario.name}")
                    label = {"scale": scale, "server": name, "size": size}
                    rows.append(measure(server.base, scenario, label=label))
        except RuntimeError as error:
            rows.append({"scenario": "server comparison", "server": name, "note": str(error)[:160]})
    return rows
