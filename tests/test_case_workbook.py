"""The business-case workbook is live: edit its inputs as a finance officer would, recalculate
in LibreOffice, and the headline figures match Python run with the same changes."""

from __future__ import annotations

import os

import openpyxl
import pytest

import mutualfin as mf
from mutualfin.excel import edit_inputs, recalculate
from mutualfin.excel.case_workbook import verify_live
from mutualfin.excel.writer import plan_layout

pytestmark = pytest.mark.libreoffice
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YOUTH = os.path.join(ROOT, "models", "youth_service.toml")
HEADLINES = ("npv_net_cash_flow", "minimum_cash", "closing_reserves")


def metric_cells(case, recalculated):
    layout, _ = plan_layout(case.model)
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    out = {}
    for name in HEADLINES:
        sheet, row = layout.lines[name]
        out[name] = wb[sheet].cell(row=row, column=4).value
    return out


def test_contract_value_and_lgps_fixed_rate_edited_in_the_workbook(soffice, tmp_path):
    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    path = results.to_excel(tmp_path / "youth.xlsx")
    changes = {"contract.annual_value": 3_950_000.0, "lgps.fixed_rate": 0.2}
    edited = edit_inputs(path, tmp_path / "edited.xlsx", changes)
    calc = recalculate(edited, tmp_path / "calc")
    in_excel = metric_cells(case, calc)
    in_python = case.run({k: [v] for k, v in changes.items()}).metrics
    for name in HEADLINES:
        assert in_excel[name] == pytest.approx(in_python[name], abs=0.01), name
    # and the edit really moved them: the original figures no longer hold
    assert in_excel["npv_net_cash_flow"] != pytest.approx(results.metrics["npv_net_cash_flow"])
    # every other formula cell agrees too
    # LibreOffice alone: the second engine proves this case's workbook once, in test_models.py
    _, report = verify_live(path, results, changes=changes, excel_rules=False)
    assert report.ok, str(report)


def test_stored_values_show_without_a_calculation_engine(soffice, tmp_path):
    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    path = results.to_excel(tmp_path / "stored.xlsx", store_values=True)
    wb = openpyxl.load_workbook(path, data_only=True)
    layout, _ = plan_layout(case.model)
    sheet, row = layout.lines["closing_cash"]
    shown = [wb[sheet].cell(row=row, column=6 + p).value for p in range(case.timeline.n)]
    assert shown == pytest.approx(results["closing_cash"].tolist(), abs=0.01)
    formulas = openpyxl.load_workbook(path)
    assert str(formulas[sheet].cell(row=row, column=7).value).startswith("=")
    # LibreOffice alone here; tests/test_excel_rules.py shows the second engine reading a file
    # LibreOffice saved
    assert results.verify(path, excel_rules=False).ok
