"""Reads of the assessments app, each a fixed number of queries.

What reaches a learner's browser is built here, and only here: :func:`attempt_questions`
gives the questions of an attempt WITHOUT fractions, feedback or right answers (and,
while a sequential attempt is in progress, only those reached: :func:`visible_slots`),
:func:`attempt_page` the page of them the learner is on (with GIFT missing-word and
embedded answers placed in the sentence), and :func:`attempt_review` adds
exactly what the quiz's review options allow at that moment.
"""

from assessments.selectors.access import (
    attempt_for,
    attempt_of_owner,
    can_manage_course,
    can_manage_quiz,
    course_by_code,
    managed_course,
    managed_courses,
    quiz_for,
)
from assessments.selectors.display import (
    attempt_page,
    attempt_questions,
    question_for_display,
    render_text,
    versions_for,
    visible_slots,
)
from assessments.selectors.reports import (
    GradebookRow,
    gradebook,
    grading_queue,
    quiz_statistics,
    quiz_summary,
)
from assessments.selectors.review import (
    ReviewOptions,
    attempt_review,
    overall_feedback,
    review_options,
    review_time,
)

__all__ = [
    "GradebookRow",
    "ReviewOptions",
    "attempt_for",
    "attempt_of_owner",
    "attempt_page",
    "attempt_questions",
    "attempt_review",
    "can_manage_course",
    "can_manage_quiz",
    "course_by_code",
    "gradebook",
    "grading_queue",
    "managed_course",
    "managed_courses",
    "overall_feedback",
    "question_for_display",
    "quiz_for",
    "quiz_statistics",
    "quiz_summary",
    "render_text",
    "review_options",
    "review_time",
    "versions_for",
    "visible_slots",
]
