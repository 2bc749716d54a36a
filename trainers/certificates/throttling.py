"""Rate limit of public verification, against enumeration of codes.

The same mechanism as the token endpoint's limit (django-ninja's cache-backed
SimpleRateThrottle), with two differences: signed-in users are limited too (verification
needs no account, so an account must not lift the limit), and the client address is the
one PROXY_COUNT says (the address the last trusted proxy saw, as for sign-in lockouts), so
that a forged X-Forwarded-For header does not give a fresh allowance.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


def client_address(request: HttpRequest) -> str:
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class CertificateVerifyThrottle(SimpleRateThrottle):
    """CERTIFICATE_VERIFY_RATE lookups per client address, page and API together."""

    scope = "certificate_verify"

    def __init__(self):
        super().__init__(rate=settings.CERTIFICATE_VERIFY_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the setting on every request: tests and `settings` overrides take effect.
        self.rate = settings.CERTIFICATE_VERIFY_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def verify_allowed(request: HttpRequest) -> tuple[bool, int]:
    """Whether this lookup is allowed, and the seconds to wait when it is not."""
    throttle = CertificateVerifyThrottle()
    if throttle.allow_request(request):
        return True, 0
    return False, int(throttle.wait() or throttle.duration or 60) + 1
