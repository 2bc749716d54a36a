"""Live sessions for tests: a confirmed training with a trainer, participants and a
session, built straight from the scheduling models."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from lms.roles import Role
from scheduling.models import Nomination, Training, TrainingSession, TrainingTrainer
from tests.factories import OrganisationFactory, UserFactory
from trainers.models import Trainer

_n = count(1)


def classroom_create(
    *,
    trainer=None,
    participants=(),
    status: str = Training.Status.CONFIRMED,
    course=None,
    starts_at=None,
    duration_minutes: int = 60,
    external_room_url: str = "",
    sessions: int = 1,
) -> TrainingSession:
    """A training taught by `trainer` (a user; one is made when None) with the users in
    `participants` confirmed, and its first session (of `sessions`)."""
    n = next(_n)
    trainer = trainer or UserFactory(username=f"trainer{n}", roles=[Role.TRAINER])
    starts_at = starts_at or timezone.now() - timedelta(minutes=5)
    training = Training.objects.create(
        title=f"Live training {n}",
        course=course,
        organiser=OrganisationFactory(short_name="ICMPD", name="ICMPD"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=max(1, sessions)),
        status=status,
    )
    profile, _created = Trainer.objects.get_or_create(
        user=trainer,
        defaults={"full_name": trainer.get_full_name() or trainer.username, "country": "PK"},
    )
    TrainingTrainer.objects.create(training=training, trainer=profile)
    for user in participants:
        Nomination.objects.create(training=training, user=user, status=Nomination.Status.CONFIRMED)
    first = None
    for day in range(sessions):
        session = TrainingSession.objects.create(
            training=training,
            title=f"Day {day + 1}",
            starts_at=starts_at + timedelta(days=day),
            duration_minutes=duration_minutes,
            external_room_url=external_room_url,
        )
        first = first or session
    return first
