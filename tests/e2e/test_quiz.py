"""An officer takes a quiz in the browser, loses the network in the middle, submits and
sees the grade; nothing answered while offline is lost."""

from tests.e2e.conftest import screenshot, sign_in


def _quiz_id(live_site, code: str) -> int:
    out = live_site.manage(
        "shell",
        "-c",
        "from assessments.models import Quiz; "
        f"print(Quiz.objects.filter(course__code='{code}').order_by('pk').first().pk)",
    )
    return int(out.strip().splitlines()[-1])


def test_officer_takes_a_quiz_through_a_network_cut(page, live_site):
    quiz_id = _quiz_id(live_site, "FIA-THB-101")
    sign_in(page, "officer")
    page.goto(f"/quizzes/{quiz_id}/")
    page.get_by_role("button", name="Start an attempt").click()
    page.wait_for_url("**/quizzes/attempts/**")
    assert page.locator("[data-timer-value]").inner_text() != "…"  # the server's deadline ticks

    # given an answer saved while online
    first = page.locator("fieldset[data-slot='1']")
    first.locator("input").first.check()
    page.get_by_text("All answers saved").wait_for()

    # when the network drops and the officer keeps answering
    page.context.set_offline(True)
    second = page.locator("fieldset[data-slot='2']")
    second.locator("input, select, textarea").first.evaluate(
        "el => { if (el.type === 'radio' || el.type === 'checkbox') el.checked = true;"
        " else if (el.tagName === 'SELECT') el.selectedIndex = 1; else el.value = '42';"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    offline = page.get_by_text("You are offline")
    offline.wait_for()
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lms-attempt-'))")
    assert kept
    screenshot(page, "quiz-offline")

    # then, back online, what was kept is sent
    page.context.set_offline(False)
    page.get_by_text("All answers saved").wait_for()
    assert offline.is_hidden()
    attempt_id = page.url.rstrip("/").split("/")[-1]
    saved = page.evaluate(
        f"fetch('/api/v1/attempts/{attempt_id}')"
        ".then(r => r.json()).then(j => j.questions[1].response)"
    )
    assert saved

    # and submitting shows the grade
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url(f"**/quizzes/attempts/{attempt_id}/")
    page.locator("[data-grade]").wait_for()
    assert page.get_by_role("heading", name="Attempt").first.is_visible()
    screenshot(page, "quiz-review")
