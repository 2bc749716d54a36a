"""GIFT import: the grammar Moodle reads, the fixtures written by others, and bad files.

Expected counts and types come from reading the fixture files by hand (see
../shared/fixtures/gift/SOURCES.md), not from the parser.
"""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.formats import FormatError, GiftError, parse
from assessments.formats.gift import parse_gift, parse_gift_text
from assessments.formats.ir import BLANK
from tests.assessments.conftest import shared_folder_files

MC, TF, SA, NUM = "multichoice", "truefalse", "shortanswer", "numerical"
MATCH, ESSAY, DESC = "matching", "essay", "description"


def read(text: str):
    return parse_gift(text.encode("utf-8"))


def only(text: str):
    bank = read(text)
    assert len(bank.questions) == 1
    return bank.questions[0]


def errors_of(text: str | bytes) -> list[tuple[int | None, str]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(GiftError) as caught:
        parse_gift(data)
    return [(error.line, error.message) for error in caught.value.errors]


# --- the grammar, on small samples written here ------------------------------------------


def test_multiple_choice_gives_full_marks_to_the_equals_answer():
    # when
    question = only("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")

    # then
    assert question.qtype == MC
    assert question.text == "Who's buried in Grant's tomb?"
    assert question.name == "Who's buried in Grant's tomb?"
    assert question.data.single is True
    assert [(a.text, a.fraction) for a in question.data.answers] == [
        ("Grant", 0.0),
        ("Jefferson", 0.0),
        ("no one", 1.0),
    ]
    assert question.blank is None


def test_missing_word_puts_a_blank_where_the_braces_were():
    question = only("Grant is {~buried =entombed ~living} in Grant's tomb.")

    assert question.text == f"Grant is {BLANK} in Grant's tomb."
    assert question.blank == len("Grant is ")
    assert question.qtype == MC


def test_answer_block_at_the_start_makes_a_blank_at_offset_zero():
    question = only("::Continents:: { =Asia } is the largest continent in the world.")

    assert question.name == "Continents"
    assert question.text == f"{BLANK} is the largest continent in the world."
    assert question.blank == 0
    assert question.qtype == SA


def test_weights_without_equals_make_a_multiple_response_question_with_negative_grades():
    question = only(
        "Select the continents:{\n"
        "  ~%33.33333%Africa\n  ~%33.33333%Asia\n  ~%-100%China\n  ~%33.33333%Antarctica\n}"
    )

    assert question.data.single is False
    assert [a.fraction for a in question.data.answers] == [0.3333333, 0.3333333, -1.0, 0.3333333]


def test_every_escape_is_read_as_the_literal_character():
    question = only(r"Escapes \~ \= \# \{ \} \: and \\ then\nnext {=a\~b\=c\#d\{e\}f\:g\\h}")

    assert question.text == "Escapes ~ = # { } : and \\ then\nnext"
    assert question.data.answers[0].text == "a~b=c#d{e}f:g\\h"


def test_double_backslash_before_a_control_character_leaves_the_character_active():
    question = only(r"Path C:\\{=yes}")

    assert question.text == "Path C:\\"
    assert question.data.answers[0].text == "yes"


def test_title_category_and_format_prefixes_are_read():
    bank = read(
        "$CATEGORY: $course$/top/Migration/Smuggling\n\n"
        "::Q\\:1::[html]<p>Is this <b>true</b>?</p>{T}\n\n"
        "::Q2::[markdown]**Bold** text{=[plain]answer#[html]<i>feedback</i>}"
    )

    assert [c.path for c in bank.categories] == ["top/Migration/Smuggling"]
    first, second = bank.questions
    assert (first.name, first.text_format, first.text) == (
        "Q:1",
        "html",
        "<p>Is this <b>true</b>?</p>",
    )
    assert first.category == "top/Migration/Smuggling"
    assert second.text_format == "markdown"
    assert second.data.answers[0].text == "answer"
    assert second.data.answers[0].feedback == "<i>feedback</i>"
    assert second.data.answers[0].feedback_format == "html"


def test_category_without_context_or_top_is_placed_under_top():
    bank = read("$CATEGORY: T5/Apartado-1,2,2.1\n\nQ?{T}")

    assert bank.categories[0].path == "top/T5/Apartado-1,2,2.1"
    assert bank.questions[0].category == "top/T5/Apartado-1,2,2.1"


def test_numerical_reads_tolerance_range_partial_answers_and_wrong_feedback():
    bank = read(
        "When?{#1822:5}\n\n"
        "Pi?{#3.141..3.142}\n\n"
        "Negative?{#-5..5}\n\n"
        "Born?{#\n=1822:0 #Exact\n=%50%1822:2 #Close\n~#Wrong}"
    )

    tolerance, interval, negative, several = (q.data.answers for q in bank.questions)
    assert [(a.value, a.tolerance) for a in tolerance] == [(1822.0, 5.0)]
    assert [(a.value, a.tolerance) for a in interval] == [(3.1415, 0.0005)]
    assert [(a.value, a.tolerance) for a in negative] == [(0.0, 5.0)]
    assert [(a.value, a.tolerance, a.fraction, a.feedback) for a in several] == [
        (1822.0, 0.0, 1.0, "Exact"),
        (1822.0, 2.0, 0.5, "Close"),
        (None, 0.0, 0.0, "Wrong"),
    ]


def test_true_false_keeps_wrong_then_right_feedback():
    question = only("42 is the answer.{FALSE#Sorry, it is.#Right, it is not.####Douglas Adams}")

    assert question.qtype == TF
    assert question.data.correct is False
    assert question.data.true_feedback == "Sorry, it is."
    assert question.data.false_feedback == "Right, it is not."
    assert question.general_feedback == "Douglas Adams"
    assert question.penalty == 1.0


def test_true_false_is_recognised_in_any_letter_case():
    # Moodle would make {t} a short answer "t"; a trainer means true.
    assert only("The sun is a star.{t#bien}").data.correct is True
    assert only("The sun is a planet.{ false }").data.correct is False


def test_short_answer_keeps_wildcard_and_partial_credit():
    question = only("Best animal?{=Frog#Good! =%50%Cat#Hmm =%0%*#No}")

    assert question.qtype == SA
    assert question.data.case_sensitive is False
    assert [(a.text, a.fraction, a.feedback) for a in question.data.answers] == [
        ("Frog", 1.0, "Good!"),
        ("Cat", 0.5, "Hmm"),
        ("*", 0.0, "No"),
    ]


def test_matching_keeps_pairs_and_an_empty_left_side_as_distractor():
    question = only("Capitals.{=Canada -> Ottawa =Italy -> Rome = -> Paris}")

    assert question.qtype == MATCH
    assert [(i.text, i.answer) for i in question.data.subquestions] == [
        ("Canada", "Ottawa"),
        ("Italy", "Rome"),
        ("", "Paris"),
    ]
    assert question.data.distractors == ["Paris"]


def test_empty_braces_make_an_essay_and_no_braces_a_description():
    essay, description = read(
        "Write about migration.{####Look for causes.}\n\nRead this first."
    ).questions

    assert (essay.qtype, essay.general_feedback, essay.default_mark) == (
        ESSAY,
        "Look for causes.",
        1.0,
    )
    assert essay.data.response_format == "editor"
    assert (description.qtype, description.default_mark) == (DESC, 0.0)


def test_id_and_tags_come_from_the_comment_lines():
    question = only("// [id:Q-7\\]] [tag:fred] [tag:barney-wilma]\nEssay?{}")

    assert question.idnumber == "Q-7]"
    assert question.tags == ["fred", "barney-wilma"]


def test_comment_lines_do_not_end_a_question_and_blank_lines_do():
    bank = read("// first\nQ1 {\n  =a\n  // a comment inside\n  ~b\n}\n\n\n\nQ2{T}")

    assert [q.qtype for q in bank.questions] == [MC, TF]
    assert len(bank.questions[0].data.answers) == 2


def test_windows_line_endings_and_a_bom_are_accepted():
    bank = parse_gift(b"\xef\xbb\xbfQ1{T}\r\n\r\nQ2{F}\r\n")

    assert [q.data.correct for q in bank.questions] == [True, False]


def test_weight_off_moodles_grade_list_is_rounded_when_asked():
    bank = parse_gift(b"Q{~%33%a ~%67%b}", match_grades="nearest")

    assert [a.fraction for a in bank.questions[0].data.answers] == [0.3333333, 0.6666667]


def test_parse_dispatches_on_the_format_name_and_keeps_the_file_name_on_errors():
    assert len(parse(b"Q{T}", "gift", filename="week1.txt").questions) == 1
    with pytest.raises(FormatError) as caught:
        parse(b"Q{", "gift", filename="week1.txt")
    assert caught.value.filename == "week1.txt"
    with pytest.raises(FormatError, match="unknown question format 'aiken'"):
        parse(b"", "aiken", filename="x")


# --- bad input written here ----------------------------------------------------------------


def test_no_correct_answer_names_the_question_and_its_line():
    text = "Q1{T}\n\n\n::Q3:: Which?{\n~a\n~b\n}"

    assert errors_of(text) == [(4, "no correct answer in multiple-choice question 'Q3'")]


def test_every_problem_of_a_file_is_reported_at_once_and_nothing_is_imported():
    text = "Good{T}\n\nBad one {\n=a\n\nAnother bad {=x}}\n\nStray } here"

    found = errors_of(text)

    assert [line for line, _message in found] == [3, 6, 8]
    assert "answer braces are not closed" in found[0][1]
    assert "only one answer block" in found[1][1]
    assert "'}' has no matching '{'" in found[2][1]


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (
            "Q{~%33%a =b}",
            1,
            "grade 33% is not one of the grades Moodle allows (the nearest is 33.33333%",
        ),
        ("Q{\n~%33,3%a\n=b}", 2, "weight '%33,3%' is not a number"),
        ("Q{\n=a\n~%150%b}", 3, "weight %150% is outside -100%..100%"),
        ("Q{#\n=abc}", 2, "numerical answer 'abc' is not a number"),
        ("Q{#5..1}", 1, "numerical range '5..1' must have the smaller number first"),
        ("Q{#1..x}", 1, "numerical range '1..x' must be two numbers"),
        ("Q{#=5 ~#a ~#b}", 1, "at most one '~#feedback'"),
        ("::Title without end {T}", 1, "is not closed with '::'"),
        ("$CATEGORY: top/A\nQ{T}", 2, "must be followed by a blank line"),
        ("Q{=a ~}", 1, "an answer after '~' is empty"),
        ("Q{=a =}", 1, "an answer after '=' is empty"),
        ("Q{=a -> b =c}", 1, "matching pair 'c' needs '->'"),
        ("Q{=a -> b}", 1, "matching question 'Q' needs at least 2 pairs"),
        ("Q{=%50%a}", 1, "no answer gets full marks in short-answer question 'Q'"),
        ("Q{~%50%a ~%30%b}", 1, "add up to 80%, not 100%"),
        ("Q{~only}", 1, "needs at least 2 answers"),
        ("Q\x01{T}", 1, "the control character U+0001"),
    ],
)
def test_bad_question_is_refused_with_line_and_reason(text, line, expected):
    found = errors_of(text)

    assert found[0][0] == line
    assert expected in found[0][1]


