"""Test settings: the real settings, with only what makes the suite fast overridden.

The database, cache and channel layer still come from the environment, so the same suite
runs on SQLite + in-memory by default and on PostgreSQL + Redis when DATABASE_URL and
REDIS_URL are set (CI runs both).
"""

from lms.settings import *  # noqa: F403
from lms.settings import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Threads of async code (consumers) must not keep connections open past a test, or the
# test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0
