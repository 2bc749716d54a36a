"""Generate a large site for benchmarks, with bulk inserts (minutes, not hours).

    python manage.py generate_bench_data --scale small|large [--reset]

What each scale holds, and how it is made, is described in `lms.benchdata`, which holds the
builders; this command checks the scale, runs each part not made yet in its own transaction
and reports the time it took and what the database holds. The names other code imports from
here (SCALES, SHOWCASE, BANK, PASSWORD, copy_rows…) are re-exported from `lms.benchdata`.
"""

import random
import time
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from assessments.models import Quiz
from courses.models import CoursePage
from courses.services import site_structure_ensure
from lms import benchdata
from lms.benchdata import (
    ALPHABET,
    ATTEMPT_COLUMNS,
    BANK,
    BODY,
    COURSE_PREFIX,
    LESSONS,
    MODULES,
    ORGANISATIONS,
    PARTNER,
    PASSWORD,
    QUIZ_TITLE,
    REGIONS,
    SCALES,
    SHOWCASE,
    SHOWCASE_LIVE_LESSONS,
    SHOWCASE_MODULES,
    SHOWCASE_QUIZ_LESSONS,
    SHOWCASE_QUIZZES,
    TRAINER,
    VENUES,
    attempted,
    copy_objects,
    copy_rows,
    step,
    unstep,
)
from scheduling.models import Training
from trainers.models import Certificate

__all__ = [
    "ALPHABET",
    "ATTEMPT_COLUMNS",
    "BANK",
    "BODY",
    "COURSE_PREFIX",
    "LESSONS",
    "MODULES",
    "ORGANISATIONS",
    "PARTNER",
    "PASSWORD",
    "QUIZ_TITLE",
    "REGIONS",
    "SCALES",
    "SHOWCASE",
    "SHOWCASE_LIVE_LESSONS",
    "SHOWCASE_MODULES",
    "SHOWCASE_QUIZZES",
    "SHOWCASE_QUIZ_LESSONS",
    "TRAINER",
    "VENUES",
    "Command",
    "attempted",
    "copy_objects",
    "copy_rows",
    "step",
    "unstep",
]


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
        password = make_password(PASSWORD)
        rng = random.Random(2026)  # noqa: S311 - reproducible data, not security
        made = []
        if not present:
            with self.part("users, courses, lessons, enrolments"), transaction.atomic():
                users = benchdata.users(size["users"], password=password)
                specs = [
                    (f"{COURSE_PREFIX}{c:04d}", f"Benchmark course {c}", [LESSONS] * MODULES)
                    for c in range(size["courses"])
                ]
                courses, lessons_by_course = benchdata.pages(catalogue, specs, rng)
                benchdata.enrolments(users, courses, lessons_by_course, size["enrolments"], rng)
            made.append("courses")
        if not CoursePage.objects.filter(code=SHOWCASE).exists():
            with self.part("showcase course"), transaction.atomic():
                benchdata.showcase(catalogue, size["showcase_learners"], rng, password=password)
            made.append("showcase")
        if not Quiz.objects.filter(
            course__code__startswith=COURSE_PREFIX, title=QUIZ_TITLE
        ).exists():
            with self.part("question banks, quizzes, attempts"), transaction.atomic():
                benchdata.course_quizzes(rng)
            made.append("quizzes")
        if not Training.objects.filter(organiser__short_name__startswith="BEN-").exists():
            with self.part("trainings"), transaction.atomic():
                benchdata.trainings(size["trainings"], rng, password=password)
            made.append("trainings")
        if not Certificate.objects.filter(course__code__startswith="BEN-").exists():
            with self.part("certificates"), transaction.atomic():
                benchdata.certificates(size["certificates"], rng)
            made.append("certificates")
        if not made:
            self.stdout.write("Benchmark data is already there (use --reset to rebuild).")
            return
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk inserts
        from courses.cache import content_changed

        content_changed()  # a running server's cached course tree is stale now
        n = benchdata.counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"{scale}: {n['users']:,} users, {n['courses']:,} courses, "
                f"{n['lessons']:,} lessons, {n['enrolments']:,} enrolments, "
                f"{n['responses']:,} quiz responses, {n['trainings']:,} trainings, "
                f"{n['certificates']:,} certificates in {time.monotonic() - started:.0f} s"
            )
        )

    def reset(self) -> None:
        """Remove every piece of benchmark data (see `lms.benchdata.inventory.reset`)."""
        benchdata.reset()
