"""Risk: scenarios, sensitivity and Monte Carlo.

A public facade: ``mutualfin.risk`` re-exports :mod:`mutualfin.analysis.risk` (which gathers
:mod:`~mutualfin.analysis.scenarios`, :mod:`~mutualfin.analysis.sensitivity` and
:mod:`~mutualfin.analysis.montecarlo`, where the code lives) and the tornado chart from
:mod:`mutualfin.plots` (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.analysis import _common as _m1
from mutualfin.analysis import montecarlo as _m2
from mutualfin.analysis import risk as _m0
from mutualfin.analysis import scenarios as _m3
from mutualfin.analysis import sensitivity as _m4
from mutualfin.analysis.risk import *  # noqa: F403

__all__ = sorted({*_m0.__all__, "tornado_chart"})


def __getattr__(name: str) -> Any:
    if name in ("tornado_chart", "_figure", "_pounds"):  # figures: mutualfin.plots, on first use
        from mutualfin import plots

        return getattr(plots, name)
    # other names the module had before it was split, private ones included
    for module in (_m0, _m1, _m2, _m3, _m4):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'mutualfin.risk' has no attribute {name!r}")
