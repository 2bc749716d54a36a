"""Services: import, attempts (start, autosave, submit, deadlines), manual grading, regrade,
grades and completion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Question, QuestionCategory, QuestionVersion, Quiz, QuizAttempt
from courses.models import LessonPage
from courses.models.enrolment import LessonProgress
from lms.exceptions import Conflict, NotAllowed, ServiceError
from lms.models import AuditEvent
from tests.assessments.factories import (
    BANK,
    course_with_bank,
    learner,
    question,
    quiz_create,
    right_responses,
)
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


# --- Import / export -----------------------------------------------------------------------
def test_import_creates_questions_categories_and_first_versions():
    course, result = course_with_bank()
    assert result.created == 6
    assert result.by_type == {
        "multichoice": 2,
        "truefalse": 1,
        "shortanswer": 1,
        "numerical": 1,
        "essay": 1,
    }
    assert "top/Test/Day 1/Sub" in result.categories
    sub = QuestionCategory.objects.get(course=course, path="top/Test/Day 1/Sub")
    assert sub.parent.path == "top/Test/Day 1"
    assert sub.parent.parent.path == "top/Test"
    q1 = question(course, "Q1 Capital")
    assert q1.current_version.number == 1
    assert q1.current_version.data["data"]["answers"][0]["text"] == "Islamabad"


def test_import_of_a_broken_file_imports_nothing_and_says_the_line():
    course = course_create(modules=1, lessons=1)
    data = b"::Ok:: Fine? {T}\n\n::Bad:: Broken {=a ~b\n"
    with pytest.raises(ServiceError) as error:
        services.question_import(course=course, data=data, fmt="gift", filename="bad.gift")
    assert any(item.line for item in error.value.errors)
    assert not Question.objects.filter(course=course).exists()
    assert not QuestionCategory.objects.filter(course=course).exists()


def test_import_twice_into_the_same_categories_reuses_them():
    course, _ = course_with_bank()
    services.question_import(course=course, data=BANK, fmt="gift", filename="t.gift")
    assert Question.objects.filter(course=course).count() == 12
    assert QuestionCategory.objects.filter(course=course, path="top/Test/Day 1").count() == 1


@pytest.mark.parametrize("fmt", ["gift", "moodlexml"])
def test_export_then_import_gives_the_same_questions(fmt):
    course, _ = course_with_bank()
    exported = services.question_export(course=course, fmt=fmt)
    other = course_create(modules=1, lessons=1)
    services.question_import(course=other, data=exported, fmt=fmt, filename="x")
    before = {
        q.name: q.current_version.data["data"] for q in Question.objects.filter(course=course)
    }
    after = {q.name: q.current_version.data["data"] for q in Question.objects.filter(course=other)}
    assert before.keys() == after.keys()
    assert before["Q1 Capital"]["answers"] == after["Q1 Capital"]["answers"]


def test_editing_a_question_without_attempts_changes_its_version_in_place():
    course, _ = course_with_bank()
    q3 = question(course, "Q3 Short")
    data = dict(q3.current_version.data, name="Q3 Short (fixed)")
    version = services.question_update(question=q3, data=data)
    assert version.number == 1
    assert QuestionVersion.objects.filter(question=q3).count() == 1


# --- Attempts ------------------------------------------------------------------------------
def test_start_freezes_questions_and_versions_and_resumes_the_open_attempt():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, random_from="top/Test/Day 1", random_count=2)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    assert attempt.number == 1
    assert attempt.state == QuizAttempt.State.IN_PROGRESS
    slots = attempt.layout["slots"]
    assert len(slots) == 4
    drawn = [s["question"] for s in slots[2:]]
    assert len(set(drawn)) == 2
    assert not set(drawn) & {slots[0]["question"], slots[1]["question"]}
    assert all(QuestionVersion.objects.get(pk=s["version"]).in_use for s in slots)
    again = services.attempt_start(quiz=quiz, user=user)
    assert again.pk == attempt.pk
    assert again.layout == attempt.layout


def test_random_slot_without_subcategories_draws_only_from_the_category():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, names=(), random_from="top/Test/Day 1/Sub", random_count=2)
    attempt = services.attempt_start(quiz=quiz, user=learner(course))
    names = set(
        Question.objects.filter(
            pk__in=[s["question"] for s in attempt.layout["slots"]]
        ).values_list("name", flat=True)
    )
    assert names == {"Q5 Multi", "Q6 Essay"}


def test_random_slot_asking_for_more_than_the_category_holds_is_refused():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, names=(), random_from="top/Test/Day 1/Sub", random_count=5)
    with pytest.raises(Conflict):
        services.attempt_start(quiz=quiz, user=learner(course))


def test_only_enrolled_learners_start_and_attempts_allowed_is_enforced(users):
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, attempts_allowed=1)
    with pytest.raises(NotAllowed):
        services.attempt_start(quiz=quiz, user=users["officer"])
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user)
    with pytest.raises(NotAllowed):
        services.attempt_start(quiz=quiz, user=user)


def test_quiz_window_is_enforced():
    course, _ = course_with_bank()
    now = timezone.now()
    quiz = quiz_create(course=course, opens_at=now + timedelta(hours=1))
    with pytest.raises(NotAllowed):
        services.attempt_start(quiz=quiz, user=learner(course))


def test_deadline_is_the_earlier_of_time_limit_and_close():
    course, _ = course_with_bank()
    now = timezone.now()
    quiz = quiz_create(course=course, time_limit_minutes=30, closes_at=now + timedelta(minutes=10))
    attempt = services.attempt_start(quiz=quiz, user=learner(course), now=now)
    assert attempt.deadline == quiz.closes_at
    quiz2 = quiz_create(course=course, time_limit_minutes=30, title="Other")
    attempt2 = services.attempt_start(quiz=quiz2, user=attempt.user, now=now)
    assert attempt2.deadline == now + timedelta(minutes=30)


def test_autosave_merges_by_slot_and_is_idempotent():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_save_responses(attempt=attempt, user=user, responses={"1": {"choice": 2}})
    services.attempt_save_responses(attempt=attempt, user=user, responses={"2": {"answer": True}})
    saved = services.attempt_save_responses(
        attempt=attempt, user=user, responses={"2": {"answer": True}}
    )
    assert saved.responses == {"1": {"choice": 2}, "2": {"answer": True}}


def test_autosave_rejects_unknown_slots():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    with pytest.raises(ServiceError) as error:
        services.attempt_save_responses(attempt=attempt, user=user, responses={"9": {}})
    assert error.value.errors[0].field == "9"


def test_submit_grades_at_once_and_a_second_submit_returns_the_same_result():
    course, _ = course_with_bank()
    quiz = quiz_create(
        course=course, names=("Q1 Capital", "Q2 TF", "Q3 Short", "Q4 Num", "Q5 Multi")
    )
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    responses = right_responses(attempt)
    responses["3"] = {"answer": "wrong"}
    done = services.attempt_submit(attempt=attempt, user=user, responses=responses)
    assert done.state == QuizAttempt.State.FINISHED
    assert done.sum_marks == 4
    assert done.grade_percent == 80
    assert done.marks["3"] == 0
    again = services.attempt_submit(attempt=attempt, user=user, responses=right_responses(attempt))
    assert (again.sum_marks, again.finished_at) == (done.sum_marks, done.finished_at)


def test_saving_after_submit_is_refused():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user)
    with pytest.raises(Conflict):
        services.attempt_save_responses(attempt=attempt, user=user, responses={"1": {"choice": 0}})


def _late(rule, *, grace=600):
    course, _ = course_with_bank()
    quiz = quiz_create(
        course=course, time_limit_minutes=10, overdue_handling=rule, grace_period_seconds=grace
    )
    user = learner(course)
    start = timezone.now() - timedelta(minutes=11)
    attempt = services.attempt_start(quiz=quiz, user=user, now=start)
    services.attempt_save_responses(
        attempt=attempt, user=user, responses={"1": {"choice": 0}}, now=start + timedelta(minutes=1)
    )
    return attempt, user


def test_late_submit_with_autosubmit_grades_saved_answers_at_the_deadline():
    attempt, user = _late(Quiz.OverdueHandling.AUTOSUBMIT)
    done = services.attempt_submit(attempt=attempt, user=user, responses={"2": {"answer": True}})
    assert done.state == QuizAttempt.State.FINISHED
    assert done.finished_at == done.deadline
    assert "2" not in done.responses  # answers sent after the deadline are not taken
    assert done.marks["1"] == 1


def test_late_save_is_refused_whatever_the_browser_says():
    attempt, user = _late(Quiz.OverdueHandling.AUTOSUBMIT)
    with pytest.raises(Conflict):
        services.attempt_save_responses(
            attempt=attempt, user=user, responses={"2": {"answer": True}}
        )


def test_grace_period_allows_submitting_but_not_answering():
    attempt, user = _late(Quiz.OverdueHandling.GRACE_PERIOD)
    with pytest.raises(Conflict):
        services.attempt_save_responses(
            attempt=attempt, user=user, responses={"2": {"answer": True}}
        )
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.OVERDUE
    done = services.attempt_submit(attempt=attempt, user=user, responses={"2": {"answer": True}})
    assert done.state == QuizAttempt.State.FINISHED
    assert done.submitted_late
    assert "2" not in done.responses


def test_after_the_grace_period_or_with_not_counted_the_attempt_is_abandoned():
    attempt, user = _late(Quiz.OverdueHandling.GRACE_PERIOD, grace=10)
    with pytest.raises(Conflict):
        services.attempt_submit(attempt=attempt, user=user)
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.ABANDONED
    attempt2, user2 = _late(Quiz.OverdueHandling.NOT_COUNTED)
    with pytest.raises(Conflict):
        services.attempt_submit(attempt=attempt2, user=user2)


def test_close_overdue_sweeps_forgotten_attempts():
    attempt, _user = _late(Quiz.OverdueHandling.AUTOSUBMIT)
    assert services.attempts_close_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.FINISHED


# --- Manual grading, versions, regrade -----------------------------------------------------
def test_essay_waits_for_a_trainer_then_counts(users):
    course, _ = course_with_bank(trainer=users["trainer"])
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q6 Essay"))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    done = services.attempt_submit(attempt=attempt, user=user, responses=right_responses(attempt))
    assert done.needs_grading
    assert done.sum_marks is None
    with pytest.raises(NotAllowed):
        services.manual_grade_save(attempt=done, slot=2, mark=1, grader=user)
    with pytest.raises(ServiceError):
        services.manual_grade_save(attempt=done, slot=2, mark=3, grader=users["trainer"])
    graded = services.manual_grade_save(
        attempt=done, slot=2, mark=0.5, comment="Good start", grader=users["trainer"]
    )
    assert not graded.needs_grading
    assert graded.sum_marks == 1.5
    assert graded.grade_percent == 75
    assert AuditEvent.objects.get(action="grade_overridden").actor == users["trainer"]


def test_editing_an_attempted_question_makes_a_new_version_and_regrade_uses_it(users):
    course, _ = course_with_bank(trainer=users["trainer"])
    quiz = quiz_create(course=course, names=("Q3 Short",))
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    done = services.attempt_submit(
        attempt=attempt, user=user, responses={"1": {"answer": "F.I.A."}}
    )
    assert done.sum_marks == 0
    q3 = question(course, "Q3 Short")
    data = q3.current_version.data
    data["data"]["answers"].append(
        {"text": "F.I.A.", "fraction": 1.0, "feedback": "", "feedback_format": "moodle"}
    )
    version = services.question_update(question=q3, data=data)
    assert version.number == 2
    done.refresh_from_db()
    assert done.layout["slots"][0]["version"] != version.pk  # the attempt keeps what it saw
    assert services.quiz_regrade(quiz=quiz, user=users["trainer"]) == 1
    done.refresh_from_db()
    assert done.sum_marks == 1
    assert done.layout["slots"][0]["version"] == version.pk


# --- Grades and completion -----------------------------------------------------------------
def test_quiz_grade_follows_the_grading_method():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    grades = []
    for responses in ({}, {"1": {"choice": 0}, "2": {"answer": True}}, {"1": {"choice": 0}}):
        attempt = services.attempt_start(quiz=quiz, user=user)
        grades.append(
            services.attempt_submit(attempt=attempt, user=user, responses=responses).grade_percent
        )
    assert grades == [0, 100, 50]
    attempts = list(QuizAttempt.objects.filter(quiz=quiz))
    assert services.quiz_grade_of(attempts, "highest") == 100
    assert services.quiz_grade_of(attempts, "first") == 0
    assert services.quiz_grade_of(attempts, "last") == 50
    assert services.quiz_grade_of(attempts, "average") == 50


def test_course_grade_is_provided_to_completion():
    from courses.completion import course_grade

    course, _ = course_with_bank()
    quiz = quiz_create(course=course)
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user, responses={"1": {"choice": 0}})
    assert course_grade(user=user, course=course) == 50


def test_passing_a_quiz_placed_in_a_lesson_completes_the_lesson():
    course, _ = course_with_bank()
    quiz = quiz_create(course=course, pass_percent=60)
    lesson = LessonPage.objects.descendant_of(course).first()
    lesson.body = [("quiz", {"title": "Check", "required": True, "quiz": quiz})]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    user = learner(course)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user, responses={"1": {"choice": 0}})
    assert not LessonProgress.objects.filter(
        user=user, lesson=lesson, completed_at__isnull=False
    ).exists()
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user, responses=right_responses(attempt))
    assert LessonProgress.objects.filter(
        user=user, lesson=lesson, completed_at__isnull=False
    ).exists()
