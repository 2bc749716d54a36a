"""The live classroom in two browsers: the trainer runs the demo's live session, the
officer joins from another browser; they chat, the officer raises a hand, the trainer
runs a poll and moves the slide and the officer's page follows; the officer's network
drops and comes back with nothing missed; afterwards the attendance report shows both
with their minutes and the officer's course progress counts the attended session."""

import json
import time

from tests.e2e.conftest import screenshot, sign_in

DEMO = """
import json
from courses.models import LessonPage, LessonProgress
from live.demo import demo_session
from live.views import lesson_slides
session = demo_session()
course = session.training.course
done = set(LessonProgress.objects.filter(user__username="officer", completed_at__isnull=False)
           .values_list("lesson", flat=True))
lessons = [l for l in LessonPage.objects.live().descendant_of(course).specific().order_by("path")
           if l.pk not in done and l.completion_rule == "viewed"]
lesson = max(lessons, key=lambda l: min(len(lesson_slides(l)), 2))
print("LIVE " + json.dumps({"session": session.pk, "lesson": lesson.pk, "title": lesson.title,
                            "slides": len(lesson_slides(lesson)), "course": course.code}))
"""


def _demo(live_site) -> dict:
    out = live_site.manage("shell", "-c", DEMO)
    return json.loads(out.split("LIVE ", 1)[1].splitlines()[0])


def _lessons_done(page, code: str) -> int:
    courses = page.evaluate("fetch('/api/v1/me/courses').then(r => r.json())")
    return next(c["lessons_completed"] for c in courses if c["code"] == code)


def test_a_live_session_with_a_trainer_and_an_officer(new_page, live_site):
    demo = _demo(live_site)
    url = f"/live/{demo['session']}/"
    trainer = new_page()
    officer = new_page()
    sign_in(trainer, "trainer")
    sign_in(officer, "officer")
    done_before = _lessons_done(officer, demo["course"])

    # the trainer opens the classroom and starts; the officer joins from another browser
    trainer.goto(url)
    trainer.locator("[data-connection]", has_text="Live").wait_for()
    trainer.get_by_role("button", name="Start session").click()
    trainer.get_by_role("button", name="End session").wait_for()
    started = time.monotonic()
    officer.goto(url)
    officer.locator("[data-connection]", has_text="Live").wait_for()
    trainer.locator("[data-presence]").get_by_text("Bilal Ahmed").wait_for()
    officer.locator("[data-presence]").get_by_text("Sadia Malik").wait_for()
    assert officer.locator("[data-session-state]").inner_text().startswith("Running since")

    # they chat; what people write is shown as text, never as markup
    officer.get_by_label("Message").fill("<b>Salaam</b> from Peshawar")
    officer.get_by_label("Message").press("Enter")
    said = trainer.locator("[data-chat] .live-chat__text", has_text="<b>Salaam</b> from Peshawar")
    said.wait_for()
    assert trainer.locator("[data-chat] b").count() == 0
    trainer.get_by_label("Message").fill("Welcome, Bilal. Open your passport specimen.")
    trainer.get_by_label("Message").press("Enter")
    officer.locator("[data-chat]").get_by_text("Open your passport specimen").wait_for()

    # the officer raises a hand; the trainer sees the queue and lowers it
    officer.get_by_role("button", name="Raise hand").click()
    trainer.locator("[data-hands]").get_by_text("Bilal Ahmed").wait_for()
    officer.get_by_role("button", name="Lower hand").wait_for()
    trainer.locator("[data-hands]").get_by_role("button", name="Lower").click()
    trainer.locator("[data-hands-empty]").wait_for()

    # the trainer runs a poll, the officer votes, the results are live
    trainer.get_by_label("Question", exact=True).fill("Have you examined a forged visa before?")
    trainer.get_by_label("Options").fill("Yes\nNo")
    trainer.get_by_role("button", name="Start poll").click()
    poll = officer.locator(".live-poll", has_text="forged visa")
    poll.get_by_role("button", name="Vote").first.click()
    trainer.locator(".live-poll [data-count='0']", has_text="1 (100%)").wait_for()

    # the trainer shows a lesson and moves the slide; the officer's page follows
    trainer.locator("[data-lesson-select]").select_option(str(demo["lesson"]))
    officer.locator("[data-stage] .live-slide__title", has_text=demo["title"]).wait_for()
    next_slide = 1 if demo["slides"] > 1 else 0
    trainer.get_by_role("button", name="Next slide").click()
    officer.locator(f"[data-stage][data-current-slide='{next_slide}']").wait_for()
    screenshot(trainer, "live-trainer")
    screenshot(officer, "live-officer")

    # the officer's network drops; the class goes on; nothing is missed on return, and
    # what the officer wrote meanwhile waits greyed ("sending…") and arrives once
    officer.context.set_offline(True)
    officer.locator("[data-offline]").wait_for()
    officer.get_by_label("Message").fill("Written while offline")
    officer.get_by_label("Message").press("Enter")
    waiting = officer.locator("[data-chat] .is-pending", has_text="Written while offline")
    waiting.locator("[data-sending]").wait_for()
    screenshot(officer, "live-officer-offline")
    trainer.locator("[data-presence]").get_by_text("Bilal Ahmed").wait_for(state="detached")
    for n in (1, 2, 3):
        trainer.get_by_label("Message").fill(f"While you were away, point {n}")
        trainer.get_by_label("Message").press("Enter")
        trainer.locator("[data-chat]").get_by_text(f"point {n}").wait_for()
    trainer.get_by_role("button", name="Previous slide").click()
    time.sleep(2)
    officer.context.set_offline(False)
    officer.locator("[data-connection]", has_text="Live").wait_for(timeout=20_000)
    for n in (1, 2, 3):
        officer.locator("[data-chat]").get_by_text(f"While you were away, point {n}").wait_for()
    officer.locator("[data-stage][data-current-slide='0']").wait_for()
    trainer.locator("[data-chat] .live-chat__text", has_text="Written while offline").wait_for()
    waiting.wait_for(state="detached")
    for page in (trainer, officer):
        written = page.locator("[data-chat] .live-chat__text", has_text="Written while offline")
        assert written.count() == 1
    assert officer.evaluate("window.liveClassroom.pending().length") == 0
    assert officer.locator("[data-offline]").is_hidden()
    assert officer.evaluate("window.liveClassroom.stats.replayed") >= 4
    assert officer.evaluate("window.liveClassroom.lastSeq()") == trainer.evaluate(
        "window.liveClassroom.lastSeq()"
    )

    # the session ends (long enough that the short drop leaves the officer above 80%)
    time.sleep(max(0.0, 45 - (time.monotonic() - started)))
    trainer.get_by_role("button", name="End session").click()
    officer.locator("[data-session-state]", has_text="Ended").wait_for()

    # the attendance report shows both with their minutes
    trainer.get_by_role("link", name="Attendance").click()
    trainer.wait_for_url(f"**{url}attendance/")
    for username in ("trainer", "officer"):
        row = trainer.locator(f"tr[data-user='{username}']")
        assert float(row.locator("[data-minutes]").inner_text()) > 0.5
        assert row.locator(".badge", has_text="Present").count() == 1
    screenshot(trainer, "live-attendance")

    # and the officer's course progress counts the lesson shown in the attended session
    assert _lessons_done(officer, demo["course"]) == done_before + 1
