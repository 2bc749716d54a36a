"""GIFT export, written so that reading the result gives back :func:`normalise_for_gift`.

Layout as Moodle's ``writequestion``: ``// [id:…] [tag:…]``, ``::name::``, the text with
``[format]`` when it is not ``moodle``, answers one per line, ``####`` general feedback,
one blank line between questions, ``$CATEGORY: $course$/top/…`` where the category changes.

GIFT cannot carry (so :func:`normalise_for_gift` resets them to what an import gives):
category info and idnumber; hints; embedded files (the ``@@PLUGINFILE@@`` links stay);
penalty, default mark, hidden; multiple-choice shuffling, numbering, standard instruction
and combined feedback; short-answer case sensitivity; numerical units and their options;
matching shuffling and combined feedback; every essay option; a description's general
feedback; the format of an empty text. It cannot carry at all (export is refused): cloze
questions, ``->`` in a short-answer answer or feedback (it would read back as matching),
``->`` in a matching sub-question text, tags holding ``<``, ``>`` or a backquote, an
idnumber or tag ending with a backslash.

Where Moodle's own writer would produce text that reads back differently, this one adds
what is needed: ``[format]`` before a text starting with ``[``, an explicit weight before
an answer starting with ``%``, a ``~%100%`` when every choice is right (without one ``~``
the block would read back as a short answer), ``\\`` and the other escapes in category
lines.
"""

from __future__ import annotations

import dataclasses

from .._common import (
    clean_question_name,
    format_number,
    format_percent,
    is_bare_top,
    walk_with_categories,
)
from ..errors import ErrorItem, GiftError
from ..ir import (
    BLANK,
    Bank,
    Category,
    ClozeData,
    CombinedFeedback,
    EssayData,
    MatchingData,
    MultichoiceData,
    NumericalData,
    Question,
    ShortAnswerData,
    TrueFalseData,
)
from .reader import DEFAULT_PENALTY, TRUEFALSE_PENALTY

