"""Quiz statistics against figures worked out by hand (Moodle's formulas, see the module).

The fixed data set: six attempts (A..F) at four slots, Q4 worth 2 marks, the rest 1.

    attempt  Q1  Q2  Q3  Q4 |  T
    A         1   1   1   2 |  5
    B         1   1   0   2 |  4
    C         1   0   1   1 |  3
    D         0   1   0   1 |  2
    E         1   0   0   0 |  1
    F         0   0   0   1 |  1

Quiz max mark 1 + 1 + 1 + 2 = 5. Every figure below is checked to 4 decimals.
"""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.statistics import (
    AttemptResult,
    ResponsePart,
    SlotResult,
    WhichAttempts,
    quiz_statistics_compute,
)

MARKS = {  # slot -> the marks of attempts A..F
    1: [1, 1, 1, 0, 1, 0],
    2: [1, 1, 0, 1, 0, 0],
    3: [1, 0, 1, 0, 0, 0],
    4: [2, 2, 1, 1, 0, 1],
}
MAX = {1: 1, 2: 1, 3: 1, 4: 2}
GUESS = {1: 0.25, 2: 0.5, 3: 0.0, 4: 1 / 3}  # multichoice of 4, true/false, short answer, 1 of 3
Q1_SUMMARIES = ["Paris", "Paris", "Paris", "Lyon", "Paris", None]


def approx(expected: float) -> object:
    return pytest.approx(expected, abs=5e-5)


def attempt(
    user: object, number: int, marks: dict[int, float], *, total: float | None = -1.0
) -> AttemptResult:
    """An attempt with question id 100 + slot in each slot; ``total`` defaults to the sum."""
    return AttemptResult(
        user_id=user,
        attempt_number=number,
        total_mark=sum(marks.values()) if total == -1.0 else total,
        slots=tuple(
            SlotResult(slot=slot, question_id=100 + slot, mark=mark, max_mark=MAX.get(slot, 1))
            for slot, mark in marks.items()
        ),
    )


def fixed_attempts() -> list[AttemptResult]:
    rows = []
    for i, user in enumerate("ABCDEF"):
        slots = tuple(
            SlotResult(
                slot=slot,
                question_id=100 + slot,
                mark=MARKS[slot][i],
                max_mark=MAX[slot],
                response_summary=Q1_SUMMARIES[i] if slot == 1 else str(MARKS[slot][i]),
                random_guess_score=GUESS[slot],
            )
            for slot in MARKS
        )
        total = sum(result.mark for result in slots)
        rows.append(AttemptResult(user_id=user, attempt_number=1, total_mark=total, slots=slots))
    return rows


@pytest.fixture
def fixed():
    return quiz_statistics_compute(attempts=fixed_attempts(), which_attempts=WhichAttempts.ALL)


def test_quiz_level_figures_match_the_hand_computation(fixed):
    """T = 5, 4, 3, 2, 1, 1 (n = 6).

    mean = 16 / 6 = 8/3 = 2.6667 marks (53.3333 % of 5); median = (2 + 3) / 2 = 2.5 (50 %).
    Deviations d = T - 8/3 = 7/3, 4/3, 1/3, -2/3, -5/3, -5/3, so
      P2 = (49 + 16 + 1 + 4 + 25 + 25) / 9 = 40/3,
      P3 = (343 + 64 + 1 - 8 - 125 - 125) / 27 = 50/9,
      P4 = (2401 + 256 + 1 + 16 + 625 + 625) / 81 = 436/9.
    SD = sqrt(P2 / 5) = sqrt(8/3) = 1.6330 (32.6599 %).
    m2 = P2/6 = 20/9, m3 = 25/27, m4 = 218/27; k2 = 6 m2 / 5 = 8/3;
    k3 = 36 m3 / (5 * 4) = 5/3; skewness = k3 / k2^1.5 = (5/3) / (8/3 * 1.63299) = 0.3827;
    k4 = 36 (7 m4 - 3 * 5 m2^2) / (5 * 4 * 3) = 36 (4578 - 6000) / 81 / 60 = -158/15;
    kurtosis = k4 / k2^2 = (-158/15) / (64/9) = -1.48125.
    Slot mark variances (see the slot tests): 4/15 + 3/10 + 4/15 + 17/30 = 42/30 = 7/5.
    CIC = 100 * 4/3 * (1 - (7/5) / (8/3)) = 400/3 * 19/40 = 190/3 = 63.3333 %.
    ER = 100 sqrt(1 - 19/30) = 100 sqrt(11/30) = 60.5530 %.
    SE = ER / 100 * SD = sqrt(11/30 * 8/3) = sqrt(44/45) = 0.9888 marks (19.7765 %).
    """
    assert fixed.attempt_count == 6
    assert fixed.max_mark == 5
    assert fixed.mean == approx(2.6667)
    assert fixed.mean_percent == approx(53.3333)
    assert fixed.median == approx(2.5)
    assert fixed.median_percent == approx(50.0)
    assert fixed.standard_deviation == approx(1.6330)
    assert fixed.standard_deviation_percent == approx(32.6599)
    assert fixed.skewness == approx(0.3827)
    assert fixed.kurtosis == approx(-1.48125)
    assert fixed.internal_consistency == approx(63.3333)
    assert fixed.error_ratio == approx(60.5530)
    assert fixed.standard_error == approx(0.9888)
    assert fixed.standard_error_percent == approx(19.7765)


