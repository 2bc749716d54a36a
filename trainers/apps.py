from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainersConfig(AppConfig):
    name = "trainers"
    verbose_name = _("Trainers and certificates")
    default_auto_field = "django.db.models.BigAutoField"
