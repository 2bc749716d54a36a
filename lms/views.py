"""Site-wide pages: home, dashboard, sign-in and the language switch."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from lms import selectors, services


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "lms/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "lms/dashboard.html", selectors.dashboard_for(user=request.user))


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
        response = super().form_valid(form)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.get_user().preferred_language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response


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
