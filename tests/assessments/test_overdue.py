"""The overdue sweeper: attempts whose learner never comes back are closed by their quiz's
rule (submitted at the deadline, overdue then not counted after the grace period, or not
counted), as a service, a django-tasks task and the close_overdue_attempts command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import services
from assessments.models import Quiz, QuizAttempt
from assessments.services.grades import quiz_grade_of
from assessments.tasks import close_overdue_attempts
from tests.assessments.factories import course_with_bank, learner, quiz_create

pytestmark = pytest.mark.django_db

State = QuizAttempt.State


def _forgotten(rule, *, username="gone", grace=600, course=None):
    """An attempt started 11 minutes ago on a 10-minute quiz, one right answer saved, and
    then the learner went away."""
    if course is None:
        course, _ = course_with_bank()
    quiz = quiz_create(
        course=course,
        title=f"Timed {rule} {username}",
        time_limit_minutes=10,
        overdue_handling=rule,
        grace_period_seconds=grace,
    )
    user = learner(course, username)
    start = timezone.now() - timedelta(minutes=11)
    attempt = services.attempt_start(quiz=quiz, user=user, now=start)
    services.attempt_save_responses(
        attempt=attempt, user=user, responses={"1": {"choice": 0}}, now=start + timedelta(minutes=1)
    )
    return attempt


def test_autosubmit_grades_the_saved_answers_at_the_deadline():
    attempt = _forgotten(Quiz.OverdueHandling.AUTOSUBMIT)
    assert services.attempts_close_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.state == State.FINISHED
    assert attempt.finished_at == attempt.deadline
    assert not attempt.submitted_late
    assert attempt.marks == {"1": 1.0, "2": 0.0}
    assert quiz_grade_of([attempt], attempt.quiz.grading_method) == 50.0


def test_grace_period_waits_then_does_not_count_the_attempt():
    attempt = _forgotten(Quiz.OverdueHandling.GRACE_PERIOD, grace=3600)
    # within the grace period the learner may still come back and submit
    assert services.attempts_close_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.state == State.OVERDUE
    assert services.attempts_close_overdue() == 0  # nothing new

    # once the grace period is over, it is closed without counting
    later = attempt.deadline + timedelta(seconds=3601 + 60)
    assert services.attempts_close_overdue(now=later) == 1
    attempt.refresh_from_db()
    assert attempt.state == State.ABANDONED
    assert attempt.finished_at is None
    assert attempt.sum_marks is None


def test_not_counted_closes_the_attempt_without_a_grade():
    attempt = _forgotten(Quiz.OverdueHandling.NOT_COUNTED)
    assert services.attempts_close_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.state == State.ABANDONED
    assert attempt.grade_percent is None


def test_sweeper_leaves_attempts_within_their_time_alone():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, time_limit_minutes=10)
    attempt = services.attempt_start(quiz=quiz, user=learner(course))
    untimed = quiz_create(course=course, title="Untimed")
    other = services.attempt_start(quiz=untimed, user=learner(course, "untimed"))
    assert services.attempts_close_overdue() == 0
    assert {a.state for a in QuizAttempt.objects.filter(pk__in=[attempt.pk, other.pk])} == {
        State.IN_PROGRESS
    }


def test_sweeper_works_in_batches():
    course, _ = course_with_bank()
    attempts = [
        _forgotten(Quiz.OverdueHandling.AUTOSUBMIT, username=f"gone{i}", course=course)
        for i in range(3)
    ]
    assert services.attempts_close_overdue(batch_size=2) == 3
    assert {a.state for a in QuizAttempt.objects.filter(pk__in=[a.pk for a in attempts])} == {
        State.FINISHED
    }


def test_task_closes_overdue_attempts():
    attempt = _forgotten(Quiz.OverdueHandling.AUTOSUBMIT)
    result = close_overdue_attempts.enqueue()  # the test settings run tasks at once
    assert result.return_value == 1
    attempt.refresh_from_db()
    assert attempt.state == State.FINISHED


def test_command_closes_overdue_attempts(capsys):
    attempt = _forgotten(Quiz.OverdueHandling.NOT_COUNTED)
    call_command("close_overdue_attempts")
    assert "1 overdue attempt(s)" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.state == State.ABANDONED


def test_command_can_hand_the_work_to_the_worker(capsys):
    attempt = _forgotten(Quiz.OverdueHandling.AUTOSUBMIT)
    call_command("close_overdue_attempts", "--enqueue")
    assert "Enqueued task" in capsys.readouterr().out
    attempt.refresh_from_db()
    assert attempt.state == State.FINISHED  # the immediate backend of the tests ran it
