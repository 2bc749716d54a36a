"""Import a ToT curriculum (courses/CURRICULUM_FORMAT.md) as a course → module → lesson tree.

Re-importing the same curriculum (same course code) updates the existing pages, matched by
slug, instead of duplicating them; pages that the curriculum no longer lists are left in
place and reported. The whole import is one transaction: an error leaves nothing behind.
"""

import secrets
from dataclasses import dataclass, field

import markdown
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter
from wagtail.models import Page

from courses import curriculum as fmt
from courses.blocks import RICH_TEXT_FEATURES, LessonStreamBlock
from courses.models import CatalogueIndexPage, CoursePage, Enrolment, LessonPage, ModulePage
from courses.models.taxonomy import ThematicArea
from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from lms.models import User
from lms.roles import Role

CALLOUT_KINDS = {"note": "info", "tip": "success", "warning": "warning", "important": "danger"}
COMPLETION_RULES = {
    "all-lessons": CoursePage.CompletionRule.ALL_LESSONS,
    "all-activities": CoursePage.CompletionRule.ALL_ACTIVITIES,
    "min-grade": CoursePage.CompletionRule.MIN_GRADE,
}


@dataclass
class ImportResult:
    course: CoursePage
    created: bool
    pages_created: int = 0
    pages_updated: int = 0
    published: bool = False
    unchanged: bool = False  # the same file was imported before: nothing to do
    not_in_curriculum: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def curriculum_import_file(
    *,
    data: bytes,
    filename: str,
    user: User | None = None,
    publish: bool = False,
    check_permissions: bool = True,
) -> ImportResult:
    """Parse and import a curriculum file; parse errors come back as a ServiceError."""
    try:
        parsed = fmt.parse_curriculum(data, filename=filename)
    except fmt.CurriculumError as error:
        raise ServiceError(
            _("%(file)s is not a valid curriculum: nothing was imported.") % {"file": filename},
            [
                ErrorItem(line=issue.line, field=issue.field or None, message=issue.message)
                for issue in error.errors
            ],
        ) from None
    return curriculum_import(
        curriculum=parsed, user=user, publish=publish, check_permissions=check_permissions
    )


@transaction.atomic
def curriculum_import(
    *,
    curriculum: fmt.Curriculum,
    user: User | None = None,
    publish: bool = False,
    check_permissions: bool = True,
) -> ImportResult:
    """Import (or update) the course. Publishing needs the user's publish permission on
    the catalogue unless `check_permissions` is off (an operator at the command line)."""
    catalogue = CatalogueIndexPage.objects.first()
    if catalogue is None:
        raise ServiceError(_("There is no course catalogue page: run migrate first."))
    if (
        publish
        and check_permissions
        and (user is None or not catalogue.permissions_for_user(user).can_publish_subpage())
    ):
        raise NotAllowed(_("You may import drafts only: a reviewer publishes them after review."))
    themes = list(ThematicArea.objects.filter(slug__in=curriculum.themes))
    missing_themes = set(curriculum.themes) - {theme.slug for theme in themes}
    if missing_themes:
        raise ServiceError(
            _("These thematic areas do not exist on this site: %s") % ", ".join(missing_themes),
            [ErrorItem(field="themes", message=slug) for slug in sorted(missing_themes)],
        )
    course = CoursePage.objects.filter(code=curriculum.code).first()
    if (
        course is not None
        and course.curriculum_hash == curriculum.content_hash
        and not course.has_unpublished_changes
        and (course.live or not publish)
    ):
        return ImportResult(course=course, created=False, published=course.live, unchanged=True)
    created = course is None
    if created:
        course = CoursePage(code=curriculum.code, live=False)
    else:
        course = course.get_latest_revision_as_object()
    _set_course_fields(course, curriculum, themes)
    result = ImportResult(course=course, created=created, published=publish)
    if course.enrolment_method == CoursePage.EnrolmentMethod.KEY and not course.enrolment_key:
        # Keys never travel in curriculum files: make one; an administrator can change it.
        course.enrolment_key = secrets.token_hex(4)
        result.warnings.append(
            _("enrolment key set to %(key)s (change it in the course's settings)")
            % {"key": course.enrolment_key}
        )
    if created:
        catalogue.add_child(instance=course)
        result.pages_created += 1
    else:
        result.pages_updated += 1
    prerequisites = list(CoursePage.objects.filter(code__in=curriculum.prerequisites))
    unknown = set(curriculum.prerequisites) - {c.code for c in prerequisites}
    result.warnings += [_("prerequisite %s is not on this site yet") % code for code in unknown]
    course.prerequisites.set(prerequisites)
    _save(course, user=user, publish=publish)

    existing_modules = {page.slug: page for page in ModulePage.objects.child_of(course)}
    for module in curriculum.modules:
        module_page = existing_modules.pop(module.slug, None)
        module_page, was_created = _upsert(
            parent=course,
            page=module_page,
            model=ModulePage,
            slug=module.slug,
            fields={"title": module.title, "summary": module.summary},
        )
        result.pages_created += was_created
        result.pages_updated += not was_created
        _save(module_page, user=user, publish=publish)
        existing_lessons = {page.slug: page for page in LessonPage.objects.child_of(module_page)}
        for session in module.sessions:
            lesson_page, was_created = _upsert(
                parent=module_page,
                page=existing_lessons.pop(session.slug, None),
                model=LessonPage,
                slug=session.slug,
                fields=_lesson_fields(session),
            )
            result.pages_created += was_created
            result.pages_updated += not was_created
            _save(lesson_page, user=user, publish=publish)
        _reorder(module_page, [s.slug for s in module.sessions])
        result.not_in_curriculum += [p.title for p in existing_lessons.values()]
    _reorder(course, [m.slug for m in curriculum.modules])
    result.not_in_curriculum += [p.title for p in existing_modules.values()]

    if user is not None and user.has_role(Role.TRAINER):
        Enrolment.objects.get_or_create(
            user=user,
            course=course,
            defaults={"role": Enrolment.Role.TRAINER, "source": Enrolment.Source.IMPORT},
        )
    result.course = CoursePage.objects.get(pk=course.pk)  # publishing worked on copies
    return result


