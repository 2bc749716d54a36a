"""Grading a submitted attempt of 50 questions (issue #4: well under 50 ms of server time).

Builds a throwaway SQLite site (or BENCH_DATABASE_URL), a course bank of 50 auto-graded
questions of five types, a quiz with all 50, and times `attempt_submit` (grading and
storing the result) for 30 learners who answered every question.
"""

import os
import sys
import tempfile
from pathlib import Path

from benchmarks.timing import time_calls

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = 30


def _bank() -> bytes:
    parts = ["$CATEGORY: top/Bench"]
    for n in range(10):
        parts += [
            f"::MC{n}:: Which agency investigates trafficking? {{=FIA ~Police ~Customs ~Courts}}",
            f"::TF{n}:: The Palermo Protocol defines trafficking. {{T}}",
            f"::SA{n}:: Name the agency. {{=FIA =Federal Investigation Agency}}",
            f"::NU{n}:: How many elements has the definition? {{#3:0}}",
            f"::MR{n}:: Which are means? {{~%50%Force ~%50%Deception ~%-100%A passport}}",
        ]
    return "\n\n".join(parts).encode()


def run() -> list[dict]:
    tmp = tempfile.mkdtemp(prefix="bench-grading-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{tmp}/grading.sqlite3"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings_test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assessments import services
    from assessments.models import Question, Quiz, QuizSlot
    from tests.assessments.factories import learner, right_responses
    from tests.courses.factories import course_create

    course = course_create(code="BEN-GRD-001", modules=1, lessons=1)
    services.question_import(course=course, data=_bank(), fmt="gift", filename="bench.gift")
    quiz = Quiz.objects.create(course=course, title="Fifty", shuffle_answers=False)
    for order, question in enumerate(Question.objects.filter(course=course).order_by("pk")):
        QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
    attempts = []
    for n in range(LEARNERS):
        user = learner(course, username=f"bench-learner-{n}")
        attempt = services.attempt_start(quiz=quiz, user=user)
        services.attempt_save_responses(
            attempt=attempt, user=user, responses=right_responses(attempt)
        )
        attempts.append((attempt, user))
    pending = iter(attempts)

    def submit_next():
        attempt, user = next(pending)
        graded = services.attempt_submit(attempt=attempt, user=user)
        assert graded.state == "finished", graded.state

    figures = time_calls(submit_next, runs=LEARNERS)
    return [{"scenario": "grade a submitted attempt", "size": "50 questions", **figures}]
