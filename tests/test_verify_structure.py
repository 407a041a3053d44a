"""Verification cannot be fooled (issue 18): a workbook is compared with the one mutualfin
writes for the same case, not only recalculated. Each tampering below recalculates without a
wrong figure (a typed number, a deleted sheet, an edited value block), yet verify fails and
names the sheet and cell; an honest input edit passes, is reported, and turns the value
blocks' live STALE flags on."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.excel import edit_inputs, recalculate
from mutualfin.workbook.case_workbook import plan_case_extras, verify_live
from mutualfin.workbook.fingerprint import RECORD_SHEET, STALE_TEXT
from mutualfin.workbook.writer import plan_layout

pytestmark = pytest.mark.libreoffice
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YOUTH = os.path.join(ROOT, "models", "youth_service.toml")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The template case's workbook with an appraisal and a risk sheet, formulas only."""
    folder = tmp_path_factory.mktemp("structure")
    case_file = folder / "my_case.toml"
    made = subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", "new", case_file],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert made.returncode == 0, made.stderr  # the case file and its starter roster
    case = mf.BusinessCase.from_file(case_file)
    results = case.run()
    risk = case.simulate(200, seed=1, progress=False).tables()
    path = results.to_excel(
        folder / "book.xlsx",
        appraisal=case.appraise(results),
        risk=risk,
        store_values=False,
        pack="full",
    )
    return results, path


def tampered(written, tmp_path, change):
    """A copy of the workbook changed by ``change(workbook)``, as openpyxl saves it."""
    results, path = written
    wb = openpyxl.load_workbook(path)
    change(wb)
    out = tmp_path / "tampered.xlsx"
    wb.save(out)
    report = results.verify(out, excel_rules=False)
    assert not report.ok, str(report)
    return report, str(report)


def summary_row(results, line, cohorts=None):
    """The Summary's row of a headline metric (its value in column B)."""
    (extra,) = [
        e
        for e in plan_case_extras(results, cohorts)
        if e.sheet == "Summary" and e.line == line and e.col == 2 and e.period is None
    ]
    return extra.row


def test_untouched_workbook_passes_with_its_structure_compared(soffice, written):
    results, path = written
    report = results.verify(path, excel_rules=False)
    assert report.ok, str(report)
    assert report.structure_checked > 1000 and report.input_changes == []
    assert "0 differences, 0 inputs changed" in str(report)


def test_npv_typed_over_with_a_number(soffice, written, tmp_path):
    results, _ = written
    row = summary_row(results, "npv_before_financing")

    def change(wb):
        wb["Summary"].cell(row=row, column=2).value = 99999999

    _, text = tampered(written, tmp_path, change)
    assert f"Summary!B{row}: expected formula =Statements!$D$" in text
    assert "found value 99,999,999" in text


def test_statements_row_replaced_by_its_own_figures_typed_in(soffice, written, tmp_path):
    """The sneakiest forgery: the row's right figures typed in, so every figure agrees with
    Python, but the row no longer follows the inputs."""
    results, _ = written
    sheet, row = plan_layout(results.case.model)[0].lines["surplus_before_tax"]
    figures = results["surplus_before_tax"].tolist()

    def change(wb):
        for p, v in enumerate(figures):
            wb[sheet].cell(row=row, column=6 + p).value = v

    report, text = tampered(written, tmp_path, change)
    assert report.mismatches == []  # the typed figures are right ...
    assert f"{sheet}!F{row}: expected formula =" in text  # ... but no longer formulas
    assert f"found value {figures[0]:,.10g}" in text


def test_summary_and_checks_sheets_deleted(soffice, written, tmp_path):
    def change(wb):
        del wb["Summary"]
        del wb["Checks"]

    _, text = tampered(written, tmp_path, change)
    assert "Summary: expected the sheet mutualfin writes, found no sheet" in text
    assert "Checks: expected the sheet mutualfin writes, found no sheet" in text


def test_appraisal_values_edited(soffice, written, tmp_path):
    def change(wb):
        ws = wb["Appraisal"]
        cell = next(c for row in ws.iter_rows(min_row=5) for c in row if type(c.value) is float)
        cell.value = cell.value * 0.5

    _, text = tampered(written, tmp_path, change)
    assert "Appraisal!A1:" in text
    assert 'expected the values of the value block "Commissioner\'s options appraisal"' in text
    assert "found values edited" in text


def test_checksum_record_cannot_be_pointed_over_a_figure(soffice, written, tmp_path):
    """A forger who lists a value block over a formula cell (to hide a typed number behind a
    checksum of their own) is caught: no block may cover a cell mutualfin writes."""
    results, _ = written
    row = summary_row(results, "npv_before_financing")

    def change(wb):
        ws = wb[RECORD_SHEET]
        last = ws.max_row + 1
        for c, v in enumerate(["mine", "Summary", f"A{row}:B{row}", "0" * 64, f"A{row}"], 1):
            ws.cell(row=last, column=c).value = v

    _, text = tampered(written, tmp_path, change)
    assert f"Summary!B{row}: expected formula" in text and "(a value block covers it)" in text


