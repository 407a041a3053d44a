"""Risk: scenarios, sensitivity and Monte Carlo.

A public facade: ``mutualfin.risk`` re-exports :mod:`mutualfin.analysis.risk`, where the code
lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.analysis import risk as _m0
from mutualfin.analysis.risk import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.risk' has no attribute {name!r}")
