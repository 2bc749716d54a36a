"""Export then import gives the same IR; the IR dict round-trips exactly and is validated.

"The same" is modulo what a format cannot carry, which ``normalise_for(bank, fmt)`` states
in code: GIFT drops category info, hints, files, penalties, shuffling, units, essay
options, combined feedback…; Moodle XML drops only GIFT's missing-word position. Cloze
questions cannot be written as GIFT at all.
"""

import copy
import json

import pytest

from assessments.formats import FormatError, GiftError, IRError, export, normalise_for, parse
from assessments.formats.ir import (
    Attachment,
    Bank,
    Category,
    Choice,
    ClozeAnswer,
    ClozeData,
    ClozeSubquestion,
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
    TrueFalseData,
    Unit,
)
from tests.assessments.test_import_gift import VALID as VALID_GIFT
from tests.assessments.test_import_moodlexml import VALID as VALID_XML

FIXTURES = [(path, "gift") for path in sorted(VALID_GIFT)] + [
    (path, "moodlexml") for path in sorted(VALID_XML)
]
CLOZE_FIXTURES = {
    "moodlexml/moodle-core/multianswer.xml",
    "moodlexml/moodle-core/sample_questions_with_old_image_tag.xml",
}


def roundtrip(bank: Bank, fmt: str) -> Bank:
    return parse(export(bank, fmt), fmt, filename=f"roundtrip.{fmt}")


def as_dicts(bank: Bank) -> dict:
    return bank.to_dict()


# --- every valid fixture -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "source"), FIXTURES)
def test_fixture_survives_export_and_import_as_moodle_xml(shared_fixture, path, source):
    # given
    bank = parse(shared_fixture(path).read_bytes(), source, filename=path)

    # when
    back = roundtrip(bank, "moodlexml")

    # then
    assert as_dicts(back) == as_dicts(normalise_for(bank, "moodlexml"))


@pytest.mark.parametrize(("path", "source"), FIXTURES)
def test_fixture_survives_export_and_import_as_gift(shared_fixture, path, source):
    bank = parse(shared_fixture(path).read_bytes(), source, filename=path)
    if path in CLOZE_FIXTURES:
        with pytest.raises(GiftError, match="GIFT cannot hold cloze"):
            export(bank, "gift")
        return

    back = roundtrip(bank, "gift")

    assert as_dicts(back) == as_dicts(normalise_for(bank, "gift"))


@pytest.mark.parametrize(("path", "source"), FIXTURES)
def test_fixture_ir_dict_round_trips_through_json_exactly(shared_fixture, path, source):
    bank = parse(shared_fixture(path).read_bytes(), source, filename=path)

    data = json.loads(json.dumps(bank.to_dict()))

    assert Bank.from_dict(data) == bank
    for question in bank.questions:
        assert Question.from_dict(json.loads(json.dumps(question.to_dict()))) == question


def test_gift_keeps_what_it_can_carry_from_a_moodle_xml_bank(shared_fixture):
    path = "moodlexml/moodle-core/categories_reverse_order.xml"
    bank = parse(shared_fixture(path).read_bytes(), "moodlexml", filename=path)

    back = roundtrip(bank, "gift")

    assert [c.path for c in back.categories] == ["top/Sigma/Tau", "top/Sigma"]
    assert [c.info for c in back.categories] == ["", ""]  # GIFT has no category info
    assert [(q.name, q.category, q.qtype) for q in back.questions] == [
        ("Tau Question", "top/Sigma/Tau", "essay"),
        ("Sigma Question", "top/Sigma", "shortanswer"),
    ]


def test_moodle_xml_keeps_the_text_of_a_gift_missing_word_question_but_not_its_position():
    bank = parse(b"Grant is {~buried =entombed} in Grant's tomb.", "gift", filename="mw.txt")

    (back,) = roundtrip(bank, "moodlexml").questions

    assert back.text == "Grant is _____ in Grant's tomb."
    assert back.blank is None
    assert roundtrip(bank, "gift") == bank


# --- tricky content written here -----------------------------------------------------------


