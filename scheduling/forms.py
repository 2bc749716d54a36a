"""Forms of the scheduling pages: propose or change a training, nominate officers."""

import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from courses.models import CoursePage, ThematicArea
from lms.models import Organisation
from scheduling.models import Training, TrainingAudience
from scheduling.selectors import is_admin
from scheduling.services import SessionInput, TrainingInput

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _in_zone(value: datetime, zone) -> datetime:
    """A time typed in the form (read in the site's zone) as meant: in the training's zone."""
    return timezone.make_naive(value).replace(tzinfo=zone)


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.title}"


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class TrainingForm(forms.Form):
    title = forms.CharField(label=_l("Title"), max_length=200)
    course = CourseChoiceField(
        label=_l("Course"),
        queryset=CoursePage.objects.none(),
        required=False,
        empty_label=_l("A new course (choose its thematic area)"),
    )
    themes = ThemeChoiceField(
        label=_l("Thematic areas"),
        queryset=ThematicArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_l("Taken from the course when left empty."),
    )
    organiser = forms.ModelChoiceField(
        label=_l("Organising partner"), queryset=Organisation.objects.none()
    )
    co_organisers = forms.ModelMultipleChoiceField(
        label=_l("Co-organisers"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    modality = forms.ChoiceField(label=_l("Modality"), choices=Training.Modality.choices)
    starts_at = forms.DateTimeField(
        label=_l("Starts"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    ends_at = forms.DateTimeField(
        label=_l("Ends"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    time_zone = forms.CharField(
        label=_l("Time zone"),
        initial="Asia/Karachi",
        max_length=64,
        help_text=_l("Start, end and session times are in this zone, e.g. Asia/Karachi."),
    )
    venue = forms.CharField(
        label=_l("Venue"),
        required=False,
        max_length=200,
        help_text=_l("For a training in person or blended."),
    )
    remote_url = forms.URLField(label=_l("Remote link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_l("Capacity"), min_value=1, initial=25)
    self_registration = forms.BooleanField(
        label=_l("Officers may register themselves"), required=False
    )
    lead_trainer = forms.ModelChoiceField(label=_l("Lead trainer"), queryset=None, required=False)
    co_trainers = forms.ModelMultipleChoiceField(
        label=_l("Co-trainers"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    audience_units = forms.CharField(
        label=_l("FIA units"),
        required=False,
        help_text=_l("Separate with commas; empty for all units."),
    )
    audience_ranks = forms.CharField(
        label=_l("Ranks"),
        required=False,
        help_text=_l("Separate with commas; empty for all ranks."),
    )
    audience_regions = forms.CharField(
        label=_l("Regions"),
        required=False,
        help_text=_l("Separate with commas; empty for all regions."),
    )
    sessions = forms.CharField(
        label=_l("Live sessions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l(
            "One per line: date and start time, minutes, title — for example "
            "2027-03-02 10:00, 120, Opening session."
        ),
    )

    FIELDSETS = [
        (_l("The training"), ["title", "course", "themes"]),
        (_l("Organisers"), ["organiser", "co_organisers"]),
        (
            _l("When and where"),
            ["starts_at", "ends_at", "time_zone", "modality", "venue", "remote_url"],
        ),
        (
            _l("Participants"),
            [
                "capacity",
                "audience_units",
                "audience_ranks",
                "audience_regions",
                "self_registration",
            ],
        ),
        (_l("Trainers"), ["lead_trainer", "co_trainers"]),
        (_l("Live sessions"), ["sessions"]),
    ]

    AUDIENCE_FIELDS = {
        "audience_units": TrainingAudience.Kind.UNIT,
        "audience_ranks": TrainingAudience.Kind.RANK,
        "audience_regions": TrainingAudience.Kind.REGION,
    }

    def __init__(self, *args, user, training: Training | None = None, **kwargs):
        from trainers.models import Trainer

        self.user = user
        self.training = training
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.order_by("title")
        self.fields["themes"].queryset = ThematicArea.objects.order_by("name")
        organisations = Organisation.objects.order_by("short_name")
        self.fields["co_organisers"].queryset = organisations
        if is_admin(user):
            self.fields["organiser"].queryset = organisations
        else:
            self.fields["organiser"].queryset = organisations.filter(pk=user.organisation_id)
            self.fields["organiser"].initial = user.organisation_id
        trainers = Trainer.objects.order_by("full_name")
        self.fields["lead_trainer"].queryset = trainers
        self.fields["co_trainers"].queryset = trainers
        if training is not None and not self.is_bound:
            self.initial.update(self._initial_of(training))

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    @staticmethod
    def _initial_of(training: Training) -> dict:
        zone = _zone(training.time_zone) or timezone.get_current_timezone()
        assignments = sorted(training.assignments.all(), key=lambda a: (a.role != "lead", a.pk))
        audience = {kind: [] for kind in TrainingAudience.Kind.values}
        for row in training.audience.all():
            audience[row.kind].append(row.value)
        return {
            "title": training.title,
            "course": training.course_id,
            "themes": [t.pk for t in training.themes.all()],
            "organiser": training.organiser_id,
            "co_organisers": [o.pk for o in training.co_organisers.all()],
            "modality": training.modality,
            "starts_at": training.starts_at.astimezone(zone).strftime(DATETIME_LOCAL),
            "ends_at": training.ends_at.astimezone(zone).strftime(DATETIME_LOCAL),
            "time_zone": training.time_zone,
            "venue": training.venue,
            "remote_url": training.remote_url,
            "capacity": training.capacity,
            "self_registration": training.self_registration,
            "lead_trainer": assignments[0].trainer_id if assignments else None,
            "co_trainers": [a.trainer_id for a in assignments[1:]],
            "audience_units": ", ".join(audience["unit"]),
            "audience_ranks": ", ".join(audience["rank"]),
            "audience_regions": ", ".join(audience["region"]),
            "sessions": "\n".join(
                ", ".join(
                    part
                    for part in (
                        s.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                        str(s.duration_minutes),
                        s.title,
                    )
                    if part
                )
                for s in training.sessions.all()
            ),
        }

    def clean(self):
        data = super().clean()
        zone = _zone(data.get("time_zone") or "")
        if zone is None:
            self.add_error("time_zone", _("Not a known time zone."))
            return data
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                data[name] = _in_zone(data[name], zone)
        data["parsed_sessions"] = self._sessions(data.get("sessions", ""), zone)
        return data

    def _sessions(self, text: str, zone) -> list[SessionInput]:
        sessions, errors = [], []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(",", 2)]
            try:
                start = datetime.strptime(parts[0], "%Y-%m-%d %H:%M").replace(tzinfo=zone)
                minutes = int(parts[1]) if len(parts) > 1 and parts[1] else 90
            except ValueError:
                errors.append(
                    _("Line %(n)s: write the date and time as 2027-03-02 10:00, then minutes.")
                    % {"n": n}
                )
                continue
            sessions.append(
                SessionInput(
                    starts_at=start,
                    duration_minutes=minutes,
                    title=parts[2] if len(parts) > 2 else "",
                )
            )
        if errors:
            self.add_error("sessions", errors)
        return sessions

    def training_input(self) -> TrainingInput:
        data = self.cleaned_data
        trainers = [data["lead_trainer"]] if data.get("lead_trainer") else []
        trainers += [t for t in data.get("co_trainers") or [] if t not in trainers]
        audience = [
            (kind, value.strip())
            for name, kind in self.AUDIENCE_FIELDS.items()
            for value in (data.get(name) or "").split(",")
            if value.strip()
        ]
        return TrainingInput(
            title=data["title"],
            organiser=data["organiser"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            course=data.get("course"),
            themes=list(data.get("themes") or []),
            co_organisers=list(data.get("co_organisers") or []),
            modality=data["modality"],
            time_zone=data["time_zone"],
            venue=data.get("venue", ""),
            remote_url=data.get("remote_url", ""),
            capacity=data["capacity"],
            self_registration=data.get("self_registration", False),
            trainers=trainers,
            audience=audience,
            sessions=data["parsed_sessions"],
        )

    def add_service_errors(self, errors) -> None:
        """Show a service's errors on the fields they name (or above the form)."""
        names = {"users": None, "reason": None, "note": None}
        for item in errors:
            name = item.field if item.field in self.fields and item.field not in names else None
            if item.field in ("audience",):
                name = "audience_units"
            message = item.message
            if item.line is not None:
                message = _("Line %(n)s: %(message)s") % {"n": item.line, "message": message}
            self.add_error(name, message)


class NominateForm(forms.Form):
    officers = forms.CharField(
        label=_l("Officers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l(
            "Usernames, service numbers or email addresses, one per line or separated by commas."
        ),
    )

    def names(self) -> list[str]:
        text = self.cleaned_data["officers"].replace(",", "\n")
        return list(dict.fromkeys(part.strip() for part in text.splitlines() if part.strip()))
