"""Quiz statistics computed the way Moodle's quiz statistics report computes them.

Pure Python, no Django: the caller turns finished attempts into ``AttemptResult`` values and
gets back ``QuizStatistics``. Sources (formulas learnt from, not copied):

* Moodle docs, "Quiz statistics calculations" (docs.moodle.org/dev/Quiz_statistics_calculations).
* ``mod/quiz/report/statistics/classes/calculator.php``: quiz-level figures.
* ``question/classes/statistics/questions/calculator.php``: per-slot and per-question figures.
* ``mod/quiz/report/statistics/statistics_table.php``: how the report turns them into percents.
* ``question/classes/statistics/responses/analyser.php`` and ``statistics_question_table.php``:
  response analysis, frequency = count / attempts at the question.

Quiz level, over the ``s`` selected attempts with totals ``T`` (Moodle ``sumgrades``): mean,
median, sample SD ``sqrt(P2 / (s - 1))`` with ``Pk = sum((T - mean) ** k)``; for ``s > 2``,
``m_k = Pk / s``, ``k2 = s m2 / (s - 1)``, ``k3 = s^2 m3 / ((s - 1)(s - 2))``, skewness
``k3 / k2^1.5``; for ``s > 3``, ``k4 = s^2 ((s+1) m4 - 3 (s-1) m2^2) / ((s-1)(s-2)(s-3))``,
kurtosis ``k4 / k2^2``. These and the rest need ``k2 != 0`` and ``s > 2``: coefficient of
internal consistency ``CIC = 100 p / (p - 1) (1 - sum(var(slot marks)) / k2)`` (Cronbach's
alpha, KR-20 for 0/1 items, ``p > 1`` slots), error ratio ``ER = 100 sqrt(1 - CIC / 100)``,
standard error ``SE = ER * SD / 100`` (marks).

Slot level, over the ``s`` attempts at the slot, with mark ``x``, the attempt's sum of slot
marks ``T`` and the rest of the test ``y = T - x`` (variances and covariances divide by
``s - 1``): facility ``100 mean(x) / max``; SD ``sqrt(var(x))``, ``100 SD / max``; discrimination
index ``100 cov(x, y) / sqrt(var(x) var(y))``; discriminative efficiency ``100 cov(x, y) /
cov_max``, ``cov_max`` pairing ``x`` and ``y`` both sorted; intended weight ``100 max / quiz
max``; effective weight ``100 sqrt(cov(x, T)) / sum(sqrt(cov(x_j, T)))`` over slots with
``cov(x_j, T) >= 0`` (``None`` where negative). For a question drawn by random slots Moodle uses
``y = T``, its own mark included; so does this module.

Undefined figures (``s < 2``, zero variance, zero max mark) are ``None``, never an error; values
equal to within float noise count as equal. A CIC above 100 (only when some attempts lack a slot
or totals are not the sum of the slot marks) leaves ER and SE ``None``, as Moodle's NaN guard does.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter, mul, sub
from typing import Any, NamedTuple

QuestionId = int | str


class WhichAttempts(enum.StrEnum):
    """Which attempts count, as Moodle's report option (mirrors the quiz grading methods)."""

    FIRST = "first"  # QUIZ_ATTEMPTFIRST: each user's first attempt (Moodle docs' default)
    ALL = "all"  # QUIZ_GRADEAVERAGE: every attempt, each treated as independent
    LAST = "last"  # QUIZ_ATTEMPTLAST
    HIGHEST = "highest"  # QUIZ_GRADEHIGHEST: best total, the earliest one on a tie


class ResponsePart(NamedTuple):
    """One classified part of a response (Moodle ``question_classified_response``).

    ``subpart`` is the sub-question or blank ("" for a one-part question), ``response_class``
    the model answer it matched, ``fraction`` its credit (0..1). A tuple, so that counting
    half a million of them hashes in C.
    """

    subpart: str
    response: str | None
    response_class: str | None = None
    fraction: float | None = None


