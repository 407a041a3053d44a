"""The workbook: written live, recalculated in LibreOffice, proved equal to Python.

Every test here recalculates in LibreOffice (fixture ``soffice``): locally they skip without it,
in CI they fail without it.
"""

from __future__ import annotations

import errno
import os

import openpyxl
import pytest

import mutualfin as mf
from mutualfin import Entities, Input, Line, Model, Timeline
from mutualfin.demo import DEMO_FILE, build_demo_model, load_demo_inputs
from mutualfin.errors import VerificationError, WorkbookError
from mutualfin.excel import edit_inputs, verify, write_workbook

pytestmark = pytest.mark.libreoffice
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = DEMO_FILE


@pytest.fixture(scope="module")
def demo():
    timeline, inputs = load_demo_inputs(DEMO)
    return build_demo_model(timeline, inputs)


def test_demo_workbook_equals_python(demo, soffice, tmp_path):
    ev = demo.evaluate()
    path = write_workbook(ev, tmp_path / "demo.xlsx")
    report = verify(path, ev)
    assert report.ok, str(report)
    # every line, total and opening cell was compared
    n_periods = demo.timeline.n
    flows = sum(1 for n in demo.lines.values() if n.kind == "flow")
    assert report.checked >= len(demo.lines) * n_periods + flows + 1


def test_editing_inputs_in_the_workbook_matches_python(demo, soffice, tmp_path):
    ev = demo.evaluate()
    path = write_workbook(ev, tmp_path / "demo.xlsx")
    changes = {
        "contract.annual_value": 3_900_000.0,
        "staff.pay_award": [0.0, 0.05, 0.04, 0.01, 0.0],
        "cash.opening": 10_000.0,
    }
    edited = edit_inputs(path, tmp_path / "edited.xlsx", changes)
    expected = demo.evaluate({k: [v] for k, v in changes.items()})
    report = verify(edited, expected)
    assert report.ok, str(report)
    # and the edited workbook no longer equals the original figures: the test can fail
    stale = verify(edited, ev)
    assert not stale.ok
    assert any(m.what.startswith("closing_cash") for m in stale.mismatches)


def test_entities_flags_running_totals_and_parameters(soffice, tmp_path):
    tl = Timeline(2021, years=6)
    staff = Entities("employee", ["E001", '=HYPERLINK("http://x")', "E003"])
    salary = Input(
        "roster.salary",
        [18_000.0, 32_000.0, 61_000.0],
        per=staff,
        label="Salary at base date",
        source="@SUM(1+1)",
    )
    award = Input("pay.award", [0.0, 0.02, 0.05, 0.04, 0.03, 0.03], unit="fraction")
    pay = Line("pay", salary * mf.growth(award), sheet="Staff")
    ni = Line(
        "employer_ni",
        mf.max_(pay - mf.param("ni.secondary_threshold"), 0) * mf.param("ni.employer_rate"),
        sheet="Staff",
    )
    paybill = Line("paybill", mf.total(pay + ni), sheet="Staff")
    in_contract = Line("in_contract", mf.within("2022-10-01", "2025-03-31"), unit="flag")
    income = Line("income", 150_000 * in_contract)
    running = Line("running_surplus", mf.cumsum(income - paybill))
    cash = Line(
        "cash",
        mf.previous("cash") + income - paybill,
        kind="balance",
        opening=Input("cash.opening", 5_000.0),
    )
    model = Model(tl, [pay, ni, paybill, in_contract, income, running, cash])
    ev = model.evaluate()
    path = write_workbook(ev, tmp_path / "staff.xlsx", title="=cmd|' /C calc'!A0")
    report = verify(path, ev)
    assert report.ok, str(report)
    wb = openpyxl.load_workbook(path)
    # user text beginning with = or @ is text, never a formula
    roster = wb["Roster"]
    assert roster["A5"].value == '=HYPERLINK("http://x")' and roster["A5"].data_type == "s"
    assert wb["Inputs"]["E4"].data_type == "s" or "SUM" not in str(wb["Inputs"]["E4"].value)
    from mutualfin.excel.writer import plan_layout

    layout, _ = plan_layout(model)
    sheet, first = layout.lines["pay"]
    assert wb[sheet].cell(row=first, column=6).value.startswith("=")
    # each per-employee block has a header row saying what it is; rows carry the ids
    assert wb[sheet].cell(row=first - 1, column=1).value == "pay"
    assert wb[sheet].cell(row=first + 1, column=2).value == '=HYPERLINK("http://x")'
    assert wb[sheet].cell(row=first + 1, column=2).data_type == "s"


