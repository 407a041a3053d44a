"""The workbook's layout and every A1 reference: where each row sits, and formula text for a cell.

This is the one module that builds references such as ``$F$12`` or ``Parameters!G$7`` (as
XlsxWriter's ``utility.py`` is). It implements the engine's
:class:`~mutualfin.engine.formula.RenderContext` protocol, so that nodes can write
themselves as formulas without the engine knowing sheets, rows or columns.

The layout (which sheet and row holds each input, parameter, timeline row and line) is
decided by the workbook writer; this module only turns a node into formula text for one cell:
period column ``p`` and, for per-entity lines, entity ``i``.

References follow FAST conventions: the same formula across a row (columns relative), rows
absolute where a block of per-entity rows shares a row it refers to, the cell to the left for
the previous period, and defined names for scalar inputs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from mutualfin.engine.nodes import (
    ByYear,
    Expr,
    FromYear,
    Input,
    Line,
    ParamRef,
    Previous,
    TimeVar,
    excel_name,
)
from mutualfin.errors import ModelError
from mutualfin.workbook.portable import check_functions

__all__ = ["FIRST_PERIOD_COL", "OPENING_COL", "Layout", "RenderContext", "quote_sheet"]

#: column of the first period on every sheet (F); E holds opening values, D totals
FIRST_PERIOD_COL = 6
OPENING_COL = 5
TOTAL_COL = 4
#: the row of a calculation sheet's header holding each period's first day (a financial
#: year's start date on a sheet of lines by financial year, the criterion of by_year's SUMIF)
PERIOD_START_ROW = 3
#: timeline rows every calculation sheet repeats in its header (the others are referred to on
#: the Timeline sheet)
HEADER_KINDS = (
    "period_label",
    "period_start",
    "period_end",
    "index",
    "first_period",
    "year_fraction",
)


#: tokens standing for "this period's column" and "last period's column" in a row template
THIS_COL = "\x01"
PREV_COL = "\x02"
TEMPLATE = -2  # the period index that renders a row template


@functools.lru_cache(maxsize=1024)
def quote_sheet(sheet: str) -> str:
    if sheet.replace("_", "").isalnum() and not sheet[0].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass
class Layout:
    """Where each thing lives: sheet and row (first row for per-entity blocks)."""

    lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    entity_count: dict[str, int] = field(default_factory=dict)
    period_inputs: dict[str, int] = field(default_factory=dict)  # row on Inputs
    entity_inputs: dict[str, int] = field(default_factory=dict)  # column on Roster
    roster_first_row: int = 0
    params: dict[tuple, int] = field(default_factory=dict)  # row on Parameters
    year_params: dict[tuple, int] = field(default_factory=dict)  # by-year row on Parameters
    header_rows: dict[str, int] = field(default_factory=dict)  # timeline rows on calc sheets
    #: other timeline rows on the Timeline sheet, by (space, key): flags, years since the start
    timeline_rows: dict[tuple[str, tuple], int] = field(default_factory=dict)
    #: the Timeline sheet's rows of the financial years (its header kinds), when a line is by year
    year_timeline_rows: dict[str, int] = field(default_factory=dict)
    sections: dict[tuple[str, int], str] = field(default_factory=dict)  # (sheet, row) heading
    #: period space ("native" or "year") of each calculation sheet
    sheet_space: dict[str, str] = field(default_factory=dict)

    @property
    def within_rows(self) -> dict[tuple, int]:
        """The Timeline rows by period other than its header (flags, years since the start)."""
        return {key: row for (space, key), row in self.timeline_rows.items() if space == "native"}


class RenderContext:
    """Formula text for one cell of a line's row (column ``p``, entity ``i``): the
    workbook's implementation of :class:`mutualfin.engine.formula.RenderContext`."""

    def __init__(
        self, model, layout: Layout, sheet: str, p: int, i: int | None = None, space: str = ""
    ):
        self.model = model
        self.layout = layout
        self.sheet = sheet
        self.p = p
        self.i = i
        self.space = space or layout.sheet_space.get(sheet, "native")

    # -- helpers -------------------------------------------------------------------------------
    def col(self, p: int | None = None) -> str:
        if self.p == TEMPLATE:  # a row template: columns relative to the cell's own
            if p is None or p == TEMPLATE:
                return THIS_COL
            if p == TEMPLATE - 1:
                return PREV_COL
            raise ModelError("a row template can refer only to this or last period")
        p = self.p if p is None else p
        return _column(p)

    def _prefix(self, sheet: str) -> str:
        return "" if sheet == self.sheet else quote_sheet(sheet) + "!"

    def line_by_name(self, name: str) -> Line:
        return self.model.line_by_name(name)

    def _line_cell(self, line: Line, p: int) -> str:
        sheet, row = self.layout.lines[line.name]
        shape = self.model.shapes[line.name]
        if not shape.period:  # a metric: the value column, fixed
            row += self.i or 0 if shape.entity is not None else 0
            return f"{self._prefix(sheet)}${get_column_letter(TOTAL_COL)}${row}"
        col = self.col(p)
        if self.model.shapes[line.name].entity is not None:
            if self.i is None:
                raise ModelError(
                    f"line {line.name!r} is per entity; sum it with total(...) before using it "
                    "in a line that is not per entity"
                )
            return f"{self._prefix(sheet)}{col}{row + self.i}"
        dollar = "$" if self.i is not None else ""
        return f"{self._prefix(sheet)}{col}{dollar}{row}"

    # -- the protocol nodes call ---------------------------------------------------------------
    def input_ref(self, node: Input) -> str:
        if node.kind == "scalar":
            return excel_name(node.name)
        if node.kind == "period":
            return f"Inputs!{self.col()}${self.layout.period_inputs[node.name]}"
        if self.i is None:
            raise ModelError(f"per-entity input {node.name!r} used outside a per-entity line")
        c = get_column_letter(self.layout.entity_inputs[node.name])
        return f"Roster!${c}{self.layout.roster_first_row + self.i}"

    def param_ref(self, node: ParamRef) -> str:
        rows = self.layout.year_params if self.space == "year" else self.layout.params
        return f"Parameters!{self.col()}${rows[node.key]}"

    def time_ref(self, node: TimeVar) -> str:
        if node.kind not in HEADER_KINDS:
            return f"Timeline!{self.col()}${self.layout.timeline_rows[(self.space, node.key)]}"
        return f"{self.col()}${self.layout.header_rows[node.kind]}"

    def _full_row(self, x: Expr) -> tuple[str, int, str, str]:
        """(sheet prefix, row, first column, last column) of a line's whole row."""
        if not isinstance(x, Line):
            x = self.line_by_name(x.name)  # type: ignore[attr-defined]
        sheet, row = self.layout.lines[x.name]
        if self.model.shapes[x.name].entity is not None:
            row += self.i or 0
        n = self.model.timeline_of(self.model.spaces[x.name]).n
        first = get_column_letter(FIRST_PERIOD_COL)
        last = get_column_letter(FIRST_PERIOD_COL + n - 1)
        return self._prefix(sheet), row, first, last

    def by_year_ref(self, node: ByYear) -> str:
        """``SUMIF`` of the line's whole row by period, where the Timeline row of each
        period's financial-year start date (for a balance: only in the year's closing period)
        equals this column's year start in the sheet's header."""
        pre, row, first, last = self._full_row(node.a)
        key = ("fy_close" if node.how == "close" else "fy_start", None, None)
        t = self.layout.timeline_rows[("native", key)]
        crit = f"{self.col()}${PERIOD_START_ROW}"
        return f"SUMIF(Timeline!${first}${t}:${last}${t},{crit},{pre}${first}${row}:${last}${row})"

    def from_year_ref(self, node: FromYear) -> str:
        """``SUMIF`` of a line by financial year: its sheet's header of year start dates
        against the start of this period's financial year (Timeline sheet)."""
        pre, row, first, last = self._full_row(node.a)
        t = self.layout.timeline_rows[("native", ("fy_start", None, None))]
        crit = f"Timeline!{self.col()}${t}"
        hdr = f"{pre}${first}${PERIOD_START_ROW}:${last}${PERIOD_START_ROW}"
        return f"SUMIF({hdr},{crit},{pre}${first}${row}:${last}${row})"

    def line_ref(self, line: Line) -> str:
        return self._line_cell(line, self.p)

    def previous_ref(self, node: Previous) -> str:
        return self._line_cell(self.line_by_name(node.target_name), self.p - 1)

    def running_range(self, x: Expr) -> str:
        if not isinstance(x, Line):
            x = self.line_by_name(x.name)  # type: ignore[attr-defined]
        sheet, row = self.layout.lines[x.name]
        if self.model.shapes[x.name].entity is not None:
            row += self.i or 0
        first = get_column_letter(FIRST_PERIOD_COL)
        return f"{self._prefix(sheet)}${first}{row}:{self.col()}{row}"

    def row_range(self, x: Expr, start: int = 0) -> tuple[str, str]:
        """First and last period cells of a line's row, absolute (for NPV, IRR, MIRR)."""
        if not isinstance(x, Line):
            x = self.line_by_name(x.name)  # type: ignore[attr-defined]
        sheet, row = self.layout.lines[x.name]
        if self.model.shapes[x.name].entity is not None:
            row += self.i or 0
        first = get_column_letter(FIRST_PERIOD_COL + start)
        n = self.model.timeline_of(self.model.spaces[x.name]).n
        last = get_column_letter(FIRST_PERIOD_COL + n - 1)
        return f"{self._prefix(sheet)}${first}${row}", f"${last}${row}"

    def entity_range(self, x: Expr) -> str:
        if not isinstance(x, Line):
            x = self.line_by_name(x.name)  # type: ignore[attr-defined]
        sheet, row = self.layout.lines[x.name]
        n = self.layout.entity_count[x.name]
        c = self.col()
        return f"{self._prefix(sheet)}{c}${row}:{c}${row + n - 1}"


