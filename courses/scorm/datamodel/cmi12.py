"""The SCORM 1.2 CMI data model (``API``: LMSGetValue/LMSSetValue)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from courses.scorm.datamodel.base import BASE_TOTAL_KEY, CmiModel, LaunchContext, Ref
from courses.scorm.datamodel.elements import ARRAYS_12, ELEMENTS_12, ElementSpec
from courses.scorm.datamodel.errors import CODES_12
from courses.scorm.datamodel.summary import Summary
from courses.scorm.datamodel.timeutil import (
    format_timespan_12,
    parse_timespan_12,
    seconds,
)
from courses.scorm.datamodel.types import TYPES_12, CmiType

SESSIONS_KEY = "_lms.sessions"
_COMPLETION = {
    "passed": "completed",
    "completed": "completed",
    "failed": "completed",
    "incomplete": "incomplete",
    "browsed": "incomplete",
    "not attempted": "not attempted",
}


def _number_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class Cmi12(CmiModel):
    """SCORM 1.2 data model.

    Session rules (SCORM 1.2 RTE 3.4, and what Moodle's ``scorm_12.js`` does):

    - :meth:`launch` sets ``cmi.core.entry`` to ``ab-initio`` on the first session,
      ``resume`` when the previous one ended with ``cmi.core.exit = suspend``, else "".
    - :meth:`finish` (LMSFinish) adds ``cmi.core.session_time`` to the total time of the
      launch, turns a status still ``not attempted`` into ``completed`` (``browsed`` in
      browse mode), and, in normal mode with credit, sets ``passed``/``failed`` by
      comparing ``cmi.core.score.raw`` with the mastery score when both are known. It is
      idempotent: finishing twice gives the same total.
    """

    version: ClassVar[str] = "1.2"
    elements: ClassVar[Mapping[str, ElementSpec]] = ELEMENTS_12
    arrays = ARRAYS_12
    types: ClassVar[Mapping[str, CmiType]] = TYPES_12
    codes = CODES_12

    def _read_context(self, ref: Ref, spec: ElementSpec) -> str | None:
        value = getattr(self.context, spec.context or "", None)
        if value is None:
            return ""
        if isinstance(value, float | int) and not isinstance(value, bool):
            return _number_text(value)
        return str(value)

    # -- sessions ---------------------------------------------------------------------------
    @classmethod
    def launch(
        cls, *, context: LaunchContext | None = None, state: Mapping[str, str] | None = None
    ) -> Cmi12:
        """A model for a new session on a stored state (entry computed, exit cleared)."""
        model = cls(context=context, state=state)
        previous_exit = model._values.pop("cmi.core.exit", None)
        model._values.pop("cmi.core.session_time", None)
        sessions = int(model._internal.get(SESSIONS_KEY, "0") or 0)
        if sessions == 0:
            entry = "ab-initio"
        elif previous_exit == "suspend":
            entry = "resume"
        else:
            entry = ""
        model._values["cmi.core.entry"] = entry
        model._internal[SESSIONS_KEY] = str(sessions + 1)
        model._internal[BASE_TOTAL_KEY] = model._values.get("cmi.core.total_time", "0000:00:00.00")
        return model

    def finish(self) -> None:
        """LMSFinish: accumulate time and apply the lesson status rules."""
        base_text = self._internal.get(BASE_TOTAL_KEY)
        if base_text is None:
            base_text = self._values.get("cmi.core.total_time", "0000:00:00.00")
            self._internal[BASE_TOTAL_KEY] = base_text
        try:
            base = parse_timespan_12(base_text)
        except ValueError:
            base = 0
        session_text = self._values.get("cmi.core.session_time")
        session = parse_timespan_12(session_text) if session_text else 0
        self._values["cmi.core.total_time"] = format_timespan_12(base + session)
        status = self._values.get("cmi.core.lesson_status", "not attempted")
        if status == "not attempted":
            status = "browsed" if self.context.mode == "browse" else "completed"
        raw = self._float("cmi.core.score.raw")
        mastery = self.context.mastery_score
        if (
            self.context.mode == "normal"
            and self.context.credit == "credit"
            and mastery is not None
            and raw is not None
        ):
            status = "passed" if raw >= mastery else "failed"
        self._values["cmi.core.lesson_status"] = status

    def summary(self) -> Summary:
        status = self._values.get("cmi.core.lesson_status", "not attempted")
        raw = self._float("cmi.core.score.raw")
        low = self._float("cmi.core.score.min")
        high = self._float("cmi.core.score.max")
        scaled = None
        if raw is not None:
            if high is not None and high > (low or 0.0):
                scaled = (raw - (low or 0.0)) / (high - (low or 0.0))
            else:
                scaled = raw / 100.0
        try:
            total = parse_timespan_12(self._values.get("cmi.core.total_time", "0000:00:00"))
        except ValueError:
            total = 0
        exit_value = self._values.get("cmi.core.exit", "")
        return Summary(
            version=self.version,
            completion_status=_COMPLETION.get(status, "unknown"),
            success_status=status if status in ("passed", "failed") else "unknown",
            score_raw=raw,
            score_min=low,
            score_max=high,
            score_scaled=scaled,
            total_time_seconds=seconds(total),
            location=self._values.get("cmi.core.lesson_location", ""),
            suspended=exit_value == "suspend",
            exit=exit_value,
            entry=self._values.get("cmi.core.entry", "ab-initio"),
            lesson_status=status,
        )
