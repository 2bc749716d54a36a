"""Writes of the courses app: site structure, enrolment, progress and completion."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from courses import selectors
from courses.models import CatalogueIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress
from courses.signals import course_completed
from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from lms.models import User
from lms.roles import Role
from lms.services import user_upsert

# --- Site structure ----------------------------------------------------------------------
PAGE_PERMISSIONS = {
    Role.ADMIN: ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page",
                 "unlock_page"],
    Role.REVIEWER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    Role.TRAINER: ["add_page", "change_page"],
}  # fmt: skip
COLLECTION_PERMISSIONS = {
    Role.ADMIN: ["add_image", "change_image", "choose_image", "delete_image", "add_document",
                 "change_document", "choose_document", "delete_document"],
    Role.REVIEWER: ["add_image", "change_image", "choose_image", "add_document",
                    "change_document", "choose_document"],
    Role.TRAINER: ["add_image", "choose_image", "add_document", "choose_document"],
}  # fmt: skip
REVIEW_WORKFLOW = "Course review"


@transaction.atomic
def site_structure_ensure() -> CatalogueIndexPage:
    """The catalogue page, who may author under it, and the review workflow.

    Idempotent; runs after every `migrate`. Trainers create and edit drafts, reviewers
    approve them through the "Course review" workflow, which publishes.
    """
    catalogue = CatalogueIndexPage.objects.first()
    if catalogue is None:
        home = Page.objects.filter(depth=2).order_by("path").first() or _wagtail_tree_create()
        catalogue = home.add_child(
            instance=CatalogueIndexPage(
                title="Courses",
                slug="courses",
                intro="Courses of the FIA Academy and its partners.",
            )
        )
    home = catalogue.get_parent()
    if home.title.startswith("Welcome to your new Wagtail site"):
        home.title = "FIA Academy"
        home.save_revision().publish()
        Site.objects.filter(root_page=home).update(site_name="FIA Academy")
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role.values))}
    root_page = catalogue.get_parent()
    for role, codenames in PAGE_PERMISSIONS.items():
        page = root_page if role == Role.ADMIN else catalogue
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=codenames
        ):
            GroupPagePermission.objects.get_or_create(
                group=groups[role.value], page=page, permission=permission
            )
    root_collection = Collection.get_first_root_node()
    for role, codenames in COLLECTION_PERMISSIONS.items():
        for permission in Permission.objects.filter(codename__in=codenames):
            GroupCollectionPermission.objects.get_or_create(
                group=groups[role.value], collection=root_collection, permission=permission
            )
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW)
    task, _created = GroupApprovalTask.objects.get_or_create(name="Reviewer approval")
    task.groups.set([groups[Role.REVIEWER.value], groups[Role.ADMIN.value]])
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
    return catalogue


def _wagtail_tree_create() -> Page:
    """The root page, a home page, the default site and the root collection, as Wagtail's
    initial migration makes them: needed again after a `flush` empties every table."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(
            title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
        )
    )
    home = root.add_child(instance=Page(title="FIA Academy", slug="home"))
    Site.objects.get_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "FIA Academy"},
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return home


# --- Enrolment ---------------------------------------------------------------------------
@transaction.atomic
def enrolment_create(
    *,
    user: User,
    course: CoursePage,
    role: str = Enrolment.Role.LEARNER,
    source: str = Enrolment.Source.SELF,
    key: str | None = None,
) -> Enrolment:
    """Enrol the user. Self-enrolment follows the course's setting (open, key, closed);
    enrolment by a trainer, an import or a scheduled training does not.

    Enrolling again is harmless: an active enrolment is returned as it is, a withdrawn
    one becomes active again (with its progress kept).
    """
    if source == Enrolment.Source.SELF:
        if not course.live:
            raise NotAllowed(_("This course is not open yet."))
        if course.enrolment_method == CoursePage.EnrolmentMethod.CLOSED:
            raise NotAllowed(
                _("This course is closed: a trainer or administrator enrols its participants.")
            )
        if (
            course.enrolment_method == CoursePage.EnrolmentMethod.KEY
            and (key or "").strip() != course.enrolment_key
        ):
            raise ServiceError(
                _("That enrolment key is not right."),
                [ErrorItem(field="key", message=_("Ask your trainer for the course's key."))],
            )
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        user=user, course=course, defaults={"role": role, "source": source}
    )
    if not created:
        changed = []
        if enrolment.status == Enrolment.Status.WITHDRAWN:
            enrolment.status = (
                Enrolment.Status.COMPLETED if enrolment.completed_at else Enrolment.Status.ACTIVE
            )
            changed.append("status")
        if source != Enrolment.Source.SELF and enrolment.role != role:
            enrolment.role = role
            changed.append("role")
        if changed:
            enrolment.save(update_fields=changed)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, user: User, course: CoursePage) -> None:
    """Unenrol: the enrolment stays (with progress) as withdrawn, so re-enrolling resumes."""
    Enrolment.objects.filter(user=user, course=course).update(status=Enrolment.Status.WITHDRAWN)


