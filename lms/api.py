"""The REST API, v1: one NinjaAPI instance that every app adds its router to.

Contract: shared/API.md. Authentication is a bearer token (`POST /api/v1/auth/token`) or
the browser's session cookie (with CSRF on unsafe methods).
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import django_auth
from ninja.throttling import AnonRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth

from lms import services, two_factor
from lms.exceptions import ServiceError
from lms.middleware import database_unavailable


class BearerToken(BearerTokenAuth):
    """Wagtail's bearer-token auth, with tokens expiring after API_TOKEN_TTL."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = super().authenticate(request, token)
        if api_token is not None and api_token.created + settings.API_TOKEN_TTL < timezone.now():
            request.user = AnonymousUser()
            return None
        return api_token


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times in the site's zone (Asia/Karachi) with their offset, as the contract says."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


api = NinjaAPI(
    renderer=Renderer(),
    title="FIA Academy LMS API",
    version="1",
    description="Courses, enrolments, quizzes, SCORM, trainers, certificates and scheduling.",
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
)


# --- Errors: {"detail": ..., "errors": [{"field"|"line": ..., "message": ...}]} ----------
def _error(request, status: int, detail: str, errors: list[dict] | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body") or None,
            "message": error.get("msg", "invalid"),
        }
        for error in exc.errors
    ]
    return _error(request, 400, "The request is not valid.", errors)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    return _error(request, exc.status, exc.detail, [item.as_dict() for item in exc.errors])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, "Authentication required: send a bearer token or sign in.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "You are not allowed to do this.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "Not found.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request, exc):
    # PostgreSQL restarting, or no free connection in the pool: the client sends again.
    return database_unavailable(request)


@api.exception_handler(OverflowError)
def _number_out_of_range(request, exc):
    # An id or number beyond what the database stores (SQLite raises OverflowError; the
    # PostgreSQL driver raises the same for integers past 64 bits): no such object.
    return _error(request, 400, "A number in the request is out of range.")


# --- Accounts ----------------------------------------------------------------------------
accounts = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = Field(
        None, description="The six-digit code, for accounts with two-factor sign-in on."
    )


class TokenOut(Schema):
    token: str
    expires_in: int


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    country: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    service_number: str
    rank: str
    unit: str
    preferred_language: str
    roles: list[str]
    organisation: OrganisationOut | None


@accounts.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    throttle=[AnonRateThrottle(settings.API_TOKEN_RATE)],
    summary="Exchange a username and password for a bearer token",
)
def auth_token(request: HttpRequest, credentials: TokenIn):
    # django-axes counts failures here as on the sign-in page; once locked, its middleware
    # answers 429 (lms.views.signin_locked_out) whatever this view returns.
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        raise HttpError(401, "Wrong username or password.")
    if two_factor.two_factor_device(user=user) is not None:
        if not credentials.otp:
            raise HttpError(
                401, "This account uses two-factor sign-in: send the six-digit code as otp."
            )
        if not two_factor.two_factor_verify(user=user, code=credentials.otp):
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request
            )
            raise HttpError(401, "Wrong or already used two-factor code.")
    return {
        "token": services.api_token_issue(user=user),
        "expires_in": int(settings.API_TOKEN_TTL.total_seconds()),
    }


@accounts.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest):
    user = request.user
    organisation = user.organisation
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "service_number": user.service_number,
        "rank": user.rank,
        "unit": user.unit,
        "preferred_language": user.preferred_language,
        "roles": [role.value for role in user.roles],
        "organisation": organisation
        and {
            "id": organisation.pk,
            "name": organisation.name,
            "short_name": organisation.short_name,
            "kind": organisation.kind,
            "country": organisation.country.code,
        },
    }


api.add_router("/", accounts)
api.add_router("/", "courses.api.router")
api.add_router("/", "courses.scorm.api.router")
api.add_router("/", "assessments.api.router")
api.add_router("/", "trainers.api.certificates.router")
api.add_router("/", "trainers.api.registry.router")
api.add_router("/", "live.api.router")
api.add_router("/", "scheduling.api.router")
