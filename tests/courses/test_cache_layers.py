"""What the course tree cache keeps in each process, and what retires it: a page's view
restrictions, values read once per content version, counts of many courses at once."""

import pytest
from django.core.cache import cache as django_cache
from wagtail.models import PageViewRestriction

from courses import cache
from courses.models import Enrolment
from courses.services import enrolment_create
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_view_restriction_added_later_holds_at_once(client):
    course = course_create(title="Document fraud")
    assert client.get(course.url).status_code == 200  # cached: no restriction applies

    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(course.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    learner = UserFactory()
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    client.force_login(learner)
    assert client.get(lessons_of(course)[0].url).status_code == 200


def test_a_view_restriction_removed_later_no_longer_holds(client):
    course = course_create(title="Document fraud")
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(course.url).status_code == 302

    restriction.delete()

    assert client.get(course.url).status_code == 200


def test_a_process_reads_a_cached_value_once_per_content_version():
    computed = []

    def compute():
        computed.append(1)
        return ["outline"]

    assert cache.cached("probe", compute) == ["outline"]
    version = cache.content_version()
    django_cache.clear()  # not even the shared cache is asked again…
    django_cache.set(cache.VERSION_KEY, version, None)
    assert cache.cached("probe", compute) == ["outline"]
    assert len(computed) == 1

    cache.content_changed()  # …until anything is published

    assert cache.cached("probe", compute) == ["outline"]
    assert len(computed) == 2


def test_cached_each_computes_the_missing_ones_together():
    asked = []

    def compute(ids):
        asked.append(sorted(ids))
        return {pk: pk * 10 for pk in ids}

    assert cache.cached_each("probe", [1, 2], compute) == {1: 10, 2: 20}
    assert cache.cached_each("probe", [2, 3, 4], compute) == {2: 20, 3: 30, 4: 40}
    assert asked == [[1, 2], [3, 4]]


def test_the_dashboard_counts_a_lesson_published_after_it_was_cached(client):
    course = course_create(modules=1, lessons=2)
    learner = UserFactory()
    enrolment_create(user=learner, course=course, source=Enrolment.Source.SELF)
    client.force_login(learner)
    assert "0 of 2 lessons" in client.get("/dashboard/").content.decode()

    lesson = lessons_of(course)[0]
    module = lesson.get_parent()
    new = lesson.copy(to=module, update_attrs={"slug": "extra", "title": "Extra"}, keep_live=False)
    new.save_revision().publish()

    assert "0 of 3 lessons" in client.get("/dashboard/").content.decode()
