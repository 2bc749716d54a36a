"""The courses part of the REST API (shared/API.md)."""

import pytest

from courses import services
from courses.models import Enrolment
from lms.roles import Role
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_public_paginated_and_filtered(client):
    for n in range(3):
        course_create(title=f"Course {n}", code=f"TST-API-10{n}", language="ur" if n else "en")
    course_create(title="Draft", code="TST-API-999", publish=False)

    page = client.get("/api/v1/courses", {"page_size": 2}).json()
    urdu = client.get("/api/v1/courses", {"language": "ur"}).json()

    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert {item["code"] for item in urdu["items"]} == {"TST-API-101", "TST-API-102"}


def test_page_size_is_capped_at_200(client):
    course_create()

    assert client.get("/api/v1/courses", {"page_size": 5000}).status_code == 200


def test_one_course_with_its_outline_and_my_progress(client):
    course = course_create(modules=2, lessons=2, code="TST-API-200")
    officer = UserFactory()
    services.enrolment_create(user=officer, course=course)
    services.lesson_view(user=officer, lesson=lessons_of(course)[0], course=course)
    client.force_login(officer)

    body = client.get("/api/v1/courses/TST-API-200").json()

    assert [m["title"] for m in body["modules"]] == ["Day 1", "Day 2"]
    assert body["modules"][0]["lessons"][0]["completed"] is True
    assert body["progress_percent"] == 25


def test_an_unpublished_course_is_404(client):
    course_create(code="TST-API-300", publish=False)

    assert client.get("/api/v1/courses/TST-API-300").status_code == 404


def test_self_enrolment_through_the_api(client):
    course_create(code="TST-API-400", enrolment_method="key", enrolment_key="k1")
    client.force_login(UserFactory())

    wrong = client.post(
        "/api/v1/courses/TST-API-400/enrol", {"key": "x"}, content_type="application/json"
    )
    right = client.post(
        "/api/v1/courses/TST-API-400/enrol", {"key": "k1"}, content_type="application/json"
    )

    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "key"
    assert right.status_code == 201
    assert right.json()["status"] == "active"


def test_enrolment_needs_a_signed_in_user(client):
    course_create(code="TST-API-401")

    assert client.post("/api/v1/courses/TST-API-401/enrol").status_code == 401


def test_my_courses_lists_progress_status_and_times_with_offset(client):
    course = course_create(modules=1, lessons=2, code="TST-API-500")
    officer = UserFactory()
    services.enrolment_create(user=officer, course=course)
    services.lesson_view(user=officer, lesson=lessons_of(course)[0], course=course)
    client.force_login(officer)

    [item] = client.get("/api/v1/me/courses").json()

    assert item["code"] == "TST-API-500"
    assert item["progress_percent"] == 50
    assert item["status"] == "active"
    assert item["enrolled_at"].endswith("+05:00")


def test_bulk_enrolment_by_json_and_by_csv_roster(client):
    course = course_create(code="TST-API-600")
    trainer = UserFactory(roles=[Role.TRAINER])
    services.enrolment_create(
        user=trainer, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
    )
    UserFactory(username="aslam")
    UserFactory(username="farah", service_number="FIA-9")
    client.force_login(trainer)

    by_json = client.post(
        "/api/v1/courses/TST-API-600/enrolments",
        {"usernames": ["aslam"]},
        content_type="application/json",
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster = SimpleUploadedFile("r.csv", b"service_number\nFIA-9\n", content_type="text/csv")
    by_csv = client.post("/api/v1/courses/TST-API-600/enrolments", {"file": roster})

    assert by_json.status_code == 201 and by_json.json()["enrolled"] == ["aslam"]
    assert by_csv.status_code == 201 and by_csv.json()["enrolled"] == ["farah"]


def test_bulk_enrolment_errors_by_line_and_permissions(client):
    course = course_create(code="TST-API-700")
    learner = UserFactory()
    services.enrolment_create(user=learner, course=course)
    client.force_login(UserFactory(roles=[Role.ADMIN]))

    bad = client.post(
        "/api/v1/courses/TST-API-700/enrolments",
        {"usernames": ["ghost"]},
        content_type="application/json",
    )
    client.force_login(learner)
    as_learner = client.post(
        "/api/v1/courses/TST-API-700/enrolments", {"usernames": []}, content_type="application/json"
    )
    client.force_login(UserFactory(roles=[Role.TRAINER]))
    as_stranger = client.post(
        "/api/v1/courses/TST-API-700/enrolments", {"usernames": []}, content_type="application/json"
    )

    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"message": "no user 'ghost'", "field": "username", "line": 1}]
    assert as_learner.status_code == 403
    assert as_stranger.status_code == 404


@pytest.mark.parametrize("size", [5, 100])
def test_api_query_counts_do_not_grow(client, query_budget, size):
    course = course_create(modules=5, lessons=size // 5, code="TST-API-800")
    for n in range(size // 5):
        course_create(code=f"TST-APQ-{n:03d}", modules=1, lessons=1)
    officer = UserFactory()
    services.enrolment_create(user=officer, course=course)
    client.force_login(officer)

    query_budget(client.get, "/api/v1/courses", max_queries=5)
    query_budget(client.get, "/api/v1/courses/TST-API-800", max_queries=12)
    query_budget(client.get, "/api/v1/me/courses", max_queries=7)  # + SCORM packages
