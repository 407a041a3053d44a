"""mutualfin: the financial business case for spinning a public service out into a mutual.

One model definition evaluates in numpy (vectorised over scenarios) and writes itself as a
live Excel workbook that LibreOffice recalculation proves equal to Python.

>>> import mutualfin as mf
>>> tl = mf.Timeline(2026, years=3)
>>> fee = mf.Input("contract.annual_value", 1_000_000, unit="GBP")
>>> uplift = mf.Input("contract.indexation", 0.02, unit="fraction")
>>> income = mf.Line("contract_income", fee * mf.growth(uplift))
>>> mf.Model(tl, [income]).evaluate()["contract_income"].tolist()
[1000000.0, 1020000.0, 1040400.0]
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from mutualfin import (
    appraisal,
    components,
    costs,
    discounting,
    errors,
    excel,
    finance,
    income,
    io,
    legal_form,
    params,
    pensions,
    risk,
    roster,
    savings,
    tax,
    workforce,
)
from mutualfin.appraisal import Option, appraise
from mutualfin.case import BusinessCase, CaseFinance, Loan, Results
from mutualfin.engine import (
    PERT,
    Entities,
    Evaluation,
    Input,
    Line,
    Model,
    Normal,
    Timeline,
    Triangular,
    Uniform,
    abs_,
    clip,
    cumsum,
    first_period,
    growth,
    irr_,
    max_,
    max_periods,
    min_,
    min_periods,
    mirr_,
    npv_,
    param,
    payback_,
    period_index,
    previous,
    ref,
    sum_,
    sum_periods,
    total,
    where,
    within,
    year_fraction,
)
from mutualfin.errors import MutualfinError
from mutualfin.roster import Roster

try:
    __version__ = _version("mutualfin")
except PackageNotFoundError:  # pragma: no cover - running from a source tree, not installed
    __version__ = "0+unknown"

__all__ = [
    "PERT",
    "BusinessCase",
    "CaseFinance",
    "Entities",
    "Evaluation",
    "Input",
    "Line",
    "Loan",
    "Model",
    "MutualfinError",
    "Normal",
    "Option",
    "Results",
    "Roster",
    "Timeline",
    "Triangular",
    "Uniform",
    "__version__",
    "abs_",
    "appraisal",
    "appraise",
    "clip",
    "components",
    "costs",
    "cumsum",
    "discounting",
    "errors",
    "excel",
    "finance",
    "first_period",
    "growth",
    "income",
    "io",
    "irr_",
    "legal_form",
    "max_",
    "max_periods",
    "min_",
    "min_periods",
    "mirr_",
    "npv_",
    "param",
    "params",
    "payback_",
    "pensions",
    "period_index",
    "previous",
    "ref",
    "risk",
    "roster",
    "savings",
    "sum_",
    "sum_periods",
    "tax",
    "total",
    "where",
    "within",
    "workforce",
    "year_fraction",
]
