"""Questions as the browser may see them during an attempt: texts and choices in the frozen
order, never a fraction, a feedback or which choice is right; with sequential navigation
only the questions the learner has reached (see :func:`visible_slots`)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from wagtail.whitelist import Whitelister, allow_without_attributes, attribute_rule

from assessments import grading
from assessments.formats.ir import BLANK
from assessments.models import QuestionVersion, Quiz, QuizAttempt, ReviewTime


def _version_key(pk: int) -> str:
    return f"question-version:{pk}"


def versions_for(attempts: list[QuizAttempt]) -> dict[int, dict]:
    """The content of the question versions these attempts show, by id: from the cache,
    those not there in one query. A version that an attempt has shown is never changed (an
    edit makes a new one); a change or deletion of any version removes it from the cache
    (`version_changed`), and entries expire after PAGE_CACHE_SECONDS anyway."""
    ids = {s["version"] for a in attempts for s in a.layout.get("slots", [])}
    if not ids:
        return {}
    keys = {_version_key(pk): pk for pk in ids}
    found = {keys[key]: data for key, data in cache.get_many(list(keys)).items()}
    missing = ids - found.keys()
    if missing:
        rows = dict(QuestionVersion.objects.filter(pk__in=missing).values_list("pk", "data"))
        if settings.PAGE_CACHE_SECONDS > 0:
            cache.set_many(
                {_version_key(pk): data for pk, data in rows.items()}, settings.PAGE_CACHE_SECONDS
            )
        found.update(rows)
    return found


def version_changed(sender, instance: QuestionVersion, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of QuestionVersion)."""
    cache.delete(_version_key(instance.pk))


def _files_inline(text: str, question: dict) -> str:
    """Embedded files (Moodle ``@@PLUGINFILE@@``) as data: URLs so pages need no file store."""
    if "@@PLUGINFILE@@" not in (text or ""):
        return text
    for item in question.get("files") or []:
        ref = "@@PLUGINFILE@@" + (item.get("path") or "/") + item["name"]
        mime = "image/png"
        lower = item["name"].lower()
        if lower.endswith((".jpg", ".jpeg")):
            mime = "image/jpeg"
        elif lower.endswith(".gif"):
            mime = "image/gif"
        elif lower.endswith(".svg"):
            mime = "image/svg+xml"
        text = text.replace(ref, f"data:{mime};base64,{item['content']}")
    return text


def render_text(text: str, fmt: str, question: dict | None = None) -> str:
    """A question text as safe HTML: HTML keeps a small set of tags and safe attributes;
    plain, Moodle and Markdown texts are escaped, with their line breaks kept."""
    from django.utils.html import escape, linebreaks

    text = _files_inline(text or "", question or {})
    if fmt in ("html",):
        return _sanitise(text)
    if fmt == "markdown":
        return linebreaks(escape(text))
    return linebreaks(escape(text)) if "\n" in text else escape(text)


_ALLOWED = (
    "p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "ul", "ol", "li", "span",
    "div", "img", "table", "thead", "tbody", "tr", "td", "th", "pre", "code", "h3", "h4",
    "blockquote", "a",
)  # fmt: skip
# Elements dropped with everything in them (the others not allowed keep their text).
_DROPPED = frozenset({"script", "style", "template", "noscript", "iframe", "object", "title"})


def _url_rule(*prefixes: str):
    """Keep a URL attribute only when it starts with one of these (after removing what
    browsers ignore, so that ``jav&#9;ascript:`` is no way round)."""

    def check(value: str) -> str | None:
        bare = re.sub(r"[\x00-\x20\x7f-\xa0\s`]+", "", value).lower()
        return value if bare.startswith(prefixes) else None

    return check


class _QuestionHtml(Whitelister):
    """Wagtail's whitelister (a real HTML parser, then only allowed elements and
    attributes written back, every text escaped), with the tags Moodle question texts
    use; images from https/http or data:image/, links to https/http only."""

    element_rules = {
        "[document]": allow_without_attributes,
        **dict.fromkeys(_ALLOWED, allow_without_attributes),
        "img": attribute_rule(
            {"src": _url_rule("https://", "http://", "data:image/"), "alt": True}
        ),
        "a": attribute_rule({"href": _url_rule("https://", "http://")}),
    }

    def clean_tag_node(self, doc, tag):
        if tag.name in _DROPPED:
            tag.decompose()
            return
        super().clean_tag_node(doc, tag)


