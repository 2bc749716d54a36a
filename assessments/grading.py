"""Grading a response against a question, the way Moodle's question types grade (pure Python).

A question is the IR dict stored per question version (see :mod:`assessments.formats.ir`).
A *layout* is what an attempt froze for the question when it started (the order in which the
choices are shown); a *response* is what the browser sent. Choices are always named by their
position *as shown*, never by their index in the question, so that nothing about which one is
right reaches the browser::

    multichoice single   {"choice": 2}                 layout {"order": [3, 0, 2, 1]}
    multichoice multi    {"choices": [0, 2]}           layout {"order": [...]}
    truefalse            {"answer": true}
    shortanswer          {"answer": "Lahore"}
    numerical            {"answer": "12.5", "unit": "km"} (or the unit inside "answer")
    matching             {"matches": {"0": 1, "1": 0}}  layout {"stems": [...], "choices": [...]}
                         keys: the sub-question's index; values: positions in layout "choices"
    essay                {"text": "..."}
    cloze                {"parts": {"1": "Lahore", "2": 1, "3": "4.5"}}
                         layout {"parts": {"2": {"order": [...]}}} for multiple-choice parts

:func:`grade_response` returns a :class:`Grade`: a fraction in [0, 1] (``None`` when a person
must grade it, or for a description), the ids of the feedback to show
(``"answer:<index>"``, ``"true"``/``"false"``, ``"part:<n>:answer:<index>"``) and a one-line
summary of the response for the statistics' response distribution.
"""

from __future__ import annotations

import html
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from assessments.statistics import ResponsePart

#: Grade states, as Moodle's question states name them in short.
RIGHT = "right"
PARTIAL = "partial"
WRONG = "wrong"
NOT_ANSWERED = "not_answered"
NEEDS_GRADING = "needs_grading"
INFO = "info"

#: Question types a person grades, and types that carry no mark at all.
MANUAL_QTYPES = frozenset({"essay"})
UNGRADED_QTYPES = frozenset({"description"})

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: Moodle adds 10^-precision to every tolerance so that equal-looking floats compare equal.
_EPSILON = 1e-12


@dataclass(frozen=True)
class Grade:
    fraction: float | None
    state: str
    feedback_ids: tuple[str, ...] = ()
    summary: str | None = None
    parts: tuple[ResponsePart, ...] = field(default=())

    @property
    def needs_grading(self) -> bool:
        return self.state == NEEDS_GRADING


def plain(text: str) -> str:
    """A formatted text as one line of plain text (for summaries and CSV)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text or ""))).strip()


def _state(fraction: float) -> str:
    if fraction >= 1 - 1e-9:
        return RIGHT
    if fraction <= 1e-9:
        return WRONG
    return PARTIAL


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _position_to_index(layout: dict | None, position: Any, count: int) -> int | None:
    """The question's answer index shown at ``position`` (``None`` when it is not one)."""
    if isinstance(position, bool):
        return None
    try:
        position = int(position)
    except (TypeError, ValueError):
        return None
    order = (layout or {}).get("order") or list(range(count))
    if not 0 <= position < len(order):
        return None
    index = order[position]
    return index if 0 <= index < count else None


# --- Layouts -----------------------------------------------------------------------------
def question_layout(question: dict, *, shuffle: bool, rng: random.Random) -> dict:
    """The display order frozen for one question when an attempt starts.

    Answers are shuffled when both the quiz (``shuffle``) and the question allow it.
    """
    qtype, data = question["qtype"], question.get("data") or {}
    if qtype == "multichoice":
        order = list(range(len(data.get("answers", []))))
        if shuffle and data.get("shuffle_answers", True):
            rng.shuffle(order)
        return {"order": order}
    if qtype == "matching":
        items = data.get("subquestions", [])
        stems = [index for index, item in enumerate(items) if item.get("text")]
        choices = list(dict.fromkeys(item["answer"] for item in items))
        if shuffle and data.get("shuffle_answers", True):
            rng.shuffle(choices)
        return {"stems": stems, "choices": choices}
    if qtype == "cloze":
        parts = {}
        for number, sub in enumerate(data.get("subquestions", []), 1):
            if sub.get("kind") == "multichoice":
                order = list(range(len(sub.get("answers", []))))
                if sub.get("shuffle"):
                    rng.shuffle(order)
                parts[str(number)] = {"order": order}
        return {"parts": parts}
    return {}


