"""Reads of the certificates: public verification, the holder's list, the admin's search.

Each costs a fixed number of queries whatever the number of certificates.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.roles import Role
from trainers.models import Certificate

NOT_FOUND = "not found"
# Compared against when no row matches, so that a miss does the same work as a hit.
_NO_CODE = "0000-0000-0000-0000"

STATUS_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
    "replaced": _("Replaced"),
    NOT_FOUND: _("Not found"),
}


@dataclass(frozen=True)
class Verification:
    """What verification tells anyone: the status, the holder's name, the course, the dates.
    Nothing else (no reason, no account, no replacement code)."""

    status: str
    code: str
    holder_name: str | None = None
    course: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    issued_on: date | None = None
    expires_on: date | None = None

    @property
    def found(self) -> bool:
        return self.status != NOT_FOUND

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def as_dict(self) -> dict:
        return asdict(self)


def certificate_verify(*, code: str) -> Verification:
    """Look a code up: always one indexed query and one constant-time comparison, so that a
    miss answers in the same shape and about the same time as a hit."""
    from trainers.services.certificates import certificate_code_normalise

    wanted = certificate_code_normalise(code)
    row = (
        Certificate.objects.filter(code=wanted)
        .values(
            "code",
            "status",
            "holder_name",
            "title",
            "period_start",
            "period_end",
            "issued_on",
            "expires_on",
        )
        .first()
    )
    stored = row["code"] if row else _NO_CODE
    match = hmac.compare_digest(stored.encode(), wanted.encode()) and row is not None
    if not match:
        return Verification(status=NOT_FOUND, code=wanted)
    certificate = Certificate(
        status=row["status"], expires_on=row["expires_on"]
    )  # status_on() needs only these two
    return Verification(
        status=certificate.status_on(timezone.localdate()),
        code=row["code"],
        holder_name=row["holder_name"],
        course=row["title"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
    )


def can_manage_certificates(user) -> bool:
    """Administrators revoke, re-issue, issue for cohorts and download anyone's certificate."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def certificate_list_for(*, user):
    """The user's certificates: as a learner, and as a trainer in the registry."""
    return (
        Certificate.objects.filter(Q(user=user) | Q(trainer__user=user))
        .select_related("replaced_by")
        .order_by("-issued_on", "-pk")
    )


def certificate_for_download(*, user, code: str) -> Certificate | None:
    """The certificate if this user may download it (its holder, or an administrator)."""
    from trainers.services.certificates import certificate_code_normalise

    certificate = (
        Certificate.objects.select_related("trainer")
        .filter(code=certificate_code_normalise(code))
        .first()
    )
    if certificate is None or not user.is_authenticated:
        return None
    if can_manage_certificates(user) or certificate.holder_user_id == user.pk:
        return certificate
    return None


def certificate_search(*, q: str = "", status: str = ""):
    """Every certificate for administrators, newest first; by code, holder or course."""
    certificates = Certificate.objects.select_related("user", "trainer", "replaced_by")
    q = q.strip()[:200]
    if q:
        from trainers.services.certificates import certificate_code_normalise

        certificates = certificates.filter(
            Q(code=certificate_code_normalise(q))
            | Q(holder_name__icontains=q)
            | Q(title__icontains=q)
        )
    if status in Certificate.Status.values:
        certificates = certificates.filter(status=status)
    return certificates.order_by("-created_at", "-pk")


def certificate_detail(*, code: str) -> Certificate | None:
    from trainers.services.certificates import certificate_code_normalise

    return (
        Certificate.objects.select_related(
            "user", "trainer", "course", "cohort", "template", "replaced_by", "revoked_by"
        )
        .filter(code=certificate_code_normalise(code))
        .first()
    )
