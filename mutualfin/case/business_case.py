"""The business case: components composed on one timeline, with statements and metrics.

:class:`BusinessCase` takes components (contract income, staff costs, overheads, a loan...),
tags each of their lines by role, and adds the statements a council cabinet reads:

**Income and expenditure** (sheet "Statements"): ``total_income`` (lines with role income or
council_income), ``operating_costs`` (role cost) less ``savings`` (role saving) gives
``net_operating_costs``; ``one_off_costs`` (role one_off, expensed when incurred);
``loan_interest``; ``surplus_before_tax``; corporation tax on the surplus after trading losses
brought forward (``losses_brought_forward``, ``taxable_profit``, ``losses_carried_forward``;
none for a tax-exempt form); ``surplus_after_tax``.

**Cash flow**: ``operating_receipts`` = income received (an income line's own receipts line,
role ``receipts:<line>``, where it has one; other income less the change in debtors at
``debtor_days``), ``operating_payments`` = costs less the change in creditors at
``creditor_days``; ``tax_paid`` (in the year it arises: a simplification); loan drawdown,
interest and repayment; ``net_cash_flow``; ``closing_cash`` from ``opening_cash``.

**Reserves**: ``reserves`` = opening reserves (equal to opening cash: the mutual starts with no
debtors, creditors or loans) + cumulative surplus after tax; ``reserves_months`` = reserves over
a month of net operating costs.

**Checks**: ``check_balance`` = cash + debtors - creditors - loan balance - reserves, which is 0
when the statements agree; ``check_cash`` = closing cash - (opening cash + cumulative net cash
flow). Both are rows in the workbook and ``results.checks`` in Python.

**Metrics** (one value per scenario): ``npv_net_cash_flow`` at the case's discount rate
(Excel NPV convention: first year discounted one year), ``irr_net_cash_flow``,
``payback_years`` and ``discounted_payback_years`` of the net cash flow, ``minimum_cash``,
``closing_reserves``, ``surplus_margin`` (surplus after tax over income, all years),
``council_income_share``.

Signs: income, costs and savings are positive amounts; surplus = income - costs.
"""

from __future__ import annotations

import difflib
import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.components.base import (
    BuildContext,
    Component,
)
from mutualfin.components.financing import CaseFinance, Loan
from mutualfin.engine import (
    Entities,
    Evaluation,
    Line,
    Model,
    Timeline,
    cumsum,
    max_,
    min_periods,
    npv_,
    payback_,
    previous,
    sum_,
    sum_periods,
    where,
    within,
    year_fraction,
)
from mutualfin.errors import InputError, ModelError, SolverError

__all__ = ["BusinessCase", "CaseFinance", "Loan", "Results"]

STATEMENTS = "Statements"


def _sum_or_zero(lines: Sequence[Line]) -> Any:
    return sum_(*lines) if lines else 0


