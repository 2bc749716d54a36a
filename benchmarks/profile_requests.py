"""Where a request's CPU goes: the HTTP scenarios of bench_http, served in process.

Wall-clock throughput on a shared 2-core machine is noisy; the CPU time a request costs in
its own process much less so. This runs the scenarios of `bench_http` (and a SCORM commit)
through Django's whole request handling in this process, with the settings the benchmark
server runs with (DEBUG off, PostgreSQL of the benchmark site, Redis), and prints per
scenario: CPU milliseconds per request (`time.process_time`, every thread of the process;
the median and the least over batches of `--batch` requests, as a loaded machine inflates
some batches), SQL queries and cache calls per request, the CPU milliseconds of three parts
of it (template rendering, with whatever runs inside it; the database driver's execution
of SQL, without the ORM's work of building it; cache calls), and then, from a second pass
under cProfile (CPU time), the functions that take the time. Compare two versions of the
code by running them one after the other, several times.

    python -m benchmarks.profile_requests                     # every scenario, small site
    python -m benchmarks.profile_requests outline lesson -n 200 --top 30
    python -m benchmarks.profile_requests --handler asgi      # through the ASGI handler
    python -m benchmarks.profile_requests --no-prepare --sql autosave   # its SQL and keys
    BENCH_PROFILE_ARGS="-n 50" make bench BENCH_ARGS=profile   # (bench_profile.py)

- Database: the small (BENCH_PROFILE_SCALE) site of BENCH_DATABASE_URL, made or checked
  as bench_http does (`--no-prepare` skips the check and `generate_bench_data`).
- Cache: BENCH_PROFILE_REDIS_URL (redis://127.0.0.1:6379/13), emptied first.
- Requests: `--handler wsgi` (default) is Django's test client (the WSGI handler, CSRF
  checks on); `asgi` calls the project's ASGI application as uvicorn does (the server's
  own HTTP parsing aside), so that what asgiref's thread hand-offs cost is counted. Each
  scenario is warmed up, then `-n` requests are timed and another `-n` profiled (under
  `asgi` the profile sees only the event loop's part: profile with `wsgi`).
- The SCORM commit scenario adds the course `BEN-SCORM` with its learners to the site
  (what `bench_scorm` makes) the first time.
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.profile_calls import Call, Scenario, Sender, prepare_scorm, scenarios  # noqa: E402


def prepare_environment(*, scale: str, prepare: bool, requests: int, warmup: int) -> None:
    """The benchmark server's environment in this process, before Django is set up."""
    from benchmarks.http_harness import database_ensure, database_url, environment, manage

    env = environment()
    env["REDIS_URL"] = os.environ.get("BENCH_PROFILE_REDIS_URL", "redis://127.0.0.1:6379/13")
    if prepare:
        env["DATABASE_URL"] = database_ensure(scale, env)
        print(manage(env, "generate_bench_data", "--scale", scale).strip(), file=sys.stderr)
    else:
        env["DATABASE_URL"] = database_url(scale)
    # One-shot submits: enough prepared attempts for the warm-up, timing and profile passes.
    env["BENCH_SUBMIT_ATTEMPTS"] = str(warmup + 2 * requests + 10)
    os.environ.update(env)


