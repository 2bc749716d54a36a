"""The registry of certified Training-of-Trainers graduates.

A ToT cohort is one run of a ToT course; its participants who pass become certified trainers.
A certification's lifecycle state (active, suspended, revoked) is stored; whether an active
one is "expiring" or "expired" follows from its expiry date and today, so it is never stale.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from wagtail.search import index


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class Cohort(index.Indexed, models.Model):
    """One run of a ToT course: where, when, who organised and funded it, who took part."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("ToT course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tot_cohorts",
        help_text=_("The course on this platform, when there is one."),
    )
    course_title = models.CharField(
        _("course title"),
        max_length=200,
        help_text=_("As printed on certificates (the course's title when it is on the platform)."),
    )
    themes = models.ManyToManyField(
        "courses.ThematicArea", verbose_name=_("thematic areas"), related_name="cohorts"
    )
    remote = models.BooleanField(_("remote"), default=False)
    place = models.CharField(_("place"), max_length=150, blank=True)
    country = CountryField(_("country"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.PositiveSmallIntegerField(_("hours of training"), default=0)
    organisers = models.ManyToManyField(
        "lms.Organisation",
        verbose_name=_("organisers"),
        related_name="cohorts_organised",
        blank=True,
    )
    funding_partner = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("funding partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts_funded",
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certification valid for (months)"),
        null=True,
        blank=True,
        default=36,
        help_text=_("Empty: certifications from this cohort do not expire."),
    )
    participants = models.ManyToManyField(
        "trainers.Trainer", through="trainers.CohortParticipant", related_name="cohorts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    search_fields = [index.SearchField("name"), index.SearchField("course_title")]

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("ToT cohort")
        verbose_name_plural = _("ToT cohorts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("trainers:cohort", args=[self.pk])


class Trainer(index.Indexed, models.Model):
    """A trainer in the registry; external trainers may have no user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainer_profile",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    full_name_native = models.CharField(
        _("name in own script"),
        max_length=200,
        blank=True,
        help_text=_("Urdu, Arabic, Dari… as the trainer writes it."),
    )
    organisation = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainers",
    )
    country = CountryField(_("country"))
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    specialisations = models.ManyToManyField(
        "courses.ThematicArea",
        verbose_name=_("thematic specialisations"),
        related_name="trainers",
        blank=True,
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = models.TextField(_("biography"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("full_name"),
        index.SearchField("full_name_native"),
        index.SearchField("bio"),
        index.AutocompleteField("full_name"),
    ]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("trainers:trainer", args=[self.pk])


class TrainerLanguage(models.Model):
    """A language the trainer can train in (ISO 639-1 code from settings.TRAINER_LANGUAGES)."""

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8)

    class Meta:
        verbose_name = _("language")
        constraints = [
            models.UniqueConstraint(fields=["trainer", "language"], name="trainer_language_once")
        ]
        indexes = [models.Index(fields=["language"])]

    def __str__(self) -> str:
        return self.language


class CohortParticipant(models.Model):
    class Outcome(models.TextChoices):
        ENROLLED = "enrolled", _("Taking part")
        CERTIFIED = "certified", _("Certified")
        NOT_CERTIFIED = "not_certified", _("Not certified")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="memberships")
    outcome = models.CharField(
        _("outcome"), max_length=15, choices=Outcome.choices, default=Outcome.ENROLLED
    )

    class Meta:
        verbose_name = _("cohort participant")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "trainer"], name="cohort_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.trainer} in {self.cohort}"


class Certification(models.Model):
    """A trainer's certification from a ToT cohort (or a course), with its lifecycle."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    class Status(models.TextChoices):
        """What the registry shows: the stored state, refined by the expiry date."""

        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring soon")
        EXPIRED = "expired", _("Expired")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="certifications")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="certifications"
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trainer_certifications",
    )
    themes = models.ManyToManyField(
        "courses.ThematicArea",
        verbose_name=_("certified in"),
        related_name="certifications",
        blank=True,
    )
    certificate = models.OneToOneField(
        "trainers.Certificate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certification",
    )
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_for = models.DateField(
        null=True,
        blank=True,
        help_text="The expiry date the last reminder was sent for (one reminder per expiry).",
    )

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cohort__isnull=False) | models.Q(course__isnull=False),
                name="certification_from_cohort_or_course",
            ),
            models.UniqueConstraint(
                fields=["trainer", "cohort"],
                condition=models.Q(cohort__isnull=False),
                name="certification_once_per_cohort",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="certification_expires_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.trainer} — {self.cohort or self.course}"

    def status_on(self, day: date) -> "Certification.Status":
        if self.state != self.State.ACTIVE:
            return self.Status(self.state)
        if self.expires_on is None:
            return self.Status.ACTIVE
        if self.expires_on < day:
            return self.Status.EXPIRED
        if self.expires_on <= day + timedelta(days=settings.CERTIFICATION_EXPIRING_DAYS):
            return self.Status.EXPIRING
        return self.Status.ACTIVE

    @property
    def status(self) -> "Certification.Status":
        return self.status_on(timezone.localdate())


class CertificationRenewal(models.Model):
    """One renewal (or state change) in a certification's history."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="renewals"
    )
    renewed_on = models.DateField(_("renewed on"), default=timezone.localdate)
    previous_expires_on = models.DateField(null=True, blank=True)
    new_expires_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-renewed_on", "-pk"]
        verbose_name = _("renewal")

    def __str__(self) -> str:
        return f"{self.certification} renewed {self.renewed_on}"


class Delivery(models.Model):
    """A training a trainer delivered, with the participants it reached (cascade reach)."""

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="deliveries")
    title = models.CharField(_("title"), max_length=200)
    course = models.ForeignKey(
        "courses.CoursePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    themes = models.ManyToManyField("courses.ThematicArea", related_name="+", blank=True)
    organisation = models.ForeignKey(
        "lms.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.CharField(_("place"), max_length=150, blank=True)
    participants_reached = models.PositiveIntegerField(_("participants reached"), default=0)
    source = models.CharField(
        max_length=60,
        blank=True,
        help_text="Where the record came from, e.g. 'training:42' for a scheduled training.",
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "source"],
                condition=~models.Q(source=""),
                name="delivery_once_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="delivery_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer}: {self.title}"
