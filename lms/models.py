"""Accounts: the custom user and organisations.

API tokens are Wagtail's own `wagtail.models.APIToken` (hashed, revocable in the admin).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from lms.roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ACADEMY = "academy", _("FIA Academy")
        FIA_UNIT = "fia_unit", _("FIA unit")
        PARTNER = "partner", _("Partner organisation")
        MINISTRY = "ministry", _("Ministry")
        INTERNATIONAL = "international", _("International organisation")
        DONOR = "donor", _("Donor")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"), default="PK")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("For an FIA unit or directorate: the organisation it belongs to."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        URDU = "ur", _("Urdu")

    service_number = models.CharField(
        _("service number"),
        max_length=30,
        blank=True,
        help_text=_("FIA service number; unique when set."),
    )
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    unit = models.CharField(_("unit or directorate"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("service_number"),
                condition=~models.Q(service_number=""),
                name="user_service_number_unique_when_set",
                violation_error_message=_("Another user already has this service number."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the role groups this user belongs to (one query, then cached)."""
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if self.has_role(role)]

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names or (role == Role.ADMIN and self.is_superuser)


class Notification(models.Model):
    """An in-app notification (its email twin is sent by the same service)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class AuditEvent(models.Model):
    """A security-relevant action: who did what to what, from where. Never edited."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        SIGN_OUT = "sign_out", _("Signed out")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        TWO_FACTOR_CHANGED = "two_factor_changed", _("Two-factor sign-in turned on or off")
        GRADE_OVERRIDDEN = "grade_overridden", _("Grade overridden")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        CERTIFICATE_REISSUED = "certificate_reissued", _("Certificate re-issued")
        CERTIFICATION_CHANGED = "certification_changed", _("Certification state changed")
        TRAINING_APPROVED = "training_approved", _("Training approved")
        TRAINING_SENT_BACK = "training_sent_back", _("Training sent back")
        TRAINING_CANCELLED = "training_cancelled", _("Training cancelled")
        CONFLICTS_ACKNOWLEDGED = "conflicts_acknowledged", _("Scheduling conflicts acknowledged")
        ATTENDANCE_MARKED = "attendance_marked", _("Attendance marked by hand")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    target = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target}"
