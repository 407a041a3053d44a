"""Formula injection: text from a roster (ids) or a case file (case name, organisation,
sources, labels) that starts with "=", "+", "-", "@", a tab or a carriage return is written to
the workbook as text, and still shows as that text after LibreOffice recalculates it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from mutualfin.case import BusinessCase
from mutualfin.excel.recalc import recalculate

from .bad_inputs.conftest import GOOD_CASE

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]
ROSTER_HEADER = "id,role,fte,salary,date_of_birth,service_start,scheme\n"


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def toml_text(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def poisoned_case(folder: Path) -> Path:
    """A case whose name, organisation, sources and labels and whose roster's ids and roles
    are the classic payloads (those CSV can carry without stripping: tab and CR are tested
    through the case file)."""
    rows = [
        f"{csv_cell(p)},{csv_cell(p)},1.0,24500,1990-06-15,2015-09-01,LGPS" for p in PAYLOADS[:5]
    ]
    (folder / "staff.csv").write_text(ROSTER_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    text = GOOD_CASE.replace('name = "Test mutual"', f"name = {toml_text(PAYLOADS[0])}")
    text = text.replace('organisation = "Your council"', f"organisation = {toml_text(PAYLOADS[5])}")
    text = text.replace(
        'source = "draft contract (illustrative)"',
        f"source = {toml_text(PAYLOADS[1])}, label = {toml_text(PAYLOADS[2])}",
    )
    text = text.replace(
        "hr = 40_000", f"hr = {{ value = 40_000, source = {toml_text(PAYLOADS[6])} }}"
    )
    text = text.replace(
        "[finance]",
        '[roster]\nfile = "staff.csv"\n\n[staff]\n\n[lgps]\nprimary_rate = 0.16\n\n[finance]',
    )
    path = folder / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def poisoned_workbook(tmp_path) -> Path:
    case = BusinessCase.from_file(poisoned_case(tmp_path))
    results = case.run()
    # the full model: the publication pack holds no roster id, and a role held by fewer than
    # five people is merged, so the roster's payloads are in the full model only
    return results.to_excel(tmp_path / "case.xlsx", appraisal=case.appraise(results), pack="full")


def cells_holding(path: Path, texts: list[str], data_only: bool = False) -> dict[str, list]:
    wb = openpyxl.load_workbook(path, data_only=data_only)
    found: dict[str, list] = {t: [] for t in texts}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                # XML reads a carriage return back as a line feed: the text is the same
                value = cell.value
                if isinstance(value, str) and value.startswith("\n"):
                    value = "\r" + value[1:]
                if value in found:
                    found[value].append(cell)
    return found


def test_payloads_are_written_as_text(poisoned_workbook):
    found = cells_holding(poisoned_workbook, PAYLOADS)
    for payload, cells in found.items():
        assert cells, f"{payload!r} is not in the workbook as text"
        for cell in cells:
            assert cell.data_type == "s", (payload, cell.parent.title, cell.coordinate)


def test_no_formula_cell_holds_a_payload(poisoned_workbook):
    wb = openpyxl.load_workbook(poisoned_workbook)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    text = str(cell.value)
                    assert "HYPERLINK" not in text and "cmd|" not in text, cell.coordinate


@pytest.mark.libreoffice
def test_payloads_still_text_after_libreoffice_recalculation(poisoned_workbook, soffice):
    recalculated = recalculate(poisoned_workbook, poisoned_workbook.parent / "calc")
    found = cells_holding(recalculated, PAYLOADS[:5], data_only=True)
    for payload, cells in found.items():
        assert cells, f"{payload!r} no longer shows as text after recalculation"
        for cell in cells:
            assert cell.data_type == "s", (payload, cell.parent.title, cell.coordinate)


@pytest.mark.libreoffice
def test_poisoned_workbook_verifies_with_its_hidden_record_as_text(tmp_path, soffice):
    """Regression: the hidden Value blocks sheet copied the roster's ids as raw cell values,
    so an id "=HYPERLINK(...)" became a formula there; it is text, and the workbook's
    structure (a carriage return read back as a line feed) verifies."""
    case = BusinessCase.from_file(poisoned_case(tmp_path))
    results = case.run()
    book = results.to_excel(tmp_path / "case.xlsx", appraisal=case.appraise(results))
    report = results.verify(book, excel_rules=False)
    assert report.ok, str(report)
