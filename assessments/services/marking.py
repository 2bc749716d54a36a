"""Manual grading (essays) and regrading a quiz after a question was fixed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import ManualGrade, Question, QuestionVersion, Quiz, QuizAttempt
from assessments.services.attempts import _locked, _versions_of, attempt_grade
from lms.exceptions import Conflict, ErrorItem, NotAllowed, ServiceError
from lms.models import AuditEvent
from lms.services import audit_record

State = QuizAttempt.State


def _check_manager(*, quiz: Quiz, user) -> None:
    from assessments.selectors import can_manage_quiz

    if not can_manage_quiz(user=user, quiz=quiz):
        raise NotAllowed(_("Only the course's trainers grade its quizzes."))


@transaction.atomic
def manual_grade_save(
    *, attempt: QuizAttempt, slot: int, mark: float, comment: str = "", grader
) -> QuizAttempt:
    """A trainer's mark for one slot (an essay); the attempt's grade is recomputed."""
    attempt = _locked(attempt)
    _check_manager(quiz=attempt.quiz, user=grader)
    if attempt.state != State.FINISHED:
        raise Conflict(_("Only submitted attempts are graded."))
    layout_slot = next((s for s in attempt.layout["slots"] if s["slot"] == slot), None)
    if layout_slot is None:
        raise ServiceError(_("There is no such question."), [ErrorItem(field="slot", message="")])
    max_mark = layout_slot["mark"]
    if not max_mark or not 0 <= mark <= max_mark:
        raise ServiceError(
            _("Give a mark between 0 and %(max)s.") % {"max": f"{max_mark:g}"},
            [ErrorItem(field="mark", message=_("Out of range."))],
        )
    ManualGrade.objects.update_or_create(
        attempt=attempt,
        slot=slot,
        defaults={
            "fraction": mark / max_mark,
            "comment": comment,
            "graded_by": grader,
            "graded_at": timezone.now(),
        },
    )
    audit_record(
        action=AuditEvent.Action.GRADE_OVERRIDDEN,
        actor=grader,
        target=f"attempt {attempt.pk} ({attempt.user.username}), question {slot}",
        detail={"attempt": attempt.pk, "slot": slot, "mark": mark, "max": max_mark},
    )
    manual = {m.slot: m for m in attempt.manual_grades.all()}
    attempt_grade(attempt=attempt, versions=_versions_of([attempt]), manual=manual)
    attempt.save(update_fields=["marks", "feedback", "needs_grading", "sum_marks", "grade_percent"])
    from assessments.services.grades import quiz_completion_update

    quiz_completion_update(quiz=attempt.quiz, user=attempt.user)
    return attempt


@transaction.atomic
def quiz_regrade(*, quiz: Quiz, user, to_current_versions: bool = True) -> int:
    """Regrade every finished attempt of the quiz (after a question was fixed). With
    ``to_current_versions`` an attempt's questions move to their current version when the
    fix kept the same type and number of choices (so the frozen order still fits)."""
    _check_manager(quiz=quiz, user=user)
    attempts = list(
        QuizAttempt.objects.select_for_update()
        .filter(quiz=quiz, state=State.FINISHED)
        .prefetch_related("manual_grades")
    )
    if not attempts:
        return 0
    current = dict(
        Question.objects.filter(
            pk__in={s["question"] for a in attempts for s in a.layout["slots"]}
        ).values_list("pk", "current_version_id")
    )
    versions = _versions_of(attempts)
    if to_current_versions:
        versions.update(
            QuestionVersion.objects.filter(pk__in=set(current.values())).values_list("pk", "data")
        )
    changed = 0
    for attempt in attempts:
        if to_current_versions:
            for slot in attempt.layout["slots"]:
                new = current.get(slot["question"])
                old_data, new_data = versions[slot["version"]], versions.get(new)
                if new and new != slot["version"] and _compatible(old_data, new_data):
                    slot["version"] = new
        before = (attempt.marks, attempt.sum_marks)
        attempt_grade(
            attempt=attempt,
            versions=versions,
            manual={m.slot: m for m in attempt.manual_grades.all()},
        )
        if (attempt.marks, attempt.sum_marks) != before:
            changed += 1
        attempt.save(
            update_fields=[
                "layout",
                "marks",
                "feedback",
                "needs_grading",
                "sum_marks",
                "grade_percent",
            ]
        )
    from assessments.services.grades import quiz_completion_update

    for learner_id in {a.user_id for a in attempts}:
        quiz_completion_update(quiz=quiz, user=attempts[0].user.__class__(pk=learner_id))
    return changed


def _compatible(old: dict, new: dict | None) -> bool:
    """Whether an attempt's frozen layout of ``old`` still fits ``new``."""
    if not new or old["qtype"] != new["qtype"]:
        return False
    old_data, new_data = old.get("data") or {}, new.get("data") or {}
    if old["qtype"] == "multichoice":
        return len(old_data["answers"]) == len(new_data["answers"])
    if old["qtype"] == "matching":
        return [i["answer"] for i in old_data["subquestions"]] == [
            i["answer"] for i in new_data["subquestions"]
        ] or (
            {i["answer"] for i in old_data["subquestions"]}
            == {i["answer"] for i in new_data["subquestions"]}
            and [bool(i["text"]) for i in old_data["subquestions"]]
            == [bool(i["text"]) for i in new_data["subquestions"]]
        )
    if old["qtype"] == "cloze":
        return [(s["kind"], len(s["answers"])) for s in old_data["subquestions"]] == [
            (s["kind"], len(s["answers"])) for s in new_data["subquestions"]
        ]
    return True
