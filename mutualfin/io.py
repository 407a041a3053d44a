"""Case files: load a business case from TOML.

A public facade: ``mutualfin.io`` re-exports :mod:`mutualfin.case.loader`, where the code lives
(see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.case import business_case as _m1
from mutualfin.case import loader as _m0
from mutualfin.case.loader import *  # noqa: F403

__all__ = sorted({*_m0.__all__, "load_case"})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    for module in (_m0, _m1):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'mutualfin.io' has no attribute {name!r}")
