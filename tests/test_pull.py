"""mutualfin pull: input cells changed in a case workbook, written back into the case file.

The round trip: write the youth case's workbook, change inputs in it with openpyxl as a
finance officer would in Excel, pull them into a copy of the case file, and run that: the
edited workbook, recalculated in LibreOffice, equals the pulled case's Python figures cell by
cell, and so the workbook the pulled case writes is the edited one.
"""

from __future__ import annotations

import openpyxl
import pytest

import mutualfin as mf
from mutualfin.errors import CaseFileError, WorkbookError
from mutualfin.workbook.pull import pull

from .casefiles import MODELS, edited_case


def _cell(wb, name: str):
    sheet, ref = next(iter(wb.defined_names[name].destinations))
    return wb[sheet][ref.replace("$", "")]


def _pay_award_row(ws) -> int:
    return next(
        r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "staff_pay_award"
    )


def _column(period: str) -> int:
    """The Inputs sheet's column of a period of the youth case (24 months, then years)."""
    from mutualfin.workbook.layout import FIRST_PERIOD_COL

    labels = mf.BusinessCase.from_file(MODELS / "youth_service.toml").timeline.labels
    return FIRST_PERIOD_COL + labels.index(period)


@pytest.fixture
def youth(tmp_path):
    """A copy of the youth case file (its roster beside it) and its workbook."""
    case_file = edited_case("youth_service", tmp_path, lambda text: text)
    book = mf.BusinessCase.from_file(case_file).run().to_excel(tmp_path / "book.xlsx")
    return case_file, book


def _edit(book, out, **values):
    wb = openpyxl.load_workbook(book)
    for name, value in values.items():
        _cell(wb, name).value = value
    wb.save(out)
    return out


@pytest.mark.libreoffice
def test_pull_round_trip_edited_workbook_equals_the_pulled_case(soffice, youth, tmp_path):
    case_file, _pack = youth
    # the full model, where every input is live (staff inputs included)
    book = mf.BusinessCase.from_file(case_file).run().to_excel(tmp_path / "full.xlsx", pack="full")
    before = case_file.read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(book)
    _cell(wb, "contract_annual_value").value = 4_000_000
    _cell(wb, "staff_vacancy_factor").value = 0.045
    ws = wb["Inputs"]
    row = _pay_award_row(ws)
    # the second year's pay award, 2.5% -> 3%: one value a year in the case file, laid over
    # the months on the Inputs sheet, in its month of effect (April 2027)
    ws.cell(row=row, column=_column("Apr 2027")).value = 0.03
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    report = pull(edited, case_file)
    assert report.written and report.notes == []
    assert sorted(c.name for c in report.changes) == [
        "contract.annual_value",
        "staff.pay_award",
        "staff.vacancy_factor",
    ]
    text = case_file.read_text(encoding="utf-8")
    # only the three values changed: comments, sources, uncertainty and layout kept
    changed = [
        (a, b) for a, b in zip(before.splitlines(), text.splitlines(), strict=True) if a != b
    ]
    old = {a.split("=")[0].strip(): a for a, _ in changed}
    assert sorted(old) == ["annual_value", "pay_award", "vacancy_factor"]
    # each line is the old line with its value alone replaced (its source and uncertainty kept)
    assert changed == [
        (
            old["annual_value"],
            old["annual_value"].replace("value = 4_200_000", "value = 4_000_000"),
        ),
        (
            old["pay_award"],
            old["pay_award"].replace(
                "[0.0, 0.025, 0.02, 0.02, 0.02]", "[0.0, 0.03, 0.02, 0.02, 0.02]"
            ),
        ),
        (old["vacancy_factor"], old["vacancy_factor"].replace("value = 0.03,", "value = 0.045,")),
    ]
    assert "uncertainty = { triangular = [3_900_000, 4_200_000, 4_200_000] }" in old["annual_value"]
    # run the pulled case: the edited workbook, recalculated, equals it cell by cell
    results = mf.BusinessCase.from_file(case_file).run()
    assert results.verify(edited).ok
    # and a second pull finds nothing left to pull
    again = pull(results.to_excel(tmp_path / "again.xlsx", pack="full"), case_file)
    assert again.changes == [] and not again.written


@pytest.mark.libreoffice
def test_pull_from_the_publication_pack(soffice, youth, tmp_path):
    """The pack has the full model's Inputs sheet: a live input edited there is pulled and the
    edited pack equals the pulled case; an input feeding the staff cohorts (values in the
    pack) is pulled too, with a note that the pack's staff figures did not follow it, naming
    the full model."""
    case_file, book = youth
    assert "Roster" not in openpyxl.load_workbook(book).sheetnames
    edited = _edit(book, tmp_path / "pack2.xlsx", staff_vacancy_factor=0.045)
    report = pull(edited, case_file, dry_run=True)
    assert [c.name for c in report.changes] == ["staff.vacancy_factor"]
    assert report.notes == [
        "staff.vacancy_factor feeds the staff cohorts, which pack2.xlsx (the publication pack) "
        "holds as values: its staff figures did not follow the edit. Run the case again for "
        "figures that do; to watch an edit move every figure, edit the full model "
        "(pack2-OFFICIAL-SENSITIVE.xlsx)"
    ]
    assert "Note: staff.vacancy_factor feeds the staff cohorts" in report.summary()

    edited = _edit(book, tmp_path / "pack.xlsx", contract_annual_value=4_000_000)
    report = pull(edited, case_file)
    assert report.written and report.notes == []
    assert [c.name for c in report.changes] == ["contract.annual_value"]
    assert mf.BusinessCase.from_file(case_file).run().verify(edited).ok