# --------------------------------------------------------------------------------------------
class BusinessCase:
    """A business case: components on one timeline, statements, metrics, checks.

    Parameters
    ----------
    timeline : Timeline
    components : sequence of Component
        At most one of each ``key``. A :class:`CaseFinance` is added with defaults if absent.
    name : str
        Title of the case (workbook and summaries).
    entities : Entities, optional
        The roster's employees, for components with per-employee lines.

    Examples
    --------
    See ``tests/test_case.py`` for a case worked entirely by hand.
    """

    def __init__(
        self,
        timeline: Timeline,
        components: Sequence[Component],
        *,
        name: str = "Business case",
        entities: Entities | None = None,
        params: Any = None,
    ):
        if not isinstance(timeline, Timeline):
            raise InputError(f"timeline must be a Timeline, got {type(timeline).__name__}")
        self.timeline = timeline
        self.name = name
        self.entities = entities
        keys: dict[str, Component] = {}
        for comp in components:
            if not isinstance(comp, Component):
                raise InputError(f"components must be Component objects, got {comp!r}")
            if comp.key in keys:
                raise InputError(f"two components have the key {comp.key!r}; combine them into one")
            keys[comp.key] = comp
        if "finance" not in keys:
            keys["finance"] = CaseFinance()
        self.components = keys
        self.finance: CaseFinance = keys["finance"]  # type: ignore[assignment]
        self.contexts: dict[str, BuildContext] = {}
        lines: list[Line] = []
        for comp in keys.values():
            ctx = BuildContext(timeline, comp, entities=entities)
            self.contexts[comp.key] = ctx
            built = comp.build(ctx)
            for ln in built:
                role = getattr(comp, "roles", {}).get(ln.name)
                if role is not None:
                    ln.role = role
            lines.extend(built)
        self.component_lines = lines
        self.metadata: dict[str, str] = {}
        self.source_path = None
        self.checksums: dict[str, str] = {}
        self.statement_lines = self._statements(lines)
        self.model = Model(timeline, [*lines, *self.statement_lines], params=params)

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> BusinessCase:
        """Load a case from a TOML case file (see :mod:`mutualfin.io`)."""
        from mutualfin.case.loader import load_case

        return load_case(path)

    # -- statements --------------------------------------------------------------------------
    def _statements(self, lines: list[Line]) -> list[Line]:
        ctx = BuildContext(self.timeline, self.finance, entities=self.entities)
        self.contexts["finance"] = ctx
        fin = self.finance.inputs
        S = STATEMENTS
        by_role: dict[str, list[Line]] = {}
        receipts_for: dict[str, Line] = {}
        by_name = {ln.name: ln for ln in lines}
        for ln in lines:
            role = ln.role or ""
            if role.startswith("receipts:"):
                target = role.split(":", 1)[1]
                if target not in by_name:
                    raise ModelError(
                        f"line {ln.name!r} is receipts for {target!r}, which no component defines"
                    )
                receipts_for[target] = ln
            elif role:
                by_role.setdefault(role, []).append(ln)
        income_lines = by_role.get("income", []) + by_role.get("council_income", [])
        if not income_lines:
            raise ModelError(
                "the case has no income: add a component whose lines have role 'income' or "
                "'council_income' (e.g. the council contract)"
            )
        has_loan = "loan" in self.components
        out: list[Line] = []

        def add(*items: Line) -> None:
            out.extend(items)

        total_income = Line(
            "total_income", _sum_or_zero(income_lines), sheet=S, label="Total income"
        )
        council_income = Line(
            "council_income",
            _sum_or_zero(by_role.get("council_income", [])),
            sheet=S,
            label="Income from the parent council",
        )
        operating = Line(
            "operating_costs",
            _sum_or_zero(by_role.get("cost", []) + by_role.get("pay", [])),
            sheet=S,
            label="Operating costs",
        )
        savings = Line(
            "savings",
            _sum_or_zero(by_role.get("saving", [])),
            sheet=S,
            label="Savings (absence, turnover...)",
        )
        net_costs = Line(
            "net_operating_costs", operating - savings, sheet=S, label="Net operating costs"
        )
        one_off = Line(
            "one_off_costs",
            _sum_or_zero(by_role.get("one_off", [])),
            sheet=S,
            label="One-off costs (set-up, transfer)",
        )
        interest = by_name["loan_interest"] if has_loan else 0
        before_tax = Line(
            "surplus_before_tax",
            total_income - net_costs - one_off - interest,
            sheet=S,
            label="Surplus (deficit) before tax",
        )
        add(total_income, council_income, operating, savings, net_costs, one_off, before_tax)

        losses_bf = Line(
            "losses_brought_forward",
            previous("losses_carried_forward"),
            kind="balance",
            sheet=S,
            label="Trading losses brought forward",
        )
        taxable = Line(
            "taxable_profit",
            max_(before_tax - losses_bf, 0),
            sheet=S,
            label="Taxable profit after losses brought forward",
        )
        losses_cf = Line(
            "losses_carried_forward",
            max_(losses_bf - before_tax, 0),
            kind="balance",
            sheet=S,
            label="Trading losses carried forward",
        )
        legal = self.components.get("legal_form")
        if fin.tax_exempt:
            ct_expr: Any = taxable * 0
            ct_label = "Corporation tax (exempt: finance.tax_exempt)"
        elif legal is not None and legal.is_charity:  # type: ignore[attr-defined]
            # a charity pays only on the share of trading outside its primary purpose
            ct_expr = legal.corporation_tax(taxable)  # type: ignore[attr-defined]
            ct_label = "Corporation tax (charity: on trading outside its primary purpose only)"
        else:
            from mutualfin.uk.tax import corporation_tax

            ct_expr = corporation_tax(taxable)
            ct_label = "Corporation tax (with marginal relief)"
        tax = Line("corporation_tax", ct_expr, sheet=S, label=ct_label)
        after_tax = Line(
            "surplus_after_tax", before_tax - tax, sheet=S, label="Surplus (deficit) after tax"
        )
        add(losses_bf, taxable, losses_cf, tax, after_tax)

        # cash flow: receipts and working capital
        days = 365 * year_fraction()
        plain_income = [ln for ln in income_lines if ln.name not in receipts_for]
        with_receipts = list(receipts_for.values())
        debtor_days = ctx.input("debtor_days")
        creditor_days = ctx.input("creditor_days")
        other_debtors = Line(
            "debtors_other_income",
            _sum_or_zero(plain_income) / days * debtor_days,
            kind="balance",
            sheet=S,
            label="Debtors on income without its own receipts line (debtor days)",
        )
        owed: list[Line] = []
        for income_name, receipts_line in receipts_for.items():
            income_line = next(ln for ln in income_lines if ln.name == income_name)
            owed_name = f"{income_name}_owed"
            owed.append(
                Line(
                    owed_name,
                    previous(owed_name) + income_line - receipts_line,
                    kind="balance",
                    sheet=S,
                    label=f"{income_line.label}: earned, not yet received",
                )
            )
        debtors = Line(
            "debtors",
            _sum_or_zero([other_debtors, *owed]),
            kind="balance",
            sheet=S,
            label="Debtors (income not yet received)",
        )
        receipts = Line(
            "operating_receipts",
            _sum_or_zero(plain_income)
            - (other_debtors - previous("debtors_other_income"))
            + _sum_or_zero(with_receipts),
            sheet=S,
            label="Cash received from operations",
        )
        creditors = Line(
            "creditors",
            (net_costs + one_off - _sum_or_zero(by_role.get("pay", []))) / days * creditor_days,
            kind="balance",
            sheet=S,
            label="Creditors (costs not yet paid; pay is paid in the month)",
        )
        payments = Line(
            "operating_payments",
            net_costs + one_off - (creditors - previous("creditors")),
            sheet=S,
            label="Cash paid for operations",
        )
        tax_paid = Line(
            "tax_paid", tax + 0, sheet=S, label="Corporation tax paid (in the year it arises)"
        )
        add(other_debtors, *owed, debtors, receipts, creditors, payments, tax_paid)
        financing: Any = 0
        if has_loan:
            financing = (
                by_name["loan_drawdown"] - by_name["loan_repayment"] - by_name["loan_interest"]
            )
        financing_line = Line(
            "financing_cash_flow",
            financing + 0 * total_income,
            sheet=S,
            label="Financing: drawdown less repayment and interest",
        )
        net_cf = Line(
            "net_cash_flow",
            receipts - payments - tax_paid + financing_line,
            sheet=S,
            label="Net cash flow",
        )
        opening_cash = ctx.input("opening_cash")
        cash = Line(
            "closing_cash",
            previous("closing_cash") + net_cf,
            kind="balance",
            opening=opening_cash,
            sheet=S,
            label="Closing cash",
        )
        reserves = Line(
            "reserves",
            previous("reserves") + after_tax,
            kind="balance",
            opening=opening_cash,
            sheet=S,
            label="Reserves (opening cash plus surplus after tax to date)",
        )
        monthly_cost = Line(
            "monthly_operating_cost",
            (net_costs + one_off) / (12 * year_fraction()),
            sheet=S,
            label="Operating cost per month",
            kind="value",
        )
        reserves_months = Line(
            "reserves_months",
            where(monthly_cost > 0, reserves / where(monthly_cost > 0, monthly_cost, 1), 0),
            unit="months",
            kind="value",
            sheet=S,
            label="Reserves in months of operating cost",
        )
        below_target = Line(
            "reserves_below_target",
            reserves_months < ctx.input("reserves_target_months"),
            unit="flag",
            kind="value",
            sheet=S,
            label="1 where reserves are below the target months",
        )
        add(financing_line, net_cf, cash, reserves, monthly_cost, reserves_months, below_target)
        add(
            Line(
                "years_reserves_below_target",
                sum_periods(below_target),
                unit="count",
                kind="metric",
                sheet=S,
                label="Years in which reserves are below the target",
            )
        )

        loan_balance: Any = 0
        if has_loan:
            loan_balance = by_name["loan_balance"]
            service = Line(
                "debt_service",
                by_name["loan_interest"] + by_name["loan_repayment"],
                sheet=S,
                label="Debt service (interest and repayment)",
            )
            cover = Line(
                "debt_service_cover",
                where(  # debt service under a penny counts as none (no overflow)
                    service >= 0.01,
                    (receipts - payments - tax_paid) / where(service >= 0.01, service, 1),
                    0,
                ),
                unit="ratio",
                kind="value",
                sheet=S,
                label="Debt service cover: operating cash flow after tax over debt service "
                "(0 in years without debt service, i.e. under £0.01)",
            )
            add(service, cover)
        check_balance = Line(
            "check_balance",
            cash + debtors - creditors - loan_balance - reserves,
            sheet=S,
            kind="value",
            label="Check: cash + debtors - creditors - loan - reserves = 0",
        )
        check_cash = Line(
            "check_cash",
            cash - opening_cash - cumsum(net_cf),
            sheet=S,
            kind="value",
            label="Check: closing cash - opening cash - cumulative net cash flow = 0",
        )
        add(check_balance, check_cash)

        rate = ctx.input("discount_rate")
        add(
            Line(
                "npv_net_cash_flow",
                npv_(rate, net_cf),
                kind="metric",
                sheet=S,
                label="NPV of net cash flow at the discount rate (first year discounted)",
            ),
            Line(
                "payback_years",
                payback_(net_cf),
                unit="years",
                kind="metric",
                sheet=S,
                label="Payback of net cash flow (years from the start of the first year)",
            ),
            Line(
                "discounted_payback_years",
                payback_(net_cf, rate=rate),
                unit="years",
                kind="metric",
                sheet=S,
                label="Discounted payback (years)",
            ),
            Line(
                "minimum_cash",
                min_periods(cash),
                kind="metric",
                sheet=S,
                label="Lowest closing cash",
            ),
            Line(
                "closing_reserves",
                sum_periods(reserves * _last_flag(self.timeline)),
                kind="metric",
                sheet=S,
                label="Reserves at the end of the last year",
            ),
            Line(
                "total_surplus_after_tax",
                sum_periods(after_tax),
                kind="metric",
                sheet=S,
                label="Surplus after tax, all years",
            ),
            Line(
                "surplus_margin",
                _ratio(sum_periods(after_tax), sum_periods(total_income)),
                unit="fraction",
                kind="metric",
                sheet=S,
                label="Surplus after tax over income, all years (0 without income)",
            ),
            Line(
                "council_income_share",
                _ratio(sum_periods(council_income), sum_periods(total_income)),
                unit="fraction",
                kind="metric",
                sheet=S,
                label="Share of income from the parent council (0 without income)",
            ),
        )
        sections = {
            "Income and expenditure": (
                "total_income",
                "council_income",
                "operating_costs",
                "savings",
                "net_operating_costs",
                "one_off_costs",
                "surplus_before_tax",
                "losses_brought_forward",
                "taxable_profit",
                "losses_carried_forward",
                "corporation_tax",
                "surplus_after_tax",
            ),
            "Cash flow": (
                "debtors_other_income",
                "debtors",
                "operating_receipts",
                "creditors",
                "operating_payments",
                "tax_paid",
                "financing_cash_flow",
                "net_cash_flow",
                "closing_cash",
            ),
            "Reserves": (
                "reserves",
                "monthly_operating_cost",
                "reserves_months",
                "reserves_below_target",
                "years_reserves_below_target",
            ),
            "Debt": ("debt_service", "debt_service_cover"),
            "Checks": ("check_balance", "check_cash"),
        }
        section_of = {name: title for title, names in sections.items() for name in names}
        for ln in out:
            ln.section = section_of.get(ln.name) or (
                "Metrics"
                if ln.kind == "metric"
                else "Cash flow"
                if ln.name.endswith("_owed")
                else None
            )
        return out

    # -- running -------------------------------------------------------------------------------
    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self.model.inputs)

    def run(self, overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Results:
        """Evaluate the case (one scenario, or many with array overrides)."""
        return Results(self, self.model.evaluate(overrides, **kwargs))

    def appraise(self, results: Results | None = None):
        """The commissioner's options appraisal from the case's ``[appraisal]`` inputs
        (:class:`mutualfin.appraisal.CouncilAppraisal`), or None if the case has none."""
        comp = self.components.get("appraisal")
        if comp is None:
            return None
        return comp.appraise(results if results is not None else self.run())  # type: ignore[attr-defined]

    def simulate(self, n: int = 10_000, *, seed: Any = None, **kwargs: Any):
        """Monte Carlo over the inputs' declared uncertainty (:func:`mutualfin.risk.simulate`)."""
        from mutualfin.analysis.risk import simulate

        return simulate(self, n, seed=seed, **kwargs)

    def tornado(self, metric: str = "npv_net_cash_flow", **kwargs: Any):
        """One-at-a-time sensitivity, ranked (:func:`mutualfin.risk.tornado`)."""
        from mutualfin.analysis.risk import tornado

        return tornado(self, metric=metric, **kwargs)

    def break_even(
        self,
        input_name: str = "contract.annual_value",
        *,
        metric: str = "minimum_cash",
        target: float | None = None,
        low: float | None = None,
        high: float | None = None,
        tolerance: float | None = None,
    ) -> float:
        """The value of ``input_name`` at which ``metric`` just reaches ``target``.

        If the metric rises with the input (a contract value), this is the LOWEST value that
        keeps the metric at or above the target; if it falls (an efficiency cut), the HIGHEST.
        By default the target is the case's cash floor and the metric the lowest closing cash:
        ``case.break_even("contract.annual_value")`` is the lowest contract value that keeps
        cash at or above the floor; ``case.break_even("contract.efficiency_target")`` the
        largest efficiency cut the mutual can absorb. Solved by vectorised bisection (64
        candidates a round) to ``tolerance`` (half a pound for money, 1e-7 otherwise); a
        bracket [low, high] in which the metric does not cross the target is refused.
        """
        if input_name not in self.model.inputs:
            close = difflib.get_close_matches(input_name, list(self.model.inputs), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"break_even: {input_name!r} is not an input of the case{hint}")
        inp = self.model.inputs[input_name]
        if inp.kind != "scalar":
            raise InputError(f"break_even: {input_name!r} varies by period; give a scalar input")
        if target is None:
            target = float(self.finance.inputs.cash_floor)
        base = float(inp.value)
        bounded = inp.unit == "fraction"
        lo = float(low if low is not None else (0.0 if base >= 0 or bounded else base * 4))
        hi = float(high if high is not None else (1.0 if bounded else max(base * 4, 1.0)))
        tol = tolerance if tolerance is not None else (0.5 if inp.unit == "GBP" else 1e-7)

        def metric_at(values: np.ndarray) -> np.ndarray:
            ev = self.model.evaluate({input_name: values}, keep=[metric])
            return np.asarray(ev.array(metric), dtype=float)

        ends = metric_at(np.array([lo, hi]))
        rising = ends[0] < target <= ends[1]
        falling = ends[0] >= target > ends[1]
        if not (rising or falling):
            raise SolverError(
                f"break_even: {metric} is {ends[0]:,.2f} at {input_name} = {lo:,.4g} and "
                f"{ends[1]:,.2f} at {hi:,.4g}; the target {target:,.2f} is not between them. "
                "Widen low/high"
            )
        for _ in range(200):
            if hi - lo <= tol:
                break
            grid = np.linspace(lo, hi, 66)[1:-1]
            ok = metric_at(grid) >= target
            if rising:  # feasible above the boundary: find the first feasible grid point
                k = int(np.argmax(ok)) if ok.any() else len(grid)
                lo, hi = (
                    (float(grid[k - 1]) if k > 0 else lo),
                    (float(grid[k]) if k < len(grid) else hi),
                )
            else:  # feasible below the boundary: find the last feasible grid point
                k = len(ok) - 1 - int(np.argmax(ok[::-1])) if ok.any() else -1
                lo, hi = (
                    (float(grid[k]) if k >= 0 else lo),
                    (float(grid[k + 1]) if k + 1 < len(grid) else hi),
                )
        return hi if rising else lo

    def to_frame(self) -> pd.DataFrame:
        """Every scalar input of the case: name, value, unit, label, source."""
        rows = []
        for name, inp in self.model.inputs.items():
            value = inp.value.tolist() if inp.value.ndim else float(inp.value)
            rows.append(
                {
                    "name": name,
                    "value": value,
                    "unit": inp.unit,
                    "label": inp.label,
                    "source": inp.source,
                }
            )
        return pd.DataFrame(rows).set_index("name")

    def __repr__(self) -> str:
        return (
            f"BusinessCase({self.name!r}, {len(self.components)} components, "
            f"{len(self.model.lines)} lines, {self.timeline!r})"
        )


def _ratio(num: Any, den: Any) -> Any:
    """num / den, or 0 where den is 0 (IF in Excel, so no #DIV/0!)."""
    return where(den.ne(0), num / where(den.ne(0), den, 1), 0)


def _last_flag(timeline: Timeline) -> Any:
    return within(timeline.starts[-1], timeline.ends[-1])


# --------------------------------------------------------------------------------------------
STATEMENT_ORDER = {
    "Income and expenditure": [
        "total_income",
        "council_income",
        "operating_costs",
        "savings",
        "net_operating_costs",
        "one_off_costs",
        "loan_interest",
        "surplus_before_tax",
        "losses_brought_forward",
        "taxable_profit",
        "corporation_tax",
        "surplus_after_tax",
        "losses_carried_forward",
    ],
    "Cash flow": [
        "operating_receipts",
        "operating_payments",
        "tax_paid",
        "financing_cash_flow",
        "net_cash_flow",
        "closing_cash",
    ],
    "Reserves": ["reserves", "reserves_months", "debtors", "creditors", "loan_balance"],
}
METRICS = [
    "npv_net_cash_flow",
    "payback_years",
    "discounted_payback_years",
    "minimum_cash",
    "closing_reserves",
    "years_reserves_below_target",
    "total_surplus_after_tax",
    "surplus_margin",
    "council_income_share",
]


@dataclass
class Results:
    """What a case run gives: lines, statements, metrics and checks, as pandas objects."""

    case: BusinessCase
    evaluation: Evaluation

    @property
    def lines(self) -> pd.DataFrame:
        """Every line by period (scenario 0), one row per line."""
        return self.evaluation.to_frame().T

    def __getitem__(self, name: str):
        return self.evaluation[name]

    @property
    def statements(self) -> dict[str, pd.DataFrame]:
        """Income and expenditure, cash flow and reserves, periods as columns."""
        frame = self.evaluation.to_frame().T
        out = {}
        for title, names in STATEMENT_ORDER.items():
            present = [n for n in names if n in frame.index]
            table = frame.loc[present].copy()
            table.index = [self.case.model.lines[n].label for n in present]
            table.index.name = title
            out[title] = table
        return out

    @property
    def metrics(self) -> pd.Series:
        """Headline metrics (scenario 0), with the period of lowest cash."""
        ev = self.evaluation
        values = {n: ev.array(n)[0] for n in METRICS if n in ev.values}
        from mutualfin.core.cashflow import irr

        found = irr(ev.array("net_cash_flow")[0], full_output=True)
        values["irr_net_cash_flow"] = float(found.irr) if bool(found.converged) else None
        values["npv_green_book_real"] = self.npv_green_book_real()
        if "debt_service" in ev.values:
            service = ev.array("debt_service")[0]
            cover = ev.array("debt_service_cover")[0]
            values["minimum_debt_service_cover"] = (
                float(cover[service >= 0.01].min()) if (service >= 0.01).any() else None
            )
        cash = ev.array("closing_cash")[0]
        values["minimum_cash_period"] = self.case.timeline.labels[int(np.argmin(cash))]
        return pd.Series(values, name=self.case.name, dtype=object)

    def npv_green_book_real(self, deflator_forecast: float = 0.02) -> float | None:
        """NPV of the net cash flow in real terms of the first year's prices (GDP deflator,
        extended at ``deflator_forecast`` beyond its data), discounted with the Green Book
        schedule, year 0 undiscounted: the appraisal view of the mutual's own cash flow.
        None for a monthly timeline."""
        from mutualfin.analysis.appraisal import deflator_index
        from mutualfin.uk.greenbook import green_book_discount_factors

        tl = self.case.timeline
        if tl.freq != "annual":
            return None
        years = [int(y) for y in tl.financial_years]
        index = deflator_index(years, deflator_forecast)
        real = self.evaluation.array("net_cash_flow")[0] * (index[years[0]] / index.to_numpy())
        return float(np.sum(real * green_book_discount_factors(tl.n)))

    @property
    def checks(self) -> pd.DataFrame:
        """Each check's largest absolute difference over periods and scenarios, and OK."""
        rows = []
        for name in ("check_balance", "check_cash"):
            diff = float(np.max(np.abs(self.evaluation.array(name))))
            rows.append(
                {
                    "check": name,
                    "label": self.case.model.lines[name].label,
                    "largest_difference": diff,
                    "ok": diff < 0.005,
                }
            )
        return pd.DataFrame(rows).set_index("check")

    def to_excel(
        self,
        path: str | os.PathLike,
        *,
        overwrite: bool = False,
        appraisal: Any = None,
        risk: Mapping[str, pd.DataFrame] | None = None,
        store_values: bool = False,
        created: Any = None,
        **cover: Any,
    ):
        """Write the business-case workbook (cover, contents, summary, inputs, parameters,
        model sheets, statements, appraisal, risk, checks) with live formulas.

        ``cover`` fields: title, organisation, author, version, status, date, marking
        (defaults from the case file's [case] table). ``appraisal``: an
        :class:`~mutualfin.appraisal.Appraisal`; ``risk``: tables of values for the Risk sheet;
        ``store_values``: save LibreOffice's recalculated file, so previews show figures.
        ``created``: a datetime fixing the workbook's timestamps, so the same case gives a
        byte-identical file.
        Returns the path. The file appears complete or not at all; an existing file is
        replaced only with ``overwrite=True``.
        """
        from mutualfin.workbook.case_workbook import Cover, write_case_workbook

        meta = dict(self.case.metadata)
        fields = {"title": meta.get("name", self.case.name)}
        for key in ("organisation", "author", "version", "status"):
            if key in meta:
                fields[key] = meta[key]
        unknown = set(cover) - set(Cover.__dataclass_fields__)
        if unknown:
            raise InputError(
                f"to_excel: unknown cover field {sorted(unknown)[0]!r}; allowed: "
                f"{', '.join(Cover.__dataclass_fields__)}"
            )
        fields.update(cover)
        return write_case_workbook(
            self,
            path,
            overwrite=overwrite,
            cover=Cover(**fields),
            appraisal=appraisal,
            risk=risk,
            store_values=store_values,
            created=created,
        )

    def verify(self, path: str | os.PathLike, **kwargs: Any):
        """Recalculate a workbook written by :meth:`to_excel` and compare every formula cell
        (lines, summary links, checks) with these results."""
        from mutualfin.workbook.case_workbook import verify_case

        return verify_case(path, self, **kwargs)

    def _repr_html_(self) -> str:
        m = self.metrics
        items = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(_fmt(k, v))}</td></tr>"
            for k, v in m.items()
        )
        ie = self.statements["Income and expenditure"]
        return f"<h4>{html.escape(self.case.name)}</h4><table>{items}</table>" + ie.to_html(
            float_format=lambda x: f"{x:,.0f}"
        )

    def __repr__(self) -> str:
        return f"Results({self.case.name!r}, {self.evaluation!r})"


def format_money(value: Any) -> str:
    """£1,234 or -£1,234 (whole pounds); n/a for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"£{value:,.0f}" if value >= 0 else f"-£{-value:,.0f}"


def _fmt(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "never" if "payback" in name else "n/a"
    if "cover" in name:
        return f"{value:.2f}x"
    if name in ("surplus_margin", "council_income_share", "irr_net_cash_flow"):
        return f"{value:.1%}"
    if "payback" in name:
        return f"{value:.1f} years"
    if name.startswith("years_"):
        return f"{value:.0f} of the case's years"
    return format_money(value)
