"""The Wagtail admin: question banks and the question editor (trainers of the course and
administrators; a new version once attempted), and the quiz editor whose slots choose only
from the bank of the quiz's course."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments import services
from assessments.models import Question, QuestionVersion, Quiz, QuizAttempt
from lms.roles import Role
from tests.assessments.factories import course_with_bank, learner, question, quiz_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def banks(users):
    """Course A trained by `trainer`, course B by another trainer."""
    course_a, _ = course_with_bank(code="BANK-A", trainer=users["trainer"])
    other = UserFactory(username="trainer_b", roles=[Role.TRAINER])
    course_b, _ = course_with_bank(code="BANK-B", trainer=other)
    return course_a, course_b, other


def _edit_data(q: Question, **changes) -> dict:
    """The editor's POST data for ``q`` as it is, with ``changes``."""
    data = q.current_version.data
    post = {
        "name": data["name"],
        "text": data["text"],
        "default_mark": str(data["default_mark"]),
        "general_feedback": data.get("general_feedback", ""),
    }
    answers = (data.get("data") or {}).get("answers") or []
    post.update(
        {
            "answers-TOTAL_FORMS": str(len(answers) + 1),
            "answers-INITIAL_FORMS": str(len(answers)),
            "answers-MIN_NUM_FORMS": "0",
            "answers-MAX_NUM_FORMS": "1000",
        }
    )
    for index, answer in enumerate(answers):
        post[f"answers-{index}-text"] = answer.get("text", "")
        post[f"answers-{index}-fraction"] = str(answer["fraction"] * 100)
        post[f"answers-{index}-feedback"] = answer.get("feedback", "")
    post.update(changes)
    return post


# --- Question banks ----------------------------------------------------------------------------
def test_trainer_lists_only_the_banks_of_their_courses(client, users, banks):
    course_a, course_b, _other = banks
    client.force_login(users["trainer"])
    listing = client.get("/cms/question-banks/").content.decode()
    assert "BANK-A" in listing and "BANK-B" not in listing
    bank = client.get(f"/cms/question-banks/{course_a.pk}/").content.decode()
    assert "Q1 Capital" in bank and "Q6 Essay" in bank
    assert client.get(f"/cms/question-banks/{course_b.pk}/").status_code == 404


def test_bank_filters_by_category_with_its_subcategories(client, users, banks):
    course_a, _b, _other = banks
    client.force_login(users["trainer"])
    sub = course_a.question_categories.get(path="top/Test/Day 1/Sub")
    html = client.get(f"/cms/question-banks/{course_a.pk}/?category={sub.pk}").content.decode()
    assert "Q5 Multi" in html and "Q1 Capital" not in html
    parent = course_a.question_categories.get(path="top/Test/Day 1")
    html = client.get(f"/cms/question-banks/{course_a.pk}/?category={parent.pk}").content.decode()
    assert "Q5 Multi" in html and "Q1 Capital" in html


def test_admin_sees_every_bank_and_others_are_kept_out(client, users, banks):
    course_a, _course_b, _other = banks
    client.force_login(users["admin"])
    listing = client.get("/cms/question-banks/").content.decode()
    assert "BANK-A" in listing and "BANK-B" in listing
    client.force_login(users["reviewer"])  # the admin sends them home: permission denied
    assert client.get("/cms/question-banks/").status_code in (302, 403)
    assert client.get(f"/cms/question-banks/{course_a.pk}/").status_code in (302, 403)
    client.force_login(users["officer"])
    assert client.get(f"/cms/question-banks/{course_a.pk}/").status_code in (302, 403)


def test_trainer_of_another_course_cannot_edit_a_question(client, users, banks):
    _a, course_b, _other = banks
    q1 = question(course_b, "Q1 Capital")
    client.force_login(users["trainer"])
    assert client.get(f"/cms/question-banks/questions/{q1.pk}/").status_code == 404
    response = client.post(
        f"/cms/question-banks/questions/{q1.pk}/", _edit_data(q1, name="Taken over")
    )
    assert response.status_code == 404
    q1.refresh_from_db()
    assert q1.name == "Q1 Capital"
    assert q1.current_version.number == 1


