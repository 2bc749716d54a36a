"""Pages: quiz (learner or trainer with statistics), attempt and review, grading queue,
gradebook and question import. Thin: the work is in services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.forms import QuestionImportForm, responses_from_post
from assessments.gradebook import (
    gradebook_csv,
    gradebook_labels,
    gradebook_rows,
    gradebook_xlsx,
)
from lms.exceptions import NotAllowed, ServiceError


def _with_responses(questions: list[dict], responses: dict) -> list[dict]:
    """Attach each saved response to its question in the shape the template reads."""
    for question in questions:
        response = responses.get(str(question["slot"])) or {}
        question["response"] = response
        if question["qtype"] == "multichoice":
            chosen = (
                {response.get("choice")}
                if question.get("single")
                else set(response.get("choices") or [])
            )
            for choice in question["choices"]:
                choice["checked"] = choice["value"] in chosen
        elif question["qtype"] == "matching":
            matches = response.get("matches") or {}
            for stem in question["stems"]:
                stem["selected"] = matches.get(stem["key"])
        elif question["qtype"] == "cloze":
            parts = response.get("parts") or {}
            for part in question["parts"]:
                part["value"] = parts.get(part["key"], "")
    return questions


def _bars(stats) -> list[dict]:
    rows = []
    for row in stats.slots:
        rows.append(
            {
                "row": row,
                "facility": None if row.facility is None else round(row.facility),
                "discrimination": None
                if row.discrimination_index is None
                else round(max(0, row.discrimination_index)),
            }
        )
    return rows


@login_required
def quiz_page(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz, manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    context = {"quiz": quiz, "manages": manages, "now": timezone.now()}
    context.update(selectors.quiz_summary(quiz=quiz, user=request.user))
    if manages:
        which = request.GET.get("which", "first")
        if which not in ("first", "all", "last", "highest"):
            which = "first"
        stats, names = selectors.quiz_statistics(quiz=quiz, which=which)
        context.update(stats=stats, names=names, bars=_bars(stats), which=which)
        context["queue_count"] = len(selectors.grading_queue(quiz=quiz))
    return TemplateResponse(request, "assessments/quiz.html", context)


@login_required
@require_POST
def quiz_start(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz, _manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    try:
        attempt = services.attempt_start(quiz=quiz, user=request.user)
    except ServiceError as error:
        messages.error(request, error.detail)
        return redirect("assessments:quiz", quiz_id=quiz.pk)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


def _page_param(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt, manages = selectors.attempt_for(user=request.user, attempt_id=attempt_id)
    if attempt.is_open and not manages:
        attempt = services.attempt_refresh(attempt=attempt)
    if attempt.is_open and not manages:
        asked = _page_param(request.GET.get("page"))
        page = selectors.attempt_page(attempt=attempt, page=asked)
        if asked is not None and asked != page["page"]:
            # sequential navigation, or no such page: the learner's page is the current one
            return redirect("assessments:attempt", attempt_id=attempt.pk)
        _with_responses(page["questions"], attempt.responses)
        return TemplateResponse(
            request,
            "assessments/attempt.html",
            {
                "attempt": attempt,
                "quiz": attempt.quiz,
                "page": page,
                "questions": page["questions"],
                "server_time": timezone.now(),
            },
        )
    review = selectors.attempt_review(attempt=attempt, manages=manages)
    if review["options"]["responses"]:
        _with_responses(review["questions"], attempt.responses)
    return TemplateResponse(
        request,
        "assessments/review.html",
        {"attempt": attempt, "quiz": attempt.quiz, "review": review, "manages": manages},
    )


def _posted_responses(request: HttpRequest, attempt) -> dict:
    """The responses of the page the form was on (``thispage``): only its questions, so
    that the answers of other pages are left as they are."""
    questions = selectors.attempt_questions(attempt=attempt, slots=attempt.layout.get("slots", []))
    this_page = _page_param(request.POST.get("thispage"))
    if this_page is not None:
        questions = [q for q in questions if q["page"] == this_page]
    return responses_from_post(request.POST, questions)


@login_required
@require_POST
def attempt_navigate(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt form's page buttons: save this page's answers, then go to the page."""
    attempt, _manages = selectors.attempt_for(
        user=request.user, attempt_id=attempt_id, manage_ok=False
    )
    target = _page_param(request.POST.get("goto"))
    try:
        attempt = services.attempt_navigate(
            attempt=attempt,
            user=request.user,
            page=-1 if target is None else target,
            responses=_posted_responses(request, attempt),
        )
    except ServiceError as error:
        messages.error(request, error.detail)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt form's submit without JavaScript."""
    attempt, _manages = selectors.attempt_for(
        user=request.user, attempt_id=attempt_id, manage_ok=False
    )
    try:
        services.attempt_submit(
            attempt=attempt, user=request.user, responses=_posted_responses(request, attempt)
        )
    except ServiceError as error:
        messages.error(request, error.detail)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
