"""Cost components: overheads, set-up, premises and business rates, VAT leakage.

A public facade: ``mutualfin.costs`` re-exports :mod:`mutualfin.components.costs`, where the
code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import costs as _m0
from mutualfin.components.costs import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.costs' has no attribute {name!r}")
