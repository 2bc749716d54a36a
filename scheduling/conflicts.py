"""Duplicates and clashes on the shared calendar, found before they happen.

`proposal_conflicts` checks a training as proposed or changed against every rule:

- duplicates: another training of the same course, of a course the similarity measure
  (courses.similarity) finds close, or of the same thematic area, whose dates overlap or lie
  within TRAINING_DUPLICATE_WINDOW_DAYS and whose audience overlaps;
- a trainer booked in two trainings at overlapping times;
- a trainer assigned without an active certification in (one of) the training's themes;
- an officer nominated into overlapping trainings;
- a venue booked twice at overlapping times.

Each rule is one range query (plus the prefetches it needs), so a check costs the same
number of queries whatever the size of the calendar.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.exceptions import Conflict, ErrorItem
from scheduling.models import Nomination, Training, TrainingAudience, TrainingTrainer
from scheduling.selectors import ACTIVE_NOMINATION

Status = Training.Status
# Trainings that hold their dates, trainers and venue.
BOOKED = (Status.PROPOSED, Status.CONFIRMED)
# Trainings a new one could duplicate (a completed one reached its audience already).
DUPLICABLE = (Status.PROPOSED, Status.CONFIRMED, Status.COMPLETED)


class Kind:
    SAME_COURSE = "same_course"
    SIMILAR_COURSE = "similar_course"
    SAME_THEME = "same_theme"
    TRAINER_DOUBLE_BOOKED = "trainer_double_booked"
    TRAINER_NOT_CERTIFIED = "trainer_not_certified"
    OFFICER_DOUBLE_BOOKED = "officer_double_booked"
    VENUE_DOUBLE_BOOKED = "venue_double_booked"


@dataclass(frozen=True)
class ConflictItem(ErrorItem):
    """One conflict: what kind, why (message), and the other training it is with."""

    kind: str = ""
    training: int | None = None
    url: str = ""
    trainer: int | None = None
    user: int | None = None
    # Who to tell: organisations whose coordinators are concerned, and people.
    organisations: tuple[int, ...] = ()
    people: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.training or ''}:{self.trainer or ''}:{self.user or ''}"

    def as_dict(self) -> dict:
        item = {"kind": self.kind, "message": self.message, "training": self.training}
        item["url"] = self.url
        if self.trainer is not None:
            item["trainer"] = self.trainer
        if self.user is not None:
            item["user"] = self.user
        return item


class TrainingConflicts(Conflict):
    """The change clashes with the calendar: HTTP 409 with the list, unless acknowledged."""


@dataclass
class Proposal:
    """A training as proposed or changed, before anything is written."""

    starts_at: datetime
    ends_at: datetime
    course_id: int | None = None
    theme_ids: Sequence[int] = ()
    audience: Sequence[tuple[str, str]] = ()
    trainer_ids: Sequence[int] = ()
    venue: str = ""
    modality: str = Training.Modality.REMOTE
    exclude_pk: int | None = None  # the training itself, when changed
    nominees_of: int | None = None  # check the officers already nominated for this training
    nominee_ids: Sequence[int] = field(default_factory=tuple)


def _span(training: Training) -> str:
    start = timezone.localtime(training.starts_at)
    end = timezone.localtime(training.ends_at - timedelta(microseconds=1))
    if start.date() == end.date():
        return formats.date_format(start, "DATE_FORMAT")
    first, last = (formats.date_format(d, "DATE_FORMAT") for d in (start, end))
    return f"{first} \u2013 {last}"


def span_text(training: Training) -> str:
    """The training's dates as people read them, in the site's zone."""
    return _span(training)


def audiences_overlap(a: Iterable[tuple[str, str]], b: Iterable[tuple[str, str]]) -> bool:
    """Two audiences overlap unless, for some kind (unit, rank, region), both name values
    and none in common. No row of a kind means open to all of that kind."""
    a, b = list(a), list(b)
    for kind in TrainingAudience.Kind.values:
        left = {value.strip().casefold() for k, value in a if k == kind}
        right = {value.strip().casefold() for k, value in b if k == kind}
        if left and right and not left & right:
            return False
    return True


def _overlapping(prefix: str, starts_at: datetime, ends_at: datetime) -> Q:
    return Q(**{f"{prefix}starts_at__lt": ends_at, f"{prefix}ends_at__gt": starts_at})


def _similar_course_scores(course_id: int | None) -> dict[int, int]:
    """Courses flagged as similar to this one (courses.similarity), by percent."""
    if course_id is None:
        return {}
    from courses.models import CoursePage
    from courses.similarity import similar_to_course

    course = CoursePage.objects.filter(pk=course_id).prefetch_related("themes").first()
    if course is None:
        return {}
    return {s.course.pk: s.percent for s in similar_to_course(course=course, limit=50)}


def _trainer_url(trainer) -> str:
    try:
        return trainer.get_absolute_url()
    except NoReverseMatch:  # the registry's pages are not mounted
        return ""


def duplicate_conflicts(proposal: Proposal) -> list[ConflictItem]:
    window = timedelta(days=settings.TRAINING_DUPLICATE_WINDOW_DAYS)
    similar = _similar_course_scores(proposal.course_id)
    related = Q(pk__in=[])
    if proposal.course_id:
        related |= Q(course_id=proposal.course_id)
    if similar:
        related |= Q(course_id__in=list(similar))
    if proposal.theme_ids:
        related |= Q(
            pk__in=Training.themes.through.objects.filter(
                thematicarea_id__in=list(proposal.theme_ids)
            ).values("training_id")
        )
    others = (
        Training.objects.filter(status__in=DUPLICABLE)
        .filter(_overlapping("", proposal.starts_at - window, proposal.ends_at + window))
        .filter(related)
        .exclude(pk=proposal.exclude_pk)
        .select_related("organiser", "course")
        .prefetch_related("themes", "audience", "co_organisers")
        .order_by("starts_at", "pk")
    )
    theme_ids = set(proposal.theme_ids)
    conflicts = []
    for other in others:
        if not audiences_overlap(
            proposal.audience, [(row.kind, row.value) for row in other.audience.all()]
        ):
            continue
        overlap = other.starts_at < proposal.ends_at and other.ends_at > proposal.starts_at
        if overlap:
            when = _("on overlapping dates (%(span)s)") % {"span": _span(other)}
        else:
            gap = max(proposal.starts_at - other.ends_at, other.starts_at - proposal.ends_at)
            days = max(gap.days, 1)
            when = ngettext(
                "%(days)s day apart (%(span)s)", "%(days)s days apart (%(span)s)", days
            ) % {"days": days, "span": _span(other)}
        names = {"title": other.title, "organiser": other.organiser, "when": when}
        if proposal.course_id and other.course_id == proposal.course_id:
            kind = Kind.SAME_COURSE
            message = _(
                "“%(title)s” by %(organiser)s is a training of the same course (%(code)s), "
                "%(when)s, for an overlapping audience."
            ) % {**names, "code": other.course.code}
        elif other.course_id in similar:
            kind = Kind.SIMILAR_COURSE
            message = _(
                "“%(title)s” by %(organiser)s teaches a similar course (%(code)s, "
                "%(percent)s%% alike), %(when)s, for an overlapping audience."
            ) % {**names, "code": other.course.code, "percent": similar[other.course_id]}
        else:
            shared = [t.display_name for t in other.themes.all() if t.pk in theme_ids]
            if not shared:
                continue
            kind = Kind.SAME_THEME
            message = _(
                "“%(title)s” by %(organiser)s covers the same thematic area (%(themes)s), "
                "%(when)s, for an overlapping audience."
            ) % {**names, "themes": ", ".join(shared)}
        conflicts.append(
            ConflictItem(
                message=message,
                kind=kind,
                training=other.pk,
                url=other.get_absolute_url(),
                organisations=(
                    other.organiser_id,
                    *(org.pk for org in other.co_organisers.all()),
                ),
            )
        )
    return conflicts


def trainer_conflicts(proposal: Proposal) -> list[ConflictItem]:
    if not proposal.trainer_ids:
        return []
    from trainers.models import Certification, Trainer

    conflicts = []
    bookings = (
        TrainingTrainer.objects.filter(
            trainer_id__in=list(proposal.trainer_ids), training__status__in=BOOKED
        )
        .filter(_overlapping("training__", proposal.starts_at, proposal.ends_at))
        .exclude(training_id=proposal.exclude_pk)
        .select_related("trainer", "training", "training__organiser")
        .order_by("training__starts_at", "pk")
    )
    for booking in bookings:
        other = booking.training
        conflicts.append(
            ConflictItem(
                message=_(
                    "%(trainer)s is already booked for “%(title)s” (%(organiser)s, %(span)s) "
                    "at overlapping times."
                )
                % {
                    "trainer": booking.trainer,
                    "title": other.title,
                    "organiser": other.organiser,
                    "span": _span(other),
                },
                kind=Kind.TRAINER_DOUBLE_BOOKED,
                training=other.pk,
                url=other.get_absolute_url(),
                trainer=booking.trainer_id,
                organisations=(other.organiser_id,),
                people=(booking.trainer.user_id,) if booking.trainer.user_id else (),
            )
        )
    if proposal.theme_ids:
        # Certified through the last day of the training, in one of its thematic areas.
        last_day = timezone.localtime(proposal.ends_at - timedelta(microseconds=1)).date()
        certified = Certification.objects.filter(
            trainer=OuterRef("pk"),
            state=Certification.State.ACTIVE,
            themes__in=list(proposal.theme_ids),
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=last_day))
        uncertified = (
            Trainer.objects.filter(pk__in=list(proposal.trainer_ids))
            .annotate(certified=Exists(certified))
            .filter(certified=False)
            .order_by("full_name", "pk")
        )
        for trainer in uncertified:
            conflicts.append(
                ConflictItem(
                    message=_(
                        "%(trainer)s has no active certification in this training's thematic "
                        "area valid until the training ends."
                    )
                    % {"trainer": trainer},
                    kind=Kind.TRAINER_NOT_CERTIFIED,
                    url=_trainer_url(trainer),
                    trainer=trainer.pk,
                )
            )
    return conflicts


def officer_conflicts(proposal: Proposal) -> list[ConflictItem]:
    """Officers (named, or already nominated for the training) nominated elsewhere at
    overlapping times."""
    who = Q(pk__in=[])
    if proposal.nominee_ids:
        who |= Q(user_id__in=list(proposal.nominee_ids))
    if proposal.nominees_of:
        who |= Q(
            user_id__in=Nomination.objects.filter(
                training_id=proposal.nominees_of, status__in=ACTIVE_NOMINATION
            ).values("user_id")
        )
    if not (proposal.nominee_ids or proposal.nominees_of):
        return []
    clashes = (
        Nomination.objects.filter(who, status__in=ACTIVE_NOMINATION, training__status__in=BOOKED)
        .filter(_overlapping("training__", proposal.starts_at, proposal.ends_at))
        .exclude(training_id=proposal.exclude_pk)
        .select_related("user", "training", "training__organiser")
        .order_by("training__starts_at", "pk")
    )
    return [
        ConflictItem(
            message=_(
                "%(officer)s is already nominated for “%(title)s” (%(organiser)s, %(span)s) "
                "at overlapping times."
            )
            % {
                "officer": nomination.user,
                "title": nomination.training.title,
                "organiser": nomination.training.organiser,
                "span": _span(nomination.training),
            },
            kind=Kind.OFFICER_DOUBLE_BOOKED,
            training=nomination.training_id,
            url=nomination.training.get_absolute_url(),
            user=nomination.user_id,
            organisations=(nomination.training.organiser_id,),
            people=(nomination.user_id,),
        )
        for nomination in clashes
    ]


def venue_conflicts(proposal: Proposal) -> list[ConflictItem]:
    venue = proposal.venue.strip()
    if not venue or proposal.modality == Training.Modality.REMOTE:
        return []
    others = (
        Training.objects.filter(venue__iexact=venue, status__in=BOOKED)
        .exclude(modality=Training.Modality.REMOTE)
        .filter(_overlapping("", proposal.starts_at, proposal.ends_at))
        .exclude(pk=proposal.exclude_pk)
        .select_related("organiser")
        .order_by("starts_at", "pk")
    )
    return [
        ConflictItem(
            message=_(
                "%(venue)s is already booked for “%(title)s” (%(organiser)s, %(span)s) at "
                "overlapping times."
            )
            % {
                "venue": venue,
                "title": other.title,
                "organiser": other.organiser,
                "span": _span(other),
            },
            kind=Kind.VENUE_DOUBLE_BOOKED,
            training=other.pk,
            url=other.get_absolute_url(),
            organisations=(other.organiser_id,),
        )
        for other in others
    ]


def proposal_conflicts(proposal: Proposal) -> list[ConflictItem]:
    """Every conflict of the training as proposed, duplicates first."""
    return [
        *duplicate_conflicts(proposal),
        *trainer_conflicts(proposal),
        *officer_conflicts(proposal),
        *venue_conflicts(proposal),
    ]


def proposal_of(training: Training) -> Proposal:
    """The stored training as a proposal (to list its conflicts as they stand now)."""
    return Proposal(
        starts_at=training.starts_at,
        ends_at=training.ends_at,
        course_id=training.course_id,
        theme_ids=[t.pk for t in training.themes.all()],
        audience=[(row.kind, row.value) for row in training.audience.all()],
        trainer_ids=[a.trainer_id for a in training.assignments.all()],
        venue=training.venue,
        modality=training.modality,
        exclude_pk=training.pk,
        nominees_of=training.pk,
    )


def training_conflicts(training: Training) -> list[ConflictItem]:
    return proposal_conflicts(proposal_of(training))


def conflicts_from_json(items: Iterable[dict]) -> list[ConflictItem]:
    return [
        ConflictItem(
            message=item.get("message", ""),
            kind=item.get("kind", ""),
            training=item.get("training"),
            url=item.get("url", ""),
            trainer=item.get("trainer"),
            user=item.get("user"),
        )
        for item in items
    ]
