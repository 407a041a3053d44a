"""Bad rosters: every problem in a file reported at once, each with its row number as the user
sees it (the header is row 1), as a RosterError (or InputError for an unreadable file), and no
file written. Excel fixtures are built with openpyxl in the test's folder."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from mutualfin.errors import InputError
from mutualfin.roster import MAX_ROSTER_BYTES, Roster, RosterError

from .conftest import BASE_DATE, GOOD_ROSTER, refused

HEADER = GOOD_ROSTER.splitlines()[0]
ROW = "E009,Support worker,1.0,24500,1990-06-15,2015-09-01,LGPS,main,permanent"


def roster_with(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


CSV_CASES = [
    ("empty_file", "", ["row 1", "the file is empty", "header"]),
    ("header_only", HEADER + "\n", ["row 2", "no rows"]),
    (
        "missing_salary_column",
        "id,fte,age,service_start,scheme\nE1,1,40,2015-01-01,LGPS\n",
        ["row 1, column salary", "missing column"],
    ),
    (
        "duplicate_column",
        "id,fte,salary,fte,age,service_start,scheme\nE1,1,20000,1,40,2015-01-01,LGPS\n",
        ["row 1, column fte", "given twice"],
    ),
    (
        "semicolons",
        HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";") + "\n",
        ["row 1", "semicolons", "comma delimited"],
    ),
    (
        "extra_cells",
        roster_with(ROW, ROW.replace("E009", "E010") + ",x,y"),
        ["row 3", "has 11 cells", "header has 9", "quotes"],
    ),
    ("duplicate_id", roster_with(ROW, ROW), ["row 3, column id", "duplicate id", "row 2"]),
    ("empty_id", roster_with(ROW.replace("E009", "")), ["row 2, column id", "empty id"]),
    ("fte_zero", roster_with(ROW.replace(",1.0,", ",0,")), ["row 2, column fte", "above 0"]),
    (
        "fte_text",
        roster_with(ROW.replace(",1.0,", ",full,")),
        ["row 2, column fte", "not a number"],
    ),
    ("fte_nan", roster_with(ROW.replace(",1.0,", ",nan,")), ["row 2, column fte", "'nan'"]),
    ("salary_negative", roster_with(ROW.replace("24500", "-24500")), ["row 2", "negative salary"]),
    ("salary_in_pence", roster_with(ROW.replace("24500", "2450000")), ["row 2", "not pence"]),
    ("salary_infinite", roster_with(ROW.replace("24500", "inf")), ["row 2, column salary"]),
    (
        "dob_us_format",
        roster_with(ROW.replace("1990-06-15", "06/15/1990")),
        ["row 2, column date_of_birth", "not a date", "1980-05-31"],
    ),
    (
        "dob_after_base",
        roster_with(ROW.replace("1990-06-15", "2027-01-01")),
        ["row 2", "on or after the base date 2026-04-01"],
    ),
    (
        "service_in_future",
        roster_with(ROW.replace("2015-09-01", "2030-09-01")),
        ["row 2, column service_start", "in the future"],
    ),
    (
        "service_before_16",
        roster_with(ROW.replace("2015-09-01", "2000-01-01")),
        ["row 2, column service_start", "16th birthday"],
    ),
    (
        "unknown_scheme",
        roster_with(ROW.replace("LGPS", "LPGS")),
        ["row 2, column scheme", "LGPS, NHS, TPS or none"],
    ),
    ("unknown_section", roster_with(ROW.replace(",main,", ",60/40,")), ["row 2", "main or 50/50"]),
    (
        "unknown_contract",
        roster_with(ROW.replace("permanent", "zero hours")),
        ["row 2, column contract", "fixed_term"],
    ),
    # optional columns misspelt: refused, never silently ignored (issue 20, item 4)
    (
        "misspelt_lgps_section",
        roster_with(ROW).replace("lgps_section", "LGPS sectoin"),
        ["row 1, column LGPS sectoin", "unknown column", "did you mean 'lgps_section'"],
    ),
    (
        "misspelt_accrued_pension",
        HEADER + ",Accrued pension (£ pa)\n" + ROW + ",5000\n",
        ["Accrued pension (£ pa)", "did you mean 'accrued_pension'", "ignore_columns"],
    ),
    # implausibly low salaries (issue 20, item 5)
    (
        "salary_european_thousands",
        roster_with(ROW.replace("24500", "24.500")),
        ["row 2, column salary", "'24.500'", "under £1,000", "24,500 not 24.500", "hourly"],
    ),
    ("salary_hourly", roster_with(ROW.replace("24500", "12.60")), ["row 2", "under £1,000"]),
    # text that a workbook cannot hold or a terminal would act on (issue 20, item 1)
    (
        "escape_in_id",
        roster_with(ROW.replace("E009", "E0\x1b[2J09")),
        ["row 2, column id", "control character", "\\x1b"],
    ),
    (
        "backspace_in_role",
        roster_with(ROW.replace("Support worker", "Support\x08worker")),
        ["row 2, column role", "control character"],
    ),
    ("not_utf8", ROW.replace("Support", "Caf\xe9").encode("latin-1"), ["not UTF-8", "CSV UTF-8"]),
    ("binary", b"\x00\x01\x02PK\x03\x04", ["NUL bytes", "from_excel"]),
    ("unclosed_quote", roster_with('E009,"Support worker,1.0,24500'), ["not valid CSV", "quote"]),
]


@pytest.mark.parametrize(
    ("content", "words"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_bad_csv_roster(tmp_path, write_roster, content, words):
    path = write_roster(content)
    unreadable = isinstance(content, bytes) or words[0] == "not valid CSV"
    error = InputError if unreadable else RosterError
    refused(lambda: Roster.from_csv(path, BASE_DATE), error, *words, folder=tmp_path)


def test_every_failure_at_once_with_row_numbers(tmp_path, write_roster):
    """One file with a problem in nearly every row: all reported together, in row order."""
    path = write_roster(
        roster_with(
            ROW,  # row 2: good
            ROW.replace(",1.0,", ",2.0,").replace("E009", "E010"),  # row 3: FTE
            ROW,  # row 4: duplicate of row 2
            ROW.replace("E009", "E011").replace("24500", "-1"),  # row 5: salary
            "",  # row 6: blank line, skipped but counted
            ROW.replace("E009", "E012").replace("2015-09-01", "2030-01-01"),  # row 7
            ROW.replace("E009", "E013").replace("LGPS", "pension"),  # row 8: scheme
        )
    )
    exc = refused(
        lambda: Roster.from_csv(path, BASE_DATE), RosterError, "5 problems", folder=tmp_path
    )
    assert [(p.row, p.column) for p in exc.problems] == [
        (3, "fte"),
        (4, "id"),
        (5, "salary"),
        (7, "service_start"),
        (8, "scheme"),
    ]


def test_oversized_csv_roster(tmp_path):
    path = tmp_path / "staff.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(GOOD_ROSTER)
        fh.write(("," * 99 + "\n") * (MAX_ROSTER_BYTES // 100 + 1))
    refused(
        lambda: Roster.from_csv(path, BASE_DATE),
        InputError,
        "staff.csv",
        "over the 20,000,000-byte limit",
        folder=tmp_path,
    )


def test_missing_roster_file(tmp_path):
    refused(
        lambda: Roster.from_csv(tmp_path / "staff.csv", BASE_DATE),
        InputError,
        "staff.csv",
        "does not exist",
        folder=tmp_path,
    )


def test_base_date_not_a_date(tmp_path, write_roster):
    path = write_roster()
    refused(
        lambda: Roster.from_csv(path, "next April"),
        InputError,
        "'next April'",
        "2026-04-01",
        folder=tmp_path,
    )


# -- Excel rosters ----------------------------------------------------------------------------
XL_HEADER = ["id", "role", "fte", "salary", "date_of_birth", "service_start", "scheme"]


def xl_row(ident: str = "E001", **changes) -> list:
    row = dict(
        zip(
            XL_HEADER,
            [
                ident,
                "Support worker",
                1.0,
                24500,
                dt.date(1990, 6, 15),
                dt.date(2015, 9, 1),
                "LGPS",
            ],
            strict=True,
        )
    )
    row.update(changes)
    return list(row.values())


def workbook(folder: Path, build, name: str = "staff.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staff"
    ws.append(XL_HEADER)
    build(wb, ws)
    path = folder / name
    wb.save(path)
    return path


def test_excel_merged_cells(tmp_path):
    def build(wb, ws):
        for k in range(1, 4):
            ws.append(xl_row(f"E00{k}"))
        ws.merge_cells("G2:G4")

    path = workbook(tmp_path, build)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        RosterError,
        "row 2, column G2:G4",
        "merged cells",
        "unmerge",
        folder=tmp_path,
    )


def test_excel_hidden_sheet_is_not_read_by_default(tmp_path):
    def build(wb, ws):
        ws.append(xl_row("E001"))
        old = wb.create_sheet("Last year", 0)
        old.sheet_state = "hidden"
        old.append(XL_HEADER)
        old.append(xl_row("OLD1", salary=1))

    path = workbook(tmp_path, build)
    roster = Roster.from_excel(path, BASE_DATE)
    assert list(roster.ids) == ["E001"]


def test_excel_only_hidden_sheets(tmp_path):
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row()))
    # openpyxl will not save a workbook with no visible sheet: hide it in the XML, as Excel can
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/workbook.xml"].decode()
    xml = re.sub(r'<sheet ([^>]*?)state="visible"', r'<sheet \1state="hidden"', xml)
    assert 'state="hidden"' in xml
    parts["xl/workbook.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE), InputError, "no visible sheet", folder=tmp_path
    )


def test_excel_hidden_rows(tmp_path):
    def build(wb, ws):
        ws.append(xl_row("E001"))
        ws.append(xl_row("E002"))
        ws.row_dimensions[3].hidden = True

    path = workbook(tmp_path, build)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        RosterError,
        "row 3",
        "hidden row",
        folder=tmp_path,
    )


def test_excel_formula_without_a_value(tmp_path):
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row(salary="=20000+4500")))
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        RosterError,
        "row 2, column salary",
        "'=20000+4500'",
        "no calculated value",
        folder=tmp_path,
    )


def with_cached_value(path: Path, cell: str, formula: str, value: str) -> None:
    """Rewrite a cell of the first sheet as a formula with a cached value, as Excel saves."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml, n = re.subn(
        rf'<c r="{cell}"[^>]*>.*?</c>', f'<c r="{cell}"><f>{formula}</f><v>{value}</v></c>', xml
    )
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_excel_formula_is_read_as_its_saved_value_never_evaluated(tmp_path):
    """A formula's cached value is used; the formula itself is never run nor kept."""
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row()))
    with_cached_value(path, "D2", "20000+4500", "24500")
    roster = Roster.from_excel(path, BASE_DATE)
    assert roster.salary.tolist() == [24500.0]
    assert all(not str(v).startswith("=") for v in roster.frame.to_numpy().ravel())


