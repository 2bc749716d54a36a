"""SCORM 2004 sequencing in the platform: the learner's sequencing state, the player's
navigation requests, and the status SCOs report when they commit.

The pure sequencer (:mod:`courses.scorm.sequencing`) decides; this module loads and
stores its state (one :class:`ScormSequencing` row per learner and package version,
locked while a request runs), gives it the server's clock (time limits) and launches the
SCO it delivers, with the ``cmi.objectives`` values its objectives read from global
objectives.

Where global objectives live (``adlseq:objectivesGlobalToSystem`` of the organization):

- ``false`` (what the golf sample packages say): in the learner's sequencing state of the
  package version; the sequencer clears them when a new attempt on the package begins;
- ``true``, the SCORM default: in :class:`ScormGlobalObjective` rows, one per learner and
  objective identifier, shared by every package the learner takes, across versions and
  attempts (identifiers longer than the column stay in the package's state). They are
  locked with the sequencing row while a request runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import (
    ScormAttempt,
    ScormGlobalObjective,
    ScormPackage,
    ScormPackageVersion,
    ScormSequencing,
)
from courses.scorm.manifest import parse_manifest_file
from courses.scorm.sequencing import (
    ActivityTree,
    AttemptReport,
    ObjectiveReport,
    Sequencer,
    SequencingError,
    SequencingState,
)
from courses.scorm.sequencing.state import GlobalObjective
from lms.exceptions import ServiceError
from lms.models import User

_COMPLETION = {True: "completed", False: "incomplete", None: "unknown"}
_SUCCESS = {True: "passed", False: "failed", None: "unknown"}
REFUSALS = {
    "disabled": gettext_lazy("This item is not available yet."),
    "attempt_limit": gettext_lazy("You have used all the attempts at this item."),
    "hidden": gettext_lazy("This item cannot be chosen."),
    "choice_not_allowed": gettext_lazy("This part of the module is taken in order; use Next."),
    "choice_exit": gettext_lazy("Finish the current part of the module first."),
    "forward_only": gettext_lazy("This module only goes forward."),
    "flow_not_allowed": gettext_lazy("Choose an item in the contents."),
    "stop_forward_traversal": gettext_lazy("You cannot go further ahead yet."),
    "prevent_activation": gettext_lazy("Start this part of the module from its beginning."),
    "constrained_choice": gettext_lazy("Take the items of this part of the module in order."),
    "time_limit": gettext_lazy("The time allowed for this item has been used."),
}
_GLOBAL_FIELDS = ("satisfied", "measure", "completed", "progress")


def is_sequenced(version: ScormPackageVersion) -> bool:
    """SCORM 2004 packages run through the sequencer; SCORM 1.2 ones do not."""
    return version.version.startswith("2004")


def version_tree(version: ScormPackageVersion) -> ActivityTree:
    """The activity tree of a version: stored at upload, or read from its manifest file
    for versions uploaded before it was."""
    definition = (version.manifest or {}).get("activity_tree")
    if definition:
        return ActivityTree.from_definition(definition)
    from courses.scorm.services import version_root

    manifest = parse_manifest_file(path=version_root(version) / "imsmanifest.xml")
    return ActivityTree.from_manifest(manifest)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def attempt_report(attempt: ScormAttempt) -> AttemptReport:
    """What a SCO attempt's CMI data tells the sequencer."""
    state = attempt.state or {}
    objectives: dict[int, dict[str, str]] = {}
    for key, value in state.items():
        if key.startswith("cmi.objectives."):
            index, _dot, rest = key[len("cmi.objectives.") :].partition(".")
            if index.isdigit():
                objectives.setdefault(int(index), {})[rest] = value
    return AttemptReport(
        completion_status=attempt.completion_status,
        success_status=attempt.success_status,
        score_scaled=attempt.score_scaled,
        progress_measure=_float(state.get("cmi.progress_measure")),
        exit=state.get("cmi.exit", ""),
        objectives=tuple(
            ObjectiveReport(
                identifier=data.get("id", ""),
                success_status=data.get("success_status", "unknown"),
                completion_status=data.get("completion_status", "unknown"),
                score_scaled=_float(data.get("score.scaled")),
                progress_measure=_float(data.get("progress_measure")),
            )
            for _index, data in sorted(objectives.items())
            if data.get("id")
        ),
    )


