"""The production stack in docker/: every service has what it needs to start."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
APP_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "EMAIL_URL",
    "MEDIA_ROOT",
    "TASK_BACKEND",
}
EXAMPLE_ENV = {
    "SECRET_KEY": "vJ3q8-Zr0pLk2m9XwT4sYb7nQe1uHc6dGf5aRi0oKj2lMn4bVx8zCy3tWq7eRs",
    "POSTGRES_PASSWORD": "pg-secret",
    "SITE_HOST": "academy.example.org",
}


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?message} forms."""

    def replace(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in variables:
            return variables[name]
        if op == ":-":
            return rest
        raise KeyError(f"{name} is required: {rest}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, value)


def load_compose() -> dict:
    if shutil.which("docker") and (
        subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        result = subprocess.run(
            ["docker", "compose", "-f", str(COMPOSE), "config", "--format", "json"],
            env={**os.environ, **EXAMPLE_ENV},
            capture_output=True,
            text=True,
            check=True,
        )
        return yaml.safe_load(result.stdout)
    config = yaml.safe_load(COMPOSE.read_text())
    for service in config["services"].values():
        environment = service.get("environment", {})
        service["environment"] = {
            key: interpolate(str(value), EXAMPLE_ENV) for key, value in environment.items()
        }
    return config


def test_compose_has_every_production_part():
    services = load_compose()["services"]

    assert {"db", "redis", "web", "worker", "proxy", "migrate"} <= set(services)
    assert "db_worker" in services["worker"]["command"]
    assert "uvicorn" in " ".join(
        yaml.safe_load((ROOT / "docker" / "Dockerfile").read_text().split("CMD", 1)[1])
    )


@pytest.mark.parametrize("name", ["web", "worker", "migrate"])
def test_every_application_service_gets_the_whole_environment(name):
    environment = load_compose()["services"][name]["environment"]

    missing = APP_VARIABLES - set(environment)
    assert not missing, f"{name} lacks {sorted(missing)}"
    assert environment["DEBUG"] == "false"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")


def test_compose_refuses_to_start_without_the_secrets():
    config = yaml.safe_load(COMPOSE.read_text())
    environment = config["services"]["web"]["environment"]

    with pytest.raises(KeyError, match="SECRET_KEY"):
        interpolate(environment["SECRET_KEY"], {})


def test_check_deploy_is_clean_with_the_production_environment():
    environment = load_compose()["services"]["web"]["environment"]
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        **{key: str(value) for key, value in environment.items()},
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "MEDIA_ROOT": str(ROOT / "test-artifacts" / "media"),
        "STATIC_ROOT": str(ROOT / "test-artifacts" / "static"),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_image_installs_what_weasyprint_and_urdu_certificates_need():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()

    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-noto-core"):
        assert package in dockerfile