@dataclass(frozen=True, slots=True)
class SlotResult:
    """The outcome of one slot in one attempt.

    ``random_guess_score`` is a fraction (0..1) of the question shown, as a question type's
    ``get_random_guess_score`` returns it; ``None`` where it is unknown (essay, ...).
    """

    slot: int
    question_id: QuestionId
    mark: float
    max_mark: float
    response_summary: str | None = None
    random_guess_score: float | None = None
    parts: tuple[ResponsePart, ...] = ()


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """A finished attempt. ``total_mark`` is ``None`` while it waits for manual grading."""

    user_id: Hashable
    attempt_number: int
    total_mark: float | None
    slots: Sequence[SlotResult]


@dataclass(frozen=True, slots=True)
class QuestionStatistics:
    """Figures for a slot, or for one question drawn by random slots (``slot`` is ``None``).

    Marks are in the question's marks; every other figure is a percentage.
    """

    slot: int | None
    question_id: QuestionId | None  # None for a random slot
    is_random: bool
    attempt_count: int
    max_mark: float
    mean_mark: float
    facility: float | None
    standard_deviation: float | None
    standard_deviation_percent: float | None
    random_guess_score: float | None
    intended_weight: float | None
    effective_weight: float | None
    negative_covariance: bool
    discrimination_index: float | None
    discriminative_efficiency: float | None
    subquestion_ids: tuple[QuestionId, ...] = ()  # random slot: the questions it drew
    positions: tuple[int, ...] = ()  # drawn question: the slots it appeared in
    different_weights: bool = False  # drawn question: seen with different max marks


@dataclass(frozen=True, slots=True)
class ResponseCount:
    """How often a response was given; ``frequency`` is a percentage of the attempts."""

    response: str | None
    count: int
    frequency: float
    subpart: str | None = None
    response_class: str | None = None
    fraction: float | None = None


@dataclass(frozen=True, slots=True)
class ResponseDistribution:
    """Responses to one question in one slot: by summary, and by classified part if given."""

    slot: int
    question_id: QuestionId
    attempt_count: int
    responses: tuple[ResponseCount, ...]
    parts: tuple[ResponseCount, ...]


@dataclass(frozen=True, slots=True)
class QuizStatistics:
    """Quiz-level figures in marks (``*_percent`` scale them by ``max_mark``), plus the rest."""

    which_attempts: WhichAttempts
    max_mark: float
    attempt_count: int
    first_attempts_count: int
    all_attempts_count: int
    first_attempts_mean: float | None
    all_attempts_mean: float | None
    last_attempts_mean: float | None
    highest_attempts_mean: float | None
    mean: float | None
    median: float | None
    standard_deviation: float | None
    skewness: float | None
    kurtosis: float | None
    internal_consistency: float | None
    error_ratio: float | None
    standard_error: float | None
    slots: tuple[QuestionStatistics, ...]
    subquestions: tuple[QuestionStatistics, ...]
    responses: tuple[ResponseDistribution, ...]

    def as_percent(self, marks: float | None) -> float | None:
        """A mark as a percentage of the quiz's max mark (``quiz_report_scale_summarks...``)."""
        if marks is None or not self.max_mark:
            return None
        return 100 * marks / self.max_mark

    @property
    def mean_percent(self) -> float | None:
        return self.as_percent(self.mean)

    @property
    def median_percent(self) -> float | None:
        return self.as_percent(self.median)

    @property
    def standard_deviation_percent(self) -> float | None:
        return self.as_percent(self.standard_deviation)

    @property
    def standard_error_percent(self) -> float | None:
        return self.as_percent(self.standard_error)


@dataclass(slots=True)
class _Moments:
    s: int
    mean: float
    variance: float | None = None
    other_variance: float | None = None
    covariance: float | None = None
    covariance_max: float | None = None
    covariance_with_total: float | None = None


# Moodle stores marks to 7 decimals: a series whose spread is below this (relative to its size)
# differs only by float noise (0.8333 - 0.3333 != 0.5) and counts as constant.
_NOISE = 1e-9


def _centre(values: Sequence[float]) -> tuple[float, list[float]]:
    """The mean and the deviations from it, all exactly zero for a constant series."""
    mean = sum(values) / len(values)
    low, high = min(values), max(values)
    if high - low <= _NOISE * max(1.0, abs(low), abs(high)):
        return mean, [0.0] * len(values)
    return mean, [value - mean for value in values]


