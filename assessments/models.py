"""Question banks, quizzes and attempts.

A question's content lives in :class:`QuestionVersion` (the IR dict of
:mod:`assessments.formats.ir`); editing a question that has been attempted adds a version, and
each attempt keeps the versions it was shown (in its frozen ``layout``).
"""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


# --- Review options ----------------------------------------------------------------------
class ReviewTime(models.IntegerChoices):
    """When a part of an attempt may be shown to the learner (bits of a mask, as Moodle)."""

    DURING = 1, _("During the attempt")
    IMMEDIATELY = 2, _("Immediately after the attempt")
    LATER_OPEN = 4, _("Later, while the quiz is still open")
    AFTER_CLOSE = 8, _("After the quiz is closed")


ALL_TIMES = sum(ReviewTime.values)
AFTER_TIMES = ALL_TIMES & ~ReviewTime.DURING


class ReviewTimesFormField(forms.TypedMultipleChoiceField):
    """Checkboxes for the times of a review-option bit mask."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs["choices"] = [(str(value), label) for value, label in ReviewTime.choices]
        kwargs["coerce"] = int
        kwargs["required"] = False
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [str(bit) for bit in ReviewTime.values if value & bit]
        return value

    def clean(self, value):
        return sum(super().clean(value) or [])


class ReviewTimesField(models.PositiveSmallIntegerField):
    """A bit mask of :class:`ReviewTime`, edited as checkboxes."""

    def formfield(self, **kwargs):
        return ReviewTimesFormField(label=self.verbose_name, help_text=self.help_text)


#: The parts of an attempt that review options show or hide.
REVIEW_PARTS = (
    "responses",
    "marks",
    "correctness",
    "specific_feedback",
    "general_feedback",
    "right_answer",
    "overall_feedback",
)


# --- Question bank -----------------------------------------------------------------------
class QuestionCategory(models.Model):
    """A folder of a course's question bank; ``path`` is ``top/Day 1/Trafficking``."""

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="question_categories"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=255)
    path = models.CharField(_("path"), max_length=1000)
    info = models.TextField(_("description"), blank=True)
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["course", "path"]
        constraints = [
            models.UniqueConstraint(fields=["course", "path"], name="question_category_path_once")
        ]

    def __str__(self) -> str:
        return self.path.replace("top/", "", 1) if self.path != "top" else str(_("Top"))


class Question(models.Model):
    """A question of a course's bank; its content is in its versions."""

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="questions"
    )
    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions"
    )
    name = models.CharField(_("name"), max_length=255)
    qtype = models.CharField(_("type"), max_length=20)
    idnumber = models.CharField(_("ID number"), max_length=100, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    current_version = models.ForeignKey(
        "QuestionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category__path", "pk"]
        indexes = [models.Index(fields=["category", "hidden"])]

    def __str__(self) -> str:
        return self.name


class QuestionVersion(models.Model):
    """One version of a question's content: the IR dict that grading reads."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    in_use = models.BooleanField(
        default=False, help_text="An attempt has shown it: edits make a new version."
    )

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


# --- Quizzes -----------------------------------------------------------------------------
class Quiz(ClusterableModel):
    """A quiz of a course, placed in a lesson through the lesson's quiz block."""

    class OverdueHandling(models.TextChoices):
        AUTOSUBMIT = "autosubmit", _("Open attempts are submitted automatically")
        GRACE_PERIOD = "graceperiod", _("A grace period to submit, but not to answer more")
        NOT_COUNTED = "autoabandon", _("Attempts must be submitted before time expires")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest grade")
        AVERAGE = "average", _("Average grade")
        FIRST = "first", _("First attempt")
        LAST = "last", _("Last attempt")

    class Navigation(models.TextChoices):
        FREE = "free", _("Free")
        SEQUENTIAL = "sequential", _("Sequential")

    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.CASCADE,
        related_name="quizzes",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(_("introduction"), blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    overdue_handling = models.CharField(
        _("when time expires"),
        max_length=12,
        choices=OverdueHandling.choices,
        default=OverdueHandling.AUTOSUBMIT,
    )
    grace_period_seconds = models.PositiveIntegerField(_("grace period (seconds)"), default=3600)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    max_grade = models.DecimalField(_("maximum grade"), max_digits=7, decimal_places=2, default=10)
    pass_percent = models.DecimalField(
        _("grade to pass (%)"), max_digits=5, decimal_places=2, default=0
    )
    questions_per_page = models.PositiveSmallIntegerField(
        _("questions per page"), default=1, help_text=_("0 puts every question on one page.")
    )
    navigation = models.CharField(
        _("navigation"), max_length=10, choices=Navigation.choices, default=Navigation.FREE
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_answers = models.BooleanField(_("shuffle answers"), default=True)
    review_responses = ReviewTimesField(_("the attempt (responses)"), default=ALL_TIMES)
    review_marks = ReviewTimesField(_("marks"), default=AFTER_TIMES)
    review_correctness = ReviewTimesField(_("whether correct"), default=AFTER_TIMES)
    review_specific_feedback = ReviewTimesField(_("specific feedback"), default=AFTER_TIMES)
    review_general_feedback = ReviewTimesField(_("general feedback"), default=AFTER_TIMES)
    review_right_answer = ReviewTimesField(_("right answer"), default=AFTER_TIMES)
    review_overall_feedback = ReviewTimesField(_("overall feedback"), default=AFTER_TIMES)
    created_at = models.DateTimeField(default=timezone.now)

    panels = [
        FieldPanel("course"),
        FieldPanel("title"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("time_limit_minutes"),
                FieldRowPanel([FieldPanel("overdue_handling"), FieldPanel("grace_period_seconds")]),
            ],
            heading=_("Timing"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("grading_method")]),
                FieldRowPanel([FieldPanel("max_grade"), FieldPanel("pass_percent")]),
            ],
            heading=_("Grade"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("questions_per_page"), FieldPanel("navigation")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_answers")]),
            ],
            heading=_("Layout"),
        ),
        InlinePanel("slots", heading=_("Questions"), label=_("Slot"), min_num=1),
        MultiFieldPanel(
            [FieldPanel(f"review_{part}") for part in REVIEW_PARTS],
            heading=_("Review options"),
        ),
        InlinePanel("feedback_bands", heading=_("Overall feedback"), label=_("Band")),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["course", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_percent__gte=0, pass_percent__lte=100),
                name="quiz_pass_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assessments:quiz", args=[self.pk])

    @property
    def time_limit_seconds(self) -> int | None:
        return self.time_limit_minutes * 60 if self.time_limit_minutes else None

    def review_allows(self, part: str, time: int) -> bool:
        return bool(getattr(self, f"review_{part}") & time)


