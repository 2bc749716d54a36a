"""Registry statuses and labels: a certification's status (active, expiring, expired,
suspended, revoked) worked out in SQL from its stored state and its expiry date against
today, so filters and counts never loop in Python, and a trainer's status, the best of their
certifications' (`trainers_with_status`); the status filter's choices; and the names shown
for statuses and trainer languages.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trainers.models import Certification, Trainer

Status = Certification.Status

# Best first: a trainer's registry status is their best certification's.
STATUS_RANK = {
    Status.ACTIVE: 1,
    Status.EXPIRING: 2,
    Status.SUSPENDED: 3,
    Status.EXPIRED: 4,
    Status.REVOKED: 5,
}
# The status filter: each certification status, and "certified" for a currently valid one.
CERTIFIED = "certified"
STATUS_FILTERS = {
    CERTIFIED: (1, 2),
    **{status.value: (rank,) for status, rank in STATUS_RANK.items()},
}
STATUS_CHOICES = [
    (CERTIFIED, _("Certified (active or expiring)")),
    *Status.choices,
]
NOT_CERTIFIED = "none"


def languages() -> dict[str, str]:
    return dict(settings.TRAINER_LANGUAGES)


def _horizon(today: date) -> date:
    return today + timedelta(days=settings.CERTIFICATION_EXPIRING_DAYS)


def certification_status_expression(*, today: date, prefix: str = "") -> Case:
    """The registry status of a certification row as a SQL expression."""
    state, expires = f"{prefix}state", f"{prefix}expires_on"
    return Case(
        When(**{state: Certification.State.SUSPENDED}, then=Value(Status.SUSPENDED.value)),
        When(**{state: Certification.State.REVOKED}, then=Value(Status.REVOKED.value)),
        When(**{f"{expires}__isnull": True}, then=Value(Status.ACTIVE.value)),
        When(**{f"{expires}__lt": today}, then=Value(Status.EXPIRED.value)),
        When(**{f"{expires}__lte": _horizon(today)}, then=Value(Status.EXPIRING.value)),
        default=Value(Status.ACTIVE.value),
        output_field=CharField(),
    )


def _status_rank_expression(*, today: date) -> Case:
    return Case(
        *[
            When(current_status=status.value, then=Value(rank))
            for status, rank in STATUS_RANK.items()
        ],
        output_field=IntegerField(),
    )


def certifications_with_status(*, today: date | None = None) -> QuerySet[Certification]:
    today = today or timezone.localdate()
    return Certification.objects.annotate(
        current_status=certification_status_expression(today=today)
    )


def trainers_with_status(*, today: date | None = None) -> QuerySet[Trainer]:
    """Trainers annotated with `best_rank` and `registry_status` (NOT_CERTIFIED without any)."""
    today = today or timezone.localdate()
    best = (
        certifications_with_status(today=today)
        .filter(trainer=OuterRef("pk"))
        .annotate(rank=_status_rank_expression(today=today))
        .order_by("rank")
        .values("rank")[:1]
    )
    return Trainer.objects.annotate(best_rank=Subquery(best, output_field=IntegerField())).annotate(
        registry_status=Case(
            *[
                When(best_rank=rank, then=Value(status.value))
                for status, rank in STATUS_RANK.items()
            ],
            default=Value(NOT_CERTIFIED),
            output_field=CharField(),
        )
    )


def status_label(value: str) -> str:
    if value == NOT_CERTIFIED:
        return str(_("Not certified"))
    return str(Status(value).label) if value in Status.values else value


def language_label(code: str) -> str:
    """A trainer language's name in the interface's language (the setting's name in English)."""
    from django.utils.translation import get_language, get_language_info

    if (get_language() or "en") != "en":
        try:
            return get_language_info(code)["name_translated"]
        except KeyError:
            pass
    return languages().get(code, code)
