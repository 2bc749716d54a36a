"""What the platform keeps of a package's manifest at upload (courses.scorm.services): the
organisation tree the player draws and, per launchable item, its launch values and its
shared data buckets (``adlcp:data``), so that launches and commits never re-read the
manifest."""

from __future__ import annotations

from typing import Any

from courses.scorm.launch import launch_context
from courses.scorm.manifest import SCORM_12, Item, Manifest
from courses.scorm.sequencing import tree_definition

_CONTEXT_KEYS = (
    "launch_data",
    "max_time_allowed",
    "time_limit_action",
    "mastery_score",
    "completion_threshold",
    "scaled_passing_score",
)


def _control(sequencing) -> dict[str, bool] | None:
    if sequencing is None:
        return None
    mode = sequencing.control_mode
    return {
        "choice": mode.choice,
        "choice_exit": mode.choice_exit,
        "flow": mode.flow,
        "forward_only": mode.forward_only,
    }


def _item_summary(item: Item) -> dict[str, Any]:
    return {
        "identifier": item.identifier,
        "title": item.title,
        "launch": item.launch_url,
        "sco": item.is_sco,
        "visible": item.is_visible,
        "control": _control(item.sequencing),
        "prerequisites": item.prerequisites.expression if item.prerequisites else None,
        "children": [_item_summary(child) for child in item.children],
    }


def _launch_values(manifest: Manifest, item: Item) -> dict[str, Any]:
    context = launch_context(manifest=manifest, item=item, learner_id="", learner_name="")
    values = {key: getattr(context, key) for key in _CONTEXT_KEYS}
    values["objective_ids"] = list(context.objective_ids)
    return {key: value for key, value in values.items() if value not in (None, [], "")}


def shared_data_maps(item: Item) -> list[dict[str, Any]]:
    """The item's ``adlcp:map`` elements, in manifest order (the ``adl.data`` indices), as
    ``{"id", "read", "write"}``; a target named twice counts once (its first map)."""
    maps: dict[str, dict[str, Any]] = {}
    for mapping in item.shared_data:
        maps.setdefault(
            mapping.target_id,
            {
                "id": mapping.target_id,
                "read": mapping.read_shared_data,
                "write": mapping.write_shared_data,
            },
        )
    return list(maps.values())


def manifest_summary(manifest: Manifest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(organisation tree for the player, launchable items in order) of a manifest."""
    organization = manifest.default_organization
    tree = {
        "identifier": manifest.identifier,
        "version": manifest.version,
        "title": manifest.title,
        "organization": organization.identifier,
        "control": _control(organization.sequencing)
        or {"choice": True, "choice_exit": True, "flow": manifest.version == SCORM_12,
            "forward_only": False},
        "items": [_item_summary(item) for item in organization.items],
    }  # fmt: skip
    if manifest.is_scorm_2004:
        tree["activity_tree"] = tree_definition(manifest)
        tree["shared_data_global"] = organization.shared_data_global_to_system
    scos = [
        {
            "identifier": item.identifier,
            "title": item.title,
            "launch": item.launch_url,
            "sco": item.is_sco,
            "visible": item.is_visible,
            "context": _launch_values(manifest, item),
            "shared_data": shared_data_maps(item),
        }
        for item in manifest.launchable_items()
    ]
    return tree, scos
