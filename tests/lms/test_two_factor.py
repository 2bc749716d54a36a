"""Optional two-factor sign-in (TOTP) for staff roles, on the web and the token API."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms import two_factor
from lms.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _enable(user) -> TOTPDevice:
    device = two_factor.two_factor_start(user=user)
    assert two_factor.two_factor_confirm(user=user, code=_code(device))
    device.refresh_from_db()
    return device


def test_a_trainer_turns_it_on_by_scanning_and_confirming_a_code(client, users):
    client.force_login(users["trainer"])

    started = client.post("/accounts/security/", {"action": "start"})
    device = TOTPDevice.objects.get(user=users["trainer"], confirmed=False)
    confirmed = client.post("/accounts/security/", {"action": "confirm", "code": _code(device)})

    assert "<svg" in started.content.decode()
    assert confirmed.status_code == 302
    assert two_factor.two_factor_device(user=users["trainer"]) is not None
    assert AuditEvent.objects.filter(action="two_factor_changed", target="trainer").exists()


def test_a_wrong_confirmation_code_leaves_it_off(client, users):
    client.force_login(users["trainer"])
    client.post("/accounts/security/", {"action": "start"})

    response = client.post("/accounts/security/", {"action": "confirm", "code": "000000"})

    assert "not right" in response.content.decode()
    assert two_factor.two_factor_device(user=users["trainer"]) is None


def test_officers_do_not_get_the_page(client, users):
    client.force_login(users["officer"])

    assert client.get("/accounts/security/").status_code == 404


def test_the_password_alone_does_not_sign_in_once_it_is_on(client, users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wait after a wrong code: tested below
    device = _enable(users["admin"])

    first = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == "/accounts/two-factor/"
    assert client.get("/dashboard/").status_code == 302  # not signed in yet

    wrong = client.post("/accounts/two-factor/", {"code": "123456"})
    right = client.post("/accounts/two-factor/", {"code": _code(device, offset=30)})

    assert wrong.status_code == 400
    assert right.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert AuditEvent.objects.filter(action="sign_in_failed", target="admin").exists()


def test_a_code_cannot_be_used_twice(client, users):
    device = _enable(users["admin"])
    code = _code(device, offset=30)
    assert two_factor.two_factor_verify(user=users["admin"], code=code)

    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    replay = client.post("/accounts/two-factor/", {"code": code})

    assert replay.status_code == 400


def test_the_second_step_does_not_redirect_off_site(client, users):
    device = _enable(users["admin"])
    client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "admin", "password": PASSWORD, "next": "https://evil.example/"},
    )

    response = client.post("/accounts/two-factor/", {"code": _code(device, offset=30)})

    assert "evil.example" not in response["Location"]


def test_the_token_api_asks_for_the_code(client, users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _enable(users["admin"])
    url = "/api/v1/auth/token"

    without = client.post(
        url, {"username": "admin", "password": PASSWORD}, content_type="application/json"
    )
    wrong = client.post(
        url,
        {"username": "admin", "password": PASSWORD, "otp": "000000"},
        content_type="application/json",
    )
    right = client.post(
        url,
        {"username": "admin", "password": PASSWORD, "otp": _code(device, offset=30)},
        content_type="application/json",
    )

    assert without.status_code == 401 and "otp" in without.json()["detail"]
    assert wrong.status_code == 401
    assert right.status_code == 200 and right.json()["token"]


def test_turning_it_off_needs_a_current_code(client, users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _enable(users["trainer"])
    client.force_login(users["trainer"])

    refused = client.post("/accounts/security/", {"action": "disable", "code": "000000"})
    done = client.post(
        "/accounts/security/", {"action": "disable", "code": _code(device, offset=30)}
    )

    assert "not right" in refused.content.decode()
    assert done.status_code == 302
    assert two_factor.two_factor_device(user=users["trainer"]) is None


def test_after_a_wrong_code_even_the_right_one_waits(client, users):
    device = _enable(users["admin"])
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    client.post("/accounts/two-factor/", {"code": "123456"})

    too_soon = client.post("/accounts/two-factor/", {"code": _code(device, offset=30)})

    assert too_soon.status_code == 400  # guessing all million codes would take forever
