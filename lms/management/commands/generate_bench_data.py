"""Generate a large site for benchmarks, with bulk inserts (minutes, not hours).

    python manage.py generate_bench_data --scale small|large [--reset]

large: 100,000 users, 1,000 courses of 4 modules x 5 lessons (20,000 lessons), 200,000
enrolments with progress. small: a twentieth of that. Everything it makes is marked (user
names `bench-…`, course codes `BEN-…`), so it is idempotent and `--reset` removes it.

Wagtail pages are written straight into the page tree (paths computed here, as treebeard
would) because creating 25,000 pages one by one through the ORM takes far too long.
"""

import json
import random
import time
import uuid

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page

from courses.models import (
    CatalogueIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    ModulePage,
    ThematicArea,
)
from lms.models import User
from lms.roles import Role

SCALES = {
    "small": {"users": 5_000, "courses": 50, "enrolments": 10_000},
    "large": {"users": 100_000, "courses": 1_000, "enrolments": 200_000},
}
MODULES, LESSONS = 4, 5
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet
PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark accounts on a throwaway database
BODY = json.dumps(
    [
        {
            "type": "paragraph",
            "value": "<p>Indicators of trafficking include a third party holding the "
            "passenger's documents, scripted answers and a mismatch between the declared "
            "purpose of travel and the ticket.</p>",
            "id": "0",
        }
    ]
)


def step(number: int) -> str:
    out = ""
    for _ in range(Page.steplen):
        number, digit = divmod(number, len(ALPHABET))
        out = ALPHABET[digit] + out
    return out