def _set_course_fields(course: CoursePage, curriculum: fmt.Curriculum, themes) -> None:
    course.title = curriculum.title
    course.slug = course.slug or fmt.slugify(curriculum.code)
    course.summary = curriculum.summary
    course.learning_objectives = "\n".join(curriculum.learning_objectives)
    course.target_audience = curriculum.target_audience
    course.level = curriculum.level
    course.duration_hours = curriculum.duration_hours
    course.duration_days = curriculum.duration_days
    course.language = curriculum.language
    course.enrolment_method = curriculum.enrolment
    course.completion_rule = COMPLETION_RULES[curriculum.completion.rule]
    course.completion_min_grade = curriculum.completion.min_grade
    course.issues_certificate = curriculum.certificate
    source = curriculum.source
    course.curriculum_source = f"{source.title}, version {source.version}"[:255]
    course.curriculum_hash = curriculum.content_hash
    course.themes = themes


def _lesson_fields(session: fmt.Session) -> dict:
    body = []
    for block in session.blocks:
        html = _rich_text(block.text)
        if block.kind == "callout":
            body.append(
                (
                    "callout",
                    {
                        "kind": CALLOUT_KINDS.get(block.style or "note", "info"),
                        "title": block.title or "",
                        "text": html,
                    },
                )
            )
        else:
            body.append(("paragraph", html))
    if session.quiz is not None:
        # A knowledge check: the trainer picks (or builds) the quiz from the course's
        # question bank, whose category the curriculum names, in the lesson's editor.
        quiz_block = LessonStreamBlock.base_blocks["quiz"]
        value = {name: child.get_default() for name, child in quiz_block.child_blocks.items()}
        value.update(title=session.quiz.title or _("Knowledge check"), required=True)
        body.append(("quiz", value))
    return {
        "title": session.title,
        "objectives": "\n".join(session.objectives),
        "duration_minutes": session.duration_minutes,
        "method": session.method,
        "materials": "\n".join(session.materials),
        "body": body,
    }


def _rich_text(text: str) -> str:
    """Markdown → HTML → Wagtail's rich text, keeping only what the editor allows."""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return EditorHTMLConverter(features=RICH_TEXT_FEATURES).to_database_format(html)


def _upsert(*, parent: Page, page: Page | None, model, slug: str, fields: dict):
    if page is None:
        page = model(slug=slug, live=False, **fields)
        parent.add_child(instance=page)
        return page, True
    page = page.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(page, name, value)
    return page, False


def _save(page: Page, *, user: User | None, publish: bool) -> None:
    """A new revision (validated); a live page's published content changes only on publish."""
    try:
        revision = page.save_revision(user=user, log_action=True, clean=True)
    except ValidationError as error:
        raise ServiceError(
            _("%(page)s cannot be saved: nothing was imported.") % {"page": page.title},
            [
                ErrorItem(field=name, message=message)
                for name, messages in error.message_dict.items()
                for message in messages
            ],
        ) from None
    if publish:
        # Permission to publish was checked once, up front, for the whole tree.
        revision.publish(user=user, skip_permission_checks=True)


def _reorder(parent: Page, slugs: list[str]) -> None:
    """Put the children named by `slugs` in that order (others stay after them)."""
    children = list(Page.objects.child_of(parent).order_by("path"))
    current = [child.slug for child in children if child.slug in slugs]
    if current == slugs:
        return
    by_slug = {child.slug: child for child in children}
    for slug in slugs:
        by_slug[slug].move(parent, pos="last-child")
