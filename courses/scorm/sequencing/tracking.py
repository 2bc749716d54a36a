"""Tracking status of activities: objective maps to global objectives, sequencing rule
conditions, rollup (SCORM 2004 SN book, "UP" and "RB" processes) and the SCO's report.

Reads go through ``mapInfo``: an objective that reads a global objective takes the
global's value when the global's status is known, its own otherwise. Writes happen when
an objective's status is set (from the SCO's data or by rollup), and only known values
are written.

An activity's own (local) values count only while they belong to the current attempt of
its parent when the parent asks for it (``useCurrentAttemptObjectiveInfo`` and
``useCurrentAttemptProgressInfo``, both true by default): after a cluster starts a new
attempt (a ``retry``, or a new attempt on the whole course), what its children recorded
in earlier attempts reads as unknown in rules and rollup until each child is attempted
again. Values read from a global objective are not tied to an attempt and always count.

Rule and rollup conditions are three-valued (True, False, None for unknown): ``not`` of
unknown stays unknown, and a rule fires only when its conditions are True, which is why
packages write ``not satisfied`` *or* ``not objectiveStatusKnown``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from courses.scorm.manifest.sequencing import (
    RollupCondition,
    RollupRule,
    RuleCondition,
    SequencingRule,
)
from courses.scorm.sequencing.limits import Limits
from courses.scorm.sequencing.state import ActivityState, ObjectiveState, SequencingState
from courses.scorm.sequencing.tree import Activity, ActivityTree

_DEFAULT_SATISFACTION = (
    RollupRule(action="notSatisfied", conditions=(RollupCondition("objectiveStatusKnown"),)),
    RollupRule(action="satisfied", conditions=(RollupCondition("satisfied"),)),
)
_DEFAULT_COMPLETION = (
    RollupRule(action="incomplete", conditions=(RollupCondition("activityProgressKnown"),)),
    RollupRule(action="completed", conditions=(RollupCondition("completed"),)),
)
_REQUIRED_FOR = {
    "satisfied": "required_for_satisfied",
    "notSatisfied": "required_for_not_satisfied",
    "completed": "required_for_completed",
    "incomplete": "required_for_incomplete",
}


@dataclass(frozen=True)
class ObjectiveReport:
    """What a SCO says about one of its ``cmi.objectives``."""

    identifier: str
    success_status: str = "unknown"
    completion_status: str = "unknown"
    score_scaled: float | None = None
    progress_measure: float | None = None


@dataclass(frozen=True)
class AttemptReport:
    """What the LMS takes from a SCO's CMI data into the activity's tracking status."""

    completion_status: str = "unknown"
    success_status: str = "unknown"
    score_scaled: float | None = None
    progress_measure: float | None = None
    exit: str = ""
    objectives: tuple[ObjectiveReport, ...] = ()


def _status(value: str) -> bool | None:
    return {"completed": True, "incomplete": False, "not attempted": False}.get(value)


def _success(value: str) -> bool | None:
    return {"passed": True, "failed": False}.get(value)


def _combine(values: Iterable[bool | None], combination: str) -> bool | None:
    values = list(values)
    if combination == "any":
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _number(value: float) -> str:
    """A CMI real(10,7) as text: ``0.85``, ``1``, ``-0.5``."""
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class Tracker(Limits):
    """Status reads and writes, rule evaluation and rollup over one tree and one state.

    ``now`` is the moment the request happens (attempt clocks and time limits)."""

    def __init__(
        self,
        tree: ActivityTree,
        state: SequencingState | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        self.tree = tree
        self.state = state or SequencingState()
        self.now = now or datetime.now(UTC)

    # --- Plain accessors ---------------------------------------------------------------
    def st(self, identifier: str) -> ActivityState:
        return self.state.activity(identifier)

    def children(self, identifier: str) -> list[str]:
        """Available children in their order for the current (or last) attempt."""
        drawn = self.state.activities.get(identifier)
        if drawn is not None and drawn.children is not None:
            return list(drawn.children)
        return list(self.tree[identifier].children)

    @staticmethod
    def _key(activity: Activity, referenced: str | None) -> str:
        """The state key of a rule's referenced objective (the primary one by default)."""
        if referenced and activity.objective(referenced) is not None:
            return referenced
        return activity.primary_key

    # --- Objective reads through mapInfo -------------------------------------------------
    def _maps(self, activity: Activity, key: str):
        objective = activity.objective(key)
        return objective.map_info if objective is not None else ()

    def fresh(self, identifier: str, *, progress: bool = False) -> bool:
        """Whether the activity's own objective (or, with ``progress``, attempt progress)
        information belongs to the current attempt of its parent, or the parent does not
        care (``useCurrentAttempt…Info`` false)."""
        parent = self.tree.parent(identifier)
        if parent is None:
            return True
        control = self.tree[parent].control
        wanted = (
            control.use_current_attempt_progress_info
            if progress
            else control.use_current_attempt_objective_info
        )
        began = self.st(identifier).parent_attempt
        return not wanted or began is None or began == self.st(parent).attempts

    def _shared(self, activity: Activity, key: str, flag: str, value: str):
        for info in self._maps(activity, key):
            if getattr(info, flag):
                shared = self.state.globals.get(info.target_objective_id)
                if shared is not None and getattr(shared, value) is not None:
                    return getattr(shared, value)
        return None

    def satisfied(self, identifier: str, key: str | None = None) -> bool | None:
        activity = self.tree[identifier]
        key = key or activity.primary_key
        shared = self._shared(activity, key, "read_satisfied_status", "satisfied")
        if shared is not None or not self.fresh(identifier):
            return shared
        return self.st(identifier).objective(key).satisfied

    def measure(self, identifier: str, key: str | None = None) -> float | None:
        activity = self.tree[identifier]
        key = key or activity.primary_key
        shared = self._shared(activity, key, "read_normalized_measure", "measure")
        if shared is not None or not self.fresh(identifier):
            return shared
        return self.st(identifier).objective(key).measure

    def completed(self, identifier: str, key: str | None = None) -> bool | None:
        """Attempt completion of the activity, or (4th edition) of a non-primary objective."""
        activity = self.tree[identifier]
        key = key or activity.primary_key
        shared = self._shared(activity, key, "read_completion_status", "completed")
        if shared is not None or not self.fresh(identifier, progress=True):
            return shared
        if key == activity.primary_key:
            return self.st(identifier).completed
        return self.st(identifier).objective(key).completed

    def progress(self, identifier: str, key: str | None = None) -> float | None:
        activity = self.tree[identifier]
        key = key or activity.primary_key
        shared = self._shared(activity, key, "read_progress_measure", "progress")
        if shared is not None or not self.fresh(identifier, progress=True):
            return shared
        if key == activity.primary_key:
            return self.st(identifier).progress
        return self.st(identifier).objective(key).progress

    def objective_values(self, identifier: str) -> dict[str, dict[str, str]]:
        """The ``cmi.objectives`` values a SCO starts an attempt with, by objective id: what
        its declared objectives know (through their global objectives), as CMI values."""
        activity = self.tree[identifier]
        values: dict[str, dict[str, str]] = {}
        for objective in activity.sequencing.objectives:
            key = objective.objective_id
            if not key:
                continue
            known: dict[str, str] = {}
            satisfied = self.satisfied(identifier, key)
            if satisfied is not None:
                known["success_status"] = "passed" if satisfied else "failed"
            measure = self.measure(identifier, key)
            if measure is not None:
                known["score.scaled"] = _number(measure)
            completed = self.completed(identifier, key)
            if completed is not None:
                known["completion_status"] = "completed" if completed else "incomplete"
            progress = self.progress(identifier, key)
            if progress is not None:
                known["progress_measure"] = _number(progress)
            if known:
                values[key] = known
        return values

    # --- Writes ----------------------------------------------------------------------------
    def write_globals(self, identifier: str, key: str | None = None) -> None:
        """Copy an objective's known local values to the globals it writes."""
        activity = self.tree[identifier]
        keys = [key] if key else activity.objective_keys()
        state = self.st(identifier)
        for objective_key in keys:
            local = state.objective(objective_key)
            completed = state.completed if objective_key == activity.primary_key else None
            progress = state.progress if objective_key == activity.primary_key else None
            completed = local.completed if completed is None else completed
            progress = local.progress if progress is None else progress
            for info in self._maps(activity, objective_key):
                shared = self.state.global_objective(info.target_objective_id)
                if info.write_satisfied_status and local.satisfied is not None:
                    shared.satisfied = local.satisfied
                if info.write_normalized_measure and local.measure is not None:
                    shared.measure = local.measure
                if info.write_completion_status and completed is not None:
                    shared.completed = completed
                if info.write_progress_measure and progress is not None:
                    shared.progress = progress

    def report(self, identifier: str, report: AttemptReport) -> None:
        """Take a SCO's CMI data into its activity's status (RTE → tracking model)."""
        activity = self.tree[identifier]
        if not activity.tracked:
            return
        state = self.st(identifier)
        state.completed = _status(report.completion_status)
        state.progress = report.progress_measure
        state.exit_suspend = report.exit == "suspend"
        primary = state.objective(activity.primary_key)
        primary.satisfied = _success(report.success_status)
        primary.measure = report.score_scaled
        primary.completed = state.completed
        primary.progress = state.progress
        keys = set(activity.objective_keys())
        for objective in report.objectives:
            if objective.identifier not in keys or objective.identifier == activity.primary_key:
                continue
            local = state.objective(objective.identifier)
            local.satisfied = _success(objective.success_status)
            local.measure = objective.score_scaled
            local.completed = _status(objective.completion_status)
            local.progress = objective.progress_measure
        self.write_globals(identifier)
        self.rollup()

    # --- Sequencing rule conditions ----------------------------------------------------
    def condition(self, identifier: str, condition: RuleCondition | RollupCondition) -> bool | None:
        activity = self.tree[identifier]
        state = self.st(identifier)
        name = condition.condition
        referenced = getattr(condition, "referenced_objective", None)
        key = self._key(activity, referenced)
        value: bool | None
        if name == "satisfied":
            value = self.satisfied(identifier, key)
        elif name == "objectiveStatusKnown":
            value = self.satisfied(identifier, key) is not None
        elif name == "objectiveMeasureKnown":
            value = self.measure(identifier, key) is not None
        elif name in ("objectiveMeasureGreaterThan", "objectiveMeasureLessThan"):
            measure = self.measure(identifier, key)
            threshold = getattr(condition, "measure_threshold", None) or 0.0
            if measure is None:
                value = None
            else:
                value = measure > threshold if name.endswith("GreaterThan") else measure < threshold
        elif name == "completed":
            value = self.completed(identifier, key if referenced else None)
        elif name == "activityProgressKnown":
            value = self.completed(identifier, key if referenced else None) is not None
        elif name == "attempted":
            value = state.attempts > 0
        elif name == "attemptLimitExceeded":
            limit = activity.sequencing.limit_conditions.attempt_limit
            value = bool(limit) and state.attempts >= limit
        elif name == "always":
            value = True
        elif name == "never":
            value = False
        elif name == "timeLimitExceeded":
            value = self.time_limit_exceeded(identifier)
        else:  # outsideAvailableTimeRange: SCORM has no begin/end time limits
            value = False
        if condition.operator == "not" and value is not None:
            value = not value
        return value

    def rule_fires(self, identifier: str, rule: SequencingRule) -> bool:
        values = (self.condition(identifier, c) for c in rule.conditions)
        return _combine(values, rule.condition_combination) is True

    def rule_action(self, identifier: str, kind: str, actions: Iterable[str]) -> str | None:
        """The action of the first ``kind`` (pre, exit, post) rule that fires among
        ``actions``, or None."""
        wanted = set(actions)
        rules: tuple[SequencingRule, ...] = getattr(
            self.tree[identifier].sequencing, f"{kind}_condition_rules"
        )
        for rule in rules:
            if rule.action in wanted and self.rule_fires(identifier, rule):
                return rule.action
        return None

    # --- Rollup ------------------------------------------------------------------------
    def rollup(self) -> None:
        """Roll statuses up the whole tree, children before parents (RB.1.5)."""
        for identifier in reversed(self.tree.preorder()):
            if not self.tree[identifier].is_leaf:
                self._rollup_cluster(identifier)

    def _contributes(self, child: str, rule: RollupRule) -> bool:
        activity = self.tree[child]
        if not activity.tracked:
            return False
        rules = activity.sequencing.rollup_rules
        if rule.action in ("satisfied", "notSatisfied"):
            if not rules.rollup_objective_satisfied:
                return False
        elif not rules.rollup_progress_completion:
            return False
        consider = getattr(activity.sequencing.rollup_considerations, _REQUIRED_FOR[rule.action])
        state = self.st(child)
        if consider == "ifAttempted":
            return state.attempts > 0
        if consider == "ifNotSuspended":
            return not (state.attempts > 0 and state.suspended)
        if consider == "ifNotSkipped":
            return self.rule_action(child, "pre", ("skip",)) is None
        return True

    def _rule_applies(self, identifier: str, rule: RollupRule) -> bool:
        results = []
        for child in self.children(identifier):
            if not self._contributes(child, rule):
                continue
            values = (self.condition(child, c) for c in rule.conditions)
            results.append(_combine(values, rule.condition_combination))
        if not results:
            return False
        hits = sum(1 for r in results if r is True)
        kind = rule.child_activity_set
        if kind == "all":
            return hits == len(results)
        if kind == "any":
            return hits > 0
        if kind == "none":
            return all(r is False for r in results)
        if kind == "atLeastCount":
            return hits >= max(rule.minimum_count, 0) and any(r is not None for r in results)
        if kind == "atLeastPercent":
            return hits / len(results) >= rule.minimum_percent
        return False

    def _rollup_cluster(self, identifier: str) -> None:
        activity = self.tree[identifier]
        state = self.st(identifier)
        primary = state.objective(activity.primary_key)
        children = [c for c in self.children(identifier) if self.tree[c].tracked]
        # Measure (RB.1.1): weighted average of the children's measures.
        total = counted = 0.0
        known = False
        for child in children:
            weight = self.tree[child].sequencing.rollup_rules.objective_measure_weight
            if weight > 0:
                counted += weight
                measure = self.measure(child)
                if measure is not None:
                    known = True
                    total += weight * measure
        primary.measure = total / counted if known and counted > 0 else None
        # Progress measure (4th edition): weighted by the children's progress weights.
        total = counted = 0.0
        known = False
        for child in children:
            weight = self.tree[child].progress_weight
            if weight > 0:
                counted += weight
                progress = self.progress(child)
                if progress is not None:
                    known = True
                    total += weight * progress
        if known and counted > 0:
            state.progress = total / counted
        # Objective (RB.1.2): by measure, or by the rules (defaults when none is written).
        objective = activity.primary
        key = activity.primary_key
        if objective.satisfied_by_measure:
            measure = self._shared(activity, key, "read_normalized_measure", "measure")
            measure = primary.measure if measure is None else measure
            primary.satisfied = (
                None if measure is None else measure >= objective.min_normalized_measure
            )
        else:
            self._apply(identifier, primary, ("satisfied", "notSatisfied"), _DEFAULT_SATISFACTION)
        # Activity progress (RB.1.3).
        if activity.completed_by_measure:
            progress = self._shared(activity, key, "read_progress_measure", "progress")
            progress = state.progress if progress is None else progress
            state.completed = (
                None if progress is None else progress >= activity.min_progress_measure
            )
        else:
            self._apply(identifier, primary, ("completed", "incomplete"), _DEFAULT_COMPLETION)
        primary.completed = state.completed
        primary.progress = state.progress
        if self.fresh(identifier):  # a cluster left from an earlier attempt writes nothing
            self.write_globals(identifier, activity.primary_key)

    def _apply(self, identifier, primary: ObjectiveState, actions, defaults) -> None:
        rules = [
            r for r in self.tree[identifier].sequencing.rollup_rules.rules if r.action in actions
        ] or list(defaults)
        negative, positive = actions[1], actions[0]
        fired = {
            action: any(self._rule_applies(identifier, r) for r in rules if r.action == action)
            for action in actions
        }
        if positive == "satisfied":
            if fired[positive]:
                primary.satisfied = True
            elif fired[negative]:
                primary.satisfied = False
        elif fired[positive]:
            self.st(identifier).completed = True
        elif fired[negative]:
            self.st(identifier).completed = False