def _moments(marks: Sequence[float], others: Sequence[float], totals: Sequence[float]) -> _Moments:
    """Moodle's ``initial_`` and ``secondary_question_walker`` for one item (s >= 1)."""
    s = len(marks)
    mark_mean, dm = _centre(marks)
    if s < 2:
        return _Moments(s=s, mean=mark_mean)
    do, dt = _centre(others)[1], _centre(totals)[1]
    n1 = s - 1
    return _Moments(
        s=s,
        mean=mark_mean,
        variance=sum(map(mul, dm, dm)) / n1,
        other_variance=sum(map(mul, do, do)) / n1,
        covariance=sum(map(mul, dm, do)) / n1,
        covariance_max=sum(map(mul, sorted(dm), sorted(do))) / n1,
        covariance_with_total=sum(map(mul, dm, dt)) / n1,
    )


def _question_statistics(
    moments: _Moments,
    *,
    slot: int | None,
    question_id: QuestionId | None,
    max_mark: float,
    quiz_max_mark: float,
    random_guess_score: float | None,
    is_random: bool = False,
    effective_weight: float | None = None,
    **extra: Any,
) -> QuestionStatistics:
    var, other_var, cov = moments.variance, moments.other_variance, moments.covariance
    sd = math.sqrt(var) if var is not None else None
    discrimination = None
    if var is not None and other_var is not None and cov is not None and var * other_var:
        discrimination = 100 * cov / math.sqrt(var * other_var)
    efficiency = None
    if cov is not None and moments.covariance_max:
        efficiency = 100 * cov / moments.covariance_max
    return QuestionStatistics(
        slot=slot,
        question_id=question_id,
        is_random=is_random,
        attempt_count=moments.s,
        max_mark=max_mark,
        mean_mark=moments.mean,
        facility=100 * moments.mean / max_mark if max_mark else None,
        standard_deviation=sd,
        standard_deviation_percent=100 * sd / max_mark if sd is not None and max_mark else None,
        random_guess_score=None if random_guess_score is None else 100 * random_guess_score,
        intended_weight=100 * max_mark / quiz_max_mark if quiz_max_mark else None,
        effective_weight=effective_weight,
        negative_covariance=(moments.covariance_with_total or 0) < 0,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        **extra,
    )


def _sort_key(value: Any) -> tuple[bool, bool, Any]:
    """Orders question ids (and response strings, ``None`` first) that may mix types."""
    return (value is not None, isinstance(value, str), value if value is not None else 0)


def _attempts_select(
    *, attempts: Sequence[AttemptResult], which: WhichAttempts
) -> list[AttemptResult]:
    """The graded attempts Moodle's ``quiz_report_grade_method_sql`` would keep."""
    if which is WhichAttempts.ALL:
        return [attempt for attempt in attempts if attempt.total_mark is not None]

    def rank(attempt: AttemptResult) -> tuple[float, int]:
        if which is WhichAttempts.HIGHEST:
            return (attempt.total_mark or 0, -attempt.attempt_number)
        return (
            0,
            attempt.attempt_number if which is WhichAttempts.LAST else -attempt.attempt_number,
        )

    chosen: dict[Hashable, AttemptResult] = {}
    for attempt in attempts:
        current = chosen.get(attempt.user_id)
        if current is None or rank(attempt) > rank(current):
            chosen[attempt.user_id] = attempt
    return [attempt for attempt in chosen.values() if attempt.total_mark is not None]


