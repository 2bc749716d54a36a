"""Demo courses: the three ToT curricula shipped in courses/curricula/, published, with the
demo trainer teaching them and the demo officer enrolled in one."""

from pathlib import Path

from courses import services
from courses.demo_scorm import scorm_demo_attach
from courses.imports import curriculum_import_file
from courses.models import Enrolment, LessonPage
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
    for code in ("FIA-THB-101", "FIA-DOC-201"):
        services.enrolment_create(user=officer, course=courses[code], source=Enrolment.Source.BULK)
    packages = _scorm_demo(course=courses["FIA-DOC-201"], user=trainer)
    if stdout:
        stdout.write(
            f"  courses: {len(courses)} courses from ToT curricula ({', '.join(courses)}), "
            f"{len(packages)} SCORM packages in FIA-DOC-201"
        )


def _scorm_demo(*, course, user) -> list:
    """The two demo SCORM packages (1.2 and 2004), placed in the course's first lesson."""
    versions = scorm_demo_attach(course=course, user=user)
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path").first()
    lesson = lesson.get_latest_revision_as_object()
    placed = {str(b.value.get("package")) for b in lesson.body if b.block_type == "scorm"}
    missing = [v for v in versions if str(v.package_id) not in placed]
    if missing:
        for version in missing:
            lesson.body.append(
                (
                    "scorm",
                    {
                        "title": version.package.title,
                        "required": False,
                        "package": str(version.package_id),
                    },
                )
            )
        lesson.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return versions
