"""SCORM content isolated on its own origin, in a real browser.

A second server on the live site's database runs with SCORM_CONTENT_ORIGIN set: the
platform is http://127.0.0.1:PORT, package files come from http://localhost:PORT (another
origin: another host name of the same server). The learner runs the fixtures'
RuntimeBasicCalls packages (SCORM 1.2 and 2004) to the end; the values reach the server
through the player's postMessage channel, while inside the SCO the platform's cookies are
not there and the player page cannot be reached.
"""

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import ROOT, LiveSite, _free_port, sign_in
from tests.e2e.test_scorm import COURSE, SHARED, _import, _stored

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared test material is not here ({SHARED} is missing)"
)


@contextlib.contextmanager
def second_server(live_site, log_dir, **extra_env):
    """Another server on the live site's database and media, with other settings, reached
    at http://127.0.0.1:PORT; SCORM content (by default) at http://localhost:PORT."""
    port = _free_port()
    env = {
        **live_site.env,
        "SCORM_CONTENT_ORIGIN": f"http://localhost:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **extra_env,
    }
    log_path = log_dir / "server.log"
    log = log_path.open("w")
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
    site = LiveSite(f"http://127.0.0.1:{port}", env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(site.url + "/", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the second server did not start:\n" + log_path.read_text()
                    ) from None
                time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def isolated_site(live_site, tmp_path_factory):
    with second_server(live_site, tmp_path_factory.mktemp("isolated")) as site:
        yield site


def _frame(page, *selectors):
    """The Frame object of nested iframes, e.g. ("#scorm-frame", "#sco-frame")."""
    frame = page.main_frame
    for selector in selectors:
        frame = frame.locator(selector).element_handle().content_frame()
    return frame


PROBE = """() => {
  let parentDocument, playerPage;
  try { parentDocument = "read: " + window.parent.parent.document.cookie; }
  catch (e) { parentDocument = "refused: " + e.name; }
  try { playerPage = "read: " + typeof window.top.fiaScormPlayer; }
  catch (e) { playerPage = "refused: " + e.name; }
  return {origin: location.origin, cookie: document.cookie, parentDocument, playerPage,
          api: typeof (window.parent.API || window.parent.API_1484_11)};
}"""


@pytest.mark.parametrize(
    ("relative", "names"),
    [
        ("scorm12/RuntimeBasicCalls_SCORM12.zip",
         {"location": "cmi.core.lesson_location", "exit": "cmi.core.exit"}),
        ("scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip",
         {"location": "cmi.location", "exit": "cmi.exit"}),
    ],
)  # fmt: skip
def test_a_sco_on_the_content_origin_runs_to_the_end_without_the_platform(
    live_site, isolated_site, new_page, relative, names
):
    pid = _import(live_site, relative)
    content_origin = isolated_site.env["SCORM_CONTENT_ORIGIN"]

    # given a learner on the platform's origin, who opens the module
    page = new_page(base_url=isolated_site.url)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "officer")
    page.goto(f"/learn/{COURSE}/scorm/{pid}/")
    sco = page.frame_locator("#scorm-frame").frame_locator("#sco-frame")
    sco.locator("#butNext").wait_for()
    assert "csrftoken=" in page.evaluate("document.cookie")  # the platform's page has it

    # then the runtime page and the SCO come from the content origin, token addresses
    runtime = _frame(page, "#scorm-frame")
    assert runtime.url.startswith(f"{content_origin}/scorm-content/t/")
    assert runtime.url.endswith("/__lms__/runtime.html")
    probe = _frame(page, "#scorm-frame", "#sco-frame").evaluate(PROBE)
    assert probe["origin"] == content_origin
    # and inside the SCO there is no platform cookie, and the player page is out of reach
    assert "csrftoken" not in probe["cookie"] and "sessionid" not in probe["cookie"]
    assert probe["parentDocument"] == "refused: SecurityError"
    assert probe["playerPage"] == "refused: SecurityError"
    assert probe["api"] == "object"  # while the SCO still finds the API in its parent

    # when they read every page, take the test and exit
    for _n in range(14):
        sco.locator("#butNext").click()
    test = sco.frame_locator("#contentFrame")
    test.locator("input[type=button][value='Submit Answers']").click()
    sco.locator("#butExit").click()

    # then what the SCO set reached the server through the player
    done = _stored(
        live_site,
        pid,
        until=lambda s: s["score_raw"] is not None and s["completion"] == "completed",
    )
    assert done["completion"] == "completed"
    assert done["success"] in ("passed", "failed")
    assert done["state"][names["location"]]
    page.close()


def test_the_content_origin_serves_no_platform_page(isolated_site):
    content_origin = isolated_site.env["SCORM_CONTENT_ORIGIN"]
    for path in ("/", "/accounts/login/", "/api/v1/me", "/static/courses/scorm/runtime.js"):
        try:
            urllib.request.urlopen(content_origin + path, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 404, path
        else:
            raise AssertionError(f"{path} was served on the content origin")
    assert urllib.request.urlopen(isolated_site.url + "/accounts/login/", timeout=10).status == 200
