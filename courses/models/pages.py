"""The course content tree: catalogue → course → module → lesson (Wagtail pages)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from courses.blocks import CourseContentPageForm, LessonStreamBlock, activity_blocks
from courses.panels import SimilarCoursesPanel

COURSE_CODE = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,10}){1,3}$",
    _("Use capitals, digits and hyphens, like FIA-THB-101."),
)


class CachedRestrictionsMixin:
    """Wagtail looks up a page's view restrictions (its ancestors, then their
    restrictions: two queries) on every serve. Which restrictions apply only changes with
    the tree or the restrictions themselves, both of which retire the cached ids
    (courses.apps); the restrictions are then read by id, and not at all when none apply."""

    def get_view_restrictions(self):
        from courses import cache

        ids = cache.cached(
            f"view-restrictions:{self.pk}",
            lambda: list(
                super(CachedRestrictionsMixin, self)
                .get_view_restrictions()
                .values_list("pk", flat=True)
            ),
        )
        if not ids:
            return PageViewRestriction.objects.none()
        return PageViewRestriction.objects.filter(pk__in=ids)


class CatalogueIndexPage(CachedRestrictionsMixin, Page):
    """The course catalogue: search and filters over the published courses."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from courses import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.catalogue_for(request=request, catalogue=self))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The same for every anonymous visitor: courses.cache serves it to the next ones.
        response.cache_anonymously = not request.user.is_authenticated
        return response


