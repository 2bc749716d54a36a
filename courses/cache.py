"""Caching of the published course tree: routes, pages, outlines and anonymous pages.

Everything cached here is derived from published content only, under one "content
version" that changes whenever anything is published, unpublished, moved or deleted (and
when thematic areas change). Changing the version makes every entry unreachable at once,
so nothing has to be found and deleted, and entries also expire after PAGE_CACHE_SECONDS.
With the local-memory cache (the embedded default) each process has its own cache: a
change made by another process (a management command) shows within PAGE_CACHE_SECONDS.
With Redis (production) every worker sees the change at once. Each process also keeps
what it has read for the current version (no round trip, no unpickling); every request
still reads the version itself from the cache, so a change shows in every process at once.

Per-user data (enrolment, progress) is never cached here: pages combine the cached
published structure with the user's own rows, read fresh on every request.
"""

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar

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


# What one request has already read from the cache (the content version), so that a page
# asking five times costs one round trip: set by CourseTreeCacheMiddleware for the request.
_request_memo: ContextVar[dict | None] = ContextVar("courses_cache_request", default=None)


def content_version() -> int:
    memo = _request_memo.get()
    if memo is not None and VERSION_KEY in memo:
        return memo[VERSION_KEY]
    version = cache.get(VERSION_KEY)
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if memo is not None:
        memo[VERSION_KEY] = version
    return version


def content_changed(**kwargs) -> None:
    """Signal receiver: published content changed; every cached entry becomes stale."""
    cache.set(VERSION_KEY, time.time_ns(), None)
    memo = _request_memo.get()
    if memo is not None:
        memo.pop(VERSION_KEY, None)  # the rest of this request sees the change too


# Values of `cached()` this process has already read, for the current content version
# only (a new version starts an empty dict): reading the outline of a 75-page course from
# Redis and unpickling it again on every request took a quarter of the course page's CPU.
# They are shared by the requests (and threads) of the process: nothing may change them.
_process: dict = {"version": None, "values": {}}
PROCESS_MEMO_MAX = 5000


def _process_values(version: int) -> dict:
    global _process
    if _process["version"] != version:
        _process = {"version": version, "values": {}}
    return _process["values"]


def _keep(values: dict, key: str, value: object) -> None:
    if len(values) >= PROCESS_MEMO_MAX:
        values.clear()
    values[key] = (time.monotonic() + _seconds(), value)


def _kept(values: dict, key: str) -> object | None:
    kept = values.get(key)
    return kept[1] if kept is not None and kept[0] > time.monotonic() else None


def cached(key: str, compute: Callable[[], object]) -> object:
    """`compute()` cached under `key` for the current content version."""
    if not enabled():
        return compute()
    version = content_version()
    values = _process_values(version)
    value = _kept(values, key)
    if value is not None:
        return value
    full_key = f"courses:{version}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, _seconds())
    _keep(values, key, value)
    return value


def cached_each(prefix: str, ids: Iterable, compute: Callable[[list], dict]) -> dict:
    """`{id: value}` for each id, cached one by one (under `prefix:id`) for the current
    content version: `compute(ids)` gives the values of those not cached, all at once (a
    page asking for twelve courses costs one query, or none)."""
    ids = list(dict.fromkeys(ids))
    if not enabled():
        return compute(ids)
    version = content_version()
    values = _process_values(version)
    found = {}
    for pk in ids:
        value = _kept(values, f"{prefix}:{pk}")
        if value is not None:
            found[pk] = value
    missing = {f"courses:{version}:{prefix}:{pk}": pk for pk in ids if pk not in found}
    if missing:
        for full_key, value in cache.get_many(list(missing)).items():
            found[missing.pop(full_key)] = value
    if missing:
        computed = compute(list(missing.values()))
        cache.set_many({key: computed[pk] for key, pk in missing.items()}, _seconds())
        found.update((pk, computed[pk]) for pk in missing.values())
    for pk in ids:
        _keep(values, f"{prefix}:{pk}", found[pk])
    return found


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
        token = _request_memo.set({})
        try:
            return self._serve(request)
        finally:
            _request_memo.reset(token)

    def _serve(self, request: HttpRequest) -> HttpResponse:
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
