"""Pages under /trainers/: the registry and the certificates' private pages.

The public verification page is at /verify/<code>/ (lms/urls.py).
"""

from trainers.views.certificates import urlpatterns as certificate_urls
from trainers.views.registry import urlpatterns as registry_urls

app_name = "trainers"
urlpatterns = [*registry_urls, *certificate_urls]
