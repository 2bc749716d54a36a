"""Trainer registry (cohorts, trainers, certifications, deliveries) and certificates."""

from trainers.models.certificates import Certificate, CertificateIssueJob, CertificateTemplate
from trainers.models.registry import (
    Certification,
    CertificationRenewal,
    Cohort,
    CohortParticipant,
    Delivery,
    Gender,
    Trainer,
    TrainerLanguage,
)

__all__ = [
    "Certificate",
    "CertificateIssueJob",
    "CertificateTemplate",
    "Certification",
    "CertificationRenewal",
    "Cohort",
    "CohortParticipant",
    "Delivery",
    "Gender",
    "Trainer",
    "TrainerLanguage",
]
