from django import forms
from django.utils.translation import gettext_lazy as _


class QuestionImportForm(forms.Form):
    file = forms.FileField(label=_("Question file"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("gift", "GIFT"), ("moodlexml", "Moodle XML")]
    )


def responses_from_post(post, questions: list[dict]) -> dict:
    """Responses from the attempt form (the page also works without JavaScript)."""
    responses = {}
    for question in questions:
        key = str(question["slot"])
        prefix = f"slot-{key}"
        qtype = question["qtype"]
        if qtype == "multichoice" and question.get("single", True):
            if post.get(prefix) not in (None, ""):
                responses[key] = {"choice": int(post[prefix])}
        elif qtype == "multichoice":
            responses[key] = {"choices": [int(v) for v in post.getlist(prefix) if v.isdigit()]}
        elif qtype == "truefalse":
            if post.get(prefix) in ("true", "false"):
                responses[key] = {"answer": post[prefix] == "true"}
        elif qtype in ("shortanswer", "numerical"):
            responses[key] = {"answer": post.get(prefix, "")}
            if post.get(f"{prefix}-unit"):
                responses[key]["unit"] = post[f"{prefix}-unit"]
        elif qtype == "essay":
            responses[key] = {"text": post.get(prefix, "")}
        elif qtype == "matching":
            responses[key] = {
                "matches": {
                    stem["key"]: int(post[f"{prefix}-{stem['key']}"])
                    for stem in question["stems"]
                    if post.get(f"{prefix}-{stem['key']}", "").isdigit()
                }
            }
        elif qtype == "cloze":
            parts = {}
            for part in question["parts"]:
                value = post.get(f"{prefix}-{part['key']}", "")
                if part["kind"] == "multichoice":
                    if value.isdigit():
                        parts[part["key"]] = int(value)
                elif value:
                    parts[part["key"]] = value
            responses[key] = {"parts": parts}
    return responses
