"""mutualfin: the financial business case for spinning a public service out into a mutual.

One model definition evaluates in numpy (vectorised over scenarios) and writes itself as a
live Excel workbook that LibreOffice recalculation proves equal to Python.

The package is in layers; each imports only those below it (an import-linter contract in
``pyproject.toml`` holds this in CI)::

    explore, cli, plots       the faces (explore: the Jupyter explorer, on top of plots)
    workbook/                 layout and A1 references, writer, case workbook, verify
    analysis/                 the commissioner's appraisal; risk
    case/                     the statement list, BusinessCase, Results, case files
    components/               the parts of a case; a component registers itself
    uk/                       UK rules: tax, NI, levy, redundancy, pensions, Green Book
    engine/                   timeline, expressions, evaluation, the formula grammar
    params/                   dated UK parameters with references
    core/                     numpy and dates only: calendar, checks, cash-flow maths
    errors                    the exception hierarchy

``mutualfin.finance``, ``.tax``, ``.workforce``, ``.pensions``, ``.discounting``,
``.income``, ``.savings``, ``.costs``, ``.legal_form``, ``.roster``, ``.appraisal``,
``.risk``, ``.io`` and ``.excel`` are public facades re-exporting the layers' modules.

>>> import mutualfin as mf
>>> tl = mf.Timeline(2026, years=3)
>>> fee = mf.Input("contract.annual_value", 1_000_000, unit="GBP")
>>> uplift = mf.Input("contract.indexation", 0.02, unit="fraction")
>>> income = mf.Line("contract_income", fee * mf.growth(uplift))
>>> mf.Model(tl, [income]).evaluate()["contract_income"].tolist()
[1000000.0, 1020000.0, 1040400.0]
"""

from __future__ import annotations

from mutualfin import (
    analysis,
    appraisal,
    case,
    components,
    core,
    costs,
    discounting,
    engine,
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
    uk,
    workbook,
    workforce,
)
from mutualfin._version import __version__
from mutualfin.analysis.appraisal import Option, appraise
from mutualfin.analysis.diff import diff
from mutualfin.case import BusinessCase, CaseFinance, Facility, Loan, Results
from mutualfin.case.formatting import style_table
from mutualfin.components.roster import Roster
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

__all__ = [
    "PERT",
    "BusinessCase",
    "CaseFinance",
    "Entities",
    "Evaluation",
    "Facility",
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
    "analysis",
    "appraisal",
    "appraise",
    "case",
    "clip",
    "components",
    "core",
    "costs",
    "cumsum",
    "diff",
    "discounting",
    "engine",
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
    "style_table",
    "sum_",
    "sum_periods",
    "tax",
    "total",
    "uk",
    "where",
    "within",
    "workbook",
    "workforce",
    "year_fraction",
]
