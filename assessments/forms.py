"""Forms of the assessments app: question import, the attempt page's responses (without
JavaScript), the quiz editor and the question editor of the Wagtail admin."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from assessments.models import Question, QuestionCategory


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
            if post.get(prefix, "").isdigit():
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


# --- The quiz editor in the Wagtail admin ---------------------------------------------------
def _restricted_slot_form(base, *, question_choices, category_choices, questions, categories):
    """The slot form with its question and category limited to the given banks (choices
    computed once for every slot of the page; validation against the querysets)."""

    class SlotForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["question"].queryset = questions
            self.fields["question"].choices = question_choices
            self.fields["category"].queryset = categories
            self.fields["category"].choices = category_choices

    SlotForm.__name__ = base.__name__
    return SlotForm


class QuizAdminForm(WagtailAdminModelForm):
    """The quiz in the admin: a trainer picks one of the courses they train, and a slot's
    question or random category from the bank of the quiz's course (of their own courses
    while a new quiz has no course yet); a slot from another course's bank is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from assessments.selectors import managed_courses

        courses = managed_courses(user=self.for_user) if self.for_user else None
        if courses is None:
            return
        if "course" in self.fields:
            self.fields["course"].queryset = courses
            self.fields["course"].label_from_instance = lambda c: f"{c.code} · {c.title}"
        banks = [self.instance.course_id] if self.instance.course_id else courses.values("pk")
        questions = (
            Question.objects.filter(course__in=banks, current_version__isnull=False)
            .select_related("category", "course")
            .order_by("course__code", "category__path", "pk")
        )
        categories = (
            QuestionCategory.objects.filter(course__in=banks)
            .select_related("course")
            .order_by("course__code", "path")
        )
        several = not self.instance.course_id
        blank = [("", "---------")]
        question_choices = blank + [
            (q.pk, f"{q.course.code} · " * several + f"{q.category} · {q.name}") for q in questions
        ]
        category_choices = blank + [
            (c.pk, f"{c.course.code} · " * several + str(c)) for c in categories
        ]
        formset = self.formsets.get("slots")
        if formset is not None:
            formset.form = _restricted_slot_form(
                formset.form,
                question_choices=question_choices,
                category_choices=category_choices,
                questions=questions,
                categories=categories,
            )

    def is_valid(self):
        # after the slots' own validation (ClusterForm cleans the formsets after the form)
        valid = super().is_valid()
        return self._slots_from_the_course() and valid

    def _slots_from_the_course(self) -> bool:
        course = getattr(self, "cleaned_data", {}).get("course")
        formset = self.formsets.get("slots")
        if course is None or formset is None:
            return True
        ok = True
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE"):
                continue
            for name in ("question", "category"):
                chosen = data.get(name)
                if chosen is not None and chosen.course_id != course.pk:
                    form.add_error(name, _("Choose from the bank of the quiz's course."))
                    ok = False
        return ok


