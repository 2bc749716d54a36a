"""Remind trainers of certifications about to expire; meant to run daily (cron, systemd
timer, or a scheduler that enqueues the task)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from trainers.services.registry import certification_reminders_send
from trainers.tasks import send_certification_reminders


class Command(BaseCommand):
    help = (
        "Notify trainers (in the app and by email) whose active certification expires within "
        "CERTIFICATION_EXPIRING_DAYS; each expiry date is reminded once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the background worker instead of doing it now.",
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = send_certification_reminders.enqueue()
            self.stdout.write(f"Enqueued the reminders task ({result.id}).")
            return
        result = certification_reminders_send()
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.certifications} certifications expire within "
                f"{settings.CERTIFICATION_EXPIRING_DAYS} days and had no reminder: "
                f"{result.notified} trainers notified in the app and by email, "
                f"{result.emailed} external trainers emailed."
            )
        )
