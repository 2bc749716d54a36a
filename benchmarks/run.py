"""Run every benchmark in this folder and print one table.

Each `bench_*.py` module has `run() -> list[dict]`, one row per scenario with the keys
scenario and the figures it has (scale, server, concurrency, size, runs, rps, p50_ms,
p95_ms, p99_ms, max_ms, total_s, errors, note; bench_profile's CPU figures: cpu_ms,
cpu_min_ms, wall_ms, queries, cache_calls, templates_ms, sql_ms, cache_ms); the table
shows the columns that some row fills. `make bench` runs them all; `make bench
BENCH_ARGS=statistics` runs those whose name contains the word. A module with
`ON_REQUEST = True` (bench_servers, the ASGI server comparison; bench_profile) runs only
when named. A module that fails gives a row saying so and the others still run.
"""

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

COLUMNS = [
    "scenario", "scale", "server", "concurrency", "size", "runs", "rps", "p50_ms", "p95_ms",
    "p99_ms", "max_ms", "total_s", "cpu_ms", "cpu_min_ms", "wall_ms", "queries", "cache_calls",
    "templates_ms", "sql_ms", "cache_ms", "errors", "note",
]  # fmt: skip


def table(rows: list[dict]) -> str:
    columns = [c for c in COLUMNS if any(row.get(c) not in (None, "") for row in rows)]
    widths = {c: max(len(c), *(len(str(row.get(c, ""))) for row in rows)) for c in columns}
    lines = [
        " | ".join(c.ljust(widths[c]) for c in columns),
        "-|-".join("-" * widths[c] for c in columns),
    ]
    lines += [" | ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns) for row in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    names = sorted(path.stem for path in HERE.glob("bench_*.py"))
    if argv:
        names = [name for name in names if any(word in name for word in argv)]
    rows = []
    started = time.monotonic()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if getattr(module, "ON_REQUEST", False) and not argv:
            continue
        print(f"running {name}…", file=sys.stderr, flush=True)
        begun = time.monotonic()
        try:
            rows.extend(module.run())
        except (Exception, SystemExit) as error:  # one module's failure is one row
            traceback.print_exc(file=sys.stderr)
            rows.append({"scenario": name, "note": f"FAILED: {error}".splitlines()[0][:160]})
        print(f"{name}: {time.monotonic() - begun:.0f} s", file=sys.stderr, flush=True)
    if rows:
        print(table(rows))
    print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 1 if any(str(row.get("note", "")).startswith("FAILED") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
