"""Tables of values on a sheet (the Summary's, the Appraisal's and the Risk's): a header row,
then one row per record, each number formatted by its unit where the table declares one
(``frame.attrs["units"]``: a column's unit, or one unit per row for a column whose rows differ),
else by a format given for its column, else by its size."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment

from mutualfin.workbook.writer import _DATA_FILL, number_format, safe_text

__all__: list[str] = []


def unit_format(unit: str) -> str:
    """The number format of a figure in a table of values: by its unit, whole counts with
    thousands separators."""
    return "#,##0" if unit == "count" else number_format(unit)


# Column names the analysis layer gives its tables (Python's names, kept for code that reads
# them) and the words a reader sees in a workbook's header
HEADER_WORDS = {
    "drawn_mean": "mean of the draws",
    "base_value": "base value",
    "low_value": "low value",
    "high_value": "high value",
    "metric_at_low": "result at the low value",
    "metric_at_high": "result at the high value",
    "spearman": "rank correlation (Spearman)",
    "share": "share of the rank variance",
    "share_never": "share of scenarios where it never happens",
}


def header_words(name: str, words: dict[str, str] | None = None) -> str:
    """A column header in words: a model line's label from ``words``, a known analysis column
    from :data:`HEADER_WORDS`, else the name itself."""
    return (words or {}).get(name) or HEADER_WORDS.get(name, name)


def _values_table(
    ws,
    frame: pd.DataFrame,
    row: int,
    col: int = 1,
    formats: dict | None = None,
    units: dict | None = None,
    words: dict[str, str] | None = None,
) -> int:
    """Write a DataFrame as values (header + rows) from (row, col); return the next row.
    ``units`` (column name -> unit, or a list of one unit per row) formats each number by its
    unit; ``formats`` (column name -> Excel number format, e.g. "0.0%") gives a column's
    format outright; other numbers are formatted by their size. ``words`` (a model line's name
    -> its label) puts labels in words where a header or a row's first cell holds a line's
    name (the metrics of a simulation or of the standard scenarios)."""
    formats = dict(formats or {})
    units = dict(units or {})
    words = dict(words or {})
    names = [str(c) for c in frame.columns]
    _header_at(ws, row, col, [header_words(n, words) for n in names])
    for r, rec in enumerate(frame.itertuples(index=False), start=row + 1):
        for c, v in enumerate(rec, start=col):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str) and c == col and v in words:
                safe_text(cell, words[v], cut=True)
            elif isinstance(v, str) or v is None:
                safe_text(cell, "" if v is None else v, cut=True)
            elif isinstance(v, bool | np.bool_):
                safe_text(cell, "yes" if v else "no")
            elif isinstance(v, int | float | np.integer | np.floating):
                fv = float(v)
                if not math.isfinite(fv):  # an undefined figure (an IRR with no outlay):
                    safe_text(cell, "n/a")  # infinity is no number a workbook can hold
                else:
                    # 15 significant digits, what a spreadsheet keeps: the value block's
                    # checksum then holds whichever program saved the file
                    cell.value = float(f"{fv:.15g}")
                    if fv.is_integer() and abs(fv) < 1000:
                        cell.number_format = "0"
                    elif abs(fv) < 10:
                        cell.number_format = "#,##0.00"
                    else:
                        cell.number_format = "#,##0"
                    name = names[c - col]
                    unit = units.get(name)
                    if isinstance(unit, list | tuple):
                        unit = unit[r - row - 1]
                    if name in formats:
                        cell.number_format = formats[name]
                    elif unit and unit != "text":
                        cell.number_format = unit_format(unit)
            else:
                safe_text(cell, str(v), cut=True)
            cell.fill = _DATA_FILL
            # a row's figures level with the first line of its wrapped text, not its foot
            cell.alignment = Alignment(vertical="top")
    return row + 1 + len(frame)


def _header_at(ws, row: int, col: int, values: list[str]) -> None:
    from mutualfin.workbook.writer import _HEAD_FILL, _HEAD_FONT

    for c, v in enumerate(values, start=col):
        cell = ws.cell(row=row, column=c)
        safe_text(cell, v)
        cell.fill, cell.font = _HEAD_FILL, _HEAD_FONT
