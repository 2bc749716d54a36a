"""REST API of the assessments app (contract: shared/API.md).

The attempt endpoints never send a fraction, a per-answer feedback or a right answer before
the quiz's review options allow it, nor, while a sequential attempt is in progress, a
question of a page not reached yet: what they return is built by
:func:`assessments.selectors.attempt_questions` and :func:`~assessments.selectors.attempt_review`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from assessments import selectors, services
from assessments.gradebook import gradebook_csv, gradebook_rows, gradebook_xlsx
from lms.exceptions import NotAllowed

router = Router(tags=["assessments"])


# --- Question bank -----------------------------------------------------------------------
class ImportOut(Schema):
    created: int
    categories: list[str]
    by_type: dict[str, int]


@router.post(
    "/courses/{code}/questions/import",
    response={201: ImportOut},
    summary="Import a GIFT or Moodle XML file into the course's question bank (all or nothing)",
)
def questions_import(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    format: Form[Literal["gift", "moodlexml"]] = "gift",
):
    course = selectors.managed_course(user=request.user, code=code)
    result = services.question_import(
        course=course, data=file.read(), fmt=format, user=request.user, filename=file.name
    )
    return Status(201, result)


@router.get(
    "/courses/{code}/questions/export",
    summary="The course's question bank as a GIFT or Moodle XML file",
)
def questions_export(
    request: HttpRequest,
    code: str,
    format: Literal["gift", "moodlexml"] = "gift",
):
    course = selectors.managed_course(user=request.user, code=code)
    data = services.question_export(course=course, fmt=format)
    extension, mime = ("gift.txt", "text/plain") if format == "gift" else ("xml", "application/xml")
    response = HttpResponse(data, content_type=f"{mime}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.code}-questions.{extension}"'
    return response


# --- Quizzes and attempts ----------------------------------------------------------------
class AttemptBrief(Schema):
    id: int
    number: int
    state: str
    started_at: datetime
    deadline: datetime | None
    finished_at: datetime | None
    grade_percent: float | None = None


class QuizOut(Schema):
    id: int
    course: str
    title: str
    intro: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    overdue_handling: str
    grace_period_seconds: int
    attempts_allowed: int
    grading_method: str
    max_grade: float
    pass_percent: float
    questions_per_page: int
    navigation: str
    slots: int
    my_grade: float | None
    my_attempts: list[AttemptBrief]


@router.get("/quizzes/{quiz_id}", response=QuizOut, summary="Quiz settings and my attempts")
def quiz_detail(request: HttpRequest, quiz_id: int):
    quiz, _manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    summary = selectors.quiz_summary(quiz=quiz, user=request.user)
    review_marks = {a.pk: selectors.review_options(attempt=a).marks for a in summary["attempts"]}
    return {
        "id": quiz.pk,
        "course": quiz.course.code,
        "title": quiz.title,
        "intro": quiz.intro,
        "opens_at": quiz.opens_at,
        "closes_at": quiz.closes_at,
        "time_limit_minutes": quiz.time_limit_minutes,
        "overdue_handling": quiz.overdue_handling,
        "grace_period_seconds": quiz.grace_period_seconds,
        "attempts_allowed": quiz.attempts_allowed,
        "grading_method": quiz.grading_method,
        "max_grade": float(quiz.max_grade),
        "pass_percent": float(quiz.pass_percent),
        "questions_per_page": quiz.questions_per_page,
        "navigation": quiz.navigation,
        "slots": quiz.slots.count(),
        "my_grade": summary["grade"],
        "my_attempts": [
            {
                "id": a.pk,
                "number": a.number,
                "state": a.state,
                "started_at": a.started_at,
                "deadline": a.deadline,
                "finished_at": a.finished_at,
                "grade_percent": a.grade_percent if review_marks[a.pk] else None,
            }
            for a in summary["attempts"]
        ],
    }


class AttemptOut(Schema):
    """An attempt in progress: its questions without any correctness data."""

    id: int
    quiz: int
    number: int
    state: str
    started_at: datetime
    deadline: datetime | None
    server_time: datetime
    pages: int
    current_page: int
    navigation: str
    responses: dict[str, Any]
    questions: list[dict[str, Any]]


def _attempt_out(attempt) -> dict:
    """The attempt in progress as its learner may see it: with sequential navigation only
    the questions (and responses) reached so far, never a later page's."""
    slots = selectors.visible_slots(attempt=attempt)
    shown = {str(slot["slot"]) for slot in slots}
    return {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "server_time": timezone.now(),
        "pages": attempt.layout.get("pages", 1),
        "current_page": attempt.current_page,
        "navigation": attempt.quiz.navigation,
        "responses": {key: value for key, value in attempt.responses.items() if key in shown},
        "questions": selectors.attempt_questions(attempt=attempt, slots=slots),
    }


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={200: AttemptOut, 201: AttemptOut},
    summary="Start an attempt, or resume the one in progress (201 when new)",
)
def attempt_start(request: HttpRequest, quiz_id: int):
    quiz, _manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    started_before = timezone.now()
    attempt = services.attempt_start(quiz=quiz, user=request.user)
    if not attempt.is_open:
        from lms.exceptions import Conflict

        raise Conflict("This attempt is closed.")
    status = 201 if attempt.started_at >= started_before else 200
    return Status(status, _attempt_out(attempt))


class ResponsesIn(Schema):
    responses: dict[str, dict[str, Any]]


class SavedOut(Schema):
    state: str
    saved_at: datetime | None
    deadline: datetime | None
    server_time: datetime


