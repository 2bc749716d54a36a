"""Trainings, trainers and proposals for the scheduling tests.

`training()` writes rows directly (fast, any status); tests of the workflow go through the
services. Times default to a fixed week in the future, in the site's zone.
"""

from datetime import date, datetime, timedelta
from itertools import count

from django.utils import timezone

from courses.models import ThematicArea
from lms.roles import Role
from scheduling.models import Training, TrainingAudience, TrainingSession, TrainingTrainer
from scheduling.services import SessionInput, TrainingInput
from tests.factories import OrganisationFactory, UserFactory

_numbers = count(1)
BASE = datetime(2030, 3, 4, 9, 0)


def at(days: float = 0, hours: float = 0) -> datetime:
    """BASE (a Monday morning in 2030, Asia/Karachi) plus an offset."""
    return timezone.make_aware(BASE + timedelta(days=days, hours=hours))


def themes(*slugs: str) -> list[ThematicArea]:
    return list(ThematicArea.objects.filter(slug__in=slugs).order_by("slug"))


def partner_org(short_name: str | None = None):
    short_name = short_name or f"P{next(_numbers)}"
    return OrganisationFactory(short_name=short_name, name=f"Partner {short_name}")


def coordinator(organisation, username: str | None = None):
    return UserFactory(
        username=username or f"coord{next(_numbers)}",
        roles=[Role.PARTNER],
        organisation=organisation,
    )


def officer(username: str | None = None, **fields):
    return UserFactory(
        username=username or f"officer{next(_numbers)}", roles=[Role.OFFICER], **fields
    )


def training(
    *,
    organiser=None,
    title: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    status: str = Training.Status.CONFIRMED,
    course=None,
    theme_slugs=("trafficking-in-human-beings",),
    audience=(),
    venue: str = "",
    modality: str = Training.Modality.REMOTE,
    capacity: int = 25,
    trainers=(),
    sessions=(),
    **fields,
) -> Training:
    """A training row as it would be on the calendar (no checks, no events)."""
    starts_at = starts_at or at()
    t = Training.objects.create(
        title=title or f"Training {next(_numbers)}",
        organiser=organiser or partner_org(),
        starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(days=1, hours=8),
        status=status,
        course=course,
        venue=venue,
        modality=modality,
        capacity=capacity,
        **fields,
    )
    t.themes.set(
        course.themes.all() if course is not None and not theme_slugs else themes(*theme_slugs)
    )
    TrainingAudience.objects.bulk_create(
        TrainingAudience(training=t, kind=kind, value=value) for kind, value in audience
    )
    for n, trainer in enumerate(trainers):
        TrainingTrainer.objects.create(training=t, trainer=trainer, role="lead" if n == 0 else "co")
    for start, minutes in sessions:
        TrainingSession.objects.create(training=t, starts_at=start, duration_minutes=minutes)
    return t


def trainer(
    *,
    user=None,
    certified_in=("trafficking-in-human-beings",),
    expires_on: date | None = None,
    state: str = "active",
    full_name: str | None = None,
):
    """A registry trainer, certified (from a cohort) in these thematic areas."""
    from trainers.models import Certification, Cohort, Trainer

    n = next(_numbers)
    t = Trainer.objects.create(full_name=full_name or f"Trainer {n}", country="PK", user=user)
    if certified_in:
        cohort = Cohort.objects.create(
            name=f"Cohort {n}",
            course_title="ToT",
            start_date=date(2025, 10, 6),
            end_date=date(2025, 10, 17),
        )
        certification = Certification.objects.create(
            trainer=t,
            cohort=cohort,
            issued_on=date(2025, 10, 17),
            expires_on=expires_on,
            state=state,
        )
        certification.themes.set(themes(*certified_in))
    return t


def data(*, organiser, **fields) -> TrainingInput:
    """A TrainingInput for the services: a remote two-day training by default."""
    values = {
        "title": f"Proposed training {next(_numbers)}",
        "organiser": organiser,
        "starts_at": at(),
        "ends_at": at(days=1, hours=8),
        "themes": themes("trafficking-in-human-beings"),
    }
    values.update(fields)
    return TrainingInput(**values)


def session(days: float = 0, hours: float = 1, minutes: int = 90, title: str = "") -> SessionInput:
    return SessionInput(starts_at=at(days, hours), duration_minutes=minutes, title=title)
