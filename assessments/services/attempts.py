"""Attempt lifecycle: start (or resume), pages, autosave, submit and grade, time rules.
The server owns the clock: every call first applies the quiz's rule for an attempt past its
deadline. It owns the navigation too: with a sequential quiz only the current page takes
answers, and the learner moves forward one page at a time. (Manual grading and regrading
are in :mod:`assessments.services.marking`.)"""

from __future__ import annotations

import json
import random
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import grading
from assessments.models import (
    ManualGrade,
    Question,
    QuestionVersion,
    Quiz,
    QuizAttempt,
)
from courses.models import Enrolment
from lms.exceptions import Conflict, ErrorItem, NotAllowed, ServiceError, TooLarge

State = QuizAttempt.State


def _slack() -> timedelta:
    """Network slack allowed after a deadline for a request already on its way."""
    return timedelta(seconds=getattr(settings, "ASSESSMENTS_DEADLINE_SLACK_SECONDS", 5))


def _max_response_bytes() -> int:
    return getattr(settings, "ASSESSMENTS_MAX_RESPONSE_BYTES", 256 * 1024)


# --- Start -------------------------------------------------------------------------------
def _learner_enrolment(*, quiz: Quiz, user) -> Enrolment | None:
    return Enrolment.objects.filter(
        user=user,
        course_id=quiz.course_id,
        role=Enrolment.Role.LEARNER,
        status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
    ).first()


def _candidates(*, slot, course_id: int) -> list[Question]:
    category = slot.category
    filters = Q(category=category)
    if slot.include_subcategories:
        filters |= Q(category__course_id=course_id, category__path__startswith=category.path + "/")
    return list(
        Question.objects.filter(filters, hidden=False, current_version__isnull=False)
        .exclude(qtype="description")
        .order_by("pk")
        .only("pk", "current_version_id")
    )


def _select_questions(*, quiz: Quiz, rng: random.Random) -> list[dict]:
    """The questions of a new attempt: fixed slots and random draws, frozen (no repeats)."""
    slots = list(quiz.slots.select_related("question", "category").order_by("sort_order", "pk"))
    fixed = {slot.question_id for slot in slots if slot.question_id}
    used: set[int] = set(fixed)
    chosen: list[dict] = []
    for slot in slots:
        if slot.question_id:
            if slot.question.current_version_id is None:
                continue
            picks = [(slot.question_id, slot.question.current_version_id)]
        else:
            pool = [q for q in _candidates(slot=slot, course_id=quiz.course_id) if q.pk not in used]
            if len(pool) < slot.random_count:
                raise Conflict(
                    _("The quiz asks for %(n)s random questions from %(cat)s, which has %(m)s.")
                    % {"n": slot.random_count, "cat": slot.category, "m": len(pool)}
                )
            picks = [(q.pk, q.current_version_id) for q in rng.sample(pool, slot.random_count)]
        for question_id, version_id in picks:
            used.add(question_id)
            chosen.append(
                {
                    "quiz_slot": slot.pk,
                    "question": question_id,
                    "version": version_id,
                    "mark": float(slot.mark),
                    "random": slot.is_random,
                }
            )
    if not chosen:
        raise Conflict(_("This quiz has no questions yet."))
    return chosen


def attempt_deadline(*, quiz: Quiz, started_at: datetime) -> datetime | None:
    candidates = []
    if quiz.time_limit_seconds:
        candidates.append(started_at + timedelta(seconds=quiz.time_limit_seconds))
    if quiz.closes_at:
        candidates.append(quiz.closes_at)
    return min(candidates) if candidates else None


