"""Nominations: first come first served up to capacity, then a waiting list that moves up
by itself; confirmed participants are enrolled in the course."""

from collections.abc import Collection, Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from lms.models import User
from lms.services import notification_send
from scheduling import selectors
from scheduling.conflicts import Proposal, officer_conflicts
from scheduling.models import ConflictAcknowledgement, Nomination, Training
from scheduling.services.acknowledgements import _acknowledgement_record, _conflicts_settle
from scheduling.services.inputs import _span_text

Status = Training.Status


def _enrol(*, training: Training, users: Iterable[User]) -> None:
    if training.course_id is None:
        return
    from courses.models import Enrolment
    from courses.services import enrolment_create

    for person in users:
        enrolment_create(user=person, course=training.course, source=Enrolment.Source.SCHEDULE)


def _unenrol(*, training: Training, user: User) -> None:
    """Withdraw the course enrolment that this training made (not one the officer had)."""
    if training.course_id is None:
        return
    from courses.models import Enrolment

    Enrolment.objects.filter(
        user=user, course_id=training.course_id, source=Enrolment.Source.SCHEDULE
    ).update(status=Enrolment.Status.WITHDRAWN)


def _open_seats(training: Training) -> int:
    confirmed = training.nominations.filter(status=Nomination.Status.CONFIRMED).count()
    return max(training.capacity - confirmed, 0)


@transaction.atomic
def nomination_create(
    *,
    training: Training,
    users: Sequence[User],
    by: User,
    acknowledge_conflicts: bool = False,
    acknowledged_keys: Collection[str] | None = None,
    reason: str = "",
) -> list[Nomination]:
    """Nominate officers for a confirmed training (or register oneself where allowed).

    Seats go first come, first served: confirmed while the capacity lasts (and enrolled in
    the course), then on the waiting list. Officers already nominated for an overlapping
    training are a conflict, raised unless acknowledged with a reason.
    """
    training = Training.objects.select_for_update().get(pk=training.pk)
    users = list(dict.fromkeys(users))
    if not users:
        raise ServiceError(_("Name at least one officer."))
    if len(users) > settings.NOMINATION_BATCH_MAX:
        raise ServiceError(
            _("At most %(max)s officers at a time.") % {"max": settings.NOMINATION_BATCH_MAX}
        )
    if training.status != Status.CONFIRMED:
        raise ServiceError(_("Nominations open once the Academy has confirmed the training."))
    if training.ends_at <= timezone.now():
        raise ServiceError(_("This training is over."))
    scope = selectors.nomination_scope(by, training)
    self_registering = users == [by]
    if self_registering and scope is None:
        if not training.self_registration:
            raise NotAllowed(_("Officers are nominated for this training by their unit."))
    elif scope is None:
        raise NotAllowed(_("You may not nominate officers for this training."))
    elif scope == "own":
        foreign = [
            u
            for u in users
            if u.organisation_id is None
            or (
                u.organisation_id != by.organisation_id
                and u.organisation.parent_id != by.organisation_id
            )
        ]
        if foreign:
            raise NotAllowed(
                _("You may only nominate officers of your own unit."),
                [ErrorItem(field="users", message=str(u)) for u in foreign],
            )
    inactive = [u for u in users if not u.is_active]
    if inactive:
        raise ServiceError(
            _("Deactivated accounts cannot be nominated."),
            [ErrorItem(field="users", message=u.username) for u in inactive],
        )
    current = {n.user_id: n for n in training.nominations.filter(user__in=users)}
    fresh = [
        u
        for u in users
        if u.pk not in current or current[u.pk].status not in selectors.ACTIVE_NOMINATION
    ]
    conflicts = (
        officer_conflicts(
            Proposal(
                starts_at=training.starts_at,
                ends_at=training.ends_at,
                exclude_pk=training.pk,
                nominee_ids=[u.pk for u in fresh],
            )
        )
        if fresh
        else []
    )
    _conflicts_settle(
        conflicts=conflicts,
        acknowledge=acknowledge_conflicts,
        acknowledged_keys=acknowledged_keys,
        reason=reason,
    )
    seats = _open_seats(training)
    confirmed, waitlisted, result = [], [], []
    for person in users:
        nomination = current.get(person.pk)
        if nomination is not None and nomination.status in selectors.ACTIVE_NOMINATION:
            result.append(nomination)
            continue
        status = Nomination.Status.CONFIRMED if seats > 0 else Nomination.Status.WAITLISTED
        seats -= status == Nomination.Status.CONFIRMED
        if nomination is None:
            nomination = Nomination(training=training, user=person)
        nomination.status = status
        nomination.nominated_by = by
        if nomination.pk:
            nomination.created_at = timezone.now()  # back of the queue
        nomination.save()
        (confirmed if status == Nomination.Status.CONFIRMED else waitlisted).append(person)
        result.append(nomination)
    _enrol(training=training, users=confirmed)
    span = _span_text(training)
    if confirmed:
        notification_send(
            users=confirmed,
            subject=_("You have a place in “%(title)s”") % {"title": training.title},
            body=_("%(span)s. The live sessions are in your calendar feed.") % {"span": span},
            url=training.get_absolute_url(),
        )
    if waitlisted:
        notification_send(
            users=waitlisted,
            subject=_("You are on the waiting list of “%(title)s”") % {"title": training.title},
            body=_("%(span)s. You move up automatically when a place frees up.") % {"span": span},
            url=training.get_absolute_url(),
        )
    _acknowledgement_record(
        training=training,
        action=ConflictAcknowledgement.Action.NOMINATE,
        conflicts=conflicts,
        reason=reason,
        by=by,
    )
    return result


