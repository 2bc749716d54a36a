"""The benchmark showcase course `BEN-SHOWCASE`, the same at every scale: 65 lessons in ten
modules, three of which place a ten-question quiz and three a live session, with a trainer
and learners who have taken its quizzes.
"""

from courses.models import CoursePage, Enrolment, LessonPage
from lms.benchdata.constants import (
    BODY,
    SHOWCASE,
    SHOWCASE_LIVE_LESSONS,
    SHOWCASE_MODULES,
    SHOWCASE_QUIZ_LESSONS,
    SHOWCASE_QUIZZES,
    TRAINER,
)
from lms.benchdata.pages import pages
from lms.benchdata.people import enrol, special_user
from lms.benchdata.quizzes import attempts, quiz_create
from lms.models import User
from lms.roles import Role


def showcase(catalogue, learners: int, rng, *, password: str) -> None:
    """BEN-SHOWCASE: 65 lessons in 10 modules; three lessons place a quiz (bodies
    written once the quizzes exist), three a live session; a trainer and the learners."""
    bodies = {}
    for m, lessons in enumerate(SHOWCASE_MODULES, 1):
        for n in range(1, lessons + 1):
            if (m, n) in SHOWCASE_LIVE_LESSONS:
                live = {"title": f"Day {m} live review", "required": False, "when": ""}
                bodies[(SHOWCASE, m, n)] = (
                    [*BODY, {"type": "live_session", "value": live, "id": "1"}],
                    "viewed",
                )
    specs = [(SHOWCASE, "Benchmark showcase: countering trafficking", SHOWCASE_MODULES)]
    (course_id,), lessons_by_course = pages(catalogue, specs, rng, bodies)
    course = CoursePage.objects.get(pk=course_id)
    trainer = special_user(TRAINER, Role.TRAINER, password=password, last_name="Trainer")
    Enrolment.objects.create(user=trainer, course=course, role="trainer", source="bulk")
    learner_ids = list(
        User.objects.filter(username__startswith="bench-0")
        .order_by("username")
        .values_list("pk", flat=True)[:learners]
    )
    enrol([(pk, course_id) for pk in learner_ids], lessons_by_course, rng)
    lessons = {}
    for lesson in LessonPage.objects.descendant_of(course).only("pk", "url_path"):
        module, session = lesson.url_path.rstrip("/").split("/")[-2:]
        lessons[(int(module.split("-")[1]), int(session.split("-")[1]))] = lesson
    for number, title in enumerate(SHOWCASE_QUIZZES):
        quiz = quiz_create(
            course=course,
            title=f"{title} (10 questions)",
            category=f"Showcase/{title}",
            questions_per_page=0 if number == 0 else 5,
        )
        attempts(quiz, [(pk, course_id) for pk in learner_ids], rng)
        where = next(key for key, value in SHOWCASE_QUIZ_LESSONS.items() if value == number)
        block = {"title": quiz.title, "required": True, "quiz": quiz.pk}
        LessonPage.objects.filter(pk=lessons[where].pk).update(
            body=[*BODY, {"type": "quiz", "value": block, "id": "1"}],
            completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        )
