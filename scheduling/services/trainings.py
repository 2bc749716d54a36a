"""Trainings: propose, change, approve, send back, cancel, complete."""

from collections.abc import Collection, Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ErrorItem, NotAllowed, ServiceError
from lms.models import AuditEvent, Organisation, User
from lms.roles import Role
from lms.services import audit_record, notification_send
from scheduling import selectors
from scheduling.conflicts import proposal_conflicts
from scheduling.coordination import EventKind, event_publish
from scheduling.models import (
    ConflictAcknowledgement,
    Nomination,
    Training,
    TrainingAudience,
    TrainingSession,
    TrainingTrainer,
)
from scheduling.services.acknowledgements import _acknowledgement_record, _conflicts_settle
from scheduling.services.inputs import TrainingInput, _check, _proposal, _span_text
from scheduling.services.nominations import _waitlist_promote

Status = Training.Status


def _may_organise(*, user: User, organiser: Organisation) -> None:
    if selectors.is_admin(user):
        return
    if selectors.is_coordinator(user) and user.organisation_id == organiser.pk:
        return
    if selectors.is_coordinator(user):
        raise NotAllowed(
            _("You may only propose trainings for your own organisation."),
            [ErrorItem(field="organiser", message=_("Choose your own organisation."))],
        )
    raise NotAllowed(_("Only partner coordinators and administrators propose trainings."))


