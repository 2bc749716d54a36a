"""Quizzes in the Wagtail admin: trainers build them under Snippets, with their slots inline."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from assessments.models import Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = _("Quizzes")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "course", "time_limit_minutes", "attempts_allowed"]
    list_filter = ["course"]
    search_fields = ["title"]


register_snippet(QuizViewSet)
