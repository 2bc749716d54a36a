"""The registry search: its criteria (`RegistryFilters`), the matching trainers with what a
result row shows (`trainer_search`), their thematic areas (`with_themes`) and what the search
form offers (`registry_options`). Each costs a fixed number of queries whatever the size of
the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django_countries import countries

from courses.models import ThematicArea
from lms.models import Organisation
from trainers.models import Certification, Trainer, TrainerLanguage
from trainers.selectors.registry.status import (
    STATUS_CHOICES,
    STATUS_FILTERS,
    language_label,
    languages,
    trainers_with_status,
)

REGISTRY_PAGE_SIZE = 25


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