_RESERVED = str.maketrans(
    {
        "\\": "\\\\",
        "#": "\\#",
        "=": "\\=",
        "~": "\\~",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)

#: A ``$CATEGORY:`` line is not searched for ``:``, so colons stay readable there.
_CATEGORY_RESERVED = {k: v for k, v in _RESERVED.items() if k != ord(":")}


def _escape(text: str) -> str:
    return text.translate(_RESERVED)


def _text(text: str, fmt: str, default: str) -> str:
    """A text with its ``[format]`` when it differs from ``default`` (or could be misread)."""
    prefix = f"[{fmt}]" if fmt != default or text.startswith("[") else ""
    return prefix + _escape(text)


def _weight(fraction: float) -> str:
    return f"%{format_percent(fraction)}%"


def _feedback(text: str, fmt: str, default: str) -> str:
    return f"#{_text(text, fmt, default)}" if text else ""


def _general(question: Question, indent: str) -> str:
    if not question.general_feedback:
        return ""
    body = _text(question.general_feedback, question.general_feedback_format, question.text_format)
    return f"{indent}####{body}\n" if indent else f"####{body}"


def _multichoice(question: Question, data: MultichoiceData) -> str:
    fmt = question.text_format
    lines = []
    last = len(data.answers) - 1
    every_right = all(choice.fraction == 1 for choice in data.answers)
    for index, choice in enumerate(data.answers):
        text = _text(choice.text, choice.format, fmt)
        if choice.fraction == 1 and data.single and not (every_right and index == last):
            marker = "=%100%" if text.startswith("%") else "="
        elif choice.fraction == 0 and not text.startswith("%"):
            marker = "~"
        else:
            # Also the last of all-right answers: without one '~' it would read as short answer.
            marker = "~" + _weight(choice.fraction)
        lines.append(f"\t{marker}{text}{_feedback(choice.feedback, choice.feedback_format, fmt)}")
    return "{\n" + "\n".join(lines) + "\n" + _general(question, "\t") + "}"


def _shortanswer(question: Question, data: ShortAnswerData) -> str:
    fmt = question.text_format
    lines = []
    for answer in data.answers:
        text = _escape(answer.text)
        if answer.text.startswith("["):
            text = f"[{fmt}]{text}"
        feedback = _feedback(answer.feedback, answer.feedback_format, fmt)
        lines.append(f"\t={_weight(answer.fraction)}{text}{feedback}")
    return "{\n" + "\n".join(lines) + "\n" + _general(question, "\t") + "}"


def _numerical(question: Question, data: NumericalData) -> str:
    fmt = question.text_format
    lines = []
    last = len(data.answers) - 1
    for index, answer in enumerate(data.answers):
        feedback = _feedback(answer.feedback, answer.feedback_format, fmt)
        if answer.value is None and answer.fraction == 0 and index == last:
            lines.append(f"\t~#{feedback[1:]}")
            continue
        if answer.value is None:
            value = "*"
        else:
            value = f"{format_number(answer.value)}:{format_number(answer.tolerance)}"
        lines.append(f"\t={_weight(answer.fraction)}{value}{feedback}")
    return "{#\n" + "\n".join(lines) + "\n" + _general(question, "\t") + "}"


def _matching(question: Question, data: MatchingData) -> str:
    fmt = question.text_format
    lines = [
        f"\t={_text(item.text, item.format, fmt) if item.text else ''} -> {_escape(item.answer)}"
        for item in data.subquestions
    ]
    return "{\n" + "\n".join(lines) + "\n" + _general(question, "\t") + "}"


def _truefalse(question: Question, data: TrueFalseData) -> str:
    fmt = question.text_format
    if data.correct:
        word, right, wrong = (
            "TRUE",
            (data.true_feedback, data.true_feedback_format),
            (data.false_feedback, data.false_feedback_format),
        )
    else:
        word, right, wrong = (
            "FALSE",
            (data.false_feedback, data.false_feedback_format),
            (data.true_feedback, data.true_feedback_format),
        )
    out = word
    if wrong[0] or right[0]:
        out += "#" + (_text(wrong[0], wrong[1], fmt) if wrong[0] else "")
    if right[0]:
        out += "#" + _text(right[0], right[1], fmt)
    return "{" + out + _general(question, "") + "}"


def _answers(question: Question) -> str | None:
    data = question.data
    if isinstance(data, MultichoiceData):
        return _multichoice(question, data)
    if isinstance(data, ShortAnswerData):
        return _shortanswer(question, data)
    if isinstance(data, NumericalData):
        return _numerical(question, data)
    if isinstance(data, MatchingData):
        return _matching(question, data)
    if isinstance(data, TrueFalseData):
        return _truefalse(question, data)
    if isinstance(data, EssayData):
        return "{" + _general(question, "") + "}"
    return None


def _id_and_tags(question: Question) -> str:
    bits = []
    if question.idnumber:
        bits.append("[id:" + question.idnumber.replace("]", "\\]") + "]")
    bits.extend("[tag:" + tag.replace("]", "\\]") + "]" for tag in question.tags)
    return "// " + " ".join(bits) + "\n" if bits else ""


def _unwritable(question: Question) -> list[str]:
    data = question.data
    problems = []
    if isinstance(data, ClozeData):
        problems.append("GIFT cannot hold cloze (embedded answers) questions")
    if isinstance(data, ShortAnswerData) and any(
        "->" in answer.text or "->" in answer.feedback for answer in data.answers
    ):
        problems.append("GIFT cannot hold '->' in a short answer or its feedback")
    if isinstance(data, MatchingData) and any("->" in item.text for item in data.subquestions):
        problems.append("GIFT cannot hold '->' in the text of a matching pair")
    if any(char in tag for tag in question.tags for char in "<>`\n"):
        problems.append("GIFT cannot hold a tag with <, > or ` in it")
    if any(value.endswith("\\") for value in (question.idnumber, *question.tags)):
        problems.append("GIFT cannot hold an idnumber or tag ending with a backslash")
    return problems


def _question(question: Question) -> str:
    head = _id_and_tags(question) + "::" + _escape(question.name) + "::"
    fmt = question.text_format
    answers = _answers(question)
    if answers is None:
        return head + _text(question.text, fmt, "moodle") + "\n"
    if question.blank is None:
        return head + _text(question.text, fmt, "moodle") + answers + "\n"
    before = _text(question.text[: question.blank], fmt, "moodle")
    after = _escape(question.text[question.blank + len(BLANK) :])
    return head + before + answers + after + "\n"


def _category(category: Category) -> str:
    path = category.path.translate(_CATEGORY_RESERVED)
    return f"$CATEGORY: $course$/{path}\n"


def export_gift(bank: Bank) -> str:
    """The bank as GIFT text; raises :class:`GiftError` naming what GIFT cannot hold."""
    errors = [
        ErrorItem(message=problem, question=question.name)
        for question in bank.questions
        for problem in _unwritable(question)
    ]
    if errors:
        raise GiftError(errors)
    parts = [
        _category(item) if isinstance(item, Category) else _question(item)
        for item in walk_with_categories(bank)
    ]
    return "\n".join(parts)


def _plain_feedback(fmt: str) -> CombinedFeedback:
    return CombinedFeedback(correct_format=fmt, partially_correct_format=fmt, incorrect_format=fmt)


def _normalise_question(question: Question) -> Question:
    fmt = question.text_format
    data = question.data
    replace = dataclasses.replace

    def fb_format(text: str, value: str) -> str:
        return value if text else fmt

    if isinstance(data, MultichoiceData):
        data = MultichoiceData(
            answers=[
                replace(c, feedback_format=fb_format(c.feedback, c.feedback_format))
                for c in data.answers
            ],
            single=data.single,
            combined_feedback=_plain_feedback(fmt),
        )
    elif isinstance(data, ShortAnswerData):
        data = ShortAnswerData(
            answers=[
                replace(a, feedback_format=fb_format(a.feedback, a.feedback_format))
                for a in data.answers
            ]
        )
    elif isinstance(data, NumericalData):
        data = NumericalData(
            answers=[
                replace(
                    a,
                    feedback_format=fb_format(a.feedback, a.feedback_format),
                    tolerance=0.0 if a.value is None else a.tolerance,
                )
                for a in data.answers
            ]
        )
    elif isinstance(data, MatchingData):
        data = MatchingData(
            subquestions=[
                replace(i, format=fb_format(i.text, i.format)) for i in data.subquestions
            ],
            combined_feedback=_plain_feedback(fmt),
        )
    elif isinstance(data, TrueFalseData):
        data = replace(
            data,
            true_feedback_format=fb_format(data.true_feedback, data.true_feedback_format),
            false_feedback_format=fb_format(data.false_feedback, data.false_feedback_format),
        )
    elif isinstance(data, EssayData):
        data = EssayData()
    general = "" if question.qtype == "description" else question.general_feedback
    return replace(
        question,
        name=clean_question_name(question.name),
        data=data,
        general_feedback=general,
        general_feedback_format=question.general_feedback_format if general else fmt,
        default_mark=0.0 if question.qtype == "description" else 1.0,
        penalty=TRUEFALSE_PENALTY if question.qtype == "truefalse" else DEFAULT_PENALTY,
        hidden=False,
        hints=[],
        files=[],
    )


def normalise_for_gift(bank: Bank) -> Bank:
    """What ``parse_gift(export_gift(bank))`` gives: the bank without what GIFT cannot hold."""
    categories = [Category(path=category.path) for category in bank.categories]
    return Bank(
        categories=[category for category in categories if not is_bare_top(category)],
        questions=[_normalise_question(question) for question in bank.questions],
    )
