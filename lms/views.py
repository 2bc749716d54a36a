"""Site-wide pages: home, dashboard, sign-in (with the optional second step), the language
switch, notifications and account security."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from lms import selectors, services, two_factor
from lms.models import User


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "lms/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard_for(user=request.user)
    context["two_factor_available"] = two_factor.two_factor_available(user=request.user)
    return render(request, "lms/dashboard.html", context)


def signin_locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """What django-axes answers once a username is locked out: JSON for the API, a page
    for people. 429 either way, with the wait in Retry-After."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "Too many failed sign-in attempts: this account is locked for "
                f"{minutes} minutes.",
                "errors": [],
            },
            status=429,
        )
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


class SignInView(auth_views.LoginView):
    """Sign-in that switches the interface to the user's preferred language.

    A signed-in user who lands here was turned away from a page they may not open (the
    Wagtail admin sends them here with a message), so the form shows instead of bouncing
    them back into a redirect loop.
    """

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.two_factor_device(user=user) is not None:
            # The password was right; the session is not signed in until the code is.
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("two_factor_verify")
        response = super().form_valid(form)
        return _remember_language(response, user)


PENDING_KEY = "two_factor_pending"


def _remember_language(response: HttpResponse, user) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
    )
    return response


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in for users with two-factor sign-in on: the six-digit code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Sign in again: the code was not entered in time."))
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    error = ""
    if request.method == "POST":
        if two_factor.two_factor_verify(user=user, code=request.POST.get("code", "")):
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])  # new session key
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return _remember_language(redirect(target), user)
        # A wrong code counts as a failed sign-in (django-axes locks the account out).
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request
        )
        error = _("That code is not right, or it was already used. Try the next one.")
    return render(
        request,
        "registration/two_factor_verify.html",
        {"error": error},
        status=400 if error else 200,
    )


@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, confirm with a code) or off (with a code)."""
    user = request.user
    if not two_factor.two_factor_available(user=user):
        raise Http404
    device = two_factor.two_factor_device(user=user)
    context: dict = {"enabled": device is not None}
    if request.method == "POST":
        action = request.POST.get("action")
        code = request.POST.get("code", "")
        if action == "start" and device is None:
            setup = two_factor.two_factor_start(user=user)
            context["setup"] = {
                "qr": mark_safe(two_factor.setup_qr_svg(device=setup)),
                "secret": two_factor.setup_secret(device=setup),
            }
        elif action == "confirm":
            if two_factor.two_factor_confirm(user=user, code=code, request=request):
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("account_security")
            context["error"] = _("That code is not right. Scan the code again and try once more.")
        elif action == "disable" and device is not None:
            if two_factor.two_factor_disable(user=user, code=code, request=request):
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("account_security")
            context["error"] = _("That code is not right.")
    return render(request, "registration/account_security.html", context)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, which also remembers the choice for a signed-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return set_language(request)  # validates `next` and sets the language cookie


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        return redirect("notifications")
    page = Paginator(selectors.notification_list(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "lms/notifications.html", {"page_obj": page})
