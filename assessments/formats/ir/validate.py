"""Rules every IR question obeys, the ones Moodle's editing forms enforce.

``validate_question`` returns messages a trainer can act on (empty list = valid); the
importers add where the question is. Grading code may rely on these rules.
"""

from __future__ import annotations

import math
import re

from ..errors import ErrorItem
from .model import (
    ANSWER_NUMBERINGS,
    BLANK,
    CLOZE_KINDS,
    CLOZE_LAYOUTS,
    PAYLOAD_TYPES,
    QTYPES,
    RESPONSE_FORMATS,
    SHOW_UNITS,
    TEXT_FORMATS,
    TOP,
    UNIT_GRADING,
    Bank,
    ClozeData,
    ClozeSubquestion,
    EssayData,
    MatchingData,
    MultichoiceData,
    NumericalData,
    Question,
    ShortAnswerData,
)

_EPSILON = 1e-6
_NAME_MAX = 255
_CLOZE_PLACEHOLDER = re.compile(r"\{#(\d+)\}")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
#: What Moodle's ``clean_question_name`` strips (the same pattern as the importers use).
_HTML_TAG = re.compile(r"</?[A-Za-z!?][^>]*>")


def _percent(value: float) -> str:
    return f"{round(value * 100, 5):g}%"


def _check_format(value: str, what: str, problems: list[str]) -> None:
    if value not in TEXT_FORMATS:
        problems.append(f"{what} format {value!r} is not one of {', '.join(TEXT_FORMATS)}")


def _check_fraction(value: float, what: str, problems: list[str]) -> None:
    if not (math.isfinite(value) and -1 - _EPSILON <= value <= 1 + _EPSILON):
        problems.append(f"{what} has grade {_percent(value)}; grades go from -100% to 100%")


def _common(question: Question, problems: list[str]) -> None:
    if question.qtype not in QTYPES:
        problems.append(f"unknown question type {question.qtype!r}")
    elif not isinstance(question.data, PAYLOAD_TYPES[question.qtype]):
        problems.append(f"the data of a {question.qtype} question has the wrong shape")
    if not question.name.strip():
        problems.append("the question has no name")
    elif len(question.name) > _NAME_MAX:
        problems.append(f"the question name is longer than {_NAME_MAX} characters")
    elif _HTML_TAG.search(question.name) or question.name != question.name.strip(" \t\n\r"):
        problems.append("the question name must be plain text: no HTML tags, no spaces around")
    _check_format(question.text_format, "question text", problems)
    _check_format(question.general_feedback_format, "general feedback", problems)
    if not (math.isfinite(question.default_mark) and question.default_mark >= 0):
        problems.append("the default mark must be a number of 0 or more")
    if not (math.isfinite(question.penalty) and 0 <= question.penalty <= 1):
        problems.append("the penalty must be between 0 and 1")
    if question.category.split("/")[0] != TOP:
        problems.append(f"category {question.category!r} does not start with 'top'")
    if question.blank is not None:
        at = question.blank
        if not (at >= 0 and question.text[at : at + len(BLANK)] == BLANK):
            problems.append(f"the missing-word blank is not at offset {at} of the text")
        elif not question.text[at + len(BLANK) :].strip():
            problems.append("a missing-word blank needs text after it")
    for index, hint in enumerate(question.hints, 1):
        _check_format(hint.format, f"hint {index}", problems)
    if any(not tag.strip() for tag in question.tags):
        problems.append("a tag is empty")
    labels = (question.idnumber, *question.tags)
    if any(_CONTROL.search(value) or value != value.strip() for value in labels):
        problems.append(
            "the idnumber and tags must not hold line breaks or control characters, nor start "
            "or end with a space"
        )


