"""CMI data types of SCORM 1.2 and SCORM 2004, as data plus one checking function.

Each :class:`CmiType` carries a regular expression written in the subset shared by Python
and JavaScript (no look-behind, no named groups, ASCII classes), so the browser runtime can
use the exported pattern as is. ``spm`` is the "smallest permitted maximum" the spec
gives; ``max_length`` is what this LMS accepts, which is the SPM except where content in
the wild needs more and established LMSs accept more (suspend data, noted per element).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from courses.scorm.datamodel.errors import Fault
from courses.scorm.datamodel.timeutil import DURATION_2004_PATTERN, TIMESPAN_12_PATTERN

LANGUAGE_PATTERN = r"([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9]{1,8})*"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
LONG_IDENTIFIER_PATTERN = r"(urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+|(?!urn:)[^\s]+)"
SHORT_IDENTIFIER_PATTERN = r"[^\s\[\]{}]+"
REAL_PATTERN = r"-?[0-9]{1,10}(\.[0-9]{1,18})?"
TIME_2004_PATTERN = (
    r"(19[7-9][0-9]|20[0-2][0-9]|203[0-8])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3])(:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?"
    r"(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?)?)?"
)


@dataclass(frozen=True)
class CmiType:
    name: str
    pattern: str | None = None
    max_length: int | None = None
    spm: int | None = None
    numeric: bool = False
    localized: bool = False
    blank_allowed: bool = False
    vocabulary: tuple[str, ...] = ()
    also_real: bool = False
    """A vocabulary type that also accepts a number (``result``)."""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name}
        if self.pattern is not None:
            data["pattern"] = f"^(?:{self.pattern})$"
        for key in ("max_length", "spm"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        for key in ("numeric", "localized", "blank_allowed", "also_real"):
            if getattr(self, key):
                data[key] = True
        if self.vocabulary:
            data["vocabulary"] = list(self.vocabulary)
        return data


def _t(name: str, **kwargs: object) -> CmiType:
    return CmiType(name=name, **kwargs)  # type: ignore[arg-type]


# --- SCORM 1.2 -----------------------------------------------------------------------
DECIMAL_12 = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
TYPES_12: dict[str, CmiType] = {
    t.name: t
    for t in (
        _t("CMIString255", max_length=255, spm=255),
        _t("CMIString4096", max_length=4096, spm=4096),
        _t("CMIDecimal", pattern=DECIMAL_12, numeric=True),
        _t("CMIBlankDecimal", pattern=f"({DECIMAL_12})?", numeric=True, blank_allowed=True),
        _t("CMISInteger", pattern=r"-?[0-9]+", numeric=True),
        _t("CMIIdentifier", pattern=r"[^\s\x00-\x1f\x7f]{1,255}", max_length=255, spm=255),
        _t("CMITimespan", pattern=TIMESPAN_12_PATTERN),
        _t("CMITime", pattern=r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,2})?"),
        _t("CMIFeedback", max_length=255, spm=255),
        _t("CMIVocabulary"),
        _t("CMIResult", pattern=DECIMAL_12, also_real=True),
    )
}

# --- SCORM 2004 -------------------------------------------------------------------------
TYPES_2004: dict[str, CmiType] = {
    t.name: t
    for t in (
        _t("characterstring(250)", max_length=250, spm=250),
        _t("characterstring(1000)", max_length=1000, spm=1000),
        _t("characterstring(4000)", max_length=4000, spm=4000),
        _t("characterstring(64000)", max_length=64000, spm=64000),
        _t("localized_string_type(250)", max_length=250, spm=250, localized=True),
        _t("localized_string_type(4000)", max_length=4000, spm=4000, localized=True),
        _t("long_identifier_type", pattern=LONG_IDENTIFIER_PATTERN, max_length=4000, spm=4000),
        _t("short_identifier_type", pattern=SHORT_IDENTIFIER_PATTERN, max_length=250, spm=250),
        _t("real(10,7)", pattern=REAL_PATTERN, numeric=True),
        _t("integer", pattern=r"-?[0-9]+", numeric=True),
        _t("time(second,10,0)", pattern=TIME_2004_PATTERN),
        _t("timeinterval(second,10,2)", pattern=DURATION_2004_PATTERN),
        _t("language_type", pattern=f"({LANGUAGE_PATTERN})?", max_length=250, spm=250),
        _t("state"),
        _t("result", pattern=REAL_PATTERN, also_real=True),
        _t("interaction_response"),
    )
}

_COMPILED: dict[str, re.Pattern[str]] = {}


def _matches(pattern: str, value: str) -> bool:
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled.fullmatch(value) is not None


def split_language(value: str) -> tuple[str | None, str] | None:
    """``{lang=en}Hello`` → ('en', 'Hello'); None when the delimiter is malformed."""
    if not value.startswith("{lang="):
        return None, value
    end = value.find("}")
    if end < 0:
        return None
    language = value[len("{lang=") : end]
    if not _LANGUAGE.fullmatch(language):
        return None
    return language, value[end + 1 :]


def _valid_date(value: str) -> bool:
    parts = value[:10].split("-")
    if len(parts) < 3:
        return True
    try:
        date(int(parts[0]), int(parts[1]), int(parts[2][:2]))
    except ValueError:
        return False
    return True


def check(
    cmi_type: CmiType,
    value: str,
    *,
    vocabulary: tuple[str, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    max_length: int | None = None,
) -> Fault | None:
    """None when ``value`` is valid for the type (and element constraints), else the fault."""
    if cmi_type.blank_allowed and value == "":
        return None
    if vocabulary:
        if value in vocabulary:
            return None
        if not cmi_type.also_real:
            return Fault.TYPE_MISMATCH
    text = value
    if cmi_type.localized:
        split = split_language(value)
        if split is None:
            return Fault.TYPE_MISMATCH
        text = split[1]
    limit = max_length if max_length is not None else cmi_type.max_length
    if limit is not None and len(text) > limit:
        return Fault.TYPE_MISMATCH
    if cmi_type.pattern is not None and not _matches(cmi_type.pattern, value):
        return Fault.TYPE_MISMATCH
    if cmi_type.name == "time(second,10,0)" and not _valid_date(value):
        return Fault.TYPE_MISMATCH
    if cmi_type.numeric or cmi_type.also_real:
        try:
            number = float(value)
        except ValueError:
            return Fault.TYPE_MISMATCH
        if minimum is not None and number < minimum:
            return Fault.OUT_OF_RANGE
        if maximum is not None and number > maximum:
            return Fault.OUT_OF_RANGE
    return None
