from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Nothing imports live (DESIGN.md): it registers what it adds to the others.
        from assessments.gradebook import register_gradebook_columns
        from courses.completion import register_completion_requirement
        from live import attendance_selectors

        register_completion_requirement(
            "live_attendance", attendance_selectors.attendance_requirement
        )
        register_gradebook_columns(
            "live_attendance", attendance_selectors.gradebook_attendance_columns
        )
