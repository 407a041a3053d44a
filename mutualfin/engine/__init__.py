"""The engine: timeline, expressions, evaluation in numpy and rendering as Excel formulas."""

from __future__ import annotations

from mutualfin.engine.distributions import PERT, Distribution, Normal, Triangular, Uniform
from mutualfin.engine.model import Evaluation, Model
from mutualfin.engine.nodes import (
    Entities,
    Expr,
    Input,
    Line,
    abs_,
    clip,
    cumsum,
    first_period,
    growth,
    max_,
    min_,
    param,
    period_index,
    previous,
    ref,
    sum_,
    total,
    where,
    within,
    year_fraction,
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
    "clip",
    "cumsum",
    "financial_year_label",
    "first_period",
    "growth",
    "max_",
    "min_",
    "param",
    "parse_financial_year",
    "period_index",
    "previous",
    "ref",
    "sum_",
    "total",
    "where",
    "within",
    "year_fraction",
]
