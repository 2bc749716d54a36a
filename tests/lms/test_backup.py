"""`backup` and `restore`: one archive brings back the database and MEDIA_ROOT exactly
(every table's rows, the schema, sequences, every media file byte for byte), and an
archive that is refused, or a restore that fails, changes nothing.

Runs on SQLite by default and on PostgreSQL with DATABASE_URL (pg_dump / pg_restore / psql
against the test database Django is connected to).
"""

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

from courses.models import CoursePage, LessonPage
from lms.models import Organisation
from tests.factories import OrganisationFactory
from tests.security.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


# --- What "the same site" means --------------------------------------------------------------
def _value(value):
    return bytes(value) if isinstance(value, memoryview) else value


def without_casts(definition: str) -> str:
    """An index definition without its casts and parentheses. PostgreSQL prints some
    predicates differently once restored from any dump, with the same meaning: a `state IN
    ('a', 'b')` on a varchar is `(state)::text = ANY ((ARRAY['a'::character varying, …
    ])::text[])` when made by the migration and `… ANY (ARRAY[('a'::character
    varying)::text, …])` when re-created from its printed form."""
    return re.sub(r"::[a-z ]+(\[\])?|[()\s]", "", definition)


def database_snapshot() -> dict[str, list]:
    """Every table's rows (sorted), the schema and the sequences, as plain values."""
    snapshot: dict[str, list] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY 1, 2")
            schema = cursor.fetchall()
            snapshot["schema"] = schema
            tables = [name for kind, name, _table, _sql in schema if kind == "table"]
        else:
            cursor.execute(
                "SELECT table_name, column_name, data_type, is_nullable, column_default,"
                " is_identity FROM information_schema.columns"
                " WHERE table_schema = current_schema() ORDER BY 1, 2"
            )
            snapshot["columns"] = cursor.fetchall()
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
            snapshot["indexes"] = [
                (table, name, without_casts(definition)) for table, name, definition in cursor
            ]
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
                " ORDER BY 1, 2"
            )
            snapshot["constraints"] = cursor.fetchall()
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences"
                " WHERE schemaname = current_schema() ORDER BY 1"
            )
            snapshot["sequences"] = cursor.fetchall()
            cursor.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() ORDER BY 1"
            )
            tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [tuple(_value(v) for v in row) for row in cursor.fetchall()]
            snapshot[f"table {table}"] = sorted(rows, key=repr)
    return snapshot


def media_snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def differences(before: dict, after: dict) -> list[str]:
    """The parts (tables, schema, files) that differ: short enough to read on failure."""
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def assert_same_site(before: tuple[dict, dict], media_root: Path) -> None:
    database, media = before
    after = database_snapshot()
    changed = differences(database, after)
    detail = {
        key: {
            "lost": [r for r in database.get(key, []) if r not in after.get(key, [])][:5],
            "gained": [r for r in after.get(key, []) if r not in database.get(key, [])][:5],
        }
        for key in changed[:5]
    }
    assert changed == [], detail
    assert differences(media, media_snapshot(media_root)) == []
    assert not [p.name for p in media_root.iterdir() if p.name.startswith((".restore-", ".previ"))]


# --- Helpers -------------------------------------------------------------------------------
@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def snapshot(media_root: Path) -> tuple[dict, dict]:
    return database_snapshot(), media_snapshot(media_root)


def backup(path: Path) -> Path:
    call_command("backup", "--output", str(path), stdout=io.StringIO())
    return path


def restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), "--no-input", *args, stdout=out)
    return out.getvalue()


def change_the_site(media_root: Path) -> None:
    """Rows deleted, changed and added (sequences move on), a table no backup has, media
    files deleted, rewritten and added."""
    LessonPage.objects.order_by("-path").first().delete()
    CoursePage.objects.filter(pk=CoursePage.objects.order_by("pk").first().pk).update(
        title="Changed after the backup"
    )
    OrganisationFactory(short_name="AFTER", name="Made after the backup")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE lms_backup_stray (id integer)")
    files = sorted(path for path in media_root.rglob("*") if path.is_file())
    files[0].unlink()
    files[-1].write_bytes(b"rewritten after the backup")
    (media_root / "added-after-the-backup.txt").write_bytes(b"new")