def test_excel_dates_stored_as_text_and_numbers(tmp_path):
    def build(wb, ws):
        ws.append(xl_row("E001", date_of_birth="15/06/1990", service_start="01/09/2015"))  # ok
        ws.append(xl_row("E002", date_of_birth="June 1990"))
        ws.append(xl_row("E003", service_start=42248))

    path = workbook(tmp_path, build)
    exc = refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        RosterError,
        "row 3, column date_of_birth: 'June 1990': not a date",
        "row 4, column service_start: 42248",
        "format the column as a date",
        folder=tmp_path,
    )
    assert len(exc.problems) == 2


def test_excel_error_value(tmp_path):
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row(salary="#DIV/0!")))
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        RosterError,
        "row 2, column salary",
        "#DIV/0!",
        folder=tmp_path,
    )


def test_excel_empty_sheet(tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE), RosterError, "row 1", "empty", folder=tmp_path
    )


def test_excel_unknown_sheet(tmp_path):
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row()))
    refused(
        lambda: Roster.from_excel(path, BASE_DATE, sheet="Staf"),
        InputError,
        "'Staf'",
        "['Staff']",
        folder=tmp_path,
    )


def test_excel_not_a_workbook(tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_text(GOOD_ROSTER)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        InputError,
        "not a readable Excel",
        "CSV",
        folder=tmp_path,
    )