@functools.lru_cache(maxsize=4096)
def _column(p: int) -> str:
    return get_column_letter(FIRST_PERIOD_COL + p) if p >= 0 else get_column_letter(OPENING_COL)


def render_formula(
    model, layout: Layout, expr: Expr, sheet: str, p: int, i: int | None, line: str = ""
) -> str:
    """``=...`` text of ``expr`` for period column ``p`` (-1: the opening column).

    Raises WorkbookError, naming ``line``, if the formula would call a worksheet function
    outside :data:`mutualfin.workbook.portable.WORKSHEET_FUNCTIONS`."""
    text, _ = expr.render(RenderContext(model, layout, sheet, p, i))
    return check_functions("=" + text, f"line {line!r}" if line else "formula")


def render_row(
    model, layout: Layout, expr: Expr, sheet: str, n: int, i: int | None, line: str = ""
) -> list[str]:
    """The formulas of a whole row (periods 0..n-1): rendered once as a template whose column
    tokens are then replaced, so each period's formula is the same but for its columns."""
    template = render_formula(model, layout, expr, sheet, TEMPLATE, i, line)
    if THIS_COL not in template and PREV_COL not in template:
        return [template] * n
    return [
        template.replace(THIS_COL, _column(p)).replace(PREV_COL, _column(p - 1)) for p in range(n)
    ]
