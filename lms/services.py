"""Writes that concern accounts: users, roles, organisations, API tokens."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import APIToken

from lms.models import Organisation, User
from lms.roles import Role


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
def user_set_roles(*, user: User, roles: Iterable[Role]) -> User:
    """Give the user exactly these roles.

    The Django admin at /django-admin/ is for administrators only: `is_staff`, which that
    site checks, follows the administrator role.
    """
    roles = set(roles)
    groups = Group.objects.filter(name__in=[role.value for role in roles])
    missing = {role.value for role in roles} - {group.name for group in groups}
    if missing:
        raise ValueError(f"role groups missing (run migrate): {sorted(missing)}")
    user.groups.set(groups)
    user.is_staff = Role.ADMIN in roles or user.is_superuser
    user.save(update_fields=["is_staff"])
    user.__dict__.pop("role_names", None)
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
