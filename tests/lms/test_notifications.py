"""In-app notifications with their email twin."""

import pytest
from django.core import mail

from lms import services
from lms.models import Notification


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_stored_and_mailed_after_the_commit(users):
    # when
    services.notification_send(
        users=[users["officer"], users["trainer"]],
        subject="Training confirmed",
        body="The training starts on Monday.",
        url="/trainings/1/",
    )

    # then
    assert Notification.objects.filter(subject="Training confirmed").count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "officer@example.org",
        "trainer@example.org",
    ]
    assert "http://" in mail.outbox[0].body and "/trainings/1/" in mail.outbox[0].body


def test_nothing_is_mailed_when_the_action_rolls_back(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notification_send(users=[users["officer"]], subject="Not sent")
    # the callbacks exist but a rollback would drop them: nothing is mailed before commit
    assert mail.outbox == []
    assert callbacks


def test_the_header_counts_unread_notifications_and_the_page_marks_them_read(client, users):
    officer = users["officer"]
    with_commit = services.notification_send(
        users=[officer], subject="Certificate issued", email=False
    )
    assert with_commit
    client.force_login(officer)

    page = client.get("/notifications/")
    assert "Certificate issued" in page.content.decode()
    assert 'badge badge--info">1' in page.content.decode()

    client.post("/notifications/")

    assert not Notification.objects.filter(user=officer, read_at__isnull=True).exists()
    assert 'badge badge--info">1' not in client.get("/notifications/").content.decode()


def test_a_user_sees_only_their_own_notifications(client, users):
    services.notification_send(users=[users["trainer"]], subject="For the trainer", email=False)
    client.force_login(users["officer"])

    assert "For the trainer" not in client.get("/notifications/").content.decode()


def test_the_notifications_page_needs_sign_in(client, db):
    assert client.get("/notifications/").status_code == 302
