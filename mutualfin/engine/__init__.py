"""The engine: timeline, expressions, evaluation in numpy, and the formula grammar.

- :mod:`~mutualfin.engine.timeline`: the shared timeline of UK financial years or months;
- :mod:`~mutualfin.engine.nodes`: expression nodes, each evaluating itself in numpy and
  writing itself as Excel formula text;
- :mod:`~mutualfin.engine.model`: compilation and vectorised evaluation;
- :mod:`~mutualfin.engine.formula`: what a node asks of a workbook layout to write itself.

The engine knows nothing of business roles, sheets, rows or columns.
"""

from __future__ import annotations

from mutualfin.core.distributions import PERT, Distribution, Normal, Triangular, Uniform
from mutualfin.engine.model import Evaluation, Model
from mutualfin.engine.nodes import (
    Entities,
    Expr,
    Input,
    Line,
    abs_,
    by_year,
    clip,
    cumsum,
    first_period,
    from_year,
    growth,
    if_missing,
    in_month,
    irr_,
    max_,
    max_periods,
    min_,
    min_periods,
    mirr_,
    months_in_period,
    npv_,
    only_if,
    param,
    payback_,
    period_end,
    period_index,
    period_start,
    previous,
    ref,
    sum_,
    sum_periods,
    total,
    where,
    within,
    year_end,
    year_fraction,
    year_index,
    year_start,
    years_elapsed,
)
from mutualfin.engine.timeline import Timeline, financial_year_label, parse_financial_year

__all__ = [
    "PERT",
    "Distribution",
    "Entities",
    "Evaluation",
    "Expr",
    "Input",
    "Line",
    "Model",
    "Normal",
    "Timeline",
    "Triangular",
    "Uniform",
    "abs_",
    "by_year",
    "clip",
    "cumsum",
    "financial_year_label",
    "first_period",
    "from_year",
    "growth",
    "if_missing",
    "in_month",
    "irr_",
    "max_",
    "max_periods",
    "min_",
    "min_periods",
    "mirr_",
    "months_in_period",
    "npv_",
    "only_if",
    "param",
    "parse_financial_year",
    "payback_",
    "period_end",
    "period_index",
    "period_start",
    "previous",
    "ref",
    "sum_",
    "sum_periods",
    "total",
    "where",
    "within",
    "year_end",
    "year_fraction",
    "year_index",
    "year_start",
    "years_elapsed",
]
