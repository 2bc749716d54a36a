"""The audit log of security-relevant actions."""

import pytest

from lms import services
from lms.models import AuditEvent
from lms.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_signing_in_and_a_failed_attempt_are_logged_with_the_address(client, users):
    client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    client.post("/accounts/login/", {"username": "officer", "password": PASSWORD})

    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "target", "ip_address"))
    assert actions == [
        ("sign_in_failed", "officer", "127.0.0.1"),
        ("sign_in", "officer", "127.0.0.1"),
    ]


def test_a_role_change_by_an_administrator_is_logged_with_before_and_after(users):
    services.user_set_roles(user=users["officer"], roles=[Role.TRAINER], by=users["admin"])

    event = AuditEvent.objects.get(action="roles_changed")
    assert event.actor == users["admin"]
    assert event.target == "officer"
    assert event.detail == {"before": ["Officer"], "after": ["Trainer"]}


def test_setting_the_same_roles_again_logs_nothing(users):
    services.user_set_roles(user=users["officer"], roles=[Role.OFFICER], by=users["admin"])

    assert not AuditEvent.objects.filter(action="roles_changed").exists()


def test_administrators_read_and_export_the_log_but_cannot_edit_it(client, users):
    client.force_login(users["admin"])
    event = services.audit_record(action="sign_in", actor=users["officer"], target="officer")

    listing = client.get("/django-admin/lms/auditevent/")
    exported = client.post(
        "/django-admin/lms/auditevent/",
        {"action": "export_csv", "_selected_action": [event.pk]},
    )
    change = client.post(f"/django-admin/lms/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200 and "officer" in listing.content.decode()
    assert exported["Content-Type"].startswith("text/csv")
    assert "sign_in" in exported.content.decode("utf-8-sig")
    assert change.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_officers_cannot_read_the_log(client, users):
    client.force_login(users["officer"])

    assert client.get("/django-admin/lms/auditevent/").status_code == 302
