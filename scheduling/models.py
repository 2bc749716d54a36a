"""Scheduled trainings on the partners' shared calendar.

A training is proposed by a partner, approved by the Academy, then open for nominations.
Its live sessions (`TrainingSession`) are what the live classroom runs.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    participants_reached = models.PositiveIntegerField(
        _("participants reached"), null=True, blank=True
    )
    sequence = models.PositiveIntegerField(
        default=0,
        help_text="Revision number for calendar clients (iCalendar SEQUENCE): raised on every "
        "change of times, place or status.",
    )
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


class ConflictAcknowledgement(models.Model):
    """Someone went ahead despite the conflicts listed, and said why."""

    class Action(models.TextChoices):
        PROPOSE = "propose", _("Proposal")
        UPDATE = "update", _("Change")
        NOMINATE = "nominate", _("Nomination")

    training = models.ForeignKey(
        Training, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    action = models.CharField(_("on"), max_length=10, choices=Action.choices)
    conflicts = models.JSONField(_("conflicts"), default=list)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("acknowledged conflict")
        verbose_name_plural = _("acknowledged conflicts")

    def __str__(self) -> str:
        return f"{self.training}: {len(self.conflicts)} conflict(s) acknowledged"


class CoordinationEvent(models.Model):
    """One change on the shared calendar, as the coordination board announces it.

    The primary key is the event's sequence number: a client that reconnects asks for the
    events after the last one it saw (scheduling/PROTOCOL.md).
    """

    kind = models.CharField(max_length=40)
    training = models.ForeignKey(
        Training, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("coordination event")
        verbose_name_plural = _("coordination events")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The private address of an iCalendar feed: a person's or an organisation's."""

    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    organisation = models.OneToOneField(
        "lms.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, organisation__isnull=True)
                | models.Q(user__isnull=True, organisation__isnull=False),
                name="calendar_feed_of_user_or_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"feed of {self.user or self.organisation}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("scheduling:feed", args=[self.token])
