"""Small middleware of the platform."""

from wagtail.contrib.redirects.middleware import RedirectMiddleware


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
