"""CPU time, queries and cache calls per request of the HTTP scenarios, in process
(benchmarks/profile_requests.py), with the functions that take the time on stderr.

    make bench BENCH_ARGS=profile
    BENCH_PROFILE_ARGS="outline lesson -n 200" make bench BENCH_ARGS=profile

Runs only when named (it is a diagnosis, not a figure of the README's table).
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ON_REQUEST = True
ROOT = Path(__file__).resolve().parents[1]


def run() -> list[dict]:
    args = shlex.split(os.environ.get("BENCH_PROFILE_ARGS", ""))
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.profile_requests", "--json", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("ROWS "))
    return json.loads(line[5:])
