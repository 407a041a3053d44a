"""The business case: components composed on one timeline, with statements and metrics.

- :mod:`~mutualfin.case.statements`: the one statement list (every statement line's label,
  unit, section and definition) and the roles component lines play in it;
- :mod:`~mutualfin.case.business_case`: :class:`BusinessCase`;
- :mod:`~mutualfin.case.results`: :class:`Results` (lines, statements, metrics, checks);
- :mod:`~mutualfin.case.formatting`: figures as text by their unit;
- :mod:`~mutualfin.case.loader`: case files (TOML) to a business case.
"""

from __future__ import annotations

from typing import Any

from mutualfin.case import business_case, formatting, results, statements
from mutualfin.case.business_case import BusinessCase, Results
from mutualfin.components.financing import CaseFinance, Facility, Loan

__all__ = ["BusinessCase", "CaseFinance", "Facility", "Loan", "Results"]


def __getattr__(name: str) -> Any:  # names of the old mutualfin.case module
    for module in (results, business_case, formatting, statements):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'mutualfin.case' has no attribute {name!r}")
