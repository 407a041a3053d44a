"""The staff roster: who transfers, on what pay, in which pension scheme.

One row per post or person, read from a pandas DataFrame, a CSV file or one sheet of an Excel
workbook, validated as data, and turned into per-employee arrays for the workforce and pension
models (:class:`mutualfin.workforce.StaffCosts`, :class:`mutualfin.workforce.TransferCosts`,
:class:`mutualfin.pensions.LgpsAdmission`).

Columns (names are matched case-insensitively; spaces and hyphens read as underscores):

- ``id``: unique identifier of the post or person (required)
- ``role`` or ``grade``: job title or grade (optional, shown in reports)
- ``fte``: full-time equivalence, above 0 and at most 1.5 (required)
- ``salary``: full-time annual salary at the base date, pounds per FTE, at least £1,000 and
  at most £500,000 (required); pay is ``salary x fte``
- ``date_of_birth`` or ``age``: one of the two (required); age in whole years at the base date
- ``service_start``: start of continuous service (required): under TUPE (Transfer of
  Undertakings (Protection of Employment) Regulations 2006, reg.4) transferring staff keep
  their continuity, so give the council start
- ``scheme``: pension scheme: LGPS, NHS, TPS or none (required)
- ``lgps_section``: ``main`` or ``50/50`` for LGPS members (optional; main if blank)
- ``contract``: permanent, fixed_term, temporary, casual or sessional (optional; permanent if
  blank)
- ``accrued_pension``: LGPS annual pension already built up, pounds a year (optional; used by
  the pension models in place of their estimate)

Dates (``date_of_birth``, ``service_start``) may be ISO (``1985-06-15``) or UK day-first
(``15/06/1985``).

Ids are text: ``000456`` stays ``000456``, and ``0123`` and ``00123`` are two people (a number
typed into an Excel cell is read as its whole number, ``456``). Any other column is refused as
unknown, with the closest roster column suggested (a misspelt ``lgps_sectoin`` would otherwise
silently put every member in the main section), unless it is listed in ``ignore_columns``.

Every bad cell is reported at once in one :class:`RosterError`, each problem with the row
number as the user sees it in the file (the header is row 1), the column, the value and why.

A roster read from a file is data only: CSV is parsed as text, and Excel is opened with
``openpyxl.load_workbook(read_only=True, data_only=True)``, so formulas are never evaluated and
macros never run; a formula cell with no value cached by the program that saved it is reported
as a bad value. A file over :data:`MAX_ROSTER_BYTES` (20 MB) is refused, as is an .xlsx that
unzips to more than ten times that. In a workbook, the roster is read from the named sheet or
else the first visible one; merged cells and hidden rows are reported (a merged cell holds its
value in one row only, and a hidden row is easily a filtered-out employee).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import difflib
import io
import math
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.core.bounds import Bounds
from mutualfin.core.calendar import parse_date
from mutualfin.core.checks import check_text
from mutualfin.engine.nodes import Entities
from mutualfin.errors import InputError

__all__ = [
    "COLUMNS",
    "FTE_BOUNDS",
    "MAX_ROSTER_BYTES",
    "MAX_ROSTER_ROWS",
    "SALARY_BOUNDS",
    "SCHEMES",
    "Roster",
    "RosterError",
    "RosterProblem",
]

#: pension schemes a roster row may name (case-insensitive), mapped to their canonical name
SCHEMES = {"lgps": "LGPS", "nhs": "NHS", "tps": "TPS", "none": "none"}
_SECTIONS = {"main": "main", "50/50": "50/50", "50_50": "50/50", "5050": "50/50"}
_CONTRACTS = ("permanent", "fixed_term", "temporary", "casual", "sessional")
_REQUIRED = ("id", "fte", "salary", "service_start", "scheme")
_MAX_FTE = 1.5
_MAX_SALARY = 500_000.0
#: below this a salary is not a full-time annual salary: a European thousands separator
#: (24.500 for 24,500), an hourly or weekly rate, or thousands (24.5 for £24,500)
_MIN_SALARY = 1_000.0
#: the bounds of a roster's FTE and salary, also held by the per-employee model inputs
FTE_BOUNDS = Bounds(0, _MAX_FTE, low_open=True, why="full-time equivalence, e.g. 0.6")
SALARY_BOUNDS = Bounds(_MIN_SALARY, _MAX_SALARY, why="a full-time annual salary in pounds per FTE")
#: columns a roster reads (after case-insensitive matching, spaces and hyphens as underscores)
COLUMNS = (
    "id",
    "role",
    "grade",
    "fte",
    "salary",
    "date_of_birth",
    "dob",
    "birth_date",
    "age",
    "service_start",
    "scheme",
    "lgps_section",
    "contract",
    "accrued_pension",
)
#: the most rows a roster sheet may reach (its last used row): twice the largest roster tested
MAX_ROSTER_ROWS = 200_000
_EXCEL_LAST_ROW = 1_048_576
_EXCEL_LAST_COLUMN = 16_384
_MIN_WORKING_AGE = 16
_MAX_AGE = 100
_HEADER_ROW = 1
#: largest roster file read (CSV, or .xlsx on disk and unzipped): about 100,000 employees
MAX_ROSTER_BYTES = 20_000_000
#: an .xlsx is a zip of XML; its unzipped size is limited too (a "zip bomb" is tiny on disk)
_MAX_UNZIPPED_BYTES = 10 * MAX_ROSTER_BYTES


@dataclass(frozen=True)
class RosterProblem:
    """One bad cell (or a missing column) of a roster."""

    row: int
    column: str
    value: Any
    why: str

    def __str__(self) -> str:
        value = "" if self.value is _MISSING else f": {self.value!r}"
        return f"row {self.row}, column {self.column}{value}: {self.why}"


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - never shown
        return "<missing>"


_MISSING = _Missing()


class RosterError(InputError):
    """A roster has bad rows; ``.problems`` lists every one (row, column, value, why).

    The message names the source, the number of problems and one problem per line, e.g.::

        roster 'staff.csv' has 2 problems:
          row 3, column fte: 0.0: FTE must be above 0 and at most 1.5
          row 5, column id: 'E001': duplicate id; first used on row 2
    """

    def __init__(self, problems: Iterable[RosterProblem], source: str = "roster"):
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(
            f"roster {source!r} has {n} problem{'s' if n != 1 else ''}; correct every row "
            f"listed (the header is row 1):\n{lines}"
        )


def _norm_col(name: object) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _shown(name: object, limit: int = 40) -> str:
    """A column name for a message: control characters escaped, cut to ``limit``."""
    text = ascii(str(name))[1:-1] if not str(name).isprintable() else str(name)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text_problem(value: Any) -> str | None:
    """Why a roster's id or role cannot be used as text (a control character, too long)."""
    try:
        check_text(str(value), "")
    except InputError as exc:
        return str(exc)
    return None


