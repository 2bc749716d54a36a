"""Private services for the fault tests: a Redis server, a PostgreSQL cluster and the ASGI
server, each on a free port of 127.0.0.1 in a temporary folder, started and stopped by the
tests (never the shared instances on 5432 and 6379). Every wait has a deadline."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = os.environ.get("FAULTS_REDIS_SERVER", "/usr/bin/redis-server")
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something true; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def _stop(process: subprocess.Popen | None, *, grace: float = 10) -> None:
    """Terminate a process (and its process group, when it leads one), then kill it."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- Redis -----------------------------------------------------------------------------------
class RedisServer:
    """A redis-server of our own, without persistence; `kill()` and `start()` again keep
    the port (a restart after a crash, with everything that was in memory gone)."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_until(self.ping, timeout=10, what="redis-server to answer")

    def kill(self) -> None:
        """SIGKILL: a crash, not a shutdown."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        _stop(self.process)


# --- PostgreSQL ------------------------------------------------------------------------------
def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresCluster:
    """A cluster of our own (initdb in a temporary folder), trust authentication for
    127.0.0.1, fsync off. `restart()` is `pg_ctl restart -m fast`: every connection of
    every client is cut."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="lms-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.data, self.port = self.folder / "data", free_port()
        self.log = self.folder / "postgres.log"
        self.running = False

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run(
            _as_postgres(list(command)), capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync", timeout=120)  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o",
                  options, "-w", "-t", "60", "start", timeout=90)  # fmt: skip
        self.running = True

    def restart(self) -> None:
        # -l: without a log file the new postmaster would keep our output pipe open.
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m",
                  "fast", "-w", "-t", "60", "restart", timeout=90)  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        if self.running:
            with contextlib.suppress(Exception):
                self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode,
                          "-w", "stop", timeout=60)  # fmt: skip
            self.running = False

    def psql(self, sql: str, *, database: str = "postgres", stdin: Path | None = None) -> str:
        command = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                   "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt"]  # fmt: skip
        command += ["-f", str(stdin)] if stdin else ["-c", sql]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def dump(self, database: str, target: Path) -> None:
        command = [str(PG_BIN / "pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                   "postgres", "--no-owner", "-f", str(target), database]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


# --- The platform ----------------------------------------------------------------------------
def site_environment(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of a server (or management command) of the platform: the real
    settings module, nothing from the test settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "lms.settings",
            "REDIS_URL": "",  # unless the test gives its own: not the shared one
            "DEBUG": "true",
            "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(settings)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def production_command(port: int, workers: int) -> list[str]:
    """docker/Dockerfile's server command on 127.0.0.1:`port` with `workers` workers."""
    import json
    import re

    text = re.sub(r"\\\n\s*", " ", (ROOT / "docker" / "Dockerfile").read_text())
    command = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, re.MULTILINE).group(1))
    assert command[0] == "uvicorn", f"the Dockerfile's server is {command[0]}, not uvicorn"
    values = {"--host": "127.0.0.1", "--port": str(port), "--workers": str(workers)}
    out = [sys.executable, "-m", "uvicorn"]
    rest = iter(command[1:])
    for arg in rest:
        out.append(arg)
        if arg in values:
            out.append(values.pop(arg))
            next(rest)
    for flag, value in values.items():
        out += [flag, value]
    return [*out, "--no-access-log"]


class AsgiServer:
    """The platform's ASGI server, started the Dockerfile's way (uvicorn, `workers`
    worker processes under one master when more than one)."""

    def __init__(self, env: dict[str, str], folder: Path, *, workers: int = 1):
        self.env, self.folder, self.workers = env, folder, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        with (self.folder / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                production_command(self.port, self.workers),
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.log()}")
            return self.get("/accounts/login/")[0] == 200 and (
                self.workers == 1 or len(self.worker_pids()) == self.workers
            )

        wait_until(ready, timeout=timeout, what="the ASGI server", interval=0.3)

    def get(self, path: str, *, timeout: float = 10, headers: dict | None = None):
        return fetch(self.base + path, timeout=timeout, headers=headers)

    def worker_pids(self) -> list[int]:
        """The worker processes under uvicorn's master (not its resource tracker)."""
        if self.process is None:
            return []
        found = []
        with contextlib.suppress(OSError):
            for tid in os.listdir(f"/proc/{self.process.pid}/task"):
                path = f"/proc/{self.process.pid}/task/{tid}/children"
                with contextlib.suppress(OSError), open(path) as children:
                    found += [int(pid) for pid in children.read().split()]
        workers = []
        for pid in found:
            with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"spawn_main" in cmdline.read():
                    workers.append(pid)
        return sorted(workers)

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def log_contains(self, text: str) -> bool:
        path = self.folder / "server.log"
        return path.exists() and text in path.read_text(errors="replace")

    def stop(self) -> None:
        _stop(self.process)


def fetch(url: str, *, method: str = "GET", body: bytes | None = None, headers=None, timeout=10):
    """(status, body); status 0 when there was no HTTP answer at all (refused, reset)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, http.client.HTTPException) as error:
        return 0, str(error).encode()


# --- Which worker serves a connection ---------------------------------------------------------
def _inodes_by_peer_port(server_port: int) -> dict[int, str]:
    """Socket inodes of the server side of TCP connections to `server_port`, by the
    client's port (from /proc/net/tcp)."""
    found = {}
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.split(":")[1], 16) == server_port:
                found[int(remote.split(":")[1], 16)] = inode
    return found


def serving_pid(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The process (of `pids`) holding the server side of the connection from
    `client_port`."""
    inode = _inodes_by_peer_port(server_port).get(client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
    return None
