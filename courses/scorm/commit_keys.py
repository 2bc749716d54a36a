"""Commit keys: the runtime frame's own way to store a SCO's last values.

The player page (the platform's origin) sends the commits with the learner's session and
CSRF token. While the tab closes, the runtime frame's last message may never reach the
player: the runtime frame then POSTs its unacknowledged commits itself (``fetch`` with
``keepalive``, no credentials). On the content origin (``SCORM_CONTENT_ORIGIN``) it has no
platform cookie and must have none, so it is authorised by a key handed to it at launch:

- signed with django.core.signing (salt :data:`KEY_SALT`), expiring after
  ``SCORM_COMMIT_KEY_SECONDS``;
- naming one attempt, its learner and the launch (session) it was made for: it stores CMI
  values in that session of that attempt, through the same service and ``seq`` ordering as
  the player's commits, and does nothing else (no read, no launch, no other attempt).

The commit endpoint is CSRF-exempt only for a request carrying a valid key (the cookie
path keeps Django's CSRF check) and answers CORS to ``SCORM_CONTENT_ORIGIN`` only, without
credentials (:func:`cors`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from lms.exceptions import ErrorItem, NotAllowed
from lms.models import User

KEY_SALT = "courses.scorm.commit-key"
KEY_FIELD = "key"
PREFLIGHT_MAX_AGE = 600


@dataclass(frozen=True)
class CommitGrant:
    """What a valid key allows: commits to this session of this attempt, as this user."""

    attempt_id: int
    user_id: int
    session: int


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=KEY_SALT)


def commit_key_create(*, attempt_id: int, user_id: int, session: int) -> str:
    return _signer().sign_object([attempt_id, user_id, session])


def _refusal(message: str) -> NotAllowed:
    return NotAllowed(message, [ErrorItem(field=KEY_FIELD, message=message)])


def commit_key_read(key: object, *, attempt_id: int, session: int) -> CommitGrant:
    """The grant of a key for a commit to ``attempt_id`` (``session``); raises NotAllowed
    (403) with the reason when the key is malformed, tampered with, expired, or made for
    another attempt or another launch."""
    if not isinstance(key, str) or not key or len(key) > 500:
        raise _refusal(_("The commit key is missing or malformed."))
    try:
        data = _signer().unsign_object(key, max_age=settings.SCORM_COMMIT_KEY_SECONDS)
    except signing.SignatureExpired:
        raise _refusal(_("The commit key has expired: reload the page to carry on.")) from None
    except (signing.BadSignature, ValueError):
        raise _refusal(_("The commit key is not valid.")) from None
    if not (
        isinstance(data, list)
        and len(data) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) for n in data)
    ):
        raise _refusal(_("The commit key is not valid."))
    grant = CommitGrant(*data)
    if grant.attempt_id != attempt_id:
        raise _refusal(_("The commit key was made for another attempt."))
    if grant.session != session:
        raise _refusal(_("The commit key was made for another launch of this attempt."))
    return grant


def commit_key_user(*, grant: CommitGrant) -> User:
    """The learner a key was made for, while they may still sign in."""
    user = User.objects.filter(pk=grant.user_id, is_active=True).first()
    if user is None:
        raise _refusal(_("The commit key is not valid."))
    return user


# --- CORS: the content origin, on the commit endpoint only --------------------------------
def is_content_origin_request(request: HttpRequest) -> bool:
    origin = settings.SCORM_CONTENT_ORIGIN
    return bool(origin) and request.headers.get("Origin") == origin


def cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Let the content origin read the answer (never with credentials: no cookie is
    accepted from there); every other origin gets no CORS header at all."""
    if not settings.SCORM_CONTENT_ORIGIN:
        return response
    patch_vary_headers(response, ["Origin"])
    if is_content_origin_request(request):
        response["Access-Control-Allow-Origin"] = settings.SCORM_CONTENT_ORIGIN
    return response


def preflight(request: HttpRequest) -> HttpResponse:
    """The answer to the content origin's preflight (a commit sent as application/json)."""
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "POST"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return cors(request, response)
