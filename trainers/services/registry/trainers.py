"""Writes of the registry's trainers and what they deliver: finding a trainer's entry by
account, email or name (`trainer_match`), creating or updating it with its languages and
specialisations (`trainer_upsert`), and recording the trainings a trainer delivered
(`delivery_record`, which the scheduling app calls too). Every function is keyword-only and
atomic: a `ServiceError` leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from courses.models import CoursePage, ThematicArea
from lms.exceptions import ErrorItem, ServiceError
from lms.models import Organisation, User
from trainers.models import Delivery, Gender, Trainer, TrainerLanguage


def trainer_languages() -> dict[str, str]:
    return dict(settings.TRAINER_LANGUAGES)


def trainer_match(*, user: User | None, email: str, full_name: str, country: str):
    """The registry entry these details belong to: by account, then email, then name."""
    if user is not None:
        found = Trainer.objects.filter(user=user).first()
        if found:
            return found
    if email:
        found = Trainer.objects.filter(email__iexact=email).first()
        if found:
            return found
    return Trainer.objects.filter(full_name__iexact=full_name, country=country).first()


@transaction.atomic
def trainer_upsert(
    *,
    full_name: str,
    country: str,
    user: User | None = None,
    email: str = "",
    full_name_native: str | None = None,
    organisation: Organisation | None = None,
    gender: str | None = None,
    phone: str | None = None,
    bio: str | None = None,
    languages: Iterable[str] | None = None,
    specialisations: Iterable[ThematicArea] | None = None,
) -> Trainer:
    """Create the trainer, or update the one with this account, email or name and country.

    Arguments left at `None` keep the stored value; languages and specialisations, when
    given, replace the trainer's.
    """
    full_name = " ".join(full_name.split())
    email = email.strip()
    errors = []
    if not full_name:
        errors.append(ErrorItem(message=_("A trainer needs a name."), field="full_name"))
    if country not in dict(countries):
        errors.append(ErrorItem(message=_("Unknown country code."), field="country"))
    if gender is not None and gender not in Gender.values:
        errors.append(ErrorItem(message=_("Unknown gender."), field="gender"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(ErrorItem(message=_("Not an email address."), field="email"))
    unknown = sorted(set(languages or ()) - set(trainer_languages()))
    if unknown:
        errors.append(
            ErrorItem(
                message=_("Unknown language codes: %(codes)s") % {"codes": ", ".join(unknown)},
                field="languages",
            )
        )
    if errors:
        raise ServiceError(_("The trainer cannot be saved."), errors)
    trainer = trainer_match(user=user, email=email, full_name=full_name, country=country)
    if trainer is None:
        trainer = Trainer(full_name=full_name, country=country)
    trainer.full_name = full_name
    trainer.country = country
    if user is not None:
        trainer.user = user
    if email:
        trainer.email = email
    if organisation is not None:
        trainer.organisation = organisation
    for name, value in (
        ("full_name_native", full_name_native),
        ("gender", gender),
        ("phone", phone),
        ("bio", bio),
    ):
        if value is not None:
            setattr(trainer, name, value.strip())
    trainer.save()
    if languages is not None:
        trainer_set_languages(trainer=trainer, languages=languages)
    if specialisations is not None:
        trainer.specialisations.set(list(specialisations))
    return trainer


@transaction.atomic
def trainer_set_languages(*, trainer: Trainer, languages: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(languages))
    trainer.languages.exclude(language__in=wanted).delete()
    TrainerLanguage.objects.bulk_create(
        [TrainerLanguage(trainer=trainer, language=code) for code in wanted],
        ignore_conflicts=True,
    )


# --- Deliveries --------------------------------------------------------------------------
@transaction.atomic
def delivery_record(
    *,
    trainer: Trainer,
    title: str,
    start_date: date,
    end_date: date,
    participants_reached: int,
    course: CoursePage | None = None,
    source: str = "",
    organisation: Organisation | None = None,
    place: str = "",
    themes: Iterable[ThematicArea] | None = None,
) -> Delivery:
    """Record a training the trainer delivered. With a `source` (such as "training:42" from
    the scheduling app), recording it again updates the same row."""
    errors = []
    if end_date < start_date:
        errors.append(
            ErrorItem(message=_("The training cannot end before it starts."), field="end_date")
        )
    if participants_reached < 0:
        errors.append(ErrorItem(message=_("Cannot be negative."), field="participants_reached"))
    if not title.strip():
        errors.append(ErrorItem(message=_("A delivery needs a title."), field="title"))
    if errors:
        raise ServiceError(_("The delivery cannot be recorded."), errors)
    values = {
        "title": title.strip(),
        "start_date": start_date,
        "end_date": end_date,
        "participants_reached": participants_reached,
        "course": course,
        "organisation": organisation,
        "place": place,
    }
    if source:
        delivery, _created = Delivery.objects.update_or_create(
            trainer=trainer, source=source, defaults=values
        )
    else:
        delivery = Delivery.objects.create(trainer=trainer, **values)
    if themes is None and course is not None:
        themes = course.themes.all()
    if themes is not None:
        delivery.themes.set(list(themes))
    return delivery