def test_latin1_bytes_are_refused_naming_encoding_and_line():
    found = errors_of("Q1{T}\n\nCaf\u00e9?{T}".encode("cp1252"))

    assert found == [
        (
            3,
            "the file is not UTF-8: byte 0xE9 looks like the Windows-1252 (Latin-1) character "
            "'é'. GIFT files must be UTF-8: open the file in a text editor, save it with the "
            "encoding UTF-8 and import it again",
        )
    ]


def test_utf16_file_is_refused_as_utf16():
    assert errors_of("Q{T}".encode("utf-16")) == [
        (None, "the file is saved as UTF-16; GIFT files must be saved as UTF-8")
    ]


def test_file_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(GiftError, match=r"files of up to 0\.0 MB can be imported"):
        parse_gift(b"Q{T}" * 100, max_bytes=10)


# --- the fixtures written by others ----------------------------------------------------------

VALID = {
    # gift-pegjs (GIFT-grammar-PEG.js test inputs)
    "gift/gift-pegjs/TFTwoFeedback.gift": {TF: 3},
    "gift/gift-pegjs/category1.gift": {},
    "gift/gift-pegjs/categorySpecialCharacter.gift": {},
    "gift/gift-pegjs/description1.gift": {DESC: 1, TF: 1},
    "gift/gift-pegjs/descriptionTitleEscapedColon.gift": {DESC: 1, TF: 1},
    "gift/gift-pegjs/descriptionWithID.gift": {DESC: 1, TF: 1},
    "gift/gift-pegjs/escapeAll.gift": {MC: 1},
    "gift/gift-pegjs/escapeColon.gift": {MC: 1},
    "gift/gift-pegjs/escapeEquals.gift": {MC: 1},
    "gift/gift-pegjs/essay1.gift": {ESSAY: 1},
    "gift/gift-pegjs/formatExamples.gift": {MC: 1},
    "gift/gift-pegjs/giftFormatPhpExamples.gift": {MC: 4, TF: 1, SA: 2, NUM: 2, MATCH: 1},
    "gift/gift-pegjs/markdown.gift": {DESC: 4},
    "gift/gift-pegjs/matching1.gift": {MATCH: 2},
    "gift/gift-pegjs/mc1.gift": {MC: 1},
    "gift/gift-pegjs/mc2.gift": {MC: 1},
    "gift/gift-pegjs/mc4.gift": {MC: 1},
    "gift/gift-pegjs/mc5.gift": {MC: 4},
    "gift/gift-pegjs/mcHTMLComment.gift": {MC: 1},
    "gift/gift-pegjs/multiLineFeedback1.gift": {MC: 2},
    "gift/gift-pegjs/multipleAnswersFloat.gift": {MC: 1},
    "gift/gift-pegjs/newlineAndLaTeX.gift": {ESSAY: 1},
    "gift/gift-pegjs/numerical1.gift": {NUM: 10},
    "gift/gift-pegjs/options1.gift": {NUM: 1, SA: 4, MC: 8, TF: 1},
    "gift/gift-pegjs/shortAnswer1.gift": {SA: 2},
    "gift/gift-pegjs/shortAnswer2.gift": {SA: 2},
    "gift/gift-pegjs/shortAnswerNotMatching.gift": {MC: 2},
    "gift/gift-pegjs/shortFirstEmbedded.gift": {SA: 2},
    "gift/gift-pegjs/shortFirstEmbeddedUnderline.gift": {SA: 2},
    "gift/gift-pegjs/shortFirstEmbeddedUnderlineHTML.gift": {SA: 2},
    "gift/gift-pegjs/symbolsAll.gift": {TF: 1},
    "gift/gift-pegjs/tag_id.gift": {ESSAY: 1},
    "gift/gift-pegjs/tag_id_and_two_tags.gift": {ESSAY: 1},
    "gift/gift-pegjs/tag_two_tags.gift": {ESSAY: 1},
    "gift/gift-pegjs/tf1.gift": {TF: 1},
    "gift/gift-pegjs/tf1_html.gift": {TF: 1},
    "gift/gift-pegjs/tf1_markdown.gift": {TF: 1},
    "gift/gift-pegjs/tf2.gift": {TF: 2},
    "gift/gift-pegjs/totara_moodle_backslash.gift": {ESSAY: 1},
    "gift/gift-pegjs/totara_moodle_essay.gift": {ESSAY: 1},
    "gift/gift-pegjs/totara_moodle_match.gift": {MATCH: 1},
    "gift/gift-pegjs/totara_moodle_multichoice.gift": {MC: 1},
    "gift/gift-pegjs/totara_moodle_multichoice_multi.gift": {MC: 1},
    "gift/gift-pegjs/totara_moodle_numerical.gift": {NUM: 1},
    "gift/gift-pegjs/totara_moodle_pre_content.gift": {ESSAY: 1},
    "gift/gift-pegjs/totara_moodle_shortanswer.gift": {SA: 1},
    "gift/gift-pegjs/totara_moodle_shortanswer_general_feedback.gift": {SA: 1},
    "gift/gift-pegjs/totara_moodle_truefalse.gift": {TF: 1},
    "gift/gift-pegjs/totara_moodle_truefalse_true_answer1.gift": {TF: 1},
    "gift/gift-pegjs/totara_moodle_truefalse_true_answer2.gift": {TF: 1},
    "gift/gift-pegjs/type_inferred_multiline_markdown.gift": {SA: 1},
    # Moodle's own files
    "gift/moodle-core/examples.txt": {MC: 18, TF: 5, SA: 9, NUM: 8, MATCH: 3},
    "gift/moodle-core/questions.gift.txt": {ESSAY: 1, MATCH: 1, MC: 2, NUM: 1, SA: 1, TF: 3},
    "gift/moodle-core/questions_in_category.gift.txt": {MATCH: 1, MC: 1, SA: 1, TF: 1},
    # pygiftparser real-world files
    "gift/pygiftparser/test3.gift.txt": {DESC: 1, ESSAY: 1, MC: 5},
    "gift/pygiftparser/test5.gift.txt": {TF: 4, MC: 19, SA: 17},
    "gift/pygiftparser/test11.gift.txt": {NUM: 1, SA: 2, TF: 1},
    "gift/pygiftparser/test12.gift.txt": {MC: 5, TF: 4, SA: 2, MATCH: 1, NUM: 5, ESSAY: 1, DESC: 1},
    # gift-parser-ide "errors" that Moodle imports, and so do we
    "gift/gift-parser-ide-errors/emptyLines.gift": {MC: 1, MATCH: 1},
    "gift/gift-parser-ide-errors/escapeBracket.gift": {MC: 1, SA: 1},
    "gift/gift-parser-ide-errors/unescapedCharacters2.gift": {
        TF: 2,
        MC: 1,
        SA: 1,
        MATCH: 1,
        NUM: 3,
        ESSAY: 1,
    },
    "gift/gift-parser-ide-errors/unescapedLink.gift": {MC: 1},
}