def _sanitise(html: str) -> str:
    """Keep a small set of tags and only safe attributes (src with data:/https, href https).

    A parser, not patterns: a regular expression that removes tags can be made to put one
    together (``<<x>script>`` lost its ``<x>`` and left ``<script>``)."""
    return _QuestionHtml().clean(html)


#: Question types whose answer widget fits inside a sentence (GIFT's missing-word form).
INLINE_QTYPES = frozenset({"multichoice", "truefalse", "shortanswer", "numerical"})
_CLOZE_PLACEHOLDER = re.compile(r"\{#(\d+)\}")
_MARKER = re.compile("\x00BLANK(\\d+)\x00")


def _marker(key: str) -> str:
    return f"\x00BLANK{key}\x00"


def _text_with_blanks(question: dict) -> tuple[str, list[dict]]:
    """The question text as safe HTML, and, where answers go inside the text, the text cut
    into segments ``[{"html": ..., "blank": key or None}]`` so that each widget is rendered
    in the sentence: the blank of a GIFT missing-word question (key ``"0"``), the ``{#n}``
    of an embedded-answers (cloze) question (key ``"n"``). Outside the attempt page the
    blanks read ``_____``."""
    raw, fmt = question.get("text", "") or "", question.get("text_format", "html")
    qtype, data = question["qtype"], question.get("data") or {}
    blank = question.get("blank")
    if qtype == "cloze":
        count = len(data.get("subquestions") or [])
        marked = _CLOZE_PLACEHOLDER.sub(
            lambda m: _marker(m.group(1)) if 0 < int(m.group(1)) <= count else m.group(0), raw
        )
    elif (
        isinstance(blank, int)
        and qtype in INLINE_QTYPES
        and (qtype != "multichoice" or data.get("single", True))
        and raw[blank : blank + len(BLANK)] == BLANK
    ):
        marked = raw[:blank] + _marker("0") + raw[blank + len(BLANK) :]
    else:
        return render_text(raw, fmt, question), []
    html = render_text(marked, fmt, question)
    pieces = _MARKER.split(html)
    segments = [
        {"html": pieces[index], "blank": pieces[index + 1] if index + 1 < len(pieces) else None}
        for index in range(0, len(pieces), 2)
    ]
    return _MARKER.sub(BLANK, html), segments


def question_for_display(*, slot: dict, question: dict) -> dict:
    """One question of an attempt as the browser may see it: texts and choices in the
    frozen order, never a fraction, a feedback or which choice is right."""
    qtype, data = question["qtype"], question.get("data") or {}
    layout = slot.get("layout") or {}
    text, segments = _text_with_blanks(question)
    shown: dict = {
        "slot": slot["slot"],
        "page": slot.get("page", 0),
        "qtype": qtype,
        "name": question.get("name", ""),
        "text": text,
        "mark": slot["mark"],
    }
    if segments:
        shown["segments"] = segments
    if qtype == "multichoice":
        answers = data.get("answers") or []
        shown["single"] = data.get("single", True)
        shown["choices"] = [
            {
                "value": position,
                "text": render_text(
                    answers[index]["text"], answers[index].get("format", "html"), question
                ),
                "label": grading.plain(answers[index]["text"]),
            }
            for position, index in enumerate(layout.get("order") or range(len(answers)))
        ]
        shown["numbering"] = data.get("answer_numbering", "abc")
    elif qtype == "matching":
        items = data.get("subquestions") or []
        shown["stems"] = [
            {
                "key": str(index),
                "text": render_text(
                    items[index]["text"], items[index].get("format", "html"), question
                ),
            }
            for index in layout.get("stems", [])
        ]
        shown["choices"] = [
            {"value": position, "text": grading.plain(text)}
            for position, text in enumerate(layout.get("choices", []))
        ]
    elif qtype == "numerical":
        units = data.get("units") or []
        shown["units"] = (
            [u["name"] for u in units] if data.get("show_units") in ("radio", "select") else []
        )
        shown["units_left"] = data.get("units_left", False)
    elif qtype == "essay":
        shown["response_format"] = data.get("response_format", "editor")
        shown["lines"] = data.get("response_field_lines", 15)
        shown["template"] = data.get("response_template", "")
        shown["min_words"] = data.get("min_word_limit")
        shown["max_words"] = data.get("max_word_limit")
    elif qtype == "cloze":
        parts = []
        part_layouts = layout.get("parts") or {}
        for number, sub in enumerate(data.get("subquestions") or [], 1):
            part = {"key": str(number), "kind": sub["kind"]}
            if sub["kind"] == "multichoice":
                order = (part_layouts.get(str(number)) or {}).get("order") or range(
                    len(sub["answers"])
                )
                part["single"] = sub.get("single", True)
                part["choices"] = [
                    {"value": position, "text": grading.plain(sub["answers"][index]["text"])}
                    for position, index in enumerate(order)
                ]
            part["inline"] = any(seg["blank"] == part["key"] for seg in segments)
            parts.append(part)
        shown["parts"] = parts
    return shown


