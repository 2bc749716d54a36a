"""The registry's summary page: headline figures (trainers, certified, cohorts, deliveries,
reach) and bar charts by country, gender, thematic area, certification status and cohort
(`registry_summary`, a fixed number of queries), each chart a list of `Bar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.utils import timezone
from django_countries import countries

from courses.models import ThematicArea
from trainers.models import Delivery, Gender, Trainer
from trainers.selectors.registry.cohorts import cohorts_with_figures
from trainers.selectors.registry.status import (
    STATUS_RANK,
    Status,
    certifications_with_status,
    trainers_with_status,
)


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
