"""Run every benchmark in this folder and print one table.

Each `bench_*.py` module has `run() -> list[dict]`, one row per scenario with the keys
scenario, size, runs and the figures it has (rps, p50_ms, p95_ms, p99_ms, max_ms,
errors). `make bench` runs
them all; `make bench BENCH_ARGS=statistics` runs those whose name contains the word.
"""

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

COLUMNS = ["scenario", "size", "runs", "rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "errors"]


def main(argv: list[str]) -> int:
    names = sorted(path.stem for path in HERE.glob("bench_*.py"))
    if argv:
        names = [name for name in names if any(word in name for word in argv)]
    rows = []
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(f"benchmarks.{name}").run())
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in rows)) for c in COLUMNS}
    print(" | ".join(c.ljust(widths[c]) for c in COLUMNS))
    print("-|-".join("-" * widths[c] for c in COLUMNS))
    for row in rows:
        print(" | ".join(str(row.get(c, "")).ljust(widths[c]) for c in COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
