"""Workbooks: write a model as live formulas, recalculate in LibreOffice, prove it equal to
Python.

- :mod:`~mutualfin.workbook.layout`: where every row sits, and every A1 reference;
- :mod:`~mutualfin.workbook.writer`: a model as a workbook of live formulas (atomic save);
- :mod:`~mutualfin.workbook.case_workbook`: the business case's cabinet workbook;
- :mod:`~mutualfin.workbook.recalc`: LibreOffice recalculation, headless;
- :mod:`~mutualfin.workbook.verify`: every formula cell compared with Python;
- :mod:`~mutualfin.workbook.pull`: input cells changed in a workbook, back into its case file.
"""

from __future__ import annotations

from mutualfin.workbook.pull import PullReport, pull
from mutualfin.workbook.recalc import find_soffice, recalculate
from mutualfin.workbook.verify import Mismatch, VerifyReport, edit_inputs, verify
from mutualfin.workbook.writer import PALETTE, write_workbook

__all__ = [
    "PALETTE",
    "Mismatch",
    "PullReport",
    "VerifyReport",
    "edit_inputs",
    "find_soffice",
    "pull",
    "recalculate",
    "verify",
    "write_workbook",
]
