"""Question interchange formats: Moodle GIFT and Moodle XML to and from the IR.

Pure Python (no Django). Usage::

    bank = parse(data, "gift", filename="week1.txt")      # raises FormatError
    data = export(bank, "moodlexml")

``parse`` imports everything or nothing: a :class:`FormatError` lists every problem as an
:class:`ErrorItem` with a GIFT line or an XML question element. The IR is documented in
:mod:`assessments.formats.ir`; what each format cannot carry in
:func:`assessments.formats.gift.normalise_for_gift` and
:func:`assessments.formats.moodlexml.normalise_for_moodlexml`.
"""

from __future__ import annotations

from ._common import DEFAULT_MAX_BYTES
from .errors import ErrorItem, FormatError, GiftError, IRError, MoodleXmlError
from .gift import export_gift, normalise_for_gift, parse_gift
from .ir import Bank
from .moodlexml import export_moodlexml, normalise_for_moodlexml, parse_moodlexml

FORMATS = ("gift", "moodlexml")

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "Bank",
    "ErrorItem",
    "FormatError",
    "GiftError",
    "IRError",
    "MoodleXmlError",
    "export",
    "normalise_for",
    "parse",
]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise FormatError(f"unknown question format {fmt!r}; use one of {', '.join(FORMATS)}")


def parse(
    data: bytes,
    fmt: str,
    *,
    filename: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    match_grades: str = "error",
) -> Bank:
    """Read a whole question file into a validated :class:`Bank`.

    ``fmt`` is ``"gift"`` or ``"moodlexml"``; ``filename`` is kept on the error
    (``error.filename``) for messages; input over ``max_bytes`` is refused unread;
    ``match_grades`` (``"error"`` or ``"nearest"``) is Moodle's option for grades that are
    not in its list. Raises :class:`GiftError` / :class:`MoodleXmlError` (both
    :class:`FormatError`) with every problem found.
    """
    _check_format(fmt)
    try:
        if fmt == "gift":
            return parse_gift(data, max_bytes=max_bytes, match_grades=match_grades)
        return parse_moodlexml(data, max_bytes=max_bytes, match_grades=match_grades)
    except FormatError as error:
        error.filename = filename
        raise


def export(bank: Bank, fmt: str) -> bytes:
    """Write the bank as UTF-8 GIFT or Moodle XML; raises :class:`FormatError` for what the
    format cannot hold at all (cloze in GIFT, control characters in XML…)."""
    _check_format(fmt)
    text = export_gift(bank) if fmt == "gift" else export_moodlexml(bank)
    return text.encode("utf-8")


def normalise_for(bank: Bank, fmt: str) -> Bank:
    """The bank as it comes back from ``parse(export(bank, fmt), fmt)``: without what
    ``fmt`` cannot carry."""
    _check_format(fmt)
    return normalise_for_gift(bank) if fmt == "gift" else normalise_for_moodlexml(bank)
