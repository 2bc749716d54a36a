"""Moodle XML import: samples written here, the fixtures written by others, and bad files.

Expected counts and types come from reading the fixture files (see
../shared/fixtures/moodlexml/SOURCES.md), not from the parser.
"""

import re
from collections import Counter

import pytest

from assessments.formats import MoodleXmlError, parse
from assessments.formats.ir import missing_files, pluginfile_references, text_areas
from assessments.formats.moodlexml import parse_moodlexml
from tests.assessments.conftest import shared_folder_files

MC, TF, SA, NUM = "multichoice", "truefalse", "shortanswer", "numerical"
MATCH, ESSAY, DESC, CLOZE = "matching", "essay", "description", "cloze"


def quiz(*questions: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"
    ).encode()


def question(qtype: str, name: str, body: str = "", text: str = "Question text") -> str:
    return (
        f'<question type="{qtype}"><name><text>{name}</text></name>'
        f'<questiontext format="html"><text>{text}</text></questiontext>{body}</question>'
    )


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(MoodleXmlError) as caught:
        parse_moodlexml(data)
    return caught.value.messages


TF_ANSWERS = (
    '<answer fraction="100"><text>true</text><feedback><text>Yes</text></feedback></answer>'
    '<answer fraction="0"><text>false</text><feedback><text>No</text></feedback></answer>'
)


# --- samples written here --------------------------------------------------------------------


def test_category_then_question_sets_path_info_and_idnumber():
    data = quiz(
        '<question type="category"><category><text>$course$/top/Migration/Smuggling</text>'
        '</category><info format="markdown"><text>Smuggling of *migrants*</text></info>'
        "<idnumber>SOM-1</idnumber></question>",
        question(TF, "Is smuggling a crime against the state?", TF_ANSWERS),
    )

    bank = parse_moodlexml(data)

    (category,) = bank.categories
    assert (category.path, category.info, category.info_format, category.idnumber) == (
        "top/Migration/Smuggling",
        "Smuggling of *migrants*",
        "markdown",
        "SOM-1",
    )
    (tf,) = bank.questions
    assert tf.category == "top/Migration/Smuggling"
    assert (tf.data.correct, tf.data.true_feedback, tf.data.false_feedback) == (True, "Yes", "No")


def test_multichoice_reads_options_answers_combined_feedback_hints_and_tags():
    body = (
        "<single>false</single><shuffleanswers>0</shuffleanswers>"
        "<answernumbering>123</answernumbering>"
        '<correctfeedback format="html"><text>All right</text></correctfeedback>'
        "<shownumcorrect/>"
        '<answer fraction="50" format="html"><text>A</text>'
        "<feedback><text>half</text></feedback></answer>"
        '<answer fraction="50"><text>B</text></answer>'
        '<answer fraction="-100"><text>C</text></answer>'
        '<hint format="html"><text>Think</text><clearwrong/></hint>'
        "<tags><tag><text>fraud</text></tag><tag><text>documents</text></tag></tags>"
        "<idnumber>MC-9</idnumber><hidden>1</hidden><defaultgrade>2</defaultgrade>"
    )

    (mc,) = parse_moodlexml(quiz(question(MC, "Pick", body))).questions

    assert (mc.data.single, mc.data.shuffle_answers, mc.data.answer_numbering) == (
        False,
        False,
        "123",
    )
    assert [(a.text, a.fraction, a.feedback) for a in mc.data.answers] == [
        ("A", 0.5, "half"),
        ("B", 0.5, ""),
        ("C", -1.0, ""),
    ]
    assert (mc.data.combined_feedback.correct, mc.data.combined_feedback.show_num_correct) == (
        "All right",
        True,
    )
    assert [(h.text, h.clear_wrong, h.show_num_correct) for h in mc.hints] == [
        ("Think", True, False)
    ]
    assert (mc.tags, mc.idnumber, mc.hidden, mc.default_mark) == (
        ["fraud", "documents"],
        "MC-9",
        True,
        2.0,
    )


