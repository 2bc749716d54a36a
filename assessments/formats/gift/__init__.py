"""Moodle GIFT import and export. See :mod:`.reader` for the grammar and the rules where this
is stricter than Moodle, :mod:`.writer` for what GIFT cannot hold."""

from __future__ import annotations

from .._common import DEFAULT_MAX_BYTES, MATCH_GRADES, check_size, decode_utf8
from ..errors import GiftError
from ..ir import Bank
from .reader import GiftReader
from .writer import export_gift, normalise_for_gift

__all__ = ["GiftError", "export_gift", "normalise_for_gift", "parse_gift", "parse_gift_text"]


def parse_gift(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, match_grades: str = "error"
) -> Bank:
    """Read a GIFT file (UTF-8, BOM allowed). Raises :class:`GiftError` listing every problem
    with its line; nothing is returned unless the whole file is valid.

    ``match_grades`` is Moodle's import option: ``"error"`` refuses a weight that is not one
    of Moodle's grades (``%33%``), ``"nearest"`` rounds it to the nearest one.
    """
    check_size(data, max_bytes=max_bytes, error=GiftError)
    return parse_gift_text(
        decode_utf8(data, label="GIFT", error=GiftError), match_grades=match_grades
    )


def parse_gift_text(text: str, *, match_grades: str = "error") -> Bank:
    """Read GIFT from a string (see :func:`parse_gift`)."""
    if match_grades not in MATCH_GRADES:
        raise ValueError(f"match_grades must be one of {MATCH_GRADES}")
    reader = GiftReader(match_grades=match_grades)
    bank = reader.read(text)
    if reader.errors:
        raise GiftError(sorted(reader.errors, key=lambda error: error.line or 0))
    return bank
