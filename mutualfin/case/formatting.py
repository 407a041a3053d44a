"""Figures formatted by their unit, never by their name.

Every line and metric has a unit ("GBP", "fraction", "years", "months", "count", "ratio",
"flag"); :func:`format_value` turns a figure into the text a finance officer expects for that
unit (£1,234, 3.2%, 2.5 years, 3, 1.23x), and the missing text a line declares ("never" for a
payback that does not happen) for a figure that is missing by design.

>>> format_value(-1234.4, "GBP")
'-£1,234'
>>> format_value(0.032, "fraction")
'3.2%'
>>> format_value(float("nan"), "years", missing="never")
'never'
>>> format_value(46143.0, "date")
'01/05/2026'

:func:`style_table` formats a whole table the same way, as a pandas Styler (for Jupyter and HTML):
each row (or column) by its unit, the numbers underneath left as they are for computation.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = [
    "TABLE_STYLES",
    "format_money",
    "format_months",
    "format_value",
    "is_missing",
    "style_table",
]


def is_missing(value: Any) -> bool:
    """True for None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_money(value: Any) -> str:
    """£1,234 or -£1,234 (whole pounds); n/a for a missing value. Less than half a pound
    below zero is £0, not -£0 (rounding leaves a facility's cash at -7e-12)."""
    if is_missing(value):
        return "n/a"
    text = f"{abs(value):,.0f}"
    return f"£{text}" if value >= 0 or text == "0" else f"-£{text}"


def format_months(months: float) -> str:
    """A number of months in words: "1 month", "1.5 months", "3 months"."""
    return f"{months:g} month{'' if months == 1 else 's'}"


def format_value(value: Any, unit: str, *, missing: str = "n/a") -> str:
    """A figure as text for its unit; ``missing`` for None or NaN; text is left as it is."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return missing
    value = float(value)
    base = unit.split("/")[0]
    if base == "GBP":
        return format_money(value)
    if base == "fraction":
        return f"{value:.1%}"
    if base == "years":
        return f"{value:.1f} years"
    if base == "months":
        return f"{value:.1f} months"
    if base == "ratio":
        return f"{value:.2f}x"
    if base == "flag":
        return "yes" if value else "no"
    if base == "date":  # a spreadsheet date serial
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).strftime("%d/%m/%Y")
    if base in ("count", "FTE", "days", "weeks"):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{value:,.2f}"


#: how a styled table looks: figures right-aligned in a tabular font, labels left, a rule
#: under the header (a finance report, not a spreadsheet dump)
TABLE_STYLES = [
    {"selector": "th.col_heading", "props": "text-align: right; border-bottom: 1px solid #999;"},
    {"selector": "th.row_heading", "props": "text-align: left; font-weight: normal;"},
    {"selector": "td", "props": "text-align: right; font-variant-numeric: tabular-nums;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
]


def style_table(
    frame: pd.DataFrame,
    units: str | Mapping[Any, str] | None = None,
    *,
    axis: str = "index",
    missing: Mapping[Any, str] | None = None,
    caption: str | None = None,
) -> Styler:
    """A table formatted by unit as a finance report reads: ``£1,234``, ``3.2%``, ``1.5
    months``; the numbers underneath stay in ``styler.data`` for computation.

    Parameters
    ----------
    frame : DataFrame
        The figures (any text in it is shown as it is).
    units : str, mapping or None
        One unit for every figure, or each row's unit by its label (``axis="index"``) or each
        column's (``axis="columns"``); a label not in the mapping is shown as GBP. None: each
        label is the name of a statement line or metric (``minimum_cash``, ``surplus_margin``),
        shown in its declared unit and with its missing text, and labelled in words.
    axis : "index" or "columns"
        Whether ``units`` are the rows' or the columns'.
    missing : mapping, optional
        What a missing figure (NaN) reads as, by row or column label ("not paid back").
    caption : str, optional
        A title above the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        Shown formatted in Jupyter; ``.to_html()`` for a page; ``.data`` is ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"2026/27": [4_200_000.0, 0.0532]}, index=["Income", "Margin"])
    >>> styled = style_table(table, {"Income": "GBP", "Margin": "fraction"})
    >>> "£4,200,000" in styled.to_html() and "5.3%" in styled.to_html()
    True
    """
    if axis not in ("index", "columns"):
        from mutualfin.errors import InputError

        raise InputError(f"style_table: axis must be 'index' or 'columns', got {axis!r}")
    missing = dict(missing or {})
    if units is None:  # labels are statement names: their units, missing texts and words
        from mutualfin.case.statements import statement

        labels = frame.index if axis == "index" else frame.columns
        found = {n: statement(str(n)) for n in labels}
        units = {n: s.unit for n, s in found.items() if s is not None}
        missing = {n: s.missing for n, s in found.items() if s is not None} | missing
        words = {n: s.short for n, s in found.items() if s is not None}
        units = {words.get(n, n): u for n, u in units.items()}
        missing = {words.get(n, n): m for n, m in missing.items()}
        frame = frame.rename(index=words) if axis == "index" else frame.rename(columns=words)
    labels = frame.index if axis == "index" else frame.columns
    styler = frame.style.set_table_styles(TABLE_STYLES)
    for k, label in enumerate(labels):
        unit = units if isinstance(units, str) else units.get(label, "GBP")
        gone = missing.get(label, "n/a")

        def fmt(value: Any, unit: str = unit, gone: str = gone) -> str:
            return format_value(value, unit, missing=gone)

        subset = (labels[k : k + 1], slice(None)) if axis == "index" else labels[k : k + 1]
        styler = styler.format(fmt, subset=subset, escape="html")
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler
