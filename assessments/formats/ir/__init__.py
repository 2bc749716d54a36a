"""The canonical, JSON-serialisable intermediate representation of a question bank.

What the database stores per question version is ``question_to_dict(question)``; what
grading reads is the same dict (or ``question_from_dict`` of it). The shape, per
``qtype`` (every ``*_format`` is one of ``html``, ``moodle``, ``plain``, ``markdown``)::

    common      qtype, name, text, text_format, general_feedback, general_feedback_format,
                default_mark, penalty, hidden, idnumber, tags[], category ("top/A/B"),
                blank (offset of "_____" for GIFT missing-word, else null),
                hints[{text, format, show_num_correct, clear_wrong, options}],
                files[{area, name, path, content (base64)}], data{...}
    multichoice single, shuffle_answers, answer_numbering, show_standard_instruction,
                answers[{text, format, fraction, feedback, feedback_format}],
                combined_feedback{correct, partially_correct, incorrect (+ _format),
                show_num_correct}
    truefalse   correct, true_feedback(_format), false_feedback(_format)
    shortanswer case_sensitive, answers[{text ("*" wildcard), fraction, feedback(_format)}]
    numerical   answers[{value (null = "*"), tolerance, fraction, feedback(_format)}],
                units[{name, multiplier}], unit_grading, unit_penalty, show_units,
                units_left, instructions(_format)
    matching    shuffle_answers, subquestions[{text, format, answer}] (empty text =
                distractor), combined_feedback{...}
    essay       response_format, response_required, response_field_lines,
                min_word_limit, max_word_limit, attachments, attachments_required,
                max_bytes, file_types, grader_info(_format), response_template(_format)
    description (empty)
    cloze       subquestions[{kind, mark, case_sensitive, layout, single, shuffle,
                answers[{text, fraction, feedback, tolerance}]}]; text holds {#1}, {#2}…

A bank is ``{"format_version": 1, "categories": [{path, info, info_format, idnumber}],
"questions": [...]}``. Fractions are floats in [-1, 1]. The classes' docstrings (in
:mod:`.model`) say what each field means; :mod:`.files` finds the ``@@PLUGINFILE@@`` links
of each text and the embedded file they point at.
"""

from .codec import (
    FORMAT_VERSION,
    bank_from_dict,
    bank_to_dict,
    question_from_dict,
    question_to_dict,
)
from .files import PLUGINFILE, missing_files, pluginfile_references, text_areas
from .model import (
    ANSWER_NUMBERINGS,
    BLANK,
    CLOZE_KINDS,
    CLOZE_LAYOUTS,
    MOODLE_FRACTIONS,
    PAYLOAD_TYPES,
    QTYPES,
    RESPONSE_FORMATS,
    SHOW_UNITS,
    TEXT_FORMATS,
    TOP,
    UNIT_GRADING,
    Attachment,
    Bank,
    Category,
    Choice,
    ClozeAnswer,
    ClozeData,
    ClozeSubquestion,
    CombinedFeedback,
    DescriptionData,
    EssayData,
    Hint,
    MatchingData,
    MatchItem,
    MultichoiceData,
    NumericalAnswer,
    NumericalData,
    Payload,
    Question,
    ShortAnswer,
    ShortAnswerData,
    Source,
    TrueFalseData,
    Unit,
)
from .validate import cloze_subquestion_problems, validate_bank, validate_question

__all__ = [
    "ANSWER_NUMBERINGS",
    "BLANK",
    "CLOZE_KINDS",
    "CLOZE_LAYOUTS",
    "FORMAT_VERSION",
    "MOODLE_FRACTIONS",
    "PAYLOAD_TYPES",
    "PLUGINFILE",
    "QTYPES",
    "RESPONSE_FORMATS",
    "SHOW_UNITS",
    "TEXT_FORMATS",
    "TOP",
    "UNIT_GRADING",
    "Attachment",
    "Bank",
    "Category",
    "Choice",
    "ClozeAnswer",
    "ClozeData",
    "ClozeSubquestion",
    "CombinedFeedback",
    "DescriptionData",
    "EssayData",
    "Hint",
    "MatchItem",
    "MatchingData",
    "MultichoiceData",
    "NumericalAnswer",
    "NumericalData",
    "Payload",
    "Question",
    "ShortAnswer",
    "ShortAnswerData",
    "Source",
    "TrueFalseData",
    "Unit",
    "bank_from_dict",
    "bank_to_dict",
    "cloze_subquestion_problems",
    "missing_files",
    "pluginfile_references",
    "question_from_dict",
    "question_to_dict",
    "text_areas",
    "validate_bank",
    "validate_question",
]
