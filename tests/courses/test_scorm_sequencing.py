"""SCORM 2004 sequencing (courses.scorm.sequencing), pure Python: the behaviours of the
sequencing packages in ../shared/fixtures/scorm2004, then each control mode, rule kind,
limit, rollup and navigation request on small manifests written here."""

from __future__ import annotations

import json
import random
import zipfile

import pytest

from courses.scorm.manifest import parse_manifest
from courses.scorm.sequencing import (
    ActivityTree,
    AttemptReport,
    ObjectiveReport,
    Sequencer,
    SequencingError,
    SequencingState,
    tree_definition,
)

FORCED = "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"
POST_TEST = "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"
RANDOM_TEST = "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip"
REMEDIATION = "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip"
SEQUENCING_FIXTURES = (FORCED, POST_TEST, RANDOM_TEST, REMEDIATION)

PASSED = AttemptReport(completion_status="completed", success_status="passed", exit="suspend")
READ = AttemptReport(completion_status="completed", success_status="passed")
DONE_4TH = AttemptReport(completion_status="completed", progress_measure=1.0, exit="suspend")


def failed(score: float) -> AttemptReport:
    return AttemptReport(completion_status="completed", success_status="failed", score_scaled=score)


def passed(score: float) -> AttemptReport:
    return AttemptReport(completion_status="completed", success_status="passed", score_scaled=score)


@pytest.fixture
def fixture_tree(shared_fixture):
    def load(relative: str) -> ActivityTree:
        with zipfile.ZipFile(shared_fixture(relative)) as package:
            manifest = parse_manifest(data=package.read("imsmanifest.xml"))
        return ActivityTree.from_manifest(manifest)

    return load


def sequencer(tree: ActivityTree, seed: int = 7) -> Sequencer:
    return Sequencer(tree, rng=random.Random(seed))


def toc(s: Sequencer) -> dict[str, dict]:
    return {entry["id"]: entry for entry in s.navigation().toc}


def root_result(s: Sequencer) -> tuple:
    root = s.tree.root
    return s.completed(root), s.satisfied(root), s.measure(root)


def refused(s: Sequencer, request: str, target: str | None = None) -> str:
    before = s.state.to_json()
    with pytest.raises(SequencingError) as error:
        s.navigate(request, target)
    assert s.state.to_json() == before, "a refused request changes nothing"
    return error.value.code


# --- The activity tree ---------------------------------------------------------------------
@pytest.mark.parametrize("relative", SEQUENCING_FIXTURES)
def test_the_stored_definition_gives_back_the_same_tree(fixture_tree, shared_fixture, relative):
    with zipfile.ZipFile(shared_fixture(relative)) as package:
        manifest = parse_manifest(data=package.read("imsmanifest.xml"))
    tree = ActivityTree.from_manifest(manifest)

    stored = ActivityTree.from_definition(json.loads(json.dumps(tree_definition(manifest))))

    assert stored.preorder() == tree.preorder()
    for identifier in tree.preorder():
        assert stored[identifier] == tree[identifier]


def test_the_state_survives_json(fixture_tree):
    s = sequencer(fixture_tree(RANDOM_TEST))
    s.navigate("start")
    s.report("playing_item", failed(0.0))

    again = SequencingState.from_json(json.loads(json.dumps(s.state.to_json())))

    assert again.to_json() == s.state.to_json()
    assert again.activity("playing_item").objective("#primary").satisfied is False


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


