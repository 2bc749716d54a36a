"""SCORM packages of a course, their uploaded versions, and learners' attempts.

A package belongs to one course; every upload is a new :class:`ScormPackageVersion` with its
own folder under ``MEDIA_ROOT/scorm/<package>/<number>/``; the package points at the
current one. Attempts keep pointing at the version they were made on, so re-uploading a
package never makes earlier attempts unreadable.

An attempt holds the whole CMI state (``state``, a flat element → value dictionary) and the
values reports need, denormalised from it on every commit. Commits are ordered by
``(session, seq)``: ``session`` is the launch counter (one per player page launch) and
``seq`` the commit counter within it; a commit at or below the stored pair is ignored.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScormPackage(models.Model):
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="scorm_packages"
    )
    title = models.CharField(_("title"), max_length=255)
    version = models.CharField(_("SCORM version"), max_length=10)
    identifier = models.CharField(_("manifest identifier"), max_length=255, blank=True)
    max_grade = models.DecimalField(
        _("maximum grade"),
        max_digits=7,
        decimal_places=2,
        default=100,
        help_text=_("The package's weight in the course total of the gradebook."),
    )
    current = models.ForeignKey(
        "courses.ScormPackageVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SCORM package")
        verbose_name_plural = _("SCORM packages")
        ordering = ["course_id", "title", "pk"]

    def __str__(self) -> str:
        return self.title


class ScormPackageVersion(models.Model):
    package = models.ForeignKey(ScormPackage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    version = models.CharField(_("SCORM version"), max_length=10)
    manifest = models.JSONField(
        _("manifest summary"),
        default=dict,
        help_text=_("Organisation tree, launch URLs and sequencing the player needs."),
    )
    scos = models.JSONField(
        _("SCOs"),
        default=list,
        help_text=_("Launchable items in order: identifier, title, launch URL, launch values."),
    )
    storage_path = models.CharField(max_length=255, help_text=_("Relative to MEDIA_ROOT."))
    total_bytes = models.PositiveBigIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SCORM package version")
        verbose_name_plural = _("SCORM package versions")
        constraints = [
            models.UniqueConstraint(fields=["package", "number"], name="scorm_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} v{self.number}"

    def sco(self, identifier: str) -> dict | None:
        return next((s for s in self.scos if s["identifier"] == identifier), None)


class ScormAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    package = models.ForeignKey(ScormPackage, on_delete=models.CASCADE, related_name="attempts")
    package_version = models.ForeignKey(
        ScormPackageVersion, on_delete=models.CASCADE, related_name="attempts"
    )
    sco = models.CharField(_("SCO identifier"), max_length=255)
    number = models.PositiveIntegerField(_("attempt"), default=1)
    state = models.JSONField(default=dict, help_text=_("The CMI state: element → value."))
    session = models.PositiveIntegerField(default=0, help_text=_("Launches so far."))
    seq = models.PositiveIntegerField(default=0, help_text=_("Last commit applied."))
    terminated = models.BooleanField(
        default=False, help_text=_("The last session ended with Terminate/LMSFinish.")
    )
    # Denormalised for reports and the gradebook.
    completion_status = models.CharField(max_length=16, default="not attempted")
    success_status = models.CharField(max_length=16, default="unknown")
    lesson_status = models.CharField(max_length=16, blank=True)
    score_raw = models.FloatField(null=True, blank=True)
    score_scaled = models.FloatField(null=True, blank=True)
    total_time_seconds = models.FloatField(default=0)
    suspended = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SCORM attempt")
        verbose_name_plural = _("SCORM attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "sco", "number"], name="scorm_attempt_number"
            ),
        ]
        indexes = [models.Index(fields=["package", "user", "sco", "-number"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.sco} #{self.number}"

    @property
    def is_complete(self) -> bool:
        return self.completion_status == "completed" or self.success_status == "passed"


class ScormInteraction(models.Model):
    attempt = models.ForeignKey(ScormAttempt, on_delete=models.CASCADE, related_name="interactions")
    index = models.PositiveIntegerField()
    identifier = models.CharField(max_length=4000)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)
    learner_response = models.TextField(blank=True)
    correct_responses = models.JSONField(default=list, blank=True)
    result = models.CharField(max_length=40, blank=True)
    weighting = models.FloatField(null=True, blank=True)
    latency = models.CharField(max_length=40, blank=True)
    timestamp = models.CharField(max_length=40, blank=True)
    objectives = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("SCORM interaction")
        verbose_name_plural = _("SCORM interactions")
        ordering = ["attempt_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "index"], name="scorm_interaction_index"),
        ]

    def __str__(self) -> str:
        return self.identifier


class ScormObjective(models.Model):
    attempt = models.ForeignKey(ScormAttempt, on_delete=models.CASCADE, related_name="objectives")
    index = models.PositiveIntegerField()
    identifier = models.CharField(max_length=4000)
    success_status = models.CharField(max_length=16, blank=True)
    completion_status = models.CharField(max_length=16, blank=True)
    score_raw = models.FloatField(null=True, blank=True)
    score_scaled = models.FloatField(null=True, blank=True)
    progress_measure = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = _("SCORM objective")
        verbose_name_plural = _("SCORM objectives")
        ordering = ["attempt_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "index"], name="scorm_objective_index"),
        ]

    def __str__(self) -> str:
        return self.identifier


class ScormSequencing(models.Model):
    """A learner's SCORM 2004 sequencing state on one package version: the activity tree's
    tracking status, global objectives, the current and the suspended activity
    (``courses.scorm.sequencing``), with the root activity's rolled-up result."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_sequencing"
    )
    package = models.ForeignKey(ScormPackage, on_delete=models.CASCADE, related_name="sequencing")
    package_version = models.ForeignKey(
        ScormPackageVersion, on_delete=models.CASCADE, related_name="sequencing"
    )
    state = models.JSONField(default=dict)
    completion_status = models.CharField(max_length=16, default="unknown")
    success_status = models.CharField(max_length=16, default="unknown")
    score_scaled = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SCORM sequencing state")
        verbose_name_plural = _("SCORM sequencing states")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package_version"], name="scorm_sequencing_per_version"
            ),
        ]
        indexes = [models.Index(fields=["package", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.package_version_id}"


class ScormGlobalObjective(models.Model):
    """A learner's global (shared) objective of SCORM 2004 sequencing, for packages whose
    organization keeps objectives global to the system (``adlseq:objectivesGlobalToSystem``,
    true unless the manifest says false): every package the learner takes that maps an
    objective to ``objective_id`` reads and writes this one status, across packages,
    versions and attempts. Packages that say false keep their global objectives in their
    :class:`ScormSequencing` state, for one attempt on the package."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_objectives"
    )
    objective_id = models.CharField(_("objective identifier"), max_length=1000)
    satisfied = models.BooleanField(null=True, blank=True)
    measure = models.FloatField(null=True, blank=True)
    completed = models.BooleanField(null=True, blank=True)
    progress = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SCORM global objective")
        verbose_name_plural = _("SCORM global objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "objective_id"], name="scorm_global_objective_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.objective_id}"


class ScormSharedData(models.Model):
    """A learner's SCORM 2004 (4th edition) shared data bucket, ``adl.data``: the value
    every SCO that maps ``target_id`` (``adlcp:data/adlcp:map``) reads and writes.

    Per learner and package (across versions and attempts) when the package's
    organization says ``adlcp:sharedDataGlobalToSystem="false"``; per learner across every
    package (``package`` empty) when it keeps the SCORM default, true."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_shared_data"
    )
    package = models.ForeignKey(
        ScormPackage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shared_data",
        help_text=_("Empty: every package of the learner shares it."),
    )
    target_id = models.CharField(_("target identifier"), max_length=1000)
    value = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("SCORM shared data")
        verbose_name_plural = _("SCORM shared data")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "package", "target_id"],
                condition=models.Q(package__isnull=False),
                name="scorm_shared_data_per_package",
            ),
            models.UniqueConstraint(
                fields=["user", "target_id"],
                condition=models.Q(package__isnull=True),
                name="scorm_shared_data_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.target_id}"