def rewrite(archive: Path, out: Path, *, replace=None, add=(), drop=()) -> Path:
    """A copy of the archive with members replaced ({name: bytes}), added ([(TarInfo,
    bytes)]) or dropped."""
    replace = replace or {}
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            if member.name in drop:
                continue
            data = replace.get(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        for info, data in add:
            target.addfile(info, io.BytesIO(data) if data is not None else None)
    return out


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


# --- Round trips ---------------------------------------------------------------------------
# as_migrated (conftest): what the migrations made (thematic areas, templates, the page
# tree) is there even after other transactional tests have flushed the database.
@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_the_database_and_media_exactly(as_migrated, media_root, tmp_path):
    # given a site with courses, trainings, quiz attempts, SCORM, certificates and files
    build_world()
    assert len(media_snapshot(media_root)) >= 3
    before = snapshot(media_root)
    archive = backup(tmp_path / "site.tar.gz")

    # when the site changes and the archive is restored
    change_the_site(media_root)
    assert differences(before[0], database_snapshot())
    out = restore(archive)

    # then every table, the schema, the sequences and every media file are as archived
    assert_same_site(before, media_root)
    assert "Restored" in out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_site_round_trips(as_migrated, media_root, tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("once is enough: the permission-matrix world round-trips on PostgreSQL")
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    before = snapshot(media_root)
    archive = backup(tmp_path / "demo.tar.gz")

    change_the_site(media_root)
    restore(archive)

    assert_same_site(before, media_root)


def test_the_archive_holds_a_manifest_with_checksums(media_root, tmp_path):
    (media_root / "documents").mkdir()
    (media_root / "documents" / "handout.pdf").write_bytes(b"%PDF-1.4 handout")
    (media_root / "link").symlink_to("/etc/passwd")

    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "a.tar.gz"), stdout=out)

    manifest = manifest_of(tmp_path / "a.tar.gz")
    assert manifest["format"] == "fia-academy-lms-backup"
    assert manifest["format_version"] == 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["latest"]["lms"] == max(manifest["migrations"]["applied"]["lms"])
    assert manifest["media"]["files"] == [
        {
            "path": "documents/handout.pdf",
            "size": 16,
            "sha256": hashlib.sha256(b"%PDF-1.4 handout").hexdigest(),
        }
    ]
    assert "Left out (not a regular file): link" in out.getvalue()
    assert (tmp_path / "a.tar.gz").stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(tmp_path / "a.tar.gz"))


def test_answering_no_changes_nothing(media_root, tmp_path, monkeypatch):
    (media_root / "a.txt").write_bytes(b"archived")
    archive = backup(tmp_path / "a.tar.gz")
    (media_root / "a.txt").write_bytes(b"changed")
    OrganisationFactory(short_name="AFTER")
    before = snapshot(media_root)
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert "cancelled" in out.getvalue()
    assert "REPLACES the whole database" in out.getvalue()
    assert len(questions) == 1
    assert_same_site(before, media_root)