# file -> [(line, words the message holds)], every error of the file, in order.
# Moodle refuses the brace errors and the Windows-1252 file too. It would silently import
# missingAnswer (a 0% answer "Correct Answer"), the ':Title::' files (title kept as text),
# unescapedCharacters (an answer "{"), unescapedCharacters1 and noLineBreaks line 3 (braces
# kept as text) and test10 line 27 (a second answer block kept as text): all almost surely
# mistakes, so the importer names the line instead.
BROKEN = {
    "gift/gift-parser-ide-errors/addedLineBreak.gift": [
        (1, "answer braces are not closed"),
        (4, "'}' has no matching '{'"),
    ],
    "gift/gift-parser-ide-errors/incremental_state4_badTitle.gift": [
        (11, "title must be written between double colons, like ::Title:: (found ':Incomplete::')"),
    ],
    "gift/gift-parser-ide-errors/missingAnswer.gift": [
        (2, "answer 'Correct Answer' must start with '=' (right answer) or '~' (wrong answer)"),
    ],
    "gift/gift-parser-ide-errors/missingCurly.gift": [(1, "answer braces are not closed")],
    "gift/gift-parser-ide-errors/missingTitleColon.gift": [
        (1, "between double colons, like ::Title:: (found ':Title::')"),
    ],
    "gift/gift-parser-ide-errors/noLineBreaks.gift": [
        (3, "a question can have only one answer block"),
        (5, "answer braces are not closed"),
    ],
    "gift/gift-parser-ide-errors/openBrackets.gift": [
        (5, "answer braces are not closed"),
        (7, "'}' has no matching '{'"),
        (9, "answer braces are not closed"),
        (13, "answer braces are not closed"),
        (15, "'}' has no matching '{'"),
    ],
    "gift/gift-parser-ide-errors/unescapedCharacters.gift": [
        (6, "'{' inside the answer braces must be escaped as \\{"),
    ],
    "gift/gift-parser-ide-errors/unescapedCharacters1.gift": [
        (3, "a question can have only one answer block"),
    ],
    "gift/moodle-core/questions_encoding_windows-1252.gift.txt": [
        (
            15,
            "the file is not UTF-8: byte 0xF6 looks like the Windows-1252 (Latin-1) character 'ö'",
        ),
    ],
    "gift/pygiftparser/test10.gift.txt": [(27, "a question can have only one answer block")],
}
CATEGORIES = {
    "gift/gift-pegjs/category1.gift": ["top/Default for LING-373-2194-B"],
    "gift/gift-pegjs/categorySpecialCharacter.gift": ["top/Default for Unit 1: Topic"],
    "gift/moodle-core/questions_in_category.gift.txt": ["top/Default for New Features"],
    "gift/pygiftparser/test5.gift.txt": [
        "top/T5/Apartado-1,2,2.1",
        "top/T5/Apartado-2.2,2.3",
        "top/T5/Apartado-2.4,2.5",
        "top/T5/Apartado-2.6,2.7",
    ],
    "gift/pygiftparser/test12.gift.txt": [
        "top/TrueFalseCategory",
        "top/ShortCategory",
        "top/MatchingCategory",
        "top/MissingCategory",
        "top/NumericalCategory",
        "top/EssayDescriptionCategory",
    ],
}


