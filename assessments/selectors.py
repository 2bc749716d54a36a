"""Reads of the assessments app, each a fixed number of queries.

What reaches a learner's browser is built here, and only here: :func:`attempt_questions`
gives the questions of an attempt WITHOUT fractions, feedback or right answers, and
:func:`attempt_review` adds exactly what the quiz's review options allow at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from assessments import grading
from assessments.models import (
    Question,
    QuestionVersion,
    Quiz,
    QuizAttempt,
    ReviewTime,
)
from courses.models import CoursePage, Enrolment
from courses.selectors import course_access
from lms.roles import Role


# --- Access ------------------------------------------------------------------------------
def can_manage_course(*, user, course: CoursePage) -> bool:
    """Trainer of the course (active enrolment as trainer) or administrator."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(Role.ADMIN):
        return True
    return Enrolment.objects.filter(
        user=user,
        course=course,
        role=Enrolment.Role.TRAINER,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
    ).exists()


def can_manage_quiz(*, user, quiz: Quiz) -> bool:
    return can_manage_course(user=user, course=quiz.course)


def quiz_for(*, user, quiz_id: int) -> tuple[Quiz, bool]:
    """The quiz and whether the user manages it; 404 unless enrolled or managing."""
    quiz = Quiz.objects.select_related("course").filter(pk=quiz_id).first()
    if quiz is None or not user.is_authenticated:
        raise Http404
    manages = can_manage_quiz(user=user, quiz=quiz)
    if not manages and not course_access(user=user, course=quiz.course).can_read:
        raise Http404
    return quiz, manages


