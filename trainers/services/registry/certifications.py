"""Writes of the registry's certifications: granting one (from a ToT cohort or a course),
renewing it, and suspending, revoking or reinstating it, each change kept in its history.
Also `add_months`, the date arithmetic behind expiry dates, and `MY_PROFILE_URL`, the address
the trainer's notifications point to. Every function is keyword-only and atomic: a
`ServiceError` leaves nothing behind.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import CoursePage
from lms.exceptions import Conflict, ErrorItem, ServiceError
from lms.models import AuditEvent, User
from lms.services import audit_record
from trainers.models import Certification, CertificationRenewal, Cohort, CohortParticipant, Trainer

# The address every expiry reminder points to: it redirects to the reader's own profile, so
# that one notification fits every recipient.
MY_PROFILE_URL = "/trainers/me/"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