def test_slot_one_figures_match_the_hand_computation(fixed):
    """Q1: x = 1,1,1,0,1,0, rest of test y = T - x = 4,3,2,2,0,1.

    facility = 100 * (4/6) / 1 = 66.6667 %.
    dx = 1/3,1/3,1/3,-2/3,1/3,-2/3: sum dx^2 = 4/9 + 8/9 = 4/3, var(x) = 4/15,
    SD = 0.5164 (51.6398 % of 1).
    mean y = 12/6 = 2, dy = 2,1,0,0,-2,-1: sum dy^2 = 10, var(y) = 2.
    sum dx dy = 2/3 + 1/3 + 0 + 0 - 2/3 + 2/3 = 1, cov = 1/5.
    DI = 100 (1/5) / sqrt(4/15 * 2) = 20 / 0.730297 = 27.3861 %.
    Sorted: dx -2/3,-2/3,1/3,1/3,1/3,1/3 with dy -2,-1,0,0,1,2:
    4/3 + 2/3 + 0 + 0 + 1/3 + 2/3 = 3, cov_max = 3/5, DE = 100 (1/5) / (3/5) = 33.3333 %.
    """
    q1 = fixed.slots[0]
    assert (q1.slot, q1.question_id, q1.is_random, q1.attempt_count) == (1, 101, False, 6)
    assert q1.mean_mark == approx(0.6667)
    assert q1.facility == approx(66.6667)
    assert q1.standard_deviation == approx(0.5164)
    assert q1.standard_deviation_percent == approx(51.6398)
    assert q1.random_guess_score == approx(25.0)
    assert q1.intended_weight == approx(20.0)
    assert q1.discrimination_index == approx(27.3861)
    assert q1.discriminative_efficiency == approx(33.3333)


