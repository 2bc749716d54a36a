"""Pages: attempt (constant queries), review, trainer's quiz page, grading, gradebook, import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Question, Quiz, QuizSlot
from tests.assessments.factories import (
    BANK,
    course_with_bank,
    learner,
    quiz_create,
    right_responses,
)
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


def _big_quiz(n: int):
    course = course_create(modules=1, lessons=1)
    gift = "\n\n".join(
        f"::N{i}:: Question {i}? {{=right{i} ~wrong ~other}}\n\n::T{i}:: Statement {i}. {{T}}"
        for i in range(n)
    ).encode()
    services.question_import(course=course, data=gift, fmt="gift", filename="big.gift")
    quiz = Quiz.objects.create(course=course, title="Big", questions_per_page=0)
    for order, question in enumerate(Question.objects.filter(course=course).order_by("pk")[:n]):
        QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
    return course, quiz


@pytest.mark.parametrize("n", [5, 50])
def test_attempt_page_costs_a_constant_number_of_queries(n, client, query_budget):
    course, quiz = _big_quiz(n)
    user = learner(course, f"big{n}")
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    response = query_budget(client.get, f"/quizzes/attempts/{attempt.pk}/", max_queries=6)
    assert response.status_code == 200
    assert response.content.count(b'data-slot="') == n


def test_attempt_page_shows_no_right_answer(client):
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q3 Short"))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    html = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert 'data-deadline=""' in html
    start = html.index('id="attempt-form"')
    form = html[start : html.index("</form>", start)]
    assert "Islamabad" in form  # a choice is shown
    assert "Right." not in form and "Federal Investigation" not in form


def test_start_then_submit_without_javascript_shows_the_grade(client):
    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    client.force_login(user)
    response = client.post(f"/quizzes/{quiz.pk}/start/")
    attempt_url = response["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    client.post(f"/quizzes/attempts/{attempt_id}/submit/", {"slot-1": "0", "slot-2": "true"})
    review = client.get(attempt_url).content.decode()
    assert "100.0%" in review
    assert "The correct answer is" in review


def test_trainer_quiz_page_shows_statistics(client, users):
    course, _ = course_with_bank(trainer=users["trainer"])
    quiz = quiz_create(course=course)
    for i in range(3):
        user = learner(course, f"s{i}")
        attempt = services.attempt_start(quiz=quiz, user=user)
        responses = right_responses(attempt) if i else {}
        services.attempt_submit(attempt=attempt, user=user, responses=responses)
    client.force_login(users["trainer"])
    html = client.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert "Facility index" in html
    assert "Q1 Capital" in html
    assert "stat-bar__meter" in html


def test_grading_queue_and_gradebook(client, users):
    course, _ = course_with_bank(trainer=users["trainer"])
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q6 Essay"))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user, responses=right_responses(attempt))
    client.force_login(users["trainer"])
    queue = client.get(f"/quizzes/{quiz.pk}/grading/").content.decode()
    assert "My essay" in queue
    client.post(f"/quizzes/{quiz.pk}/grading/", {"attempt": attempt.pk, "slot": 2, "mark": "1"})
    assert "Nothing to grade" in client.get(f"/quizzes/{quiz.pk}/grading/").content.decode()
    book = client.get(f"/quizzes/courses/{course.code}/gradebook/").content.decode()
    assert "100.0%" in book
    csv = client.get(f"/quizzes/courses/{course.code}/gradebook/?format=csv")
    assert "learner1" in csv.content.decode("utf-8-sig")
    client.force_login(user)
    assert client.get(f"/quizzes/{quiz.pk}/grading/").status_code == 404


def test_question_import_page(client, users):
    course, _ = course_with_bank(trainer=users["trainer"])
    client.force_login(users["trainer"])
    response = client.post(
        f"/quizzes/courses/{course.code}/questions/",
        {"file": SimpleUploadedFile("b.gift", BANK), "format": "gift"},
        follow=True,
    )
    assert "6 questions imported" in response.content.decode()
    bad = client.post(
        f"/quizzes/courses/{course.code}/questions/",
        {"file": SimpleUploadedFile("b.gift", b"::B:: x {=a ~b\n"), "format": "gift"},
    )
    assert "line" in bad.content.decode()


# --- Answers inside the sentence ------------------------------------------------------------
MISSING_WORD = b"""
::MW:: Grant is {~buried =entombed ~living} in Grant's tomb.

