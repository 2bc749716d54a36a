"""Request and response bodies of the scheduling API."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from scheduling import selectors
from scheduling.models import Training


# --- Output ------------------------------------------------------------------------------
class ThemeOut(Schema):
    slug: str
    name: str


class OrganisationRef(Schema):
    id: int
    short_name: str
    name: str


class AudienceOut(Schema):
    kind: str
    value: str


class TrainerOut(Schema):
    id: int
    full_name: str
    role: str


class SessionOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    external_room_url: str


class TrainingOut(Schema):
    id: int
    title: str
    status: str
    course: str | None
    themes: list[ThemeOut]
    organiser: OrganisationRef
    modality: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: str
    capacity: int
    self_registration: bool
    url: str

    @staticmethod
    def resolve_course(training):
        return training.course.code if training.course_id else None

    @staticmethod
    def resolve_themes(training):
        return [{"slug": t.slug, "name": t.name} for t in training.themes.all()]

    @staticmethod
    def resolve_url(training):
        return training.get_absolute_url()


class TrainingDetailOut(TrainingOut):
    co_organisers: list[OrganisationRef]
    remote_url: str
    audience: list[AudienceOut]
    trainers: list[TrainerOut]
    sessions: list[SessionOut]
    review_note: str
    cancel_reason: str
    approved_by: str | None
    approved_at: datetime | None
    participants_reached: int | None
    nominations: dict[str, int]

    @staticmethod
    def resolve_co_organisers(training):
        return list(training.co_organisers.all())

    @staticmethod
    def resolve_audience(training):
        return list(training.audience.all())

    @staticmethod
    def resolve_trainers(training):
        return [
            {"id": a.trainer_id, "full_name": a.trainer.full_name, "role": a.role}
            for a in training.assignments.all()
        ]

    @staticmethod
    def resolve_sessions(training):
        return list(training.sessions.all())

    @staticmethod
    def resolve_approved_by(training):
        return training.approved_by.username if training.approved_by_id else None

    @staticmethod
    def resolve_nominations(training):
        return selectors.nomination_counts(training=training)


class NominationOut(Schema):
    id: int
    username: str
    full_name: str
    status: str
    created_at: datetime

    @staticmethod
    def resolve_username(nomination):
        return nomination.user.username

    @staticmethod
    def resolve_full_name(nomination):
        return nomination.user.get_full_name()


class ConflictOut(Schema):
    kind: str
    message: str
    training: int | None
    url: str
    trainer: int | None = None
    user: int | None = None


# --- Input -------------------------------------------------------------------------------
class SessionIn(Schema):
    id: int | None = None
    starts_at: datetime
    duration_minutes: int = Field(90, ge=1, le=24 * 60)
    title: str = ""
    external_room_url: str = ""


class AudienceIn(Schema):
    kind: str
    value: str


class TrainingIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    organisation: str | None = Field(
        None, description="Organiser's short name; a partner coordinator's own by default."
    )
    course: str | None = Field(None, description="Course code; empty for a new course.")
    themes: list[str] = Field(default_factory=list, description="Thematic area slugs.")
    co_organisers: list[str] = Field(default_factory=list, description="Short names.")
    modality: str = Training.Modality.REMOTE
    time_zone: str = "Asia/Karachi"
    venue: str = ""
    remote_url: str = ""
    capacity: int = 25
    self_registration: bool = False
    trainers: list[int] = Field(
        default_factory=list, description="Registry trainer ids; the first leads."
    )
    audience: list[AudienceIn] = Field(default_factory=list)
    sessions: list[SessionIn] | None = None
    draft: bool = False
    acknowledge_conflicts: bool = False
    reason: str = ""


class TrainingPatch(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    organisation: str | None = None
    course: str | None = None
    themes: list[str] | None = None
    co_organisers: list[str] | None = None
    modality: str | None = None
    time_zone: str | None = None
    venue: str | None = None
    remote_url: str | None = None
    capacity: int | None = None
    self_registration: bool | None = None
    trainers: list[int] | None = None
    audience: list[AudienceIn] | None = None
    sessions: list[SessionIn] | None = None
    submit: bool = False
    acknowledge_conflicts: bool = False
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


class CancelIn(Schema):
    reason: str = ""


class CompleteIn(Schema):
    participants_reached: int | None = None


class NominateIn(Schema):
    usernames: list[str] = Field(
        default_factory=list, description="Empty: register yourself (where allowed)."
    )
    acknowledge_conflicts: bool = False
    reason: str = ""


class TrainingFilters(Schema):
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    theme: str = ""
    organisation: str = ""
    status: str = ""
