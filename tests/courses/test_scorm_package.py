"""Safe inspection and extraction of SCORM zips: shared fixtures and hostile zips built here."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses.scorm.package import (
    PackageError,
    PackageLimits,
    extract_package,
    human_size,
    inspect_package,
)

MANIFEST = b"""<?xml version="1.0"?>
<manifest identifier="tiny" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG"><organization identifier="ORG"><title>Tiny</title>
    <item identifier="I1" identifierref="R1"><title>Page</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>"""
PAGE = b"<html><body>Hello</body></html>"


def build_zip(entries, *, compression=zipfile.ZIP_DEFLATED) -> io.BytesIO:
    """entries: (name, bytes) pairs or ready ZipInfo/(ZipInfo, bytes) pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def tiny_package(*extra) -> list:
    return [("imsmanifest.xml", MANIFEST), ("index.html", PAGE), *extra]


def assert_nothing_left(folder: Path) -> None:
    assert list(folder.iterdir()) == []


def rejected(zip_file, tmp_path: Path, **limits) -> PackageError:
    """Both entry points refuse it, and extraction leaves nothing behind."""
    settings = PackageLimits(**limits)
    zip_file.seek(0)
    with pytest.raises(PackageError) as inspected:
        inspect_package(zip_file, limits=settings)
    zip_file.seek(0)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(PackageError) as extracted:
        extract_package(zip_file, target / "package", limits=settings)
    assert extracted.value.messages == inspected.value.messages
    assert_nothing_left(target)
    return inspected.value


# --- the shared fixtures ----------------------------------------------------------------
VALID_ZIPS = {
    "scorm12/RuntimeBasicCalls_SCORM12.zip": ("1.2", 1, 44),
    "scorm12/RuntimeMinimumCalls_SCORM12.zip": ("1.2", 18, 44),
    "scorm12/ContentPackagingOneFilePerSCO_SCORM12.zip": ("1.2", 0, 44),
    "scorm12/ContentPackagingSingleSCO_SCORM12.zip": ("1.2", 1, 44),
    "scorm12/ContentPackagingWithMetadata_SCORM12.zip": ("1.2", 1, 8),
    "scorm12/edge-cases/LaunchUrlFromNestedItem_SCORM12.zip": ("1.2", 2, 3),
    "scorm12/edge-cases/MultipleItemsWithIdentifierRef_SCORM12.zip": ("1.2", 3, 4),
    "scorm12/edge-cases/PrerequisitesTest_SCORM12.zip": ("1.2", 4, 5),
    "scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip": ("2004-3rd", 1, 69),
    "scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition.zip": ("2004-2nd", 1, 79),
    "scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition.zip": ("2004-3rd", 0, 69),
    "scorm2004/ContentPackagingMetadata_SCORM20043rdEdition.zip": ("2004-3rd", 1, 71),
    "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip": ("2004-3rd", 5, 69),
    "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip": ("2004-3rd", 8, 69),
    "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip": ("2004-3rd", 8, 69),
    "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip": ("2004-4th", 5, 59),
}

# Packages the SOURCES.md files mark as bad input, or whose content files are missing
# (manifest-only edge cases): refused, with the first reason given.
REFUSED_ZIPS = {
    "scorm12/edge-cases/MalformedXml_SCORM12.zip": (
        "imsmanifest.xml is not well-formed XML: mismatched tag (line 27, column 7)"
    ),
    "scorm12/edge-cases/MissingLaunchUrl_SCORM12.zip": (
        "resource 'resource_1' referenced by item 'item_1' has no href, "
        "so the item cannot be launched"
    ),
    "scorm12/edge-cases/MissingRequiredFields_SCORM12.zip": (
        "organization 'default_org' has no <title>"
    ),
    "scorm12/edge-cases/ItemWithNonExistentResourceId_SCORM12.zip": (
        "item 'item_1' references resource 'non_existent_resource' which is not in <resources>"
    ),
    "scorm12/edge-cases/InvalidFileReferences_SCORM12.zip": (
        "resource 'resource_1' launch file 'content/nonexistent.html' is not in the package"
    ),
    "scorm12/edge-cases/ComplexNestedOrganization_SCORM12.zip": (
        "resource 'resource_module_1' launch file 'content/module1.html' is not in the package"
    ),
    "scorm2004/edge-cases/InvalidMissingOrgIdentifier_SCORM20043rdEdition.zip": (
        "organization #1 has no identifier attribute"
    ),
    "scorm2004/edge-cases/MinimalValid_SCORM20043rdEdition.zip": (
        "resource 'res1' launch file 'index.html' is not in the package"
    ),
    "scorm2004/edge-cases/AdlAttributes_SCORM20043rdEdition.zip": (
        "resource 'res1' launch file 'index.html' is not in the package"
    ),
    "scorm2004/edge-cases/ContentPackagingNoSchemaVersion_SCORM20042ndEdition.zip": (
        "resource 'res1' launch file 'index.html' is not in the package"
    ),
}


