"""Grading of every question type, rule by rule (Moodle's behaviour)."""

import random

import pytest

from assessments import grading
from assessments.formats import parse


def q(qtype, **data):
    return {"qtype": qtype, "name": "Q", "text": "Question?", "data": data}


def mc(*fractions, single=True, shuffle=True):
    answers = [
        {"text": f"<p>Option {i}</p>", "fraction": f, "feedback": f"fb {i}"}
        for i, f in enumerate(fractions)
    ]
    return q("multichoice", answers=answers, single=single, shuffle_answers=shuffle)


# --- multichoice single --------------------------------------------------------------------
def test_multichoice_single_right_answer_gets_full_marks_and_its_feedback():
    grade = grading.grade_response(mc(0, 1, 0), {"choice": 1})
    assert grade.fraction == 1.0
    assert grade.state == grading.RIGHT
    assert grade.feedback_ids == ("answer:1",)
    assert grade.summary == "Option 1"


def test_multichoice_single_choice_is_a_position_in_the_frozen_order():
    # given the options shown as 2, 0, 1
    layout = {"order": [2, 0, 1]}
    # when the learner picks the first option shown
    grade = grading.grade_response(mc(0, 0, 1), {"choice": 0}, layout=layout)
    # then it is option 2, the right one
    assert grade.fraction == 1.0
    assert grade.feedback_ids == ("answer:2",)


def test_multichoice_single_partial_and_negative_answers_are_clamped():
    assert grading.grade_response(mc(1, 0.5), {"choice": 1}).fraction == 0.5
    assert grading.grade_response(mc(1, 0.5), {"choice": 1}).state == grading.PARTIAL
    negative = grading.grade_response(mc(1, -0.5), {"choice": 1})
    assert negative.fraction == 0.0
    assert negative.state == grading.WRONG


@pytest.mark.parametrize("response", [{}, None, {"choice": 9}, {"choice": "x"}, {"choice": True}])
def test_multichoice_single_missing_or_invalid_choice_is_not_answered(response):
    grade = grading.grade_response(mc(1, 0), response)
    assert grade.fraction == 0.0
    assert grade.state == grading.NOT_ANSWERED


# --- multichoice multiple response -----------------------------------------------------------
def test_multiresponse_adds_fractions_of_chosen_options():
    question = mc(0.5, 0.5, -1, 0, single=False)
    assert grading.grade_response(question, {"choices": [0, 1]}).fraction == 1.0
    half = grading.grade_response(question, {"choices": [0]})
    assert half.fraction == 0.5
    assert half.state == grading.PARTIAL


def test_multiresponse_negative_weights_take_marks_off_but_never_below_zero():
    question = mc(0.5, 0.5, -0.5, -1, single=False)
    assert grading.grade_response(question, {"choices": [0, 1, 2]}).fraction == 0.5
    assert grading.grade_response(question, {"choices": [0, 3]}).fraction == 0.0


def test_multiresponse_total_is_clamped_to_one_and_duplicates_count_once():
    question = mc(0.6, 0.6, 0, single=False)
    assert grading.grade_response(question, {"choices": [0, 1]}).fraction == 1.0
    assert grading.grade_response(question, {"choices": [0, 0]}).fraction == 0.6


def test_multiresponse_feedback_and_summary_name_every_chosen_option():
    grade = grading.grade_response(
        mc(0.5, 0.5, 0, single=False), {"choices": [1, 0]}, layout={"order": [2, 1, 0]}
    )
    assert grade.feedback_ids == ("answer:1", "answer:2")
    assert grade.summary == "Option 1; Option 2"
    assert [part.response_class for part in grade.parts] == ["1", "2"]


# --- truefalse -----------------------------------------------------------------------------
def test_truefalse():
    question = q("truefalse", correct=False, true_feedback="t", false_feedback="f")
    right = grading.grade_response(question, {"answer": False})
    assert (right.fraction, right.feedback_ids, right.summary) == (1.0, ("false",), "False")
    wrong = grading.grade_response(question, {"answer": "true"})
    assert (wrong.fraction, wrong.feedback_ids) == (0.0, ("true",))
    assert grading.grade_response(question, {}).state == grading.NOT_ANSWERED
    assert grading.feedback_texts(question, right.feedback_ids) == ["f"]


