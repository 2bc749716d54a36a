"""SCORM services: upload (and refusal leaving nothing), launch/resume, ordered commits,
report rows, lesson completion."""

import io
import zipfile
from pathlib import Path

import pytest

from courses import services as course_services
from courses.demo_scorm import passport_package_12, passport_package_2004, scorm_demo_attach
from courses.models import (
    Enrolment,
    LessonProgress,
    ScormAttempt,
    ScormInteraction,
    ScormObjective,
    ScormPackage,
    ScormPackageVersion,
)
from courses.scorm import selectors as scorm_selectors
from courses.scorm import services
from lms.exceptions import ServiceError, TooLarge
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def course():
    return course_create(modules=1, lessons=2)


@pytest.fixture
def learner(course):
    user = UserFactory(first_name="Ayesha", last_name="Khan")
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    return user


def _files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def _upload(course, data: bytes, **kwargs):
    return services.scorm_package_upload(course=course, file=io.BytesIO(data), user=None, **kwargs)


def test_upload_extracts_the_package_and_records_version_and_scos(course, media):
    version = _upload(course, passport_package_12())

    package = version.package
    assert package.current == version and package.version == "1.2"
    assert version.number == 1
    assert [s["identifier"] for s in version.scos] == ["item_passport"]
    assert version.scos[0]["context"]["mastery_score"] == 67
    assert (media / "scorm" / str(package.pk) / "1" / "index.html").is_file()


def test_reupload_makes_a_new_version_and_keeps_the_old_files(course, media):
    first = _upload(course, passport_package_12())
    second = _upload(course, passport_package_12(), package=first.package)

    assert second.number == 2
    assert ScormPackage.objects.get().current == second
    assert services.version_root(first).joinpath("index.html").is_file()
    assert services.version_root(second).joinpath("index.html").is_file()


@pytest.mark.parametrize(
    "shared",
    [
        "scorm12/RuntimeBasicCalls_SCORM12.zip",
        "scorm2004/RuntimeBasicCalls_SCORM20043rdEdition.zip",
    ],
)
def test_fixture_packages_upload_with_their_version(course, shared_fixture, shared):
    version = services.scorm_package_upload(course=course, file=shared_fixture(shared), user=None)

    assert version.version == ("1.2" if "SCORM12" in shared else "2004-3rd")
    assert len(version.scos) == 1


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _manifest() -> bytes:
    with zipfile.ZipFile(io.BytesIO(passport_package_12())) as archive:
        return archive.read("imsmanifest.xml")