class Command(BaseCommand):
    help = "Generate users, courses, lessons and enrolments for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--reset", action="store_true", help="remove benchmark data first")

    def handle(self, *args, scale: str, reset: bool, **options):
        started = time.monotonic()
        if reset:
            self.reset()
        if CoursePage.objects.filter(code__startswith="BEN-").exists():
            self.stdout.write("Benchmark data is already there (use --reset to rebuild).")
            return
        size = SCALES[scale]
        rng = random.Random(2026)  # noqa: S311 - reproducible data, not security
        users = self.users(size["users"])
        courses, lessons_by_course = self.pages(size["courses"], rng)
        self.enrolments(users, courses, lessons_by_course, size["enrolments"], rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk inserts
        self.stdout.write(
            self.style.SUCCESS(
                f"{scale}: {len(users):,} users, {len(courses):,} courses, "
                f"{sum(len(v) for v in lessons_by_course.values()):,} lessons, "
                f"{size['enrolments']:,} enrolments in {time.monotonic() - started:.0f} s"
            )
        )

    def reset(self) -> None:
        with transaction.atomic():
            for course in CoursePage.objects.filter(code__startswith="BEN-"):
                Page.objects.filter(path__startswith=course.path).delete()
            User.objects.filter(username__startswith="bench-").delete()
            catalogue = CatalogueIndexPage.objects.get()
            catalogue.numchild = Page.objects.child_of(catalogue).count()
            catalogue.save(update_fields=["numchild"])

    def users(self, count: int) -> list[int]:
        password = make_password(PASSWORD)
        batch = [
            User(
                username=f"bench-{n:06d}",
                first_name="Officer",
                last_name=f"{n:06d}",
                service_number=f"BEN-{n:06d}",
                password=password,
            )
            for n in range(count)
        ]
        User.objects.bulk_create(batch, batch_size=5_000)
        ids = list(
            User.objects.filter(username__startswith="bench-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        group = Group.objects.get(name=Role.OFFICER.value)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=pk, group_id=group.pk) for pk in ids], batch_size=10_000
        )
        return ids

    @transaction.atomic
    def pages(self, count: int, rng) -> tuple[list[int], dict[int, list[int]]]:
        catalogue = CatalogueIndexPage.objects.get()
        types = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (CoursePage, ModulePage, LessonPage)
        }
        now = timezone.now()
        themes = list(ThematicArea.objects.values_list("pk", flat=True))
        first = catalogue.numchild + 1
        rows, course_rows, module_rows, lesson_rows = [], [], [], []

        def page(path: str, depth: int, numchild: int, title: str, slug: str, url: str, ct):
            rows.append(
                Page(
                    path=path,
                    depth=depth,
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

        for c in range(count):
            code = f"BEN-C-{c:04d}"
            course_path = catalogue.path + step(first + c)
            course_url = f"{catalogue.url_path}{code.lower()}/"
            page(course_path, 4, MODULES, f"Benchmark course {c}", code.lower(), course_url,
                 types[CoursePage])  # fmt: skip
            course_rows.append((course_path, code))
            for m in range(MODULES):
                module_path = course_path + step(m + 1)
                module_url = f"{course_url}day-{m + 1}/"
                page(module_path, 5, LESSONS, f"Day {m + 1}", f"day-{m + 1}", module_url,
                     types[ModulePage])  # fmt: skip
                module_rows.append(module_path)
                for n in range(LESSONS):
                    lesson_path = module_path + step(n + 1)
                    page(lesson_path, 6, 0, f"Session {m + 1}.{n + 1}", f"session-{n + 1}",
                         f"{module_url}session-{n + 1}/", types[LessonPage])  # fmt: skip
                    lesson_rows.append(lesson_path)
        Page.objects.bulk_create(rows, batch_size=2_000)
        catalogue.numchild += count
        catalogue.save(update_fields=["numchild"])
        ids = dict(
            Page.objects.filter(path__startswith=catalogue.path, depth__gte=4).values_list(
                "path", "pk"
            )
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {CoursePage._meta.db_table} (page_ptr_id, code, summary, "  # noqa: S608
                "learning_objectives, target_audience, level, duration_hours, duration_days, "
                "language, curriculum_source, curriculum_hash, enrolment_method, enrolment_key, "
                "completion_rule, issues_certificate) VALUES "
                "(%s, %s, %s, '', '', 'introductory', 15, 2, 'en', '', '', 'open', '', "
                "'all_lessons', %s)",
                [
                    (ids[path], code, f"Generated course {code} for benchmarks.", True)
                    for path, code in course_rows
                ],
            )
            cursor.executemany(
                f"INSERT INTO {ModulePage._meta.db_table} (page_ptr_id, summary, body) "  # noqa: S608
                "VALUES (%s, '', '[]')",
                [(ids[path],) for path in module_rows],
            )
            cursor.executemany(
                f"INSERT INTO {LessonPage._meta.db_table} (page_ptr_id, summary, objectives, "  # noqa: S608
                "duration_minutes, method, materials, body, completion_rule) VALUES "
                "(%s, '', '', 45, 'lecture', '', %s, 'viewed')",
                [(ids[path], BODY) for path in lesson_rows],
            )
        course_ids = [ids[path] for path, _code in course_rows]
        through = CoursePage.themes.through
        through.objects.bulk_create(
            [through(coursepage_id=pk, thematicarea_id=rng.choice(themes)) for pk in course_ids]
        )
        lessons_by_course = {pk: [] for pk in course_ids}
        course_by_path = {path: ids[path] for path, _code in course_rows}
        for path in lesson_rows:
            lessons_by_course[course_by_path[path[: 4 * Page.steplen]]].append(ids[path])
        return course_ids, lessons_by_course

    def enrolments(self, users, courses, lessons_by_course, count: int, rng) -> None:
        pairs = set()
        while len(pairs) < count:
            pairs.add((rng.choice(users), rng.choice(courses)))
        Enrolment.objects.bulk_create(
            [Enrolment(user_id=u, course_id=c, source="bulk") for u, c in pairs],
            batch_size=10_000,
        )
        now = timezone.now()
        progress = []
        for user_id, course_id in pairs:
            lessons = lessons_by_course[course_id]
            for lesson_id in lessons[: rng.randrange(len(lessons) + 1)]:
                progress.append(
                    LessonProgress(
                        user_id=user_id,
                        lesson_id=lesson_id,
                        course_id=course_id,
                        completed_at=now,
                    )
                )
            if len(progress) >= 50_000:
                LessonProgress.objects.bulk_create(progress, batch_size=10_000)
                progress = []
        LessonProgress.objects.bulk_create(progress, batch_size=10_000)
