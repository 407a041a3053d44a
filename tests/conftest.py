"""Shared fixtures.

Tests that recalculate a workbook take the ``soffice`` fixture; tests that need the second
engine, which follows Excel's rules (the ``formulas`` package), take ``excel_rules``. Locally,
without them, they skip with a message saying how to enable them; in CI (CI=true) a missing
engine is a failure, never a skip.

The whole session shares one LibreOffice process (``recalc.recalculation_session``), where a
Python with LibreOffice's uno module is found (Debian: python3-uno, which ``.ci/run``
installs); otherwise each recalculation starts LibreOffice.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from mutualfin.excel import recalc
from mutualfin.workbook import excel_rules as second_engine

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


@pytest.fixture(scope="session")
def excel_rules() -> str:
    """The installed version of the second verification engine (the formulas package)."""
    version = second_engine.find_formulas()
    if version is None:
        if _in_ci():
            pytest.fail(
                "the formulas package (the second verification engine, Excel's rules) is "
                f"required in CI; {second_engine.INSTALL_HINT}"
            )
        pytest.skip(f"formulas not installed: {second_engine.INSTALL_HINT} to run these tests")
    return version
