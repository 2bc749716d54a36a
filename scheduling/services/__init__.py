"""Writes of the scheduling app: propose, change, approve, send back, cancel and complete a
training; nominate, withdraw and decline; calendar feed addresses.

Every write is atomic; the coordination board hears of it after the commit
(scheduling.coordination.event_publish), and notifications go out the same way.
"""

from scheduling.services.acknowledgements import training_conflicts_preview
from scheduling.services.feeds import calendar_feed_get, calendar_feed_regenerate
from scheduling.services.inputs import SessionInput, TrainingInput
from scheduling.services.nominations import (
    nomination_create,
    nomination_decline,
    nomination_withdraw,
)
from scheduling.services.trainings import (
    training_approve,
    training_cancel,
    training_complete,
    training_propose,
    training_send_back,
    training_update,
)

__all__ = [
    "SessionInput",
    "TrainingInput",
    "calendar_feed_get",
    "calendar_feed_regenerate",
    "nomination_create",
    "nomination_decline",
    "nomination_withdraw",
    "training_approve",
    "training_cancel",
    "training_complete",
    "training_conflicts_preview",
    "training_propose",
    "training_send_back",
    "training_update",
]
