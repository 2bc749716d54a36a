from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_site_structure(sender, **kwargs) -> None:
    from courses.services import site_structure_ensure

    site_structure_ensure()


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # After every migrate (and every flush in tests) the catalogue page, the authors'
        # page permissions and the review workflow exist. Connected to the last app's
        # signal, like lms's role sync, which was connected first and so runs first.
        from django.apps import apps

        from courses import admin_hooks  # noqa: F401 - registers its admin hooks

        last = [config for config in apps.get_app_configs() if config.models_module][-1]
        post_migrate.connect(
            _ensure_site_structure, sender=last, dispatch_uid="courses-site-structure"
        )
