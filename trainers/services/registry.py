"""Writes of the registry: cohorts, trainers, certifications and their lifecycle, deliveries
and expiry reminders (the CSV import is in `registry_import`).

Every function is keyword-only and atomic: a `ServiceError` leaves nothing behind.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from courses.models import CoursePage, ThematicArea
from lms.exceptions import Conflict, ErrorItem, ServiceError
from lms.models import AuditEvent, Organisation, User
from lms.services import audit_record
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

# The address every expiry reminder points to: it redirects to the reader's own profile, so
# that one notification fits every recipient.
MY_PROFILE_URL = "/trainers/me/"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def trainer_languages() -> dict[str, str]:
    return dict(settings.TRAINER_LANGUAGES)


# --- Cohorts -----------------------------------------------------------------------------
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


# --- Certifications ----------------------------------------------------------------------
@transaction.atomic
def certification_grant(
    *,
    trainer: Trainer,
    cohort: Cohort | None = None,
    course: CoursePage | None = None,
    issued_on: date | None = None,
    by: User | None = None,
) -> Certification:
    """Certify a trainer from a ToT cohort (or, without a cohort, from a course).

    The certification is issued on the cohort's last day unless told otherwise, expires after
    the cohort's validity, and covers the cohort's (or course's) thematic areas. The trainer
    becomes a certified participant of the cohort. Granting again returns the existing one.
    """
    if cohort is None and course is None:
        raise ServiceError(
            _("A certification comes from a cohort or a course."),
            [ErrorItem(message=_("Choose a cohort or a course."), field="cohort")],
        )
    if cohort is not None:
        existing = Certification.objects.filter(trainer=trainer, cohort=cohort).first()
    else:
        existing = Certification.objects.filter(
            trainer=trainer, cohort__isnull=True, course=course
        ).first()
    if existing is not None:
        return existing
    if issued_on is None:
        issued_on = cohort.end_date if cohort is not None else timezone.localdate()
    months = cohort.validity_months if cohort is not None else None
    certification = Certification.objects.create(
        trainer=trainer,
        cohort=cohort,
        course=course or (cohort.course if cohort is not None else None),
        issued_on=issued_on,
        expires_on=add_months(issued_on, months) if months else None,
    )
    source = cohort if cohort is not None else course
    certification.themes.set(list(source.themes.all()))
    if cohort is not None:
        CohortParticipant.objects.update_or_create(
            cohort=cohort,
            trainer=trainer,
            defaults={"outcome": CohortParticipant.Outcome.CERTIFIED},
        )
    return certification


@transaction.atomic
def certification_renew(
    *,
    certification: Certification,
    expires_on: date | None = None,
    by: User | None = None,
    note: str = "",
) -> Certification:
    """Extend a certification, keeping the old and new dates in its history.

    Without a date, it runs for the cohort's validity again from the later of today and the
    current expiry. A revoked certification cannot be renewed.
    """
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if certification.state == Certification.State.REVOKED:
        raise Conflict(_("A revoked certification cannot be renewed."))
    today = timezone.localdate()
    if expires_on is None:
        months = certification.cohort.validity_months if certification.cohort_id else None
        if not months:
            raise ServiceError(
                _("Give the new expiry date."),
                [ErrorItem(message=_("Give the new expiry date."), field="expires_on")],
            )
        expires_on = add_months(max(today, certification.expires_on or today), months)
    if expires_on < certification.issued_on or expires_on < today:
        raise ServiceError(
            _("The new expiry date must be in the future."),
            [
                ErrorItem(
                    message=_("The new expiry date must be in the future."), field="expires_on"
                )
            ],
        )
    CertificationRenewal.objects.create(
        certification=certification,
        renewed_on=today,
        previous_expires_on=certification.expires_on,
        new_expires_on=expires_on,
        by=by,
        note=note.strip() or _("Renewed"),
    )
    certification.expires_on = expires_on
    certification.save(update_fields=["expires_on"])
    return certification


STATE_NOTES = {
    Certification.State.ACTIVE: gettext_lazy("Reinstated"),
    Certification.State.SUSPENDED: gettext_lazy("Suspended"),
    Certification.State.REVOKED: gettext_lazy("Revoked"),
}


@transaction.atomic
def certification_set_state(
    *, certification: Certification, state: str, reason: str = "", by: User | None = None
) -> Certification:
    """Suspend, revoke or reinstate a certification, with the reason in its history.

    Revoking needs a reason, is final, and revokes the certificate that goes with it. The
    trainer is told.
    """
    if state not in Certification.State.values:
        raise ServiceError(
            _("Unknown state."), [ErrorItem(message=_("Unknown state."), field="state")]
        )
    reason = reason.strip()
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("trainer__user", "certificate")
        .get(pk=certification.pk)
    )
    if certification.state == state:
        return certification
    if certification.state == Certification.State.REVOKED:
        raise Conflict(_("A revoked certification cannot change state."))
    if state == Certification.State.REVOKED and not reason:
        raise ServiceError(
            _("Say why the certification is revoked."),
            [ErrorItem(message=_("A reason is required to revoke."), field="reason")],
        )
    certification.state = state
    certification.state_reason = reason
    certification.state_changed_at = timezone.now()
    certification.save(update_fields=["state", "state_reason", "state_changed_at"])
    audit_record(
        action=AuditEvent.Action.CERTIFICATION_CHANGED,
        actor=by,
        target=f"certification {certification.pk} ({certification.trainer})",
        detail={"state": str(state), "reason": reason},
    )
    note = str(STATE_NOTES[Certification.State(state)])
    CertificationRenewal.objects.create(
        certification=certification,
        renewed_on=timezone.localdate(),
        previous_expires_on=certification.expires_on,
        new_expires_on=certification.expires_on,
        by=by,
        note=f"{note}: {reason}" if reason else note,
    )
    certificate = certification.certificate
    if state == Certification.State.REVOKED and certificate is not None:
        from trainers.services.certificates import certificate_revoke

        if certificate.status == certificate.Status.VALID:
            certificate_revoke(certificate=certificate, reason=reason, by=by)
    user = certification.trainer.user
    if user is not None:
        from lms.services import notification_send

        title = str(certification.cohort or certification.course)
        notification_send(
            users=[user],
            subject=_("Your certification for %(title)s: %(state)s")
            % {"title": title, "state": Certification.State(state).label},
            body=reason,
            url=MY_PROFILE_URL,
        )
    return certification


# --- Trainers ----------------------------------------------------------------------------
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


# --- Expiry reminders --------------------------------------------------------------------
@dataclass
class ReminderResult:
    notified: int = 0  # trainers with an account (in-app and email)
    emailed: int = 0  # trainers without an account, by email
    certifications: int = 0


@transaction.atomic
def certification_reminders_send(*, today: date | None = None) -> ReminderResult:
    """Remind trainers whose active certification expires within CERTIFICATION_EXPIRING_DAYS.

    One reminder per certification and expiry date (a renewal starts a new one). Constant
    queries: one read, one bulk insert of notifications, one update.
    """
    from lms.services import notification_send

    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.CERTIFICATION_EXPIRING_DAYS)
    due = list(
        Certification.objects.select_for_update(of=("self",))
        .filter(
            state=Certification.State.ACTIVE,
            expires_on__gte=today,
            expires_on__lte=horizon,
        )
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("expires_on")))
        .select_related("trainer__user", "cohort", "course")
        .order_by("expires_on", "pk")
    )
    result = ReminderResult(certifications=len(due))
    if not due:
        return result
    users = {c.trainer.user.pk: c.trainer.user for c in due if c.trainer.user_id}
    subject = _("Your trainer certification expires soon")
    body = _(
        "A certification of yours in the FIA Academy trainer registry expires within "
        "%(days)d days. Your profile shows the date; ask the Academy about renewal."
    ) % {"days": settings.CERTIFICATION_EXPIRING_DAYS}
    if users:
        notification_send(users=users.values(), subject=subject, body=body, url=MY_PROFILE_URL)
    messages = []
    external = {}
    for certification in due:
        trainer = certification.trainer
        if trainer.user_id or not trainer.email:
            continue
        external[trainer.pk] = True
        text = _(
            "Dear %(name)s,\n\nyour certification for %(title)s in the FIA Academy trainer "
            "registry expires on %(date)s. Please contact the FIA Academy about renewal."
        ) % {
            "name": trainer.full_name,
            "title": certification.cohort or certification.course,
            "date": certification.expires_on.isoformat(),
        }
        messages.append((subject, text, None, [trainer.email]))
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    Certification.objects.filter(pk__in=[c.pk for c in due]).update(
        reminder_sent_for=F("expires_on")
    )
    result.notified = len(users)
    result.emailed = len(external)
    return result
