"""Where a question's texts point at its embedded files (``@@PLUGINFILE@@/…`` links).

Moodle writes a link to a file embedded in a text as ``@@PLUGINFILE@@/<path><name>`` with
each segment URL-encoded; the file itself travels with the text (an :class:`Attachment`
with the same ``area``). These helpers let the storage layer find, rewrite and check them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from .model import (
    CombinedFeedback,
    EssayData,
    MatchingData,
    MultichoiceData,
    NumericalData,
    Question,
    ShortAnswerData,
    TrueFalseData,
)

PLUGINFILE = "@@PLUGINFILE@@"
_REFERENCE = re.compile(r"@@PLUGINFILE@@(/[^\"'<>\s)]+)")


def pluginfile_references(text: str) -> list[str]:
    """The files a text links to, as full paths (``/folder/a b.png``), in order, once each."""
    found: list[str] = []
    for match in _REFERENCE.finditer(text):
        path = unquote(match.group(1))
        if path not in found:
            found.append(path)
    return found


def _combined(areas: dict[str, str], feedback: CombinedFeedback) -> None:
    areas["correctfeedback"] = feedback.correct
    areas["partiallycorrectfeedback"] = feedback.partially_correct
    areas["incorrectfeedback"] = feedback.incorrect


def text_areas(question: Question) -> dict[str, str]:
    """Every text of the question that may hold files, by :attr:`Attachment.area`."""
    areas = {"questiontext": question.text, "generalfeedback": question.general_feedback}
    data = question.data
    if isinstance(data, MultichoiceData):
        for index, choice in enumerate(data.answers):
            areas[f"answer/{index}"] = choice.text
            areas[f"answerfeedback/{index}"] = choice.feedback
        _combined(areas, data.combined_feedback)
    elif isinstance(data, ShortAnswerData | NumericalData):
        for index, answer in enumerate(data.answers):
            areas[f"answerfeedback/{index}"] = answer.feedback
        if isinstance(data, NumericalData):
            areas["instructions"] = data.instructions
    elif isinstance(data, TrueFalseData):
        areas["answerfeedback/0"] = data.true_feedback
        areas["answerfeedback/1"] = data.false_feedback
    elif isinstance(data, MatchingData):
        for index, item in enumerate(data.subquestions):
            areas[f"subquestion/{index}"] = item.text
        _combined(areas, data.combined_feedback)
    elif isinstance(data, EssayData):
        areas["graderinfo"] = data.grader_info
    for index, hint in enumerate(question.hints):
        areas[f"hint/{index}"] = hint.text
    return areas


def missing_files(question: Question) -> list[tuple[str, str]]:
    """``(area, path)`` of every link whose file is not embedded in that area."""
    embedded = {(f.area, f.path + f.name) for f in question.files}
    return [
        (area, path)
        for area, text in text_areas(question).items()
        for path in pluginfile_references(text)
        if (area, path) not in embedded
    ]
