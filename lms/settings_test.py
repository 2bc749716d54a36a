"""Test settings: the real settings, with only what makes the suite fast overridden.

The database, cache and channel layer still come from the environment, so the same suite
runs on SQLite + in-memory by default and on PostgreSQL + Redis when DATABASE_URL and
REDIS_URL are set (CI runs both).
"""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from lms.settings import *  # noqa: F403
from lms.settings import BASE_DIR, CACHES, CHANNEL_LAYERS, DATABASES, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# pytest-xdist runs the suite in several processes (`make test`): each has its own media
# folder and Redis database (the database gets its own name from pytest-django), so that
# files named after row ids and `cache.clear()` stay within one worker.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_NUMBER = int(_WORKER[2:]) if _WORKER.startswith("gw") else 0
MEDIA_ROOT = BASE_DIR / "test-artifacts" / f"media{'-' + _WORKER if _WORKER else ''}"
if REDIS_URL and _WORKER:
    # Redis' pub/sub channels are the same in every database: a prefix of its own too
    # (the servers tests start keep the settings' own).
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{_WORKER}"
if REDIS_URL and _WORKER_NUMBER:
    _redis = urlsplit(REDIS_URL)
    _database = int(_redis.path.strip("/") or 0) - _WORKER_NUMBER
    if _database < 0:
        raise ImproperlyConfigured("REDIS_URL's database number is too small for the workers.")
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_database}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    for _host in CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:
        _host["address"] = REDIS_URL
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
WAGTAILADMIN_BASE_URL = "http://testserver"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test's commits need not wait for the disk (the test database is thrown away).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
# Threads of async code (consumers) must not keep connections open past a test, or the
# test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0
