"""Settings come from the environment: embedded defaults, production parts behind variables."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "Yc4-pQ9rT2vW7xZ1bN6mK3jH8gF5dS0aL-strong-enough-for-the-settings-tests"

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "email": settings.EMAIL_BACKEND,
}))
"""


def run_settings(env: dict[str, str], code: str = PROBE) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "TASK_BACKEND", "EMAIL_URL"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "lms.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(env: dict[str, str]) -> dict:
    result = run_settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_variables_give_the_embedded_defaults():
    values = probe({})

    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"].endswith("db.sqlite3")
    assert values["layer"] == "channels.layers.InMemoryChannelLayer"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["debug"] is True


def test_production_variables_select_postgresql_redis_and_the_task_worker():
    values = probe(
        {
            "DATABASE_URL": "postgres://lms:secret@db.example:5432/lms",
            "REDIS_URL": "redis://cache.example:6379/0",
            "TASK_BACKEND": "database",
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "EMAIL_URL": "smtp+tls://user:pw@mail.example:587",
        }
    )

    assert values["db"] == "django.db.backends.postgresql"
    # the pub/sub layer by default, chosen by measurement (live/PROTOCOL.md)
    assert values["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert values["cache"] == "lms.cache.TolerantRedisCache"  # Django's, pages survive Redis down
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["debug"] is False


@pytest.mark.parametrize(
    "key", [None, "insecure-development-key-do-not-use-in-production", "short", "x" * 64]
)
def test_debug_off_refuses_to_start_without_a_real_secret_key(key):
    env = {"DEBUG": "false"}
    if key is not None:
        env["SECRET_KEY"] = key

    result = run_settings(env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unknown_task_backend_is_refused_with_the_choices():
    result = run_settings({"TASK_BACKEND": "celery"})

    assert result.returncode != 0
    assert "TASK_BACKEND must be one of ['database', 'immediate']" in result.stderr
