"""The platform's roles, each a Django group with real permissions.

The group names are the role values below; the permission sets are declared here once and
applied by the `0002_roles` migration and again after every `migrate` (so an app that adds
models later hands its permissions to the roles without a migration of its own).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL = "*"


class Role(models.TextChoices):
    ADMIN = "Academy administrator", _("Academy administrator")
    REVIEWER = "Reviewer", _("Reviewer")
    TRAINER = "Trainer", _("Trainer")
    PARTNER = "Partner coordinator", _("Partner coordinator")
    OFFICER = "Officer", _("Officer")


# Roles that may open the Wagtail admin at /cms/.
CMS_ROLES = frozenset({Role.ADMIN, Role.REVIEWER, Role.TRAINER})

# Permission codenames per role, by app label. ALL means every permission of that app.
ROLE_PERMISSIONS: dict[Role, dict[str, frozenset[str] | str]] = {
    Role.ADMIN: {
        "lms": ALL,
        "auth": ALL,
        "wagtailadmin": ALL,
        "wagtailcore": ALL,
        "wagtailimages": ALL,
        "wagtaildocs": ALL,
        "wagtailredirects": ALL,
        "wagtailsearch": ALL,
        "taggit": ALL,
        "axes": ALL,
        "django_tasks_db": ALL,
        "courses": ALL,
        "assessments": ALL,
        "trainers": ALL,
        "scheduling": ALL,
        "live": ALL,
    },
    Role.REVIEWER: {
        "wagtailadmin": frozenset({"access_admin"}),
        "wagtailimages": frozenset({"add_image", "change_image", "choose_image"}),
        "wagtaildocs": frozenset({"add_document", "change_document", "choose_document"}),
        "lms": frozenset({"view_user", "view_organisation"}),
    },
    Role.TRAINER: {
        "wagtailadmin": frozenset({"access_admin"}),
        "wagtailimages": frozenset({"add_image", "change_image", "choose_image"}),
        "wagtaildocs": frozenset({"add_document", "change_document", "choose_document"}),
    },
    Role.PARTNER: {
        "lms": frozenset({"view_organisation"}),
    },
    Role.OFFICER: {},
}


def role_permissions_sync(*, group_model, permission_model, stdout=None) -> None:
    """Create the role groups and give each exactly the permissions declared above.

    Takes the models as arguments so that a migration can pass its historical models.
    """
    for role, by_app in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role.value)
        query = models.Q(pk__in=[])
        for app_label, codenames in by_app.items():
            if codenames == ALL:
                query |= models.Q(content_type__app_label=app_label)
            else:
                query |= models.Q(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(permission_model.objects.filter(query))