def test_defined_name_deleted(soffice, written, tmp_path):
    def change(wb):
        del wb.defined_names["contract_annual_value"]

    _, text = tampered(written, tmp_path, change)
    assert "workbook: expected defined name contract_annual_value -> Inputs!$D$7" in text
    assert "found no such name" in text


def test_row_inserted(soffice, written, tmp_path):
    results, _ = written
    sheet, row = plan_layout(results.case.model)[0].lines["surplus_before_tax"]

    def change(wb):
        wb[sheet].insert_rows(row)

    _, text = tampered(written, tmp_path, change)
    assert f"{sheet}!A{row}: expected text 'surplus_before_tax', found an empty cell" in text
    assert f"{sheet}!F{row}: expected formula =" in text


def test_formula_changed_to_one_giving_the_same_figure(soffice, written, tmp_path):
    """=X*1 recalculates to X's figure: only the formula's text shows the change."""
    results, _ = written
    sheet, row = plan_layout(results.case.model)[0].lines["total_income"]

    def change(wb):
        cell = wb[sheet].cell(row=row, column=7)
        cell.value = cell.value + "*1"

    report, text = tampered(written, tmp_path, change)
    assert report.mismatches == []
    assert f"{sheet}!G{row}: expected formula =" in text and "*1" in text


def test_stale_record_edited_to_hide_an_input_change(soffice, written, tmp_path):
    """Editing the copy of the inputs (so the STALE flag stays off) breaks the value blocks'
    checksums, which cover it."""

    def change(wb):
        ws = wb[RECORD_SHEET]
        cell = next(c for row in ws.iter_rows(min_row=7) for c in row if type(c.value) is float)
        cell.value = cell.value + 1

    _, text = tampered(written, tmp_path, change)
    assert "Appraisal!A1:" in text and "found values edited" in text


def test_cli_verify_exits_1_naming_the_cell(soffice, written, tmp_path):
    results, path = written
    row = summary_row(results, "npv_before_financing")
    wb = openpyxl.load_workbook(path)
    wb["Summary"].cell(row=row, column=2).value = 99999999
    out = tmp_path / "forged.xlsx"
    wb.save(out)
    case_file = path.parent / "my_case.toml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mutualfin.cli",
            "verify",
            out,
            case_file,
            "--live",
            "0",
            "--no-excel-rules",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"Summary!B{row}: expected formula" in proc.stdout and "FAILED" in proc.stdout


def test_honest_input_edits_pass_are_reported_and_show_stale_in_libreoffice(soffice, tmp_path):
    """Change the contract's value and one employee's salary, as a finance officer would:
    verify reports both changes, runs Python with them, and passes; after LibreOffice
    recalculates, every value block shows the STALE flag, which the unedited workbook does
    not."""
    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    path = results.to_excel(
        tmp_path / "youth.xlsx", appraisal=case.appraise(results), store_values=False, pack="full"
    )
    layout, _ = plan_layout(case.model)
    salary_col = layout.entity_inputs["staff.salary"]
    first = layout.roster_first_row
    edited = edit_inputs(path, tmp_path / "edited.xlsx", {"contract.annual_value": 3_950_000})
    wb = openpyxl.load_workbook(edited)
    old_salary = wb["Roster"].cell(row=first, column=salary_col).value
    wb["Roster"].cell(row=first, column=salary_col).value = 31_000
    wb.save(edited)

    report = results.verify(edited, excel_rules=False)
    assert report.ok, str(report)
    text = str(report)
    ident = case.model.entity_axes["employee"].ids[0]
    assert (
        "input changed: contract.annual_value, case value 4,200,000, workbook value 3,950,000"
    ) in text
    assert (
        f"input changed: staff.salary[{ident}], case value {old_salary:,.10g}, workbook value "
        "31,000"
    ) in text
    assert len(report.input_changes) == 2

    # the figures followed the edits: Python ran with them
    rerun = case.run(
        {
            "contract.annual_value": [3_950_000.0],
            "staff.salary": [
                [31_000.0, *case.model.inputs["staff.salary"].value.ravel()[1:].tolist()]
            ],
        }
    )
    sheet, row = layout.lines["npv_net_cash_flow"]
    assert report.figures(f"{sheet}!D{row}")["LibreOffice"] == pytest.approx(
        rerun.metrics["npv_net_cash_flow"], abs=0.01
    )

    flags = [b for b in _blocks(edited)]
    assert {b[0] for b in flags} == {"Appraisal", "Appraisal detail", "Summary"}
    calc_edited = recalculate(edited, tmp_path / "calc_edited")
    calc_plain = recalculate(path, tmp_path / "calc_plain")
    for sheet, cell in flags:
        shown = openpyxl.load_workbook(calc_edited, data_only=True)[sheet][cell].value
        assert shown == STALE_TEXT, (sheet, cell)
        before = openpyxl.load_workbook(calc_plain, data_only=True)[sheet][cell].value
        assert before in (None, ""), (sheet, cell)


