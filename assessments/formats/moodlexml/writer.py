"""Moodle XML export in the layout of Moodle's own ``qformat_xml::writequestion``.

Everything in the IR is written, files as base64 ``<file>`` elements in the text that uses
them. The one thing Moodle XML cannot hold is GIFT's missing-word position
(``Question.blank``): the ``_____`` stays in the text, as in Moodle
(:func:`normalise_for_moodlexml`).
"""

from __future__ import annotations

import base64
import dataclasses
import re
from xml.sax.saxutils import escape, quoteattr

from .._common import format_number, format_percent, walk_with_categories
from ..errors import ErrorItem, MoodleXmlError
from ..ir import (
    Bank,
    Category,
    ClozeData,
    CombinedFeedback,
    EssayData,
    Hint,
    MatchingData,
    MultichoiceData,
    NumericalData,
    Question,
    ShortAnswerData,
    TrueFalseData,
)
from .cloze import render_cloze
from .reader import SHOW_UNITS, UNIT_GRADING

FORMATS = {
    "moodle": "moodle_auto_format",
    "html": "html",
    "plain": "plain_text",
    "markdown": "markdown",
}
_XML_TYPES = {"matching": "matching", "cloze": "cloze"}
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    """Moodle's ``xml_escape``: CDATA when the text has markup characters."""
    if "\r" in text:
        return escape(text).replace("\r", "&#13;")
    if escape(text) == text:
        return text
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(raw: str, pad: str) -> str:
    return f"{pad}<text>{_xml(raw)}</text>\n"


def _files(question: Question, area: str, pad: str) -> str:
    return "".join(
        f'{pad}<file name={quoteattr(f.name)} path={quoteattr(f.path)} encoding="base64">'
        f"{base64.b64encode(f.content).decode('ascii')}</file>\n"
        for f in question.files
        if f.area == area
    )