# --- shortanswer ---------------------------------------------------------------------------
def sa(*answers, case_sensitive=False):
    return q(
        "shortanswer",
        case_sensitive=case_sensitive,
        answers=[{"text": t, "fraction": f, "feedback": t} for t, f in answers],
    )


def test_shortanswer_is_case_insensitive_by_default_and_trims():
    grade = grading.grade_response(sa(("Lahore", 1)), {"answer": "  lahore "})
    assert grade.fraction == 1.0
    assert grade.summary == "lahore"


def test_shortanswer_case_sensitive_when_asked():
    assert (
        grading.grade_response(
            sa(("Lahore", 1), case_sensitive=True), {"answer": "lahore"}
        ).fraction
        == 0
    )


def test_shortanswer_wildcard_matches_any_run_and_escaped_star_is_literal():
    assert (
        grading.grade_response(sa(("FIA*office", 1)), {"answer": "FIA head office"}).fraction == 1
    )
    assert grading.grade_response(sa(("FIA*office", 1)), {"answer": "FIA office!"}).fraction == 0
    assert grading.grade_response(sa(("a\\*b", 1)), {"answer": "a*b"}).fraction == 1
    assert grading.grade_response(sa(("a\\*b", 1)), {"answer": "axb"}).fraction == 0
    assert grading.grade_response(sa(("1.5", 1)), {"answer": "1x5"}).fraction == 0  # no regex


def test_shortanswer_first_matching_answer_wins():
    question = sa(("Islam*", 0.5), ("Islamabad", 1), ("*", 0))
    grade = grading.grade_response(question, {"answer": "Islamabad"})
    assert grade.fraction == 0.5
    assert grade.feedback_ids == ("answer:0",)
    other = grading.grade_response(question, {"answer": "Karachi"})
    assert (other.fraction, other.feedback_ids, other.state) == (0, ("answer:2",), grading.WRONG)


def test_shortanswer_no_match_and_empty():
    assert grading.grade_response(sa(("x", 1)), {"answer": "y"}).state == grading.WRONG
    assert grading.grade_response(sa(("x", 1)), {"answer": "  "}).state == grading.NOT_ANSWERED


# --- numerical -----------------------------------------------------------------------------
def num(*answers, units=(), unit_grading="none", unit_penalty=0.1, units_left=False):
    return q(
        "numerical",
        answers=[
            {"value": v, "tolerance": t, "fraction": f, "feedback": ""} for v, t, f in answers
        ],
        units=[{"name": n, "multiplier": m} for n, m in units],
        unit_grading=unit_grading,
        unit_penalty=unit_penalty,
        units_left=units_left,
    )


def test_numerical_exact_and_tolerance():
    question = num((5.0, 0.5, 1.0), (None, 0, 0))
    assert grading.grade_response(question, {"answer": "5"}).fraction == 1
    assert grading.grade_response(question, {"answer": "5.5"}).fraction == 1
    assert grading.grade_response(question, {"answer": "4.5"}).fraction == 1
    outside = grading.grade_response(question, {"answer": "5.51"})
    assert (outside.fraction, outside.feedback_ids) == (0, ("answer:1",))


def test_numerical_float_noise_is_within_zero_tolerance():
    assert grading.grade_response(num((0.3, 0, 1)), {"answer": str(0.1 + 0.2)}).fraction == 1


def test_numerical_first_matching_answer_gives_partial_credit():
    question = num((10, 0, 1), (10, 2, 0.5))
    assert grading.grade_response(question, {"answer": "11"}).fraction == 0.5


def test_numerical_decimal_comma_scientific_and_thousands():
    question = num((1234.5, 0, 1))
    for text in ("1234,5", "1,234.5", "1.2345e3"):
        assert grading.grade_response(question, {"answer": text}).fraction == 1, text