@transaction.atomic
def attempt_start(*, quiz: Quiz, user, now: datetime | None = None) -> QuizAttempt:
    """Start a new attempt, or return the one in progress (after its deadline rule)."""
    now = now or timezone.now()
    open_attempt = (
        QuizAttempt.objects.select_for_update()
        .filter(quiz=quiz, user=user, state__in=QuizAttempt.OPEN_STATES)
        .first()
    )
    if open_attempt is not None:
        attempt_apply_deadline(attempt=open_attempt, now=now)
        if open_attempt.is_open:
            return open_attempt
    if _learner_enrolment(quiz=quiz, user=user) is None:
        raise NotAllowed(_("Only learners enrolled in the course can attempt this quiz."))
    if quiz.opens_at and now < quiz.opens_at:
        raise NotAllowed(_("This quiz is not open yet."))
    if quiz.closes_at and now >= quiz.closes_at:
        raise NotAllowed(_("This quiz is closed."))
    previous = QuizAttempt.objects.filter(quiz=quiz, user=user)
    counted = previous.exclude(state=State.ABANDONED).count() if quiz.attempts_allowed else 0
    if quiz.attempts_allowed and counted >= quiz.attempts_allowed:
        raise NotAllowed(_("You have used all the attempts this quiz allows."))
    number = (previous.aggregate(n=Max("number"))["n"] or 0) + 1
    rng = random.Random(secrets.randbits(64))  # noqa: S311 (a shuffle, not a secret)
    chosen = _select_questions(quiz=quiz, rng=rng)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    versions = dict(
        QuestionVersion.objects.filter(pk__in=[c["version"] for c in chosen]).values_list(
            "pk", "data"
        )
    )
    per_page = quiz.questions_per_page
    slots = []
    page = 0
    gradable_on_page = 0
    for number_in_quiz, item in enumerate(chosen, 1):
        data = versions[item["version"]]
        if not grading.is_gradable(data):
            item["mark"] = 0.0
        item["slot"] = number_in_quiz
        item["page"] = page
        item["layout"] = grading.question_layout(data, shuffle=quiz.shuffle_answers, rng=rng)
        slots.append(item)
        gradable_on_page += 1
        if per_page and gradable_on_page >= per_page:
            page += 1
            gradable_on_page = 0
    attempt = QuizAttempt(
        quiz=quiz,
        user=user,
        number=number,
        started_at=now,
        deadline=attempt_deadline(quiz=quiz, started_at=now),
        layout={"slots": slots, "pages": max(s["page"] for s in slots) + 1},
        max_marks=sum(s["mark"] for s in slots),
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:  # a second tab started it at the same moment
        return QuizAttempt.objects.get(quiz=quiz, user=user, state__in=QuizAttempt.OPEN_STATES)
    QuestionVersion.objects.filter(pk__in=versions, in_use=False).update(in_use=True)
    return attempt


# --- Time rules --------------------------------------------------------------------------
def _past_deadline(attempt: QuizAttempt, now: datetime) -> bool:
    """Whether the deadline rule has something to do: an open attempt past its deadline."""
    return attempt.is_open and attempt.deadline is not None and now > attempt.deadline + _slack()


def attempt_apply_deadline(*, attempt: QuizAttempt, now: datetime | None = None) -> QuizAttempt:
    """Apply the quiz's rule to an open attempt past its deadline (the row is locked by the
    caller): submit it, let it wait in the grace period, or mark it not counted."""
    now = now or timezone.now()
    if not _past_deadline(attempt, now):
        return attempt
    quiz = attempt.quiz
    rule = quiz.overdue_handling
    if rule == Quiz.OverdueHandling.AUTOSUBMIT:
        _attempt_finish(attempt=attempt, finished_at=attempt.deadline, late=False)
    elif rule == Quiz.OverdueHandling.GRACE_PERIOD and now <= attempt.deadline + timedelta(
        seconds=quiz.grace_period_seconds
    ):
        if attempt.state != State.OVERDUE:
            attempt.state = State.OVERDUE
            attempt.save(update_fields=["state"])
    else:
        attempt.state = State.ABANDONED
        attempt.finished_at = None
        attempt.save(update_fields=["state", "finished_at"])
    return attempt


def attempt_refresh(*, attempt: QuizAttempt, now: datetime | None = None) -> QuizAttempt:
    """The attempt brought up to date with its deadline rule: locked and read again when
    the rule has something to do, as it is (just read by the caller) when it has not."""
    now = now or timezone.now()
    if not _past_deadline(attempt, now):
        return attempt
    with transaction.atomic():
        attempt = _locked(attempt)
        return attempt_apply_deadline(attempt=attempt, now=now)


def attempts_close_overdue(
    *, quiz: Quiz | None = None, now: datetime | None = None, batch_size: int = 500
) -> int:
    """Apply the deadline rule to every open attempt past its deadline, so that attempts
    whose learner never comes back are closed too (the periodic task and the
    ``close_overdue_attempts`` command). Each attempt is locked and closed in its own
    transaction; one being submitted at that moment is skipped (the submit applies the same
    rule). Returns how many attempts changed state."""
    now = now or timezone.now()
    rows = QuizAttempt.objects.filter(
        state__in=QuizAttempt.OPEN_STATES, deadline__lt=now - _slack()
    ).order_by("pk")
    if quiz is not None:
        rows = rows.filter(quiz=quiz)
    count = 0
    last = 0
    while ids := list(rows.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                attempt = (
                    QuizAttempt.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("quiz")
                    .filter(pk=pk, state__in=QuizAttempt.OPEN_STATES)
                    .first()
                )
                if attempt is None:
                    continue
                before = attempt.state
                attempt_apply_deadline(attempt=attempt, now=now)
                count += attempt.state != before
    return count


def _locked(attempt: QuizAttempt) -> QuizAttempt:
    """The attempt's row, locked (not its quiz's: other learners keep submitting)."""
    return (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=attempt.pk)
    )


def _locked_own(attempt_id: int, user) -> QuizAttempt:
    """The user's attempt, locked; 404 for anyone else's (which is not locked)."""
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .filter(pk=attempt_id, user_id=user.pk)
        .order_by()
        .first()
    )
    if attempt is None:
        raise Http404
    attempt.user = user
    return attempt