def test_every_shared_gift_fixture_is_listed_as_valid_or_broken():
    listed = set(VALID) | set(BROKEN)

    assert shared_folder_files("gift") - listed == set()
    assert not set(VALID) & set(BROKEN)


@pytest.mark.parametrize(("path", "types"), sorted(VALID.items()))
def test_valid_fixture_imports_with_the_right_count_and_types(shared_fixture, path, types):
    bank = parse_gift(shared_fixture(path).read_bytes())

    assert Counter(q.qtype for q in bank.questions) == Counter(types)
    assert [c.path for c in bank.categories] == CATEGORIES.get(path, [])


@pytest.mark.parametrize(("path", "expected"), sorted(BROKEN.items()))
def test_broken_fixture_is_refused_with_line_and_reason(shared_fixture, path, expected):
    with pytest.raises(GiftError) as caught:
        parse_gift(shared_fixture(path).read_bytes())

    found = caught.value.errors
    assert [error.line for error in found] == [line for line, _words in expected]
    for error, (_line, words) in zip(found, expected, strict=True):
        assert words in error.message


def load(shared_fixture, path: str):
    return parse_gift(shared_fixture(path).read_bytes()).questions


def test_moodle_core_questions_read_as_moodle_reads_them(shared_fixture):
    _essay, match, mc, multi, numerical, short, tf, *_ = load(
        shared_fixture, "gift/moodle-core/questions.gift.txt"
    )

    assert [(i.text[:13], i.format, i.answer) for i in match.data.subquestions] == [
        ("An activity s", "html", "Forum"),
        ("A teacher ask", "moodle", "Choice"),
        ("A bank of rec", "plain", "Database"),
        ("A collection ", "markdown", "Wiki"),
        ("", "html", "Chat"),
    ]
    assert [(a.text, a.format, a.feedback_format) for a in mc.data.answers] == [
        ("yellow", "moodle", "moodle"),
        ("red", "moodle", "html"),
        ("blue", "plain", "moodle"),
    ]
    assert [a.fraction for a in multi.data.answers] == [0.5, -1.0, 0.5, -1.0]
    # The stray '";' after '}' (left from PHP strings upstream) is text after the braces.
    assert numerical.text == f'What is a number from 1 to 5? {BLANK}";'
    assert [(a.value, a.tolerance, a.feedback) for a in numerical.data.answers] == [
        (3.0, 2.0, ""),
        (None, 0.0, "Completely wrong"),
    ]
    assert [a.text for a in short.data.answers] == ["Frog", "Cat", "*"]
    assert tf.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert (tf.data.true_feedback, tf.data.false_feedback) == (
        "42 is the Ultimate Answer.",
        "You gave the right answer.",
    )


