"""Helpers shared by the GIFT and Moodle XML readers and writers (pure Python)."""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterator

from .errors import ErrorItem, FormatError
from .ir import MOODLE_FRACTIONS, TOP, Bank, Category, Question

#: Largest file the importers read; bigger input is refused before any parsing.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: PHP ``trim()``'s characters: what Moodle strips around every text.
PHP_TRIM = " \t\n\r\0\x0b"
MATCH_GRADES = ("error", "nearest")

_TAG = re.compile(r"</?[A-Za-z!?][^>]*>")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff]")
_CONTEXTS = ("$course$", "$system$", "$module$", "$cat$", "$coursecategory$")
_ALL_FRACTIONS = (0.0, *MOODLE_FRACTIONS, *(-f for f in MOODLE_FRACTIONS))


def check_size(data: bytes, *, max_bytes: int, error: type[FormatError]) -> None:
    """Refuse input over ``max_bytes`` before doing any work on it."""
    if len(data) > max_bytes:
        raise error(
            f"the file is {len(data) / 1_048_576:.1f} MB; files of up to "
            f"{max_bytes / 1_048_576:.1f} MB can be imported"
        )


def decode_utf8(data: bytes, *, label: str, error: type[FormatError]) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise naming the encoding problem and its lines.

    Moodle refuses files that are not UTF-8 ("The file you selected does not use UTF-8
    character encoding. GIFT format files must use UTF-8."); so does this, and it says which
    line holds the first bad bytes and what they look like in Windows-1252, the usual cause.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise error(f"the file is saved as UTF-32; {label} files must be saved as UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        b"\x00" in data[:4096] and data[:4096].count(b"\x00") * 4 > len(data[:4096])
    ):
        raise error(f"the file is saved as UTF-16; {label} files must be saved as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems: list[ErrorItem] = []
    position = 0
    seen_lines: set[int] = set()
    while position < len(data) and len(problems) < 20:
        try:
            data[position:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            start = position + exc.start
            line = data.count(b"\n", 0, start) + 1
            if line not in seen_lines:
                seen_lines.add(line)
                problems.append(ErrorItem(line=line, message=_bad_bytes(data[start:], label)))
            position = position + max(exc.end, exc.start + 1)
    raise error(problems)


def _bad_bytes(rest: bytes, label: str) -> str:
    byte = rest[0]
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return f"the file is not UTF-8 (byte 0x{byte:02X}); {label} files must be saved as UTF-8"
    return (
        f"the file is not UTF-8: byte 0x{byte:02X} looks like the Windows-1252 (Latin-1) "
        f"character '{char}'. {label} files must be UTF-8: open the file in a text editor, "
        "save it with the encoding UTF-8 and import it again"
    )


def bad_character(text: str) -> tuple[int, str] | None:
    """The first control or non-character code point of ``text`` as (offset, 'U+XXXX')."""
    found = _BAD_CHARS.search(text)
    if found is None:
        return None
    return found.start(), f"U+{ord(found.group()):04X}"


def php_trim(text: str) -> str:
    return text.strip(PHP_TRIM)


def strip_tags(text: str) -> str:
    return _TAG.sub("", text)


def clean_question_name(name: str) -> str:
    """Moodle's ``clean_question_name``: no HTML tags, trimmed, at most 255 characters."""
    name = php_trim(strip_tags(name))
    return name if len(name) <= 255 else shorten(name, 255)


def shorten(text: str, length: int) -> str:
    """Cut ``text`` to ``length`` characters at a word boundary, ending with ``...``."""
    if len(text) <= length:
        return text
    cut = text[: length - 3]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "..."


def default_question_name(text: str) -> str:
    """Moodle's ``create_default_question_name``: the text, untagged, cut to 80 characters."""
    plain = php_trim(_SPACES.sub(" ", strip_tags(text).replace("\u00a0", " ")))
    return clean_question_name(shorten(plain, 80)) or "Question"


def normalise_category_path(raw: str) -> str:
    """``$course$/Default for X`` → ``top/Default for X``; ``//`` (a slash inside a name) kept."""
    raw = php_trim(raw)
    for context in _CONTEXTS:
        if raw.startswith(context):
            raw = raw[len(context) :]
            break
    placeholder = "\x00"
    parts = [php_trim(part) for part in raw.replace("//", placeholder).split("/")]
    parts = [part.replace(placeholder, "//") for part in parts if part]
    if not parts or parts[0] != TOP:
        parts.insert(0, TOP)
    return "/".join(parts)


def parse_number(text: str) -> float | None:
    """A finite number written the way PHP's ``is_numeric`` accepts (no hex, no ``_``)."""
    text = php_trim(text)
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float (``1822`` rather than ``1822.0``)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_percent(fraction: float) -> str:
    """``0.3333333`` → ``33.33333``; ``-1`` → ``-100``."""
    text = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def round_fraction(value: float) -> float:
    """Moodle keeps fractions with 7 decimals."""
    rounded = round(value, 7)
    return 0.0 if rounded == 0 else rounded


def snap_fraction(value: float, *, mode: str) -> float | None:
    """Moodle's ``match_grade_options``: the allowed grade within 0.00001, or with ``mode``
    ``"nearest"`` the nearest allowed grade; None when ``"error"`` finds no match."""
    best = min(_ALL_FRACTIONS, key=lambda option: abs(option - value))
    if mode == "nearest" or abs(best - value) < 0.00001:
        return best
    return None


def grade_problem(value: float) -> str:
    """The message for a grade that is not in Moodle's list."""
    nearest = snap_fraction(value, mode="nearest") or 0.0
    return (
        f"grade {format_percent(value)}% is not one of the grades Moodle allows "
        f"(the nearest is {format_percent(nearest)}%; others are 100%, 50%, 33.33333%, 25%, "
        "20%, 10%, 0% and their negatives)"
    )


def walk_with_categories(bank: Bank) -> Iterator[Category | Question]:
    """Questions in order, preceded by the category switches a file needs.

    Declared categories come out in their declared order (one without questions where it
    stood in that order), so reading the file back gives the same ``bank.categories``.
    """
    declared = {category.path: category for category in bank.categories}
    order = [category.path for category in bank.categories]
    emitted: set[str] = set()
    current = TOP
    for question in bank.questions:
        target = question.category
        if target in declared and target not in emitted:
            for path in order[: order.index(target) + 1]:
                if path not in emitted:
                    emitted.add(path)
                    current = path
                    yield declared[path]
        if target != current:
            current = target
            yield declared.get(target) or Category(path=target)
        yield question
    for path in order:
        if path not in emitted:
            yield declared[path]


def is_bare_top(category: Category) -> bool:
    """``top`` with nothing to say: importers do not declare it (every bank has it)."""
    return category.path == TOP and not category.info and not category.idnumber
