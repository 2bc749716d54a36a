"""Public certificate verification: `GET /api/v1/certificates/{code}` (shared/API.md).

Anyone may call it, without an account; it is rate limited per client address
(CERTIFICATE_VERIFY_RATE). A known code answers 200, an unknown one 404, both in the same
shape: the status, the holder's name, the course, the dates and nothing else.
"""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status

from trainers.certificates.throttling import CertificateVerifyThrottle
from trainers.selectors import certificates as selectors

router = Router(tags=["certificates"])


class VerificationOut(Schema):
    status: str  # valid, expired, revoked, replaced or "not found"
    code: str
    holder_name: str | None
    course: str | None
    period_start: date | None
    period_end: date | None
    issued_on: date | None
    expires_on: date | None


@router.get(
    "/certificates/{code}",
    auth=None,
    response={200: VerificationOut, 404: VerificationOut},
    throttle=[CertificateVerifyThrottle()],
    summary="Verify a certificate by its code",
)
def certificate_verify(request: HttpRequest, code: str):
    result = selectors.certificate_verify(code=code)
    if not result.found:
        return Status(404, result.as_dict())
    return result.as_dict()
