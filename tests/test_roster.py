"""Roster loading and validation: one RosterError listing every bad row, with the row number
as the user sees it in the file (the header is row 1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mutualfin.errors import InputError
from mutualfin.roster import Roster, RosterError

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad_rosters"
BASE = "2026-04-01"


def load_bad(name: str) -> RosterError:
    with pytest.raises(RosterError) as info:
        Roster.from_csv(BAD / name, BASE)
    return info.value


def test_small_roster_loads_with_per_employee_arrays():
    r = Roster.from_csv(DATA / "roster_small.csv", BASE)
    assert r.entities.name == "employee" and r.entities.ids == [f"E00{i}" for i in range(1, 7)]
    np.testing.assert_allclose(r.fte, [1.0, 0.5, 1.0, 0.8, 1.0, 0.2])
    # pay = salary x FTE
    np.testing.assert_allclose(r.pay, [24_500, 12_250, 45_000, 32_000, 38_000, 6_000])
    # ages at 1 April 2026: born 15 Jun 1990 -> 35; 20 Jan 1985 -> 41; 10 Mar 1968 -> 58;
    # 2 Nov 1979 -> 46; 29 Feb 1992 -> 34; 1 Jul 2000 -> 25
    np.testing.assert_allclose(r.age, [35, 41, 58, 46, 34, 25])
    # complete years of service at 1 April 2026 (1 Apr 2010 -> 16 exactly)
    np.testing.assert_allclose(r.service_years, [10, 16, 31, 20, 9, 2])
    assert r.member_of("LGPS").tolist() == [1, 1, 1, 0, 0, 0]
    assert r.member_of("nhs").tolist() == [0, 0, 0, 1, 0, 0]
    assert r.fifty_fifty.tolist() == [0, 1, 0, 0, 0, 0]
    assert r.contract.tolist()[4:] == ["fixed_term", "sessional"]
    assert "6 employees" in repr(r) and "LGPS 3" in repr(r)


def test_frame_with_ages_and_grade_column():
    frame = pd.DataFrame(
        {
            "ID": ["a", "b"],
            "Grade": ["SO1", "SO2"],
            "FTE": [1, 0.5],
            "Salary": [30_000, 32_000],
            "Age": [40, 60],
            "Service Start": [dt.date(2002, 1, 1), "2001-02-03"],
            "Scheme": ["LGPS", "none"],
        }
    )
    r = Roster.from_frame(frame, dt.date(2026, 4, 1))
    assert r.role.tolist() == ["SO1", "SO2"] and r.age.tolist() == [40, 60]
    assert np.isnan(r.accrued_pension).all()


def test_missing_columns_are_named_on_the_header_row():
    err = load_bad("missing_columns.csv")
    msg = str(err)
    assert "roster 'missing_columns.csv' has 2 problems" in msg
    assert "row 1, column salary: missing column" in msg
    assert "row 1, column scheme: missing column" in msg
    assert "row 1, column lgps_section" not in msg  # optional
    assert isinstance(err, InputError)


def test_duplicate_ids_name_the_first_row():
    msg = str(load_bad("duplicate_ids.csv"))
    assert "has 2 problems" in msg
    assert "row 4, column id: 'E001': duplicate id; first used on row 2" in msg
    assert "row 5, column id: 'E002': duplicate id; first used on row 3" in msg


def test_fte_outside_zero_to_one_and_a_half():
    err = load_bad("fte_out_of_range.csv")
    assert [(p.row, p.column, p.value) for p in err.problems] == [
        (2, "fte", "0"),
        (3, "fte", "1.6"),
        (4, "fte", "-0.5"),
        (6, "fte", "full"),
    ]  # 1.5 on row 5 is allowed
    msg = str(err)
    assert "row 2, column fte: '0': FTE must be above 0 and at most 1.5" in msg
    assert "row 6, column fte: 'full': not a number" in msg


def test_negative_implausible_and_missing_salary():
    msg = str(load_bad("bad_salary.csv"))
    assert "has 3 problems" in msg
    assert "row 2, column salary: '-24500': negative salary" in msg
    assert "row 3, column salary: '2450000': implausible salary (over £500,000 per FTE)" in msg
    assert "row 5, column salary: '': not a number" in msg


def test_unknown_scheme_and_section():
    msg = str(load_bad("unknown_scheme.csv"))
    assert "has 4 problems" in msg
    assert "row 2, column scheme: 'LPGS': unknown pension scheme; use LGPS, NHS, TPS or none" in msg
    assert "row 4, column scheme: 'USS': unknown pension scheme" in msg
    assert "row 5, column lgps_section: '60/40': unknown LGPS section; use main or 50/50" in msg
    assert "row 6, column scheme: '': unknown pension scheme" in msg


def test_dates_out_of_order():
    msg = str(load_bad("dates_out_of_order.csv"))
    assert "has 4 problems" in msg
    # a day before the 16th birthday is refused; the birthday itself is allowed (row 3)
    assert "row 2, column service_start: '2016-06-14': before the 16th birthday (2016-06-15" in msg
    assert "row 4, column service_start: '2026-04-02': in the future: after the base date" in msg
    assert "row 5, column date_of_birth: '1990-13-01': not a date" in msg
    assert "row 6, column date_of_birth: '2027-01-01': on or after the base date 2026-04-01" in msg


def test_age_instead_of_date_of_birth_checks_service_against_the_earliest_16th_birthday():
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "fte": [1, 1],
            "salary": [20_000, 20_000],
            "age": [20, 20],
            # aged 20 at 1 April 2026: born 2 April 2005 at the earliest, 16 on 2 April 2021
            "service_start": ["2021-04-01", "2021-04-02"],
            "scheme": ["none", "none"],
        }
    )
    with pytest.raises(RosterError) as info:
        Roster.from_frame(frame, BASE)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "service_start")]
    assert "before the 16th birthday of someone aged 20" in str(info.value)


def test_several_failure_modes_in_one_file_raise_one_error_listing_every_row():
    err = load_bad("mixed.csv")
    assert [(p.row, p.column) for p in err.problems] == [
        (3, "fte"),
        (4, "id"),
        (5, "salary"),
        (6, "service_start"),
        (7, "service_start"),
        (7, "scheme"),
        (8, "salary"),
    ]
    msg = str(err)
    assert msg.startswith("roster 'mixed.csv' has 7 problems; correct every row listed")
    assert "row 7, column service_start: '2010-01-08': before the 16th birthday" in msg
    assert "row 8, column salary: '950000': implausible salary" in msg


def _workbook(path: Path, rows: list[list[object]], sheet: str = "Staff") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["not the roster"])
    ws2 = wb.create_sheet(sheet)
    for row in rows:
        ws2.append(row)
    wb.save(path)
    return path


HEADER = ["id", "fte", "salary", "date_of_birth", "service_start", "scheme"]


def test_excel_named_sheet_with_real_dates(tmp_path):
    path = _workbook(
        tmp_path / "staff.xlsx",
        [
            HEADER,
            ["E1", 1, 30_000, dt.datetime(1980, 1, 1), dt.datetime(2001, 5, 1), "LGPS"],
            ["E2", 0.5, 28_000, dt.datetime(1990, 1, 1), dt.datetime(2012, 5, 1), "none"],
        ],
    )
    r = Roster.from_excel(path, BASE, sheet="Staff")
    assert r.ids.tolist() == ["E1", "E2"] and r.pay.tolist() == [30_000, 14_000]
    with pytest.raises(InputError, match=r"has no sheet 'Roster'; its sheets are \['Notes'"):
        Roster.from_excel(path, BASE, sheet="Roster")
    # without a name, the first sheet is read: it has none of the columns
    with pytest.raises(RosterError, match=r"none of the 1 columns of row 1 is a roster col"):
        Roster.from_excel(path, BASE)


def test_excel_formula_without_a_cached_value_is_a_bad_value_and_never_evaluated(tmp_path):
    # openpyxl writes formulas without cached values, as a program that does not calculate
    path = _workbook(
        tmp_path / "staff.xlsx",
        [
            HEADER,
            ["E1", 1, "=20000+10000", dt.datetime(1980, 1, 1), dt.datetime(2001, 5, 1), "LGPS"],
            ["E2", 2, 28_000, dt.datetime(1990, 1, 1), dt.datetime(2012, 5, 1), "none"],
        ],
    )
    with pytest.raises(RosterError) as info:
        Roster.from_excel(path, BASE, sheet="Staff")
    msg = str(info.value)
    assert "roster 'staff.xlsx, sheet Staff' has 2 problems" in msg
    assert "row 2, column salary: '=20000+10000': a formula with no calculated value" in msg
    assert "row 3, column fte: 2: FTE must be above 0 and at most 1.5" in msg


def test_unknown_ids_in_a_selection_are_named():
    r = Roster.from_csv(DATA / "roster_small.csv", BASE)
    assert r.index_of(["E003", "E001"], "redundant").tolist() == [2, 0]
    with pytest.raises(InputError, match=r"redundant: 1 id\(s\) are not on the roster.*'E999'"):
        r.index_of(["E001", "E999"], "redundant")