def test_excel_zip_bomb(tmp_path):
    """An .xlsx that is small on disk but unzips to gigabytes is refused before parsing."""
    path = tmp_path / "staff.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.xml", b"\0" * (210 * 1024 * 1024))
    assert path.stat().st_size < MAX_ROSTER_BYTES
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        InputError,
        "unzips to",
        "over the",
        folder=tmp_path,
    )


def test_defusedxml_is_active():
    """openpyxl parses workbooks with defusedxml (entity expansion and external entities
    refused), because defusedxml is installed as a dependency."""
    assert openpyxl.xml.DEFUSEDXML is True


def test_unknown_column_listed_as_ignored_is_read(tmp_path, write_roster):
    """A column the user says to leave out is not refused; the roster reads as without it."""
    path = write_roster(HEADER + ",notes\n" + ROW + ",started as a volunteer\n")
    refused(
        lambda: Roster.from_csv(path, BASE_DATE),
        RosterError,
        "column notes: unknown",
        folder=tmp_path,
    )
    roster = Roster.from_csv(path, BASE_DATE, ignore_columns=["Notes"])
    assert roster.ids.tolist() == ["E009"]


def test_a_file_that_is_not_a_roster_is_not_echoed(tmp_path, write_roster):
    """Any readable file given as a roster is refused without quoting its content: nothing
    of it but a count of columns appears in the message (issue 20, item 2)."""
    secret = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n"
    path = write_roster(secret)
    exc = refused(
        lambda: Roster.from_csv(path, BASE_DATE),
        RosterError,
        "none of the 1 columns of row 1 is a roster column",
        "is this the roster file",
        folder=tmp_path,
    )
    assert "root" not in str(exc) and "daemon" not in str(exc)