def test_slots_two_to_four_match_the_hand_computation(fixed):
    """Q2: x = 1,1,0,1,0,0 (mean 1/2), y = 4,3,3,1,1,1 (mean 13/6).

    facility 50 %; dx = +-1/2, var(x) = (6/4)/5 = 3/10, SD = 0.5477 (54.7723 %).
    dy = 11/6,5/6,5/6,-7/6,-7/6,-7/6: sum dy^2 = 318/36, var(y) = 53/30.
    sum dx dy = (11 + 5 - 5 - 7 + 7 + 7) / 12 = 3/2, cov = 3/10;
    DI = 30 / sqrt(3/10 * 53/30) = 30 / 0.728011 = 41.2082 %.
    Sorted: -1/2 x3, 1/2 x3 with -7/6 x3, 5/6, 5/6, 11/6: (21/6 + 21/6) / 2 = 7/2,
    cov_max = 7/10, DE = (3/10) / (7/10) = 42.8571 %.

    Q3: x = 1,0,1,0,0,0 (mean 1/3), y = 4,4,2,2,1,1 (mean 7/3).
    facility 33.3333 %; dx = 2/3,-1/3,2/3,-1/3,-1/3,-1/3: sum dx^2 = 12/9, var(x) = 4/15,
    SD = 51.6398 %.
    dy = 5/3,5/3,-1/3,-1/3,-4/3,-4/3: sum dy^2 = 84/9, var(y) = 28/15.
    sum dx dy = (10 - 5 - 2 + 1 + 4 + 4) / 9 = 4/3, cov = 4/15;
    DI = 100 (4/15) / sqrt(4/15 * 28/15) = 400 / sqrt(112) = 37.7964 %.
    Sorted: -1/3 x4, 2/3 x2 with -4/3,-4/3,-1/3,-1/3,5/3,5/3: 10/9 + 20/9 = 10/3,
    cov_max = 2/3, DE = (4/15) / (2/3) = 40 %.

    Q4 (max 2): x = 2,2,1,1,0,1 (mean 7/6), y = 3,2,2,1,1,0 (mean 3/2).
    facility = 100 (7/6) / 2 = 58.3333 %; dx = 5/6,5/6,-1/6,-1/6,-7/6,-1/6: sum dx^2 = 102/36,
    var(x) = 17/30, SD = 0.7528 (37.6386 % of 2).
    dy = 3/2,1/2,1/2,-1/2,-1/2,-3/2: sum dy^2 = 22/4, var(y) = 11/10.
    sum dx dy = (15 + 5 - 1 + 1 + 7 + 3) / 12 = 5/2, cov = 1/2;
    DI = 50 / sqrt(17/30 * 11/10) = 50 / 0.789515 = 63.3300 %.
    Sorted: -7/6,-1/6,-1/6,-1/6,5/6,5/6 with -3/2,-1/2,-1/2,1/2,1/2,3/2:
    (21 + 1 + 1 - 1 + 5 + 15) / 12 = 7/2, cov_max = 7/10, DE = (1/2) / (7/10) = 71.4286 %.
    """
    q2, q3, q4 = fixed.slots[1:]
    assert (q2.facility, q3.facility, q4.facility) == (
        approx(50.0),
        approx(33.3333),
        approx(58.3333),
    )
    assert q2.standard_deviation_percent == approx(54.7723)
    assert q3.standard_deviation_percent == approx(51.6398)
    assert q4.standard_deviation == approx(0.7528)
    assert q4.standard_deviation_percent == approx(37.6386)
    assert q2.discrimination_index == approx(41.2082)
    assert q3.discrimination_index == approx(37.7964)
    assert q4.discrimination_index == approx(63.3300)
    assert q2.discriminative_efficiency == approx(42.8571)
    assert q3.discriminative_efficiency == approx(40.0)
    assert q4.discriminative_efficiency == approx(71.4286)
    assert [q.random_guess_score for q in (q2, q3, q4)] == [50.0, 0.0, approx(33.3333)]
    assert [q.intended_weight for q in (q2, q3, q4)] == [20.0, 20.0, 40.0]


def test_effective_weights_match_the_hand_computation(fixed):
    """cov(x, T) = cov(x, y) + var(x): Q1 1/5 + 4/15 = 7/15, Q2 3/10 + 3/10 = 3/5,
    Q3 4/15 + 4/15 = 8/15, Q4 1/2 + 17/30 = 16/15.
    sqrt: 0.683130, 0.774597, 0.730297, 1.032796; sum 3.220819.
    Effective weights: 21.2098, 24.0497, 22.6743, 32.0662 % (they add up to 100).
    """
    weights = [q.effective_weight for q in fixed.slots]
    assert weights == [approx(21.2098), approx(24.0497), approx(22.6743), approx(32.0662)]
    assert sum(weights) == approx(100.0)
    assert not any(q.negative_covariance for q in fixed.slots)


def test_discrimination_index_is_the_pearson_correlation_with_the_rest_of_the_test(fixed):
    totals = [sum(MARKS[slot][i] for slot in MARKS) for i in range(6)]
    for q in fixed.slots:
        marks = MARKS[q.slot]
        rest = [total - mark for total, mark in zip(totals, marks, strict=True)]
        assert q.discrimination_index == approx(100 * statistics.correlation(marks, rest))


