"""Pensions: LGPS contribution bands and CARE accrual, and the LGPS admission component.

A public facade: ``mutualfin.pensions`` re-exports :mod:`mutualfin.uk.pensions` and
:mod:`mutualfin.components.pensions`, where the code lives (see the package's layers in
:mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import pensions as _m1
from mutualfin.components.pensions import *  # noqa: F403
from mutualfin.uk import pensions as _m0
from mutualfin.uk.pensions import *  # noqa: F403

__all__ = sorted({*_m0.__all__, *_m1.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    if hasattr(_m1, name):
        return getattr(_m1, name)
    raise AttributeError(f"module 'mutualfin.pensions' has no attribute {name!r}")