def test_numerical_units_and_catch_all_answer():
    body = (
        '<answer fraction="100"><text>9.81</text><tolerance>0.01</tolerance></answer>'
        '<answer fraction="0"><text>*</text><feedback><text>No</text></feedback></answer>'
        "<units><unit><multiplier>1</multiplier><unit_name>m/s2</unit_name></unit>"
        "<unit><multiplier>100</multiplier><unit_name>cm/s2</unit_name></unit></units>"
        "<unitgradingtype>1</unitgradingtype><unitpenalty>0.2</unitpenalty>"
        "<showunits>2</showunits><unitsleft>0</unitsleft>"
    )

    (num,) = parse_moodlexml(quiz(question(NUM, "g", body))).questions

    assert [(a.value, a.tolerance, a.fraction) for a in num.data.answers] == [
        (9.81, 0.01, 1.0),
        (None, 0.0, 0.0),
    ]
    assert [(u.name, u.multiplier) for u in num.data.units] == [("m/s2", 1.0), ("cm/s2", 100.0)]
    assert (num.data.unit_grading, num.data.unit_penalty, num.data.show_units) == (
        "response",
        0.2,
        "select",
    )


def test_numerical_without_units_shows_no_units():
    body = '<answer fraction="100"><text>4</text></answer>'

    (num,) = parse_moodlexml(quiz(question(NUM, "2+2", body))).questions

    assert (num.data.units, num.data.show_units) == ([], "none")


def test_embedded_files_are_kept_with_their_area_and_bytes():
    body = (
        '<generalfeedback format="html"><text>&lt;img src="@@PLUGINFILE@@/b.png"&gt;</text>'
        '<file name="b.png" path="/" encoding="base64">aGVsbG8=</file></generalfeedback>'
        '<answer fraction="100"><text>A</text></answer><answer fraction="0"><text>B</text></answer>'
    )

    (mc,) = parse_moodlexml(quiz(question(MC, "Files", body))).questions

    assert [(f.area, f.name, f.path, f.content) for f in mc.files] == [
        ("generalfeedback", "b.png", "/", b"hello")
    ]


def test_cloze_question_becomes_sub_questions_with_placeholders():
    text = (
        "Capital: {1:SHORTANSWER:=Paris#Yes~%50%Marseille#Close~*#No} "
        "year: {2:NUMERICAL:=1789:1} state: {1:MCV:=A~B} all: {1:MRS:%50%x~%50%y~%-100%z}"
    )

    (cloze,) = parse_moodlexml(quiz(question("cloze", "Cloze", text=text))).questions

    assert cloze.text == "Capital: {#1} year: {#2} state: {#3} all: {#4}"
    short, numeric, choice, multi = cloze.data.subquestions
    assert [(a.text, a.fraction, a.feedback) for a in short.answers] == [
        ("Paris", 1.0, "Yes"),
        ("Marseille", 0.5, "Close"),
        ("*", 0.0, "No"),
    ]
    assert (numeric.kind, numeric.mark, numeric.answers[0].text, numeric.answers[0].tolerance) == (
        "numerical",
        2.0,
        "1789",
        1.0,
    )
    assert (choice.kind, choice.layout, choice.single) == ("multichoice", "vertical", True)
    assert (multi.single, multi.shuffle, [a.fraction for a in multi.answers]) == (
        False,
        True,
        [0.5, 0.5, -1.0],
    )
    assert cloze.default_mark == 5.0


def test_unsupported_type_is_refused_by_name_and_element():
    data = quiz(
        '<question type="category"><category><text>$course$/A</text></category></question>',
        question("calculatedsimple", "Area of a circle"),
        question(TF, "Fine", TF_ANSWERS),
    )

    assert errors_of(data) == [
        "question 'Area of a circle' (element 2): type 'calculatedsimple' is not supported"
    ]


