"""The Wagtail admin page for SCORM packages: upload, the list of what is there, delete."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from courses.models import ScormPackage
from courses.scorm.forms import ScormUploadForm, managed_courses
from courses.scorm.services import scorm_package_delete, scorm_package_upload
from lms.exceptions import ServiceError
from lms.roles import Role


def scorm_packages(request):
    user = request.user
    if not (user.is_superuser or user.has_role(Role.ADMIN) or user.has_role(Role.TRAINER)):
        raise PermissionDenied
    packages = (
        ScormPackage.objects.filter(course__in=managed_courses(user))
        .select_related("course", "current")
        .order_by("course__code", "title")
    )
    if request.method == "POST" and "delete" in request.POST:
        package = packages.filter(pk=_number(request.POST["delete"])).first()
        if package is not None:
            title = package.title
            scorm_package_delete(package=package)
            messages.success(
                request, _("%(title)s was deleted with its files and results.") % {"title": title}
            )
        return redirect("courses_scorm_packages")
    doomed = packages.filter(pk=_number(request.GET.get("delete", ""))).first()
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
                max_grade=form.cleaned_data["max_grade"],
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
    return TemplateResponse(
        request,
        "courses/scorm/admin_packages.html",
        {"form": form, "errors": errors, "packages": packages, "doomed": doomed},
    )


def _number(value: str) -> int:
    return int(value) if value.isdigit() else 0
