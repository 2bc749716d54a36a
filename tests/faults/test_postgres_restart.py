"""PostgreSQL restarts (`pg_ctl restart -m fast`: every connection cut) while a learner's
quiz autosaves and a SCORM module's commits keep coming, on a private cluster.

The clients behave as the pages do (tests/faults/clients.py): the quiz page keeps its
answers and sends them again until the server has them; the SCORM runtime keeps its
numbered commits and posts them again until the server acknowledges their number. While
the database is away the server answers 503 (not 500); afterwards every answer and every
CMI value is stored exactly once, the latest of each is what the database holds, and the
connection pool serves every request again."""

import threading
import time

import psycopg

from tests.faults.clients import Browser, QuizAutosave, ScormCommits, backoff

SAVE_EVERY = 0.1  # the pages save far less often; this makes the outage busy
RUN = 1.5  # seconds of saving before, between and after the outages
DOWN = 4  # seconds the database is stopped in the second outage
POOL_TIMEOUT = 2  # DB_POOL_TIMEOUT_SECONDS: a request waits this long for a connection


def _responses(questions: list[dict], n: int) -> dict:
    """The learner's answers at their n-th change."""
    answers = {
        "shortanswer": {"answer": f"FIA {n}"},
        "numerical": {"answer": str(n)},
        "essay": {"text": f"Draft {n} of the essay."},
        "multichoice": {"choice": n % 3},
    }
    return {str(q["slot"]): answers[q["qtype"]] for q in questions}


def _values(n: int) -> list[list[str]]:
    """The n-th commit of the SCO: a bookmark, its state and one more interaction."""
    return [
        ["cmi.core.lesson_location", f"page-{n}"],
        ["cmi.suspend_data", f"state-{n}"],
        [f"cmi.interactions.{n - 1}.id", f"q{n}"],
        [f"cmi.interactions.{n - 1}.type", "fill-in"],
        [f"cmi.interactions.{n - 1}.student_response", f"answer-{n}"],
    ]


