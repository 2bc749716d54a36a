from django.apps import AppConfig
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
