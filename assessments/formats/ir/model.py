"""Dataclasses of the question-bank intermediate representation (IR).

Field names follow Moodle's database columns where one exists, written in snake case, and
every formatted text is a pair ``<field>`` + ``<field>_format`` with the format one of
:data:`TEXT_FORMATS`. Fractions are floats in [-1, 1] (1 = full marks); importers round them
to 7 decimals like Moodle's ``NUMBER(12,7)`` columns and snap them to Moodle's grade list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

TEXT_FORMATS = ("html", "moodle", "plain", "markdown")
QTYPES = (
    "multichoice",
    "truefalse",
    "shortanswer",
    "numerical",
    "matching",
    "essay",
    "description",
    "cloze",
)
ANSWER_NUMBERINGS = ("abc", "ABCD", "123", "iii", "IIII", "none")
RESPONSE_FORMATS = ("editor", "editorfilepicker", "plain", "monospaced", "noinline")
#: Moodle ``showunits`` 0..3, in that order.
SHOW_UNITS = ("input", "radio", "select", "none")
#: Moodle ``unitgradingtype`` 0..2: unit not graded, penalty taken from the response mark,
#: penalty taken from the question mark.
UNIT_GRADING = ("none", "response", "question")
CLOZE_KINDS = ("shortanswer", "numerical", "multichoice")
CLOZE_LAYOUTS = ("dropdown", "vertical", "horizontal")
#: The root of every category path; a question outside any declared category lives here.
TOP = "top"
#: What the GIFT missing-word format puts where the answer braces stood (as Moodle does).
BLANK = "_____"
#: The positive grades Moodle offers (``question_bank::fraction_options_full``); their
#: negatives and 0 are allowed too.
MOODLE_FRACTIONS = (
    1.0,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
)


@dataclass(kw_only=True)
class Source:
    """Where a question came from, for error messages; never part of ``to_dict``."""

    line: int | None = None
    element: int | None = None


@dataclass(kw_only=True)
class Category:
    """A question category. ``path`` is ``"top/Migration/Smuggling"``: segments joined by
    ``/``, a ``/`` inside a segment written ``//`` (Moodle's escaping), always starting with
    ``top``.

    Dict: ``{"path", "info", "info_format", "idnumber"}``.
    """

    path: str
    info: str = ""
    info_format: str = "moodle"
    idnumber: str = ""

    @property
    def segments(self) -> list[str]:
        """The category names from ``top`` down, ``//`` turned back into ``/``."""
        placeholder = "\x00"
        return [
            part.replace(placeholder, "/")
            for part in self.path.replace("//", placeholder).split("/")
        ]


@dataclass(kw_only=True)
class Attachment:
    """A file embedded in a text of the question and referenced from it as
    ``@@PLUGINFILE@@/<path minus leading slash><name>``.

    ``area`` names the text holding it: ``questiontext``, ``generalfeedback``,
    ``answer/<i>`` and ``answerfeedback/<i>`` (0-based answer index; true/false uses
    ``answerfeedback/0`` for *true* and ``/1`` for *false*), ``correctfeedback``,
    ``partiallycorrectfeedback``, ``incorrectfeedback``, ``hint/<i>``, ``subquestion/<i>``,
    ``graderinfo``, ``instructions``.

    Dict: ``{"area", "name", "path", "content"}`` with ``content`` in base64.
    """

    area: str
    name: str
    content: bytes
    path: str = "/"


@dataclass(kw_only=True)
class Hint:
    """A hint shown after a wrong try in interactive mode.

    Dict: ``{"text", "format", "show_num_correct", "clear_wrong", "options"}``.
    """

    text: str
    format: str = "html"
    show_num_correct: bool = False
    clear_wrong: bool = False
    options: str = ""


@dataclass(kw_only=True)
class CombinedFeedback:
    """Feedback for a correct / partially correct / incorrect response as a whole.

    Dict: ``{"correct", "correct_format", "partially_correct", "partially_correct_format",
    "incorrect", "incorrect_format", "show_num_correct"}``.
    """

    correct: str = ""
    correct_format: str = "html"
    partially_correct: str = ""
    partially_correct_format: str = "html"
    incorrect: str = ""
    incorrect_format: str = "html"
    show_num_correct: bool = False


@dataclass(kw_only=True)
class Choice:
    """A multiple-choice option. Dict: ``{"text", "format", "fraction", "feedback",
    "feedback_format"}``."""

    text: str
    fraction: float
    format: str = "html"
    feedback: str = ""
    feedback_format: str = "html"


