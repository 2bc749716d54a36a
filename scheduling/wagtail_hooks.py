"""Trainings in the Wagtail admin (Snippets → Trainings), for the Academy's administrators.

Edits here are the administrators' corrections and bypass the workflow's checks; partners
propose and change trainings on /trainings/, where conflicts are checked.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from scheduling.models import Training


class TrainingViewSet(SnippetViewSet):
    model = Training
    icon = "date"
    menu_label = _("Trainings")
    menu_order = 460
    add_to_admin_menu = True
    list_display = ["title", "organiser", "starts_at", "ends_at", "status"]
    list_filter = ["status", "modality", "organiser"]
    search_fields = ["title"]
    ordering = ["-starts_at"]
    panels = [
        FieldPanel("title"),
        FieldPanel("status"),
        MultiFieldPanel(
            [FieldPanel("course"), FieldPanel("themes")], heading=_("Course or thematic area")
        ),
        MultiFieldPanel(
            [FieldPanel("organiser"), FieldPanel("co_organisers")], heading=_("Organisers")
        ),
        MultiFieldPanel(
            [
                FieldPanel("modality"),
                FieldPanel("starts_at"),
                FieldPanel("ends_at"),
                FieldPanel("time_zone"),
                FieldPanel("venue"),
                FieldPanel("remote_url"),
            ],
            heading=_("When and where"),
        ),
        MultiFieldPanel(
            [FieldPanel("capacity"), FieldPanel("self_registration")],
            heading=_("Participants"),
        ),
        FieldPanel("review_note"),
        FieldPanel("cancel_reason"),
    ]


register_snippet(TrainingViewSet)
