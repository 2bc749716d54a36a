"""The accounts, sessions and attempts the HTTP benchmarks use, made fresh before each run.

Runs inside the benchmark site (its database and SECRET_KEY, which sign the sessions):

    python manage.py shell -c "from benchmarks.http_setup import main; main()"

and prints one line of JSON for `benchmarks.http_harness`. What an earlier run left is
removed first (sessions `bench…`, open attempts, attempts submitted by the submit scenario,
trainings proposed by the proposal scenario), so that every run starts from the same data.

- signed-in pages: BENCH_PAGE_USERS (50) learners of BEN-SHOWCASE, a session each, and an
  attempt in progress each at its 10-question quiz (started by `attempt_start`);
- autosave: BENCH_AUTOSAVE_ATTEMPTS (100) attempts in progress at the benchmark courses'
  quizzes, each of another learner with a session;
- submit: BENCH_SUBMIT_ATTEMPTS (4000) attempts in progress with every question answered,
  ready to be submitted once each (submitting is one-shot);
- the trainer of BEN-SHOWCASE (gradebook), every certificate code, and a training proposal
  that clashes with a scheduled training (same course, same dates).

The attempts of the autosave and submit pools are copies of a generated attempt of the same
quiz (the layout `attempt_start` froze for it), for learners that the generated data left
without an attempt (`generate_bench_data.attempted`).
"""

import json
import os
from datetime import timedelta

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F, Min
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.crypto import get_random_string

from assessments import services
from assessments.models import ManualGrade, Quiz, QuizAttempt
from courses.models import CoursePage, Enrolment, LessonPage
from lms.management.commands.generate_bench_data import (
    COURSE_PREFIX,
    PARTNER,
    PASSWORD,
    SHOWCASE,
    TRAINER,
    copy_rows,
)
from lms.models import User
from scheduling.models import Training
from trainers.models import Certificate