@dataclass(kw_only=True)
class ShortAnswer:
    """An accepted short answer; ``*`` in ``text`` matches any run of characters.
    Dict: ``{"text", "fraction", "feedback", "feedback_format"}``."""

    text: str
    fraction: float
    feedback: str = ""
    feedback_format: str = "html"


@dataclass(kw_only=True)
class NumericalAnswer:
    """A numerical answer: right when ``|response - value| <= tolerance``; ``value`` None is
    Moodle's ``*`` (any other answer). Dict: ``{"value", "tolerance", "fraction", "feedback",
    "feedback_format"}``."""

    value: float | None
    fraction: float
    tolerance: float = 0.0
    feedback: str = ""
    feedback_format: str = "html"


@dataclass(kw_only=True)
class Unit:
    """A unit accepted after a numerical answer; the first one has multiplier 1.
    Dict: ``{"name", "multiplier"}``."""

    name: str
    multiplier: float = 1.0


@dataclass(kw_only=True)
class MatchItem:
    """One row of a matching question; an empty ``text`` makes ``answer`` a distractor.
    Dict: ``{"text", "format", "answer"}``."""

    text: str
    answer: str
    format: str = "html"


@dataclass(kw_only=True)
class ClozeAnswer:
    """One alternative of an embedded (cloze) answer. For ``numerical`` sub-questions
    ``text`` is a number (``.`` decimal point) or ``*`` and ``tolerance`` applies. Texts are
    HTML as in Moodle. Dict: ``{"text", "fraction", "feedback", "tolerance"}``."""

    text: str
    fraction: float
    feedback: str = ""
    tolerance: float = 0.0


@dataclass(kw_only=True)
class ClozeSubquestion:
    """An embedded answer ``{mark:TYPE:alternatives}`` of a cloze question.

    ``kind`` is one of :data:`CLOZE_KINDS`; ``case_sensitive`` is for short answers;
    ``layout``, ``single`` (False = MULTIRESPONSE) and ``shuffle`` for multiple choice.
    Dict: ``{"kind", "mark", "case_sensitive", "layout", "single", "shuffle", "answers"}``.
    """

    kind: str
    answers: list[ClozeAnswer]
    mark: float = 1.0
    case_sensitive: bool = False
    layout: str = "dropdown"
    single: bool = True
    shuffle: bool = False


@dataclass(kw_only=True)
class MultichoiceData:
    """``single`` False = multiple response (positive fractions add up to 100%).
    Dict: ``{"single", "shuffle_answers", "answer_numbering", "show_standard_instruction",
    "answers": [Choice], "combined_feedback": CombinedFeedback}``."""

    QTYPE: ClassVar[str] = "multichoice"
    answers: list[Choice]
    single: bool = True
    shuffle_answers: bool = True
    answer_numbering: str = "abc"
    show_standard_instruction: bool = False
    combined_feedback: CombinedFeedback = field(default_factory=CombinedFeedback)


@dataclass(kw_only=True)
class TrueFalseData:
    """Dict: ``{"correct", "true_feedback", "true_feedback_format", "false_feedback",
    "false_feedback_format"}``; ``true_feedback`` is shown to whoever answered *true*."""

    QTYPE: ClassVar[str] = "truefalse"
    correct: bool
    true_feedback: str = ""
    true_feedback_format: str = "html"
    false_feedback: str = ""
    false_feedback_format: str = "html"


@dataclass(kw_only=True)
class ShortAnswerData:
    """Dict: ``{"case_sensitive", "answers": [ShortAnswer]}``."""

    QTYPE: ClassVar[str] = "shortanswer"
    answers: list[ShortAnswer]
    case_sensitive: bool = False


@dataclass(kw_only=True)
class NumericalData:
    """Dict: ``{"answers": [NumericalAnswer], "units": [Unit], "unit_grading",
    "unit_penalty", "show_units", "units_left", "instructions", "instructions_format"}``."""

    QTYPE: ClassVar[str] = "numerical"
    answers: list[NumericalAnswer]
    units: list[Unit] = field(default_factory=list)
    unit_grading: str = "none"
    unit_penalty: float = 0.1
    show_units: str = "none"
    units_left: bool = False
    instructions: str = ""
    instructions_format: str = "html"