def test_every_shared_zip_is_covered(shared_fixtures_root):
    on_disk = {
        str(p.relative_to(shared_fixtures_root))
        for folder in ("scorm12", "scorm2004")
        for p in (shared_fixtures_root / folder).rglob("*.zip")
    }
    assert on_disk == set(VALID_ZIPS) | set(REFUSED_ZIPS)


@pytest.mark.parametrize("name", sorted(VALID_ZIPS))
def test_valid_fixture_is_inspected_and_extracted(name, shared_fixture, tmp_path):
    version, scos, files = VALID_ZIPS[name]
    path = shared_fixture(name)

    info = inspect_package(path)
    extracted = extract_package(path, tmp_path / "pkg")

    assert info.manifest.version == version
    assert len(info.manifest.scos()) == scos
    assert len(info.files) == files
    assert extracted.files == info.files
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]
    on_disk = sorted(
        str(p.relative_to(tmp_path / "pkg")) for p in (tmp_path / "pkg").rglob("*") if p.is_file()
    )
    assert on_disk == sorted(info.files)
    launch = info.manifest.first_launchable().launch_url.split("?")[0]
    assert (tmp_path / "pkg" / launch).is_file()


@pytest.mark.parametrize("name", sorted(REFUSED_ZIPS))
def test_refused_fixture_gives_its_reason_and_leaves_nothing(name, shared_fixture, tmp_path):
    with shared_fixture(name).open("rb") as handle:
        error = rejected(io.BytesIO(handle.read()), tmp_path)

    assert error.message == REFUSED_ZIPS[name]


def test_invalid_file_references_lists_every_missing_file(shared_fixture):
    with pytest.raises(PackageError) as caught:
        inspect_package(shared_fixture("scorm12/edge-cases/InvalidFileReferences_SCORM12.zip"))

    assert caught.value.messages == (
        "resource 'resource_1' launch file 'content/nonexistent.html' is not in the package",
        "file listed by resource 'resource_1' 'content/nonexistent.js' is not in the package",
        "file listed by resource 'resource_1' 'content/nonexistent.css' is not in the package",
        "resource 'resource_2' launch file 'content/nonexistent_asset.html' is not in the package",
    )


# --- packages built here ------------------------------------------------------------------
def test_a_tiny_package_is_extracted_atomically(tmp_path):
    info = extract_package(build_zip(tiny_package(("css/site.css", b"body{}"))), tmp_path / "p")

    assert sorted(info.files) == ["css/site.css", "imsmanifest.xml", "index.html"]
    assert (tmp_path / "p" / "index.html").read_bytes() == PAGE
    assert [p.name for p in tmp_path.iterdir()] == ["p"]
    mode = stat.S_IMODE((tmp_path / "p" / "index.html").stat().st_mode)
    assert mode & 0o111 == 0


def test_extracting_over_an_existing_folder_is_refused(tmp_path):
    (tmp_path / "p").mkdir()

    with pytest.raises(FileExistsError):
        extract_package(build_zip(tiny_package()), tmp_path / "p")


def test_a_package_zipped_with_its_folder_is_accepted_and_the_folder_dropped(tmp_path):
    entries = [("Course/imsmanifest.xml", MANIFEST), ("Course/index.html", PAGE)]
    entries += [("__MACOSX/Course/._index.html", b"junk"), ("Course/.DS_Store", b"junk")]

    info = extract_package(build_zip(entries), tmp_path / "p")

    assert info.root_prefix == "Course/"
    assert sorted(info.files) == ["imsmanifest.xml", "index.html"]
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["imsmanifest.xml", "index.html"]
    assert "dropped" in info.warnings[0]


def test_a_manifest_deeper_than_one_folder_is_refused(tmp_path):
    zip_file = build_zip([("a/b/imsmanifest.xml", MANIFEST), ("a/b/index.html", PAGE)])

    error = rejected(zip_file, tmp_path)

    assert error.message == (
        "imsmanifest.xml must be at the root of the zip, but it is in 'a/b/'; "
        "zip the contents of 'a/b' rather than the folder"
    )