# --- Per type ----------------------------------------------------------------------------
def _grade_multichoice(question: dict, response: dict, layout: dict | None) -> Grade:
    data = question["data"]
    answers = data["answers"]
    if data.get("single", True):
        index = _position_to_index(layout, response.get("choice"), len(answers))
        if index is None:
            return Grade(fraction=0.0, state=NOT_ANSWERED)
        answer = answers[index]
        fraction = _clamp(answer["fraction"])
        summary = plain(answer["text"])
        return Grade(
            fraction=fraction,
            state=_state(fraction),
            feedback_ids=(f"answer:{index}",),
            summary=summary,
            parts=(ResponsePart("", summary, str(index), answer["fraction"]),),
        )
    raw = response.get("choices") or []
    chosen = sorted(
        {
            index
            for index in (_position_to_index(layout, pos, len(answers)) for pos in raw)
            if index is not None
        }
    )
    if not chosen:
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    fraction = _clamp(sum(answers[index]["fraction"] for index in chosen))
    texts = [plain(answers[index]["text"]) for index in chosen]
    return Grade(
        fraction=fraction,
        state=_state(fraction),
        feedback_ids=tuple(f"answer:{index}" for index in chosen),
        summary="; ".join(texts),
        parts=tuple(
            ResponsePart(str(index), text, str(index), answers[index]["fraction"])
            for index, text in zip(chosen, texts, strict=True)
        ),
    )


def _grade_truefalse(question: dict, response: dict, layout: dict | None) -> Grade:
    answer = response.get("answer")
    if isinstance(answer, str) and answer.lower() in {"true", "false"}:
        answer = answer.lower() == "true"
    if not isinstance(answer, bool):
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    fraction = 1.0 if answer == bool(question["data"]["correct"]) else 0.0
    summary = "True" if answer else "False"
    return Grade(
        fraction=fraction,
        state=_state(fraction),
        feedback_ids=("true" if answer else "false",),
        summary=summary,
        parts=(ResponsePart("", summary, summary.lower(), fraction),),
    )


def wildcard_match(text: str, pattern: str, *, case_sensitive: bool = False) -> bool:
    """Moodle's ``compare_string_with_wildcard``: ``*`` matches any run of characters
    (``\\*`` is a literal star), the whole trimmed response must match, NFC-normalised."""
    text = unicodedata.normalize("NFC", text).strip()
    pattern = unicodedata.normalize("NFC", pattern)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.fullmatch(regex, text, flags) is not None


def _shortanswer_match(answers: list[dict], text: str, case_sensitive: bool) -> int | None:
    """The index of the first answer the text matches, as Moodle (first match wins)."""
    for index, answer in enumerate(answers):
        if wildcard_match(text, answer["text"], case_sensitive=case_sensitive):
            return index
    return None


def _grade_shortanswer(question: dict, response: dict, layout: dict | None) -> Grade:
    data = question["data"]
    text = response.get("answer")
    if not isinstance(text, str) or not text.strip():
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    summary = _SPACE.sub(" ", text.strip())
    index = _shortanswer_match(data["answers"], text, data.get("case_sensitive", False))
    if index is None:
        return Grade(fraction=0.0, state=WRONG, summary=summary, parts=(ResponsePart("", summary),))
    answer = data["answers"][index]
    fraction = _clamp(answer["fraction"])
    return Grade(
        fraction=fraction,
        state=_state(fraction),
        feedback_ids=(f"answer:{index}",),
        summary=summary,
        parts=(ResponsePart("", summary, answer["text"], answer["fraction"]),),
    )


