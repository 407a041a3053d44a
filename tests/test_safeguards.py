"""Spreadsheet safeguards (issue 18, part 4): data validation on every input cell with the
case file's limits and words, formulas locked and sheets protected without a password,
failures in colour, Excel's native charts of the values tables, and Excel's own limits kept.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart
from openpyxl.utils.cell import range_boundaries

import mutualfin as mf
from mutualfin import Input, Line, Model, Timeline
from mutualfin.analysis.risk import tornado
from mutualfin.errors import CaseFileError, InputError, WorkbookError
from mutualfin.excel import edit_inputs, recalculate, write_workbook
from mutualfin.workbook.case_workbook import build_case_workbook, verify_live
from mutualfin.workbook.layout import FIRST_PERIOD_COL
from mutualfin.workbook.safeguards import MAX_CELL_TEXT, truncations
from mutualfin.workbook.writer import PALETTE, plan_layout

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YOUTH = os.path.join(ROOT, "models", "youth_service.toml")


@pytest.fixture(scope="module")
def youth():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parameters held flat: an assumption, said elsewhere
        case = mf.BusinessCase.from_file(YOUTH)
    return case, case.run()


@pytest.fixture(scope="module")
def book(youth):
    """The youth case's full model with its appraisal and risk sheets, as written (unsaved):
    the workbook with every input cell, the Roster's included."""
    case, results = youth
    sim = case.simulate(200, seed=1, progress=False)
    risk = dict(sim.tables())
    risk["tornado"] = tornado(case)
    return build_case_workbook(results, appraisal=case.appraise(results), risk=risk, pack="full")