def _roster_path(path: Any, fn: str) -> Path:
    """``path`` as a Path to an existing file, refusing what is not a path."""
    if not isinstance(path, str | os.PathLike):
        raise InputError(
            f"{fn}: path must be a file path (str or pathlib.Path), got {type(path).__name__}"
            + ("; for a DataFrame use Roster.from_frame" if isinstance(path, pd.DataFrame) else "")
        )
    text = os.fspath(path)
    if isinstance(text, bytes) or "\x00" in text:
        raise InputError(f"{fn}: path {text!r} is not a usable file name (NUL or bytes)")
    p = Path(text)
    if not p.is_file():
        raise InputError(f"roster file {str(p)!r} does not exist")
    return p


def _blank(v: Any) -> bool:
    if v is None or v is _MISSING:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if v is pd.NaT:
        return True
    return isinstance(v, str) and not v.strip()


def _number(v: Any) -> float | None:
    if isinstance(v, bool | np.bool_):
        return None
    if isinstance(v, int | float | np.integer | np.floating | decimal.Decimal):
        try:
            f = float(v)
        except (ValueError, OverflowError):  # a signalling NaN, an int beyond floats
            return None
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        text = v.strip().replace(",", "").replace("£", "")
        try:
            f = float(text)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _date(v: Any) -> dt.date | None:
    """A roster cell as a date (ISO or UK day-first text, or a spreadsheet date), else None."""
    return parse_date(v)


def _check_size(p: Path) -> None:
    size = p.stat().st_size
    if size > MAX_ROSTER_BYTES:
        raise InputError(
            f"roster file {p.name!r} is {size:,} bytes, over the {MAX_ROSTER_BYTES:,}-byte limit "
            "for a roster; keep one row per transferring post and only the roster's columns"
        )


