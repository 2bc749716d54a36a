"""Limit conditions (SCORM 2004 SN book, Limit Conditions Check Process UP.1) and the
``timeLimitExceeded`` rule condition.

SCORM 2004 keeps two limit conditions of IMS SS: ``attemptLimit`` and
``attemptAbsoluteDurationLimit``. The attempt's *absolute* duration is wall-clock time
from the moment the sequencer began the attempt to the moment it ended it (or to now
while the attempt is running or suspended: time away from a suspended attempt counts),
measured on the server's clock, never on what the browser reports. The same limit is
what the SCO sees as ``cmi.max_time_allowed`` (with ``adlcp:timeLimitAction`` as
``cmi.time_limit_action``) so that it can warn or exit by itself.

- UP.1 checks an activity that is about to begin a *new* attempt: it is refused when
  the attempt limit is used up, or when its last attempt (with known progress) took at
  least the duration limit. An untracked activity, or one that is active or suspended
  (it would resume, not begin), never violates a limit.
- ``timeLimitExceeded`` is true when the current (or last) attempt has run for at least
  the duration limit; content uses it in exit and post-condition rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

from courses.scorm.datamodel.timeutil import parse_duration_2004, seconds
from courses.scorm.sequencing.state import ActivityState
from courses.scorm.sequencing.tree import Activity, ActivityTree

ATTEMPT_LIMIT = "attempt_limit"
TIME_LIMIT = "time_limit"


def duration_seconds(value: str | None) -> float | None:
    """An ISO 8601 duration (``PT30M``) in seconds; None when absent or unreadable."""
    if not value:
        return None
    try:
        return seconds(parse_duration_2004(value))
    except ValueError:
        return None


def stamp(moment: datetime) -> str:
    """A timestamp as stored in the state (ISO 8601, UTC)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class Limits:
    """Attempt clocks and limit checks; mixed into the tracker, which provides ``tree``,
    ``state`` and ``st``."""

    tree: ActivityTree
    now: datetime

    def st(self, identifier: str) -> ActivityState:  # pragma: no cover - provided by Tracker
        raise NotImplementedError

    # --- Clocks --------------------------------------------------------------------------
    def attempt_began(self, identifier: str) -> None:
        state = self.st(identifier)
        state.attempt_start = stamp(self.now)
        state.attempt_end = None

    def attempt_ended(self, identifier: str) -> None:
        state = self.st(identifier)
        if state.attempt_start is not None and not state.suspended:
            state.attempt_end = stamp(self.now)

    def attempt_duration(self, identifier: str) -> float | None:
        """Seconds the current (or last) attempt has lasted; None when it has no clock."""
        state = self.st(identifier)
        if state.attempt_start is None:
            return None
        start = datetime.fromisoformat(state.attempt_start)
        end = datetime.fromisoformat(state.attempt_end) if state.attempt_end else self.now
        return max((end - start).total_seconds(), 0.0)

    @staticmethod
    def duration_limit(activity: Activity) -> float | None:
        limit = duration_seconds(
            activity.sequencing.limit_conditions.attempt_absolute_duration_limit
        )
        return limit if limit else None

    # --- Checks --------------------------------------------------------------------------
    def time_limit_exceeded(self, identifier: str) -> bool:
        """The ``timeLimitExceeded`` condition: the attempt has run for its whole limit."""
        limit = self.duration_limit(self.tree[identifier])
        if limit is None or self.st(identifier).attempts == 0:
            return False
        duration = self.attempt_duration(identifier)
        return duration is not None and duration >= limit

    def limit_violated(self, identifier: str) -> str | None:
        """UP.1: why a new attempt on the activity is not allowed (``attempt_limit``,
        ``time_limit``), or None."""
        activity = self.tree[identifier]
        state = self.st(identifier)
        if not activity.tracked or state.active or state.suspended or state.attempts == 0:
            return None
        attempts = activity.sequencing.limit_conditions.attempt_limit
        if attempts and state.attempts >= attempts:
            return ATTEMPT_LIMIT
        if state.completed is not None and self.time_limit_exceeded(identifier):
            return TIME_LIMIT
        return None
