"""Every importer against hostile input: fuzzed bytes and a corpus of attack files.

Each must answer with its own clear error (never a crash, a hang or a huge allocation)
and, through the services, leave nothing behind. Hypothesis runs a bounded number of
examples with a deadline per example, so the suite stops by itself.
"""

import contextlib
import io
import resource
import stat
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.formats import FormatError, parse
from courses.curriculum import CurriculumError, parse_curriculum
from courses.scorm.package import PackageError, PackageLimits, inspect_package
from courses.services import roster_parse
from lms.exceptions import ServiceError

# In the suite: 150 examples per test, the same ones every run, each within a deadline.
# `make fuzz` loads the "fuzz" profile (HYPOTHESIS_PROFILE=fuzz, tests/conftest.py), whose
# many random examples without a deadline then apply: nothing here overrides them.
SUITE_RUN = {"max_examples": 150, "deadline": 2000, "derandomize": True}
FUZZ = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    **({} if settings.get_current_profile_name() == "fuzz" else SUITE_RUN),
)
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
SMALL_LIMITS = PackageLimits(
    max_total_bytes=2 * 1024 * 1024,
    max_members=200,
    max_ratio=50.0,
    max_member_bytes=2 * 1024 * 1024,
)

# Text that looks enough like each format to get past the first checks.
gift_like = st.text(
    alphabet=st.sampled_from([*list("::{}=~#%-.:[]$\\/ \n\tabcTF1234567890*<>&;'\""), "\x00"]),
    max_size=400,
)
xml_like = st.text(
    alphabet=st.sampled_from(list('<>/=" ?!-[]quizqestiontyp&;#xX0123456789 \n')), max_size=400
)
yaml_like = st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"# \n\tab01%@`,?")), max_size=300)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- Fuzzing -----------------------------------------------------------------------------
@FUZZ
@given(data=st.one_of(st.binary(max_size=400), gift_like.map(str.encode)))
def test_gift_import_only_ever_says_what_is_wrong(data):
    try:
        parse(data, "gift", filename="fuzz.gift")
    except FormatError as error:
        assert str(error)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), xml_like.map(str.encode)))
def test_moodle_xml_import_only_ever_says_what_is_wrong(data):
    try:
        parse(data, "moodlexml", filename="fuzz.xml")
    except FormatError as error:
        assert str(error)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), yaml_like.map(str.encode)))
def test_curriculum_import_only_ever_says_what_is_wrong(data):
    try:
        parse_curriculum(data, filename="fuzz.yaml")
    except CurriculumError as error:
        assert str(error)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_roster_parsing_only_ever_says_what_is_wrong(data):
    try:
        rows = roster_parse(data=data)
    except ServiceError as error:
        assert str(error)
    else:
        assert all(isinstance(line, int) and isinstance(row, dict) for line, row in rows)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_scorm_inspection_only_ever_says_what_is_wrong(data):
    try:
        inspect_package(io.BytesIO(data), limits=SMALL_LIMITS)
    except PackageError as error:
        assert str(error)


