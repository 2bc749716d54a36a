"""The behaviours of the SCORM 2004 sequencing packages in ../shared/fixtures/scorm2004
(Rustici's Golf examples), run through the pure Python sequencer: what each manifest's
comments say the package does, rule by rule."""

from __future__ import annotations

import random
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from courses.scorm.manifest import parse_manifest
from courses.scorm.sequencing import ActivityTree, AttemptReport, Sequencer, SequencingState
from tests.courses.scorm_trees import (
    PASSED,
    READ,
    failed,
    passed,
    refused,
    root_result,
    sequencer,
    toc,
)

FORCED = "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"
POST_TEST = "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"
RANDOM_TEST = "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip"
REMEDIATION = "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip"
CM_01 = "scorm2004/adl-cts-manifests/LMSTestPackage_CM-01.imsmanifest.xml"
CONTENT = ("playing_item", "etuqiette_item", "handicapping_item", "havingfun_item")

DONE_4TH = AttemptReport(completion_status="completed", progress_measure=1.0, exit="suspend")


@pytest.fixture
def fixture_tree(shared_fixture):
    def load(relative: str) -> ActivityTree:
        path = shared_fixture(relative)
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as package:
                data = package.read("imsmanifest.xml")
        else:
            data = path.read_bytes()
        return ActivityTree.from_manifest(parse_manifest(data=data))

    return load


# --- ForcedSequential: disabled rules on global objectives ---------------------------------
def test_forced_sequential_refuses_the_second_sco_before_the_first_is_done(fixture_tree):
    s = sequencer(fixture_tree(FORCED))

    assert s.navigate("start").deliver == "playing_item"

    entries = toc(s)
    assert entries["etuqiette_item"]["disabled"] and not entries["etuqiette_item"]["choice"]
    assert refused(s, "choice", "etuqiette_item") == "disabled"
    assert not s.navigation().valid["continue"]


def test_forced_sequential_opens_the_next_sco_once_the_previous_is_satisfied(fixture_tree):
    s = sequencer(fixture_tree(FORCED))
    s.navigate("start")

    s.report("playing_item", PASSED)

    entries = toc(s)
    assert entries["etuqiette_item"]["choice"] and not entries["etuqiette_item"]["disabled"]
    assert entries["handicapping_item"]["disabled"]
    assert s.navigation().valid["continue"] is True
    assert s.navigate("choice", "etuqiette_item").deliver == "etuqiette_item"
    assert s.state.globals[
        "com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied"
    ].satisfied


def test_forced_sequential_lets_the_learner_go_back_and_resumes_the_suspended_sco(fixture_tree):
    s = sequencer(fixture_tree(FORCED))
    s.navigate("start")
    s.report("playing_item", PASSED)
    s.navigate("continue")

    back = s.navigate("choice", "playing_item")

    assert back.deliver == "playing_item" and back.new_attempt is False
    assert s.st("playing_item").attempts == 1


def test_forced_sequential_course_is_done_when_every_sco_is(fixture_tree):
    s = sequencer(fixture_tree(FORCED))
    s.navigate("start")
    for item in ("playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"):
        s.report(item, PASSED)
        s.navigate("continue")
    assert s.state.current == "assessment_item"
    s.report("assessment_item", passed(0.9))

    end = s.navigate("continue")

    assert end.ended and s.state.current is None
    assert root_result(s) == (True, True, None)  # objectiveMeasureWeight 0: no score


def test_forced_sequential_sco_that_reports_nothing_stays_unknown_and_locks_the_next(
    fixture_tree,
):
    """The shared sequencing collection sets completionSetByContent and
    objectiveSetByContent: leaving a SCO that said nothing neither completes nor
    satisfies it, so the next SCO stays disabled."""
    s = sequencer(fixture_tree(FORCED))
    s.navigate("start")
    s.report("playing_item", AttemptReport())

    s.navigate("exit")

    assert (s.completed("playing_item"), s.satisfied("playing_item")) == (None, None)
    assert toc(s)["etuqiette_item"]["disabled"]
    assert refused(s, "continue") == "no_activity"


def test_forced_sequential_new_attempt_on_the_course_starts_without_its_globals(fixture_tree):
    """objectivesGlobalToSystem="false": the global objectives belong to one attempt on
    the course; coming back after it ended starts over, locked as on the first day."""
    s = sequencer(fixture_tree(FORCED))
    s.navigate("start")
    for item in (*CONTENT, "assessment_item"):
        s.report(item, READ)
        s.navigate("continue")
    assert s.state.ended and s.state.globals

    again = s.navigate("start")

    assert (again.deliver, again.new_attempt) == ("playing_item", True)
    assert s.st(s.tree.root).attempts == 2
    assert not s.state.globals
    assert toc(s)["etuqiette_item"]["disabled"]


# --- PostTestRollup (4th edition): completion globals, hiddenFromChoice, jump, rollup ------
def test_post_test_is_hidden_from_choice_until_the_content_is_completed(fixture_tree):
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")

    assert toc(s)["assessment_item"]["hidden"]
    assert refused(s, "choice", "assessment_item") == "hidden"

    for item in ("playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"):
        s.report(item, DONE_4TH)
        if item != "havingfun_item":
            s.navigate("continue")

    assert not toc(s)["assessment_item"]["hidden"]
    assert s.navigate("choice", "assessment_item").deliver == "assessment_item"