def test_problems_in_several_questions_are_all_reported_and_nothing_is_imported():
    data = quiz(
        question(
            MC,
            "No right answer",
            '<answer fraction="0"><text>A</text></answer><answer><text>B</text></answer>',
        ),
        question(SA, "Bad grade", '<answer fraction="33"><text>x</text></answer>'),
        question(NUM, "Not a number", '<answer fraction="100"><text>ten</text></answer>'),
        question(TF, "No answers"),
        "<question type='essay'><questiontext><text>Nameless</text></questiontext></question>",
    )

    assert errors_of(data) == [
        "question 'No right answer' (element 1): no correct answer in multiple-choice "
        "question 'No right answer'",
        "question 'Bad grade' (element 2): grade 33% is not one of the grades Moodle allows "
        "(the nearest is 33.33333%; others are 100%, 50%, 33.33333%, 25%, 20%, 10%, 0% and "
        "their negatives)",
        "question 'Not a number' (element 3): numerical answer 'ten' is not a number",
        "question 'No answers' (element 4): the question has no <answer>",
        "question (element 5): the question has no <name>",
    ]


def test_invalid_grade_is_rounded_to_the_nearest_when_asked():
    data = quiz(
        question(
            SA,
            "Round",
            '<answer fraction="100"><text>a</text></answer>'
            '<answer fraction="33"><text>b</text></answer>',
        )
    )

    (short,) = parse_moodlexml(data, match_grades="nearest").questions

    assert [a.fraction for a in short.data.answers] == [1.0, 0.3333333]


def test_entities_and_doctype_are_refused():
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY boom "bang">]>\n'
        b"<quiz><question type='essay'><name><text>&boom;</text></name></question></quiz>"
    )

    messages = errors_of(data)

    assert len(messages) == 1
    assert "DTD, entities or external references, which are not allowed" in messages[0]


def test_wrong_root_element_is_refused():
    assert errors_of(b"<questions/>") == [
        "line 1: this is not a Moodle XML question file: the root element is <questions>, "
        "expected <quiz>"
    ]


def test_latin1_bytes_are_refused_naming_encoding_and_line():
    data = quiz(question(TF, "Caf\u00e9", TF_ANSWERS)).decode().encode("cp1252")

    (message,) = errors_of(data)
    assert message.startswith(
        "line 3: the file is not UTF-8: byte 0xE9 looks like the Windows-1252"
    )
    assert "Moodle XML files must be UTF-8" in message


def test_file_over_the_size_limit_is_refused():
    with pytest.raises(MoodleXmlError, match="can be imported"):
        parse(quiz(), "moodlexml", filename="big.xml", max_bytes=10)


# --- the fixtures written by others ----------------------------------------------------------

