"""Attendance rules of courses in the Wagtail admin (Snippets → Attendance rules), for
administrators: "a course completes once the learner attended at least N live sessions"."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from live.models import CourseAttendanceRule


class CourseAttendanceRuleViewSet(SnippetViewSet):
    model = CourseAttendanceRule
    icon = "group"
    menu_label = _("Attendance rules")
    list_display = ["course", "min_sessions"]
    panels = [PageChooserPanel("course", "courses.CoursePage"), FieldPanel("min_sessions")]


register_snippet(CourseAttendanceRuleViewSet)
