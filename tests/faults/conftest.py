"""Fault tests (issue #10): parts of the platform are killed and restarted while people
work, and nothing they did may be lost.

Each test starts what it needs on free ports of 127.0.0.1: a Redis server, a PostgreSQL
cluster, the ASGI server as the Dockerfile runs it. They are marked `faults` (and `slow`)
and run on the default path (`make test`, no DATABASE_URL) only: they depend on no shared
service, so CI's PostgreSQL pass would only repeat them. Each is skipped, with the reason,
when the binary it needs is missing (FAULTS_REDIS_SERVER, default /usr/bin/redis-server;
FAULTS_PG_BIN, default /usr/lib/postgresql/15/bin). The body of each test is stopped after
`CALL_SECONDS` whatever happens, and every process it started is stopped with it.

The live tests copy the (migrated) SQLite test database; the PostgreSQL test migrates its
own cluster in the background while the others run, and keeps a dump of it under
test-artifacts/faults/ for the next run. Each test's figures (outage, retries, failures,
what was kept) are written there too and printed at the end of the run.
"""

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import signal
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.faults import seed
from tests.faults.harness import (
    PG_BIN,
    REDIS_SERVER,
    ROOT,
    PostgresCluster,
    manage,
    site_environment,
)

HERE = Path(__file__).resolve().parent
CALL_SECONDS = 90  # the longest a test's body may run
CACHE = ROOT / "test-artifacts" / "faults"  # migrated PostgreSQL dumps, by migrations' hash


def _is_mine(item) -> bool:
    return Path(str(item.fspath)).resolve().parent == HERE


def _postgres_missing() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL binaries in {PG_BIN}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run initdb as"
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    mine = [n for n, item in enumerate(items) if _is_mine(item)]
    pass_reason = None
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pass_reason = (
            "fault tests run once, on the default path (no DATABASE_URL): they start their "
            "own Redis, PostgreSQL and servers, so the PostgreSQL pass would only repeat them"
        )
    for n in mine:
        item = items[n]
        item.add_marker(pytest.mark.faults)
        item.add_marker(pytest.mark.slow)
        if "live_database" in item.fixturenames:  # so that pytest-django makes the test DB
            item.add_marker(pytest.mark.django_db)
        if pass_reason:
            item.add_marker(pytest.mark.skip(reason=pass_reason))
        elif "postgres_site" in item.fixturenames and (reason := _postgres_missing()):
            item.add_marker(pytest.mark.skip(reason=reason))
        elif "redis_server" in item.fixturenames and not Path(REDIS_SERVER).exists():
            item.add_marker(pytest.mark.skip(reason=f"no redis-server at {REDIS_SERVER}"))
    # The PostgreSQL test last: its cluster is made ready in the background meanwhile.
    ordered = sorted((items[n] for n in mine), key=lambda i: "postgres_site" in i.fixturenames)
    for n, item in zip(mine, ordered, strict=True):
        items[n] = item


class CallTimeout(Exception):
    pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Stop a fault test's body after CALL_SECONDS (then again every 5 s, in case the
    first signal lands where it is swallowed): its fixtures then stop what it started."""
    if not _is_mine(item):
        yield
        return

    def expire(signum, frame):
        raise CallTimeout(f"the test ran for more than {CALL_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS, 5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- Private services ------------------------------------------------------------------------
@pytest.fixture
def folder(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def redis_server(folder):
    from tests.faults.harness import RedisServer

    server = RedisServer(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_template(django_db_setup, django_db_blocker, tmp_path_factory) -> tuple[Path, dict]:
    """A SQLite file with the platform's schema (a copy of the test database, which is
    migrated already) and a live session: `coach` and `officer1`…`officer5`."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the live fault tests copy the SQLite test database")
    folder = tmp_path_factory.mktemp("faults-template")
    path = folder / "template.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    env = site_environment(folder, DATABASE_URL=f"sqlite:///{path}")
    return path, seed.parse(manage(env, *seed.seed_command("live", 5), timeout=180))


@pytest.fixture
def live_database(live_template, folder) -> tuple[str, dict]:
    """A fresh copy of the live template for one test: (its DATABASE_URL, the seed)."""
    template, data = live_template
    path = folder / "live.sqlite3"
    shutil.copy(template, path)
    return f"sqlite:///{path}", data