@pytest.fixture(scope="module")
def by_year(tmp_path_factory):
    """The youth case planned by financial year with one employee made redundant, its full
    model: the shape in which the contract's payment lag is a live input (by month, a lag is
    the structure of the receipts lines) and each employee has a last day employed (a date
    input on the Roster)."""
    from .casefiles import edited_case

    def edit(text):
        text = text.replace('freq = "monthly"\nmonthly_years = 2\n', "")
        return text.replace("[transfer]\n", '[transfer]\nredundant = ["YS150"]\n', 1)

    path = edited_case("youth_service", tmp_path_factory.mktemp("by_year"), edit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = mf.BusinessCase.from_file(path)
    assert case.timeline.freq == "annual"
    return case, build_case_workbook(case.run(), pack="full")  # the Roster's inputs too


def validations(ws):
    """{cell coordinate: DataValidation} for every cell a validation covers."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(rng.coord)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    out[ws.cell(row=r, column=c).coordinate] = dv
    return out


def input_cells(wb, model):
    """(sheet, coordinate, input) of every cell that holds an input's value."""
    layout, _ = plan_layout(model)
    P = model.timeline.n
    for inp in model.inputs.values():
        if inp.kind == "scalar":
            ((sheet, ref),) = wb.defined_names[inp.name.replace(".", "_")].destinations
            yield sheet, ref.replace("$", ""), inp
        elif inp.kind == "period":
            r = layout.period_inputs[inp.name]
            for p in range(P):
                cell = wb["Inputs"].cell(row=r, column=FIRST_PERIOD_COL + p)
                yield "Inputs", cell.coordinate, inp
        elif "Roster" in wb.sheetnames:  # the full model's (the publication pack has none)
            c = layout.entity_inputs[inp.name]
            for k in range(len(inp.per)):
                cell = wb["Roster"].cell(row=layout.roster_first_row + k, column=c)
                yield "Roster", cell.coordinate, inp


# -- data validation ------------------------------------------------------------------------
def test_every_input_cell_is_validated(youth, book):
    case, _ = youth
    by_sheet = {name: validations(book[name]) for name in ("Inputs", "Roster")}
    cells = list(input_cells(book, case.model))
    assert len(cells) > 100
    missing = [f"{s}!{c} {inp.name}" for s, c, inp in cells if c not in by_sheet[s]]
    assert not missing, missing[:10]
    for sheet, coord, inp in cells:  # each cell's rule is its own input's
        assert by_sheet[sheet][coord].error.startswith(f"{inp.name}: allowed: ")


def test_the_publication_packs_input_cells_are_validated_too(youth):
    """The pack has no Roster; its Inputs sheet is the full model's, each cell validated."""
    case, results = youth
    pack = build_case_workbook(results)
    assert "Roster" not in pack.sheetnames
    rules = validations(pack["Inputs"])
    cells = list(input_cells(pack, case.model))
    assert len(cells) > 50
    assert [f"{s}!{c}" for s, c, _ in cells if s == "Inputs" and c not in rules] == []


@pytest.mark.parametrize(
    ("name", "kind", "operator", "low", "high"),
    [
        ("contract.payment_lag_months", "whole", "between", "0", "12"),  # whole months
        ("vat.council_recovery_share", "decimal", "between", "0", "1"),  # a share: 0 to 1
        ("contract.indexation", "decimal", "between", "-1", "1"),  # a fraction: -1 to 1
        ("contract.annual_value", "decimal", "between", "0", "10000000000"),  # money, >= 0
        ("finance.creditor_days", "decimal", "between", "0", "365"),
        ("contract.extension_taken", "whole", "between", "0", "1"),  # a flag
        ("staff.salary", "decimal", "between", "1000", "500000"),
        ("staff.last_day_employed", "date", "between", "1", "2958465"),  # a date
    ],
)
def test_validation_limits_are_the_schema_bounds(by_year, name, kind, operator, low, high):
    case, book = by_year
    cells = {inp.name: (s, c) for s, c, inp in input_cells(book, case.model)}
    sheet, coord = cells[name]
    dv = validations(book[sheet])[coord]
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == (kind, operator, low, high)
    assert dv.showErrorMessage and dv.errorStyle == "stop" and not dv.allow_blank


def test_an_open_bound_is_a_formula(youth, book):
    """FTE is above 0 and at most 1.5: Excel's "between" includes both ends, so the rule is a
    formula on the column's first cell, relative, as Excel reads it down the column."""
    case, _ = youth
    cells = {inp.name: (s, c) for s, c, inp in input_cells(book, case.model)}
    sheet, coord = cells["staff.fte"]
    dv = validations(book[sheet])[coord]
    first = str(dv.sqref).split(":")[0]
    assert dv.type == "custom"
    assert dv.formula1 == f"AND({first}>0,{first}<=1.5,ISNUMBER({first}))"


def test_validation_message_is_the_case_file_refusal(by_year, tmp_path):
    """The message Excel shows is the case file's own: the same limits and the same reason,
    word for word."""
    case, book = by_year
    text = Path(YOUTH).read_text(encoding="utf-8")
    bad = text.replace("payment_lag_months = { value = 0,", "payment_lag_months = { value = 13,")
    assert bad != text
    (tmp_path / "bad.toml").write_text(bad, encoding="utf-8")
    csv = "youth_service_staff.csv"
    (tmp_path / csv).write_bytes((Path(ROOT) / "models" / csv).read_bytes())
    with pytest.raises(CaseFileError) as info:
        mf.BusinessCase.from_file(tmp_path / "bad.toml")
    refusal = str(info.value)
    reason = "give whole months from 0 (monthly in advance) to 12; 1 is monthly in arrears"
    assert reason in refusal
    cells = {inp.name: (s, c) for s, c, inp in input_cells(book, case.model)}
    sheet, coord = cells["contract.payment_lag_months"]
    message = validations(book[sheet])[coord].error
    assert message == (
        f"contract.payment_lag_months: allowed: from 0 to 12, whole numbers; {reason}"
    )
    # and an edit verify --live would make is refused with the same limits
    inp = case.model.inputs["contract.payment_lag_months"]
    with pytest.raises(InputError, match="allowed: from 0 to 12, whole numbers"):
        inp.check_values(np.array([13.0]))


def test_validation_texts_fit_excel(book):
    for ws in book.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.error or "") <= 255 and len(dv.prompt or "") <= 255, dv.error
            assert len(dv.errorTitle or "") <= 32 and len(dv.promptTitle or "") <= 32


