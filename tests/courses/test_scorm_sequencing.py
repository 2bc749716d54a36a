"""SCORM 2004 sequencing (courses.scorm.sequencing), pure Python: the activity tree and
its state, then each control mode, rule kind, limit, rollup and navigation request on
small manifests written here. The behaviours of the sequencing packages in
../shared/fixtures/scorm2004 are in test_scorm_sequencing_packages.py; choice
constraints, time limits and the scope of global objectives in
test_scorm_sequencing_controls.py."""

from __future__ import annotations

import json
import zipfile

import pytest

from courses.scorm.manifest import parse_manifest
from courses.scorm.sequencing import (
    ActivityTree,
    AttemptReport,
    ObjectiveReport,
    SequencingState,
    tree_definition,
)
from tests.courses.scorm_trees import (
    FLOW,
    READ,
    built,
    failed,
    passed,
    post,
    pre,
    refused,
    sco,
    seq,
    sequencer,
    toc,
)

FORCED = "scorm2004/SequencingForcedSequential_SCORM20043rdEdition.zip"
POST_TEST = "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"
RANDOM_TEST = "scorm2004/SequencingRandomTest_SCORM20043rdEdition.zip"
REMEDIATION = "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition.zip"
SEQUENCING_FIXTURES = (FORCED, POST_TEST, RANDOM_TEST, REMEDIATION)

DONE_4TH = AttemptReport(completion_status="completed", progress_measure=1.0, exit="suspend")


@pytest.fixture
def fixture_tree(shared_fixture):
    def load(relative: str) -> ActivityTree:
        with zipfile.ZipFile(shared_fixture(relative)) as package:
            manifest = parse_manifest(data=package.read("imsmanifest.xml"))
        return ActivityTree.from_manifest(manifest)

    return load


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


# --- Control modes -------------------------------------------------------------------------
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