def test_missing_manifest(tmp_path):
    error = rejected(build_zip([("index.html", PAGE)]), tmp_path)

    assert error.message == (
        "the package has no imsmanifest.xml at its root, so it is not a SCORM package"
    )


def test_not_a_zip(tmp_path):
    error = rejected(io.BytesIO(b"this is not a zip at all"), tmp_path)

    assert error.message == "the upload is not a zip file (or the zip is damaged)"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd", "member '../../etc/passwd' would be written outside the package"),
        ("a/../../b.html", "member 'a/../../b.html' would be written outside the package"),
        ("..\\..\\evil.html", "member '..\\..\\evil.html' would be written outside the package"),
        ("a/../b.html", "member 'a/../b.html' has a '..' segment in its path"),
        ("/etc/passwd", "member '/etc/passwd' has an absolute path"),
        ("C:/Windows/evil.dll", "member 'C:/Windows/evil.dll' has an absolute path"),
        ("C:\\Windows\\evil.dll", "member 'C:\\Windows\\evil.dll' has an absolute path"),
        ("\\\\server\\share\\x", "member '\\\\server\\share\\x' has an absolute path"),
        ("bad\x01name.html", "member 'bad\\x01name.html' has control characters in its name"),
    ],
)
def test_zip_slip_and_absolute_paths(name, message, tmp_path):
    info = zipfile.ZipInfo(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, data in tiny_package():
            archive.writestr(entry, data)
        archive.writestr(info, b"owned")

    error = rejected(buffer, tmp_path)

    assert error.message == message
    assert not (tmp_path.parent / "evil.html").exists()


def test_symbolic_link_member(tmp_path):
    link = zipfile.ZipInfo("index2.html")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, data in tiny_package():
            archive.writestr(entry, data)
        archive.writestr(link, "/etc/passwd")

    assert rejected(buffer, tmp_path).message == "member 'index2.html' is a symbolic link"


def test_special_file_member(tmp_path):
    fifo = zipfile.ZipInfo("pipe")
    fifo.create_system = 3
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(fifo, b"")

    assert (
        rejected(buffer, tmp_path).message == "member 'pipe' is a special file, not a regular one"
    )


def set_encrypted_flag(data: bytearray, name: bytes) -> None:
    """Set general purpose bit 0 of ``name`` in its local header and central directory."""
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        position = data.find(signature)
        while position >= 0:
            if data[position + name_at : position + name_at + len(name)] == name:
                data[position + flags_at] |= 0x1
            position = data.find(signature, position + 1)


def test_encrypted_member(tmp_path):
    data = bytearray(build_zip(tiny_package(("secret.html", b"encrypted bytes"))).getvalue())
    set_encrypted_flag(data, b"secret.html")

    error = rejected(io.BytesIO(bytes(data)), tmp_path)

    assert error.message == "member 'secret.html' is encrypted"


def test_zip_bomb_member_with_a_huge_compression_ratio(tmp_path):
    zip_file = build_zip(tiny_package(("bomb.bin", b"\0" * (8 * 1024 * 1024))))

    error = rejected(zip_file, tmp_path)

    assert error.message.startswith("member 'bomb.bin' is compressed ")
    assert error.message.endswith("more than the 100 to 1 allowed (that is how zip bombs look)")


def test_small_very_compressible_files_are_not_taken_for_bombs(tmp_path):
    info = inspect_package(build_zip(tiny_package(("spaces.txt", b" " * 200_000))))

    assert "spaces.txt" in info.files


def test_too_many_members(tmp_path):
    entries = tiny_package(*((f"f/{i}.txt", b"") for i in range(19_999)))
    zip_file = build_zip(entries, compression=zipfile.ZIP_STORED)

    error = rejected(zip_file, tmp_path)

    assert error.message == "the package has 20,001 members, more than the 10,000 allowed"


def test_total_size_limit(tmp_path):
    zip_file = build_zip(tiny_package(("video.mp4", bytes(range(256)) * 40)), compression=0)

    error = rejected(zip_file, tmp_path, max_total_bytes=10_000)

    assert error.message == "the package expands to 10.6 KB, more than the 9.8 KB allowed"


def test_member_size_limit(tmp_path):
    zip_file = build_zip(tiny_package(("video.mp4", bytes(range(256)) * 40)), compression=0)

    error = rejected(zip_file, tmp_path, max_member_bytes=5_000)

    assert error.message == (
        "member 'video.mp4' expands to 10 KB, more than the 4.9 KB allowed for one file"
    )


def test_duplicate_member_names(tmp_path):
    with pytest.warns(UserWarning, match="Duplicate name"):
        zip_file = build_zip(tiny_package(("index.html", b"second copy")))

    error = rejected(zip_file, tmp_path)

    assert error.message == (
        "the package has two members named 'index.html' ('index.html' and 'index.html')"
    )


def test_a_file_and_a_folder_with_the_same_name(tmp_path):
    error = rejected(build_zip(tiny_package(("css", b"x"), ("css/site.css", b"y"))), tmp_path)

    assert error.message == "'css' is both a file and a folder"


def test_bad_crc_is_caught_and_the_partial_extraction_removed(tmp_path):
    zip_file = build_zip(tiny_package(("z-last.html", b"A" * 5000)), compression=zipfile.ZIP_STORED)
    data = bytearray(zip_file.getvalue())
    offset = data.rfind(b"A" * 5000)
    data[offset + 10] = ord("B")

    error = rejected(io.BytesIO(bytes(data)), tmp_path)

    assert error.message == "member 'z-last.html' is corrupt: its CRC-32 check failed"


def test_corrupt_deflate_data(tmp_path):
    zip_file = build_zip(tiny_package(("z.txt", b"hello world " * 500)))
    data = bytearray(zip_file.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("z.txt")
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start, start + 20):
        data[i] ^= 0xFF

    error = rejected(io.BytesIO(bytes(data)), tmp_path)

    assert error.message.startswith("member 'z.txt' is corrupt")


def test_manifest_with_entity_expansion(tmp_path):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<manifest>&lol3;</manifest>"
    )

    error = rejected(build_zip([("imsmanifest.xml", bomb), ("index.html", PAGE)]), tmp_path)

    assert error.message == (
        "imsmanifest.xml declares XML entities, which are not allowed "
        "(they can expand without bound or read files from the server)"
    )


