"""The Wagtail admin's SCORM upload form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, Enrolment, ScormPackage
from courses.selectors import READING_STATUSES
from lms.roles import Role


def managed_courses(user):
    """Courses the user may add packages to: all for administrators, else those they train."""
    courses = CoursePage.objects.order_by("code")
    if user.is_superuser or user.has_role(Role.ADMIN):
        return courses
    return courses.filter(
        enrolments__user=user,
        enrolments__role=Enrolment.Role.TRAINER,
        enrolments__status__in=READING_STATUSES,
    )


class ScormUploadForm(forms.Form):
    course = forms.ModelChoiceField(queryset=CoursePage.objects.none(), label=_("Course"))
    package = forms.ModelChoiceField(
        queryset=ScormPackage.objects.none(),
        required=False,
        label=_("New version of"),
        help_text=_("Leave empty to add a new package."),
    )
    title = forms.CharField(
        required=False, max_length=255, label=_("Title"), help_text=_("Default: the manifest's.")
    )
    max_grade = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        label=_("Maximum grade"),
        help_text=_("The package's weight in the course total of the gradebook. Default: 100."),
    )
    file = forms.FileField(label=_("SCORM zip"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = managed_courses(user)
        self.fields["course"].queryset = courses
        self.fields["course"].label_from_instance = lambda c: f"{c.code} · {c.title}"
        self.fields["package"].queryset = ScormPackage.objects.filter(
            course__in=courses
        ).select_related("course")
        self.fields["package"].label_from_instance = lambda p: f"{p.course.code} · {p.title}"

    def clean(self):
        data = super().clean()
        package, course = data.get("package"), data.get("course")
        if package and course and package.course_id != course.pk:
            self.add_error("package", _("That package belongs to another course."))
        return data
