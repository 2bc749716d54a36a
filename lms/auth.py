"""The signed-in user of a request, read from the cache.

Django reads the user's row on every signed-in request, and the role checks of nearly
every page (the header's navigation) read the user's groups: two queries that cost a
signed-in page more CPU than the rest of its reads. `AuthenticationMiddleware` here keeps
the user (with their role names) in the cache for AUTH_USER_CACHE_SECONDS, and serves a
request from there only when everything Django would check holds: the session names the
model backend, the user is active, and the session's hash matches the user's password as
cached. Anything else, or a cache without the user, goes through `django.contrib.auth`'s
own `get_user`, and the user it returns is put in the cache (their role names too, after
the response, when the request read them: keeping them costs no query of its own).

What would make a cached user wrong removes it: any save or deletion of the user (a new
password, deactivation, a sign-in's last_login), a change of their groups; a change or
deletion of a group retires every cached user at once (a version, as courses.cache does).
A request never puts back a user that something changed while it ran.
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
GROUPS_VERSION_KEY = "auth:groups-version"


def _seconds() -> int:
    return settings.AUTH_USER_CACHE_SECONDS


def _key(user_id) -> str:
    return f"auth:user:{user_id}"


# Users whose cached entry something changed during the current request ("*": all), so
# that the request does not put back what it read before the change.
_changed: ContextVar[set | None] = ContextVar("lms_auth_changed", default=None)
ALL = "*"


def _mark(*user_ids) -> None:
    changed = _changed.get()
    if changed is not None:
        changed.update(user_ids)


def _cached_user(request):
    """The session's user from the cache when Django would accept it as it is; else None."""
    session = request.session
    if session.get(BACKEND_SESSION_KEY) != MODEL_BACKEND:
        return None
    if MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    if not session_hash:
        return None
    stored = cache.get_many([GROUPS_VERSION_KEY, _key(user_id)])
    version = stored.get(GROUPS_VERSION_KEY)
    request._auth_cache = {"version": version, "roles": False}
    entry = stored.get(_key(user_id))
    if entry is None or version is None or entry[0] != version:
        return None
    user = entry[1]
    if user.pk != user_id or not getattr(user, "is_active", True):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None  # Django's get_user decides (fallback secrets, or signing out)
    request._auth_cache["roles"] = "role_names" in vars(user)
    return user


def _store(request, user) -> None:
    version = request._auth_cache["version"]
    if version is None:
        cache.add(GROUPS_VERSION_KEY, time.time_ns(), None)
        version = request._auth_cache["version"] = cache.get(GROUPS_VERSION_KEY)
        if version is None:
            return  # no cache to keep it in
    cache.set(_key(user.pk), (version, user), _seconds())
    request._auth_cache["roles"] = "role_names" in vars(user)


def get_user(request):
    """`django.contrib.auth.get_user`, from the cache when it may be; a user read from the
    database is put there (without their role names: `AuthenticationMiddleware` adds them
    after the response if the request read them)."""
    if not hasattr(request, "_cached_user"):
        request._auth_cache = None
        user = _cached_user(request) if _seconds() > 0 else None
        if user is None:
            user = auth.get_user(request)
            cacheable = (
                request._auth_cache is not None
                and user.is_authenticated
                and request.session.get(BACKEND_SESSION_KEY) == MODEL_BACKEND
            )
            if cacheable:
                _store(request, user)
            else:
                request._auth_cache = None
        request._cached_user = user
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's, with `request.user` from `get_user` above (`request.auser`, for async
    views, stays Django's)."""

    def process_request(self, request):
        super().process_request(request)
        _changed.set(set())
        request.user = SimpleLazyObject(lambda: get_user(request))

    def process_response(self, request, response):
        """The user's role names, when this request read them and the cache has the user
        without them (the first page after a sign-in, or after an API request)."""
        pending = getattr(request, "_auth_cache", None)
        user = getattr(request, "_cached_user", None)
        if (
            pending
            and not pending["roles"]
            and user is not None
            and "role_names" in vars(user)
            and not (_changed.get() or set()) & {user.pk, ALL}
        ):
            _store(request, user)
        return response


# --- Invalidation (connected by LmsConfig.ready) ------------------------------------------
def user_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a user."""
    cache.delete(_key(instance.pk))
    _mark(instance.pk)


def groups_of_users_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """m2m_changed of User.groups, from either side."""
    if not action.startswith("post_"):
        return
    if not reverse:
        cache.delete(_key(instance.pk))
        _mark(instance.pk)
    elif pk_set:
        cache.delete_many([_key(pk) for pk in pk_set])
        _mark(*pk_set)
    else:  # a group's members cleared: who they were is not known here
        groups_changed()


def groups_changed(**kwargs) -> None:
    """post_save / post_delete of a group: every cached user's role names may be wrong."""
    cache.set(GROUPS_VERSION_KEY, time.time_ns(), None)
    _mark(ALL)


def connect_invalidation() -> None:
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = auth.get_user_model()
    for signal in (post_save, post_delete):
        signal.connect(user_changed, sender=user_model, dispatch_uid=f"lms-auth-user-{id(signal)}")
        signal.connect(groups_changed, sender=Group, dispatch_uid=f"lms-auth-groups-{id(signal)}")
    m2m_changed.connect(
        groups_of_users_changed,
        sender=user_model.groups.through,
        dispatch_uid="lms-auth-user-groups",
    )
