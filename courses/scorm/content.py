"""Where package files are served from, who may have them, and with which headers.

A SCORM package is HTML and script written by someone else. Served from the platform's
origin, its scripts could read the CSRF cookie, reach the player page and call the
platform as the learner. So there are two modes (``SCORM_CONTENT_ORIGIN``):

- empty (the default, one host name): ``/scorm-content/<version>/<path>`` on the platform's
  origin, for users who may read the course (their session decides);
- set, e.g. ``https://scorm.academy.example`` (a second host name of the same server): only
  on that origin, ``/scorm-content/t/<token>/<path>``. The token (django.core.signing,
  salt ``TOKEN_SALT``) names the user, the package version and the platform origin that
  opened the player, and expires after ``SCORM_CONTENT_TOKEN_SECONDS``; no cookie is sent
  or needed there, and the platform's cookies (host-only) never reach that host. On the
  platform's host, package files are then not served at all; on the content host nothing
  but token addresses is (courses.scorm.middleware).

Either way the player frames the runtime page ``<content base>__lms__/runtime.html``
(the SCORM API for the content, on the content's origin), which frames the SCO and talks
to the player only by postMessage (courses/static/courses/scorm/runtime.js, player.js).
"""

from __future__ import annotations

import functools
import mimetypes
import posixpath
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core import signing
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _

for _type, _extension in (
    ("text/javascript", ".js"),
    ("text/javascript", ".mjs"),
    ("application/json", ".json"),
    ("font/woff2", ".woff2"),
    ("font/woff", ".woff"),
    ("image/svg+xml", ".svg"),
    ("text/vtt", ".vtt"),
    ("video/mp4", ".mp4"),
    ("audio/mpeg", ".mp3"),
    ("application/xml", ".xsd"),
):
    mimetypes.add_type(_type, _extension)

TOKEN_SALT = "courses.scorm.content-token"  # noqa: S105 - a salt, not a secret
TOKEN_PREFIX = "/scorm-content/t/"  # noqa: S105 - a path
RUNTIME_PATH = "__lms__/runtime.html"
RESERVED_PREFIX = "__lms__/"  # the platform's own files under a content base
CONTENT_CACHE_SECONDS = 3600
CHARSET_CHECK_MAX_BYTES = 5 * 1024 * 1024


# --- Origins -----------------------------------------------------------------------------
def content_origin() -> str:
    """The content origin, or "" when package files are served from the platform's."""
    return settings.SCORM_CONTENT_ORIGIN


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute address, "" for a relative one."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _host_port(netloc: str, scheme: str) -> tuple[str, str]:
    host, port = split_domain_port(netloc.lower())
    return host, port or {"http": "80", "https": "443"}.get(scheme, "")


def is_content_host(request: HttpRequest) -> bool:
    """Whether the request came to the content origin's host (never when it is unset)."""
    origin = content_origin()
    if not origin:
        return False
    parts = urlsplit(origin)
    return _host_port(request.get_host(), parts.scheme) == _host_port(parts.netloc, parts.scheme)


def request_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


# --- Tokens ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContentGrant:
    """What a valid token says: this user may read this version, framed by that origin."""

    user_id: int
    version_id: int
    platform_origin: str
    expires_at: float

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def content_token_create(*, user_id: int, version_id: int, platform_origin: str) -> str:
    return _signer().sign_object([user_id, version_id, platform_origin], compress=True)


def content_token_read(token: str) -> ContentGrant | None:
    """The grant of a token whose signature is good (expired or not), else None."""
    signer = _signer()
    try:
        data = signer.unsign_object(token)
        issued = signing.b62_decode(signing.Signer.unsign(signer, token).rsplit(signer.sep)[-1])
    except (signing.BadSignature, ValueError):
        return None
    if not (
        isinstance(data, list)
        and len(data) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) for n in data[:2])
        and isinstance(data[2], str)
        and origin_of(data[2]) == data[2]
    ):
        return None
    return ContentGrant(data[0], data[1], data[2], issued + settings.SCORM_CONTENT_TOKEN_SECONDS)


def content_base(*, request: HttpRequest, user, version) -> str:
    """The address a package path is appended to (ends with "/"): a token address on the
    content origin, or the session-checked path on the platform's own."""
    origin = content_origin()
    if not origin:
        return reverse("scorm_content", args=[version.pk, "x"])[:-1]
    token = content_token_create(
        user_id=user.pk, version_id=version.pk, platform_origin=request_origin(request)
    )
    return origin + reverse("scorm_token_content", args=[token, "x"])[:-1]