def test_completion_status_is_shared_through_adlseq_global_objectives(fixture_tree):
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")

    s.report("playing_item", DONE_4TH)

    assert s.state.globals[
        "com.scorm.golfsamples.sequencing.forcedsequential.playing_completed"
    ].completed
    assert s.completed("etuqiette_item", "previous_sco_completed") is True
    assert toc(s)["etuqiette_item"]["choice"]


def test_passing_the_post_test_satisfies_the_whole_course(fixture_tree):
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")
    assert s.navigation().valid["jump"]["assessment_item"]  # 4th edition jump skips the order

    s.navigate("jump", "assessment_item")
    s.report("assessment_item", passed(0.85))

    completed, satisfied, measure = root_result(s)
    assert (completed, satisfied) == (True, True)
    assert measure == pytest.approx(0.85)


def test_completing_the_content_alone_does_not_satisfy_the_course(fixture_tree):
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")
    for item in ("playing_item", "etuqiette_item", "handicapping_item", "havingfun_item"):
        s.report(item, DONE_4TH)
        if item != "havingfun_item":
            s.navigate("continue")

    assert root_result(s) == (None, None, None)
    assert s.progress(s.tree.root) == pytest.approx(1.5 / 1.6)  # progress weights


def test_post_test_content_is_taken_in_order_by_completion(fixture_tree):
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")
    assert toc(s)["etuqiette_item"]["disabled"]

    s.report("playing_item", DONE_4TH)

    entries = toc(s)
    assert not entries["etuqiette_item"]["disabled"]
    assert entries["handicapping_item"]["disabled"]  # its prerequisite is the etiquette SCO
    assert refused(s, "choice", "handicapping_item") == "disabled"


def test_post_test_stays_in_the_contents_once_attempted(fixture_tree):
    """The post test is hidden while the content is not completed *and* it was never
    attempted: after a jump to it, the learner can choose it again."""
    s = sequencer(fixture_tree(POST_TEST))
    s.navigate("start")
    s.navigate("jump", "assessment_item")
    s.report("assessment_item", failed(0.4))

    s.navigate("jump", "playing_item")

    assert not toc(s)["assessment_item"]["hidden"]
    assert s.navigate("choice", "assessment_item").deliver == "assessment_item"


# --- RandomTest: randomizationControls, attempt limit, retry, score through a global -------
def _through_content(s: Sequencer) -> str:
    s.navigate("start")
    for _item in range(3):
        s.report(s.state.current, READ)
        s.navigate("continue")
    s.report(s.state.current, READ)
    return s.navigate("continue").deliver


def test_random_test_is_disabled_until_the_content_is_completed(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST))
    s.navigate("start")

    assert toc(s)["posttest_item"]["disabled"]
    assert refused(s, "choice", "posttest_item") == "disabled"


def test_random_test_draws_the_order_once_per_attempt(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST), seed=3)
    first = _through_content(s)

    order = list(s.st("posttest_item").children)
    assert sorted(order) == ["test_1", "test_2", "test_3", "test_4"]
    assert first == order[0]
    # looking at the contents, checking requests or reloading the state draws nothing
    s.navigation()
    s.is_valid("continue")
    s = Sequencer(s.tree, SequencingState.from_json(s.state.to_json()), rng=random.Random(99))
    assert s.st("posttest_item").children == order
    assert s.navigate("start").deliver == first  # a relaunch goes back to the same test

    s.report(first, failed(0.3))
    retry = s.navigate("continue")  # exitParent, then the post test's retry rule

    assert s.st("posttest_item").attempts == 2
    assert s.st("posttest_item").children_attempt == 2
    assert retry.deliver == s.st("posttest_item").children[0]


def test_random_test_orders_differ_between_attempts(fixture_tree):
    orders = set()
    for seed in range(6):
        s = sequencer(fixture_tree(RANDOM_TEST), seed=seed)
        _through_content(s)
        orders.add(tuple(s.st("posttest_item").children))
    assert len(orders) > 1


def test_random_test_gives_two_attempts_then_ends_with_the_last_score(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST))
    s.report(_through_content(s), failed(0.3))
    s.navigate("continue")

    s.report(s.state.current, failed(0.4))
    end = s.navigate("continue")

    assert end.ended
    assert toc(s)["posttest_item"]["disabled"]  # attempt limit reached
    completed, satisfied, measure = root_result(s)
    assert (completed, satisfied) == (True, False)
    assert measure == pytest.approx(0.4)


def test_random_test_passed_ends_the_course_satisfied(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST))
    s.report(_through_content(s), passed(0.9))

    end = s.navigate("continue")

    assert end.ended
    assert root_result(s)[:2] == (True, True)
    assert toc(s)["posttest_item"]["disabled"]  # passed: closed
    assert refused(s, "choice", "posttest_item") == "disabled"


