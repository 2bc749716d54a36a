"""Fixtures for the assessments tests: test material written by others in ../shared/fixtures."""

from collections.abc import Callable
from pathlib import Path

import pytest

SHARED_FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def shared_fixture_path(path: str) -> Path:
    """The file ``path`` (relative to ../shared/fixtures); skips when that folder is absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(
            f"shared test material not found at {SHARED_FIXTURES} "
            "(CI has it; a clone without ../shared/fixtures skips these tests)"
        )
    full = SHARED_FIXTURES / path
    if not full.is_file():
        pytest.fail(f"{full} is listed in the tests but missing from the shared fixtures")
    return full


@pytest.fixture
def shared_fixture() -> Callable[[str], Path]:
    """``shared_fixture("gift/moodle-core/examples.txt")`` → its path, or skip without it."""
    return shared_fixture_path


def shared_folder_files(folder: str) -> set[str]:
    """Every file under ``../shared/fixtures/<folder>`` except SOURCES.md, as relative paths
    (empty when the shared folder is absent)."""
    root = SHARED_FIXTURES / folder
    if not root.is_dir():
        return set()
    return {
        str(path.relative_to(SHARED_FIXTURES))
        for path in root.rglob("*")
        if path.is_file() and path.name != "SOURCES.md"
    }
