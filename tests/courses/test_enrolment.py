"""Enrolment: self-enrolment by the course's setting, withdrawal, bulk rosters."""

import pytest

from courses import services
from courses.models import CoursePage, Enrolment, LessonProgress
from lms.exceptions import NotAllowed, ServiceError
from lms.models import User
from lms.roles import Role
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_officer_enrols_in_an_open_course():
    officer = UserFactory()
    course = course_create()

    enrolment = services.enrolment_create(user=officer, course=course)

    assert enrolment.role == Enrolment.Role.LEARNER
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_enrolling_twice_keeps_one_enrolment():
    officer = UserFactory()
    course = course_create()

    services.enrolment_create(user=officer, course=course)
    services.enrolment_create(user=officer, course=course)

    assert Enrolment.objects.filter(user=officer).count() == 1


def test_a_course_with_a_key_needs_the_right_key():
    officer = UserFactory()
    course = course_create(enrolment_method="key", enrolment_key="margalla")

    with pytest.raises(ServiceError) as wrong:
        services.enrolment_create(user=officer, course=course, key="rawal")
    services.enrolment_create(user=officer, course=course, key=" margalla ")

    assert wrong.value.errors[0].field == "key"
    assert Enrolment.objects.filter(user=officer, course=course).exists()


def test_a_closed_course_refuses_self_enrolment_but_takes_bulk():
    officer = UserFactory()
    course = course_create(enrolment_method=CoursePage.EnrolmentMethod.CLOSED)

    with pytest.raises(NotAllowed):
        services.enrolment_create(user=officer, course=course)
    services.enrolment_create(user=officer, course=course, source=Enrolment.Source.BULK)

    assert Enrolment.objects.filter(user=officer, course=course).exists()


def test_an_unpublished_course_refuses_self_enrolment():
    with pytest.raises(NotAllowed):
        services.enrolment_create(user=UserFactory(), course=course_create(publish=False))


def test_leaving_and_coming_back_keeps_progress():
    officer = UserFactory()
    course = course_create(modules=1, lessons=2)
    services.enrolment_create(user=officer, course=course)
    lesson = lessons_of(course)[0]
    services.lesson_view(user=officer, lesson=lesson, course=course)

    services.enrolment_withdraw(user=officer, course=course)
    withdrawn = Enrolment.objects.get(user=officer).status
    services.enrolment_create(user=officer, course=course)

    assert withdrawn == Enrolment.Status.WITHDRAWN
    assert Enrolment.objects.get(user=officer).status == Enrolment.Status.ACTIVE
    assert LessonProgress.objects.filter(user=officer, completed_at__isnull=False).count() == 1


def test_bulk_enrolment_by_usernames():
    course = course_create()
    UserFactory(username="aslam")
    UserFactory(username="farah")

    result = services.enrolment_bulk_create(
        course=course, rows=services.roster_parse(data="aslam\nfarah\n")
    )

    assert sorted(result.enrolled) == ["aslam", "farah"]


def test_a_csv_roster_by_service_number_creates_officers_with_urdu_names_intact():
    course = course_create()
    UserFactory(username="existing", service_number="FIA-100")
    roster = (
        "\ufeffservice_number,first_name,last_name,rank,email\n"
        "fia-100,,,,\n"
        "FIA-200,محمد,علی,Sub-Inspector,ali@fia.example\n"
    ).encode()

    result = services.enrolment_bulk_create(course=course, rows=services.roster_parse(data=roster))

    assert sorted(result.enrolled) == ["existing", "fia-200"]
    new = User.objects.get(username="fia-200")
    assert (new.first_name, new.last_name, new.rank) == ("محمد", "علی", "Sub-Inspector")
    assert new.roles == [Role.OFFICER]
    assert not new.has_usable_password()


def test_a_bad_roster_row_is_named_by_line_and_nobody_is_enrolled():
    course = course_create()
    UserFactory(username="aslam")
    roster = "username\naslam\nnobody-here\n\n,\n"

    with pytest.raises(ServiceError) as error:
        services.enrolment_bulk_create(course=course, rows=services.roster_parse(data=roster))

    assert [(item.line, item.field) for item in error.value.errors] == [(3, "username")]
    assert "nobody-here" in error.value.errors[0].message
    assert not Enrolment.objects.filter(course=course).exists()


def test_a_roster_that_is_not_utf8_is_refused_with_its_line():
    with pytest.raises(ServiceError) as error:
        services.roster_parse(data="username\naslam\nfar\xe9h\n".encode("latin-1"))

    assert "UTF-8" in error.value.detail
    assert error.value.errors[0].line == 3


def test_trainers_can_be_bulk_enrolled_as_trainers():
    course = course_create()
    UserFactory(username="sadia", roles=[Role.TRAINER])

    services.enrolment_bulk_create(
        course=course, rows=[(1, {"username": "sadia"})], role=Enrolment.Role.TRAINER
    )

    assert Enrolment.objects.get(user__username="sadia").role == Enrolment.Role.TRAINER


@pytest.mark.parametrize("size", [3, 30])
def test_bulk_enrolment_costs_the_same_queries_whatever_the_roster_size(
    size, django_assert_max_num_queries
):
    course = course_create()
    for n in range(size):
        UserFactory(username=f"officer{n}")
    withdrawn = UserFactory(username="returning")
    services.enrolment_create(user=withdrawn, course=course)
    services.enrolment_withdraw(user=withdrawn, course=course)
    rows = [(n, {"username": f"officer{n}"}) for n in range(size)] + [
        (99, {"username": "returning"})
    ]

    with django_assert_max_num_queries(12):
        result = services.enrolment_bulk_create(course=course, rows=rows)

    assert len(result.enrolled) == size + 1
    assert Enrolment.objects.get(user=withdrawn).status == Enrolment.Status.ACTIVE
