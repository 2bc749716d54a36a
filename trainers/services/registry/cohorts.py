"""Writes of the registry's ToT cohorts: creating and changing a cohort, adding participants,
recording each participant's outcome and certifying those still taking part (the
certifications themselves are granted by `certifications`). Every function is keyword-only
and atomic: a `ServiceError` leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import CoursePage, ThematicArea
from lms.exceptions import Conflict, ErrorItem, ServiceError
from lms.models import Organisation, User
from trainers.models import Certification, Cohort, CohortParticipant, Trainer
from trainers.services.registry.certifications import certification_grant

COHORT_FIELDS = {
    "name",
    "course",
    "course_title",
    "remote",
    "place",
    "country",
    "start_date",
    "end_date",
    "hours",
    "funding_partner",
    "validity_months",
}


def _cohort_check(cohort: Cohort) -> None:
    errors = []
    if not cohort.name.strip():
        errors.append(ErrorItem(message=_("A cohort needs a name."), field="name"))
    if not cohort.course_title.strip():
        errors.append(ErrorItem(message=_("Name the course, or choose one."), field="course_title"))
    if cohort.start_date and cohort.end_date and cohort.end_date < cohort.start_date:
        errors.append(
            ErrorItem(message=_("The course cannot end before it starts."), field="end_date")
        )
    if not cohort.remote and not cohort.place.strip():
        errors.append(
            ErrorItem(
                message=_("Say where the course takes place, or mark it remote."), field="place"
            )
        )
    clash = Cohort.objects.filter(name=cohort.name)
    if cohort.pk:
        clash = clash.exclude(pk=cohort.pk)
    if clash.exists():
        errors.append(ErrorItem(message=_("Another cohort has this name."), field="name"))
    if errors:
        raise ServiceError(_("The cohort cannot be saved."), errors)


@transaction.atomic
def cohort_create(
    *,
    name: str,
    start_date: date,
    end_date: date,
    course: CoursePage | None = None,
    course_title: str = "",
    place: str = "",
    country: str = "",
    remote: bool = False,
    hours: int = 0,
    themes: Iterable[ThematicArea] | None = None,
    organisers: Iterable[Organisation] = (),
    funding_partner: Organisation | None = None,
    validity_months: int | None = 36,
) -> Cohort:
    """A ToT cohort. Without a title or themes, the course's own are used."""
    cohort = Cohort(
        name=name.strip(),
        course=course,
        course_title=(course_title or (course.title if course else "")).strip(),
        place=place.strip(),
        country=country,
        remote=remote,
        start_date=start_date,
        end_date=end_date,
        hours=hours,
        funding_partner=funding_partner,
        validity_months=validity_months,
    )
    _cohort_check(cohort)
    cohort.save()
    if themes is None and course is not None:
        themes = course.themes.all()
    cohort.themes.set(list(themes or ()))
    cohort.organisers.set(list(organisers))
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    themes: Iterable[ThematicArea] | None = None,
    organisers: Iterable[Organisation] | None = None,
    **fields,
) -> Cohort:
    """Change the named fields of a cohort (certifications already granted keep their dates)."""
    unknown = set(fields) - COHORT_FIELDS
    if unknown:
        raise TypeError(f"cohort_update() got unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(cohort, name, value.strip() if isinstance(value, str) else value)
    _cohort_check(cohort)
    cohort.save()
    if themes is not None:
        cohort.themes.set(list(themes))
    if organisers is not None:
        cohort.organisers.set(list(organisers))
    return cohort


@transaction.atomic
def cohort_add_participants(*, cohort: Cohort, trainers: Iterable[Trainer]) -> int:
    """Add trainers to the cohort (those already in it are left as they are); the number added."""
    trainer_ids = {trainer.pk for trainer in trainers}
    present = set(
        CohortParticipant.objects.filter(cohort=cohort, trainer_id__in=trainer_ids).values_list(
            "trainer_id", flat=True
        )
    )
    new = [CohortParticipant(cohort=cohort, trainer_id=pk) for pk in trainer_ids - present]
    CohortParticipant.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def cohort_set_outcome(
    *, cohort: Cohort, trainer: Trainer, outcome: str, by: User | None = None
) -> CohortParticipant:
    """Record a participant's outcome; "certified" grants the certification."""
    if outcome not in CohortParticipant.Outcome.values:
        raise ServiceError(
            _("Unknown outcome."), [ErrorItem(message=_("Unknown outcome."), field="outcome")]
        )
    if outcome == CohortParticipant.Outcome.CERTIFIED:
        certification_grant(trainer=trainer, cohort=cohort, by=by)
        return CohortParticipant.objects.get(cohort=cohort, trainer=trainer)
    if Certification.objects.filter(cohort=cohort, trainer=trainer).exists():
        raise Conflict(
            _("This participant is certified: suspend or revoke the certification instead.")
        )
    membership, _created = CohortParticipant.objects.update_or_create(
        cohort=cohort, trainer=trainer, defaults={"outcome": outcome}
    )
    return membership


@transaction.atomic
def cohort_certify_participants(*, cohort: Cohort, by: User | None = None) -> list[Certification]:
    """Certify every participant still marked as taking part; the certifications granted."""
    waiting = Trainer.objects.filter(
        memberships__cohort=cohort, memberships__outcome=CohortParticipant.Outcome.ENROLLED
    )
    return [certification_grant(trainer=trainer, cohort=cohort, by=by) for trainer in waiting]
