"""Writes of SCORM in the platform: upload a package, launch an attempt, store a commit.

The pure engine (:mod:`courses.scorm.manifest`, :mod:`courses.scorm.package`,
:mod:`courses.scorm.datamodel`) does the validation; this module ties it to the database,
the media folder and course progress.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import (
    CoursePage,
    ScormAttempt,
    ScormPackage,
    ScormPackageVersion,
)
from courses.scorm.datamodel import LaunchContext, apply_commit, new_model
from courses.scorm.datamodel.cmi12 import Cmi12
from courses.scorm.datamodel.cmi2004 import Cmi2004
from courses.scorm.manifest import SCORM_12
from courses.scorm.package import PackageError, PackageLimits, extract_package, human_size
from courses.scorm.package_summary import manifest_summary
from courses.scorm.progress import (
    interactions_sync,
    objectives_sync,
    package_grade_changed,
    package_progress_update,
)
from courses.scorm.shared_data import (
    shared_data_context,
    shared_data_launch,
    shared_data_save,
    without_shared_data,
)
from lms.exceptions import Conflict, ErrorItem, ServiceError, TooLarge
from lms.models import User

STORAGE_ROOT = "scorm"
_SIZE_WORDS = ("expands to", "members, more than", "compressed", "more than the")
MAX_SEQ = 2_147_483_647


# --- Limits and paths --------------------------------------------------------------------
def scorm_limits() -> PackageLimits:
    """The upload caps, from the SCORM_* settings."""
    max_bytes = settings.SCORM_MAX_BYTES
    return PackageLimits(
        max_total_bytes=max_bytes,
        max_member_bytes=max_bytes,
        max_members=settings.SCORM_MAX_MEMBERS,
        max_ratio=settings.SCORM_MAX_RATIO,
    )


def version_root(version: ScormPackageVersion) -> Path:
    """The folder a version's files live in."""
    return Path(settings.MEDIA_ROOT) / version.storage_path


# --- Upload ------------------------------------------------------------------------------
def _package_error(error: PackageError) -> ServiceError:
    items = [ErrorItem(message=message, field="file") for message in error.messages]
    if any(word in error.message for word in _SIZE_WORDS) and "allowed" in error.message:
        return TooLarge(_("The SCORM package is too large: %s") % error.message, items)
    return ServiceError(_("This is not a usable SCORM package: %s") % error.message, items)


def _upload_size(file: BinaryIO) -> int | None:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    try:
        position = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(position)
        return size
    except (AttributeError, OSError):
        return None


