"""REST API of SCORM: upload a package to a course (`POST /api/v1/courses/{code}/scorm`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from courses import selectors
from courses.models import CoursePage, ScormPackage
from courses.scorm import services
from lms.exceptions import NotAllowed, ServiceError

router = Router(tags=["scorm"])


class ScoOut(Schema):
    identifier: str
    title: str
    launch: str | None
    sco: bool


class ScormVersionOut(Schema):
    package_id: int
    title: str
    scorm_version: str
    version: int
    version_id: int
    scos: list[ScoOut]
    warnings: list[str]
    player_url: str
    max_grade: float


def _managed_course(request: HttpRequest, code: str) -> CoursePage:
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=course)
    if not access.can_manage:
        if access.can_read:
            raise NotAllowed(
                "Only the course's trainers and administrators may add SCORM packages."
            )
        raise Http404
    return course


@router.post(
    "/courses/{code}/scorm",
    response={201: ScormVersionOut},
    summary="Upload a SCORM 1.2 or 2004 zip (multipart `file`); `package` makes it a new "
    "version of that package; `max_grade` is its weight in the gradebook (default 100)",
)
def scorm_upload(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    package: Form[int | None] = None,
    title: Form[str] = "",
    max_grade: Form[float | None] = None,
):
    course = _managed_course(request, code)
    existing = None
    if package is not None:
        existing = ScormPackage.objects.filter(pk=package, course=course).first()
        if existing is None:
            raise ServiceError(
                "There is no such SCORM package in this course.",
            )
    version = services.scorm_package_upload(
        course=course,
        file=file,
        user=request.user,
        package=existing,
        title=title.strip(),
        max_grade=max_grade,
    )
    from django.urls import reverse

    return Status(
        201,
        {
            "package_id": version.package_id,
            "title": version.package.title,
            "scorm_version": version.version,
            "version": version.number,
            "version_id": version.pk,
            "scos": version.scos,
            "warnings": version.warnings,
            "player_url": reverse("courses:scorm_player", args=[course.code, version.package_id]),
            "max_grade": float(version.package.max_grade),
        },
    )


@router.delete(
    "/courses/{code}/scorm/{package_id}",
    response={204: None},
    summary="Delete a SCORM package with its files, versions and learners' attempts",
)
def scorm_delete(request: HttpRequest, code: str, package_id: int):
    course = _managed_course(request, code)
    package = ScormPackage.objects.filter(pk=package_id, course=course).first()
    if package is None:
        raise Http404
    services.scorm_package_delete(package=package)
    return Status(204, None)
