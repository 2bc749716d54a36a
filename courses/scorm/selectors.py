"""Reads of SCORM data for the player, the trainer report and the gradebook (fixed query
counts whatever the number of learners, attempts or interactions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Prefetch

from courses.models import CoursePage, Enrolment, ScormAttempt, ScormInteraction, ScormPackage

READING_STATUSES = (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)


def scorm_item_statuses(*, user, package: ScormPackage) -> dict[str, dict]:
    """Per SCO identifier: the latest attempt's status and whether any attempt completed it."""
    statuses: dict[str, dict] = {}
    if not user.is_authenticated:
        return statuses
    for attempt in ScormAttempt.objects.filter(user=user, package=package).order_by(
        "sco", "number"
    ):
        done = statuses.get(attempt.sco, {}).get("done", False) or attempt.is_complete
        statuses[attempt.sco] = {
            "attempt": attempt.number,
            "completion_status": attempt.completion_status,
            "success_status": attempt.success_status,
            "lesson_status": attempt.lesson_status,
            "score_scaled": attempt.score_scaled,
            "suspended": attempt.suspended,
            "done": done,
        }
    return statuses


@dataclass
class LearnerRow:
    enrolment: Enrolment
    attempts: dict[str, ScormAttempt] = field(default_factory=dict)
    """Latest attempt per SCO identifier."""
    counts: dict[str, int] = field(default_factory=dict)
    """Number of attempts per SCO."""


def scorm_attempts_report(*, package: ScormPackage) -> list[LearnerRow]:
    """Each learner of the package's course with their latest attempt per SCO and its
    interactions (3 queries)."""
    enrolments = (
        Enrolment.objects.filter(
            course_id=package.course_id, role=Enrolment.Role.LEARNER, status__in=READING_STATUSES
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    rows = {e.user_id: LearnerRow(enrolment=e) for e in enrolments}
    attempts = (
        ScormAttempt.objects.filter(package=package, user_id__in=list(rows))
        .order_by("user_id", "sco", "number")
        .prefetch_related(
            Prefetch("interactions", queryset=ScormInteraction.objects.order_by("index"))
        )
    )
    for attempt in attempts:
        row = rows[attempt.user_id]
        row.attempts[attempt.sco] = attempt
        row.counts[attempt.sco] = row.counts.get(attempt.sco, 0) + 1
    return list(rows.values())


def scorm_grades(*, course: CoursePage) -> dict[tuple[int, int], float]:
    """(user id, package id) → best scaled score (0..1) over all attempts, for the gradebook."""
    rows = (
        ScormAttempt.objects.filter(package__course=course, score_scaled__isnull=False)
        .values("user_id", "package_id")
        .annotate(best=Max("score_scaled"))
    )
    return {(row["user_id"], row["package_id"]): min(max(row["best"], 0.0), 1.0) for row in rows}


def course_scorm_packages(*, course: CoursePage) -> list[ScormPackage]:
    return list(
        ScormPackage.objects.filter(course=course).select_related("current").order_by("title")
    )