def test_numerical_units_with_multipliers():
    question = num((5000, 0, 1), units=[("m", 1), ("km", 0.001), ("cm", 100)])
    assert grading.grade_response(question, {"answer": "5 km"}).fraction == 1
    assert grading.grade_response(question, {"answer": "500000", "unit": "cm"}).fraction == 1
    assert grading.grade_response(question, {"answer": "5000m"}).fraction == 1
    assert grading.grade_response(question, {"answer": "5000 cm"}).fraction == 0


def test_numerical_unit_penalty_of_question_mark_and_of_response_mark():
    units = [("m", 1)]
    per_question = num((5, 0, 0.5), units=units, unit_grading="question", unit_penalty=0.2)
    assert grading.grade_response(per_question, {"answer": "5"}).fraction == pytest.approx(0.3)
    assert grading.grade_response(per_question, {"answer": "5 m"}).fraction == 0.5
    per_response = num((5, 0, 0.5), units=units, unit_grading="response", unit_penalty=0.2)
    assert grading.grade_response(per_response, {"answer": "5 ft"}).fraction == pytest.approx(0.4)
    not_graded = num((5, 0, 1), units=units, unit_grading="none")
    assert grading.grade_response(not_graded, {"answer": "5"}).fraction == 1


def test_numerical_units_on_the_left():
    question = num((20, 0, 1), units=[("$", 1)], units_left=True, unit_grading="question")
    assert grading.grade_response(question, {"answer": "$20"}).fraction == 1


def test_numerical_not_a_number_is_wrong_and_empty_is_not_answered():
    assert grading.grade_response(num((1, 0, 1)), {"answer": "one"}).state == grading.WRONG
    assert grading.grade_response(num((1, 0, 1)), {"answer": ""}).state == grading.NOT_ANSWERED


# --- matching ------------------------------------------------------------------------------
def matching():
    return q(
        "matching",
        shuffle_answers=True,
        subquestions=[
            {"text": "Cat", "answer": "Meow"},
            {"text": "Dog", "answer": "Woof"},
            {"text": "Cow", "answer": "Moo"},
            {"text": "", "answer": "Quack"},
        ],
    )


def test_matching_layout_lists_stems_and_distinct_choices_including_distractors():
    layout = grading.question_layout(matching(), shuffle=False, rng=random.Random(1))
    assert layout == {"stems": [0, 1, 2], "choices": ["Meow", "Woof", "Moo", "Quack"]}


def test_matching_gives_credit_per_subquestion():
    layout = {"stems": [0, 1, 2], "choices": ["Quack", "Moo", "Woof", "Meow"]}
    all_right = grading.grade_response(
        matching(), {"matches": {"0": 3, "1": 2, "2": 1}}, layout=layout
    )
    assert all_right.fraction == 1
    two = grading.grade_response(matching(), {"matches": {"0": 3, "1": 2, "2": 0}}, layout=layout)
    assert two.fraction == pytest.approx(2 / 3)
    assert two.state == grading.PARTIAL
    assert "Cow -> Quack" in two.summary
    one = grading.grade_response(matching(), {"matches": {"0": 3}}, layout=layout)
    assert one.fraction == pytest.approx(1 / 3)
    assert grading.grade_response(matching(), {}, layout=layout).state == grading.NOT_ANSWERED


# --- essay, description --------------------------------------------------------------------
def test_essay_needs_manual_grading():
    grade = grading.grade_response(q("essay"), {"text": "<p>My answer</p>"})
    assert grade.fraction is None
    assert grade.needs_grading
    assert grade.summary == "My answer"
    assert grading.grade_response(q("essay"), {"text": ""}).state == grading.NOT_ANSWERED


def test_description_has_no_grade():
    grade = grading.grade_response(q("description"), {})
    assert grade.fraction is None
    assert grade.state == grading.INFO
    assert not grading.is_gradable(q("description"))


