"""Cloze (Moodle ``multianswer``) embedded answers: ``{1:MULTICHOICE:=Yes#Good~No#Bad}``.

Reading follows ``question/type/multianswer/questiontype.php``
(``qtype_multianswer_extract_question``): the same answer syntax, the same type codes,
HTML entities and ``\\}``/``\\#`` decoded in answers and feedback, numerical answers
``value:tolerance``, MULTIRESPONSE fractions scaled so the positive ones add up to 100%.
Writing produces text that reads back to the same sub-questions.
"""

from __future__ import annotations

import html
import re

from .._common import format_number, format_percent, round_fraction
from ..ir import ClozeAnswer, ClozeSubquestion

# code -> (kind, layout, shuffle, single, case_sensitive)
_CODES: dict[str, tuple[str, str, bool, bool, bool]] = {}
for _names, _spec in (
    (("NUMERICAL", "NM"), ("numerical", "dropdown", False, True, False)),
    (("SHORTANSWER", "SA", "MW"), ("shortanswer", "dropdown", False, True, False)),
    (("SHORTANSWER_C", "SAC", "MWC"), ("shortanswer", "dropdown", False, True, True)),
    (("MULTICHOICE", "MC"), ("multichoice", "dropdown", False, True, False)),
    (("MULTICHOICE_V", "MCV"), ("multichoice", "vertical", False, True, False)),
    (("MULTICHOICE_H", "MCH"), ("multichoice", "horizontal", False, True, False)),
    (("MULTICHOICE_S", "MCS"), ("multichoice", "dropdown", True, True, False)),
    (("MULTICHOICE_VS", "MCVS"), ("multichoice", "vertical", True, True, False)),
    (("MULTICHOICE_HS", "MCHS"), ("multichoice", "horizontal", True, True, False)),
    (("MULTIRESPONSE", "MR"), ("multichoice", "vertical", False, False, False)),
    (("MULTIRESPONSE_H", "MRH"), ("multichoice", "horizontal", False, False, False)),
    (("MULTIRESPONSE_S", "MRS"), ("multichoice", "vertical", True, False, False)),
    (("MULTIRESPONSE_HS", "MRHS"), ("multichoice", "horizontal", True, False, False)),
):
    for _name in _names:
        _CODES[_name] = _spec
_WRITE_CODES: dict[tuple[str, str, bool, bool, bool], str] = {}
for _name, _spec in _CODES.items():
    _WRITE_CODES.setdefault(_spec, _name)

_START = re.compile(r"\{([0-9]*):(" + "|".join(sorted(_CODES, key=len, reverse=True)) + "):")
_FRACTION = re.compile(r"%(-?[0-9]+(?:[.,][0-9]*)?)%")
_NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
_NUMERICAL = re.compile(rf"({_NUMBER})(?::({_NUMBER}))?", re.DOTALL)
_ENCODE = str.maketrans(
    {"&": "&#38;", "\\": "&#92;", "~": "&#126;", "{": "&#123;", "#": "\\#", "}": "\\}"}
)


def _decode(text: str) -> str:
    return html.unescape(text).replace("\\}", "}").replace("\\#", "#")


def _encode(text: str) -> str:
    encoded = text.translate(_ENCODE)
    if encoded[:1] in ("=", "%"):
        encoded = f"&#{ord(encoded[0])};{encoded[1:]}"
    return encoded


def _answer_end(body: str, start: int) -> int:
    """Moodle's lazy answer: at least one character, up to a ``~`` or ``#`` that is not
    escaped by ``\\`` and does not follow ``&`` or ``&amp;`` (an HTML entity)."""
    index = start + 1
    while index < len(body):
        if (
            body[index] in "~#"
            and body[index - 1] not in "\\&"
            and not body.endswith("&amp;", 0, index)
        ):
            return index
        index += 1
    return index


def _feedback_end(body: str, start: int) -> int:
    index = start
    while index < len(body) and not (body[index] == "~" and body[index - 1] != "\\"):
        index += 1
    return index


