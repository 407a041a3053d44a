"""The mutual's legal form component.

A public facade: ``mutualfin.legal_form`` re-exports :mod:`mutualfin.components.legal_form`,
where the code lives (see the package's layers in :mod:`mutualfin`).
"""

from __future__ import annotations

from typing import Any

from mutualfin.components import legal_form as _m0
from mutualfin.components.legal_form import *  # noqa: F403

__all__ = sorted({*_m0.__all__})


def __getattr__(name: str) -> Any:  # private names, for code written against the old module
    if hasattr(_m0, name):
        return getattr(_m0, name)
    raise AttributeError(f"module 'mutualfin.legal_form' has no attribute {name!r}")
