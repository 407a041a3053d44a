"""The commissioner's options appraisal.

A public facade: ``mutualfin.appraisal`` re-exports :mod:`mutualfin.analysis.appraisal` (the
Green Book method) and :mod:`mutualfin.analysis.council` (a case's ``[appraisal]``: the options,
the council's budget), where the code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.analysis import appraisal as _m0
from mutualfin.analysis import council as _m1
from mutualfin.analysis.appraisal import *  # noqa: F403
from mutualfin.analysis.council import *  # noqa: F403

__all__ = sorted({*_m0.__all__, *_m1.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    for module in (_m0, _m1):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'mutualfin.appraisal' has no attribute {name!r}")
