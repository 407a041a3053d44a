"""The second verification engine, which follows Excel's rules (the formulas package), and the
flags that make the workbook mean the same in every engine.

The model here is the youth case's reserves test in small: reserves of 4, 2, 1, 5 and 2 months
against a target of 3 months are below target in the second, third and fifth years, so
``years_reserves_below_target`` is 3 (by hand: 0 + 1 + 1 + 0 + 1).
"""

from __future__ import annotations

import openpyxl
import pytest

import mutualfin as mf
from mutualfin import Input, Line, Model, Timeline
from mutualfin.errors import RecalculationError
from mutualfin.excel import verify, write_workbook
from mutualfin.excel.writer import plan_layout
from mutualfin.workbook import excel_rules as second_engine
from mutualfin.workbook.portable import logical_cells, logical_hazards


def reserves_model() -> Model:
    tl = Timeline(2026, years=5)
    months = Input("reserves.months", [4.0, 2.0, 1.0, 5.0, 2.0], unit="months")
    target = Input("reserves.target_months", 3.0, unit="months")
    below = Line("reserves_below_target", months < target, unit="flag")
    years = Line("years_reserves_below_target", mf.sum_periods(below), unit="count", kind="metric")
    return Model(tl, [below, years])


def cell_of(model: Model, name: str, col: int | None = None) -> tuple[str, int, str]:
    """(sheet, row, 'Sheet!A1') of a line's first period, or of a metric's value cell."""
    sheet, row = plan_layout(model)[0].lines[name]
    col = col or (4 if model.lines[name].kind == "metric" else 6)
    return sheet, row, f"{sheet}!{openpyxl.utils.get_column_letter(col)}{row}"


def test_python_counts_three_years_below_target():
    ev = reserves_model().evaluate()
    assert ev["reserves_below_target"].tolist() == [0, 1, 1, 0, 1]
    assert ev["years_reserves_below_target"] == 3


