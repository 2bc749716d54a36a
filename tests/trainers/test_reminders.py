"""Expiry reminders: once per expiry date, in the app and by email, in constant queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.models import Notification
from tests.factories import UserFactory
from tests.trainers.factories import registry_trainer, tot_cohort
from trainers.models import Certification
from trainers.services import registry as services
from trainers.tasks import send_certification_reminders

pytestmark = pytest.mark.django_db


def _certified(*, expires_in_days: int, user=None, email: str = "", state: str = "active"):
    trainer = registry_trainer(user=user, email=email)
    today = timezone.localdate()
    certification = services.certification_grant(
        trainer=trainer, cohort=tot_cohort(), issued_on=today - timedelta(days=1000)
    )
    Certification.objects.filter(pk=certification.pk).update(
        expires_on=today + timedelta(days=expires_in_days), state=state
    )
    certification.refresh_from_db()
    return certification


def test_trainers_with_an_account_are_notified_in_the_app_and_by_email(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="sadia@example.org")
    certification = _certified(expires_in_days=30, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.certification_reminders_send()

    assert (result.certifications, result.notified, result.emailed) == (1, 1, 0)
    notification = Notification.objects.get(user=user)
    assert notification.url == "/trainers/me/"
    assert [m.to for m in mail.outbox] == [["sadia@example.org"]]
    certification.refresh_from_db()
    assert certification.reminder_sent_for == certification.expires_on


def test_external_trainers_are_emailed_with_their_date(django_capture_on_commit_callbacks):
    certification = _certified(expires_in_days=60, email="rebwar@krg.example.org")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.certification_reminders_send()

    assert result.emailed == 1
    assert mail.outbox[0].to == ["rebwar@krg.example.org"]
    assert certification.expires_on.isoformat() in mail.outbox[0].body


def test_only_active_certifications_expiring_within_the_window_are_reminded(settings):
    settings.CERTIFICATION_EXPIRING_DAYS = 90
    _certified(expires_in_days=91, email="far@example.org")
    _certified(expires_in_days=-1, email="expired@example.org")
    _certified(expires_in_days=10, email="suspended@example.org", state="suspended")
    due = _certified(expires_in_days=90, email="due@example.org")

    result = services.certification_reminders_send()

    assert result.certifications == 1
    assert Certification.objects.filter(reminder_sent_for__isnull=False).get().pk == due.pk


def test_each_expiry_date_is_reminded_once_and_a_renewal_starts_again():
    user = UserFactory()
    certification = _certified(expires_in_days=20, user=user)
    services.certification_reminders_send()

    assert services.certification_reminders_send().certifications == 0

    services.certification_renew(
        certification=certification,
        expires_on=timezone.localdate() + timedelta(days=45),
    )
    assert services.certification_reminders_send().certifications == 1
    assert Notification.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("size", [2, 12])
def test_reminders_cost_the_same_queries_whatever_the_number(size):
    for n in range(size):
        _certified(expires_in_days=10 + n, user=UserFactory())
        _certified(expires_in_days=10 + n, email=f"external{n}@example.org")

    with CaptureQueriesContext(connection) as captured:
        result = services.certification_reminders_send()

    assert result.certifications == 2 * size
    assert len(captured.captured_queries) <= 6


def test_the_task_and_the_command_send_them(django_capture_on_commit_callbacks):
    _certified(expires_in_days=5, user=UserFactory())

    result = send_certification_reminders.enqueue()  # immediate backend in tests

    assert result.return_value == {"certifications": 1, "notified": 1, "emailed": 0}

    _certified(expires_in_days=6, email="x@example.org")
    from io import StringIO

    out = StringIO()
    call_command("send_certification_reminders", stdout=out)
    assert "1 external trainers emailed" in out.getvalue()
