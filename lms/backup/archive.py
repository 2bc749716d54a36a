"""Writing a backup archive: the database, then the media files, then the manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import django
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


@dataclass
class BackupResult:
    manifest: dict
    path: Path | None = None  # None when written to a stream
    skipped: list[str] = field(default_factory=list)  # media entries that are not files


class _HashingReader:
    """Hands a file to tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, file: BinaryIO):
        self.file = file
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.hash.update(data)
        return data


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "backups" / f"lms-{stamp}.tar.gz"


def backup_create(*, output: Path | None = None, stream: BinaryIO | None = None) -> BackupResult:
    """Write one archive of the database and MEDIA_ROOT to `output` (a new file, made
    readable by its owner only, that appears under its name only once complete) or to
    `stream`."""
    if (output is None) == (stream is None):
        raise ValueError("give either output or stream")
    vendor = database.vendor()
    media_root = Path(settings.MEDIA_ROOT)
    if output is not None and output.exists():
        raise BackupError(f"{output}: already exists; name a new file with --output.")
    workdir = Path(tempfile.mkdtemp(prefix="lms-backup-"))
    partial: Path | None = None
    try:
        applied = database.applied_migrations()
        dump = workdir / "database"
        db_info = database.dump(dump)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.partial")
            target = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
            mode = "w:gz"
        else:
            target, mode = stream, "w|gz"
        try:
            with tarfile.open(fileobj=target, mode=mode, format=tarfile.PAX_FORMAT) as tar:
                member = database.MEMBER_NAMES[vendor]
                db_info |= {"member": member, **_add_file(tar, dump, member)}
                files, skipped = [], []
                for relative, path in _media_files(media_root, skipped):
                    entry = _add_file(tar, path, MEDIA_PREFIX + relative)
                    files.append({"path": relative, **entry})
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(),
                    "django_version": django.get_version(),
                    "database": db_info,
                    "migrations": {
                        "applied": applied,
                        "latest": {app: names[-1] for app, names in applied.items()},
                    },
                    "media": {
                        "root": str(media_root),
                        "files": files,
                        "total_bytes": sum(entry["size"] for entry in files),
                    },
                }
                _add_bytes(tar, MANIFEST_NAME, json.dumps(manifest, indent=1).encode())
            if partial is not None:
                target.flush()
                os.fsync(target.fileno())
        finally:
            if partial is not None:
                target.close()
        if partial is not None:
            os.replace(partial, output)
            partial = None
        return BackupResult(manifest=manifest, path=output, skipped=skipped)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if partial is not None:
            partial.unlink(missing_ok=True)


def _media_files(root: Path, skipped: list[str]):
    """(path relative to MEDIA_ROOT, path) of every regular file, in a stable order;
    symbolic links and other special entries are left out and listed in `skipped`."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        kept = []
        for name in sorted(dirnames):
            if here == root and name.startswith(TRANSIENT_PREFIXES):
                continue
            if (here / name).is_symlink():
                skipped.append((here / name).relative_to(root).as_posix())
            else:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
                continue
            yield relative, path


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as file:
        info = tar.gettarinfo(arcname=name, fileobj=file)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(file)
        try:
            tar.addfile(info, reader)
        except OSError as error:
            raise BackupError(
                f"{path}: changed while it was being archived ({error}); run the backup again."
            ) from None
    return {"size": info.size, "sha256": reader.hash.hexdigest()}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))