def test_verify_reports_a_wrong_formula_by_sheet_cell_and_line(demo, soffice, tmp_path):
    ev = demo.evaluate()
    path = write_workbook(ev, tmp_path / "demo.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Calculations"]
    target = None
    for r in range(1, ws.max_row + 1):
        if ws.cell(row=r, column=1).value == "surplus":
            target = r
    ws.cell(row=target, column=8).value = "=1"
    ws.cell(row=target, column=9).value = "=1/0"
    tampered = tmp_path / "tampered.xlsx"
    wb.save(tampered)
    report = verify(tampered, ev)
    assert not report.ok
    text = str(report)
    assert f"Calculations!H{target} (surplus 2028/29)" in text
    assert "#DIV/0!" in text
    with pytest.raises(VerificationError, match="mismatch"):
        report.raise_if_failed()


def test_monthly_model_verifies(soffice, tmp_path):
    tl = Timeline("2026-04-01", years=1, freq="monthly")
    fee = Input("contract.monthly_fee", 100_000.0)
    pay = Input("staff.monthly_pay", 80_000.0)
    cost = Line(
        "employer_ni",
        mf.max_(pay - mf.param("ni.secondary_threshold") / 12, 0) * mf.param("ni.employer_rate"),
    )
    cash = Line("cash", mf.previous("cash") + fee - pay - cost, kind="balance")
    ev = Model(tl, [cash]).evaluate()
    report = verify(write_workbook(ev, tmp_path / "m.xlsx"), ev)
    assert report.ok, str(report)


def test_write_refuses_overwrite_and_is_atomic(demo, tmp_path, monkeypatch):
    ev = demo.evaluate()
    path = write_workbook(ev, tmp_path / "demo.xlsx")
    before = path.read_bytes()
    with pytest.raises(WorkbookError, match="already exists.*overwrite=True"):
        write_workbook(ev, path)

    real_write = os.write

    def half_then_full(fd, data):  # the disk fills halfway through the workbook
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(WorkbookError, match="No space left on device"):
        write_workbook(ev, path, overwrite=True)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo.xlsx"]


def test_write_refuses_bad_paths(demo, tmp_path):
    ev = demo.evaluate()
    with pytest.raises(WorkbookError, match="must end in .xlsx"):
        write_workbook(ev, tmp_path / "demo.xls")
    with pytest.raises(WorkbookError, match="does not exist"):
        write_workbook(ev, tmp_path / "missing" / "demo.xlsx")


def test_models_sharing_an_expression_both_write(tmp_path):
    # regression: the second model's auxiliary growth row had no place in the layout
    tl = Timeline(2026, years=3)
    award = Input("pay.award", [0.0, 0.02, 0.03], unit="fraction")
    pay = Line("pay", 100 * mf.growth(award))
    Model(tl, [pay]).evaluate()
    second = Model(tl, [Line("pay_copy", pay.expr * 1)])
    path = write_workbook(second.evaluate(), tmp_path / "second.xlsx")
    assert path.is_file()


def test_verify_reports_progress_per_sheet(demo, soffice, tmp_path):
    """verify's progress: the recalculation is one step, then one per sheet compared; a
    callable gets (done, total) instead of a bar being drawn."""
    ev = demo.evaluate()
    path = write_workbook(ev, tmp_path / "demo.xlsx")
    sheets = len(openpyxl.load_workbook(path).worksheets)
    calls = []
    report = verify(path, ev, progress=lambda done, total: calls.append((done, total)))
    assert report.ok, str(report)
    assert calls == [(k, 1 + sheets) for k in range(1, sheets + 2)]
