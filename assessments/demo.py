"""Demo question banks and quizzes: each demo course gets its GIFT bank, a quiz of random
questions placed in a lesson, and finished attempts by demo learners for the statistics."""

from __future__ import annotations

import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

from assessments import services
from assessments.models import Question, QuestionCategory, QuestionVersion, Quiz, QuizSlot
from courses.models import CoursePage, Enrolment, LessonPage
from courses.services import enrolment_create
from lms.roles import Role
from lms.services import user_upsert

CURRICULA = Path(__file__).resolve().parent.parent / "courses" / "curricula"
BANKS = {
    "FIA-MMT-301": "tot-migration-management.gift",
    "FIA-THB-101": "identifying-victims-of-trafficking.gift",
    "FIA-DOC-201": "document-fraud-border-crossings.gift",
}
LEARNERS = [
    ("learner-asma", "Asma", "Khan"),
    ("learner-bilal", "Bilal", "Ahmed"),
    ("learner-sana", "Sana", "Malik"),
    ("learner-usman", "Usman", "Raza"),
    ("learner-hina", "Hina", "Javed"),
    ("learner-tariq", "Tariq", "Mehmood"),
]
QUIZ_TITLE = "Knowledge check"


def _responses(attempt, *, skill: float, rng: random.Random) -> dict:
    """Plausible answers: right with probability ``skill``, else a wrong one."""
    versions = dict(
        QuestionVersion.objects.filter(
            pk__in=[s["version"] for s in attempt.layout["slots"]]
        ).values_list("pk", "data")
    )
    responses = {}
    for slot in attempt.layout["slots"]:
        question, key = versions[slot["version"]], str(slot["slot"])
        data, right = question["data"], rng.random() < skill
        qtype = question["qtype"]
        if qtype == "multichoice":
            order = slot["layout"]["order"]
            good = [p for p in range(len(order)) if data["answers"][order[p]]["fraction"] > 0]
            bad = [p for p in range(len(order)) if p not in good] or good
            if data.get("single", True):
                responses[key] = {"choice": rng.choice(good if right else bad)}
            else:
                responses[key] = {"choices": good if right else bad[:1]}
        elif qtype == "truefalse":
            responses[key] = {"answer": data["correct"] if right else not data["correct"]}
        elif qtype == "shortanswer":
            best = max(data["answers"], key=lambda a: a["fraction"])["text"].replace("*", "")
            responses[key] = {"answer": best if right else "not sure"}
        elif qtype == "numerical":
            best = next(a for a in data["answers"] if a["value"] is not None)["value"]
            responses[key] = {"answer": f"{best:g}" if right else f"{best + 1:g}"}
        elif qtype == "matching":
            choices = slot["layout"]["choices"]
            items = data["subquestions"]
            responses[key] = {
                "matches": {
                    str(stem): choices.index(items[stem]["answer"])
                    if right or rng.random() < 0.5
                    else rng.randrange(len(choices))
                    for stem in slot["layout"]["stems"]
                }
            }
        elif qtype == "essay":
            responses[key] = {
                "text": "The case shows an act, a means and a purpose; I would refer the "
                "person to the protection desk and record the indicators."
            }
    return responses


def _place_in_lesson(*, course: CoursePage, quiz: Quiz) -> LessonPage | None:
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    if not lessons:
        return None
    lesson = next(
        (lesson for lesson in lessons if lesson.method == LessonPage.Method.ASSESSMENT),
        lessons[-1],
    )
    for block in lesson.body:
        if block.block_type == "quiz":
            chosen = block.value.get("quiz")
            if chosen is not None and getattr(chosen, "pk", chosen) == quiz.pk:
                return lesson
    lesson.body.append(("quiz", {"title": quiz.title, "required": True, "quiz": quiz}))
    lesson.save_revision().publish()
    return lesson