def _read_csv_rows(p: Path) -> tuple[list[str], list[list[str]], list[int], list[RosterProblem]]:
    """Header, data rows (as text), their row numbers (header is row 1) and ragged rows."""
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"roster file {p.name!r} is not UTF-8 text (byte {exc.start:,} cannot be read); in "
            "Excel use Save As 'CSV UTF-8 (Comma delimited)', or read the .xlsx with from_excel"
        ) from None
    if "\x00" in text:
        raise InputError(
            f"roster file {p.name!r} contains NUL bytes, so it is not a CSV text file; export "
            "the roster as CSV, or read the .xlsx with Roster.from_excel"
        )
    try:
        records = list(
            csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
        )
    except csv.Error as exc:
        raise InputError(
            f'roster file {p.name!r} is not valid CSV ({exc}); check for a quote (") '
            "that is opened and never closed"
        ) from None
    records = [[cell.strip() for cell in rec] for rec in records]
    if not records or not any(records[0]):
        raise RosterError(
            [
                RosterProblem(
                    _HEADER_ROW,
                    "(header)",
                    _MISSING,
                    "the file is empty; row 1 must be the header (id, fte, salary, ...)",
                )
            ],
            p.name,
        )
    header = records[0]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        raise RosterError(
            [
                RosterProblem(
                    _HEADER_ROW,
                    "(header)",
                    _MISSING,
                    f"the columns are separated by "
                    f"{sep}, not commas; save the file as CSV (comma delimited)",
                )
            ],
            p.name,
        )
    rows: list[list[str]] = []
    numbers: list[int] = []
    ragged: list[RosterProblem] = []
    for k, rec in enumerate(records[1:], start=_HEADER_ROW + 1):
        if not any(rec):
            continue  # blank line
        extra = rec[len(header) :]
        if any(extra):
            ragged.append(
                RosterProblem(
                    k,
                    "(row)",
                    _MISSING,
                    f"has {len(rec)} cells but the header has {len(header)}; a comma inside a "
                    'value needs the value in quotes ("Smith, J")',
                )
            )
        rows.append(rec[: len(header)] + [""] * (len(header) - len(rec)))
        numbers.append(k)
    return header, rows, numbers, ragged


def _serial(v: Any) -> str:
    """A hint for a date typed or stored as a plain number (an Excel serial, 33039)."""
    if _number(v) is not None and not isinstance(v, str):
        return " (it is a number: format the column as a date in Excel)"
    return ""


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dt.date(dob.year + years, 3, 1)


def _whole_years(start: dt.date, end: dt.date) -> int:
    """Complete years from ``start`` to ``end`` (an age, or years of service)."""
    n = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        n -= 1
    return n


