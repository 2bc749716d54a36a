"""Backups of the whole site: one archive holding the database and every file of MEDIA_ROOT.

`backup_create` writes a gzip-compressed tar archive:

- `database/db.sqlite3` (SQLite: a page-for-page copy made with SQLite's online backup
  API) or `database/db.pgdump` (PostgreSQL: `pg_dump --format=custom`). Both are the
  database's own exact format, so everything comes back as it was: every table (including
  Wagtail's search index and tables no model names), sequences and auto-increment
  counters, indexes and constraints; no round trip through Django's serializers.
- `media/…`: the files under MEDIA_ROOT.
- `manifest.json` (last): format and version, when it was made, the database vendor, the
  migrations applied to the database, and the size and SHA-256 of the database file and of
  every media file.

`backup_restore` checks the whole archive before it changes anything (members, manifest,
vendor, migrations, checksums), then replaces the database in one transaction and the
media files by renames it can undo. See README, "Backup and restore".
"""

from lms.backup.archive import BackupResult, backup_create
from lms.backup.errors import BackupError
from lms.backup.restore import ArchiveContents, RestoreResult, backup_restore

__all__ = [
    "ArchiveContents",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "backup_create",
    "backup_restore",
]