def _latest_attempt(*, user_id: int, version: ScormPackageVersion, sco: str):
    return (
        ScormAttempt.objects.filter(user_id=user_id, package_version=version, sco=sco)
        .order_by("-number")
        .first()
    )


# --- Global objectives shared by every package (objectivesGlobalToSystem) ---------------
def _system_ids(tree: ActivityTree) -> list[str]:
    if not tree.objectives_global_to_system:
        return []
    limit = ScormGlobalObjective._meta.get_field("objective_id").max_length
    return sorted(i for i in tree.global_objective_ids() if len(i) <= limit)


def _globals_load(
    *, user_id: int, tree: ActivityTree, state: SequencingState, lock: bool = False
) -> dict[str, dict]:
    """Put the learner's system-wide global objectives the tree maps into ``state``
    (locked, in a fixed order, when ``lock``); return what was read, to save changes only."""
    ids = _system_ids(tree)
    if not ids:
        return {}
    rows = ScormGlobalObjective.objects.filter(user_id=user_id, objective_id__in=ids)
    if lock:
        rows = rows.select_for_update().order_by("objective_id")
    read = {}
    for row in rows:
        shared = GlobalObjective(**{name: getattr(row, name) for name in _GLOBAL_FIELDS})
        state.globals[row.objective_id] = shared
        read[row.objective_id] = shared.to_json()
    return read


def _globals_save(
    *, user_id: int, tree: ActivityTree, state: SequencingState, read: dict[str, dict]
) -> dict:
    """Write the system-wide global objectives that changed; the state's JSON without
    them (they are not the package's to keep)."""
    ids = _system_ids(tree)
    now = timezone.now()
    for objective_id in ids:
        shared = state.globals.get(objective_id)
        if shared is None or shared.to_json() == read.get(objective_id, {}):
            continue
        defaults = {name: getattr(shared, name) for name in _GLOBAL_FIELDS}
        ScormGlobalObjective.objects.update_or_create(
            user_id=user_id, objective_id=objective_id, defaults={**defaults, "updated_at": now}
        )
    data = state.to_json()
    kept = {k: v for k, v in data.get("globals", {}).items() if k not in ids}
    data.pop("globals", None)
    if kept:
        data["globals"] = kept
    return data


def _done(row: ScormSequencing) -> bool:
    return row.completion_status == "completed" or row.success_status == "passed"


def _store(row: ScormSequencing, sequencer: Sequencer, *, user: User, read: dict) -> None:
    """Save the state with the root's result; lessons complete when the package is done."""
    root = sequencer.tree.root
    was_done = _done(row)
    score = row.score_scaled
    row.state = _globals_save(
        user_id=user.pk, tree=sequencer.tree, state=sequencer.state, read=read
    )
    row.completion_status = _COMPLETION[sequencer.completed(root)]
    row.success_status = _SUCCESS[sequencer.satisfied(root)]
    row.score_scaled = sequencer.measure(root)
    row.updated_at = timezone.now()
    row.save()
    from courses.scorm.progress import package_grade_changed, package_progress_update

    if _done(row) and not was_done:
        package_progress_update(user=user, package=row.package)
    if row.score_scaled != score:
        package_grade_changed(user=user, package_id=row.package_id)


@dataclass
class NavigationResult:
    delivered: str | None
    """The SCO launched, or None (nothing to deliver, the course ended, or refused)."""
    launch: Any
    """The :class:`courses.scorm.services.Launch` of the delivered SCO."""
    navigation: dict[str, Any]
    ended: bool = False
    refused: str | None = None
    """Why the request was refused (a message for the learner), or None."""


