"""Workbooks: write a model as live formulas, recalculate in LibreOffice, prove it equal to
Python."""

from __future__ import annotations

from mutualfin.excel.recalc import find_soffice, recalculate
from mutualfin.excel.verify import Mismatch, VerifyReport, edit_inputs, verify
from mutualfin.excel.writer import PALETTE, write_workbook

__all__ = [
    "PALETTE",
    "Mismatch",
    "VerifyReport",
    "edit_inputs",
    "find_soffice",
    "recalculate",
    "verify",
    "write_workbook",
]
