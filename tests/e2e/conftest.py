"""Browser tests: the real ASGI server, started the way `make run` starts it, and Debian's
Chromium driven by Playwright.

The server runs in a subprocess on a free port with its own database: a SQLite file in a
temporary folder, or (when DATABASE_URL points at PostgreSQL, as in CI's second pass) a
fresh `<name>_e2e` database on the same server; REDIS_URL passes through. Screenshots are
saved under test-artifacts/e2e/.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


# Browser tests whose pages talk over WebSockets (`-m websocket` runs them alone).
WEBSOCKET_PAGES = {"test_live.py", "test_scheduling.py"}


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(config, items):
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright for Python is not installed"
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if item.fspath.basename in WEBSOCKET_PAGES:
                item.add_marker(pytest.mark.websocket)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _e2e_database(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'lms'}_e2e"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


class LiveSite:
    def __init__(self, url: str, env: dict[str, str]):
        self.url = url
        self.env = env

    def manage(self, *args: str, timeout: int = 300) -> str:
        """Run a management command against the live site's database."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> LiveSite:
    tmp = tmp_path_factory.mktemp("site")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "DEBUG": "true",
        "DATABASE_URL": _e2e_database(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    port = _free_port()
    site = LiveSite(f"http://127.0.0.1:{port}", env)
    site.manage("migrate", "--no-input")
    site.manage("seed_demo")
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "lms.asgi:application",
            "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(site.url + "/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(
                    "the server did not start:\n" + (tmp / "server.log").read_text()
                ) from None
            time.sleep(0.3)
    yield site
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    shutil.copy(tmp / "server.log", _artifacts() / "server.log")


def _artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in
    # this thread while it is open, and the async tests that run after the browser tests
    # (pytest-asyncio) cannot start their own loop beside it.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_site, request):
    """Opens pages in fresh browser contexts (separate cookies, like separate people).

    Every page is screenshotted into test-artifacts/e2e/ when the test ends, and the test
    fails if the browser refused anything under the Content Security Policy (a page that
    only works with inline script or a foreign resource is a bug).
    """
    contexts = []
    violations: list[str] = []

    def watch(page) -> None:
        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)

    def open_page(*, viewport=None, base_url=None):
        context = browser.new_context(
            base_url=base_url or live_site.url, viewport=viewport or {"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        context.on("page", watch)
        return context.new_page()

    yield open_page
    for n, context in enumerate(contexts):
        for m, page in enumerate(context.pages):
            name = f"{request.node.name}-{n}-{m}.png".replace("/", "_")
            with contextlib.suppress(Exception):  # a screenshot must never fail a test
                page.screenshot(path=_artifacts() / name, full_page=True)
        context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, username: str, password: str = "fia-demo-2026") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_url("**/dashboard/")


def screenshot(page, name: str) -> Path:
    path = _artifacts() / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
