"""Import a CSV list of trainers into the registry (the same rules as the import page)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.exceptions import ServiceError
from lms.models import User
from trainers.services.registry_import import IMPORT_COLUMNS, trainers_import


class Command(BaseCommand):
    help = (
        "Import trainers from a UTF-8 CSV file. Columns: "
        + ", ".join(IMPORT_COLUMNS)
        + " (full_name and country required). Nothing is imported if any line is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Username recorded as having made certifications.")

    def handle(self, *args, file: Path, user: str | None = None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        by = None
        if user:
            by = User.objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"no user called {user!r}")
        try:
            result = trainers_import(data=file.read_bytes(), by=by)
        except ServiceError as error:
            lines = [f"{file}: {error.detail}"]
            lines += [f"  {item}" for item in error.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.created)} trainers added, {len(result.updated)} updated, "
                f"{result.certified} certified."
            )
        )
