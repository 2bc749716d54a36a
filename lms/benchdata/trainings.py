"""The benchmark's scheduled trainings and certificates: partner organisations (`BEN-ORG-n`)
and their coordinator, trainings over the coming year with themes, audience, sessions and
nominations (`trainings`), and issued course certificates, codes only (`certificates`).
"""

from datetime import timedelta

from django.utils import timezone

from courses.models import CoursePage, Enrolment
from lms.benchdata.constants import COURSE_PREFIX, ORGANISATIONS, PARTNER, REGIONS, VENUES
from lms.benchdata.people import special_user
from lms.models import Organisation, User
from lms.roles import Role
from scheduling.models import Nomination, Training, TrainingAudience, TrainingSession
from trainers.models import Certificate


def trainings(count: int, rng, *, password: str) -> None:
    organisations = [
        Organisation.objects.create(
            name=f"Benchmark partner {n}",
            short_name=f"BEN-ORG-{n}",
            kind=Organisation.Kind.PARTNER,
        )
        for n in range(1, ORGANISATIONS + 1)
    ]
    partner = special_user(
        PARTNER,
        Role.PARTNER,
        password=password,
        last_name="Coordinator",
        organisation=organisations[0],
    )
    course_themes = dict(
        CoursePage.themes.through.objects.filter(
            coursepage__code__startswith=COURSE_PREFIX
        ).values_list("coursepage_id", "thematicarea_id")
    )
    courses = sorted(course_themes)
    officers = list(
        User.objects.filter(username__startswith="bench-0").values_list("pk", flat=True)
    )
    # Trainings start at 09:00 in Pakistan (04:00 UTC), spread over the coming year.
    today = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)
    trainings = []
    for n in range(count):
        days = rng.randrange(2, 6)
        starts = today + timedelta(days=1 + n * 365 // count + rng.randrange(3))
        modality = rng.choice(list(Training.Modality.values))
        trainings.append(
            Training(
                title=f"Benchmark training {n}",
                course_id=rng.choice(courses),
                organiser=rng.choice(organisations),
                modality=modality,
                starts_at=starts,
                ends_at=starts + timedelta(days=days - 1, hours=8),
                venue="" if modality == "remote" else rng.choice(VENUES),
                capacity=rng.choice([20, 25, 30, 40]),
                status=Training.Status.CONFIRMED
                if rng.random() < 0.7
                else Training.Status.PROPOSED,
                proposed_by=partner,
                sequence=0,
            )
        )
    trainings = Training.objects.bulk_create(trainings, batch_size=1_000)
    Training.themes.through.objects.bulk_create(
        [
            Training.themes.through(training_id=t.pk, thematicarea_id=course_themes[t.course_id])
            for t in trainings
        ]
    )
    audience, sessions, nominations = [], [], []
    for training in trainings:
        for region in rng.sample(REGIONS, rng.randrange(1, 3)):
            audience.append(TrainingAudience(training=training, kind="region", value=region))
        day = training.starts_at
        while day < training.ends_at:
            sessions.append(
                TrainingSession(training=training, title="", starts_at=day, duration_minutes=180)
            )
            day += timedelta(days=1)
        for user_id in rng.sample(officers, min(10, len(officers))):
            nominations.append(
                Nomination(
                    training=training,
                    user_id=user_id,
                    nominated_by=partner,
                    status=rng.choice(["nominated", "confirmed", "waitlisted"]),
                )
            )
    TrainingAudience.objects.bulk_create(audience, batch_size=5_000)
    TrainingSession.objects.bulk_create(sessions, batch_size=5_000)
    Nomination.objects.bulk_create(nominations, batch_size=5_000)


def certificates(count: int, rng) -> None:
    from trainers.services.certificates import certificate_code_new

    pairs = list(
        Enrolment.objects.filter(
            course__code__startswith=COURSE_PREFIX, role=Enrolment.Role.LEARNER
        )
        .order_by("pk")
        .values_list("user_id", "course_id", "user__last_name", "course__title")[:count]
    )
    today = timezone.localdate()
    rows = []
    for user_id, course_id, number, title in pairs:
        issued = today - timedelta(days=rng.randrange(1, 700))
        rows.append(
            Certificate(
                code=certificate_code_new(),
                kind="course",
                user_id=user_id,
                course_id=course_id,
                language="en",
                holder_name=f"Officer {number}",
                title=title,
                period_start=issued - timedelta(days=3),
                period_end=issued - timedelta(days=2),
                hours=15,
                issued_on=issued,
                expires_on=issued + timedelta(days=3 * 365),
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=5_000)