VALID = {
    "moodlexml/moodle-core/categories_reverse_order.xml": {ESSAY: 1, SA: 1},
    "moodlexml/moodle-core/category_with_description.xml": {TF: 1},
    "moodlexml/moodle-core/deprecated_category.xml": {TF: 1},
    "moodlexml/moodle-core/export_category.xml": {TF: 1},
    "moodlexml/moodle-core/html_chars_in_idnumbers.xml": {TF: 1},
    "moodlexml/moodle-core/multianswer.xml": {CLOZE: 1},
    "moodlexml/moodle-core/multichoice.xml": {MC: 1},
    "moodlexml/moodle-core/nested_categories.xml": {TF: 1},
    "moodlexml/moodle-core/nested_categories_with_questions.xml": {TF: 4, ESSAY: 1},
    "moodlexml/moodle-core/old_format_file.xml": {TF: 2},
    "moodlexml/moodle-core/sample_questions_with_old_image_tag.xml": {CLOZE: 1, MC: 1},
    "moodlexml/moodle-core/truefalse.xml": {TF: 2},
    "moodlexml/moodle-qtype/description.testquestion.moodle.xml": {DESC: 1},
    "moodlexml/moodle-qtype/essay.testquestion.moodle.xml": {ESSAY: 1},
    "moodlexml/moodle-qtype/match.testquestion.moodle.xml": {MATCH: 1},
    "moodlexml/moodle-qtype/multichoice.testquestion.moodle.xml": {MC: 1},
    "moodlexml/moodle-qtype/numerical.testquestion.moodle.xml": {NUM: 1},
    "moodlexml/moodle-qtype/shortanswer.testquestion.moodle.xml": {SA: 1},
    "moodlexml/moodle-qtype/truefalse.testquestion.moodle.xml": {TF: 1},
}
CATEGORIES = {
    "moodlexml/moodle-core/categories_reverse_order.xml": ["top/Sigma/Tau", "top/Sigma"],
    "moodlexml/moodle-core/category_with_description.xml": ["top/Alpha"],
    "moodlexml/moodle-core/deprecated_category.xml": ["top/Alpha"],
    "moodlexml/moodle-core/export_category.xml": ["top/Alpha"],
    "moodlexml/moodle-core/html_chars_in_idnumbers.xml": ["top/Alpha"],
    "moodlexml/moodle-core/multianswer.xml": ["top/Default for Test images in backup"],
    "moodlexml/moodle-core/multichoice.xml": ["top/Default for testhead/Multichoice"],
    "moodlexml/moodle-core/nested_categories.xml": [
        "top/Delta",
        "top/Delta/Epsilon",
        "top/Delta/Epsilon/Zeta",
    ],
    "moodlexml/moodle-core/nested_categories_with_questions.xml": [
        "top/Iota",
        "top/Iota/Kappa",
        "top/Iota/Kappa/Lambda",
        "top/Iota/Mu",
    ],
    "moodlexml/moodle-core/old_format_file.xml": ["top/Pi", "top/Pi/Rho"],
    "moodlexml/moodle-core/sample_questions_with_old_image_tag.xml": [
        "top/Default for Test images in backup"
    ],
    "moodlexml/moodle-core/truefalse.xml": ["top/Default for testhead/TrueFalse"],
    "moodlexml/moodle-qtype/description.testquestion.moodle.xml": ["top/Default for C1"],
    "moodlexml/moodle-qtype/essay.testquestion.moodle.xml": ["top/Default for C1"],
    "moodlexml/moodle-qtype/match.testquestion.moodle.xml": ["top/Test questions"],
    "moodlexml/moodle-qtype/multichoice.testquestion.moodle.xml": ["top/Default for C1"],
    "moodlexml/moodle-qtype/numerical.testquestion.moodle.xml": ["top/Default for C1"],
    "moodlexml/moodle-qtype/shortanswer.testquestion.moodle.xml": ["top/Test questions"],
    "moodlexml/moodle-qtype/truefalse.testquestion.moodle.xml": ["top/Test questions"],
}
STACK_ELEMENTS = [n for n in range(2, 23) if n not in (11, 19)]
BROKEN = {
    "moodlexml/moodle-core/broken_cloze_questions.xml": [
        "question 'Multianswer question without subquestions' (element 1): the cloze question text "
        "has no embedded answers such as {1:SHORTANSWER:=answer}",
        "question 'Multichoice subquestion without choices' (element 2): the cloze question text "
        "has no embedded answers such as {1:SHORTANSWER:=answer}",
        "question 'Multichoice subquestion with only one choice' (element 3): embedded answer 1: "
        "needs at least 2 choices",
        "question 'Multichoice subquestion with no completely correct answer' (element 4): "
        "embedded answer 1: no answer gets full marks (one answer must be 100%)",
        "question 'Numerical subquestion with buggy answer' (element 5): embedded answer 1: "
        "answer 'zero' must be a number, for example -1.234 or 3e8, or '*'",
    ],
    "moodlexml/moodle-core/error_invalid_grades.xml": [
        "question 'Question with invalid grades : x > 1 & x < 2' (element 1): grade 33% is not one "
        "of the grades Moodle allows (the nearest is 33.33333%; others are 100%, 50%, 33.33333%, "
        "25%, 20%, 10%, 0% and their negatives)",
    ],
    "moodlexml/moodle-core/sample_questions_wrong.xml": [
        "line 18: the file is not well-formed XML (mismatched tag at column 7)",
    ],
    "moodlexml/moodle-qtype/gapselect.testquestion.moodle.xml": [
        "question 'Imported Select missing words 001' (element 2): "
        "type 'gapselect' is not supported",
    ],
}


def test_every_shared_moodlexml_fixture_is_listed_as_valid_or_broken():
    listed = set(VALID) | set(BROKEN) | {"moodlexml/moodle-core/sample_questions_stack.xml"}

    assert shared_folder_files("moodlexml") - listed == set()


@pytest.mark.parametrize(("path", "types"), sorted(VALID.items()))
def test_valid_fixture_imports_with_the_right_count_types_and_categories(
    shared_fixture, path, types
):
    bank = parse_moodlexml(shared_fixture(path).read_bytes())

    assert Counter(q.qtype for q in bank.questions) == Counter(types)
    assert [c.path for c in bank.categories] == CATEGORIES[path]


