"""What a SCORM commit leads to beyond the attempt itself: the report rows of its
interactions and objectives, and course progress (lessons completed when their packages
are done, courses whose minimum grade a new score reaches)."""

from __future__ import annotations

from collections.abc import Mapping

from courses.models import (
    CoursePage,
    LessonPage,
    ScormAttempt,
    ScormInteraction,
    ScormObjective,
    ScormPackage,
    ScormSequencing,
)
from lms.models import User


def _is_2004(version: str) -> bool:
    return version.startswith("2004")


# --- Report rows -------------------------------------------------------------------------
def _indexed(state: Mapping[str, str], prefix: str) -> dict[int, dict[str, str]]:
    """{n: {rest: value}} of every key ``<prefix>.<n>.<rest>``."""
    items: dict[int, dict[str, str]] = {}
    start = len(prefix) + 1
    for key, value in state.items():
        if not key.startswith(prefix + "."):
            continue
        index, _dot, rest = key[start:].partition(".")
        if index.isdigit() and rest:
            items.setdefault(int(index), {})[rest] = value
    return items


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def interactions_sync(attempt: ScormAttempt) -> None:
    rows = []
    for index, data in sorted(_indexed(attempt.state, "cmi.interactions").items()):
        correct = [
            v
            for k, v in sorted(
                (k, v) for k, v in data.items() if k.startswith("correct_responses.")
            )
            if k.endswith(".pattern")
        ]
        objectives = [v for k, v in sorted(data.items()) if k.startswith("objectives.")]
        rows.append(
            ScormInteraction(
                attempt=attempt,
                index=index,
                identifier=data.get("id", ""),
                type=data.get("type", "")[:20],
                description=data.get("description", ""),
                learner_response=data.get("learner_response", data.get("student_response", "")),
                correct_responses=correct,
                result=data.get("result", "")[:40],
                weighting=_float(data.get("weighting")),
                latency=data.get("latency", "")[:40],
                timestamp=data.get("timestamp", data.get("time", ""))[:40],
                objectives=objectives,
            )
        )
    ScormInteraction.objects.filter(attempt=attempt).delete()
    ScormInteraction.objects.bulk_create(rows)


_STATUS_12 = {
    "passed": ("passed", "completed"),
    "failed": ("failed", "completed"),
    "completed": ("unknown", "completed"),
    "incomplete": ("unknown", "incomplete"),
    "browsed": ("unknown", "incomplete"),
    "not attempted": ("unknown", "not attempted"),
}


def objectives_sync(attempt: ScormAttempt) -> None:
    rows = []
    for index, data in sorted(_indexed(attempt.state, "cmi.objectives").items()):
        success, completion = data.get("success_status"), data.get("completion_status")
        if "status" in data:
            success, completion = _STATUS_12.get(data["status"], ("unknown", "unknown"))
        rows.append(
            ScormObjective(
                attempt=attempt,
                index=index,
                identifier=data.get("id", ""),
                success_status=success or "unknown",
                completion_status=completion or "unknown",
                score_raw=_float(data.get("score.raw")),
                score_scaled=_float(data.get("score.scaled")),
                progress_measure=_float(data.get("progress_measure")),
                description=data.get("description", ""),
            )
        )
    ScormObjective.objects.filter(attempt=attempt).delete()
    ScormObjective.objects.bulk_create(rows)


# --- Course progress ---------------------------------------------------------------------
def package_completed(*, user: User, package: ScormPackage) -> bool:
    """The learner has done the package: a SCORM 2004 package whose activity tree rolled up
    to completed or passed (its own rules say what counts: a test bank, remediation…), or
    every launchable item of the current version completed or passed in some attempt."""
    version = package.current
    if version is None:
        return False
    if _is_2004(version.version):
        rolled = (
            ScormSequencing.objects.filter(user=user, package_version=version)
            .values_list("completion_status", "success_status")
            .first()
        )
        if rolled is not None and (rolled[0] == "completed" or rolled[1] == "passed"):
            return True
    wanted = {s["identifier"] for s in version.scos}
    done = set(
        ScormAttempt.objects.filter(user=user, package=package, completed_at__isnull=False)
        .values_list("sco", flat=True)
        .distinct()
    )
    return wanted <= done


def package_progress_update(*, user: User, package: ScormPackage) -> None:
    """Complete the lessons whose required activities are all SCORM packages now done."""
    from courses import services as course_services

    if not package_completed(user=user, package=package):
        return
    course = package.course
    for lesson in LessonPage.objects.live().descendant_of(course).specific():
        scorm_ids = lesson_scorm_package_ids(lesson)
        if package.pk not in scorm_ids:
            continue
        if lesson.completion_rule != LessonPage.CompletionRule.ACTIVITIES:
            course_services.lesson_complete(user=user, lesson=lesson, course=course)
            continue
        required = [a for a in lesson.activities if a.value.get("required")]
        if any(a.block_type != "scorm" for a in required):
            continue  # another kind of activity decides (quiz, live session)
        others = {
            int(a.value["package"]) for a in required if str(a.value.get("package") or "").isdigit()
        }
        packages = ScormPackage.objects.filter(pk__in=others).select_related("current")
        if all(package_completed(user=user, package=p) for p in packages):
            course_services.lesson_complete(user=user, lesson=lesson, course=course)


def package_grade_changed(*, user: User, package_id: int) -> None:
    """A new score on a package may complete a course whose rule is a minimum grade (the
    course grade counts SCORM packages like the gradebook does)."""
    from courses import services as course_services

    course = CoursePage.objects.filter(
        scorm_packages=package_id, completion_rule=CoursePage.CompletionRule.MIN_GRADE
    ).first()
    if course is not None:
        course_services.course_completion_evaluate(user=user, course=course)


def lesson_scorm_package_ids(lesson: LessonPage) -> set[int]:
    return {
        int(a.value["package"])
        for a in lesson.activities
        if a.block_type == "scorm" and str(a.value.get("package") or "").isdigit()
    }
