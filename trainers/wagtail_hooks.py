"""Wagtail admin of the trainers app.

The registry's viewsets (trainers, cohorts, certifications, deliveries) live in
trainers/registry_admin.py, grouped under the "Trainers" menu.
"""

from wagtail.snippets.models import register_snippet

from trainers.registry_admin import TrainersGroup

register_snippet(TrainersGroup)

# Certificate templates, with a PDF preview (trainers/certificates/admin.py).
from trainers.certificates.admin import CertificateTemplateViewSet  # noqa: E402

register_snippet(CertificateTemplateViewSet)
