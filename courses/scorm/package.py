"""Safe inspection and extraction of an uploaded SCORM zip.

:func:`inspect_package` validates everything and writes nothing; :func:`extract_package`
validates the same way, writes the files into a temporary folder next to the destination,
and renames that folder into place only when every member has been written and its CRC
checked. On any error the temporary folder is removed: nothing is left behind.

What is refused, each with its own :class:`PackageError` message:

- a file that is not a zip, members with ``..`` that climb out of the package, absolute
  paths (``/x``, ``C:\\x``, ``\\\\server\\x``), NUL or control characters; backslashes are
  read as folder separators (old Windows zip tools write them), so ``..\\..\\x`` is caught
  like ``../../x``;
- symbolic links and other special files (mode bits in ``external_attr``), encrypted
  members (general purpose flag bit 0x1), unsupported compression methods;
- more members than ``max_members``, a member larger than ``max_member_bytes``, a total
  larger than ``max_total_bytes``, a member compressed more than ``max_ratio`` to 1 (zip
  bombs); sizes are also counted while reading, so a member cannot expand past what its
  header declares;
- two members with the same name (after normalisation), or a file where the package also
  has a folder of the same name;
- a member whose data fails its CRC-32 check (every member is read through
  ``ZipFile.open``, which checks it), or whose compressed data is corrupt;
- no ``imsmanifest.xml``, a manifest that does not parse (see
  :mod:`courses.scorm.manifest`), or that names files the zip does not contain.

Where the manifest may be: SCORM requires ``imsmanifest.xml`` at the root of the zip, and
Moodle enforces exactly that (``scorm_validate_package``; its own ``badscorm.zip`` test
fixture is a manifest inside a folder and is rejected). People often zip the *folder*
instead of its contents, so this module is one step more lenient: when the manifest is not
at the root but **every** member lives in one single top-level folder that has
``imsmanifest.xml`` directly inside it, that folder is taken as the package root and its
prefix is dropped. ``__MACOSX/`` and ``.DS_Store``/``Thumbs.db`` entries are ignored when
looking for that folder and are never extracted. A manifest deeper than that is refused
with a message saying where it was found.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from courses.scorm.manifest import Manifest, ManifestError, parse_manifest
from courses.scorm.manifest.launch import package_path

KB = 1024
MB = 1024 * KB
GB = 1024 * MB
MANIFEST_NAME = "imsmanifest.xml"
CHUNK = 1 * MB
MAX_MISSING_REPORTED = 20
_JUNK_DIRS = ("__MACOSX",)
_JUNK_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class PackageLimits:
    """Every cap applied to an upload; the lead feeds these from named settings."""

    max_total_bytes: int = 500 * MB
    max_members: int = 10_000
    max_ratio: float = 100.0
    max_member_bytes: int = 500 * MB
    ratio_min_bytes: int = 1 * MB
    """Members smaller than this once expanded are not ratio-checked (tiny text compresses
    far better than 100:1 and is harmless)."""
    max_manifest_bytes: int = 10 * MB
    require_listed_files: bool = True
    """Also require every ``<file href>`` to exist, not just launch files and metadata."""


DEFAULT_LIMITS = PackageLimits()


class PackageError(ValueError):
    """The upload cannot be used; ``message`` says why (``messages`` when there are more)."""

    def __init__(self, messages: str | list[str] | tuple[str, ...]) -> None:
        if isinstance(messages, str):
            messages = [messages]
        self.messages: tuple[str, ...] = tuple(messages)
        self.message = self.messages[0]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class PackageInfo:
    manifest: Manifest
    files: tuple[str, ...]
    """Package paths of every file (not folder), relative to the package root."""
    total_bytes: int
    root_prefix: str = ""
    """The folder dropped from every member name ("" when the manifest is at the root)."""
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    path: str  # normalised, relative to the zip root, no trailing slash
    is_dir: bool


def human_size(size: int) -> str:
    """1536 → '1.5 KB'; binary multiples written with the usual short names."""
    for unit, scale in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= scale:
            value = size / scale
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    return f"{size} bytes"


def _normalise(name: str) -> tuple[str, bool]:
    """(normalised path, is_dir) of a member name, or raise PackageError if unsafe."""
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise PackageError(f"member {name!r} has control characters in its name")
    unified = name.replace("\\", "/")
    is_dir = unified.endswith("/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise PackageError(f"member '{name}' has an absolute path")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    depth = 0
    for part in parts:
        depth = depth - 1 if part == ".." else depth + 1
        if depth < 0:
            raise PackageError(f"member '{name}' would be written outside the package")
    if ".." in parts:
        raise PackageError(f"member '{name}' has a '..' segment in its path")
    if not parts:
        raise PackageError(f"member '{name}' has an empty name")
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        raise PackageError(f"member '{name}' has a path segment longer than 255 bytes")
    return "/".join(parts), is_dir


def _check_member(info: zipfile.ZipInfo, path: str, limits: PackageLimits) -> None:
    mode = info.external_attr >> 16  # Unix tools put st_mode in the high word
    if mode:
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            raise PackageError(f"member '{info.filename}' is a symbolic link")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise PackageError(f"member '{info.filename}' is a special file, not a regular one")
    if info.flag_bits & 0x1:
        raise PackageError(f"member '{info.filename}' is encrypted")
    if info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_BZIP2,
        zipfile.ZIP_LZMA,
    ):
        raise PackageError(
            f"member '{info.filename}' uses compression method {info.compress_type}, "
            "which is not supported (store, deflate, bzip2 and lzma are)"
        )
    if info.file_size > limits.max_member_bytes:
        raise PackageError(
            f"member '{info.filename}' expands to {human_size(info.file_size)}, more than the "
            f"{human_size(limits.max_member_bytes)} allowed for one file"
        )
    if info.file_size >= limits.ratio_min_bytes:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise PackageError(
                f"member '{info.filename}' is compressed {ratio:,.0f} to 1, more than the "
                f"{limits.max_ratio:,.0f} to 1 allowed (that is how zip bombs look)"
            )


def _is_junk(path: str) -> bool:
    first = path.split("/", 1)[0]
    return first in _JUNK_DIRS or path.rsplit("/", 1)[-1] in _JUNK_FILES


def _open_zip(source: BinaryIO | str | os.PathLike[str]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise PackageError("the upload is not a zip file (or the zip is damaged)") from None
    except NotImplementedError as exc:
        raise PackageError(f"the zip uses a feature that is not supported: {exc}") from None
    except (OSError, ValueError, EOFError, struct.error) as exc:
        raise PackageError(f"the zip cannot be read: {exc}") from None


def _members(archive: zipfile.ZipFile, limits: PackageLimits) -> list[_Member]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise PackageError(
            f"the package has {len(infos):,} members, more than the {limits.max_members:,} allowed"
        )
    members: list[_Member] = []
    files: dict[str, str] = {}
    dirs: set[str] = set()
    total = 0
    for info in infos:
        path, is_dir = _normalise(info.filename)
        _check_member(info, path, limits)
        if is_dir:
            if path in files:
                raise PackageError(f"'{path}' is both a file and a folder in the package")
            dirs.add(path)
        else:
            if path in files:
                raise PackageError(
                    f"the package has two members named '{path}' "
                    f"('{files[path]}' and '{info.filename}')"
                )
            if path in dirs:
                raise PackageError(f"'{path}' is both a file and a folder in the package")
            files[path] = info.filename
            total += info.file_size
        members.append(_Member(info=info, path=path, is_dir=is_dir))
    if total > limits.max_total_bytes:
        raise PackageError(
            f"the package expands to {human_size(total)}, more than the "
            f"{human_size(limits.max_total_bytes)} allowed"
        )
    for path in files:
        parents = path.split("/")[:-1]
        for depth in range(1, len(parents) + 1):
            if "/".join(parents[:depth]) in files:
                raise PackageError(f"'{'/'.join(parents[:depth])}' is both a file and a folder")
    return members


def _declared_total(members: list[_Member]) -> int:
    return sum(m.info.file_size for m in members if not m.is_dir)


def _find_root(members: list[_Member]) -> str:
    """The prefix to drop ('' or 'Folder/'), or raise PackageError when there is no manifest."""
    paths = [m.path for m in members if not m.is_dir and not _is_junk(m.path)]
    if MANIFEST_NAME in paths:
        return ""
    tops = {p.split("/", 1)[0] for p in paths}
    if len(tops) == 1 and all("/" in p for p in paths):
        top = next(iter(tops))
        if f"{top}/{MANIFEST_NAME}" in paths:
            return f"{top}/"
    deeper = sorted((p for p in paths if p.rsplit("/", 1)[-1] == MANIFEST_NAME), key=len)
    if deeper:
        folder = deeper[0].rsplit("/", 1)[0]
        raise PackageError(
            f"imsmanifest.xml must be at the root of the zip, but it is in '{folder}/'; "
            f"zip the contents of '{folder}' rather than the folder"
        )
    raise PackageError(
        "the package has no imsmanifest.xml at its root, so it is not a SCORM package"
    )


def _read_member(
    archive: zipfile.ZipFile, member: _Member, limits: PackageLimits
) -> Iterator[bytes]:
    """Yield a member's bytes in chunks; CRC, corruption and size are checked on the way."""
    name = member.info.filename
    read = 0
    try:
        with archive.open(member.info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                if read > member.info.file_size or read > limits.max_member_bytes:
                    raise PackageError(f"member '{name}' expands past the size its header declares")
                yield chunk
    except zipfile.BadZipFile as exc:
        if "CRC" in str(exc):
            raise PackageError(f"member '{name}' is corrupt: its CRC-32 check failed") from None
        raise PackageError(f"member '{name}' is corrupt: {exc}") from None
    except (zlib.error, EOFError, OSError, ValueError) as exc:
        raise PackageError(f"member '{name}' is corrupt: {exc}") from None
    except NotImplementedError as exc:
        raise PackageError(f"member '{name}' cannot be read: {exc}") from None


def _read_manifest(archive: zipfile.ZipFile, member: _Member, limits: PackageLimits) -> Manifest:
    if member.info.file_size > limits.max_manifest_bytes:
        raise PackageError(
            f"imsmanifest.xml is {human_size(member.info.file_size)}, more than the "
            f"{human_size(limits.max_manifest_bytes)} allowed"
        )
    data = b"".join(_read_member(archive, member, limits))
    try:
        return parse_manifest(data=data, max_bytes=limits.max_manifest_bytes)
    except ManifestError as exc:
        raise PackageError(list(exc.messages)) from exc


def _missing_files(manifest: Manifest, files: set[str], limits: PackageLimits) -> list[str]:
    lowered: dict[str, str] = {f.lower(): f for f in files}
    problems: list[str] = []

    def check(path: str | None, what: str) -> None:
        if path is None or path in files:
            return
        hint = ""
        if path.lower() in lowered:
            hint = f" (the package has '{lowered[path.lower()]}'; names are case-sensitive)"
        problems.append(f"{what} '{path}' is not in the package{hint}")

    for resource in manifest.resources:
        launch = None
        if resource.launch_href is not None:
            launch = package_path(resource.launch_href)
            check(launch, f"resource '{resource.identifier}' launch file")
        if limits.require_listed_files:
            for path in resource.files:
                if path != launch:
                    check(path, f"file listed by resource '{resource.identifier}'")
    for path in manifest.metadata_locations:
        check(path, "metadata file named by <adlcp:location>")
    unique = list(dict.fromkeys(problems))
    if len(unique) > MAX_MISSING_REPORTED:
        extra = len(unique) - MAX_MISSING_REPORTED
        unique = [*unique[:MAX_MISSING_REPORTED], f"and {extra} more files are missing"]
    return unique


def _validate(archive: zipfile.ZipFile, limits: PackageLimits) -> tuple[PackageInfo, list[_Member]]:
    members = _members(archive, limits)
    prefix = _find_root(members)
    kept = [
        _Member(info=m.info, path=m.path[len(prefix) :], is_dir=m.is_dir)
        for m in members
        if m.path.startswith(prefix) and m.path != prefix.rstrip("/") and not _is_junk(m.path)
    ]
    manifest_member = next(m for m in kept if m.path == MANIFEST_NAME and not m.is_dir)
    manifest = _read_manifest(archive, manifest_member, limits)
    files = [m.path for m in kept if not m.is_dir]
    missing = _missing_files(manifest, set(files), limits)
    if missing:
        raise PackageError(missing)
    warnings = list(manifest.warnings)
    if prefix:
        warnings.insert(0, f"the package was zipped with its folder '{prefix}', which was dropped")
    info = PackageInfo(
        manifest=manifest,
        files=tuple(files),
        total_bytes=_declared_total(kept),
        root_prefix=prefix,
        warnings=tuple(warnings),
    )
    return info, kept


def inspect_package(
    fileobj: BinaryIO | str | os.PathLike[str], *, limits: PackageLimits = DEFAULT_LIMITS
) -> PackageInfo:
    """Validate an uploaded zip completely (every member is read and CRC-checked).

    Writes nothing. Raises :class:`PackageError` on the first problem.
    """
    with _open_zip(fileobj) as archive:
        info, kept = _validate(archive, limits)
        for member in kept:
            if not member.is_dir:
                for _ in _read_member(archive, member, limits):
                    pass
        return info


def _write_member(
    archive: zipfile.ZipFile, member: _Member, root: Path, limits: PackageLimits
) -> None:
    target = root.joinpath(*member.path.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(target, flags, 0o644)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in _read_member(archive, member, limits):
            out.write(chunk)


def extract_package(
    fileobj: BinaryIO | str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    *,
    limits: PackageLimits = DEFAULT_LIMITS,
) -> PackageInfo:
    """Validate, then extract into ``dest_dir`` (which must not exist yet) atomically.

    The files are written to a hidden temporary folder beside ``dest_dir`` that is renamed
    to ``dest_dir`` at the end; on any error it is deleted and :class:`PackageError` (or the
    original exception, for I/O failures) propagates. ``dest_dir``'s parent is created if
    needed.
    """
    dest = Path(dest_dir)
    if dest.exists():
        raise FileExistsError(f"{dest} already exists; extract each package version afresh")
    with _open_zip(fileobj) as archive:
        info, kept = _validate(archive, limits)
        dest.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(
            tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
        )
        try:
            for member in kept:
                if member.is_dir:
                    temporary.joinpath(*member.path.split("/")).mkdir(parents=True, exist_ok=True)
                else:
                    _write_member(archive, member, temporary, limits)
            temporary.chmod(0o755)
            os.rename(temporary, dest)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
    return info
