"""Background tasks of the registry (django-tasks): run by the worker in production,
immediately in process with TASK_BACKEND=immediate. The certificates' tasks are in
trainers/certificates/tasks.py."""

from django_tasks import task


@task()
def send_certification_reminders() -> dict:
    """Remind trainers whose certification expires within CERTIFICATION_EXPIRING_DAYS (once
    per expiry date). Run daily: `manage.py send_certification_reminders [--enqueue]`."""
    from trainers.services.registry import certification_reminders_send

    result = certification_reminders_send()
    return {
        "certifications": result.certifications,
        "notified": result.notified,
        "emailed": result.emailed,
    }
