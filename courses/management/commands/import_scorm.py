from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage, ScormPackage
from courses.scorm.services import scorm_package_upload
from lms.exceptions import ServiceError
from lms.models import User


class Command(BaseCommand):
    help = "Import a SCORM 1.2 or 2004 zip into a course (a new package, or a new version)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--course", required=True, help="the course code")
        parser.add_argument("--package", type=int, help="upload as a new version of this package")
        parser.add_argument("--title", default="", help="the package's title (default: manifest)")
        parser.add_argument("--user", help="username recorded as the uploader")

    def handle(self, *args, file: Path, course: str, package, title: str, user, **options):
        target = CoursePage.objects.filter(code=course).first()
        if target is None:
            raise CommandError(f"no course {course!r}")
        uploader = None
        if user:
            uploader = User.objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(f"no user {user!r}")
        existing = None
        if package is not None:
            existing = ScormPackage.objects.filter(pk=package, course=target).first()
            if existing is None:
                raise CommandError(f"no SCORM package {package} in {course}")
        if not file.is_file():
            raise CommandError(f"cannot read {file}")
        try:
            version = scorm_package_upload(
                course=target, file=file, user=uploader, package=existing, title=title
            )
        except ServiceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"package {version.package_id} version {version.number} "
                f"(SCORM {version.version}): {version.package.title}; "
                f"{len(version.scos)} item(s): "
                + ", ".join(sco["identifier"] for sco in version.scos)
            )
        )
        for warning in version.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
