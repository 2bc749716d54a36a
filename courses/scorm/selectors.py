"""Reads of SCORM data for the player, the trainer report and the gradebook (fixed query
counts whatever the number of learners, attempts or interactions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Prefetch
from django.urls import reverse

from courses.models import (
    CoursePage,
    Enrolment,
    ScormAttempt,
    ScormInteraction,
    ScormPackage,
    ScormSequencing,
)

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


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def scorm_grades(
    *,
    course: CoursePage | None = None,
    package_ids: Iterable[int] | None = None,
    user_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], float]:
    """(user id, package id) → the learner's score on the package as 0..1 (2 queries).

    A SCORM 2004 package's score is its root activity's rolled-up measure when the
    sequencer has one (the package's own rules say how its SCOs count); otherwise, and for
    SCORM 1.2, it is the best scaled score of any attempt.
    """
    attempts = ScormAttempt.objects.filter(score_scaled__isnull=False)
    rolled = ScormSequencing.objects.filter(score_scaled__isnull=False)
    if course is not None:
        attempts = attempts.filter(package__course=course)
        rolled = rolled.filter(package__course=course)
    if package_ids is not None:
        attempts = attempts.filter(package_id__in=list(package_ids))
        rolled = rolled.filter(package_id__in=list(package_ids))
    if user_ids is not None:
        user_ids = list(user_ids)
        attempts = attempts.filter(user_id__in=user_ids)
        rolled = rolled.filter(user_id__in=user_ids)
    grades = {
        (row["user_id"], row["package_id"]): _clamp(row["best"])
        for row in attempts.values("user_id", "package_id").annotate(best=Max("score_scaled"))
    }
    latest: dict[tuple[int, int], int] = {}
    for row in rolled.values("user_id", "package_id", "package_version_id", "score_scaled"):
        key = (row["user_id"], row["package_id"])
        if row["package_version_id"] >= latest.get(key, 0):  # the newest version's result
            latest[key] = row["package_version_id"]
            grades[key] = _clamp(row["score_scaled"])
    return grades


@dataclass(frozen=True)
class ScormGradedItem:
    """A SCORM package as a graded item of the gradebook, beside the quizzes: it has what
    the gradebook reads of a quiz (``pk``, ``title``, ``max_grade``, ``pass_percent``) and
    says what it is (``kind``, ``item_id``, ``url``)."""

    item_id: int
    title: str
    max_grade: Decimal
    pass_percent: Decimal
    url: str
    kind: str = "scorm"

    @property
    def pk(self) -> str:
        """The gradebook's key of the item (never equal to a quiz's)."""
        return f"scorm-{self.item_id}"


def _passing_percent(package: ScormPackage) -> Decimal:
    """The passing score the package declares (highest of its SCOs), in percent; 0 when
    it declares none."""
    version = package.current
    best = 0.0
    for sco in version.scos if version else ():
        context = sco.get("context", {})
        if context.get("scaled_passing_score") is not None:
            best = max(best, 100 * float(context["scaled_passing_score"]))
        elif context.get("mastery_score") is not None:
            best = max(best, float(context["mastery_score"]))
    return Decimal(str(round(min(best, 100.0), 2)))


def scorm_graded_items(*, course: CoursePage) -> list[ScormGradedItem]:
    """The course's SCORM packages as graded items (1 query)."""
    return [
        ScormGradedItem(
            item_id=package.pk,
            title=package.title,
            max_grade=package.max_grade,
            pass_percent=_passing_percent(package),
            url=reverse("courses:scorm_report", args=[course.code, package.pk]),
        )
        for package in ScormPackage.objects.filter(course=course)
        .select_related("current")
        .order_by("created_at", "pk")
    ]


def scorm_item_grades(
    *, items: list[ScormGradedItem], user_ids: Iterable[int]
) -> dict[tuple[str, int], float]:
    """``{(item.pk, user_id): percent}``: each learner's score on each package, scaled to
    the package's grade as a percentage like the quizzes' (2 queries, none without items)."""
    if not items:
        return {}
    by_package = {item.item_id: item for item in items}
    scores = scorm_grades(package_ids=list(by_package), user_ids=user_ids)
    return {
        (by_package[package_id].pk, user_id): round(100 * score, 2)
        for (user_id, package_id), score in scores.items()
    }


def course_scorm_packages(*, course: CoursePage) -> list[ScormPackage]:
    return list(
        ScormPackage.objects.filter(course=course).select_related("current").order_by("title")
    )
