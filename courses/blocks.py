"""StreamField blocks of module and lesson bodies.

Activity blocks (quiz, SCORM, live session) mark a lesson as having activities: with the
lesson's completion rule "activities", the lesson completes when each of them is done.
A quiz block takes a quiz of the page's own course only: :class:`CourseContentPageForm`
(the admin form of modules and lessons) refuses another course's quiz on save.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "blocks/heading.html"
        preview_value = {"text": "Indicators of trafficking", "level": "h2"}
        description = _("A heading that structures the lesson")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)
    alt_text = blocks.CharBlock(
        label=_("Text alternative"),
        required=False,
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class VideoBlock(blocks.StructBlock):
    embed = EmbedBlock(
        label=_("Video address"), required=False, help_text=_("A video site's address")
    )
    file = DocumentChooserBlock(
        label=_("Video file"), required=False, help_text=_("Or an uploaded MP4/WebM file")
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "media"
        template = "blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            ("info", _("Note")),
            ("success", _("Good practice")),
            ("warning", _("Caution")),
            ("danger", _("Legal requirement")),
        ],
        default="info",
        label=_("Kind"),
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"
        preview_value = {
            "kind": "warning",
            "title": "Do no harm",
            "text": "<p>Never interview a presumed victim in front of a suspected trafficker.</p>",
        }


class ObjectivesBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, default=_("By the end you can"))
    items = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("Objectives"))

    class Meta:
        icon = "list-ul"
        template = "blocks/objectives.html"


class ActivityBlock(blocks.StructBlock):
    """Base of the blocks that a learner completes (quiz, SCORM, live session)."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    required = blocks.BooleanBlock(label=_("Required for completion"), required=False, default=True)

    is_activity = True


class QuizActivityBlock(ActivityBlock):
    """A quiz of the course (built in the admin under Snippets → Quizzes). The chooser
    offers the quizzes of the courses the editor manages; the page form keeps the ones of
    the page's own course (:meth:`course_errors`)."""

    quiz = SnippetChooserBlock("assessments.Quiz", label=_("Quiz"), required=False)

    class Meta:
        icon = "form"
        template = "blocks/quiz_activity.html"
        label = _("Quiz")

    def course_errors(self, value, *, course_id: int) -> ValidationError | None:
        """Why ``value`` cannot be placed in a page of the course ``course_id``, if it cannot."""
        quiz = value.get("quiz")
        if quiz is None or quiz.course_id == course_id:
            return None
        return StructBlockValidationError(
            block_errors={
                "quiz": ValidationError(
                    _(
                        "“%(quiz)s” is a quiz of another course: choose a quiz of this "
                        "lesson's course."
                    ),
                    code="other_course",
                    params={"quiz": quiz.title},
                )
            }
        )


def scorm_package_choices() -> list[tuple[str, str]]:
    """Every SCORM package of the site, labelled with its course (read when a form renders)."""
    from courses.models import ScormPackage

    return [
        (str(pk), f"{code} · {title}")
        for pk, code, title in ScormPackage.objects.order_by("course__code", "title").values_list(
            "pk", "course__code", "title"
        )
    ]


class ScormActivityBlock(ActivityBlock):
    """A SCORM package of the course, opened in the SCORM player."""

    package = blocks.ChoiceBlock(
        choices=scorm_package_choices,
        label=_("SCORM package"),
        required=False,
        help_text=_("Upload packages in the admin menu under SCORM packages."),
    )

    class Meta:
        icon = "code"
        template = "courses/blocks/scorm_activity.html"
        label = _("SCORM module")

    def get_context(self, value, parent_context=None):
        from courses.models import ScormPackage

        context = super().get_context(value, parent_context=parent_context)
        package_id = value.get("package")
        context["package"] = (
            ScormPackage.objects.select_related("course").filter(pk=package_id).first()
            if str(package_id or "").isdigit()
            else None
        )
        return context


class LiveSessionBlock(ActivityBlock):
    """Placeholder until live sessions are scheduled in the scheduling app."""

    when = blocks.CharBlock(label=_("When"), required=False)

    class Meta:
        icon = "group"
        template = "blocks/activity.html"
        label = _("Live session")


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, icon="pilcrow", template="blocks/paragraph.html"
    )
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    objectives = ObjectivesBlock()
    quiz = QuizActivityBlock()
    scorm = ScormActivityBlock()
    live_session = LiveSessionBlock()


def activity_blocks(body) -> list:
    """The activity blocks (quiz, SCORM, live session) of a StreamField value, in order."""
    return [child for child in body if getattr(child.block, "is_activity", False)]


def course_errors(body, *, course_id: int) -> StreamBlockValidationError | None:
    """The errors of the blocks of ``body`` that cannot be placed in the course ``course_id``
    (a quiz of another course), by position; ``None`` when every block fits."""
    errors = {}
    for index, child in enumerate(body or []):
        check = getattr(child.block, "course_errors", None)
        error = check(child.value, course_id=course_id) if check else None
        if error is not None:
            errors[index] = error
    return StreamBlockValidationError(block_errors=errors) if errors else None


class CourseContentPageForm(WagtailAdminPageForm):
    """The admin form of the pages below a course (modules, lessons): their activity blocks
    must belong to that course, whether the page is saved as a draft or published."""

    def _course_id(self) -> int | None:
        from courses.models.pages import COURSE_DEPTH, CoursePage, course_path_of

        anchor = self.parent_page if self.parent_page is not None else self.instance
        if not getattr(anchor, "path", "") or (anchor.depth or 0) < COURSE_DEPTH:
            return None
        return (
            CoursePage.objects.filter(path=course_path_of(anchor.path), depth=COURSE_DEPTH)
            .values_list("pk", flat=True)
            .first()
        )

    def clean(self):
        cleaned_data = super().clean()
        body = cleaned_data.get("body")
        if body and "body" not in self.errors:
            course_id = self._course_id()
            error = course_errors(body, course_id=course_id) if course_id else None
            if error is not None:
                self.add_error("body", error)
        return cleaned_data
