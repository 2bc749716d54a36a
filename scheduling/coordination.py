"""The coordination board's events: stored with a sequence number, sent after the commit.

`event_publish` is the only way an event is made. It stores a `CoordinationEvent` in the
caller's transaction (its primary key is the sequence number) and, once that transaction
commits, sends it to every board over the channel layer group `GROUP`. A client that missed
some (a dropped connection) asks for the events after the last sequence number it saw;
the table is the source of truth. Message types: scheduling/PROTOCOL.md.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from scheduling.models import CoordinationEvent, Training

logger = logging.getLogger(__name__)

GROUP = "coordination"


def group_name() -> str:
    """The channel layer group every coordination board joins."""
    return GROUP


class EventKind:
    PROPOSED = "training.proposed"
    UPDATED = "training.updated"
    CONFIRMED = "training.confirmed"
    SENT_BACK = "training.sent_back"
    CANCELLED = "training.cancelled"
    COMPLETED = "training.completed"
    CONFLICTS = "conflicts.detected"


def training_summary(training: Training) -> dict:
    """What a board needs to place a training on the calendar."""
    return {
        "id": training.pk,
        "title": training.title,
        "status": training.status,
        "organiser": str(training.organiser),
        "organiser_id": training.organiser_id,
        "modality": training.modality,
        "starts_at": timezone.localtime(training.starts_at).isoformat(),
        "ends_at": timezone.localtime(training.ends_at).isoformat(),
        "url": training.get_absolute_url(),
    }


def event_message(event: CoordinationEvent) -> dict:
    """The JSON message of an event, as sent live and as replayed on resume."""
    return {
        "type": "event",
        "seq": event.pk,
        "kind": event.kind,
        "at": timezone.localtime(event.created_at).isoformat(),
        **event.payload,
    }


def _send(message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            group_name(), {"type": "coordination.event", "message": message}
        )
    except Exception:  # a board that misses a message catches up on resume
        logger.exception("could not send coordination event %s", message.get("seq"))


def event_publish(
    *, kind: str, training: Training | None, conflicts: list[dict] | None = None
) -> CoordinationEvent:
    """Store the event now; send it to the boards after the transaction commits."""
    payload: dict = {}
    if training is not None:
        payload["training"] = training_summary(training)
    if conflicts is not None:
        payload["conflicts"] = conflicts
    event = CoordinationEvent.objects.create(kind=kind, training=training, payload=payload)
    message = event_message(event)
    transaction.on_commit(lambda: _send(message))
    return event
