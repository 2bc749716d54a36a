"""python manage.py close_overdue_attempts [--enqueue]

Run it every minute or so (cron, a systemd timer): attempts whose learner never came back
are closed by their quiz's rule (submitted at the deadline, or not counted once the grace
period is over) without waiting for anyone to open them."""

from django.core.management.base import BaseCommand

from assessments.tasks import close_overdue_attempts


class Command(BaseCommand):
    help = "Close the quiz attempts past their deadline by each quiz's rule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the task worker (TASK_BACKEND=database) instead of "
            "doing it here.",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = close_overdue_attempts.enqueue()
            self.stdout.write(f"Enqueued task {result.id} ({result.status}).")
            return
        changed = close_overdue_attempts.call()
        self.stdout.write(self.style.SUCCESS(f"{changed} overdue attempt(s) closed or updated."))