# --- Editing -----------------------------------------------------------------------------------
def test_editing_an_unattempted_question_changes_its_version_in_place(client, users, banks):
    course_a, _b, _other = banks
    q1 = question(course_a, "Q1 Capital")
    client.force_login(users["trainer"])
    form = client.get(f"/cms/question-banks/questions/{q1.pk}/").content.decode()
    assert "Islamabad" in form and "Right." in form

    response = client.post(
        f"/cms/question-banks/questions/{q1.pk}/",
        _edit_data(
            q1,
            text="Which city is the federal capital?",
            default_mark="2",
            **{"answers-1-feedback": "No: Karachi is the largest city."},
        ),
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.current_version.number == 1
    assert QuestionVersion.objects.filter(question=q1).count() == 1
    data = q1.current_version.data
    assert data["text"] == "Which city is the federal capital?"
    assert data["default_mark"] == 2.0
    assert data["data"]["answers"][1]["feedback"] == "No: Karachi is the largest city."


def test_editing_an_attempted_question_makes_a_new_version(client, users, banks):
    course_a, _b, _other = banks
    quiz = quiz_create(course=course_a, names=("Q1 Capital",))
    officer = learner(course_a)
    attempt = services.attempt_start(quiz=quiz, user=officer)
    q1 = question(course_a, "Q1 Capital")
    old_version = q1.current_version
    client.force_login(users["trainer"])
    assert "keep grading against" in (
        client.get(f"/cms/question-banks/questions/{q1.pk}/").content.decode()
    )

    # Lahore becomes worth half, and a fourth choice is added
    response = client.post(
        f"/cms/question-banks/questions/{q1.pk}/",
        _edit_data(
            q1,
            **{
                "answers-2-fraction": "50",
                "answers-3-text": "Peshawar",
                "answers-3-fraction": "0",
            },
        ),
        follow=True,
    )
    assert "saved as version 2" in response.content.decode()
    q1.refresh_from_db()
    assert q1.current_version.number == 2
    new = q1.current_version.data["data"]["answers"]
    assert [a["text"] for a in new] == ["Islamabad", "Karachi", "Lahore", "Peshawar"]
    assert new[2]["fraction"] == 0.5
    # the attempt keeps the version it was shown, unchanged
    old_version.refresh_from_db()
    assert len(old_version.data["data"]["answers"]) == 3
    attempt.refresh_from_db()
    assert attempt.layout["slots"][0]["version"] == old_version.pk
    lahore = attempt.layout["slots"][0]["layout"]["order"].index(2)
    done = services.attempt_submit(
        attempt=attempt, user=officer, responses={"1": {"choice": lahore}}
    )
    assert done.marks == {"1": 0.0}


def test_an_invalid_edit_is_refused_and_keeps_the_question(client, users, banks):
    course_a, _b, _other = banks
    q3 = question(course_a, "Q3 Short")
    client.force_login(users["trainer"])
    # no answer left: a short-answer question needs one
    post = _edit_data(q3, **{"answers-0-text": "", "answers-1-text": ""})
    response = client.post(f"/cms/question-banks/questions/{q3.pk}/", post)
    assert response.status_code == 200
    assert "The question was not saved" in response.content.decode()
    q3.refresh_from_db()
    assert [a["text"] for a in q3.current_version.data["data"]["answers"]] == [
        "FIA",
        "Federal Investigation Agency",
    ]


def test_true_false_and_missing_word_are_edited_with_their_own_fields(client, users, banks):
    course_a, _b, _other = banks
    services.question_import(
        course=course_a,
        data=b"::MW:: Grant is {=entombed ~buried} in the tomb.",
        fmt="gift",
        filename="mw.gift",
    )
    client.force_login(users["trainer"])
    q2 = question(course_a, "Q2 TF")
    post = {
        "name": "Q2 TF",
        "text": "The Palermo Protocol defines smuggling.",
        "default_mark": "1",
        "general_feedback": "",
        "correct": "false",
        "true_feedback": "No.",
        "false_feedback": "Right: it defines trafficking.",
    }
    assert client.post(f"/cms/question-banks/questions/{q2.pk}/", post).status_code == 302
    q2.refresh_from_db()
    assert q2.current_version.data["data"]["correct"] is False
    assert q2.current_version.data["data"]["false_feedback"] == "Right: it defines trafficking."

    mw = question(course_a, "MW")
    post = _edit_data(mw, text="The general is _____ in the tomb.")
    assert client.post(f"/cms/question-banks/questions/{mw.pk}/", post).status_code == 302
    mw.refresh_from_db()
    assert mw.current_version.data["blank"] == len("The general is ")


# --- The quiz editor ---------------------------------------------------------------------------
def _quiz_post(*, course, slots, title="Built in the admin") -> dict:
    return nested_form_data(
        {
            "course": course.pk,
            "title": title,
            "intro": "",
            "overdue_handling": "autosubmit",
            "grace_period_seconds": "3600",
            "attempts_allowed": "0",
            "grading_method": "highest",
            "max_grade": "10",
            "pass_percent": "50",
            "questions_per_page": "2",
            "navigation": "sequential",
            "shuffle_answers": "on",
            "slots": inline_formset(
                [
                    {
                        "id": "",
                        "ORDER": str(index),
                        "question": slot.get("question", ""),
                        "category": slot.get("category", ""),
                        "random_count": str(slot.get("random_count", 1)),
                        "include_subcategories": "on",
                        "mark": "1",
                    }
                    for index, slot in enumerate(slots)
                ]
            ),
            "feedback_bands": inline_formset([]),
        }
    )


def test_quiz_editor_offers_only_the_trainers_courses_and_banks(client, users, banks):
    course_a, course_b, _other = banks
    client.force_login(users["trainer"])
    html = client.get("/cms/snippets/assessments/quiz/add/").content.decode()
    assert "BANK-A ·" in html and "BANK-B" not in html
    a_question = question(course_a, "Q1 Capital")
    b_question = question(course_b, "Q1 Capital")
    assert f'value="{a_question.pk}"' in html and f'value="{b_question.pk}"' not in html

    # an existing quiz offers its own course's bank only
    quiz = quiz_create(course=course_a)
    edit = client.get(f"/cms/snippets/assessments/quiz/edit/{quiz.pk}/").content.decode()
    assert f'value="{a_question.pk}"' in edit and f'value="{b_question.pk}"' not in edit
    assert "Test/Day 1 · Q1 Capital" in edit


def test_trainer_builds_a_quiz_from_their_bank(client, users, banks):
    course_a, _b, _other = banks
    client.force_login(users["trainer"])
    day1 = course_a.question_categories.get(path="top/Test/Day 1")
    response = client.post(
        "/cms/snippets/assessments/quiz/add/",
        _quiz_post(
            course=course_a,
            slots=[
                {"question": question(course_a, "Q1 Capital").pk},
                {"category": day1.pk, "random_count": 2},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    quiz = Quiz.objects.get(title="Built in the admin")
    assert quiz.course == course_a
    assert quiz.navigation == "sequential"
    assert quiz.slots.count() == 2


def test_a_slot_from_another_courses_bank_is_refused(client, users, banks):
    course_a, course_b, _other = banks
    client.force_login(users["trainer"])
    response = client.post(
        "/cms/snippets/assessments/quiz/add/",
        _quiz_post(course=course_a, slots=[{"question": question(course_b, "Q1 Capital").pk}]),
    )
    assert response.status_code == 200
    assert not Quiz.objects.filter(title="Built in the admin").exists()

    # nor can a trainer of both courses mix the banks
    from courses.models import Enrolment
    from courses.services import enrolment_create

    enrolment_create(
        user=users["trainer"],
        course=course_b,
        role=Enrolment.Role.TRAINER,
        source=Enrolment.Source.BULK,
    )
    response = client.post(
        "/cms/snippets/assessments/quiz/add/",
        _quiz_post(course=course_a, slots=[{"question": question(course_b, "Q1 Capital").pk}]),
    )
    assert response.status_code == 200
    assert "Choose from the bank of the quiz&#x27;s course." in response.content.decode()
    assert not Quiz.objects.filter(title="Built in the admin").exists()


def test_quizzes_of_another_course_are_hidden_from_a_trainer(client, users, banks):
    course_a, course_b, _other = banks
    mine = quiz_create(course=course_a, title="Mine")
    theirs = quiz_create(course=course_b, title="Theirs")
    client.force_login(users["trainer"])
    listing = client.get("/cms/snippets/assessments/quiz/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/cms/snippets/assessments/quiz/edit/{mine.pk}/").status_code == 200
    assert client.get(f"/cms/snippets/assessments/quiz/edit/{theirs.pk}/").status_code == 404
    response = client.post(
        f"/cms/snippets/assessments/quiz/edit/{theirs.pk}/",
        _quiz_post(course=course_b, slots=[], title="Hijacked"),
    )
    assert response.status_code == 404
    assert client.post(f"/cms/snippets/assessments/quiz/delete/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert QuizAttempt.objects.count() == 0


@pytest.mark.parametrize("extra", [0, 40])
def test_bank_page_costs_a_constant_number_of_queries(extra, client, users, banks, query_budget):
    course_a, _b, _other = banks
    if extra:
        gift = "\n\n".join(f"::X{i}:: Statement {i}. {{T}}" for i in range(extra)).encode()
        services.question_import(course=course_a, data=gift, fmt="gift", filename="x.gift")
    client.force_login(users["trainer"])
    # (15 with a cold cache: the first request of a test also looks up the Wagtail site)
    response = query_budget(client.get, f"/cms/question-banks/{course_a.pk}/", max_queries=15)
    assert response.status_code == 200
    assert response.content.decode().count("data-question=") == 6 + extra


# --- The lesson's quiz block: chooser and course check -------------------------------------------
CHOOSER = "/cms/snippets/choose/assessments/quiz/"


def test_quiz_chooser_offers_only_the_quizzes_of_the_trainers_courses(client, users, banks):
    course_a, course_b, _other = banks
    mine = quiz_create(course=course_a, title="Mine")
    theirs = quiz_create(course=course_b, title="Theirs")
    client.force_login(users["trainer"])

    for url in (CHOOSER, CHOOSER + "results/"):
        html = client.get(url).content.decode()
        assert "Mine" in html and "BANK-A" in html
        assert "Theirs" not in html and "BANK-B" not in html
    assert client.get(f"{CHOOSER}chosen/{mine.pk}/").status_code == 200
    assert client.get(f"{CHOOSER}chosen/{theirs.pk}/").status_code == 404

    client.force_login(users["admin"])
    html = client.get(CHOOSER).content.decode()
    assert "Mine" in html and "Theirs" in html
    assert client.get(f"{CHOOSER}chosen/{theirs.pk}/").status_code == 200


def _lesson_post(lesson, *, quiz) -> dict:
    from wagtail.test.utils.form_data import streamfield

    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "duration_minutes": "45",
            "method": "lecture",
            "completion_rule": "activities",
            "objectives": "",
            "materials": "",
            "body": streamfield([("quiz", {"title": "Check", "required": "on", "quiz": quiz.pk})]),
            "comments": inline_formset([]),
        }
    )


def test_a_lesson_refuses_a_quiz_of_another_course(client, users, banks):
    from courses.models import Enrolment, LessonPage
    from courses.services import enrolment_create

    course_a, course_b, _other = banks
    mine = quiz_create(course=course_a, title="Mine")
    theirs = quiz_create(course=course_b, title="Theirs")
    # a trainer of both courses is offered both quizzes, but a lesson takes its course's only
    enrolment_create(
        user=users["trainer"], course=course_b, role=Enrolment.Role.TRAINER, source="bulk"
    )
    client.force_login(users["trainer"])
    lesson = LessonPage.objects.descendant_of(course_a).first()

    response = client.post(f"/cms/pages/{lesson.pk}/edit/", _lesson_post(lesson, quiz=theirs))
    assert response.status_code == 200
    # the message is on the quiz block (the StreamField's error data, read by its script)
    assert "\\u201cTheirs\\u201d is a quiz of another course" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.get_latest_revision() is None or not any(
        block.block_type == "quiz" for block in lesson.get_latest_revision_as_object().body
    )

    # the same when the lesson is created in a module of the course
    module = lesson.get_parent()
    new = LessonPage(title="New session", slug="new-session")
    response = client.post(
        f"/cms/pages/add/courses/lessonpage/{module.pk}/", _lesson_post(new, quiz=theirs)
    )
    assert response.status_code == 200
    assert "is a quiz of another course" in response.content.decode()
    assert not LessonPage.objects.filter(slug="new-session").exists()

    # the lesson's own course's quiz is fine, saved as a draft or published
    response = client.post(f"/cms/pages/{lesson.pk}/edit/", _lesson_post(lesson, quiz=mine))
    assert response.status_code == 302, response.content.decode()[-2000:]
    lesson.refresh_from_db()
    body = lesson.get_latest_revision_as_object().body
    assert [block.value["quiz"] for block in body] == [mine]
    client.force_login(users["admin"])  # trainers submit for review; administrators publish
    response = client.post(
        f"/cms/pages/{lesson.pk}/edit/", {**_lesson_post(lesson, quiz=mine), "action-publish": "1"}
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert [block.value["quiz"] for block in lesson.body] == [mine]


def test_the_course_check_names_the_block_that_is_wrong(banks):
    from courses.blocks import LessonStreamBlock, course_errors

    course_a, course_b, _other = banks
    mine = quiz_create(course=course_a, title="Mine")
    theirs = quiz_create(course=course_b, title="Theirs")
    block = LessonStreamBlock()
    body = block.to_python(
        [
            {"type": "quiz", "value": {"title": "A", "required": True, "quiz": mine.pk}},
            {"type": "heading", "value": {"text": "Then", "level": "h2"}},
            {"type": "quiz", "value": {"title": "B", "required": True, "quiz": theirs.pk}},
            {"type": "quiz", "value": {"title": "C", "required": True, "quiz": None}},
        ]
    )
    assert course_errors(body, course_id=course_a.pk).block_errors.keys() == {2}
    assert course_errors(body, course_id=course_b.pk).block_errors.keys() == {0}
