"""The demo calendar: five or more trainings by different partners, an acknowledged overlap,
and the live classroom's confirmed remote training with a session today."""

import importlib
import io

import pytest
from django.utils import timezone

from scheduling.models import ConflictAcknowledgement, Nomination, Training, TrainingSession

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _seed_demo():
    # As seed_demo runs them, without the certificates demo (not needed here).
    out = io.StringIO()
    for name in ("lms.demo", "courses.demo", "trainers.demo.registry", "scheduling.demo"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        module.seed(stdout=out)
    return out.getvalue()


def test_the_demo_calendar(settings):
    settings.DEBUG = True
    _seed_demo()
    counts = (
        Training.objects.count(),
        TrainingSession.objects.count(),
        Nomination.objects.count(),
        ConflictAcknowledgement.objects.count(),
    )

    _seed_demo()  # idempotent

    assert (
        Training.objects.count(),
        TrainingSession.objects.count(),
        Nomination.objects.count(),
        ConflictAcknowledgement.objects.count(),
    ) == counts
    assert Training.objects.count() >= 5
    assert Training.objects.values("organiser").distinct().count() >= 4
    live = Training.objects.get(
        status=Training.Status.CONFIRMED,
        modality=Training.Modality.REMOTE,
        assignments__trainer__user__username="trainer",
    )
    assert live.nominations.get(user__username="officer").status == "confirmed"
    first = live.sessions.order_by("starts_at").first()
    now = timezone.now()
    assert timezone.localtime(first.starts_at).date() == timezone.localdate()
    assert abs((first.starts_at - now).total_seconds()) <= 60 * 60  # within the hour
    assert first.duration_minutes == 120
    ack = ConflictAcknowledgement.objects.get()
    assert ack.reason
    assert ack.conflicts[0]["kind"] == "same_course"
    other = Training.objects.get(pk=ack.conflicts[0]["training"])
    assert other.starts_at < ack.training.ends_at and ack.training.starts_at < other.ends_at
    assert other.organiser != ack.training.organiser
