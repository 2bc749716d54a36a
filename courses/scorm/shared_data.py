"""SCORM 2004 4th edition shared data (``adl.data``) in the platform.

An item maps shared data buckets in its manifest (``adlcp:data/adlcp:map targetID
readSharedData writeSharedData``, kept at upload by courses.scorm.package_summary). When
its SCO launches, ``adl.data.n`` are those buckets in manifest order: ``id`` the target,
``store`` the value another SCO (or this one) last committed, given only where the map
allows reading; the data model refuses what the map does not allow (datamodel.cmi2004:
405 reading a bucket it may not read, 404 writing one it may not write, 403 reading one
nobody wrote yet, 301/351 beyond ``adl.data._count``).

A commit's ``adl.data.n.store`` values go to the learner's :class:`ScormSharedData` rows,
not to the attempt (an attempt's state never keeps them: another SCO may have written the
bucket since), through the same seq ordering as the rest of the commit. Buckets belong to
the learner and the package, or to the learner across packages when the organization
keeps ``adlcp:sharedDataGlobalToSystem`` at its default, true. A target identifier longer
than the column (1000 characters) is not offered to the SCO.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import ScormPackageVersion, ScormSharedData
from courses.scorm.datamodel import SharedData
from courses.scorm.datamodel.base import parse_element
from courses.scorm.manifest import parse_manifest_file
from courses.scorm.package_summary import shared_data_maps
from lms.models import User

PREFIX = "adl.data."
TARGET_MAX_LENGTH = ScormSharedData._meta.get_field("target_id").max_length


@functools.lru_cache(maxsize=64)
def _maps_from_manifest(version_id: int, manifest_path: str) -> tuple[dict, bool]:
    """Versions uploaded before the maps were kept: read them from the manifest once."""
    manifest = parse_manifest_file(path=manifest_path)
    maps = {item.identifier: shared_data_maps(item) for item in manifest.launchable_items()}
    return maps, manifest.default_organization.shared_data_global_to_system


def _maps(version: ScormPackageVersion, sco: str) -> tuple[list[dict[str, Any]], bool]:
    """(the SCO's bucket maps, whether its buckets are global to the system)."""
    if not version.version.startswith("2004"):
        return [], False
    entry = version.sco(sco) or {}
    summary = version.manifest or {}
    if "shared_data" in entry and "shared_data_global" in summary:
        maps, global_ = entry["shared_data"], bool(summary["shared_data_global"])
    else:
        from courses.scorm.services import version_root

        every, global_ = _maps_from_manifest(
            version.pk, str(version_root(version) / "imsmanifest.xml")
        )
        maps = every.get(sco, [])
    return [m for m in maps if len(m["id"]) <= TARGET_MAX_LENGTH], global_


def _scope(*, version: ScormPackageVersion, global_: bool) -> dict[str, Any]:
    return {"package_id": None if global_ else version.package_id}


def without_shared_data(state: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in state.items() if not key.startswith(PREFIX)}


def shared_data_context(
    *, user: User, version: ScormPackageVersion, sco: str, values: bool = True
) -> tuple[SharedData, ...]:
    """The SCO's ``adl.data`` buckets with its permissions, and (``values``) the stored
    value of each bucket it may read."""
    maps, global_ = _maps(version, sco)
    if not maps:
        return ()
    stored: dict[str, str] = {}
    readable = [m["id"] for m in maps if m["read"]]
    if values and readable:
        stored = dict(
            ScormSharedData.objects.filter(
                user=user, target_id__in=readable, **_scope(version=version, global_=global_)
            ).values_list("target_id", "value")
        )
    return tuple(
        SharedData(id=m["id"], readable=m["read"], writable=m["write"], value=stored.get(m["id"]))
        for m in maps
    )


def shared_data_launch(shared: tuple[SharedData, ...]) -> tuple[dict[str, str], list[dict]]:
    """(the ``adl.data.n.store`` values the SCO starts with, the buckets and permissions
    for the browser's data model); values of buckets it may not read never leave."""
    values = {
        f"{PREFIX}{index}.store": bucket.value
        for index, bucket in enumerate(shared)
        if bucket.readable and bucket.value is not None
    }
    buckets = [{"id": b.id, "read": b.readable, "write": b.writable} for b in shared]
    return values, buckets


def _bucket_write(*, user: User, scope: dict[str, Any], target_id: str, value: str) -> None:
    now = timezone.now()
    rows = ScormSharedData.objects.filter(user=user, target_id=target_id, **scope)
    if rows.update(value=value, updated_at=now):
        return
    try:
        with transaction.atomic():
            ScormSharedData.objects.create(
                user=user, target_id=target_id, value=value, updated_at=now, **scope
            )
    except IntegrityError:  # another commit created it meanwhile
        rows.update(value=value, updated_at=now)


def shared_data_save(
    *, user: User, version: ScormPackageVersion, sco: str, state: dict[str, str]
) -> dict[str, str]:
    """Store a committed state's ``adl.data.n.store`` values (already checked by the data
    model) in their buckets; return the state without them."""
    written = {key: value for key, value in state.items() if key.startswith(PREFIX)}
    if not written:
        return state
    maps, global_ = _maps(version, sco)
    scope = _scope(version=version, global_=global_)
    for key, value in written.items():
        ref = parse_element(key)
        if ref is None or ref.template != "adl.data.n.store" or ref.indices[0] >= len(maps):
            continue
        bucket = maps[ref.indices[0]]
        if bucket["write"]:
            _bucket_write(user=user, scope=scope, target_id=bucket["id"], value=value)
    return without_shared_data(state)
