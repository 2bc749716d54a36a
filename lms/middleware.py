"""Small middleware of the platform."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from wagtail.contrib.redirects.middleware import RedirectMiddleware

logger = logging.getLogger(__name__)


class PageRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects (an editor's "this old address now lives there") for pages only.

    The API's and the verification page's 404s are answers, not missing pages: looking up
    redirects for them cost two queries, which made a miss on certificate verification
    measurably slower than a hit (a timing signal for guessing codes).
    """

    def process_response(self, request, response):
        if request.path_info.startswith(("/api/", "/verify/")):
            return response
        return super().process_response(request, response)


class OutOfRangeMiddleware:
    """A page address with a number beyond what the database can store (`/quizzes/9999…/`)
    names nothing: 404, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            from django.http import Http404

            raise Http404 from exception
        return None


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the database is restarting or out of connections."""
    detail = _("The service is briefly unavailable. Please try again in a few seconds.")
    wants_json = request.path_info.startswith("/api/") or "json" in (
        request.headers.get("Accept", "") + request.headers.get("Content-Type", "")
    )
    if wants_json:
        response = JsonResponse({"detail": detail, "errors": []}, status=503)
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """A view that could not reach the database (PostgreSQL restarting, a failover, no
    free connection in the pool within DB_POOL_TIMEOUT_SECONDS) answers 503 with
    Retry-After instead of a server error: the quiz autosave and the SCORM runtime send
    again, and so may any client. Only Django's OperationalError and InterfaceError: an
    IntegrityError or a ProgrammingError is a bug and stays a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable for %s: %s", request.path, exception)
            return database_unavailable(request)
        return None
