import re

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses.scorm.content_views import content_urlpatterns as scorm_content_urls
from lms import views
from lms.api import api
from trainers.views.certificates import verify_urlpatterns as certificate_verify_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/security/", views.account_security, name="account_security"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("language/", views.language_switch, name="language_switch"),
    path("learn/", include("courses.urls")),
    path("quizzes/", include("assessments.urls")),
    path("trainers/", include("trainers.urls")),
    path("trainings/", include("scheduling.urls")),
    path("live/", include("live.urls")),
    *certificate_verify_urls,  # /verify/ and /verify/<code>/: public certificate verification
    *scorm_content_urls,  # /scorm-content/: package files and the SCORM runtime page
    path("api/v1/", api.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    # Only the public part of MEDIA_ROOT, as the proxy serves it in production
    # (docker/Caddyfile): image renditions and originals. SCORM packages, documents and
    # certificates are served by their views, which check who may read them.
    from django.views.static import serve

    public_media = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(
            rf"^{re.escape(public_media)}(?P<path>(?:images|original_images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# Wagtail serves the page tree (the course catalogue) at every other path.
urlpatterns.append(path("", include(wagtail_urls)))
