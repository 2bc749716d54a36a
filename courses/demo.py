"""Demo courses: the three ToT curricula shipped in courses/curricula/, published, with the
demo trainer teaching them and the demo officer enrolled in one."""

from pathlib import Path

from courses import services
from courses.imports import curriculum_import_file
from courses.models import Enrolment
from lms.models import User

CURRICULA = Path(__file__).resolve().parent / "curricula"
# Prerequisites first, so that the ToT finds them.
DEMO_CURRICULA = [
    "identifying-victims-of-trafficking.yaml",
    "document-fraud-border-crossings.yaml",
    "tot-migration-management.yaml",
]


def seed(*, stdout=None) -> None:
    trainer = User.objects.get(username="trainer")
    officer = User.objects.get(username="officer")
    courses = {}
    for name in DEMO_CURRICULA:
        result = curriculum_import_file(
            data=(CURRICULA / name).read_bytes(),
            filename=name,
            user=trainer,
            publish=True,
            check_permissions=False,
        )
        courses[result.course.code] = result.course
    services.enrolment_create(
        user=officer,
        course=courses["FIA-THB-101"],
        source=Enrolment.Source.BULK,
    )
    if stdout:
        stdout.write(f"  courses: {len(courses)} courses from ToT curricula ({', '.join(courses)})")
