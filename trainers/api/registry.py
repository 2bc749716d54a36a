"""REST API of the trainer registry: `GET /api/v1/trainers` and `GET /api/v1/trainers/{id}`.

Any signed-in user may search the registry (shared/API.md); email and phone are given only
to administrators, reviewers, partner coordinators and the trainer themselves (null to
others).
"""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from courses.api import Pagination
from lms.exceptions import ErrorItem, ServiceError
from trainers.selectors import registry as selectors
from trainers.views.registry import sees_contacts

router = Router(tags=["trainers"])


class RegistryThemeOut(Schema):
    slug: str
    name: str


class RegistryOrganisationRef(Schema):
    id: int
    short_name: str
    name: str


def _contact(obj, context, name: str) -> str | None:
    request = context["request"] if context else None
    if request is None or not sees_contacts(request.user, obj):
        return None
    return getattr(obj, name) or ""


class RegistryTrainerOut(Schema):
    id: int
    full_name: str
    full_name_native: str
    organisation: RegistryOrganisationRef | None
    country: str
    gender: str
    languages: list[str]
    specialisations: list[RegistryThemeOut]
    status: str
    url: str
    email: str | None = None
    phone: str | None = None

    @staticmethod
    def resolve_organisation(obj):
        o = obj.organisation
        return o and {"id": o.pk, "short_name": o.short_name, "name": o.name}

    @staticmethod
    def resolve_country(obj):
        return obj.country.code

    @staticmethod
    def resolve_languages(obj):
        return [lang.language for lang in obj.languages.all()]

    @staticmethod
    def resolve_specialisations(obj):
        return [{"slug": t.slug, "name": t.name} for t in obj.specialisations.all()]

    @staticmethod
    def resolve_status(obj):
        return obj.registry_status

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_email(obj, context):
        return _contact(obj, context, "email")

    @staticmethod
    def resolve_phone(obj, context):
        return _contact(obj, context, "phone")


class RegistryRenewalOut(Schema):
    date: date
    note: str
    previous_expires_on: date | None
    new_expires_on: date | None


class RegistryCohortRef(Schema):
    id: int
    name: str
    url: str


class RegistryCertificationOut(Schema):
    id: int
    title: str
    cohort: RegistryCohortRef | None
    course_code: str | None
    themes: list[RegistryThemeOut]
    issued_on: date
    expires_on: date | None
    status: str
    reason: str
    certificate_code: str | None
    history: list[RegistryRenewalOut]


class RegistryDeliveryOut(Schema):
    title: str
    start_date: date
    end_date: date
    place: str
    participants_reached: int


class RegistryTrainerDetailOut(RegistryTrainerOut):
    bio: str
    cascade_reach: int
    certifications: list[RegistryCertificationOut]
    deliveries: list[RegistryDeliveryOut]

    @staticmethod
    def resolve_cascade_reach(obj):
        return obj.detail["cascade_reach"]

    @staticmethod
    def resolve_certifications(obj):
        return obj.detail["certifications"]

    @staticmethod
    def resolve_deliveries(obj):
        return obj.detail["deliveries"]


class RegistryFiltersIn(Schema):
    q: str = ""
    theme: str = ""
    language: str = ""
    country: str = ""
    organisation: str = ""
    status: str = ""


def _checked(filters: RegistryFiltersIn) -> selectors.RegistryFilters:
    """Filters with a fixed set of values must use one of them: a typo is a 400, not the whole
    registry."""
    wanted = selectors.RegistryFilters(**filters.dict())
    cleaned = wanted.cleaned()
    errors = [
        ErrorItem(message=message, field=name)
        for name, message in (
            ("status", "one of: " + ", ".join(selectors.STATUS_FILTERS)),
            ("language", "one of: " + ", ".join(selectors.languages())),
            ("country", "an ISO 3166 country code such as PK"),
        )
        if getattr(wanted, name) and not getattr(cleaned, name)
    ]
    if errors:
        raise ServiceError("The request is not valid.", errors)
    return cleaned


@router.get(
    "/trainers",
    response=list[RegistryTrainerOut],
    summary="Search the registry of certified trainers",
    description=(
        "Filters: `theme` (thematic area slug, among specialisations or certified themes), "
        "`language` (ISO 639-1), `country` (ISO 3166), `organisation` (id or short name), "
        "`status` (certified = active or expiring; active, expiring, expired, suspended, "
        "revoked: the trainer's best certification), `q` (name in any script, organisation)."
    ),
)
@paginate(Pagination)
def trainer_list(request: HttpRequest, filters: Query[RegistryFiltersIn]):
    return selectors.trainer_search(filters=_checked(filters))


@router.get("/trainers/{int:trainer_id}", response=RegistryTrainerDetailOut, summary="One trainer")
def trainer_detail(request: HttpRequest, trainer_id: int):
    profile = selectors.trainer_profile(pk=trainer_id, today=timezone.localdate())
    trainer = profile.trainer
    trainer.detail = {
        "cascade_reach": profile.reach,
        "certifications": [
            {
                "id": c.pk,
                "title": c.cohort.course_title if c.cohort_id else c.course.title,
                "cohort": c.cohort_id
                and {"id": c.cohort_id, "name": c.cohort.name, "url": c.cohort.get_absolute_url()},
                "course_code": c.course.code if c.course_id else None,
                "themes": [{"slug": t.slug, "name": t.name} for t in c.themes.all()],
                "issued_on": c.issued_on,
                "expires_on": c.expires_on,
                "status": c.current_status,
                "reason": c.state_reason if c.state != c.State.ACTIVE else "",
                "certificate_code": c.certificate.code if c.certificate_id else None,
                "history": [
                    {
                        "date": r.renewed_on,
                        "note": r.note,
                        "previous_expires_on": r.previous_expires_on,
                        "new_expires_on": r.new_expires_on,
                    }
                    for r in c.renewals.all()
                ],
            }
            for c in profile.certifications
        ],
        "deliveries": profile.deliveries,
    }
    return trainer
