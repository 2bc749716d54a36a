"""Admin panels of course pages."""

from wagtail.admin.panels import Panel


class SimilarCoursesPanel(Panel):
    """Lists existing courses that look like this one (same thematic area, close text)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/panels/similar_courses.html"

        def get_context_data(self, parent_context=None):
            from courses.similarity import similar_to_course

            context = super().get_context_data(parent_context)
            course = self.instance
            context["similar"] = similar_to_course(course=course) if course.pk else []
            context["saved"] = bool(course.pk)
            return context