@dataclass
class BulkEnrolmentResult:
    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


ROSTER_COLUMNS = ("username", "service_number", "email")
# Columns that describe a new officer: a row naming an unknown service number with a first
# name creates the officer's account (they set a password through "forgotten password").
ROSTER_PERSON_COLUMNS = ("first_name", "last_name", "rank", "unit", "phone")


def roster_parse(*, data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV roster (UTF-8, with or without BOM) as (line number, row).

    The roster names each officer by `username`, `service_number` or `email` (any one);
    a plain list with one username per line is accepted too.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ServiceError(
                _("The roster is not UTF-8 text: save it as CSV UTF-8 and upload it again."),
                [ErrorItem(line=line, message=_("bytes that are not UTF-8 here"))],
            ) from None
    else:
        text = data
    lines = text.splitlines()
    if not lines:
        raise ServiceError(_("The roster is empty."))
    header = [column.strip().lower() for column in next(csv.reader([lines[0]]))]
    if not any(column in ROSTER_COLUMNS for column in header):
        return [
            (number, {"username": line.strip()})
            for number, line in enumerate(lines, 1)
            if line.strip()
        ]
    rows = []
    reader = csv.DictReader(io.StringIO(text), fieldnames=header)
    next(reader)
    for row in reader:
        values = {
            k: (v or "").strip()
            for k, v in row.items()
            if k in ROSTER_COLUMNS + ROSTER_PERSON_COLUMNS
        }
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


@transaction.atomic
def enrolment_bulk_create(
    *,
    course: CoursePage,
    rows: Iterable[tuple[int, dict[str, str]]],
    role: str = Enrolment.Role.LEARNER,
) -> BulkEnrolmentResult:
    """Enrol every officer the rows name; if any row is wrong, enrol nobody and say which
    lines are wrong and why. A row with an unknown service number and a first name creates
    that officer's account (names are kept exactly as written, Urdu included)."""
    rows = list(rows)
    wanted = {key: {r[key] for _n, r in rows if r.get(key)} for key in ROSTER_COLUMNS}
    # One query per way of naming officers; service numbers and emails ignore case.
    index = {
        "username": {u.username: u for u in User.objects.filter(username__in=wanted["username"])},
        "service_number": {
            u.key: u
            for u in User.objects.annotate(key=Lower("service_number")).filter(
                key__in={v.lower() for v in wanted["service_number"]}
            )
        },
        "email": {
            u.key: u
            for u in User.objects.annotate(key=Lower("email")).filter(
                key__in={v.lower() for v in wanted["email"]}
            )
        },
    }
    errors, found, new_officers = [], [], []
    for line, row in rows:
        user = None
        for key in ROSTER_COLUMNS:
            value = row.get(key, "")
            if value:
                user = index[key].get(value if key == "username" else value.lower())
                if user is None and key == "service_number" and row.get("first_name"):
                    new_officers.append((line, row))
                elif user is None:
                    errors.append(
                        ErrorItem(line=line, field=key, message=_("no user %s") % repr(value))
                    )
                break
        else:
            errors.append(ErrorItem(line=line, message=_("no username, service number or email")))
        if user is not None and not user.is_active:
            errors.append(ErrorItem(line=line, message=_("%s is deactivated") % user.username))
        elif user is not None:
            found.append(user)
    taken = set(
        User.objects.filter(
            username__in=[row["service_number"].lower() for _n, row in new_officers]
        ).values_list("username", flat=True)
    )
    for line, row in new_officers:
        if row["service_number"].lower() in taken:
            errors.append(
                ErrorItem(line=line, field="service_number", message=_("username already taken"))
            )
    if errors:
        raise ServiceError(_("Nobody was enrolled: fix these lines and try again."), errors)
    for _line, row in new_officers:
        found.append(
            user_upsert(
                username=row["service_number"].lower(),
                roles=[Role.OFFICER],
                service_number=row["service_number"],
                email=row.get("email", ""),
                **{k: row[k] for k in ROSTER_PERSON_COLUMNS if row.get(k)},
            )
        )
    # Three statements whatever the roster's size: new enrolments in bulk, withdrawn ones
    # back (with their progress) in one update.
    result = BulkEnrolmentResult()
    users = list(dict.fromkeys(found))
    current = {
        e.user_id: e
        for e in Enrolment.objects.select_for_update().filter(course=course, user__in=users)
    }
    new, returning = [], []
    for user in users:
        enrolment = current.get(user.pk)
        if enrolment is None:
            new.append(Enrolment(user=user, course=course, role=role, source=Enrolment.Source.BULK))
        elif enrolment.status == Enrolment.Status.WITHDRAWN:
            returning.append(enrolment.pk)
        else:
            result.already.append(user.username)
            continue
        result.enrolled.append(user.username)
    Enrolment.objects.bulk_create(new)
    Enrolment.objects.filter(pk__in=returning).update(
        role=role,
        status=Case(
            When(completed_at__isnull=False, then=Value(Enrolment.Status.COMPLETED)),
            default=Value(Enrolment.Status.ACTIVE),
        ),
    )
    return result


# --- Progress and completion -------------------------------------------------------------
@transaction.atomic
def lesson_view(
    *,
    user: User,
    lesson: LessonPage,
    course: CoursePage,
    seconds: int = 0,
    enrolment: Enrolment | None = None,
) -> LessonProgress:
    """Record that a learner opened a lesson; a lesson completed by viewing completes now.
    With the learner's `enrolment` (as the caller read it), where they left off is written
    only when it changes."""
    now = timezone.now()
    # Looked up before anything is written, so that opening a lesson again (the usual
    # case) needs no savepoint.
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    created = progress is None
    if created:
        try:
            with transaction.atomic():
                progress = LessonProgress.objects.create(user=user, lesson=lesson, course=course)
        except IntegrityError:  # two tabs opened the lesson at the same moment
            progress, created = LessonProgress.objects.get(user=user, lesson=lesson), False
    if not created:
        LessonProgress.objects.filter(pk=progress.pk).update(
            last_viewed_at=now,
            views=F("views") + 1,
            time_spent_seconds=F("time_spent_seconds") + seconds,
        )
    if enrolment is None or enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(user=user, course=course).update(last_lesson=lesson)
    if lesson.completion_rule == LessonPage.CompletionRule.VIEWED and not progress.completed_at:
        lesson_complete(user=user, lesson=lesson, course=course)
    return progress


@transaction.atomic
def lesson_complete(*, user: User, lesson: LessonPage, course: CoursePage) -> None:
    """Mark the lesson completed for the learner and re-check the course's completion."""
    now = timezone.now()
    updated = LessonProgress.objects.filter(
        user=user, lesson=lesson, completed_at__isnull=True
    ).update(completed_at=now)
    if not updated and not LessonProgress.objects.filter(user=user, lesson=lesson).exists():
        LessonProgress.objects.create(user=user, lesson=lesson, course=course, completed_at=now)
    course_completion_evaluate(user=user, course=course)


@transaction.atomic
def course_completion_evaluate(*, user: User, course: CoursePage) -> bool:
    """Complete the learner's enrolment when the course's rule is met.

    Sends `courses.signals.course_completed` once, after the commit, when it completes.
    """
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(user=user, course=course, role=Enrolment.Role.LEARNER)
        .first()
    )
    if enrolment is None or enrolment.completed_at is not None:
        return bool(enrolment and enrolment.completed_at)
    if not selectors.course_rule_met(user=user, course=course):
        return False
    enrolment.completed_at = timezone.now()
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.save(update_fields=["completed_at", "status"])
    transaction.on_commit(
        lambda: course_completed.send(
            sender=Enrolment, enrolment=enrolment, user=user, course=course
        )
    )
    return True