class CoursePage(CachedRestrictionsMixin, Page):
    class Level(models.TextChoices):
        INTRODUCTORY = "introductory", _("Introductory")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        URDU = "ur", _("Urdu")

    class EnrolmentMethod(models.TextChoices):
        OPEN = "open", _("Open: any officer may enrol")
        KEY = "key", _("With an enrolment key")
        CLOSED = "closed", _("Closed: trainers and administrators enrol participants")

    class CompletionRule(models.TextChoices):
        ALL_LESSONS = "all_lessons", _("Every lesson completed")
        ALL_ACTIVITIES = "all_activities", _("Every required activity completed")
        MIN_GRADE = "min_grade", _("A minimum course grade")

    code = models.CharField(_("course code"), max_length=40, unique=True, validators=[COURSE_CODE])
    summary = models.TextField(_("summary"))
    learning_objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    target_audience = models.TextField(_("target audience"), blank=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.INTRODUCTORY
    )
    duration_hours = models.DecimalField(
        _("duration in hours"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
    )
    duration_days = models.PositiveSmallIntegerField(_("duration in days"), default=1)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    themes = ParentalManyToManyField(
        "courses.ThematicArea", verbose_name=_("thematic areas"), blank=True, related_name="+"
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    prerequisites = ParentalManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="+",
    )
    curriculum_source = models.CharField(
        _("ToT curriculum"),
        max_length=255,
        blank=True,
        help_text=_("The Training-of-Trainers curriculum this course was built from."),
    )
    curriculum_hash = models.CharField(max_length=64, blank=True, editable=False)
    enrolment_method = models.CharField(
        _("enrolment"),
        max_length=10,
        choices=EnrolmentMethod.choices,
        default=EnrolmentMethod.OPEN,
    )
    enrolment_key = models.CharField(
        _("enrolment key"),
        max_length=64,
        blank=True,
        help_text=_("Officers type this to enrol when enrolment needs a key."),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.ALL_LESSONS,
    )
    completion_min_grade = models.DecimalField(
        _("minimum grade (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    issues_certificate = models.BooleanField(_("completion issues a certificate"), default=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("code", boost=5),
        index.SearchField("summary", boost=2),
        index.SearchField("learning_objectives"),
        index.SearchField("target_audience"),
        index.AutocompleteField("title"),
        index.FilterField("language"),
        index.FilterField("level"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("code"),
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        FieldPanel("target_audience"),
        MultiFieldPanel(
            [
                FieldPanel("level"),
                FieldPanel("language"),
                FieldPanel("duration_hours"),
                FieldPanel("duration_days"),
            ],
            heading=_("Level, language and duration"),
        ),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("cover_image"),
        FieldPanel("prerequisites"),
        FieldPanel("curriculum_source"),
        SimilarCoursesPanel(heading=_("Possible duplicates")),
    ]
    enrolment_panels = [
        FieldPanel("enrolment_method"),
        FieldPanel("enrolment_key"),
        FieldPanel("completion_rule"),
        FieldPanel("completion_min_grade"),
        FieldPanel("issues_certificate"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(enrolment_panels, heading=_("Enrolment and completion")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    parent_page_types = ["courses.CatalogueIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        errors = {}
        if self.enrolment_method == self.EnrolmentMethod.KEY and not self.enrolment_key:
            errors["enrolment_key"] = _("Set the key officers must type to enrol.")
        if self.completion_rule == self.CompletionRule.MIN_GRADE and (
            self.completion_min_grade is None or self.completion_min_grade > 100
        ):
            errors["completion_min_grade"] = _("Give a grade between 0 and 100.")
        if errors:
            raise ValidationError(errors)

    @property
    def objectives_list(self) -> list[str]:
        return [line.strip() for line in self.learning_objectives.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        from courses import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.course_page_for(request=request, course=self))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.cache_anonymously = not request.user.is_authenticated
        return response


class ModulePage(CachedRestrictionsMixin, Page):
    """A day or unit of a course."""

    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(LessonStreamBlock(), verbose_name=_("body"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    base_form_class = CourseContentPageForm  # a quiz block takes this course's quizzes only

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def serve(self, request, *args, **kwargs):
        from courses import views

        return views.module_serve(request, module=self)


class LessonPage(CachedRestrictionsMixin, Page):
    """A session of a module: what the learner reads, watches and does."""

    class Method(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        GROUP_WORK = "group-work", _("Group work")
        ROLE_PLAY = "role-play", _("Role play")
        CASE_STUDY = "case-study", _("Case study")
        DISCUSSION = "discussion", _("Discussion")
        EXERCISE = "exercise", _("Exercise")
        PRESENTATION = "presentation", _("Presentation")
        FIELD_VISIT = "field-visit", _("Field visit")
        ASSESSMENT = "assessment", _("Assessment")
        SELF_STUDY = "self-study", _("Self-study")

    class CompletionRule(models.TextChoices):
        VIEWED = "viewed", _("Viewed")
        ACTIVITIES = "activities", _("Its activities completed")

    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("One per line."))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=45)
    method = models.CharField(
        _("method"), max_length=20, choices=Method.choices, default=Method.LECTURE
    )
    materials = models.TextField(_("materials"), blank=True, help_text=_("One per line."))
    body = StreamField(LessonStreamBlock(), verbose_name=_("body"), blank=True)
    completion_rule = models.CharField(
        _("completion"),
        max_length=12,
        choices=CompletionRule.choices,
        default=CompletionRule.VIEWED,
        help_text=_("When the lesson counts as completed for a learner."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("duration_minutes"), FieldPanel("method"), FieldPanel("completion_rule")],
            heading=_("Session"),
        ),
        FieldPanel("objectives"),
        FieldPanel("materials"),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    base_form_class = CourseContentPageForm  # a quiz block takes this course's quizzes only

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @cached_property
    def activities(self) -> list:
        return activity_blocks(self.body)

    @property
    def objectives_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @property
    def materials_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def serve(self, request, *args, **kwargs):
        from courses import views

        return views.lesson_serve(request, lesson=self)


# Pages below a course sit at fixed depths: root (1) → home (2) → catalogue (3) → course (4).
COURSE_DEPTH = 4
PATH_STEP = Page.steplen


def course_path_of(path: str) -> str:
    """The tree path of the course a module or lesson path belongs to."""
    return path[: PATH_STEP * COURSE_DEPTH]
