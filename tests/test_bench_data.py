"""The benchmark data and the HTTP benchmarks' requests, end to end at the `tiny` scale:
`generate_bench_data` makes valid rows (pages that render, attempts that review, codes that
verify), a second run adds nothing, `benchmarks.http_setup` prepares what the scenarios
send, every scenario's request answers as the benchmark expects, and `--reset` removes
everything."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from assessments.models import Quiz, QuizAttempt
from benchmarks import http_setup
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from lms.management.commands.generate_bench_data import SCALES, SHOWCASE, Command
from lms.models import Organisation, User
from scheduling.models import Training
from trainers.models import Certificate

pytestmark = pytest.mark.django_db

TINY = SCALES["tiny"]


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_bench_data", scale="tiny", stdout=out, **options)
    return out.getvalue()


def signed_in(key: str, csrf: str = "") -> Client:
    client = Client()
    client.cookies["sessionid"] = key
    if csrf:
        client.cookies["csrftoken"] = csrf
    return client


def test_the_data_is_made_once_and_removed_by_reset():
    report = generate()

    assert "tiny:" in report
    assert CoursePage.objects.filter(code__startswith="BEN-C-").count() == TINY["courses"]
    showcase = CoursePage.objects.get(code=SHOWCASE)
    assert LessonPage.objects.live().descendant_of(showcase).count() == 65
    assert (
        Enrolment.objects.filter(course=showcase, role="learner").count()
        == TINY["showcase_learners"]
    )
    assert Enrolment.objects.filter(course=showcase, role="trainer").count() == 1
    quizzes = Quiz.objects.filter(course__code__startswith="BEN-")
    assert quizzes.count() == TINY["courses"] + 3
    assert all(quiz.slots.count() == 10 for quiz in quizzes)
    finished = QuizAttempt.objects.filter(quiz__in=quizzes, state="finished")
    assert finished.count() > TINY["enrolments"] // 3
    assert not QuizAttempt.objects.exclude(state="finished").exists()
    assert (
        Training.objects.filter(organiser__short_name__startswith="BEN-").count()
        == (TINY["trainings"])
    )
    assert (
        Certificate.objects.filter(course__code__startswith="BEN-").count()
        == (TINY["certificates"])
    )
    counts = (User.objects.count(), QuizAttempt.objects.count(), LessonProgress.objects.count())

    assert "already there" in generate()
    assert (User.objects.count(), QuizAttempt.objects.count(), LessonProgress.objects.count()) == (
        counts
    )

    Command().reset()
    assert not User.objects.filter(username__startswith="bench-").exists()
    assert not CoursePage.objects.filter(code__startswith="BEN-").exists()
    assert not Organisation.objects.filter(short_name__startswith="BEN-").exists()
    assert not (QuizAttempt.objects.exists() or Enrolment.objects.exists())
    assert not (Certificate.objects.exists() or Training.objects.exists())
    assert "tiny:" in generate(reset=True)  # and it builds again


def test_every_scenario_answers_as_the_benchmark_expects():
    generate()
    setup = http_setup.prepare()
    csrf = setup["csrf"]
    learner = signed_in(setup["learners"][0])

    # pages
    assert Client().get("/courses/").status_code == 200
    assert learner.get("/dashboard/").status_code == 200
    outline = learner.get(setup["course"])
    assert outline.status_code == 200
    assert outline.content.count(b"/session-") >= 65
    assert learner.get(setup["lesson"]).status_code == 200
    showcase = CoursePage.objects.get(code=SHOWCASE)
    for lesson in LessonPage.objects.live().descendant_of(showcase):
        if any(block.block_type == "quiz" for block in lesson.body):
            assert learner.get(lesson.url).status_code == 200
    page = setup["attempt_pages"][0]
    attempt_page = signed_in(page["session"]).get(f"/quizzes/attempts/{page['id']}/")
    assert attempt_page.status_code == 200
    assert attempt_page.content.count(b'data-slot="') == 10
    gradebook = signed_in(setup["trainer"]).get(setup["gradebook"])
    assert gradebook.status_code == 200
    assert len(gradebook.context["rows"]) == TINY["showcase_learners"]

    # autosave: both bodies save, and each changes the stored answers
    item = setup["autosave"][0]
    saver = signed_in(item["session"], csrf)
    for body in item["bodies"]:
        response = saver.put(
            f"/api/v1/attempts/{item['id']}/responses",
            body,
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        )
        assert response.status_code == 200, response.content
        assert QuizAttempt.objects.get(pk=item["id"]).responses == json.loads(body)["responses"]

    # submit: graded like a generated attempt of the same quiz
    item = setup["submit"][0]
    response = signed_in(item["session"], csrf).post(
        f"/api/v1/attempts/{item['id']}/submit",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200, response.content
    submitted = QuizAttempt.objects.get(pk=item["id"])
    assert submitted.state == "finished" and submitted.grade_percent is not None

    # certificate verification
    code = setup["certificates"][0]
    assert Client().get(f"/api/v1/certificates/{code}").json()["status"] == "valid"

    # training proposal: a token for the partner, then a clash
    token = Client().post(
        "/api/v1/auth/token", json.dumps(setup["partner"]), content_type="application/json"
    )
    assert token.status_code == 200
    proposal = Client().post(
        "/api/v1/trainings",
        json.dumps(setup["proposal"]),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )
    assert proposal.status_code == 409, proposal.content
    assert any(error["kind"] == "same_course" for error in proposal.json()["errors"])

    # a second preparation starts from the same state
    again = http_setup.prepare()
    assert len(again["submit"]) == len(setup["submit"])
    assert not QuizAttempt.objects.filter(pk=item["id"]).exists()
    assert Organisation.objects.filter(short_name__startswith="BEN-").count() == 5