@FUZZ
@given(
    names=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=5),
    payload=st.binary(max_size=200),
)
def test_scorm_zips_with_arbitrary_member_names_are_checked(names, payload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            # names zipfile itself cannot write (a NUL cuts "\x00" down to nothing)
            with contextlib.suppress(ValueError, UnicodeEncodeError, IndexError):
                archive.writestr(name, payload)
    buffer.seek(0)
    try:
        inspect_package(buffer, limits=SMALL_LIMITS)
    except PackageError as error:
        assert str(error)


# --- The attack corpus ------------------------------------------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<quiz><question type="essay"><name><text>&lol5;</text></name></question></quiz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&secret;</text></name>
<questiontext format="html"><text>&secret;</text></questiontext></question></quiz>"""
DEEP_XML = b"<quiz>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</quiz>"
YAML_BOMB = b"""a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""
DEEP_YAML = b"a: " + b"[" * 10_000 + b"]" * 10_000
WINDOWS_1252 = "::Caf\xe9:: Le caf\xe9 est chaud {T}".encode("cp1252")
CONTROL_CHARACTERS = b"::Q:: What is\x07 this\x1b[31m? {=yes ~no}"


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return buffer


MANIFEST = (
    b'<?xml version="1.0"?><manifest identifier="m" xmlns="http://www.imsproject.org/xsd/'
    b'imscp_rootv1p1p2"><organizations/><resources/></manifest>'
)
ZIP_ATTACKS = {
    "zip slip": _zip({"imsmanifest.xml": MANIFEST, "../../evil.txt": b"x"}),
    "absolute path": _zip({"imsmanifest.xml": MANIFEST, "/etc/evil": b"x"}),
    "symlink": _zip({"imsmanifest.xml": MANIFEST}, symlink="link"),
    "zip bomb": _zip({"imsmanifest.xml": MANIFEST, "bomb.txt": b"\0" * (20 * 1024 * 1024)}),
    "too many members": _zip({f"f{n}.txt": b"x" for n in range(300)}),
    "not a zip": io.BytesIO(b"PK\x03\x04 this is not really a zip"),
    "entity in manifest": _zip({"imsmanifest.xml": BILLION_LAUGHS}),
}


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("moodlexml", BILLION_LAUGHS),
        ("moodlexml", EXTERNAL_ENTITY),
        ("gift", WINDOWS_1252),
        ("gift", CONTROL_CHARACTERS),
        ("gift", b"::Q:: {" * 20_000),
        ("moodlexml", b"\xff\xfe<\x00q\x00u\x00i\x00z\x00>\x00"),
    ],
    ids=[
        "billion laughs",
        "external entity",
        "windows-1252",
        "control chars",
        "unclosed braces",
        "utf-16",
    ],
)
def test_question_attack_files_are_refused_quickly_and_clearly(fmt, data):
    before, started = _peak_kib(), time.monotonic()

    with pytest.raises(FormatError) as caught:
        parse(data, fmt, filename="attack")

    assert str(caught.value)
    assert time.monotonic() - started < 10
    assert _peak_kib() - before < 200 * 1024  # well under 200 MB more at the peak
    assert "root:" not in str(caught.value)  # no file content leaked through an entity


def test_deeply_nested_xml_is_read_in_bounded_time_and_yields_nothing():
    started = time.monotonic()

    try:
        bank = parse(DEEP_XML, "moodlexml", filename="deep.xml")
    except FormatError as error:
        assert str(error)
    else:
        assert bank.questions == []
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "data",
    [YAML_BOMB, DEEP_YAML, b"title: !!python/object/apply:os.system ['id']\n", WINDOWS_1252],
    ids=["yaml bomb", "deep nesting", "python tag", "windows-1252"],
)
def test_curriculum_attack_files_are_refused_quickly_and_clearly(data):
    started = time.monotonic()

    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(data, filename="attack.yaml")

    assert str(caught.value)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("name", sorted(ZIP_ATTACKS))
def test_scorm_attack_zips_are_refused_quickly_and_clearly(name):
    archive = ZIP_ATTACKS[name]
    archive.seek(0)
    started = time.monotonic()

    with pytest.raises(PackageError) as caught:
        inspect_package(archive, limits=SMALL_LIMITS)

    assert str(caught.value)
    assert time.monotonic() - started < 10


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["zip slip", "symlink", "zip bomb", "entity in manifest"])
def test_a_refused_scorm_upload_leaves_no_file_and_no_row(name, settings, tmp_path):
    from courses.models import ScormPackage, ScormPackageVersion
    from tests.courses.factories import course_create

    settings.MEDIA_ROOT = str(tmp_path)
    settings.SCORM_MAX_BYTES = SMALL_LIMITS.max_total_bytes
    settings.SCORM_MAX_MEMBERS = SMALL_LIMITS.max_members
    course = course_create()
    archive = ZIP_ATTACKS[name]
    archive.seek(0)
    upload = tmp_path / "upload.zip"
    upload.write_bytes(archive.read())
    from courses.scorm.services import scorm_package_upload

    with pytest.raises(ServiceError):
        scorm_package_upload(course=course, file=upload, user=None)

    assert not ScormPackage.objects.exists() and not ScormPackageVersion.objects.exists()
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["upload.zip"]


@pytest.mark.django_db
def test_a_refused_question_import_leaves_no_question(users):
    from assessments.models import Question, QuestionCategory
    from assessments.services import question_import
    from tests.courses.factories import course_create

    course = course_create()

    with pytest.raises(ServiceError):
        question_import(
            course=course, data=b"::ok:: fine {T}\n\n::bad:: broken {=a ~b", fmt="gift",
            filename="mixed.gift", user=users["admin"],
        )  # fmt: skip

    assert not Question.objects.filter(course=course).exists()
    assert not QuestionCategory.objects.filter(course=course, parent__isnull=False).exists()