def test_unknown_type_is_refused():
    with pytest.raises(ValueError):
        grading.grade_response(q("stack"), {})


# --- cloze ---------------------------------------------------------------------------------
def cloze():
    return q(
        "cloze",
        subquestions=[
            {
                "kind": "shortanswer",
                "mark": 1,
                "answers": [{"text": "Lahore", "fraction": 1, "feedback": "yes"}],
            },
            {
                "kind": "numerical",
                "mark": 2,
                "answers": [
                    {"text": "4.5", "fraction": 1, "tolerance": 0.1, "feedback": ""},
                    {"text": "*", "fraction": 0, "feedback": "no"},
                ],
            },
            {
                "kind": "multichoice",
                "mark": 1,
                "single": True,
                "answers": [
                    {"text": "red", "fraction": 0, "feedback": ""},
                    {"text": "green", "fraction": 1, "feedback": ""},
                ],
            },
        ],
    )


def test_cloze_weighs_each_part_by_its_mark():
    layout = {"parts": {"3": {"order": [1, 0]}}}
    full = grading.grade_response(
        cloze(), {"parts": {"1": "lahore", "2": "4.55", "3": 0}}, layout=layout
    )
    assert full.fraction == 1
    part = grading.grade_response(cloze(), {"parts": {"1": "x", "2": "4.5", "3": 1}}, layout=layout)
    assert part.fraction == pytest.approx(0.5)
    assert "part:2:answer:0" in part.feedback_ids
    assert (
        grading.grade_response(cloze(), {"parts": {}}, layout=layout).state == grading.NOT_ANSWERED
    )


# --- helpers -------------------------------------------------------------------------------
def test_random_guess_scores_as_moodle():
    assert grading.random_guess_score(mc(1, 0, 0, 0)) == 0.25
    assert grading.random_guess_score(mc(0.5, 0.5, 0, single=False)) is None
    assert grading.random_guess_score(q("truefalse", correct=True)) == 0.5
    assert grading.random_guess_score(sa(("x", 1), ("*", 0.2))) == 0.2
    assert grading.random_guess_score(matching()) == 0.25
    assert grading.random_guess_score(q("essay")) is None


def test_right_answer_texts():
    assert grading.right_answer(mc(0, 1)) == "Option 1"
    assert grading.right_answer(mc(0.5, 0.5, 0, single=False)) == "Option 0; Option 1"
    assert grading.right_answer(num((5, 0.5, 1), units=[("m", 1)])) == "5 ± 0.5 m"
    assert grading.right_answer(q("truefalse", correct=True)) == "True"


def test_layout_shuffles_only_when_quiz_and_question_allow():
    rng = random.Random(3)
    assert grading.question_layout(mc(1, 0, 0, 0, 0, 0), shuffle=False, rng=rng) == {
        "order": [0, 1, 2, 3, 4, 5]
    }
    assert grading.question_layout(mc(1, 0, 0, 0, 0, 0, shuffle=False), shuffle=True, rng=rng)[
        "order"
    ] == [0, 1, 2, 3, 4, 5]
    orders = {
        tuple(grading.question_layout(mc(1, 0, 0, 0, 0, 0), shuffle=True, rng=rng)["order"])
        for _ in range(10)
    }
    assert len(orders) > 1


def test_grades_questions_parsed_from_gift():
    bank = parse(
        b"::A:: 2+2? {=4 ~3 ~5}\n\n::B:: Capital? {=Islamabad =isb}\n\n::C:: Pi? {#3.14:0.01}\n",
        "gift",
        filename="t.gift",
    )
    a, b, c = (question.to_dict() for question in bank.questions)
    layout = grading.question_layout(a, shuffle=False, rng=random.Random(0))
    assert grading.grade_response(a, {"choice": 0}, layout=layout).fraction == 1
    assert grading.grade_response(b, {"answer": "ISB"}).fraction == 1
    assert grading.grade_response(c, {"answer": "3.141"}).fraction == 1
