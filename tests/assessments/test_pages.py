"""Pages of an attempt: N questions a page, a navigator, free or sequential navigation
enforced by the server (services, API and the page without JavaScript)."""

import pytest

from assessments import services
from assessments.models import Question, Quiz, QuizAttempt, QuizSlot
from lms.exceptions import NotAllowed, ServiceError
from tests.assessments.factories import learner
from tests.courses.factories import course_create

pytestmark = pytest.mark.django_db


def _quiz(n: int, *, per_page: int, navigation: str = Quiz.Navigation.FREE):
    """A quiz of ``n`` true/false questions, ``per_page`` a page, and a learner."""
    course = course_create(modules=1, lessons=1)
    gift = "\n\n".join(f"::S{i}:: Statement {i}. {{T}}" for i in range(n)).encode()
    services.question_import(course=course, data=gift, fmt="gift", filename="s.gift")
    quiz = Quiz.objects.create(
        course=course, title="Paged", questions_per_page=per_page, navigation=navigation
    )
    for order, question in enumerate(Question.objects.filter(course=course).order_by("pk")):
        QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
    user = learner(course, f"paged{n}{per_page}{navigation}")
    return quiz, user


def _slots_on_page(html: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'<fieldset[^>]*data-slot="(\d+)"', html)]


# --- Layout --------------------------------------------------------------------------------
def test_start_cuts_the_attempt_into_pages_of_n_questions():
    quiz, user = _quiz(5, per_page=2)
    attempt = services.attempt_start(quiz=quiz, user=user)
    assert [s["page"] for s in attempt.layout["slots"]] == [0, 0, 1, 1, 2]
    assert attempt.layout["pages"] == 3
    assert attempt.current_page == 0


def test_attempt_page_shows_the_current_page_and_a_navigator(client):
    quiz, user = _quiz(5, per_page=2)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    html = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert _slots_on_page(html) == [1, 2]
    assert "Page 1 of 3" in html
    assert html.count("data-nav-page=") == 3
    assert 'name="thispage" value="0"' in html
    assert "Next page" in html and "Previous page" not in html


