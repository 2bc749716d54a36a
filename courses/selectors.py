"""Reads of the courses app. Each costs a fixed number of queries, whatever the amount of
courses, lessons or enrolments, so pages built on them do too."""

import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from wagtail.models import Page

from courses import cache
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress, ModulePage
from courses.models.pages import COURSE_DEPTH, PATH_STEP, course_path_of
from courses.models.taxonomy import ThematicArea
from lms.roles import Role

CATALOGUE_PAGE_SIZE = 24
READING_STATUSES = (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)


# --- Access ------------------------------------------------------------------------------
@dataclass
class CourseAccess:
    enrolment: Enrolment | None
    can_read: bool  # lesson bodies
    can_manage: bool  # participants, reports, bulk enrolment

    @property
    def is_learner(self) -> bool:
        return bool(
            self.enrolment
            and self.enrolment.role == Enrolment.Role.LEARNER
            and self.enrolment.status in READING_STATUSES
        )


def user_is_staff(user) -> bool:
    """Academy staff read every course: administrators and reviewers."""
    return user.is_authenticated and (user.has_role(Role.ADMIN) or user.has_role(Role.REVIEWER))


def course_access(*, user, course: CoursePage) -> CourseAccess:
    if not user.is_authenticated:
        return CourseAccess(enrolment=None, can_read=False, can_manage=False)
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    return _access_of(user=user, enrolment=enrolment)


def _access_of(*, user, enrolment: Enrolment | None) -> CourseAccess:
    active = enrolment is not None and enrolment.status in READING_STATUSES
    trainer = active and enrolment.role == Enrolment.Role.TRAINER
    staff = user_is_staff(user)
    return CourseAccess(
        enrolment=enrolment,
        can_read=active or staff,
        can_manage=trainer or user.has_role(Role.ADMIN) or user.is_superuser,
    )


def course_cached(*, pk: int) -> CoursePage:
    """The course (its page as published), cached for the content version."""
    return cache.cached(f"course:{pk}", lambda: CoursePage.objects.get(pk=pk))


# --- Outline -----------------------------------------------------------------------------
@dataclass
class ModuleNode:
    page: ModulePage
    lessons: list[LessonPage] = field(default_factory=list)


def course_outline(*, course: CoursePage) -> list[ModuleNode]:
    """The live modules and lessons of a course, in order: cached for the content version
    (1 + 2 queries when it is not in the cache)."""
    return cache.cached(f"outline:{course.pk}", lambda: _course_outline(course=course))


def _course_outline(*, course: CoursePage) -> list[ModuleNode]:
    pages = (
        Page.objects.live().descendant_of(course).order_by("path").specific().defer_streamfields()
    )
    modules: list[ModuleNode] = []
    by_path: dict[str, ModuleNode] = {}
    for page in pages:
        if isinstance(page, ModulePage):
            node = ModuleNode(page=page)
            modules.append(node)
            by_path[page.path] = node
        elif isinstance(page, LessonPage):
            parent = by_path.get(page.path[:-PATH_STEP])
            if parent is not None:  # a lesson under an unpublished module is not shown
                parent.lessons.append(page)
    return modules


def outline_lessons(outline: list[ModuleNode]) -> list[LessonPage]:
    return [lesson for module in outline for lesson in module.lessons]


def completed_lesson_ids(*, user, course: CoursePage) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        LessonProgress.objects.filter(
            user=user, course=course, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )


def lesson_counts(*, courses: list[CoursePage]) -> dict[int, int]:
    """Live lessons per course: cached for the content version, the courses not cached yet
    counted in one query."""
    by_pk = {course.pk: course for course in courses}
    return cache.cached_each(
        "lesson-count",
        by_pk,
        lambda pks: _lesson_counts(courses=[by_pk[pk] for pk in pks]),
    )


