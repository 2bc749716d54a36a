"""Registry and certificate data for the trainers tests, made through the services."""

from datetime import date
from itertools import count

from lms.models import User
from lms.roles import Role
from tests.factories import UserFactory

_numbers = count(1)


# --- Certificates ------------------------------------------------------------------------
def tot_cohort(**fields):
    """A ToT cohort (ten days in Islamabad, certifications valid three years)."""
    from trainers.services.registry import cohort_create

    n = next(_numbers)
    values = {
        "name": f"ToT cohort {n}",
        "course_title": "Training of Trainers on Migration Management",
        "place": "Islamabad",
        "country": "PK",
        "start_date": date(2025, 10, 6),
        "end_date": date(2025, 10, 17),
        "hours": 60,
        "validity_months": 36,
    }
    values.update(fields)
    return cohort_create(**values)


def certified_trainer(
    *, cohort=None, user: User | None = None, with_account: bool = True, **fields
):
    """A trainer certified from `cohort` (a new one by default); returns the certification."""
    from trainers.services.registry import certification_grant, trainer_upsert

    cohort = cohort or tot_cohort()
    n = next(_numbers)
    if user is None and with_account:
        user = UserFactory(username=f"tot-trainer-{n}", roles=[Role.TRAINER])
    trainer = trainer_upsert(
        full_name=fields.pop("full_name", f"Trainer Number {n}"),
        country=fields.pop("country", "PK"),
        user=user,
        email=fields.pop("email", f"trainer{n}@example.org"),
        **fields,
    )
    return certification_grant(trainer=trainer, cohort=cohort)


# --- Registry ----------------------------------------------------------------------------
def themes(*slugs):
    from courses.models import ThematicArea

    return list(ThematicArea.objects.filter(slug__in=slugs))


def registry_trainer(
    *,
    full_name: str | None = None,
    country: str = "PK",
    languages=("ur",),
    specialisations=(),
    **fields,
):
    """A trainer in the registry (no certification): languages as codes, themes as slugs."""
    from trainers.services.registry import trainer_upsert

    n = next(_numbers)
    return trainer_upsert(
        full_name=full_name or f"Registry Trainer {n}",
        country=country,
        languages=list(languages),
        specialisations=themes(*specialisations),
        **fields,
    )


def registry_population(size: int, *, cohort=None) -> list:
    """`size` trainers certified from one cohort, each with a delivery, for query budgets."""
    from trainers.services.registry import (
        certification_grant,
        cohort_add_participants,
        delivery_record,
    )

    cohort = cohort or tot_cohort(themes=themes("smuggling-of-migrants"))
    made = [
        registry_trainer(
            languages=("ur", "en"),
            specialisations=("smuggling-of-migrants", "document-fraud"),
            email=f"population{next(_numbers)}@example.org",
        )
        for _ in range(size)
    ]
    cohort_add_participants(cohort=cohort, trainers=made)
    for n, trainer in enumerate(made):
        certification_grant(trainer=trainer, cohort=cohort)
        delivery_record(
            trainer=trainer,
            title=f"Cascade training {n}",
            start_date=date(2026, 1, 5),
            end_date=date(2026, 1, 7),
            participants_reached=10,
            source=f"test:{trainer.pk}",
        )
    return made
