"""Reads of the registry: search, trainer profile, cohorts and summary figures.

A certification's status (active, expiring, expired, suspended, revoked) is worked out in SQL
from its stored state and its expiry date against today, so filters and counts never loop in
Python; a trainer's status is the best of their certifications'. Every function costs a fixed
number of queries whatever the size of the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from courses.models import ThematicArea
from lms.models import Organisation
from trainers.models import (
    Certification,
    CertificationRenewal,
    Cohort,
    CohortParticipant,
    Delivery,
    Gender,
    Trainer,
    TrainerLanguage,
)

Status = Certification.Status
REGISTRY_PAGE_SIZE = 25
COHORT_PAGE_SIZE = 25

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


# --- Search ------------------------------------------------------------------------------
@dataclass
class RegistryFilters:
    """The registry search's criteria; unknown values are dropped rather than refused."""

    q: str = ""
    theme: str = ""
    language: str = ""
    country: str = ""
    organisation: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params) -> RegistryFilters:
        return cls(**{name: str(params.get(name, "") or "").strip()[:200] for name in cls.FIELDS})

    FIELDS = ("q", "theme", "language", "country", "organisation", "status")

    def cleaned(self) -> RegistryFilters:
        return RegistryFilters(
            q=self.q.strip()[:200],
            theme=self.theme.strip().lower(),
            language=self.language if self.language in languages() else "",
            country=self.country.upper() if self.country.upper() in dict(countries) else "",
            organisation=self.organisation.strip(),
            status=self.status if self.status in STATUS_FILTERS else "",
        )

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.FIELDS)


