"""Writes of the certificates: issue (rendered and stored once), revoke, re-issue, bulk issue
for a cohort, and the default templates.

A certificate's PDF is made when it is issued and never again: a re-download serves the
stored bytes, whose SHA-256 is kept beside them. Issuing again for the same holder and
course (or cohort) while a valid certificate exists returns that certificate.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import CoursePage, Enrolment
from lms.exceptions import Conflict, ErrorItem, ServiceError
from lms.models import AuditEvent, User
from lms.services import audit_record
from trainers.certificates import render
from trainers.models import (
    Certificate,
    CertificateIssueJob,
    CertificateTemplate,
    Certification,
    Cohort,
    Trainer,
)
from trainers.models.certificates import CertificateKind

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a code read aloud or typed from paper is not mistaken. 31 symbols, 16 of them, is
# about 79 bits of randomness, grouped by four: XXXX-XXXX-XXXX-XXXX.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
MY_CERTIFICATES_URL = "/trainers/certificates/"
# A cohort's job still queued or running after this long was abandoned by a stopped worker
# (1,000 certificates take about a minute).
ABANDONED_JOB_AFTER = timedelta(hours=1)

DEFAULT_TEMPLATES = [
    # name, kind, language
    ("Course completion (English)", CertificateKind.COURSE, "en"),
    ("Course completion (Urdu)", CertificateKind.COURSE, "ur"),
    ("ToT certification (English)", CertificateKind.TOT, "en"),
    ("ToT certification (Urdu)", CertificateKind.TOT, "ur"),
]


# --- Codes -------------------------------------------------------------------------------
def certificate_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def certificate_code_normalise(value: str) -> str:
    """The stored form of a typed code: upper case, grouped by four, at most 32 characters."""
    raw = "".join(ch for ch in str(value).upper() if ch.isascii() and ch.isalnum())[:25]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- Templates ---------------------------------------------------------------------------
@transaction.atomic
def certificate_templates_ensure() -> list[CertificateTemplate]:
    """Create the shipped default templates (English and Urdu, both kinds) where missing.

    A kind and language that already has a default keeps it; an administrator's edits to a
    default template are never overwritten.
    """
    made = []
    for name, kind, language in DEFAULT_TEMPLATES:
        if CertificateTemplate.objects.filter(
            kind=kind, language=language, is_default=True
        ).exists():
            continue
        html, css = render.default_template_files(language)
        template, _created = CertificateTemplate.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "language": language, "html": html, "css": css},
        )
        if template.kind == kind and template.language == language:
            template.is_default = True
            template.save(update_fields=["is_default", "updated_at"])
        made.append(template)
    return made


def certificate_template_for(*, kind: str, language: str = "en") -> CertificateTemplate:
    """The default template of this kind in this language, else in English."""
    for _attempt in range(2):
        templates = {
            t.language: t
            for t in CertificateTemplate.objects.select_related(
                "partner_logo", "signatory_1_signature", "signatory_2_signature"
            ).filter(kind=kind, is_default=True, language__in={language, "en"})
        }
        template = templates.get(language) or templates.get("en")
        if template is not None:
            return template
        certificate_templates_ensure()
    raise Conflict(_("There is no certificate template for this kind of certificate."))


# --- Issue -------------------------------------------------------------------------------
def _hours(value) -> int:
    return int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _holder_check(*, kind, user, trainer, course, cohort) -> None:
    errors = []
    if kind == CertificateKind.COURSE:
        if user is None:
            errors.append(
                ErrorItem(message=_("A course certificate needs a learner."), field="user")
            )
        if course is None:
            errors.append(
                ErrorItem(message=_("A course certificate needs a course."), field="course")
            )
    elif kind == CertificateKind.TOT:
        if trainer is None:
            errors.append(
                ErrorItem(message=_("A ToT certificate needs a trainer."), field="trainer")
            )
        if cohort is None and course is None:
            errors.append(
                ErrorItem(
                    message=_("A ToT certificate needs a cohort or a course."), field="cohort"
                )
            )
    else:
        errors.append(ErrorItem(message=_("Unknown kind of certificate."), field="kind"))
    if errors:
        raise ServiceError(_("The certificate cannot be issued."), errors)


def _valid_existing(*, kind, user, trainer, course, cohort) -> Certificate | None:
    valid = Certificate.objects.filter(kind=kind, status=Certificate.Status.VALID)
    if kind == CertificateKind.COURSE:
        return valid.filter(user=user, course=course).first()
    if cohort is not None:
        return valid.filter(trainer=trainer, cohort=cohort).first()
    return valid.filter(trainer=trainer, cohort__isnull=True, course=course).first()


def _certification_of(*, trainer, cohort, course) -> Certification | None:
    if cohort is not None:
        return Certification.objects.filter(trainer=trainer, cohort=cohort).first()
    return Certification.objects.filter(trainer=trainer, cohort__isnull=True, course=course).first()


def _draft(
    *,
    kind: str,
    user: User | None,
    trainer: Trainer | None,
    course: CoursePage | None,
    cohort: Cohort | None,
    certification: Certification | None,
    period_start: date | None,
    period_end: date | None,
    template: CertificateTemplate,
) -> Certificate:
    """The unsaved certificate: what it says is frozen here."""
    today = timezone.localdate()
    if kind == CertificateKind.COURSE:
        holder_name = user.get_full_name() or user.username
        title, hours = course.title, _hours(course.duration_hours)
        if period_start is None or period_end is None:
            enrolment = Enrolment.objects.filter(user=user, course=course).first()
            if enrolment is not None:
                period_start = period_start or timezone.localdate(enrolment.enrolled_at)
                if enrolment.completed_at:
                    period_end = period_end or timezone.localdate(enrolment.completed_at)
        issued_on, expires_on = today, None
    else:
        holder_name = trainer.full_name
        if template.language != "en" and trainer.full_name_native:
            holder_name = trainer.full_name_native
        if cohort is not None:
            title, hours = cohort.course_title, cohort.hours
            period_start = period_start or cohort.start_date
            period_end = period_end or cohort.end_date
        else:
            title, hours = course.title, _hours(course.duration_hours)
        issued_on = certification.issued_on if certification else today
        expires_on = certification.expires_on if certification else None
    return Certificate(
        code=certificate_code_new(),
        kind=kind,
        user=user,
        trainer=trainer,
        course=course,
        cohort=cohort,
        template=template,
        language=template.language,
        holder_name=holder_name[:200],
        title=title[:200],
        period_start=period_start,
        period_end=period_end or period_start,
        hours=max(0, min(hours, 32767)),
        issued_on=issued_on,
        expires_on=expires_on,
    )


def _store(certificate: Certificate, template: CertificateTemplate) -> None:
    """Render the PDF and save it under an unguessable name (the code is public, the file
    is not: media may be served without permission checks)."""
    pdf = render.render_pdf(certificate=certificate, template=template)
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.pdf.save(f"{secrets.token_urlsafe(24)}.pdf", ContentFile(pdf), save=False)


def _notify(certificate: Certificate, *, subject: str, body: str = "") -> None:
    from lms.services import notification_send

    user = certificate.user
    if user is None and certificate.trainer is not None:
        user = certificate.trainer.user
    if user is not None:
        notification_send(users=[user], subject=subject, body=body, url=MY_CERTIFICATES_URL)


@transaction.atomic
def certificate_issue(
    *,
    kind: str,
    user: User | None = None,
    trainer: Trainer | None = None,
    course: CoursePage | None = None,
    cohort: Cohort | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    language: str | None = None,
    template: CertificateTemplate | None = None,
    certification: Certification | None = None,
    by: User | None = None,
    notify: bool = True,
) -> Certificate:
    """Issue a certificate: a course completion (user and course) or a ToT certification
    (trainer and cohort, or trainer and course for a certification without a cohort).

    Renders and stores the PDF once. While the holder has a valid certificate for the same
    course or cohort, returns it instead. A ToT certificate needs the trainer's
    certification; it takes its dates and expiry from it and becomes its certificate.
    """
    _holder_check(kind=kind, user=user, trainer=trainer, course=course, cohort=cohort)
    existing = _valid_existing(kind=kind, user=user, trainer=trainer, course=course, cohort=cohort)
    if existing is not None:
        return existing
    if kind == CertificateKind.TOT:
        certification = certification or _certification_of(
            trainer=trainer, cohort=cohort, course=course
        )
        if certification is None:
            raise Conflict(
                _("This trainer is not certified from this cohort: grant the certification first.")
            )
        if certification.state != Certification.State.ACTIVE:
            raise Conflict(_("This certification is suspended or revoked."))
        user = user or trainer.user
    if template is None:
        if language is None:
            language = course.language if course is not None else "en"
        template = certificate_template_for(kind=kind, language=language)
    certificate = _draft(
        kind=kind,
        user=user,
        trainer=trainer,
        course=course,
        cohort=cohort,
        certification=certification,
        period_start=period_start,
        period_end=period_end,
        template=template,
    )
    _store(certificate, template)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Issued at the same moment by another request (or, once in 10^23, the same code).
        certificate.pdf.delete(save=False)
        existing = _valid_existing(
            kind=kind, user=user, trainer=trainer, course=course, cohort=cohort
        )
        if existing is not None:
            return existing
        raise
    if certification is not None:
        Certification.objects.filter(pk=certification.pk).update(certificate=certificate)
        certification.certificate = certificate
    if notify:
        _notify(
            certificate,
            subject=_("Your certificate for %(title)s is ready") % {"title": certificate.title},
            body=_("Certificate code: %(code)s") % {"code": certificate.code},
        )
    logger.info("certificate %s issued (%s) by %s", certificate.code, kind, by or "the platform")
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by: User | None) -> Certificate:
    """Revoke a valid certificate; verification then says "revoked". The reason is required
    and kept (it is not shown publicly)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            _("Say why the certificate is revoked."),
            [ErrorItem(message=_("A reason is required to revoke."), field="reason")],
        )
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("user", "trainer__user")
        .get(pk=certificate.pk)
    )
    if certificate.status != Certificate.Status.VALID:
        raise Conflict(
            _("This certificate is already %(status)s.")
            % {"status": certificate.get_status_display().lower()}
        )
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_reason = reason
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    _notify(
        certificate,
        subject=_("Your certificate for %(title)s was revoked") % {"title": certificate.title},
        body=reason,
    )
    audit_record(
        action=AuditEvent.Action.CERTIFICATE_REVOKED,
        actor=by,
        target=f"certificate {certificate.code} ({certificate.holder_name})",
        detail={"code": certificate.code, "reason": reason},
    )
    logger.info("certificate %s revoked by %s", certificate.code, by)
    return certificate


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by: User | None) -> Certificate:
    """Issue a new certificate in place of a valid one (corrected name, new template…).

    The new one gets a new code and the current default template; the old code then says
    "replaced". A ToT certificate takes its certification's current expiry.
    """
    old = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("user", "trainer__user", "course", "cohort")
        .get(pk=certificate.pk)
    )
    if old.status != Certificate.Status.VALID:
        raise Conflict(_("Only a valid certificate can be re-issued."))
    old.status = Certificate.Status.REPLACED
    old.save(update_fields=["status"])
    certification = None
    if old.kind == CertificateKind.TOT:
        certification = Certification.objects.filter(certificate=old).first() or (
            _certification_of(trainer=old.trainer, cohort=old.cohort, course=old.course)
        )
    new = certificate_issue(
        kind=old.kind,
        user=old.user,
        trainer=old.trainer,
        course=old.course,
        cohort=old.cohort,
        period_start=old.period_start,
        period_end=old.period_end,
        language=old.language,
        certification=certification,
        by=by,
        notify=False,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    audit_record(
        action=AuditEvent.Action.CERTIFICATE_REISSUED,
        actor=by,
        target=f"certificate {old.code} ({old.holder_name})",
        detail={"old": old.code, "new": new.code},
    )
    _notify(
        new,
        subject=_("Your certificate for %(title)s was re-issued") % {"title": new.title},
        body=_("New certificate code: %(code)s") % {"code": new.code},
    )
    return new


# --- Course completion -------------------------------------------------------------------
def course_certificate_issue(*, user: User, course: CoursePage) -> Certificate | None:
    """The certificate for a completed course, when the course grants one."""
    if not course.issues_certificate:
        return None
    completed = Enrolment.objects.filter(
        user=user, course=course, completed_at__isnull=False
    ).exists()
    if not completed:
        raise Conflict(_("The course is not completed."))
    return certificate_issue(kind=CertificateKind.COURSE, user=user, course=course)


# --- Cohorts -----------------------------------------------------------------------------
def cohort_certifications_waiting(*, cohort: Cohort):
    """The cohort's active, unexpired certifications that have no certificate yet."""
    today = timezone.localdate()
    return Certification.objects.filter(
        cohort=cohort,
        state=Certification.State.ACTIVE,
        certificate__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


@transaction.atomic
def cohort_certificates_issue(*, cohort: Cohort, by: User | None) -> CertificateIssueJob:
    """Queue the issue of certificates for every active certification of the cohort that
    has none. The worker runs it (trainers.certificates.tasks); the job shows progress.
    A job already queued or running for the cohort is returned instead of a second one."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    unfinished = cohort.jobs.filter(
        state__in=[CertificateIssueJob.State.QUEUED, CertificateIssueJob.State.RUNNING]
    )
    # A job the worker never finished (it was stopped mid-way) must not block the cohort.
    unfinished.filter(created_at__lt=timezone.now() - ABANDONED_JOB_AFTER).update(
        state=CertificateIssueJob.State.FAILED,
        error=_("The worker stopped before this job finished."),
        finished_at=timezone.now(),
    )
    running = unfinished.first()
    if running is not None:
        return running
    total = cohort_certifications_waiting(cohort=cohort).count()
    job = CertificateIssueJob.objects.create(cohort=cohort, requested_by=by, total=total)
    from trainers.certificates.tasks import certificate_issue_job_run

    transaction.on_commit(lambda: certificate_issue_job_run.enqueue(job_id=job.pk))
    return job


def certificate_issue_job_run(*, job: CertificateIssueJob) -> CertificateIssueJob:
    """Issue the job's certificates one by one (each in its own transaction, so progress is
    visible and a failure keeps the ones before it), counting `done` as it goes."""
    updated = CertificateIssueJob.objects.filter(
        pk=job.pk, state=CertificateIssueJob.State.QUEUED
    ).update(state=CertificateIssueJob.State.RUNNING)
    if not updated:
        return job  # already run (a task delivered twice)
    cohort = job.cohort
    waiting = list(
        cohort_certifications_waiting(cohort=cohort).select_related("trainer__user").order_by("pk")
    )
    CertificateIssueJob.objects.filter(pk=job.pk).update(total=job.done + len(waiting))
    templates: dict[str, CertificateTemplate] = {}
    failures = []
    for certification in waiting:
        try:
            template = templates.get("en") or certificate_template_for(
                kind=CertificateKind.TOT, language="en"
            )
            templates["en"] = template
            certificate_issue(
                kind=CertificateKind.TOT,
                trainer=certification.trainer,
                cohort=cohort,
                certification=certification,
                template=template,
                by=job.requested_by,
            )
            CertificateIssueJob.objects.filter(pk=job.pk).update(done=job.done + 1)
            job.done += 1
        except Exception as error:  # one bad row must not stop the cohort
            logger.exception("certificate for certification %s failed", certification.pk)
            failures.append(f"{certification.trainer}: {error}")
    job.refresh_from_db()
    job.state = CertificateIssueJob.State.FAILED if failures else CertificateIssueJob.State.FINISHED
    job.error = "\n".join(failures)[:5000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job
