"""SCORM 2004 4th edition shared data (adl.data): the manifest's adlcp:data/adlcp:map,
the data model's permissions and errors, and buckets one SCO writes and another reads
(courses/scorm/shared_data.py)."""

import io
import zipfile

import pytest

from courses import services as course_services
from courses.models import Enrolment, ScormAttempt, ScormSharedData
from courses.scorm import services
from courses.scorm.datamodel import Cmi2004, LaunchContext, SharedData, apply_commit
from courses.scorm.manifest import ManifestError, SharedDataMap, parse_manifest
from courses.scorm.package_summary import manifest_summary
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

GOLF_4TH = "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"
GOLF_NOTES = "com.scorm.golfsamples.sequencing.forcedsequential.notesStorage"


def _manifest(items: str, organization: str = "") -> bytes:
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="{n}.html">'
        f'<file href="{n}.html"/></resource>'
        for n in range(1, 4)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="fia.test.shared" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org" {organization}>
    <title>Shared</title>{items}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>""".encode()


def _item(n: int, maps: str) -> str:
    data = f"<adlcp:data>{maps}</adlcp:data>" if maps else ""
    return f'<item identifier="i{n}" identifierref="r{n}"><title>SCO {n}</title>{data}</item>'


NOTES = '<adlcp:map targetID="notes"/>'
READ_ONLY = '<adlcp:map targetID="answers" readSharedData="true" writeSharedData="false"/>'
WRITE_ONLY = '<adlcp:map targetID="dropbox" readSharedData="false" writeSharedData="true"/>'
WRITER = '<adlcp:map targetID="answers" writeSharedData="true"/>'
BOX = '<adlcp:map targetID="dropbox" readSharedData="true" writeSharedData="false"/>'


# --- The manifest -------------------------------------------------------------------------
def test_the_golf_4th_edition_package_maps_one_notes_bucket_on_every_item(shared_fixture):
    with zipfile.ZipFile(shared_fixture(GOLF_4TH)) as archive:
        manifest = parse_manifest(data=archive.read("imsmanifest.xml"))

    organization = manifest.default_organization
    items = list(manifest.launchable_items())

    assert manifest.version == "2004-4th"
    assert organization.shared_data_global_to_system is False
    assert len(items) == 5
    assert {item.shared_data for item in items} == {(SharedDataMap(GOLF_NOTES, True, True),)}


def test_maps_keep_their_order_and_permissions_with_the_defaults():
    manifest = parse_manifest(data=_manifest(_item(1, NOTES + READ_ONLY + WRITE_ONLY)))

    (item,) = manifest.launchable_items()

    assert item.shared_data == (
        SharedDataMap("notes", True, True),  # both permissions default to true
        SharedDataMap("answers", True, False),
        SharedDataMap("dropbox", False, True),
    )
    assert manifest.default_organization.shared_data_global_to_system is True  # the default


@pytest.mark.parametrize(
    ("maps", "words"),
    [
        ('<adlcp:map readSharedData="true"/>', "without targetID"),
        ('<adlcp:map targetID="x" writeSharedData="sometimes"/>', "invalid <adlcp:map>"),
    ],
)
def test_a_bad_map_is_refused_with_its_item(maps, words):
    with pytest.raises(ManifestError, match=words) as error:
        parse_manifest(data=_manifest(_item(1, maps)))

    assert "item 'i1'" in str(error.value)


def test_the_summary_keeps_each_scos_buckets_once_and_the_scope():
    manifest = parse_manifest(
        data=_manifest(
            _item(1, NOTES + NOTES.replace("/>", ' writeSharedData="false"/>')) + _item(2, ""),
            organization='adlcp:sharedDataGlobalToSystem="false"',
        )
    )

    tree, scos = manifest_summary(manifest)

    assert tree["shared_data_global"] is False
    assert scos[0]["shared_data"] == [{"id": "notes", "read": True, "write": True}]
    assert scos[1]["shared_data"] == []


# --- The data model -----------------------------------------------------------------------
def _model(*buckets: SharedData) -> Cmi2004:
    return Cmi2004.launch(context=LaunchContext(shared_data=buckets))


def test_adl_data_follows_the_4th_edition_error_behaviour():
    cmi = _model(
        SharedData("notes"),
        SharedData("answers", writable=False, value="42"),
        SharedData("dropbox", readable=False),
    )

    assert cmi.get_value("adl.data._children") == ("id,store", 0)
    assert cmi.get_value("adl.data._count") == ("3", 0)
    assert cmi.get_value("adl.data.1.id") == ("answers", 0)
    assert cmi.get_value("adl.data.0.store") == ("", 403)  # nobody wrote it yet
    assert cmi.get_value("adl.data.1.store") == ("42", 0)
    assert cmi.get_value("adl.data.2.store") == ("", 405)  # readSharedData="false"
    assert cmi.get_value("adl.data.3.id") == ("", 301)  # beyond _count
    assert cmi.set_value("adl.data.1.store", "43") == 404  # writeSharedData="false"
    assert cmi.set_value("adl.data.0.id", "other") == 404  # the LMS names the buckets
    assert cmi.set_value("adl.data._count", "4") == 404
    assert cmi.set_value("adl.data.3.store", "x") == 351  # beyond _count: no new bucket
    assert cmi.set_value("adl.data.0.store", "x" * 64001) == 406  # SPM 64000 characters
    assert cmi.set_value("adl.data.2.store", "for the trainer") == 0
    assert cmi.get_value("adl.data.2.store") == ("", 405)  # still not readable by this SCO
    assert cmi.set_value("adl.data.0.store", "") == 0
    assert cmi.get_value("adl.data.0.store") == ("", 0)


def test_a_package_without_maps_has_no_buckets():
    cmi = _model()

    assert cmi.get_value("adl.data._count") == ("0", 0)
    assert cmi.get_value("adl.data.0.id") == ("", 301)
    assert cmi.set_value("adl.data.0.store", "x") == 351


def test_the_server_replay_refuses_what_the_map_does_not_allow():
    context = LaunchContext(
        shared_data=(SharedData("notes"), SharedData("answers", writable=False))
    )

    result = apply_commit(
        {},
        [["adl.data.0.store", "mine"], ["adl.data.1.store", "forged"]],
        version="2004-4th",
        context=context,
    )

    assert result.state["adl.data.0.store"] == "mine"
    assert "adl.data.1.store" not in result.state
    assert [(e.element, e.code) for e in result.errors] == [("adl.data.1.store", 404)]


# --- Buckets in the platform ------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course(db, media):
    return course_create(modules=1, lessons=1, code="TST-SHD-1")


def _member(course):
    user = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    return user


@pytest.fixture
def learner(course):
    return _member(course)


def _zip(manifest: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for n in range(1, 4):
            archive.writestr(f"{n}.html", "<!doctype html><title>SCO</title>")
    buffer.seek(0)
    return buffer


def _upload(course, manifest: bytes):
    return services.scorm_package_upload(course=course, file=_zip(manifest), user=None).package


def _commit(launch, user, *pairs, seq=1):
    return services.scorm_attempt_commit(
        attempt_id=launch.attempt.pk,
        user=user,
        session=launch.session,
        commits=[{"seq": seq, "values": [list(pair) for pair in pairs]}],
    )


@pytest.fixture
def package(course):
    """SCO 1 writes the answers SCO 2 may only read; SCO 2 drops notes into a box SCO 1
    may only read; SCO 3 maps nothing. Buckets stay within the package."""
    return _upload(
        course,
        _manifest(
            _item(1, WRITER + BOX) + _item(2, READ_ONLY + WRITE_ONLY) + _item(3, ""),
            organization='adlcp:sharedDataGlobalToSystem="false"',
        ),
    )


def test_one_scos_write_is_read_by_another_sco_of_the_package(package, learner):
    first = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    outcome = _commit(first, learner, ("adl.data.0.store", "B,C,A"), ("cmi.location", "end"))

    second = services.scorm_attempt_launch(user=learner, package=package, sco="i2")
    cmi = Cmi2004.launch(
        context=services.attempt_context(
            user=learner, version=package.current, sco="i2", shared_values=True
        ),
        state=second.values,
    )

    assert outcome.errors == []
    assert second.values["adl.data.0.store"] == "B,C,A"
    assert second.shared == [
        {"id": "answers", "read": True, "write": False},
        {"id": "dropbox", "read": False, "write": True},
    ]
    assert cmi.get_value("adl.data.0.id") == ("answers", 0)
    assert cmi.get_value("adl.data.0.store") == ("B,C,A", 0)
    # the bucket is the learner's and the package's, not the attempt's
    assert "adl.data.0.store" not in ScormAttempt.objects.get(sco="i1").state
    bucket = ScormSharedData.objects.get()
    assert (bucket.user, bucket.package, bucket.target_id) == (learner, package, "answers")


def test_a_sco_never_receives_a_bucket_it_may_not_read(package, learner):
    writer = services.scorm_attempt_launch(user=learner, package=package, sco="i2")
    _commit(writer, learner, ("adl.data.1.store", "note for the trainer"))

    again = services.scorm_attempt_launch(user=learner, package=package, sco="i2")
    reader = services.scorm_attempt_launch(user=learner, package=package, sco="i1")

    assert "adl.data.1.store" not in again.values  # written by it, still unreadable to it
    assert reader.values["adl.data.1.store"] == "note for the trainer"


def test_a_write_the_map_forbids_is_refused_and_not_stored(package, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package, sco="i2")

    outcome = _commit(launch, learner, ("adl.data.0.store", "forged"))

    assert [(e["element"], e["code"]) for e in outcome.errors] == [("adl.data.0.store", 404)]
    assert not ScormSharedData.objects.exists()


def test_a_sco_without_maps_sees_no_bucket(package, learner):
    writer = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(writer, learner, ("adl.data.0.store", "x"))

    launch = services.scorm_attempt_launch(user=learner, package=package, sco="i3")

    assert launch.shared == []
    assert not any(key.startswith("adl.data") for key in launch.values)


def test_buckets_are_per_learner(course, package, learner):
    other = _member(course)
    mine = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(mine, learner, ("adl.data.0.store", "mine"))

    theirs = services.scorm_attempt_launch(user=other, package=package, sco="i2")

    assert "adl.data.0.store" not in theirs.values


def test_a_stale_or_repeated_commit_does_not_write_the_bucket_again(package, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(launch, learner, ("adl.data.0.store", "first"), seq=1)
    _commit(launch, learner, ("adl.data.0.store", "second"), seq=2)

    late = _commit(launch, learner, ("adl.data.0.store", "first"), seq=1)

    assert late.applied == 0
    assert ScormSharedData.objects.get().value == "second"


def test_package_buckets_stay_in_their_package_global_ones_do_not(course, package, learner):
    manifest = _manifest(_item(1, WRITER) + _item(2, READ_ONLY))
    global_a, global_b = _upload(course, manifest), _upload(course, manifest)
    local = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(local, learner, ("adl.data.0.store", "in the package"))
    in_a = services.scorm_attempt_launch(user=learner, package=global_a, sco="i1")
    _commit(in_a, learner, ("adl.data.0.store", "for every package"))

    from_b = services.scorm_attempt_launch(user=learner, package=global_b, sco="i2")
    from_local = services.scorm_attempt_launch(user=learner, package=package, sco="i2")

    assert from_b.values["adl.data.0.store"] == "for every package"
    assert from_local.values["adl.data.0.store"] == "in the package"
    assert ScormSharedData.objects.filter(package=None).count() == 1


def test_a_version_uploaded_before_buckets_were_kept_reads_them_from_its_manifest(package, learner):
    version = package.current
    for sco in version.scos:
        del sco["shared_data"]
    del version.manifest["shared_data_global"]
    version.save()

    writer = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(writer, learner, ("adl.data.0.store", "kept"))
    reader = services.scorm_attempt_launch(user=learner, package=package, sco="i2")

    assert reader.values["adl.data.0.store"] == "kept"
    assert ScormSharedData.objects.get().package == package


def test_the_golf_package_shares_its_notes_between_scos(course, learner, shared_fixture):
    version = services.scorm_package_upload(course=course, file=shared_fixture(GOLF_4TH), user=None)
    first, second = (sco["identifier"] for sco in version.scos[:2])

    writer = services.scorm_attempt_launch(user=learner, package=version.package, sco=first)
    _commit(writer, learner, ("adl.data.0.store", "Keep the head down."))
    reader = services.scorm_attempt_launch(user=learner, package=version.package, sco=second)

    assert reader.shared == [{"id": GOLF_NOTES, "read": True, "write": True}]
    assert reader.values["adl.data.0.store"] == "Keep the head down."
    assert ScormSharedData.objects.get().package == version.package  # not global: "false"


def test_the_launch_endpoint_delivers_buckets_and_values(client, package, learner):
    writer = services.scorm_attempt_launch(user=learner, package=package, sco="i1")
    _commit(writer, learner, ("adl.data.0.store", "B,C,A"))
    client.force_login(learner)

    response = client.post(
        f"/learn/scorm/{package.pk}/launch",
        {"request": "choice", "target": "i2"},
        content_type="application/json",
    )

    data = response.json()
    assert data["sco"] == "i2"
    assert data["shared"] == [
        {"id": "answers", "read": True, "write": False},
        {"id": "dropbox", "read": False, "write": True},
    ]
    assert data["values"]["adl.data.0.store"] == "B,C,A"
