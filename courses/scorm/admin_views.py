"""The Wagtail admin page for SCORM packages: upload, and the list of what is there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from courses.models import ScormPackage
from courses.scorm.forms import ScormUploadForm, managed_courses
from courses.scorm.services import scorm_package_upload
from lms.exceptions import ServiceError
from lms.roles import Role


def scorm_packages(request):
    user = request.user
    if not (user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(Role.TRAINER)):
        raise PermissionDenied
    form = ScormUploadForm(request.POST or None, request.FILES or None, user=user)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            version = scorm_package_upload(
                course=form.cleaned_data["course"],
                file=form.cleaned_data["file"],
                user=user,
                package=form.cleaned_data["package"],
                title=form.cleaned_data["title"].strip(),
            )
        except ServiceError as error:
            errors = [error.detail, *(item.message for item in error.errors[1:])]
        else:
            messages.success(
                request,
                _("%(title)s: version %(number)d with %(count)d item(s) uploaded.")
                % {
                    "title": version.package.title,
                    "number": version.number,
                    "count": len(version.scos),
                },
            )
            return redirect("courses_scorm_packages")
    packages = (
        ScormPackage.objects.filter(course__in=managed_courses(user))
        .select_related("course", "current")
        .order_by("course__code", "title")
    )
    return TemplateResponse(
        request,
        "courses/scorm/admin_packages.html",
        {"form": form, "errors": errors, "packages": packages},
    )
