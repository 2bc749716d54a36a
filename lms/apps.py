from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, apps=None, **kwargs) -> None:
    # Runs once per migrate (only for this app's signal), after every app has created its
    # permissions, so roles pick up permissions of models that apps added later.
    from django.apps import apps as global_apps

    from lms.roles import role_permissions_sync

    apps = apps or global_apps  # `flush` sends the signal without historical models

    role_permissions_sync(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def _audit_sign_in(sender, request, user, **kwargs) -> None:
    from lms.models import AuditEvent
    from lms.services import audit_record

    audit_record(
        action=AuditEvent.Action.SIGN_IN, actor=user, target=user.username, request=request
    )


def _audit_sign_out(sender, request, user, **kwargs) -> None:
    from lms.models import AuditEvent
    from lms.services import audit_record

    if user is not None:
        audit_record(
            action=AuditEvent.Action.SIGN_OUT, actor=user, target=user.username, request=request
        )


def _audit_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    from lms.models import AuditEvent
    from lms.services import audit_record

    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        target=username,
        detail={"username": username},
        request=request,
    )


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Accounts and platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # post_migrate is sent once per app that has models, in INSTALLED_APPS order;
        # listening to the last one means every app's permissions exist by then.
        from django.apps import apps

        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(_sync_roles, sender=last, dispatch_uid="lms-sync-roles")
        # The audit log of sign-ins (web and token API both go through authenticate()).
        user_logged_in.connect(_audit_sign_in, dispatch_uid="lms-audit-sign-in")
        user_logged_out.connect(_audit_sign_out, dispatch_uid="lms-audit-sign-out")
        user_login_failed.connect(_audit_sign_in_failed, dispatch_uid="lms-audit-sign-in-failed")
        # Signed-in users are served from the cache (lms/auth.py): changes retire them.
        from lms.auth import connect_invalidation

        connect_invalidation()
