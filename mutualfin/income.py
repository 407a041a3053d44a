"""Income components: the council contract, traded income, pipeline, grants.

A public facade: ``mutualfin.income`` re-exports :mod:`mutualfin.components.income`, where the
code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import income as _m0
from mutualfin.components.income import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.income' has no attribute {name!r}")
