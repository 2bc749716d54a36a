"""The registry's demo data: real-looking cohorts, the demo trainer certified, idempotent."""

import pytest

from lms import demo as lms_demo
from trainers.demo import registry as demo
from trainers.models import Certification, Cohort, Delivery, Trainer
from trainers.selectors.registry import RegistryFilters, trainer_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    lms_demo.seed()
    demo.seed()
    return Cohort.objects.all()


def test_the_erbil_and_istanbul_cohorts_look_like_the_real_ones(seeded):
    erbil = Cohort.objects.get(place="Erbil")
    istanbul = Cohort.objects.get(place="Istanbul")

    assert (erbil.end_date - erbil.start_date).days + 1 == 10
    assert erbil.certifications.count() == 22
    assert set(erbil.participants.values_list("organisation__short_name", flat=True)) == {
        "MoMD Iraq",
        "MoI Iraq",
        "KRG",
    }
    assert istanbul.certifications.count() == 15
    assert istanbul.participants.filter(gender="female").count() == 3
    assert set(istanbul.participants.values_list("organisation__short_name", flat=True)) == {
        "MoRR Afghanistan",
        "MoFA Afghanistan",
    }


def test_the_demo_trainer_is_a_certified_graduate_of_an_fia_cohort(seeded):
    trainer = Trainer.objects.get(user__username="trainer")
    certification = trainer.certifications.get()

    assert "FIA Academy" in certification.cohort.name
    assert certification.status == Certification.Status.ACTIVE
    assert certification.themes.filter(slug="smuggling-of-migrants").exists()
    assert trainer.languages.filter(language="ur").exists()


def test_the_demo_has_urdu_names_a_suspended_and_an_expiring_certification(seeded):
    statuses = [c.status for c in Certification.objects.all()]

    assert statuses.count(Certification.Status.SUSPENDED) == 1
    assert statuses.count(Certification.Status.EXPIRING) == 1
    assert Trainer.objects.filter(country="PK", full_name_native="نوید اختر").exists()
    assert Delivery.objects.filter(participants_reached__gt=0).count() >= 5


def test_a_partner_finds_certified_urdu_speaking_trainers_in_smuggling(seeded):
    found = trainer_search(
        filters=RegistryFilters(theme="smuggling-of-migrants", language="ur", status="certified")
    )

    assert found.filter(user__username="trainer").exists()


def test_seeding_again_changes_nothing(seeded):
    before = [model.objects.count() for model in (Trainer, Cohort, Certification, Delivery)] + [
        Certification.objects.get(trainer__full_name="Saima Parveen").renewals.count()
    ]

    demo.seed()

    after = [model.objects.count() for model in (Trainer, Cohort, Certification, Delivery)] + [
        Certification.objects.get(trainer__full_name="Saima Parveen").renewals.count()
    ]
    assert after == before
