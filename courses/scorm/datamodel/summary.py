"""What the LMS reads out of a CMI state: status, score and time, the same for both versions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    version: str
    completion_status: str
    """completed, incomplete, not attempted or unknown (1.2 lesson_status mapped to these)."""
    success_status: str
    """passed, failed or unknown."""
    score_raw: float | None
    score_min: float | None
    score_max: float | None
    score_scaled: float | None
    """SCORM 2004 ``cmi.score.scaled``; for 1.2 the raw score within min..max (or 0..100)."""
    total_time_seconds: float
    location: str
    suspended: bool
    """The session ended with ``exit=suspend`` (or ``adl.nav.request=suspendAll``)."""
    exit: str
    entry: str
    lesson_status: str | None = None

    @property
    def completed(self) -> bool:
        return self.completion_status == "completed"

    @property
    def passed(self) -> bool | None:
        return {"passed": True, "failed": False}.get(self.success_status)

    @property
    def score_fraction(self) -> float | None:
        """Score as 0..1 for the gradebook (negative scaled scores count as 0)."""
        if self.score_scaled is None:
            return None
        return min(max(self.score_scaled, 0.0), 1.0)
