from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = _("Trainers and certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.signals import course_completed
        from trainers.certificates import checks  # noqa: F401  (registers the system check)
        from trainers.certificates.tasks import on_course_completed

        # A completed course that grants a certificate gets one, from a background task.
        course_completed.connect(
            on_course_completed, dispatch_uid="trainers.certificates.on_course_completed"
        )
