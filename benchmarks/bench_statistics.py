"""Quiz statistics for 10,000 finished attempts of a 50-question quiz (issue: < 2 s)."""

import math
import random

from assessments.statistics import (
    AttemptResult,
    SlotResult,
    WhichAttempts,
    quiz_statistics_compute,
)
from benchmarks.timing import time_calls


def attempts(*, learners: int, questions: int, seed: int = 1) -> list[AttemptResult]:
    """Answers from a one-parameter logistic model: able learners answer more correctly,
    questions range from easy to hard; every tenth slot draws one of five questions."""
    rng = random.Random(seed)
    result = []
    for learner in range(learners):
        ability = rng.gauss(0, 1)
        slots = []
        for slot in range(1, questions + 1):
            difficulty = (slot % 7 - 3) / 2
            correct = rng.random() < 1 / (1 + math.exp(difficulty - ability))
            slots.append(
                SlotResult(
                    slot=slot,
                    question_id=1000 + slot if slot % 10 else 5000 + rng.randrange(5),
                    mark=1.0 if correct else 0.0,
                    max_mark=1.0,
                    response_summary="A" if correct else rng.choice("BCD"),
                    random_guess_score=0.25,
                )
            )
        result.append(
            AttemptResult(
                user_id=learner,
                attempt_number=1,
                total_mark=sum(s.mark for s in slots),
                slots=tuple(slots),
            )
        )
    return result


def run() -> list[dict]:
    data = attempts(learners=10_000, questions=50)
    random_slots = [slot for slot in range(1, 51) if slot % 10 == 0]
    figures = time_calls(
        lambda: quiz_statistics_compute(
            attempts=data, which_attempts=WhichAttempts.ALL, random_slots=random_slots
        ),
        runs=5,
    )
    return [{"scenario": "quiz statistics", "size": "10,000 attempts x 50 questions", **figures}]
