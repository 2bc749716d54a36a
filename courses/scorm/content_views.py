"""Package files and the runtime page, in both modes of courses.scorm.content.

Same origin (SCORM_CONTENT_ORIGIN empty): ``/scorm-content/<version>/…`` for users who may
read the course (404 to anyone else). Content origin: ``/scorm-content/t/<token>/…`` on
that host only; a bad token, another host or a user who may no longer read the course
gets 404, an expired token 403 (a page the runtime recognises, so the player reloads).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from courses import selectors
from courses.models import ScormPackageVersion
from courses.scorm import content, services
from courses.scorm.datamodel import to_json_spec


def _version(version_id: int) -> ScormPackageVersion | None:
    return (
        ScormPackageVersion.objects.select_related("package__course").filter(pk=version_id).first()
    )


def _readable_version(request: HttpRequest, version_id: int) -> ScormPackageVersion:
    """Same-origin mode: the version, if the signed-in user may read its course."""
    if content.content_origin():
        raise Http404  # isolated: package files never come from the platform's origin
    version = _version(version_id)
    if version is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=version.package.course)
    if not access.can_read:
        raise Http404  # never reveal that a package exists
    return version


def _granted(request: HttpRequest, token: str):
    """Content-origin mode: (grant, version), or a refusal."""
    if not content.is_content_host(request):
        return None, content.refusal(404)  # a token address on the platform's host: none
    grant = content.content_token_read(token)
    if grant is None:
        return None, content.refusal(404)
    if grant.expired:
        return None, content.refusal(403, grant)
    version = _version(grant.version_id)
    user = get_user_model().objects.filter(pk=grant.user_id, is_active=True).first()
    if version is None or user is None:
        return None, content.refusal(404)
    if not selectors.course_access(user=user, course=version.package.course).can_read:
        return None, content.refusal(404)  # unenrolled since the token was made
    return (grant, version), None


def _runtime_page(version: ScormPackageVersion, base: str, grant) -> HttpResponse:
    scripts, style, source = content.runtime_assets(grant)
    html = render_to_string(
        "courses/scorm/runtime_frame.html",
        {
            "title": version.package.title,
            "language": get_language(),
            "scripts": scripts,
            "style": style,
            # "" = the player is on this page's own origin
            "runtime": {"platformOrigin": grant.platform_origin if grant else "", "base": base},
            "spec": to_json_spec(version.version),
        },
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    content.runtime_headers(response, grant, source)
    return response


@require_safe
def scorm_content(request: HttpRequest, version_id: int, path: str) -> HttpResponse:
    """A file of a package version, to people who may read the course (404 otherwise)."""
    version = _readable_version(request, version_id)
    response = content.file_response(request, services.version_root(version), path, None)
    if response is None:
        raise Http404
    return response


@require_safe
def scorm_runtime(request: HttpRequest, version_id: int) -> HttpResponse:
    """The runtime page (the SCORM API the SCO finds) on the platform's origin."""
    version = _readable_version(request, version_id)
    base = reverse("scorm_content", args=[version.pk, "x"])[:-1]
    return _runtime_page(version, base, None)


@require_safe
def scorm_token_content(request: HttpRequest, token: str, path: str) -> HttpResponse:
    """A file of a package version on the content origin, for the token's holder."""
    granted, refused = _granted(request, token)
    if refused is not None:
        return refused
    grant, version = granted
    response = content.file_response(request, services.version_root(version), path, grant)
    return response if response is not None else content.refusal(404)


@require_safe
def scorm_token_runtime(request: HttpRequest, token: str) -> HttpResponse:
    """The runtime page on the content origin, framed only by the player's origin."""
    granted, refused = _granted(request, token)
    if refused is not None:
        return refused
    grant, version = granted
    base = reverse("scorm_token_content", args=[token, "x"])[:-1]
    return _runtime_page(version, base, grant)


content_urlpatterns = [
    path(
        "scorm-content/<int:version_id>/" + content.RUNTIME_PATH,
        scorm_runtime,
        name="scorm_runtime",
    ),
    path("scorm-content/<int:version_id>/<path:path>", scorm_content, name="scorm_content"),
    path(
        "scorm-content/t/<str:token>/" + content.RUNTIME_PATH,
        scorm_token_runtime,
        name="scorm_token_runtime",
    ),
    path(
        "scorm-content/t/<str:token>/<path:path>",
        scorm_token_content,
        name="scorm_token_content",
    ),
]
