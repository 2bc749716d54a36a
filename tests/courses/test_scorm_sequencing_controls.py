"""SCORM 2004 sequencing, pure Python, on small manifests written here: choice constraints
(constrainChoice, preventActivation, forwardOnly and stopForwardTraversal on the path),
limit conditions with time (attemptAbsoluteDurationLimit, timeLimitExceeded), the scope of
global objectives (objectivesGlobalToSystem), information from earlier attempts of a
cluster (useCurrentAttemptObjectiveInfo) and the cmi.objectives a SCO starts with."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from courses.scorm.sequencing import AttemptReport, Sequencer, SequencingState
from tests.courses.scorm_trees import (
    FLOW,
    READ,
    built,
    cluster,
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

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
CHOICE_FLOW = '<imsss:controlMode choice="true" flow="true"/>'


def later(s: Sequencer, **delta) -> Sequencer:
    """The same learner's state, at a later moment (through JSON, as the database has it)."""
    state = SequencingState.from_json(json.loads(json.dumps(s.state.to_json())))
    return Sequencer(s.tree, state, rng=s.rng, now=s.now + timedelta(**delta))


def constrained(flag: str) -> str:
    return f'<adlseq:constrainedChoiceConsiderations {flag}="true"/>'


# --- constrainChoice ---------------------------------------------------------------------
def test_constrain_choice_only_allows_the_next_activity_in_flow():
    tree = built(
        cluster("unit_a", sco("a1") + sco("a2"), seq(CHOICE_FLOW + constrained("constrainChoice")))
        + cluster("unit_b", sco("b1"), seq(CHOICE_FLOW))
        + cluster("unit_c", sco("c1"), seq(CHOICE_FLOW)),
        FLOW,
    )
    s = sequencer(tree)
    s.navigate("start")

    assert refused(s, "choice", "c1") == "constrained_choice"
    assert toc(s)["c1"]["choice"] is False and toc(s)["b1"]["choice"] is True
    assert s.navigate("choice", "a2").deliver == "a2"  # inside the unit: free
    assert s.navigate("choice", "b1").deliver == "b1"  # the unit logically next
    assert s.navigate("choice", "c1").deliver == "c1"  # left unit_a: no constraint now


def test_constrain_choice_allows_the_previous_activity_going_back():
    tree = built(
        cluster("unit_a", sco("a1"), seq(CHOICE_FLOW))
        + cluster("unit_b", sco("b1"), seq(CHOICE_FLOW))
        + cluster("unit_c", sco("c1"), seq(CHOICE_FLOW + constrained("constrainChoice"))),
        FLOW,
    )
    s = sequencer(tree)
    s.navigate("start")
    s.navigate("jump", "c1")

    assert refused(s, "choice", "a1") == "constrained_choice"
    assert s.navigate("choice", "b1").deliver == "b1"


# --- preventActivation -------------------------------------------------------------------
def test_prevent_activation_makes_the_learner_enter_a_unit_from_its_start():
    tree = built(
        cluster("unit", sco("a1") + sco("a2"), seq(CHOICE_FLOW + constrained("preventActivation")))
        + sco("b"),
        FLOW,
    )
    s = sequencer(tree)

    assert refused(s, "choice", "a2") == "prevent_activation"  # nothing current yet
    assert refused(s, "choice", "unit") == "prevent_activation"
    assert toc(s)["a2"]["choice"] is False and toc(s)["b"]["choice"] is True
    assert s.navigate("start").deliver == "a1"  # flow enters the unit
    assert s.navigate("choice", "a2").deliver == "a2"  # the unit is active: free inside
    s.navigate("choice", "b")
    assert refused(s, "choice", "a1") == "prevent_activation"  # the unit ended


# --- Traversal checks on the path of a choice --------------------------------------------
def test_stop_forward_traversal_on_the_current_activity_blocks_choices_beyond_it():
    s = sequencer(built(sco("a", seq(pre("stopForwardTraversal"))) + sco("b") + sco("c"), FLOW))
    s.navigate("start")

    assert refused(s, "choice", "c") == "stop_forward_traversal"


