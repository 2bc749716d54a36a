"""What the assessments keep in the cache: question versions' content (read by attempt
pages, grading and reviews) and which lessons place a quiz (read by every submit)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import QuizAttempt
from assessments.selectors import versions_for
from courses.models import LessonPage, LessonProgress
from tests.assessments.factories import (
    course_with_bank,
    learner,
    question,
    quiz_create,
    right_responses,
)

pytestmark = pytest.mark.django_db


def _showing(*versions) -> QuizAttempt:
    return QuizAttempt(layout={"slots": [{"version": v.pk} for v in versions]})


def test_question_versions_are_read_once_then_from_the_cache():
    course, _ = course_with_bank()
    versions = [question(course, name).current_version for name in ("Q1 Capital", "Q2 TF")]
    first = versions_for([_showing(*versions)])

    with CaptureQueriesContext(connection) as queries:
        again = versions_for([_showing(*versions)])

    assert again == first and len(again) == 2
    assert len(queries) == 0


def test_a_version_edited_in_place_is_read_again():
    course, _ = course_with_bank()
    q3 = question(course, "Q3 Short")
    version = q3.current_version
    assert versions_for([_showing(version)])[version.pk]["name"] == "Q3 Short"

    services.question_update(question=q3, data=dict(version.data, name="Q3 Short (fixed)"))

    assert versions_for([_showing(version)])[version.pk]["name"] == "Q3 Short (fixed)"


def test_a_quiz_placed_in_a_lesson_after_a_submit_completes_the_lesson_on_the_next():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, pass_percent=60)
    user = learner(course)
    services.attempt_submit(
        attempt=services.attempt_start(quiz=quiz, user=user), user=user, responses={}
    )  # the quiz placed nowhere yet: remembered for the content version

    lesson = LessonPage.objects.descendant_of(course).first()
    lesson.body = [("quiz", {"title": "Check", "required": True, "quiz": quiz})]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user, responses=right_responses(attempt))

    assert LessonProgress.objects.filter(
        user=user, lesson=lesson, completed_at__isnull=False
    ).exists()