class Roster:
    """A validated staff roster with one entry per employee (post or person).

    Build it with :meth:`from_frame`, :meth:`from_csv` or :meth:`from_excel`; each validates
    every row and raises one :class:`RosterError` listing every problem.

    Parameters
    ----------
    frame : pandas.DataFrame
        Clean columns ``id, role, fte, salary, date_of_birth, age, service_start, scheme,
        lgps_section, contract, accrued_pension`` (as produced by the loaders).
    base_date : date
        The date the salaries and ages refer to (usually the transfer date).
    source : str
        Where the roster came from, for messages.

    Attributes
    ----------
    entities : Entities
        The employee axis, ``Entities("employee", ids)``; one object per roster, so every
        per-employee input built from this roster shares it.
    ids, role, scheme, lgps_section, contract : numpy arrays of str
    fte, salary : numpy arrays of float
        FTE and full-time annual salary (pounds per FTE) at the base date.
    pay : numpy array
        Actual annual pay at the base date, ``salary x fte``, pounds a year.
    age : numpy array
        Age in complete years at the base date.
    service_years : numpy array
        Complete years of continuous service at the base date (TUPE preserves continuity).
    accrued_pension : numpy array
        LGPS annual pension accrued at the base date where the roster gives it, else NaN.
    """

    def __init__(self, frame: pd.DataFrame, base_date: dt.date, source: str = "roster"):
        self.frame = frame.reset_index(drop=True)
        self.base_date = base_date
        self.source = source
        f = self.frame
        self.ids = f["id"].to_numpy(dtype=str)
        self.role = f["role"].fillna("").to_numpy(dtype=str)
        self.fte = f["fte"].to_numpy(dtype=float)
        self.salary = f["salary"].to_numpy(dtype=float)
        self.pay = self.salary * self.fte
        self.age = f["age"].to_numpy(dtype=float)
        self.service_start = list(f["service_start"])
        self.date_of_birth = list(f["date_of_birth"])
        self.service_years = np.array(
            [_whole_years(s, base_date) for s in self.service_start], dtype=float
        )
        self.scheme = f["scheme"].to_numpy(dtype=str)
        self.lgps_section = f["lgps_section"].to_numpy(dtype=str)
        self.contract = f["contract"].to_numpy(dtype=str)
        self.accrued_pension = f["accrued_pension"].to_numpy(dtype=float)
        self.entities = Entities("employee", self.ids)

    # -- per-employee flags --------------------------------------------------------------------
    def member_of(self, scheme: str) -> np.ndarray:
        """1.0 for members of ``scheme`` ("LGPS", "NHS", "TPS" or "none"), else 0.0."""
        key = SCHEMES.get(str(scheme).lower())
        if key is None:
            raise InputError(f"scheme {scheme!r} is not one of {', '.join(SCHEMES.values())}")
        return (self.scheme == key).astype(float)

    @property
    def fifty_fifty(self) -> np.ndarray:
        """1.0 for LGPS members in the 50/50 section (half contributions, half accrual)."""
        return ((self.scheme == "LGPS") & (self.lgps_section == "50/50")).astype(float)

    def index_of(self, ids: Iterable[object], what: str) -> np.ndarray:
        """Positions of ``ids`` in the roster; unknown ids raise an error naming them."""
        pos = {i: k for k, i in enumerate(self.ids)}
        ids = [str(i) for i in ids]
        unknown = [i for i in ids if i not in pos]
        if unknown:
            raise InputError(
                f"{what}: {len(unknown)} id(s) are not on the roster {self.source!r}: "
                f"{unknown[:5]}; use the ids in the roster's id column"
            )
        if len(set(ids)) != len(ids):
            dups = sorted({i for i in ids if ids.count(i) > 1})
            raise InputError(f"{what}: id(s) listed twice: {dups[:5]}")
        return np.array([pos[i] for i in ids], dtype=int)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{s} {int((self.scheme == s).sum())}"
            for s in SCHEMES.values()
            if (self.scheme == s).any()
        )
        return (
            f"Roster({len(self)} employees, {self.fte.sum():g} FTE, paybill "
            f"£{self.pay.sum():,.0f} at {self.base_date}; {counts})"
        )

    # -- loaders -------------------------------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        base_date: Any,
        *,
        source: str = "DataFrame",
        first_row: int = 2,
        ignore_columns: Iterable[str] = (),
    ) -> Roster:
        """A roster from a DataFrame with one row per employee.

        Parameters
        ----------
        frame : pandas.DataFrame
            The columns listed in the module docstring.
        base_date : date or ISO str
            The date salaries and ages refer to; service may not start after it.
        source : str
            Name used in error messages.
        first_row : int
            Row number of the frame's first row as the user sees it (2: below a header).
        ignore_columns : iterable of str
            Columns the roster does not use and should not refuse as unknown (notes,
            names...), matched as the roster's own columns are.

        Raises
        ------
        RosterError
            Listing every bad row: missing or unknown columns, duplicate ids, FTE outside
            (0, 1.5], negative, zero or implausible salary (under £1,000 or over £500,000 per
            FTE), control characters in an id or role, unknown scheme,
            section or contract, unreadable or out-of-order dates (service starting before the
            16th birthday or after the base date).
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputError(
                f"Roster.from_frame: frame must be a pandas DataFrame with one row per "
                f"employee, got {type(frame).__name__}; for a file use Roster.from_csv(path, "
                "base_date) or Roster.from_excel(path, base_date)"
            )
        if isinstance(first_row, bool) or not isinstance(first_row, int) or first_row < 1:
            raise InputError(f"Roster.from_frame: first_row = {first_row!r} must be 1 or more")
        rows = [first_row + k for k in range(len(frame))]
        return cls._from_records(frame, rows, base_date, str(source), ignore=ignore_columns)

    @classmethod
    def from_csv(
        cls, path: str | os.PathLike, base_date: Any, *, ignore_columns: Iterable[str] = ()
    ) -> Roster:
        """A roster from a CSV file whose first line is the header (row 1).

        Every cell is read as text and converted by the validator, so a bad cell is reported
        with its row and column rather than failing the whole read.
        """
        p = _roster_path(path, "Roster.from_csv")
        _check_size(p)
        header, rows, numbers, ragged = _read_csv_rows(p)
        frame = pd.DataFrame(rows, columns=pd.Index(header, dtype=object), dtype=object)
        return cls._from_records(frame, numbers, base_date, p.name, ragged, ignore_columns)

    @classmethod
    def from_excel(
        cls,
        path: str | os.PathLike,
        base_date: Any,
        sheet: str | None = None,
        *,
        ignore_columns: Iterable[str] = (),
    ) -> Roster:
        """A roster from one sheet of an Excel workbook (the named sheet, else the first).

        The header is the sheet's first row; row numbers in errors are the sheet's own. The
        workbook is opened read-only with cached values (``data_only=True``): formulas are
        never evaluated and macros never run. A formula cell with no cached value (a file
        saved by a program that does not calculate) is reported as a bad value.
        """
        import openpyxl

        p = _roster_path(path, "Roster.from_excel")
        if sheet is not None and not isinstance(sheet, str):
            raise InputError(f"roster sheet {sheet!r} must be a sheet's name (text)")
        _check_size(p)
        try:
            with zipfile.ZipFile(p) as zf:
                unzipped = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(
                f"roster file {p.name!r} is not a readable Excel workbook ({exc}); save it as "
                ".xlsx, or export it as CSV and use Roster.from_csv"
            ) from None
        if unzipped > _MAX_UNZIPPED_BYTES:
            raise InputError(
                f"roster file {p.name!r} unzips to {unzipped:,} bytes, over the "
                f"{_MAX_UNZIPPED_BYTES:,}-byte limit; copy the roster alone into a new workbook"
            )
        try:
            values_wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
            formulas_wb = openpyxl.load_workbook(p, read_only=False, data_only=False)
        except Exception as exc:  # zip or XML errors from a damaged or non-Excel file
            raise InputError(
                f"roster file {p.name!r} is not a readable Excel workbook ({exc}); save it as "
                ".xlsx, or export it as CSV and use Roster.from_csv"
            ) from None
        layout: list[RosterProblem] = []
        try:
            names = values_wb.sheetnames
            visible = [n for n in names if formulas_wb[n].sheet_state == "visible"]
            if sheet is not None:
                name = sheet
            elif visible:
                name = visible[0]
            else:
                raise InputError(
                    f"roster file {p.name!r} has no visible sheet; unhide the roster's sheet or "
                    "name it with sheet="
                )
            if name not in names:
                raise InputError(
                    f"roster file {p.name!r} has no sheet {name!r}; its sheets are {names}"
                )
            fws = formulas_wb[name]
            last_row, last_col = fws.max_row, fws.max_column
            if last_row > _EXCEL_LAST_ROW or last_col > _EXCEL_LAST_COLUMN:
                raise InputError(
                    f"roster file {p.name!r}, sheet {name!r}: a cell at row {last_row:,}, "
                    f"column {last_col:,} is beyond a spreadsheet's last ({_EXCEL_LAST_ROW:,} "
                    f"rows, {_EXCEL_LAST_COLUMN:,} columns), so the file is damaged or was not "
                    "saved by a spreadsheet program; save the roster again from Excel or "
                    "LibreOffice"
                )
            if last_row > MAX_ROSTER_ROWS:
                raise InputError(
                    f"roster file {p.name!r}, sheet {name!r}: its last used row is "
                    f"{last_row:,}, beyond the {MAX_ROSTER_ROWS:,} rows a roster may have; "
                    "delete stray cells below the roster, or copy the roster alone into a "
                    "new workbook"
                )
            try:
                value_rows = list(values_wb[name].iter_rows(values_only=True))
                formula_rows = list(fws.iter_rows(values_only=True))
            except Exception as exc:  # damaged sheet XML found while reading the rows
                raise InputError(
                    f"roster file {p.name!r}, sheet {name!r} cannot be read ({exc}); save it "
                    "again from Excel or LibreOffice, or export it as CSV"
                ) from None
            for rng in sorted(fws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
                layout.append(
                    RosterProblem(
                        rng.min_row,
                        str(rng.coord),
                        _MISSING,
                        "merged cells: a merged cell holds its value in one row only; unmerge "
                        "them and type the value in every row",
                    )
                )
            for r, dim in sorted(fws.row_dimensions.items()):
                if dim.hidden and r > _HEADER_ROW and r <= len(value_rows):
                    if any(not _blank(v) for v in value_rows[r - 1]):
                        layout.append(
                            RosterProblem(
                                r,
                                "(row)",
                                _MISSING,
                                "hidden row (filtered out?); delete the row if this post does "
                                "not transfer, or unhide it",
                            )
                        )
        finally:
            values_wb.close()
            formulas_wb.close()
        source = f"{p.name}, sheet {name}"
        if layout:
            raise RosterError(layout, source)
        if not value_rows:
            raise RosterError(
                [RosterProblem(1, "(header)", _MISSING, "the sheet is empty")], source
            )
        header = [("" if h is None else str(h)) for h in value_rows[0]]
        records: list[list[Any]] = []
        rows: list[int] = []
        unreadable: list[RosterProblem] = []
        for k, (vals, forms) in enumerate(
            zip(value_rows[1:], formula_rows[1:], strict=False), start=2
        ):
            if all(_blank(v) for v in vals) and all(_blank(f) for f in forms):
                continue  # trailing empty rows
            rec = list(vals) + [None] * (len(header) - len(vals))
            for c, form in enumerate(forms):
                if c < len(header) and isinstance(form, str) and form.startswith("="):
                    if _blank(rec[c]):
                        unreadable.append(
                            RosterProblem(
                                k,
                                _norm_col(header[c]),
                                form,
                                "a formula with no calculated value saved in the file; open "
                                "the file in Excel or LibreOffice and save it, or type the value",
                            )
                        )
                        rec[c] = _Formula(form)
            records.append(rec[: len(header)])
            rows.append(k)
        frame = pd.DataFrame(records, columns=header, dtype=object)
        return cls._from_records(frame, rows, base_date, source, unreadable, ignore_columns)

    # -- validation ----------------------------------------------------------------------------
    @classmethod
    def _from_records(
        cls,
        frame: pd.DataFrame,
        rows: list[int],
        base_date: Any,
        source: str,
        problems: list[RosterProblem] | None = None,
        ignore: Iterable[str] = (),
    ) -> Roster:
        base = _date(base_date)
        if base is None:
            raise InputError(f"base_date {base_date!r} is not a date; give e.g. '2026-04-01'")
        if not isinstance(frame, pd.DataFrame):
            raise InputError(f"a roster needs a pandas DataFrame, got {type(frame).__name__}")
        if isinstance(ignore, str) or not all(isinstance(c, str) for c in ignore):
            raise InputError(
                f"ignore_columns {ignore!r} must be a list of column names, e.g. ['notes']"
            )
        ignored = {_norm_col(c) for c in ignore}
        problems = list(problems or [])
        known = [_norm_col(c) for c in frame.columns if _norm_col(c) in COLUMNS]
        if len(frame.columns) and not known:  # not a roster: say so, echoing none of it
            raise RosterError(
                [
                    RosterProblem(
                        _HEADER_ROW,
                        "(header)",
                        _MISSING,
                        f"none of the {len(frame.columns)} columns of row 1 is a roster column "
                        f"({', '.join(_REQUIRED)}, date_of_birth or age); is this the roster "
                        "file (and sheet)? Its first row must be the header",
                    )
                ],
                source,
            )
        cols: dict[str, Any] = {}
        positions: dict[str, int] = {}
        for pos, c in enumerate(frame.columns):
            key = _norm_col(c)
            if key in ignored:
                continue
            if key not in COLUMNS:
                if not key and all(_blank(v) for v in frame.iloc[:, pos]):
                    continue  # an empty column with no name (a trailing comma)
                close = difflib.get_close_matches(key, COLUMNS, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(
                    RosterProblem(
                        _HEADER_ROW,
                        _shown(c) if key else f"{pos + 1} (no name)",
                        _MISSING,
                        f"unknown column; {hint}a roster reads {', '.join(COLUMNS)}; rename "
                        "it, or list it in ignore_columns to leave it out",
                    )
                )
                continue
            if key == "grade" and "role" not in cols:
                key = "role"
            elif key in ("dob", "birth_date"):
                key = "date_of_birth"
            if key in cols and key:
                problems.append(
                    RosterProblem(
                        _HEADER_ROW,
                        key,
                        str(c),
                        f"column given twice (columns {positions[key] + 1} and {pos + 1}); "
                        "delete or rename one",
                    )
                )
                continue
            cols[key] = pos
            positions[key] = pos
        missing = [c for c in _REQUIRED if c not in cols]
        if "date_of_birth" not in cols and "age" not in cols:
            missing.append("date_of_birth or age")
        for c in missing:
            problems.append(
                RosterProblem(
                    _HEADER_ROW,
                    c,
                    _MISSING,
                    f"missing column; the header has {[_shown(x) for x in frame.columns[:30]]}",
                )
            )
        if len(frame) == 0:
            problems.append(
                RosterProblem(_HEADER_ROW + 1, "id", _MISSING, "the roster has no rows")
            )
            raise RosterError(problems, source)
        formula_cells = {(p.row, p.column) for p in problems if p.row > _HEADER_ROW}

        def cell(k: int, name: str) -> Any:
            if name not in cols:
                return _MISSING
            return frame.iat[k, cols[name]]

        out: dict[str, list[Any]] = {
            k: []
            for k in (
                "id",
                "role",
                "fte",
                "salary",
                "date_of_birth",
                "age",
                "service_start",
                "scheme",
                "lgps_section",
                "contract",
                "accrued_pension",
            )
        }
        seen: dict[str, int] = {}
        for k, row in enumerate(rows):

            def bad(column: str, value: Any, why: str, row: int = row) -> None:
                if (row, column) not in formula_cells:
                    problems.append(RosterProblem(row, column, value, why))

            # id
            raw = cell(k, "id")
            ident = None
            if raw is not _MISSING:
                if _blank(raw):
                    bad("id", raw, "empty id; give every post or person a unique id")
                elif (text_problem := _text_problem(raw)) is not None:
                    bad("id", raw, text_problem)
                else:
                    # ids are text: '000456' stays '000456'; a number typed into a cell (an
                    # Excel number, a DataFrame of ints) is read as its whole number
                    f = None if isinstance(raw, str) else _number(raw)
                    ident = str(int(f)) if f is not None and f.is_integer() else str(raw).strip()
                    if ident in seen:
                        bad("id", raw, f"duplicate id; first used on row {seen[ident]}")
                    else:
                        seen[ident] = row
            # role
            raw = cell(k, "role")
            role = "" if _blank(raw) else str(raw).strip()
            if role and (text_problem := _text_problem(role)) is not None:
                bad("role", raw, text_problem)
            # fte
            raw = cell(k, "fte")
            fte = _number(raw) if raw is not _MISSING else None
            if raw is not _MISSING:
                if fte is None:
                    bad("fte", raw, "not a number; give the full-time equivalence, e.g. 0.6")
                elif not 0 < fte <= _MAX_FTE:
                    bad("fte", raw, f"FTE must be above 0 and at most {_MAX_FTE}")
                    fte = None
            # salary
            raw = cell(k, "salary")
            salary = _number(raw) if raw is not _MISSING else None
            if raw is not _MISSING:
                if salary is None:
                    bad("salary", raw, "not a number; give the full-time annual salary in pounds")
                elif salary < 0:
                    bad("salary", raw, "negative salary; give the full-time annual salary")
                    salary = None
                elif salary == 0:
                    bad("salary", raw, "zero salary; give the post's full-time annual salary")
                    salary = None
                elif salary < _MIN_SALARY:
                    bad(
                        "salary",
                        raw,
                        f"implausible salary (under £{_MIN_SALARY:,.0f} a year per FTE); give "
                        "the full-time annual salary in pounds: 24,500 not 24.500 (a comma, "
                        "not a point, separates thousands) nor 24.5 (thousands), and an hourly "
                        "or weekly rate converted to a year",
                    )
                    salary = None
                elif salary > _MAX_SALARY:
                    bad(
                        "salary",
                        raw,
                        f"implausible salary (over £{_MAX_SALARY:,.0f} per FTE); give the "
                        "full-time annual salary in pounds, not pence or a total",
                    )
                    salary = None
            # date of birth / age
            dob = None
            age = None
            raw_dob = cell(k, "date_of_birth")
            raw_age = cell(k, "age")
            if raw_dob is not _MISSING and not _blank(raw_dob):
                dob = _date(raw_dob)
                if dob is None:
                    bad(
                        "date_of_birth",
                        raw_dob,
                        "not a date; give e.g. 1980-05-31" + _serial(raw_dob),
                    )
                elif dob >= base:
                    bad("date_of_birth", raw_dob, f"on or after the base date {base}")
                    dob = None
                else:
                    age = float(_whole_years(dob, base))
                    if not _MIN_WORKING_AGE <= age <= _MAX_AGE:
                        bad(
                            "date_of_birth",
                            raw_dob,
                            f"gives age {age:g} at {base}, outside {_MIN_WORKING_AGE}-{_MAX_AGE}",
                        )
                        dob, age = None, None
            elif raw_age is not _MISSING and not _blank(raw_age):
                age = _number(raw_age)
                if age is None or not age.is_integer():
                    bad("age", raw_age, "not a whole number of years")
                    age = None
                elif not _MIN_WORKING_AGE <= age <= _MAX_AGE:
                    bad("age", raw_age, f"age must be {_MIN_WORKING_AGE} to {_MAX_AGE}")
                    age = None
            elif raw_dob is not _MISSING or raw_age is not _MISSING:
                col = "date_of_birth" if raw_dob is not _MISSING else "age"
                bad(col, "", "empty; give the date of birth or the age")
            # service start
            raw = cell(k, "service_start")
            start = None
            if raw is not _MISSING:
                start = _date(raw)
                if start is None:
                    bad("service_start", raw, "not a date; give e.g. 2015-09-01" + _serial(raw))
                elif start > base:
                    bad("service_start", raw, f"in the future: after the base date {base}")
                    start = None
                elif dob is not None and start < _birthday(dob, _MIN_WORKING_AGE):
                    bad(
                        "service_start",
                        raw,
                        f"before the 16th birthday ({_birthday(dob, _MIN_WORKING_AGE)}, from "
                        f"date of birth {dob})",
                    )
                    start = None
                elif dob is None and age is not None:
                    # born at the latest base - age years: the 16th birthday is at the earliest
                    # base - (age + 1 - 16) years + 1 day
                    earliest = _birthday(base, -int(age + 1 - _MIN_WORKING_AGE))
                    if start <= earliest:
                        bad(
                            "service_start",
                            raw,
                            f"before the 16th birthday of someone aged {age:g} at {base}",
                        )
                        start = None
            # scheme and section
            raw = cell(k, "scheme")
            scheme = None
            if raw is not _MISSING:
                key = "" if _blank(raw) else str(raw).strip().lower()
                scheme = SCHEMES.get(key)
                if scheme is None:
                    bad(
                        "scheme",
                        raw,
                        "unknown pension scheme; use LGPS, NHS, TPS or none",
                    )
            raw = cell(k, "lgps_section")
            section = "main"
            if raw is not _MISSING and not _blank(raw):
                section = _SECTIONS.get(str(raw).strip().lower().replace(" ", ""), "")
                if not section:
                    bad("lgps_section", raw, "unknown LGPS section; use main or 50/50")
                elif scheme not in (None, "LGPS") and section == "50/50":
                    bad("lgps_section", raw, f"50/50 is an LGPS section, not {scheme}; leave blank")
            raw = cell(k, "contract")
            contract = "permanent"
            if raw is not _MISSING and not _blank(raw):
                contract = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
                if contract not in _CONTRACTS:
                    bad(
                        "contract",
                        raw,
                        f"unknown contract type; use one of {', '.join(_CONTRACTS)}",
                    )
            raw = cell(k, "accrued_pension")
            accrued = math.nan
            if raw is not _MISSING and not _blank(raw):
                value = _number(raw)
                if value is None or value < 0:
                    bad("accrued_pension", raw, "must be an annual pension in pounds, 0 or more")
                else:
                    accrued = value
            out["id"].append(ident)
            out["role"].append(role)
            out["fte"].append(fte)
            out["salary"].append(salary)
            out["date_of_birth"].append(dob)
            out["age"].append(age)
            out["service_start"].append(start)
            out["scheme"].append(scheme)
            out["lgps_section"].append(section)
            out["contract"].append(contract)
            out["accrued_pension"].append(accrued)
        if problems:
            problems.sort(key=lambda p: p.row)
            raise RosterError(problems, source)
        return cls(pd.DataFrame(out), base, source)


class _Formula(str):
    """A formula cell's text (never evaluated), standing in for its missing value."""
