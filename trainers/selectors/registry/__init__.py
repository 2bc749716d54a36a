"""Reads of the registry, one module per part: `status` (a certification's and a trainer's
status worked out in SQL, and the labels of statuses and languages), `search` (the registry
search and its options), `profiles` (a trainer's profile), `cohorts` (cohorts with their
figures) and `summary` (the summary page's figures and charts). Filters and counts never loop
in Python, and every function costs a fixed number of queries whatever the size of the
registry. Everything is re-exported here, so callers keep using `trainers.selectors.registry`.
"""

from trainers.selectors.registry.cohorts import (
    COHORT_PAGE_SIZE,
    CohortDetail,
    ParticipantRow,
    cohort_detail,
    cohort_list,
    cohorts_with_figures,
)
from trainers.selectors.registry.profiles import TrainerProfile, trainer_profile
from trainers.selectors.registry.search import (
    REGISTRY_PAGE_SIZE,
    RegistryFilters,
    registry_options,
    trainer_search,
    with_themes,
)
from trainers.selectors.registry.status import (
    CERTIFIED,
    NOT_CERTIFIED,
    STATUS_CHOICES,
    STATUS_FILTERS,
    STATUS_RANK,
    Status,
    certification_status_expression,
    certifications_with_status,
    language_label,
    languages,
    status_label,
    trainers_with_status,
)
from trainers.selectors.registry.summary import Bar, registry_summary

__all__ = [
    "CERTIFIED",
    "COHORT_PAGE_SIZE",
    "NOT_CERTIFIED",
    "REGISTRY_PAGE_SIZE",
    "STATUS_CHOICES",
    "STATUS_FILTERS",
    "STATUS_RANK",
    "Bar",
    "CohortDetail",
    "ParticipantRow",
    "RegistryFilters",
    "Status",
    "TrainerProfile",
    "certification_status_expression",
    "certifications_with_status",
    "cohort_detail",
    "cohort_list",
    "cohorts_with_figures",
    "language_label",
    "languages",
    "registry_options",
    "registry_summary",
    "status_label",
    "trainer_profile",
    "trainer_search",
    "trainers_with_status",
    "with_themes",
]
