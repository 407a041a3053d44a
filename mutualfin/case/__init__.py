"""The business case: components composed on one timeline, with statements and metrics.

- :mod:`~mutualfin.case.business_case`: :class:`BusinessCase` and :class:`Results`;
- :mod:`~mutualfin.case.loader`: case files (TOML) to a business case.
"""

from __future__ import annotations

from typing import Any

from mutualfin.case import business_case as _impl
from mutualfin.case.business_case import BusinessCase, Results
from mutualfin.components.financing import CaseFinance, Loan

__all__ = ["BusinessCase", "CaseFinance", "Loan", "Results"]


def __getattr__(name: str) -> Any:  # names of the old mutualfin.case module
    if hasattr(_impl, name):
        return getattr(_impl, name)
    raise AttributeError(f"module 'mutualfin.case' has no attribute {name!r}")
