"""The business-case workbook: the spreadsheet appendix to a cabinet paper.

Sheets, in order: **Cover** (title, organisation, author, version, status, date, protective
marking; the AQuA Book quality-assurance roles with names and dates to fill in; the mutualfin
version and SHA-256 checksums of the case file and roster), **Contents** (links to every
sheet), **Summary** (headline metrics and the statement by year as live links to the
calculations, a native Excel chart of income, costs and closing cash, and the options appraisal
table), **Inputs**, **Parameters**, **Timeline**, **Roster**, one sheet per model (Income,
Staff, Costs...), **Statements**, **Appraisal** and **Risk** (values computed by mutualfin,
labelled as such), and **Checks** (every check and a master check showing OK or ERROR).

Every formula cell the writer adds outside the line rows (summary links, checks) is listed by
:func:`plan_case_extras`, which :func:`verify_case` uses to compare it with Python too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break

from mutualfin.analysis.council import BY_PERIOD_SHEET as COUNCIL_BY_PERIOD
from mutualfin.case.statements import ANNUAL_SHEET, CHECK_TOLERANCE, STATEMENTS, annual_name
from mutualfin.core.checks import check_text, wrong_kind
from mutualfin.errors import InputError, MutualfinError, WorkbookError
from mutualfin.workbook import charts
from mutualfin.workbook.cohorts import per_employee_digest
from mutualfin.workbook.fingerprint import record_block, write_record_sheet
from mutualfin.workbook.layout import FIRST_PERIOD_COL, TOTAL_COL, quote_sheet
from mutualfin.workbook.publication import (
    DIGEST_LABEL,
    FULL,
    PACK_NAME,
    PACK_TEXT,
    PUBLICATION,
    SENSITIVE_MARKING,
    case_cohorts,
    check_pack,
    check_pack_values,
    has_per_employee,
    pack_expected,
    pack_of,
)
from mutualfin.workbook.safeguards import highlight_below, highlight_failures, truncations
from mutualfin.workbook.summary import (
    Extra,
    cell_ref,
    plan_summary,
    write_summary,
)
from mutualfin.workbook.tables import _values_table
from mutualfin.workbook.writer import (
    _DATA_FILL,
    _INPUT_FILL,
    _TITLE_FONT,
    _header,
    _page_setup,
    _pin_timestamps,
    atomic_save,
    build_workbook,
    check_target,
    per_employee_inputs,
    plan_layout,
    protect_workbook,
    safe_text,
    save_bytes,
)

__all__ = ["Cover", "plan_case_extras", "verify_case", "verify_live", "write_case_workbook"]

QA_ROLES = (
    ("Commissioner", "Commissions the analysis and owns the decision it supports"),
    ("Analyst", "Builds the model and its business case"),
    ("Assurer", "Checks the model and the analysis are fit for purpose"),
    ("Approver", "Signs off the analysis for use in the decision"),
)
CHECK_LINES = [s.name for s in STATEMENTS if s.section == "Checks"]
#: closing cash by financial year (the Summary's statement by year on a timeline with months)
ANNUAL_CLOSING = annual_name("closing_cash")


@dataclass
class Cover:
    """What the cover sheet says; every field can be set by the user."""

    title: str = "Business case"
    organisation: str = ""
    author: str = ""
    version: str = "0.1"
    status: str = "DRAFT"
    date: dt.date | None = None
    marking: str = "OFFICIAL"

    def __post_init__(self) -> None:
        for name in ("title", "organisation", "author", "version", "status", "marking"):
            check_text(getattr(self, name), f"cover {name}")
        if self.date is not None and not isinstance(self.date, dt.date):
            raise InputError(
                f"cover date must be a date such as datetime.date(2026, 4, 1), got "
                f"{type(self.date).__name__} {self.date!r:.60}"
            )
        if isinstance(self.date, dt.datetime):
            self.date = self.date.date()


def _check_results(results: Any, fn: str) -> None:
    """Refuse what is not the Results of ``case.run()``, naming the call that was meant."""
    if hasattr(results, "evaluation") and hasattr(results, "case"):
        return
    raise wrong_kind(
        fn,
        "results",
        "the Results of case.run()",
        results,
        {
            "Evaluation": "a model's workbook is checked by mutualfin.excel.verify(path, "
            "evaluation)",
            "BusinessCase": "run it first: case.run()",
            "path": "load and run the case first: BusinessCase.from_file(path).run()",
        },
    )


def plan_case_extras(results, cohorts=None, appraisal=None, risk=None) -> list[Extra]:
    """Every extra formula cell of the case workbook (summary, checks). The cells do not
    depend on ``appraisal`` and ``risk`` (only the findings' text, which is not a formula)."""
    model = results.case.model
    layout, _ = plan_layout(model, cohorts)
    P = model.timeline.n
    extras: list[Extra] = list(plan_summary(results, layout, appraisal, risk).extras)
    # Checks
    r = 5
    present = [n for n in CHECK_LINES if n in layout.lines]
    for name in present:
        sheet, row = layout.lines[name]
        first = cell_ref(sheet, row, FIRST_PERIOD_COL)
        last = cell_ref(sheet, row, FIRST_PERIOD_COL + P - 1).split("!")[1]
        extras.append(Extra("Checks", r, 3, f"=SUMPRODUCT(ABS({first}:{last}))", "abs_sum", name))
        extras.append(
            Extra("Checks", r, 4, f'=IF(C{r}<{CHECK_TOLERANCE},"OK","ERROR")', "status", name)
        )
        r += 1
    if present:
        extras.append(
            Extra(
                "Checks",
                3,
                4,
                f'=IF(COUNTIF(D5:D{r - 1},"ERROR")=0,"OK","ERROR")',
                "master",
                lines=tuple(present),
            )
        )
    return extras


def expected_extra(extra: Extra, evaluation, scenario: int = 0) -> tuple[str, Any, str]:
    """(description, expected value, unit) of an extra cell, from the evaluation."""
    model = evaluation.model
    if extra.expected is not None:
        return extra.expected
    if extra.kind == "line":
        line = model.lines[extra.line]
        arr = evaluation.values[extra.line]
        arr = arr[min(scenario, arr.shape[0] - 1)]
        value = float(arr[0, extra.period or 0])
        if math.isnan(value) and line.missing_text is not None:
            return (
                f"summary {extra.line}",
                line.missing_text_for(evaluation.values, scenario),
                "text",
            )
        label = extra.line if extra.period is None else f"{extra.line} period {extra.period}"
        return (f"summary {label}", value, line.unit)
    if extra.kind in ("abs_sum", "status"):
        arr = evaluation.values[extra.line]
        total = float(np.abs(arr[min(scenario, arr.shape[0] - 1)]).sum())
        if extra.kind == "abs_sum":
            return (f"check {extra.line}", total, "GBP")
        return (f"check {extra.line} status", "OK" if total < CHECK_TOLERANCE else "ERROR", "text")
    # master: OK when every check is
    ok = all(
        float(np.abs(evaluation.values[n][min(scenario, evaluation.values[n].shape[0] - 1)]).sum())
        < CHECK_TOLERANCE
        for n in extra.lines
    )
    return ("master check", "OK" if ok else "ERROR", "text")


def _timeline_text(tl) -> str:
    unit = "financial years" if tl.freq == "annual" else "months"
    return (
        f"{tl.labels[0]} to {tl.labels[-1]}: {tl.n} {unit}, "
        f"{tl.start:%d %B %Y} to {tl.end:%d %B %Y}"
    )


def _cover_sheet(wb: Workbook, results, cover: Cover, pack: str | None = None) -> None:
    from mutualfin._version import __version__

    ws = wb.create_sheet("Cover", 0)
    ws.column_dimensions["A"].width = 44  # "SHA-256 of the per-employee figures (full model)"
    ws.column_dimensions["B"].width = 66
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 18
    cell = ws.cell(row=1, column=1)
    safe_text(cell, cover.title)
    cell.font = Font(bold=True, size=18)
    rows = [
        ("Organisation", cover.organisation),
        ("Author", cover.author),
        ("Version", cover.version),
        ("Status", cover.status),
        ("Date", (cover.date or dt.date.today()).isoformat()),
        ("Protective marking", cover.marking),
        ("Timeline", _timeline_text(results.case.timeline)),
    ]
    if pack is not None:
        rows.append(("Workbook", PACK_TEXT[pack]))
    for r, (k, v) in enumerate(rows, start=3):
        safe_text(ws.cell(row=r, column=1), k)
        ws.cell(row=r, column=1).font = Font(bold=True)
        safe_text(ws.cell(row=r, column=2), v)
        if len(str(v)) > 60:
            ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=r, column=1).alignment = Alignment(vertical="top")
            ws.row_dimensions[r].height = 13 * math.ceil(len(str(v)) / 60)
        if k in ("Protective marking", "Workbook") and pack == FULL:
            ws.cell(row=r, column=2).font = Font(bold=True, color="C00000")
    r = 3 + len(rows) + 1
    safe_text(ws.cell(row=r, column=1), "Quality assurance (AQuA Book roles)")
    ws.cell(row=r, column=1).font = Font(bold=True, size=12)
    r += 1
    _header(ws, r, ["Role", "Responsibility", "Name", "Date"])
    for role, duty in QA_ROLES:
        r += 1
        safe_text(ws.cell(row=r, column=1), role)
        safe_text(ws.cell(row=r, column=2), duty)
        for c in (3, 4):
            ws.cell(row=r, column=c).fill = _INPUT_FILL
    r += 2
    safe_text(ws.cell(row=r, column=1), "Reproducibility")
    ws.cell(row=r, column=1).font = Font(bold=True, size=12)
    r += 1
    safe_text(ws.cell(row=r, column=1), "mutualfin version")
    safe_text(ws.cell(row=r, column=2), __version__)
    for name, digest in sorted(getattr(results.case, "checksums", {}).items()):
        r += 1
        safe_text(ws.cell(row=r, column=1), f"SHA-256 of {name}")
        safe_text(ws.cell(row=r, column=2), digest)
        ws.cell(row=r, column=2).font = Font(name="Courier New", size=9)
    if pack is not None:
        r += 1
        safe_text(ws.cell(row=r, column=1), DIGEST_LABEL)
        safe_text(ws.cell(row=r, column=2), per_employee_digest(results.evaluation))
        ws.cell(row=r, column=2).font = Font(name="Courier New", size=9)
    for label, text in getattr(results.case, "provenance", {}).items():
        r += 1
        safe_text(ws.cell(row=r, column=1), label)
        safe_text(ws.cell(row=r, column=2), text)
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    r += 2
    notes = [
        "Every figure on the calculation sheets is a live formula: change a yellow input cell "
        "and every figure follows. 'mutualfin verify' recalculates this workbook in LibreOffice "
        "and in a second engine that follows Excel's rules, and proves every formula cell "
        "equal to mutualfin's Python figures in both.",
        "Colours: yellow cells with blue text are inputs; white cells are calculations "
        "(formulas only); grey cells are data with references (timeline, parameters); the "
        "Appraisal and Risk sheets hold values computed by mutualfin, not formulas.",
        "Pension figures are estimates for a business case, not an actuarial valuation.",
    ]
    for note in notes:
        cell = ws.cell(row=r, column=1)
        safe_text(cell, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        ws.row_dimensions[r].height = 45
        r += 1


#: the sheets a cabinet reads and prints; the rest are the model's working sheets
PACK_SHEETS = (
    "Cover",
    "Contents",
    "Summary",
    "Bridge",
    "Inputs",
    "Statements",
    ANNUAL_SHEET,
    "Council budget",
    "Appraisal",
    "Risk",
    "Checks",
)
#: the most pages tall each long sheet of the publication pack prints on (fitted to them)
PRINT_PAGES = {
    "Summary": 1,
    "Inputs": 2,
    "Statements": 2,
    ANNUAL_SHEET: 2,
    "Appraisal": 4,
    "Risk": 2,
}
HIDDEN_NOTE = "; a working sheet, hidden in the publication pack (unhide it to audit)"


def pack_sheets(model) -> tuple[str, ...]:
    """The sheets the publication pack shows and prints: :data:`PACK_SHEETS`, but for a case
    planned by month the Statements month by month, which no printed page holds legibly (27
    columns and more fitted to a page's width): the pack prints Statements by year, the
    Summary has cash by month, and the monthly sheet stays, hidden, for audit."""
    if model.timeline.freq == "annual":
        return PACK_SHEETS
    return tuple(name for name in PACK_SHEETS if name != "Statements")


def _contents_sheet(
    wb: Workbook, working_hidden: bool = False, shown: tuple[str, ...] = PACK_SHEETS
) -> None:
    ws = wb.create_sheet("Contents", 1)
    ws.cell(row=1, column=1, value="Contents").font = _TITLE_FONT
    _header(ws, 3, ["Sheet", "What it holds"])
    what = {
        "Cover": "Title, status, quality assurance, checksums",
        "Contents": "This list",
        "Summary": "Findings with their status, headline metrics, statement by year, chart",
        "Inputs": "Every input with its source (change the yellow cells)",
        "Parameters": "Dated UK parameters used, by period, with references",
        "Timeline": "Periods, dates and flags",
        "Roster": "One row per employee",
        "Statements": "Income and expenditure, cash flow, reserves, checks, metrics",
        ANNUAL_SHEET: "The statements by financial year from the monthly rows, and the metrics",
        "Council budget": "The council's budget by year: in-house against the spin-out",
        COUNCIL_BY_PERIOD: "The council's budget lines by period, summed by year on Council budget",
        "Appraisal": "Commissioner's options appraisal (values computed by mutualfin)",
        DETAIL_SHEET: "The appraisal's working: optimism bias cost by cost, its inputs with "
        "their sources, each option's costs by year (values computed by mutualfin)",
        "Risk": "Scenarios, sensitivity and Monte Carlo (values computed by mutualfin)",
        "Bridge": "What changed since the last version, input by input (values)",
        "Checks": "Every check and the master check",
    }
    for r, name in enumerate(wb.sheetnames, start=4):
        cell = ws.cell(row=r, column=1)
        safe_text(cell, name)
        cell.hyperlink = f"#{quote_sheet(name)}!A1"
        cell.font = Font(color="0563C1", underline="single")
        text = what.get(name, "Calculations of this model")
        if working_hidden and name not in shown:
            text += HIDDEN_NOTE
        safe_text(ws.cell(row=r, column=2), text)
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        cell.alignment = Alignment(vertical="top")
        if len(text) > _CONTENTS_CHARS:  # wrapped within the printed page, not cut at its edge
            ws.row_dimensions[r].height = 13 * -(-len(text) // _CONTENTS_CHARS)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = _CONTENTS_WIDTH


_CONTENTS_WIDTH = 105  # column B, with A the page's width (landscape A4)
_CONTENTS_CHARS = 125  # characters of text a line of that width holds (rendered and counted)


def _case_notes(wb: Workbook, results) -> None:
    """What the case file's reader must see: on the Summary, in red under the title, the core
    parts the case leaves out (``case.missing``); on the Inputs sheet, below the inputs, how
    text in the case file was read ("3%" as 0.03, "01/04/2026" as 1 April 2026)."""
    case = results.case
    if case.missing:
        ws = wb["Summary"]
        text = "INCOMPLETE CASE: the figures leave out " + "; ".join(case.missing)
        safe_text(ws.cell(row=3, column=1), text)
        ws.cell(row=3, column=1).font = Font(bold=True, color="C00000", size=12)
    readings = case.readings
    if readings:
        ws = wb["Inputs"]
        row = ws.max_row + 2
        safe_text(ws.cell(row=row, column=1), "How text in the case file was read")
        ws.cell(row=row, column=1).font = Font(bold=True)
        for k, (name, reading) in enumerate(readings.items(), start=1):
            safe_text(ws.cell(row=row + k, column=1), name)
            safe_text(ws.cell(row=row + k, column=2), reading)


# Metrics whose sheet label is a definition rather than a name: the words a table row uses
_METRIC_WORDS = {
    "net_outlay": "Net outlay (1 = cash before financing below zero at some point)",
    "paid_back": "Paid back by the end (1 = yes)",
}


def line_words(model) -> dict[str, str]:
    """Each line's name -> its label in words (the Summary's short label where the statement
    list gives one), for tables of values that name lines: a simulation's metrics, the
    standard scenarios' columns."""
    from mutualfin.analysis.montecarlo import metric_words

    out = {n: metric_words(n, model) for n in model.lines}
    out.update({n: w for n, w in _METRIC_WORDS.items() if n in out})
    return out


def _values_sheet(
    wb: Workbook,
    name: str,
    title: str,
    tables: dict[str, pd.DataFrame],
    words: dict[str, str] | None = None,
) -> None:
    ws = wb.create_sheet(name)
    safe_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = _TITLE_FONT
    safe_text(
        ws.cell(row=2, column=1),
        "VALUES computed by mutualfin in Python (not formulas): rerun mutualfin to update.",
    )
    ws.cell(row=2, column=1).font = Font(bold=True, color="C00000")
    r = 4
    for key, frame in tables.items():
        heading = frame.attrs.get("title", key) if hasattr(frame, "attrs") else key
        formats = dict(frame.attrs.get("formats", {})) if hasattr(frame, "attrs") else {}
        units = dict(frame.attrs.get("units", {})) if hasattr(frame, "attrs") else {}
        safe_text(ws.cell(row=r, column=1), heading)
        ws.cell(row=r, column=1).font = Font(bold=True, size=12)
        frame = (
            frame.reset_index()
            if frame.index.name or not isinstance(frame.index, pd.RangeIndex)
            else frame
        )
        if len(frame.columns) == 1:  # a list of sentences: each runs across the page
            r = _sentences(ws, frame, r + 1) + 1
            continue
        header_row = r + 1
        chart = _chart_of(ws, key, frame, header_row + charts.CHART_ROWS, heading)
        if chart is not None:  # Excel's own chart of the table, between heading and table
            if r > 30:  # a new printed page, so the chart is not cut in two
                ws.row_breaks.append(Break(id=r - 1))
            ws.add_chart(chart, f"A{header_row}")
            header_row += charts.CHART_ROWS
        r = _values_table(ws, frame, header_row, formats=formats, units=units, words=words) + 2
    _fit_widths(ws, high=_TEXT_WIDTH)
    _sentence_heights(ws)
    record_block(ws, title, 1, ws.max_row, ws.max_column, 3)


#: the widest a values table's text column grows before its text wraps (tables on a sheet
#: share columns: a wider text column widens every table's, and the printed page shrinks)
_TEXT_WIDTH = 30


def _chart_of(ws, key: str, frame: pd.DataFrame, header_row: int, heading: str):
    """The chart of a values table, if it has one: the tornado, a Monte Carlo line's
    percentiles by period (a fan chart), the options appraisal."""
    if key == "tornado":
        return charts.tornado_chart(ws, frame, header_row, title=heading)
    if key.endswith("_percentiles") and key != "metric_percentiles":
        return charts.fan_chart(ws, frame, header_row, title=heading)
    if key.startswith("Options ranked"):
        return charts.appraisal_chart(ws, frame, header_row)
    return None


_SENTENCE_COLUMNS = 8


def _sentences(ws, frame: pd.DataFrame, row: int) -> int:
    """A one-column table of sentences (findings, notes), each in cells merged across the
    page and wrapped, so the column it sits in need not be wide; returns the next row."""
    import math

    for r, text in enumerate(frame.iloc[:, 0].astype(str), start=row):
        cell = ws.cell(row=r, column=1)
        safe_text(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = _DATA_FILL
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=_SENTENCE_COLUMNS)
        ws.row_dimensions[r].height = 13 * max(1, math.ceil(len(text) / 150))
    return row + len(frame)


def _sentence_heights(ws) -> None:
    """Each merged sentence's row made tall enough for its text wrapped at the merged
    columns' width (known only once the columns are fitted), with a line to spare."""
    import textwrap

    from openpyxl.utils import get_column_letter

    for merged in ws.merged_cells.ranges:
        if merged.min_col != 1 or merged.min_row != merged.max_row:
            continue
        text = ws.cell(row=merged.min_row, column=1).value
        if not isinstance(text, str):
            continue
        dims = [
            ws.column_dimensions.get(get_column_letter(c)) for c in range(1, merged.max_col + 1)
        ]
        width = sum(d.width if d is not None and d.customWidth else 8.43 for d in dims)
        lines = len(textwrap.wrap(text, max(20, int(width * 0.95)))) or 1
        ws.row_dimensions[merged.min_row].height = 13 * (lines + (lines > 1))


_HEADER_WIDTH = 16


def _fit_widths(ws, low: int = 10, high: int = 40) -> None:
    """Column widths from the longest text or number in each column (within bounds), so no
    value sheet cuts its labels or shows ####; longer text wraps, and its row is made tall
    enough to show it (LibreOffice does not grow rows for wrapped text on its own)."""
    import math

    from openpyxl.utils import get_column_letter

    from mutualfin.workbook.writer import _HEAD_FILL

    widest: dict[int, int] = {}
    texts = []
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            v = cell.value
            if v is None:
                continue
            text = f"{v:,.2f}" if isinstance(v, float) else str(v)
            # a table's header wraps onto more lines rather than widening its column
            header = cell.fill.fgColor.rgb == _HEAD_FILL.fgColor.rgb and isinstance(v, str)
            width = min(len(text) + 2, _HEADER_WIDTH if header else high)
            if cell.font is not None and cell.font.sz and cell.font.sz >= 12:
                continue  # a table's title runs across the columns to its right
            if cell.coordinate in ws.merged_cells:
                continue  # a sentence merged across the page
            widest[cell.column] = max(widest.get(cell.column, 0), width)
            texts.append((cell, text))
    for col, width in widest.items():
        ws.column_dimensions[get_column_letter(col)].width = max(low, width)
    heights: dict[int, int] = {}
    for cell, text in texts:
        width = max(low, widest[cell.column]) - 1
        lines = math.ceil(len(text) / width) if len(text) > width else 1
        if lines > 1:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            heights[cell.row] = max(heights.get(cell.row, 1), lines)
    for r, lines in heights.items():
        ws.row_dimensions[r].height = 13 * lines


def _checks_sheet(wb: Workbook, results, extras: list[Extra]) -> None:
    ws = wb.create_sheet("Checks")
    ws.cell(row=1, column=1, value="Checks").font = _TITLE_FONT
    safe_text(ws.cell(row=3, column=1), "Master check")
    ws.cell(row=3, column=1).font = Font(bold=True)
    _header(ws, 4, ["Check", "What it tests", "Sum of absolute differences", "Status"])
    model = results.case.model
    for e in extras:
        if e.sheet != "Checks":
            continue
        cell = ws.cell(row=e.row, column=e.col, value=e.formula)
        if e.kind == "abs_sum":
            safe_text(ws.cell(row=e.row, column=1), e.line)
            safe_text(ws.cell(row=e.row, column=2), model.lines[e.line].label)
            cell.number_format = "#,##0.00"
        else:
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 26
    ws.column_dimensions["D"].width = 10
    statuses = [f"D{e.row}" for e in extras if e.sheet == "Checks" and e.kind != "abs_sum"]
    highlight_failures(ws, statuses)


#: columns of the appraisal's tables that hold pounds wherever they appear
_MONEY_COLUMNS = (
    "cost",
    "present value",
    "optimism bias",
    "exposure",
    "expected value (present value)",
)


def with_units(frame: pd.DataFrame, unit: str, *columns) -> pd.DataFrame:
    """A copy of ``frame`` declaring ``unit`` for those of ``columns`` it has (in
    ``attrs["units"]``, which the Appraisal and Risk sheets format each number by)."""
    frame = frame.copy()
    units = dict(frame.attrs.get("units", {}))
    units.update({str(c): unit for c in columns if c in frame.columns})
    frame.attrs["units"] = units
    return frame


#: the appraisal's working (optimism bias cost by cost, its inputs and their sources, each
#: option's costs by year): a sheet of its own, so that the Appraisal prints readably within
#: the pack's pages; in the publication pack it is hidden with the other working sheets
DETAIL_SHEET = "Appraisal detail"


def _is_detail(key: str) -> bool:
    return key.startswith(("Optimism bias by cost", "Appraisal inputs")) or key.endswith(
        ": nominal costs by year"
    )


def appraisal_tables(appraisal, model=None) -> dict[str, pd.DataFrame]:
    """The Appraisal sheet's tables, in the order a commissioner reads them, each number
    formatted by its unit (``attrs["units"]``: pounds, percentages, ranks and scores as whole
    numbers); ``model``, the case's, gives the units of the inputs switching values name."""
    from mutualfin.analysis.appraisal import STAGES

    def pct(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
        return with_units(frame, "fraction", *cols)

    stage = STAGES.get(appraisal.stage or "", "stage not given")
    bias = appraisal.optimism_bias.drop(columns=["stage"])
    bias = bias[
        [
            "option",
            "cost",
            "present value",
            "category",
            "upper bound",
            "mitigation",
            "uplift",
            "optimism bias",
            "reason",
        ]
    ]
    ranked = with_units(appraisal.table, "count", "rank", "rank before optimism bias")
    money = [c for c in ranked.columns if c not in ranked.attrs["units"]]
    bias = with_units(pct(bias, "upper bound", "mitigation", "uplift"), "GBP", *_MONEY_COLUMNS)
    tables: dict[str, pd.DataFrame] = {
        "Findings": pd.DataFrame({"finding": appraisal.findings}),
        "Options ranked (net present cost, real terms, after optimism bias)": with_units(
            ranked, "GBP", *money
        ),
        f"Optimism bias by cost ({stage}): category, upper bound, mitigation and its reason": bias,
        "Switching values": with_units(
            pct(appraisal.switching_values(), "change"), "ratio", "multiple"
        )
        if len(appraisal.options) > 1
        else pd.DataFrame(),
    }
    if tables["Switching values"].columns.size:
        tables["Switching values"] = with_units(
            tables["Switching values"], "GBP", "present value change"
        )
    if not appraisal.input_switching.empty:
        frame = pct(appraisal.input_switching, "change")
        if model is not None:  # base and switching value in the input's own unit
            by_row = [model.inputs[n].unit if n in model.inputs else "" for n in frame["input"]]
            frame.attrs["units"].update({"base": by_row, "switching value": by_row})
        tables["Switching values on the case's inputs"] = frame
    if not appraisal.contingent_liabilities.empty:
        tables["Contingent liabilities and risks the council keeps"] = with_units(
            appraisal.contingent_liabilities, "GBP", *_MONEY_COLUMNS
        )
    benefits = [
        {"option": o, "benefit": b, "present value": v}
        for o, items in appraisal.benefit_values.items()
        for b, v in items.items()
    ]
    if benefits:
        tables["Monetised benefits (present value)"] = with_units(
            pd.DataFrame(benefits), "GBP", "present value"
        )
    if not appraisal.social_value_scores.empty:
        scores = appraisal.social_value_scores
        tables["Social value scored (0 to 5, where no source gives a money value)"] = with_units(
            scores, "count", *[o.name for o in appraisal.options]
        )
    if not appraisal.five_cases.empty:
        tables["Five Case Model: where each case's figures are"] = appraisal.five_cases
    if not appraisal.inputs.empty:
        tables["Appraisal inputs and their sources"] = appraisal.inputs
    for opt in appraisal.options:
        costs = appraisal.costs_by_year(opt.name)
        tables[f"{opt.name}: nominal costs by year"] = with_units(costs, "GBP", *costs.columns)
    tables["Notes"] = pd.DataFrame({"note": appraisal.notes})
    return tables


def _highlight_cash(wb: Workbook, results, extras: list[Extra], cohorts=None) -> None:
    """Closing cash below the case's cash floor in red, on the Statements and the Summary."""
    from openpyxl.utils import get_column_letter

    model = results.case.model
    if "closing_cash" not in model.lines:
        return
    if "finance.cash_floor" in model.inputs:  # an input cell: the rule follows it
        floor = "finance_cash_floor"
    else:  # the case's floor, used by no formula, so written into the rule itself
        finance = getattr(results.case, "finance", None)
        value = float(getattr(getattr(finance, "inputs", None), "cash_floor", 0.0) or 0.0)
        floor = f"{value:.15g}"
    layout, _ = plan_layout(model, cohorts)
    sheet, row = layout.lines["closing_cash"]
    first = get_column_letter(FIRST_PERIOD_COL)
    last = get_column_letter(FIRST_PERIOD_COL + model.timeline.n - 1)
    highlight_below(wb[sheet], f"{first}{row}:{last}{row}", floor)
    for e in extras:  # the Summary's closing cash: by year, and by month on months
        if e.line in ("closing_cash", ANNUAL_CLOSING) and e.sheet in wb.sheetnames:
            highlight_below(wb[e.sheet], f"{get_column_letter(e.col)}{e.row}", floor)


def build_case_workbook(
    results,
    *,
    cover: Cover | None = None,
    appraisal=None,
    risk: dict[str, pd.DataFrame] | None = None,
    diff=None,
    protect: bool = True,
    pack: str = PUBLICATION,
) -> Workbook:
    """The case workbook, not yet saved: the publication pack (no per-employee data) or the
    full model (``pack="full"``, marked OFFICIAL-SENSITIVE when the case has a roster); see
    :mod:`mutualfin.workbook.publication`."""
    check_pack(pack, "build_case_workbook")
    cover = cover or Cover(title=results.case.name)
    personal = has_per_employee(results)
    cohorts = case_cohorts(results) if pack == PUBLICATION else None
    if pack == FULL and personal and SENSITIVE_MARKING not in cover.marking.upper():
        cover = dataclasses.replace(cover, marking=SENSITIVE_MARKING)
    wb = build_workbook(
        results.evaluation, title=cover.title, marking=cover.marking, cohorts=cohorts
    )
    wb.defined_names[PACK_NAME] = DefinedName(PACK_NAME, attr_text=f'"{pack}"')
    if risk is not None and hasattr(risk, "tables"):  # a mutualfin.risk.SimulationResult
        risk = risk.tables()
    extras = plan_case_extras(results, cohorts, appraisal, risk)
    if appraisal is not None:
        tables = appraisal_tables(appraisal, results.case.model)
        detail = {k: v for k, v in tables.items() if _is_detail(k)}
        _values_sheet(
            wb,
            "Appraisal",
            "Commissioner's options appraisal",
            {k: v for k, v in tables.items() if k not in detail},
        )
        _values_sheet(wb, DETAIL_SHEET, "Options appraisal: the working behind it", detail)
    if risk:
        _values_sheet(wb, "Risk", "Risk analysis", dict(risk), line_words(results.case.model))
    if diff is not None:  # a mutualfin.analysis.diff.CaseDiff
        _values_sheet(wb, "Bridge", f"What changed since {diff.old_name}", diff.tables())
    _checks_sheet(wb, results, extras)
    layout, _ = plan_layout(results.case.model, cohorts)
    write_summary(
        wb,
        results,
        plan_summary(results, layout, appraisal, risk if risk else None),
        appraisal,
        risk if risk else None,
    )
    _case_notes(wb, results)
    _cover_sheet(wb, results, cover, pack if personal else None)
    first = ["Cover", "Summary", "Bridge", "Inputs", "Parameters", "Timeline", "Roster"]
    last = [
        "Statements",
        ANNUAL_SHEET,
        "Council budget",
        COUNCIL_BY_PERIOD,
        "Appraisal",
        DETAIL_SHEET,
        "Risk",
        "Checks",
    ]
    names = wb.sheetnames
    order = [n for n in first if n in names]
    order += [n for n in names if n not in first and n not in last]
    order += [n for n in last if n in names]
    wb._sheets = [wb[n] for n in order]
    shown = pack_sheets(results.case.model)
    _contents_sheet(wb, working_hidden=cohorts is not None, shown=shown)
    _highlight_cash(wb, results, extras, cohorts)
    _list_truncations(wb)  # before the print areas, which reach its last row
    write_record_sheet(wb, results.case.model, layout)
    if cohorts is not None:
        _cohort_flags(wb, results.case.model, layout)
    for ws in wb.worksheets:
        _page_setup(ws, cover.title, cover.marking)
        if ws.title in (
            "Cover",
            "Contents",
            "Summary",
            "Checks",
            "Appraisal",
            DETAIL_SHEET,
            "Risk",
            "Bridge",
        ):
            ws.freeze_panes = None
        if cohorts is not None and ws.title not in shown:
            # the printed pack is the cabinet's; the live working sheets stay for audit (a
            # hidden sheet with a print area would still print in LibreOffice: none is set)
            ws.sheet_state = "hidden"
            continue
        if ws.title != "Summary":
            ws.print_area = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
        if cohorts is not None and ws.title in PRINT_PAGES:
            ws.page_setup.fitToHeight = PRINT_PAGES[ws.title]
    wb["Summary"].page_setup.fitToHeight = 1
    if protect:
        protect_workbook(wb)
    wb.active = 0
    return wb


def cohort_flag_cells(model, layout) -> list[tuple[str, int, int]]:
    """(sheet, row, column) of each staff cohort block's STALE flag in the publication pack:
    the block's header row, in the Total column."""
    return [
        (sheet, row0 - 1, TOTAL_COL)
        for name, (sheet, row0) in layout.lines.items()
        if model.shapes[name].entity is not None
    ]


def _cohort_flags(wb: Workbook, model, layout) -> None:
    """A live STALE flag on each staff cohort block of the publication pack, showing while an
    input its figures depend on differs from the value they were computed with."""
    from mutualfin.workbook.fingerprint import RECORD_SHEET, cohort_flag_formula

    sheets = set(wb.sheetnames) - {RECORD_SHEET}  # as the record sheet's copy was planned
    formula = cohort_flag_formula(model, layout, sheets, per_employee_inputs(model))
    for sheet, row, col in cohort_flag_cells(model, layout):
        cell = wb[sheet].cell(row=row, column=col, value=formula)
        cell.font = Font(bold=True, color="C00000")


def _list_truncations(wb: Workbook) -> None:
    """Every text cut to fit an Excel cell, listed below the checks (see
    :func:`~mutualfin.workbook.safeguards.truncations`)."""
    cuts = truncations(wb)
    if not cuts or "Checks" not in wb.sheetnames:
        return
    ws = wb["Checks"]
    r = ws.max_row + 2
    safe_text(ws.cell(row=r, column=1), "Text cut to fit Excel's 32,767 characters in a cell")
    ws.cell(row=r, column=1).font = Font(bold=True)
    for where, length in cuts:
        r += 1
        safe_text(ws.cell(row=r, column=1), where)
        safe_text(ws.cell(row=r, column=2), f"{length:,} characters, cut to fit")


def write_case_workbook(
    results,
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    cover: Cover | None = None,
    appraisal=None,
    risk=None,
    store_values: bool | None = None,
    created: dt.datetime | None = None,
    diff=None,
    protect: bool = True,
    pack: str = PUBLICATION,
) -> Path:
    """Write the business-case workbook: the publication pack by default, the full
    per-employee model with ``pack="full"``.

    ``store_values``: True saves the file LibreOffice recalculated, so that viewers without
    a calculation engine (an e-mail preview, ``pandas.read_excel``) show the figures; the
    formulas stay live, and verification recalculates them all the same. None (the default)
    stores them where LibreOffice is installed, unless ``created`` is given; False writes
    formulas only (faster; a viewer without a calculation engine shows blanks).
    ``created`` fixes the workbook's timestamps (and the cover date), so the same case gives
    a byte-identical file; LibreOffice's save is not reproducible (its parts are numbered
    afresh each time), so with ``created`` values are stored only when asked. ``diff``, from
    :func:`mutualfin.diff`, adds a Bridge sheet: what changed since an earlier version of the
    case. With ``protect`` (the default) every sheet is protected without a password, the
    input cells unlocked (:mod:`mutualfin.workbook.safeguards`)."""
    from mutualfin.workbook.recalc import find_soffice, recalculate

    _check_results(results, "write_case_workbook")
    if not isinstance(protect, bool):
        raise WorkbookError(f"protect must be True or False, got {protect!r:.60}")
    check_pack(pack, "write_case_workbook")
    if created is not None and cover is not None and cover.date is None:
        cover.date = created.date()
    wb = build_case_workbook(
        results,
        cover=cover,
        appraisal=appraisal,
        risk=risk,
        diff=diff,
        protect=protect,
        pack=pack,
    )
    target = Path(path)
    if store_values is None:  # a reproducible file (created) is the writer's alone
        store_values = created is None and find_soffice() is not None
    if not store_values:
        return atomic_save(wb, target, overwrite, created)
    check_target(target, overwrite)
    with tempfile.TemporaryDirectory(prefix="mutualfin-store-") as tmp:
        raw = atomic_save(wb, Path(tmp) / target.name, True, created)
        data = recalculate(raw, Path(tmp) / "calc").read_bytes()
        if created is not None:  # its dates at least
            data = _pin_timestamps(data, created)
        return save_bytes(target, data, overwrite=overwrite)


def verify_case(path: str | os.PathLike, results, **kwargs):
    """:func:`mutualfin.excel.verify` for a case workbook: first its structure, then its
    figures.

    The workbook is compared with the one mutualfin writes for ``results``
    (:func:`mutualfin.workbook.fingerprint.compare_structure`): every sheet, formula, value,
    defined name and value block's checksum; a difference is a failure naming the sheet and
    cell. Input cells may differ: each is reported as an input change and Python runs again
    with the workbook's inputs. The workbook is then recalculated in LibreOffice and, where
    it is installed, under Excel's rules (keyword arguments such as ``excel_rules`` go to
    verify), and every formula cell, the summary and checks included, is compared with
    Python."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    from mutualfin.workbook.fingerprint import (
        CHANGED_CELL,
        COHORT_STALE_TEXT,
        RECORD_SHEET,
        STALE_TEXT,
        STALE_THRESHOLD,
        StructureDifference,
        _show,
        compare_structure,
    )
    from mutualfin.workbook.verify import VerifyReport, verify

    _check_results(results, "verify_case")
    if not isinstance(path, str | os.PathLike):
        raise wrong_kind("verify_case", "path", "the workbook's file path", path, {})
    src = Path(path)
    if not src.is_file():
        raise WorkbookError(f"workbook {str(src)!r} does not exist")
    model = results.case.model
    pack = pack_of(src)
    cohorts = case_cohorts(results) if has_per_employee(results) and pack == PUBLICATION else None
    layout, sheets = plan_layout(model, cohorts)
    actual = _load(src, load_workbook)
    try:
        title = actual["Cover"]["A1"].value if "Cover" in actual.sheetnames else None
        cover = Cover(title=str(title)) if title else Cover(title=results.case.name)
    except MutualfinError:
        cover = Cover(title=results.case.name)
    # what mutualfin writes for this case, without the value blocks (recorded in the file)
    expected = build_case_workbook(results, cover=cover, pack=pack, protect=False)
    structure = compare_structure(actual, expected, model, layout)
    actual.close()

    figures = results
    refused = None
    frozen = per_employee_inputs(model) if cohorts is not None else set()
    cannot_follow = []  # a staff input edited in the pack: its cohort figures cannot follow
    for change in structure.changes:
        if change.name in frozen:
            cannot_follow.append(
                StructureDifference(
                    change.sheet,
                    change.cell,
                    f"{change.name} as the pack's staff cohort figures were computed with "
                    f"({_show(change.case)}): they are values from the full model and cannot "
                    "follow it; change it in the full model (OFFICIAL-SENSITIVE) and rerun "
                    "mutualfin",
                    _show(change.workbook),
                )
            )
    if structure.edited:
        overrides = {}
        for name, cells in structure.edited.items():
            if name in frozen:  # compared as computed, the failure above says why
                continue
            inp = model.inputs[name]
            base = np.asarray(results.evaluation.inputs[name][0], dtype=float)  # (E, P)
            if inp.kind == "scalar":
                overrides[name] = [cells[0]]
                continue
            row = base[0, :].copy() if inp.kind == "period" else base[:, 0].copy()
            for index, value in cells.items():
                row[index] = value
            overrides[name] = row[None, :]
        try:
            figures = results.case.run(overrides)
        except MutualfinError as exc:
            refused = str(exc)
    extras = {
        (e.sheet, e.row, e.col): expected_extra(e, figures.evaluation)
        for e in plan_case_extras(figures, cohorts)
    }
    if cohorts is not None:  # the publication pack: its own rows, every formula cell expected
        extras.update(pack_expected(figures.evaluation, layout, sheets, cohorts))
    moved = structure.moved
    r, c = CHANGED_CELL
    extras[(RECORD_SHEET, r, c)] = (
        "how far the inputs moved since the value blocks",
        moved,
        "ratio",
    )
    for block in structure.blocks:
        col, row = coordinate_from_string(block.flag)
        key = (block.sheet, row, column_index_from_string(col))
        stale = STALE_TEXT if moved > STALE_THRESHOLD else ""
        extras[key] = (f"STALE flag of {block.title}", stale, "text")
    if cohorts is not None:
        staff = per_employee_inputs(model)
        staff_moved = sum(v for k, v in structure.moved_by_input.items() if k in staff)
        stale = COHORT_STALE_TEXT if staff_moved > STALE_THRESHOLD else ""
        for key in cohort_flag_cells(model, layout):
            extras[key] = ("STALE flag of a staff cohort block", stale, "text")
    if refused is not None:
        report = VerifyReport(src)
        report.not_run.append(f"recalculation: the workbook's inputs are refused: {refused}")
        report.structure.append(
            StructureDifference("Inputs", "", "inputs the case file would accept", refused)
        )
    else:
        report = verify(src, figures.evaluation, extra_expected=extras, **kwargs)
        if cohorts is not None:  # cohort values and the per-employee checksum: values
            check_pack_values(src, results, layout, cohorts, report)  # from the case's inputs
    report.structure[:0] = structure.differences + cannot_follow
    report.input_changes = structure.changes
    report.structure_checked = structure.compared
    return _causes_first(report)


def _causes_first(report):
    """The Summary only links to the model, so a difference there follows one on the model's
    sheets: list those first, where the report's first lines are read."""
    report.mismatches.sort(key=lambda m: m.sheet == "Summary")
    return report


def _load(path: Path, load_workbook):
    try:
        return load_workbook(path, data_only=False)
    except Exception as exc:  # a file that is not a workbook: openpyxl raises many kinds
        raise WorkbookError(
            f"{str(path)!r} cannot be read as an Excel workbook ({type(exc).__name__}: {exc})"
        ) from None


def _live_value(inp) -> float | None:
    """A new value for ``inp`` that its bounds allow: whole numbers move by 1, fractions by
    0.01, other numbers by 10% (0 moves to 1); None if no such value is allowed."""
    v = float(inp.value)
    if inp.bounds is not None and inp.bounds.whole:
        tries = [v + 1, v - 1]
    elif inp.unit == "fraction":
        tries = [v + 0.01, v - 0.01]
    else:
        tries = [v * 1.1, v * 0.9] if v != 0 else [1.0]
    for new in tries:
        try:
            inp.check_values(np.asarray([new]), "new value")
        except MutualfinError:
            continue
        return float(new)
    return None


def live_candidates(results, exclude=frozenset()) -> dict[str, float]:
    """Scalar inputs of the case whose change (:func:`_live_value`) moves at least one figure
    of the statements, with their new values: the inputs worth editing to prove a workbook
    live (less those in ``exclude``). Found by evaluating every candidate change at once (one
    scenario each)."""
    _check_results(results, "live_candidates")
    case = results.case
    model = case.model
    proposed: dict[str, float] = {}
    for name, inp in model.inputs.items():
        if inp.kind != "scalar" or inp.unit == "flag" or name in exclude:
            continue
        new = _live_value(inp)
        if new is not None:
            proposed[name] = new
    if not proposed:
        return {}
    names = list(proposed)
    n = len(names) + 1  # scenario 0 is the case as it stands
    overrides = {}
    for k, name in enumerate(names, start=1):
        column = np.full(n, float(model.inputs[name].value))
        column[k] = proposed[name]
        overrides[name] = column
    keep = [x for x in model.lines if model.shapes[x].entity is None]
    ev = model.evaluate(overrides, keep=keep, chunk_size=16)
    moved = np.zeros(n, dtype=bool)
    for line in keep:
        arr = np.asarray(ev.array(line), dtype=float).reshape(n, -1)
        tol = np.maximum(0.005, 1e-9 * np.abs(arr[0]))
        moved |= (np.abs(arr - arr[0]) > tol).any(axis=1)
    return {name: proposed[name] for k, name in enumerate(names, start=1) if moved[k]}


def verify_live(
    path: str | os.PathLike,
    results,
    *,
    samples: int = 2,
    seed: int = 0,
    changes: dict[str, Any] | None = None,
    excel_rules: bool | None = None,
):
    """Prove the workbook live: change scalar inputs on its Inputs sheet (as a user would),
    recalculate in LibreOffice (and under Excel's rules, as ``excel_rules`` says: see
    :func:`mutualfin.workbook.verify.verify`), and compare every formula cell with Python
    run with the same changes.

    ``changes`` names the inputs and new values (each held to the input's bounds, as the
    case file is); otherwise ``samples`` inputs are picked at random (seeded) among those
    whose change moves the figures (:func:`live_candidates`): whole numbers move by 1,
    fractions by 0.01, other numbers by 10%, always within their bounds.
    Returns ``(changes, report)``; ``report.input_changes`` lists the changes as verify found
    them in the edited workbook, and its value blocks show STALE.
    """
    from mutualfin.workbook.verify import edit_inputs

    _check_results(results, "verify_live")
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 1:
        raise InputError(f"verify_live: samples = {samples!r} must be a whole number, at least 1")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"verify_live: seed = {seed!r} must be a whole number, at least 0")
    case = results.case
    publication = has_per_employee(results) and pack_of(path) == PUBLICATION
    frozen = per_employee_inputs(case.model) if publication else set()
    if changes is not None and frozen & set(changes):
        raise WorkbookError(
            f"{sorted(frozen & set(changes))[0]} feeds per-employee figures, which a "
            "publication pack holds as values: prove it live in the full model "
            "(pack='full', the OFFICIAL-SENSITIVE workbook)"
        )
    if changes is None:
        rng = np.random.default_rng(seed)
        movers = live_candidates(results, exclude=frozen)
        if not movers:
            raise WorkbookError(
                "the case has no single-value input whose change moves its figures, so a live "
                "check has nothing to change"
            )
        names = list(movers)
        picked = rng.choice(len(names), size=min(int(samples), len(names)), replace=False)
        changes = {names[k]: movers[names[k]] for k in sorted(int(i) for i in picked)}
    case.run({k: [v] for k, v in changes.items()})  # refuse a value the case file would
    with tempfile.TemporaryDirectory(prefix="mutualfin-live-") as tmp:
        edited = edit_inputs(path, Path(tmp) / Path(path).name, changes)
        # verify finds the edited inputs itself, reports them and runs Python with them
        report = verify_case(edited, results, excel_rules=excel_rules)
    return changes, report
