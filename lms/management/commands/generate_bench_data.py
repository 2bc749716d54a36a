"""Generate a large site for benchmarks, with bulk inserts (minutes, not hours).

    python manage.py generate_bench_data --scale small|large [--reset]

large:
- 100,000 officers; 1,000 courses `BEN-C-nnnn` of 4 modules x 5 lessons (20,000 lessons);
  200,000 enrolments with lesson progress;
- a question bank and a 10-question quiz per course, with a finished attempt for about half
  of its learners: about 1,000,000 quiz responses;
- the showcase course `BEN-SHOWCASE`: 10 modules, 65 lessons (three of them place a
  10-question quiz, three a live session), a trainer (`bench-trainer`) and 300 learners
  (`bench-000000`…`bench-000299`) who have taken its quizzes;
- 500 scheduled trainings of five partner organisations (`BEN-ORG-n`, coordinator
  `bench-partner`) with themes, audience, sessions and nominations;
- 5,000 issued course certificates (codes only: verification needs no PDF).

small is a twentieth of that, except the showcase course, which is the same at every scale.
`tiny` is for the tests. Every account's password is PASSWORD below.

Everything it makes is marked (user names `bench-…`, course codes `BEN-…`, organisations
`BEN-…`), so it is idempotent: each part is made once and a second run adds nothing; a part
added to this command later is added to an existing data set. `--reset` removes it all.

Wagtail pages are written straight into the page tree (paths computed here, as treebeard
would) because creating 25,000 pages one by one through the ORM takes far too long. Quiz
attempts are real: one per quiz is started by `attempt_start` (so its layout is exactly what
the service freezes), graded by `attempt_grade`, and the others are bulk copies of it with
responses and marks graded the same way.
"""

import json
import random
import time
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import Page

from assessments import services as quiz_services
from assessments.models import (
    ManualGrade,
    Question,
    QuestionCategory,
    QuestionVersion,
    Quiz,
    QuizAttempt,
    QuizSlot,
)
from courses.models import (
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    ModulePage,
    ThematicArea,
)
from courses.services import site_structure_ensure
from lms.models import Organisation, User
from lms.roles import Role
from scheduling.models import Nomination, Training, TrainingAudience, TrainingSession
from trainers.models import Certificate

