"""An attempt as the quiz's review options allow at this moment (everything for trainers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from assessments import grading
from assessments.models import Quiz, QuizAttempt, ReviewTime
from assessments.selectors.display import (
    question_for_display,
    render_text,
    versions_for,
    visible_slots,
)


def review_time(*, attempt: QuizAttempt, now: datetime | None = None) -> int:
    """Which review moment this is for the attempt (Moodle's four)."""
    now = now or timezone.now()
    if attempt.is_open:
        return ReviewTime.DURING
    quiz = attempt.quiz
    if quiz.closes_at and now >= quiz.closes_at:
        return ReviewTime.AFTER_CLOSE
    if attempt.finished_at and now - attempt.finished_at <= timezone.timedelta(minutes=2):
        return ReviewTime.IMMEDIATELY
    return ReviewTime.LATER_OPEN


@dataclass
class ReviewOptions:
    responses: bool
    marks: bool
    correctness: bool
    specific_feedback: bool
    general_feedback: bool
    right_answer: bool
    overall_feedback: bool


def review_options(*, attempt: QuizAttempt, manages: bool = False, now=None) -> ReviewOptions:
    if manages:
        return ReviewOptions(*(True,) * 7)
    time = review_time(attempt=attempt, now=now)
    quiz = attempt.quiz
    finished = attempt.state == QuizAttempt.State.FINISHED
    return ReviewOptions(
        responses=quiz.review_allows("responses", time),
        marks=finished and quiz.review_allows("marks", time),
        correctness=finished and quiz.review_allows("correctness", time),
        specific_feedback=finished and quiz.review_allows("specific_feedback", time),
        general_feedback=finished and quiz.review_allows("general_feedback", time),
        right_answer=finished and quiz.review_allows("right_answer", time),
        overall_feedback=finished and quiz.review_allows("overall_feedback", time),
    )


def overall_feedback(*, quiz: Quiz, percent: float | None, bands=None) -> str:
    if percent is None:
        return ""
    bands = bands if bands is not None else list(quiz.feedback_bands.all())
    for band in sorted(bands, key=lambda b: -b.min_percent):
        if percent >= float(band.min_percent):
            return band.text
    return ""


def attempt_review(*, attempt: QuizAttempt, manages: bool = False, now=None) -> dict:
    """The attempt as the review options allow now (everything for its trainers). While a
    sequential attempt is in progress its learner gets only the questions reached so far
    (:func:`~assessments.selectors.display.visible_slots`)."""
    options = review_options(attempt=attempt, manages=manages, now=now)
    versions = versions_for([attempt])
    manual = {m.slot: m for m in attempt.manual_grades.all()}
    questions = []
    slots = attempt.layout.get("slots", []) if manages else visible_slots(attempt=attempt)
    for slot in slots:
        question = versions[slot["version"]]
        shown = question_for_display(slot=slot, question=question)
        key = str(slot["slot"])
        result = attempt.feedback.get(key) or {}
        if options.responses:
            shown["response"] = attempt.responses.get(key)
        if options.marks:
            shown["mark_earned"] = attempt.marks.get(key)
        if options.correctness:
            shown["state"] = result.get("state")
        if options.specific_feedback:
            shown["feedback"] = [
                render_text(text, "html", question)
                for text in grading.feedback_texts(question, result.get("ids") or [])
            ]
            combined = grading.combined_feedback(question, result.get("state", ""))
            if combined:
                shown["feedback"].append(render_text(combined, "html", question))
            if slot["slot"] in manual and manual[slot["slot"]].comment:
                shown["comment"] = manual[slot["slot"]].comment
        if options.general_feedback and question.get("general_feedback"):
            shown["general_feedback"] = render_text(
                question["general_feedback"],
                question.get("general_feedback_format", "html"),
                question,
            )
        if options.right_answer and grading.is_gradable(question) and question["qtype"] != "essay":
            shown["right_answer"] = grading.right_answer(question)
        if manages and question["qtype"] == "essay":
            shown["grader_info"] = (question.get("data") or {}).get("grader_info", "")
        questions.append(shown)
    review = {
        "id": attempt.pk,
        "quiz": attempt.quiz_id,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "finished_at": attempt.finished_at,
        "needs_grading": attempt.needs_grading,
        "options": options.__dict__,
        "questions": questions,
    }
    if options.marks:
        review.update(
            sum_marks=attempt.sum_marks,
            max_marks=attempt.max_marks,
            grade_percent=attempt.grade_percent,
            grade=None
            if attempt.grade_percent is None
            else round(attempt.grade_percent * float(attempt.quiz.max_grade) / 100, 2),
            passed=None
            if attempt.grade_percent is None
            else attempt.grade_percent >= float(attempt.quiz.pass_percent),
        )
    if options.overall_feedback:
        review["overall_feedback"] = overall_feedback(
            quiz=attempt.quiz, percent=attempt.grade_percent
        )
    return review
