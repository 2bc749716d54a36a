"""The assessments API: import/export, attempt lifecycle (double and late submit),
no correctness data before review, permissions, statistics and the gradebook."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import services
from assessments.models import Question, Quiz, QuizAttempt
from tests.assessments.factories import (
    BANK,
    course_with_bank,
    learner,
    quiz_create,
    right_responses,
)
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


def api(client, method, url, data=None):
    kwargs = {}
    if data is not None:
        kwargs = {"data": json.dumps(data), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1{url}", **kwargs)


@pytest.fixture
def setup(users, client):
    course, _ = course_with_bank(trainer=users["trainer"])
    quiz = quiz_create(
        course=course, names=("Q1 Capital", "Q2 TF", "Q3 Short", "Q4 Num", "Q5 Multi", "Q6 Essay")
    )
    user = learner(course)
    client.force_login(user)
    return course, quiz, user


# --- Import / export -----------------------------------------------------------------------
def test_trainer_imports_gift_and_gets_counts(users, client):
    course = course_create(modules=1, lessons=1)
    from courses.models import Enrolment
    from courses.services import enrolment_create

    enrolment_create(
        user=users["trainer"], course=course, role=Enrolment.Role.TRAINER, source="bulk"
    )
    client.force_login(users["trainer"])
    response = client.post(
        f"/api/v1/courses/{course.code}/questions/import",
        {"file": SimpleUploadedFile("bank.gift", BANK), "format": "gift"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 6
    assert "top/Test/Day 1/Sub" in response.json()["categories"]


def test_broken_import_is_400_with_lines_and_nothing_kept(users, client):
    course, _ = course_with_bank(trainer=users["trainer"])
    before = Question.objects.count()
    client.force_login(users["trainer"])
    response = client.post(
        f"/api/v1/courses/{course.code}/questions/import",
        {
            "file": SimpleUploadedFile("bad.gift", b"::A:: ok {T}\n\n::B:: bad {=x ~y\n"),
            "format": "gift",
        },
    )
    assert response.status_code == 400
    assert any("line" in error for error in response.json()["errors"])
    assert Question.objects.count() == before


def test_import_is_for_trainers_only(users, client, setup):
    course, _quiz, _user = setup
    response = client.post(
        f"/api/v1/courses/{course.code}/questions/import",
        {"file": SimpleUploadedFile("bank.gift", BANK), "format": "gift"},
    )
    assert response.status_code == 403
    client.force_login(users["partner"])
    assert api(client, "get", f"/courses/{course.code}/questions/export").status_code == 404


def test_export_returns_a_file_that_imports_again(users, client):
    course, _ = course_with_bank(trainer=users["trainer"])
    client.force_login(users["admin"])
    response = api(client, "get", f"/courses/{course.code}/questions/export?format=moodlexml")
    assert response.status_code == 200
    assert b"<quiz>" in response.content
    other = course_create(modules=1, lessons=1)
    assert (
        services.question_import(course=other, data=response.content, fmt="moodlexml").created == 6
    )


# --- Attempts ------------------------------------------------------------------------------
def test_start_returns_deadline_and_questions_without_correctness(setup, client):
    _course, quiz, _user = setup
    quiz.time_limit_minutes = 20
    quiz.save()
    response = api(client, "post", f"/quizzes/{quiz.pk}/attempts")
    assert response.status_code == 201
    body = response.json()
    assert body["deadline"]
    assert len(body["questions"]) == 6
    text = response.content.decode()
    for secret in (
        "fraction",
        "feedback",
        "right_answer",
        "Right.",
        "correct",
        "Federal Investigation",
        '"answers"',
    ):
        assert secret not in text, secret
    again = api(client, "post", f"/quizzes/{quiz.pk}/attempts")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_attempt_lifecycle_with_double_submit(setup, client):
    _course, quiz, _user = setup
    attempt_id = api(client, "post", f"/quizzes/{quiz.pk}/attempts").json()["id"]
    attempt = QuizAttempt.objects.get(pk=attempt_id)
    responses = right_responses(attempt)
    saved = api(client, "put", f"/attempts/{attempt_id}/responses", {"responses": responses})
    assert saved.status_code == 200
    again = api(client, "put", f"/attempts/{attempt_id}/responses", {"responses": responses})
    assert again.json()["saved_at"] == saved.json()["saved_at"]
    first = api(client, "post", f"/attempts/{attempt_id}/submit", {})
    assert first.status_code == 200
    body = first.json()
    assert body["state"] == "finished"
    assert body["needs_grading"] is True  # the essay
    second = api(
        client, "post", f"/attempts/{attempt_id}/submit", {"responses": {"1": {"choice": 1}}}
    )
    assert second.json() == body
    assert (
        api(
            client, "put", f"/attempts/{attempt_id}/responses", {"responses": responses}
        ).status_code
        == 409
    )


def test_review_follows_the_review_options(setup, client):
    _course, quiz, _user = setup
    quiz.review_right_answer = 0
    quiz.review_specific_feedback = 0
    quiz.save()
    attempt_id = api(client, "post", f"/quizzes/{quiz.pk}/attempts").json()["id"]
    during = api(client, "get", f"/attempts/{attempt_id}").json()
    assert "mark_earned" not in during["questions"][0]
    assert "grade_percent" not in during
    api(client, "post", f"/attempts/{attempt_id}/submit", {"responses": {"1": {"choice": 0}}})
    after = api(client, "get", f"/attempts/{attempt_id}").json()
    first = after["questions"][0]
    assert first["mark_earned"] == 1
    assert first["state"] == "right"
    assert "right_answer" not in first
    assert "feedback" not in first


def test_late_submit_is_handled_by_the_quiz_rule(setup, client):
    _course, quiz, user = setup
    quiz.time_limit_minutes = 1
    quiz.overdue_handling = Quiz.OverdueHandling.NOT_COUNTED
    quiz.save()
    attempt = services.attempt_start(
        quiz=quiz, user=user, now=timezone.now() - timedelta(minutes=5)
    )
    response = api(
        client, "post", f"/attempts/{attempt.pk}/submit", {"responses": {"1": {"choice": 0}}}
    )
    assert response.status_code == 409
    attempt.refresh_from_db()
    assert attempt.state == "abandoned"


def test_attempts_are_owner_only(setup, client, users):
    _course, quiz, _user = setup
    attempt_id = api(client, "post", f"/quizzes/{quiz.pk}/attempts").json()["id"]
    client.force_login(users["officer"])
    assert api(client, "get", f"/attempts/{attempt_id}").status_code == 404
    assert (
        api(client, "put", f"/attempts/{attempt_id}/responses", {"responses": {}}).status_code
        == 404
    )
    assert api(client, "post", f"/attempts/{attempt_id}/submit", {}).status_code == 404
    assert api(client, "get", f"/quizzes/{quiz.pk}").status_code == 404
    client.force_login(users["trainer"])
    assert api(client, "get", f"/attempts/{attempt_id}").status_code == 200
    assert (
        api(client, "put", f"/attempts/{attempt_id}/responses", {"responses": {}}).status_code
        == 404
    )


def test_quiz_detail_lists_my_attempts(setup, client):
    _course, quiz, _user = setup
    api(client, "post", f"/quizzes/{quiz.pk}/attempts")
    body = api(client, "get", f"/quizzes/{quiz.pk}").json()
    assert body["title"] == "Check"
    assert len(body["my_attempts"]) == 1


def test_trainer_grades_the_essay_through_the_api(setup, client, users):
    _course, quiz, _user = setup
    attempt_id = api(client, "post", f"/quizzes/{quiz.pk}/attempts").json()["id"]
    attempt = QuizAttempt.objects.get(pk=attempt_id)
    api(client, "post", f"/attempts/{attempt_id}/submit", {"responses": right_responses(attempt)})
    assert (
        api(client, "post", f"/attempts/{attempt_id}/grades", {"slot": 6, "mark": 1}).status_code
        == 403
    )
    client.force_login(users["trainer"])
    body = api(
        client, "post", f"/attempts/{attempt_id}/grades", {"slot": 6, "mark": 1, "comment": "ok"}
    ).json()
    assert body["needs_grading"] is False
    assert body["grade_percent"] == 100


# --- Statistics and gradebook ---------------------------------------------------------------
def _finished(quiz, course, n=4):
    for i in range(n):
        user = learner(course, f"stat{i}")
        attempt = services.attempt_start(quiz=quiz, user=user)
        responses = right_responses(attempt)
        for key in list(responses)[: i + 1]:
            responses.pop(key)
        services.attempt_submit(attempt=attempt, user=user, responses=responses)


def test_statistics_for_trainers_only(setup, client, users):
    course, _quiz, _user = setup
    quiz = quiz_create(
        course=course, names=("Q1 Capital", "Q2 TF", "Q3 Short", "Q4 Num"), title="Stats"
    )
    _finished(quiz, course)
    assert api(client, "get", f"/quizzes/{quiz.pk}/statistics").status_code == 403
    client.force_login(users["trainer"])
    body = api(client, "get", f"/quizzes/{quiz.pk}/statistics").json()
    assert body["attempt_count"] == 4
    assert body["mean"] == pytest.approx(1.5)
    assert len(body["slots"]) == 4
    assert body["slots"][0]["name"] == "Q1 Capital"


def test_gradebook_json_csv_xlsx(setup, client, users):
    course, _quiz, _user = setup
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q2 TF"), title="Graded")
    _finished(quiz, course, n=2)
    client.force_login(users["trainer"])
    body = api(client, "get", f"/courses/{course.code}/gradebook").json()
    assert [item["title"] for item in body["items"]] == ["Check", "Graded"]
    rows = {row["username"]: row for row in body["learners"]}
    assert rows["stat0"]["grades"] == [None, 50.0]
    csv = api(client, "get", f"/courses/{course.code}/gradebook?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "stat1" in csv.content.decode("utf-8-sig")
    xlsx = api(client, "get", f"/courses/{course.code}/gradebook?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 1).value == "Username"
    client.force_login(users["officer"])
    assert api(client, "get", f"/courses/{course.code}/gradebook").status_code == 404