# -- protection -----------------------------------------------------------------------------
def _is_input_fill(cell) -> bool:
    return str(cell.fill.fgColor.rgb)[-6:] == PALETTE["input_fill"]


def test_sheets_protected_without_password_inputs_unlocked(youth, tmp_path):
    _, results = youth
    wb = openpyxl.load_workbook(results.to_excel(tmp_path / "youth.xlsx"))
    formulas = inputs = 0
    for ws in wb.worksheets:
        p = ws.protection
        assert p.sheet, ws.title
        assert not (p.password or p.hashValue), ws.title  # no password: a guard, not a lock
        assert p.formatColumns is False and p.formatRows is False  # widths may still change
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert cell.protection.locked, f"{ws.title}!{cell.coordinate}"
                    formulas += 1
                elif _is_input_fill(cell):
                    assert not cell.protection.locked, f"{ws.title}!{cell.coordinate}"
                    inputs += 1
    assert formulas > 1000 and inputs > 100


def test_protection_can_be_turned_off(youth, tmp_path):
    _, results = youth
    wb = openpyxl.load_workbook(results.to_excel(tmp_path / "open.xlsx", protect=False))
    assert not any(ws.protection.sheet for ws in wb.worksheets)
    assert wb["Inputs"].data_validations.dataValidation  # validation stays
    with pytest.raises(InputError, match="protect must be True or False"):
        results.to_excel(tmp_path / "x.xlsx", protect="no")


def test_cli_no_protect(tmp_path):
    from mutualfin.cli import main

    out = tmp_path / "youth.xlsx"
    assert main(["run", YOUTH, "-o", str(out), "--no-verify", "--no-protect"]) == 0
    assert not openpyxl.load_workbook(out)["Inputs"].protection.sheet


@pytest.mark.libreoffice
def test_protected_workbook_recalculates_verifies_and_takes_live_edits(youth, soffice, tmp_path):
    """Protection and validation do not get in the way of LibreOffice's recalculation, of
    verify, or of verify --live's edits; and LibreOffice keeps both in the file it saves."""
    _, results = youth
    path = results.to_excel(tmp_path / "youth.xlsx")
    # two input cells (by month the contract's payment lag is the receipts lines' structure,
    # not a cell, so the creditor days stand in for it)
    changes = {"contract.annual_value": 4_000_000.0, "finance.creditor_days": 15.0}
    edited = edit_inputs(path, tmp_path / "edited.xlsx", changes)
    assert openpyxl.load_workbook(edited)["Statements"].protection.sheet  # still protected
    _, report = verify_live(path, results, changes=changes, excel_rules=False)
    assert report.ok, str(report)
    calc = openpyxl.load_workbook(recalculate(path, tmp_path / "calc"))
    assert calc["Statements"].protection.sheet
    assert calc["Inputs"].data_validations.dataValidation


# -- conditional formatting -----------------------------------------------------------------
def _rules(ws):
    return [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]


def test_failed_checks_and_cash_below_the_floor_show_red(youth, book):
    case, results = youth
    checks = _rules(book["Checks"])
    refs = {ref for ref, rule in checks if rule.formula == ['"ERROR"']}
    assert "D3" in refs  # the master check
    assert len(refs) == len(results.checks) + 1
    floor = f"{float(case.finance.inputs.cash_floor):g}"  # the case's floor: £0 here
    assert floor == "0"
    layout, _ = plan_layout(case.model)
    sheet, row = layout.lines["closing_cash"]
    cash = [
        (ref, rule)
        for ref, rule in _rules(book[sheet])
        if rule.operator == "lessThan" and rule.formula == [floor]
    ]
    last = openpyxl.utils.get_column_letter(FIRST_PERIOD_COL + case.timeline.n - 1)
    assert [ref for ref, _ in cash] == [f"F{row}:{last}{row}"]
    assert any(rule.formula == [floor] for _, rule in _rules(book["Summary"]))