def _alternatives(spec: tuple[str, str, bool, bool, bool], body: str) -> list[ClozeAnswer]:
    """The alternatives of one embedded answer, scanned left to right without backtracking."""
    answers: list[ClozeAnswer] = []
    specific = False
    position = 0
    while position < len(body):
        if answers and body[position] == "~":
            position += 1
            if position == len(body):
                break
        fraction, after = 0.0, position
        weight = _FRACTION.match(body, position)
        if body[position] == "=":
            fraction, after = 1.0, position + 1
        elif weight:
            fraction, after = float(weight.group(1).replace(",", ".")) / 100, weight.end()
        if after < len(body):
            specific = specific or bool(weight and body[position] != "=")
            position = after
        else:
            fraction = 0.0
        end = _answer_end(body, position)
        raw = body[position:end]
        feedback = ""
        if end < len(body) and body[end] == "#":
            stop = _feedback_end(body, end + 1)
            feedback, end = body[end + 1 : stop], stop
        position = end
        tolerance = 0.0
        number = _NUMERICAL.fullmatch(raw) if spec[0] == "numerical" else None
        if number:
            text = number.group(1).replace(",", ".")
            tolerance = float((number.group(2) or "0").replace(",", "."))
        else:
            text = _decode(raw)
        answers.append(
            ClozeAnswer(
                text=text,
                fraction=round_fraction(fraction),
                feedback=_decode(feedback),
                tolerance=tolerance,
            )
        )
    if spec[0] == "multichoice" and not spec[3]:
        total = sum(a.fraction for a in answers if a.fraction > 0)
        if total and abs(total - 1) > 1e-6:
            for answer in answers:
                if answer.fraction > 0:
                    answer.fraction = round_fraction(answer.fraction / total)
                elif not specific:
                    answer.fraction = round_fraction(-1.0 / total)
    return answers


def _closing(text: str, start: int) -> int:
    """The first ``}`` at or after ``start`` that is not escaped as ``\\}``."""
    index = text.find("}", start)
    while index > 0 and text[index - 1] == "\\":
        index = text.find("}", index + 1)
    return index


def parse_cloze(text: str) -> tuple[str, list[ClozeSubquestion]]:
    """Replace each embedded answer by ``{#n}``; return the text and the sub-questions."""
    subquestions: list[ClozeSubquestion] = []
    out: list[str] = []
    position = 0
    while True:
        found = _START.search(text, position)
        if found is None:
            break
        end = _closing(text, found.end())
        if end < 0:
            break
        body = text[found.end() : end]
        if not body:
            out.append(text[position : found.end()])
            position = found.end()
            continue
        spec = _CODES[found.group(2)]
        kind, layout, shuffle, single, case_sensitive = spec
        subquestions.append(
            ClozeSubquestion(
                kind=kind,
                mark=float(found.group(1) or 1),
                case_sensitive=case_sensitive,
                layout=layout,
                single=single,
                shuffle=shuffle,
                answers=_alternatives(spec, body),
            )
        )
        out.append(text[position : found.start()] + "{#" + str(len(subquestions)) + "}")
        position = end + 1
    out.append(text[position:])
    return "".join(out), subquestions


def render_subquestion(sub: ClozeSubquestion) -> str:
    """The ``{mark:TYPE:…}`` text of one sub-question."""
    layout = sub.layout if sub.kind == "multichoice" else "dropdown"
    shuffle = sub.shuffle if sub.kind == "multichoice" else False
    single = sub.single if sub.kind == "multichoice" else True
    case = sub.case_sensitive if sub.kind == "shortanswer" else False
    code = _WRITE_CODES[(sub.kind, layout, shuffle, single, case)]
    parts = []
    for answer in sub.answers:
        if answer.fraction == 1 and (single or sub.kind != "multichoice"):
            prefix = "="
        elif answer.fraction == 0:
            prefix = ""
        else:
            prefix = f"%{format_percent(answer.fraction)}%"
        if sub.kind == "numerical" and _NUMERICAL.fullmatch(answer.text):
            body = f"{answer.text}:{format_number(answer.tolerance)}"
        else:
            body = _encode(answer.text)
        feedback = f"#{_encode(answer.feedback)}" if answer.feedback else ""
        parts.append(prefix + body + feedback)
    return "{" + format_number(sub.mark) + ":" + code + ":" + "~".join(parts) + "}"


def render_cloze(text: str, subquestions: list[ClozeSubquestion]) -> str:
    """The question text with each ``{#n}`` replaced by its embedded answer."""
    for index, sub in enumerate(subquestions, 1):
        text = text.replace("{#" + str(index) + "}", render_subquestion(sub), 1)
    return text