def test_postgres_restarts_during_autosaves_and_scorm_commits(postgres_site, start_server, figures):
    server = start_server(postgres_site.env(DB_POOL_TIMEOUT_SECONDS=str(POOL_TIMEOUT)))
    data = postgres_site.data
    browser = Browser(server.base, data["key"])
    status, attempt = browser.request("POST", f"/api/v1/quizzes/{data['quiz']}/attempts")
    assert status in (200, 201), attempt
    status, launch = browser.request(
        "POST", f"/learn/scorm/{data['package']}/launch", {"sco": "item_passport"}
    )
    assert status == 200, launch
    quiz = QuizAutosave(browser, attempt["id"])
    scorm = ScormCommits(browser, launch["commitUrl"], launch["session"])
    stop = threading.Event()
    deadline = time.monotonic() + 60
    errors: list[BaseException] = []
    changes = [0]

    def autosaving() -> None:
        try:
            while not stop.is_set():
                changes[0] += 1
                quiz.save(_responses(attempt["questions"], changes[0]), deadline=deadline)
                time.sleep(SAVE_EVERY)
        except BaseException as error:
            errors.append(error)

    def sco() -> None:
        """The SCO commits every SAVE_EVERY, whatever the network does."""
        while not stop.is_set():
            scorm.commit(_values(scorm.seq + 1))
            time.sleep(SAVE_EVERY)

    def runtime() -> None:
        """The runtime posts its queue, one post at a time, again after a backoff when
        it failed, until everything is stored."""
        try:
            failures = 0
            while not (stop.is_set() and not scorm.queue):
                assert time.monotonic() < deadline, "SCORM commits not stored at the deadline"
                if scorm.flush():
                    failures = 0
                    time.sleep(0.02)
                else:
                    time.sleep(backoff(failures))
                    failures += 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=f) for f in (autosaving, sco, runtime)]
    cluster = postgres_site.cluster
    windows = {}
    for thread in threads:
        thread.start()
    try:
        time.sleep(RUN)
        began = time.monotonic()
        cluster.restart()  # pg_ctl restart -m fast
        windows["restart"] = (began, time.monotonic())
        time.sleep(RUN)
        began = time.monotonic()
        cluster.stop(mode="fast")
        time.sleep(DOWN)  # longer than the pool waits for a connection: 503s, then retries
        cluster.start()
        windows["down"] = (began, time.monotonic())
        time.sleep(RUN)
    finally:
        stop.set()
        for thread in threads:
            thread.join(max(1, deadline - time.monotonic()))
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    # The pool serves every request again: no failure once the database is back.
    after = [browser.request("GET", f"/api/v1/attempts/{attempt['id']}")[0] for _ in range(20)]
    assert after == [200] * 20

    with psycopg.connect(postgres_site.url) as connection:
        attempts = connection.execute(
            "SELECT id, responses, state FROM assessments_quizattempt"
            " WHERE quiz_id = %s AND user_id = %s",
            (data["quiz"], data["learner"]),
        ).fetchall()
        scorm_attempts = connection.execute(
            "SELECT id, seq, state FROM courses_scormattempt WHERE user_id = %s",
            (data["learner"],),
        ).fetchall()
        interactions = connection.execute(
            "SELECT i.index, i.identifier, i.learner_response FROM courses_scorminteraction i"
            " JOIN courses_scormattempt a ON a.id = i.attempt_id WHERE a.user_id = %s"
            " ORDER BY i.index",
            (data["learner"],),
        ).fetchall()

    # Quiz: one attempt, holding the latest answers (each slot once: a JSON object).
    ((_id, responses, state),) = attempts
    assert state == "in_progress"
    assert responses == quiz.confirmed == _responses(attempt["questions"], changes[0])
    # SCORM: one attempt, every commit applied once and in order, the latest values kept.
    ((_id, seq, cmi),) = scorm_attempts
    commits = scorm.seq
    assert seq == commits == scorm.stored_seq
    assert cmi["cmi.core.lesson_location"] == f"page-{commits}"
    assert cmi["cmi.suspend_data"] == f"state-{commits}"
    assert interactions == [(n - 1, f"q{n}", f"answer-{n}") for n in range(1, commits + 1)]

    # While the database was away: a wait or a 503, never a server error; both outages
    # were met by requests (so the test did test something).
    failed = dict(quiz.tally.failures + scorm.tally.failures)
    assert set(failed) <= {0, 503}, failed
    for start, end in windows.values():
        assert quiz.tally.during(start, end) and scorm.tally.during(start, end)
    down_start, down_end = windows["down"]
    assert any(s == 503 for _, _, s in quiz.tally.during(down_start, down_end))

    figures.update(
        {
            "fault": "PostgreSQL restarted (pg_ctl restart -m fast), then stopped for "
            f"{DOWN} s, during quiz autosaves and SCORM commits every {SAVE_EVERY} s",
            "pool_timeout_s": POOL_TIMEOUT,
            **{
                f"{name}_{key}": value
                for name, window in windows.items()
                for key, value in _phase(window, quiz.tally, scorm.tally).items()
            },
            "quiz_saves": changes[0],
            "quiz_retries": quiz.tally.retries,
            "scorm_commits": commits,
            "scorm_posts": len(scorm.tally.requests),
            "scorm_retries": scorm.tally.retries,
            "failed_responses_by_status": failed,
            "responses_lost": 0 if responses == quiz.confirmed else 1,
            "cmi_interactions_stored": len(interactions),
            "cmi_interactions_duplicated": len(interactions) - len({i[1] for i in interactions}),
            "requests_failing_after_recovery": sum(1 for s in after if s != 200),
            "provisioned_from": postgres_site.provisioned_from,
        }
    )


def _phase(window: tuple[float, float], *tallies) -> dict:
    """What the clients saw of one outage: how long the database was away, the longest
    wait for an answer, failed answers."""
    start, end = window
    seen = [r for tally in tallies for r in tally.during(start, end)]
    saved_again = min(
        answered for tally in tallies for _, answered, status in tally.requests
        if status == 200 and answered > end
    )  # fmt: skip
    return {
        "db_away_s": round(end - start, 1),
        "longest_wait_s": round(max(answered - sent for sent, answered, _ in seen), 1),
        "saving_again_after_s": round(saved_again - end, 1),
        "failed": sum(1 for *_, status in seen if status != 200),
    }