def sample_bank() -> Bank:
    """Content that needs care in both formats: escapes, brackets, percents, CDATA ends."""
    return Bank(
        categories=[
            Category(
                path="top/Fraud//Forgery", info="Docs <b>&</b> ]]> stamps", info_format="html"
            ),
            Category(path="top/Empty", idnumber="E-1"),
        ],
        questions=[
            Question(
                qtype="multichoice",
                name="Escapes: {all} ~ = # \\ :: here",
                text="[html] is literal; a\\nb {x} ~y =z #w\nsecond line",
                text_format="moodle",
                general_feedback="####not a separator",
                category="top/Fraud//Forgery",
                data=MultichoiceData(
                    answers=[
                        Choice(
                            text="%50% of them", fraction=1.0, format="moodle", feedback="fb # hash"
                        ),
                        Choice(text="[plain] bracket", fraction=0.0, format="moodle"),
                        Choice(
                            text="-> arrow",
                            fraction=-0.5,
                            format="html",
                            feedback="x",
                            feedback_format="html",
                        ),
                    ],
                    single=True,
                ),
                tags=["fraud", "x] y"],
                idnumber="ID]1",
            ),
            Question(
                qtype="shortanswer",
                name="Short",
                text="Name the {document}",
                data=ShortAnswerData(
                    answers=[
                        ShortAnswer(text="pass*port", fraction=1.0, feedback="yes"),
                        ShortAnswer(text="[visa]", fraction=0.5),
                        ShortAnswer(text="T", fraction=0.0),
                    ]
                ),
            ),
            Question(
                qtype="numerical",
                name="Numbers",
                text="Tiny and huge",
                data=NumericalData(
                    answers=[
                        NumericalAnswer(value=1e-7, tolerance=1e-9, fraction=1.0),
                        NumericalAnswer(value=None, fraction=0.0, feedback="anything else"),
                        NumericalAnswer(value=-2.5e20, tolerance=0.5, fraction=0.5),
                    ]
                ),
            ),
            Question(
                qtype="matching",
                name="Match",
                text="Pairs",
                data=MatchingData(
                    subquestions=[
                        MatchItem(text="a = b", answer="c -> d", format="html"),
                        MatchItem(text="e#f", answer="g"),
                        MatchItem(text="", answer="distractor"),
                    ]
                ),
            ),
            Question(
                qtype="truefalse",
                name="TF",
                text="True?",
                penalty=1.0,
                category="top/Fraud//Forgery",
                data=TrueFalseData(correct=False, true_feedback="", false_feedback="right # so"),
            ),
        ],
    )


@pytest.mark.parametrize("fmt", ["gift", "moodlexml"])
def test_tricky_content_survives_both_formats(fmt):
    bank = sample_bank()

    back = roundtrip(bank, fmt)

    assert as_dicts(back) == as_dicts(normalise_for(bank, fmt))


def test_category_names_with_gift_control_characters_survive_gift():
    bank = Bank(
        categories=[Category(path="top/Unit 1: {Intro} \\ #1 = ~a")],
        questions=[
            Question(
                qtype="essay",
                name="E",
                text="Write.",
                category="top/Unit 1: {Intro} \\ #1 = ~a",
                data=EssayData(),
            )
        ],
    )

    assert roundtrip(bank, "gift").categories == bank.categories


def test_multiple_choice_with_every_answer_right_stays_multiple_choice_in_gift():
    bank = Bank(
        questions=[
            Question(
                qtype="multichoice",
                name="All",
                text="Which are FIA wings?",
                text_format="moodle",
                data=MultichoiceData(
                    answers=[
                        Choice(text="Immigration", fraction=1.0, format="moodle"),
                        Choice(text="Cyber crime", fraction=1.0, format="moodle"),
                    ]
                ),
            )
        ]
    )

    (back,) = roundtrip(bank, "gift").questions

    assert back.qtype == "multichoice"
    assert [a.fraction for a in back.data.answers] == [1.0, 1.0]


def test_moodle_xml_keeps_hints_files_units_and_cloze_exactly():
    bank = Bank(
        questions=[
            Question(
                qtype="numerical",
                name="g",
                text='<img src="@@PLUGINFILE@@/pic.png">',
                hints=[Hint(text="Try", show_num_correct=True, clear_wrong=True, options="1")],
                files=[Attachment(area="questiontext", name="pic.png", content=b"\x89PNG\x00\xff")],
                data=NumericalData(
                    answers=[NumericalAnswer(value=9.81, tolerance=0.01, fraction=1.0)],
                    units=[Unit(name="m/s²", multiplier=1.0), Unit(name="cm/s²", multiplier=100.0)],
                    unit_grading="question",
                    show_units="radio",
                    units_left=True,
                ),
                hidden=True,
                default_mark=2.5,
                penalty=0.1,
            ),
            Question(
                qtype="cloze",
                name="Cloze",
                text="A {#1} and {#2}.",
                default_mark=3.0,
                data=ClozeData(
                    subquestions=[
                        ClozeSubquestion(
                            kind="shortanswer",
                            mark=2.0,
                            case_sensitive=True,
                            answers=[
                                ClozeAnswer(
                                    text="=a~b#c}d&amp;\\", fraction=1.0, feedback="f~g}h#"
                                ),
                                ClozeAnswer(text="%x&", fraction=0.0, feedback="&lt;"),
                            ],
                        ),
                        ClozeSubquestion(
                            kind="multichoice",
                            layout="horizontal",
                            single=False,
                            shuffle=True,
                            answers=[
                                ClozeAnswer(text="<b>x</b>", fraction=0.5),
                                ClozeAnswer(text="y", fraction=0.5),
                                ClozeAnswer(text="z", fraction=-1.0),
                            ],
                        ),
                    ]
                ),
            ),
        ]
    )

    assert roundtrip(bank, "moodlexml") == bank


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            Question(
                qtype="shortanswer",
                name="Arrow",
                text="Q",
                data=ShortAnswerData(answers=[ShortAnswer(text="a -> b", fraction=1.0)]),
            ),
            "question 'Arrow': GIFT cannot hold '->' in a short answer or its feedback",
        ),
        (
            Question(
                qtype="matching",
                name="Left arrow",
                text="Q",
                data=MatchingData(
                    subquestions=[
                        MatchItem(text="a -> b", answer="c"),
                        MatchItem(text="d", answer="e"),
                    ]
                ),
            ),
            "question 'Left arrow': GIFT cannot hold '->' in the text of a matching pair",
        ),
    ],
)
def test_gift_export_refuses_what_it_would_read_back_differently(question, expected):
    with pytest.raises(GiftError) as caught:
        export(Bank(questions=[question]), "gift")

    assert caught.value.messages == [expected]