class PostgresSite:
    """A private PostgreSQL cluster with a migrated database and a course (quiz, SCORM
    module, learner), made ready in a background thread: migrating takes half a minute
    of CPU, which the other fault tests use meanwhile. The migrated database is kept as a
    dump under test-artifacts/faults/, named after the migrations, for the next run."""

    NAME = "lms_faults"

    def __init__(self):
        self.cluster = PostgresCluster()
        self.media = self.cluster.folder / "media"
        self.data: dict | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._provision, daemon=True)
        self.provisioned_from = ""

    @property
    def url(self) -> str:
        return self.cluster.url(self.NAME)

    def env(self, **settings: str) -> dict[str, str]:
        return site_environment(
            self.cluster.folder, DATABASE_URL=self.url, MEDIA_ROOT=str(self.media), **settings
        )

    @staticmethod
    def _key() -> str:
        digest = hashlib.sha256()
        made_by = ["tests/faults/seed.py", "tests/factories.py", "courses/demo_scorm.py"]
        made_by += ["tests/assessments/factories.py", "tests/courses/factories.py"]
        for path in [*sorted(ROOT.glob("*/migrations/*.py")), *(ROOT / p for p in made_by)]:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def _provision(self) -> None:
        try:
            self.cluster.init()
            self.cluster.start()
            self.cluster.psql(f"CREATE DATABASE {self.NAME}")
            key = self._key()
            dump, saved = CACHE / f"pg-{key}.sql", CACHE / f"pg-{key}.json"
            if dump.exists() and saved.exists():
                self.cluster.psql("", database=self.NAME, stdin=dump)
                self.data = json.loads(saved.read_text())
                self.provisioned_from = "cached dump"
                return
            manage(self.env(), "migrate", "--no-input", "-v0", timeout=600)
            self.data = seed.parse(manage(self.env(), *seed.seed_command("learning")))
            self.provisioned_from = "migrate"
            with contextlib.suppress(OSError, RuntimeError):
                CACHE.mkdir(parents=True, exist_ok=True)
                for old in CACHE.glob("pg-*"):
                    old.unlink()
                self.cluster.dump(self.NAME, dump)
                saved.write_text(json.dumps(self.data))
        except BaseException as error:  # handed to the test that waits for it
            self.error = error

    def wait(self, timeout: float = 600) -> "PostgresSite":
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise AssertionError(f"the PostgreSQL cluster was not ready after {timeout} s")
        if self.error is not None:
            raise self.error
        return self


@pytest.fixture(scope="session", autouse=True)
def _postgres_provisioning(request):
    """Start the PostgreSQL cluster's provisioning as soon as the first fault test runs,
    when a PostgreSQL fault test is to run too."""
    wanted = any(
        _is_mine(item)
        and "postgres_site" in item.fixturenames
        and item.get_closest_marker("skip") is None
        for item in request.session.items
    )
    site = None
    if wanted:
        site = PostgresSite()
        site.thread.start()
    yield site
    if site is not None:
        site.thread.join(60)
        site.cluster.remove()


@pytest.fixture
def postgres_site(_postgres_provisioning) -> PostgresSite:
    if _postgres_provisioning is None:
        pytest.skip("no PostgreSQL fault test was selected to run")
    return _postgres_provisioning.wait()


@pytest.fixture
def start_server(folder):
    """`start_server(env, workers=1)`: the platform's ASGI server, stopped after the test."""
    from tests.faults.harness import AsgiServer

    servers = []

    def start(env: dict[str, str], *, workers: int = 1) -> AsgiServer:
        server = AsgiServer(env, folder, workers=workers)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


# --- Figures -----------------------------------------------------------------------------------
FIGURES: dict[str, dict] = {}


@pytest.fixture
def figures(request) -> dict:
    """What a test measured (outage, retries, failures, counts of what was kept): written
    to test-artifacts/faults/<test>.json and shown at the end of the run."""
    data: dict = {}
    yield data
    if data:
        FIGURES[request.node.name] = data
        request.node.user_properties.append(("figures", json.dumps(data)))
        with contextlib.suppress(OSError):
            CACHE.mkdir(parents=True, exist_ok=True)
            (CACHE / f"{request.node.name}.json").write_text(json.dumps(data, indent=2) + "\n")


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault tests: figures")
        for name, data in FIGURES.items():
            terminalreporter.line(f"{name}: {json.dumps(data)}")
