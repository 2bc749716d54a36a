"""A trainer's registry profile: the trainer with their status, languages and
specialisations, their certifications (status, themes, renewal history), deliveries and
cohorts, and the participants they reached, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.models import ThematicArea
from trainers.models import (
    Certification,
    CertificationRenewal,
    CohortParticipant,
    Delivery,
    Trainer,
    TrainerLanguage,
)
from trainers.selectors.registry.status import (
    certifications_with_status,
    language_label,
    trainers_with_status,
)


@dataclass
class TrainerProfile:
    trainer: Trainer
    certifications: list[Certification]
    deliveries: list[Delivery]
    memberships: list[CohortParticipant]
    reach: int
    languages: list[tuple[str, str]] = field(default_factory=list)


def trainer_profile(*, pk: int, today: date | None = None) -> TrainerProfile:
    """One trainer with certifications (status, themes, history), deliveries and cohorts."""
    today = today or timezone.localdate()
    trainer = get_object_or_404(
        trainers_with_status(today=today)
        .select_related("organisation", "user", "photo")
        .prefetch_related(
            Prefetch("languages", queryset=TrainerLanguage.objects.order_by("pk")),
            Prefetch("specialisations", queryset=ThematicArea.objects.order_by("name")),
        ),
        pk=pk,
    )
    certifications = list(
        certifications_with_status(today=today)
        .filter(trainer=trainer)
        .select_related("cohort", "course", "certificate")
        .prefetch_related(
            Prefetch("themes", queryset=ThematicArea.objects.order_by("name")),
            Prefetch(
                "renewals",
                queryset=CertificationRenewal.objects.select_related("by").order_by(
                    "-renewed_on", "-pk"
                ),
            ),
        )
        .order_by("-issued_on", "-pk")
    )
    deliveries = list(
        Delivery.objects.filter(trainer=trainer)
        .select_related("course", "organisation")
        .order_by("-start_date", "-pk")
    )
    memberships = list(
        CohortParticipant.objects.filter(trainer=trainer)
        .select_related("cohort")
        .order_by("-cohort__start_date")
    )
    return TrainerProfile(
        trainer=trainer,
        certifications=certifications,
        deliveries=deliveries,
        memberships=memberships,
        reach=sum(d.participants_reached for d in deliveries),
        languages=[
            (lang.language, language_label(lang.language)) for lang in trainer.languages.all()
        ],
    )