def scorm_package_upload(
    *,
    course: CoursePage,
    file: BinaryIO | str | Path,
    user: User | None,
    package: ScormPackage | None = None,
    title: str = "",
    max_grade: Decimal | float | None = None,
) -> ScormPackageVersion:
    """Validate and extract a SCORM zip for a course; a new package, or a new version of
    ``package``. Raises ServiceError (400) or TooLarge (413) and leaves no file and no row
    behind when the zip is refused or anything fails. ``max_grade`` is the package's
    weight in the gradebook (default: kept, or 100 for a new package)."""
    if package is not None and package.course_id != course.pk:
        raise ServiceError(_("That SCORM package belongs to another course."))
    size = Path(file).stat().st_size if isinstance(file, str | Path) else _upload_size(file)
    if size is not None and size > settings.SCORM_MAX_BYTES:
        raise TooLarge(
            _("The SCORM package is too large: %(size)s, more than the %(max)s allowed.")
            % {"size": human_size(size), "max": human_size(settings.SCORM_MAX_BYTES)},
            [ErrorItem(field="file", message=_("file too large"))],
        )
    if not isinstance(file, str | Path) and hasattr(file, "seek"):
        file.seek(0)
    destination: Path | None = None
    try:
        with transaction.atomic():
            if package is None:
                package = ScormPackage.objects.create(course=course, title="-", version="")
            else:
                package = ScormPackage.objects.select_for_update().get(pk=package.pk)
            number = (package.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            storage_path = f"{STORAGE_ROOT}/{package.pk}/{number}"
            destination = Path(settings.MEDIA_ROOT) / storage_path
            if destination.exists():  # left by a process killed mid-upload: no row has it
                shutil.rmtree(destination)
            try:
                info = extract_package(file, destination, limits=scorm_limits())
            except PackageError as error:
                raise _package_error(error) from None
            manifest = info.manifest
            tree, scos = manifest_summary(manifest)
            if not scos:
                raise ServiceError(_("The package has no item that can be launched."))
            version = ScormPackageVersion.objects.create(
                package=package,
                number=number,
                version=manifest.version,
                manifest=tree,
                scos=scos,
                storage_path=storage_path,
                total_bytes=info.total_bytes,
                file_count=len(info.files),
                warnings=list(info.warnings),
                uploaded_by=user,
            )
            package.current = version
            package.version = manifest.version
            package.identifier = manifest.identifier[:255]
            if title or package.title == "-":
                package.title = (title or manifest.title or manifest.identifier)[:255]
            if max_grade is not None:
                if not 0 <= Decimal(str(max_grade)) < 100_000:
                    raise ServiceError(
                        _("The maximum grade must be between 0 and 99999."),
                        [ErrorItem(field="max_grade", message=_("out of range"))],
                    )
                package.max_grade = Decimal(str(max_grade))
            package.save()
    except BaseException:
        if destination is not None:
            shutil.rmtree(destination, ignore_errors=True)
        raise
    return version


@transaction.atomic
def scorm_package_delete(*, package: ScormPackage) -> None:
    """Delete a package, its versions, attempts and files (files after the commit)."""
    folder = Path(settings.MEDIA_ROOT) / STORAGE_ROOT / str(package.pk)
    package.delete()
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


# --- Attempts ----------------------------------------------------------------------------
def _learner_name(user: User) -> str:
    """SCORM wants "Family, Given" when both are known."""
    if user.last_name and user.first_name:
        return f"{user.last_name}, {user.first_name}"
    return user.get_full_name() or user.username


def attempt_context(
    *,
    user: User,
    version: ScormPackageVersion,
    sco: str,
    credit: bool = True,
    shared_values: bool = False,
) -> LaunchContext:
    """The LaunchContext of a SCO of a package version for a user, with its shared data
    buckets (their stored values too when ``shared_values``: at launch)."""
    entry = version.sco(sco) or {}
    values = dict(entry.get("context", {}))
    values["objective_ids"] = tuple(values.get("objective_ids", ()))
    return LaunchContext(
        learner_id=user.username,
        learner_name=_learner_name(user),
        credit="credit" if credit else "no-credit",
        shared_data=shared_data_context(user=user, version=version, sco=sco, values=shared_values),
        **values,
    )


@dataclass
class Launch:
    attempt: ScormAttempt
    session: int
    values: dict[str, str]
    """The CMI state the SCO starts with (public elements only)."""
    context: dict[str, str]
    """Values of the LMS-provided (read-only) elements."""
    shared: list[dict[str, Any]] = field(default_factory=list)
    """SCORM 2004 4th edition: the SCO's ``adl.data`` buckets and its permissions."""


def _context_values(model: Cmi12 | Cmi2004) -> dict[str, str]:
    values = {}
    for name, spec in model.elements.items():
        if spec.source != "context" or ".n." in name or "{target" in name:
            continue
        value, code = model.get_value(name)
        if code == 0:
            values[name] = value
    return values


def _is_2004(version: str) -> bool:
    return version.startswith("2004")


def scorm_attempt_launch(
    *,
    user: User,
    package: ScormPackage,
    sco: str,
    restart: bool = False,
    credit: bool = True,
    objective_values: Mapping[str, Mapping[str, str]] | None = None,
) -> Launch:
    """Start a new session of the learner's attempt on a SCO (resuming it), or a new
    attempt: when asked to start over, on the first launch, when the package has a new
    version, or when the previous SCORM 2004 attempt ended without suspending.

    ``objective_values`` (SCORM 2004, from the sequencer): what the SCO's objectives know
    when it starts, given as ``cmi.objectives`` values it has not set itself."""
    with transaction.atomic():
        package = (
            # lock only the package row: PostgreSQL refuses FOR UPDATE on the nullable side
            # of the outer join to its current version
            ScormPackage.objects.select_for_update(of=("self",))
            .select_related("current")
            .get(pk=package.pk)
        )
        version = package.current
        if version is None or version.sco(sco) is None:
            raise ServiceError(_("This package has no item %s.") % sco)
        latest = (
            ScormAttempt.objects.filter(user=user, package=package, sco=sco)
            .order_by("-number")
            .first()
        )
        start_new = (
            restart
            or latest is None
            or latest.package_version_id != version.pk
            or (_is_2004(version.version) and latest.terminated and not latest.suspended)
        )
        context = attempt_context(
            user=user, version=version, sco=sco, credit=credit, shared_values=True
        )
        if objective_values:
            context = replace(context, objective_values=objective_values)
        if start_new:
            attempt = ScormAttempt(
                user=user,
                package=package,
                package_version=version,
                sco=sco,
                number=(latest.number + 1) if latest else 1,
            )
            stored: Mapping[str, str] = {}
        else:
            attempt = latest
            stored = without_shared_data(latest.state)
        if _is_2004(version.version):
            model: Cmi12 | Cmi2004 = Cmi2004.launch(
                context=context, state=stored, edition=version.version
            )
        else:
            model = Cmi12.launch(context=context, state=stored)
        attempt.state = model.to_state()
        attempt.session += 1
        attempt.seq = 0
        attempt.terminated = False
        attempt.updated_at = timezone.now()
        was_complete = attempt.completed_at is not None
        _denormalise(attempt, model)
        if not version.sco(sco).get("sco", True):
            _asset_seen(attempt)
        attempt.save()
        if attempt.completed_at is not None and not was_complete:
            package_progress_update(user=user, package=attempt.package)
    values = {k: v for k, v in attempt.state.items() if not k.startswith("_lms.")}
    shared_values, shared = shared_data_launch(context.shared_data)
    return Launch(
        attempt=attempt,
        session=attempt.session,
        values={**values, **shared_values},
        context=_context_values(model),
        shared=shared,
    )


def _asset_seen(attempt: ScormAttempt) -> None:
    """An asset never talks to the API: opening it completes it (as Moodle does)."""
    attempt.completion_status = "completed"
    if attempt.lesson_status in ("", "not attempted", "browsed", "incomplete"):
        attempt.lesson_status = "completed" if attempt.package_version.version == SCORM_12 else ""
    if attempt.completed_at is None:
        attempt.completed_at = timezone.now()


def _denormalise(attempt: ScormAttempt, model: Cmi12 | Cmi2004) -> None:
    summary = model.summary()
    attempt.completion_status = summary.completion_status
    attempt.success_status = summary.success_status
    attempt.lesson_status = summary.lesson_status or ""
    attempt.score_raw = summary.score_raw
    attempt.score_scaled = summary.score_scaled
    attempt.total_time_seconds = summary.total_time_seconds
    attempt.suspended = summary.suspended
    if attempt.is_complete and attempt.completed_at is None:
        attempt.completed_at = timezone.now()


@dataclass
class CommitOutcome:
    seq: int
    """The highest commit the server has applied for the session (acknowledge up to it)."""
    applied: int
    stale: bool
    errors: list[dict[str, Any]]
    completion_status: str
    success_status: str
    navigation: dict[str, Any] | None = None
    """SCORM 2004: the learner's new table of contents when the commit changed a status."""


def _parse_commits(commits: Iterable[Mapping[str, Any]]) -> list[tuple[int, list, bool]]:
    parsed = []
    for number, commit in enumerate(commits, 1):
        try:
            seq = int(commit["seq"])
            if seq > MAX_SEQ:  # the column's range (seq comes from the content's frame)
                raise ValueError
        except (KeyError, TypeError, ValueError):
            raise ServiceError(
                _("Every commit needs a whole number seq."),
                [ErrorItem(field=f"commits.{number}.seq", message=_("missing or not a number"))],
            ) from None
        values = commit.get("values") or []
        if isinstance(values, Mapping):
            values = list(values.items())
        if not isinstance(values, list) or seq < 1:
            raise ServiceError(
                _("A commit's values must be a list of [element, value] pairs."),
                [ErrorItem(field=f"commits.{number}.values", message=_("not a list"))],
            )
        parsed.append((seq, values, bool(commit.get("finish"))))
    return sorted(parsed, key=lambda c: c[0])


def _touches(pairs: list, prefix: str) -> bool:
    return any(isinstance(p, list | tuple) and str(p[0]).startswith(prefix) for p in pairs)


def scorm_attempt_commit(
    *,
    attempt_id: int,
    user: User,
    session: int,
    commits: Iterable[Mapping[str, Any]],
) -> CommitOutcome:
    """Apply a browser's commits, in ``seq`` order, each at most once.

    A commit whose ``seq`` is at or below the last applied one (a retry, or one that
    arrives after a newer one) is ignored; commits of an older session (the learner has
    relaunched the SCO since) are acknowledged and ignored. The server re-validates every
    value (:func:`apply_commit`); refused values are reported, the rest is kept.
    """
    parsed = _parse_commits(commits)
    outcome, attempt, changed = _commit(
        attempt_id=attempt_id, user=user, session=session, parsed=parsed
    )
    if changed and attempt is not None:
        from courses.scorm.navigation import scorm_sequencing_sync

        outcome.navigation = scorm_sequencing_sync(attempt=attempt)
    return outcome


def _commit(
    *, attempt_id: int, user: User, session: int, parsed: list[tuple[int, list, bool]]
) -> tuple[CommitOutcome, ScormAttempt | None, bool]:
    """Apply parsed commits; (outcome, the attempt, whether a status the sequencer reads
    changed)."""
    with transaction.atomic():
        attempt = (
            ScormAttempt.objects.select_for_update(of=("self",))
            .select_related("package_version")
            .filter(pk=attempt_id, user=user)
            .first()
        )
        if attempt is None:
            from django.http import Http404

            raise Http404
        outcome = CommitOutcome(
            seq=attempt.seq,
            applied=0,
            stale=False,
            errors=[],
            completion_status=attempt.completion_status,
            success_status=attempt.success_status,
        )
        if session < attempt.session:
            outcome.stale = True
            outcome.seq = max((c[0] for c in parsed), default=0)
            return outcome, None, False
        if session > attempt.session:
            raise Conflict(_("This session of the SCO was never launched."))
        fresh = [c for c in parsed if c[0] > attempt.seq]
        if not fresh:
            return outcome, None, False
        before = (attempt.completion_status, attempt.success_status, attempt.score_scaled)
        version = attempt.package_version
        context = attempt_context(user=user, version=version, sco=attempt.sco)
        was_complete = attempt.is_complete
        state = attempt.state
        errors = []
        finished = False
        for _seq, pairs, finish in fresh:
            result = apply_commit(
                state, pairs, version=version.version, context=context, finish=finish
            )
            state = result.state
            errors.extend(result.errors)
            finished = finished or finish
        state = shared_data_save(user=user, version=version, sco=attempt.sco, state=state)
        model = new_model(version=version.version, state=state, context=context)
        attempt.state = state
        attempt.seq = fresh[-1][0]
        attempt.terminated = attempt.terminated or finished
        attempt.updated_at = timezone.now()
        _denormalise(attempt, model)
        attempt.save()
        all_pairs = [p for c in fresh for p in c[1]]
        if _touches(all_pairs, "cmi.interactions."):
            interactions_sync(attempt)
        if _touches(all_pairs, "cmi.objectives."):
            objectives_sync(attempt)
        if attempt.is_complete and not was_complete:
            package_progress_update(user=user, package=attempt.package)
        if attempt.score_scaled != before[2]:
            package_grade_changed(user=user, package_id=attempt.package_id)
        outcome.seq = attempt.seq
        outcome.applied = len(fresh)
        outcome.errors = [
            {"element": e.element, "code": e.code, "message": e.message} for e in errors
        ]
        outcome.completion_status = attempt.completion_status
        outcome.success_status = attempt.success_status
        changed = (
            finished
            or before != (attempt.completion_status, attempt.success_status, attempt.score_scaled)
            or _touches(all_pairs, "cmi.objectives.")
        )
        return outcome, attempt, changed
