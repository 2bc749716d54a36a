"""Question banks in the Wagtail admin: the banks a user manages, one course's bank (its
questions by category), and editing a question. Trainers see the courses they train,
administrators every course; anything else is a 404. Editing goes through
:func:`assessments.services.question_update`, which makes a new version when attempts have
shown the current one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from assessments import selectors, services
from assessments.forms import question_data_from_forms, question_edit_forms
from assessments.models import Question, QuestionCategory
from lms.exceptions import ServiceError
from lms.roles import Role

#: Questions listed on one page of a bank.
BANK_PAGE_SIZE = 100


def may_use_banks(user) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(Role.TRAINER)


def _managed_course(user, course_id: int):
    course = selectors.managed_courses(user=user).filter(pk=course_id).first()
    if course is None:
        raise Http404
    return course


def question_banks(request):
    if not may_use_banks(request.user):
        raise PermissionDenied
    courses = selectors.managed_courses(user=request.user).annotate(
        question_count=Count("questions", distinct=True),
        category_count=Count("question_categories", distinct=True),
        quiz_count=Count("quizzes", distinct=True),
    )
    return TemplateResponse(request, "assessments/admin/question_banks.html", {"courses": courses})


def question_bank(request, course_id: int):
    if not may_use_banks(request.user):
        raise PermissionDenied
    course = _managed_course(request.user, course_id)
    categories = list(QuestionCategory.objects.filter(course=course).order_by("path"))
    questions = (
        Question.objects.filter(course=course)
        .select_related("category", "current_version")
        .defer("current_version__data")
        .order_by("category__path", "pk")
    )
    category = request.GET.get("category", "")
    if category.isdigit():
        questions = questions.filter(
            Q(category_id=int(category))
            | Q(
                category__path__startswith=next(
                    (c.path + "/" for c in categories if c.pk == int(category)), "\x00"
                )
            )
        )
    search = request.GET.get("q", "").strip()
    if search:
        questions = questions.filter(name__icontains=search)
    page = Paginator(questions, BANK_PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "assessments/admin/question_bank.html",
        {
            "course": course,
            "categories": categories,
            "category": category,
            "search": search,
            "page_obj": page,
        },
    )


def question_edit(request, question_id: int):
    if not may_use_banks(request.user):
        raise PermissionDenied
    question = (
        Question.objects.select_related("course", "category", "current_version")
        .filter(pk=question_id, current_version__isnull=False)
        .first()
    )
    if question is None or not selectors.can_manage_course(
        user=request.user, course=question.course
    ):
        raise Http404
    current = question.current_version
    form, rows = question_edit_forms(
        data=current.data, post=request.POST if request.method == "POST" else None
    )
    errors = []
    if request.method == "POST" and form.is_valid() and (rows is None or rows.is_valid()):
        data = question_data_from_forms(data=current.data, form=form, rows=rows)
        try:
            version = services.question_update(question=question, data=data, user=request.user)
        except ServiceError as error:
            errors = [error.detail, *(str(item) for item in error.errors)]
        else:
            if version.pk != current.pk:
                message = _(
                    "“%(name)s” saved as version %(number)d: attempts that were shown version "
                    "%(old)d keep it."
                ) % {"name": question.name, "number": version.number, "old": current.number}
            else:
                message = _("“%(name)s” saved.") % {"name": question.name}
            messages.success(request, message)
            return redirect("assessments_question_bank", course_id=question.course_id)
    return TemplateResponse(
        request,
        "assessments/admin/question_edit.html",
        {
            "question": question,
            "version": current,
            "form": form,
            "rows": rows,
            "errors": errors,
            "qtype": current.data["qtype"],
        },
    )
