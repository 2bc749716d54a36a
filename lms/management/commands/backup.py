"""Back up the database and the media files into one archive (see lms/backup)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.backup import BackupError, backup_create
from lms.backup.archive import default_output


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with the database (SQLite's own copy or pg_dump's "
        "custom format), every file under MEDIA_ROOT and a manifest with checksums. "
        "Default: backups/lms-<UTC time>.tar.gz; --output - writes it to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Archive to write (must not exist yet), or - for standard output.",
        )

    def handle(self, *args, output: str | None = None, **options):
        to_stream = output == "-"
        # With the archive on standard output, messages go to standard error.
        report = self.stderr if to_stream else self.stdout
        try:
            if to_stream:
                result = backup_create(stream=sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                result = backup_create(output=Path(output) if output else default_output())
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        for name in result.skipped:
            report.write(f"Left out (not a regular file): {name}")
        report.write(
            self.style.SUCCESS(
                f"Backed up the {manifest['database']['vendor']} database and "
                f"{len(manifest['media']['files'])} media files "
                f"({manifest['media']['total_bytes']} bytes)"
                + (f" to {result.path}" if result.path else "")
                + "."
            )
        )