def parse_number(text: str) -> tuple[float | None, str]:
    """``"1,5 km"`` → ``(1.5, "km")``: the leading number (a lone comma is a decimal
    comma; thousands separators "1,234.5" are accepted) and what follows it."""
    text = (text or "").strip().replace("\u2212", "-")
    if re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    match = _NUMBER.match(text)
    if not match:
        return None, text
    number = match.group(0).replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None, text
    return (value if math.isfinite(value) else None), text[match.end() :].strip()


def _unit_split(data: dict, response: dict) -> tuple[float | None, str, str]:
    """(number, unit text, summary) of a numerical response, units before or after."""
    raw = str(response.get("answer") or "").strip()
    unit = str(response.get("unit") or "").strip()
    if data.get("units_left") and data.get("units"):
        for candidate in sorted(data["units"], key=lambda u: -len(u["name"])):
            if raw.startswith(candidate["name"]):
                unit, raw = candidate["name"], raw[len(candidate["name"]) :].strip()
                break
    number, rest = parse_number(raw)
    if rest and not unit:
        unit = rest
    summary = " ".join(part for part in (raw, str(response.get("unit") or "").strip()) if part)
    return number, unit, summary


def numerical_within(answer: dict, value: float) -> bool:
    if answer.get("value") is None:
        return True
    tolerance = abs(answer.get("tolerance") or 0.0)
    margin = _EPSILON * max(1.0, abs(answer["value"]))
    return abs(value - answer["value"]) <= tolerance + margin


def _grade_numerical(question: dict, response: dict, layout: dict | None) -> Grade:
    data = question["data"]
    number, unit, summary = _unit_split(data, response)
    if number is None:
        if not summary:
            return Grade(fraction=0.0, state=NOT_ANSWERED)
        return Grade(fraction=0.0, state=WRONG, summary=summary, parts=(ResponsePart("", summary),))
    units = {item["name"]: item["multiplier"] for item in data.get("units", [])}
    unit_right = True
    value = number
    if units:
        if unit in units:
            value = number / units[unit]
        else:
            unit_right = False  # no unit, or one that is not accepted: the base unit
    for index, answer in enumerate(data["answers"]):
        if numerical_within(answer, value):
            fraction = _clamp(answer["fraction"])
            grading = data.get("unit_grading", "none")
            if units and not unit_right and grading != "none":
                penalty = data.get("unit_penalty", 0.0)
                if grading == "response":
                    penalty *= fraction
                fraction = max(0.0, fraction - penalty)
            label = "*" if answer.get("value") is None else f"{answer['value']:g}"
            return Grade(
                fraction=fraction,
                state=_state(fraction),
                feedback_ids=(f"answer:{index}",),
                summary=summary,
                parts=(ResponsePart("", summary, label, fraction),),
            )
    return Grade(fraction=0.0, state=WRONG, summary=summary, parts=(ResponsePart("", summary),))


def _grade_matching(question: dict, response: dict, layout: dict | None) -> Grade:
    items = question["data"]["subquestions"]
    layout = layout or question_layout(question, shuffle=False, rng=random.Random(0))  # noqa: S311
    choices = layout["choices"]
    stems = layout["stems"]
    matches = response.get("matches") or {}
    right = 0
    answered = 0
    summaries = []
    parts = []
    for stem in stems:
        chosen = matches.get(str(stem), matches.get(stem))
        text = None
        if isinstance(chosen, int) and not isinstance(chosen, bool) and 0 <= chosen < len(choices):
            text = choices[chosen]
            answered += 1
        correct = text is not None and text == items[stem]["answer"]
        right += correct
        stem_text = plain(items[stem]["text"])
        if text is not None:
            summaries.append(f"{stem_text} -> {plain(text)}")
        parts.append(ResponsePart(stem_text, text and plain(text), text, 1.0 if correct else 0.0))
    if not answered:
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    fraction = right / len(stems) if stems else 0.0
    return Grade(
        fraction=fraction,
        state=_state(fraction),
        summary="; ".join(summaries),
        parts=tuple(parts),
    )


