"""System checks for SCORM_CONTENT_ORIGIN: a content origin that would not isolate the
packages' scripts (or would not answer) is a configuration error, found at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from courses.scorm.content import origin_of


def _trusts(trusted: str, parts) -> bool:
    """Whether a CSRF_TRUSTED_ORIGINS entry covers the content origin (as CsrfViewMiddleware
    reads it: exact, or "scheme://*.domain" for its subdomains)."""
    other = urlsplit(trusted)
    if other.scheme != parts.scheme:
        return False
    if other.netloc.startswith("*"):
        return is_same_domain(parts.netloc.lower(), other.netloc.lstrip("*").lower())
    return other.netloc.lower() == parts.netloc.lower()


@register()
def scorm_content_origin_check(app_configs=None, **kwargs) -> list[Error]:
    origin = settings.SCORM_CONTENT_ORIGIN
    if not origin:
        return []
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or origin_of(origin) != origin:
        return [
            Error(
                f"SCORM_CONTENT_ORIGIN must be scheme://host[:port] only, not {origin!r}.",
                id="courses.E101",
            )
        ]
    errors = []
    if not validate_host(split_domain_port(parts.netloc.lower())[0], settings.ALLOWED_HOSTS):
        errors.append(
            Error(
                f"{parts.netloc} (SCORM_CONTENT_ORIGIN) is not in ALLOWED_HOSTS.",
                hint="Add the content host name to ALLOWED_HOSTS.",
                id="courses.E102",
            )
        )
    if any(_trusts(trusted, parts) for trusted in settings.CSRF_TRUSTED_ORIGINS):
        errors.append(
            Error(
                "SCORM_CONTENT_ORIGIN must not be a trusted CSRF origin: package scripts run "
                "there.",
                id="courses.E103",
            )
        )
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "LANGUAGE_COOKIE_DOMAIN"):
        if getattr(settings, name, None):
            errors.append(
                Error(
                    f"{name} is set: the cookie would reach the content host, where package "
                    "scripts run. Leave it unset (host-only cookies).",
                    id="courses.E104",
                )
            )
    if origin_of(settings.SITE_URL) == origin:
        errors.append(
            Error("SCORM_CONTENT_ORIGIN is the site's own origin (SITE_URL).", id="courses.E105")
        )
    return errors
