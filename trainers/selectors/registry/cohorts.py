"""Registry cohorts with their figures: participants, certified, women and the cascade reach
(participants reached by the cohort's graduates after it ended), for the cohort list
(`cohort_list`) and one cohort with its participants (`cohort_detail`). Figures come from
subqueries, never joins that would multiply rows, in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.models import ThematicArea
from lms.models import Organisation
from trainers.models import Certification, Cohort, CohortParticipant, Delivery, Gender
from trainers.selectors.registry.status import certifications_with_status

COHORT_PAGE_SIZE = 25


def _cohort_reach_subquery():
    """Participants reached by the cohort's graduates in trainings that started once the
    cohort had ended (the cascade)."""
    return Subquery(
        Delivery.objects.filter(
            trainer__memberships__cohort=OuterRef("pk"),
            trainer__memberships__outcome=CohortParticipant.Outcome.CERTIFIED,
            start_date__gte=OuterRef("end_date"),
        )
        .order_by()
        .values("trainer__memberships__cohort")
        .annotate(total=Sum("participants_reached"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def _count_subquery(queryset, column: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(column).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def cohorts_with_figures() -> QuerySet[Cohort]:
    """Cohorts with participants, certified, women and cascade reach (subqueries, no joins
    that would multiply rows)."""
    members = CohortParticipant.objects.filter(cohort=OuterRef("pk"))
    return Cohort.objects.select_related("course", "funding_partner").annotate(
        participant_count=_count_subquery(members, "cohort"),
        certified_count=_count_subquery(
            members.filter(outcome=CohortParticipant.Outcome.CERTIFIED), "cohort"
        ),
        women_count=_count_subquery(members.filter(trainer__gender=Gender.FEMALE), "cohort"),
        reach=Coalesce(_cohort_reach_subquery(), 0),
    )


def cohort_list(*, q: str = "") -> QuerySet[Cohort]:
    cohorts = cohorts_with_figures().prefetch_related(
        Prefetch("themes", queryset=ThematicArea.objects.order_by("name"))
    )
    q = q.strip()[:200]
    if q:
        cohorts = cohorts.filter(
            Q(name__icontains=q) | Q(course_title__icontains=q) | Q(place__icontains=q)
        )
    return cohorts.order_by("-start_date", "name")


@dataclass
class ParticipantRow:
    membership: CohortParticipant
    certification: Certification | None
    reach: int


@dataclass
class CohortDetail:
    cohort: Cohort
    participants: list[ParticipantRow]
    reach: int
    deliveries: int
    certified: int
    women: int
    waiting: int = 0  # participants still taking part (not certified, nor not)


def cohort_detail(*, pk: int, today: date | None = None) -> CohortDetail:
    """A cohort with its participants, their certifications and the cohort's cascade reach."""
    today = today or timezone.localdate()
    cohort = get_object_or_404(
        Cohort.objects.select_related("course", "funding_partner").prefetch_related(
            Prefetch("themes", queryset=ThematicArea.objects.order_by("name")),
            Prefetch("organisers", queryset=Organisation.objects.order_by("short_name")),
        ),
        pk=pk,
    )
    memberships = list(
        CohortParticipant.objects.filter(cohort=cohort)
        .select_related("trainer__organisation")
        .order_by("trainer__full_name", "pk")
    )
    certifications = {
        c.trainer_id: c
        for c in certifications_with_status(today=today)
        .filter(cohort=cohort)
        .select_related("certificate")
    }
    graduates = [
        m.trainer_id for m in memberships if m.outcome == CohortParticipant.Outcome.CERTIFIED
    ]
    reach_rows = (
        Delivery.objects.filter(trainer_id__in=graduates, start_date__gte=cohort.end_date)
        .order_by()
        .values("trainer_id")
        .annotate(total=Sum("participants_reached"), n=Count("pk"))
    )
    reach = {row["trainer_id"]: (row["total"] or 0, row["n"]) for row in reach_rows}
    rows = [
        ParticipantRow(
            membership=m,
            certification=certifications.get(m.trainer_id),
            reach=reach.get(m.trainer_id, (0, 0))[0],
        )
        for m in memberships
    ]
    return CohortDetail(
        cohort=cohort,
        participants=rows,
        reach=sum(total for total, _n in reach.values()),
        deliveries=sum(n for _total, n in reach.values()),
        certified=len(graduates),
        women=sum(1 for m in memberships if m.trainer.gender == Gender.FEMALE),
        waiting=sum(1 for m in memberships if m.outcome == CohortParticipant.Outcome.ENROLLED),
    )
