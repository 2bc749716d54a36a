from django import forms
from django.utils.translation import gettext_lazy as _

from courses import services
from courses.models import Enrolment
from lms.exceptions import ServiceError


class BulkEnrolmentForm(forms.Form):
    usernames = forms.CharField(
        label=_("Usernames"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One username per line."),
    )
    roster = forms.FileField(
        label=_("Or a CSV roster"),
        required=False,
        help_text=_("UTF-8 CSV with a header row and a column username, service_number or email."),
    )
    role = forms.ChoiceField(
        label=_("Role in the course"), choices=Enrolment.Role.choices, initial="learner"
    )

    max_roster_bytes = 2 * 1024 * 1024

    def clean(self):
        data = super().clean()
        if not data.get("usernames", "").strip() and not data.get("roster"):
            raise forms.ValidationError(_("Give usernames or a roster file."))
        roster = data.get("roster")
        if roster and roster.size > self.max_roster_bytes:
            self.add_error("roster", _("The roster is larger than 2 MB."))
        return data

    def rows(self):
        roster = self.cleaned_data.get("roster")
        source = roster.read() if roster else self.cleaned_data["usernames"]
        return services.roster_parse(data=source)

    def add_service_error(self, error: ServiceError) -> None:
        self.add_error(None, error.detail)
        field = "roster" if self.cleaned_data.get("roster") else "usernames"
        for item in error.errors:
            self.add_error(field, str(item))