# --- Free navigation -------------------------------------------------------------------------
def test_free_navigation_goes_to_any_page_and_back(client):
    quiz, user = _quiz(5, per_page=2)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    url = f"/quizzes/attempts/{attempt.pk}/"

    # jump from the first page to the last, answering the first page on the way
    response = client.post(url + "page/", {"thispage": "0", "goto": "2", "slot-1": "true"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.current_page == 2
    assert attempt.responses == {"1": {"answer": True}}
    assert _slots_on_page(client.get(url).content.decode()) == [5]

    # and back again; a page can also be looked at by its address
    services.attempt_navigate(attempt=attempt, user=user, page=0)
    assert _slots_on_page(client.get(url + "?page=1").content.decode()) == [3, 4]
    html = client.get(url).content.decode()
    assert _slots_on_page(html) == [1, 2]
    assert 'value="true" checked' in html  # the saved answer is shown


def test_free_navigation_accepts_answers_for_any_page():
    quiz, user = _quiz(4, per_page=1)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_save_responses(
        attempt=attempt, user=user, responses={"4": {"answer": True}, "1": {"answer": False}}
    )
    attempt.refresh_from_db()
    assert set(attempt.responses) == {"1", "4"}


def test_a_page_out_of_range_is_refused():
    quiz, user = _quiz(3, per_page=1)
    attempt = services.attempt_start(quiz=quiz, user=user)
    with pytest.raises(ServiceError) as error:
        services.attempt_navigate(attempt=attempt, user=user, page=3)
    assert error.value.errors[0].field == "page"


# --- Sequential navigation --------------------------------------------------------------------
def test_sequential_goes_forward_one_page_at_a_time():
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)

    # skipping ahead is refused
    with pytest.raises(NotAllowed):
        services.attempt_navigate(attempt=attempt, user=user, page=2)
    # the next page is fine, with this page's answers
    attempt = services.attempt_navigate(
        attempt=attempt, user=user, page=1, responses={"1": {"answer": True}}
    )
    assert attempt.current_page == 1
    # going back is refused, and the page stays where it is
    with pytest.raises(NotAllowed):
        services.attempt_navigate(attempt=attempt, user=user, page=0)
    attempt.refresh_from_db()
    assert attempt.current_page == 1
    assert attempt.responses == {"1": {"answer": True}}


def test_sequential_refuses_answers_for_a_page_left_or_not_reached():
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    attempt = services.attempt_navigate(attempt=attempt, user=user, page=1)

    with pytest.raises(NotAllowed) as earlier:
        services.attempt_save_responses(attempt=attempt, user=user, responses={"1": {"answer": 1}})
    assert [item.field for item in earlier.value.errors] == ["1"]
    with pytest.raises(NotAllowed) as later:
        services.attempt_save_responses(
            attempt=attempt, user=user, responses={"5": {"answer": True}}
        )
    assert [item.field for item in later.value.errors] == ["5"]
    # nothing of a refused request is kept, not even the allowed part
    with pytest.raises(NotAllowed):
        services.attempt_save_responses(
            attempt=attempt, user=user, responses={"3": {"answer": True}, "1": {"answer": 1}}
        )
    attempt.refresh_from_db()
    assert attempt.responses == {}

    services.attempt_save_responses(attempt=attempt, user=user, responses={"3": {"answer": True}})
    attempt.refresh_from_db()
    assert attempt.responses == {"3": {"answer": True}}


def test_sequential_submit_refuses_answers_for_an_earlier_page():
    quiz, user = _quiz(4, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    attempt = services.attempt_navigate(
        attempt=attempt, user=user, page=1, responses={"1": {"answer": True}}
    )
    with pytest.raises(NotAllowed):
        services.attempt_submit(attempt=attempt, user=user, responses={"1": {"answer": False}})
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.IN_PROGRESS

    attempt = services.attempt_submit(attempt=attempt, user=user, responses={"3": {"answer": True}})
    assert attempt.state == QuizAttempt.State.FINISHED
    assert attempt.marks == {"1": 1.0, "2": 0.0, "3": 1.0, "4": 0.0}


def test_sequential_page_cannot_be_reached_by_its_address(client):
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_navigate(attempt=attempt, user=user, page=1)
    client.force_login(user)
    url = f"/quizzes/attempts/{attempt.pk}/"

    for page in ("0", "2"):
        response = client.get(f"{url}?page={page}")
        assert response.status_code == 302
        assert response["Location"] == url
    html = client.get(url).content.decode()
    assert _slots_on_page(html) == [3, 4]
    assert "Previous page" not in html
    assert "you cannot come back" in html
    assert 'data-goto="0"' not in html and 'data-goto="2"' in html  # only the next page


def test_sequential_back_button_without_javascript_is_refused(client):
    quiz, user = _quiz(4, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    url = f"/quizzes/attempts/{attempt.pk}/"
    client.post(url + "page/", {"thispage": "0", "goto": "1", "slot-1": "true"})

    response = client.post(url + "page/", {"thispage": "1", "goto": "0"}, follow=True)
    assert "cannot go back" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.current_page == 1
    # a stale form of the first page changes nothing either
    client.post(url + "page/", {"thispage": "0", "goto": "1", "slot-1": "false"})
    attempt.refresh_from_db()
    assert attempt.responses == {"1": {"answer": True}}


def test_submit_without_javascript_keeps_the_answers_of_other_pages(client):
    quiz, user = _quiz(4, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    client.force_login(user)
    url = f"/quizzes/attempts/{attempt.pk}/"
    client.post(url + "page/", {"thispage": "0", "goto": "1", "slot-1": "true", "slot-2": "true"})
    client.post(url + "submit/", {"thispage": "1", "slot-3": "true"})
    attempt.refresh_from_db()
    assert attempt.state == QuizAttempt.State.FINISHED
    assert attempt.responses == {
        "1": {"answer": True},
        "2": {"answer": True},
        "3": {"answer": True},
    }
    assert attempt.sum_marks == 3.0


# --- API -------------------------------------------------------------------------------------
def test_api_moves_between_pages_and_enforces_sequential(client):
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    client.force_login(user)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
    assert (started["pages"], started["current_page"], started["navigation"]) == (
        3,
        0,
        "sequential",
    )
    assert [q["page"] for q in started["questions"]] == [0, 0]  # only the current page
    base = f"/api/v1/attempts/{started['id']}"

    skipped = client.post(f"{base}/page", {"page": 2}, content_type="application/json")
    assert skipped.status_code == 403
    moved = client.post(
        f"{base}/page",
        {"page": 1, "responses": {"1": {"answer": True}}},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["current_page"] == 1
    assert [q["slot"] for q in moved.json()["questions"]] == [3, 4]
    back = client.post(f"{base}/page", {"page": 0}, content_type="application/json")
    assert back.status_code == 403
    assert back.json()["errors"][0]["field"] == "page"
    earlier = client.put(
        f"{base}/responses",
        {"responses": {"2": {"answer": True}}},
        content_type="application/json",
    )
    assert earlier.status_code == 403
    assert earlier.json()["errors"] == [
        {"field": "2", "message": "This question's page is closed."}
    ]
    current = client.put(
        f"{base}/responses",
        {"responses": {"3": {"answer": True}}},
        content_type="application/json",
    )
    assert current.status_code == 200


def _texts(response) -> str:
    return response.content.decode()


def test_api_of_a_sequential_attempt_shows_only_the_pages_reached(client):
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    client.force_login(user)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts")
    assert started.status_code == 201
    assert [q["slot"] for q in started.json()["questions"]] == [1, 2]
    assert "Statement 2." not in _texts(started) and "Statement 5." not in _texts(started)
    base = f"/api/v1/attempts/{started.json()['id']}"
    detail = client.get(base)
    assert [q["slot"] for q in detail.json()["questions"]] == [1, 2]
    assert "Statement 2." not in _texts(detail)

    # the next page: its questions come with the move
    moved = client.post(
        f"{base}/page",
        {"page": 1, "responses": {"1": {"answer": True}}},
        content_type="application/json",
    )
    assert [q["slot"] for q in moved.json()["questions"]] == [3, 4]
    assert "Statement 1." not in _texts(moved) and "Statement 4." not in _texts(moved)

    # resuming: the current page, and the answered question of the page left behind (the
    # review options show the responses during the attempt), never the page not reached
    resumed = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts")
    assert resumed.status_code == 200
    assert [q["slot"] for q in resumed.json()["questions"]] == [1, 3, 4]
    assert resumed.json()["responses"] == {"1": {"answer": True}}
    assert "Statement 4." not in _texts(resumed) and "Statement 1." not in _texts(resumed)
    detail = client.get(base).json()
    assert [q["slot"] for q in detail["questions"]] == [1, 3, 4]
    assert detail["questions"][0]["response"] == {"answer": True}


def test_api_of_a_sequential_attempt_hides_earlier_pages_when_the_review_options_do(client):
    from assessments.models import ReviewTime

    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    quiz.review_responses = ReviewTime.IMMEDIATELY | ReviewTime.LATER_OPEN
    quiz.save()
    client.force_login(user)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
    base = f"/api/v1/attempts/{started['id']}"
    client.post(
        f"{base}/page",
        {"page": 1, "responses": {"1": {"answer": True}}},
        content_type="application/json",
    )
    resumed = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
    assert [q["slot"] for q in resumed["questions"]] == [3, 4]
    assert resumed["responses"] == {}
    assert [q["slot"] for q in client.get(base).json()["questions"]] == [3, 4]

    # once submitted, the review shows every question (as the review options allow)
    client.post(f"{base}/submit", {}, content_type="application/json")
    assert [q["slot"] for q in client.get(base).json()["questions"]] == [1, 2, 3, 4, 5, 6]


def test_api_of_a_free_attempt_shows_every_page(client):
    quiz, user = _quiz(5, per_page=2)
    client.force_login(user)
    started = client.post(f"/api/v1/quizzes/{quiz.pk}/attempts").json()
    assert [q["slot"] for q in started["questions"]] == [1, 2, 3, 4, 5]
    base = f"/api/v1/attempts/{started['id']}"
    assert len(client.get(base).json()["questions"]) == 5
    moved = client.post(f"{base}/page", {"page": 2}, content_type="application/json").json()
    assert [q["slot"] for q in moved["questions"]] == [5]


def test_a_trainer_sees_every_question_of_a_sequential_attempt_in_progress(client, users):
    from courses.models import Enrolment
    from courses.services import enrolment_create

    quiz, user = _quiz(4, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    enrolment_create(
        user=users["trainer"],
        course=quiz.course,
        role=Enrolment.Role.TRAINER,
        source=Enrolment.Source.BULK,
    )
    client.force_login(users["trainer"])
    detail = client.get(f"/api/v1/attempts/{attempt.pk}").json()
    assert [q["slot"] for q in detail["questions"]] == [1, 2, 3, 4]


def test_the_attempt_page_of_a_sequential_quiz_renders_only_the_current_page(client):
    quiz, user = _quiz(6, per_page=2, navigation=Quiz.Navigation.SEQUENTIAL)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_navigate(attempt=attempt, user=user, page=1, responses={"1": {"answer": True}})
    client.force_login(user)
    html = client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode()
    assert _slots_on_page(html) == [3, 4]
    assert "Statement 2." in html and "Statement 3." in html
    for hidden in ("Statement 0.", "Statement 1.", "Statement 4.", "Statement 5."):
        assert hidden not in html


# --- Queries ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [10, 60])
@pytest.mark.parametrize("navigation", [Quiz.Navigation.FREE, Quiz.Navigation.SEQUENTIAL])
def test_a_page_of_the_attempt_costs_a_constant_number_of_queries(
    n, navigation, client, query_budget
):
    quiz, user = _quiz(n, per_page=5, navigation=navigation)
    attempt = services.attempt_start(quiz=quiz, user=user)
    services.attempt_navigate(attempt=attempt, user=user, page=1)
    client.force_login(user)
    response = query_budget(client.get, f"/quizzes/attempts/{attempt.pk}/", max_queries=6)
    assert response.status_code == 200
    assert _slots_on_page(response.content.decode()) == [6, 7, 8, 9, 10]
    assert response.content.decode().count("data-nav-page=") == n // 5