def visible_slots(*, attempt: QuizAttempt) -> list[dict]:
    """The slots of an attempt its learner may see now. Free navigation, or an attempt no
    longer in progress: every slot. A sequential attempt in progress: the slots of the
    current page, and the answered slots of earlier pages when the review options show the
    responses during the attempt; never a slot of a page not reached yet."""
    slots = attempt.layout.get("slots", [])
    if not attempt.is_open or attempt.quiz.navigation != Quiz.Navigation.SEQUENTIAL:
        return slots
    current = min(attempt.current_page, (attempt.layout.get("pages") or 1) - 1)
    earlier = attempt.quiz.review_allows("responses", ReviewTime.DURING)
    return [
        slot
        for slot in slots
        if slot.get("page", 0) == current
        or (
            earlier
            and slot.get("page", 0) < current
            and _answered(attempt.responses.get(str(slot["slot"])))
        )
    ]


def attempt_questions(
    *,
    attempt: QuizAttempt,
    versions: dict[int, dict] | None = None,
    slots: list[dict] | None = None,
) -> list[dict]:
    """The questions of ``slots`` (by default the slots the learner may see now, see
    :func:`visible_slots`) without correctness data, in 1 query unless ``versions`` given."""
    slots = visible_slots(attempt=attempt) if slots is None else slots
    if versions is None:
        versions = dict(
            QuestionVersion.objects.filter(pk__in={s["version"] for s in slots}).values_list(
                "pk", "data"
            )
        )
    return [question_for_display(slot=slot, question=versions[slot["version"]]) for slot in slots]


def _answered(response) -> bool:
    return isinstance(response, dict) and any(
        value not in (None, "", [], {}) for value in response.values()
    )


def attempt_page(*, attempt: QuizAttempt, page: int | None = None) -> dict:
    """One page of an attempt in progress, in 1 query: its questions (without correctness)
    and the navigator, every page with its question numbers and whether each is answered.

    ``page`` is where the learner asks to be; the attempt's current page when it is
    ``None``, out of range, or when the quiz is sequential (only the current page is shown:
    earlier pages are closed, later ones are reached with "Next page")."""
    slots = attempt.layout.get("slots", [])
    pages = attempt.layout.get("pages") or 1
    sequential = attempt.quiz.navigation == Quiz.Navigation.SEQUENTIAL
    current = min(attempt.current_page, pages - 1)
    if page is None or sequential or not 0 <= page < pages:
        page = current
    on_page = [slot for slot in slots if slot.get("page", 0) == page]
    versions = dict(
        QuestionVersion.objects.filter(pk__in={slot["version"] for slot in on_page}).values_list(
            "pk", "data"
        )
    )
    navigator = [
        {
            "page": number,
            "label": number + 1,
            "current": number == page,
            "reachable": number != page and (not sequential or number == page + 1),
            "closed": sequential and number < page,
            "slots": [
                {
                    "slot": slot["slot"],
                    "answered": _answered(attempt.responses.get(str(slot["slot"]))),
                }
                for slot in slots
                if slot.get("page", 0) == number
            ],
        }
        for number in range(pages)
    ]
    return {
        "page": page,
        "pages": pages,
        "sequential": sequential,
        "previous": page - 1 if page > 0 and not sequential else None,
        "next": page + 1 if page + 1 < pages else None,
        "questions": [
            question_for_display(slot=slot, question=versions[slot["version"]]) for slot in on_page
        ],
        "navigator": navigator,
    }
