"""Certificates: one engine for course completion (officers) and ToT certification (trainers).

A certificate's PDF is rendered once, at issue, and stored: a re-download gives the same file.
Its code is unguessable and is what the public verification page and API look up.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import PreviewableMixin


class CertificateKind(models.TextChoices):
    COURSE = "course", _("Course completion")
    TOT = "tot", _("ToT certification")


class CertificateTemplate(PreviewableMixin, models.Model):
    """An HTML/CSS design for certificates, edited by administrators (trusted HTML).

    The Wagtail admin previews it as a PDF of a sample certificate (trainers.wagtail_hooks).
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("used for"), max_length=10, choices=CertificateKind.choices)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Used for certificates of this kind and language unless a course names one."),
    )
    html = models.TextField(
        _("HTML"),
        help_text=_("A Django template. Variables: certificate, holder_name, title, dates…"),
    )
    css = models.TextField(_("CSS"), blank=True)
    partner_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("partner logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signatory_1_name = models.CharField(_("first signatory"), max_length=120, blank=True)
    signatory_1_title = models.CharField(_("first signatory's title"), max_length=120, blank=True)
    signatory_1_signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("first signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signatory_2_name = models.CharField(_("second signatory"), max_length=120, blank=True)
    signatory_2_title = models.CharField(_("second signatory's title"), max_length=120, blank=True)
    signatory_2_signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("second signature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "language", "name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=models.Q(is_default=True),
                name="one_default_template_per_kind_and_language",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from django.template import TemplateSyntaxError, engines

        try:
            engines["django"].from_string(self.html)
        except TemplateSyntaxError as error:
            raise ValidationError({"html": str(error)}) from error

    @property
    def preview_modes(self):
        return [("", _("PDF")), ("image", _("Image of the first page"))]

    @property
    def default_preview_mode(self):
        # The image fits the preview panel and needs no PDF viewer (poppler's pdftoppm).
        import shutil

        return "image" if shutil.which("pdftoppm") else ""

    def serve_preview(self, request, mode_name):
        from trainers.views.certificates import certificate_template_preview

        return certificate_template_preview(request, template=self, mode=mode_name)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        REPLACED = "replaced", _("Replaced")

    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=CertificateKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    trainer = models.ForeignKey(
        "trainers.Trainer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "courses.CoursePage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cohort = models.ForeignKey(
        "trainers.Cohort",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    template = models.ForeignKey(
        CertificateTemplate, null=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="en")
    # What the certificate says, frozen at issue: later edits to names or titles do not change it.
    holder_name = models.CharField(_("holder"), max_length=200)
    title = models.CharField(_("course"), max_length=200)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    revoked_reason = models.TextField(_("reason"), blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(trainer__isnull=False),
                name="certificate_has_holder",
            ),
            # One current course certificate per learner and course (re-issue replaces it).
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=models.Q(kind="course", status="valid"),
                name="one_valid_course_certificate",
            ),
            models.UniqueConstraint(
                fields=["trainer", "cohort"],
                condition=models.Q(kind="tot", status="valid"),
                name="one_valid_cohort_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.holder_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("certificate_verify", args=[self.code])

    def status_on(self, day) -> str:
        """What verification says: valid, expired, revoked or replaced."""
        if self.status != self.Status.VALID:
            return self.status
        if self.expires_on is not None and self.expires_on < day:
            return "expired"
        return self.Status.VALID

    @property
    def public_status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def holder_user_id(self) -> int | None:
        """The account the certificate belongs to (the learner, or the trainer's account)."""
        if self.user_id:
            return self.user_id
        trainer = self.trainer if self.trainer_id else None
        return trainer.user_id if trainer is not None else None


class CertificateIssueJob(models.Model):
    """Bulk issue for a cohort, run by the worker, with progress the page can poll."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    cohort = models.ForeignKey("trainers.Cohort", on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate issue job")

    def __str__(self) -> str:
        return f"Certificates for {self.cohort_id}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100