SCALES = {
    "tiny": {
        "users": 400, "courses": 4, "enrolments": 800, "trainings": 5, "certificates": 20,
        "showcase_learners": 30,
    },
    "small": {
        "users": 5_000, "courses": 50, "enrolments": 10_000, "trainings": 25,
        "certificates": 250, "showcase_learners": 300,
    },
    "large": {
        "users": 100_000, "courses": 1_000, "enrolments": 200_000, "trainings": 500,
        "certificates": 5_000, "showcase_learners": 300,
    },
}  # fmt: skip
MODULES, LESSONS = 4, 5
COURSE_PREFIX = "BEN-C-"
SHOWCASE = "BEN-SHOWCASE"
#: Lessons per module of the showcase course: 65 in all.
SHOWCASE_MODULES = [7, 7, 7, 7, 7, 6, 6, 6, 6, 6]
#: (module, lesson) of the showcase lessons that place a quiz, by quiz number.
SHOWCASE_QUIZ_LESSONS = {(3, 7): 1, (6, 6): 2, (10, 6): 0}
SHOWCASE_LIVE_LESSONS = {(2, 1), (5, 1), (8, 1)}
SHOWCASE_QUIZZES = ["Final assessment", "Mid-course check", "Day 6 check"]
QUIZ_TITLE = "Knowledge check"
ATTEMPT_COLUMNS = [
    "quiz_id", "user_id", "number", "state", "started_at", "finished_at", "layout",
    "responses", "responses_saved_at", "marks", "feedback", "sum_marks", "max_marks",
    "grade_percent", "needs_grading",
]  # fmt: skip
TRAINER, PARTNER = "bench-trainer", "bench-partner"
ORGANISATIONS = 5
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet
PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark accounts on a throwaway database
REGIONS = ["Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan", "Islamabad"]
VENUES = [
    "FIA Academy, Islamabad",
    "Lahore zonal office",
    "Karachi zonal office",
    "Peshawar zonal office",
    "Quetta zonal office",
]
BODY = [
    {
        "type": "paragraph",
        "value": "<p>Indicators of trafficking include a third party holding the "
        "passenger's documents, scripted answers and a mismatch between the declared "
        "purpose of travel and the ticket.</p>",
        "id": "0",
    }
]
#: Ten auto-graded questions (GIFT): four multiple choice, three true/false, two short
#: answers and a number.
BANK = """$CATEGORY: top/{category}

::MC1:: Which agency investigates human trafficking cases at Pakistan's airports? \
{{=FIA ~Police ~Customs ~Airport security}}

::MC2:: Which document is the strongest proof of a traveller's identity? \
{{=A passport ~A boarding pass ~A hotel booking ~A ticket receipt}}

::MC3:: Which is an indicator of trafficking at immigration? \
{{=Someone else holds the passenger's documents ~A return ticket ~A tourist visa ~Luggage}}

::MC4:: Which law criminalises trafficking in persons in Pakistan? \
{{=The Prevention of Trafficking in Persons Act 2018 ~The Passport Act ~The Customs Act \
~The Emigration Ordinance}}

::TF1:: The Palermo Protocol defines trafficking in persons. {{T}}

::TF2:: A victim's consent makes exploitation legal. {{F}}

::TF3:: Smuggling of migrants always involves crossing a border. {{T}}

::SA1:: Name the agency that leads on trafficking cases. {{=FIA =Federal Investigation Agency}}

::SA2:: What is the three-part test of trafficking called (act, means and ...)? {{=purpose}}

::NU1:: How many elements has the definition of trafficking? {{#3:0}}
"""


def step(number: int) -> str:
    out = ""
    for _ in range(Page.steplen):
        number, digit = divmod(number, len(ALPHABET))
        out = ALPHABET[digit] + out
    return out


def unstep(value: str) -> int:
    number = 0
    for char in value:
        number = number * len(ALPHABET) + ALPHABET.index(char)
    return number


def attempted(user_id: int, course_id: int) -> bool:
    """Whether the generated data gives this learner a finished attempt at the course's quiz.
    The others (about half) are left for the benchmarks to start and submit attempts."""
    return (user_id + course_id) % 2 == 0


def _response(question: dict, position_order: list | None, right: bool) -> dict:
    """A right or a wrong response to one of BANK's questions, in the attempt's layout."""
    data = question["data"]
    qtype = question["qtype"]
    if qtype == "multichoice":
        order = position_order or list(range(len(data["answers"])))
        positions = range(len(order))
        if right:
            choice = max(positions, key=lambda p: data["answers"][order[p]]["fraction"])
        else:
            choice = min(positions, key=lambda p: data["answers"][order[p]]["fraction"])
        return {"choice": choice}
    if qtype == "truefalse":
        return {"answer": data["correct"] if right else not data["correct"]}
    if qtype == "shortanswer":
        return {"answer": data["answers"][0]["text"] if right else "Customs"}
    if qtype == "numerical":
        value = data["answers"][0]["value"]
        return {"answer": str(value if right else value + 4)}
    return {"text": "An answer."}


def copy_objects(model, objects: list) -> None:
    """Insert model instances into the model's own table (every local field, defaults where
    an instance leaves one unset): with COPY on PostgreSQL, several times faster than
    INSERT, and with INSERT elsewhere. Works for page types too, whose rows of
    wagtailcore_page are already there (bulk_create refuses multi-table inheritance)."""
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key or f.remote_field]
    if connection.vendor != "postgresql":
        batch = max(1, connection.ops.bulk_batch_size(fields, objects))
        for start in range(0, len(objects), batch):
            model._base_manager._insert(objects[start : start + batch], fields=fields)
        return
    prepared = (
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    )
    _copy(model, fields, prepared)


