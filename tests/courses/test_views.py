"""Learner and trainer pages: who sees what, and query counts that do not grow."""

import csv
import io

import pytest

from courses import services
from courses.models import Enrolment
from lms.roles import Role
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def enrolled(course, **kwargs):
    user = UserFactory(**kwargs)
    services.enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    return user


def test_the_catalogue_lists_published_courses_only(client):
    course_create(title="Smuggling of migrants basics", code="TST-SOM-101")
    course_create(title="Hidden draft", code="TST-HID-101", publish=False)

    content = client.get("/courses/").content.decode()

    assert "Smuggling of migrants basics" in content
    assert "Hidden draft" not in content


def test_the_catalogue_searches_titles_and_lesson_text_and_filters(client):
    course_create(title="Document examination", code="TST-DOC-101", themes=["document-fraud"])
    course_create(title="Victim identification", code="TST-THB-102", language="ur")

    by_title = client.get("/courses/", {"q": "examination"}).content.decode()
    by_lesson = client.get("/courses/", {"q": "indicators"}).content.decode()
    by_theme = client.get("/courses/", {"theme": "document-fraud"}).content.decode()
    by_language = client.get("/courses/", {"language": "ur"}).content.decode()

    assert "Document examination" in by_title and "Victim identification" not in by_title
    assert "Document examination" in by_lesson and "Victim identification" in by_lesson
    assert "Document examination" in by_theme and "Victim identification" not in by_theme
    assert "Victim identification" in by_language and "Document examination" not in by_language


@pytest.mark.parametrize("q", ['"examination', "examination\x17 ^*", "exam(ination OR", "'; --"])
def test_search_syntax_in_a_query_is_read_as_words_not_as_operators(client, q):
    course_create(title="Document examination", code="TST-DOC-101")

    page = client.get("/courses/", {"q": q})
    api = client.get("/api/v1/courses", {"q": q})

    assert page.status_code == 200 and api.status_code == 200


def test_search_terms_keep_words_in_any_script():
    from courses.selectors import search_terms

    assert search_terms('"جعلی دستاویزات" AND^ fraud\x00') == "جعلی دستاویزات AND fraud"


def test_anyone_sees_the_outline_but_not_the_lessons(client):
    course = course_create()
    lesson = lessons_of(course)[0]

    outline = client.get(course.url)
    anonymous = client.get(lesson.url)
    client.force_login(UserFactory())
    not_enrolled = client.get(lesson.url)

    assert outline.status_code == 200
    assert "Session 1.1" in outline.content.decode()
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not_enrolled.status_code == 302 and not_enrolled["Location"] == course.url


def test_an_enrolled_learner_reads_a_lesson_with_previous_and_next(client):
    course = course_create(modules=1, lessons=3)
    client.force_login(enrolled(course))
    lessons = lessons_of(course)

    content = client.get(lessons[1].url).content.decode()

    assert "Text of session 1.2 on indicators." in content
    assert f'href="{lessons[0].url}" rel="prev"' in content
    assert f'href="{lessons[2].url}" rel="next"' in content
    assert "Lesson 2 of 3" in content


def test_staff_read_lessons_without_enrolling(client):
    course = course_create()
    client.force_login(UserFactory(roles=[Role.REVIEWER]))

    assert client.get(lessons_of(course)[0].url).status_code == 200


def test_enrolling_from_the_course_page(client):
    course = course_create()
    officer = UserFactory()
    client.force_login(officer)

    response = client.post(f"/learn/{course.code}/enrol/", follow=True)

    assert Enrolment.objects.filter(user=officer, course=course).exists()
    assert "You are enrolled" in response.content.decode()
    assert "Start the course" in response.content.decode()


def test_a_wrong_key_is_explained_on_the_page(client):
    course = course_create(enrolment_method="key", enrolment_key="secret")
    client.force_login(UserFactory())

    response = client.post(f"/learn/{course.code}/enrol/", {"key": "guess"}, follow=True)

    assert "That enrolment key is not right." in response.content.decode()


def test_participants_are_for_the_courses_trainers_only(client):
    course = course_create()
    trainer = UserFactory(roles=[Role.TRAINER])
    services.enrolment_create(
        user=trainer, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
    )
    learner = enrolled(course)
    other_trainer = UserFactory(roles=[Role.TRAINER])
    url = f"/learn/{course.code}/participants/"

    client.force_login(learner)
    as_learner = client.get(url).status_code
    client.force_login(other_trainer)
    as_other_trainer = client.get(url).status_code
    client.force_login(trainer)
    as_trainer = client.get(url)

    assert as_learner == 403
    assert as_other_trainer == 404
    assert as_trainer.status_code == 200
    assert learner.username in as_trainer.content.decode()


def test_a_trainer_enrols_a_roster_and_exports_completion(client):
    course = course_create(modules=1, lessons=2)
    client.force_login(UserFactory(roles=[Role.ADMIN]))
    learner = UserFactory(username="aslam", first_name="اسلم")
    services.enrolment_create(user=learner, course=course, source=Enrolment.Source.BULK)
    services.lesson_view(user=learner, lesson=lessons_of(course)[0], course=course)
    UserFactory(username="farah")

    posted = client.post(
        f"/learn/{course.code}/participants/", {"usernames": "farah", "role": "learner"}
    )
    report = client.get(f"/learn/{course.code}/completion.csv")

    assert posted.status_code == 302
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    rows = {row["username"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["aslam"]["percent"] == "50"
    assert rows["aslam"]["name"].startswith("اسلم")
    assert rows["farah"]["lessons_completed"] == "0"


def test_a_bad_roster_shows_the_line_on_the_page(client):
    course = course_create()
    client.force_login(UserFactory(roles=[Role.ADMIN]))

    response = client.post(
        f"/learn/{course.code}/participants/", {"usernames": "ghost", "role": "learner"}
    )

    assert "line 1" in response.content.decode()
    assert not Enrolment.objects.filter(course=course).exists()


@pytest.mark.parametrize("lessons", [5, 500])
def test_pages_cost_the_same_queries_at_5_and_500_lessons(client, query_budget, lessons):
    # given a course of `lessons` lessons and a learner who has done a few of them
    course = course_create(modules=5, lessons=lessons // 5)
    for n in range(3):
        course_create(title=f"Other course {n}", modules=1, lessons=1)
    learner = enrolled(course)
    all_lessons = lessons_of(course)
    for lesson in all_lessons[:3]:
        services.lesson_view(user=learner, lesson=lesson, course=course)
    client.force_login(learner)

    # then each page stays within a fixed budget, the first time (nothing cached yet)
    # and after (the published tree cached: routes, outline, course details)
    # (the lesson page's budget includes recording the first view and checking completion)
    pages = [
        ("/courses/", 15, 5),
        (course.url, 13, 2),
        (all_lessons[4].url, 24, 6),
        ("/dashboard/", 4, 3),
    ]
    for url, cold, warm in pages:
        query_budget(client.get, url, max_queries=cold)
        query_budget(client.get, url, max_queries=warm)