def test_random_test_contents_show_the_post_test_not_its_wrapper_or_its_tests(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST))
    first = _through_content(s)

    entries = toc(s)
    assert "content_wrapper" not in entries  # isvisible="false"
    assert not any(identifier.startswith("test_") for identifier in entries)
    assert entries["playing_item"]["depth"] == 0 and entries["posttest_item"]["depth"] == 0
    assert s.navigation().hide == ["suspendAll"]  # adlnav:hideLMSUI of the tests
    other = "test_2" if first == "test_1" else "test_1"
    assert refused(s, "choice", other) == "choice_not_allowed"  # the bank has choice="false"


# --- SimpleRemediation: skip rules, exitParent, retry, exitAll -----------------------------
def _remediation_round(
    s: Sequencer, results: dict[str, AttemptReport], steps: int = 20
) -> list[str]:
    seen = []
    for _step in range(steps):
        current = s.state.current
        if current is None:
            break
        seen.append(current)
        s.report(current, results.get(current, READ))
        if s.navigate("continue").ended:
            break
    return seen


def test_failing_a_test_sends_the_learner_back_to_its_content(fixture_tree):
    s = sequencer(fixture_tree(REMEDIATION))
    assert s.navigate("start").deliver == "playing_item"
    assert not toc(s)["playing_item"]["choice"]  # flow only
    assert refused(s, "choice", "test_1") == "choice_not_allowed"

    first = _remediation_round(
        s,
        {"test_1": failed(0.2), "test_2": passed(0.9), "test_3": passed(0.9),
         "test_4": passed(0.9)},
        steps=9,
    )  # fmt: skip

    assert first == [
        "playing_item", "etuqiette_item", "handicapping_item", "havingfun_item",
        "test_1", "test_2", "test_3", "test_4", "playing_item",
    ]  # fmt: skip


def test_remediation_skips_what_is_mastered_and_exits_when_all_is(fixture_tree):
    s = sequencer(fixture_tree(REMEDIATION))
    s.navigate("start")
    results = {"test_1": failed(0.2), "test_2": passed(0.9), "test_3": passed(0.9),
               "test_4": passed(0.9)}  # fmt: skip
    for _step in range(8):
        s.report(s.state.current, results.get(s.state.current, READ))
        s.navigate("continue")
    assert s.state.current == "playing_item"  # back to the content of the failed test

    rest = _remediation_round(s, {"test_1": passed(0.8)})

    assert rest == ["playing_item", "test_1", "test_4"]  # test_4 has no skip rule
    assert s.state.ended
    assert root_result(s)[1] is True


def test_remediation_scores_the_course_by_its_tests_and_completes_it(fixture_tree):
    """Tests write their result and score to the global of their learning objective;
    only tests count in rollup (equal weights). On the remediation round the mastered
    tests are skipped, and requiredForCompleted="ifNotSkipped" keeps them from holding
    back the completion of the retried wrapper."""
    s = sequencer(fixture_tree(REMEDIATION))
    s.navigate("start")
    results = {"test_1": failed(0.2), "test_2": passed(0.9), "test_3": passed(0.8),
               "test_4": passed(0.7)}  # fmt: skip
    for _step in range(8):
        s.report(s.state.current, results.get(s.state.current, READ))
        s.navigate("continue")
    shared = s.state.globals
    prefix = "com.scorm.golfsamples.sequencing.simpleremediation.20043rd."
    assert (shared[prefix + "playing_satisfied"].satisfied, shared[prefix + "playing_satisfied"]
            .measure) == (False, pytest.approx(0.2))  # fmt: skip
    assert shared[prefix + "etiquette_satisfied"].measure == pytest.approx(0.9)
    assert s.st("content_wrapper").attempts == 2

    assert _remediation_round(s, {"test_1": passed(0.6)}) == ["playing_item", "test_1", "test_4"]

    assert s.completed("content_wrapper") is True  # its second attempt: tests 2 and 3 skipped
    completed, satisfied, measure = root_result(s)
    assert (completed, satisfied) == (True, True)
    assert measure == pytest.approx((0.6 + 0.9 + 0.8 + 0.7) / 4)


# --- ADL CM-01: limit conditions ---------------------------------------------------------
def test_cm01_attempt_duration_limit_is_a_limit_on_new_attempts(fixture_tree):
    """activity_1 allows an attempt of at most P5Y6M4DT12H30M58S: a new attempt after a
    short one is fine; after an attempt that ran longer, activity_1 is used up."""
    tree = fixture_tree(CM_01)
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    s = Sequencer(tree, rng=random.Random(1), now=start)
    s.navigate("start")
    s.report("activity_1", READ)
    state = SequencingState.from_json(s.state.to_json())

    quick = Sequencer(tree, state, now=start + timedelta(hours=1))
    quick.navigate("continue")
    slow = Sequencer(tree, SequencingState.from_json(state.to_json()),
                     now=start + timedelta(days=6 * 365))  # fmt: skip
    slow.navigate("continue")

    assert quick.check_activity("activity_1") is None
    assert slow.check_activity("activity_1") == "time_limit"
    assert slow.check_activity("activity_2") is None  # it has no limit