# --- Responses ---------------------------------------------------------------------------
def _common_headers(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"  # a token never leaves in a Referer
    return response


def content_headers(response: HttpResponse, grant: ContentGrant | None) -> HttpResponse:
    """Headers of a package file: same-origin (grant None) or content-origin mode."""
    _common_headers(response)
    if grant is None:
        response["Cache-Control"] = f"private, max-age={CONTENT_CACHE_SECONDS}"
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["X-Frame-Options"] = "SAMEORIGIN"
        return response
    # Cached no longer than the token lives. Framed by the runtime page (this origin) in
    # the player (the platform's): frame-ancestors checks every ancestor, and replaces
    # X-Frame-Options, whose SAMEORIGIN would refuse the platform's page.
    remaining = max(0, int(grant.expires_at - time.time()))
    response["Cache-Control"] = f"private, max-age={min(CONTENT_CACHE_SECONDS, remaining)}"
    response["Content-Security-Policy"] = f"frame-ancestors 'self' {grant.platform_origin}"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.xframe_options_exempt = True
    return response


def refusal(status: int, grant: ContentGrant | None = None) -> HttpResponse:
    """A small answer that needs nothing of the platform (no template, no static file).

    An expired token (403) gets a page the runtime recognises (``data-scorm-content``),
    framable where the content was, so that the player can start again."""
    if status == 403 and grant is not None:
        text = _("This module's address has expired. Reload the page to carry on.")
        body = (
            '<!doctype html><html data-scorm-content="expired"><head><meta charset="utf-8">'
            f"<title>{status}</title></head><body><p>{text}</p></body></html>"
        )
        response = HttpResponse(body, status=403, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = (
            f"default-src 'none'; frame-ancestors 'self' {grant.platform_origin}"
        )
        response.xframe_options_exempt = True
    else:
        response = HttpResponse(b"Not found", status=status, content_type="text/plain")
        response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "no-store"
    return _common_headers(response)


def package_path(path: str) -> str | None:
    """A package-relative path, normalised, or None for anything that could escape."""
    if "\x00" in path or "\\" in path:
        return None
    normalised = posixpath.normpath(path)
    if normalised.startswith(("/", "..")) or normalised in (".", "") or "/../" in normalised:
        return None
    if normalised.startswith(RESERVED_PREFIX):
        return None
    return normalised


@functools.lru_cache(maxsize=512)
def _is_utf8(path: str, mtime_ns: int, size: int) -> bool:
    if size > CHARSET_CHECK_MAX_BYTES:
        return True
    try:
        Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _content_type(target: Path, stat) -> str:
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    textual = content_type.startswith("text/") or content_type == "application/json"
    # UTF-8 (or ASCII) text says so; an older package in another encoding keeps its own
    # <meta charset> (a header would override it and garble the text).
    if textual and _is_utf8(str(target), stat.st_mtime_ns, stat.st_size):
        content_type += "; charset=utf-8"
    return content_type


def file_response(
    request: HttpRequest, root: Path, path: str, grant: ContentGrant | None
) -> HttpResponse | None:
    """The file at ``path`` under ``root`` (None when there is none), with validators:
    ETag and Last-Modified, answering If-None-Match / If-Modified-Since with 304."""
    normalised = package_path(path)
    if normalised is None:
        return None
    root = root.resolve()
    target = (root / normalised).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    last_modified = int(stat.st_mtime)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(target.open("rb"), content_type=_content_type(target, stat))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return content_headers(response, grant)


RUNTIME_SCRIPTS = ("courses/scorm/runtime-model.js", "courses/scorm/runtime.js")


def runtime_assets(grant: ContentGrant | None) -> tuple[list[str], str, str]:
    """The runtime page's script and stylesheet addresses, and the CSP source for them:
    the platform's static files (on its origin when the page is on the content origin)."""
    scripts = [static(name) for name in RUNTIME_SCRIPTS]
    style = static("courses/scorm/runtime-frame.css")
    if grant is not None:
        scripts = [urljoin(grant.platform_origin + "/", script) for script in scripts]
        style = urljoin(grant.platform_origin + "/", style)
    return scripts, style, origin_of(style) or "'self'"


def runtime_headers(response: HttpResponse, grant: ContentGrant | None, source: str) -> None:
    """The runtime page: its own scripts only, framed only by the player's origin, and
    reaching only the platform (its last commit as the tab closes: commit_keys)."""
    ancestors = grant.platform_origin if grant is not None else "'self'"
    response["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'none'",
            f"script-src {source}",
            f"style-src {source}",
            f"connect-src {ancestors}",
            "frame-src 'self'",
            f"frame-ancestors {ancestors}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin" if grant is None else "cross-origin"
    if grant is None:
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response.xframe_options_exempt = True
    _common_headers(response)
