"""What a training is made of, as forms and the API give it, and its validation."""

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from lms.exceptions import ErrorItem, ServiceError
from lms.models import Organisation
from scheduling.conflicts import Proposal, span_text
from scheduling.models import Training, TrainingAudience

Modality = Training.Modality


@dataclass
class SessionInput:
    starts_at: datetime
    duration_minutes: int = 90
    title: str = ""
    external_room_url: str = ""
    id: int | None = None


@dataclass
class TrainingInput:
    """Everything a training is made of, as a form or the API gives it."""

    title: str
    organiser: Organisation
    starts_at: datetime
    ends_at: datetime
    course: object | None = None  # courses.CoursePage
    themes: Sequence = ()  # courses.ThematicArea
    co_organisers: Sequence[Organisation] = ()
    modality: str = Modality.REMOTE
    time_zone: str = "Asia/Karachi"
    venue: str = ""
    remote_url: str = ""
    capacity: int = 25
    self_registration: bool = False
    trainers: Sequence = ()  # trainers.Trainer; the first is the lead trainer
    audience: Sequence[tuple[str, str]] = ()
    sessions: Sequence[SessionInput] | None = None  # None: leave the sessions as they are

    @classmethod
    def from_training(cls, training: Training) -> "TrainingInput":
        return cls(
            title=training.title,
            organiser=training.organiser,
            starts_at=training.starts_at,
            ends_at=training.ends_at,
            course=training.course,
            themes=list(training.themes.all()),
            co_organisers=list(training.co_organisers.all()),
            modality=training.modality,
            time_zone=training.time_zone,
            venue=training.venue,
            remote_url=training.remote_url,
            capacity=training.capacity,
            self_registration=training.self_registration,
            trainers=[
                a.trainer
                for a in training.assignments.select_related("trainer").order_by(
                    "-role", "pk"
                )  # "lead" sorts after "co": descending puts the lead first
            ],
            audience=[(row.kind, row.value) for row in training.audience.all()],
            sessions=None,
        )


def _web_address(value: str) -> bool:
    """An http(s) address, as the forms' URL fields take it: pages link to it and frame
    it, so nothing else (``javascript:``, ``data:``) may be stored, whoever sends it."""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return len(value) <= 200  # the models' URLField


def _errors_of(data: TrainingInput) -> list[ErrorItem]:
    errors = []
    if not data.title.strip():
        errors.append(ErrorItem(field="title", message=_("Give the training a title.")))
    if len(data.title) > 200:
        errors.append(ErrorItem(field="title", message=_("At most 200 characters.")))
    if data.starts_at is None or data.ends_at is None:
        errors.append(ErrorItem(field="starts_at", message=_("Give the start and the end.")))
    elif data.ends_at <= data.starts_at:
        errors.append(ErrorItem(field="ends_at", message=_("The end must come after the start.")))
    if data.course is None and not data.themes:
        errors.append(
            ErrorItem(
                field="themes",
                message=_("Choose the course, or the thematic area of a new course."),
            )
        )
    if data.modality not in Modality.values:
        errors.append(ErrorItem(field="modality", message=_("Not a known modality.")))
    elif data.modality != Modality.REMOTE and not data.venue.strip():
        errors.append(
            ErrorItem(field="venue", message=_("Say where a training in person takes place."))
        )
    try:
        zoneinfo.ZoneInfo(data.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.append(ErrorItem(field="time_zone", message=_("Not a known time zone.")))
    if not 1 <= data.capacity <= settings.TRAINING_MAX_CAPACITY:
        errors.append(
            ErrorItem(
                field="capacity",
                message=_("Between 1 and %(max)s participants.")
                % {"max": settings.TRAINING_MAX_CAPACITY},
            )
        )
    for kind, value in data.audience:
        if kind not in TrainingAudience.Kind.values or not value.strip() or len(value) > 150:
            errors.append(
                ErrorItem(
                    field="audience",
                    message=_("%(value)s is not a unit, rank or region.") % {"value": value},
                )
            )
    if data.organiser in data.co_organisers:
        errors.append(
            ErrorItem(
                field="co_organisers",
                message=_("The organising partner cannot also be a co-organiser."),
            )
        )
    if data.remote_url and not _web_address(data.remote_url):
        errors.append(ErrorItem(field="remote_url", message=_("Give a web address (https://…).")))
    sessions = data.sessions or []
    for n, session in enumerate(sessions, 1):
        if session.external_room_url and not _web_address(session.external_room_url):
            errors.append(
                ErrorItem(
                    field="sessions",
                    line=n,
                    message=_("Give the video room's web address (https://…)."),
                )
            )
    if len(sessions) > settings.TRAINING_MAX_SESSIONS:
        errors.append(
            ErrorItem(
                field="sessions",
                message=_("At most %(max)s live sessions.")
                % {"max": settings.TRAINING_MAX_SESSIONS},
            )
        )
    if data.starts_at and data.ends_at and data.ends_at > data.starts_at:
        for n, session in enumerate(sessions, 1):
            end = session.starts_at + timedelta(minutes=session.duration_minutes)
            if session.duration_minutes < 1 or session.duration_minutes > 24 * 60:
                errors.append(
                    ErrorItem(
                        field="sessions",
                        line=n,
                        message=_("A session lasts between 1 minute and 24 hours."),
                    )
                )
            elif session.starts_at < data.starts_at or end > data.ends_at:
                errors.append(
                    ErrorItem(
                        field="sessions",
                        line=n,
                        message=_("The session must lie within the training's dates."),
                    )
                )
    return errors


def _check(data: TrainingInput) -> TrainingInput:
    data = replace(
        data,
        title=data.title.strip(),
        venue=data.venue.strip(),
        audience=list(
            dict.fromkeys((kind, " ".join(value.split())) for kind, value in data.audience)
        ),
        trainers=list(dict.fromkeys(data.trainers)),
        co_organisers=list(dict.fromkeys(data.co_organisers)),
    )
    if data.course is not None and not data.themes:
        data = replace(data, themes=list(data.course.themes.all()))
    errors = _errors_of(data)
    if errors:
        raise ServiceError(_("The training cannot be saved: check these fields."), errors)
    return data


def _proposal(data: TrainingInput, training: Training | None) -> Proposal:
    return Proposal(
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        course_id=data.course.pk if data.course is not None else None,
        theme_ids=[t.pk for t in data.themes],
        audience=list(data.audience),
        trainer_ids=[t.pk for t in data.trainers],
        venue=data.venue,
        modality=data.modality,
        exclude_pk=training.pk if training else None,
        nominees_of=training.pk if training else None,
    )


def _span_text(training: Training) -> str:
    return span_text(training)