def copy_rows(model, names: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows, values of the fields `names` (attnames) in that order; the other
    fields take their defaults. COPY on PostgreSQL, bulk_create elsewhere. The JSON of a
    dict or list shared by many rows is written once."""
    fields = [model._meta.get_field(name) for name in names]
    rest = [
        f for f in model._meta.local_concrete_fields if not f.primary_key and f.attname not in names
    ]
    defaults = tuple(f.get_default() for f in rest)
    if connection.vendor != "postgresql":
        attnames = [f.attname for f in fields]
        objects = []
        for row in rows:
            objects.append(model(**dict(zip(attnames, row, strict=True))))
            if len(objects) >= 5_000:
                model.objects.bulk_create(objects)
                objects = []
        model.objects.bulk_create(objects)
        return
    fields += rest
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    dumped: dict[int, tuple[object, str]] = {}

    def prepare(row: tuple) -> tuple:
        row = (*row, *defaults)
        if not json_columns:
            return row
        row = list(row)
        for i in json_columns:
            value = row[i]
            if value is None:
                continue
            cached = dumped.get(id(value))
            if cached is None:  # keep the value: its id stays its own
                cached = dumped[id(value)] = (value, json.dumps(value))
            row[i] = cached[1]
        return tuple(row)

    _copy(model, fields, (prepare(row) for row in rows))


def _copy(model, fields, rows: Iterable[tuple]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


class Command(BaseCommand):
    help = "Generate users, courses, quizzes, trainings and certificates for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--reset", action="store_true", help="remove benchmark data first")

    @contextmanager
    def part(self, name: str):
        started = time.monotonic()
        yield
        self.stdout.write(f"  {name}: {time.monotonic() - started:.1f} s")

    def handle(self, *args, scale: str, reset: bool, **options):
        started = time.monotonic()
        if reset:
            with self.part("reset"):
                self.reset()
        size = SCALES[scale]
        present = CoursePage.objects.filter(code__startswith=COURSE_PREFIX).count()
        if present and present != size["courses"]:
            raise CommandError(
                f"This database holds benchmark data of another scale ({present:,} courses, "
                f"not {size['courses']:,}): run again with --reset."
            )
        catalogue = site_structure_ensure()
        self.password = make_password(PASSWORD)
        rng = random.Random(2026)  # noqa: S311 - reproducible data, not security
        made = []
        if not present:
            with self.part("users, courses, lessons, enrolments"), transaction.atomic():
                users = self.users(size["users"])
                specs = [
                    (f"{COURSE_PREFIX}{c:04d}", f"Benchmark course {c}", [LESSONS] * MODULES)
                    for c in range(size["courses"])
                ]
                courses, lessons_by_course = self.pages(catalogue, specs, rng)
                self.enrolments(users, courses, lessons_by_course, size["enrolments"], rng)
            made.append("courses")
        if not CoursePage.objects.filter(code=SHOWCASE).exists():
            with self.part("showcase course"), transaction.atomic():
                self.showcase(catalogue, size["showcase_learners"], rng)
            made.append("showcase")
        if not Quiz.objects.filter(
            course__code__startswith=COURSE_PREFIX, title=QUIZ_TITLE
        ).exists():
            with self.part("question banks, quizzes, attempts"), transaction.atomic():
                self.course_quizzes(rng)
            made.append("quizzes")
        if not Training.objects.filter(organiser__short_name__startswith="BEN-").exists():
            with self.part("trainings"), transaction.atomic():
                self.trainings(size["trainings"], rng)
            made.append("trainings")
        if not Certificate.objects.filter(course__code__startswith="BEN-").exists():
            with self.part("certificates"), transaction.atomic():
                self.certificates(size["certificates"], rng)
            made.append("certificates")
        if not made:
            self.stdout.write("Benchmark data is already there (use --reset to rebuild).")
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk inserts
        from courses.cache import content_changed

        content_changed()  # a running server's cached course tree is stale now
        quizzes = Quiz.objects.filter(course__code__startswith="BEN-")
        slots = dict(quizzes.annotate(n=Count("slots")).values_list("pk", "n"))
        responses = sum(
            slots[quiz_id] * n
            for quiz_id, n in QuizAttempt.objects.filter(
                quiz__in=quizzes, state=QuizAttempt.State.FINISHED
            )
            .values("quiz")
            .annotate(n=Count("pk"))
            .values_list("quiz", "n")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{scale}: {User.objects.filter(username__startswith='bench-').count():,} users, "
                f"{CoursePage.objects.filter(code__startswith='BEN-').count():,} courses, "
                f"{LessonPage.objects.filter(url_path__contains='/ben-').count():,} lessons, "
                f"{Enrolment.objects.filter(course__code__startswith='BEN-').count():,} "
                f"enrolments, {responses:,} quiz responses, "
                f"{Training.objects.filter(organiser__short_name__startswith='BEN-').count():,} "
                "trainings, "
                f"{Certificate.objects.filter(course__code__startswith='BEN-').count():,} "
                f"certificates in {time.monotonic() - started:.0f} s"
            )
        )

    # --- Reset ---------------------------------------------------------------------------
    def reset(self) -> None:
        with transaction.atomic():
            courses = CoursePage.objects.filter(code__startswith="BEN-")
            users = User.objects.filter(username__startswith="bench-")
            Certificate.objects.filter(Q(course__in=courses) | Q(user__in=users)).delete()
            Training.objects.filter(
                Q(organiser__short_name__startswith="BEN-") | Q(course__in=courses)
            ).delete()
            # The big tables go first, without the ORM's collector (which would load rows).
            ManualGrade.objects.filter(attempt__quiz__course__in=courses).delete()
            for queryset in (
                QuizAttempt.objects.filter(quiz__course__in=courses),
                LessonProgress.objects.filter(course__in=courses),
                Enrolment.objects.filter(course__in=courses),
            ):
                queryset._raw_delete(queryset.db)
            # Slots protect their questions, and questions their categories: in that order.
            QuizSlot.objects.filter(quiz__course__in=courses).delete()
            Quiz.objects.filter(course__in=courses).delete()
            Question.objects.filter(course__in=courses).delete()
            QuestionCategory.objects.filter(course__in=courses, parent__isnull=False).delete()
            QuestionCategory.objects.filter(course__in=courses).delete()
            catalogue = site_structure_ensure()
            roots = set(courses.values_list("path", flat=True))
            prefix = len(catalogue.path) + Page.steplen
            pages = [
                pk
                for pk, path in Page.objects.filter(path__startswith=catalogue.path).values_list(
                    "pk", "path"
                )
                if path[:prefix] in roots
            ]
            for start in range(0, len(pages), 5_000):
                Page.objects.filter(pk__in=pages[start : start + 5_000]).delete()
            users.delete()
            Organisation.objects.filter(short_name__startswith="BEN-").delete()
            Session.objects.filter(session_key__startswith="bench").delete()
            catalogue.numchild = Page.objects.child_of(catalogue).count()
            catalogue.save(update_fields=["numchild"])

    # --- Users, pages, enrolments --------------------------------------------------------
    def users(self, count: int) -> list[int]:
        batch = [
            User(
                username=f"bench-{n:06d}",
                first_name="Officer",
                last_name=f"{n:06d}",
                service_number=f"BEN-{n:06d}",
                unit=REGIONS[n % len(REGIONS)],
                password=self.password,
            )
            for n in range(count)
        ]
        copy_objects(User, batch)
        ids = list(
            User.objects.filter(username__startswith="bench-0")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.add_role(ids, Role.OFFICER)
        return ids

    def add_role(self, user_ids: list[int], role: Role) -> None:
        group = Group.objects.get(name=role.value)
        copy_rows(User.groups.through, ["user_id", "group_id"], ((pk, group.pk) for pk in user_ids))

    def special_user(self, username: str, role: Role, **fields) -> User:
        user = User.objects.create(
            username=username, first_name="Bench", password=self.password, **fields
        )
        self.add_role([user.pk], role)
        return user

    def pages(self, catalogue, specs, rng, bodies=None) -> tuple[list[int], dict[int, list[int]]]:
        """Write courses with their modules and lessons. `specs` is a list of (code, title,
        lessons per module); `bodies` maps (course code, module, lesson), counted from 1,
        to a lesson body (StreamField raw data) and completion rule."""
        bodies = bodies or {}
        types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (CoursePage, ModulePage, LessonPage)
        }
        now = timezone.now()
        themes = list(ThematicArea.objects.values_list("pk", flat=True))
        depth = catalogue.depth + 1
        last = (
            Page.objects.filter(path__startswith=catalogue.path, depth=depth)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        first = unstep(last[-Page.steplen :]) + 1 if last else 1
        rows, course_rows, module_rows, lesson_rows = [], [], [], []

        def page(path: str, numchild: int, title: str, slug: str, url: str, ct):
            rows.append(
                Page(
                    path=path,
                    depth=len(path) // Page.steplen,
                    numchild=numchild,
                    title=title,
                    draft_title=title,
                    slug=slug,
                    url_path=url,
                    content_type_id=ct,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    locale_id=catalogue.locale_id,
                    translation_key=uuid.uuid4(),
                )
            )

        for c, (code, title, modules) in enumerate(specs):
            course_path = catalogue.path + step(first + c)
            course_url = f"{catalogue.url_path}{code.lower()}/"
            page(course_path, len(modules), title, code.lower(), course_url, types[CoursePage])
            course_rows.append((course_path, code, title))
            for m, lessons in enumerate(modules, 1):
                module_path = course_path + step(m)
                module_url = f"{course_url}day-{m}/"
                page(module_path, lessons, f"Day {m}", f"day-{m}", module_url, types[ModulePage])
                module_rows.append(module_path)
                for n in range(1, lessons + 1):
                    body, rule = bodies.get((code, m, n), (BODY, "viewed"))
                    page(module_path + step(n), 0, f"Session {m}.{n}", f"session-{n}",
                         f"{module_url}session-{n}/", types[LessonPage])  # fmt: skip
                    lesson_rows.append((module_path + step(n), body, rule))
        copy_objects(Page, rows)
        catalogue.numchild = Page.objects.child_of(catalogue).count()
        catalogue.save(update_fields=["numchild"])
        paths = [path for path, *_ in course_rows]
        ids = dict(
            Page.objects.filter(path__startswith=catalogue.path, depth__gte=depth)
            .filter(Q(path__in=paths) | Q(depth__gt=depth))
            .values_list("path", "pk")
        )
        copy_objects(
            CoursePage,
            [
                CoursePage(
                    page_ptr_id=ids[path],
                    code=code,
                    summary=f"Generated course {code} for benchmarks.",
                    duration_hours=15,
                    duration_days=2,
                    issues_certificate=True,
                )
                for path, code, _title in course_rows
            ],
        )
        copy_objects(ModulePage, [ModulePage(page_ptr_id=ids[path]) for path in module_rows])
        copy_objects(
            LessonPage,
            [
                LessonPage(page_ptr_id=ids[path], body=json.dumps(body), completion_rule=rule)
                for path, body, rule in lesson_rows
            ],
        )
        course_ids = [ids[path] for path in paths]
        through = CoursePage.themes.through
        through.objects.bulk_create(
            [through(coursepage_id=pk, thematicarea_id=rng.choice(themes)) for pk in course_ids]
        )
        lessons_by_course = {pk: [] for pk in course_ids}
        course_by_path = {path: ids[path] for path in paths}
        for path, _body, _rule in lesson_rows:
            lessons_by_course[course_by_path[path[: depth * Page.steplen]]].append(ids[path])
        return course_ids, lessons_by_course

    def enrolments(self, users, courses, lessons_by_course, count: int, rng) -> None:
        pairs = set()
        while len(pairs) < count:
            pairs.add((rng.choice(users), rng.choice(courses)))
        self.enrol(sorted(pairs), lessons_by_course, rng)

    def enrol(self, pairs, lessons_by_course, rng) -> None:
        now = timezone.now()
        copy_rows(
            Enrolment,
            ["user_id", "course_id", "role", "status", "source", "enrolled_at"],
            ((u, c, "learner", "active", "bulk", now) for u, c in pairs),
        )

        def progress():
            for user_id, course_id in pairs:
                lessons = lessons_by_course[course_id]
                for lesson_id in lessons[: rng.randrange(len(lessons) + 1)]:
                    yield (user_id, lesson_id, course_id, now, now, now, 1)

        copy_rows(
            LessonProgress,
            [
                "user_id", "lesson_id", "course_id", "first_viewed_at", "last_viewed_at",
                "completed_at", "views",
            ],
            progress(),
        )  # fmt: skip

    # --- The showcase course -------------------------------------------------------------
    def showcase(self, catalogue, learners: int, rng) -> None:
        """BEN-SHOWCASE: 65 lessons in 10 modules; three lessons place a quiz (bodies
        written once the quizzes exist), three a live session; a trainer and the learners."""
        bodies = {}
        for m, lessons in enumerate(SHOWCASE_MODULES, 1):
            for n in range(1, lessons + 1):
                if (m, n) in SHOWCASE_LIVE_LESSONS:
                    live = {"title": f"Day {m} live review", "required": False, "when": ""}
                    bodies[(SHOWCASE, m, n)] = (
                        [*BODY, {"type": "live_session", "value": live, "id": "1"}],
                        "viewed",
                    )
        specs = [(SHOWCASE, "Benchmark showcase: countering trafficking", SHOWCASE_MODULES)]
        (course_id,), lessons_by_course = self.pages(catalogue, specs, rng, bodies)
        course = CoursePage.objects.get(pk=course_id)
        trainer = self.special_user(TRAINER, Role.TRAINER, last_name="Trainer")
        Enrolment.objects.create(user=trainer, course=course, role="trainer", source="bulk")
        learner_ids = list(
            User.objects.filter(username__startswith="bench-0")
            .order_by("username")
            .values_list("pk", flat=True)[:learners]
        )
        self.enrol([(pk, course_id) for pk in learner_ids], lessons_by_course, rng)
        lessons = {}
        for lesson in LessonPage.objects.descendant_of(course).only("pk", "url_path"):
            module, session = lesson.url_path.rstrip("/").split("/")[-2:]
            lessons[(int(module.split("-")[1]), int(session.split("-")[1]))] = lesson
        for number, title in enumerate(SHOWCASE_QUIZZES):
            quiz = self.quiz(
                course=course,
                title=f"{title} (10 questions)",
                category=f"Showcase/{title}",
                questions_per_page=0 if number == 0 else 5,
            )
            self.attempts(quiz, [(pk, course_id) for pk in learner_ids], rng)
            where = next(key for key, value in SHOWCASE_QUIZ_LESSONS.items() if value == number)
            block = {"title": quiz.title, "required": True, "quiz": quiz.pk}
            LessonPage.objects.filter(pk=lessons[where].pk).update(
                body=[*BODY, {"type": "quiz", "value": block, "id": "1"}],
                completion_rule=LessonPage.CompletionRule.ACTIVITIES,
            )

    # --- Question banks, quizzes, attempts -----------------------------------------------
    def quiz(self, *, course, title: str, category: str, questions_per_page: int = 0) -> Quiz:
        result = quiz_services.question_import(
            course=course, data=BANK.format(category=category).encode(), fmt="gift",
            filename="bench.gift",
        )  # fmt: skip
        quiz = Quiz.objects.create(
            course=course, title=title, questions_per_page=questions_per_page, pass_percent=50
        )
        QuizSlot.objects.bulk_create(
            [
                QuizSlot(quiz=quiz, question_id=pk, sort_order=order)
                for order, pk in enumerate(result.question_ids)
            ]
        )
        return quiz

    def course_quizzes(self, rng) -> None:
        courses = list(CoursePage.objects.filter(code__startswith=COURSE_PREFIX).order_by("code"))
        learners: dict[int, list[tuple[int, int]]] = {course.pk: [] for course in courses}
        for user_id, course_id in (
            Enrolment.objects.filter(course__in=courses, role=Enrolment.Role.LEARNER)
            .order_by("pk")
            .values_list("user_id", "course_id")
            .iterator(chunk_size=20_000)
        ):
            if attempted(user_id, course_id):
                learners[course_id].append((user_id, course_id))
        for course in courses:
            quiz = self.quiz(course=course, title=QUIZ_TITLE, category="Bench")
            self.attempts(quiz, learners[course.pk], rng)

    def attempts(self, quiz: Quiz, learners: list[tuple[int, int]], rng) -> None:
        """A finished attempt at `quiz` for each learner: the first started by the service
        (its layout is the one every copy gets), graded variants of it for the others."""
        if not learners:
            return
        first = User.objects.get(pk=learners[0][0])
        template = quiz_services.attempt_start(quiz=quiz, user=first)
        versions = dict(
            QuestionVersion.objects.filter(
                pk__in=[s["version"] for s in template.layout["slots"]]
            ).values_list("pk", "data")
        )
        slots = template.layout["slots"]
        variants = []
        for _ in range(16):
            ability = rng.uniform(0.3, 0.95)
            right = {s["slot"] for s in slots if rng.random() < ability}
            attempt = QuizAttempt(layout=template.layout, max_marks=template.max_marks)
            attempt.responses = {
                str(s["slot"]): _response(
                    versions[s["version"]], s["layout"].get("order"), s["slot"] in right
                )
                for s in slots
            }
            quiz_services.attempt_grade(attempt=attempt, versions=versions, manual={})
            variants.append(attempt)
        now = timezone.now()
        rows = []
        for n, (user_id, _course_id) in enumerate(learners):
            variant = rng.choice(variants)
            started = now - timedelta(days=rng.uniform(1, 120))
            finished = started + timedelta(minutes=rng.uniform(5, 25))
            if n == 0:
                QuizAttempt.objects.filter(pk=template.pk).update(
                    state=QuizAttempt.State.FINISHED,
                    started_at=started,
                    finished_at=finished,
                    responses=variant.responses,
                    responses_saved_at=finished,
                    marks=variant.marks,
                    feedback=variant.feedback,
                    sum_marks=variant.sum_marks,
                    grade_percent=variant.grade_percent,
                )
                continue
            rows.append(
                (quiz.pk, user_id, 1, QuizAttempt.State.FINISHED.value, started, finished,
                 template.layout, variant.responses, finished, variant.marks, variant.feedback,
                 variant.sum_marks, template.max_marks, variant.grade_percent,
                 variant.needs_grading)
            )  # fmt: skip
        copy_rows(QuizAttempt, ATTEMPT_COLUMNS, rows)

    # --- Scheduled trainings -------------------------------------------------------------
    def trainings(self, count: int, rng) -> None:
        organisations = [
            Organisation.objects.create(
                name=f"Benchmark partner {n}",
                short_name=f"BEN-ORG-{n}",
                kind=Organisation.Kind.PARTNER,
            )
            for n in range(1, ORGANISATIONS + 1)
        ]
        partner = self.special_user(
            PARTNER, Role.PARTNER, last_name="Coordinator", organisation=organisations[0]
        )
        course_themes = dict(
            CoursePage.themes.through.objects.filter(
                coursepage__code__startswith=COURSE_PREFIX
            ).values_list("coursepage_id", "thematicarea_id")
        )
        courses = sorted(course_themes)
        officers = list(
            User.objects.filter(username__startswith="bench-0").values_list("pk", flat=True)
        )
        # Trainings start at 09:00 in Pakistan (04:00 UTC), spread over the coming year.
        today = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)
        trainings = []
        for n in range(count):
            days = rng.randrange(2, 6)
            starts = today + timedelta(days=1 + n * 365 // count + rng.randrange(3))
            modality = rng.choice(list(Training.Modality.values))
            trainings.append(
                Training(
                    title=f"Benchmark training {n}",
                    course_id=rng.choice(courses),
                    organiser=rng.choice(organisations),
                    modality=modality,
                    starts_at=starts,
                    ends_at=starts + timedelta(days=days - 1, hours=8),
                    venue="" if modality == "remote" else rng.choice(VENUES),
                    capacity=rng.choice([20, 25, 30, 40]),
                    status=Training.Status.CONFIRMED
                    if rng.random() < 0.7
                    else Training.Status.PROPOSED,
                    proposed_by=partner,
                    sequence=0,
                )
            )
        trainings = Training.objects.bulk_create(trainings, batch_size=1_000)
        Training.themes.through.objects.bulk_create(
            [
                Training.themes.through(
                    training_id=t.pk, thematicarea_id=course_themes[t.course_id]
                )
                for t in trainings
            ]
        )
        audience, sessions, nominations = [], [], []
        for training in trainings:
            for region in rng.sample(REGIONS, rng.randrange(1, 3)):
                audience.append(TrainingAudience(training=training, kind="region", value=region))
            day = training.starts_at
            while day < training.ends_at:
                sessions.append(
                    TrainingSession(
                        training=training, title="", starts_at=day, duration_minutes=180
                    )
                )
                day += timedelta(days=1)
            for user_id in rng.sample(officers, min(10, len(officers))):
                nominations.append(
                    Nomination(
                        training=training,
                        user_id=user_id,
                        nominated_by=partner,
                        status=rng.choice(["nominated", "confirmed", "waitlisted"]),
                    )
                )
        TrainingAudience.objects.bulk_create(audience, batch_size=5_000)
        TrainingSession.objects.bulk_create(sessions, batch_size=5_000)
        Nomination.objects.bulk_create(nominations, batch_size=5_000)

    # --- Certificates --------------------------------------------------------------------
    def certificates(self, count: int, rng) -> None:
        from trainers.services.certificates import certificate_code_new

        pairs = list(
            Enrolment.objects.filter(
                course__code__startswith=COURSE_PREFIX, role=Enrolment.Role.LEARNER
            )
            .order_by("pk")
            .values_list("user_id", "course_id", "user__last_name", "course__title")[:count]
        )
        today = timezone.localdate()
        rows = []
        for user_id, course_id, number, title in pairs:
            issued = today - timedelta(days=rng.randrange(1, 700))
            rows.append(
                Certificate(
                    code=certificate_code_new(),
                    kind="course",
                    user_id=user_id,
                    course_id=course_id,
                    language="en",
                    holder_name=f"Officer {number}",
                    title=title,
                    period_start=issued - timedelta(days=3),
                    period_end=issued - timedelta(days=2),
                    hours=15,
                    issued_on=issued,
                    expires_on=issued + timedelta(days=3 * 365),
                )
            )
        Certificate.objects.bulk_create(rows, batch_size=5_000)
