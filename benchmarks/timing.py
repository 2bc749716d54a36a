"""Small helpers shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable


def time_calls(function: Callable[[], object], *, runs: int) -> dict:
    """Call `function` `runs` times; return p50, p95 and max in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        "max_ms": round(samples[-1], 1),
    }