def _check_owner(attempt: QuizAttempt, user) -> None:
    if attempt.user_id != user.pk:
        raise Http404


def _clean_responses(attempt: QuizAttempt, responses: dict) -> dict[str, dict]:
    if not isinstance(responses, dict):
        raise ServiceError(_("Responses must be an object keyed by slot number."))
    if len(json.dumps(responses)) > _max_response_bytes():
        raise TooLarge(_("These responses are too large to save."))
    known = {str(s["slot"]) for s in attempt.layout.get("slots", [])}
    errors = []
    clean = {}
    for key, value in responses.items():
        if str(key) not in known:
            errors.append(ErrorItem(field=str(key), message=_("There is no such question.")))
        elif not isinstance(value, dict):
            errors.append(ErrorItem(field=str(key), message=_("A response must be an object.")))
        else:
            clean[str(key)] = value
    if errors:
        raise ServiceError(_("Some responses could not be saved."), errors)
    return clean


def attempt_save_responses(
    *, attempt: QuizAttempt | int, user, responses: dict, now: datetime | None = None
) -> QuizAttempt:
    """Autosave: merge these slots' responses into the attempt (given, or its id: it is
    read here, locked, and 404 unless it is the user's). Saving the same responses again
    changes nothing. Refused (409) once the attempt is no longer in progress; the deadline
    rule is applied first, and kept even when the save is refused."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_own(getattr(attempt, "pk", attempt), user)
        attempt_apply_deadline(attempt=attempt, now=now)
        in_progress = attempt.state == State.IN_PROGRESS
        # (with the attempt in progress the deadline rule changed nothing, so a refusal of
        # the responses below has nothing of it to undo)
        if in_progress and _merge_responses(attempt, responses, now=now):
            attempt.save(update_fields=["responses", "responses_saved_at"])
    if not in_progress:
        raise Conflict(_("This attempt is closed: answers can no longer be changed."))
    return attempt


# --- Pages -------------------------------------------------------------------------------
def _is_sequential(attempt: QuizAttempt) -> bool:
    return attempt.quiz.navigation == Quiz.Navigation.SEQUENTIAL


def page_count(attempt: QuizAttempt) -> int:
    return attempt.layout.get("pages") or 1


def _check_pages(attempt: QuizAttempt, clean: dict[str, dict]) -> None:
    """Sequential navigation: only the questions of the current page take answers (a page
    left behind is closed for good, a page not reached yet is not open)."""
    if not _is_sequential(attempt):
        return
    pages = {str(s["slot"]): s.get("page", 0) for s in attempt.layout.get("slots", [])}
    errors = []
    for key in clean:
        if pages[key] < attempt.current_page:
            errors.append(ErrorItem(field=key, message=_("This question's page is closed.")))
        elif pages[key] > attempt.current_page:
            errors.append(ErrorItem(field=key, message=_("This question's page is not open yet.")))
    if errors:
        raise NotAllowed(
            _("This quiz is sequential: only the questions of the current page can be answered."),
            errors,
        )


def _merge_responses(attempt: QuizAttempt, responses: dict | None, *, now: datetime) -> bool:
    """Check and merge responses into the (locked) attempt; whether anything changed."""
    if not responses:
        return False
    clean = _clean_responses(attempt, responses)
    _check_pages(attempt, clean)
    merged = {**attempt.responses, **clean}
    if merged == attempt.responses:
        return False
    attempt.responses = merged
    attempt.responses_saved_at = now
    return True


def attempt_navigate(
    *,
    attempt: QuizAttempt,
    user,
    page: int,
    responses: dict | None = None,
    now: datetime | None = None,
) -> QuizAttempt:
    """Save the responses of the page the learner leaves, then go to ``page``. With free
    navigation any page; with sequential navigation only the current page or the next one:
    going back is refused, and so is skipping ahead (403)."""
    now = now or timezone.now()
    _check_owner(attempt, user)
    attempt_refresh(attempt=attempt, now=now)
    with transaction.atomic():
        attempt = _locked(attempt)
        attempt_apply_deadline(attempt=attempt, now=now)
        if attempt.state != State.IN_PROGRESS:
            raise Conflict(_("This attempt is closed: answers can no longer be changed."))
        if (
            isinstance(page, bool)
            or not isinstance(page, int)
            or not 0 <= page < page_count(attempt)
        ):
            raise ServiceError(
                _("There is no such page."), [ErrorItem(field="page", message=_("No such page."))]
            )
        if _is_sequential(attempt) and page < attempt.current_page:
            raise NotAllowed(
                _("This quiz is sequential: you cannot go back to an earlier page."),
                [ErrorItem(field="page", message=_("This page is closed."))],
            )
        if _is_sequential(attempt) and page > attempt.current_page + 1:
            raise NotAllowed(
                _("This quiz is sequential: go through the pages in order."),
                [ErrorItem(field="page", message=_("This page is not open yet."))],
            )
        fields = []
        if _merge_responses(attempt, responses, now=now):
            fields += ["responses", "responses_saved_at"]
        if page != attempt.current_page:
            attempt.current_page = page
            fields.append("current_page")
        if fields:
            attempt.save(update_fields=fields)
    return attempt


# --- Grading -----------------------------------------------------------------------------
def _versions_of(attempts: list[QuizAttempt]) -> dict[int, dict]:
    from assessments.selectors.display import versions_for

    return versions_for(attempts)


def attempt_grade(
    *, attempt: QuizAttempt, versions: dict[int, dict], manual: dict[int, ManualGrade]
) -> None:
    """(Re)compute marks, feedback, total and grade of a finished attempt, in memory."""
    marks: dict[str, float | None] = {}
    feedback: dict[str, dict] = {}
    needs_grading = False
    for slot in attempt.layout.get("slots", []):
        key = str(slot["slot"])
        question = versions[slot["version"]]
        grade = grading.grade_response(
            question, attempt.responses.get(key), layout=slot.get("layout")
        )
        fraction = grade.fraction
        state = grade.state
        if slot["slot"] in manual:
            fraction = manual[slot["slot"]].fraction
            state = grading._state(fraction)
        elif grade.needs_grading:
            needs_grading = True
        if not grading.is_gradable(question):
            marks[key] = None
        else:
            marks[key] = None if fraction is None else round(fraction * slot["mark"], 7)
        feedback[key] = {
            "state": state,
            "fraction": fraction,
            "ids": list(grade.feedback_ids),
            "summary": grade.summary,
        }
    attempt.marks = marks
    attempt.feedback = feedback
    attempt.needs_grading = needs_grading
    if needs_grading:
        attempt.sum_marks = None
        attempt.grade_percent = None
    else:
        attempt.sum_marks = round(sum(m for m in marks.values() if m is not None), 7)
        attempt.grade_percent = (
            round(100 * attempt.sum_marks / attempt.max_marks, 5) if attempt.max_marks else 0.0
        )


def _attempt_finish(*, attempt: QuizAttempt, finished_at: datetime, late: bool) -> None:
    manual = {m.slot: m for m in attempt.manual_grades.all()}
    attempt_grade(attempt=attempt, versions=_versions_of([attempt]), manual=manual)
    attempt.state = State.FINISHED
    attempt.finished_at = finished_at
    attempt.submitted_late = late
    attempt.save()
    from assessments.services.grades import quiz_completion_update

    quiz_completion_update(quiz=attempt.quiz, user=attempt.user)


def attempt_submit(
    *,
    attempt: QuizAttempt | int,
    user,
    responses: dict | None = None,
    now: datetime | None = None,
) -> QuizAttempt:
    """Finish and grade the user's attempt (given, or its id; 404 unless theirs).
    Submitting again returns the same result; two submits at once grade once (the row is
    locked). After the deadline the quiz's rule decides: within a grace period the saved
    answers are graded (new ones refused), otherwise the attempt was already submitted at
    its deadline or is not counted (409, the rule's outcome kept)."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_own(getattr(attempt, "pk", attempt), user)
        if attempt.state == State.FINISHED:
            return attempt
        attempt_apply_deadline(attempt=attempt, now=now)
        if attempt.state == State.FINISHED:  # submitted automatically at the deadline
            return attempt
        abandoned = attempt.state == State.ABANDONED
        if not abandoned:
            late = attempt.state == State.OVERDUE
            if not late:  # (in progress: the deadline rule changed nothing to undo)
                _merge_responses(attempt, responses, now=now)
            _attempt_finish(attempt=attempt, finished_at=now, late=late)
    if abandoned:
        raise Conflict(_("Time ran out before this attempt was submitted: it does not count."))
    return attempt
