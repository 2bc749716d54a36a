"""Registry services: cohorts, certifications and their lifecycle, trainers, deliveries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lms.exceptions import Conflict, ServiceError
from lms.models import Notification
from tests.courses.factories import course_create
from tests.factories import UserFactory
from tests.trainers.factories import registry_trainer, themes, tot_cohort
from trainers.models import Certification, CohortParticipant, Delivery, Trainer
from trainers.selectors.registry import certifications_with_status
from trainers.services import registry as services

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert services.add_months(date(2025, 9, 23), 36) == date(2028, 9, 23)
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert services.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert services.add_months(date(2027, 1, 15), -36) == date(2024, 1, 15)


# --- Cohorts -----------------------------------------------------------------------------
def test_a_cohort_takes_the_course_title_and_themes_when_none_are_given():
    course = course_create(title="ToT on smuggling", themes=["smuggling-of-migrants"])

    cohort = tot_cohort(course=course, course_title="")

    assert cohort.course_title == "ToT on smuggling"
    assert [t.slug for t in cohort.themes.all()] == ["smuggling-of-migrants"]


def test_a_cohort_must_end_after_it_starts_and_have_a_unique_name():
    tot_cohort(name="Erbil 2025")

    with pytest.raises(ServiceError) as caught:
        tot_cohort(name="Erbil 2025", start_date=date(2025, 9, 23), end_date=date(2025, 9, 14))

    assert {item.field for item in caught.value.errors} == {"name", "end_date"}


def test_a_remote_cohort_needs_no_place_but_others_do():
    assert tot_cohort(remote=True, place="").remote
    with pytest.raises(ServiceError) as caught:
        tot_cohort(place="")
    assert caught.value.errors[0].field == "place"


def test_cohort_update_changes_the_named_fields():
    cohort = tot_cohort()

    services.cohort_update(cohort=cohort, place="Erbil", country="IQ", themes=themes("cybercrime"))

    cohort.refresh_from_db()
    assert (cohort.place, cohort.country.code) == ("Erbil", "IQ")
    assert [t.slug for t in cohort.themes.all()] == ["cybercrime"]


def test_adding_participants_twice_adds_them_once():
    cohort = tot_cohort()
    trainers = [registry_trainer(), registry_trainer()]

    assert services.cohort_add_participants(cohort=cohort, trainers=trainers) == 2
    assert services.cohort_add_participants(cohort=cohort, trainers=trainers) == 0
    assert cohort.memberships.count() == 2


# --- Certifications ----------------------------------------------------------------------
def test_a_certification_runs_for_the_cohorts_validity_and_covers_its_themes():
    cohort = tot_cohort(
        end_date=date(2025, 9, 23),
        start_date=date(2025, 9, 14),
        validity_months=36,
        themes=themes("irregular-migration", "border-management"),
    )
    trainer = registry_trainer()
    services.cohort_add_participants(cohort=cohort, trainers=[trainer])

    certification = services.certification_grant(trainer=trainer, cohort=cohort)

    assert certification.issued_on == date(2025, 9, 23)
    assert certification.expires_on == date(2028, 9, 23)
    assert {t.slug for t in certification.themes.all()} == {
        "irregular-migration",
        "border-management",
    }
    membership = CohortParticipant.objects.get(cohort=cohort, trainer=trainer)
    assert membership.outcome == CohortParticipant.Outcome.CERTIFIED


def test_granting_twice_returns_the_same_certification():
    cohort, trainer = tot_cohort(), registry_trainer()

    first = services.certification_grant(trainer=trainer, cohort=cohort)
    second = services.certification_grant(trainer=trainer, cohort=cohort)

    assert first.pk == second.pk
    assert Certification.objects.count() == 1


def test_a_cohort_without_validity_certifies_for_good():
    certification = services.certification_grant(
        trainer=registry_trainer(), cohort=tot_cohort(validity_months=None)
    )

    assert certification.expires_on is None
    assert certification.status == Certification.Status.ACTIVE


def test_a_certification_from_a_course_takes_the_courses_themes():
    course = course_create(themes=["document-fraud"])

    certification = services.certification_grant(
        trainer=registry_trainer(), course=course, issued_on=date(2026, 1, 5)
    )

    assert certification.cohort is None
    assert certification.issued_on == date(2026, 1, 5)
    assert [t.slug for t in certification.themes.all()] == ["document-fraud"]


def test_a_certification_needs_a_cohort_or_a_course():
    with pytest.raises(ServiceError):
        services.certification_grant(trainer=registry_trainer())


def test_certifying_everyone_taking_part_skips_those_with_an_outcome():
    cohort = tot_cohort()
    waiting, failed = registry_trainer(), registry_trainer()
    services.cohort_add_participants(cohort=cohort, trainers=[waiting, failed])
    services.cohort_set_outcome(
        cohort=cohort, trainer=failed, outcome=CohortParticipant.Outcome.NOT_CERTIFIED
    )

    granted = services.cohort_certify_participants(cohort=cohort)

    assert [c.trainer_id for c in granted] == [waiting.pk]
    assert not Certification.objects.filter(trainer=failed).exists()


def test_a_certified_participant_cannot_be_marked_not_certified():
    cohort, trainer = tot_cohort(), registry_trainer()
    services.certification_grant(trainer=trainer, cohort=cohort)

    with pytest.raises(Conflict):
        services.cohort_set_outcome(
            cohort=cohort, trainer=trainer, outcome=CohortParticipant.Outcome.NOT_CERTIFIED
        )


def test_renewing_extends_from_the_current_expiry_and_keeps_the_history():
    admin = UserFactory()
    certification = services.certification_grant(
        trainer=registry_trainer(),
        cohort=tot_cohort(validity_months=24),
        issued_on=timezone.localdate() - timedelta(days=600),
    )
    old = certification.expires_on

    services.certification_renew(certification=certification, by=admin, note="Refresher")

    certification.refresh_from_db()
    assert certification.expires_on == services.add_months(old, 24)
    renewal = certification.renewals.get()
    assert (renewal.previous_expires_on, renewal.new_expires_on) == (old, certification.expires_on)
    assert (renewal.by, renewal.note) == (admin, "Refresher")


def test_renewing_to_a_date_in_the_past_is_refused():
    certification = services.certification_grant(trainer=registry_trainer(), cohort=tot_cohort())

    with pytest.raises(ServiceError) as caught:
        services.certification_renew(
            certification=certification, expires_on=timezone.localdate() - timedelta(days=1)
        )

    assert caught.value.errors[0].field == "expires_on"


def test_suspending_records_the_reason_and_tells_the_trainer():
    user = UserFactory()
    trainer = registry_trainer(user=user)
    certification = services.certification_grant(trainer=trainer, cohort=tot_cohort())

    services.certification_set_state(
        certification=certification, state="suspended", reason="Complaint under review"
    )

    certification.refresh_from_db()
    assert certification.status == Certification.Status.SUSPENDED
    assert certification.state_reason == "Complaint under review"
    assert certification.state_changed_at is not None
    assert certification.renewals.get().note == "Suspended: Complaint under review"
    assert Notification.objects.filter(user=user).count() == 1


def test_revoking_needs_a_reason_and_is_final():
    certification = services.certification_grant(trainer=registry_trainer(), cohort=tot_cohort())

    with pytest.raises(ServiceError) as caught:
        services.certification_set_state(certification=certification, state="revoked")
    assert caught.value.errors[0].field == "reason"
    certification.refresh_from_db()
    assert certification.state == Certification.State.ACTIVE

    services.certification_set_state(
        certification=certification, state="revoked", reason="Forged attendance"
    )
    with pytest.raises(Conflict):
        services.certification_set_state(certification=certification, state="active")
    with pytest.raises(Conflict):
        services.certification_renew(certification=certification)


def test_reinstating_a_suspended_certification_makes_it_active_again():
    certification = services.certification_grant(trainer=registry_trainer(), cohort=tot_cohort())
    services.certification_set_state(certification=certification, state="suspended", reason="x")

    services.certification_set_state(certification=certification, state="active")

    certification.refresh_from_db()
    assert certification.state == Certification.State.ACTIVE
    assert [r.note for r in certification.renewals.order_by("pk")] == ["Suspended: x", "Reinstated"]


def test_revoking_a_certification_revokes_its_certificate(monkeypatch):
    from trainers.models import Certificate
    from trainers.services import certificates

    trainer = registry_trainer()
    certification = services.certification_grant(trainer=trainer, cohort=tot_cohort())
    certificate = Certificate.objects.create(
        code="TEST-CODE-0001", kind="tot", trainer=trainer, holder_name="x", title="y"
    )
    certification.certificate = certificate
    certification.save()
    calls = []
    monkeypatch.setattr(certificates, "certificate_revoke", lambda **kwargs: calls.append(kwargs))
    admin = UserFactory()

    services.certification_set_state(
        certification=certification, state="revoked", reason="Forged attendance", by=admin
    )

    assert calls == [{"certificate": certificate, "reason": "Forged attendance", "by": admin}]


@pytest.mark.parametrize(
    ("state", "expires_in_days", "status"),
    [
        ("active", None, "active"),
        ("active", 400, "active"),
        ("active", 91, "active"),
        ("active", 90, "expiring"),
        ("active", 0, "expiring"),
        ("active", -1, "expired"),
        ("suspended", 400, "suspended"),
        ("revoked", -10, "revoked"),
    ],
)
def test_the_status_worked_out_in_sql_matches_the_models(state, expires_in_days, status):
    today = timezone.localdate()
    certification = services.certification_grant(
        trainer=registry_trainer(), cohort=tot_cohort(), issued_on=today - timedelta(days=500)
    )
    Certification.objects.filter(pk=certification.pk).update(
        state=state,
        expires_on=None if expires_in_days is None else today + timedelta(days=expires_in_days),
    )
    certification.refresh_from_db()

    in_sql = certifications_with_status(today=today).get(pk=certification.pk).current_status

    assert in_sql == certification.status_on(today) == status


# --- Trainers ----------------------------------------------------------------------------
def test_trainer_upsert_finds_the_trainer_by_account_email_or_name():
    user = UserFactory()
    by_user = registry_trainer(full_name="Sadia Malik", user=user)
    by_email = registry_trainer(full_name="Farah Naz", email="farah@example.org")
    by_name = registry_trainer(full_name="Naveed Akhtar")

    assert services.trainer_upsert(full_name="S. Malik", country="PK", user=user).pk == by_user.pk
    assert (
        services.trainer_upsert(full_name="Farah N.", country="PK", email="FARAH@example.org").pk
        == by_email.pk
    )
    assert services.trainer_upsert(full_name="naveed  akhtar", country="PK").pk == by_name.pk
    assert Trainer.objects.count() == 3


def test_trainer_upsert_replaces_languages_and_keeps_the_native_name():
    trainer = registry_trainer(full_name="Amina Baloch", languages=["ur", "en"])

    services.trainer_upsert(
        full_name="Amina Baloch", country="PK", languages=["bal"], full_name_native="آمنہ بلوچ"
    )

    trainer.refresh_from_db()
    assert list(trainer.languages.values_list("language", flat=True)) == ["bal"]
    assert trainer.full_name_native == "آمنہ بلوچ"


def test_trainer_upsert_names_every_bad_field():
    with pytest.raises(ServiceError) as caught:
        services.trainer_upsert(
            full_name=" ", country="XX", email="not-an-email", languages=["ur", "zz"], gender="?"
        )

    assert {item.field for item in caught.value.errors} == {
        "full_name",
        "country",
        "email",
        "languages",
        "gender",
    }


# --- Deliveries --------------------------------------------------------------------------
def test_a_delivery_from_a_source_is_recorded_once_and_updated():
    trainer = registry_trainer()
    values = {
        "trainer": trainer,
        "title": "Smuggling of migrants for FIA Lahore",
        "start_date": date(2026, 2, 2),
        "end_date": date(2026, 2, 6),
        "source": "training:42",
    }

    first = services.delivery_record(participants_reached=30, **values)
    second = services.delivery_record(participants_reached=35, **values)

    assert first.pk == second.pk
    assert Delivery.objects.get().participants_reached == 35


def test_deliveries_without_a_source_are_separate_and_take_the_courses_themes():
    trainer = registry_trainer()
    course = course_create(themes=["trafficking-in-human-beings"])

    for _ in range(2):
        delivery = services.delivery_record(
            trainer=trainer,
            title="Victim identification",
            start_date=date(2026, 4, 13),
            end_date=date(2026, 4, 15),
            participants_reached=22,
            course=course,
        )

    assert Delivery.objects.count() == 2
    assert [t.slug for t in delivery.themes.all()] == ["trafficking-in-human-beings"]


def test_a_delivery_must_end_after_it_starts():
    with pytest.raises(ServiceError) as caught:
        services.delivery_record(
            trainer=registry_trainer(),
            title="x",
            start_date=date(2026, 2, 6),
            end_date=date(2026, 2, 2),
            participants_reached=-1,
        )

    assert {item.field for item in caught.value.errors} == {"end_date", "participants_reached"}
