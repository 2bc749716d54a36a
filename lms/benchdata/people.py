"""The benchmark accounts and enrolments: the officers (`users`), the trainer and partner
accounts (`special_user`), their roles, and learners' enrolments with lesson progress
(`enrolments` for random pairs, `enrol` for given ones), all with bulk inserts.
"""

from django.contrib.auth.models import Group
from django.utils import timezone

from courses.models import Enrolment, LessonProgress
from lms.benchdata.bulk import copy_objects, copy_rows
from lms.benchdata.constants import REGIONS
from lms.models import User
from lms.roles import Role


def users(count: int, *, password: str) -> list[int]:
    batch = [
        User(
            username=f"bench-{n:06d}",
            first_name="Officer",
            last_name=f"{n:06d}",
            service_number=f"BEN-{n:06d}",
            unit=REGIONS[n % len(REGIONS)],
            password=password,
        )
        for n in range(count)
    ]
    copy_objects(User, batch)
    ids = list(
        User.objects.filter(username__startswith="bench-0")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    add_role(ids, Role.OFFICER)
    return ids


def add_role(user_ids: list[int], role: Role) -> None:
    group = Group.objects.get(name=role.value)
    copy_rows(User.groups.through, ["user_id", "group_id"], ((pk, group.pk) for pk in user_ids))


def special_user(username: str, role: Role, *, password: str, **fields) -> User:
    user = User.objects.create(username=username, first_name="Bench", password=password, **fields)
    add_role([user.pk], role)
    return user


def enrolments(users, courses, lessons_by_course, count: int, rng) -> None:
    pairs = set()
    while len(pairs) < count:
        pairs.add((rng.choice(users), rng.choice(courses)))
    enrol(sorted(pairs), lessons_by_course, rng)


def enrol(pairs, lessons_by_course, rng) -> None:
    now = timezone.now()
    copy_rows(
        Enrolment,
        ["user_id", "course_id", "role", "status", "source", "enrolled_at"],
        ((u, c, "learner", "active", "bulk", now) for u, c in pairs),
    )

    def progress():
        for user_id, course_id in pairs:
            lessons = lessons_by_course[course_id]
            for lesson_id in lessons[: rng.randrange(len(lessons) + 1)]:
                yield (user_id, lesson_id, course_id, now, now, now, 1)

    copy_rows(
        LessonProgress,
        [
            "user_id", "lesson_id", "course_id", "first_viewed_at", "last_viewed_at",
            "completed_at", "views",
        ],
        progress(),
    )  # fmt: skip
