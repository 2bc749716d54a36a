"""Writes of the assessments app (see the modules for the details)."""

from assessments.services.attempts import (
    attempt_apply_deadline,
    attempt_deadline,
    attempt_grade,
    attempt_navigate,
    attempt_refresh,
    attempt_save_responses,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    page_count,
)
from assessments.services.bank import (
    ImportResult,
    category_ensure,
    question_bank,
    question_export,
    question_import,
    question_update,
)
from assessments.services.grades import (
    course_grade,
    course_total,
    quiz_completion_update,
    quiz_grade_of,
    quiz_grades,
)
from assessments.services.marking import manual_grade_save, quiz_regrade

__all__ = [
    "ImportResult",
    "attempt_apply_deadline",
    "attempt_deadline",
    "attempt_grade",
    "attempt_navigate",
    "attempt_refresh",
    "attempt_save_responses",
    "attempt_start",
    "attempt_submit",
    "attempts_close_overdue",
    "category_ensure",
    "course_grade",
    "course_total",
    "manual_grade_save",
    "page_count",
    "question_bank",
    "question_export",
    "question_import",
    "question_update",
    "quiz_completion_update",
    "quiz_grade_of",
    "quiz_grades",
    "quiz_regrade",
]
