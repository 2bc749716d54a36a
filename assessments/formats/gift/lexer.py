"""The lexical layer of GIFT: lines, comments, escapes, ``[format]`` prefixes, positions.

Escapes become one-character placeholders (Unicode non-characters, which a GIFT file may
not contain) so that searching for ``{``, ``~``, ``#``… finds only unescaped ones and every
offset still maps back to a line of the file.
"""

from __future__ import annotations

import bisect
import re

from .._common import PHP_TRIM, php_trim

FORMATS = ("moodle", "html", "plain", "markdown")
_ESCAPES = {":": "\ufdd0", "#": "\ufdd1", "=": "\ufdd2", "{": "\ufdd3", "}": "\ufdd4"}
_ESCAPES |= {"~": "\ufdd5", "n": "\ufdd6"}
_UNESCAPE = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()})
MARK = "\ufdd7"
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")


def unescape(text: str) -> str:
    return text.translate(_UNESCAPE)


def decode_line(line: str) -> str:
    """Replace escapes by one-character placeholders (so offsets stay meaningful)."""
    if "\\" not in line:
        return line
    out: list[str] = []
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            following = line[index + 1]
            if following == "\\":
                out.append("\\")
                index += 2
                continue
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
                index += 2
                continue
        out.append(char)
        index += 1
    return "".join(out)


def with_format(raw: str, default: str) -> tuple[str, str]:
    """Moodle's ``parse_textwith_format``: an optional ``[format]`` prefix, then trim."""
    fmt = default
    if raw.startswith("["):
        end = raw.find("]")
        if end > 0 and raw[1:end] in FORMATS:
            fmt = raw[1:end]
            raw = raw[end + 1 :]
    return php_trim(unescape(raw)), fmt


class Block:
    """One question's lines, joined, with escapes decoded and a way back to line numbers."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.comments: list[str] = []
        pieces: list[str] = []
        self.starts: list[int] = []
        self.numbers: list[int] = []
        offset = 0
        for number, line in lines:
            if line.startswith("//"):
                self.comments.append(line)
                line = " "
            else:
                line = decode_line(line)
            self.starts.append(offset)
            self.numbers.append(number)
            pieces.append(line)
            offset += len(line) + 1
        joined = "\n".join(pieces)
        self.text = php_trim(joined)
        self.shift = len(joined) - len(joined.lstrip(PHP_TRIM))
        self.first_line = lines[0][0]

    def line(self, position: int) -> int:
        """The file line holding ``self.text[position]``."""
        index = bisect.bisect_right(self.starts, position + self.shift) - 1
        return self.numbers[max(index, 0)]

    def line_of_content(self, position: int, segment: str) -> int:
        """The line of the first non-blank character of ``segment`` starting at ``position``."""
        stripped = len(segment) - len(segment.lstrip(" \t\n\r"))
        return self.line(position + min(stripped, max(len(segment) - 1, 0)))


def split_at(text: str, base: int, separators: str) -> list[tuple[str, str, int]]:
    """Cut at every separator: ``[(separator or '', piece, offset of piece)]``."""
    pieces: list[tuple[str, str, int]] = []
    marker, start = "", 0
    for index, char in enumerate(text):
        if char in separators:
            pieces.append((marker, text[start:index], base + start))
            marker, start = char, index + 1
    pieces.append((marker, text[start:], base + start))
    return pieces


def id_and_tags(comments: list[str]) -> tuple[str, list[str]]:
    text = "\n".join(comments)
    found = _ID.search(text)
    idnumber = php_trim(found.group(1)).replace("\\]", "]") if found else ""
    tags = [php_trim(tag).replace("\\]", "]") for tag in _TAG.findall(text)]
    return idnumber, [tag for tag in tags if tag]