@pytest.mark.parametrize(("path", "expected"), sorted(BROKEN.items()))
def test_broken_fixture_is_refused_with_element_and_reason(shared_fixture, path, expected):
    assert errors_of(shared_fixture(path).read_bytes()) == expected


def test_stack_questions_are_each_refused_as_unsupported(shared_fixture):
    data = shared_fixture("moodlexml/moodle-core/sample_questions_stack.xml").read_bytes()

    with pytest.raises(MoodleXmlError) as caught:
        parse_moodlexml(data)

    errors = caught.value.errors
    assert [error.element for error in errors] == STACK_ELEMENTS
    assert {error.message for error in errors} == {"type 'stack' is not supported"}
    assert str(errors[0]) == "question 'Algebraic input' (element 2): type 'stack' is not supported"
    assert (errors[-1].question, errors[-1].line) == ("Units", 3061)


def load(shared_fixture, path: str):
    return parse_moodlexml(shared_fixture(path).read_bytes())


def test_category_info_idnumber_and_html_characters(shared_fixture):
    described = load(shared_fixture, "moodlexml/moodle-core/category_with_description.xml")
    html_chars = load(shared_fixture, "moodlexml/moodle-core/html_chars_in_idnumbers.xml")
    nested = load(shared_fixture, "moodlexml/moodle-core/nested_categories.xml")
    old = load(shared_fixture, "moodlexml/moodle-core/old_format_file.xml")

    (alpha,) = described.categories
    assert (alpha.info, alpha.info_format, alpha.idnumber) == (
        "This is Alpha category for test",
        "moodle",
        "alpha-idnumber",
    )
    assert described.questions[0].text == "<p>Testing Alpha Question</p>"
    assert html_chars.categories[0].idnumber == "The inequalities < & >"
    assert html_chars.questions[0].idnumber == "T & F"
    assert [c.info_format for c in nested.categories] == ["plain", "markdown", "moodle"]
    assert nested.questions[0].category == "top/Delta/Epsilon/Zeta"
    assert [(c.info, c.idnumber) for c in old.categories] == [("", ""), ("", "")]
    assert [q.category for q in old.questions] == ["top/Pi", "top/Pi/Rho"]


def test_reverse_order_categories_keep_each_question_in_its_own(shared_fixture):
    bank = load(shared_fixture, "moodlexml/moodle-core/categories_reverse_order.xml")

    assert [(q.name, q.category) for q in bank.questions] == [
        ("Tau Question", "top/Sigma/Tau"),
        ("Sigma Question", "top/Sigma"),
    ]
    assert bank.questions[0].text_format == "moodle"


def test_multichoice_fixture_keeps_its_base64_files(shared_fixture):
    (mc,) = load(shared_fixture, "moodlexml/moodle-core/multichoice.xml").questions

    assert [(f.area, f.name) for f in mc.files] == [
        ("questiontext", "bonjour.mp3"),
        ("answer/0", "flag-uk.jpg"),
        ("answer/1", "flag-france.jpg"),
        ("answer/2", "flag-german.jpg"),
        ("answer/3", "flag-denmark.jpg"),
    ]
    assert mc.files[1].content.startswith(b"\xff\xd8")  # a JPEG
    assert "@@PLUGINFILE@@/bonjour.mp3" in mc.text
    assert [a.fraction for a in mc.data.answers] == [0.0, 1.0, 0.0, 0.0]


def test_truefalse_fixture_files_per_feedback(shared_fixture):
    false_q, true_q = load(shared_fixture, "moodlexml/moodle-core/truefalse.xml").questions

    assert (false_q.data.correct, true_q.data.correct) == (False, True)
    assert [(f.area, f.name) for f in false_q.files] == [
        ("questiontext", "logo.jpg"),
        ("generalfeedback", "infos.jpg"),
        ("answerfeedback/0", "thumbdown.jpg"),
        ("answerfeedback/1", "thumbup.jpg"),
    ]