def test_forward_only_forbids_going_back_among_siblings_not_into_another_branch():
    """SB.2.4 checks forwardOnly of the parent of the siblings between the current
    activity and the target; a backward choice into another branch (SB.2.9 case 5)
    only checks preventActivation."""
    forward_only = seq('<imsss:controlMode choice="true" flow="true" forwardOnly="true"/>')
    tree = built(
        cluster("unit_a", sco("a1") + sco("a2"), forward_only)
        + cluster("unit_b", sco("b1"), seq(CHOICE_FLOW)),
        forward_only,
    )
    s = sequencer(tree)
    s.navigate("start")
    s.navigate("continue")
    assert refused(s, "choice", "a1") == "forward_only"  # siblings in unit_a

    s.navigate("continue")

    assert s.state.current == "b1"
    assert refused(s, "previous") == "no_activity"
    assert s.navigate("choice", "a1").deliver == "a1"


# --- Time limits --------------------------------------------------------------------------
LIMIT = '<imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>'
TIMED = seq(LIMIT)


def test_an_attempt_that_used_its_time_limit_cannot_be_followed_by_another():
    tree = built(sco("quiz", TIMED) + sco("after"), FLOW)
    s = sequencer(tree, now=T0)
    s.navigate("start")
    s.report("quiz", failed(0.3))

    quick = later(s, minutes=20)
    quick.navigate("continue")
    slow = later(s, minutes=45)
    slow.navigate("continue")

    assert quick.navigate("choice", "quiz").new_attempt
    assert toc(slow)["quiz"]["disabled"]
    assert refused(slow, "choice", "quiz") == "time_limit"


def test_the_attempt_clock_counts_time_away_from_a_suspended_attempt():
    tree = built(sco("quiz", TIMED) + sco("after"), FLOW)
    s = sequencer(tree, now=T0)
    s.navigate("start")
    s.report("quiz", AttemptReport(completion_status="incomplete", exit="suspend"))
    s.navigate("continue")

    back = later(s, hours=2)
    resumed = back.navigate("choice", "quiz")

    assert resumed.new_attempt is False  # suspended: it resumes, whatever the clock says
    assert back.attempt_duration("quiz") == 2 * 3600
    assert back.time_limit_exceeded("quiz")


def test_time_limit_exceeded_is_a_rule_condition():
    tree = built(
        sco("quiz", seq(post("exitAll", "timeLimitExceeded") + LIMIT)) + sco("after"), FLOW
    )
    s = sequencer(tree, now=T0)
    s.navigate("start")

    in_time = later(s, minutes=29)
    too_late = later(s, minutes=31)

    assert in_time.navigate("continue").deliver == "after"
    assert too_late.navigate("continue").ended


def test_untracked_activities_have_no_limits():
    untracked = seq(
        '<imsss:limitConditions attemptLimit="1"/><imsss:deliveryControls tracked="false"/>'
    )
    s = sequencer(built(sco("a", untracked) + sco("b"), FLOW))
    s.navigate("start")
    s.navigate("continue")

    assert s.navigate("choice", "a").deliver == "a"
    assert s.st("a").attempts == 2


# --- Scope of global objectives ------------------------------------------------------------
WRITER = seq(
    '<imsss:objectives><imsss:primaryObjective objectiveID="p">'
    '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/>'
    "</imsss:primaryObjective></imsss:objectives>"
)
READER = seq(
    "<imsss:sequencingRules><imsss:preConditionRule>"
    '<imsss:ruleConditions conditionCombination="any">'
    '<imsss:ruleCondition referencedObjective="o" operator="not" condition="satisfied"/>'
    '<imsss:ruleCondition referencedObjective="o" operator="not" condition="objectiveStatusKnown"/>'
    '</imsss:ruleConditions><imsss:ruleAction action="disabled"/>'
    "</imsss:preConditionRule></imsss:sequencingRules>"
    '<imsss:objectives><imsss:primaryObjective objectiveID="q"/>'
    '<imsss:objective objectiveID="o"><imsss:mapInfo targetObjectiveID="g"/>'
    "</imsss:objective></imsss:objectives>"
)


