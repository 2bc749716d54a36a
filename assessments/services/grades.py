"""Quiz grades (per grading method), the course grade, and lesson completion by quizzes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from assessments.models import Quiz, QuizAttempt
from courses import cache
from courses.models import CoursePage, LessonPage
from courses.selectors import course_cached


def quiz_grade_of(attempts: Iterable[QuizAttempt], method: str) -> float | None:
    """A learner's quiz grade in percent from their finished attempts, by grading method
    (attempts waiting for a person to grade them do not count yet)."""
    graded = sorted(
        (a for a in attempts if a.state == QuizAttempt.State.FINISHED),
        key=lambda a: a.number,
    )
    grades = [a.grade_percent for a in graded if a.grade_percent is not None]
    return _grade_by(method, grades) if grades else None


def _grade_by(method: str, grades: list[float]) -> float:
    """quiz_grade_of's choice among graded attempts' grades, in attempt order."""
    if method == Quiz.GradingMethod.FIRST:
        return grades[0]
    if method == Quiz.GradingMethod.LAST:
        return grades[-1]
    if method == Quiz.GradingMethod.AVERAGE:
        return sum(grades) / len(grades)
    return max(grades)


def quiz_grades(*, quizzes: list[Quiz], user_ids: Iterable[int] | None = None) -> dict:
    """``{(quiz_id, user_id): percent}`` for these quizzes, in one query: quiz_grade_of for
    each learner, on the graded finished attempts in attempt order (read in that order, as
    plain values: a gradebook reads hundreds of them)."""
    rows = QuizAttempt.objects.filter(
        quiz__in=quizzes, state=QuizAttempt.State.FINISHED, grade_percent__isnull=False
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    grouped: dict[tuple[int, int], list[float]] = defaultdict(list)
    for quiz_id, user_id, grade in rows.order_by("quiz_id", "user_id", "number").values_list(
        "quiz_id", "user_id", "grade_percent"
    ):
        grouped[(quiz_id, user_id)].append(grade)
    methods = {quiz.pk: quiz.grading_method for quiz in quizzes}
    return {key: _grade_by(methods[key[0]], grades) for key, grades in grouped.items()}


def course_total(*, quizzes: list[Quiz], grades: dict, user_id: int) -> float | None:
    """The course total in percent: quiz grades weighted by each quiz's maximum grade
    (a quiz not taken counts 0); ``None`` for a course without quizzes."""
    weight = sum(float(q.max_grade) for q in quizzes)
    if not weight:
        return None
    earned = sum(float(q.max_grade) * grades.get((q.pk, user_id), 0.0) / 100 for q in quizzes)
    return round(100 * earned / weight, 2)


def course_grade(*, user, course: CoursePage) -> float | None:
    """The provider registered with courses.completion: the learner's course grade (%),
    the gradebook's course total: quizzes and SCORM packages, each weighted by its grade."""
    from courses.scorm.selectors import scorm_graded_items, scorm_item_grades

    quizzes = list(Quiz.objects.filter(course=course))
    grades = quiz_grades(quizzes=quizzes, user_ids=[user.pk])
    packages = scorm_graded_items(course=course)
    grades.update(scorm_item_grades(items=packages, user_ids=[user.pk]))
    return course_total(quizzes=[*quizzes, *packages], grades=grades, user_id=user.pk)


def quiz_done(*, quiz: Quiz, grade: float | None) -> bool:
    """Passed (with a pass grade) or finished and graded (without one)."""
    if grade is None:
        return False
    return grade >= float(quiz.pass_percent)


def lessons_with_quiz(*, quiz: Quiz, course: CoursePage | None = None) -> list[LessonPage]:
    """The live lessons of the quiz's course whose body places this quiz (1 query, which
    reads every lesson's body: cached for the content version of courses.cache)."""

    def find() -> list[LessonPage]:
        lessons = LessonPage.objects.live().descendant_of(course or quiz.course)
        return [lesson for lesson in lessons if quiz.pk in lesson_quiz_ids(lesson)]

    return cache.cached(f"quiz-lessons:{quiz.pk}", find)


def lesson_quiz_ids(lesson: LessonPage) -> list[int]:
    return [
        block["value"].get("quiz")
        for block in lesson.body.raw_data
        if block.get("type") == "quiz" and block["value"].get("quiz")
    ]


@transaction.atomic
def quiz_completion_update(*, quiz: Quiz, user) -> None:
    """When the learner has passed (or finished) a quiz, complete each lesson that places it
    and whose activities are all done; the course's completion is then re-checked (a course
    rule may need a minimum grade)."""
    from courses import services as course_services

    course = course_cached(pk=quiz.course_id)
    lessons = lessons_with_quiz(quiz=quiz, course=course)
    quiz_ids = {qid for lesson in lessons for qid in lesson_quiz_ids(lesson)}
    quizzes = list(Quiz.objects.filter(pk__in=quiz_ids))
    grades = quiz_grades(quizzes=quizzes, user_ids=[user.pk])
    by_id = {q.pk: q for q in quizzes}
    completed = False
    for lesson in lessons:
        if lesson.completion_rule != LessonPage.CompletionRule.ACTIVITIES:
            continue
        required = [
            block
            for block in lesson.body
            if getattr(block.block, "is_activity", False) and block.value.get("required", True)
        ]
        done = True
        for block in required:
            if block.block_type != "quiz":
                done = False  # SCORM and live sessions are not tracked here yet
                break
            chosen = block.value.get("quiz")
            chosen_id = getattr(chosen, "pk", chosen)
            other = by_id.get(chosen_id)
            if other is None or not quiz_done(quiz=other, grade=grades.get((other.pk, user.pk))):
                done = False
                break
        if done:
            course_services.lesson_complete(user=user, lesson=lesson, course=course)
            completed = True
    if not completed:
        course_services.course_completion_evaluate(user=user, course=course)
