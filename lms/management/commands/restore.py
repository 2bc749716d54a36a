"""Restore the database and the media files from an archive made by `backup`."""

import shutil
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.backup import ArchiveContents, BackupError, backup_restore
from lms.backup.database import database_label


class Command(BaseCommand):
    help = (
        "Replace the database and every file under MEDIA_ROOT with those of a backup "
        "archive. The archive is checked whole first (members, manifest, database vendor, "
        "migrations, checksums); a refused archive or a failed restore changes nothing. "
        "Stop the web server and the task worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive made by `backup`, or - for standard input.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=60,
            help="Seconds to wait for other connections to release the database (default 60).",
        )

    def handle(self, *args, archive: str, interactive: bool, lock_timeout: float, **options):
        if archive == "-":
            if interactive:
                raise CommandError(
                    "Reading the archive from standard input needs --no-input "
                    "(standard input cannot also answer the confirmation)."
                )
            with tempfile.NamedTemporaryFile(prefix="lms-restore-", suffix=".tar.gz") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool)
                spool.flush()
                self._restore(
                    Path(spool.name), "standard input", interactive=False, lock_timeout=lock_timeout
                )
            return
        self._restore(Path(archive), archive, interactive=interactive, lock_timeout=lock_timeout)

    def _restore(self, archive: Path, label: str, *, interactive: bool, lock_timeout: float):
        try:
            result = backup_restore(
                archive=archive,
                confirm=self._confirm if interactive else None,
                lock_timeout=lock_timeout,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        if result is None:
            self.stdout.write("Restore cancelled: nothing was changed.")
            return
        contents = result.contents
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.database} and {result.media_files} media files from "
                f"{label} (made {contents.manifest['created_at']})."
            )
        )
        if contents.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The archive predates {len(contents.pending_migrations)} migration(s) of "
                    "this code: run `python manage.py migrate` now."
                )
            )

    def _confirm(self, contents: ArchiveContents) -> bool:
        manifest = contents.manifest
        self.stdout.write(
            f"{contents.archive} was made {manifest['created_at']}: a "
            f"{manifest['database']['vendor']} database and "
            f"{len(contents.media_files)} media files.\n"
            f"Restoring it REPLACES the whole database ({database_label()}) and every file "
            f"under MEDIA_ROOT ({settings.MEDIA_ROOT})."
        )
        answer = input("Type 'yes' to restore, anything else to cancel: ")
        return answer.strip().lower() == "yes"
