"""What the backup and restore report when they refuse or fail, and the archive's layout."""

from lms.exceptions import ServiceError

FORMAT = "fia-academy-lms-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media/"
# Folders a restore makes inside MEDIA_ROOT while it works (never archived or restored).
TRANSIENT_PREFIXES = (".restore-", ".previous-")


class BackupError(ServiceError):
    """A backup that cannot be made, or an archive that is not restored: the message says
    what and where (the archive, the member, the tool), and nothing has been changed."""
