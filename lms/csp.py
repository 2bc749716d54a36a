"""Content Security Policy: one strict policy for the platform's pages, a looser one for
the two admin sites, and SCORM content keeps the policy its view sets.

The platform's own pages load scripts and styles only from the site itself (no inline
script, no inline style, nothing from elsewhere), so an injected `<script>` cannot run even
if something slipped past escaping. The Wagtail and Django admin sites still use inline
scripts and styles of their own, so they get 'unsafe-inline' for those, and nothing else.
SCORM packages (written by others, full of inline script) and the SCORM runtime page are
served from their own path, or their own origin (SCORM_CONTENT_ORIGIN), with their own
header (courses.scorm.content), which this middleware leaves alone; the player page adds
the content origin to its frame-src.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings


class PlatformCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if request.path_info.startswith(settings.CSP_ADMIN_PREFIXES) and not hasattr(
            response, "_csp_replace"
        ):
            response._csp_replace = settings.CSP_ADMIN_REPLACE
        return super().process_response(request, response)
