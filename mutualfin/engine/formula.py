"""The formula grammar's contract: what a node asks of whoever places it in a workbook.

Every expression node writes itself as Excel formula text through ``render(rc)``; the
``rc`` it is given answers the questions only a workbook layout can (which cell holds this
input, this parameter, this line in this period). The engine defines the questions here and
never answers them: sheet names, rows and column letters belong to
:mod:`mutualfin.workbook.layout`, which implements this protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.engine.nodes import (
        ByYear,
        Expr,
        FromYear,
        Input,
        Line,
        ParamRef,
        Previous,
        TimeVar,
    )

__all__ = ["RenderContext"]


class RenderContext(Protocol):  # pragma: no cover - a protocol: documentation and typing
    """References for one cell of a line's row (one period, one entity)."""

    def input_ref(self, node: Input) -> str:
        """A scalar input's defined name, or the cell of a per-period or per-entity input."""

    def param_ref(self, node: ParamRef) -> str:
        """The cell of a dated parameter's row in this period."""

    def time_ref(self, node: TimeVar) -> str:
        """The cell of a timeline row (period index, first-period flag, ...) in this period."""

    def line_ref(self, line: Line) -> str:
        """The cell of a line in this period (its value cell for a metric)."""

    def previous_ref(self, node: Previous) -> str:
        """The cell of the target line in the previous period (its opening cell first)."""

    def running_range(self, x: Expr) -> str:
        """A range from the first period to this one, of a line's row."""

    def row_range(self, x: Expr, start: int = 0) -> tuple[str, str]:
        """The first and last period cells of a line's row, absolute."""

    def entity_range(self, x: Expr) -> str:
        """This period's cells of a per-entity line, all entities."""

    def line_by_name(self, name: str) -> Line:
        """The model's line of that name."""

    def by_year_ref(self, node: ByYear) -> str:
        """A line by period summed (or closed) over this column's financial year."""

    def from_year_ref(self, node: FromYear) -> str:
        """A line by financial year's value for the year of this period."""