@transaction.atomic
def _seed_course(*, course: CoursePage, filename: str, trainer, learners, stdout=None) -> None:
    if not Question.objects.filter(course=course).exists():
        services.question_import(
            course=course,
            data=(CURRICULA / filename).read_bytes(),
            fmt="gift",
            user=trainer,
            filename=filename,
        )
    quiz = Quiz.objects.filter(course=course, title=QUIZ_TITLE).first()
    if quiz is None:
        quiz = Quiz.objects.create(
            course=course,
            title=QUIZ_TITLE,
            intro="Ten questions drawn at random from the course's question bank.",
            time_limit_minutes=30,
            pass_percent=60,
            questions_per_page=5,
            attempts_allowed=3,
        )
        top = (
            QuestionCategory.objects.filter(
                course=course, parent__isnull=False, parent__parent=None
            )
            .order_by("path")
            .first()
        ) or QuestionCategory.objects.get(course=course, path="top")
        gradable = Question.objects.filter(
            course=course, category__path__startswith=top.path
        ).exclude(qtype__in=["essay", "description"])
        count = min(10, gradable.count())
        essay = Question.objects.filter(course=course, qtype="essay").first()
        order = 0
        for question in gradable.order_by("pk")[:count]:
            QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
            order += 1
            if order >= 2:
                break
        QuizSlot.objects.create(
            quiz=quiz,
            category=top,
            include_subcategories=True,
            random_count=min(8, count - 2) or 1,
            sort_order=order,
        )
        if essay:
            QuizSlot.objects.create(quiz=quiz, question=essay, sort_order=order + 1, mark=2)
        quiz.feedback_bands.create(min_percent=80, text="Excellent: you are ready to teach this.")
        quiz.feedback_bands.create(min_percent=60, text="Passed. Review the sessions you missed.")
        quiz.feedback_bands.create(min_percent=0, text="Not yet: go through the course again.")
    _place_in_lesson(course=course, quiz=quiz)
    rng = random.Random(course.code)  # noqa: S311 (demo data)
    finished = 0
    for index, learner in enumerate(learners):
        enrolment_create(user=learner, course=course, source=Enrolment.Source.BULK)
        if quiz.attempts.filter(user=learner).exists():
            continue
        attempt = services.attempt_start(quiz=quiz, user=learner)
        skill = 0.35 + 0.1 * index
        attempt = services.attempt_submit(
            attempt=attempt, user=learner, responses=_responses(attempt, skill=skill, rng=rng)
        )
        if attempt.needs_grading and trainer is not None and index % 3 != 0:
            waiting = [
                s
                for s in attempt.layout["slots"]
                if attempt.feedback[str(s["slot"])]["state"] == "needs_grading"
            ]
            for slot in waiting:
                services.manual_grade_save(
                    attempt=attempt,
                    slot=slot["slot"],
                    mark=round(min(1.0, skill) * slot["mark"], 1),
                    comment="Clear reasoning.",
                    grader=trainer,
                )
        finished += 1
    if stdout:
        stdout.write(f"  assessments: {course.code}: quiz '{quiz.title}', {finished} new attempts")


def seed(*, stdout=None) -> None:
    from lms.models import User

    trainer = User.objects.filter(username="trainer").first()
    learners = [
        user_upsert(
            username=username,
            password=settings.DEMO_PASSWORD,
            roles=[Role.OFFICER],
            first_name=first,
            last_name=last,
        )
        for username, first, last in LEARNERS
    ]
    for code, filename in BANKS.items():
        course = CoursePage.objects.filter(code=code).first()
        if course is None:
            continue
        if (
            trainer is not None
            and not Enrolment.objects.filter(
                user=trainer, course=course, role=Enrolment.Role.TRAINER
            ).exists()
        ):
            enrolment_create(
                user=trainer,
                course=course,
                role=Enrolment.Role.TRAINER,
                source=Enrolment.Source.BULK,
            )
        _seed_course(
            course=course, filename=filename, trainer=trainer, learners=learners, stdout=stdout
        )