def attempt_for(*, user, attempt_id: int, manage_ok: bool = True) -> tuple[QuizAttempt, bool]:
    """The attempt for its owner (or a trainer of the course when ``manage_ok``); 404 else."""
    attempt = (
        QuizAttempt.objects.select_related("quiz", "quiz__course", "user")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None or not user.is_authenticated:
        raise Http404
    if attempt.user_id == user.pk:
        return attempt, False
    if manage_ok and can_manage_quiz(user=user, quiz=attempt.quiz):
        return attempt, True
    raise Http404


def course_by_code(*, code: str) -> CoursePage:
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise Http404
    return course


def managed_course(*, user, code: str) -> CoursePage:
    """The course, for its trainers and administrators; 404 for everyone else."""
    course = course_by_code(code=code)
    if not can_manage_course(user=user, course=course):
        if course_access(user=user, course=course).can_read:
            from lms.exceptions import NotAllowed

            raise NotAllowed("Only the course's trainers and administrators can do this.")
        raise Http404
    return course


# --- Presenting questions without correctness ---------------------------------------------
def versions_for(attempts: list[QuizAttempt]) -> dict[int, dict]:
    ids = {s["version"] for a in attempts for s in a.layout.get("slots", [])}
    return dict(QuestionVersion.objects.filter(pk__in=ids).values_list("pk", "data"))


def _files_inline(text: str, question: dict) -> str:
    """Embedded files (Moodle ``@@PLUGINFILE@@``) as data: URLs so pages need no file store."""
    if "@@PLUGINFILE@@" not in (text or ""):
        return text
    for item in question.get("files") or []:
        ref = "@@PLUGINFILE@@" + (item.get("path") or "/") + item["name"]
        mime = "image/png"
        lower = item["name"].lower()
        if lower.endswith((".jpg", ".jpeg")):
            mime = "image/jpeg"
        elif lower.endswith(".gif"):
            mime = "image/gif"
        elif lower.endswith(".svg"):
            mime = "image/svg+xml"
        text = text.replace(ref, f"data:{mime};base64,{item['content']}")
    return text


def render_text(text: str, fmt: str, question: dict | None = None) -> str:
    """A question text as safe HTML: HTML keeps a small set of tags and safe attributes;
    plain, Moodle and Markdown texts are escaped, with their line breaks kept."""
    from django.utils.html import escape, linebreaks

    text = _files_inline(text or "", question or {})
    if fmt in ("html",):
        return _sanitise(text)
    if fmt == "markdown":
        return linebreaks(escape(text))
    return linebreaks(escape(text)) if "\n" in text else escape(text)


_ALLOWED = {
    "p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "ul", "ol", "li", "span",
    "div", "img", "table", "thead", "tbody", "tr", "td", "th", "pre", "code", "h3", "h4",
    "blockquote", "a",
}  # fmt: skip


def _sanitise(html: str) -> str:
    """Keep a small set of tags and only safe attributes (src with data:/https, href https)."""
    import re

    from django.utils.html import escape

    def tag(match: re.Match) -> str:
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3) or ""
        if name not in _ALLOWED:
            return ""
        if closing:
            return f"</{name}>"
        kept = []
        for attr, value in re.findall(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"', attrs):
            attr = attr.lower()
            if attr == "alt" or (
                attr in ("src", "href")
                and value.lower().startswith(("https://", "data:image/", "http://"))
            ):
                kept.append(f'{attr}="{escape(value)}"')
        return f"<{name}{' ' if kept else ''}{' '.join(kept)}>"

    return re.sub(
        r"<(/?)([a-zA-Z0-9]+)([^>]*)>", tag, re.sub(r"(?is)<(script|style).*?</\1>", "", html)
    )


def question_for_display(*, slot: dict, question: dict) -> dict:
    """One question of an attempt as the browser may see it: texts and choices in the
    frozen order, never a fraction, a feedback or which choice is right."""
    qtype, data = question["qtype"], question.get("data") or {}
    layout = slot.get("layout") or {}
    shown: dict = {
        "slot": slot["slot"],
        "page": slot["page"],
        "qtype": qtype,
        "name": question.get("name", ""),
        "text": render_text(
            question.get("text", ""), question.get("text_format", "html"), question
        ),
        "mark": slot["mark"],
    }
    if qtype == "multichoice":
        answers = data.get("answers") or []
        shown["single"] = data.get("single", True)
        shown["choices"] = [
            {
                "value": position,
                "text": render_text(
                    answers[index]["text"], answers[index].get("format", "html"), question
                ),
            }
            for position, index in enumerate(layout.get("order") or range(len(answers)))
        ]
        shown["numbering"] = data.get("answer_numbering", "abc")
    elif qtype == "matching":
        items = data.get("subquestions") or []
        shown["stems"] = [
            {
                "key": str(index),
                "text": render_text(
                    items[index]["text"], items[index].get("format", "html"), question
                ),
            }
            for index in layout.get("stems", [])
        ]
        shown["choices"] = [
            {"value": position, "text": grading.plain(text)}
            for position, text in enumerate(layout.get("choices", []))
        ]
    elif qtype == "numerical":
        units = data.get("units") or []
        shown["units"] = (
            [u["name"] for u in units] if data.get("show_units") in ("radio", "select") else []
        )
        shown["units_left"] = data.get("units_left", False)
    elif qtype == "essay":
        shown["response_format"] = data.get("response_format", "editor")
        shown["lines"] = data.get("response_field_lines", 15)
        shown["template"] = data.get("response_template", "")
        shown["min_words"] = data.get("min_word_limit")
        shown["max_words"] = data.get("max_word_limit")
    elif qtype == "cloze":
        parts = []
        part_layouts = layout.get("parts") or {}
        for number, sub in enumerate(data.get("subquestions") or [], 1):
            part = {"key": str(number), "kind": sub["kind"]}
            if sub["kind"] == "multichoice":
                order = (part_layouts.get(str(number)) or {}).get("order") or range(
                    len(sub["answers"])
                )
                part["single"] = sub.get("single", True)
                part["choices"] = [
                    {"value": position, "text": grading.plain(sub["answers"][index]["text"])}
                    for position, index in enumerate(order)
                ]
            parts.append(part)
        shown["parts"] = parts
    return shown


def attempt_questions(
    *, attempt: QuizAttempt, versions: dict[int, dict] | None = None
) -> list[dict]:
    versions = versions if versions is not None else versions_for([attempt])
    return [
        question_for_display(slot=slot, question=versions[slot["version"]])
        for slot in attempt.layout.get("slots", [])
    ]


# --- Review -------------------------------------------------------------------------------
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
    """The attempt as the review options allow now (everything for its trainers)."""
    options = review_options(attempt=attempt, manages=manages, now=now)
    versions = versions_for([attempt])
    manual = {m.slot: m for m in attempt.manual_grades.all()}
    questions = []
    for slot in attempt.layout.get("slots", []):
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


# --- Trainer views ------------------------------------------------------------------------
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
    """Learners x quizzes, course total and pass/fail (3 queries)."""
    from assessments.services.grades import course_total, quiz_grades

    quizzes = list(Quiz.objects.filter(course=course).order_by("created_at", "pk"))
    enrolments = list(
        Enrolment.objects.filter(course=course, role=Enrolment.Role.LEARNER)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    grades = (
        quiz_grades(quizzes=quizzes, user_ids=[e.user_id for e in enrolments]) if quizzes else {}
    )
    threshold = course.completion_min_grade
    rows = []
    for enrolment in enrolments:
        total = course_total(quizzes=quizzes, grades=grades, user_id=enrolment.user_id)
        row_grades = [grades.get((q.pk, enrolment.user_id)) for q in quizzes]
        if total is None:
            passed = None
        elif threshold is not None:
            passed = total >= float(threshold)
        else:
            passed = all(
                g is not None and g >= float(q.pass_percent)
                for g, q in zip(row_grades, quizzes, strict=True)
            )
        rows.append(
            GradebookRow(user=enrolment.user, grades=row_grades, total=total, passed=passed)
        )
    return quizzes, rows
