"""Export the data model tables as JSON for the browser runtime.

The JavaScript ``API``/``API_1484_11`` objects load this document instead of carrying a
second hand-written copy of the rules: element access, types (with JavaScript-compatible
regular expressions), vocabularies, ranges, array ordering rules, interaction response
rules and error codes. Behaviour that is logic rather than data (evaluated statuses, time
accumulation) is described in ``rules`` so both sides can be checked against each other.
"""

from __future__ import annotations

from typing import Any

from courses.scorm.datamodel.cmi2004 import NAV_TARGET_PATTERN
from courses.scorm.datamodel.elements import (
    ARRAYS_12,
    ARRAYS_2004,
    ELEMENTS_12,
    ELEMENTS_2004,
    ArraySpec,
    ElementSpec,
)
from courses.scorm.datamodel.errors import CODES_12, CODES_2004, ERRORS_12, ERRORS_2004
from courses.scorm.datamodel.responses import ITEM, LEARNER_RULES, PAIR, PATTERN_RULES, RANGE
from courses.scorm.datamodel.types import TYPES_12, TYPES_2004, CmiType

SPEC_FORMAT = 1


def _element(spec: ElementSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"access": spec.access, "source": spec.source}
    for key in ("type", "default", "context", "minimum", "maximum", "max_length", "note"):
        value = getattr(spec, key)
        if value not in (None, ""):
            data[key] = value
    if spec.default == "":
        data["default"] = ""
    if spec.vocabulary:
        data["vocabulary"] = list(spec.vocabulary)
    return data


def _array(spec: ArraySpec) -> dict[str, Any]:
    data: dict[str, Any] = {"children": list(spec.children)}
    if spec.first:
        data["first"] = spec.first
    if spec.limit is not None:
        data["limit"] = spec.limit
    return data


def _types(types: dict[str, CmiType]) -> dict[str, Any]:
    return {name: cmi_type.to_json() for name, cmi_type in types.items()}


def to_json_spec(version: str) -> dict[str, Any]:
    """The element table of a version ("1.2", or "2004"/"2004-3rd"/…) as JSON-ready data."""
    if version == "1.2":
        return {
            "format": SPEC_FORMAT,
            "version": "1.2",
            "api": "API",
            "errors": {str(code): text for code, text in ERRORS_12.items()},
            "faults": {fault.name: code for fault, code in CODES_12.items()},
            "types": _types(TYPES_12),
            "elements": {name: _element(spec) for name, spec in ELEMENTS_12.items()},
            "arrays": {name: _array(spec) for name, spec in ARRAYS_12.items()},
            "rules": {
                "index": "an index may be at most _count; equal to _count appends an item",
                "entry": "ab-initio on the first session, resume after exit=suspend, else ''",
                "finish": (
                    "total_time = total_time at launch + session_time; lesson_status "
                    "'not attempted' becomes 'completed' ('browsed' in browse mode); in "
                    "normal mode with credit, score.raw >= mastery_score gives 'passed', "
                    "else 'failed'"
                ),
                "time_format": "HHHH:MM:SS.SS",
            },
        }
    if not version.startswith("2004"):
        raise ValueError(f"unknown SCORM version {version!r}")
    return {
        "format": SPEC_FORMAT,
        "version": version,
        "api": "API_1484_11",
        "errors": {str(code): text for code, text in ERRORS_2004.items()},
        "faults": {fault.name: code for fault, code in CODES_2004.items()},
        "types": _types(TYPES_2004),
        "elements": {name: _element(spec) for name, spec in ELEMENTS_2004.items()},
        "arrays": {name: _array(spec) for name, spec in ARRAYS_2004.items()},
        "responses": {
            "delimiters": {"item": ITEM, "pair": PAIR, "range": RANGE},
            "learner_response": {k: rule.to_json() for k, rule in LEARNER_RULES.items()},
            "correct_response": {k: rule.to_json() for k, rule in PATTERN_RULES.items()},
        },
        "nav_target_pattern": f"^(?:{NAV_TARGET_PATTERN})$",
        "rules": {
            "index": (
                "an index may be at most _count (351 beyond); a new objective, interaction or "
                "interaction objective must be created by setting its id (408 otherwise)"
            ),
            "unique": (
                "cmi.objectives.n.id is unique and write-once; interaction objective ids are "
                "unique within their interaction; choice correct responses are unique (351)"
            ),
            "dependencies": (
                "learner_response and correct_responses need cmi.interactions.n.type (408)"
            ),
            "completion_status": (
                "with completion_threshold: progress_measure >= threshold → completed, below → "
                "incomplete, no progress_measure → unknown; without: the SCO's value"
            ),
            "success_status": (
                "with scaled_passing_score: score.scaled >= it → passed, below → failed, no "
                "score.scaled → unknown; without: the SCO's value"
            ),
            "entry": (
                "ab-initio on the first session, resume after exit=suspend or "
                "adl.nav.request=suspendAll, else ''"
            ),
            "finish": "total_time = total_time at launch + session_time",
            "time_format": "PT#H#M#S (ISO 8601 duration)",
        },
    }
