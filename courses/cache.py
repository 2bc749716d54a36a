"""Caching of the published course tree: routes, pages, outlines and anonymous pages.

Everything cached here is derived from published content only, under one "content
version" that changes whenever anything is published, unpublished, moved or deleted (and
when thematic areas change). Changing the version makes every entry unreachable at once,
so nothing has to be found and deleted, and entries also expire after PAGE_CACHE_SECONDS.
With the local-memory cache (the embedded default) each process has its own cache: a
change made by another process (a management command) shows within PAGE_CACHE_SECONDS.
With Redis (production) every worker sees the change at once.

Per-user data (enrolment, progress) is never cached here: pages combine the cached
published structure with the user's own rows, read fresh on every request.
"""

import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

VERSION_KEY = "courses:content-version"
CSRF_MARKER = "__csrf_token_placeholder__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]+)(")')


def _seconds() -> int:
    return settings.PAGE_CACHE_SECONDS


def enabled() -> bool:
    return _seconds() > 0


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def content_changed(**kwargs) -> None:
    """Signal receiver: published content changed; every cached entry becomes stale."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def cached(key: str, compute: Callable[[], object]) -> object:
    """`compute()` cached under `key` for the current content version."""
    if not enabled():
        return compute()
    full_key = f"courses:{content_version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, _seconds())
    return value


# --- Routing -----------------------------------------------------------------------------
def site_for(request: HttpRequest) -> Site | None:
    """Wagtail's site for the request (one query each time in Wagtail), cached per host and
    port; Site changes in the admin retire it through the content version."""
    if not hasattr(request, "_wagtail_site"):
        host = request._get_raw_host()
        request._wagtail_site = (
            cached(f"site:{host}", lambda: Site._find_for_request(request) or False) or None
        )
    return request._wagtail_site


def route(request: HttpRequest, path: str) -> RouteResult | None:
    """The live page at `path` of the request's site, from the cache when it is there.

    Wagtail routes a request one tree level at a time (two queries per level); a lesson
    four levels down costs ten queries before it is served. Here a path resolves with one
    indexed query on `url_path` the first time, and with none afterwards. Returns None
    for anything that is not simply a live page (Wagtail's router then handles it).
    """
    site = site_for(request)
    if site is None:
        return None

    def lookup():
        root = Page.objects.filter(pk=site.root_page_id).values_list("url_path", flat=True)
        url_path = f"{root.first()}{path.strip('/')}/".replace("//", "/")
        page = Page.objects.filter(url_path=url_path, live=True).first()
        return page.specific if page is not None else False

    page = cached(f"route:{site.pk}:{path}", lookup)
    return RouteResult(page) if page else None


# --- Anonymous pages ---------------------------------------------------------------------
def anonymous_key(request: HttpRequest) -> str | None:
    """The cache key of this request's page when it may be served from the cache: a GET
    from someone without a session or pending messages."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"anon:{get_language()}:{digest}"


def anonymous_get(request: HttpRequest, key: str) -> HttpResponse | None:
    stored = cache.get(f"courses:{content_version()}:{key}")
    if stored is None:
        return None
    content, headers = stored
    if CSRF_MARKER.encode() in content:
        content = content.replace(CSRF_MARKER.encode(), get_token(request).encode())
    response = HttpResponse(content, headers=headers)
    response["X-Page-Cache"] = "hit"
    return response


def anonymous_store(key: str, response: HttpResponse) -> None:
    """Keep a rendered page for other anonymous visitors, with its CSRF token swapped
    for a placeholder (each visitor gets their own token when it is served)."""
    if response.status_code != 200 or response.streaming:
        return
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return
    content = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_MARKER.encode() + rb"\g<3>", response.content)
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() not in ("set-cookie", "content-length")
    }
    cache.set(f"courses:{content_version()}:{key}", (content, headers), _seconds())


class CourseTreeCacheMiddleware:
    """Serves anonymous visitors' catalogue and course pages from the cache and routes
    every request under the catalogue through the cached route map.

    Sits after the CSRF middleware (which then sets the visitor's CSRF cookie for the
    token put into a cached page) and before authentication, so a cache hit costs no
    query at all. Pages opt in to the anonymous cache by setting
    `response.cache_anonymously = True`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(settings.CATALOGUE_PATH):
            if enabled() and not request.path_info.startswith("/api/"):
                site_for(request)  # pages that link to course pages need it; Wagtail asks
            return self.get_response(request)
        key = anonymous_key(request)
        if key is not None and (response := anonymous_get(request, key)) is not None:
            return response
        if request.method in ("GET", "HEAD") and enabled():
            result = route(request, request.path_info)
            if result is not None:
                request._wagtail_route_for_request = result
        response = self.get_response(request)
        if key is not None and getattr(response, "cache_anonymously", False):
            anonymous_store(key, response)
        return response
