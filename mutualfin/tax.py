"""UK tax calculators: corporation tax, employer NI, Employment Allowance, apprenticeship levy.

A public facade: ``mutualfin.tax`` re-exports :mod:`mutualfin.uk.tax`, where the code lives (see
the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.uk import tax as _m0
from mutualfin.uk.tax import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.tax' has no attribute {name!r}")
