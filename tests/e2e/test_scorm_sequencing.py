"""SCORM packages of several items in a real browser: the fixtures' ContentPackagingOneFilePerSCO
(SCORM 1.2 and 2004: the table of contents, Next) and SequencingForcedSequential (SCORM 2004
sequencing: an item that is not available yet cannot be chosen, from the contents or by a
request sent to the server; it opens once the one before is passed). What the server
stored is read back through `manage.py shell`."""

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

STORED = """
import json
from courses.models import ScormAttempt, ScormSequencing
attempts = {{a.sco: {{"completion": a.completion_status, "success": a.success_status,
                       "lesson_status": a.lesson_status, "number": a.number}}
            for a in ScormAttempt.objects.filter(package_id={pid}, user__username="officer")
            .order_by("number")}}
row = ScormSequencing.objects.filter(package_id={pid}, user__username="officer").first()
print(json.dumps({{"attempts": attempts, "sequencing": row.state if row else None}}))
"""


def _import(live_site, relative: str) -> int:
    output = live_site.manage("import_scorm", "--course", COURSE, str(SHARED / relative))
    return int(re.search(r"package (\d+)", output).group(1))


def _stored(live_site, pid: int, until=lambda s: True, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        output = live_site.manage("shell", "-c", STORED.format(pid=pid)).strip()
        data = json.loads(output.splitlines()[-1])
        if until(data):
            return data
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not store what was expected: {data}")
        time.sleep(0.5)


def _open(new_page, pid: int):
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the golf SCOs' "resume?" prompt
    sign_in(page, "officer")
    page.goto(f"/learn/{COURSE}/scorm/{pid}/")
    return page


def _toc(page, item: str):
    return page.locator(f'#scorm-toc button[data-item="{item}"]')


def _showing(page, item: str) -> None:
    expect(page.locator("#scorm-frame")).to_have_attribute("data-item", item)


def test_one_file_per_sco_12_through_the_contents_and_next(live_site, new_page):
    pid = _import(live_site, "scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip")
    page = _open(new_page, pid)
    _showing(page, "playing_playing_item")

    _toc(page, "etiquette_course_item").click()
    _showing(page, "etiquette_course_item")
    expect(page.frame_locator("#scorm-frame").locator("#sco-frame")).to_have_attribute(
        "src", re.compile("Course.html$")
    )
    page.locator("#scorm-next").click()
    _showing(page, "etiquette_distracting_item")
    page.locator("#scorm-previous").click()
    _showing(page, "etiquette_course_item")

    stored = _stored(live_site, pid, until=lambda s: len(s["attempts"]) == 3)
    for item in ("playing_playing_item", "etiquette_course_item", "etiquette_distracting_item"):
        assert stored["attempts"][item]["lesson_status"] == "completed"  # assets: opened
    assert stored["sequencing"] is None  # SCORM 1.2 has no sequencer


def test_one_file_per_sco_2004_is_navigated_by_the_contents(live_site, new_page):
    pid = _import(live_site, "scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition.zip")
    page = _open(new_page, pid)
    _showing(page, "playing_playing_item")  # no flow at the root: the first item opens
    expect(page.locator("#scorm-next")).to_be_disabled()  # no flow: no Next

    _toc(page, "handicapping_example_item").click()
    _showing(page, "handicapping_example_item")
    expect(page.locator("#scorm-toc li[data-item='playing_playing_item'].is-done")).to_have_count(1)

    stored = _stored(
        live_site,
        pid,
        until=lambda s: (s["sequencing"] or {}).get("current") == "handicapping_example_item",
    )
    activities = stored["sequencing"]["activities"]
    assert activities["playing_playing_item"]["completed"] is True  # ended: assets complete
    assert activities["handicapping_example_item"]["active"] is True
    assert stored["attempts"]["playing_playing_item"]["completion"] == "completed"


def test_forced_sequential_refuses_a_choice_until_the_previous_sco_is_passed(live_site, new_page):
    pid = _import(live_site, "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip")
    page = _open(new_page, pid)
    _showing(page, "playing_item")
    sco = page.frame_locator("#scorm-frame").frame_locator("#sco-frame")
    sco.locator("#butNext").wait_for()

    # the next SCO is shown but cannot be chosen, and the server refuses it as well
    expect(_toc(page, "etuqiette_item")).to_be_disabled()
    expect(page.locator("#scorm-next")).to_be_disabled()
    status, detail = page.evaluate(
        """async () => {
          const config = JSON.parse(document.getElementById("scorm-config").textContent);
          const response = await fetch(config.launchUrl, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": config.csrfToken},
            body: JSON.stringify({request: "choice", target: "etuqiette_item"})});
          return [response.status, (await response.json()).detail];
        }"""
    )
    assert status == 409 and "not available" in detail
    assert page.evaluate("window.fiaScormPlayer.request('choice', 'handicapping_item')") is False
    _showing(page, "playing_item")  # the open SCO was left alone

    # when the learner reads the SCO to its end, it passes and the next one opens
    for _page in range(4):
        sco.locator("#butNext").click()
    expect(_toc(page, "etuqiette_item")).to_be_enabled(timeout=15_000)
    expect(_toc(page, "handicapping_item")).to_be_disabled()
    expect(page.locator("#scorm-next")).to_be_enabled()
    _toc(page, "etuqiette_item").click()
    _showing(page, "etuqiette_item")
    expect(page.locator("#scorm-next")).to_be_disabled()  # Handicapping is not available yet

    stored = _stored(
        live_site, pid, until=lambda s: (s["sequencing"] or {}).get("current") == "etuqiette_item"
    )
    playing = stored["attempts"]["playing_item"]
    assert (playing["completion"], playing["success"]) == ("completed", "passed")
    assert stored["sequencing"]["globals"][
        "com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied"
    ] == {"satisfied": True}
    assert stored["sequencing"]["activities"]["playing_item"]["suspended"] is True

    # going back is allowed, and the suspended SCO resumes where it was
    page.locator("#scorm-previous").click()
    _showing(page, "playing_item")
    expect(sco.locator("#contentFrame")).to_have_attribute(
        "src", re.compile("RulesOfGolf.html$"), timeout=15_000
    )