def test_manifest_with_external_entity(tmp_path):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<manifest>&xxe;</manifest>"
    )

    error = rejected(build_zip([("imsmanifest.xml", xxe)]), tmp_path)

    assert "declares XML entities" in error.message


def test_manifest_naming_missing_files(tmp_path):
    manifest = MANIFEST.replace(
        b'<file href="index.html"/>', b'<file href="Index.HTML"/><file href="js/app.js"/>'
    )

    error = rejected(build_zip([("imsmanifest.xml", manifest), ("index.html", PAGE)]), tmp_path)

    assert error.messages == (
        "file listed by resource 'R1' 'Index.HTML' is not in the package "
        "(the package has 'index.html'; names are case-sensitive)",
        "file listed by resource 'R1' 'js/app.js' is not in the package",
    )


def test_listed_files_can_be_relaxed_but_launch_files_cannot(tmp_path):
    manifest = MANIFEST.replace(b'<file href="index.html"/>', b'<file href="js/app.js"/>')
    settings = PackageLimits(require_listed_files=False)

    info = inspect_package(
        build_zip([("imsmanifest.xml", manifest), ("index.html", PAGE)]), limits=settings
    )

    assert info.files == ("imsmanifest.xml", "index.html")
    missing = re.escape("launch file 'index.html' is not in the package")
    with pytest.raises(PackageError, match=missing):
        inspect_package(build_zip([("imsmanifest.xml", manifest)]), limits=settings)


def test_oversized_manifest(tmp_path):
    error = rejected(build_zip(tiny_package()), tmp_path, max_manifest_bytes=100)

    assert error.message == "imsmanifest.xml is 626 bytes, more than the 100 bytes allowed"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (10, "10 bytes"),
        (1536, "1.5 KB"),
        (500 * 1024 * 1024, "500 MB"),
        (int(2.1 * 1024**3), "2.1 GB"),
    ],
)
def test_human_sizes(size, text):
    assert human_size(size) == text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_zips_only_ever_raise_package_error(flips):
    data = bytearray(build_zip(tiny_package(("css/site.css", b"body{}" * 50))).getvalue())
    for position, byte in flips:
        data[position % len(data)] = byte

    try:
        info = inspect_package(io.BytesIO(bytes(data)))
    except PackageError as error:
        assert error.message
    else:
        assert "imsmanifest.xml" in info.files