def _lesson_counts(*, courses: list[CoursePage]) -> dict[int, int]:
    """Live lessons per course (0 for none), in one query that reads only those courses'
    subtrees (a prefix match on the tree path, which the path index serves)."""
    paths = {course.path: course.pk for course in courses}
    if not paths:
        return {}
    subtrees = Q()
    for path in paths:
        subtrees |= Q(path__startswith=path)
    rows = (
        LessonPage.objects.live()
        .filter(subtrees)
        .annotate(course_path=Substr("path", 1, PATH_STEP * COURSE_DEPTH))
        .order_by()  # Page's default ordering by path would split the groups
        .values("course_path")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(paths.values(), 0)
    counts.update((paths[row["course_path"]], row["n"]) for row in rows)
    return counts


def completed_counts(*, user, courses: list[CoursePage]) -> dict[int, int]:
    rows = (
        LessonProgress.objects.filter(
            user=user, course__in=courses, completed_at__isnull=False, lesson__live=True
        )
        .values("course_id")
        .annotate(n=Count("pk"))
    )
    return {row["course_id"]: row["n"] for row in rows}


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def course_rule_met(*, user, course: CoursePage) -> bool:
    """Whether the learner meets the course's completion rule now (and the requirements
    other apps register, see courses.completion)."""
    from courses.completion import completion_requirements_met

    if not completion_requirements_met(user=user, course=course):
        return False
    lessons = LessonPage.objects.live().descendant_of(course)
    if course.completion_rule == CoursePage.CompletionRule.ALL_ACTIVITIES:
        with_activities = lessons.filter(completion_rule=LessonPage.CompletionRule.ACTIVITIES)
        if with_activities.exists():
            lessons = with_activities
    elif course.completion_rule == CoursePage.CompletionRule.MIN_GRADE:
        from courses.completion import course_grade

        grade = course_grade(user=user, course=course)
        return grade is not None and grade >= float(course.completion_min_grade or 0)
    required = set(lessons.values_list("pk", flat=True))
    if not required:
        return False
    return required <= completed_lesson_ids(user=user, course=course)


# --- Pages -------------------------------------------------------------------------------
def catalogue_for(*, request, catalogue) -> dict:
    """The catalogue page: published courses matching the search and filters."""
    params = request.GET
    q = params.get("q", "").strip()[:200]
    theme = params.get("theme", "")
    language = params.get("language", "")
    level = params.get("level", "")
    courses = catalogue_courses(q=q, theme=theme, language=language, level=level).child_of(
        catalogue
    )
    page = Paginator(courses.select_related("cover_image"), CATALOGUE_PAGE_SIZE).get_page(
        params.get("page")
    )
    enrolled = set()
    if request.user.is_authenticated:
        enrolled = set(
            Enrolment.objects.filter(
                user=request.user, course__in=[c.pk for c in page], status__in=READING_STATUSES
            ).values_list("course_id", flat=True)
        )
    return {
        "courses": page,
        "q": q,
        "themes": cache.cached("themes", lambda: list(ThematicArea.objects.all())),
        "selected": {"theme": theme, "language": language, "level": level},
        "languages": CoursePage.Language.choices,
        "levels": CoursePage.Level.choices,
        "enrolled_ids": enrolled,
    }


def catalogue_courses(*, q: str = "", theme: str = "", language: str = "", level: str = ""):
    """Published courses matching a search and filters, by title (the catalogue page and
    the API share it). Unknown filter values are ignored."""
    courses = CoursePage.objects.live().public()
    if theme:
        courses = courses.filter(themes__slug=theme)
    if language in CoursePage.Language.values:
        courses = courses.filter(language=language)
    if level in CoursePage.Level.values:
        courses = courses.filter(level=level)
    q = q.strip()[:200]
    if q:
        courses = courses.filter(pk__in=course_search_ids(q=q))
    return courses.order_by("title").prefetch_related("themes")


def search_terms(q: str) -> str:
    """The words of a search, without the quotes, operators and control characters that
    the full-text backends would read as query syntax (SQLite's FTS5 fails on them)."""
    return " ".join(_NOT_WORD.sub(" ", q).split())[:200]


_NOT_WORD = re.compile(r"[^\w\s-]|_")


def course_search_ids(*, q: str) -> list[int]:
    """Courses whose own text or any lesson's text matches (Wagtail search)."""
    q = search_terms(q)
    if not q:
        return []
    ids = [page.pk for page in CoursePage.objects.live().search(q, operator="and")]
    lesson_paths = {course_path_of(p.path) for p in LessonPage.objects.live().search(q)}
    if lesson_paths:
        ids += list(CoursePage.objects.filter(path__in=lesson_paths).values_list("pk", flat=True))
    return ids


def _access_and_trainers(*, user, course: CoursePage) -> tuple[CourseAccess, list]:
    """course_access() and course_trainers() in one query: the user's own enrolment and the
    course's trainers' come from the same table."""
    signed_in = user.is_authenticated
    wanted = Q(role=Enrolment.Role.TRAINER, status__in=READING_STATUSES)
    if signed_in:
        wanted |= Q(user=user)
    rows = list(
        Enrolment.objects.filter(course=course).filter(wanted).select_related("user").order_by("pk")
    )
    if signed_in:
        own = next((e for e in rows if e.user_id == user.pk), None)
        access = _access_of(user=user, enrolment=own)
    else:
        access = CourseAccess(enrolment=None, can_read=False, can_manage=False)
    trainers = [
        e.user for e in rows if e.role == Enrolment.Role.TRAINER and e.status in READING_STATUSES
    ]
    return access, trainers


def course_page_for(*, request, course: CoursePage) -> dict:
    user = request.user
    access, trainers = _access_and_trainers(user=user, course=course)
    outline = course_outline(course=course)
    lessons = outline_lessons(outline)
    done = completed_lesson_ids(user=user, course=course) if access.is_learner else set()
    resume = None
    if access.enrolment and access.enrolment.last_lesson_id:
        resume = next((ln for ln in lessons if ln.pk == access.enrolment.last_lesson_id), None)
    first_open = next((ln for ln in lessons if ln.pk not in done), lessons[0] if lessons else None)
    return {
        "access": access,
        "outline": outline,
        "done_ids": done,
        "progress": percent(len(done & {ln.pk for ln in lessons}), len(lessons)),
        "resume_lesson": resume or first_open,
        "trainers": trainers,
        **cache.cached(
            f"course-meta:{course.pk}",
            lambda: {
                "prerequisites": list(course.prerequisites.live()),
                "course_themes": list(course.themes.all()),
                "catalogue": course.get_parent(),
            },
        ),
        "outline_key": outline_key(done),
        "content_version": cache.content_version(),
        "page_cache_seconds": settings.PAGE_CACHE_SECONDS,
        "lesson_count": len(lessons),
        "total_minutes": sum(ln.duration_minutes for ln in lessons),
    }


def outline_key(done: set[int]) -> str:
    """Tells apart the rendered outlines of learners with different progress."""
    return hashlib.blake2b(",".join(map(str, sorted(done))).encode(), digest_size=8).hexdigest()


def course_trainers(*, course: CoursePage) -> list:
    return [
        enrolment.user
        for enrolment in Enrolment.objects.filter(
            course=course, role=Enrolment.Role.TRAINER, status__in=READING_STATUSES
        ).select_related("user")
    ]


def lesson_neighbours(*, lesson: LessonPage, outline: list[ModuleNode]) -> dict:
    lessons = outline_lessons(outline)
    index = next((i for i, ln in enumerate(lessons) if ln.pk == lesson.pk), None)
    if index is None:
        return {"previous": None, "next": None, "position": None, "count": len(lessons)}
    return {
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "position": index + 1,
        "count": len(lessons),
    }


@dataclass
class CourseCard:
    course: CoursePage
    enrolment: Enrolment
    done: int
    total: int

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)