def trainer_search(
    *, filters: RegistryFilters | None = None, today: date | None = None
) -> QuerySet[Trainer]:
    """Trainers matching the filters, by name, with what a result row shows prefetched.

    theme: a thematic area's slug, among the trainer's specialisations or the themes they are
    certified in; language: a TRAINER_LANGUAGES code; country: ISO code; organisation: its id
    or short name; status: a certification status or "certified"; q: words found in the name,
    the name in the trainer's own script or the organisation's name.
    """
    filters = (filters or RegistryFilters()).cleaned()
    trainers = trainers_with_status(today=today)
    if filters.theme:
        trainers = trainers.filter(
            Q(
                pk__in=Trainer.specialisations.through.objects.filter(
                    thematicarea__slug=filters.theme
                ).values("trainer_id")
            )
            | Q(
                pk__in=Certification.themes.through.objects.filter(
                    thematicarea__slug=filters.theme
                ).values("certification__trainer_id")
            )
        )
    if filters.language:
        trainers = trainers.filter(
            pk__in=TrainerLanguage.objects.filter(language=filters.language).values("trainer_id")
        )
    if filters.country:
        trainers = trainers.filter(country=filters.country)
    if filters.organisation:
        if filters.organisation.isdigit():
            trainers = trainers.filter(organisation_id=int(filters.organisation))
        else:
            trainers = trainers.filter(organisation__short_name__iexact=filters.organisation)
    if filters.status:
        trainers = trainers.filter(best_rank__in=STATUS_FILTERS[filters.status])
    for word in filters.q.split()[:8]:
        trainers = trainers.filter(
            Q(full_name__icontains=word)
            | Q(full_name_native__icontains=word)
            | Q(organisation__short_name__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return (
        trainers.select_related("organisation")
        .prefetch_related(
            Prefetch("languages", queryset=TrainerLanguage.objects.order_by("pk")),
            Prefetch("specialisations", queryset=ThematicArea.objects.order_by("name")),
        )
        .order_by("full_name", "pk")
    )


def with_themes(trainers, *, first: str = "", limit: int | None = None) -> list[Trainer]:
    """Give each trainer `themes`: their specialisations, then what they are certified in
    (not revoked), with the theme `first` (a slug, the one searched for) ahead of the rest;
    at most `limit` of them, and `themes_more` says how many were left out. Two queries for
    the whole list."""
    trainers = list(trainers)
    rows = (
        Certification.themes.through.objects.filter(
            certification__trainer__in=[t.pk for t in trainers]
        )
        .exclude(certification__state=Certification.State.REVOKED)
        .values_list("certification__trainer_id", "thematicarea_id")
    )
    certified: dict[int, set[int]] = {}
    for trainer_id, theme_id in rows:
        certified.setdefault(trainer_id, set()).add(theme_id)
    wanted = {theme_id for ids in certified.values() for theme_id in ids}
    by_id = {t.pk: t for t in ThematicArea.objects.filter(pk__in=wanted)} if wanted else {}
    for trainer in trainers:
        own = list(trainer.specialisations.all())
        known = {t.pk for t in own}
        more = sorted(
            (by_id[pk] for pk in certified.get(trainer.pk, ()) if pk not in known),
            key=lambda t: t.display_name,
        )
        themes = own + more
        if first:
            themes = sorted(themes, key=lambda t: t.slug != first)
        trainer.themes = themes[:limit] if limit else themes
        trainer.themes_more = len(themes) - len(trainer.themes)
    return trainers


def registry_options() -> dict:
    """What the search form offers: themes, languages, and the countries and organisations
    that have trainers (3 queries)."""
    present = Trainer.objects.order_by().values_list("country", flat=True).distinct()
    codes = set(present)
    return {
        "themes": list(ThematicArea.objects.order_by("name")),
        "languages": [(code, language_label(code)) for code, _name in settings.TRAINER_LANGUAGES],
        "countries": sorted(
            ((code, name) for code, name in countries if code in codes), key=lambda c: c[1]
        ),
        "organisations": list(
            Organisation.objects.filter(pk__in=Trainer.objects.values("organisation_id")).order_by(
                "short_name"
            )
        ),
        "statuses": STATUS_CHOICES,
    }


# --- Trainer profile ---------------------------------------------------------------------
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


# --- Cohorts -----------------------------------------------------------------------------
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


# --- Summary figures ---------------------------------------------------------------------
@dataclass
class Bar:
    key: str
    label: str
    value: int
    percent: int  # of the chart's largest value, for the bar's length
    url: str = ""


def _bars(rows: list[tuple[str, str, int]], link: str = "") -> list[Bar]:
    top = max((value for _k, _l, value in rows), default=0)
    return [
        Bar(
            key=key,
            label=label,
            value=value,
            percent=round(100 * value / top) if top else 0,
            url=f"?{link}={key}" if link and key else "",
        )
        for key, label, value in rows
    ]


def registry_summary(*, today: date | None = None) -> dict:
    """Headline figures and the charts of the summary page (a fixed number of queries)."""
    today = today or timezone.localdate()
    trainers = trainers_with_status(today=today)
    by_trainer_status = dict(
        trainers.order_by().values_list("registry_status").annotate(n=Count("pk"))
    )
    total_trainers = sum(by_trainer_status.values())
    certified = by_trainer_status.get(Status.ACTIVE.value, 0) + by_trainer_status.get(
        Status.EXPIRING.value, 0
    )
    country_names = dict(countries)
    by_country = [
        (code, country_names.get(code, code), n)
        for code, n in Trainer.objects.order_by()
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by("-n", "country")
    ]
    genders = dict(Gender.choices)
    by_gender = [
        (value, str(genders.get(value, value)), n)
        for value, n in Trainer.objects.order_by()
        .values_list("gender")
        .annotate(n=Count("pk"))
        .order_by("-n", "gender")
    ]
    by_theme = [
        (theme.slug, theme.display_name, theme.n)
        for theme in ThematicArea.objects.annotate(n=Count("trainers", distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "name")
    ]
    status_counts = dict(
        certifications_with_status(today=today)
        .order_by()
        .values_list("current_status")
        .annotate(n=Count("pk"))
    )
    by_status = [
        (status.value, str(status.label), status_counts.get(status.value, 0))
        for status in STATUS_RANK
    ]
    cohorts = list(cohorts_with_figures().order_by("-start_date", "name"))
    deliveries = Delivery.objects.aggregate(n=Count("pk"), reach=Sum("participants_reached"))
    return {
        "figures": {
            "trainers": total_trainers,
            "certified": certified,
            "cohorts": len(cohorts),
            "deliveries": deliveries["n"],
            "reach": deliveries["reach"] or 0,
        },
        "by_country": _bars(by_country, "country"),
        "by_gender": _bars(by_gender),
        "by_theme": _bars(by_theme, "theme"),
        "by_status": _bars(by_status, "status"),
        "by_cohort": cohorts,
        "cohort_bars": _bars([(str(c.pk), c.name, c.certified_count) for c in cohorts]),
        "cohort_reach_bars": _bars([(str(c.pk), c.name, c.reach) for c in cohorts]),
    }


def language_label(code: str) -> str:
    """A trainer language's name in the interface's language (the setting's name in English)."""
    from django.utils.translation import get_language, get_language_info

    if (get_language() or "en") != "en":
        try:
            return get_language_info(code)["name_translated"]
        except KeyError:
            pass
    return languages().get(code, code)
