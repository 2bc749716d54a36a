"""Moodle XML import and export (see :mod:`.reader`, :mod:`.writer`, :mod:`.cloze`)."""

from __future__ import annotations

from .._common import DEFAULT_MAX_BYTES, MATCH_GRADES, check_size, decode_utf8
from ..errors import MoodleXmlError
from ..ir import Bank
from .reader import XmlReader
from .tree import parse_tree
from .writer import export_moodlexml, normalise_for_moodlexml

__all__ = ["MoodleXmlError", "export_moodlexml", "normalise_for_moodlexml", "parse_moodlexml"]


def parse_moodlexml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, match_grades: str = "error"
) -> Bank:
    """Read a Moodle XML file (UTF-8, as Moodle requires). Raises :class:`MoodleXmlError`
    listing every problem with the question's name and element index; nothing is returned
    unless the whole file is valid. ``match_grades`` as in :func:`..gift.parse_gift`."""
    if match_grades not in MATCH_GRADES:
        raise ValueError(f"match_grades must be one of {MATCH_GRADES}")
    check_size(data, max_bytes=max_bytes, error=MoodleXmlError)
    decode_utf8(data, label="Moodle XML", error=MoodleXmlError)
    reader = XmlReader(match_grades=match_grades)
    bank = reader.read(parse_tree(data))
    if reader.errors:
        raise MoodleXmlError(reader.errors)
    return bank
