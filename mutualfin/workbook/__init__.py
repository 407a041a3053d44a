"""Workbooks: write a model as live formulas, recalculate it in LibreOffice and under Excel's
rules, prove it equal to Python.

- :mod:`~mutualfin.workbook.layout`: where every row sits, and every A1 reference;
- :mod:`~mutualfin.workbook.writer`: a model as a workbook of live formulas (atomic save);
- :mod:`~mutualfin.workbook.case_workbook`: the business case's cabinet workbook;
- :mod:`~mutualfin.workbook.safeguards`: data validation of the input cells, protection
  without a password, red rules for failures, Excel's limits;
- :mod:`~mutualfin.workbook.charts`: Excel's own charts of the values tables;
- :mod:`~mutualfin.workbook.publication` and :mod:`~mutualfin.workbook.cohorts`: the
  publication pack (staff by role in cohorts of at least five) and the full OFFICIAL-SENSITIVE
  model, and the proof that the pack equals the full model;
- :mod:`~mutualfin.workbook.summary`: the Summary sheet (findings, statuses, chart);
- :mod:`~mutualfin.workbook.tables`: tables of values on a sheet;
- :mod:`~mutualfin.workbook.portable`: the worksheet functions the writer may emit, and the
  scan for formulas that depend on how an engine treats logical values;
- :mod:`~mutualfin.workbook.recalc`: LibreOffice recalculation, headless;
- :mod:`~mutualfin.workbook.excel_rules`: the second engine, which follows Excel's rules;
- :mod:`~mutualfin.workbook.verify`: every formula cell compared with Python, in both;
- :mod:`~mutualfin.workbook.pull`: input cells changed in a workbook, back into its case file.
"""

from __future__ import annotations

from mutualfin.workbook.pull import PullReport, pull
from mutualfin.workbook.recalc import find_soffice, recalculate
from mutualfin.workbook.verify import (
    EngineDifference,
    Mismatch,
    VerifyReport,
    edit_inputs,
    verify,
)
from mutualfin.workbook.writer import PALETTE, write_workbook

__all__ = [
    "PALETTE",
    "EngineDifference",
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