def _quiz_figures(totals: list[float], *, p: int, sum_of_mark_variance: float) -> dict[str, Any]:
    """Moodle's ``quiz_statistics\\calculator::calculate`` on the selected totals."""
    s = len(totals)
    names = "mean median standard_deviation skewness kurtosis internal_consistency error_ratio"
    figures: dict[str, Any] = dict.fromkeys([*names.split(), "standard_error"])
    if s == 0:
        return figures
    mean, deviations = _centre(totals)
    ordered = sorted(totals)
    middle = s // 2
    figures["mean"] = mean
    figures["median"] = ordered[middle] if s % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    if s < 2:
        return figures
    squares = list(map(mul, deviations, deviations))
    power2 = sum(squares)
    power3 = sum(map(mul, squares, deviations))
    power4 = sum(map(mul, squares, squares))
    sd = math.sqrt(power2 / (s - 1))
    figures["standard_deviation"] = sd
    if s < 3:
        return figures
    m2, m3, m4 = power2 / s, power3 / s, power4 / s
    k2 = s * m2 / (s - 1)
    if k2 == 0:
        return figures
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    figures["skewness"] = k3 / k2**1.5
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        figures["kurtosis"] = k4 / (k2 * k2)
    if p > 1:
        cic = (100 * p / (p - 1)) * (1 - sum_of_mark_variance / k2)
        figures["internal_consistency"] = cic
        # Moodle stores NaN (a CIC above 100, from totals that are not the sum of the slot
        # marks) as NULL.
        if 1 - cic / 100 >= 0:
            figures["error_ratio"] = error_ratio = 100 * math.sqrt(1 - cic / 100)
            figures["standard_error"] = error_ratio * sd / 100
    return figures


_slot_of, _mark_of, _question_of = attrgetter("slot"), attrgetter("mark"), attrgetter("question_id")


def _part_key(part: ResponsePart) -> tuple[str, Any, Any]:
    return (part.subpart, _sort_key(part.response_class), _sort_key(part.response))


def _response_distribution(
    *, slot: int, question_id: QuestionId, results: Sequence[SlotResult]
) -> ResponseDistribution:
    n = len(results)
    summaries = Counter(map(attrgetter("response_summary"), results))
    parts = Counter(chain.from_iterable(map(attrgetter("parts"), results)))
    return ResponseDistribution(
        slot=slot,
        question_id=question_id,
        attempt_count=n,
        responses=tuple(
            ResponseCount(response=response, count=count, frequency=100 * count / n)
            for response, count in sorted(
                summaries.items(), key=lambda item: (-item[1], _sort_key(item[0]))
            )
        ),
        parts=tuple(
            ResponseCount(
                response=part.response,
                count=count,
                frequency=100 * count / n,
                subpart=part.subpart,
                response_class=part.response_class,
                fraction=part.fraction,
            )
            for part, count in sorted(parts.items(), key=lambda item: _part_key(item[0]))
        ),
    )


def _columns(
    chosen: Sequence[AttemptResult],
) -> tuple[list[float], dict[int, tuple[Sequence[SlotResult], list[int] | None]]]:
    """Each attempt's sum of slot marks, and each slot's results with the rows of the attempts
    they come from (``None``: every attempt, in order)."""
    sums = [sum(map(_mark_of, attempt.slots)) for attempt in chosen]
    if len({len(attempt.slots) for attempt in chosen}) == 1:
        # The usual case, every attempt with the same slots in the same order: transpose in C.
        columns = list(zip(*(attempt.slots for attempt in chosen), strict=True))
        slots = {column[0].slot for column in columns}
        if len(slots) == len(columns) and all(
            min(map(_slot_of, column)) == max(map(_slot_of, column)) for column in columns
        ):
            return sums, {column[0].slot: (column, None) for column in columns}
    by_slot: dict[int, tuple[list[SlotResult], list[int]]] = {}
    for row, attempt in enumerate(chosen):
        for result in attempt.slots:
            results, rows = by_slot.setdefault(result.slot, ([], []))
            results.append(result)
            rows.append(row)
    return sums, dict(by_slot)