def test_response_distribution_counts_each_summary(fixed):
    """Q1 summaries: Paris x4, Lyon x1, no answer x1 out of 6 attempts."""
    q1 = fixed.responses[0]
    assert (q1.slot, q1.question_id, q1.attempt_count) == (1, 101, 6)
    rows = [(row.response, row.count, row.frequency) for row in q1.responses]
    assert rows == [
        ("Paris", 4, approx(66.6667)),
        (None, 1, approx(16.6667)),
        ("Lyon", 1, approx(16.6667)),
    ]
    assert q1.parts == ()
    q4 = fixed.responses[3]
    assert [(row.response, row.count) for row in q4.responses] == [("1", 3), ("2", 2), ("0", 1)]


def test_response_distribution_per_subpart_and_answer():
    """A two-part matching question answered 4 times; frequency = count / 4."""
    answers = [("Paris", "Rome"), ("Paris", "Madrid"), ("Lyon", "Rome"), ("Paris", "Rome")]
    attempts = [
        AttemptResult(
            user_id=i,
            attempt_number=1,
            total_mark=1.0,
            slots=(
                SlotResult(
                    slot=1,
                    question_id=7,
                    mark=1.0,
                    max_mark=1.0,
                    response_summary=f"France -> {fr}; Italy -> {it}",
                    parts=(
                        ResponsePart("France", fr, fr, 1.0 if fr == "Paris" else 0.0),
                        ResponsePart("Italy", it, it, 1.0 if it == "Rome" else 0.0),
                    ),
                ),
            ),
        )
        for i, (fr, it) in enumerate(answers)
    ]
    stats = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.ALL)
    parts = [
        (p.subpart, p.response, p.count, p.frequency, p.fraction) for p in stats.responses[0].parts
    ]
    assert parts == [
        ("France", "Lyon", 1, 25.0, 0.0),
        ("France", "Paris", 3, 75.0, 1.0),
        ("Italy", "Madrid", 1, 25.0, 0.0),
        ("Italy", "Rome", 3, 75.0, 1.0),
    ]
    assert stats.responses[0].responses[0].response == "France -> Paris; Italy -> Rome"
    assert stats.responses[0].responses[0].count == 2


def test_which_attempts_selects_like_moodle():
    """u1: #1 = 1, #2 = 3; u2: #1 = 2; u3: #1 = 4, #2 = 4, #3 waiting for grading (None).

    first: u1#1, u2#1, u3#1 -> 1, 2, 4, mean 7/3; all graded: 1, 3, 2, 4, 4, mean 14/5;
    last: u1#2, u2#1 (u3#3 is ungraded, so u3 drops out) -> 3, 2, mean 5/2;
    highest: u1#2, u2#1, u3#1 (a tie goes to the earlier attempt) -> 3, 2, 4, mean 3.
    """
    attempts = [
        attempt("u1", 1, {1: 1, 2: 0}),
        attempt("u1", 2, {1: 1, 2: 2}),
        attempt("u2", 1, {1: 1, 2: 1}),
        attempt("u3", 1, {1: 2, 2: 2}),
        attempt("u3", 2, {1: 2, 2: 2}),
        attempt("u3", 3, {1: 0, 2: 0}, total=None),
    ]
    stats = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.FIRST)
    assert stats.attempt_count == stats.first_attempts_count == 3
    assert stats.all_attempts_count == 5
    assert stats.mean == stats.first_attempts_mean == approx(2.3333)
    assert stats.all_attempts_mean == approx(2.8)
    assert stats.last_attempts_mean == approx(2.5)
    assert stats.highest_attempts_mean == approx(3.0)
    assert stats.slots[0].attempt_count == 3  # slot figures use the same attempts
    every = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.ALL)
    assert (every.attempt_count, every.mean, every.median) == (5, approx(2.8), 3)
    highest = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.HIGHEST)
    assert sorted(q.mean_mark for q in highest.slots) == [approx(1.3333), approx(1.6667)]


