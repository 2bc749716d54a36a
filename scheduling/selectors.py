"""Reads of the scheduling app: who may do what, which trainings a user sees, the calendar.

Every function costs a fixed number of queries whatever the size of the calendar.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from courses.models import ThematicArea
from lms.models import Organisation, User
from lms.roles import Role
from scheduling.models import (
    ConflictAcknowledgement,
    CoordinationEvent,
    Nomination,
    Training,
    TrainingAudience,
    TrainingSession,
    TrainingTrainer,
)

Status = Training.Status
# Statuses a training has once it is on the shared calendar (drafts are the organiser's own).
ON_CALENDAR = (Status.PROPOSED, Status.CONFIRMED, Status.COMPLETED, Status.CANCELLED)
ACTIVE_NOMINATION = (
    Nomination.Status.NOMINATED,
    Nomination.Status.CONFIRMED,
    Nomination.Status.WAITLISTED,
)


# --- Who may do what ---------------------------------------------------------------------
def is_admin(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


def is_academy(user) -> bool:
    """The Academy approves trainings: administrators and reviewers."""
    return user.is_authenticated and (user.has_role(Role.ADMIN) or user.has_role(Role.REVIEWER))


def is_coordinator(user) -> bool:
    return (
        user.is_authenticated and user.has_role(Role.PARTNER) and user.organisation_id is not None
    )


def can_propose(user) -> bool:
    return is_admin(user) or is_coordinator(user)


def can_see_board(user) -> bool:
    """The coordination board is for partners and the Academy."""
    return user.is_authenticated and (
        user.has_role(Role.PARTNER) or user.has_role(Role.ADMIN) or user.has_role(Role.REVIEWER)
    )


def can_manage(user, training: Training) -> bool:
    """Change, cancel, complete: the organiser's coordinators and administrators."""
    return is_admin(user) or (
        is_coordinator(user) and user.organisation_id == training.organiser_id
    )


def teaches(user, training: Training) -> bool:
    """Whether the user is one of the training's assigned trainers (they see its roster)."""
    return training.assignments.filter(trainer__user=user).exists()


def co_organiser_ids(training: Training) -> set[int]:
    return {org.pk for org in training.co_organisers.all()}


def nomination_scope(user, training: Training) -> str | None:
    """Whom this user may nominate for the training: "any" officer (administrators, the
    organiser's and co-organisers' coordinators), "own" officers of their organisation (the
    coordinator of an FIA unit), or nobody (None)."""
    if is_admin(user):
        return "any"
    if not is_coordinator(user):
        return None
    if user.organisation_id == training.organiser_id or user.organisation_id in co_organiser_ids(
        training
    ):
        return "any"
    if user.organisation.kind in (Organisation.Kind.FIA_UNIT, Organisation.Kind.ACADEMY):
        return "own"
    return None


# --- Visibility --------------------------------------------------------------------------
def trainings_visible(*, user) -> QuerySet[Training]:
    """The trainings this user may see.

    The Academy sees everything; a partner coordinator the shared calendar (every training
    but other organisations' drafts); anybody else confirmed, completed and cancelled
    trainings, and those they take part in or teach.
    """
    trainings = Training.objects.all()
    if is_academy(user):
        return trainings
    if is_coordinator(user):
        own = Q(organiser_id=user.organisation_id) | Q(
            pk__in=Training.co_organisers.through.objects.filter(
                organisation_id=user.organisation_id
            ).values("training_id")
        )
        return trainings.filter(Q(status__in=ON_CALENDAR) | own)
    if not user.is_authenticated:
        return trainings.none()
    return trainings.filter(
        Q(status__in=(Status.CONFIRMED, Status.COMPLETED, Status.CANCELLED))
        | Q(pk__in=Nomination.objects.filter(user=user).values("training_id"))
        | Q(pk__in=TrainingTrainer.objects.filter(trainer__user=user).values("training_id"))
    )


