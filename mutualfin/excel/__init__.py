"""Workbooks (the old name of :mod:`mutualfin.workbook`, kept so user code keeps working).

``mutualfin.excel.writer``, ``.recalc``, ``.verify`` and ``.case_workbook`` are the very
module objects of :mod:`mutualfin.workbook`, so patching one patches the other.
"""

from __future__ import annotations

import importlib
import sys

from mutualfin import workbook as _workbook
from mutualfin.workbook import *  # noqa: F403

__all__ = _workbook.__all__

for _name in ("case_workbook", "layout", "recalc", "verify", "writer"):
    sys.modules[f"{__name__}.{_name}"] = importlib.import_module(f"mutualfin.workbook.{_name}")
# as before the move, ``mutualfin.excel.verify`` is the function, the others the modules
writer = sys.modules[f"{__name__}.writer"]
recalc = sys.modules[f"{__name__}.recalc"]
case_workbook = sys.modules[f"{__name__}.case_workbook"]