def _waitlist_promote(*, training: Training) -> list[Nomination]:
    """Fill the free seats from the waiting list, first come first served."""
    seats = _open_seats(training)
    if seats <= 0:
        return []
    moving = list(
        training.nominations.select_related("user")
        .filter(status=Nomination.Status.WAITLISTED)
        .order_by("created_at", "pk")[:seats]
    )
    if not moving:
        return []
    Nomination.objects.filter(pk__in=[n.pk for n in moving]).update(
        status=Nomination.Status.CONFIRMED, updated_at=timezone.now()
    )
    people = [n.user for n in moving]
    _enrol(training=training, users=people)
    notification_send(
        users=people,
        subject=_("A place freed up: you are in “%(title)s”") % {"title": training.title},
        body=_("%(span)s. The live sessions are in your calendar feed.")
        % {"span": _span_text(training)},
        url=training.get_absolute_url(),
    )
    for nomination in moving:
        nomination.status = Nomination.Status.CONFIRMED
    return moving


def _nomination_end(*, nomination: Nomination, by: User, status: str) -> Nomination:
    training = Training.objects.select_for_update().get(pk=nomination.training_id)
    nomination = Nomination.objects.select_related("user").get(pk=nomination.pk)
    if nomination.status not in selectors.ACTIVE_NOMINATION:
        raise ServiceError(_("This nomination is no longer active."))
    if training.status in (Status.COMPLETED, Status.CANCELLED):
        raise ServiceError(_("This training is over."))
    was_confirmed = nomination.status == Nomination.Status.CONFIRMED
    nomination.status = status
    nomination.save(update_fields=["status", "updated_at"])
    if was_confirmed:
        _unenrol(training=training, user=nomination.user)
        _waitlist_promote(training=training)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, by: User) -> Nomination:
    """The officer (or whoever may nominate them) withdraws; the waiting list moves up."""
    training = nomination.training
    if by.pk != nomination.user_id and selectors.nomination_scope(by, training) is None:
        raise NotAllowed(_("You may not withdraw this nomination."))
    return _nomination_end(nomination=nomination, by=by, status=Nomination.Status.WITHDRAWN)


@transaction.atomic
def nomination_decline(*, nomination: Nomination, by: User) -> Nomination:
    """The organiser's coordinators (or an administrator) decline a nomination."""
    training = nomination.training
    if selectors.nomination_scope(by, training) != "any":
        raise NotAllowed(_("Only the organisers decline nominations."))
    nomination = _nomination_end(nomination=nomination, by=by, status=Nomination.Status.DECLINED)
    notification_send(
        users=[nomination.user],
        subject=_("Your nomination for “%(title)s” was declined") % {"title": training.title},
        url=training.get_absolute_url(),
    )
    return nomination