::MS:: The capital of Pakistan is {=Islamabad} city.

::MT:: Lahore {F} is the capital.
"""

CLOZE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze">
    <name><text>Cities</text></name>
    <questiontext format="html"><text><![CDATA[<p>The capital is {1:SHORTANSWER:=Islamabad}
 and the largest city is {1:MULTICHOICE:=Karachi#Yes~Lahore#No}.</p>]]></text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
  </question>
</quiz>
"""


def _question_text(html: str, slot: int) -> str:
    start = html.index(f'data-slot="{slot}"')
    text = html.index('class="question__text', start)
    return html[text : html.index("</fieldset>", text)]


def test_missing_word_answers_are_in_the_sentence(client):
    course = course_create(modules=1, lessons=1)
    services.question_import(course=course, data=MISSING_WORD, fmt="gift", filename="mw.gift")
    quiz = Quiz.objects.create(course=course, title="Words", questions_per_page=0)
    for order, question in enumerate(Question.objects.filter(course=course).order_by("pk")):
        QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    html = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()

    multichoice = _question_text(html, 1)
    assert multichoice.index("Grant is") < multichoice.index('<select name="slot-1"')
    assert multichoice.index('<select name="slot-1"') < multichoice.index("in Grant")
    assert "entombed</option>" in multichoice and "_____" not in multichoice
    assert 'type="radio"' not in multichoice  # no second widget below the sentence
    short = _question_text(html, 2)
    assert short.index("capital of Pakistan is") < short.index('<input name="slot-2"')
    assert short.index('<input name="slot-2"') < short.index("city.")
    truefalse = _question_text(html, 3)
    assert truefalse.index("Lahore") < truefalse.index('<select name="slot-3"')

    # the answers in the sentence are submitted like any other (here without JavaScript)
    order = attempt.layout["slots"][0]["layout"]["order"]
    entombed = order.index(1)
    client.post(
        f"/quizzes/attempts/{attempt.pk}/submit/",
        {"slot-1": str(entombed), "slot-2": "islamabad", "slot-3": "false"},
    )
    attempt.refresh_from_db()
    assert attempt.marks == {"1": 1.0, "2": 1.0, "3": 1.0}
    review = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert '<select name="slot-1"' in review and " selected>entombed<" in review


def test_embedded_answers_are_in_the_sentence(client):
    course = course_create(modules=1, lessons=1)
    services.question_import(course=course, data=CLOZE_XML, fmt="moodlexml", filename="c.xml")
    quiz = Quiz.objects.create(course=course, title="Cloze", questions_per_page=0)
    QuizSlot.objects.create(quiz=quiz, question=Question.objects.get(course=course))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    text = _question_text(client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode(), 1)

    assert "{#1}" not in text and "{#2}" not in text
    assert text.index("The capital is") < text.index('name="slot-1-1"')
    assert text.index('name="slot-1-1"') < text.index("the largest city is")
    assert text.index("the largest city is") < text.index('name="slot-1-2"')
    assert 'aria-label="Blank 1"' in text
    assert ">Blank 1</label>" not in text  # not repeated as fields below the text

    client.post(
        f"/quizzes/attempts/{attempt.pk}/submit/", {"slot-1-1": "Islamabad", "slot-1-2": "0"}
    )
    attempt.refresh_from_db()
    assert attempt.marks == {"1": 1.0}


def test_text_with_blanks_keeps_the_formatting_around_the_blank():
    from assessments.selectors.display import question_for_display

    question = {
        "qtype": "shortanswer",
        "text": "Line one\nline <two> _____ end.",
        "text_format": "moodle",
        "blank": 20,
        "data": {"answers": [{"text": "x", "fraction": 1.0}]},
    }
    shown = question_for_display(slot={"slot": 1, "mark": 1.0}, question=question)
    assert shown["text"] == "<p>Line one<br>line &lt;two&gt; _____ end.</p>"
    assert shown["segments"] == [
        {"html": "<p>Line one<br>line &lt;two&gt; ", "blank": "0"},
        {"html": " end.</p>", "blank": None},
    ]
    # a multiple-response question keeps its checkboxes below the text
    multi = dict(question, qtype="multichoice", data={"single": False, "answers": []})
    assert "segments" not in question_for_display(slot={"slot": 1, "mark": 1.0}, question=multi)