def _blocks(path):
    ws = openpyxl.load_workbook(path)[RECORD_SHEET]
    out = []
    for row in ws.iter_rows():
        if row[0].value and row[1].value and row[4].value and str(row[2].value).count(":") == 1:
            if row[0].value != "Value block":
                out.append((row[1].value, row[4].value))
    return out


def test_verify_live_reports_the_inputs_it_changed(soffice, written):
    results, path = written
    _, report = verify_live(
        path, results, changes={"contract.annual_value": 2_100_000.0}, excel_rules=False
    )
    assert report.ok, str(report)
    assert [c.name for c in report.input_changes] == ["contract.annual_value"]


def test_values_are_stored_by_default_and_can_be_left_out(soffice, written, tmp_path):
    """pandas.read_excel (and an e-mail preview) reads stored values: by default a case
    workbook holds them, verified all the same; store_values=False leaves formulas only."""
    results, _ = written
    stored = results.to_excel(tmp_path / "stored.xlsx", pack="full")
    sheet, row = plan_layout(results.case.model)[0].lines["closing_cash"]
    frame = pd.read_excel(stored, sheet_name=sheet, header=None)
    shown = frame.iloc[row - 1, 5 : 5 + results.case.timeline.n].astype(float).tolist()
    assert shown == pytest.approx(results["closing_cash"].tolist(), abs=0.01)
    assert results.verify(stored, excel_rules=False).ok
    bare = results.to_excel(tmp_path / "bare.xlsx", store_values=False, pack="full")
    blank = pd.read_excel(bare, sheet_name=sheet, header=None)
    assert blank.iloc[row - 1, 5 : 5 + results.case.timeline.n].isna().all()


def test_publication_pack_typed_over_fails_and_an_input_edit_passes(soffice, tmp_path):
    """The published pack (staff by cohort, working sheets hidden) is held to the same
    structure: a number typed over its NPV fails; an honest input edit passes, is reported
    and turns its STALE flags on."""
    from mutualfin.workbook.publication import case_cohorts

    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    path = results.to_excel(
        tmp_path / "pack.xlsx", appraisal=case.appraise(results), store_values=False
    )
    row = summary_row(results, "npv_before_financing", case_cohorts(results))
    wb = openpyxl.load_workbook(path)
    wb["Summary"].cell(row=row, column=2).value = 99999999
    forged = tmp_path / "forged.xlsx"
    wb.save(forged)
    report = results.verify(forged, excel_rules=False)
    assert not report.ok
    assert f"Summary!B{row}: expected formula" in str(report)

    edited = edit_inputs(path, tmp_path / "edited.xlsx", {"contract.annual_value": 3_950_000})
    report = results.verify(edited, excel_rules=False)
    assert report.ok, str(report)
    assert [c.name for c in report.input_changes] == ["contract.annual_value"]
    assert report.figures("Summary!A4")["LibreOffice"] == STALE_TEXT


def test_pack_staff_input_edit_fails_clearly_and_turns_the_cohort_flags_on(soffice, tmp_path):
    """In the publication pack, staff figures are values by cohort from the full model: no
    formula there can follow a staff input. Editing one (the vacancy factor) fails verify with
    one line naming the cell and the fix, not hundreds of mismatches, and each cohort block's
    live flag shows it stale; an edit of another input (the contract's value) leaves the
    cohort flags off while the value blocks' flags go on."""
    from mutualfin.workbook.case_workbook import cohort_flag_cells
    from mutualfin.workbook.fingerprint import COHORT_STALE_TEXT
    from mutualfin.workbook.publication import case_cohorts

    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    path = results.to_excel(tmp_path / "pack.xlsx", store_values=False)
    layout, _ = plan_layout(case.model, case_cohorts(results))
    flags = [
        f"{s}!{openpyxl.utils.get_column_letter(c)}{r}"
        for s, r, c in cohort_flag_cells(case.model, layout)
    ]
    assert len(flags) >= 5  # pay, NI, pension... per employee, one block each

    staff = edit_inputs(path, tmp_path / "staff.xlsx", {"staff.vacancy_factor": 0.06})
    report = results.verify(staff, excel_rules=False)
    assert not report.ok
    assert not report.mismatches  # compared as computed: the one failure says why
    (why,) = report.structure
    assert why.sheet == "Inputs" and "cannot follow it; change it in the full model" in str(why)
    for flag in flags:
        assert report.figures(flag)["LibreOffice"] == COHORT_STALE_TEXT

    contract = edit_inputs(path, tmp_path / "contract.xlsx", {"contract.annual_value": 3_950_000})
    report = results.verify(contract, excel_rules=False)
    assert report.ok, str(report)
    for flag in flags:
        assert report.figures(flag)["LibreOffice"] in (None, "")
    assert report.figures("Summary!A4")["LibreOffice"] == STALE_TEXT
