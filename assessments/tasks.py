"""Background tasks of the assessments app (django-tasks: run at once by default, by the
worker with ``TASK_BACKEND=database``)."""

from django_tasks import task

from assessments import services


@task()
def close_overdue_attempts() -> int:
    """Apply each quiz's rule to the open attempts past their deadline (submitted at the
    deadline, overdue in the grace period, or not counted), also when the learner never
    comes back. Scheduled by cron through ``manage.py close_overdue_attempts``; returns
    how many attempts changed state."""
    return services.attempts_close_overdue()
