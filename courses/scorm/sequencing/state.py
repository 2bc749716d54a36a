"""The tracking state of one learner on one activity tree, as small mutable dataclasses
that go to and from compact JSON (unknown values and defaults are left out).

Statuses are three-valued: ``None`` is unknown (IMS SS "progress status false").
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


def _compact(obj) -> dict[str, Any]:
    """The fields that are known (not None)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj) if getattr(obj, f.name) is not None}


@dataclass
class ObjectiveState:
    """Local objective status of an activity (the current attempt's)."""

    satisfied: bool | None = None
    measure: float | None = None
    completed: bool | None = None
    progress: float | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjectiveState:
        return cls(**{k: v for k, v in data.items() if k in _OBJECTIVE_FIELDS})

    def reset(self) -> None:
        self.satisfied = self.measure = self.completed = self.progress = None


_OBJECTIVE_FIELDS = {"satisfied", "measure", "completed", "progress"}


@dataclass
class ActivityState:
    attempts: int = 0
    active: bool = False
    suspended: bool = False
    completed: bool | None = None
    """Attempt completion status (None: attempt progress unknown)."""
    progress: float | None = None
    """Attempt completion amount (``cmi.progress_measure``)."""
    exit_suspend: bool = False
    """The SCO's last report said ``cmi.exit = suspend``."""
    objectives: dict[str, ObjectiveState] = field(default_factory=dict)
    children: list[str] | None = None
    """Available children in delivery order, drawn for attempt ``children_attempt``."""
    children_attempt: int = 0
    attempt_start: str | None = None
    """When the sequencer began the current (or last) attempt (ISO 8601, UTC)."""
    attempt_end: str | None = None
    """When it ended that attempt (None while it runs or is suspended)."""
    parent_attempt: int | None = None
    """The parent's attempt number when this attempt began (None: not recorded)."""

    def objective(self, key: str) -> ObjectiveState:
        state = self.objectives.get(key)
        if state is None:
            state = self.objectives[key] = ObjectiveState()
        return state

    def reset_tracking(self) -> None:
        """A new attempt: forget the previous attempt's progress and objective status."""
        self.completed = None
        self.progress = None
        self.exit_suspend = False
        for objective in self.objectives.values():
            objective.reset()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: v
            for k, v in (
                ("attempts", self.attempts),
                ("active", self.active),
                ("suspended", self.suspended),
                ("exit_suspend", self.exit_suspend),
                ("children_attempt", self.children_attempt),
            )
            if v
        }
        for key, value in (
            ("completed", self.completed),
            ("progress", self.progress),
            ("children", self.children),
            ("attempt_start", self.attempt_start),
            ("attempt_end", self.attempt_end),
            ("parent_attempt", self.parent_attempt),
        ):
            if value is not None:
                out[key] = value
        objectives = {k: o.to_json() for k, o in self.objectives.items() if o.to_json()}
        if objectives:
            out["objectives"] = objectives
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ActivityState:
        return cls(
            attempts=data.get("attempts", 0),
            active=data.get("active", False),
            suspended=data.get("suspended", False),
            completed=data.get("completed"),
            progress=data.get("progress"),
            exit_suspend=data.get("exit_suspend", False),
            objectives={
                k: ObjectiveState.from_json(v) for k, v in data.get("objectives", {}).items()
            },
            children=data.get("children"),
            children_attempt=data.get("children_attempt", 0),
            attempt_start=data.get("attempt_start"),
            attempt_end=data.get("attempt_end"),
            parent_attempt=data.get("parent_attempt"),
        )


@dataclass
class GlobalObjective:
    """A shared (global) objective: what mapInfo writes and reads."""

    satisfied: bool | None = None
    measure: float | None = None
    completed: bool | None = None
    progress: float | None = None

    def to_json(self) -> dict[str, Any]:
        return _compact(self)


@dataclass
class SequencingState:
    current: str | None = None
    suspended: str | None = None
    """The activity a suspendAll left the learner on (resumeAll goes back to it)."""
    ended: bool = False
    """The last sequencing session ended (exitAll, end of the tree, suspendAll)."""
    activities: dict[str, ActivityState] = field(default_factory=dict)
    globals: dict[str, GlobalObjective] = field(default_factory=dict)

    def activity(self, identifier: str) -> ActivityState:
        state = self.activities.get(identifier)
        if state is None:
            state = self.activities[identifier] = ActivityState()
        return state

    def global_objective(self, identifier: str) -> GlobalObjective:
        state = self.globals.get(identifier)
        if state is None:
            state = self.globals[identifier] = GlobalObjective()
        return state

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": 1}
        if self.current:
            out["current"] = self.current
        if self.suspended:
            out["suspended"] = self.suspended
        if self.ended:
            out["ended"] = True
        activities = {k: a.to_json() for k, a in self.activities.items() if a.to_json()}
        if activities:
            out["activities"] = activities
        globals_ = {k: g.to_json() for k, g in self.globals.items() if g.to_json()}
        if globals_:
            out["globals"] = globals_
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SequencingState:
        data = data or {}
        return cls(
            current=data.get("current"),
            suspended=data.get("suspended"),
            ended=data.get("ended", False),
            activities={
                k: ActivityState.from_json(v) for k, v in data.get("activities", {}).items()
            },
            globals={
                k: GlobalObjective(**{f: v[f] for f in _OBJECTIVE_FIELDS if f in v})
                for k, v in data.get("globals", {}).items()
            },
        )

    def copy(self) -> SequencingState:
        return SequencingState.from_json(self.to_json())