@router.put(
    "/attempts/{attempt_id}/responses",
    response=SavedOut,
    summary="Save responses (autosave; merging by slot, so sending the same again is "
    "harmless); a sequential quiz takes only its current page's (403 otherwise)",
)
def attempt_save(request: HttpRequest, attempt_id: int, body: ResponsesIn):
    # (the service reads the attempt itself, locked: one query fewer on the busiest call)
    attempt = services.attempt_save_responses(
        attempt=attempt_id, user=request.user, responses=body.responses
    )
    return {
        "state": attempt.state,
        "saved_at": attempt.responses_saved_at,
        "deadline": attempt.deadline,
        "server_time": timezone.now(),
    }


class PageIn(Schema):
    page: int
    responses: dict[str, dict[str, Any]] | None = None


class PageOut(Schema):
    state: str
    current_page: int
    pages: int
    navigation: str
    saved_at: datetime | None
    questions: list[dict[str, Any]]


@router.post(
    "/attempts/{attempt_id}/page",
    response=PageOut,
    summary="Save this page's responses and go to another page (pages count from 0); a "
    "sequential quiz only goes forward, one page at a time (403 otherwise). Returns the "
    "questions of the page gone to",
)
def attempt_page(request: HttpRequest, attempt_id: int, body: PageIn):
    attempt = selectors.attempt_of_owner(user=request.user, attempt_id=attempt_id)
    attempt = services.attempt_navigate(
        attempt=attempt, user=request.user, page=body.page, responses=body.responses
    )
    return {
        "state": attempt.state,
        "current_page": attempt.current_page,
        "pages": services.page_count(attempt),
        "navigation": attempt.quiz.navigation,
        "saved_at": attempt.responses_saved_at,
        "questions": selectors.attempt_questions(
            attempt=attempt,
            slots=[
                slot
                for slot in selectors.visible_slots(attempt=attempt)
                if slot.get("page", 0) == attempt.current_page
            ],
        ),
    }


class SubmitIn(Schema):
    responses: dict[str, dict[str, Any]] | None = None


@router.post(
    "/attempts/{attempt_id}/submit",
    response=dict[str, Any],
    summary="Finish and grade; a second submit returns the same result",
)
def attempt_submit(request: HttpRequest, attempt_id: int, body: SubmitIn | None = None):
    attempt = services.attempt_submit(
        attempt=attempt_id, user=request.user, responses=body.responses if body else None
    )
    return selectors.attempt_review(attempt=attempt)


@router.get(
    "/attempts/{attempt_id}",
    response=dict[str, Any],
    summary="An attempt's state, marks and feedback as the review options allow",
)
def attempt_detail(request: HttpRequest, attempt_id: int):
    attempt, manages = selectors.attempt_for(user=request.user, attempt_id=attempt_id)
    if attempt.is_open and not manages:
        attempt = services.attempt_refresh(attempt=attempt)
    return selectors.attempt_review(attempt=attempt, manages=manages)


class ManualGradeIn(Schema):
    slot: int
    mark: float
    comment: str = ""


@router.post(
    "/attempts/{attempt_id}/grades",
    response=dict[str, Any],
    summary="A trainer's mark for an essay (manual grading)",
)
def attempt_manual_grade(request: HttpRequest, attempt_id: int, body: ManualGradeIn):
    attempt, manages = selectors.attempt_for(user=request.user, attempt_id=attempt_id)
    if not manages:
        raise NotAllowed("Only the course's trainers grade attempts.")
    attempt = services.manual_grade_save(
        attempt=attempt, slot=body.slot, mark=body.mark, comment=body.comment, grader=request.user
    )
    return selectors.attempt_review(attempt=attempt, manages=True)


# --- Statistics and the gradebook --------------------------------------------------------
def statistics_dict(stats, names: dict) -> dict:
    from dataclasses import asdict

    data = asdict(stats)
    for row in data["slots"] + data["subquestions"]:
        row["name"] = names.get(row["question_id"], "") if row["question_id"] else ""
    for row in data["responses"]:
        row["name"] = names.get(row["question_id"], "")
    return data


@router.get(
    "/quizzes/{quiz_id}/statistics",
    response=dict[str, Any],
    summary="Quiz and per-question statistics, as Moodle computes them",
)
def quiz_statistics(
    request: HttpRequest,
    quiz_id: int,
    which: Literal["first", "all", "last", "highest"] = "first",
):
    quiz, manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    if not manages:
        raise NotAllowed("Only the course's trainers and administrators see statistics.")
    stats, names = selectors.quiz_statistics(quiz=quiz, which=which)
    return statistics_dict(stats, names)


class GradebookFilter(Schema):
    format: Literal["json", "csv", "xlsx"] = "json"


@router.get(
    "/courses/{code}/gradebook",
    response=dict[str, Any],
    summary="Learners x graded items, course total, pass/fail; `?format=csv` or `xlsx`",
)
def course_gradebook(request: HttpRequest, code: str, filters: Query[GradebookFilter]):
    course = selectors.managed_course(user=request.user, code=code)
    if filters.format == "csv":
        response = HttpResponse(
            gradebook_csv(course=course), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{course.code}-gradebook.csv"'
        return response
    if filters.format == "xlsx":
        response = HttpResponse(
            gradebook_xlsx(course=course),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{course.code}-gradebook.xlsx"'
        return response
    quizzes, rows, extra_columns = gradebook_rows(course=course)
    return {
        "course": course.code,
        "items": [
            {
                "id": getattr(q, "item_id", q.pk),
                "kind": getattr(q, "kind", "quiz"),
                "title": q.title,
                "max_grade": float(q.max_grade),
            }
            for q in quizzes
        ],
        "columns": extra_columns,
        "total": len(rows),
        "learners": [
            {
                "username": row.user.username,
                "name": row.user.get_full_name(),
                "grades": row.grades,
                "course_total": row.total,
                "passed": row.passed,
                "columns": row.extra,
            }
            for row in rows
        ],
    }