def _field(tag: str, text: str, fmt: str, question: Question, area: str, pad: str) -> str:
    return (
        f'{pad}<{tag} format="{FORMATS[fmt]}">\n'
        + _text(text, pad + "  ")
        + _files(question, area, pad + "  ")
        + f"{pad}</{tag}>\n"
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _combined(question: Question, feedback: CombinedFeedback) -> str:
    pad = "    "
    out = _field(
        "correctfeedback",
        feedback.correct,
        feedback.correct_format,
        question,
        "correctfeedback",
        pad,
    )
    out += _field(
        "partiallycorrectfeedback",
        feedback.partially_correct,
        feedback.partially_correct_format,
        question,
        "partiallycorrectfeedback",
        pad,
    )
    out += _field(
        "incorrectfeedback",
        feedback.incorrect,
        feedback.incorrect_format,
        question,
        "incorrectfeedback",
        pad,
    )
    return out + (f"{pad}<shownumcorrect/>\n" if feedback.show_num_correct else "")


def _answer(
    question: Question,
    index: int,
    fraction: float,
    text: str,
    fmt: str,
    feedback: str,
    feedback_format: str,
    extra: str = "",
) -> str:
    pad = "    "
    return (
        f'{pad}<answer fraction="{format_percent(fraction)}" format="{FORMATS[fmt]}">\n'
        + _text(text, pad + "  ")
        + _files(question, f"answer/{index}", pad + "  ")
        + _field(
            "feedback", feedback, feedback_format, question, f"answerfeedback/{index}", pad + "  "
        )
        + extra
        + f"{pad}</answer>\n"
    )


def _multichoice(question: Question, data: MultichoiceData) -> str:
    out = (
        f"    <single>{_flag(data.single)}</single>\n"
        f"    <shuffleanswers>{_flag(data.shuffle_answers)}</shuffleanswers>\n"
        f"    <answernumbering>{data.answer_numbering}</answernumbering>\n"
        f"    <showstandardinstruction>{int(data.show_standard_instruction)}"
        "</showstandardinstruction>\n"
    )
    out += _combined(question, data.combined_feedback)
    for index, choice in enumerate(data.answers):
        out += _answer(
            question,
            index,
            choice.fraction,
            choice.text,
            choice.format,
            choice.feedback,
            choice.feedback_format,
        )
    return out


def _truefalse(question: Question, data: TrueFalseData) -> str:
    return _answer(
        question,
        0,
        1.0 if data.correct else 0.0,
        "true",
        "moodle",
        data.true_feedback,
        data.true_feedback_format,
    ) + _answer(
        question,
        1,
        0.0 if data.correct else 1.0,
        "false",
        "moodle",
        data.false_feedback,
        data.false_feedback_format,
    )


def _shortanswer(question: Question, data: ShortAnswerData) -> str:
    out = f"    <usecase>{int(data.case_sensitive)}</usecase>\n"
    for index, answer in enumerate(data.answers):
        out += _answer(
            question,
            index,
            answer.fraction,
            answer.text,
            "moodle",
            answer.feedback,
            answer.feedback_format,
        )
    return out


def _numerical(question: Question, data: NumericalData) -> str:
    out = ""
    for index, answer in enumerate(data.answers):
        value = "*" if answer.value is None else format_number(answer.value)
        tolerance = f"      <tolerance>{format_number(answer.tolerance)}</tolerance>\n"
        out += _answer(
            question,
            index,
            answer.fraction,
            value,
            "moodle",
            answer.feedback,
            answer.feedback_format,
            tolerance,
        )
    if data.units:
        out += "    <units>\n"
        for unit in data.units:
            out += (
                "      <unit>\n"
                f"        <multiplier>{format_number(unit.multiplier)}</multiplier>\n"
                f"        <unit_name>{escape(unit.name)}</unit_name>\n"
                "      </unit>\n"
            )
        out += "    </units>\n"
    out += (
        f"    <unitgradingtype>{UNIT_GRADING.index(data.unit_grading)}</unitgradingtype>\n"
        f"    <unitpenalty>{format_number(data.unit_penalty)}</unitpenalty>\n"
        f"    <showunits>{SHOW_UNITS.index(data.show_units)}</showunits>\n"
        f"    <unitsleft>{int(data.units_left)}</unitsleft>\n"
    )
    return out + _field(
        "instructions",
        data.instructions,
        data.instructions_format,
        question,
        "instructions",
        "    ",
    )


def _matching(question: Question, data: MatchingData) -> str:
    out = f"    <shuffleanswers>{_flag(data.shuffle_answers)}</shuffleanswers>\n"
    out += _combined(question, data.combined_feedback)
    for index, item in enumerate(data.subquestions):
        out += (
            f'    <subquestion format="{FORMATS[item.format]}">\n'
            + _text(item.text, "      ")
            + _files(question, f"subquestion/{index}", "      ")
            + "      <answer>\n"
            + _text(item.answer, "        ")
            + "      </answer>\n    </subquestion>\n"
        )
    return out


def _essay(question: Question, data: EssayData) -> str:
    def limit(value: int | None) -> str:
        return "" if value is None else str(value)

    return (
        f"    <responseformat>{escape(data.response_format)}</responseformat>\n"
        f"    <responserequired>{int(data.response_required)}</responserequired>\n"
        f"    <responsefieldlines>{data.response_field_lines}</responsefieldlines>\n"
        f"    <minwordlimit>{limit(data.min_word_limit)}</minwordlimit>\n"
        f"    <maxwordlimit>{limit(data.max_word_limit)}</maxwordlimit>\n"
        f"    <attachments>{data.attachments}</attachments>\n"
        f"    <attachmentsrequired>{data.attachments_required}</attachmentsrequired>\n"
        f"    <maxbytes>{data.max_bytes}</maxbytes>\n"
        f"    <filetypeslist>{escape(data.file_types)}</filetypeslist>\n"
        + _field(
            "graderinfo", data.grader_info, data.grader_info_format, question, "graderinfo", "    "
        )
        + _field(
            "responsetemplate",
            data.response_template,
            data.response_template_format,
            question,
            "responsetemplate",
            "    ",
        )
    )


def _hint(question: Question, index: int, hint: Hint) -> str:
    pad = "    "
    return (
        f'{pad}<hint format="{FORMATS[hint.format]}">\n'
        + _text(hint.text, pad + "  ")
        + _files(question, f"hint/{index}", pad + "  ")
        + (f"{pad}  <shownumcorrect/>\n" if hint.show_num_correct else "")
        + (f"{pad}  <clearwrong/>\n" if hint.clear_wrong else "")
        + (f"{pad}  <options>{escape(hint.options)}</options>\n" if hint.options else "")
        + f"{pad}</hint>\n"
    )


def _body(question: Question) -> str:
    data = question.data
    writers = (
        (MultichoiceData, _multichoice),
        (TrueFalseData, _truefalse),
        (ShortAnswerData, _shortanswer),
        (NumericalData, _numerical),
        (MatchingData, _matching),
        (EssayData, _essay),
    )
    for cls, writer in writers:
        if isinstance(data, cls):
            return writer(question, data)
    return ""


def _question(question: Question) -> str:
    text = question.text
    if isinstance(question.data, ClozeData):
        text = render_cloze(text, question.data.subquestions)
    qtype = _XML_TYPES.get(question.qtype, question.qtype)
    out = (
        f'  <question type="{qtype}">\n'
        f"    <name>\n{_text(question.name, '      ')}    </name>\n"
        + _field("questiontext", text, question.text_format, question, "questiontext", "    ")
        + _field(
            "generalfeedback",
            question.general_feedback,
            question.general_feedback_format,
            question,
            "generalfeedback",
            "    ",
        )
    )
    if question.qtype != "cloze":
        out += f"    <defaultgrade>{question.default_mark:.7f}</defaultgrade>\n"
    out += (
        f"    <penalty>{question.penalty:.7f}</penalty>\n"
        f"    <hidden>{int(question.hidden)}</hidden>\n"
        f"    <idnumber>{escape(question.idnumber)}</idnumber>\n"
    )
    out += _body(question)
    out += "".join(_hint(question, index, hint) for index, hint in enumerate(question.hints))
    if question.tags:
        out += (
            "    <tags>\n"
            + "".join(
                f"      <tag>\n{_text(tag, '        ')}      </tag>\n" for tag in question.tags
            )
            + "    </tags>\n"
        )
    return out + "  </question>\n"


def _category(category: Category) -> str:
    return (
        '  <question type="category">\n'
        f"    <category>\n{_text('$course$/' + category.path, '      ')}    </category>\n"
        f'    <info format="{FORMATS[category.info_format]}">\n'
        f"{_text(category.info, '      ')}    </info>\n"
        f"    <idnumber>{escape(category.idnumber)}</idnumber>\n"
        "  </question>\n"
    )


def export_moodlexml(bank: Bank) -> str:
    """The bank as a Moodle XML document; raises if a text holds what XML cannot."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    errors: list[ErrorItem] = []
    for item in walk_with_categories(bank):
        chunk = _category(item) if isinstance(item, Category) else _question(item)
        bad = _INVALID.search(chunk)
        if bad is not None:
            errors.append(
                ErrorItem(
                    question=getattr(item, "name", None) or getattr(item, "path", None),
                    message=f"a text holds the control character U+{ord(bad.group()):04X}, "
                    "which XML cannot hold",
                )
            )
        parts.append(chunk + "\n")
    if errors:
        raise MoodleXmlError(errors)
    parts.append("</quiz>\n")
    return "".join(parts)


def normalise_for_moodlexml(bank: Bank) -> Bank:
    """What ``parse_moodlexml(export_moodlexml(bank))`` gives: the missing-word position of
    GIFT questions is dropped (the ``_____`` stays in the text)."""
    return Bank(
        categories=list(bank.categories),
        questions=[dataclasses.replace(question, blank=None) for question in bank.questions],
    )
