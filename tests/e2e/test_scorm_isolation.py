"""SCORM content isolated on its own origin, in a real browser.

A second server on the live site's database runs with SCORM_CONTENT_ORIGIN set: the
platform is http://127.0.0.1:PORT, package files come from http://localhost:PORT (another
origin: another host name of the same server). The learner runs the fixtures'
RuntimeBasicCalls packages (SCORM 1.2 and 2004) to the end; the values reach the server
through the player's postMessage channel, while inside the SCO the platform's cookies are
not there and the player page cannot be reached. What a SCO sets as the tab closes reaches
the server too (the runtime frame's own last commit, with its launch's commit key), in
this mode and in the same-origin one.
"""

import contextlib
import io
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

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


# --- Values set as the tab closes ---------------------------------------------------------
# A SCO written here that saves its progress the way many do: as its page goes away
# (pagehide), it sets the bookmark and exit (and, in SCORM 2004, its shared notes bucket,
# adl.data), and terminates. Nothing is set before.
CLOSING_SCO = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Closing</title>
<script>
var win = window.parent, found = null;
for (var i = 0; win && i < 10 && !found; i++) {
  if (win.API_1484_11) found = { is2004: true, api: win.API_1484_11 };
  else if (win.API) found = { is2004: false, api: win.API };
  else if (win.parent === win) break;
  else win = win.parent;
}
var api = found.api, is2004 = found.is2004;
function set(element, value) {
  return is2004 ? api.SetValue(element, value) : api.LMSSetValue(element, value);
}
if ((is2004 ? api.Initialize("") : api.LMSInitialize("")) !== "true") throw new Error("no API");
window.saveNotes = function (text) { return set("cmi.suspend_data", text); };
window.addEventListener("pagehide", function () {
  set(is2004 ? "cmi.location" : "cmi.core.lesson_location", "left-as-the-tab-closed");
  set(is2004 ? "cmi.exit" : "cmi.core.exit", "suspend");
  if (is2004 && api.GetValue("adl.data.0.id") === "fia.test.closing.notes") {
    set("adl.data.0.store", "shared notes at close");
  }
  if (is2004) api.Terminate(""); else api.LMSFinish("");
});
</script></head>
<body><p id="ready">Ready</p></body></html>
"""

CLOSING_MANIFESTS = {
    "2004": """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="fia.test.closing.2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org" adlcp:sharedDataGlobalToSystem="false"><title>Closing</title>
    <item identifier="item_closing" identifierref="res"><title>Closing</title>
      <adlcp:data><adlcp:map targetID="fia.test.closing.notes"/></adlcp:data></item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormType="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>""",
    "1.2": """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="fia.test.closing.12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Closing</title>
    <item identifier="item_closing" identifierref="res"><title>Closing</title></item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>""",
}


BUCKET = """
from courses.models import ScormSharedData
row = ScormSharedData.objects.filter(user__username="officer", package_id={pid})
print(row.values_list("value", flat=True).first())
"""


def _closing_package(tmp_path, version: str):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", CLOSING_MANIFESTS[version])
        archive.writestr("index.html", CLOSING_SCO)
    path = tmp_path / f"closing-{version}.zip"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize(
    ("mode", "version", "leave"),
    [
        ("content-origin", "2004", "close"),
        ("content-origin", "1.2", "navigate"),
        ("same-origin", "2004", "navigate"),
        ("same-origin", "1.2", "close"),
    ],
)
def test_values_set_as_the_tab_closes_reach_the_server(
    request, live_site, new_page, tmp_path, mode, version, leave
):
    pid = _import(live_site, str(_closing_package(tmp_path, version)))
    site = request.getfixturevalue("isolated_site") if mode == "content-origin" else live_site
    names = (
        {"location": "cmi.location", "exit": "cmi.exit"}
        if version == "2004"
        else {"location": "cmi.core.lesson_location", "exit": "cmi.core.exit"}
    )

    # given a learner in the module, who types a note the SCO keeps (no commit)
    page = new_page(base_url=site.url)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "officer")
    page.goto(f"/learn/{COURSE}/scorm/{pid}/")
    page.frame_locator("#scorm-frame").frame_locator("#sco-frame").locator("#ready").wait_for()
    sco = _frame(page, "#scorm-frame", "#sco-frame")
    assert sco.evaluate("() => window.saveNotes('typed just before closing')") == "true"

    # when they close the tab (or leave the page) at once; the SCO saves as its page goes
    if leave == "close":
        page.close(run_before_unload=True)
    else:
        page.goto("/dashboard/")

    # then everything the SCO set, before and while closing, is stored
    stored = _stored(
        live_site,
        pid,
        until=lambda s: s["state"].get(names["location"]) == "left-as-the-tab-closed",
    )
    assert stored["state"]["cmi.suspend_data"] == "typed just before closing"
    assert stored["state"][names["exit"]] == "suspend"
    assert stored["suspended"] is True
    if version == "2004":  # the shared data bucket the SCO wrote as it closed
        bucket = live_site.manage("shell", "-c", BUCKET.format(pid=pid)).strip().splitlines()[-1]
        assert bucket == "shared notes at close"
