"""What the fault tests need in the database of a server they start, made in that
database by `manage.py shell` (see `seed_command`): a live session with its people, or a
course with a quiz and a SCORM module and a learner. Each function prints one JSON line."""

import json


def _signed_in(user) -> str:
    """A session key for the user, as the sign-in page would have made it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def live(participants: int = 3) -> None:
    """A confirmed training taught by `coach`, `participants` officers, a session that
    started five minutes ago; session keys by username."""
    from lms.roles import Role
    from lms.services import user_upsert
    from tests.live.factories import classroom_create

    coach = user_upsert(username="coach", roles=[Role.TRAINER], first_name="Coach")
    people = [
        user_upsert(username=f"officer{n}", roles=[Role.OFFICER], first_name=f"Officer {n}")
        for n in range(1, participants + 1)
    ]
    session = classroom_create(trainer=coach, participants=people, duration_minutes=60)
    users = [coach, *people]
    print(
        json.dumps(
            {
                "session": session.pk,
                "keys": {user.username: _signed_in(user) for user in users},
                "ids": {user.username: user.pk for user in users},
            }
        )
    )


def learning() -> None:
    """A course with a quiz of four free-navigation questions and a SCORM 1.2 module, and
    a learner enrolled in it."""
    import io

    from courses.demo_scorm import passport_package_12
    from courses.scorm.services import scorm_package_upload
    from lms.roles import Role
    from lms.services import user_upsert
    from tests.assessments.factories import course_with_bank, quiz_create

    course, _result = course_with_bank(code="FLT-1")
    quiz = quiz_create(course=course, names=("Q3 Short", "Q4 Num", "Q6 Essay", "Q1 Capital"))
    version = scorm_package_upload(course=course, file=io.BytesIO(passport_package_12()), user=None)
    from courses.models import Enrolment
    from courses.services import enrolment_create

    learner = user_upsert(username="learner", roles=[Role.OFFICER], first_name="Learner")
    enrolment_create(user=learner, course=course, source=Enrolment.Source.BULK)
    print(
        json.dumps(
            {
                "course": course.code,
                "quiz": quiz.pk,
                "package": version.package_id,
                "key": _signed_in(learner),
                "learner": learner.pk,
            }
        )
    )


def seed_command(function: str, *args) -> list[str]:
    """`manage.py` arguments that run one of these functions and print its JSON."""
    call = f"{function}({', '.join(repr(a) for a in args)})"
    return ["shell", "-c", f"from tests.faults import seed; seed.{call}"]


def parse(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])