def _grade_essay(question: dict, response: dict, layout: dict | None) -> Grade:
    text = response.get("text")
    if not isinstance(text, str) or not plain(text):
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    summary = plain(text)
    return Grade(fraction=None, state=NEEDS_GRADING, summary=summary[:200])


def _grade_cloze(question: dict, response: dict, layout: dict | None) -> Grade:
    subs = question["data"]["subquestions"]
    given = response.get("parts") or {}
    part_layouts = (layout or {}).get("parts") or {}
    total_mark = sum(sub.get("mark", 1.0) for sub in subs) or 1.0
    earned = 0.0
    answered = 0
    feedback: list[str] = []
    summaries: list[str] = []
    parts: list[ResponsePart] = []
    for number, sub in enumerate(subs, 1):
        key = str(number)
        value = given.get(key)
        answers = sub["answers"]
        fraction, index, summary = 0.0, None, None
        if sub["kind"] == "multichoice":
            if sub.get("single", True):
                index = _position_to_index(part_layouts.get(key), value, len(answers))
                if index is not None:
                    fraction, summary = _clamp(answers[index]["fraction"]), answers[index]["text"]
            else:
                positions = value if isinstance(value, list) else []
                chosen = sorted(
                    {
                        i
                        for i in (
                            _position_to_index(part_layouts.get(key), p, len(answers))
                            for p in positions
                        )
                        if i is not None
                    }
                )
                if chosen:
                    fraction = _clamp(sum(answers[i]["fraction"] for i in chosen))
                    summary = "; ".join(plain(answers[i]["text"]) for i in chosen)
                    feedback.extend(f"part:{key}:answer:{i}" for i in chosen)
        elif isinstance(value, str) and value.strip():
            summary = value.strip()
            if sub["kind"] == "shortanswer":
                index = _shortanswer_match(answers, value, sub.get("case_sensitive", False))
            else:
                number_value, _rest = parse_number(value)
                if number_value is not None:
                    for i, answer in enumerate(answers):
                        target = None if answer["text"].strip() == "*" else float(answer["text"])
                        if numerical_within(
                            {"value": target, "tolerance": answer.get("tolerance", 0.0)},
                            number_value,
                        ):
                            index = i
                            break
            if index is not None:
                fraction = _clamp(answers[index]["fraction"])
        if summary is not None:
            answered += 1
            summaries.append(f"{key}: {plain(summary)}")
        if index is not None:
            feedback.append(f"part:{key}:answer:{index}")
        earned += fraction * sub.get("mark", 1.0)
        parts.append(
            ResponsePart(
                key, summary and plain(summary), None if index is None else str(index), fraction
            )
        )
    if not answered:
        return Grade(fraction=0.0, state=NOT_ANSWERED)
    fraction = _clamp(earned / total_mark)
    return Grade(
        fraction=fraction,
        state=_state(fraction),
        feedback_ids=tuple(feedback),
        summary="; ".join(summaries),
        parts=tuple(parts),
    )


_GRADERS = {
    "multichoice": _grade_multichoice,
    "truefalse": _grade_truefalse,
    "shortanswer": _grade_shortanswer,
    "numerical": _grade_numerical,
    "matching": _grade_matching,
    "essay": _grade_essay,
    "cloze": _grade_cloze,
}


def grade_response(question: dict, response: dict | None, *, layout: dict | None = None) -> Grade:
    """Grade ``response`` (``None`` or ``{}`` = not answered) to ``question`` (an IR dict)."""
    qtype = question["qtype"]
    if qtype in UNGRADED_QTYPES:
        return Grade(fraction=None, state=INFO)
    grader = _GRADERS.get(qtype)
    if grader is None:
        raise ValueError(f"question type {qtype!r} cannot be graded")
    if not isinstance(response, dict):
        response = {}
    return grader(question, response, layout)


