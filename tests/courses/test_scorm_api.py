"""POST /api/v1/courses/{code}/scorm: who may upload, what comes back, what is refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import services as course_services
from courses.demo_scorm import passport_package_12, passport_package_2004
from courses.models import Enrolment, ScormPackage, ScormPackageVersion
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def course():
    return course_create(modules=1, lessons=1, code="TST-SCORM-1")


@pytest.fixture
def trainer(course):
    user = UserFactory(roles=[Role.TRAINER])
    course_services.enrolment_create(
        user=user, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
    )
    return user


def _post(client, data: bytes, name="package.zip", **extra):
    return client.post(
        "/api/v1/courses/TST-SCORM-1/scorm",
        {"file": SimpleUploadedFile(name, data, content_type="application/zip"), **extra},
    )


def test_the_courses_trainer_uploads_a_package(client, trainer):
    client.force_login(trainer)

    response = _post(client, passport_package_2004())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scorm_version"] == "2004-4th" and body["version"] == 1
    assert [s["identifier"] for s in body["scos"]] == ["item_passport"]
    assert body["player_url"] == f"/learn/TST-SCORM-1/scorm/{body['package_id']}/"


def test_a_new_version_of_a_package(client, trainer):
    client.force_login(trainer)
    first = _post(client, passport_package_12()).json()

    second = _post(client, passport_package_12(), package=first["package_id"])

    assert second.status_code == 201
    assert second.json()["version"] == 2 and ScormPackage.objects.count() == 1


def test_an_administrator_may_upload(client, course):
    client.force_login(UserFactory(roles=[Role.ADMIN]))
    assert _post(client, passport_package_12()).status_code == 201


def test_a_learner_of_the_course_is_forbidden(client, course):
    officer = UserFactory(roles=[Role.OFFICER])
    course_services.enrolment_create(user=officer, course=course, source=Enrolment.Source.BULK)
    client.force_login(officer)

    assert _post(client, passport_package_12()).status_code == 403
    assert not ScormPackage.objects.exists()


def test_a_trainer_of_another_course_gets_404(client, course):
    client.force_login(UserFactory(roles=[Role.TRAINER]))
    assert _post(client, passport_package_12()).status_code == 404


def test_anonymous_is_401(client, course):
    assert _post(client, passport_package_12()).status_code == 401


def test_a_broken_package_is_400_with_the_reason_and_nothing_kept(client, trainer, media):
    client.force_login(trainer)

    response = _post(client, b"not a zip")

    assert response.status_code == 400
    assert "not a zip" in response.json()["detail"]
    assert not ScormPackageVersion.objects.exists()
    assert not any(Path(media).rglob("*.*")) if Path(media).exists() else True


def test_an_upload_over_the_size_limit_is_413(client, trainer, settings):
    settings.SCORM_MAX_BYTES = 1000
    client.force_login(trainer)

    response = _post(client, passport_package_12())

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not ScormPackage.objects.exists()


def test_a_fixture_package_through_the_api(client, trainer, shared_fixture):
    client.force_login(trainer)
    data = shared_fixture(
        "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"
    ).read_bytes()

    response = _post(client, data)

    assert response.status_code == 201
    assert len(response.json()["scos"]) == 5


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("MalformedXml_SCORM12.zip", "imsmanifest.xml"),
        ("InvalidFileReferences_SCORM12.zip", "is not in the package"),
    ],
)
def test_broken_fixture_packages_are_refused_with_their_reason(
    client, trainer, shared_fixture, name, reason
):
    client.force_login(trainer)

    response = _post(client, shared_fixture(f"scorm12/edge-cases/{name}").read_bytes())

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert not ScormPackage.objects.exists()
