"""The engine shared by :class:`Cmi12` and :class:`Cmi2004`.

State is a flat ``{element: value}`` dictionary with concrete element names
(``cmi.interactions.0.id``), the shape the browser sends and the server stores. Keys
starting with ``_lms.`` are the LMS's own bookkeeping (never reachable by the SCO).
Array ``_count`` values are derived from the keys, so a stored state needs nothing else.

GetValue/SetValue never raise: every failure is a :class:`Fault` that each version maps to
its own error code; ``last_fault`` keeps the reason for ``GetDiagnostic``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from courses.scorm.datamodel.elements import (
    CONTEXT,
    COUNT,
    KEYWORD,
    ArraySpec,
    ElementSpec,
)
from courses.scorm.datamodel.errors import NO_ERROR, Fault
from courses.scorm.datamodel.types import CmiType, check

INTERNAL_PREFIX = "_lms."
BASE_TOTAL_KEY = "_lms.total_time_at_launch"
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")
_TARGET = re.compile(r"(adl\.nav\.request_valid\.(?:choice|jump))\.\{target=([^\s{}]+)\}")


@dataclass(frozen=True)
class LmsComment:
    comment: str
    location: str = ""
    timestamp: str = ""


@dataclass(frozen=True)
class SharedData:
    """One ``adl.data`` bucket (4th edition) with this SCO's read/write permissions."""

    id: str
    readable: bool = True
    writable: bool = True
    value: str | None = None