def is_gradable(question: dict) -> bool:
    return question["qtype"] not in UNGRADED_QTYPES


def random_guess_score(question: dict) -> float | None:
    """Moodle's ``get_random_guess_score`` per type (``None`` where it is not defined)."""
    qtype, data = question["qtype"], question.get("data") or {}
    if qtype == "multichoice":
        answers = data.get("answers") or []
        if not data.get("single", True) or not answers:
            return None
        return sum(answer["fraction"] for answer in answers) / len(answers)
    if qtype == "truefalse":
        return 0.5
    if qtype == "shortanswer":
        return max(
            (a["fraction"] for a in data.get("answers", []) if a["text"].strip() == "*"),
            default=0.0,
        )
    if qtype == "numerical":
        return max(
            (a["fraction"] for a in data.get("answers", []) if a.get("value") is None),
            default=0.0,
        )
    if qtype == "matching":
        choices = {item["answer"] for item in data.get("subquestions", [])}
        return 1 / len(choices) if choices else None
    return None


def right_answer(question: dict) -> str:
    """The right answer in words (Moodle's "The correct answer is: …")."""
    qtype, data = question["qtype"], question.get("data") or {}
    if qtype == "multichoice":
        answers = data.get("answers") or []
        if data.get("single", True):
            best = max(answers, key=lambda a: a["fraction"], default=None)
            return plain(best["text"]) if best else ""
        return "; ".join(plain(a["text"]) for a in answers if a["fraction"] > 0)
    if qtype == "truefalse":
        return "True" if data.get("correct") else "False"
    if qtype == "shortanswer":
        best = max(data.get("answers") or [], key=lambda a: a["fraction"], default=None)
        return best["text"] if best else ""
    if qtype == "numerical":
        best = max(
            (a for a in data.get("answers") or [] if a.get("value") is not None),
            key=lambda a: a["fraction"],
            default=None,
        )
        if best is None:
            return ""
        unit = (data.get("units") or [{"name": ""}])[0]["name"]
        text = f"{best['value']:g}"
        if best.get("tolerance"):
            text += f" ± {best['tolerance']:g}"
        return f"{text} {unit}".strip()
    if qtype == "matching":
        return "; ".join(
            f"{plain(item['text'])} -> {plain(item['answer'])}"
            for item in data.get("subquestions", [])
            if item.get("text")
        )
    if qtype == "cloze":
        bits = []
        for number, sub in enumerate(data.get("subquestions", []), 1):
            best = max(sub["answers"], key=lambda a: a["fraction"], default=None)
            bits.append(f"{number}: {plain(best['text']) if best else ''}")
        return "; ".join(bits)
    return ""


def feedback_texts(question: dict, feedback_ids: tuple[str, ...] | list[str]) -> list[str]:
    """The specific feedback (HTML or text) that the ids of a :class:`Grade` point to."""
    data = question.get("data") or {}
    texts = []
    for feedback_id in feedback_ids:
        bits = feedback_id.split(":")
        text = ""
        if bits[0] == "answer" and len(bits) == 2:
            answers = data.get("answers") or []
            index = int(bits[1])
            if 0 <= index < len(answers):
                text = answers[index].get("feedback", "")
        elif bits[0] in {"true", "false"}:
            text = data.get(f"{bits[0]}_feedback", "")
        elif bits[0] == "part" and len(bits) == 4:
            subs = data.get("subquestions") or []
            number, index = int(bits[1]), int(bits[3])
            if 0 < number <= len(subs) and 0 <= index < len(subs[number - 1]["answers"]):
                text = subs[number - 1]["answers"][index].get("feedback", "")
        if text:
            texts.append(text)
    return texts


def combined_feedback(question: dict, state: str) -> str:
    """Multiple choice and matching: the feedback for a right / partial / wrong response."""
    combined = (question.get("data") or {}).get("combined_feedback") or {}
    key = {RIGHT: "correct", PARTIAL: "partially_correct", WRONG: "incorrect"}.get(state)
    return combined.get(key, "") if key else ""
