from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.imports import curriculum_import_file
from courses.similarity import similar_to_course
from lms.exceptions import ServiceError
from lms.models import User


class Command(BaseCommand):
    help = (
        "Import a ToT curriculum (YAML, see courses/CURRICULUM_FORMAT.md) as a course tree; "
        "importing it again updates the same course."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish the pages too")
        parser.add_argument("--user", help="username recorded as the author (a trainer "
                            "becomes the course's trainer)")  # fmt: skip

    def handle(self, *args, file: Path, publish: bool, user: str | None, **options):
        author = None
        if user:
            author = User.objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"no user {user!r}")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            result = curriculum_import_file(
                data=data,
                filename=file.name,
                user=author,
                publish=publish,
                check_permissions=False,  # whoever runs manage.py may publish
            )
        except ServiceError as error:
            raise CommandError(str(error)) from None
        course = result.course
        if result.unchanged:
            self.stdout.write(f"{course.code} {course.title}: unchanged since the last import.")
            return
        verb = "created" if result.created else "updated"
        state = "published" if publish else "saved as drafts"
        self.stdout.write(
            self.style.SUCCESS(
                f"{course.code} {course.title}: {verb}; {result.pages_created} pages created, "
                f"{result.pages_updated} updated, {state}."
            )
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        for item in similar_to_course(course=course):
            self.stdout.write(
                self.style.WARNING(
                    f"looks like {item.course.code} {item.course.title} "
                    f"({item.percent}% similar): consider extending it instead"
                )
            )
        if result.not_in_curriculum:
            self.stdout.write(
                "Pages kept that the curriculum no longer lists: "
                + ", ".join(result.not_in_curriculum)
            )
