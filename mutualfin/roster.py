"""The staff roster.

A public facade: ``mutualfin.roster`` re-exports :mod:`mutualfin.components.roster`, where the
code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import roster as _m0
from mutualfin.components.roster import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.roster' has no attribute {name!r}")