def quiz_statistics_compute(
    *,
    attempts: Iterable[AttemptResult],
    which_attempts: WhichAttempts = WhichAttempts.FIRST,
    random_slots: Collection[int] = (),
    quiz_max_mark: float | None = None,
) -> QuizStatistics:
    """Moodle's quiz statistics for finished attempts, in O(attempts x slots).

    ``random_slots`` names the slots that draw a random question; a slot that showed more than
    one question is treated as random too. ``quiz_max_mark`` (Moodle ``quiz.sumgrades``)
    defaults to the sum of the slots' max marks. Attempts whose ``total_mark`` is ``None``
    (waiting for grading) are left out, as Moodle leaves out a NULL ``sumgrades``.
    """
    attempts = list(attempts)
    selected = {which: _attempts_select(attempts=attempts, which=which) for which in WhichAttempts}
    means = {
        which: sum(attempt.total_mark or 0 for attempt in rows) / len(rows) if rows else None
        for which, rows in selected.items()
    }
    chosen = selected[which_attempts]
    sums, columns = _columns(chosen)
    first = {slot: results[0] for slot, (results, _) in columns.items()}
    if quiz_max_mark is None:
        quiz_max_mark = sum(result.max_mark for result in first.values())

    moments: dict[int, _Moments] = {}
    drawn: dict[int, dict[QuestionId, list[int]]] = {}  # random slot -> question -> positions
    responses = []
    for slot in sorted(columns):
        results, rows = columns[slot]
        marks = list(map(_mark_of, results))
        totals = sums if rows is None else [sums[row] for row in rows]
        moments[slot] = _moments(marks, list(map(sub, totals, marks)), totals)
        chunks: dict[QuestionId, Sequence[SlotResult]] = {first[slot].question_id: results}
        if slot in random_slots or len(set(map(_question_of, results))) > 1:
            drawn[slot] = groups = {}
            for position, result in enumerate(results):
                groups.setdefault(result.question_id, []).append(position)
            chunks = {qid: [results[i] for i in positions] for qid, positions in groups.items()}
        responses.extend(
            _response_distribution(slot=slot, question_id=question_id, results=chunks[question_id])
            for question_id in sorted(chunks, key=_sort_key)
        )

    covariances = [m.covariance_with_total for m in moments.values()]
    sum_sqrt_cov = sum(math.sqrt(c) for c in covariances if c is not None and c >= 0)
    slot_stats = []
    for slot, slot_moments in moments.items():
        cov = slot_moments.covariance_with_total
        weight = None
        if sum_sqrt_cov and cov is not None and cov >= 0:
            weight = 100 * math.sqrt(cov) / sum_sqrt_cov
        is_random = slot in drawn
        slot_stats.append(
            _question_statistics(
                slot_moments,
                slot=slot,
                question_id=None if is_random else first[slot].question_id,
                max_mark=first[slot].max_mark,
                quiz_max_mark=quiz_max_mark,
                random_guess_score=None if is_random else first[slot].random_guess_score,
                is_random=is_random,
                effective_weight=weight,
                subquestion_ids=tuple(sorted(drawn.get(slot, ()), key=_sort_key)),
            )
        )

    # A drawn question: its mark against the whole total, over every random slot it was in.
    seen: dict[QuestionId, list[tuple[int, SlotResult, float]]] = {}
    for slot, groups in drawn.items():
        results, rows = columns[slot]
        for question_id, positions in groups.items():
            seen.setdefault(question_id, []).extend(
                (slot, results[i], sums[i if rows is None else rows[i]]) for i in positions
            )
    subquestions = []
    for question_id in sorted(seen, key=_sort_key):
        marks = [result.mark for _, result, _ in seen[question_id]]
        totals = [total for _, _, total in seen[question_id]]
        shown = seen[question_id][0][1]
        subquestions.append(
            _question_statistics(
                _moments(marks, totals, totals),
                slot=None,
                question_id=question_id,
                max_mark=shown.max_mark,
                quiz_max_mark=quiz_max_mark,
                random_guess_score=shown.random_guess_score,
                positions=tuple(sorted({slot for slot, _, _ in seen[question_id]})),
                different_weights=any(
                    result.max_mark != shown.max_mark for _, result, _ in seen[question_id]
                ),
            )
        )

    figures = _quiz_figures(
        [attempt.total_mark or 0 for attempt in chosen],
        p=len(moments),
        sum_of_mark_variance=sum(m.variance or 0 for m in moments.values()),
    )
    return QuizStatistics(
        which_attempts=which_attempts,
        max_mark=quiz_max_mark,
        attempt_count=len(chosen),
        first_attempts_count=len(selected[WhichAttempts.FIRST]),
        all_attempts_count=len(selected[WhichAttempts.ALL]),
        first_attempts_mean=means[WhichAttempts.FIRST],
        all_attempts_mean=means[WhichAttempts.ALL],
        last_attempts_mean=means[WhichAttempts.LAST],
        highest_attempts_mean=means[WhichAttempts.HIGHEST],
        slots=tuple(slot_stats),
        subquestions=tuple(subquestions),
        responses=tuple(responses),
        **figures,
    )