class Counter:
    """SQL queries and cache calls made while it is on (`keep`: their text and keys), and
    the CPU time spent rendering templates, executing SQL (the driver's part, not the
    ORM's) and in cache calls."""

    def __init__(self, keep: bool = False):
        self.queries = 0
        self.cache_calls = 0
        self.keep = keep
        self.log: list[str] = []
        self.cpu = {"templates": 0.0, "sql": 0.0, "cache": 0.0}
        self._depth = {"templates": 0, "sql": 0, "cache": 0}

    @contextlib.contextmanager
    def timing(self, phase: str):
        self._depth[phase] += 1
        start = time.thread_time()
        try:
            yield
        finally:
            self._depth[phase] -= 1
            if not self._depth[phase]:
                self.cpu[phase] += time.thread_time() - start

    @contextlib.contextmanager
    def on(self):
        """Counts in every thread (under ASGI the request runs in asgiref's)."""
        from django.core.cache.backends.redis import RedisCacheClient
        from django.db.backends.utils import CursorWrapper
        from django.template.base import Template

        names = ["get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr"]
        originals = {name: getattr(RedisCacheClient, name) for name in names}
        execute = CursorWrapper._execute_with_wrappers

        def counted_sql(cursor, sql, params, many, executor):
            self.queries += 1
            if self.keep:
                self.log.append(f"SQL   {sql}")
            with self.timing("sql"):
                return execute(cursor, sql, params, many, executor)

        def counted(function):
            def wrapper(*args, **kwargs):
                self.cache_calls += 1
                if self.keep:
                    self.log.append(f"CACHE {function.__name__} {str(args[1])[:160]}")
                with self.timing("cache"):
                    return function(*args, **kwargs)

            return wrapper

        render = Template.render

        def timed_render(template, context):
            with self.timing("templates"):
                return render(template, context)

        for name, function in originals.items():
            setattr(RedisCacheClient, name, counted(function))
        Template.render = timed_render
        CursorWrapper._execute_with_wrappers = counted_sql
        try:
            yield self
        finally:
            CursorWrapper._execute_with_wrappers = execute
            Template.render = render
            for name, function in originals.items():
                setattr(RedisCacheClient, name, function)


@dataclass
class Result:
    scenario: Scenario
    cpu_ms: float = 0.0
    cpu_min_ms: float = 0.0
    wall_ms: float = 0.0
    queries: float = 0.0
    cache_calls: float = 0.0
    statuses: dict = field(default_factory=dict)
    profile: pstats.Stats | None = None
    log: list[str] = field(default_factory=list)
    phases: dict = field(default_factory=dict)


def run_scenario(
    scenario: Scenario,
    send: Sender,
    *,
    requests: int,
    warmup: int,
    batch: int = 10,
    log: bool = False,
) -> Result:
    import gc

    result = Result(scenario)
    index = 0

    def next_call() -> Call:
        nonlocal index
        call = scenario.calls(index)
        index += 1
        return call

    for _ in range(warmup):
        send(next_call())
    gc.collect()
    counter = Counter()
    calls = [next_call() for _ in range(requests)]
    batches = []  # CPU seconds per request of each batch
    with counter.on():
        wall = time.perf_counter()
        for start in range(0, requests, batch):
            chunk = calls[start : start + batch]
            cpu = time.process_time()
            for call in chunk:
                status = send(call).status_code
                result.statuses[status] = result.statuses.get(status, 0) + 1
            batches.append((time.process_time() - cpu) / len(chunk))
        wall = time.perf_counter() - wall
    # On a loaded machine a batch that shared its core with others costs more CPU time for
    # the same work: the median of the batches, and the least of them, are the figures.
    result.cpu_ms = 1000 * statistics.median(batches)
    result.cpu_min_ms = 1000 * min(batches)
    result.wall_ms = 1000 * wall / requests
    result.queries = counter.queries / requests
    result.cache_calls = counter.cache_calls / requests
    result.phases = {name: 1000 * value / requests for name, value in counter.cpu.items()}
    calls = [next_call() for _ in range(requests)]
    # CPU time, not wall time: waiting for PostgreSQL or Redis is not this process's cost.
    # The test client serves in this thread; under ASGI, asgiref's threads do too.
    timer = time.thread_time if send.handler == "wsgi" else time.process_time
    profiler = cProfile.Profile(timer)
    profiler.enable()
    for call in calls:
        send(call)
    profiler.disable()
    result.profile = pstats.Stats(profiler)
    if log:
        counter = Counter(keep=True)
        with counter.on():
            send(next_call())
        result.log = counter.log
    return result


