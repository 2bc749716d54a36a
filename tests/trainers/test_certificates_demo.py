"""seed_demo's certificates: the officer's completed course and the trainer's ToT certificate."""

import pytest
from django.core.management import call_command

from courses.models import Enrolment
from trainers.models import Certificate, CertificateIssueJob, Certification

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_gives_the_officer_and_the_trainer_a_certificate_once(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    first = set(Certificate.objects.values_list("code", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    assert set(Certificate.objects.values_list("code", flat=True)) == first
    officer = Certificate.objects.get(user__username="officer", kind="course")
    assert officer.course.code == "FIA-THB-101"
    assert officer.status == "valid" and officer.pdf_sha256
    assert (
        Enrolment.objects.get(user__username="officer", course__code="FIA-THB-101").completed_at
        is not None
    )
    trainer = Certificate.objects.get(trainer__user__username="trainer", kind="tot")
    certification = Certification.objects.get(certificate=trainer)
    assert trainer.expires_on == certification.expires_on
    job = CertificateIssueJob.objects.get(cohort=certification.cohort)
    assert job.state == "finished" and job.done == job.total
    assert all(
        c.certificate_id
        for c in Certification.objects.filter(cohort=certification.cohort, state="active")
    )
