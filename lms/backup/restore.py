"""Restoring a backup archive: check everything, then replace the database and the media.

Order of work, so that a refusal or a failure leaves the site as it was:
1. read the archive's members and manifest: refuse unknown or unsafe members (absolute
   paths, `..`, links, devices), a foreign or newer format, another database vendor, and
   migrations this code does not have (an archive of newer code);
2. ask for confirmation (the caller's `confirm`);
3. extract (tarfile's "data" filter) the database file into a private temporary folder and
   the media files into `MEDIA_ROOT/.restore-<token>/`, and check every size and SHA-256;
4. move the current media aside and the restored media in (renames, undone on failure);
5. restore the database in one transaction; if that fails, the media moves are undone;
6. delete the set-aside media.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings

from lms.backup import database
from lms.backup.errors import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    TRANSIENT_PREFIXES,
    BackupError,
)
from lms.exceptions import ErrorItem

_READ_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error, UnicodeDecodeError)
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


@dataclass
class ArchiveContents:
    """What a checked archive holds, for the confirmation question and the report."""

    archive: Path
    manifest: dict
    database_member: str
    media_members: list[str]
    pending_migrations: list[str] = field(default_factory=list)  # run `migrate` afterwards

    @property
    def media_files(self) -> list[dict]:
        return self.manifest["media"]["files"]


@dataclass
class RestoreResult:
    contents: ArchiveContents
    media_files: int
    database: str


def backup_restore(
    *,
    archive: Path,
    confirm: Callable[[ArchiveContents], bool] | None = None,
    lock_timeout: float = 60,
) -> RestoreResult | None:
    """Replace the database and MEDIA_ROOT with the archive's. Returns None when `confirm`
    says no; raises BackupError (with nothing changed) when the archive is refused or the
    restore fails."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed below
    except _READ_ERRORS as error:
        raise BackupError(f"{archive}: not a readable backup archive ({error}).") from None
    with tar:
        contents = _inspect(tar, archive)
        if confirm is not None and not confirm(contents):
            return None
        _restore(tar, contents, lock_timeout=lock_timeout)
    return RestoreResult(
        contents=contents,
        media_files=len(contents.media_members),
        database=database.database_label(),
    )


# --- 1. Checks ---------------------------------------------------------------------------
def _inspect(tar: tarfile.TarFile, archive: Path) -> ArchiveContents:
    try:
        members = tar.getmembers()
    except _READ_ERRORS as error:
        raise BackupError(f"{archive}: not a readable backup archive ({error}).") from None
    by_name = {member.name: member for member in members}
    if MANIFEST_NAME not in by_name:
        raise BackupError(f"{archive}: not a backup of this platform: it has no {MANIFEST_NAME}.")
    problems = _member_problems(members)
    if problems:
        raise BackupError(
            f"{archive}: refused, it holds members that a backup never has (nothing was changed):",
            problems,
        )
    manifest = _manifest_read(tar, by_name[MANIFEST_NAME], archive)
    vendor = database.vendor()
    archived_vendor = manifest["database"]["vendor"]
    if archived_vendor != vendor:
        raise BackupError(
            f"{archive}: holds a {archived_vendor} database, but this site runs on {vendor} "
            f"({database.database_label()}); restore it on a site with the same kind of "
            "database."
        )
    member = manifest["database"]["member"]
    if member != database.MEMBER_NAMES[vendor] or member not in by_name:
        raise BackupError(
            f"{archive}: the manifest names the database file {member!r}, which the archive "
            "does not hold."
        )
    problems = _listing_problems(manifest, by_name)
    if problems:
        raise BackupError(f"{archive}: its files do not match {MANIFEST_NAME}:", problems)
    unknown, pending = database.migrations_compare(manifest["migrations"]["applied"])
    if unknown:
        raise BackupError(
            f"{archive}: made by a newer version of the platform: its database has "
            f"{len(unknown)} migration(s) this code does not know. Update the code, then "
            "restore again.",
            [ErrorItem(field=name, message="not in this code") for name in unknown[:20]],
        )
    media_members = [
        member.name
        for member in members
        if member.name.startswith(MEDIA_PREFIX) and member.isfile()
    ]
    return ArchiveContents(
        archive=archive,
        manifest=manifest,
        database_member=member,
        media_members=media_members,
        pending_migrations=pending,
    )


def _member_problems(members: list[tarfile.TarInfo]) -> list[ErrorItem]:
    problems, seen = [], set()
    database_members = set(database.MEMBER_NAMES.values())
    for member in members:
        name = member.name
        path = PurePosixPath(name)
        if name.startswith("/") or "\\" in name or ".." in path.parts or not name.strip("/"):
            problems.append(
                ErrorItem(field=name, message="leaves the archive's folder (path traversal)")
            )
        elif name in seen:
            problems.append(ErrorItem(field=name, message="appears twice"))
        elif name == MANIFEST_NAME or name in database_members:
            if not member.isfile():
                problems.append(ErrorItem(field=name, message="is not a regular file"))
        elif name.startswith(MEDIA_PREFIX):
            if not (member.isfile() or member.isdir()):
                problems.append(
                    ErrorItem(field=name, message="is a link or a device, not a regular file")
                )
            elif path.parts[1].startswith(TRANSIENT_PREFIXES):
                problems.append(ErrorItem(field=name, message="uses a name restores reserve"))
        elif name != "media":
            problems.append(ErrorItem(field=name, message="is not part of a backup"))
        seen.add(name)
    return problems[:50]