def top_functions(stats: pstats.Stats, *, sort: str, top: int, requests: int) -> str:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats(sort).print_stats(top)
    text = out.getvalue()
    start = text.find("   ncalls")
    header = f"  (cProfile over {requests} requests, by {sort}; CPU seconds for all of them)\n"
    return header + text[start:].replace(str(ROOT) + "/", "")


def row_of(result: Result, handler: str) -> dict:
    bad = {s: n for s, n in result.statuses.items() if s not in result.scenario.expected}
    return {
        "scenario": result.scenario.name,
        "server": f"in process ({handler})",
        "cpu_ms": round(result.cpu_ms, 2),
        "cpu_min_ms": round(result.cpu_min_ms, 2),
        "wall_ms": round(result.wall_ms, 2),
        "queries": round(result.queries, 1),
        "cache_calls": round(result.cache_calls, 1),
        **{f"{name}_ms": round(value, 2) for name, value in result.phases.items()},
        "errors": sum(bad.values()),
        "note": ", ".join(f"{n} answered {s}" for s, n in sorted(bad.items())),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="scenario keys (default: all)")
    parser.add_argument("-n", "--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch", type=int, default=10, help="requests per timed batch")
    parser.add_argument("--top", type=int, default=25, help="functions listed per scenario")
    parser.add_argument("--sort", default="tottime", help="cProfile sort: tottime, cumulative")
    parser.add_argument("--handler", choices=("wsgi", "asgi"), default="wsgi")
    parser.add_argument("--scale", default=os.environ.get("BENCH_PROFILE_SCALE", "small"))
    parser.add_argument("--no-prepare", action="store_true", help="use the site as it is")
    parser.add_argument("--no-profile", action="store_true", help="the table only")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--dump", help="folder for each scenario's .prof file")
    parser.add_argument("--sql", action="store_true", help="one request's SQL and cache keys")
    args = parser.parse_args(argv)

    prepare_environment(
        scale=args.scale, prepare=not args.no_prepare, requests=args.requests, warmup=args.warmup
    )
    import django

    django.setup()
    from django.core.cache import cache

    from benchmarks.http_harness import redis_flush
    from benchmarks.http_setup import prepare

    setup = prepare()
    wanted = set(args.only)
    scorm = []
    if not wanted or "scorm" in wanted:
        scorm = prepare_scorm(int(os.environ.get("BENCH_PROFILE_SCORM_LEARNERS", "20")))
    redis_flush(os.environ["REDIS_URL"])
    cache.close()
    send = Sender(args.handler)
    answer = send(Call("POST", "/api/v1/auth/token", body=json.dumps(setup["partner"]), headers={}))
    token = answer.json().get("token", "none") if answer.status_code == 200 else "none"
    rows = []
    for scenario in scenarios(setup, scorm, token):
        if wanted and scenario.key not in wanted:
            continue
        print(f"profiling {scenario.key}…", file=sys.stderr, flush=True)
        result = run_scenario(
            scenario,
            send,
            requests=args.requests,
            warmup=args.warmup,
            batch=args.batch,
            log=args.sql,
        )
        rows.append(row_of(result, args.handler))
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            result.profile.dump_stats(str(Path(args.dump) / f"{scenario.key}.prof"))
        out = sys.stderr if args.json else sys.stdout
        if args.sql:
            print(f"\n== {scenario.name}: one request", file=out)
            print("\n".join(line[:300] for line in result.log), file=out, flush=True)
        if not args.no_profile:
            print(f"\n== {scenario.name}: {result.cpu_ms:.2f} ms CPU per request", file=out)
            text = top_functions(
                result.profile, sort=args.sort, top=args.top, requests=args.requests
            )
            print(text, file=out, flush=True)
    if args.json:
        print("ROWS " + json.dumps(rows))
    else:
        from benchmarks.run import table

        print(table(rows))
    return rows


if __name__ == "__main__":
    main()
