from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assessments.models import QuestionVersion
        from assessments.selectors.display import version_changed
        from assessments.services.grades import course_grade
        from courses.completion import register_grade_provider

        register_grade_provider(course_grade)
        for signal in (post_save, post_delete):
            signal.connect(
                version_changed,
                sender=QuestionVersion,
                dispatch_uid=f"assessments-version-cache-{id(signal)}",
            )