def test_cloze_fixture_with_images(shared_fixture):
    (cloze,) = load(shared_fixture, "moodlexml/moodle-core/multianswer.xml").questions

    assert re.findall(r"\{#\d\}", cloze.text) == ["{#1}", "{#2}", "{#3}", "{#4}", "{#5}"]
    assert [s.kind for s in cloze.data.subquestions] == [MC, MC, MC, MC, SA]
    assert [a.fraction for a in cloze.data.subquestions[3].answers] == [0.0, 1.0]
    assert cloze.data.subquestions[4].answers[1].feedback == (
        "No, that is the second largest city in France (after<br />Paris)."
    )
    assert sorted(f.name for f in cloze.files) == [
        "arizona_2.png",
        "california-state-flag.png",
        "moodle.png",
    ]


def test_old_image_tag_becomes_a_question_text_file(shared_fixture):
    cloze, mc = load(
        shared_fixture, "moodlexml/moodle-core/sample_questions_with_old_image_tag.xml"
    ).questions

    for q in (cloze, mc):
        assert q.text.endswith(' <img src="@@PLUGINFILE@@/moodle.png" />')
        assert [(f.area, f.name) for f in q.files] == [("questiontext", "moodle.png")]
        assert q.files[0].content.startswith(b"\x89PNG")
    assert (mc.data.shuffle_answers, mc.penalty) == (True, 0.1)
    assert [(a.text, a.fraction) for a in mc.data.answers][2] == ("right answer", 1.0)


def test_qtype_fixtures_read_their_options(shared_fixture):
    def one(name):
        (q,) = load(
            shared_fixture, f"moodlexml/moodle-qtype/{name}.testquestion.moodle.xml"
        ).questions
        return q

    match, essay, mc, num, short, tf, desc = (
        one(n)
        for n in (
            "match",
            "essay",
            "multichoice",
            "numerical",
            "shortanswer",
            "truefalse",
            "description",
        )
    )
    assert match.data.distractors == ["insect"]
    assert match.data.combined_feedback.show_num_correct is True
    assert (
        essay.data.max_word_limit,
        essay.data.min_word_limit,
        essay.data.response_field_lines,
    ) == (20, None, 15)
    assert (mc.data.single, [a.fraction for a in mc.data.answers]) == (
        False,
        [0.0, 0.0, 0.5, 0.0, 0.5],
    )
    assert [h.text for h in mc.hints] == ["First hint", "Second hint"]
    assert [(a.value, a.tolerance) for a in num.data.answers] == [(6.25, 0.05)]
    assert [(a.text, a.fraction) for a in short.data.answers] == [
        ("frog", 1.0),
        ("toad", 0.8),
        ("*", 0.0),
    ]
    assert (tf.data.correct, tf.data.true_feedback) == (True, "This is the right answer.")
    assert (desc.default_mark, desc.general_feedback) == (
        0.0,
        "Why actually the field 'General feedback' used in this qytype?",
    )


@pytest.mark.parametrize(
    "path",
    [
        "moodlexml/moodle-core/multichoice.xml",
        "moodlexml/moodle-core/truefalse.xml",
        "moodlexml/moodle-core/multianswer.xml",
        "moodlexml/moodle-core/sample_questions_with_old_image_tag.xml",
    ],
)
def test_every_pluginfile_link_of_the_fixtures_has_its_file(shared_fixture, path):
    for q in load(shared_fixture, path).questions:
        links = [ref for text in text_areas(q).values() for ref in pluginfile_references(text)]
        assert links
        assert missing_files(q) == []


def test_a_link_without_its_file_is_reported_by_area():
    text = '&lt;img src="@@PLUGINFILE@@/my%20folder/a%20b.png"&gt;'
    data = quiz(question(ESSAY, "Missing", text=text))

    (essay,) = parse_moodlexml(data).questions

    assert missing_files(essay) == [("questiontext", "/my folder/a b.png")]


def test_very_old_category_without_text_element_is_read():
    data = quiz(
        '<question type="category"><category>$course$/Legacy</category></question>',
        question(TF, "Old", TF_ANSWERS),
    )

    bank = parse_moodlexml(data)

    assert [c.path for c in bank.categories] == ["top/Legacy"]
    assert bank.questions[0].category == "top/Legacy"