def test_pull_refuses_an_out_of_range_edit_with_a_clear_message(youth, tmp_path):
    case_file, book = youth
    before = case_file.read_bytes()
    edited = _edit(book, tmp_path / "e.xlsx", staff_vacancy_factor=3)  # 3% typed as 3
    with pytest.raises(CaseFileError) as err:
        pull(edited, case_file)
    assert str(err.value).startswith(
        "not pulled, nothing written: staff.vacancy_factor = 300.0% (from Inputs!"
    )
    assert "is refused by the case file" in str(err.value)
    assert "less than or equal to 1" in str(err.value)
    assert case_file.read_bytes() == before


def test_pull_refuses_a_value_outside_the_inputs_own_uncertainty(youth, tmp_path):
    case_file, book = youth
    before = case_file.read_bytes()
    edited = _edit(book, tmp_path / "e.xlsx", contract_annual_value=5_000_000)
    with pytest.raises(
        CaseFileError, match=r"contract.annual_value = £5,000,000 .*outside its own"
    ):
        pull(edited, case_file)
    assert case_file.read_bytes() == before


def test_pull_refuses_text_in_an_input_cell(youth, tmp_path):
    case_file, book = youth
    edited = _edit(book, tmp_path / "e.xlsx", contract_annual_value="about 4m")
    with pytest.raises(WorkbookError, match=r"Inputs!D\d+ holds 'about 4m', not a number"):
        pull(edited, case_file)


def test_pull_refuses_a_workbook_from_another_version_of_the_case_file(youth, tmp_path):
    case_file, book = youth
    edited = _edit(book, tmp_path / "e.xlsx", traded_price=5_500)
    case_file.write_text(
        case_file.read_text(encoding="utf-8").replace(
            "churn = { value = 0.05,", "churn = { value = 0.06,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(WorkbookError, match="written from another version of the case file"):
        pull(edited, case_file)
    report = pull(edited, case_file, force=True)  # every input as the workbook has it
    assert sorted(c.name for c in report.changes) == ["traded.churn", "traded.price"]


def test_pull_dry_run_and_output_to_another_file(youth, tmp_path):
    case_file, book = youth
    before = case_file.read_bytes()
    edited = _edit(book, tmp_path / "e.xlsx", traded_price=5_500)
    report = pull(edited, case_file, dry_run=True)
    assert not report.written and case_file.read_bytes() == before
    assert str(report.changes[0]).startswith("traded.price: £5,000 -> £5,500 (cell Inputs!")
    out = tmp_path / "v2.toml"
    report = pull(edited, case_file, output=out)
    assert report.written and case_file.read_bytes() == before
    assert "price = { value = 5_500," in out.read_text(encoding="utf-8")
    with pytest.raises(WorkbookError, match="already exists"):
        pull(edited, case_file, output=out)


def test_pull_an_unedited_workbook_changes_nothing(youth):
    case_file, book = youth
    report = pull(book, case_file)
    assert report.changes == [] and not report.written
    assert report.summary() == "book.xlsx: no input differs from youth_service.toml"
    assert case_file.read_text(encoding="utf-8") == (MODELS / "youth_service.toml").read_text(
        encoding="utf-8"
    )


def test_pull_refuses_a_yearly_rate_typed_in_another_month(youth, tmp_path):
    """The pay award is one value a financial year; on the Inputs sheet it sits in each
    year's month of effect (April) and 0 in the other months. A rate typed in May 2027 is
    not one the case file can hold: refused, naming the cell and where to type it."""
    case_file, book = youth
    before = case_file.read_bytes()
    wb = openpyxl.load_workbook(book)
    ws = wb["Inputs"]
    cell = ws.cell(row=_pay_award_row(ws), column=_column("May 2027"))
    assert cell.value == 0
    cell.value = 0.03
    wb.save(tmp_path / "e.xlsx")
    with pytest.raises(WorkbookError) as err:
        pull(tmp_path / "e.xlsx", case_file)
    assert str(err.value).startswith(f"Inputs!{cell.coordinate}: staff.pay_award is one value")
    assert "each year's month of effect from the second year" in str(err.value)
    assert case_file.read_bytes() == before


def test_pull_sums_an_amount_a_year_spread_over_the_months(youth, tmp_path):
    """Set-up (mobilisation) of £60,000 in the first year is £5,000 a month on the Inputs
    sheet; typing £6,000 in April 2026 makes the year's £61,000 in the case file."""
    case_file, book = youth
    wb = openpyxl.load_workbook(book)
    ws = wb["Inputs"]
    row = next(
        r[0].row for r in ws.iter_rows(min_col=1, max_col=1) if r[0].value == "setup_amounts"
    )
    april = ws.cell(row=row, column=_column("Apr 2026"))
    assert april.value == pytest.approx(5_000)
    april.value = 6_000
    wb.save(tmp_path / "e.xlsx")
    report = pull(tmp_path / "e.xlsx", case_file)
    (change,) = report.changes
    assert change.name == "setup.amounts"
    assert change.new[0] == pytest.approx(61_000) and change.new[1:] == change.old[1:]
    assert any("spread evenly over the year's months again" in n for n in report.notes)