# --- Control modes -------------------------------------------------------------------------
HEAD = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Course</title>
"""


def built(items: str, org_sequencing: str = "", *, scos: tuple[str, ...] = ()) -> ActivityTree:
    names = scos or tuple(part.split('"')[0] for part in items.split('identifierref="r_')[1:])
    resources = "".join(
        f'<resource identifier="r_{n}" type="webcontent" adlcp:scormType="sco" href="{n}.html">'
        f'<file href="{n}.html"/></resource>'
        for n in names
    )
    xml = (
        f"{HEAD}{items}{org_sequencing}</organization></organizations>"
        f"<resources>{resources}</resources></manifest>"
    )
    return ActivityTree.from_manifest(parse_manifest(data=xml.encode()))


def sco(name: str, sequencing: str = "") -> str:
    return f'<item identifier="{name}" identifierref="r_{name}"><title>{name}</title>{sequencing}</item>'  # noqa: E501


def seq(inner: str) -> str:
    return f"<imsss:sequencing>{inner}</imsss:sequencing>"


FLOW = seq('<imsss:controlMode choice="true" flow="true"/>')


def test_without_flow_next_and_previous_are_refused_and_start_opens_the_first_item():
    s = sequencer(built(sco("a") + sco("b")))  # the IMS SS defaults: choice, no flow

    assert s.navigate("start").deliver == "a"

    assert refused(s, "continue") == "flow_not_allowed"
    assert s.navigation().valid["continue"] is False
    assert s.navigate("choice", "b").deliver == "b"


def test_flow_goes_forward_and_back():
    s = sequencer(built(sco("a") + sco("b") + sco("c"), FLOW))
    s.navigate("start")

    assert s.navigate("continue").deliver == "b"
    assert s.navigate("previous").deliver == "a"
    assert refused(s, "previous") == "no_activity"


def test_forward_only_refuses_previous_and_backward_choice():
    s = sequencer(
        built(
            sco("a") + sco("b"),
            seq('<imsss:controlMode choice="true" flow="true" forwardOnly="true"/>'),
        )
    )
    s.navigate("start")
    s.navigate("continue")

    assert refused(s, "previous") == "forward_only"
    assert refused(s, "choice", "a") == "forward_only"
    assert s.navigation().valid["previous"] is False


def test_choice_off_refuses_choice_but_flow_still_works():
    s = sequencer(
        built(sco("a") + sco("b"), seq('<imsss:controlMode choice="false" flow="true"/>'))
    )
    s.navigate("start")

    assert refused(s, "choice", "b") == "choice_not_allowed"
    assert s.navigate("continue").deliver == "b"


def test_choice_exit_false_keeps_the_learner_inside_the_cluster():
    cluster = (
        '<item identifier="unit"><title>Unit</title>'
        + sco("a")
        + sco("b")
        + seq('<imsss:controlMode choice="true" flow="true" choiceExit="false"/>')
        + "</item>"
    )
    s = sequencer(built(cluster + sco("c"), FLOW))
    s.navigate("start")

    assert refused(s, "choice", "c") == "choice_exit"
    assert s.navigate("choice", "b").deliver == "b"  # inside the cluster it is fine


# --- Rules and limits -------------------------------------------------------------------------
def pre(action: str, condition: str = "always", extra: str = "") -> str:
    return (
        "<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
        f'<imsss:ruleCondition condition="{condition}" {extra}/></imsss:ruleConditions>'
        f'<imsss:ruleAction action="{action}"/></imsss:preConditionRule></imsss:sequencingRules>'
    )


def post(action: str, condition: str = "always", operator: str = "noOp") -> str:
    return (
        "<imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions>"
        f'<imsss:ruleCondition condition="{condition}" operator="{operator}"/>'
        f'</imsss:ruleConditions><imsss:ruleAction action="{action}"/>'
        "</imsss:postConditionRule></imsss:sequencingRules>"
    )


def test_skip_rules_apply_in_flow_only():
    s = sequencer(built(sco("a") + sco("b", seq(pre("skip"))) + sco("c"), FLOW))
    s.navigate("start")

    assert s.navigate("continue").deliver == "c"
    assert s.navigate("choice", "b").deliver == "b"


def test_hidden_from_choice_items_are_hidden_in_the_contents():
    s = sequencer(built(sco("a") + sco("b", seq(pre("hiddenFromChoice"))), FLOW))
    s.navigate("start")

    assert toc(s)["b"]["hidden"] and not toc(s)["b"]["choice"]
    assert refused(s, "choice", "b") == "hidden"
    assert s.navigate("continue").deliver == "b"


def test_an_attempt_limit_disables_the_activity_once_used():
    s = sequencer(
        built(sco("a", seq('<imsss:limitConditions attemptLimit="1"/>')) + sco("b"), FLOW)
    )
    s.navigate("start")
    s.report("a", READ)
    s.navigate("continue")

    assert toc(s)["a"]["disabled"]
    assert refused(s, "choice", "a") == "attempt_limit"


def test_post_condition_retry_repeats_the_activity_until_it_is_passed():
    tree = built(
        sco("quiz", seq(post("retry", "satisfied", "not"))) + sco("after"),
        FLOW,
    )
    s = sequencer(tree)
    s.navigate("start")
    s.report("quiz", failed(0.1))

    again = s.navigate("continue")

    assert (again.deliver, again.new_attempt) == ("quiz", True)
    assert s.st("quiz").attempts == 2
    s.report("quiz", passed(0.9))
    assert s.navigate("continue").deliver == "after"


def test_post_condition_previous_and_exit_all():
    s = sequencer(built(sco("a") + sco("b", seq(post("previous"))) + sco("c"), FLOW))
    s.navigate("start")
    s.navigate("continue")
    assert s.navigate("continue").deliver == "a"

    s = sequencer(built(sco("a", seq(post("exitAll"))) + sco("b"), FLOW))
    s.navigate("start")
    assert s.navigate("continue").ended


def test_exit_condition_rules_end_the_cluster():
    by_content = seq('<imsss:deliveryControls objectiveSetByContent="true"/>')
    unit = (
        '<item identifier="unit"><title>Unit</title>'
        + sco("a", by_content)
        + sco("b", by_content)
        + seq(
            '<imsss:controlMode choice="true" flow="true"/>'
            "<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions>"
            '<imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>'
            '<imsss:ruleAction action="exit"/></imsss:exitConditionRule></imsss:sequencingRules>'
            '<imsss:rollupRules><imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
            '<imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>'
            '<imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules>'
        )
        + "</item>"
    )
    s = sequencer(built(unit + sco("c"), FLOW))
    s.navigate("start")
    s.report("a", failed(0.1))
    assert s.navigate("continue").deliver == "b"  # the unit is not satisfied: no exit
    s.navigate("choice", "a")
    s.report("a", READ)  # now the unit is satisfied: leaving a exits the unit

    nxt = s.navigate("continue")

    assert nxt.deliver == "c"  # b is passed over
    assert not s.st("unit").active


# --- Rollup ----------------------------------------------------------------------------------
def test_measure_rollup_is_weighted_and_satisfaction_by_measure():
    root_seq = seq(
        '<imsss:controlMode choice="true" flow="true"/>'
        '<imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
        "<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective></imsss:objectives>"
    )
    heavy = seq('<imsss:rollupRules objectiveMeasureWeight="3"/>')
    s = sequencer(built(sco("a") + sco("b", heavy), root_seq))
    s.navigate("start")
    s.report("a", passed(1.0))
    s.navigate("continue")
    s.report("b", failed(0.4))

    assert s.measure(s.tree.root) == pytest.approx((1.0 + 3 * 0.4) / 4)
    assert s.satisfied(s.tree.root) is False  # 0.55 < 0.6


def test_rollup_rules_and_contribution_flags():
    root_seq = seq(
        '<imsss:controlMode choice="true" flow="true"/>'
        '<imsss:rollupRules><imsss:rollupRule childActivitySet="atLeastCount" minimumCount="1">'
        '<imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/>'
        '</imsss:rollupConditions><imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
        "</imsss:rollupRules>"
    )
    ignored = seq('<imsss:rollupRules rollupObjectiveSatisfied="false"/>')
    s = sequencer(built(sco("a", ignored) + sco("b"), root_seq))
    s.navigate("start")
    s.report("a", passed(1.0))

    assert s.satisfied(s.tree.root) is None  # a does not count
    s.navigate("continue")
    s.report("b", passed(1.0))
    assert s.satisfied(s.tree.root) is True


def test_objectives_read_and_write_global_objectives():
    writer = seq(
        '<imsss:objectives><imsss:primaryObjective objectiveID="p">'
        '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/>'
        "</imsss:primaryObjective></imsss:objectives>"
    )
    reader = seq(
        pre("skip", "satisfied", 'referencedObjective="o"')
        + '<imsss:objectives><imsss:primaryObjective objectiveID="q"/>'
        '<imsss:objective objectiveID="o"><imsss:mapInfo targetObjectiveID="g"/>'
        "</imsss:objective></imsss:objectives>"
    )
    s = sequencer(built(sco("a", writer) + sco("b", reader) + sco("c"), FLOW))
    s.navigate("start")
    s.report("a", passed(1.0))

    assert s.state.globals["g"].satisfied is True
    assert s.navigate("continue").deliver == "c"  # b reads g and skips


def test_cmi_objectives_feed_their_activity_objectives():
    tree = built(
        sco(
            "a",
            seq(
                '<imsss:objectives><imsss:primaryObjective objectiveID="main"/>'
                '<imsss:objective objectiveID="extra"><imsss:mapInfo targetObjectiveID="x" '
                'writeSatisfiedStatus="true"/></imsss:objective></imsss:objectives>'
            ),
        )
    )
    s = sequencer(tree)
    s.navigate("start")

    s.report("a", AttemptReport(objectives=(ObjectiveReport("extra", success_status="passed"),)))

    assert s.satisfied("a", "extra") is True
    assert s.state.globals["x"].satisfied is True


def test_content_that_sets_nothing_is_completed_when_it_ends():
    s = sequencer(built(sco("a") + sco("b"), FLOW))  # completionSetByContent false
    s.navigate("start")

    s.navigate("continue")

    assert s.completed("a") is True and s.satisfied("a") is True


# --- Selection ---------------------------------------------------------------------------
def test_select_count_picks_children_once_per_attempt():
    bank = (
        '<item identifier="bank"><title>Bank</title>'
        + "".join(sco(f"q{n}") for n in range(5))
        + seq(
            '<imsss:controlMode choice="false" flow="true"/>'
            '<imsss:randomizationControls selectCount="2" selectionTiming="onEachNewAttempt"/>'
        )
        + "</item>"
    )
    s = sequencer(built(bank, FLOW), seed=11)
    s.navigate("start")

    chosen = s.st("bank").children
    assert len(chosen) == 2 and chosen == sorted(chosen)  # document order kept
    assert [e["id"] for e in s.navigation().toc if e["leaf"]] == chosen
    assert s.state.current == chosen[0]
    assert s.st("bank").children == chosen


# --- Navigation requests from the content --------------------------------------------------
def test_suspend_all_then_start_resumes_where_the_learner_was():
    s = sequencer(built(sco("a") + sco("b"), FLOW))
    s.navigate("start")
    s.navigate("continue")

    out = s.navigate("suspendAll")

    assert out.ended and out.suspended and s.state.suspended == "b"
    back = s.navigate("start")
    assert (back.deliver, back.new_attempt) == ("b", False)
    assert s.state.suspended is None


def test_exit_all_ends_and_exit_leaves_nothing_open():
    s = sequencer(built(sco("a") + sco("b"), FLOW))
    s.navigate("start")

    out = s.navigate("exit")
    assert out.deliver is None and not out.ended
    assert s.navigation().valid["continue"] is True

    assert s.navigate("exitAll").ended
    assert not any(state.active for state in s.state.activities.values())


def test_retry_restarts_the_current_item_as_a_new_attempt():
    s = sequencer(built(sco("a")))
    s.navigate("start")
    s.report("a", AttemptReport(completion_status="incomplete", exit="suspend"))

    again = s.navigate("retry")

    assert (again.deliver, again.new_attempt) == ("a", True)
    assert s.st("a").attempts == 2


def test_unknown_requests_and_targets_are_refused():
    s = sequencer(built(sco("a")))
    s.navigate("start")
    assert refused(s, "teleport") == "unknown_request"
    assert refused(s, "choice", "nowhere") == "unknown_target"
