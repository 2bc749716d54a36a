"""Who is in which course, in which role, and how far each learner has got."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A user's place in a course: learner, trainer or non-editing trainer."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        TRAINER = "trainer", _("Trainer")
        ASSISTANT = "assistant", _("Non-editing trainer")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolment")
        BULK = "bulk", _("Enrolled by a trainer or administrator")
        IMPORT = "import", _("Course import")
        SCHEDULE = "schedule", _("Scheduled training")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.LEARNER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SELF)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        "courses.LessonPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Where the learner left off."),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_once_per_course"),
            models.CheckConstraint(
                condition=models.Q(status="completed", completed_at__isnull=False)
                | ~models.Q(status="completed"),
                name="enrolment_completed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["course", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.course_id} as {self.role}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in {self.Role.TRAINER, self.Role.ASSISTANT}


class LessonProgress(models.Model):
    """A learner's progress in one lesson. `course` is kept for grouped counts per course."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress"
    )
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    first_viewed_at = models.DateTimeField(default=timezone.now)
    last_viewed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="progress_once_per_lesson")
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        state = "completed" if self.completed_at else "viewed"
        return f"{self.user} {state} lesson {self.lesson_id}"
