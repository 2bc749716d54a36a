"""Writes of the registry, one module per part: `cohorts` (ToT cohorts and their
participants' outcomes), `certifications` (granting, renewing, suspending and revoking, with
their history), `trainers` (trainer entries, their languages and specialisations, and the
trainings they delivered) and `reminders` (certification expiry reminders); the CSV import is
in `trainers.services.registry_import`. Every function is keyword-only and atomic: a
`ServiceError` leaves nothing behind. Everything is re-exported here, so callers keep using
`trainers.services.registry`.
"""

from trainers.services.registry.certifications import (
    MY_PROFILE_URL,
    STATE_NOTES,
    add_months,
    certification_grant,
    certification_renew,
    certification_set_state,
)
from trainers.services.registry.cohorts import (
    COHORT_FIELDS,
    cohort_add_participants,
    cohort_certify_participants,
    cohort_create,
    cohort_set_outcome,
    cohort_update,
)
from trainers.services.registry.reminders import ReminderResult, certification_reminders_send
from trainers.services.registry.trainers import (
    delivery_record,
    trainer_languages,
    trainer_match,
    trainer_set_languages,
    trainer_upsert,
)

__all__ = [
    "COHORT_FIELDS",
    "MY_PROFILE_URL",
    "STATE_NOTES",
    "ReminderResult",
    "add_months",
    "certification_grant",
    "certification_reminders_send",
    "certification_renew",
    "certification_set_state",
    "cohort_add_participants",
    "cohort_certify_participants",
    "cohort_create",
    "cohort_set_outcome",
    "cohort_update",
    "delivery_record",
    "trainer_languages",
    "trainer_match",
    "trainer_set_languages",
    "trainer_upsert",
]
