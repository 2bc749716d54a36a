"""The course tree cache: anonymous pages, routes and outlines, retired by any publish."""

import re

import pytest
from django.test import Client

from courses import cache
from courses.models import Enrolment
from courses.services import enrolment_create, lesson_complete
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_the_second_anonymous_visitor_gets_the_catalogue_from_the_cache(client, query_budget):
    course_create(title="Document fraud")
    Client().get("/courses/")  # the first visitor fills the cache

    response = query_budget(client.get, "/courses/", max_queries=0)

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert "Document fraud" in response.content.decode()


def test_each_anonymous_visitor_gets_their_own_csrf_token_in_a_cached_page():
    course_create(title="Document fraud")
    first, second = Client(), Client()

    one = first.get("/courses/")
    two = second.get("/courses/")

    assert two["X-Page-Cache"] == "hit"
    assert "__csrf_token_placeholder__" not in two.content.decode()
    # the token in the page matches the visitor's own CSRF cookie, so their forms post
    assert _token(one) != _token(two)
    language = second.post("/language/", {"language": "ur", "csrfmiddlewaretoken": _token(two)})
    assert language.status_code in (200, 302)


def test_publishing_retires_cached_pages(client):
    course = course_create(title="Old title")
    client.get("/courses/")
    assert "Old title" in client.get("/courses/").content.decode()

    course.title = "New title"
    course.summary = "A fresh summary."
    course.save_revision().publish()

    page = client.get("/courses/").content.decode()
    assert "New title" in page and "A fresh summary." in page


def test_unpublishing_a_lesson_removes_it_from_cached_outlines_and_routes(client):
    course = course_create(modules=1, lessons=2)
    lessons = lessons_of(course)
    learner = UserFactory()
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    client.force_login(learner)
    assert lessons[1].title in client.get(course.url).content.decode()
    assert client.get(lessons[1].url).status_code == 200

    lessons[1].unpublish()

    assert lessons[1].title not in client.get(course.url).content.decode()
    assert client.get(lessons[1].url).status_code == 404


def test_signed_in_pages_are_never_served_from_the_anonymous_cache(client):
    course = course_create(title="Smuggling of migrants")
    Client().get(course.url)
    learner = UserFactory()
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    client.force_login(learner)

    response = client.get(course.url)

    assert "X-Page-Cache" not in response
    assert "Your progress" in response.content.decode()


def test_a_learners_ticks_follow_their_progress_through_the_outline_cache(client):
    course = course_create(modules=1, lessons=2)
    lessons = lessons_of(course)
    learner = UserFactory()
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    client.force_login(learner)
    assert "is-done" not in client.get(course.url).content.decode()

    lesson_complete(user=learner, lesson=lessons[0], course=course)

    assert client.get(course.url).content.decode().count("outline__lesson is-done") == 1


def test_no_cache_when_page_caching_is_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    course_create(title="Document fraud")
    client.get("/courses/")

    assert "X-Page-Cache" not in client.get("/courses/")
    assert not cache.enabled()
