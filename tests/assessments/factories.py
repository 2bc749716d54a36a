"""Question banks, quizzes and learners for the assessments tests."""

from assessments import services
from assessments.models import Question, QuestionCategory, Quiz, QuizSlot
from courses.models import Enrolment
from courses.services import enrolment_create
from lms.roles import Role
from tests.courses.factories import course_create
from tests.factories import UserFactory

BANK = b"""
$CATEGORY: top/Test/Day 1

::Q1 Capital:: Which city is the capital of Pakistan? {
=Islamabad#Right.
~Karachi#No, the largest city.
~Lahore#No.
}

::Q2 TF:: The Palermo Protocol defines trafficking. {T#Yes it does.#No, it does.}

::Q3 Short:: Name the agency. {=FIA =Federal Investigation Agency}

::Q4 Num:: How many elements does the definition have? {#3}

$CATEGORY: top/Test/Day 1/Sub

::Q5 Multi:: Which are means? {
~%50%Force
~%50%Deception
~%-100%A passport
}

::Q6 Essay:: Explain the act-means-purpose test. {}
"""


def course_with_bank(*, code: str | None = None, trainer=None):
    course = course_create(code=code, modules=1, lessons=2)
    result = services.question_import(course=course, data=BANK, fmt="gift", filename="t.gift")
    if trainer is not None:
        enrolment_create(
            user=trainer, course=course, role=Enrolment.Role.TRAINER, source=Enrolment.Source.BULK
        )
    return course, result


def question(course, name: str) -> Question:
    return Question.objects.get(course=course, name=name)


def quiz_create(
    *, course, names=("Q1 Capital", "Q2 TF"), random_from=None, random_count=1, **fields
):
    quiz = Quiz(course=course, title=fields.pop("title", "Check"), shuffle_answers=False, **fields)
    quiz.save()
    order = 0
    for name in names:
        QuizSlot.objects.create(quiz=quiz, question=question(course, name), sort_order=order)
        order += 1
    if random_from:
        QuizSlot.objects.create(
            quiz=quiz,
            category=QuestionCategory.objects.get(course=course, path=random_from),
            random_count=random_count,
            sort_order=order,
        )
    return quiz


def learner(course, username: str = "learner1"):
    user = UserFactory(username=username, roles=[Role.OFFICER])
    enrolment_create(user=user, course=course, source=Enrolment.Source.BULK)
    return user


def right_responses(attempt) -> dict:
    """The right response for each slot of the test bank (layouts not shuffled)."""
    from assessments.models import QuestionVersion

    data = dict(
        QuestionVersion.objects.filter(
            pk__in=[s["version"] for s in attempt.layout["slots"]]
        ).values_list("pk", "data")
    )
    responses = {}
    for slot in attempt.layout["slots"]:
        question = data[slot["version"]]
        order = slot["layout"].get("order")
        qtype = question["qtype"]
        if qtype == "multichoice" and question["data"]["single"]:
            best = max(
                range(len(order)), key=lambda p: question["data"]["answers"][order[p]]["fraction"]
            )
            responses[str(slot["slot"])] = {"choice": best}
        elif qtype == "multichoice":
            responses[str(slot["slot"])] = {
                "choices": [
                    p
                    for p in range(len(order))
                    if question["data"]["answers"][order[p]]["fraction"] > 0
                ]
            }
        elif qtype == "truefalse":
            responses[str(slot["slot"])] = {"answer": question["data"]["correct"]}
        elif qtype == "shortanswer":
            responses[str(slot["slot"])] = {"answer": question["data"]["answers"][0]["text"]}
        elif qtype == "numerical":
            responses[str(slot["slot"])] = {"answer": str(question["data"]["answers"][0]["value"])}
        elif qtype == "essay":
            responses[str(slot["slot"])] = {"text": "My essay"}
    return responses
