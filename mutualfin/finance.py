"""Cash-flow maths: npv, irr, mirr, payback, xnpv, xirr (vectorised over rows), and the Green Book
discount factors and real/nominal conversion.

A public facade: ``mutualfin.finance`` re-exports :mod:`mutualfin.core.cashflow` and
:mod:`mutualfin.uk.greenbook`, where the code lives (see the package's layers in
:mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.core import cashflow as _m0
from mutualfin.core.cashflow import *  # noqa: F403
from mutualfin.uk import greenbook as _m1
from mutualfin.uk.greenbook import *  # noqa: F403

__all__ = sorted({*_m0.__all__, *_m1.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    if hasattr(_m1, name):
        return getattr(_m1, name)
    raise AttributeError(f"module 'mutualfin.finance' has no attribute {name!r}")
