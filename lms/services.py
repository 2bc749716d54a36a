"""Writes that concern accounts: users, roles, organisations, API tokens."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from wagtail.models import APIToken

from lms.models import AuditEvent, Notification, Organisation, User
from lms.roles import Role
from lms.selectors import notification_unread_count_key


@transaction.atomic
def organisation_upsert(
    *,
    short_name: str,
    name: str,
    kind: str,
    country: str = "PK",
    parent: Organisation | None = None,
) -> Organisation:
    """Create the organisation with this short name, or bring an existing one up to date."""
    organisation, _created = Organisation.objects.update_or_create(
        short_name=short_name,
        defaults={"name": name, "kind": kind, "country": country, "parent": parent},
    )
    return organisation


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role], by: User | None = None) -> User:
    """Give the user exactly these roles (a change is written to the audit log).

    The Django admin at /django-admin/ is for administrators only: `is_staff`, which that
    site checks, follows the administrator role.
    """
    roles = set(roles)
    before = sorted(user.role_names) if user.pk else []
    groups = Group.objects.filter(name__in=[role.value for role in roles])
    missing = {role.value for role in roles} - {group.name for group in groups}
    if missing:
        raise ValueError(f"role groups missing (run migrate): {sorted(missing)}")
    user.groups.set(groups)
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role_names", None)
    after = sorted(role.value for role in roles)
    if before != after and by is not None:
        audit_record(
            action=AuditEvent.Action.ROLES_CHANGED,
            actor=by,
            target=user.username,
            detail={"before": before, "after": after},
        )
    return user


@transaction.atomic
def user_upsert(
    *,
    username: str,
    password: str | None = None,
    roles: Iterable[Role] = (),
    **fields,
) -> User:
    """Create the user (or update the named fields of an existing one) with these roles.

    The password is only set when given; an existing user's password is left alone when
    it is `None`.
    """
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if not created and fields:
        for name, value in fields.items():
            setattr(user, name, value)
        user.full_clean(exclude=["password"])
        user.save()
    if password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()  # they choose one through "forgotten password"
        user.save(update_fields=["password"])
    user_set_roles(user=user, roles=roles)
    return user


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(User.Language.choices) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def api_token_issue(*, user: User, name: str = "API") -> str:
    """A new bearer token for the user. The key is returned once; only its digest is kept."""
    _token, plaintext = APIToken.create_token(user=user, name=name)
    return plaintext


def notification_send(
    *,
    users: Iterable[User],
    subject: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """Notify users in the app and, when they have an address, by email after the commit.

    One bulk insert whatever the number of users; the emails go out once the surrounding
    transaction commits, so a rolled-back action never mails anyone.
    """
    recipients = list(users)
    notifications = Notification.objects.bulk_create(
        Notification(user=user, subject=subject[:200], body=body, url=url) for user in recipients
    )
    keys = [notification_unread_count_key(user.pk) for user in recipients]
    transaction.on_commit(lambda: cache.delete_many(keys))
    if email:
        link = f"{settings.SITE_URL}{url}" if url.startswith("/") else url
        text = f"{body}\n\n{link}".strip()
        messages = [(subject, text, None, [user.email]) for user in recipients if user.email]
        if messages:
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return notifications


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    updated = unread.update(read_at=timezone.now())
    cache.delete(notification_unread_count_key(user.pk))
    return updated


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    target: object = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Write one audit event (inside the caller's transaction: rolled back with it)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    address = None
    if request is not None:
        address = request.META.get("REMOTE_ADDR") or None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=getattr(actor, "username", "") or (detail or {}).get("username", ""),
        target=str(target)[:200],
        detail=detail or {},
        ip_address=address,
    )