def _multichoice(question: Question, data: MultichoiceData, problems: list[str]) -> None:
    name = question.name
    if len(data.answers) < 2:
        problems.append(f"multiple-choice question '{name}' needs at least 2 answers")
    for index, choice in enumerate(data.answers, 1):
        if not choice.text.strip():
            problems.append(f"answer {index} is empty")
        _check_fraction(choice.fraction, f"answer {index}", problems)
        _check_format(choice.format, f"answer {index}", problems)
        _check_format(choice.feedback_format, f"answer {index} feedback", problems)
    if data.answer_numbering not in ANSWER_NUMBERINGS:
        problems.append(f"answer numbering {data.answer_numbering!r} is not known")
    if not data.answers:
        return
    positive = sum(choice.fraction for choice in data.answers if choice.fraction > 0)
    if positive <= 0:
        problems.append(f"no correct answer in multiple-choice question '{name}'")
    elif data.single and abs(max(c.fraction for c in data.answers) - 1) > _EPSILON:
        problems.append(
            f"no answer gets full marks in single-answer multiple-choice question '{name}'"
            " (one answer must be 100%)"
        )
    elif not data.single and round(positive, 2) != 1:
        problems.append(
            f"the positive grades of multiple-response question '{name}' add up to "
            f"{_percent(positive)}, not 100%"
        )


def _best_is_full(fractions: list[float]) -> bool:
    return bool(fractions) and abs(max(fractions) - 1) <= _EPSILON


def _shortanswer(question: Question, data: ShortAnswerData, problems: list[str]) -> None:
    if not data.answers:
        problems.append(f"short-answer question '{question.name}' has no answer")
    for index, answer in enumerate(data.answers, 1):
        if not answer.text.strip():
            problems.append(f"answer {index} is empty")
        _check_fraction(answer.fraction, f"answer {index}", problems)
        _check_format(answer.feedback_format, f"answer {index} feedback", problems)
    if data.answers and not _best_is_full([a.fraction for a in data.answers]):
        problems.append(f"no answer gets full marks in short-answer question '{question.name}'")


def _numerical(question: Question, data: NumericalData, problems: list[str]) -> None:
    if not data.answers:
        problems.append(f"numerical question '{question.name}' has no answer")
    for index, answer in enumerate(data.answers, 1):
        if answer.value is not None and not math.isfinite(answer.value):
            problems.append(f"answer {index} is not a finite number")
        if not (math.isfinite(answer.tolerance) and answer.tolerance >= 0):
            problems.append(f"answer {index} has a negative or infinite tolerance")
        elif answer.value is None and answer.tolerance:
            problems.append(f"answer {index} is '*' (any other answer) and has no tolerance")
        _check_fraction(answer.fraction, f"answer {index}", problems)
        _check_format(answer.feedback_format, f"answer {index} feedback", problems)
    if data.answers and not _best_is_full([a.fraction for a in data.answers]):
        problems.append(f"no answer gets full marks in numerical question '{question.name}'")
    names = [unit.name for unit in data.units]
    if any(not unit_name.strip() for unit_name in names) or len(set(names)) != len(names):
        problems.append("unit names must be non-empty and different")
    if any(not (math.isfinite(u.multiplier) and u.multiplier != 0) for u in data.units):
        problems.append("a unit multiplier must be a non-zero number")
    if data.unit_grading not in UNIT_GRADING:
        problems.append(f"unit grading {data.unit_grading!r} is not one of {UNIT_GRADING}")
    if data.show_units not in SHOW_UNITS:
        problems.append(f"show units {data.show_units!r} is not one of {SHOW_UNITS}")
    if not (math.isfinite(data.unit_penalty) and 0 <= data.unit_penalty <= 1):
        problems.append("the unit penalty must be between 0 and 1")
    _check_format(data.instructions_format, "unit instructions", problems)


def _matching(question: Question, data: MatchingData, problems: list[str]) -> None:
    questions = [item for item in data.subquestions if item.text.strip()]
    if len(questions) < 2:
        problems.append(f"matching question '{question.name}' needs at least 2 pairs")
    for index, item in enumerate(data.subquestions, 1):
        if not item.answer.strip():
            problems.append(f"pair {index} has no answer")
        _check_format(item.format, f"pair {index}", problems)


def _essay(data: EssayData, problems: list[str]) -> None:
    if data.response_format not in RESPONSE_FORMATS:
        problems.append(f"response format {data.response_format!r} is not known")
    if data.response_field_lines < 0 or data.max_bytes < 0 or data.attachments < -1:
        problems.append("essay sizes must not be negative")
    unlimited = data.attachments == -1
    if data.attachments_required < 0 or (
        not unlimited and data.attachments_required > data.attachments
    ):
        problems.append("more attachments are required than allowed")
    for limit in (data.min_word_limit, data.max_word_limit):
        if limit is not None and limit < 0:
            problems.append("word limits must not be negative")
    _check_format(data.grader_info_format, "grader information", problems)
    _check_format(data.response_template_format, "response template", problems)


