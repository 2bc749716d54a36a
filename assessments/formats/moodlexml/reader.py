"""Moodle XML import, following ``question/format/xml/format.php`` (learnt from, not copied).

Defaults are Moodle's: a text's format defaults to the question text's, ``<single>``
true, ``<shuffleanswers>`` false for multiple choice and true for matching, numerical
``<showunits>`` "none" without units, essay 15 lines, and so on. Texts are trimmed. Files
(``<file name="…" encoding="base64">``) are kept per text as :class:`Attachment`; the old
Moodle 1.9 ``<image>``/``<image_base64>`` becomes a question-text file plus an ``<img>``
at the end of the text, as Moodle does. ``coursetags`` are ignored.

Every problem is collected with the question's name and element index (categories count).
Types the platform lacks (``calculated*``, ``stack``, ``ddwtos``, ``gapselect``, …) are
refused by name.
"""

from __future__ import annotations

import base64
import binascii

from .._common import (
    clean_question_name,
    default_question_name,
    grade_problem,
    is_bare_top,
    normalise_category_path,
    parse_number,
    php_trim,
    round_fraction,
    snap_fraction,
    strip_tags,
)
from ..errors import ErrorItem
from ..ir import (
    ANSWER_NUMBERINGS,
    TOP,
    Attachment,
    Bank,
    Category,
    Choice,
    ClozeData,
    CombinedFeedback,
    DescriptionData,
    EssayData,
    Hint,
    MatchingData,
    MatchItem,
    MultichoiceData,
    NumericalAnswer,
    NumericalData,
    Question,
    ShortAnswer,
    ShortAnswerData,
    Source,
    TrueFalseData,
    Unit,
    validate_question,
)
from .cloze import parse_cloze
from .tree import Node

FORMAT_NAMES = {
    "moodle_auto_format": "moodle",
    "html": "html",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "markdown",
}
SHOW_UNITS = ("input", "radio", "select", "none")
UNIT_GRADING = ("none", "response", "question")
_READERS = {
    "multichoice": "multichoice",
    "truefalse": "truefalse",
    "shortanswer": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "match": "matching",
    "essay": "essay",
    "description": "description",
    "cloze": "cloze",
    "multianswer": "cloze",
}


class _Problem(Exception):
    """Stops reading one question; the message is recorded against it."""


def _flag(value: str | None, default: bool) -> bool:
    """Moodle's ``trans_single``: ``false``, ``0`` and empty are false."""
    if value is None:
        return default
    value = php_trim(value)
    return value not in ("false", "0", "")


