"""SCORM 2004 interaction responses: ``learner_response`` and ``correct_responses.n.pattern``.

The format depends on ``cmi.interactions.n.type`` (SCORM 2004 RTE 4.2.9):

============  ===============================================  ====================================
type          learner_response                                 correct response pattern
============  ===============================================  ====================================
true-false    ``true`` or ``false``                            same; at most 1 pattern
choice        ids joined by ``[,]``, unique, may be empty      same; patterns must differ
fill-in       up to 10 localized strings joined by ``[,]``     ``{case_matters=}{order_matters=}``
                                                               prefixes allowed, then the same
long-fill-in  one localized string (4000)                      ``{case_matters=}`` prefix allowed
likert        one id                                           same; at most 1 pattern
matching      ``source[.]target`` pairs joined by ``[,]``      same
performance   ``step[.]answer`` pairs joined by ``[,]``        ``{order_matters=}`` prefix; an
              (step or answer may be empty, not both)          answer may be a range ``a[:]b``
sequencing    ids joined by ``[,]``                            same
numeric       one real number                                  ``min[:]max`` (either may be
                                                               empty, min <= max); at most 1
other         any string up to 4000 characters                 same; at most 1 pattern
============  ===============================================  ====================================

The rules are data (:data:`LEARNER_RULES`, :data:`PATTERN_RULES`) so they can be exported
to the browser; :func:`check_response` applies them. Item counts follow the SPMs that
Moodle and scorm-again enforce (36 choices, 10 fill-in strings, 250 performance steps).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from courses.scorm.datamodel.errors import Fault
from courses.scorm.datamodel.types import (
    REAL_PATTERN,
    SHORT_IDENTIFIER_PATTERN,
    split_language,
)

ITEM = "[,]"
PAIR = "[.]"
RANGE = "[:]"


@dataclass(frozen=True)
class ResponseRule:
    kind: str  # "single", "list" or "pairs"
    item: str  # "bool", "id", "text250", "text4000", "string4000", "real", "performance"
    max_items: int = 1
    unique: bool = False
    allow_empty: bool = False
    prefixes: tuple[str, ...] = ()
    pattern_limit: int | None = None
    patterns_unique: bool = False
    numeric_range: bool = False

    def to_json(self) -> dict[str, object]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


LEARNER_RULES: dict[str, ResponseRule] = {
    "true-false": ResponseRule("single", "bool"),
    "choice": ResponseRule("list", "id", max_items=36, unique=True, allow_empty=True),
    "fill-in": ResponseRule("list", "text250", max_items=10),
    "long-fill-in": ResponseRule("single", "text4000"),
    "likert": ResponseRule("single", "id"),
    "matching": ResponseRule("pairs", "id", max_items=36),
    "performance": ResponseRule("pairs", "performance", max_items=250),
    "sequencing": ResponseRule("list", "id", max_items=36),
    "numeric": ResponseRule("single", "real"),
    "other": ResponseRule("single", "string4000"),
}

PATTERN_RULES: dict[str, ResponseRule] = {
    "true-false": ResponseRule("single", "bool", pattern_limit=1),
    "choice": ResponseRule(
        "list", "id", max_items=36, unique=True, allow_empty=True, patterns_unique=True
    ),
    "fill-in": ResponseRule(
        "list", "text250", max_items=10, prefixes=("case_matters", "order_matters")
    ),
    "long-fill-in": ResponseRule("single", "text4000", prefixes=("case_matters",)),
    "likert": ResponseRule("single", "id", pattern_limit=1),
    "matching": ResponseRule("pairs", "id", max_items=36),
    "performance": ResponseRule(
        "pairs", "performance", max_items=125, prefixes=("order_matters",), numeric_range=True
    ),
    "sequencing": ResponseRule("list", "id", max_items=36),
    "numeric": ResponseRule("single", "real", pattern_limit=1, numeric_range=True),
    "other": ResponseRule("single", "string4000", pattern_limit=1),
}

_SHORT_ID = re.compile(SHORT_IDENTIFIER_PATTERN)
_REAL = re.compile(REAL_PATTERN)
_PREFIX = re.compile(r"\{(case_matters|order_matters)=([^}]*)\}")


def _strip_prefixes(value: str, allowed: tuple[str, ...]) -> str | None:
    """Drop leading ``{case_matters=true}``-style delimiters; None when one is invalid."""
    seen: set[str] = set()
    while True:
        match = _PREFIX.match(value)
        if match is None:
            return value
        key, flag = match.groups()
        if key not in allowed or key in seen or flag not in ("true", "false"):
            return None
        seen.add(key)
        value = value[match.end() :]


def _text(value: str, limit: int) -> bool:
    split = split_language(value)
    return split is not None and len(split[1]) <= limit


def _id(value: str) -> bool:
    return len(value) <= 250 and _SHORT_ID.fullmatch(value) is not None


def _real(value: str) -> bool:
    return _REAL.fullmatch(value) is not None


def _numeric_range(value: str) -> bool:
    if RANGE not in value:
        return _real(value)
    low, _, high = value.partition(RANGE)
    if (low and not _real(low)) or (high and not _real(high)) or RANGE in high:
        return False
    return not (low and high and float(low) > float(high))


def _item_ok(kind: str, value: str, *, numeric_range: bool) -> bool:
    if kind == "bool":
        return value in ("true", "false")
    if kind == "id":
        return _id(value)
    if kind == "text250":
        return _text(value, 250)
    if kind == "text4000":
        return _text(value, 4000)
    if kind == "string4000":
        return len(value) <= 4000
    if kind == "real":
        return _numeric_range(value) if numeric_range else _real(value)
    return False


def _performance_step(step: str, numeric_range: bool) -> bool:
    name, sep, answer = step.partition(PAIR)
    if not sep or PAIR in answer:
        return False
    if not name and not answer:
        return False
    if name and not _id(name):
        return False
    if not answer:
        return True
    if _real(answer) or (numeric_range and RANGE in answer and _numeric_range(answer)):
        return True
    return len(answer) <= 250 and _SHORT_ID.fullmatch(answer) is not None


def check_response(*, interaction_type: str, value: str, pattern: bool) -> Fault | None:
    """None when ``value`` is a valid response (``pattern``: a correct response) for the type."""
    rules = PATTERN_RULES if pattern else LEARNER_RULES
    rule = rules.get(interaction_type)
    if rule is None:
        return Fault.DEPENDENCY
    if rule.prefixes:
        stripped = _strip_prefixes(value, rule.prefixes)
        if stripped is None:
            return Fault.TYPE_MISMATCH
        value = stripped
    if rule.kind == "single":
        ok = _item_ok(rule.item, value, numeric_range=rule.numeric_range)
        return None if ok else Fault.TYPE_MISMATCH
    if value == "":
        return None if rule.allow_empty else Fault.TYPE_MISMATCH
    items = value.split(ITEM)
    if len(items) > rule.max_items:
        return Fault.TOO_MANY
    if rule.unique and len(set(items)) != len(items):
        return Fault.TYPE_MISMATCH
    for item in items:
        if rule.kind == "pairs":
            if rule.item == "performance":
                ok = _performance_step(item, rule.numeric_range)
            else:
                left, sep, right = item.partition(PAIR)
                ok = bool(sep) and _id(left) and _id(right)
        else:
            ok = _item_ok(rule.item, item, numeric_range=False)
        if not ok:
            return Fault.TYPE_MISMATCH
    return None