# --- Editing a question in the Wagtail admin -------------------------------------------------
class QuestionEditForm(forms.Form):
    """A question's texts and grade; which of the type's own fields apply is set per type."""

    name = forms.CharField(label=_("Name"), max_length=255)
    text = forms.CharField(
        label=_("Question text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A GIFT missing word is written _____; embedded answers {#1}, {#2}…"),
    )
    default_mark = forms.FloatField(label=_("Default mark"), min_value=0)
    general_feedback = forms.CharField(
        label=_("General feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    correct = forms.TypedChoiceField(
        label=_("Correct answer"),
        choices=[("true", _("True")), ("false", _("False"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    true_feedback = forms.CharField(
        label=_("Feedback for the answer True"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    false_feedback = forms.CharField(
        label=_("Feedback for the answer False"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    grader_info = forms.CharField(
        label=_("Information for graders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    TYPE_FIELDS = {
        "truefalse": ("correct", "true_feedback", "false_feedback"),
        "essay": ("grader_info",),
    }

    def __init__(self, *args, qtype: str, **kwargs):
        super().__init__(*args, **kwargs)
        own = self.TYPE_FIELDS.get(qtype, ())
        for name in {f for fields in self.TYPE_FIELDS.values() for f in fields} - set(own):
            del self.fields[name]


class AnswerForm(forms.Form):
    """One answer; a row left without text (or value) is removed."""

    text = forms.CharField(label=_("Answer"), required=False)
    value = forms.FloatField(
        label=_("Value"), required=False, help_text=_("Empty: any other answer (*).")
    )
    tolerance = forms.FloatField(label=_("Tolerance"), required=False, min_value=0)
    fraction = forms.FloatField(
        label=_("Grade (%)"), min_value=-100, max_value=100, initial=0, required=False
    )
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, qtype: str = "multichoice", **kwargs):
        super().__init__(*args, **kwargs)
        if qtype == "numerical":
            del self.fields["text"]
        else:
            del self.fields["value"], self.fields["tolerance"]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        if "text" in self.fields:
            return not (data.get("text") or "").strip()
        return data.get("value") is None and not data.get("fraction") and not data.get("feedback")


class MatchForm(forms.Form):
    """One row of a matching question: an empty question makes the answer a distractor."""

    text = forms.CharField(label=_("Question"), required=False)
    answer = forms.CharField(label=_("Matching answer"), required=False)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("text") or "").strip() and not (data.get("answer") or "").strip()


AnswerFormSet = forms.formset_factory(AnswerForm, extra=2)
MatchFormSet = forms.formset_factory(MatchForm, extra=2)


ANSWER_QTYPES = frozenset({"multichoice", "shortanswer", "numerical"})


def question_edit_forms(*, data: dict, post=None):
    """The form and (for types with answers) the formset that edit a question's IR dict."""
    qtype, payload = data["qtype"], data.get("data") or {}
    initial = {
        "name": data.get("name", ""),
        "text": data.get("text", ""),
        "default_mark": data.get("default_mark", 1.0),
        "general_feedback": data.get("general_feedback", ""),
    }
    if qtype == "truefalse":
        initial.update(
            correct="true" if payload.get("correct") else "false",
            true_feedback=payload.get("true_feedback", ""),
            false_feedback=payload.get("false_feedback", ""),
        )
    elif qtype == "essay":
        initial["grader_info"] = payload.get("grader_info", "")
    form = QuestionEditForm(post, qtype=qtype, initial=initial)
    rows = None
    if qtype in ANSWER_QTYPES:
        rows = AnswerFormSet(
            post,
            prefix="answers",
            form_kwargs={"qtype": qtype},
            initial=[
                {
                    "text": answer.get("text", ""),
                    "value": answer.get("value"),
                    "tolerance": answer.get("tolerance", 0.0),
                    "fraction": round(answer.get("fraction", 0.0) * 100, 5),
                    "feedback": answer.get("feedback", ""),
                }
                for answer in payload.get("answers") or []
            ],
        )
    elif qtype == "matching":
        rows = MatchFormSet(
            post,
            prefix="answers",
            initial=[
                {"text": item.get("text", ""), "answer": item.get("answer", "")}
                for item in payload.get("subquestions") or []
            ],
        )
    return form, rows


def question_data_from_forms(*, data: dict, form: QuestionEditForm, rows) -> dict:
    """The question's IR dict with the edits of valid forms (kept: every field the forms do
    not show, and the formats of the texts that were there)."""
    import copy

    from assessments.formats.ir import BLANK

    edited = copy.deepcopy(data)
    clean = form.cleaned_data
    edited.update(
        name=clean["name"].strip(),
        text=clean["text"],
        default_mark=clean["default_mark"],
        general_feedback=clean["general_feedback"],
    )
    if data.get("blank") is not None:  # a GIFT missing word: where the blank is now
        at = edited["text"].find(BLANK)
        edited["blank"] = at if at >= 0 else None
    payload = edited.setdefault("data", {})
    qtype = data["qtype"]
    if qtype == "truefalse":
        payload.update(
            correct=clean["correct"],
            true_feedback=clean["true_feedback"],
            false_feedback=clean["false_feedback"],
        )
    elif qtype == "essay":
        payload["grader_info"] = clean["grader_info"]
    elif rows is not None:
        old = payload.get("answers" if qtype in ANSWER_QTYPES else "subquestions") or []
        kept = [(index, row) for index, row in enumerate(rows.forms) if not row.is_blank]
        if qtype == "matching":
            payload["subquestions"] = [
                {
                    **(old[index] if index < len(old) else {"format": "html"}),
                    "text": row.cleaned_data["text"].strip(),
                    "answer": row.cleaned_data["answer"].strip(),
                }
                for index, row in kept
            ]
        else:
            answers = []
            for index, row in kept:
                values = row.cleaned_data
                answer = dict(old[index]) if index < len(old) else {}
                answer.update(
                    fraction=(values.get("fraction") or 0.0) / 100,
                    feedback=values.get("feedback") or "",
                )
                if qtype == "numerical":
                    answer.update(value=values["value"], tolerance=values.get("tolerance") or 0.0)
                else:
                    answer["text"] = values["text"].strip()
                answers.append(answer)
            payload["answers"] = answers
    return edited