def cloze_subquestion_problems(sub: ClozeSubquestion) -> list[str]:
    """Moodle's ``qtype_multianswer_validate_question`` rules for one embedded answer."""
    problems: list[str] = []
    if sub.kind not in CLOZE_KINDS or sub.layout not in CLOZE_LAYOUTS:
        problems.append(f"unknown embedded answer type {sub.kind!r}/{sub.layout!r}")
    if not (sub.mark >= 0 and float(sub.mark).is_integer()):
        problems.append("the mark of an embedded answer must be a whole number")
    filled = [answer for answer in sub.answers if answer.text.strip()]
    if sub.kind == "numerical":
        for answer in filled:
            text = answer.text.strip()
            if text != "*" and not _is_number(text):
                problems.append(
                    f"answer '{text}' must be a number, for example -1.234 or 3e8, or '*'"
                )
    if sub.kind == "multichoice" and len(filled) < 2:
        problems.append("needs at least 2 choices")
    elif not filled:
        problems.append("needs at least 1 answer")
    full = any(abs(a.fraction - 1) <= _EPSILON for a in filled)
    if sub.kind == "multichoice" and not sub.single:
        full = any(a.fraction > 0 for a in filled)
    if filled and not full:
        problems.append("no answer gets full marks (one answer must be 100%)")
    for answer in sub.answers:
        _check_fraction(answer.fraction, f"answer '{answer.text}'", problems)
    return problems


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and "_" not in text
    except ValueError:
        return False


def _cloze(question: Question, data: ClozeData, problems: list[str]) -> None:
    if not data.subquestions:
        problems.append(
            "the cloze question text has no embedded answers such as {1:SHORTANSWER:=answer}"
        )
    found = [int(number) for number in _CLOZE_PLACEHOLDER.findall(question.text)]
    expected = list(range(1, len(data.subquestions) + 1))
    if sorted(found) != expected:
        problems.append("the text must hold {#1}…{#n} once each, one per embedded answer")
    for index, sub in enumerate(data.subquestions, 1):
        problems.extend(f"embedded answer {index}: {p}" for p in cloze_subquestion_problems(sub))


def validate_question(question: Question) -> list[str]:
    """Every rule the question breaks, as messages; ``[]`` when it is valid."""
    problems: list[str] = []
    _common(question, problems)
    if problems and question.qtype not in QTYPES:
        return problems
    data = question.data
    if isinstance(data, MultichoiceData):
        _multichoice(question, data, problems)
    elif isinstance(data, ShortAnswerData):
        _shortanswer(question, data, problems)
    elif isinstance(data, NumericalData):
        _numerical(question, data, problems)
    elif isinstance(data, MatchingData):
        _matching(question, data, problems)
        _check_format(data.combined_feedback.correct_format, "feedback", problems)
    elif isinstance(data, EssayData):
        _essay(data, problems)
    elif isinstance(data, ClozeData):
        _cloze(question, data, problems)
    elif question.qtype == "description" and question.default_mark != 0:
        problems.append("a description has no mark (default mark must be 0)")
    if question.qtype == "truefalse":
        _check_format(data.true_feedback_format, "true feedback", problems)
        _check_format(data.false_feedback_format, "false feedback", problems)
    return problems


def validate_bank(bank: Bank) -> list[ErrorItem]:
    """Every problem of the bank: category paths and each question's rules."""
    errors: list[ErrorItem] = []
    paths = [category.path for category in bank.categories]
    for category in bank.categories:
        if category.path.split("/")[0] != TOP:
            errors.append(ErrorItem(message=f"category {category.path!r} must start with 'top'"))
        if category.info_format not in TEXT_FORMATS:
            errors.append(ErrorItem(message=f"category {category.path!r} has an unknown format"))
    if len(set(paths)) != len(paths):
        errors.append(ErrorItem(message="a category is declared twice"))
    known = set(paths) | {TOP}
    for question in bank.questions:
        where = question.source.line if question.source else None
        element = question.source.element if question.source else None
        problems = validate_question(question)
        if question.category not in known:
            problems.append(f"category {question.category!r} is not declared")
        errors.extend(
            ErrorItem(message=p, line=where, element=element, question=question.name)
            for p in problems
        )
    return errors