def test_random_slot_is_broken_down_by_the_question_drawn():
    """Slot 1 fixed (q 101); slot 2 draws q 21 (A, B, C) or q 22 (D, E, F).

        attempt  s1  s2 (question)  T
        A         1   1 (21)        2
        B         0   0 (21)        0
        C         1   0 (21)        1
        D         1   1 (22)        2
        E         0   0 (22)        0
        F         0   1 (22)        1

    Slot 2: x = 1,0,0,1,0,1, y = slot 1 = 1,0,1,1,0,0, both mean 1/2, dx and dy = +-1/2;
    sum dx dy = (1 + 1 - 1 + 1 + 1 - 1) / 4 = 1/2, cov = 1/10, var(x) = var(y) = 3/10;
    DI = 100 (1/10) / (3/10) = 33.3333 %; sorted pairs give 6/4, cov_max = 3/10, DE = 33.3333 %.
    q 21, as Moodle does, against the whole total: x = 1,0,0 (mean 1/3), T = 2,0,1 (mean 1);
    dx = 2/3,-1/3,-1/3, dT = 1,-1,0: var(x) = (2/3)/2 = 1/3, var(T) = 1, cov = (2/3 + 1/3)/2 = 1/2;
    DI = 100 (1/2) / sqrt(1/3) = 86.6025 %; sorted -1/3,-1/3,2/3 with -1,0,1 give 1, DE = 100 %.
    q 22: x = 1,0,1 (mean 2/3), T = 2,0,1: dx = 1/3,-2/3,1/3, cov = (1/3 + 2/3)/2 = 1/2,
    var(x) = 1/3, DI = 86.6025 %, facility 66.6667 %.
    """
    marks = [(1, 1, 21), (0, 0, 21), (1, 0, 21), (1, 1, 22), (0, 0, 22), (0, 1, 22)]
    attempts = [
        AttemptResult(
            user_id=i,
            attempt_number=1,
            total_mark=s1 + s2,
            slots=(
                SlotResult(slot=1, question_id=101, mark=s1, max_mark=1, random_guess_score=0.5),
                SlotResult(slot=2, question_id=qid, mark=s2, max_mark=1, random_guess_score=0.25),
            ),
        )
        for i, (s1, s2, qid) in enumerate(marks)
    ]
    stats = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.ALL)
    slot2 = stats.slots[1]
    assert (slot2.is_random, slot2.question_id, slot2.subquestion_ids) == (True, None, (21, 22))
    assert slot2.random_guess_score is None  # Moodle's random question type has none
    assert slot2.discrimination_index == approx(33.3333)
    assert slot2.discriminative_efficiency == approx(33.3333)
    q21, q22 = stats.subquestions
    assert (q21.question_id, q21.slot, q21.positions, q21.attempt_count) == (21, None, (2,), 3)
    assert q21.facility == approx(33.3333)
    assert q22.facility == approx(66.6667)
    assert q21.discrimination_index == approx(86.6025)
    assert q22.discrimination_index == approx(86.6025)
    assert q21.discriminative_efficiency == approx(100.0)
    assert q21.random_guess_score == approx(25.0)
    assert q21.effective_weight is None
    assert [(r.slot, r.question_id, r.attempt_count) for r in stats.responses] == [
        (1, 101, 6),
        (2, 21, 3),
        (2, 22, 3),
    ]
    forced = quiz_statistics_compute(attempts=attempts[:3], random_slots={2})
    assert forced.slots[1].is_random
    assert forced.slots[1].subquestion_ids == (21,)


def test_a_single_attempt_leaves_spread_figures_undefined():
    stats = quiz_statistics_compute(attempts=[attempt("u", 1, {1: 1, 2: 0})])
    assert (stats.attempt_count, stats.mean, stats.median) == (1, 1, 1)
    assert stats.standard_deviation is None
    assert stats.skewness is stats.kurtosis is stats.internal_consistency is None
    assert stats.error_ratio is stats.standard_error is None
    q1 = stats.slots[0]
    assert (q1.facility, q1.standard_deviation, q1.discrimination_index) == (100.0, None, None)
    assert q1.discriminative_efficiency is q1.effective_weight is None


def test_equal_marks_give_zero_spread_and_no_ratios():
    """Three identical attempts: SD = 0, so k2 = 0 and skewness, kurtosis, CIC are undefined."""
    stats = quiz_statistics_compute(attempts=[attempt(user, 1, {1: 0.1, 2: 0.7}) for user in "abc"])
    assert stats.standard_deviation == 0.0
    assert stats.skewness is stats.kurtosis is stats.internal_consistency is None
    for q in stats.slots:
        assert q.standard_deviation == 0.0
        assert q.discrimination_index is q.discriminative_efficiency is None
        assert q.effective_weight is None


