"""REST API of courses: catalogue, outline, enrolment, my courses, bulk enrolment."""

from datetime import datetime

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from courses import selectors, services
from courses.models import CoursePage, Enrolment
from lms.api import BearerToken
from lms.exceptions import NotAllowed, ServiceError, TooLarge

router = Router(tags=["courses"])


class Pagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200); the answer says the total."""

    class Input(Schema):
        page: int = 1
        page_size: int = 50

    def paginate_queryset(self, queryset, pagination: Input, **params):
        pagination.page_size = max(1, min(pagination.page_size, 200))
        pagination.page = max(1, pagination.page)
        self.page_size = pagination.page_size
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": self._items_count(queryset),
        }


class ThemeOut(Schema):
    slug: str
    name: str


class CourseOut(Schema):
    code: str
    title: str
    summary: str
    level: str
    language: str
    duration_hours: float
    duration_days: int
    themes: list[ThemeOut]
    enrolment_method: str
    url: str

    # The catalogue passes pages, the detail view a dict it has already filled in.
    @staticmethod
    def resolve_themes(obj):
        if isinstance(obj, dict):
            return obj["themes"]
        return [{"slug": t.slug, "name": t.name} for t in obj.themes.all()]

    @staticmethod
    def resolve_url(obj):
        return obj["url"] if isinstance(obj, dict) else obj.url


class LessonOut(Schema):
    id: int
    title: str
    duration_minutes: int
    method: str
    completion_rule: str
    activities: list[str]
    url: str
    completed: bool | None = None


class ModuleOut(Schema):
    id: int
    title: str
    summary: str
    lessons: list[LessonOut]


class CourseDetailOut(CourseOut):
    learning_objectives: list[str]
    target_audience: str
    trainers: list[str]
    modules: list[ModuleOut]
    enrolment: str | None = None
    progress_percent: int | None = None


class CatalogueFilters(Schema):
    q: str = ""
    theme: str = ""
    language: str = ""
    level: str = ""


@router.get(
    "/courses",
    auth=None,
    response=list[CourseOut],
    summary="The catalogue of published courses",
)
@paginate(Pagination)
def course_list(request: HttpRequest, filters: Query[CatalogueFilters]):
    return selectors.catalogue_courses(**filters.dict())


def _optional_user(request: HttpRequest):
    """The user of a bearer token or a session, or an anonymous visitor."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token is not None and BearerToken().authenticate(request, token) is None:
        raise AuthenticationError
    return request.user


@router.get(
    "/courses/{code}",
    auth=None,
    response=CourseDetailOut,
    summary="One course with its outline",
)
def course_detail(request: HttpRequest, code: str):
    course = get_object_or_404(CoursePage.objects.live().public(), code=code)
    user = _optional_user(request)
    access = selectors.course_access(user=user, course=course)
    outline = selectors.course_outline(course=course)
    done = selectors.completed_lesson_ids(user=user, course=course) if access.is_learner else None
    lessons = selectors.outline_lessons(outline)
    return {
        **{name: getattr(course, name) for name in CourseOut.model_fields if name != "url"},
        "themes": [{"slug": t.slug, "name": t.name} for t in course.themes.all()],
        "url": course.url,
        "learning_objectives": course.objectives_list,
        "target_audience": course.target_audience,
        "trainers": [
            t.get_full_name() or t.username for t in selectors.course_trainers(course=course)
        ],
        "modules": [
            {
                "id": module.page.pk,
                "title": module.page.title,
                "summary": module.page.summary,
                "lessons": [
                    {
                        "id": lesson.pk,
                        "title": lesson.title,
                        "duration_minutes": lesson.duration_minutes,
                        "method": lesson.method,
                        "completion_rule": lesson.completion_rule,
                        "activities": [],
                        "url": lesson.url,
                        "completed": None if done is None else lesson.pk in done,
                    }
                    for lesson in module.lessons
                ],
            }
            for module in outline
        ],
        "enrolment": access.enrolment.status if access.enrolment else None,
        "progress_percent": None
        if done is None
        else selectors.percent(len(done & {ln.pk for ln in lessons}), len(lessons)),
    }


class EnrolIn(Schema):
    key: str = ""


class EnrolmentOut(Schema):
    course: str
    role: str
    status: str
    enrolled_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_course(enrolment):
        return enrolment.course.code


@router.post(
    "/courses/{code}/enrol",
    response={201: EnrolmentOut},
    summary="Enrol yourself (open courses, or with the course's key)",
)
def course_enrol(request: HttpRequest, code: str, body: EnrolIn | None = None):
    course = get_object_or_404(CoursePage.objects.live().public(), code=code)
    enrolment = services.enrolment_create(
        user=request.user, course=course, key=body.key if body else ""
    )
    return Status(201, enrolment)


class MyCourseOut(Schema):
    code: str
    title: str
    url: str
    role: str
    status: str
    progress_percent: int
    lessons_completed: int
    lessons: int
    enrolled_at: datetime
    completed_at: datetime | None
    grade: float | None = None


@router.get("/me/courses", response=list[MyCourseOut], summary="My enrolments with progress")
def my_courses(request: HttpRequest):
    from courses.completion import course_grade

    cards = selectors.my_courses(user=request.user, roles=tuple(Enrolment.Role.values))
    return [
        {
            "code": card.course.code,
            "title": card.course.title,
            "url": card.course.url,
            "role": card.enrolment.role,
            "status": card.enrolment.status,
            "progress_percent": card.percent,
            "lessons_completed": card.done,
            "lessons": card.total,
            "enrolled_at": card.enrolment.enrolled_at,
            "completed_at": card.enrolment.completed_at,
            "grade": course_grade(user=request.user, course=card.course)
            if card.enrolment.role == Enrolment.Role.LEARNER
            else None,
        }
        for card in cards
    ]


class BulkIn(Schema):
    usernames: list[str] = []
    role: str = Enrolment.Role.LEARNER


class BulkOut(Schema):
    enrolled: list[str]
    already_enrolled: list[str]


ROSTER_MAX_BYTES = 2 * 1024 * 1024


@router.post(
    "/courses/{code}/enrolments",
    response={201: BulkOut},
    summary="Enrol many: a JSON list of usernames, or a CSV roster as multipart `file`",
)
def course_bulk_enrol(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile] = None,
    role: Form[str] = Enrolment.Role.LEARNER,
):
    course = CoursePage.objects.filter(code=code).first()
    if course is None:
        raise Http404
    access = selectors.course_access(user=request.user, course=course)
    if not access.can_manage:
        if access.can_read:
            raise NotAllowed("Only the course's trainers and administrators may enrol others.")
        raise Http404
    if file is not None:
        if file.size > ROSTER_MAX_BYTES:
            raise TooLarge("The roster is larger than 2 MB.")
        rows = services.roster_parse(data=file.read())
    else:
        body = BulkIn.model_validate_json(request.body or b"{}")
        role = body.role
        rows = [(n, {"username": u.strip()}) for n, u in enumerate(body.usernames, 1) if u.strip()]
        if not rows:
            raise ServiceError("Give usernames, or upload a roster file.")
    if role not in Enrolment.Role.values:
        raise ServiceError(f"role must be one of {', '.join(Enrolment.Role.values)}")
    result = services.enrolment_bulk_create(course=course, rows=rows, role=role)
    return Status(201, {"enrolled": result.enrolled, "already_enrolled": result.already})
