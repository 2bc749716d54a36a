"""SCORM pages: the player, its launch and commit endpoints, the report (package files and
the runtime page: courses.scorm.content_views)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses import selectors
from courses.models import CoursePage, ScormPackage
from courses.scorm import commit_keys, content, services
from courses.scorm import navigation as navigation_services
from courses.scorm import selectors as scorm_selectors
from courses.scorm.datamodel import to_json_spec
from lms.exceptions import ServiceError


def _package_for_reader(request: HttpRequest, code: str, package_id: int):
    package = (
        ScormPackage.objects.select_related("course", "current")
        .filter(pk=package_id, course__code=code)
        .first()
    )
    if package is None or package.current is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=package.course)
    if not access.can_read:
        raise Http404
    return package, access


@login_required
@require_GET
def scorm_player(request: HttpRequest, code: str, package_id: int) -> HttpResponse:
    package, access = _package_for_reader(request, code, package_id)
    version = package.current
    statuses = scorm_selectors.scorm_item_statuses(user=request.user, package=package)
    # Package files and the runtime page: the content origin's token address, or the
    # platform's own path (courses.scorm.content).
    content_base = content.content_base(request=request, user=request.user, version=version)
    manifest = {k: v for k, v in version.manifest.items() if k != "activity_tree"}
    config = {
        "packageId": package.pk,
        "title": package.title,
        "version": version.version,
        "sequencing": navigation_services.is_sequenced(version),
        "manifest": manifest,
        "scos": [
            {
                "identifier": sco["identifier"],
                "title": sco["title"],
                "url": content_base + sco["launch"] if sco.get("launch") else None,
                "launch": sco.get("launch") or None,
                "sco": sco.get("sco", True),
                "visible": sco.get("visible", True),
            }
            for sco in version.scos
        ],
        "statuses": statuses,
        "launchUrl": reverse("courses:scorm_launch", args=[package.pk]),
        "runtimeUrl": content_base + content.RUNTIME_PATH,
        "contentOrigin": content.content_origin(),  # "" = this page's origin
        "csrfToken": get_token(request),
        "commitInterval": settings.SCORM_COMMIT_INTERVAL_SECONDS,
        "start": request.GET.get("sco") or "",
        "userId": request.user.pk,
    }
    response = TemplateResponse(
        request,
        "courses/scorm/player.html",
        {
            "course": package.course,
            "package": package,
            "version": version,
            "access": access,
            "config": config,
            "spec": to_json_spec(version.version),
        },
    )
    if content.content_origin():
        response._csp_update = {"frame-src": [content.content_origin()]}  # the runtime page
    return response


def _json_body(request: HttpRequest) -> dict:
    if len(request.body) > settings.SCORM_COMMIT_MAX_BYTES:
        raise ServiceError(_("The request is too large."))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ServiceError(_("The request is not JSON.")) from None
    if not isinstance(body, dict):
        raise ServiceError(_("The request is not a JSON object."))
    return body


def _error_response(error: ServiceError) -> JsonResponse:
    return JsonResponse(
        {"detail": error.detail, "errors": [item.as_dict() for item in error.errors]},
        status=error.status,
    )


def _launch_body(launch) -> dict:
    attempt = launch.attempt
    return {
        "attempt": attempt.pk,
        "number": attempt.number,
        "session": launch.session,
        "values": launch.values,
        "context": launch.context,
        "commitUrl": reverse("courses:scorm_commit", args=[attempt.pk]),
        # for the runtime frame's own last commit as the tab closes (commit_keys)
        "commitKey": commit_keys.commit_key_create(
            attempt_id=attempt.pk, user_id=attempt.user_id, session=launch.session
        ),
        "shared": launch.shared,
    }


@require_POST
def scorm_launch(request: HttpRequest, package_id: int) -> HttpResponse:
    """Start a session on a SCO: the attempt, its session number and its values.

    SCORM 1.2: ``{"sco", "restart"}`` launches that SCO. SCORM 2004: the sequencer decides,
    from ``{"request": "start" | "continue" | "previous" | "choice" | "jump" | "exit" |
    "exitAll" | "suspendAll" | ..., "target", "restart"}`` (``{"sco"}`` alone is a choice);
    the answer adds the SCO delivered (``sco``, null when none) and ``navigation`` (the
    table of contents and the valid requests). A refused request is 409 and changes nothing.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in again.")}, status=401)
    package = ScormPackage.objects.select_related("course", "current").filter(pk=package_id).first()
    if package is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=package.course)
    if not access.can_read:
        raise Http404
    try:
        body = _json_body(request)
        if package.current is not None and navigation_services.is_sequenced(package.current):
            return _navigate(request, package, body, credit=access.is_learner)
        launch = services.scorm_attempt_launch(
            user=request.user,
            package=package,
            sco=str(body.get("sco", "")),
            restart=bool(body.get("restart")),
            credit=access.is_learner,
        )
    except ServiceError as error:
        return _error_response(error)
    return JsonResponse({"sco": launch.attempt.sco, **_launch_body(launch)})


