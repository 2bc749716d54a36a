"""GIFT import, following Moodle's ``question/format/gift/format.php`` (learnt from, not copied).

How Moodle reads a file, and so how this does: every line is trimmed; blank lines separate
questions; lines starting with ``//`` are comments (``[id:…]`` and ``[tag:…]`` in them set the
idnumber and tags); ``\\ \\~ \\= \\# \\{ \\} \\:`` and ``\\n`` are escapes; ``$CATEGORY: path``
switches category; ``::title::`` names a question; the first ``{…}`` holds the answers and
decides the type (nothing = description, empty = essay, ``#…`` numerical, ``~`` multiple
choice, ``=`` with ``->`` matching, ``T``/``F`` true-false, else short answer); text after the
braces makes a missing-word question; ``####`` starts the general feedback, ``#`` an answer's
feedback, ``%50%`` a weight; ``[html]``, ``[moodle]``, ``[plain]`` or ``[markdown]`` in front
of a text sets its format.

Where Moodle silently imports something that is almost surely a mistake, this refuses the
file with the line to fix (Moodle's behaviour in brackets):

* a second ``{`` inside the braces, or a second answer block in one question (kept as text);
* ``:Title::`` or ``::Title`` without its closing colons (kept as question text);
* text before the first ``=``/``~`` in a multiple-choice block (a 0% answer), empty answers;
* a weight that is not a number, like ``%33,3%`` (kept in the answer text);
* a grade not in Moodle's list, like ``%33%`` (refused by Moodle too);
* a ``$CATEGORY:`` line followed by more text without a blank line (taken into the name);
* rules of Moodle's editing forms: a correct answer, positive grades adding up to 100%…

Deliberate extensions: ``{t}``, ``{true}``, ``{False}`` are true-false in any letter case
(Moodle makes them short answers), and ``=%50%`` is a 50% answer in multiple choice too.
Only UTF-8 is read; other encodings are refused naming the line (as Moodle refuses them).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .._common import (
    bad_character,
    clean_question_name,
    default_question_name,
    grade_problem,
    is_bare_top,
    normalise_category_path,
    parse_number,
    php_trim,
    round_fraction,
    snap_fraction,
)
from ..errors import ErrorItem
from ..ir import (
    BLANK,
    TOP,
    Bank,
    Category,
    Choice,
    CombinedFeedback,
    DescriptionData,
    EssayData,
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
    validate_question,
)
from .lexer import MARK, Block, id_and_tags, split_at, unescape, with_format

#: Penalty and default mark a GIFT import gives (Moodle's ``defaultquestion``).
DEFAULT_PENALTY = 0.3333333
TRUEFALSE_PENALTY = 1.0
_WEIGHT = re.compile(r"%(-?(?:\d+(?:\.\d*)?|\.\d+))%")
_WEIGHT_LIKE = re.compile(r"%[^%\s]{0,12}%")
_TRUE = ("T", "TRUE")
_FALSE = ("F", "FALSE")


class GiftReader:
    """Reads one file; collects every problem, then the caller raises them all at once."""

    def __init__(self, *, match_grades: str) -> None:
        self.match_grades = match_grades
        self.errors: list[ErrorItem] = []
        self.bank = Bank()
        self.category = TOP

    def error(self, line: int, message: str) -> None:
        self.errors.append(ErrorItem(line=line, message=message))

    def read(self, text: str) -> Bank:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        current: list[tuple[int, str]] = []
        for number, raw in enumerate(lines, 1):
            bad = bad_character(raw)
            if bad is not None:
                self.error(number, f"the file contains the control character {bad[1]}")
                continue
            line = php_trim(raw)
            if line:
                current.append((number, line))
            elif current:
                self.read_block(Block(current))
                current = []
        if current:
            self.read_block(Block(current))
        return self.bank

    def read_block(self, block: Block) -> None:
        text = block.text
        if not text:
            return
        if text.startswith("$CATEGORY:"):
            self.read_category(block)
            return
        before = len(self.errors)
        question = self.read_question(block)
        if question is None or len(self.errors) > before:
            return
        for problem in validate_question(question):
            self.error(block.first_line, problem)
        self.bank.questions.append(question)

    def read_category(self, block: Block) -> None:
        raw = unescape(block.text[len("$CATEGORY:") :])
        if "\n" in php_trim(raw):
            self.error(
                block.line(block.text.find("\n") + 1),
                "a $CATEGORY: line must be followed by a blank line before the next question",
            )
            return
        category = Category(path=normalise_category_path(raw))
        self.category = category.path
        known = {c.path for c in self.bank.categories}
        if not is_bare_top(category) and category.path not in known:
            self.bank.categories.append(category)

    def read_title(self, block: Block) -> tuple[str | None, int] | None:
        """``(name or None, offset where the question text starts)``; None after an error."""
        text = block.text
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                self.error(
                    block.first_line,
                    "the question title starts with '::' but is not closed with '::' "
                    "(write ::Title:: before the question text)",
                )
                return None
            return clean_question_name(unescape(text[2:end])), end + 2
        brace = text.find("{")
        head = text if brace < 0 else text[:brace]
        if re.match(r":[^:]", text) and "::" in head:
            self.error(
                block.first_line,
                f"the question title must be written between double colons, like ::Title:: "
                f"(found '{unescape(head[: head.find('::') + 2])}')",
            )
            return None
        return None, 0

    def find_braces(self, block: Block, start: int) -> tuple[int, int] | None:
        """Offsets of the answer block's ``{`` and ``}`` (-1, -1 for none); None on error."""
        text = block.text
        opening, closing = text.find("{", start), text.find("}", start)
        if opening < 0 and closing < 0:
            return -1, -1
        if closing < 0:
            self.error(
                block.line(opening),
                "answer braces are not closed: '{' has no matching '}' before the next blank line",
            )
            return None
        if opening < 0 or closing < opening:
            self.error(block.line(closing), "'}' has no matching '{' (escape it as \\})")
            return None
        inner = text.find("{", opening + 1, closing)
        if inner >= 0:
            self.error(
                block.line(inner),
                "'{' inside the answer braces must be escaped as \\{ "
                "(or a '}' is missing before it)",
            )
            return None
        rest = min(
            (i for i in (text.find("{", closing), text.find("}", closing + 1)) if i >= 0),
            default=-1,
        )
        if rest >= 0:
            self.error(
                block.line(rest),
                "a question can have only one answer block {…}: escape other braces as \\{ "
                "and \\}, or separate the questions with a blank line",
            )
            return None
        return opening, closing

    def read_question(self, block: Block) -> Question | None:
        title = self.read_title(block)
        if title is None:
            return None
        name, start = title
        text = block.text
        # The question text starts after the title, trimmed (Moodle trims it).
        while start < len(text) and text[start] in " \t\n\r":
            start += 1
        braces = self.find_braces(block, start)
        if braces is None:
            return None
        opening, closing = braces
        blank = False
        if opening < 0:
            body, inner, inner_at = text[start:], None, 0
        else:
            inner, inner_at = text[opening + 1 : closing], opening + 1
            blank = closing != len(text) - 1
            body = text[start:opening] + (MARK if blank else "") + text[closing + 1 :]
        question_text, text_format = with_format(body, "moodle")
        offset = question_text.find(MARK) if blank else -1
        question_text = question_text.replace(MARK, BLANK)
        general, general_format = "", text_format
        if inner is not None:
            separator = inner.rfind("####")
            if separator >= 0:
                general, general_format = with_format(inner[separator + 4 :], text_format)
                inner = inner[:separator]
        question = Question(
            qtype="description",
            name=name or default_question_name(question_text),
            text=question_text,
            text_format=text_format,
            general_feedback=general,
            general_feedback_format=general_format,
            data=DescriptionData(),
            category=self.category,
            blank=offset if offset >= 0 else None,
            source=Source(line=block.first_line),
        )
        question.idnumber, question.tags = id_and_tags(block.comments)
        if inner is None:
            question.default_mark = 0.0
            return question
        return self.read_answers(block, question, inner, inner_at)

    def read_answers(self, block: Block, question: Question, inner: str, at: int) -> Question:
        answers = php_trim(inner)
        fmt = question.text_format
        if not answers:
            question.qtype = "essay"
            question.data = EssayData()
        elif answers.startswith("#"):
            question.qtype = "numerical"
            question.data = self.read_numerical(block, inner, at, fmt)
        elif "~" in answers:
            question.qtype = "multichoice"
            question.data = self.read_multichoice(block, inner, at, fmt)
        elif "=" in answers and "->" in answers:
            question.qtype = "matching"
            question.data = self.read_matching(block, inner, at, fmt)
        elif _tf_word(answers) is not None:
            question.qtype = "truefalse"
            question.penalty = TRUEFALSE_PENALTY
            question.data = self.read_truefalse(answers, fmt)
        else:
            question.qtype = "shortanswer"
            question.data = self.read_shortanswer(block, inner, at, fmt)
        return question

    def weight(self, block: Block, piece: str, at: int, default: float) -> tuple[float, str]:
        """Strip a leading ``%n%`` weight; report weights that are no number or grade."""
        found = _WEIGHT.match(piece)
        if found is None:
            if _WEIGHT_LIKE.match(piece) and any(c.isdigit() for c in piece[:12]):
                bad = _WEIGHT_LIKE.match(piece).group()
                self.error(
                    block.line_of_content(at, piece),
                    f"weight '{unescape(bad)}' is not a number: write weights like %50% or "
                    "%33.33333%",
                )
            return default, piece
        value = round_fraction(float(found.group(1)) / 100)
        snapped = snap_fraction(value, mode=self.match_grades)
        if not -1 <= value <= 1:
            self.error(block.line(at), f"weight {found.group()} is outside -100%..100%")
        elif snapped is None:
            self.error(block.line(at), grade_problem(value))
        return (snapped if snapped is not None else value), piece[found.end() :]

    def comment(self, piece: str, fmt: str) -> tuple[str, str, str, str]:
        """Moodle's ``commentparser``: ``text#feedback``, each with an optional format."""
        text, feedback = ([*piece.split("#", 1), ""])[:2]
        text, text_format = with_format(php_trim(text), fmt)
        feedback, feedback_format = with_format(php_trim(feedback), fmt)
        return text, text_format, feedback, feedback_format

    def leading_text(self, block: Block, piece: tuple[str, str, int], need: str) -> None:
        _marker, text, at = piece
        if php_trim(text):
            self.error(
                block.line_of_content(at, text),
                f"answer '{php_trim(unescape(text))}' must start with {need}",
            )

    def read_multichoice(self, block: Block, inner: str, at: int, fmt: str) -> MultichoiceData:
        pieces = split_at(inner, at, "~=")
        self.leading_text(block, pieces[0], "'=' (right answer) or '~' (wrong answer)")
        choices: list[Choice] = []
        for marker, piece, where in pieces[1:]:
            piece = php_trim(piece)
            if not piece:
                self.error(block.line(where), f"an answer after '{marker}' is empty")
                continue
            fraction, piece = self.weight(block, piece, where, 1.0 if marker == "=" else 0.0)
            text, text_format, feedback, feedback_format = self.comment(piece, fmt)
            if not text:
                self.error(block.line(where), f"an answer after '{marker}' is empty")
            choices.append(
                Choice(
                    text=text,
                    format=text_format,
                    fraction=fraction,
                    feedback=feedback,
                    feedback_format=feedback_format,
                )
            )
        return MultichoiceData(
            answers=choices,
            single="=" in inner,
            combined_feedback=_blank_feedback(fmt),
        )

    def read_shortanswer(self, block: Block, inner: str, at: int, fmt: str) -> ShortAnswerData:
        answers: list[ShortAnswer] = []
        for _marker, piece, where in split_at(inner, at, "="):
            piece = php_trim(piece)
            if not piece:
                if _marker:
                    self.error(block.line(where), "an answer after '=' is empty")
                continue
            fraction, piece = self.weight(block, piece, where, 1.0)
            text, _fmt, feedback, feedback_format = self.comment(piece, fmt)
            if not text:
                self.error(block.line(where), "an answer after '=' is empty")
            answers.append(
                ShortAnswer(
                    text=text, fraction=fraction, feedback=feedback, feedback_format=feedback_format
                )
            )
        return ShortAnswerData(answers=answers)

    def read_matching(self, block: Block, inner: str, at: int, fmt: str) -> MatchingData:
        items: list[MatchItem] = []
        for _marker, piece, where in split_at(inner, at, "="):
            piece = php_trim(piece)
            if not piece and not _marker:
                continue
            arrow = piece.find("->")
            if arrow < 0:
                self.error(
                    block.line_of_content(where, piece),
                    f"matching pair '{unescape(piece)}' needs '->' between the question and "
                    "its answer",
                )
                continue
            text, text_format = with_format(piece[:arrow], fmt)
            items.append(
                MatchItem(
                    text=text, format=text_format, answer=php_trim(unescape(piece[arrow + 2 :]))
                )
            )
        return MatchingData(subquestions=items, combined_feedback=_blank_feedback(fmt))

    def read_truefalse(self, answers: str, fmt: str) -> TrueFalseData:
        parts = ([*answers.split("#", 2), "", ""])[:3]
        word, wrong, right = (with_format(php_trim(part), fmt) for part in parts)
        correct = word[0].upper() in _TRUE
        true_fb, false_fb = (right, wrong) if correct else (wrong, right)
        return TrueFalseData(
            correct=correct,
            true_feedback=true_fb[0],
            true_feedback_format=true_fb[1],
            false_feedback=false_fb[0],
            false_feedback_format=false_fb[1],
        )

    def read_numerical(self, block: Block, inner: str, at: int, fmt: str) -> NumericalData:
        hash_at = inner.find("#")
        body, body_at = inner[hash_at + 1 :], at + hash_at + 1
        wrong = None
        tilde = body.find("~")
        if tilde >= 0:
            wrong, body = body[tilde:], body[:tilde]
            if "~" in wrong[1:]:
                self.error(
                    block.line(body_at + tilde),
                    "a numerical question has at most one '~#feedback' for wrong answers",
                )
        answers: list[NumericalAnswer] = []
        for _marker, piece, where in split_at(body, body_at, "="):
            piece = php_trim(piece)
            if not piece:
                continue
            fraction, piece = self.weight(block, piece, where, 1.0)
            text, _fmt, feedback, feedback_format = self.comment(piece, fmt)
            parsed = self.numbers(block.line_of_content(where, piece), text)
            if parsed is not None:
                answers.append(
                    NumericalAnswer(
                        value=parsed[0],
                        tolerance=parsed[1],
                        fraction=fraction,
                        feedback=feedback,
                        feedback_format=feedback_format,
                    )
                )
        if wrong is not None:
            _text, _fmt, feedback, feedback_format = self.comment(wrong[1:], fmt)
            answers.append(
                NumericalAnswer(
                    value=None, fraction=0.0, feedback=feedback, feedback_format=feedback_format
                )
            )
        return NumericalData(answers=answers)

    def numbers(self, line: int, text: str) -> tuple[float | None, float] | None:
        """``1822``, ``1822:5``, ``1..5`` or ``*`` → (value, tolerance)."""
        if text == "*":
            return None, 0.0
        if text.find("..") > 0:
            low, high = (php_trim(part) for part in text.split("..", 1))
            if parse_number(low) is None or parse_number(high) is None:
                self.error(line, f"numerical range '{text}' must be two numbers like 1..5")
                return None
            try:
                middle = (Decimal(low) + Decimal(high)) / 2
                tolerance = Decimal(high) - middle
            except InvalidOperation:
                self.error(line, f"numerical range '{text}' is out of range")
                return None
            if tolerance < 0:
                self.error(line, f"numerical range '{text}' must have the smaller number first")
                return None
            return float(middle), float(tolerance)
        value_text, tolerance_text = text, "0"
        if text.find(":") > 0:
            value_text, tolerance_text = text.split(":", 1)
        value, tolerance = parse_number(value_text), parse_number(tolerance_text)
        if value is None or tolerance is None:
            self.error(
                line,
                f"numerical answer '{text}' is not a number (write 1822, "
                "1822:5 for ±5, or 1..5 for a range)",
            )
            return None
        if tolerance < 0:
            self.error(line, f"the tolerance in '{text}' must not be negative")
            return None
        return value, tolerance


def _tf_word(answers: str) -> str | None:
    word = answers
    if answers.find("#") > 0:
        word = php_trim(answers[: answers.find("#")])
    word = php_trim(with_format(word, "moodle")[0]).upper()
    return word if word in _TRUE + _FALSE else None


def _blank_feedback(fmt: str) -> CombinedFeedback:
    return CombinedFeedback(correct_format=fmt, partially_correct_format=fmt, incorrect_format=fmt)
