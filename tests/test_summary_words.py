"""The Summary sheet says what it shows in words a finance officer reads without a key.

Found by rendering edited cases: "1 years" below the reserves target, an annual case's
"Lowest closing cash in 01/04/2026" (the first day of the financial year whose closing cash
is lowest, read as a day), and the cash table's heading cut to "Cash by month, then by".
"""

from __future__ import annotations

import openpyxl

import mutualfin as mf
from mutualfin.workbook.summary import CASH_COL

from .casefiles import edited_case


def _summary(tmp_path, edit):
    case = mf.BusinessCase.from_file(edited_case("youth_service", tmp_path, edit))
    book = case.run().to_excel(tmp_path / "book.xlsx")
    return openpyxl.load_workbook(book)["Summary"]


def _row(ws, text):
    return next(r for r in range(1, 80) if str(ws.cell(row=r, column=1).value).startswith(text))


def test_annual_case_names_the_year_of_its_lowest_cash_and_counts_years_in_words(tmp_path):
    ws = _summary(tmp_path, lambda t: t.replace('freq = "monthly"\nmonthly_years = 2\n', ""))
    r = _row(ws, "Lowest closing cash in")
    assert ws.cell(row=r, column=1).value == "Lowest closing cash in the year from"
    assert ws.cell(row=r, column=2).number_format.replace("\\", "") == "mmm yyyy"  # Apr 2026
    formats = {
        c.number_format.replace("\\", "").replace(" ", "")  # (openpyxl escapes spaces)
        for row in ws.iter_rows(max_row=30)
        for c in row
    }
    assert '[=1]0"year";0"years"' in formats  # "1 year", "2 years"


def test_cash_by_month_heading_has_room_for_its_words(tmp_path):
    ws = _summary(tmp_path, lambda t: t)
    head = next(r for r in range(1, 60) if ws.cell(row=r, column=CASH_COL).value)
    assert ws.cell(row=head, column=CASH_COL).value == "Cash by month, then by year"
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(CASH_COL)].width
    assert width >= len("Cash by month,")  # two lines: "Cash by month," / "then by year"