def my_courses(*, user, roles=(Enrolment.Role.LEARNER,)) -> list[CourseCard]:
    """The user's enrolments with progress, in three queries."""
    enrolments = list(
        Enrolment.objects.filter(user=user, role__in=roles, status__in=READING_STATUSES)
        .select_related("course")
        .order_by("status", "-enrolled_at")
    )
    courses = [e.course for e in enrolments]
    totals = lesson_counts(courses=courses)
    done = completed_counts(user=user, courses=courses) if courses else {}
    return [
        CourseCard(
            course=e.course,
            enrolment=e,
            done=done.get(e.course_id, 0),
            total=totals.get(e.course_id, 0),
        )
        for e in enrolments
    ]


@dataclass
class ParticipantRow:
    enrolment: Enrolment
    done: int
    total: int
    last_activity: object

    @property
    def percent(self) -> int:
        return percent(self.done, self.total)


def course_participants(*, course: CoursePage) -> list[ParticipantRow]:
    """Everyone in the course with their progress, in three queries."""
    total = lesson_counts(courses=[course]).get(course.pk, 0)
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .select_related("user", "user__organisation")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )
    stats = {
        row["user_id"]: row
        for row in LessonProgress.objects.filter(course=course, lesson__live=True)
        .values("user_id")
        .annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)),
            last=Max("last_viewed_at"),
        )
    }
    return [
        ParticipantRow(
            enrolment=e,
            done=stats.get(e.user_id, {}).get("done", 0),
            total=total,
            last_activity=stats.get(e.user_id, {}).get("last"),
        )
        for e in enrolments
    ]


def teaching_course_ids(*, user) -> set[int]:
    return set(
        Enrolment.objects.filter(
            user=user,
            role__in=[Enrolment.Role.TRAINER, Enrolment.Role.ASSISTANT],
            status__in=READING_STATUSES,
        ).values_list("course_id", flat=True)
    )


def module_lessons(*, module: ModulePage) -> list[LessonPage]:
    return list(LessonPage.objects.live().child_of(module).defer_streamfields())
