"""Query budgets of the pages and endpoints the benchmarks load (issue #9), each at two
data sizes: the larger size must not cost a single query more than the smaller one.

The catalogue, course outline and lesson page are covered in tests/courses/test_views.py
(5 and 500 lessons) and the course API in tests/courses/test_api.py; here are the
dashboard, the quiz attempt page, autosave, submit, the gradebook (page and API),
certificate verification and a training proposal with its conflict check. Each is counted
cold (the cache empty) and warm (the same request again, or an equivalent write).
"""

import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from assessments import services as quiz_services
from assessments.models import Quiz, QuizSlot
from courses import services as course_services
from courses.models import Enrolment, LessonPage
from lms import services as lms_services
from lms.management.commands.generate_bench_data import BANK
from lms.roles import Role
from scheduling.models import Nomination, TrainingSession
from tests.assessments.factories import learner, right_responses
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory
from tests.scheduling.factories import at, partner_org, training
from trainers.models import Certificate
from trainers.services.certificates import certificate_code_new

pytestmark = pytest.mark.django_db

_names = iter(range(10_000))


def _quiz(course, *, place: bool = True, title: str = "Check") -> Quiz:
    """A 10-question quiz (the benchmark's bank) on one page, placed in the first lesson."""
    result = quiz_services.question_import(
        course=course,
        data=BANK.format(category=f"Bank {next(_names)}").encode(),
        fmt="gift",
        filename="bank.gift",
    )
    quiz = Quiz.objects.create(
        course=course, title=title, questions_per_page=0, shuffle_answers=False
    )
    for order, pk in enumerate(result.question_ids):
        QuizSlot.objects.create(quiz=quiz, question_id=pk, sort_order=order)
    if place:
        lesson = lessons_of(course)[0]
        block = {"title": title, "required": True, "quiz": quiz.pk}
        LessonPage.objects.filter(pk=lesson.pk).update(
            body=[{"type": "quiz", "value": block, "id": f"q{quiz.pk}"}],
            completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        )
    return quiz


def _finished(quiz, user):
    attempt = quiz_services.attempt_start(quiz=quiz, user=user)
    return quiz_services.attempt_submit(
        attempt=attempt, user=user, responses=right_responses(attempt)
    )


def _learners_with_attempts(course, quizzes, count: int) -> list:
    users = []
    for _ in range(count):
        user = learner(course, f"learner{next(_names)}")
        for quiz in quizzes:
            _finished(quiz, user)
        users.append(user)
    return users


def _costs(
    query_budget, call, *, cold: int, warm: int | None = None, status: int = 200
) -> tuple[int, int]:
    """Queries of `call()` with an empty cache, then again (warm); each within its budget."""
    cache.clear()
    response = query_budget(call, max_queries=cold)
    assert response.status_code == status, response.content[:500]
    cold_count = query_budget.last_count
    response = query_budget(call, max_queries=warm if warm is not None else cold)
    assert response.status_code == status, response.content[:500]
    return cold_count, query_budget.last_count


