"""Workforce: statutory redundancy pay, LGPS early-retirement reductions, the staff cost and
transfer cost components.

A public facade: ``mutualfin.workforce`` re-exports :mod:`mutualfin.uk.redundancy` and
:mod:`mutualfin.components.staff`, where the code lives (see the package's layers in
:mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import staff as _m1
from mutualfin.components.staff import *  # noqa: F403
from mutualfin.uk import redundancy as _m0
from mutualfin.uk.redundancy import *  # noqa: F403

__all__ = sorted({*_m0.__all__, *_m1.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    if hasattr(_m1, name):
        return getattr(_m1, name)
    raise AttributeError(f"module 'mutualfin.workforce' has no attribute {name!r}")