@dataclass(frozen=True)
class LaunchContext:
    """What the LMS knows at launch. Version-specific fields are ignored by the other one."""

    learner_id: str = ""
    learner_name: str = ""
    credit: str = "credit"
    mode: str = "normal"
    launch_data: str | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    # SCORM 1.2
    mastery_score: float | None = None
    comments_from_lms_12: str | None = None
    # SCORM 2004
    completion_threshold: float | None = None
    scaled_passing_score: float | None = None
    comments_from_lms: tuple[LmsComment, ...] = ()
    objective_ids: tuple[str, ...] = ()
    objective_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Objective id → initial ``cmi.objectives.n.*`` values (``success_status``,
    ``score.scaled``, ``completion_status``, ``progress_measure``) from the sequencer."""
    shared_data: tuple[SharedData, ...] = ()
    nav_request_valid: Mapping[str, str] = field(default_factory=dict)
    """``continue``/``previous``/``choice.{target=X}``/``jump.{target=X}`` → true/false."""


@dataclass(frozen=True)
class Ref:
    """A parsed element name: its template, the array indices in it, a nav target."""

    element: str
    template: str
    indices: tuple[int, ...] = ()
    target: str | None = None


def parse_element(element: str) -> Ref | None:
    """``cmi.interactions.3.id`` → Ref('cmi.interactions.n.id', (3,)); None if malformed."""
    if not element or len(element) > 512:
        return None
    target = _TARGET.fullmatch(element)
    if target:
        return Ref(element, f"{target.group(1)}.{{target=n}}", (), target.group(2))
    parts = element.split(".")
    indices = []
    template = []
    for part in parts:
        if not part:
            return None
        if part.isascii() and part.isdigit():
            if not _INDEX.fullmatch(part):
                return None
            indices.append(int(part))
            template.append("n")
        else:
            template.append(part)
    return Ref(element, ".".join(template), tuple(indices))


def _array_levels(template: str, indices: tuple[int, ...]) -> list[tuple[str, str, int]]:
    """[(array template, concrete array path, index)] from the outermost array inwards."""
    levels = []
    parts = template.split(".")
    concrete: list[str] = []
    position = 0
    for i, part in enumerate(parts):
        if part == "n" and position < len(indices):
            levels.append((".".join(parts[:i]), ".".join(concrete), indices[position]))
            concrete.append(str(indices[position]))
            position += 1
        else:
            concrete.append(part)
    return levels


class CmiModel:
    """Validating in-memory CMI data model (subclassed per version)."""

    version: ClassVar[str]
    elements: ClassVar[Mapping[str, ElementSpec]]
    arrays: ClassVar[Mapping[str, ArraySpec]]
    types: ClassVar[Mapping[str, CmiType]]
    codes: ClassVar[Mapping[Fault, int]]
    _prefixes: ClassVar[frozenset[str]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "elements" in cls.__dict__:
            prefixes = set()
            for name in cls.elements:
                parts = name.split(".")
                for i in range(1, len(parts)):
                    prefixes.add(".".join(parts[:i]))
                prefixes.add(name)
            cls._prefixes = frozenset(prefixes)

    def __init__(
        self,
        *,
        context: LaunchContext | None = None,
        state: Mapping[str, str] | None = None,
    ) -> None:
        self.context = context or LaunchContext()
        self._values: dict[str, str] = {}
        self._internal: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self.last_fault: Fault | None = None
        self.ignored_state: list[str] = []
        for key, value in (state or {}).items():
            self._restore(str(key), str(value))
        self._seed()

    # -- state ----------------------------------------------------------------------------
    def _restore(self, key: str, value: str) -> None:
        if key.startswith(INTERNAL_PREFIX):
            self._internal[key] = value
            return
        ref = parse_element(key)
        spec = self.elements.get(ref.template) if ref else None
        if ref is None or spec is None or spec.source in (KEYWORD, COUNT, CONTEXT):
            self.ignored_state.append(key)
            return
        self._values[key] = value
        for _, path, index in _array_levels(ref.template, ref.indices):
            self._counts[path] = max(self._counts.get(path, 0), index + 1)

    def _seed(self) -> None:
        """Hook: values the LMS provides when a model is created (2004 objective ids)."""

    def to_state(self) -> dict[str, str]:
        """The flat state to store (element → value, plus ``_lms.`` bookkeeping)."""
        return {**self._values, **self._internal}

    def count(self, array_path: str) -> int:
        """``_count`` of a concrete array path such as ``cmi.interactions.0.objectives``."""
        if self._is_context_array(array_path):
            return self._context_count(array_path)
        return self._counts.get(array_path, 0)

    def _is_context_array(self, array_path: str) -> bool:
        return False

    def _context_count(self, array_path: str) -> int:
        return 0

    def _code(self, fault: Fault | None) -> int:
        self.last_fault = fault
        return NO_ERROR if fault is None else self.codes[fault]

    def _raw(self, element: str) -> str | None:
        return self._values.get(element)

    # -- GetValue ---------------------------------------------------------------------
    def get_value(self, element: str) -> tuple[str, int]:
        """(value, error code); the value is "" whenever the code is not 0."""
        if not isinstance(element, str) or not element:
            return "", self._code(Fault.EMPTY_ELEMENT)
        ref = parse_element(element)
        if ref is None:
            return "", self._code(Fault.UNDEFINED)
        fault = self._check_keyword_read(ref)
        if fault is not None:
            return "", self._code(fault)
        spec = self.elements.get(ref.template)
        if spec is None:
            return "", self._code(Fault.UNDEFINED)
        if not spec.readable:
            return "", self._code(Fault.WRITE_ONLY)
        for _, path, index in _array_levels(ref.template, ref.indices):
            if index >= self.count(path):
                return "", self._code(Fault.GET_FAILURE)
        if spec.source == COUNT:
            return str(self.count(self._array_path_of_count(ref))), self._code(None)
        value = self._read(ref, spec)
        if value is None:
            return "", self._code(Fault.NOT_INITIALIZED)
        return value, self._code(None)

    def _check_keyword_read(self, ref: Ref) -> Fault | None:
        template = ref.template
        for suffix, fault in (("._children", Fault.NO_CHILDREN), ("._count", Fault.NO_COUNT)):
            if template.endswith(suffix) and template not in self.elements:
                parent = template[: -len(suffix)]
                return fault if parent in self._prefixes else Fault.UNDEFINED
        return None

    @staticmethod
    def _array_path_of_count(ref: Ref) -> str:
        return ref.element[: -len("._count")]

    def _read(self, ref: Ref, spec: ElementSpec) -> str | None:
        if spec.source == KEYWORD:
            return spec.default
        if spec.source == CONTEXT:
            return self._read_context(ref, spec)
        value = self._raw(ref.element)
        return spec.default if value is None else value

    def _read_context(self, ref: Ref, spec: ElementSpec) -> str | None:
        value = getattr(self.context, spec.context or "", None)
        if value is None:
            return None
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    # -- SetValue -----------------------------------------------------------------------
    def set_value(self, element: str, value: str) -> int:
        """Store ``value`` if valid; return the error code (0 on success)."""
        if not isinstance(element, str) or not element:
            return self._code(Fault.EMPTY_ELEMENT)
        if not isinstance(value, str):
            return self._code(Fault.TYPE_MISMATCH)
        ref = parse_element(element)
        if ref is None:
            return self._code(self._malformed_set_fault(element))
        if ref.template.endswith(("._children", "._count", "._version")):
            parent = ref.template.rsplit(".", 1)[0]
            known = ref.template in self.elements or parent in self._prefixes
            return self._code(Fault.KEYWORD if known else Fault.UNDEFINED)
        spec = self.elements.get(ref.template)
        if spec is None:
            return self._code(Fault.UNDEFINED)
        if not spec.writable:
            return self._code(Fault.READ_ONLY)
        fault = self._check_order(ref)
        if fault is None:
            fault = self._check_value(ref, spec, value)
        if fault is None:
            fault = self._check_rules(ref, spec, value)
        if fault is not None:
            return self._code(fault)
        self._store(ref, spec, value)
        return self._code(None)

    def _malformed_set_fault(self, element: str) -> Fault:
        return Fault.UNDEFINED

    def _check_order(self, ref: Ref) -> Fault | None:
        """Indices may be at most ``_count``; a new item may need its ``id`` first (2004)."""
        for array_template, path, index in _array_levels(ref.template, ref.indices):
            count = self.count(path)
            if index > count:
                return Fault.OUT_OF_ORDER
            array = self.arrays.get(array_template)
            if index == count:
                if array is not None and array.limit is not None and index >= array.limit:
                    return Fault.TOO_MANY
                first = array.first if array is not None else None
                if first is not None and ref.template != f"{array_template}.n.{first}":
                    return Fault.DEPENDENCY
        return None

    def _check_value(self, ref: Ref, spec: ElementSpec, value: str) -> Fault | None:
        cmi_type = self.types.get(spec.type or "")
        if cmi_type is None or cmi_type.name == "interaction_response":
            return None
        return check(
            cmi_type,
            value,
            vocabulary=spec.vocabulary,
            minimum=spec.minimum,
            maximum=spec.maximum,
            max_length=spec.max_length,
        )

    def _check_rules(self, ref: Ref, spec: ElementSpec, value: str) -> Fault | None:
        """Hook for version-specific rules (uniqueness, dependencies, response formats)."""
        return None

    def _store(self, ref: Ref, spec: ElementSpec, value: str) -> None:
        self._values[ref.element] = value
        for _, path, index in _array_levels(ref.template, ref.indices):
            self._counts[path] = max(self._counts.get(path, 0), index + 1)

    # -- helpers for subclasses -----------------------------------------------------------
    def _float(self, element: str) -> float | None:
        value = self._values.get(element)
        if value in (None, ""):
            return None
        try:
            return float(value)  # type: ignore[arg-type]
        except ValueError:
            return None