def _api(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {lms_services.api_token_issue(user=user)}"
    return client


# --- Dashboard ---------------------------------------------------------------------------
def test_the_learner_dashboard_costs_the_same_with_1_and_12_courses(client, query_budget):
    me = UserFactory(username="me", roles=[Role.OFFICER])
    client.force_login(me)

    def grow(courses: int) -> None:
        for _ in range(courses):
            course = course_create(modules=2, lessons=3)
            course_services.enrolment_create(user=me, course=course, source="bulk")
            for lesson in lessons_of(course)[:2]:
                course_services.lesson_view(user=me, lesson=lesson, course=course)
            _finished(_quiz(course), me)

    grow(1)
    small = _costs(query_budget, lambda: client.get("/dashboard/"), cold=10, warm=3)
    grow(11)
    large = _costs(query_budget, lambda: client.get("/dashboard/"), cold=small[0], warm=small[1])
    assert large <= small


# --- Quiz attempt page, autosave, submit ---------------------------------------------------
def _quiz_site(others: int):
    """A course with two quizzes, `others` learners who have taken both, and a learner
    with an attempt in progress at the first."""
    course = course_create(modules=2, lessons=3)
    quizzes = [_quiz(course, title="Check"), _quiz(course, place=False, title="Final")]
    _learners_with_attempts(course, quizzes, others)
    me = learner(course, f"me{next(_names)}")
    attempt = quiz_services.attempt_start(quiz=quizzes[0], user=me)
    return course, quizzes, me, attempt


def _attempt_page(client, query_budget, others: int, budget: tuple[int, int]):
    _course, _quizzes, me, attempt = _quiz_site(others)
    client.force_login(me)
    url = f"/quizzes/attempts/{attempt.pk}/"
    counts = _costs(query_budget, lambda: client.get(url), cold=budget[0], warm=budget[1])
    assert client.get(url).content.count(b'data-slot="') == 10
    return counts


def test_the_attempt_page_costs_the_same_with_1_and_12_other_learners(client, query_budget):
    small = _attempt_page(client, query_budget, 1, (7, 2))
    assert _attempt_page(client, query_budget, 12, small) <= small


def _autosave(client, query_budget, others: int, budget: tuple[int, int]):
    _course, _quizzes, me, attempt = _quiz_site(others)
    client.force_login(me)
    url = f"/api/v1/attempts/{attempt.pk}/responses"
    answers = right_responses(attempt)
    changed = {**answers, "1": {"choice": (answers["1"]["choice"] + 1) % 2}}
    bodies = iter([{"responses": answers}, {"responses": changed}])

    def save():  # a different answer each time: every save writes
        return client.put(url, json.dumps(next(bodies)), content_type="application/json")

    return _costs(query_budget, save, cold=budget[0], warm=budget[1])


def test_autosave_costs_the_same_with_1_and_12_other_learners(client, query_budget):
    small = _autosave(client, query_budget, 1, (6, 4))
    assert _autosave(client, query_budget, 12, small) <= small


def _submit(query_budget, others: int, budget: tuple[int, int]):
    course, quizzes, me, attempt = _quiz_site(others)
    second = learner(course, f"second{next(_names)}")
    ready = []
    for current, user in (
        (attempt, me),
        (quiz_services.attempt_start(quiz=quizzes[0], user=second), second),
    ):
        quiz_services.attempt_save_responses(
            attempt=current, user=user, responses=right_responses(current)
        )
        signed_in = Client()
        signed_in.force_login(user)
        ready.append((signed_in, current))
    pending = iter(ready)

    def submit():  # another learner's attempt each time: a submit is one-shot
        signed_in, current = next(pending)
        return signed_in.post(
            f"/api/v1/attempts/{current.pk}/submit", "{}", content_type="application/json"
        )

    return _costs(query_budget, submit, cold=budget[0], warm=budget[1])


def test_submit_costs_the_same_with_1_and_12_other_learners(query_budget):
    small = _submit(query_budget, 1, (28, 28))
    assert _submit(query_budget, 12, small) <= small


# --- Gradebook -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/quizzes/courses/{code}/gradebook/", "/api/v1/courses/{code}/gradebook"]
)
def test_the_gradebook_costs_the_same_for_3_and_15_learners(client, query_budget, path):
    trainer = UserFactory(username=f"trainer{next(_names)}", roles=[Role.TRAINER])
    course = course_create(modules=2, lessons=3)
    course_services.enrolment_create(
        user=trainer, course=course, role=Enrolment.Role.TRAINER, source="bulk"
    )
    quizzes = [_quiz(course, title="Check"), _quiz(course, place=False, title="Final")]
    _learners_with_attempts(course, quizzes, 3)
    client.force_login(trainer)
    url = path.format(code=course.code)
    small = _costs(query_budget, lambda: client.get(url), cold=13, warm=7)
    _learners_with_attempts(course, quizzes, 12)
    response = client.get(url)
    shown = response.json()["total"] if "/api/" in url else len(response.context["rows"])
    assert shown == 15
    large = _costs(query_budget, lambda: client.get(url), cold=small[0], warm=small[1])
    assert large <= small


