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
    response = query_budget(client.get, f"/quizzes/attempts/{attempt.pk}/", max_queries=10)
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
