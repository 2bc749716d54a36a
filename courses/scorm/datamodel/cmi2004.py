"""The SCORM 2004 CMI data model (``API_1484_11``: GetValue/SetValue), with ``adl.nav`` and
the 4th edition's ``adl.data``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from courses.scorm.datamodel.base import (
    BASE_TOTAL_KEY,
    CmiModel,
    LaunchContext,
    Ref,
    parse_element,
)
from courses.scorm.datamodel.elements import ARRAYS_2004, ELEMENTS_2004, ElementSpec
from courses.scorm.datamodel.errors import CODES_2004, Fault
from courses.scorm.datamodel.responses import PATTERN_RULES, check_response
from courses.scorm.datamodel.summary import Summary
from courses.scorm.datamodel.timeutil import (
    format_duration_2004,
    parse_duration_2004,
    seconds,
)
from courses.scorm.datamodel.types import TYPES_2004, CmiType

SESSIONS_KEY = "_lms.sessions"
NAV_TARGET_PATTERN = r"\{target=[^\s{}]+\}(choice|jump)"
_NAV_TARGET = re.compile(NAV_TARGET_PATTERN)
_CONTEXT_ARRAYS = ("cmi.comments_from_lms", "adl.data")


def _number_text(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class Cmi2004(CmiModel):
    """SCORM 2004 data model (2nd, 3rd and 4th edition; ``edition`` only changes SPMs).

    On read, ``cmi.completion_status`` and ``cmi.success_status`` are evaluated as the RTE
    requires (4.2.4.1 and 4.2.22.1): with a ``completion_threshold`` the completion status
    is ``completed`` when ``progress_measure >= threshold``, ``incomplete`` below it and
    ``unknown`` without a progress measure; with a ``scaled_passing_score`` the success
    status is ``passed``/``failed`` from ``score.scaled`` and ``unknown`` without it.
    Without those LMS values the SCO's own value is returned (``unknown`` by default).

    :meth:`launch` sets ``cmi.entry`` (``ab-initio`` on the first session, ``resume`` after
    ``cmi.exit = suspend`` or ``adl.nav.request = suspendAll``, else ""); :meth:`finish`
    (Terminate) adds ``cmi.session_time`` to the total time of the launch, idempotently.
    """

    version: ClassVar[str] = "2004"
    elements: ClassVar[Mapping[str, ElementSpec]] = ELEMENTS_2004
    arrays = ARRAYS_2004
    types: ClassVar[Mapping[str, CmiType]] = TYPES_2004
    codes = CODES_2004

    def __init__(
        self,
        *,
        context: LaunchContext | None = None,
        state: Mapping[str, str] | None = None,
        edition: str = "2004-4th",
    ) -> None:
        self.edition = edition
        super().__init__(context=context, state=state)

    # -- LMS-provided values -------------------------------------------------------------
    def _seed(self) -> None:
        """The objectives the activity declares get their ``cmi.objectives.n.id`` (RTE
        4.2.17; SCORM 2004 2nd edition addendum 16), and the values the sequencer knows
        for them (read from global objectives) where the SCO has not set its own."""
        known = {
            v: k[: -len(".id")]
            for k, v in self._values.items()
            if k.startswith("cmi.objectives.") and k.endswith(".id")
        }
        for objective_id in self.context.objective_ids:
            if objective_id and objective_id not in known:
                index = self.count("cmi.objectives")
                self._values[f"cmi.objectives.{index}.id"] = objective_id
                self._counts["cmi.objectives"] = index + 1
                known[objective_id] = f"cmi.objectives.{index}"
        for objective_id, values in self.context.objective_values.items():
            prefix = known.get(objective_id)
            if prefix is None:
                continue
            for name, value in values.items():
                self._values.setdefault(f"{prefix}.{name}", value)

    def _is_context_array(self, array_path: str) -> bool:
        return array_path in _CONTEXT_ARRAYS

    def _context_count(self, array_path: str) -> int:
        if array_path == "adl.data":
            return len(self.context.shared_data)
        return len(self.context.comments_from_lms)

    def _read_context(self, ref: Ref, spec: ElementSpec) -> str | None:
        name = ref.template
        if name.startswith("adl.nav.request_valid."):
            key = (
                name.rsplit(".", 1)[-1]
                if ref.target is None
                else (f"{name.split('.')[3]}.{{target={ref.target}}}")
            )
            return self.context.nav_request_valid.get(key, "unknown")
        if name.startswith("cmi.comments_from_lms.n."):
            comment = self.context.comments_from_lms[ref.indices[0]]
            return getattr(comment, name.rsplit(".", 1)[-1]) or None
        if name.startswith("adl.data.n."):
            bucket = self.context.shared_data[ref.indices[0]]
            if name.endswith(".id"):
                return bucket.id
            stored = self._values.get(ref.element)
            return stored if stored is not None else bucket.value
        value = getattr(self.context, spec.context or "", None)
        if name == "cmi.time_limit_action" and value is None:
            return "continue,no message"
        if value is None:
            return None
        if isinstance(value, float | int) and not isinstance(value, bool):
            return _number_text(value)
        return str(value)

    def _read(self, ref: Ref, spec: ElementSpec) -> str | None:
        if ref.template == "cmi.completion_status":
            return self.completion_status()
        if ref.template == "cmi.success_status":
            return self.success_status()
        if ref.template == "adl.data.n.store":
            return self._read_context(ref, spec)
        return super()._read(ref, spec)

    def get_value(self, element: str) -> tuple[str, int]:
        if (
            isinstance(element, str)
            and element.startswith("adl.data.")
            and element.endswith(".store")
        ):
            ref = self._parse_data_ref(element)
            buckets = self.context.shared_data
            index = ref.indices[0] if ref is not None else len(buckets)
            if index < len(buckets) and not buckets[index].readable:
                return "", self._code(Fault.WRITE_ONLY)
        return super().get_value(element)

    @staticmethod
    def _parse_data_ref(element: str) -> Ref | None:
        ref = parse_element(element)
        return ref if ref is not None and ref.template == "adl.data.n.store" else None

    # -- evaluated statuses ------------------------------------------------------------------
    def completion_status(self) -> str:
        threshold = self.context.completion_threshold
        if threshold is not None:
            progress = self._float("cmi.progress_measure")
            if progress is None:
                return "unknown"
            return "completed" if progress >= threshold else "incomplete"
        return self._values.get("cmi.completion_status", "unknown")

    def success_status(self) -> str:
        passing = self.context.scaled_passing_score
        if passing is not None:
            scaled = self._float("cmi.score.scaled")
            if scaled is None:
                return "unknown"
            return "passed" if scaled >= passing else "failed"
        return self._values.get("cmi.success_status", "unknown")

    # -- SetValue rules ------------------------------------------------------------------------
    def _malformed_set_fault(self, element: str) -> Fault:
        # ``cmi.objectives.01.id``: an index written with a leading zero is not an index.
        return Fault.OUT_OF_ORDER if re.search(r"\.0[0-9]+(\.|$)", element) else Fault.UNDEFINED

    def _check_value(self, ref: Ref, spec: ElementSpec, value: str) -> Fault | None:
        if ref.template == "adl.nav.request" and _NAV_TARGET.fullmatch(value):
            return None
        return super()._check_value(ref, spec, value)

    def _check_rules(self, ref: Ref, spec: ElementSpec, value: str) -> Fault | None:
        name = ref.template
        if name == "cmi.objectives.n.id":
            return self._check_unique_id(ref, value, "cmi.objectives", write_once=True)
        if name == "cmi.interactions.n.objectives.n.id":
            path = f"cmi.interactions.{ref.indices[0]}.objectives"
            return self._check_unique_id(ref, value, path, write_once=False)
        if name == "cmi.interactions.n.learner_response":
            kind = self._values.get(f"cmi.interactions.{ref.indices[0]}.type")
            if kind is None:
                return Fault.DEPENDENCY
            return check_response(interaction_type=kind, value=value, pattern=False)
        if name == "cmi.interactions.n.correct_responses.n.pattern":
            return self._check_pattern(ref, value)
        if name == "adl.data.n.store":
            index = ref.indices[0]
            if index >= len(self.context.shared_data):
                return Fault.OUT_OF_ORDER
            if not self.context.shared_data[index].writable:
                return Fault.READ_ONLY
        return None

    def _check_unique_id(
        self, ref: Ref, value: str, path: str, *, write_once: bool
    ) -> Fault | None:
        index = ref.indices[-1]
        current = self._values.get(f"{path}.{index}.id")
        if write_once and current is not None and current != value:
            return Fault.WRITE_ONCE
        for other in range(self.count(path)):
            if other != index and self._values.get(f"{path}.{other}.id") == value:
                return Fault.DUPLICATE
        return None

    def _check_pattern(self, ref: Ref, value: str) -> Fault | None:
        interaction, index = ref.indices
        kind = self._values.get(f"cmi.interactions.{interaction}.type")
        if kind is None:
            return Fault.DEPENDENCY
        rule = PATTERN_RULES[kind]
        if rule.pattern_limit is not None and index >= rule.pattern_limit:
            return Fault.TOO_MANY
        fault = check_response(interaction_type=kind, value=value, pattern=True)
        if fault is not None:
            return fault
        if rule.patterns_unique:
            path = f"cmi.interactions.{interaction}.correct_responses"
            for other in range(self.count(path)):
                if other != index and self._values.get(f"{path}.{other}.pattern") == value:
                    return Fault.DUPLICATE
        return None

    # -- sessions --------------------------------------------------------------------------
    @classmethod
    def launch(
        cls,
        *,
        context: LaunchContext | None = None,
        state: Mapping[str, str] | None = None,
        edition: str = "2004-4th",
    ) -> Cmi2004:
        """A model for a new session on a stored state (entry computed, exit cleared)."""
        model = cls(context=context, state=state, edition=edition)
        previous_exit = model._values.pop("cmi.exit", None)
        previous_nav = model._values.pop("adl.nav.request", None)
        model._values.pop("cmi.session_time", None)
        sessions = int(model._internal.get(SESSIONS_KEY, "0") or 0)
        if sessions == 0:
            entry = "ab-initio"
        elif previous_exit == "suspend" or previous_nav == "suspendAll":
            entry = "resume"
        else:
            entry = ""
        model._values["cmi.entry"] = entry
        model._internal[SESSIONS_KEY] = str(sessions + 1)
        model._internal[BASE_TOTAL_KEY] = model._values.get("cmi.total_time", "PT0H0M0S")
        return model

    def finish(self) -> None:
        """Terminate: accumulate ``cmi.session_time`` into ``cmi.total_time``."""
        base_text = self._internal.get(BASE_TOTAL_KEY)
        if base_text is None:
            base_text = self._values.get("cmi.total_time", "PT0H0M0S")
            self._internal[BASE_TOTAL_KEY] = base_text
        try:
            base = parse_duration_2004(base_text)
        except ValueError:
            base = 0
        session_text = self._values.get("cmi.session_time")
        session = parse_duration_2004(session_text) if session_text else 0
        self._values["cmi.total_time"] = format_duration_2004(base + session)

    def summary(self) -> Summary:
        try:
            total = parse_duration_2004(self._values.get("cmi.total_time", "PT0H0M0S"))
        except ValueError:
            total = 0
        exit_value = self._values.get("cmi.exit", "")
        return Summary(
            version=self.edition,
            completion_status=self.completion_status(),
            success_status=self.success_status(),
            score_raw=self._float("cmi.score.raw"),
            score_min=self._float("cmi.score.min"),
            score_max=self._float("cmi.score.max"),
            score_scaled=self._float("cmi.score.scaled"),
            total_time_seconds=seconds(total),
            location=self._values.get("cmi.location", ""),
            suspended=exit_value == "suspend"
            or self._values.get("adl.nav.request") == "suspendAll",
            exit=exit_value,
            entry=self._values.get("cmi.entry", "ab-initio"),
        )
