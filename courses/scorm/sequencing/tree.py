"""The activity tree the sequencer works on, built from a manifest or from stored JSON.

The organization is the root activity and each ``<item>`` an activity below it. An activity
without ``<imsss:sequencing>`` gets the IMS SS defaults (choice on, flow off…), like one
that writes every default out. :func:`tree_definition` turns a parsed manifest into plain
JSON (stored with each package version at upload), :meth:`ActivityTree.from_definition`
turns it back, so the player never re-reads the manifest file.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from courses.scorm.manifest import Item, Manifest
from courses.scorm.manifest.sequencing import Objective, Sequencing

PRIMARY = "#primary"
"""State key of a primary objective that has no objectiveID."""

DEFINITION_VERSION = 1


@dataclass(frozen=True)
class Activity:
    identifier: str
    title: str
    visible: bool = True
    launchable: bool = False
    sequencing: Sequencing = field(default_factory=Sequencing)
    progress_weight: float = 1.0
    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    hide_lms_ui: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    parent: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def control(self):
        return self.sequencing.control_mode

    @property
    def tracked(self) -> bool:
        return self.sequencing.delivery_controls.tracked

    @property
    def primary(self) -> Objective:
        """The primary objective (an anonymous one when the manifest declares none)."""
        return self.sequencing.primary_objective or Objective(objective_id=None, primary=True)

    @property
    def primary_key(self) -> str:
        return self.primary.objective_id or PRIMARY

    def objective(self, key: str | None) -> Objective | None:
        """The objective with this id (None: the primary one); None when it is not declared."""
        if key is None or key == self.primary_key:
            return self.primary
        return next((o for o in self.sequencing.objectives if o.objective_id == key), None)

    def objective_keys(self) -> list[str]:
        keys = [self.primary_key]
        keys += [
            o.objective_id
            for o in self.sequencing.objectives
            if not o.primary and o.objective_id and o.objective_id != self.primary_key
        ]
        return keys


class ActivityTree:
    """The activities of one organization, by identifier, with their order."""

    def __init__(self, activities: dict[str, Activity], root: str, *, global_to_system=True):
        self.activities = activities
        self.root = root
        self.objectives_global_to_system = global_to_system
        self._preorder = list(self._walk(root))
        self._position = {identifier: n for n, identifier in enumerate(self._preorder)}

    def __getitem__(self, identifier: str) -> Activity:
        return self.activities[identifier]

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.activities

    def _walk(self, identifier: str) -> Iterator[str]:
        yield identifier
        for child in self.activities[identifier].children:
            yield from self._walk(child)

    def preorder(self) -> list[str]:
        return list(self._preorder)

    def position(self, identifier: str) -> int:
        return self._position[identifier]

    def parent(self, identifier: str) -> str | None:
        return self.activities[identifier].parent

    def path(self, identifier: str) -> list[str]:
        """From the root down to ``identifier``."""
        path = []
        node: str | None = identifier
        while node is not None:
            path.append(node)
            node = self.activities[node].parent
        return path[::-1]

    def common_ancestor(self, first: str, second: str) -> str:
        ancestors = set(self.path(first))
        for node in reversed(self.path(second)):
            if node in ancestors:
                return node
        return self.root

    def leaves(self) -> list[str]:
        return [a for a in self._preorder if self.activities[a].is_leaf]

    def global_objective_ids(self) -> set[str]:
        """The global objectives (``targetObjectiveID``) any activity maps to."""
        return {
            info.target_objective_id
            for activity in self.activities.values()
            for objective in activity.sequencing.objectives
            for info in objective.map_info
        }

    # --- Building ----------------------------------------------------------------------
    @classmethod
    def from_manifest(cls, manifest: Manifest, organization: str | None = None) -> ActivityTree:
        return cls.from_definition(tree_definition(manifest, organization))

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> ActivityTree:
        activities: dict[str, Activity] = {}

        def add(node: dict[str, Any], parent: str | None) -> str:
            identifier = node["id"]
            children = tuple(add(child, identifier) for child in node.get("children", ()))
            activities[identifier] = Activity(
                identifier=identifier,
                title=node.get("title", ""),
                visible=node.get("visible", True),
                launchable=node.get("launchable", False),
                sequencing=load(Sequencing, node.get("sequencing") or {}),
                progress_weight=node.get("progress_weight", 1.0),
                completed_by_measure=node.get("completed_by_measure", False),
                min_progress_measure=node.get("min_progress_measure", 1.0),
                hide_lms_ui=tuple(node.get("hide_lms_ui", ())),
                children=children,
                parent=parent,
            )
            return identifier

        root = add(definition["root"], None)
        return cls(
            activities, root, global_to_system=definition.get("objectives_global_to_system", True)
        )


# --- JSON ----------------------------------------------------------------------------------
def _node(item: Item) -> dict[str, Any]:
    threshold = item.completion_threshold
    node: dict[str, Any] = {
        "id": item.identifier,
        "title": item.title,
        "visible": item.is_visible,
        "launchable": item.is_launchable and item.is_leaf,
        "children": [_node(child) for child in item.children],
    }
    if item.sequencing is not None:
        node["sequencing"] = dump(item.sequencing)
    if threshold is not None:
        node["progress_weight"] = threshold.progress_weight
        node["completed_by_measure"] = threshold.completed_by_measure
        node["min_progress_measure"] = threshold.min_progress_measure
    if item.presentation is not None and item.presentation.hide_lms_ui:
        node["hide_lms_ui"] = list(item.presentation.hide_lms_ui)
    return node


def tree_definition(manifest: Manifest, organization: str | None = None) -> dict[str, Any]:
    """The activity tree of an organization (default: the default one) as plain JSON."""
    org = manifest.organization(organization)
    root: dict[str, Any] = {
        "id": org.identifier,
        "title": org.title,
        "visible": True,
        "children": [_node(item) for item in org.items],
    }
    if org.sequencing is not None:
        root["sequencing"] = dump(org.sequencing)
    return {
        "format": DEFINITION_VERSION,
        "objectives_global_to_system": org.objectives_global_to_system,
        "root": root,
    }


def dump(value: Any) -> Any:
    """A sequencing dataclass as JSON, leaving out what equals the default."""
    if dataclasses.is_dataclass(value):
        out = {}
        for item in dataclasses.fields(value):
            if item.name == "idref":
                continue
            current = getattr(value, item.name)
            default = (
                item.default
                if item.default is not dataclasses.MISSING
                else item.default_factory()  # type: ignore[misc]
                if item.default_factory is not dataclasses.MISSING
                else dataclasses.MISSING
            )
            if current != default:
                out[item.name] = dump(current)
        return out
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def load(cls: type, data: dict[str, Any]) -> Any:
    """The inverse of :func:`dump` for the sequencing dataclasses."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    values = {}
    for name, raw in data.items():
        if name not in hints:
            continue
        values[name] = _value(hints[name], raw)
    return cls(**values)


def _value(hint: Any, raw: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return load(hint, raw)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        return tuple(_value(inner, v) for v in raw)
    return raw