# --- Refusals ------------------------------------------------------------------------------
def _other_vendor(archive: Path, out: Path) -> Path:
    manifest = manifest_of(archive)
    manifest["database"]["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    return rewrite(archive, out, replace={"manifest.json": json.dumps(manifest).encode()})


def _newer_format(archive: Path, out: Path) -> Path:
    manifest = manifest_of(archive)
    manifest["format_version"] = 2
    return rewrite(archive, out, replace={"manifest.json": json.dumps(manifest).encode()})


def _flipped(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def _media_altered(archive: Path, out: Path) -> Path:
    with tarfile.open(archive) as tar:
        data = tar.extractfile("media/documents/handout.pdf").read()
    return rewrite(archive, out, replace={"media/documents/handout.pdf": _flipped(data)})


def _database_altered(archive: Path, out: Path) -> Path:
    name = manifest_of(archive)["database"]["member"]
    with tarfile.open(archive) as tar:
        data = tar.extractfile(name).read()
    return rewrite(archive, out, replace={name: _flipped(data)})


def _database_garbage_with_checksum(archive: Path, out: Path) -> Path:
    """A database file its tools cannot read, with a manifest that vouches for it."""
    manifest = manifest_of(archive)
    garbage = b"not a database at all " * 100
    manifest["database"] |= {"size": len(garbage), "sha256": hashlib.sha256(garbage).hexdigest()}
    name = manifest["database"]["member"]
    return rewrite(
        archive, out, replace={name: garbage, "manifest.json": json.dumps(manifest).encode()}
    )


def _member(name: str, data: bytes | None = b"x", **fields) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data or b"")
    for key, value in fields.items():
        setattr(info, key, value)
    return info, data


def _foreign(archive: Path, out: Path) -> Path:
    with tarfile.open(out, "w:gz") as tar:
        info, data = _member("README.txt", b"some other project's backup")
        tar.addfile(info, io.BytesIO(data))
    return out


REFUSALS = {
    "not an archive": (
        lambda archive, out: out.write_bytes(b"\x00garbage" * 500) and out,
        "not a readable backup archive",
    ),
    "truncated": (
        lambda archive, out: (
            out.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2]) and out
        ),
        "not a readable backup archive",
    ),
    "another project's archive": (_foreign, "no manifest.json"),
    "path traversal": (
        lambda archive, out: rewrite(
            archive, out, add=[_member("media/../../evil.txt"), _member("../evil.txt")]
        ),
        r"media/\.\./\.\./evil\.txt: leaves the archive's folder",
    ),
    "absolute path": (
        lambda archive, out: rewrite(archive, out, add=[_member("/tmp/evil.txt")]),
        "path traversal",
    ),
    "symbolic link": (
        lambda archive, out: rewrite(
            archive,
            out,
            add=[_member("media/link", None, type=tarfile.SYMTYPE, linkname="/etc/passwd")],
        ),
        "media/link: is a link or a device",
    ),
    "stray member": (
        lambda archive, out: rewrite(archive, out, add=[_member("settings.py")]),
        "settings.py: is not part of a backup",
    ),
    "media file missing": (
        lambda archive, out: rewrite(archive, out, drop={"media/documents/handout.pdf"}),
        "media/documents/handout.pdf: in the manifest, missing from the archive",
    ),
    "media file altered": (_media_altered, "handout.pdf: SHA-256 does not match"),
    "database altered": (_database_altered, "database/db.*: SHA-256 does not match"),
    "database unreadable": (_database_garbage_with_checksum, "database"),
    "other database vendor": (_other_vendor, "database, but this site runs on"),
    "newer backup format": (_newer_format, "format version 2"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_refused_archive_changes_nothing(name, media_root, tmp_path):
    # given a backup, tampered with, and a site that has changed since
    (media_root / "documents").mkdir()
    (media_root / "documents" / "handout.pdf").write_bytes(b"%PDF-1.4 handout")
    archive = backup(tmp_path / "good.tar.gz")
    tamper, message = REFUSALS[name]
    bad = tamper(archive, tmp_path / "bad.tar.gz")
    (media_root / "documents" / "handout.pdf").write_bytes(b"%PDF-1.4 changed")
    (media_root / "new.txt").write_bytes(b"new")
    OrganisationFactory(short_name="AFTER")
    before = snapshot(media_root)

    # when it is restored, it is refused with a message naming the archive and the problem
    with pytest.raises(CommandError, match=message) as refusal:
        restore(bad)

    # and nothing changed, nothing was written outside MEDIA_ROOT
    assert str(bad) in str(refusal.value)
    assert_same_site(before, media_root)
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists()


def test_an_archive_of_newer_code_is_refused(media_root, tmp_path):
    recorder = MigrationRecorder(connection)
    recorder.record_applied("lms", "9999_from_the_future")
    try:
        archive = backup(tmp_path / "newer.tar.gz")
    finally:
        recorder.record_unapplied("lms", "9999_from_the_future")
    Organisation.objects.create(name="After", short_name="AFTER")
    before = snapshot(media_root)

    with pytest.raises(CommandError, match="newer version of the platform") as refusal:
        restore(archive)

    assert "lms.9999_from_the_future: not in this code" in str(refusal.value)
    assert_same_site(before, media_root)


def test_an_archive_of_older_code_is_restored_with_a_reminder_to_migrate(media_root, tmp_path):
    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in recorder.applied_migrations() if app == "lms")
    recorder.record_unapplied("lms", latest)
    try:
        archive = backup(tmp_path / "older.tar.gz")
    finally:
        recorder.record_applied("lms", latest)
    try:
        out = restore(archive)
        assert ("lms", latest) not in recorder.applied_migrations()
    finally:
        recorder.record_applied("lms", latest)

    assert "predates 1 migration(s)" in out
    assert "manage.py migrate" in out


def test_a_restore_that_cannot_get_the_database_changes_nothing(media_root, tmp_path):
    # given a backup and a changed site whose database another connection is using
    (media_root / "a.txt").write_bytes(b"archived")
    archive = backup(tmp_path / "a.tar.gz")
    (media_root / "a.txt").write_bytes(b"changed")
    (media_root / "b.txt").write_bytes(b"new")
    OrganisationFactory(short_name="AFTER")
    before = snapshot(media_root)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            if other.vendor == "sqlite":
                cursor.execute("UPDATE lms_organisation SET name = name")
            else:
                cursor.execute("SELECT count(*) FROM lms_organisation")

            # when the restore cannot lock the database
            with pytest.raises(CommandError, match="in use by another connection"):
                restore(archive, "--lock-timeout", "1")
    finally:
        other.rollback()
        other.close()

    # then the database and the media files are as they were
    assert_same_site(before, media_root)


def test_streams_in_and_out(media_root, tmp_path, monkeypatch, capsysbinary):
    (media_root / "a.txt").write_bytes(b"archived")
    call_command("backup", "--output", "-")
    data = capsysbinary.readouterr().out
    (media_root / "a.txt").unlink()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))

    out = io.StringIO()
    call_command("restore", "-", "--no-input", stdout=out)

    assert (media_root / "a.txt").read_bytes() == b"archived"
    assert "from standard input" in out.getvalue()


# --- The production image ----------------------------------------------------------------------
def test_the_image_has_the_postgresql_client_of_the_compose_database():
    """pg_dump refuses a server newer than itself: the image's client tools must match the
    PostgreSQL image of docker/compose.yaml."""
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    server = int(re.match(r"postgres:(\d+)", compose["services"]["db"]["image"]).group(1))
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()

    client = re.search(r"ARG POSTGRES_MAJOR=(\d+)", dockerfile)
    assert client, "docker/Dockerfile installs no versioned postgresql-client"
    assert int(client.group(1)) == server
    assert "postgresql-client-${POSTGRES_MAJOR}" in dockerfile