def scorm_navigate(
    *,
    user: User,
    package: ScormPackage,
    request: str,
    target: str | None = None,
    restart: bool = False,
    credit: bool = True,
    rng: random.Random | None = None,
) -> NavigationResult:
    """Run a navigation request of the player or of the content (``adl.nav.request``) and
    launch the SCO it delivers. A refused request changes nothing and says why.

    ``restart`` starts the target (default: the current item) over as a new attempt.
    """
    from courses.scorm.services import scorm_attempt_launch

    with transaction.atomic():
        version = ScormPackageVersion.objects.filter(pk=package.current_id).first()
        if version is None:
            raise ServiceError(_("This package has no content."))
        ScormSequencing.objects.get_or_create(user=user, package=package, package_version=version)
        row = (
            ScormSequencing.objects.select_for_update(of=("self",))
            .select_related("package__current")
            .get(user=user, package_version=version)
        )
        tree = version_tree(version)
        state = SequencingState.from_json(row.state)
        read = _globals_load(user_id=user.pk, tree=tree, state=state, lock=True)
        sequencer = Sequencer(tree, state, rng=rng, now=timezone.now())
        current = sequencer.state.current
        if current is not None and current in tree and sequencer.st(current).active:
            latest = _latest_attempt(user_id=user.pk, version=version, sco=current)
            if latest is not None:
                sequencer.report(current, attempt_report(latest))
        if restart:
            request = "retry" if target in (None, "", current) else "choice"
        try:
            outcome = sequencer.navigate(request, target or None)
        except SequencingError as error:
            transaction.set_rollback(True)
            return NavigationResult(
                delivered=None,
                launch=None,
                navigation=sequencer.navigation().as_dict(),
                refused=str(REFUSALS.get(error.code, _("This is not possible now."))),
            )
        launch = None
        if outcome.deliver is not None:
            launch = scorm_attempt_launch(
                user=user,
                package=package,
                sco=outcome.deliver,
                restart=outcome.new_attempt or restart,
                credit=credit,
                objective_values=sequencer.objective_values(outcome.deliver),
            )
        _store(row, sequencer, user=user, read=read)
    return NavigationResult(
        delivered=outcome.deliver,
        launch=launch,
        navigation=sequencer.navigation().as_dict(),
        ended=outcome.ended,
    )


def scorm_sequencing_sync(*, attempt: ScormAttempt) -> dict[str, Any] | None:
    """After a commit changed what a SCO says about its status: take it into the learner's
    sequencing state (rollup, global objectives) and return the new navigation for the
    player. None when the package is not sequenced or the attempt is not the running one."""
    version = attempt.package_version
    if not is_sequenced(version):
        return None
    with transaction.atomic():
        row = (
            ScormSequencing.objects.select_for_update(of=("self",))
            .select_related("package__current")
            .filter(user_id=attempt.user_id, package_version=version)
            .first()
        )
        if row is None:
            return None
        tree = version_tree(version)
        state = SequencingState.from_json(row.state)
        if attempt.sco not in tree or not state.activity(attempt.sco).active:
            return None
        latest = _latest_attempt(user_id=attempt.user_id, version=version, sco=attempt.sco)
        if latest is None or latest.pk != attempt.pk:
            return None
        read = _globals_load(user_id=attempt.user_id, tree=tree, state=state, lock=True)
        sequencer = Sequencer(tree, state, now=timezone.now())
        sequencer.report(attempt.sco, attempt_report(attempt))
        _store(row, sequencer, user=attempt.user, read=read)
    return sequencer.navigation().as_dict()


def scorm_navigation(*, user: User, package: ScormPackage) -> dict[str, Any] | None:
    """The learner's table of contents and valid requests, without changing anything."""
    version = package.current
    if version is None or not is_sequenced(version):
        return None
    row = ScormSequencing.objects.filter(user=user, package_version=version).first()
    tree = version_tree(version)
    state = SequencingState.from_json(row.state if row else None)
    _globals_load(user_id=user.pk, tree=tree, state=state)
    return Sequencer(tree, state, now=timezone.now()).navigation().as_dict()