@dataclass(kw_only=True)
class MatchingData:
    """Dict: ``{"shuffle_answers", "subquestions": [MatchItem], "combined_feedback"}``."""

    QTYPE: ClassVar[str] = "matching"
    subquestions: list[MatchItem]
    shuffle_answers: bool = True
    combined_feedback: CombinedFeedback = field(default_factory=CombinedFeedback)

    @property
    def distractors(self) -> list[str]:
        """Answers offered that match no sub-question."""
        return [item.answer for item in self.subquestions if not item.text]


@dataclass(kw_only=True)
class EssayData:
    """Graded by hand. Dict: ``{"response_format", "response_required",
    "response_field_lines", "min_word_limit", "max_word_limit", "attachments",
    "attachments_required", "max_bytes", "file_types", "grader_info", "grader_info_format",
    "response_template", "response_template_format"}``; word limits are null when off,
    ``attachments`` -1 means unlimited."""

    QTYPE: ClassVar[str] = "essay"
    response_format: str = "editor"
    response_required: bool = True
    response_field_lines: int = 15
    min_word_limit: int | None = None
    max_word_limit: int | None = None
    attachments: int = 0
    attachments_required: int = 0
    max_bytes: int = 0
    file_types: str = ""
    grader_info: str = ""
    grader_info_format: str = "html"
    response_template: str = ""
    response_template_format: str = "html"


@dataclass(kw_only=True)
class DescriptionData:
    """No answer and no grade. Dict: ``{}``."""

    QTYPE: ClassVar[str] = "description"


@dataclass(kw_only=True)
class ClozeData:
    """Embedded answers (Moodle ``multianswer``). The question text holds ``{#1}``, ``{#2}``…
    where sub-question 1, 2… go. Dict: ``{"subquestions": [ClozeSubquestion]}``."""

    QTYPE: ClassVar[str] = "cloze"
    subquestions: list[ClozeSubquestion]


Payload = (
    MultichoiceData
    | TrueFalseData
    | ShortAnswerData
    | NumericalData
    | MatchingData
    | EssayData
    | DescriptionData
    | ClozeData
)
PAYLOAD_TYPES: dict[str, type] = {
    cls.QTYPE: cls
    for cls in (
        MultichoiceData,
        TrueFalseData,
        ShortAnswerData,
        NumericalData,
        MatchingData,
        EssayData,
        DescriptionData,
        ClozeData,
    )
}


@dataclass(kw_only=True)
class Question:
    """One question; ``data`` holds what its ``qtype`` needs.

    ``blank`` is set for GIFT's missing-word form (``Grant is {…} in Grant's tomb.``): the
    answer braces are replaced by :data:`BLANK` in ``text``, as Moodle does, and ``blank`` is
    the offset of that ``_____`` so the question can be written back as GIFT.
    ``category`` is a :attr:`Category.path`. ``source`` is not compared and not serialised.

    Dict: ``{"qtype", "name", "text", "text_format", "general_feedback",
    "general_feedback_format", "default_mark", "penalty", "hidden", "idnumber", "tags",
    "category", "blank", "hints": [Hint], "files": [Attachment], "data": {...}}``.
    """

    qtype: str
    name: str
    text: str
    text_format: str = "html"
    general_feedback: str = ""
    general_feedback_format: str = "html"
    default_mark: float = 1.0
    penalty: float = 0.3333333
    hidden: bool = False
    idnumber: str = ""
    tags: list[str] = field(default_factory=list)
    category: str = TOP
    blank: int | None = None
    hints: list[Hint] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    data: Payload
    source: Source | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-serialisable dict (see :mod:`assessments.formats.ir`)."""
        from .codec import question_to_dict

        return question_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        """Rebuild and validate a question from :meth:`to_dict` output; raises ``IRError``."""
        from .codec import question_from_dict

        return question_from_dict(data)


@dataclass(kw_only=True)
class Bank:
    """A question bank: declared categories, in file order, and questions, in file order.

    A question's ``category`` is ``"top"`` or the path of a declared category.
    Dict: ``{"format_version": 1, "categories": [Category], "questions": [Question]}``.
    """

    categories: list[Category] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-serialisable dict (see :mod:`assessments.formats.ir`)."""
        from .codec import bank_to_dict

        return bank_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bank:
        """Rebuild and validate a bank from :meth:`to_dict` output; raises ``IRError``."""
        from .codec import bank_from_dict

        return bank_from_dict(data)