def training_get(*, user, pk: int) -> Training:
    """One training the user may see (404 otherwise, never saying it exists)."""
    training = (
        trainings_visible(user=user)
        .select_related("organiser", "course", "proposed_by", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if training is None:
        raise Http404
    return training


def training_detail(*, training: Training) -> Training:
    """The training with everything its page shows, in a fixed number of queries."""
    prefetch_related_objects(
        [training],
        "themes",
        "co_organisers",
        "audience",
        "sessions",
        Prefetch(
            "assignments",
            queryset=TrainingTrainer.objects.select_related("trainer", "trainer__organisation"),
        ),
        Prefetch(
            "acknowledgements",
            queryset=ConflictAcknowledgement.objects.select_related("by"),
        ),
    )
    return training


def nomination_counts(*, training: Training) -> dict[str, int]:
    counts = dict(training.nominations.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Nomination.Status.values}


def nominations_of(*, training: Training, user=None) -> list[Nomination]:
    """The training's nominations, first come first; only their own organisation's for an FIA
    unit's coordinator (`user`, when given, with scope "own")."""
    nominations = training.nominations.select_related(
        "user", "user__organisation", "nominated_by"
    ).order_by("created_at", "pk")
    if user is not None and nomination_scope(user, training) != "any" and not is_academy(user):
        nominations = nominations.filter(
            Q(user__organisation_id=user.organisation_id)
            | Q(user__organisation__parent_id=user.organisation_id)
        )
    return list(nominations)


def users_named(*, names: list[str]) -> tuple[list[User], list[str]]:
    """The users these usernames, service numbers or email addresses name (case ignored;
    one query), in the order named, and the names that match nobody."""
    wanted = {name.lower() for name in names}
    users = User.objects.annotate(
        key_username=Lower("username"),
        key_service=Lower("service_number"),
        key_email=Lower("email"),
    ).filter(Q(key_username__in=wanted) | Q(key_service__in=wanted) | Q(key_email__in=wanted))
    found: dict[str, User] = {}
    for user in users.select_related("organisation"):
        for key in (user.key_username, user.key_service, user.key_email):
            if key in wanted:
                found.setdefault(key, user)
    ordered = list(dict.fromkeys(found[n.lower()] for n in names if n.lower() in found))
    return ordered, [n for n in names if n.lower() not in found]


def my_nomination(*, user, training: Training) -> Nomination | None:
    if not user.is_authenticated:
        return None
    return Nomination.objects.filter(user=user, training=training).first()


def approval_queue() -> list[Training]:
    """Proposed trainings, soonest first, with the conflicts acknowledged on them."""
    return list(
        Training.objects.filter(status=Status.PROPOSED)
        .select_related("organiser", "course", "proposed_by")
        .prefetch_related("themes", "acknowledgements")
        .order_by("starts_at", "pk")
    )


# --- The calendar ------------------------------------------------------------------------
@dataclass
class CalendarFilters:
    organisation: int | None = None
    theme: str = ""
    status: str = ""
    audience: str = ""  # "kind:value"

    @classmethod
    def from_query(cls, data) -> "CalendarFilters":
        organisation = data.get("organisation") or ""
        status = data.get("status", "")
        return cls(
            organisation=int(organisation) if str(organisation).isdigit() else None,
            theme=data.get("theme", "")[:80],
            status=status if status in Status.values else "",
            audience=data.get("audience", "")[:200],
        )

    def apply(self, trainings: QuerySet[Training]) -> QuerySet[Training]:
        if self.organisation:
            trainings = trainings.filter(
                Q(organiser_id=self.organisation)
                | Q(
                    pk__in=Training.co_organisers.through.objects.filter(
                        organisation_id=self.organisation
                    ).values("training_id")
                )
            )
        if self.theme:
            trainings = trainings.filter(
                pk__in=Training.themes.through.objects.filter(thematicarea__slug=self.theme).values(
                    "training_id"
                )
            )
        if self.status:
            trainings = trainings.filter(status=self.status)
        kind, _sep, value = self.audience.partition(":")
        if kind in TrainingAudience.Kind.values and value:
            # A training aimed at that unit, rank or region, or open to all of that kind.
            trainings = trainings.filter(
                Exists(
                    TrainingAudience.objects.filter(
                        training=OuterRef("pk"), kind=kind, value__iexact=value
                    )
                )
                | ~Exists(TrainingAudience.objects.filter(training=OuterRef("pk"), kind=kind))
            )
        return trainings

    def as_query(self) -> dict[str, str]:
        return {
            key: str(value)
            for key, value in (
                ("organisation", self.organisation or ""),
                ("theme", self.theme),
                ("status", self.status),
                ("audience", self.audience),
            )
            if value
        }


def calendar_options() -> dict:
    """What the calendar's filters offer: three queries."""
    return {
        "organisations": list(
            Organisation.objects.filter(
                Q(trainings_organised__isnull=False) | Q(trainings_co_organised__isnull=False)
            )
            .distinct()
            .order_by("short_name")
        ),
        "themes": list(ThematicArea.objects.order_by("name")),
        "statuses": Status.choices,
        "audiences": [
            (f"{kind}:{value}", f"{TrainingAudience.Kind(kind).label}: {value}")
            for kind, value in TrainingAudience.objects.values_list("kind", "value")
            .distinct()
            .order_by("kind", "value")
        ],
    }


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The aware instants from the start of `first` to the end of `last`, in the site zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def calendar_trainings(
    *,
    user,
    start: datetime | None,
    end: datetime | None,
    filters: CalendarFilters,
    with_sessions: bool = False,
) -> QuerySet[Training]:
    """Trainings overlapping [start, end) the user may see, with what the calendar shows.

    One query for the trainings, one for their themes, one for their sessions when asked.
    """
    trainings = filters.apply(trainings_visible(user=user))
    if start is not None:
        trainings = trainings.filter(ends_at__gt=start)
    if end is not None:
        trainings = trainings.filter(starts_at__lt=end)
    trainings = trainings.select_related("organiser", "course").prefetch_related("themes")
    if with_sessions:
        trainings = trainings.prefetch_related(
            Prefetch("sessions", queryset=TrainingSession.objects.order_by("starts_at"))
        )
    return trainings.order_by("starts_at", "pk")


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    trainings: list[Training] = field(default_factory=list)
    sessions: list[TrainingSession] = field(default_factory=list)


def days_of(*, first: date, last: date, trainings, in_month=None) -> list[Day]:
    """One `Day` per date from first to last, each with the trainings running that day."""
    today = timezone.localdate()
    days = {}
    current = first
    while current <= last:
        days[current] = Day(
            date=current,
            in_month=in_month is None or current.month == in_month,
            is_today=current == today,
        )
        current += timedelta(days=1)
    for training in trainings:
        begin = max(timezone.localtime(training.starts_at).date(), first)
        # A training ending at midnight does not run on the day that starts then.
        finish = timezone.localtime(training.ends_at - timedelta(microseconds=1)).date()
        finish = min(finish, last)
        current = begin
        while current <= finish:
            days[current].trainings.append(training)
            current += timedelta(days=1)
        for session in getattr(training, "_prefetched_objects_cache", {}).get("sessions", []):
            day = timezone.localtime(session.starts_at).date()
            if day in days:
                days[day].sessions.append(session)
    for day in days.values():
        day.sessions.sort(key=lambda s: s.starts_at)
    return list(days.values())


# --- Feeds and the board -----------------------------------------------------------------
def user_feed_trainings(*, user: User, since: datetime) -> QuerySet[Training]:
    """Trainings in a person's calendar: those they are confirmed in and those they teach."""
    taking = Nomination.objects.filter(user=user, status=Nomination.Status.CONFIRMED).values(
        "training_id"
    )
    teaching = TrainingTrainer.objects.filter(trainer__user=user).values("training_id")
    return (
        Training.objects.filter(
            Q(pk__in=taking, status__in=(Status.CONFIRMED, Status.COMPLETED, Status.CANCELLED))
            | Q(pk__in=teaching, status__in=(*ON_CALENDAR,))
        )
        .filter(ends_at__gte=since)
        .select_related("organiser", "course")
        .prefetch_related("sessions")
        .order_by("starts_at", "pk")
    )


def organisation_feed_trainings(
    *, organisation: Organisation, since: datetime
) -> QuerySet[Training]:
    """Trainings an organisation organises or co-organises (all but drafts)."""
    return (
        Training.objects.filter(
            Q(organiser=organisation)
            | Q(
                pk__in=Training.co_organisers.through.objects.filter(
                    organisation=organisation
                ).values("training_id")
            ),
            status__in=ON_CALENDAR,
            ends_at__gte=since,
        )
        .select_related("organiser", "course")
        .prefetch_related("sessions")
        .order_by("starts_at", "pk")
    )


def coordination_last_seq() -> int:
    last = CoordinationEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def coordination_events_after(*, after: int, limit: int) -> list[CoordinationEvent]:
    return list(CoordinationEvent.objects.filter(pk__gt=after).order_by("pk")[:limit])


def training_list_for_export(*, user, filters: CalendarFilters, start, end):
    return (
        calendar_trainings(user=user, start=start, end=end, filters=filters)
        .prefetch_related(
            "co_organisers",
            "audience",
            Prefetch("assignments", queryset=TrainingTrainer.objects.select_related("trainer")),
        )
        .annotate(
            confirmed_count=Count(
                "nominations", filter=Q(nominations__status=Nomination.Status.CONFIRMED)
            )
        )
    )
