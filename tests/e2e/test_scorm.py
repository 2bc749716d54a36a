"""SCORM in a real browser: the fixtures' RuntimeBasicCalls packages (1.2 and 2004) run in
the player, are clicked through, suspended, resumed in a new page and finished; what the
server stored is read back through `manage.py shell`."""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"
COURSE = "FIA-THB-101"  # seed_demo enrols the demo officer in it

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the shared test material is not here ({SHARED} is missing)"
)

STATE = """
import json
from courses.models import ScormAttempt
a = ScormAttempt.objects.filter(package_id={pid}, user__username="officer").order_by("-number").first()
print(json.dumps(a and {{"number": a.number, "session": a.session, "state": a.state,
  "completion": a.completion_status, "success": a.success_status, "score_raw": a.score_raw,
  "lesson_status": a.lesson_status, "suspended": a.suspended, "interactions": a.interactions.count()}}))
"""  # noqa: E501


def _import(live_site, relative: str) -> int:
    output = live_site.manage("import_scorm", "--course", COURSE, str(SHARED / relative))
    live_site.manage(
        "shell", "-c",
        "from courses.models import CoursePage, Enrolment; from lms.models import User;"
        "from courses.services import enrolment_create;"
        f"enrolment_create(user=User.objects.get(username='officer'), "
        f"course=CoursePage.objects.get(code='{COURSE}'), source=Enrolment.Source.BULK)",
    )  # fmt: skip
    return int(re.search(r"package (\d+)", output).group(1))


def _stored(live_site, pid: int, until=lambda s: True, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        output = live_site.manage("shell", "-c", STATE.format(pid=pid)).strip()
        data = json.loads(output.splitlines()[-1])
        if data and until(data):
            return data
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not store what was expected: {data}")
        time.sleep(0.5)


def _open(new_page, pid: int):
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "resume?" / "save your progress?"
    sign_in(page, "officer")
    page.goto(f"/learn/{COURSE}/scorm/{pid}/")
    # the player frames the runtime page (the API), which frames the SCO
    sco = page.frame_locator("#scorm-frame").frame_locator("#sco-frame")
    sco.locator("#butNext").wait_for()
    return page, sco


def _runtime(page):
    """The runtime page's frame, where the SCO finds the API."""
    return page.locator("#scorm-frame").element_handle().content_frame()


@pytest.mark.parametrize(
    ("relative", "names"),
    [
        ("scorm12/RuntimeBasicCalls_SCORM12.zip",
         {"location": "cmi.core.lesson_location", "exit": "cmi.core.exit",
          "entry": "cmi.core.entry"}),
        ("scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip",
         {"location": "cmi.location", "exit": "cmi.exit", "entry": "cmi.entry"}),
    ],
)  # fmt: skip
def test_runtime_basic_calls_suspend_resume_and_finish(live_site, new_page, relative, names):
    pid = _import(live_site, relative)

    # given a learner who reads two pages and leaves, saving the progress
    page, sco = _open(new_page, pid)
    initialize = "API.LMSInitialize" if "SCORM12" in relative else "API_1484_11.Initialize"
    assert _runtime(page).evaluate(f"typeof window.{initialize}") == "function"
    sco.locator("#butNext").click()
    sco.locator("#butNext").click()
    sco.locator("#butExit").click()

    stored = _stored(live_site, pid, until=lambda s: s["state"].get(names["exit"]) == "suspend")
    assert stored["state"][names["location"]] == "2"
    assert stored["suspended"] is True
    assert stored["completion"] == "incomplete"
    page.close()

    # when they come back in a new page
    page, sco = _open(new_page, pid)
    resumed = _stored(live_site, pid, until=lambda s: s["session"] == 2)
    assert resumed["number"] == 1
    assert resumed["state"][names["entry"]] == "resume"
    assert sco.locator("#contentFrame").get_attribute("src").endswith("Playing/Scoring.html")

    # then they go to the end, take the test and exit
    for _n in range(12):
        sco.locator("#butNext").click()
    test = sco.frame_locator("#contentFrame")
    test.locator("input[type=button][value='Submit Answers']").click()
    sco.locator("#butExit").click()

    done = _stored(
        live_site,
        pid,
        until=lambda s: s["score_raw"] is not None and s["state"].get(names["exit"]) != "suspend",
    )
    assert done["completion"] == "completed"
    assert done["success"] in ("passed", "failed")
    page.close()


def test_the_player_shows_when_it_is_offline_and_sends_later(live_site, new_page):
    pid = _import(live_site, "scorm12/RuntimeBasicCalls_SCORM12.zip")
    page, sco = _open(new_page, pid)
    status = page.locator("#scorm-status")

    page.context.set_offline(True)
    sco.locator("#butNext").click()
    _runtime(page).evaluate("window.API.LMSCommit('')")
    # (a locator assertion, not wait_for_function: the page's CSP forbids string evaluation)
    expect(status).to_have_attribute("data-state", "offline")
    assert page.locator("#scorm-offline").is_visible()
    page.context.set_offline(False)

    expect(status).to_have_attribute("data-state", "saved", timeout=70_000)
    assert status.get_attribute("data-state") == "saved"
    stored = _stored(
        live_site, pid, until=lambda s: s["state"].get("cmi.core.lesson_location") == "1"
    )
    assert stored["state"]["cmi.core.lesson_location"] == "1"
