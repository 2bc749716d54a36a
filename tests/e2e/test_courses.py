"""The courses path as people take it: a trainer imports a curriculum and edits a lesson,
a reviewer publishes, an officer finds the course, enrols and completes it."""

import json

from playwright.sync_api import expect

from tests.courses.test_import_curriculum import SMALL
from tests.e2e.conftest import screenshot, sign_in

CURRICULUM = SMALL.replace("TST-THB-101", "TST-EXA-101").replace(
    "Victims of trafficking at the airport", "Trafficking indicators at the airport"
)


def page_id(live_site, code: str, title: str | None = None) -> int:
    script = (
        "from courses.models import CoursePage, LessonPage; "
        f"c = CoursePage.objects.get(code={code!r}); "
        + (
            f"print(LessonPage.objects.descendant_of(c).get(title={title!r}).pk)"
            if title
            else "print(c.pk)"
        )
    )
    return int(live_site.manage("shell", "-c", script).strip().splitlines()[-1])


def test_import_review_publish_enrol_and_complete(new_page, live_site, tmp_path):
    # a trainer imports a curriculum as drafts in the admin
    curriculum = tmp_path / "airport.yaml"
    curriculum.write_text(CURRICULUM)
    trainer = new_page()
    sign_in(trainer, "trainer")
    trainer.goto("/cms/curriculum/import/")
    trainer.set_input_files("input[type=file]", str(curriculum))
    assert trainer.locator("input[name=publish]").count() == 0  # trainers cannot publish
    trainer.get_by_role("button", name="Import").click()
    expect(
        trainer.get_by_text("TST-EXA-101 · Trafficking indicators at the airport")
    ).to_be_visible()
    expect(trainer.get_by_text("saved as drafts")).to_be_visible()
    screenshot(trainer, "courses-import-result")

    # … edits a lesson and saves the draft
    lesson_id = page_id(live_site, "TST-EXA-101", "Referral")
    trainer.goto(f"/cms/pages/{lesson_id}/edit/")
    trainer.locator("#id_title").fill("Referral to protection")
    trainer.get_by_role("button", name="Save draft").click()
    trainer.wait_for_load_state()
    assert trainer.locator("#id_title").input_value() == "Referral to protection"

    # … and submits the course for review
    course_id = page_id(live_site, "TST-EXA-101")
    trainer.goto(f"/cms/pages/{course_id}/edit/")
    trainer.get_by_role("button", name="More actions").click()
    trainer.get_by_role("button", name="Submit to Course review").click()
    expect(trainer.get_by_text("has been submitted for moderation")).to_be_visible()

    # a reviewer approves it (which publishes the course page), then publishes its lessons
    reviewer = new_page()
    sign_in(reviewer, "reviewer")
    reviewer.goto(f"/cms/pages/{course_id}/edit/")
    reviewer.get_by_role("button", name="More actions").click()
    reviewer.get_by_role("button", name="Approve and Publish", exact=True).click()
    reviewer.wait_for_load_state()
    live = live_site.manage(
        "shell",
        "-c",
        f"from wagtail.models import Page; print(Page.objects.get(pk={course_id}).live)",
    )
    assert live.strip().splitlines()[-1] == "True"
    reviewer.goto(f"/cms/bulk/wagtailcore/page/publish/?id={course_id}")
    reviewer.get_by_label("Include descendants").check()
    reviewer.get_by_role("button", name="Yes, publish").click()
    reviewer.wait_for_load_state()

    # an officer finds it in the catalogue, enrols and reads every lesson
    officer = new_page()
    sign_in(officer, "officer")
    officer.goto("/courses/")
    officer.get_by_label("Search").fill("airport indicators")
    officer.get_by_role("button", name="Find courses").click()
    officer.get_by_role("link", name="Trafficking indicators at the airport").click()
    officer.get_by_role("button", name="Enrol").click()
    expect(officer.get_by_text("You are enrolled")).to_be_visible()
    officer.get_by_role("link", name="Start the course").click()
    expect(officer.get_by_role("heading", name="Indicators at the counter")).to_be_visible()
    screenshot(officer, "courses-lesson")
    officer.get_by_role("link", name="Referral to protection →").click()
    expect(officer.get_by_role("heading", name="Referral to protection")).to_be_visible()
    officer.get_by_role("link", name="Back to the course").click()

    expect(officer.get_by_text("100% complete")).to_be_visible()
    expect(officer.get_by_text("Completed on")).to_be_visible()
    screenshot(officer, "courses-completed")
    status = live_site.manage(
        "shell",
        "-c",
        "import json; from courses.models import Enrolment; "
        "e = Enrolment.objects.get(user__username='officer', course__code='TST-EXA-101'); "
        "print(json.dumps([e.status, e.completed_at is not None]))",
    )
    assert json.loads(status.strip().splitlines()[-1]) == ["completed", True]
