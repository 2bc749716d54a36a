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


def _sequential_quiz(live_site, code: str) -> int:
    """A three-page sequential quiz (one question a page) in the course, for the officer."""
    out = live_site.manage(
        "shell",
        "-c",
        "from assessments.models import Question, Quiz, QuizSlot; "
        f"course_id = Quiz.objects.filter(course__code='{code}').first().course_id; "
        "quiz = Quiz.objects.create(course_id=course_id, title='One page at a time', "
        "questions_per_page=1, navigation='sequential', shuffle_answers=False); "
        "questions = Question.objects.filter(course_id=course_id, "
        "qtype__in=['truefalse', 'multichoice', 'shortanswer']).order_by('pk')[:3]; "
        "[QuizSlot.objects.create(quiz=quiz, question=q, sort_order=i) "
        "for i, q in enumerate(questions)]; "
        "print(quiz.pk)",
    )
    return int(out.strip().splitlines()[-1])


def _answer(fieldset) -> None:
    fieldset.locator("input, select, textarea").first.evaluate(
        "el => { if (el.type === 'radio' || el.type === 'checkbox') el.checked = true;"
        " else if (el.tagName === 'SELECT') el.selectedIndex = 1; else el.value = '42';"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )


def test_officer_pages_through_a_sequential_quiz(page, live_site):
    quiz_id = _sequential_quiz(live_site, "FIA-THB-101")
    sign_in(page, "officer")
    page.goto(f"/quizzes/{quiz_id}/")
    page.get_by_role("button", name="Start an attempt").click()
    page.wait_for_url("**/quizzes/attempts/**")
    attempt_url = page.url.split("?")[0]
    attempt_id = attempt_url.rstrip("/").split("/")[-1]

    # page 1 of 3: one question, a navigator, no way back
    page.get_by_text("Page 1 of 3").wait_for()
    assert page.locator("fieldset[data-slot]").count() == 1
    assert page.get_by_role("button", name="Previous page").count() == 0
    _answer(page.locator("fieldset[data-slot='1']"))
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Next page").click()

    # page 2: the first page is closed, in the page and on the server
    page.get_by_text("Page 2 of 3").wait_for()
    assert page.locator("fieldset[data-slot='2']").is_visible()
    assert page.locator("fieldset[data-slot='1']").count() == 0
    assert page.get_by_role("button", name="Page 1").count() == 0
    page.goto(f"{attempt_url}?page=0")
    page.get_by_text("Page 2 of 3").wait_for()
    refused = page.evaluate(
        f"fetch('/api/v1/attempts/{attempt_id}/responses', {{method: 'PUT', "
        "credentials: 'same-origin', headers: {'Content-Type': 'application/json', "
        "'X-CSRFToken': document.querySelector('[name=csrfmiddlewaretoken]').value}, "
        "body: JSON.stringify({responses: {'1': {'answer': 'x'}}})}).then(r => r.status)"
    )
    assert refused == 403

    # offline on page 2: the answer is kept, and the page does not move until it is saved
    page.context.set_offline(True)
    _answer(page.locator("fieldset[data-slot='2']"))
    page.get_by_text("You are offline").wait_for()
    page.get_by_role("button", name="Next page").click()
    assert page.locator("fieldset[data-slot='2']").is_visible()
    screenshot(page, "quiz-sequential-offline")
    page.context.set_offline(False)
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Next page").click()

    # page 3, the last: answer and submit
    page.get_by_text("Page 3 of 3").wait_for()
    assert page.get_by_role("button", name="Next page").count() == 0
    _answer(page.locator("fieldset[data-slot='3']"))
    page.get_by_text("All answers saved").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit all and finish").click()
    page.wait_for_url(f"**/quizzes/attempts/{attempt_id}/")
    page.locator("[data-grade]").wait_for()
    answered = page.evaluate(
        f"fetch('/api/v1/attempts/{attempt_id}').then(r => r.json())"
        ".then(j => j.questions.map(q => !!q.response))"
    )
    assert answered == [True, True, True]
    screenshot(page, "quiz-sequential-review")
