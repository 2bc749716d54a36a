"""Fixtures for the courses tests that need no database (SCORM engine)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

SHARED_FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def _locate(relative: str) -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(
            f"the shared test material is not here ({SHARED_FIXTURES} is missing); "
            "CI has it, a bare clone of the repository does not"
        )
    path = SHARED_FIXTURES / relative
    if not path.exists():
        pytest.fail(f"{relative} is listed in the tests but not in {SHARED_FIXTURES}")
    return path


@pytest.fixture
def shared_fixture() -> Callable[[str], Path]:
    """``shared_fixture("scorm12/RuntimeBasicCalls_SCORM12.zip")`` → its path, or skip.

    The tests are skipped with a clear reason when ``../shared/fixtures`` is absent.
    """
    return _locate


@pytest.fixture
def shared_fixtures_root() -> Path:
    """The ``../shared/fixtures`` folder itself (skip when absent)."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"the shared test material is not here ({SHARED_FIXTURES} is missing)")
    return SHARED_FIXTURES
