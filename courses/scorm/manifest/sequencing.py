"""IMS Simple Sequencing (``imsss:sequencing``) as used by SCORM 2004, parsed to dataclasses.

Defaults are the ones of the IMS SS information model (SCORM 2004 SN book, section 3), so a
missing attribute and an attribute written with its default value give the same object.

``<imsss:sequencing IDRef="X">`` combines the shared definition ``X`` of
``<imsss:sequencingCollection>`` with what the item writes itself: each top-level child the
item writes (controlMode, sequencingRules, objectives…) replaces the shared one, and the
others come from the collection (SCORM 2004 CAM "Sequencing Collection"). :func:`merge`
does that on the per-child dictionaries returned by :func:`parse_sequencing_parts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from courses.scorm.datamodel.timeutil import parse_duration_2004
from courses.scorm.manifest.xmlutil import (
    ADLSEQ,
    IMSSS,
    attr,
    bool_attr,
    child,
    children,
    family,
    float_attr,
    int_attr,
    split_tag,
    text_of,
)


@dataclass(frozen=True)
class ControlMode:
    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True)
class RuleCondition:
    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float | None = None


@dataclass(frozen=True)
class SequencingRule:
    """A pre-, exit- or post-condition rule: when the conditions hold, do ``action``."""

    action: str
    conditions: tuple[RuleCondition, ...]
    condition_combination: str = "all"


@dataclass(frozen=True)
class LimitConditions:
    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None


@dataclass(frozen=True)
class RollupCondition:
    condition: str
    operator: str = "noOp"


@dataclass(frozen=True)
class RollupRule:
    action: str
    conditions: tuple[RollupCondition, ...]
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"


@dataclass(frozen=True)
class RollupRules:
    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0
    rules: tuple[RollupRule, ...] = ()


@dataclass(frozen=True)
class MapInfo:
    """``imsss:mapInfo`` (and the 4th edition ``adlseq:mapInfo`` extension flags)."""

    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False
    # adlseq:mapInfo (4th edition)
    read_completion_status: bool = False
    write_completion_status: bool = False
    read_progress_measure: bool = False
    write_progress_measure: bool = False
    read_raw_score: bool = False
    write_raw_score: bool = False
    read_min_score: bool = False
    write_min_score: bool = False
    read_max_score: bool = False
    write_max_score: bool = False


@dataclass(frozen=True)
class Objective:
    objective_id: str | None
    primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    map_info: tuple[MapInfo, ...] = ()


@dataclass(frozen=True)
class RandomizationControls:
    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass(frozen=True)
class DeliveryControls:
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass(frozen=True)
class RollupConsiderations:
    """``adlseq:rollupConsiderations``."""

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass(frozen=True)
class ConstrainedChoiceConsiderations:
    """``adlseq:constrainedChoiceConsiderations``."""

    prevent_activation: bool = False
    constrain_choice: bool = False


@dataclass(frozen=True)
class Sequencing:
    control_mode: ControlMode = field(default_factory=ControlMode)
    pre_condition_rules: tuple[SequencingRule, ...] = ()
    exit_condition_rules: tuple[SequencingRule, ...] = ()
    post_condition_rules: tuple[SequencingRule, ...] = ()
    limit_conditions: LimitConditions = field(default_factory=LimitConditions)
    rollup_rules: RollupRules = field(default_factory=RollupRules)
    objectives: tuple[Objective, ...] = ()
    randomization_controls: RandomizationControls = field(default_factory=RandomizationControls)
    delivery_controls: DeliveryControls = field(default_factory=DeliveryControls)
    rollup_considerations: RollupConsiderations = field(default_factory=RollupConsiderations)
    constrained_choice: ConstrainedChoiceConsiderations = field(
        default_factory=ConstrainedChoiceConsiderations
    )
    idref: str | None = None

    @property
    def primary_objective(self) -> Objective | None:
        return next((o for o in self.objectives if o.primary), None)

    @property
    def objective_ids(self) -> tuple[str, ...]:
        """Objective identifiers the LMS pre-loads into ``cmi.objectives`` for the SCO."""
        return tuple(o.objective_id for o in self.objectives if o.objective_id)


def _rule_condition(element: Element) -> RuleCondition:
    return RuleCondition(
        condition=attr(element, "condition") or "",
        operator=attr(element, "operator") or "noOp",
        referenced_objective=attr(element, "referencedObjective"),
        measure_threshold=float_attr(element, "measureThreshold", None),
    )


def _sequencing_rule(element: Element) -> SequencingRule:
    conditions_el = child(element, IMSSS, "ruleConditions")
    action_el = child(element, IMSSS, "ruleAction")
    conditions: tuple[RuleCondition, ...] = ()
    combination = "all"
    if conditions_el is not None:
        combination = attr(conditions_el, "conditionCombination") or "all"
        conditions = tuple(
            _rule_condition(c) for c in children(conditions_el, IMSSS, "ruleCondition")
        )
    action = attr(action_el, "action") if action_el is not None else None
    if not action:
        raise ValueError("a sequencing rule has no <ruleAction action=...>")
    return SequencingRule(action=action, conditions=conditions, condition_combination=combination)


def _rollup_rules(element: Element) -> RollupRules:
    rules = []
    for rule in children(element, IMSSS, "rollupRule"):
        conditions_el = child(rule, IMSSS, "rollupConditions")
        action_el = child(rule, IMSSS, "rollupAction")
        conditions: tuple[RollupCondition, ...] = ()
        combination = "any"
        if conditions_el is not None:
            combination = attr(conditions_el, "conditionCombination") or "any"
            conditions = tuple(
                RollupCondition(
                    condition=attr(c, "condition") or "",
                    operator=attr(c, "operator") or "noOp",
                )
                for c in children(conditions_el, IMSSS, "rollupCondition")
            )
        action = attr(action_el, "action") if action_el is not None else None
        if not action:
            raise ValueError("a rollup rule has no <rollupAction action=...>")
        rules.append(
            RollupRule(
                action=action,
                conditions=conditions,
                child_activity_set=attr(rule, "childActivitySet") or "all",
                minimum_count=int_attr(rule, "minimumCount", 0) or 0,
                minimum_percent=float_attr(rule, "minimumPercent", 0.0) or 0.0,
                condition_combination=combination,
            )
        )
    weight = float_attr(element, "objectiveMeasureWeight", 1.0)
    return RollupRules(
        rollup_objective_satisfied=bool_attr(element, "rollupObjectiveSatisfied", True),
        rollup_progress_completion=bool_attr(element, "rollupProgressCompletion", True),
        objective_measure_weight=1.0 if weight is None else weight,
        rules=tuple(rules),
    )


_EXTENDED_FLAGS = (
    "readCompletionStatus",
    "writeCompletionStatus",
    "readProgressMeasure",
    "writeProgressMeasure",
    "readRawScore",
    "writeRawScore",
    "readMinScore",
    "writeMinScore",
    "readMaxScore",
    "writeMaxScore",
)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _map_info(element: Element, *, extended: bool = False) -> MapInfo:
    """An ``imsss:mapInfo``, or with ``extended`` an ``adlseq:mapInfo``.

    The two carry different flags: the IMS one reads satisfaction and measure (read flags
    default to true), the ADL one reads completion, progress and scores (likewise).
    """
    target = attr(element, "targetObjectiveID")
    if not target:
        raise ValueError("a <mapInfo> has no targetObjectiveID")
    if not extended:
        return MapInfo(
            target_objective_id=target,
            read_satisfied_status=bool_attr(element, "readSatisfiedStatus", True),
            read_normalized_measure=bool_attr(element, "readNormalizedMeasure", True),
            write_satisfied_status=bool_attr(element, "writeSatisfiedStatus", False),
            write_normalized_measure=bool_attr(element, "writeNormalizedMeasure", False),
        )
    flags = {
        _snake(flag): bool_attr(element, flag, flag.startswith("read")) for flag in _EXTENDED_FLAGS
    }
    return MapInfo(
        target_objective_id=target,
        read_satisfied_status=False,
        read_normalized_measure=False,
        **flags,
    )


def _objective(element: Element, *, primary: bool) -> Objective:
    measure = text_of(child(element, IMSSS, "minNormalizedMeasure"))
    try:
        min_measure = float(measure) if measure else 1.0
    except ValueError:
        raise ValueError(f"<minNormalizedMeasure>{measure}</...> is not a number") from None
    if not -1.0 <= min_measure <= 1.0:
        raise ValueError(f"<minNormalizedMeasure>{measure}</...> is outside -1..1")
    return Objective(
        objective_id=attr(element, "objectiveID"),
        primary=primary,
        satisfied_by_measure=bool_attr(element, "satisfiedByMeasure", False),
        min_normalized_measure=min_measure,
        map_info=tuple(_map_info(m) for m in children(element, IMSSS, "mapInfo")),
    )


def _objectives(element: Element) -> tuple[Objective, ...]:
    result = []
    for obj in element:
        if not isinstance(obj.tag, str):
            continue
        _, local = split_tag(obj.tag)
        if local == "primaryObjective":
            result.append(_objective(obj, primary=True))
        elif local == "objective":
            result.append(_objective(obj, primary=False))
    return tuple(result)


def _with_adl_objectives(
    objectives: tuple[Objective, ...], adl_objectives: Element
) -> tuple[Objective, ...]:
    """Add the 4th edition ``adlseq:objectives`` map infos to the matching objectives."""
    extra: dict[str, list[MapInfo]] = {}
    for obj in children(adl_objectives, ADLSEQ, "objective"):
        objective_id = attr(obj, "objectiveID")
        if not objective_id:
            raise ValueError("an <adlseq:objective> has no objectiveID")
        extra.setdefault(objective_id, []).extend(
            _map_info(m, extended=True) for m in children(obj, ADLSEQ, "mapInfo")
        )
    known = {o.objective_id for o in objectives}
    missing = sorted(set(extra) - known)
    if missing:
        raise ValueError(
            f"<adlseq:objectives> names objective '{missing[0]}' that <imsss:objectives> "
            "does not declare"
        )
    return tuple(
        Objective(
            objective_id=o.objective_id,
            primary=o.primary,
            satisfied_by_measure=o.satisfied_by_measure,
            min_normalized_measure=o.min_normalized_measure,
            map_info=o.map_info + tuple(extra.get(o.objective_id or "", ())),
        )
        for o in objectives
    )


def parse_sequencing_parts(element: Element) -> dict[str, Any]:
    """The children an ``<imsss:sequencing>`` element writes, as Sequencing field values.

    Raises ValueError with a short reason when a child is malformed.
    """
    parts: dict[str, Any] = {}
    adl_objectives: Element | None = None
    for node in element:
        if not isinstance(node.tag, str):
            continue
        _, local = split_tag(node.tag)
        if local == "controlMode":
            parts["control_mode"] = ControlMode(
                choice=bool_attr(node, "choice", True),
                choice_exit=bool_attr(node, "choiceExit", True),
                flow=bool_attr(node, "flow", False),
                forward_only=bool_attr(node, "forwardOnly", False),
                use_current_attempt_objective_info=bool_attr(
                    node, "useCurrentAttemptObjectiveInfo", True
                ),
                use_current_attempt_progress_info=bool_attr(
                    node, "useCurrentAttemptProgressInfo", True
                ),
            )
        elif local == "sequencingRules":
            for kind in ("pre", "exit", "post"):
                rules = tuple(
                    _sequencing_rule(r) for r in children(node, IMSSS, f"{kind}ConditionRule")
                )
                parts[f"{kind}_condition_rules"] = rules
        elif local == "limitConditions":
            duration = attr(node, "attemptAbsoluteDurationLimit")
            if duration:
                try:
                    parse_duration_2004(duration)
                except ValueError:
                    raise ValueError(
                        f"attemptAbsoluteDurationLimit '{duration}' is not an ISO 8601 "
                        "duration such as PT30M"
                    ) from None
            parts["limit_conditions"] = LimitConditions(
                attempt_limit=int_attr(node, "attemptLimit", None),
                attempt_absolute_duration_limit=duration,
            )
        elif local == "rollupRules":
            parts["rollup_rules"] = _rollup_rules(node)
        elif local == "objectives" and family(split_tag(node.tag)[0]) == IMSSS:
            parts["objectives"] = _objectives(node)
        elif local == "objectives":
            adl_objectives = node
        elif local == "randomizationControls":
            parts["randomization_controls"] = RandomizationControls(
                randomization_timing=attr(node, "randomizationTiming") or "never",
                select_count=int_attr(node, "selectCount", None),
                reorder_children=bool_attr(node, "reorderChildren", False),
                selection_timing=attr(node, "selectionTiming") or "never",
            )
        elif local == "deliveryControls":
            parts["delivery_controls"] = DeliveryControls(
                tracked=bool_attr(node, "tracked", True),
                completion_set_by_content=bool_attr(node, "completionSetByContent", False),
                objective_set_by_content=bool_attr(node, "objectiveSetByContent", False),
            )
        elif local == "rollupConsiderations":
            parts["rollup_considerations"] = RollupConsiderations(
                required_for_satisfied=attr(node, "requiredForSatisfied") or "always",
                required_for_not_satisfied=attr(node, "requiredForNotSatisfied") or "always",
                required_for_completed=attr(node, "requiredForCompleted") or "always",
                required_for_incomplete=attr(node, "requiredForIncomplete") or "always",
                measure_satisfaction_if_active=bool_attr(node, "measureSatisfactionIfActive", True),
            )
        elif local == "constrainedChoiceConsiderations":
            parts["constrained_choice"] = ConstrainedChoiceConsiderations(
                prevent_activation=bool_attr(node, "preventActivation", False),
                constrain_choice=bool_attr(node, "constrainChoice", False),
            )
    if adl_objectives is not None:
        parts["adl_objectives"] = adl_objectives
    return parts


def merge(shared: dict[str, Any] | None, local: dict[str, Any]) -> dict[str, Any]:
    """Combine a sequencingCollection entry with an item's own sequencing children."""
    combined = dict(shared or {})
    combined.update(local)
    return combined


def build(parts: dict[str, Any], *, idref: str | None = None) -> Sequencing:
    """A Sequencing from (merged) parts, applying ``adlseq:objectives`` last."""
    parts = dict(parts)
    adl_objectives = parts.pop("adl_objectives", None)
    if adl_objectives is not None:
        parts["objectives"] = _with_adl_objectives(parts.get("objectives", ()), adl_objectives)
    return Sequencing(idref=idref, **parts)
