"""Conflicts on the way to a write: raised unless acknowledged with a reason, which is
recorded, announced on the board and sent to the other parties."""

from collections.abc import Collection

from django.db.models import Q
from django.utils.translation import gettext as _

from lms.exceptions import ErrorItem, ServiceError
from lms.models import AuditEvent, User
from lms.roles import Role
from lms.services import audit_record, notification_send
from scheduling.conflicts import ConflictItem, TrainingConflicts, proposal_conflicts
from scheduling.coordination import EventKind, event_publish
from scheduling.models import ConflictAcknowledgement, Training
from scheduling.services.inputs import TrainingInput, _check, _proposal

Status = Training.Status


def training_conflicts_preview(
    *, data: TrainingInput, training: Training | None = None
) -> list[ConflictItem]:
    """The conflicts the training would have as given (nothing is written)."""
    return proposal_conflicts(_proposal(_check(data), training))


def _conflicts_settle(
    *,
    conflicts: list[ConflictItem],
    acknowledge: bool,
    acknowledged_keys: Collection[str] | None,
    reason: str,
) -> None:
    """Raise the conflicts unless acknowledged (all of them, or the ones the user saw)."""
    if not conflicts:
        return
    unseen = (
        [c for c in conflicts if c.key not in acknowledged_keys]
        if acknowledged_keys is not None
        else []
    )
    if not acknowledge or unseen:
        raise TrainingConflicts(
            _("This clashes with the calendar: check the conflicts, then go ahead with a reason.")
            if not unseen or not acknowledge
            else _("New conflicts appeared since you looked: check them again."),
            list(conflicts),
        )
    if not reason.strip():
        raise ServiceError(
            _("Say why you go ahead despite the conflicts."),
            [ErrorItem(field="reason", message=_("A reason is required."))],
        )


def _acknowledgement_record(
    *, training: Training, action: str, conflicts: list[ConflictItem], reason: str, by: User
) -> ConflictAcknowledgement | None:
    if not conflicts:
        return None
    items = [c.as_dict() for c in conflicts]
    acknowledgement = ConflictAcknowledgement.objects.create(
        training=training, action=action, conflicts=items, reason=reason.strip(), by=by
    )
    audit_record(
        action=AuditEvent.Action.CONFLICTS_ACKNOWLEDGED,
        actor=by,
        target=f"training {training.pk} ({training.title})",
        detail={"action": action, "reason": reason.strip(), "conflicts": len(items)},
    )
    if training.status != Status.DRAFT:
        event_publish(kind=EventKind.CONFLICTS, training=training, conflicts=items)
    _conflict_parties_notify(training=training, conflicts=conflicts, reason=reason, by=by)
    return acknowledgement


def _conflict_parties_notify(
    *, training: Training, conflicts: list[ConflictItem], reason: str, by: User
) -> None:
    """Tell the other side of each conflict: the coordinators of the organisations whose
    trainings clash, the trainers and officers concerned (not the one who went ahead)."""
    organisations = {org for c in conflicts for org in c.organisations}
    people = {person for c in conflicts for person in c.people}
    if not organisations and not people:
        return
    recipients = (
        User.objects.filter(
            Q(organisation_id__in=organisations, groups__name=Role.PARTNER.value)
            | Q(pk__in=people),
            is_active=True,
        )
        .exclude(pk=by.pk)
        .distinct()
    )
    body = "\n".join(
        [
            _("%(who)s went ahead with “%(title)s” (%(organiser)s) despite these conflicts:")
            % {
                "who": by.get_full_name() or by.username,
                "title": training.title,
                "organiser": training.organiser,
            },
            *(f"- {c.message}" for c in conflicts),
            _("Their reason: %(reason)s") % {"reason": reason.strip()},
        ]
    )
    notification_send(
        users=recipients,
        subject=_("Possible clash on the training calendar: %(title)s") % {"title": training.title},
        body=body,
        url=training.get_absolute_url(),
    )