def test_questions_in_category_unescape_html_attributes(shared_fixture):
    match, greeting, user, acronym = load(
        shared_fixture, "gift/moodle-core/questions_in_category.gift.txt"
    )

    assert greeting.text.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">Listen to this greeting:</a>'
    )
    assert [(a.text, a.fraction) for a in user.data.answers] == [("Moodler", 1.0)]
    assert acronym.text.endswith(
        '<span style="font-style: italic;">Modular Object-Oriented Dynamic Learning '
        "Environment</span>."
    )
    assert {q.category for q in (match, greeting, user, acronym)} == {
        "top/Default for New Features"
    }


def test_examples_backslash_answer_keeps_multiline_feedback(shared_fixture):
    control = next(
        q
        for q in load(shared_fixture, "gift/moodle-core/examples.txt")
        if q.name == "GIFT Control Characters"
    )

    assert [a.text for a in control.data.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert control.data.answers[-1].fraction == 1.0
    assert control.data.answers[-1].feedback.startswith(
        "Correct! \\ (backslash) is not a control character. BUT,\nit is used to escape"
    )


def test_escape_all_and_titles_with_escaped_colons(shared_fixture):
    (question,) = load(shared_fixture, "gift/gift-pegjs/escapeAll.gift")
    description, _tf = load(shared_fixture, "gift/gift-pegjs/descriptionTitleEscapedColon.gift")

    assert [a.text for a in question.data.answers] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert description.name == "Description Title:"
    assert description.text == "You can use your pencil and paper for these next questions."


def test_numerical_fixture_ranges_become_value_and_tolerance(shared_fixture):
    questions = load(shared_fixture, "gift/gift-pegjs/numerical1.gift")

    pairs = [(q.data.answers[0].value, q.data.answers[0].tolerance) for q in questions]
    assert pairs[:8] == [
        (1822.0, 0.0),
        (-1.0, 0.0),
        (3.1415, 0.0005),
        (-3.142, 0.001),
        (3.1415, 0.0005),
        (-3.1415, 0.0005),
        (3.0, 2.0),
        (0.0, 5.0),
    ]
    assert [a.fraction for a in questions[9].data.answers] == [0.0, 1.0, 0.0]


def test_ids_and_tags_fixtures(shared_fixture):
    (tagged,) = load(shared_fixture, "gift/gift-pegjs/tag_id_and_two_tags.gift")
    description, _tf = load(shared_fixture, "gift/gift-pegjs/descriptionWithID.gift")

    assert (tagged.idnumber, tagged.tags) == ("393", ["fred", "barney-wilma"])
    assert description.idnumber == "2112"


def test_true_false_two_feedbacks_and_an_empty_first_feedback(shared_fixture):
    false, true_one, true_blank = load(shared_fixture, "gift/gift-pegjs/TFTwoFeedback.gift")

    assert (false.data.correct, false.data.true_feedback, false.data.false_feedback) == (
        False,
        "feedback for true",
        "feedback for false",
    )
    assert (true_one.data.true_feedback, true_one.data.false_feedback) == ("", "feedback for true")
    assert (true_blank.data.true_feedback, true_blank.data.false_feedback) == (
        "feedback for false",
        "",
    )


def test_pre_block_keeps_escaped_braces_and_line_breaks(shared_fixture):
    (question,) = load(shared_fixture, "gift/gift-pegjs/totara_moodle_pre_content.gift")

    assert question.text_format == "html"
    assert "public void test() {\nmethod1();" in question.text
    assert question.text.endswith("}\n</pre>")


def test_lenient_moodle_cases_from_the_parser_ide_set(shared_fixture):
    (links,) = load(shared_fixture, "gift/gift-parser-ide-errors/unescapedLink.gift")
    bracket, _second = load(shared_fixture, "gift/gift-parser-ide-errors/escapeBracket.gift")

    assert links.text == ""
    assert links.data.answers[0].text.startswith("<img src=https://images.unsplash.com/")
    assert [a.text for a in bracket.data.answers] == ["b{2,}", "bb*"]


# --- robustness ------------------------------------------------------------------------------

GIFT_ALPHABET = [*"{}~=#:%->\\/$[]n T1.\n\t aé", "::", "//", "$CATEGORY:", "[html]", "####"]


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(st.sampled_from(GIFT_ALPHABET), max_size=80).map("".join),
        st.binary(max_size=200),
    )
)
def test_any_input_either_parses_or_raises_gift_error(data):
    """Whatever a trainer uploads, the importer answers with a bank or with GiftError."""
    try:
        if isinstance(data, bytes):
            parse_gift(data)
        else:
            parse_gift_text(data)
    except GiftError as error:
        assert error.errors
        assert all(str(item) for item in error.errors)