def _finished_once(org_attrs: str) -> Sequencer:
    s = sequencer(built(sco("a", WRITER) + sco("b", READER), FLOW, org_attrs=org_attrs))
    s.navigate("start")
    s.report("a", READ)
    s.navigate("continue")
    s.report("b", READ)
    assert s.navigate("continue").ended
    return s


def test_globals_of_a_tree_not_global_to_system_end_with_its_attempt():
    s = _finished_once('adlseq:objectivesGlobalToSystem="false"')

    s.navigate("start")

    assert "g" not in s.state.globals
    assert toc(s)["b"]["disabled"]


def test_globals_global_to_system_outlive_the_attempt_on_the_tree():
    s = _finished_once("")

    s.navigate("start")

    assert s.state.globals["g"].satisfied is True
    assert not toc(s)["b"]["disabled"]


# --- Information from earlier attempts of a cluster -------------------------------------
def _retried_unit(control: str) -> Sequencer:
    by_content = seq('<imsss:deliveryControls objectiveSetByContent="true"/>')
    unit = cluster(
        "unit",
        sco("a", by_content) + sco("b", by_content),
        seq(
            f"<imsss:controlMode {control}/>"
            '<imsss:rollupRules><imsss:rollupRule childActivitySet="any">'
            '<imsss:rollupConditions><imsss:rollupCondition operator="not" condition="satisfied"/>'
            '</imsss:rollupConditions><imsss:rollupAction action="notSatisfied"/>'
            "</imsss:rollupRule></imsss:rollupRules>"
        ),
    )
    s = sequencer(built(unit + sco("c"), FLOW))
    s.navigate("start")
    s.report("a", passed(1.0))
    s.navigate("continue")
    s.report("b", failed(0.0))
    assert s.satisfied("unit") is False
    s.navigate("choice", "c")
    s.navigate("choice", "unit")  # a new attempt on the unit, starting at a
    assert s.st("unit").attempts == 2 and s.state.current == "a"
    return s


def test_a_new_attempt_on_a_cluster_ignores_what_its_children_did_before():
    s = _retried_unit('choice="true" flow="true"')

    assert s.satisfied("b") is None  # b failed in the unit's first attempt
    assert s.satisfied("unit") is None


def test_earlier_attempts_count_when_the_cluster_says_so():
    s = _retried_unit('choice="true" flow="true" useCurrentAttemptObjectiveInfo="false"')

    assert s.satisfied("b") is False
    assert s.satisfied("unit") is False


# --- cmi.objectives a SCO starts with ------------------------------------------------------
def test_a_sco_starts_with_what_its_objectives_read_from_globals():
    writer = seq(
        '<imsss:objectives><imsss:primaryObjective objectiveID="p">'
        '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true" '
        'writeNormalizedMeasure="true"/></imsss:primaryObjective></imsss:objectives>'
    )
    reader = seq(
        '<imsss:objectives><imsss:primaryObjective objectiveID="own"/>'
        '<imsss:objective objectiveID="shared"><imsss:mapInfo targetObjectiveID="g"/>'
        '</imsss:objective><imsss:objective objectiveID="blind">'
        '<imsss:mapInfo targetObjectiveID="g" readSatisfiedStatus="false" '
        'readNormalizedMeasure="false"/></imsss:objective></imsss:objectives>'
    )
    s = sequencer(built(sco("a", writer) + sco("b", reader), FLOW))
    s.navigate("start")
    assert s.objective_values("b") == {}
    s.report("a", passed(0.85))

    s.navigate("continue")

    assert s.objective_values("b") == {
        "shared": {"success_status": "passed", "score.scaled": "0.85"}
    }
