"""Optional two-factor sign-in (TOTP, RFC 6238) for users with a staff role.

django-otp keeps the devices: a secret per user, replay protection (a code is accepted
once) and throttling (each wrong code doubles the wait before the next try). A user with
a confirmed device signs in with their password and then a six-digit code from an
authenticator app; the token API asks for the code in the same request.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from lms.models import AuditEvent, User
from lms.roles import Role
from lms.services import audit_record

DEVICE_NAME = "Authenticator app"
STAFF_ROLES = frozenset({Role.ADMIN, Role.REVIEWER, Role.TRAINER, Role.PARTNER})


def two_factor_available(*, user: User) -> bool:
    """Staff roles may turn two-factor sign-in on (officers sign in with a password only)."""
    return user.is_superuser or any(user.has_role(role) for role in STAFF_ROLES)


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed device, or None when two-factor sign-in is off."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def two_factor_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed device (replacing an earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_confirm(*, user: User, code: str, request=None) -> bool:
    """Turn two-factor sign-in on once the user proves their app shows the right code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        action=AuditEvent.Action.TWO_FACTOR_CHANGED,
        actor=user,
        target=user.username,
        detail={"enabled": True},
        request=request,
    )
    return True


@transaction.atomic
def two_factor_disable(*, user: User, code: str, request=None) -> bool:
    """Turn it off: needs a current code, so a stolen session alone cannot."""
    if not two_factor_verify(user=user, code=code):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        action=AuditEvent.Action.TWO_FACTOR_CHANGED,
        actor=user,
        target=user.username,
        detail={"enabled": False},
        request=request,
    )
    return True


def two_factor_verify(*, user: User, code: str | None) -> bool:
    device = two_factor_device(user=user)
    return bool(device and code and device.verify_token(code.strip()))


def setup_qr_svg(*, device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code for the authenticator app to scan."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def setup_secret(*, device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def issuer() -> str:
    return settings.OTP_TOTP_ISSUER
