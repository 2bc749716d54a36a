"""Demo certificates: the demo `officer` completes FIA-THB-101 and holds its certificate; the
demo `trainer` holds the ToT certificate of their certification (the registry demo, run
before this one, certifies them in the FIA Academy's Islamabad cohort), and the rest of
that cohort gets theirs through a bulk issue job.

Idempotent: lessons already completed stay so, and a valid certificate is never issued twice.
"""

from courses import services as course_services
from courses.models import CoursePage, Enrolment, LessonPage
from lms.models import User
from trainers.models import CertificateIssueJob, Certification
from trainers.models.certificates import CertificateKind
from trainers.services import certificates as services

OFFICER_COURSE = "FIA-THB-101"


def seed(*, stdout=None) -> None:
    services.certificate_templates_ensure()
    officer_certificate = _officer_completes_a_course()
    trainer_certificate, job = _trainer_certificate()
    if stdout:
        parts = []
        if officer_certificate is not None:
            parts.append(f"officer completed {OFFICER_COURSE} ({officer_certificate.code})")
        if trainer_certificate is not None:
            parts.append(f"trainer's ToT certificate {trainer_certificate.code}")
        if job is not None:
            parts.append(f"{job.done}/{job.total} more for {job.cohort}")
        stdout.write("  certificates: " + ("; ".join(parts) or "none (no demo accounts)"))


def _officer_completes_a_course():
    officer = User.objects.filter(username="officer").first()
    course = CoursePage.objects.filter(code=OFFICER_COURSE).first()
    if officer is None or course is None:
        return None
    enrolment = Enrolment.objects.filter(user=officer, course=course).first()
    if enrolment is None:
        course_services.enrolment_create(user=officer, course=course, source=Enrolment.Source.BULK)
    if not Enrolment.objects.filter(
        user=officer, course=course, completed_at__isnull=False
    ).exists():
        for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
            course_services.lesson_complete(user=officer, lesson=lesson, course=course)
    # The completion signal issues it in the background; with a worker that has not run
    # yet, issue it here (the same service: a valid certificate is returned, not doubled).
    return services.course_certificate_issue(user=officer, course=course)


def _trainer_certificate():
    certification = (
        Certification.objects.filter(
            trainer__user__username="trainer",
            cohort__isnull=False,
            state=Certification.State.ACTIVE,
        )
        .select_related("trainer", "cohort")
        .order_by("-issued_on")
        .first()
    )
    if certification is None:
        return None, None
    certificate = services.certificate_issue(
        kind=CertificateKind.TOT,
        trainer=certification.trainer,
        cohort=certification.cohort,
        certification=certification,
    )
    cohort = certification.cohort
    job = cohort.jobs.filter(state=CertificateIssueJob.State.FINISHED).first()
    if job is None:
        job = services.cohort_certificates_issue(cohort=cohort, by=None)
        job.refresh_from_db()
    return certificate, job
