"""Excel's own charts of the values sheets: the tornado, the Monte Carlo fan chart and the
options appraisal, drawn by Excel (or LibreOffice) from the cells of the tables beside them.

:mod:`mutualfin.plots` draws the same charts as pictures for notebooks and papers; these are
charts of the workbook itself: each series refers to the table's cells, so a reader can see
which figures a bar stands for, and a chart follows any change to the table. The tables are
values computed by mutualfin (the Risk and Appraisal sheets say so), not live formulas.

Each function takes the sheet, the table as written (a DataFrame whose header row is
``header_row`` and whose first column is ``first_col``) and returns a chart to place below it,
or None when the table has nothing to draw.
"""

from __future__ import annotations

import math

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties

__all__ = ["CHART_ROWS", "appraisal_chart", "fan_chart", "plain_line", "tornado_chart"]

#: rows kept for a chart between a table's heading and the table (11 cm is about 22 rows)
CHART_ROWS = 24
_CM_HEIGHT = 11.0
_CM_WIDTH = 24.0
_GBP = "£#,##0;-£#,##0"
#: the palette of mutualfin.plots: income blue, cost red, total dark blue
_BLUE, _RED, _DARK, _GREY = "4F81BD", "C0504D", "1F3864", "7F7F7F"


def _col(frame: pd.DataFrame, name: str, first_col: int) -> int:
    return first_col + [str(c) for c in frame.columns].index(name)


def _solid(series: Series, rgb: str) -> None:
    series.graphicalProperties = GraphicalProperties(solidFill=rgb)
    series.graphicalProperties.line = LineProperties(solidFill=rgb)


def plain_line(series: Series) -> Series:
    """``series`` drawn as straight segments without markers (LibreOffice smooths a line
    series that does not say otherwise, drawing figures the case never had)."""
    series.smooth = False
    series.marker.symbol = "none"
    return series


def _line(series: Series, rgb: str, width_pt: float = 1.5, dash: str | None = None) -> None:
    series.graphicalProperties = GraphicalProperties()
    series.graphicalProperties.line = LineProperties(solidFill=rgb, w=int(width_pt * 12700))
    if dash:
        series.graphicalProperties.line.prstDash = dash
    plain_line(series)


def _axes_shown(chart) -> None:
    """Draw both axes (openpyxl 3.1 leaves them for the application to delete)."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def tornado_chart(
    ws, frame: pd.DataFrame, header_row: int, first_col: int = 1, top: int = 10, title: str = ""
):
    """Horizontal bars from the base figure to the metric with each input at its low value
    (red) and at its high value (blue), the widest at the top: the ``top`` first rows of
    :func:`mutualfin.risk.tornado`'s table, which is sorted widest first. The bars start at the
    base (the category axis crosses the value axis there), so each bar's length is the change
    the input makes."""
    need = {"metric_at_low", "metric_at_high", "base"}
    if not need <= {str(c) for c in frame.columns} or frame.empty:
        return None
    n = min(top, len(frame))
    first, last = header_row + 1, header_row + n
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 40
    label = "label" if "label" in frame.columns else "input"
    cats = Reference(ws, min_col=_col(frame, label, first_col), min_row=first, max_row=last)
    for name, legend, rgb in (
        ("metric_at_low", "input at its low value", _RED),
        ("metric_at_high", "input at its high value", _BLUE),
    ):
        col = _col(frame, name, first_col)
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=legend)
        _solid(series, rgb)
        chart.series.append(series)
    chart.set_categories(cats)
    base = float(frame["base"].iloc[0])
    if not math.isfinite(base):
        return None
    chart.x_axis.crossesAt = base  # bars grow from the base figure
    chart.x_axis.scaling.orientation = "maxMin"  # the widest at the top
    chart.x_axis.tickLblPos = "low"  # labels at the left edge, not at the base
    chart.y_axis.crosses = "max"  # the value axis at the bottom
    chart.y_axis.numFmt = _GBP
    chart.y_axis.majorGridlines = None
    chart.x_axis.tickLblSkip = 1  # every input named
    metric = str(frame.attrs.get("metric", "the metric"))
    heading = title.removesuffix(" (values)") or f"Sensitivity of {metric}"
    chart.title = f"{heading}: the {n} widest"
    chart.y_axis.title = f"£; each bar starts at the base figure, £{base:,.0f}"
    chart.legend.position = "b"
    chart.height, chart.width = _CM_HEIGHT, _CM_WIDTH
    _axes_shown(chart)
    return chart


def fan_chart(ws, frame: pd.DataFrame, header_row: int, first_col: int = 1, title: str = ""):
    """A line by period for each percentile of a Monte Carlo line (5th to 95th), the median
    bold and the outer percentiles paler, from a table of one row per percentile (``p5`` ...
    ``p95``) and one column per period."""
    if frame.empty or len(frame.columns) < 2:
        return None
    rows = [str(v) for v in frame.iloc[:, 0]]
    if "p50" not in rows:
        return None
    n_periods = len(frame.columns) - 1
    chart = LineChart()
    cats = Reference(ws, min_col=first_col + 1, max_col=first_col + n_periods, min_row=header_row)
    style = {
        "p5": ("CFDCEC", 1.0, "dash"),
        "p10": ("95B3D7", 1.25, None),
        "p25": (_BLUE, 1.5, None),
        "p50": (_DARK, 3.0, None),
        "p75": (_BLUE, 1.5, None),
        "p90": ("95B3D7", 1.25, None),
        "p95": ("CFDCEC", 1.0, "dash"),
    }
    for k, name in enumerate(rows):
        if name not in style:
            continue
        row = header_row + 1 + k
        values = Reference(ws, min_col=first_col + 1, max_col=first_col + n_periods, min_row=row)
        label = "median" if name == "p50" else f"{name[1:]}th percentile"
        series = Series(values, title=label)
        rgb, width, dash = style[name]
        _line(series, rgb, width, dash)
        chart.series.append(series)
    chart.set_categories(cats)
    chart.title = title or "Monte Carlo percentiles by year"
    chart.y_axis.numFmt = _GBP
    chart.y_axis.title = "£ at the year end (nominal)"
    chart.x_axis.tickLblPos = "low"
    chart.legend.position = "b"
    chart.height, chart.width = _CM_HEIGHT, _CM_WIDTH
    _axes_shown(chart)
    return chart


def appraisal_chart(ws, frame: pd.DataFrame, header_row: int, first_col: int = 1):
    """One stacked column per option, cheapest first: its present cost before optimism bias
    and the optimism bias on top, which add up to its net present cost (real terms,
    discounted), from the options table of the Appraisal sheet."""
    need = {"option", "present cost before optimism bias", "optimism bias"}
    if not need <= {str(c) for c in frame.columns} or frame.empty:
        return None
    first, last = header_row + 1, header_row + len(frame)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    for name, title, rgb in (
        ("present cost before optimism bias", "present cost before optimism bias", _BLUE),
        ("optimism bias", "optimism bias", _RED),
    ):
        col = _col(frame, name, first_col)
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=last), title=title)
        _solid(series, rgb)
        chart.series.append(series)
    chart.set_categories(
        Reference(ws, min_col=_col(frame, "option", first_col), min_row=first, max_row=last)
    )
    chart.title = "Net present cost of each option (real terms, after optimism bias)"
    chart.y_axis.numFmt = _GBP
    chart.y_axis.title = "Present value, £"
    chart.legend.position = "b"
    chart.height, chart.width = _CM_HEIGHT, _CM_WIDTH
    _axes_shown(chart)
    return chart
