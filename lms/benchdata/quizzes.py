"""The benchmark quizzes and attempts: a question bank and quiz per course (`quiz`,
`course_quizzes`) and a finished attempt for about half of each course's learners
(`attempted` says which). Attempts are real: one per quiz is started by `attempt_start` and
graded by `attempt_grade`, and the others are bulk copies of graded variants of it.
"""

from datetime import timedelta

from django.utils import timezone

from assessments import services as quiz_services
from assessments.models import QuestionVersion, Quiz, QuizAttempt, QuizSlot
from courses.models import CoursePage, Enrolment
from lms.benchdata.bulk import copy_rows
from lms.benchdata.constants import ATTEMPT_COLUMNS, BANK, COURSE_PREFIX, QUIZ_TITLE
from lms.models import User


def attempted(user_id: int, course_id: int) -> bool:
    """Whether the generated data gives this learner a finished attempt at the course's quiz.
    The others (about half) are left for the benchmarks to start and submit attempts."""
    return (user_id + course_id) % 2 == 0


def _response(question: dict, position_order: list | None, right: bool) -> dict:
    """A right or a wrong response to one of BANK's questions, in the attempt's layout."""
    data = question["data"]
    qtype = question["qtype"]
    if qtype == "multichoice":
        order = position_order or list(range(len(data["answers"])))
        positions = range(len(order))
        if right:
            choice = max(positions, key=lambda p: data["answers"][order[p]]["fraction"])
        else:
            choice = min(positions, key=lambda p: data["answers"][order[p]]["fraction"])
        return {"choice": choice}
    if qtype == "truefalse":
        return {"answer": data["correct"] if right else not data["correct"]}
    if qtype == "shortanswer":
        return {"answer": data["answers"][0]["text"] if right else "Customs"}
    if qtype == "numerical":
        value = data["answers"][0]["value"]
        return {"answer": str(value if right else value + 4)}
    return {"text": "An answer."}


def quiz_create(*, course, title: str, category: str, questions_per_page: int = 0) -> Quiz:
    result = quiz_services.question_import(
        course=course, data=BANK.format(category=category).encode(), fmt="gift",
        filename="bench.gift",
    )  # fmt: skip
    quiz = Quiz.objects.create(
        course=course, title=title, questions_per_page=questions_per_page, pass_percent=50
    )
    QuizSlot.objects.bulk_create(
        [
            QuizSlot(quiz=quiz, question_id=pk, sort_order=order)
            for order, pk in enumerate(result.question_ids)
        ]
    )
    return quiz


def course_quizzes(rng) -> None:
    courses = list(CoursePage.objects.filter(code__startswith=COURSE_PREFIX).order_by("code"))
    learners: dict[int, list[tuple[int, int]]] = {course.pk: [] for course in courses}
    for user_id, course_id in (
        Enrolment.objects.filter(course__in=courses, role=Enrolment.Role.LEARNER)
        .order_by("pk")
        .values_list("user_id", "course_id")
        .iterator(chunk_size=20_000)
    ):
        if attempted(user_id, course_id):
            learners[course_id].append((user_id, course_id))
    for course in courses:
        quiz = quiz_create(course=course, title=QUIZ_TITLE, category="Bench")
        attempts(quiz, learners[course.pk], rng)


def attempts(quiz: Quiz, learners: list[tuple[int, int]], rng) -> None:
    """A finished attempt at `quiz` for each learner: the first started by the service
    (its layout is the one every copy gets), graded variants of it for the others."""
    if not learners:
        return
    first = User.objects.get(pk=learners[0][0])
    template = quiz_services.attempt_start(quiz=quiz, user=first)
    versions = dict(
        QuestionVersion.objects.filter(
            pk__in=[s["version"] for s in template.layout["slots"]]
        ).values_list("pk", "data")
    )
    slots = template.layout["slots"]
    variants = []
    for _ in range(16):
        ability = rng.uniform(0.3, 0.95)
        right = {s["slot"] for s in slots if rng.random() < ability}
        attempt = QuizAttempt(layout=template.layout, max_marks=template.max_marks)
        attempt.responses = {
            str(s["slot"]): _response(
                versions[s["version"]], s["layout"].get("order"), s["slot"] in right
            )
            for s in slots
        }
        quiz_services.attempt_grade(attempt=attempt, versions=versions, manual={})
        variants.append(attempt)
    now = timezone.now()
    rows = []
    for n, (user_id, _course_id) in enumerate(learners):
        variant = rng.choice(variants)
        started = now - timedelta(days=rng.uniform(1, 120))
        finished = started + timedelta(minutes=rng.uniform(5, 25))
        if n == 0:
            QuizAttempt.objects.filter(pk=template.pk).update(
                state=QuizAttempt.State.FINISHED,
                started_at=started,
                finished_at=finished,
                responses=variant.responses,
                responses_saved_at=finished,
                marks=variant.marks,
                feedback=variant.feedback,
                sum_marks=variant.sum_marks,
                grade_percent=variant.grade_percent,
            )
            continue
        rows.append(
            (quiz.pk, user_id, 1, QuizAttempt.State.FINISHED.value, started, finished,
             template.layout, variant.responses, finished, variant.marks, variant.feedback,
             variant.sum_marks, template.max_marks, variant.grade_percent,
             variant.needs_grading)
        )  # fmt: skip
    copy_rows(QuizAttempt, ATTEMPT_COLUMNS, rows)
