"""SCORM results in the assessments gradebook: one column per package, the score in percent
of the package's grade, weighted by that grade in the course total; a sequenced package
counts its rolled-up score; the course grade of the "minimum grade" completion rule is the
same total, and a new SCORM score can complete the course. Also: deleting a package
removes its files, and a new version keeps the earlier attempts readable."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.gradebook import gradebook_table
from courses import completion
from courses import services as course_services
from courses.demo_scorm import passport_package_12, passport_package_2004
from courses.models import (
    CoursePage,
    Enrolment,
    ScormAttempt,
    ScormPackage,
    ScormPackageVersion,
)
from courses.scorm import selectors as scorm_selectors
from courses.scorm import services
from lms.roles import Role
from tests.assessments.factories import course_with_bank, learner, quiz_create, right_responses
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def trainer():
    return UserFactory(roles=[Role.TRAINER])


@pytest.fixture
def course(trainer):
    course, _ = course_with_bank(trainer=trainer, code="TST-GRB-1")
    return course


def _upload(course, data: bytes, **kwargs) -> ScormPackageVersion:
    return services.scorm_package_upload(course=course, file=io.BytesIO(data), user=None, **kwargs)


def _score(user, package, *, scaled: str, sco: str = "item_passport"):
    launch = services.scorm_attempt_launch(user=user, package=package, sco=sco)
    services.scorm_attempt_commit(
        attempt_id=launch.attempt.pk,
        user=user,
        session=launch.session,
        commits=[{"seq": 1, "values": [["cmi.score.scaled", scaled],
                                       ["cmi.completion_status", "completed"]]}],
    )  # fmt: skip


def test_each_scorm_package_is_a_gradebook_column_in_percent(course):
    package = _upload(course, passport_package_2004()).package
    user = learner(course)
    _score(user, package, scaled="0.8")

    items, rows = assessment_selectors.gradebook(course=course)

    assert [(i.kind, i.title) for i in items] == [("scorm", package.title)]
    assert items[0].pk == f"scorm-{package.pk}"
    assert rows[0].grades == [80.0]
    assert rows[0].total == 80.0


def test_the_course_total_weights_quizzes_and_packages_by_their_grade(course):
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q2 TF"), max_grade=Decimal("10"))
    package = _upload(course, passport_package_2004()).package
    ScormPackage.objects.filter(pk=package.pk).update(max_grade=Decimal("30"))
    user = learner(course)
    attempt = assessment_services.attempt_start(quiz=quiz, user=user)
    assessment_services.attempt_submit(
        attempt=attempt, user=user, responses=right_responses(attempt)
    )
    _score(user, package, scaled="0.5")

    items, rows = assessment_selectors.gradebook(course=course)

    assert [getattr(i, "kind", "quiz") for i in items] == ["quiz", "scorm"]
    assert rows[0].grades == [100.0, 50.0]
    assert rows[0].total == pytest.approx((10 * 100 + 30 * 50) / 40)


def test_a_package_not_taken_counts_zero_and_shows_no_grade(course):
    _upload(course, passport_package_12())
    learner(course)

    _items, rows = assessment_selectors.gradebook(course=course)

    assert rows[0].grades == [None]
    assert rows[0].total == 0.0


def test_the_best_attempt_counts_without_sequencing(course):
    package = _upload(course, passport_package_12()).package
    user = learner(course)
    launch = services.scorm_attempt_launch(user=user, package=package, sco="item_passport")
    services.scorm_attempt_commit(
        attempt_id=launch.attempt.pk, user=user, session=launch.session,
        commits=[{"seq": 1, "values": [["cmi.core.score.raw", "90"]]}],
    )  # fmt: skip
    again = services.scorm_attempt_launch(
        user=user, package=package, sco="item_passport", restart=True
    )
    services.scorm_attempt_commit(
        attempt_id=again.attempt.pk, user=user, session=again.session,
        commits=[{"seq": 1, "values": [["cmi.core.score.raw", "40"]]}],
    )  # fmt: skip

    _items, rows = assessment_selectors.gradebook(course=course)

    assert rows[0].grades == [90.0]


def test_a_sequenced_package_counts_its_rolled_up_score(course, shared_fixture):
    package = services.scorm_package_upload(
        course=course,
        file=shared_fixture("scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"),
        user=None,
    ).package
    user = learner(course)
    from courses.scorm.navigation import scorm_navigate

    scorm_navigate(user=user, package=package, request="start")
    quiz = scorm_navigate(user=user, package=package, request="jump", target="assessment_item")
    services.scorm_attempt_commit(
        attempt_id=quiz.launch.attempt.pk, user=user, session=quiz.launch.session,
        commits=[{"seq": 1, "values": [["cmi.score.scaled", "0.85"],
                                       ["cmi.success_status", "passed"],
                                       ["cmi.completion_status", "completed"]]}],
    )  # fmt: skip

    _items, rows = assessment_selectors.gradebook(course=course)

    assert rows[0].grades == [85.0]
    assert scorm_selectors.scorm_grades(course=course) == {(user.pk, package.pk): 0.85}


def test_the_gradebook_page_csv_and_api_show_the_package(client, course, trainer):
    package = _upload(course, passport_package_2004()).package
    _score(learner(course), package, scaled="0.9")
    client.force_login(trainer)

    page = client.get(f"/quizzes/courses/{course.code}/gradebook/").content.decode()
    header, table = gradebook_table(course=course)
    body = client.get(f"/api/v1/courses/{course.code}/gradebook").json()

    assert f"/learn/{course.code}/scorm/{package.pk}/report/" in page
    assert "90.0%" in page
    assert f"{package.title} (%)" in header and table[0][2] == 90.0
    assert body["items"] == [
        {"id": package.pk, "kind": "scorm", "title": package.title, "max_grade": 100.0}
    ]
    assert body["learners"][0]["grades"] == [90.0]


def test_the_package_passing_score_decides_passed(course):
    package = _upload(course, passport_package_2004()).package  # passing score 0.6
    user = learner(course)
    _score(user, package, scaled="0.5")

    items, rows = assessment_selectors.gradebook(course=course)

    assert items[0].pass_percent == Decimal("60.0")
    assert rows[0].passed is False


# --- Course completion by a minimum grade --------------------------------------------------
def test_the_minimum_grade_rule_counts_scorm_scores(course):
    CoursePage.objects.filter(pk=course.pk).update(
        completion_rule="min_grade", completion_min_grade=70
    )
    package = _upload(course, passport_package_2004()).package
    user = learner(course)

    _score(user, package, scaled="0.6")
    assert Enrolment.objects.get(user=user, course=course).completed_at is None

    _score(user, package, scaled="0.8")  # the same attempt, a later session

    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None
    assert enrolment.status == Enrolment.Status.COMPLETED


def test_the_course_grade_weights_quizzes_and_packages_like_the_gradebook(course):
    quiz = quiz_create(course=course, names=("Q1 Capital", "Q2 TF"), max_grade=Decimal("10"))
    package = _upload(course, passport_package_2004()).package
    ScormPackage.objects.filter(pk=package.pk).update(max_grade=Decimal("30"))
    user = learner(course)
    attempt = assessment_services.attempt_start(quiz=quiz, user=user)
    assessment_services.attempt_submit(
        attempt=attempt, user=user, responses=right_responses(attempt)
    )
    _score(user, package, scaled="0.5")

    _items, rows = assessment_selectors.gradebook(course=course)

    assert completion.course_grade(user=user, course=course) == rows[0].total
    assert rows[0].total == pytest.approx((10 * 100 + 30 * 50) / 40)


# --- Deleting a package, new versions ------------------------------------------------------
def _folder(media, package_id: int) -> Path:
    return Path(media) / "scorm" / str(package_id)


def test_deleting_a_package_removes_its_files_and_rows(
    course, media, django_capture_on_commit_callbacks
):
    first = _upload(course, passport_package_2004())
    _upload(course, passport_package_2004(), package=first.package)
    _score(learner(course), first.package, scaled="0.5")
    folder = _folder(media, first.package_id)
    assert (folder / "1" / "imsmanifest.xml").exists() and (folder / "2").exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.scorm_package_delete(package=first.package)

    assert not folder.exists()
    assert not ScormPackage.objects.exists() and not ScormAttempt.objects.exists()


def test_the_admin_deletes_a_package_after_confirming(
    client, course, media, django_capture_on_commit_callbacks
):
    version = _upload(course, passport_package_12())
    client.force_login(UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True))

    confirm = client.get(f"/cms/scorm/?delete={version.package_id}").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/cms/scorm/", {"delete": version.package_id})

    assert "Yes, delete it" in confirm
    assert done.status_code == 302
    assert not ScormPackage.objects.exists()
    assert not _folder(media, version.package_id).exists()


def test_the_api_deletes_a_package_for_its_trainer_only(
    client, course, trainer, media, django_capture_on_commit_callbacks
):
    version = _upload(course, passport_package_12())
    url = f"/api/v1/courses/{course.code}/scorm/{version.package_id}"
    officer = learner(course, username="someone")
    client.force_login(officer)
    assert client.delete(url).status_code == 403

    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(url)

    assert response.status_code == 204
    assert not _folder(media, version.package_id).exists()
    assert client.delete(url).status_code == 404


def test_a_new_version_keeps_earlier_attempts_readable(client, course, trainer, media):
    first = _upload(course, passport_package_2004())
    user = learner(course)
    _score(user, first.package, scaled="0.9")
    client.force_login(user)
    old_file = client.get(f"/scorm-content/{first.pk}/index.html")

    second = _upload(course, passport_package_2004(), package=first.package)

    attempt = ScormAttempt.objects.get(user=user)
    assert attempt.package_version_id == first.pk and attempt.score_scaled == 0.9
    assert old_file.status_code == 200
    assert client.get(f"/scorm-content/{first.pk}/index.html").status_code == 200
    assert (Path(media) / first.storage_path / "imsmanifest.xml").exists()
    rows = scorm_selectors.scorm_attempts_report(package=second.package)
    assert rows[0].attempts["item_passport"].pk == attempt.pk
    assert scorm_selectors.scorm_grades(course=course) == {(user.pk, first.package_id): 0.9}
    client.force_login(trainer)
    report = client.get(f"/learn/{course.code}/scorm/{first.package_id}/report/")
    assert report.status_code == 200


def test_the_navigation_endpoint_works_after_a_new_version(client, course):
    first = _upload(course, passport_package_2004())
    user = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    client.force_login(user)
    url = f"/learn/scorm/{first.package_id}/launch"
    before = client.post(url, json.dumps({"request": "start"}), content_type="application/json")

    _upload(course, passport_package_2004(), package=first.package)
    after = client.post(url, json.dumps({"request": "start"}), content_type="application/json")

    assert before.json()["number"] == 1 and after.json()["number"] == 2
    assert after.json()["sco"] == "item_passport"


def test_the_grade_is_set_at_upload_through_the_api_and_the_admin(client, course, trainer):
    client.force_login(trainer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    created = client.post(
        f"/api/v1/courses/{course.code}/scorm",
        {"file": SimpleUploadedFile("p.zip", passport_package_12()), "max_grade": "25"},
    )
    refused = client.post(
        f"/api/v1/courses/{course.code}/scorm",
        {"file": SimpleUploadedFile("p.zip", passport_package_12()), "max_grade": "-3"},
    )
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.post(
        "/cms/scorm/",
        {"course": course.pk, "package": created.json()["package_id"], "max_grade": "40",
         "file": SimpleUploadedFile("p.zip", passport_package_12())},
    )  # fmt: skip

    assert created.status_code == 201 and created.json()["max_grade"] == 25.0
    assert refused.status_code == 400
    assert ScormPackage.objects.get().max_grade == Decimal("40")
