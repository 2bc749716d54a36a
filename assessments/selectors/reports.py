"""Trainers' reads: the grading queue, statistics, a learner's quiz summary, the gradebook."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from assessments import grading
from assessments.models import Question, Quiz, QuizAttempt
from assessments.selectors.display import render_text, versions_for
from courses.models import CoursePage, Enrolment
from courses.scorm.selectors import scorm_graded_items, scorm_item_grades


def grading_queue(*, quiz: Quiz) -> list[dict]:
    """Essays waiting for a mark: one row per (attempt, slot), in 2 queries."""
    attempts = list(
        QuizAttempt.objects.filter(quiz=quiz, state=QuizAttempt.State.FINISHED, needs_grading=True)
        .select_related("user")
        .prefetch_related("manual_grades")
        .order_by("finished_at")
    )
    versions = versions_for(attempts)
    rows = []
    for attempt in attempts:
        graded = {m.slot for m in attempt.manual_grades.all()}
        for slot in attempt.layout["slots"]:
            question = versions[slot["version"]]
            if question["qtype"] == "essay" and slot["slot"] not in graded:
                rows.append(
                    {
                        "attempt": attempt,
                        "slot": slot["slot"],
                        "mark": slot["mark"],
                        "question": question,
                        "text": render_text(
                            question.get("text", ""), question.get("text_format", "html"), question
                        ),
                        "response": (attempt.responses.get(str(slot["slot"])) or {}).get(
                            "text", ""
                        ),
                        "grader_info": (question.get("data") or {}).get("grader_info", ""),
                    }
                )
    return rows


def quiz_statistics(*, quiz: Quiz, which: str = "first"):
    """Moodle's statistics of the quiz's finished attempts (3 queries)."""
    from assessments.statistics import (
        AttemptResult,
        ResponsePart,
        SlotResult,
        WhichAttempts,
        quiz_statistics_compute,
    )

    attempts = list(
        QuizAttempt.objects.filter(quiz=quiz, state=QuizAttempt.State.FINISHED).only(
            "user_id", "number", "layout", "responses", "marks", "feedback", "sum_marks", "state"
        )
    )
    versions = versions_for(attempts)
    random_slots = set()
    results = []
    for attempt in attempts:
        slots = []
        for slot in attempt.layout.get("slots", []):
            question = versions[slot["version"]]
            if not grading.is_gradable(question):
                continue
            if slot.get("random"):
                random_slots.add(slot["slot"])
            mark = attempt.marks.get(str(slot["slot"]))
            result = attempt.feedback.get(str(slot["slot"])) or {}
            grade = grading.grade_response(
                question, attempt.responses.get(str(slot["slot"])), layout=slot.get("layout")
            )
            slots.append(
                SlotResult(
                    slot=slot["slot"],
                    question_id=slot["question"],
                    mark=mark or 0.0,
                    max_mark=slot["mark"],
                    response_summary=result.get("summary"),
                    random_guess_score=grading.random_guess_score(question),
                    parts=tuple(ResponsePart(*p) for p in grade.parts),
                )
            )
        results.append(
            AttemptResult(
                user_id=attempt.user_id,
                attempt_number=attempt.number,
                total_mark=attempt.sum_marks,
                slots=slots,
            )
        )
    stats = quiz_statistics_compute(
        attempts=results, which_attempts=WhichAttempts(which), random_slots=random_slots
    )
    names = dict(
        Question.objects.filter(
            pk__in={s["question"] for a in attempts for s in a.layout.get("slots", [])}
        ).values_list("pk", "name")
    )
    return stats, names


def quiz_summary(*, quiz: Quiz, user) -> dict:
    """Quiz settings and the user's attempts (2 queries)."""
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    from assessments.services.grades import quiz_grade_of

    return {"attempts": attempts, "grade": quiz_grade_of(attempts, quiz.grading_method)}


@dataclass
class GradebookRow:
    user: object
    grades: list[float | None]
    total: float | None
    passed: bool | None


def gradebook(*, course: CoursePage) -> tuple[list[Quiz], list[GradebookRow]]:
    """Learners x graded items (quizzes, then the course's SCORM packages), course total
    and pass/fail (at most 6 queries)."""
    from assessments.services.grades import course_total, quiz_grades

    quizzes = list(Quiz.objects.filter(course=course).order_by("created_at", "pk"))
    enrolled = (
        Enrolment.objects.filter(course=course, role=Enrolment.Role.LEARNER)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values("user_id")
    )
    # The learners themselves, with only the names a gradebook shows (a whole user and
    # enrolment per row cost more than the rest of the gradebook).
    learners = list(
        get_user_model()
        .objects.filter(pk__in=enrolled)
        .only("pk", "username", "first_name", "last_name")
        .order_by("last_name", "first_name", "username")
    )
    user_ids = [user.pk for user in learners]
    grades = quiz_grades(quizzes=quizzes, user_ids=user_ids) if quizzes else {}
    # SCORM packages are graded items too: a column each, the score in percent of the grade.
    scorm_items = scorm_graded_items(course=course)
    grades.update(scorm_item_grades(items=scorm_items, user_ids=user_ids))
    quizzes = [*quizzes, *scorm_items]
    threshold = course.completion_min_grade
    rows = []
    for user in learners:
        total = course_total(quizzes=quizzes, grades=grades, user_id=user.pk)
        row_grades = [grades.get((q.pk, user.pk)) for q in quizzes]
        if total is None:
            passed = None
        elif threshold is not None:
            passed = total >= float(threshold)
        else:
            passed = all(
                g is not None and g >= float(q.pass_percent)
                for g, q in zip(row_grades, quizzes, strict=True)
            )
        rows.append(GradebookRow(user=user, grades=row_grades, total=total, passed=passed))
    return quizzes, rows