# -- Excel's own charts -----------------------------------------------------------------------
def _cells(wb, ref: str) -> list:
    sheet, rng = ref.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    c1, r1, c2, r2 = range_boundaries(rng.replace("$", ""))
    return [ws.cell(row=r, column=c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _cat(series) -> str:
    """The reference of a series' categories."""
    return (series.cat.numRef or series.cat.strRef).f


def test_tornado_is_an_excel_chart_of_the_table(youth, book):
    case, _ = youth
    table = tornado(case)
    [chart] = [c for c in book["Risk"]._charts if isinstance(c, BarChart)]
    assert chart.type == "bar" and chart.overlap == 100
    low, high = chart.series
    top = table.head(10)
    assert _cells(book, low.val.numRef.f) == pytest.approx(top["metric_at_low"].tolist())
    assert _cells(book, high.val.numRef.f) == pytest.approx(top["metric_at_high"].tolist())
    assert _cells(book, _cat(low)) == top["label"].tolist()
    assert chart.x_axis.crossesAt == pytest.approx(float(table["base"].iloc[0]))  # from base
    assert chart.x_axis.scaling.orientation == "maxMin"  # widest at the top


def test_fan_charts_read_the_percentile_rows(youth, book):
    case, _ = youth
    fans = [c for c in book["Risk"]._charts if isinstance(c, LineChart)]
    assert len(fans) == 2  # closing cash and reserves
    sim = case.simulate(200, seed=1, progress=False)
    expected = sim.line_percentiles("closing_cash")
    fan = fans[0]
    assert len(fan.series) == 7
    for series, (name, row) in zip(fan.series, expected.iterrows(), strict=True):
        assert _cells(book, series.val.numRef.f) == pytest.approx(row.tolist()), name
    assert _cells(book, _cat(fan.series[0])) == list(case.timeline.labels)


def test_appraisal_bars_stack_to_the_net_present_cost(youth, book):
    case, results = youth
    appraisal = case.appraise(results)
    [chart] = book["Appraisal"]._charts
    assert chart.grouping == "stacked"
    before, bias = (_cells(book, s.val.numRef.f) for s in chart.series)
    npc = appraisal.table["net present cost"].tolist()
    assert [a + b for a, b in zip(before, bias, strict=True)] == pytest.approx(npc)
    assert _cells(book, _cat(chart.series[0])) == list(appraisal.table.index)


# -- Excel's limits ---------------------------------------------------------------------------
def _tiny(label: str = "Income", name: str = "contract_value", unit: str = "GBP"):
    tl = Timeline(start="2026-04-01", years=2)
    value = Input(name, 1000.0, unit=unit, label=label)
    return Model(tl, [Line("income", value, sheet="Income")]).evaluate()


def test_a_long_title_is_refused_for_the_page_header(tmp_path):
    with pytest.raises(WorkbookError, match=r"page header would be .* over Excel's 255") as info:
        write_workbook(_tiny(), tmp_path / "x.xlsx", title="T" * 300)
    assert "shorten the title" in str(info.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_defined_name_over_255_characters_is_refused(tmp_path):
    name = "a" * 256
    with pytest.raises(WorkbookError, match="defined name holds at most 255"):
        write_workbook(_tiny(name=name), tmp_path / "x.xlsx")


def test_a_label_over_a_cells_limit_is_refused_naming_the_cell(tmp_path):
    with pytest.raises(WorkbookError, match=r"text for Inputs!B4 is 40,000 characters"):
        write_workbook(_tiny(label="x" * 40_000), tmp_path / "x.xlsx")


def test_generated_table_text_is_cut_and_listed(youth):
    """A values table's text made by mutualfin (here a long list of drawn values) is cut to a
    cell's 32,767 characters, says so in the cell, and is listed on the Checks sheet."""
    import pandas as pd

    _, results = youth
    long = ", ".join(f"{k:,}" for k in range(10_000))  # about 59,000 characters
    risk = {"inputs": pd.DataFrame({"input": ["staff.salary"], "base": [long]})}
    wb = build_case_workbook(results, risk=risk)
    [(where, length)] = truncations(wb)
    assert length == len(long)
    sheet, coord = where.split("!")
    text = wb[sheet][coord].value
    assert len(text) == MAX_CELL_TEXT and text.endswith("a cell holds]")
    listed = [c.value for row in wb["Checks"].iter_rows() for c in row if c.value == where]
    assert listed == [where]