class QuizSlot(Orderable):
    """A place in a quiz: one fixed question, or N questions drawn at random from a category."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        Question,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slots",
        verbose_name=_("question"),
    )
    category = models.ForeignKey(
        QuestionCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="random_slots",
        verbose_name=_("or a random question from"),
    )
    include_subcategories = models.BooleanField(_("include subcategories"), default=True)
    random_count = models.PositiveSmallIntegerField(
        _("how many random questions"), default=1, help_text=_("For a random slot.")
    )
    mark = models.DecimalField(_("mark"), max_digits=7, decimal_places=2, default=1)

    panels = [
        FieldRowPanel([FieldPanel("question"), FieldPanel("mark")]),
        FieldRowPanel(
            [
                FieldPanel("category"),
                FieldPanel("random_count"),
                FieldPanel("include_subcategories"),
            ]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz slot")
        verbose_name_plural = _("quiz slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, category__isnull=True)
                | Q(question__isnull=True, category__isnull=False),
                name="quiz_slot_question_or_category",
            )
        ]

    def __str__(self) -> str:
        if self.question_id:
            return str(self.question)
        return f"{self.random_count} x random ({self.category})"

    @property
    def is_random(self) -> bool:
        return self.category_id is not None


class QuizFeedbackBand(Orderable):
    """Overall feedback shown for a grade of at least ``min_percent``."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="feedback_bands")
    min_percent = models.DecimalField(_("from grade (%)"), max_digits=5, decimal_places=2)
    text = models.TextField(_("feedback"))

    panels = [FieldRowPanel([FieldPanel("min_percent"), FieldPanel("text")])]

    class Meta(Orderable.Meta):
        verbose_name = _("feedback band")

    def __str__(self) -> str:
        return f"≥ {self.min_percent}%"


# --- Attempts ----------------------------------------------------------------------------
class QuizAttempt(models.Model):
    """A learner's attempt. ``layout`` is frozen at start::

        {"slots": [{"slot": 1, "quiz_slot": 7, "question": 12, "version": 31,
                    "mark": 1.0, "page": 0, "layout": {"order": [2, 0, 1]}}, ...],
         "pages": 3}

    Pages are numbered from 0. ``current_page`` is where the learner is; with sequential
    navigation it only moves forward, one page at a time, and only its questions take answers.

    ``responses`` maps slot numbers (as strings) to responses; ``marks`` maps them to the
    mark earned (``null`` while a person has to grade it).
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        OVERDUE = "overdue", _("Overdue")
        FINISHED = "finished", _("Finished")
        ABANDONED = "abandoned", _("Never submitted")

    OPEN_STATES = (State.IN_PROGRESS, State.OVERDUE)

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    layout = models.JSONField(default=dict)
    current_page = models.PositiveSmallIntegerField(
        _("current page"),
        default=0,
        help_text="The page the learner is on; with sequential navigation, the furthest reached.",
    )
    responses = models.JSONField(default=dict)
    responses_saved_at = models.DateTimeField(null=True, blank=True)
    marks = models.JSONField(default=dict)
    feedback = models.JSONField(default=dict, help_text="Per slot: state, feedback ids, summary.")
    sum_marks = models.FloatField(_("marks"), null=True, blank=True)
    max_marks = models.FloatField(default=0)
    grade_percent = models.FloatField(_("grade (%)"), null=True, blank=True)
    needs_grading = models.BooleanField(default=False)
    submitted_late = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="quiz_attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(state__in=["in_progress", "overdue"]),
                name="quiz_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=Q(state="finished", finished_at__isnull=False) | ~Q(state="finished"),
                name="quiz_attempt_finished_has_date",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "state"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.quiz} #{self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assessments:attempt", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ManualGrade(models.Model):
    """A person's mark for one slot of an attempt (essays), with a comment."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="manual_grades")
    slot = models.PositiveSmallIntegerField()
    fraction = models.FloatField()
    comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("manual grade")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "slot"], name="manual_grade_once"),
            models.CheckConstraint(
                condition=Q(fraction__gte=0, fraction__lte=1), name="manual_grade_fraction_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} slot {self.slot}: {self.fraction}"