def _manifest_read(tar: tarfile.TarFile, member: tarfile.TarInfo, archive: Path) -> dict:
    where = f"{archive}: {MANIFEST_NAME}"
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupError(f"{where} is {member.size} bytes, too large to be a manifest.")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except ValueError as error:
        raise BackupError(f"{where} is not valid JSON ({error}).") from None
    except _READ_ERRORS as error:
        raise BackupError(f"{archive}: not a readable backup archive ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{where}: not a backup of this platform (format is not {FORMAT}).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{where}: format version {version!r}, but this code reads version "
            f"{FORMAT_VERSION} and older; update the code first."
        )
    try:
        checks = [
            isinstance(manifest["created_at"], str),
            isinstance(manifest["database"]["vendor"], str),
            isinstance(manifest["database"]["member"], str),
            isinstance(manifest["database"]["sha256"], str),
            isinstance(manifest["database"]["size"], int),
            all(
                isinstance(app, str) and all(isinstance(n, str) for n in names)
                for app, names in manifest["migrations"]["applied"].items()
            ),
            all(
                isinstance(entry["path"], str)
                and isinstance(entry["size"], int)
                and isinstance(entry["sha256"], str)
                for entry in manifest["media"]["files"]
            ),
        ]
    except (KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{where} is incomplete (missing {error}).") from None
    if not all(checks):
        raise BackupError(f"{where} has a value of the wrong type.")
    return manifest


def _listing_problems(manifest: dict, by_name: dict[str, tarfile.TarInfo]) -> list[ErrorItem]:
    problems = []
    database_entry = manifest["database"]
    if by_name[database_entry["member"]].size != database_entry["size"]:
        problems.append(
            ErrorItem(field=database_entry["member"], message="its size differs from the manifest")
        )
    listed = {MEDIA_PREFIX + entry["path"]: entry for entry in manifest["media"]["files"]}
    archived = {
        name
        for name, member in by_name.items()
        if name.startswith(MEDIA_PREFIX) and member.isfile()
    }
    for name in sorted(listed.keys() - archived):
        problems.append(ErrorItem(field=name, message="in the manifest, missing from the archive"))
    for name in sorted(archived - listed.keys()):
        problems.append(ErrorItem(field=name, message="in the archive, not in the manifest"))
    for name in sorted(archived & listed.keys()):
        if by_name[name].size != listed[name]["size"]:
            problems.append(ErrorItem(field=name, message="its size differs from the manifest"))
    return problems[:50]


# --- 3. to 6.: extract, verify, swap, restore ------------------------------------------------
def _restore(tar: tarfile.TarFile, contents: ArchiveContents, *, lock_timeout: float) -> None:
    archive = contents.archive
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    stage = media_root / f".restore-{token}"
    workdir = Path(tempfile.mkdtemp(prefix="lms-restore-"))
    try:
        stage.mkdir()
        try:
            members = {member.name: member for member in tar.getmembers()}  # read once
            tar.extractall(workdir, members=[members[contents.database_member]], filter="data")
            tar.extractall(
                stage, members=[members[name] for name in contents.media_members], filter="data"
            )
        except _READ_ERRORS as error:
            raise BackupError(
                f"{archive}: could not be extracted ({error}); nothing was changed."
            ) from None
        staged = stage / "media"
        staged.mkdir(exist_ok=True)
        dump = workdir / contents.database_member
        problems = _checksum_problems(contents, dump, staged)
        if problems:
            raise BackupError(
                f"{archive}: damaged, files differ from their checksums in {MANIFEST_NAME} "
                "(nothing was changed):",
                problems,
            )
        database.check_dump(dump, contents.database_member, archive)
        swap = _MediaSwap(root=media_root, staged=staged, token=token)
        swap.apply()
        try:
            database.restore(dump, lock_timeout=lock_timeout)
        except BaseException:
            swap.undo()
            raise
        swap.finish()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _checksum_problems(contents: ArchiveContents, dump: Path, staged: Path) -> list[ErrorItem]:
    problems = []
    expected = [(contents.database_member, dump, contents.manifest["database"]["sha256"])]
    expected += [
        (MEDIA_PREFIX + entry["path"], staged / entry["path"], entry["sha256"])
        for entry in contents.media_files
    ]
    for name, path, sha256 in expected:
        if not path.is_file() or _sha256(path) != sha256:
            problems.append(ErrorItem(field=name, message="SHA-256 does not match the manifest"))
    return problems[:50]


class _MediaSwap:
    """Replaces MEDIA_ROOT's entries with the staged ones by renames inside MEDIA_ROOT
    (which works when MEDIA_ROOT is itself a mount point, as in docker/compose.yaml)."""

    def __init__(self, *, root: Path, staged: Path, token: str):
        self.root, self.staged = root, staged
        self.previous = root / f".previous-{token}"
        self.moved_out: list[str] = []
        self.moved_in: list[str] = []

    def apply(self) -> None:
        self.previous.mkdir()
        try:
            for entry in sorted(self.root.iterdir()):
                if not entry.name.startswith(TRANSIENT_PREFIXES):
                    entry.rename(self.previous / entry.name)
                    self.moved_out.append(entry.name)
            for entry in sorted(self.staged.iterdir()):
                entry.rename(self.root / entry.name)
                self.moved_in.append(entry.name)
        except OSError as error:
            self.undo()
            raise BackupError(
                f"{self.root}: could not put the restored media files in place ({error}); "
                "nothing was changed."
            ) from None

    def undo(self) -> None:
        for name in reversed(self.moved_in):
            (self.root / name).rename(self.staged / name)
        for name in reversed(self.moved_out):
            (self.previous / name).rename(self.root / name)
        self.moved_in, self.moved_out = [], []
        shutil.rmtree(self.previous, ignore_errors=True)

    def finish(self) -> None:
        shutil.rmtree(self.previous, ignore_errors=True)
