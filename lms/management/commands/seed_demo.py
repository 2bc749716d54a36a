"""Fill the site with demo content, through the same services the platform uses."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.demo import ACCOUNTS

# Each app with demo content has a `demo.seed(stdout=...)`; they run in this order, each
# one free to use what the ones before it made.
DEMO_MODULES = [
    "lms.demo",
    "courses.demo",
    "assessments.demo",
    "trainers.demo",
    "scheduling.demo",
    "live.demo",
]


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo organisations, accounts and content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (a production site does not want demo accounts).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production site, where demo accounts with a "
                "known password do not belong. Use --force if you really mean it."
            )
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name == name:
                    continue  # that app has no demo content yet
                raise
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with:"))
        for username, _first, _last, roles, organisation, _extra in ACCOUNTS:
            role_names = ", ".join(str(role.label) for role in roles)
            self.stdout.write(
                f"  {username:<9} {settings.DEMO_PASSWORD}   ({role_names}, {organisation})"
            )
