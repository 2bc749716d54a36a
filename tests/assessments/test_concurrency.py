"""Two submits of the same attempt at the same moment (PostgreSQL's row locks): the attempt
is graded once and both requests get the same result."""

import threading
import time

import pytest
from django.db import connection

from assessments import services
from assessments.models import QuizAttempt
from assessments.services import attempts as attempts_module
from tests.assessments.factories import course_with_bank, learner, quiz_create, right_responses


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_grade_once_and_agree(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks: run with DATABASE_URL=postgres://...")
    # given an attempt answered right on three questions
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q2 TF", "Q3 Short"))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    responses = right_responses(attempt)

    gradings = []
    record = threading.Lock()
    finish = attempts_module._attempt_finish

    def counted_finish(**kwargs):
        with record:
            gradings.append(kwargs["attempt"].pk)
        time.sleep(0.3)  # keep the row locked while the other submit arrives
        finish(**kwargs)

    monkeypatch.setattr(attempts_module, "_attempt_finish", counted_finish)
    start = threading.Barrier(2)
    results: list = [None, None]
    errors: list = []

    def submit(index: int) -> None:
        try:
            start.wait(timeout=10)
            done = services.attempt_submit(
                attempt=QuizAttempt.objects.get(pk=attempt.pk), user=user, responses=responses
            )
            results[index] = (
                done.state,
                done.sum_marks,
                done.grade_percent,
                done.finished_at,
                done.marks,
            )
        except Exception as error:  # reported below, with the thread's traceback lost
            errors.append(error)
        finally:
            connection.close()

    # when both submit at once
    threads = [threading.Thread(target=submit, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one grading, the same result for both, and that result stored
    assert not errors
    assert len(gradings) == 1
    assert results[0] == results[1]
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert results[0] == (
        QuizAttempt.State.FINISHED,
        3.0,
        100.0,
        stored.finished_at,
        {"1": 1.0, "2": 1.0, "3": 1.0},
    )
    assert stored.state == QuizAttempt.State.FINISHED
    assert QuizAttempt.objects.filter(quiz=quiz, user=user).count() == 1