# --- Certificate verification ------------------------------------------------------------
def _certificates(count: int, course) -> list[str]:
    rows = []
    for _ in range(count):
        user = UserFactory(username=f"holder{next(_names)}", roles=[Role.OFFICER])
        rows.append(
            Certificate(
                code=certificate_code_new(),
                kind="course",
                user=user,
                course=course,
                holder_name=user.get_full_name(),
                title=course.title,
                issued_on=date(2026, 1, 10),
                expires_on=date(2026, 1, 10) + timedelta(days=1000),
            )
        )
    return [c.code for c in Certificate.objects.bulk_create(rows)]


def test_certificate_verification_costs_the_same_for_1_and_40_certificates(client, query_budget):
    course = course_create(modules=1, lessons=1)
    first = _certificates(1, course)[0]

    def verify(code):
        return lambda: client.get(f"/api/v1/certificates/{code}")

    small = _costs(query_budget, verify(first), cold=3)
    # (a miss answers 404, on which Wagtail's redirect middleware looks for a redirect)
    small_miss = _costs(query_budget, verify("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"), cold=4, status=404)
    assert client.get(f"/api/v1/certificates/{first}").json()["status"] == "valid"
    codes = _certificates(40, course)
    large = _costs(query_budget, verify(codes[-1]), cold=small[0], warm=small[1])
    large_miss = _costs(
        query_budget, verify("YYYY-YYYY-YYYY-YYYY-YYYY"), cold=small_miss[0], status=404
    )
    assert large <= small and large_miss <= small_miss


# --- Training proposal with conflict detection -------------------------------------------
def _calendar(course, count: int) -> None:
    """`count` confirmed trainings of the course in the same week, with audience,
    sessions and nominations: every one clashes with the proposal."""
    for n in range(count):
        t = training(
            organiser=partner_org(),
            course=course,
            starts_at=at(hours=n),
            audience=[("region", "Punjab")],
            venue="FIA Academy, Islamabad",
            modality="in_person",
        )
        TrainingSession.objects.create(training=t, starts_at=at(hours=n), duration_minutes=180)
        for _ in range(3):
            officer = UserFactory(username=f"officer{next(_names)}", roles=[Role.OFFICER])
            Nomination.objects.create(training=t, user=officer)


def test_a_proposal_costs_the_same_against_2_and_20_clashing_trainings(users, query_budget):
    course = course_create(code="TST-PRP-1", themes=["trafficking-in-human-beings"])
    client = _api(users["partner"])
    body = {
        "title": "Victim identification, Lahore",
        "course": course.code,
        "starts_at": "2030-03-04T09:00:00+05:00",
        "ends_at": "2030-03-05T17:00:00+05:00",
        "audience": [{"kind": "region", "value": "Punjab"}],
        "venue": "FIA Academy, Islamabad",
        "modality": "in_person",
    }
    clear = {
        **body,
        "title": "Another week",
        "starts_at": "2031-09-01T09:00:00+05:00",
        "ends_at": "2031-09-02T17:00:00+05:00",
        "venue": "Karachi zonal office",
    }

    def propose(data):
        return lambda: client.post(
            "/api/v1/trainings", json.dumps(data), content_type="application/json"
        )

    _calendar(course, 2)
    cache.clear()
    small = query_budget(propose(body), max_queries=25)
    assert small.status_code == 409 and len(small.json()["errors"]) >= 2
    small_clash = query_budget.last_count
    created = query_budget(propose(clear), max_queries=60)
    assert created.status_code == 201, created.content
    small_created = query_budget.last_count

    _calendar(course, 18)
    large = query_budget(propose(body), max_queries=small_clash)
    assert large.status_code == 409 and len(large.json()["errors"]) >= 20
    clear["starts_at"], clear["ends_at"] = "2032-09-01T09:00:00+05:00", "2032-09-02T17:00:00+05:00"
    assert query_budget(propose(clear), max_queries=small_created).status_code == 201
