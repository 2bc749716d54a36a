"""Question bank writes: import and export in GIFT / Moodle XML, editing with versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.formats import DEFAULT_MAX_BYTES, FORMATS, FormatError, export, parse
from assessments.formats.ir import TOP, Bank, Category, question_from_dict
from assessments.models import Question, QuestionCategory, QuestionVersion
from courses.models import CoursePage
from lms.exceptions import ErrorItem, ServiceError, TooLarge


@dataclass
class ImportResult:
    created: int = 0
    categories: list[str] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)


def _max_bytes() -> int:
    return getattr(settings, "ASSESSMENTS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def format_error_items(error: FormatError) -> list[ErrorItem]:
    """A FormatError's items as the API's errors: GIFT by line, XML by question element."""
    items = []
    for item in error.errors:
        where = None
        if item.element is not None:
            where = f"question {item.element}"
            if item.question:
                where += f" ({item.question})"
        elif item.question:
            where = f"question ({item.question})"
        items.append(ErrorItem(message=item.message, line=item.line, field=where))
    return items


def _segments(path: str) -> list[str]:
    return Category(path=path).segments


def category_ensure(*, course: CoursePage, path: str, info: str = "") -> QuestionCategory:
    """The category at ``path`` (``top/A/B``) in the course's bank, made with its parents."""
    path = path or TOP
    existing = QuestionCategory.objects.filter(course=course, path=path).first()
    if existing:
        if info and not existing.info:
            existing.info = info
            existing.save(update_fields=["info"])
        return existing
    parent = None
    raw_parts = path.replace("//", "\x00").split("/")
    for depth in range(1, len(raw_parts) + 1):
        sub_path = "/".join(raw_parts[:depth]).replace("\x00", "//")
        name = raw_parts[depth - 1].replace("\x00", "/")
        parent, _created = QuestionCategory.objects.get_or_create(
            course=course,
            path=sub_path,
            defaults={"parent": parent, "name": name},
        )
    if info:
        parent.info = info
        parent.save(update_fields=["info"])
    return parent


@transaction.atomic
def question_import(
    *, course: CoursePage, data: bytes, fmt: str, user=None, filename: str = "upload"
) -> ImportResult:
    """Import a GIFT or Moodle XML file into the course's bank: everything or nothing."""
    if fmt not in FORMATS:
        raise ServiceError(
            _("Unknown question format."),
            [ErrorItem(field="format", message=_("Use gift or moodlexml."))],
        )
    if len(data) > _max_bytes():
        raise TooLarge(
            _("The file is too large: at most %(size)s MB.") % {"size": _max_bytes() // 2**20}
        )
    try:
        bank = parse(data, fmt, filename=filename, max_bytes=_max_bytes())
    except FormatError as error:
        raise ServiceError(
            _("The file %(name)s could not be imported; nothing was imported.")
            % {"name": filename},
            format_error_items(error),
        ) from error
    result = ImportResult()
    categories: dict[str, QuestionCategory] = {}
    for category in bank.categories:
        categories[category.path] = category_ensure(
            course=course, path=category.path, info=category.info
        )
    for question in bank.questions:
        if question.category not in categories:
            categories[question.category] = category_ensure(course=course, path=question.category)
    questions = Question.objects.bulk_create(
        [
            Question(
                course=course,
                category=categories[question.category],
                name=question.name[:255],
                qtype=question.qtype,
                idnumber=question.idnumber[:100],
                hidden=question.hidden,
            )
            for question in bank.questions
        ]
    )
    versions = QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(question=row, number=1, data=question.to_dict(), created_by=user)
            for row, question in zip(questions, bank.questions, strict=True)
        ]
    )
    for row, version in zip(questions, versions, strict=True):
        row.current_version = version
    Question.objects.bulk_update(questions, ["current_version"])
    result.created = len(questions)
    result.categories = sorted({c.path for c in categories.values()})
    for question in bank.questions:
        result.by_type[question.qtype] = result.by_type.get(question.qtype, 0) + 1
    result.question_ids = [row.pk for row in questions]
    return result


def question_bank(*, course: CoursePage, include_hidden: bool = True) -> Bank:
    """The course's bank as an IR :class:`Bank` (current versions), in 2 queries."""
    rows = QuestionCategory.objects.filter(course=course).order_by("path")
    categories = [
        Category(path=row.path, info=row.info, idnumber=row.idnumber)
        for row in rows
        if row.path != TOP
    ]
    questions = Question.objects.filter(
        course=course, current_version__isnull=False
    ).select_related("current_version", "category")
    if not include_hidden:
        questions = questions.filter(hidden=False)
    bank_questions = []
    for question in questions.order_by("category__path", "pk"):
        data = dict(question.current_version.data)
        data["category"] = question.category.path
        bank_questions.append(question_from_dict(data))
    return Bank(categories=categories, questions=bank_questions)


def question_export(*, course: CoursePage, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ServiceError(
            _("Unknown question format."),
            [ErrorItem(field="format", message=_("Use gift or moodlexml."))],
        )
    try:
        return export(question_bank(course=course), fmt)
    except FormatError as error:
        raise ServiceError(
            _("The bank cannot be written in this format."), format_error_items(error)
        ) from error


@transaction.atomic
def question_update(*, question: Question, data: dict, user=None) -> QuestionVersion:
    """Change a question's content. A version that an attempt has shown is never changed:
    a new version is made instead, and attempts keep grading against the one they saw."""
    try:
        parsed = question_from_dict(data)
    except FormatError as error:
        raise ServiceError(_("The question is not valid."), format_error_items(error)) from error
    question = Question.objects.select_for_update().get(pk=question.pk)
    current = question.current_version
    clean = parsed.to_dict()
    if current is not None and not current.in_use:
        current.data = clean
        current.save(update_fields=["data"])
        version = current
    else:
        number = (current.number if current else 0) + 1
        version = QuestionVersion.objects.create(
            question=question, number=number, data=clean, created_by=user
        )
    question.current_version = version
    question.name = parsed.name[:255]
    question.qtype = parsed.qtype
    question.save(update_fields=["current_version", "name", "qtype"])
    return version