def test_xml_export_refuses_control_characters():
    bell = Question(
        qtype="description", name="Bell", text="ding\x07", default_mark=0.0, data=DescriptionData()
    )
    bank = Bank(questions=[bell])

    with pytest.raises(FormatError, match="control character U\\+0007"):
        export(bank, "moodlexml")


# --- the IR dict ---------------------------------------------------------------------------


def question_dict() -> dict:
    return copy.deepcopy(sample_bank().questions[0].to_dict())


def test_question_dict_has_the_documented_keys():
    data = question_dict()

    assert list(data) == [
        "qtype",
        "name",
        "text",
        "text_format",
        "general_feedback",
        "general_feedback_format",
        "default_mark",
        "penalty",
        "hidden",
        "idnumber",
        "tags",
        "category",
        "blank",
        "hints",
        "files",
        "data",
    ]
    assert data["data"]["answers"][0] == {
        "text": "%50% of them",
        "fraction": 1.0,
        "format": "moodle",
        "feedback": "fb # hash",
        "feedback_format": "html",
    }


def test_attachment_bytes_are_base64_in_the_dict():
    question = Question(
        qtype="essay",
        name="E",
        text="T",
        data=EssayData(),
        files=[Attachment(area="graderinfo", name="r.pdf", content=b"%PDF\x00")],
    )

    data = question.to_dict()

    assert data["files"] == [
        {"area": "graderinfo", "name": "r.pdf", "content": "JVBERgA=", "path": "/"}
    ]
    assert Question.from_dict(data) == question


def test_from_dict_fills_defaults_for_absent_optional_keys():
    data = {"qtype": "truefalse", "name": "T", "text": "Sky is blue", "data": {"correct": True}}

    question = Question.from_dict(data)

    assert (question.penalty, question.category, question.data.true_feedback_format) == (
        0.3333333,
        "top",
        "html",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "unknown key 'colour'"),
        (lambda d: d.pop("name"), "name: is missing"),
        (lambda d: d.update(qtype="stack"), "unknown question type 'stack'"),
        (
            lambda d: d["data"]["answers"][0].update(fraction="1"),
            "data.answers[0].fraction: expected a number",
        ),
        (lambda d: d["data"].update(single="yes"), "data.single: expected true or false"),
        (lambda d: d.update(tags="fraud"), "tags: expected a list"),
        (lambda d: d["data"]["answers"][1].update(fraction=1.5), "answer 2 has grade 150%"),
        (lambda d: d["data"]["answers"][0].update(fraction=0.5), "no answer gets full marks"),
        (lambda d: d.update(text_format="rtf"), "question text format 'rtf' is not one of"),
        (lambda d: d.update(blank=3), "the missing-word blank is not at offset 3"),
        (lambda d: d.update(category="Fraud"), "does not start with 'top'"),
    ],
)
def test_from_dict_refuses_a_dict_that_breaks_the_schema_or_the_rules(change, message):
    data = question_dict()
    change(data)

    with pytest.raises(IRError) as caught:
        Question.from_dict(data)

    assert any(message in text for text in caught.value.messages), caught.value.messages


def test_bank_from_dict_checks_version_and_undeclared_categories():
    data = sample_bank().to_dict()
    assert data["format_version"] == 1
    data["questions"][1]["category"] = "top/Nowhere"

    with pytest.raises(IRError, match="category 'top/Nowhere' is not declared"):
        Bank.from_dict(data)
    with pytest.raises(IRError, match="format_version 2 is not supported"):
        Bank.from_dict({**data, "format_version": 2})
