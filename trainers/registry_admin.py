"""The registry in the Wagtail admin: trainers, ToT cohorts, certifications and deliveries
under one "Trainers" menu group (registered by trainers/wagtail_hooks.py).

Participants, outcomes and changes of a certification's state (suspend, revoke, reinstate,
renew) go through the registry's own pages, which keep the history and revoke certificates.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from trainers.models import Certification, Cohort, Delivery, Trainer


class TrainerAdminForm(WagtailAdminModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=settings.TRAINER_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages the trainer can train in."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = list(
                self.instance.languages.values_list("language", flat=True)
            )

    def save(self, commit=True):
        from trainers.services.registry import trainer_set_languages

        trainer = super().save(commit=commit)
        languages = self.cleaned_data.get("languages", [])
        if commit:
            trainer_set_languages(trainer=trainer, languages=languages)
        else:
            save_m2m = self.save_m2m

            def save_all():
                save_m2m()
                trainer_set_languages(trainer=trainer, languages=languages)

            self.save_m2m = save_all
        return trainer


class TrainerViewSet(SnippetViewSet):
    model = Trainer
    icon = "user"
    menu_label = _("Trainers")
    menu_order = 100
    list_display = ["full_name", "organisation", "country", "gender"]
    list_filter = ["country", "gender"]
    search_fields = ["full_name", "full_name_native"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("full_name"), FieldPanel("full_name_native")]),
                    FieldRowPanel([FieldPanel("country"), FieldPanel("gender")]),
                    FieldPanel("organisation"),
                    FieldPanel("user"),
                ],
                heading=_("Who"),
            ),
            FieldPanel("languages"),
            FieldPanel("specialisations", widget=forms.CheckboxSelectMultiple),
            MultiFieldPanel(
                [FieldRowPanel([FieldPanel("email"), FieldPanel("phone")])],
                heading=_("Contact"),
            ),
            FieldPanel("photo"),
            FieldPanel("bio"),
        ],
        base_form_class=TrainerAdminForm,
    )


class CohortViewSet(SnippetViewSet):
    model = Cohort
    icon = "group"
    menu_label = _("ToT cohorts")
    menu_order = 110
    list_display = ["name", "course_title", "place", "start_date", "end_date"]
    list_filter = ["remote", "country"]
    search_fields = ["name", "course_title"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("course_title")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("place"), FieldPanel("country"), FieldPanel("remote")]),
                FieldPanel("hours"),
            ],
            heading=_("When and where"),
        ),
        FieldPanel("organisers", widget=forms.CheckboxSelectMultiple),
        FieldPanel("funding_partner"),
        FieldPanel("validity_months"),
    ]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "success"
    menu_label = _("Certifications")
    menu_order = 120
    list_display = ["trainer", "cohort", "issued_on", "expires_on", "state"]
    list_filter = ["state", "cohort"]
    panels = [
        FieldPanel("trainer"),
        FieldRowPanel([FieldPanel("cohort"), FieldPanel("course")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel([FieldPanel("issued_on"), FieldPanel("expires_on")]),
        FieldPanel("state", read_only=True),
        FieldPanel("state_reason", read_only=True),
    ]


class DeliveryViewSet(SnippetViewSet):
    model = Delivery
    icon = "date"
    menu_label = _("Deliveries")
    menu_order = 130
    list_display = ["title", "trainer", "start_date", "participants_reached"]
    list_filter = ["start_date"]
    panels = [
        FieldPanel("trainer"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("organisation")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("participants_reached")]),
    ]


class TrainersGroup(SnippetViewSetGroup):
    items = (TrainerViewSet, CohortViewSet, CertificationViewSet, DeliveryViewSet)
    menu_icon = "group"
    menu_label = _("Trainers")
    menu_name = "trainers"
    menu_order = 420