def grading_queue(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz, manages = selectors.quiz_for(user=request.user, quiz_id=quiz_id)
    if not manages:
        from django.http import Http404

        raise Http404
    if request.method == "POST":
        attempt, _manages = selectors.attempt_for(
            user=request.user, attempt_id=int(request.POST.get("attempt", 0))
        )
        try:
            services.manual_grade_save(
                attempt=attempt,
                slot=int(request.POST.get("slot", 0)),
                mark=float(request.POST.get("mark", "-1") or -1),
                comment=request.POST.get("comment", ""),
                grader=request.user,
            )
        except (ServiceError, ValueError) as error:
            messages.error(request, getattr(error, "detail", _("Give a number.")))
        else:
            messages.success(request, _("Mark saved."))
        return redirect("assessments:grading", quiz_id=quiz.pk)
    return TemplateResponse(
        request,
        "assessments/grading.html",
        {"quiz": quiz, "rows": selectors.grading_queue(quiz=quiz)},
    )


def _managed_course(request: HttpRequest, code: str):
    """The course for its trainers and administrators; 403 for its other readers (the
    service's NotAllowed, which a page must not let through as a 500), 404 for the rest."""
    try:
        return selectors.managed_course(user=request.user, code=code)
    except NotAllowed as error:
        raise PermissionDenied(error.detail) from None


@login_required
def gradebook_page(request: HttpRequest, code: str) -> HttpResponse:
    course = _managed_course(request, code)
    fmt = request.GET.get("format")
    if fmt == "csv":
        response = HttpResponse(
            gradebook_csv(course=course), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{course.code}-gradebook.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            gradebook_xlsx(course=course),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{course.code}-gradebook.xlsx"'
        return response
    quizzes, rows, extra_columns = gradebook_rows(course=course)
    return TemplateResponse(
        request,
        "assessments/gradebook.html",
        {
            "course": course,
            "quizzes": quizzes,
            "rows": gradebook_labels(rows),
            "extra_columns": extra_columns,
        },
    )


@login_required
def question_import_page(request: HttpRequest, code: str) -> HttpResponse:
    course = _managed_course(request, code)
    form = QuestionImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.question_import(
                course=course,
                data=upload.read(),
                fmt=form.cleaned_data["format"],
                user=request.user,
                filename=upload.name,
            )
        except ServiceError as error:
            messages.error(request, error.detail)
            errors = error.errors
        else:
            messages.success(
                request,
                _("%(n)d questions imported into %(c)d categories.")
                % {"n": result.created, "c": len(result.categories)},
            )
            return redirect("assessments:import", code=course.code)
    from assessments.models import Question, QuestionCategory

    return TemplateResponse(
        request,
        "assessments/question_import.html",
        {
            "course": course,
            "form": form,
            "errors": errors,
            "categories": QuestionCategory.objects.filter(course=course).order_by("path"),
            "question_count": Question.objects.filter(course=course).count(),
        },
    )
