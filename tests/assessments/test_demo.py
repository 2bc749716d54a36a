"""seed_demo gives each demo course a bank, a quiz placed in a lesson and finished attempts."""

import pytest
from django.core.management import call_command

from assessments.models import Question, Quiz, QuizAttempt
from assessments.selectors import quiz_statistics
from assessments.services.grades import lessons_with_quiz

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_banks_quizzes_and_attempts(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    quizzes = list(Quiz.objects.select_related("course"))
    assert {quiz.course.code for quiz in quizzes} == {"FIA-MMT-301", "FIA-THB-101", "FIA-DOC-201"}
    for quiz in quizzes:
        assert Question.objects.filter(course=quiz.course).count() >= 18
        assert quiz.slots.filter(category__isnull=False).exists()
        assert lessons_with_quiz(quiz=quiz)
        stats, _names = quiz_statistics(quiz=quiz)
        assert stats.attempt_count >= 3
    before = QuizAttempt.objects.count()
    call_command("seed_demo")
    assert QuizAttempt.objects.count() == before