def test_a_question_everybody_got_right():
    """Slot 1 all 1s: facility 100 %, SD 0, no discrimination, effective weight 0."""
    stats = quiz_statistics_compute(
        attempts=[attempt(u, 1, {1: 1, 2: m}) for u, m in zip("abcd", [0, 1, 1, 0], strict=True)]
    )
    q1, q2 = stats.slots
    assert (q1.facility, q1.standard_deviation) == (100.0, 0.0)
    assert q1.discrimination_index is q1.discriminative_efficiency is None
    assert q1.effective_weight == 0.0
    assert q2.effective_weight == 100.0
    # 2 slots, var = 0 + 1/3, k2 = var(T) = 1/3: CIC = 200 (1 - 1) = 0, ER = 100 %.
    assert stats.internal_consistency == approx(0.0)
    assert stats.error_ratio == approx(100.0)


def test_three_attempts_have_a_skewness_but_no_kurtosis():
    stats = quiz_statistics_compute(
        attempts=[attempt(u, 1, {1: m}) for u, m in zip("abc", [0, 0, 1], strict=True)]
    )
    assert stats.skewness is not None
    assert stats.kurtosis is None
    assert stats.internal_consistency is None  # one slot: p - 1 = 0


def test_no_attempts_gives_empty_statistics():
    stats = quiz_statistics_compute(attempts=[])
    assert (stats.attempt_count, stats.mean, stats.median, stats.slots) == (0, None, None, ())


def test_slot_order_and_missing_slots_do_not_change_the_figures():
    """The general path (slots in any order, some missing) agrees with the transposed one."""
    base = fixed_attempts()
    rng = random.Random(4)
    shuffled = [
        AttemptResult(a.user_id, a.attempt_number, a.total_mark, tuple(rng.sample(a.slots, 4)))
        for a in base
    ]
    left = quiz_statistics_compute(attempts=base, which_attempts=WhichAttempts.ALL)
    right = quiz_statistics_compute(attempts=shuffled, which_attempts=WhichAttempts.ALL)
    for a, b in zip(left.slots, right.slots, strict=True):
        assert a.discrimination_index == approx(b.discrimination_index)
        assert a.effective_weight == approx(b.effective_weight)
    assert left.internal_consistency == approx(right.internal_consistency)
    # F skipped slot 3 (a mark of 0 there): slot 3 counts 5 attempts, the others 6.
    missing = [*base[:5], AttemptResult("F", 1, 1, base[5].slots[:2] + base[5].slots[3:])]
    stats = quiz_statistics_compute(attempts=missing, which_attempts=WhichAttempts.ALL)
    assert [q.attempt_count for q in stats.slots] == [6, 6, 5, 6]
    assert stats.slots[2].facility == approx(40.0)


@st.composite
def attempt_sets(draw: st.DrawFn) -> list[AttemptResult]:
    slots = draw(st.integers(min_value=1, max_value=6))
    max_marks = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=slots, max_size=slots))
    count = draw(st.integers(min_value=1, max_value=15))
    attempts = []
    for user in range(count):
        marks = [draw(st.sampled_from([0.0, m / 3, m / 2, m])) for m in max_marks]
        results = tuple(
            SlotResult(slot=s + 1, question_id=s, mark=mark, max_mark=max_marks[s])
            for s, mark in enumerate(marks)
        )
        attempts.append(AttemptResult(user, 1, sum(marks), results))
    return attempts


@settings(max_examples=100, deadline=None)
@given(attempts=attempt_sets())
def test_figures_stay_within_their_ranges(attempts):
    stats = quiz_statistics_compute(attempts=attempts, which_attempts=WhichAttempts.ALL)
    eps = 1e-9
    if stats.internal_consistency is not None:
        assert stats.internal_consistency <= 100 + eps
    weights = [q.effective_weight for q in stats.slots if q.effective_weight is not None]
    assert sum(weights) <= 100 + eps
    totals = [a.total_mark for a in attempts]
    for q in stats.slots:
        assert -eps <= q.facility <= 100 + eps
        if q.discrimination_index is not None:
            assert abs(q.discrimination_index) <= 100 + eps
            marks = [a.slots[q.slot - 1].mark for a in attempts]
            rest = [t - m for t, m in zip(totals, marks, strict=True)]
            expected = 100 * statistics.correlation(marks, rest)
            assert math.isclose(q.discrimination_index, expected, abs_tol=1e-6)
        if q.discriminative_efficiency is not None:
            assert q.discriminative_efficiency <= 100 + eps
