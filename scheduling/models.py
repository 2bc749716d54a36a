"""Scheduled trainings on the partners' shared calendar.

A training is proposed by a partner, approved by the Academy, then open for nominations.
Its live sessions (`TrainingSession`) are what the live classroom runs.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Training(models.Model):
    class Modality(models.TextChoices):
        REMOTE = "remote", _("Remote, live")
        IN_PERSON = "in_person", _("In person")
        BLENDED = "blended", _("Blended")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=200)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainings",
        help_text=_("Leave empty for a new course and choose its thematic area."),
    )
    themes = models.ManyToManyField(
        "courses.ThematicArea", verbose_name=_("thematic areas"), related_name="trainings"
    )
    organiser = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("organising partner"),
        on_delete=models.PROTECT,
        related_name="trainings_organised",
    )
    co_organisers = models.ManyToManyField(
        "lms.Organisation",
        verbose_name=_("co-organisers"),
        related_name="trainings_co_organised",
        blank=True,
    )
    modality = models.CharField(
        _("modality"), max_length=10, choices=Modality.choices, default=Modality.REMOTE
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Karachi")
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    remote_url = models.URLField(_("remote link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=25)
    self_registration = models.BooleanField(_("officers may register themselves"), default=False)
    trainers = models.ManyToManyField(
        "trainers.Trainer",
        through="scheduling.TrainingTrainer",
        related_name="trainings",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainings_proposed",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainings_approved",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("note from the Academy"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="training_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("scheduling:training", args=[self.pk])


class TrainingAudience(models.Model):
    """Who a training is for: one row per FIA unit, rank or region it targets.

    A training with no row of a kind is open to all of that kind.
    """

    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit")
        RANK = "rank", _("Rank")
        REGION = "region", _("Region")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="audience")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=150)

    class Meta:
        verbose_name = _("audience")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "kind", "value"], name="training_audience_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class TrainingTrainer(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead trainer")
        CO = "co", _("Co-trainer")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="assignments")
    trainer = models.ForeignKey(
        "trainers.Trainer", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=5, choices=Role.choices, default=Role.LEAD)

    class Meta:
        verbose_name = _("assigned trainer")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "trainer"], name="trainer_once_per_training"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainer} in {self.training}"


class TrainingSession(models.Model):
    """A live session inside a training: what the live classroom runs."""

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=90)
    external_room_url = models.URLField(
        _("external video room"),
        blank=True,
        help_text=_("A Jitsi Meet room or BigBlueButton meeting for large classes."),
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title or f"{self.training} — {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Nomination(models.Model):
    """An officer put forward for a training (by their unit, a coordinator or themselves)."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="nominations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [models.UniqueConstraint(fields=["training", "user"], name="nomination_once")]
        indexes = [models.Index(fields=["training", "status"])]

    def __str__(self) -> str:
        return f"{self.user} for {self.training}: {self.status}"
