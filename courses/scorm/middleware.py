"""The content host serves package files and nothing else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from courses.scorm.content import TOKEN_PREFIX, is_content_host, refusal


class ScormContentHostMiddleware:
    """On SCORM_CONTENT_ORIGIN's host only token addresses (/scorm-content/t/…) answer:
    no page, no sign-in, no API, no static file is served from the origin where package
    scripts run. Placed right after SecurityMiddleware, before sessions and CSRF, so a
    refused request touches nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_content_host(request) and not request.path_info.startswith(TOKEN_PREFIX):
            return refusal(404)
        return self.get_response(request)
