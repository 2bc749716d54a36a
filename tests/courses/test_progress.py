"""Progress and completion: viewing lessons, the course's rule, the completion signal."""

import pytest

from courses import selectors, services
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from courses.signals import course_completed
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_in_course():
    officer = UserFactory()
    course = course_create(modules=2, lessons=2)
    services.enrolment_create(user=officer, course=course)
    return officer, course


def test_viewing_a_lesson_completes_it_and_remembers_where_the_learner_is(learner_in_course):
    officer, course = learner_in_course
    lesson = lessons_of(course)[1]

    services.lesson_view(user=officer, lesson=lesson, course=course)

    progress = LessonProgress.objects.get(user=officer, lesson=lesson)
    assert progress.completed_at is not None
    assert Enrolment.objects.get(user=officer).last_lesson_id == lesson.pk


def test_viewing_again_counts_views_without_a_second_row(learner_in_course):
    officer, course = learner_in_course
    lesson = lessons_of(course)[0]

    services.lesson_view(user=officer, lesson=lesson, course=course)
    services.lesson_view(user=officer, lesson=lesson, course=course)

    assert LessonProgress.objects.get(user=officer, lesson=lesson).views == 2


def test_a_lesson_completed_by_activities_is_not_completed_by_viewing(learner_in_course):
    officer, course = learner_in_course
    lesson = lessons_of(course)[0]
    LessonPage.objects.filter(pk=lesson.pk).update(completion_rule="activities")
    lesson.refresh_from_db()

    services.lesson_view(user=officer, lesson=lesson, course=course)

    assert LessonProgress.objects.get(user=officer, lesson=lesson).completed_at is None


def test_progress_goes_to_100_and_the_course_completes_once(
    learner_in_course, django_capture_on_commit_callbacks
):
    officer, course = learner_in_course
    received = []
    course_completed.connect(lambda **kw: received.append(kw["enrolment"].pk), weak=False)
    percents = []

    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons_of(course):
            services.lesson_view(user=officer, lesson=lesson, course=course)
            percents.append(selectors.my_courses(user=officer)[0].percent)
        services.lesson_view(user=officer, lesson=lessons_of(course)[0], course=course)

    enrolment = Enrolment.objects.get(user=officer)
    assert percents == [25, 50, 75, 100]
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None
    assert received == [enrolment.pk]


def test_unpublished_lessons_do_not_count(learner_in_course):
    officer, course = learner_in_course
    lessons = lessons_of(course)
    lessons[-1].unpublish()

    for lesson in lessons[:-1]:
        services.lesson_view(user=officer, lesson=lesson, course=course)

    assert selectors.my_courses(user=officer)[0].percent == 100
    assert Enrolment.objects.get(user=officer).completed_at is not None


def test_the_all_activities_rule_counts_only_lessons_with_activities(learner_in_course):
    officer, course = learner_in_course
    CoursePage.objects.filter(pk=course.pk).update(completion_rule="all_activities")
    course.refresh_from_db()
    lessons = lessons_of(course)
    LessonPage.objects.filter(pk=lessons[0].pk).update(completion_rule="activities")

    services.lesson_complete(user=officer, lesson=lessons[0], course=course)

    assert Enrolment.objects.get(user=officer).completed_at is not None


def test_the_min_grade_rule_asks_the_grade_provider(learner_in_course, monkeypatch):
    from courses import completion

    officer, course = learner_in_course
    CoursePage.objects.filter(pk=course.pk).update(
        completion_rule="min_grade", completion_min_grade=70
    )
    course.refresh_from_db()
    grades = {"value": 65.0}
    monkeypatch.setattr(completion, "_grade_provider", lambda **kw: grades["value"])

    assert not services.course_completion_evaluate(user=officer, course=course)
    grades["value"] = 70.0
    assert services.course_completion_evaluate(user=officer, course=course)


def test_trainers_do_not_complete_courses():
    trainer = UserFactory()
    course = course_create(modules=1, lessons=1)
    services.enrolment_create(
        user=trainer, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
    )

    services.lesson_complete(user=trainer, lesson=lessons_of(course)[0], course=course)

    assert Enrolment.objects.get(user=trainer).completed_at is None
