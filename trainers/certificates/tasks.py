"""Background tasks of the certificates (django-tasks): run by the worker in production,
immediately in process with TASK_BACKEND=immediate (the default, and the tests)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def course_certificate_issue(*, user_id: int, course_id: int) -> str | None:
    """Issue the certificate of a completed course; returns its code (None: no certificate)."""
    from courses.models import CoursePage
    from lms.models import User
    from trainers.services import certificates as services

    user = User.objects.get(pk=user_id)
    course = CoursePage.objects.get(pk=course_id)
    certificate = services.course_certificate_issue(user=user, course=course)
    return certificate.code if certificate else None


@task()
def certificate_issue_job_run(*, job_id: int) -> dict:
    """Issue a cohort's certificates, updating the job's progress as it goes."""
    from trainers.models import CertificateIssueJob
    from trainers.services import certificates as services

    job = CertificateIssueJob.objects.select_related("cohort", "requested_by").get(pk=job_id)
    job = services.certificate_issue_job_run(job=job)
    return {"state": job.state, "done": job.done, "total": job.total}


def on_course_completed(sender, *, user, course, **kwargs) -> None:
    """Receiver of courses.signals.course_completed (sent after the commit)."""
    if not getattr(course, "issues_certificate", False):
        return
    course_certificate_issue.enqueue(user_id=user.pk, course_id=course.pk)
