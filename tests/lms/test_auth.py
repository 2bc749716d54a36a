"""Sign in, sign out, password change and reset, and the lockout after failed attempts."""

import re

import pytest
from django.conf import settings
from django.core import mail

from lms.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_signing_in_opens_the_dashboard(client):
    UserFactory(username="aslam", roles=[Role.OFFICER])

    response = sign_in(client, "aslam", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_password_says_so_and_signs_nobody_in(client):
    UserFactory(username="aslam")

    response = sign_in(client, "aslam", "not-the-password")

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_repeated_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(username="aslam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "aslam", "wrong-guess")

    response = sign_in(client, "aslam", PASSWORD)

    assert response.status_code == 429
    assert b"Sign-in locked for a while" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_the_lockout_is_per_account_so_others_can_still_sign_in(client):
    UserFactory(username="aslam")
    UserFactory(username="farah")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "aslam", "wrong-guess")

    assert sign_in(client, "farah", PASSWORD).status_code == 302


def test_signing_out_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_password_change_needs_the_old_password_and_a_strong_new_one(client):
    user = UserFactory()
    client.force_login(user)

    weak = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    strong = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Margalla-Hills-2026",
            "new_password2": "Margalla-Hills-2026",
        },
    )

    assert weak.status_code == 200
    assert b"This password is too short" in weak.content
    assert strong.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Margalla-Hills-2026")


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="aslam@fia.example")

    client.post("/accounts/password_reset/", {"email": "aslam@fia.example"})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Rawal-Lake-2026!", "new_password2": "Rawal-Lake-2026!"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Rawal-Lake-2026!")


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@fia.example"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []
