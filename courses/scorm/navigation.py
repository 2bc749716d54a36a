"""SCORM 2004 sequencing in the platform: the learner's sequencing state, the player's
navigation requests, and the status SCOs report when they commit.

The pure sequencer (:mod:`courses.scorm.sequencing`) decides; this module loads and
stores its state (one :class:`ScormSequencing` row per learner and package version,
locked while a request runs) and launches the SCO it delivers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import ScormAttempt, ScormPackage, ScormPackageVersion, ScormSequencing
from courses.scorm.manifest import parse_manifest_file
from courses.scorm.sequencing import (
    ActivityTree,
    AttemptReport,
    ObjectiveReport,
    Sequencer,
    SequencingError,
    SequencingState,
)
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
}


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


def _done(row: ScormSequencing) -> bool:
    return row.completion_status == "completed" or row.success_status == "passed"


def _store(row: ScormSequencing, sequencer: Sequencer, *, user: User) -> None:
    """Save the state with the root's result; lessons complete when the package is done."""
    root = sequencer.tree.root
    was_done = _done(row)
    row.state = sequencer.state.to_json()
    row.completion_status = _COMPLETION[sequencer.completed(root)]
    row.success_status = _SUCCESS[sequencer.satisfied(root)]
    row.score_scaled = sequencer.measure(root)
    row.updated_at = timezone.now()
    row.save()
    if _done(row) and not was_done:
        from courses.scorm.services import package_progress_update

        package_progress_update(user=user, package=row.package)


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
        sequencer = Sequencer(tree, SequencingState.from_json(row.state), rng=rng)
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
            )
        _store(row, sequencer, user=user)
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
        sequencer = Sequencer(tree, SequencingState.from_json(row.state))
        if attempt.sco not in tree or not sequencer.st(attempt.sco).active:
            return None
        latest = _latest_attempt(user_id=attempt.user_id, version=version, sco=attempt.sco)
        if latest is None or latest.pk != attempt.pk:
            return None
        sequencer.report(attempt.sco, attempt_report(attempt))
        _store(row, sequencer, user=attempt.user)
    return sequencer.navigation().as_dict()


def scorm_navigation(*, user: User, package: ScormPackage) -> dict[str, Any] | None:
    """The learner's table of contents and valid requests, without changing anything."""
    version = package.current
    if version is None or not is_sequenced(version):
        return None
    row = ScormSequencing.objects.filter(user=user, package_version=version).first()
    sequencer = Sequencer(
        version_tree(version), SequencingState.from_json(row.state if row else None)
    )
    return sequencer.navigation().as_dict()
