"""Forms of the registry pages (kept beside the views; the certificates half has its own)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lms.exceptions import ServiceError
from trainers.models import Certification, CohortParticipant, Trainer


class ServiceErrorsMixin:
    def add_service_error(self, error: ServiceError) -> None:
        """Show a service's errors on the fields they name, the rest above the form."""
        placed = False
        for item in error.errors:
            where = f"{_('line')} {item.line}, {item.field}: " if item.line and item.field else ""
            if item.line and not item.field:
                where = f"{_('line')} {item.line}: "
            if item.field in self.fields and not item.line:
                self.add_error(item.field, item.message)
            else:
                self.add_error(None, f"{where}{item.message}")
            placed = True
        if not placed:
            self.add_error(None, error.detail)


class TrainerImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 (as “CSV UTF-8” from a spreadsheet). First line: the column names. "
            "Required: full_name, country. Optional: full_name_native, email, phone, "
            "organisation, gender, languages, specialisations, username, cohort, certified_on."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.TRAINER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d KB.") % {"limit": limit // 1024}
            )
        return upload


class CertificationStateForm(ServiceErrorsMixin, forms.Form):
    state = forms.ChoiceField(label=_("Change to"), choices=Certification.State.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Required to revoke; shown to the trainer."),
    )


class CertificationRenewForm(ServiceErrorsMixin, forms.Form):
    expires_on = forms.DateField(
        label=_("New expiry date"),
        required=False,
        help_text=_("Empty: the cohort's validity again from the current expiry."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AddParticipantsForm(ServiceErrorsMixin, forms.Form):
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers to add"),
        queryset=Trainer.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = (
            Trainer.objects.exclude(memberships__cohort=cohort)
            .select_related("organisation")
            .order_by("full_name")
        )
        self.fields["trainers"].label_from_instance = lambda trainer: (
            f"{trainer.full_name} ({trainer.organisation})"
            if trainer.organisation_id
            else trainer.full_name
        )


class OutcomeForm(ServiceErrorsMixin, forms.Form):
    trainer = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=CohortParticipant.Outcome.choices)
