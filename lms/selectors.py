"""Reads for site-wide pages."""

from django.core.cache import cache
from django.db.models import Count

from courses import selectors as course_selectors
from courses.models import Enrolment
from lms.models import Notification, Organisation, User
from lms.roles import Role


def site_figures() -> dict[str, int]:
    """Headline figures for administrators, in a constant number of queries."""
    users = User.objects.aggregate(total=Count("pk"))
    by_role = dict(
        User.groups.through.objects.values_list("group__name").annotate(n=Count("user_id"))
    )
    return {
        "users": users["total"],
        "organisations": Organisation.objects.count(),
        **{role.name.lower(): by_role.get(role.value, 0) for role in Role},
    }


def dashboard_for(*, user: User) -> dict:
    """What the dashboard shows this user: one section per role they hold.

    Each app fills its section as its capability lands; a section with nothing to show
    still appears, saying so.
    """
    roles = set(user.roles)
    sections = []
    if Role.OFFICER in roles or not roles:
        sections.append("learner")
    if Role.TRAINER in roles:
        sections.append("trainer")
    if Role.REVIEWER in roles:
        sections.append("reviewer")
    if Role.PARTNER in roles:
        sections.append("partner")
    if Role.ADMIN in roles:
        sections.append("admin")
    context: dict = {"sections": sections, "roles": [role.label for role in user.roles]}
    if "learner" in sections:
        context["my_courses"] = course_selectors.my_courses(user=user)
    if "trainer" in sections:
        context["teaching"] = course_selectors.my_courses(
            user=user, roles=(Enrolment.Role.TRAINER, Enrolment.Role.ASSISTANT)
        )
    if "admin" in sections:
        context["figures"] = site_figures()
    return context


def notification_list(*, user: User):
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def notification_unread_count(*, user: User) -> int:
    """Unread notifications, cached so that the header costs no query on most pages."""
    key = notification_unread_count_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, 300)
    return count