PAGE_USERS = int(os.environ.get("BENCH_PAGE_USERS", "50"))
AUTOSAVE_ATTEMPTS = int(os.environ.get("BENCH_AUTOSAVE_ATTEMPTS", "100"))
SUBMIT_ATTEMPTS = int(os.environ.get("BENCH_SUBMIT_ATTEMPTS", "4000"))
PROPOSAL_TITLE = "Benchmark proposal"
SESSION_PREFIX = "bench"
KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def sessions(user_ids: list[int]) -> dict[int, str]:
    """A signed-in session for each user, as `login()` stores it (bulk inserted)."""
    users = User.objects.in_bulk(user_ids)
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    keys, rows = {}, []
    for pk in user_ids:
        key = SESSION_PREFIX + get_random_string(32 - len(SESSION_PREFIX), KEY_CHARS)
        data = store.encode(
            {
                SESSION_KEY: str(pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: users[pk].get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expire))
        keys[pk] = key
    Session.objects.bulk_create(rows, batch_size=5_000)
    return keys


def _delete_attempts(queryset) -> None:
    ids = list(queryset.values_list("pk", flat=True))
    ManualGrade.objects.filter(attempt_id__in=ids).delete()
    for start in range(0, len(ids), 5_000):
        rows = QuizAttempt.objects.filter(pk__in=ids[start : start + 5_000])
        rows._raw_delete(rows.db)


def clean() -> None:
    """Remove what earlier runs left."""
    Session.objects.filter(session_key__startswith=SESSION_PREFIX).delete()
    bench = QuizAttempt.objects.filter(quiz__course__code__startswith="BEN-")
    _delete_attempts(bench.filter(state__in=QuizAttempt.OPEN_STATES))
    # Learners the generated data left without an attempt: theirs came from the harness.
    _delete_attempts(
        bench.filter(quiz__course__code__startswith=COURSE_PREFIX)
        .alias(parity=Mod(F("user_id") + F("quiz__course_id"), 2))
        .filter(parity=1)
    )
    Training.objects.filter(title=PROPOSAL_TITLE, organiser__short_name__startswith="BEN-").delete()


def _pool_attempts(count_autosave: int, count_submit: int) -> tuple[list, list]:
    """Attempts in progress for learners without one: (attempt, user, template) each."""
    quizzes = dict(
        Quiz.objects.filter(course__code__startswith=COURSE_PREFIX).values_list("course_id", "pk")
    )
    firsts = (
        QuizAttempt.objects.filter(quiz_id__in=quizzes.values(), state=QuizAttempt.State.FINISHED)
        .values("quiz_id")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    templates = {
        attempt.quiz_id: attempt
        for attempt in QuizAttempt.objects.filter(pk__in=list(firsts)).only(
            "quiz_id", "layout", "responses", "max_marks"
        )
    }
    pairs = []
    for user_id, course_id in (
        Enrolment.objects.filter(course_id__in=quizzes, role=Enrolment.Role.LEARNER)
        .alias(parity=Mod(F("user_id") + F("course_id"), 2))
        .filter(parity=1)
        .order_by("pk")
        .values_list("user_id", "course_id")
        .iterator(chunk_size=10_000)
    ):
        if quizzes[course_id] in templates:
            pairs.append((user_id, quizzes[course_id]))
        if len(pairs) >= count_autosave + count_submit:
            break
    autosave, submit = pairs[:count_autosave], pairs[count_autosave:]
    now = timezone.now()
    rows = []
    for pool, answered in ((autosave, False), (submit, True)):
        for user_id, quiz_id in pool:
            template = templates[quiz_id]
            responses = template.responses if answered else {}
            rows.append(
                (quiz_id, user_id, 1, "in_progress", now, template.layout, responses,
                 now if answered else None, template.max_marks)
            )  # fmt: skip
    copy_rows(
        QuizAttempt,
        ["quiz_id", "user_id", "number", "state", "started_at", "layout", "responses",
         "responses_saved_at", "max_marks"],
        rows,
    )  # fmt: skip
    ids = {
        (quiz_id, user_id): pk
        for pk, quiz_id, user_id in QuizAttempt.objects.filter(
            quiz_id__in=quizzes.values(), state=QuizAttempt.State.IN_PROGRESS
        ).values_list("pk", "quiz_id", "user_id")
    }
    return (
        [(ids[(q, u)], u, templates[q]) for u, q in autosave],
        [(ids[(q, u)], u, templates[q]) for u, q in submit],
    )


def _other_response(response: dict) -> dict:
    """A different answer to the same question (autosave then always writes)."""
    if "choice" in response:
        return {"choice": (response["choice"] + 1) % 2}
    if isinstance(response.get("answer"), bool):
        return {"answer": not response["answer"]}
    return {"answer": f"{response.get('answer', '')} (changed)"}


@transaction.atomic
def prepare() -> dict:
    clean()
    showcase = CoursePage.objects.get(code=SHOWCASE)
    quiz = Quiz.objects.filter(course=showcase).order_by("pk").first()
    learners = list(
        Enrolment.objects.filter(course=showcase, role=Enrolment.Role.LEARNER)
        .order_by("user__username")
        .values_list("user_id", flat=True)[:PAGE_USERS]
    )
    users = User.objects.in_bulk(learners)
    page_attempts = [services.attempt_start(quiz=quiz, user=users[pk]).pk for pk in learners]
    autosave, submit = _pool_attempts(AUTOSAVE_ATTEMPTS, SUBMIT_ATTEMPTS)
    trainer = User.objects.get(username=TRAINER)
    keys = sessions(
        [*learners, *(u for _a, u, _t in autosave), *(u for _a, u, _t in submit), trainer.pk]
    )
    lesson = (
        LessonPage.objects.live()
        .descendant_of(showcase)
        .filter(url_path__endswith="/day-2/session-3/")
        .first()
    )
    autosave_bodies = []
    for attempt_id, user_id, template in autosave:
        first = template.responses
        second = {**first, "1": _other_response(first["1"])}
        autosave_bodies.append(
            {
                "id": attempt_id,
                "session": keys[user_id],
                "bodies": [json.dumps({"responses": first}), json.dumps({"responses": second})],
            }
        )
    training = (
        Training.objects.filter(organiser__short_name__startswith="BEN-", course__isnull=False)
        .select_related("course")
        .prefetch_related("audience")
        .order_by("pk")
        .first()
    )
    proposal = {
        "title": PROPOSAL_TITLE,
        "course": training.course.code,
        "starts_at": timezone.localtime(training.starts_at).isoformat(),
        "ends_at": timezone.localtime(training.ends_at).isoformat(),
        "modality": "remote",
        "audience": [{"kind": a.kind, "value": a.value} for a in training.audience.all()],
    }
    return {
        "csrf": get_random_string(32),
        "course": showcase.url,
        "lesson": lesson.url,
        "learners": [keys[pk] for pk in learners],
        "attempt_pages": [
            {"id": attempt_id, "session": keys[pk]}
            for attempt_id, pk in zip(page_attempts, learners, strict=True)
        ],
        "autosave": autosave_bodies,
        "submit": [{"id": attempt_id, "session": keys[u]} for attempt_id, u, _t in submit],
        "trainer": keys[trainer.pk],
        "gradebook": f"/quizzes/courses/{SHOWCASE}/gradebook/",
        "certificates": list(
            Certificate.objects.filter(course__code__startswith="BEN-")
            .order_by("pk")
            .values_list("code", flat=True)
        ),
        "partner": {"username": PARTNER, "password": PASSWORD},
        "proposal": proposal,
        "learners_in_showcase": Enrolment.objects.filter(
            course=showcase, role=Enrolment.Role.LEARNER
        ).count(),
        "showcase_lessons": LessonPage.objects.live().descendant_of(showcase).count(),
    }


def main() -> None:
    print(json.dumps(prepare()))
