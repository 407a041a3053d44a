"""Shared fixtures.

Tests that recalculate a workbook take the ``soffice`` fixture. Locally, without LibreOffice,
they skip with a message saying how to enable them; in CI (CI=true) a missing LibreOffice is
a failure, never a skip.

The whole session shares one LibreOffice process (``recalc.recalculation_session``), where a
Python with LibreOffice's uno module is found (Debian: python3-uno, which ``.ci/run``
installs); otherwise each recalculation starts LibreOffice.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from mutualfin.excel import recalc

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", autouse=True)
def libreoffice_session():
    """One LibreOffice process for every recalculation of the session."""
    if recalc.find_soffice() is None:
        yield None
        return
    with recalc.recalculation_session() as rc:
        yield rc


@pytest.fixture(scope="session")
def soffice() -> str:
    path = recalc.find_soffice()
    if path is None:
        if _in_ci():
            pytest.fail(f"LibreOffice is required in CI to verify workbooks; {recalc.INSTALL_HINT}")
        pytest.skip(
            f"LibreOffice not found: {recalc.INSTALL_HINT} to run workbook verification tests"
        )
    return path
