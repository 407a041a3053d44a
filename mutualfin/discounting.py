"""Green Book discount factors, the GDP deflator, real and nominal prices.

A public facade: ``mutualfin.discounting`` re-exports :mod:`mutualfin.uk.greenbook`, where the
code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.uk import greenbook as _m0
from mutualfin.uk.greenbook import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.discounting' has no attribute {name!r}")
