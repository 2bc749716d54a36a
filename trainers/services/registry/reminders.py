"""Expiry reminders of the registry: `certification_reminders_send` tells each trainer whose
active certification expires within CERTIFICATION_EXPIRING_DAYS, in the app (trainers with an
account) or by email (those without), once per certification and expiry date, in a constant
number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trainers.models import Certification
from trainers.services.registry.certifications import MY_PROFILE_URL


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