def test_semicolon_header_is_not_echoed(tmp_path, write_roster):
    path = write_roster("secret;words;here\n1;2;3\n")
    exc = refused(
        lambda: Roster.from_csv(path, BASE_DATE), RosterError, "semicolons", folder=tmp_path
    )
    assert "secret" not in str(exc)


def test_ids_are_text(tmp_path, write_roster):
    """000456 stays 000456; 0123 and 00123 are two people, not a duplicate (issue 20,
    item 10). A number typed into a DataFrame or an Excel cell is read as its whole number."""
    path = write_roster(
        roster_with(ROW.replace("E009", "000456"), ROW.replace("E009", "0123"))
        + ROW.replace("E009", "00123")
        + "\n"
    )
    assert Roster.from_csv(path, BASE_DATE).ids.tolist() == ["000456", "0123", "00123"]
    frame = pd.read_csv(path, dtype=str)
    frame["id"] = [456, 123, 124]
    assert Roster.from_frame(frame, BASE_DATE).ids.tolist() == ["456", "123", "124"]


def test_decimal_salaries_are_numbers():
    """read_sql returns NUMERIC columns as Decimal: they are read as the numbers they are."""
    frame = pd.read_csv(io.StringIO(GOOD_ROSTER), dtype=str)
    frame["salary"] = [
        decimal.Decimal("24500.00"),
        decimal.Decimal("24500"),
        decimal.Decimal(45000),
    ]
    frame["fte"] = [decimal.Decimal("1.0"), decimal.Decimal("0.5"), decimal.Decimal("1")]
    roster = Roster.from_frame(frame, BASE_DATE)
    assert roster.pay.tolist() == [24_500.0, 12_250.0, 45_000.0]


def test_decimal_nan_salary_is_not_a_number():
    frame = pd.read_csv(io.StringIO(GOOD_ROSTER), dtype=str)
    frame["salary"] = [decimal.Decimal("NaN"), decimal.Decimal("sNaN"), decimal.Decimal(45000)]
    with pytest.raises(RosterError, match=r"row 2, column salary(.|\n)*row 3, column salary"):
        Roster.from_frame(frame, BASE_DATE)


def test_excel_row_beyond_the_last_row(tmp_path):
    """A sheet with a cell on row 1,048,577 (no spreadsheet can save one) is refused as
    damaged, not with openpyxl's ValueError (issue 20, item 9)."""
    path = workbook(tmp_path, lambda wb, ws: ws.append(xl_row()))
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace('<row r="2"', '<row r="1048577"')
    xml = re.sub(r'r="([A-G])2"', r'r="\g<1>1048577"', xml)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        InputError,
        "row 1,048,577",
        "damaged",
        folder=tmp_path,
    )


def test_excel_stray_cell_far_below_the_roster(tmp_path):
    """A stray cell on row 500,000 would make the reader walk half a million empty rows."""
    path = workbook(tmp_path, lambda wb, ws: (ws.append(xl_row()), ws.cell(500_000, 1, "x")))
    refused(
        lambda: Roster.from_excel(path, BASE_DATE),
        InputError,
        "last used row is 500,000",
        "stray cells",
        folder=tmp_path,
    )


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: Roster.from_csv(None, BASE_DATE), ["file path", "NoneType"]),
        (lambda: Roster.from_csv("staff\x00.csv", BASE_DATE), ["NUL"]),
        (lambda: Roster.from_csv(pd.DataFrame(), BASE_DATE), ["Roster.from_frame"]),
        (lambda: Roster.from_frame("staff.csv", BASE_DATE), ["DataFrame", "Roster.from_csv"]),
    ],
    ids=["none", "nul", "frame_to_from_csv", "path_to_from_frame"],
)
def test_roster_loader_given_the_wrong_thing(tmp_path, call, words):
    refused(call, InputError, *words, folder=tmp_path)