def _navigate(request: HttpRequest, package: ScormPackage, body: dict, *, credit: bool):
    target = str(body.get("target") or body.get("sco") or "") or None
    nav_request = str(body.get("request") or ("choice" if target else "start"))
    result = navigation_services.scorm_navigate(
        user=request.user,
        package=package,
        request=nav_request,
        target=target,
        restart=bool(body.get("restart")),
        credit=credit,
    )
    if result.refused:
        return JsonResponse(
            {
                "detail": result.refused,
                "errors": [{"field": "request", "message": result.refused}],
                "navigation": result.navigation,
            },
            status=409,
        )
    answer = {"sco": result.delivered, "ended": result.ended, "navigation": result.navigation}
    if result.launch is not None:
        answer.update(_launch_body(result.launch))
    return JsonResponse(answer)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, for the commits that come with the session cookie."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    check.process_request(request)
    return check.process_view(request, None, (), {})


def _committer(request: HttpRequest, attempt_id: int, body: dict, session: int):
    """(user, refusal): the commit key's learner, or the signed-in user once the request
    passed the CSRF check."""
    if commit_keys.KEY_FIELD in body:
        grant = commit_keys.commit_key_read(
            body[commit_keys.KEY_FIELD], attempt_id=attempt_id, session=session
        )
        return commit_keys.commit_key_user(grant=grant), None
    refusal = _csrf_refusal(request)
    if refusal is not None:
        return None, refusal
    if not request.user.is_authenticated:
        return None, JsonResponse({"detail": _("Sign in again.")}, status=401)
    return request.user, None


def _commit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    try:
        body = _json_body(request)
        session = int(body.get("session") or 0)
        user, refusal = _committer(request, attempt_id, body, session)
        if refusal is not None:
            return refusal
        commits = body.get("commits")
        if not isinstance(commits, list):
            raise ServiceError(_("commits must be a list."))
        outcome = services.scorm_attempt_commit(
            attempt_id=attempt_id, user=user, session=session, commits=commits
        )
    except ServiceError as error:
        return _error_response(error)
    except (TypeError, ValueError):
        return JsonResponse({"detail": _("session must be a number.")}, status=400)
    return JsonResponse(
        {
            "seq": outcome.seq,
            "applied": outcome.applied,
            "stale": outcome.stale,
            "errors": outcome.errors,
            "completion_status": outcome.completion_status,
            "success_status": outcome.success_status,
            "navigation": outcome.navigation,
        }
    )


@csrf_exempt  # only with a valid commit key; without one, _committer runs the CSRF check
@require_http_methods(["POST", "OPTIONS"])
def scorm_commit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Store the browser's commits: `{"session": n, "commits": [{"seq", "values", "finish"}]}`.

    Answers `{"seq": n}`: every commit up to n is stored (the browser drops them). The
    player sends them with the session cookie and CSRF token; the runtime frame, as the
    tab closes, with the commit key of its launch (``"key"``), from the content origin
    (CORS, without credentials) or the platform's own (courses.scorm.commit_keys)."""
    if request.method == "OPTIONS":
        if not commit_keys.is_content_origin_request(request):
            return HttpResponseNotAllowed(["POST"])
        return commit_keys.preflight(request)
    return commit_keys.cors(request, _commit(request, attempt_id))


@login_required
@require_GET
def scorm_report(request: HttpRequest, code: str, package_id: int) -> HttpResponse:
    """Each learner's status, score, time and interactions per SCO (trainers, admins)."""
    package = (
        ScormPackage.objects.select_related("course", "current")
        .filter(pk=package_id, course__code=code)
        .first()
    )
    if package is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=package.course)
    if not access.can_manage:
        if access.can_read:
            raise PermissionDenied(_("Only the course's trainers and administrators may."))
        raise Http404
    scos = package.current.scos if package.current else []
    rows = scorm_selectors.scorm_attempts_report(package=package)
    table = [
        {
            "enrolment": row.enrolment,
            "cells": [
                {"sco": sco, "attempt": row.attempts.get(sco["identifier"]),
                 "count": row.counts.get(sco["identifier"], 0)}
                for sco in scos
            ],
        }
        for row in rows
    ]  # fmt: skip
    return TemplateResponse(
        request,
        "courses/scorm/report.html",
        {"course": package.course, "package": package, "scos": scos, "table": table},
    )


def course_of(code: str) -> CoursePage | None:
    return CoursePage.objects.filter(code=code).first()