HOSTILE = {
    "zip slip": lambda: _zip({"imsmanifest.xml": _manifest(), "../evil.html": b"x"}),
    "symlink": lambda: _zip({"imsmanifest.xml": _manifest()}, symlink="index.html"),
    "not a zip": lambda: b"this is not a zip file at all",
    "missing launch file": lambda: _zip({"imsmanifest.xml": _manifest()}),
    "no manifest": lambda: _zip({"index.html": b"<p>hi</p>"}),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_zips_are_refused_leaving_no_rows_and_no_files(course, media, kind):
    with pytest.raises(ServiceError) as caught:
        _upload(course, HOSTILE[kind]())

    assert caught.value.detail
    assert not ScormPackage.objects.exists()
    assert not ScormPackageVersion.objects.exists()
    assert _files(media) == []


def test_a_zip_bomb_is_too_large(course, media):
    bomb = _zip({"imsmanifest.xml": _manifest(), "index.html": b"0" * (8 * 1024 * 1024),
                 "module.js": b"", "module.css": b""})  # fmt: skip

    with pytest.raises(TooLarge) as caught:
        _upload(course, bomb)

    assert "zip bombs" in caught.value.detail
    assert not ScormPackage.objects.exists() and _files(media) == []


def test_too_many_members_is_too_large(course, media, settings):
    settings.SCORM_MAX_MEMBERS = 5
    members = {"imsmanifest.xml": _manifest(), **{f"f{n}.txt": b"x" for n in range(6)}}

    with pytest.raises(TooLarge):
        _upload(course, _zip(members))

    assert not ScormPackage.objects.exists() and _files(media) == []


def test_a_failure_after_extraction_removes_the_files(course, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ScormPackageVersion.objects, "create", broken)

    with pytest.raises(RuntimeError):
        _upload(course, passport_package_12())

    assert not ScormPackage.objects.exists()
    assert _files(media) == []


# --- Launch, commits ---------------------------------------------------------------------
@pytest.fixture
def package_12(course):
    return _upload(course, passport_package_12()).package


@pytest.fixture
def package_2004(course):
    return _upload(course, passport_package_2004()).package


def _commit(launch, user, *commits, session=None):
    return services.scorm_attempt_commit(
        attempt_id=launch.attempt.pk,
        user=user,
        session=session or launch.session,
        commits=list(commits),
    )


def test_first_launch_is_ab_initio_with_the_learner_in_the_context(package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    assert launch.values["cmi.core.entry"] == "ab-initio"
    assert launch.context["cmi.core.student_id"] == learner.username
    assert launch.context["cmi.core.student_name"] == "Khan, Ayesha"
    assert launch.context["cmi.student_data.mastery_score"] == "67"
    assert launch.attempt.number == 1 and launch.session == 1


def test_the_manifest_time_limits_reach_the_sco_at_launch(course, learner):
    """adlcp:maxtimeallowed and adlcp:timelimitaction (SCORM 1.2) are read-only
    cmi.student_data values of the SCO; so is the passport package's SCORM 2004 default."""
    limited = _changed_manifest(
        passport_package_12(),
        "<adlcp:masteryscore>67</adlcp:masteryscore>",
        "<adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>"
        "<adlcp:timelimitaction>exit,message</adlcp:timelimitaction>",
    )
    package = _upload(course, limited).package
    package_2004 = _upload(course, passport_package_2004()).package

    launch = services.scorm_attempt_launch(user=learner, package=package, sco="item_passport")
    launch_2004 = services.scorm_attempt_launch(
        user=learner, package=package_2004, sco="item_passport"
    )

    assert launch.context["cmi.student_data.max_time_allowed"] == "00:30:00"
    assert launch.context["cmi.student_data.time_limit_action"] == "exit,message"
    assert launch_2004.context["cmi.time_limit_action"] == "continue,no message"
    assert "cmi.max_time_allowed" not in launch_2004.context  # no limit: not initialised


def _changed_manifest(data: bytes, old: str, new: str) -> bytes:
    """The zip ``data`` with ``old`` replaced by ``new`` in its imsmanifest.xml."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "imsmanifest.xml":
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode())
            archive.writestr(name, content)
    return buffer.getvalue()


def test_commits_are_applied_once_and_in_order(package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    first = _commit(launch, learner, {"seq": 1, "values": [["cmi.core.lesson_location", "p1"]]})
    newer = _commit(launch, learner, {"seq": 2, "values": [["cmi.core.lesson_location", "p2"]]})
    retried = _commit(launch, learner, {"seq": 1, "values": [["cmi.core.lesson_location", "p1"]]})

    attempt = ScormAttempt.objects.get()
    assert attempt.state["cmi.core.lesson_location"] == "p2"
    assert attempt.seq == 2
    assert (first.applied, newer.applied, retried.applied) == (1, 1, 0)
    assert retried.seq == 2


def test_a_batch_is_applied_in_seq_order_whatever_order_it_arrives_in(package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    _commit(
        launch,
        learner,
        {"seq": 2, "values": [["cmi.core.lesson_location", "second"]]},
        {"seq": 1, "values": [["cmi.core.lesson_location", "first"]]},
    )

    assert ScormAttempt.objects.get().state["cmi.core.lesson_location"] == "second"


def test_commits_of_an_older_session_are_acknowledged_and_ignored(package_12, learner):
    old = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")
    services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    outcome = _commit(old, learner, {"seq": 5, "values": [["cmi.core.lesson_location", "old"]]})

    assert outcome.stale and outcome.seq == 5
    assert "cmi.core.lesson_location" not in ScormAttempt.objects.get().state


def test_invalid_values_are_reported_and_the_rest_is_kept(package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    outcome = _commit(
        launch,
        learner,
        {"seq": 1, "values": [["cmi.core.score.raw", "200"], ["cmi.core.lesson_location", "ok"]]},
    )

    assert [e["element"] for e in outcome.errors] == ["cmi.core.score.raw"]
    assert ScormAttempt.objects.get().state["cmi.core.lesson_location"] == "ok"


def test_another_users_attempt_is_not_found(package_12, learner):
    from django.http import Http404

    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")
    with pytest.raises(Http404):
        _commit(launch, UserFactory(), {"seq": 1, "values": []})


def test_resume_after_suspend_gives_entry_resume_and_the_suspend_data(package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")
    _commit(
        launch,
        learner,
        {"seq": 1, "values": [["cmi.suspend_data", "page=2"], ["cmi.core.exit", "suspend"],
                              ["cmi.core.session_time", "0000:01:30"]], "finish": True},
    )  # fmt: skip

    again = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    assert again.attempt.pk == launch.attempt.pk
    assert again.values["cmi.core.entry"] == "resume"
    assert again.values["cmi.suspend_data"] == "page=2"
    assert again.values["cmi.core.total_time"] == "0000:01:30.00"


def test_a_2004_attempt_ended_without_suspend_starts_a_new_attempt(package_2004, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_2004, sco="item_passport")
    _commit(launch, learner, {"seq": 1, "values": [["cmi.exit", "normal"]], "finish": True})

    again = services.scorm_attempt_launch(user=learner, package=package_2004, sco="item_passport")

    assert again.attempt.number == 2
    assert again.values["cmi.entry"] == "ab-initio"


def test_a_2004_suspended_attempt_resumes(package_2004, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_2004, sco="item_passport")
    _commit(
        launch,
        learner,
        {"seq": 1, "values": [["cmi.exit", "suspend"], ["cmi.suspend_data", "x"]], "finish": True},
    )

    again = services.scorm_attempt_launch(user=learner, package=package_2004, sco="item_passport")

    assert again.attempt.number == 1 and again.values["cmi.entry"] == "resume"


def test_starting_over_makes_a_new_attempt(package_12, learner):
    services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")
    again = services.scorm_attempt_launch(
        user=learner, package=package_12, sco="item_passport", restart=True
    )
    assert again.attempt.number == 2
    assert ScormAttempt.objects.count() == 2


def test_a_new_version_starts_a_new_attempt_and_the_old_one_stays(course, package_12, learner):
    launch = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")
    _upload(course, passport_package_12(), package=package_12)

    again = services.scorm_attempt_launch(user=learner, package=package_12, sco="item_passport")

    assert again.attempt.number == 2
    assert ScormAttempt.objects.get(pk=launch.attempt.pk).package_version.number == 1


def _answer(package_2004, learner, *, scaled: str):
    launch = services.scorm_attempt_launch(user=learner, package=package_2004, sco="item_passport")
    return _commit(
        launch,
        learner,
        {
            "seq": 1,
            "values": [
                ["cmi.interactions.0.id", "q1"],
                ["cmi.interactions.0.type", "choice"],
                ["cmi.interactions.0.learner_response", "b"],
                ["cmi.interactions.0.result", "correct"],
                ["cmi.objectives.0.success_status", "passed"],
                ["cmi.score.scaled", scaled],
                ["cmi.score.raw", "90"],
                ["cmi.completion_status", "completed"],
                ["cmi.session_time", "PT2M"],
            ],
            "finish": True,
        },
    )


def test_commit_stores_status_score_interactions_and_objectives(package_2004, learner):
    outcome = _answer(package_2004, learner, scaled="0.9")

    attempt = ScormAttempt.objects.get()
    assert outcome.errors == []
    assert (attempt.completion_status, attempt.success_status) == ("completed", "passed")
    assert attempt.score_scaled == 0.9 and attempt.score_raw == 90
    assert attempt.total_time_seconds == 120
    interaction = ScormInteraction.objects.get()
    assert (interaction.identifier, interaction.learner_response, interaction.result) == (
        "q1", "b", "correct"
    )  # fmt: skip
    objective = ScormObjective.objects.get()
    assert (objective.identifier, objective.success_status) == ("passport_check", "passed")


def test_passing_score_decides_success_in_2004(package_2004, learner):
    _answer(package_2004, learner, scaled="0.3")
    assert ScormAttempt.objects.get().success_status == "failed"


def test_completion_completes_the_lessons_that_hold_the_package(course, package_2004, learner):
    lesson = lessons_of(course)[0]
    lesson.completion_rule = "activities"
    lesson.body = [("scorm", {"title": "Passports", "required": True,
                              "package": str(package_2004.pk)})]  # fmt: skip
    lesson.save_revision().publish()

    _answer(package_2004, learner, scaled="0.9")

    assert LessonProgress.objects.get(user=learner, lesson=lesson).completed_at is not None


def test_report_and_grades(course, package_2004, learner):
    _answer(package_2004, learner, scaled="0.9")

    rows = scorm_selectors.scorm_attempts_report(package=package_2004)
    grades = scorm_selectors.scorm_grades(course=course)

    assert rows[0].attempts["item_passport"].success_status == "passed"
    assert grades == {(learner.pk, package_2004.pk): 0.9}


def test_demo_attach_is_idempotent(course):
    scorm_demo_attach(course=course)
    scorm_demo_attach(course=course)

    assert sorted(ScormPackage.objects.values_list("version", flat=True)) == ["1.2", "2004-4th"]