class XmlReader:
    def __init__(self, *, match_grades: str) -> None:
        self.match_grades = match_grades
        self.errors: list[ErrorItem] = []
        self.bank = Bank()
        self.category = TOP
        self.element = 0
        self.name: str | None = None
        self.line = 0

    def error(self, message: str) -> None:
        self.errors.append(
            ErrorItem(message=message, element=self.element, question=self.name, line=self.line)
        )

    def read(self, root: Node) -> Bank:
        if root.tag != "quiz":
            self.errors.append(
                ErrorItem(
                    line=root.line,
                    message=f"this is not a Moodle XML question file: the root element is "
                    f"<{root.tag}>, expected <quiz>",
                )
            )
            return self.bank
        for index, node in enumerate(root.findall("question"), 1):
            self.element, self.line = index, node.line
            self.name = clean_question_name(self.text(node, "name", "text")) or None
            try:
                self.read_element(node)
            except _Problem as problem:
                self.error(str(problem))
        return self.bank

    # -- small readers -------------------------------------------------------------------

    @staticmethod
    def text(node: Node | None, *path: str, default: str = "") -> str:
        found = node.path(*path) if node is not None else None
        return php_trim(found.text) if found is not None else default

    def number(self, node: Node, tag: str, default: float) -> float:
        raw = self.text(node, tag, default="")
        if not raw:
            return float(default)
        value = parse_number(raw)
        if value is None:
            raise _Problem(f"<{tag}> '{raw}' is not a number")
        return value

    def integer(self, node: Node, tag: str, default: int | None) -> int | None:
        value = self.number(node, tag, float("nan"))
        if value != value:  # absent or empty
            return default
        if not value.is_integer():
            raise _Problem(f"<{tag}> '{value}' is not a whole number")
        return int(value)

    def rich(
        self, node: Node | None, default: str, area: str, files: list[Attachment]
    ) -> tuple[str, str]:
        """A ``<x format="…"><text>…</text><file …/></x>`` field: (text, format)."""
        if node is None:
            return "", default
        fmt = FORMAT_NAMES.get(php_trim(node.attrib.get("format", "")))
        if fmt is None:
            fmt = "html" if "format" in node.attrib else default
        self.files(node, area, files)
        return self.text(node, "text"), fmt

    def files(self, node: Node, area: str, files: list[Attachment]) -> None:
        seen = {(f.path, f.name) for f in files if f.area == area}
        for file_node in node.findall("file"):
            name = php_trim(file_node.attrib.get("name", ""))
            path = php_trim(file_node.attrib.get("path", "")) or "/"
            if not name:
                raise _Problem("a <file> has no name")
            if file_node.attrib.get("encoding", "base64") != "base64":
                raise _Problem(f"file '{name}' is not base64-encoded")
            try:
                content = base64.b64decode("".join(file_node.text.split()), validate=True)
            except binascii.Error:
                raise _Problem(f"file '{name}' is not valid base64") from None
            if (path, name) not in seen:
                seen.add((path, name))
                files.append(Attachment(area=area, name=name, path=path, content=content))

    def fraction(self, node: Node, *, graded: bool) -> float:
        raw = php_trim(node.attrib.get("fraction", "0")) or "0"
        value = parse_number(raw)
        if value is None:
            raise _Problem(f"answer grade '{raw}' is not a number")
        value = round_fraction(value / 100)
        legacy = node.find("fraction")
        if legacy is not None and parse_number(legacy.text) is not None:
            value = round_fraction(parse_number(legacy.text) or 0.0)
        if not graded:
            return value
        snapped = snap_fraction(value, mode=self.match_grades)
        if snapped is None:
            raise _Problem(grade_problem(value))
        return snapped

    # -- elements ------------------------------------------------------------------------

    def read_element(self, node: Node) -> None:
        qtype = php_trim(node.attrib.get("type", ""))
        if qtype == "category":
            self.read_category(node)
            return
        kind = _READERS.get(qtype)
        if kind is None:
            raise _Problem(
                f"type '{qtype}' is not supported" if qtype else "the <question> has no type"
            )
        if node.find("name") is None and kind != "cloze":
            raise _Problem("the question has no <name>")
        question = self.headers(node, kind)
        getattr(self, f"read_{kind}")(node, question)
        for problem in validate_question(question):
            self.error(problem)
        self.bank.questions.append(question)

    def read_category(self, node: Node) -> None:
        # Very old files put the path straight inside <category>, without <text>.
        path = self.text(node, "category", "text") or self.text(node, "category")
        info = node.find("info")
        category = Category(
            path=normalise_category_path(path),
            info=self.text(info, "text"),
            info_format=FORMAT_NAMES.get(info.attrib.get("format", ""), "html")
            if info is not None
            else "moodle",
            idnumber=self.text(node, "idnumber"),
        )
        self.category = category.path
        if not is_bare_top(category) and category.path not in {
            c.path for c in self.bank.categories
        }:
            self.bank.categories.append(category)

    def headers(self, node: Node, kind: str) -> Question:
        files: list[Attachment] = []
        text, text_format = self.rich(node.find("questiontext"), "html", "questiontext", files)
        image, image_data = node.find("image"), node.find("image_base64")
        if image is not None and image_data is not None and php_trim(image.text):
            name = php_trim(image.text).replace("/", "_")
            try:
                content = base64.b64decode("".join(image_data.text.split()), validate=True)
            except binascii.Error:
                raise _Problem(f"the old <image_base64> of '{name}' is not valid base64") from None
            files.append(Attachment(area="questiontext", name=name, content=content))
            text += f' <img src="@@PLUGINFILE@@/{name}" />'
        general, general_format = self.rich(
            node.find("generalfeedback"), text_format, "generalfeedback", files
        )
        penalty = self.number(node, "penalty", 0.3333333)
        if abs(penalty - 0.3333333) < 0.005:
            penalty = 0.3333333
        tags_node = node.find("tags")
        tags = (
            [self.text(tag, "text") for tag in tags_node.findall("tag")]
            if tags_node is not None
            else []
        )
        name = clean_question_name(self.text(node, "name", "text")) or default_question_name(
            strip_tags(text)
        )
        return Question(
            qtype=kind,
            name=name,
            text=text,
            text_format=text_format,
            general_feedback=general,
            general_feedback_format=general_format,
            default_mark=self.number(node, "defaultgrade", 1.0),
            penalty=penalty,
            hidden=_flag(self.text(node, "hidden", default="0"), False),
            idnumber=self.text(node, "idnumber"),
            tags=[tag for tag in tags if tag],
            category=self.category,
            hints=self.hints(node, text_format, files),
            files=files,
            data=DescriptionData(),
            source=Source(element=self.element, line=node.line),
        )

    def hints(self, node: Node, fmt: str, files: list[Attachment]) -> list[Hint]:
        hints = []
        for index, hint in enumerate(node.findall("hint")):
            text, hint_format = self.rich(hint, fmt, f"hint/{index}", files)
            hints.append(
                Hint(
                    text=text,
                    format=hint_format,
                    show_num_correct=hint.find("shownumcorrect") is not None,
                    clear_wrong=hint.find("clearwrong") is not None,
                    options=self.text(hint, "options"),
                )
            )
        return hints

    def combined(self, node: Node, question: Question) -> CombinedFeedback:
        fmt, files = question.text_format, question.files
        correct = self.rich(node.find("correctfeedback"), fmt, "correctfeedback", files)
        partial = self.rich(
            node.find("partiallycorrectfeedback"), fmt, "partiallycorrectfeedback", files
        )
        wrong = self.rich(node.find("incorrectfeedback"), fmt, "incorrectfeedback", files)
        shownum = node.find("shownumcorrect") is not None
        if node.find("correctresponsesfeedback") is not None:
            shownum = _flag(self.text(node, "correctresponsesfeedback"), True)
        return CombinedFeedback(
            correct=correct[0],
            correct_format=correct[1],
            partially_correct=partial[0],
            partially_correct_format=partial[1],
            incorrect=wrong[0],
            incorrect_format=wrong[1],
            show_num_correct=shownum,
        )

    def answers(self, node: Node) -> list[Node]:
        answers = node.findall("answer")
        if not answers:
            raise _Problem("the question has no <answer>")
        return answers

    def read_multichoice(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        choices = []
        for index, answer in enumerate(self.answers(node)):
            text, text_format = self.rich(answer, fmt, f"answer/{index}", files)
            feedback, feedback_format = self.rich(
                answer.find("feedback"), fmt, f"answerfeedback/{index}", files
            )
            choices.append(
                Choice(
                    text=text,
                    format=text_format,
                    fraction=self.fraction(answer, graded=True),
                    feedback=feedback,
                    feedback_format=feedback_format,
                )
            )
        numbering = self.text(node, "answernumbering")
        if numbering not in ANSWER_NUMBERINGS:
            numbering = "abc"
        question.data = MultichoiceData(
            answers=choices,
            single=_flag(self.text(node, "single", default="true"), True),
            shuffle_answers=_flag(self.text(node, "shuffleanswers", default="false"), False),
            answer_numbering=numbering,
            show_standard_instruction=_flag(
                self.text(node, "showstandardinstruction", default="1"), True
            ),
            combined_feedback=self.combined(node, question),
        )

    def read_truefalse(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        data = TrueFalseData(correct=True, true_feedback_format=fmt, false_feedback_format=fmt)
        for index, answer in enumerate(self.answers(node)[:2]):
            word = self.text(answer, "text")
            if word not in ("true", "false"):
                word = "true" if index == 0 else "false"
            slot = 0 if word == "true" else 1
            feedback, feedback_format = self.rich(
                answer.find("feedback"), fmt, f"answerfeedback/{slot}", files
            )
            full = self.fraction(answer, graded=False) == 1
            if word == "true":
                data.correct = full
                data.true_feedback, data.true_feedback_format = feedback, feedback_format
            else:
                data.correct = not full
                data.false_feedback, data.false_feedback_format = feedback, feedback_format
        question.data = data

    def read_shortanswer(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        answers = []
        for index, answer in enumerate(self.answers(node)):
            feedback, feedback_format = self.rich(
                answer.find("feedback"), fmt, f"answerfeedback/{index}", files
            )
            answers.append(
                ShortAnswer(
                    text=self.text(answer, "text"),
                    fraction=self.fraction(answer, graded=True),
                    feedback=feedback,
                    feedback_format=feedback_format,
                )
            )
        question.data = ShortAnswerData(
            answers=answers,
            case_sensitive=_flag(self.text(node, "usecase", default="0"), False),
        )

    def read_numerical(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        answers = []
        for index, answer in enumerate(self.answers(node)):
            raw = self.text(answer, "text") or php_trim(answer.text) or "*"
            value = None if raw == "*" else parse_number(raw)
            if raw != "*" and value is None:
                raise _Problem(f"numerical answer '{raw}' is not a number")
            feedback, feedback_format = self.rich(
                answer.find("feedback"), fmt, f"answerfeedback/{index}", files
            )
            answers.append(
                NumericalAnswer(
                    value=value,
                    tolerance=0.0 if value is None else self.number(answer, "tolerance", 0.0),
                    fraction=self.fraction(answer, graded=True),
                    feedback=feedback,
                    feedback_format=feedback_format,
                )
            )
        units = [
            Unit(name=self.text(unit, "unit_name"), multiplier=self.number(unit, "multiplier", 1))
            for unit in (node.path("units") or Node("units", {}, 0)).findall("unit")
        ]
        show = self.integer(node, "showunits", None)
        grading = self.integer(node, "unitgradingtype", 0) or 0
        if show is None:
            show = 0 if units else 3
        if not (0 <= show < len(SHOW_UNITS) and 0 <= grading < len(UNIT_GRADING)):
            raise _Problem("<showunits> or <unitgradingtype> has an unknown value")
        instructions = self.rich(node.find("instructions"), "html", "instructions", files)
        question.data = NumericalData(
            answers=answers,
            units=units,
            unit_grading=UNIT_GRADING[grading],
            unit_penalty=self.number(node, "unitpenalty", 0.1),
            show_units=SHOW_UNITS[show],
            units_left=_flag(self.text(node, "unitsleft", default="0"), False),
            instructions=instructions[0],
            instructions_format=instructions[1],
        )

    def read_matching(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        items = []
        for index, sub in enumerate(node.findall("subquestion")):
            text, text_format = self.rich(sub, fmt, f"subquestion/{index}", files)
            items.append(
                MatchItem(text=text, format=text_format, answer=self.text(sub, "answer", "text"))
            )
        question.data = MatchingData(
            subquestions=items,
            shuffle_answers=_flag(self.text(node, "shuffleanswers", default="1"), True),
            combined_feedback=self.combined(node, question),
        )

    def read_essay(self, node: Node, question: Question) -> None:
        fmt, files = question.text_format, question.files
        grader = self.rich(node.find("graderinfo"), fmt, "graderinfo", files)
        template = node.find("responsetemplate")
        template_format = fmt
        if template is not None and "format" in template.attrib:
            template_format = FORMAT_NAMES.get(template.attrib["format"], "html")
        question.data = EssayData(
            response_format=self.text(node, "responseformat") or "editor",
            response_required=_flag(self.text(node, "responserequired", default="1"), True),
            response_field_lines=self.integer(node, "responsefieldlines", 15) or 0,
            min_word_limit=self.integer(node, "minwordlimit", None) or None,
            max_word_limit=self.integer(node, "maxwordlimit", None) or None,
            attachments=self.integer(node, "attachments", 0) or 0,
            attachments_required=self.integer(node, "attachmentsrequired", 0) or 0,
            max_bytes=self.integer(node, "maxbytes", 0) or 0,
            file_types=self.text(node, "filetypeslist"),
            grader_info=grader[0],
            grader_info_format=grader[1],
            response_template=self.text(template, "text"),
            response_template_format=template_format,
        )

    def read_description(self, node: Node, question: Question) -> None:
        question.default_mark = 0.0

    def read_cloze(self, node: Node, question: Question) -> None:
        text, subquestions = parse_cloze(question.text)
        question.text = text
        question.data = ClozeData(subquestions=subquestions)
        question.default_mark = float(sum(sub.mark for sub in subquestions))
        if node.find("name") is None:
            question.name = default_question_name(text)