def _save_relations(*, training: Training, data: TrainingInput, created: bool) -> tuple[list, bool]:
    """Themes, co-organisers, trainers, audience and sessions; returns the newly assigned
    trainers and whether any session changed."""
    training.themes.set(data.themes)
    training.co_organisers.set(data.co_organisers)
    current = {} if created else {a.trainer_id: a for a in training.assignments.all()}
    wanted = {trainer.pk: trainer for trainer in data.trainers}
    TrainingTrainer.objects.filter(training=training).exclude(trainer_id__in=wanted).delete()
    new_trainers = []
    for position, trainer in enumerate(data.trainers):
        role = TrainingTrainer.Role.LEAD if position == 0 else TrainingTrainer.Role.CO
        assignment = current.get(trainer.pk)
        if assignment is None:
            TrainingTrainer.objects.create(training=training, trainer=trainer, role=role)
            new_trainers.append(trainer)
        elif assignment.role != role:
            assignment.role = role
            assignment.save(update_fields=["role"])
    TrainingAudience.objects.filter(training=training).delete()
    TrainingAudience.objects.bulk_create(
        TrainingAudience(training=training, kind=kind, value=value) for kind, value in data.audience
    )
    sessions_changed = False
    if data.sessions is not None:
        existing = {} if created else {s.pk: s for s in training.sessions.all()}
        by_start = {s.starts_at: s for s in existing.values()}
        kept = set()
        for item in data.sessions:
            session = existing.get(item.id) if item.id else by_start.get(item.starts_at)
            if session is not None and session.pk in kept:
                session = None
            if session is None:
                session = TrainingSession(training=training)
                sessions_changed = True
            fields = {
                "starts_at": item.starts_at,
                "duration_minutes": item.duration_minutes,
                "title": item.title.strip()[:200],
                "external_room_url": item.external_room_url,
            }
            if any(getattr(session, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(session, name, value)
                session.save()
                sessions_changed = True
            kept.add(session.pk)
        gone = [pk for pk in existing if pk not in kept]
        if gone:
            TrainingSession.objects.filter(pk__in=gone).delete()
            sessions_changed = True
    return new_trainers, sessions_changed


def _trainers_notify(*, training: Training, trainers: Iterable) -> None:
    users = [t.user for t in trainers if t.user_id and t.user.is_active]
    if users:
        notification_send(
            users=users,
            subject=_("You are assigned to teach “%(title)s”") % {"title": training.title},
            body=_("%(organiser)s assigned you as a trainer, %(span)s.")
            % {"organiser": training.organiser, "span": _span_text(training)},
            url=training.get_absolute_url(),
        )


@transaction.atomic
def training_propose(
    *,
    user: User,
    data: TrainingInput,
    draft: bool = False,
    acknowledge_conflicts: bool = False,
    acknowledged_keys: Collection[str] | None = None,
    reason: str = "",
) -> Training:
    """A partner coordinator (for their organisation) or an administrator puts a training
    on the calendar, proposed to the Academy (or kept as a draft).

    A proposal that clashes with the calendar raises `TrainingConflicts` listing every
    conflict, unless acknowledged with a reason, which is recorded.
    """
    _may_organise(user=user, organiser=data.organiser)
    data = _check(data)
    conflicts = [] if draft else proposal_conflicts(_proposal(data, None))
    _conflicts_settle(
        conflicts=conflicts,
        acknowledge=acknowledge_conflicts,
        acknowledged_keys=acknowledged_keys,
        reason=reason,
    )
    training = Training.objects.create(
        title=data.title,
        course=data.course,
        organiser=data.organiser,
        modality=data.modality,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        time_zone=data.time_zone,
        venue=data.venue,
        remote_url=data.remote_url,
        capacity=data.capacity,
        self_registration=data.self_registration,
        status=Status.DRAFT if draft else Status.PROPOSED,
        proposed_by=user,
    )
    new_trainers, _changed = _save_relations(training=training, data=data, created=True)
    if not draft:
        event_publish(kind=EventKind.PROPOSED, training=training)
        _trainers_notify(training=training, trainers=new_trainers)
    _acknowledgement_record(
        training=training,
        action=ConflictAcknowledgement.Action.PROPOSE,
        conflicts=conflicts,
        reason=reason,
        by=user,
    )
    return training


CALENDAR_FIELDS = ("starts_at", "ends_at", "time_zone", "venue", "remote_url", "modality")


@transaction.atomic
def training_update(
    *,
    user: User,
    training: Training,
    data: TrainingInput,
    submit: bool = False,
    acknowledge_conflicts: bool = False,
    acknowledged_keys: Collection[str] | None = None,
    reason: str = "",
) -> Training:
    """Change a draft, proposed or confirmed training (its organiser's coordinators or an
    administrator); `submit` proposes a draft. Conflicts as for a proposal."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not selectors.can_manage(user, training):
        raise NotAllowed(_("Only the organiser's coordinators and administrators change it."))
    if training.status not in (Status.DRAFT, Status.PROPOSED, Status.CONFIRMED):
        raise ServiceError(_("A cancelled or completed training cannot be changed."))
    if data.organiser.pk != training.organiser_id:
        _may_organise(user=user, organiser=data.organiser)
    data = _check(data)
    status = Status.PROPOSED if submit and training.status == Status.DRAFT else training.status
    conflicts = [] if status == Status.DRAFT else proposal_conflicts(_proposal(data, training))
    _conflicts_settle(
        conflicts=conflicts,
        acknowledge=acknowledge_conflicts,
        acknowledged_keys=acknowledged_keys,
        reason=reason,
    )
    confirmed = training.nominations.filter(status=Nomination.Status.CONFIRMED).count()
    if data.capacity < confirmed:
        raise ServiceError(
            _("%(n)s participants are confirmed already: the capacity cannot be lower.")
            % {"n": confirmed},
            [ErrorItem(field="capacity", message=_("At least %(n)s.") % {"n": confirmed})],
        )
    before = {name: getattr(training, name) for name in CALENDAR_FIELDS}
    was = training.status
    for name in (
        "title",
        "course",
        "organiser",
        "modality",
        "starts_at",
        "ends_at",
        "time_zone",
        "venue",
        "remote_url",
        "capacity",
        "self_registration",
    ):
        setattr(training, name, getattr(data, name))
    training.status = status
    new_trainers, sessions_changed = _save_relations(training=training, data=data, created=False)
    moved = sessions_changed or any(getattr(training, n) != v for n, v in before.items())
    if moved:
        training.sequence += 1
    training.save()
    if moved and training.status == Status.CONFIRMED:
        _participants_notify_change(training=training, by=user)
    if status != Status.DRAFT:
        event_publish(
            kind=EventKind.PROPOSED if was == Status.DRAFT else EventKind.UPDATED,
            training=training,
        )
        _trainers_notify(training=training, trainers=new_trainers)
    _acknowledgement_record(
        training=training,
        action=ConflictAcknowledgement.Action.UPDATE,
        conflicts=conflicts,
        reason=reason,
        by=user,
    )
    if training.status == Status.CONFIRMED:
        _waitlist_promote(training=training)
    return training


def _participants_notify_change(*, training: Training, by: User) -> None:
    """Tell the officers nominated for a confirmed training that its times or place moved."""
    people = User.objects.filter(
        pk__in=training.nominations.filter(status__in=selectors.ACTIVE_NOMINATION).values(
            "user_id"
        ),
        is_active=True,
    ).exclude(pk=by.pk)
    notification_send(
        users=people,
        subject=_("“%(title)s” has changed") % {"title": training.title},
        body=_("Now %(span)s. Your calendar feed shows the new times.")
        % {"span": _span_text(training)},
        url=training.get_absolute_url(),
    )


def _organiser_coordinators(training: Training):
    return User.objects.filter(
        organisation_id=training.organiser_id, groups__name=Role.PARTNER.value, is_active=True
    )


@transaction.atomic
def training_approve(*, user: User, training: Training) -> Training:
    """The Academy confirms a proposed training: nominations open."""
    if not selectors.is_academy(user):
        raise NotAllowed(_("Only the Academy approves trainings."))
    training = Training.objects.select_for_update().get(pk=training.pk)
    if training.status != Status.PROPOSED:
        raise ServiceError(_("Only a proposed training can be approved."))
    training.status = Status.CONFIRMED
    training.approved_by = user
    training.approved_at = timezone.now()
    training.sequence += 1
    training.save()
    event_publish(kind=EventKind.CONFIRMED, training=training)
    notification_send(
        users=_organiser_coordinators(training),
        subject=_("“%(title)s” is confirmed") % {"title": training.title},
        body=_("The Academy approved the training: nominations are open."),
        url=training.get_absolute_url(),
    )
    trainers = [a.trainer for a in training.assignments.select_related("trainer__user")]
    users = [t.user for t in trainers if t.user_id]
    if users:
        notification_send(
            users=users,
            subject=_("“%(title)s”, which you teach, is confirmed") % {"title": training.title},
            body=_span_text(training),
            url=training.get_absolute_url(),
        )
    audit_record(
        action=AuditEvent.Action.TRAINING_APPROVED,
        actor=user,
        target=f"training {training.pk} ({training.title})",
        detail={},
    )
    return training


@transaction.atomic
def training_send_back(*, user: User, training: Training, note: str) -> Training:
    """The Academy returns a proposal to its organiser as a draft, saying what to change."""
    if not selectors.is_academy(user):
        raise NotAllowed(_("Only the Academy sends proposals back."))
    if not note.strip():
        raise ServiceError(
            _("Say what the organiser should change."),
            [ErrorItem(field="note", message=_("A note is required."))],
        )
    training = Training.objects.select_for_update().get(pk=training.pk)
    if training.status != Status.PROPOSED:
        raise ServiceError(_("Only a proposed training can be sent back."))
    training.status = Status.DRAFT
    training.review_note = note.strip()
    training.sequence += 1
    training.save()
    event_publish(kind=EventKind.SENT_BACK, training=training)
    notification_send(
        users=_organiser_coordinators(training),
        subject=_("“%(title)s” was sent back") % {"title": training.title},
        body=note.strip(),
        url=training.get_absolute_url(),
    )
    audit_record(
        action=AuditEvent.Action.TRAINING_SENT_BACK,
        actor=user,
        target=f"training {training.pk} ({training.title})",
        detail={"note": note},
    )
    return training


@transaction.atomic
def training_cancel(*, user: User, training: Training, reason: str = "") -> Training:
    """Cancel a training: its participants and trainers are told, calendars show it
    cancelled."""
    training = Training.objects.select_for_update().get(pk=training.pk)
    if not selectors.can_manage(user, training):
        raise NotAllowed(_("Only the organiser's coordinators and administrators cancel it."))
    if training.status not in (Status.DRAFT, Status.PROPOSED, Status.CONFIRMED):
        raise ServiceError(_("This training cannot be cancelled any more."))
    was = training.status
    training.status = Status.CANCELLED
    training.cancel_reason = reason.strip()
    training.sequence += 1
    training.save()
    if was != Status.DRAFT:
        event_publish(kind=EventKind.CANCELLED, training=training)
    people = list(
        User.objects.filter(
            Q(
                pk__in=training.nominations.filter(status__in=selectors.ACTIVE_NOMINATION).values(
                    "user_id"
                )
            )
            | Q(pk__in=training.assignments.values("trainer__user_id")),
            is_active=True,
        ).exclude(pk=user.pk)
    )
    if people:
        notification_send(
            users=people,
            subject=_("“%(title)s” is cancelled") % {"title": training.title},
            body=reason.strip(),
            url=training.get_absolute_url(),
        )
    audit_record(
        action=AuditEvent.Action.TRAINING_CANCELLED,
        actor=user,
        target=f"training {training.pk} ({training.title})",
        detail={"reason": reason},
    )
    return training


@transaction.atomic
def training_complete(
    *, user: User, training: Training, participants_reached: int | None = None
) -> Training:
    """Mark a confirmed training that has started as delivered; each assigned trainer's
    registry record gets the delivery with the participants it reached."""
    from trainers.services.registry import delivery_record  # written by the trainers app

    training = Training.objects.select_for_update().get(pk=training.pk)
    if not selectors.can_manage(user, training):
        raise NotAllowed(_("Only the organiser's coordinators and administrators complete it."))
    if training.status != Status.CONFIRMED:
        raise ServiceError(_("Only a confirmed training can be completed."))
    if training.starts_at > timezone.now():
        raise ServiceError(_("The training has not started yet."))
    if participants_reached is None:
        participants_reached = training.nominations.filter(
            status=Nomination.Status.CONFIRMED
        ).count()
    if participants_reached < 0:
        raise ServiceError(
            _("The number of participants cannot be negative."),
            [ErrorItem(field="participants_reached", message=_("0 or more."))],
        )
    training.status = Status.COMPLETED
    training.participants_reached = participants_reached
    training.sequence += 1
    training.save()
    start = timezone.localtime(training.starts_at).date()
    end = timezone.localtime(training.ends_at - timedelta(microseconds=1)).date()
    for assignment in training.assignments.select_related("trainer"):
        delivery_record(
            trainer=assignment.trainer,
            title=training.title,
            start_date=start,
            end_date=max(start, end),
            participants_reached=participants_reached,
            course=training.course,
            source=f"training:{training.pk}",
        )
    event_publish(kind=EventKind.COMPLETED, training=training)
    return training