def test_a_flag_is_written_as_a_number_and_a_test_stays_a_test(tmp_path):
    model = reserves_model()
    path = write_workbook(model.evaluate(), tmp_path / "flags.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet, row, _ = cell_of(model, "reserves_below_target")
    inputs_row = plan_layout(model)[0].period_inputs["reserves.months"]
    assert wb[sheet].cell(row=row, column=6).value == (
        f"=IF(Inputs!F${inputs_row}<reserves_target_months,1,0)"
    )
    assert logical_cells(wb) == []
    assert logical_hazards(wb) == []


def test_comparisons_render_as_numbers_everywhere_but_an_if_test(tmp_path):
    tl = Timeline(2026, years=2)
    x = Input("x.value", 5.0)
    y = Input("y.value", [1.0, 7.0])
    lines = [
        Line("as_operand", (x > y) * 10),
        Line("in_max", mf.max_(0, y >= x), unit="flag"),
        Line("as_test", mf.where(x > y, 1, 2), unit="count"),
        Line("nested", (x > y).ne(0), unit="flag"),
    ]
    model = Model(tl, lines)
    ev = model.evaluate()
    assert ev["as_operand"].tolist() == [10, 0]
    assert ev["in_max"].tolist() == [0, 1]
    assert ev["as_test"].tolist() == [1, 2]
    assert ev["nested"].tolist() == [1, 0]
    wb = openpyxl.load_workbook(write_workbook(ev, tmp_path / "cmp.xlsx"))
    row = {name: cell_of(model, name)[1] for name in ev.model.lines}
    ws = wb["Calculations"]
    y_row = plan_layout(model)[0].period_inputs["y.value"]
    y = f"Inputs!F${y_row}"
    assert ws.cell(row=row["as_operand"], column=6).value == f"=IF(x_value>{y},1,0)*10"
    assert ws.cell(row=row["in_max"], column=6).value == f"=MAX(0,IF({y}>=x_value,1,0))"
    assert ws.cell(row=row["as_test"], column=6).value == f"=IF(x_value>{y},1,2)"
    assert ws.cell(row=row["nested"], column=6).value == f"=IF(IF(x_value>{y},1,0)<>0,1,0)"
    assert logical_cells(wb) == [] and logical_hazards(wb) == []


@pytest.mark.libreoffice
def test_years_below_target_reads_3_in_both_engines(soffice, excel_rules, tmp_path):
    model = reserves_model()
    ev = model.evaluate()
    report = verify(write_workbook(ev, tmp_path / "flags.xlsx"), ev, excel_rules=True)
    assert report.ok, str(report)
    assert report.engines == ["LibreOffice", f"Excel's rules (formulas {excel_rules})"]
    _, _, ref = cell_of(model, "years_reserves_below_target")
    assert report.figures(ref) == {"LibreOffice": 3, "Excel's rules": 3}


def tamper(path, out, sheet: str, row: int, formulas: list[str]):
    wb = openpyxl.load_workbook(path)
    for p, formula in enumerate(formulas):
        wb[sheet].cell(row=row, column=6 + p).value = formula
    wb.save(out)
    return out


@pytest.mark.libreoffice
def test_second_engine_catches_a_sum_over_logical_values(soffice, excel_rules, tmp_path):
    """The flag row written as bare comparisons (as the writer once did): LibreOffice counts
    TRUE as 1 and agrees with Python; Excel's SUM skips logical values in a range (Microsoft's
    SUM reference), so the count reads 0. Only the second engine sees it."""
    model = reserves_model()
    ev = model.evaluate()
    path = write_workbook(ev, tmp_path / "flags.xlsx")
    sheet, row, _ = cell_of(model, "reserves_below_target")
    inputs_row = plan_layout(model)[0].period_inputs["reserves.months"]
    bare = [f"=Inputs!{c}${inputs_row}<reserves_target_months" for c in "FGHIJ"]
    tampered = tamper(path, tmp_path / "bare.xlsx", sheet, row, bare)

    lo_only = verify(tampered, ev, excel_rules=False)
    assert lo_only.ok, str(lo_only)  # LibreOffice alone cannot tell

    report = verify(tampered, ev, excel_rules=True)
    assert not report.ok
    _, _, ref = cell_of(model, "years_reserves_below_target")
    [diff] = report.engine_dependent
    assert f"{diff.sheet}!{diff.cell}" == ref
    assert diff.what == "years_reserves_below_target"
    assert (diff.python, diff.libreoffice, diff.excel_rules) == (3.0, 3, 0)
    text = str(report)
    assert f"engine-dependent formula  {ref} (years_reserves_below_target)" in text
    assert "1 engine-dependent formulas" in text
    # and the scan of the workbook names the same hazard without any engine
    hazards = logical_hazards(openpyxl.load_workbook(tampered))
    assert len(hazards) == 1 and hazards[0].startswith(f"{ref} =SUM(")


@pytest.mark.libreoffice
def test_second_engine_catches_max_of_a_bare_comparison(soffice, excel_rules, tmp_path):
    """The payback rows' old form, MAX(previous, cumulative>=0): where the comparison holds
    (cumulative cash -100, -40, +30: the third year) LibreOffice gives 1, the formulas package
    0, and so the payback (1 + 40/70 = 1.571 years) reads "never"."""
    tl = Timeline(2026, years=3)
    flows = Line("net_flow", Input("flows", [-100.0, 60.0, 70.0]))
    payback = Line("payback", mf.payback_(flows), unit="years", kind="metric")
    model = Model(tl, [flows, payback])
    ev = model.evaluate()
    path = write_workbook(ev, tmp_path / "payback.xlsx")
    sheet, row, _ = cell_of(model, "net_flow_paid_back")
    cum = plan_layout(model)[0].lines["net_flow_cumulative"][1]
    old = [f"=MAX({prev}{row},{col}{cum}>=0)" for prev, col in zip("EFG", "FGH", strict=True)]
    report = verify(tamper(path, tmp_path / "old.xlsx", sheet, row, old), ev, excel_rules=True)
    assert not report.ok
    assert {d.what for d in report.engine_dependent} == {
        "net_flow_paid_back 2028/29",
        "net_flow_payback_part 2028/29",
        "payback",
    }


@pytest.mark.libreoffice
def test_second_engine_reads_a_file_libreoffice_saved(soffice, excel_rules, tmp_path):
    """A workbook saved with its values (``store_values``) is the file LibreOffice wrote."""
    from mutualfin.workbook.recalc import recalculate

    ev = reserves_model().evaluate()
    saved = recalculate(write_workbook(ev, tmp_path / "flags.xlsx"), tmp_path / "lo")
    report = verify(saved, ev, excel_rules=True)
    assert report.ok, str(report)
    assert report.checked > 10


@pytest.mark.libreoffice
def test_a_missing_second_engine_is_reported_not_hidden(soffice, tmp_path, monkeypatch):
    ev = reserves_model().evaluate()
    path = write_workbook(ev, tmp_path / "flags.xlsx")
    monkeypatch.setattr(second_engine, "find_formulas", lambda: None)
    report = verify(path, ev)
    assert report.ok and report.engines == ["LibreOffice"]
    assert "not installed, so only LibreOffice proved this workbook" in str(report)
    assert "pip install 'mutualfin[excel-engine]'" in str(report)
    with pytest.raises(RecalculationError, match="second engine, Excel's rules"):
        verify(path, ev, excel_rules=True)
    with pytest.raises(RecalculationError, match="formulas package is not installed"):
        second_engine.calculate(path)


@pytest.mark.libreoffice
def test_second_engine_can_be_left_out(soffice, tmp_path):
    ev = reserves_model().evaluate()
    report = verify(write_workbook(ev, tmp_path / "flags.xlsx"), ev, excel_rules=False)
    assert report.ok and report.engines == ["LibreOffice"]
    assert "not asked for (excel_rules=False)" in str(report)


def test_second_engine_needs_an_existing_workbook(tmp_path):
    with pytest.raises(RecalculationError, match="does not exist"):
        second_engine.calculate(tmp_path / "missing.xlsx")


def test_second_engine_values_by_cell(excel_rules, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "My sheet"
    ws["A1"], ws["A2"], ws["A3"], ws["A4"] = 2, "=A1*3", "=A9", "=1/0"
    ws["A5"], ws["A6"] = '=IF(A1>1,"yes","no")', "=A1>1"
    wb.save(tmp_path / "cells.xlsx")
    values = second_engine.calculate(tmp_path / "cells.xlsx")
    got = {r: values[("My sheet", r, 1)] for r in range(2, 7)}
    assert got == {2: 6, 3: 0, 4: "#DIV/0!", 5: "yes", 6: True}
