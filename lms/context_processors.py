from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lms.roles import CMS_ROLES, Role
from lms.selectors import notification_unread_count


def platform(request: HttpRequest) -> dict:
    """Site name and the navigation a signed-in user may see."""
    user = getattr(request, "user", None)
    context = {"site_name": settings.WAGTAIL_SITE_NAME, "nav_cms": False, "nav_admin": False}
    if user is not None and user.is_authenticated:
        context["nav_cms"] = any(user.has_role(role) for role in CMS_ROLES)
        context["nav_admin"] = user.has_role(Role.ADMIN)
        context["nav_unread"] = SimpleLazyObject(lambda: notification_unread_count(user=user))
    return context
