"""Learner and trainer pages of courses: lessons, enrolment, participants and reports."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import cache, selectors, services
from courses.forms import BulkEnrolmentForm
from courses.models import CoursePage, LessonPage, ModulePage
from courses.models.pages import course_path_of
from lms.exceptions import ServiceError


def _course_of(page) -> CoursePage:
    path = course_path_of(page.path)
    return cache.cached(f"course-at:{path}", lambda: CoursePage.objects.get(path=path))


def _refuse(request: HttpRequest, course: CoursePage) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    messages.info(request, _("Enrol in this course to read its lessons."))
    return redirect(course.url)


def lesson_serve(request: HttpRequest, *, lesson: LessonPage) -> HttpResponse:
    course = _course_of(lesson)
    access = selectors.course_access(user=request.user, course=course)
    if not access.can_read:
        return _refuse(request, course)
    if access.is_learner:
        services.lesson_view(
            user=request.user, lesson=lesson, course=course, enrolment=access.enrolment
        )
    outline = selectors.course_outline(course=course)
    done = selectors.completed_lesson_ids(user=request.user, course=course)
    lessons = selectors.outline_lessons(outline)
    context = lesson.get_context(request)
    context.update(
        course=course,
        access=access,
        outline=outline,
        done_ids=done,
        outline_key=selectors.outline_key(done),
        content_version=cache.content_version(),
        page_cache_seconds=settings.PAGE_CACHE_SECONDS,
        progress=selectors.percent(len(done & {ln.pk for ln in lessons}), len(lessons)),
        module=next((m.page for m in outline if any(ln.pk == lesson.pk for ln in m.lessons)), None),
        **selectors.lesson_neighbours(lesson=lesson, outline=outline),
    )
    return TemplateResponse(request, lesson.get_template(request), context)


def module_serve(request: HttpRequest, *, module: ModulePage) -> HttpResponse:
    course = _course_of(module)
    access = selectors.course_access(user=request.user, course=course)
    if not access.can_read:
        return _refuse(request, course)
    context = module.get_context(request)
    context.update(
        course=course,
        access=access,
        lessons=selectors.module_lessons(module=module),
        done_ids=selectors.completed_lesson_ids(user=request.user, course=course),
    )
    return TemplateResponse(request, module.get_template(request), context)


@login_required
@require_POST
def course_enrol(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(CoursePage.objects.live(), code=code)
    try:
        services.enrolment_create(user=request.user, course=course, key=request.POST.get("key"))
    except ServiceError as error:
        messages.error(request, error.detail)
        return redirect(course.url)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    return redirect(course.url)


@login_required
@require_POST
def course_unenrol(request: HttpRequest, code: str) -> HttpResponse:
    course = get_object_or_404(CoursePage.objects.live(), code=code)
    services.enrolment_withdraw(user=request.user, course=course)
    messages.success(
        request,
        _("You have left %(course)s. Your progress is kept if you enrol again.")
        % {"course": course.title},
    )
    return redirect(course.url)


def _managed_course(request: HttpRequest, code: str) -> CoursePage:
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=course)
    if not access.can_manage:
        if access.can_read:
            raise PermissionDenied(_("Only the course's trainers and administrators may."))
        raise Http404  # do not reveal that a course one cannot see exists
    return course


@login_required
def course_participants(request: HttpRequest, code: str) -> HttpResponse:
    course = _managed_course(request, code)
    form = BulkEnrolmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.enrolment_bulk_create(
                course=course, rows=form.rows(), role=form.cleaned_data["role"]
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("%(enrolled)d enrolled, %(already)d were enrolled already.")
                % {"enrolled": len(result.enrolled), "already": len(result.already)},
            )
            return redirect("courses:participants", code=code)
    return TemplateResponse(
        request,
        "courses/participants.html",
        {
            "course": course,
            "rows": selectors.course_participants(course=course),
            "form": form,
        },
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def course_completion_report(request: HttpRequest, code: str) -> HttpResponse:
    """The completion report as CSV (UTF-8 with BOM so that spreadsheets show Urdu)."""
    course = _managed_course(request, code)
    rows = selectors.course_participants(course=course)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(
            ["username", "name", "service_number", "organisation", "role", "status",
             "enrolled", "lessons_completed", "lessons", "percent", "completed", "last_activity"]
        )  # fmt: skip
        for row in rows:
            e = row.enrolment
            yield writer.writerow(
                [
                    e.user.username,
                    e.user.get_full_name(),
                    e.user.service_number,
                    e.user.organisation or "",
                    e.role,
                    e.status,
                    e.enrolled_at.isoformat(),
                    row.done,
                    row.total,
                    row.percent,
                    e.completed_at.isoformat() if e.completed_at else "",
                    row.last_activity.isoformat() if row.last_activity else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.code}-completion.csv"'
    return response
