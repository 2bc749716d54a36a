"""python manage.py import_questions --course CODE --format gift|moodlexml FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.services import question_import
from courses.models import CoursePage
from lms.exceptions import ServiceError


class Command(BaseCommand):
    help = "Import a GIFT or Moodle XML file into a course's question bank (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="The course code, e.g. FIA-THB-101")
        parser.add_argument("--format", required=True, choices=["gift", "moodlexml"])

    def handle(self, *args, file: Path, course: str, format: str, **options):
        target = CoursePage.objects.filter(code=course).first()
        if target is None:
            raise CommandError(f"No course with the code {course}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        try:
            result = question_import(course=target, data=data, fmt=format, filename=file.name)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        kinds = ", ".join(f"{n} {qtype}" for qtype, n in sorted(result.by_type.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} questions into {course} ({kinds}); "
                f"categories: {', '.join(result.categories)}"
            )
        )
