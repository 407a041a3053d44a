"""The statement list: every line of the business case's statements, declared once.

Each :class:`Statement` says what a line is called, its unit, the section of the Statements
sheet it sits in, where it goes in the statement tables, whether the summary shows it, and
what it is: a sum of the component lines with given **roles** (``adds``/``subtracts``, as
policyengine declares its totals), or a formula over other statement lines. Everything that
shows the statements reads this list: :class:`~mutualfin.case.business_case.BusinessCase`
builds the lines from it, and the Statements and Summary sheets, the statement tables, the
command line, the charts and the formatting of metrics take their labels, units and order
from it. Adding a statement line means adding it here (and, if it sums a new role, making a
component give a line that role); nothing else.

**Roles** (:data:`ROLES`) are how component lines reach the statements: a component maps its
line names to roles (``Contract.roles = {"contract_income": "council_income"}``). A role that
is not in :data:`ROLES`, or a role given to a line the component did not build, is an error
naming the component and the line, so a renamed line never drops silently out of a total.

Signs: income, costs and savings are positive amounts; surplus = income - costs.

Rules the statements follow: trading losses are carried forward against later profits
(Corporation Tax Act 2010 ss.45-45A; the £5m deduction allowance of s.269ZB is not modelled);
corporation tax is due nine months and a day after the year ends (Taxes Management Act 1970
s.59D), and a large company pays quarterly instalments, half of the year's tax within it
(Corporation Tax (Instalment Payments) Regulations 1998, SI 1998/3175, reg.5).

**Months.** On a timeline with months (see :class:`~mutualfin.engine.Timeline`) the same
list gives the statements month by month, with the rules that only months can show:
corporation tax charged on the year's profit in the year's last month and paid on its due
dates, costs paid the month after (a component's ``payments:<cost line>``), a
working-capital facility drawn when cash would fall below the floor. A statement's
``monthly`` formula replaces its ``formula`` there, and ``mode`` keeps a line to one kind of
timeline. Every statement then also has a line **by financial year**, ``<name>_annual`` on
the sheet "Statements by year": flows summed over each year's months, balances at its close,
and ratios worked out again on the yearly figures (their formula over the yearly lines), all
live in the workbook (``SUMIF`` by the Timeline's year start dates). The metrics (NPV, IRR,
payback...) are worked on those yearly lines, as on an annual timeline, except those marked
``by_period`` (the lowest cash, found in the month it happens).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mutualfin.components.legal_form import legal_form_of
from mutualfin.engine import (
    Line,
    cumsum,
    if_missing,
    in_month,
    irr_,
    max_,
    max_periods,
    min_periods,
    npv_,
    only_if,
    param,
    payback_,
    period_start,
    previous,
    ref,
    sum_,
    sum_periods,
    where,
    within,
    year_end,
    year_fraction,
    year_start,
)
from mutualfin.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase

__all__ = [
    "ANNUAL_SHEET",
    "CHECK_TOLERANCE",
    "DERIVED",
    "HEADLINE_NPV",
    "ROLES",
    "SECTIONS",
    "STATEMENTS",
    "STATEMENT_SHEET",
    "Statement",
    "annual_name",
    "check_role",
    "statement",
]

#: the sheet every statement line is written to
STATEMENT_SHEET = "Statements"
#: the sheet of the statements by financial year, on a timeline with months
ANNUAL_SHEET = "Statements by year"


def annual_name(name: str) -> str:
    """The name of a statement's line by financial year: ``closing_cash_annual``."""
    return f"{name}_annual"


#: the headline NPV: what sensitivity, Monte Carlo and charts show unless told otherwise
HEADLINE_NPV = "npv_before_financing"

#: a check passes when the sum of its absolute differences over all periods is below this
#: (in pounds): the same test in Python (``results.checks``) and in the workbook's Checks sheet
CHECK_TOLERANCE = 0.01

#: closing cash within this of the lowest (in pounds, half a penny) counts as the lowest: the
#: period of the lowest cash is the first such period, in Python and in the workbook alike (a
#: facility holds cash at the floor for months, where two engines can differ in the last
#: binary digit and so pick different months)
TROUGH_TIE = 0.005

#: closing cash is below the cash floor only when it is at least this far below (in pounds,
#: half a penny): a facility drawn to hold cash at the floor leaves it a few 1e-12 either side
#: of it, which is not a shortfall (the Summary's statuses, the Monte Carlo's chance of cash
#: below the floor and the findings apply the same test)
FLOOR_TOLERANCE = 0.005


def below_floor(cash: Any, floor: float) -> Any:
    """Whether ``cash`` (a number or an array) is below ``floor`` by half a penny or more
    (:data:`FLOOR_TOLERANCE`): the one test of a shortfall, in Python and, as
    ``cash<floor-0.005``, in the workbook."""
    return cash < floor - FLOOR_TOLERANCE


#: what a component line can be in the statements
ROLES: dict[str, str] = {
    "income": "income earned by the mutual (counted in total income)",
    "council_income": "income from the parent council's contract (counted in total income "
    "and in the council's share of it)",
    "cost": "an operating cost, paid after the case's creditor days",
    "pay": "an operating cost paid in the month it is incurred, so never a creditor (pay)",
    "saving": "a cashable saving that reduces operating costs",
    "one_off": "a one-off cost (set-up, transfer), expensed when incurred",
    "interest": "interest on borrowing, a finance cost paid when due",
    "drawdown": "cash borrowed",
    "repayment": "borrowing repaid",
    "debt": "borrowing outstanding at the period end (a balance)",
    "receipts:<income line>": "the cash received for an income line, replacing it in the "
    "cash flow (the difference is owed to the mutual)",
    "payments:<cost line>": "the cash paid for a cost line (pay in the month, on-costs the "
    "month after), replacing it in the cash flow (the difference is owed by the mutual)",
    "facility_drawdown": "cash drawn on a working-capital facility (when cash would fall "
    "below the floor)",
    "facility_repayment": "working-capital facility repaid (from cash above the floor)",
    "vat_cash": "VAT cash: output VAT received with income, less VAT paid on inputs the "
    "mutual recovers and the net paid to HMRC with its returns (never income or cost)",
    "vat_receivable": "VAT billed on income, not yet received (a balance owed to the mutual)",
    "vat_payable": "VAT owed to HMRC, not yet paid with a return (a balance)",
    "distribution": "profit paid out to the council or a partner (a profit share, a "
    "dividend): an appropriation of the surplus, paid in cash",
    "council_cost": "a cost the council bears, not the mutual (staff it keeps, a pension "
    "top-up or exit payment under pass-through): never in the mutual's surplus or cash; the "
    "commissioner's appraisal counts it",
    "non_cashable": "a benefit that is not cash (time regained from lower absence, output not "
    "lost to turnover): never in the mutual's surplus or cash; the commissioner's appraisal "
    "reports it",
}

#: the sections of the Statements sheet, in order (headings above their first line)
SECTIONS = (
    "Income and expenditure",
    "Cash flow",
    "Reserves",
    "Debt",
    "Not the mutual's cash",
    "Checks",
    "Metrics",
)


def check_role(role: str, component: str, line: str) -> str:
    """``role`` if it is a known role, else a ModelError naming the component and line."""
    if role in ROLES:
        return role
    for prefix in ("receipts:", "payments:"):
        if isinstance(role, str) and role.startswith(prefix) and role != prefix:
            return role
    known = ", ".join(r for r in ROLES if not r.startswith(("receipts", "payments")))
    raise ModelError(
        f"{component}: line {line!r} has role {role!r}, which the statements do not know; "
        f"use one of {known}, 'receipts:<income line>' or 'payments:<cost line>'"
    )


@dataclass(frozen=True)
class Statement:
    """One line of the statements, declared once.

    Parameters
    ----------
    name : str
        The line's name ("closing_cash").
    label : str
        What the Statements sheet calls it.
    section : str
        Its section of the Statements sheet (one of :data:`SECTIONS`).
    unit : str
        "GBP", "fraction", "months", "years", "count", "ratio" or "flag": it decides how the
        figure is formatted everywhere.
    kind : str
        "flow" (summed over periods), "balance" (closing value), "value" or "metric" (one
        figure per scenario).
    adds, subtracts : tuple of str
        Roles (see :data:`ROLES`) or other statement lines whose sum (less the second sum)
        the line is. Ignored when ``formula`` is given.
    formula : callable, optional
        ``formula(builder) -> expression`` for a line that is not a plain sum.
    table : str or None
        The statement table (``results.statements``, the command line) that shows the line:
        by default its section; None for working lines shown only on the sheet.
    summary : str or None
        The label the summary (workbook Summary sheet, headline metrics) gives it, or None if
        the summary does not show it.
    when : callable, optional
        ``when(builder) -> bool``: the line exists only in cases where this holds (the debt
        lines only with borrowing); for a derived figure, ``when(results)``.
    opening : str, optional
        The finance input whose value the balance opens at (``opening_cash``).
    derive : callable, optional
        For a figure that is not a line of the model but derived from the results
        (``derive(results) -> value``): the period of the lowest cash, say. Such a figure is
        a "derived" metric, shown in ``results.metrics`` but not written as a formula.
    missing : str
        How a figure missing by design (NaN) reads: "never" for a payback that never comes.
    monthly : callable, optional
        The formula on a timeline with months, where it differs (corporation tax on the
        year's profit in the year's last month).
    mode : {"both", "annual", "months"}
        The timelines the line exists on: both, only financial years, only with months.
    annual_view : bool
        On a timeline with months, whether the line has a line by financial year.
    by_period : bool
        A metric worked on the periods even on a timeline with months (the lowest cash, in
        the month it happens); other metrics are worked on the lines by financial year.
    """

    name: str
    label: str
    section: str
    unit: str = "GBP"
    kind: str = "flow"
    adds: tuple[str, ...] = ()
    subtracts: tuple[str, ...] = ()
    formula: Callable[[StatementBuilder], Any] | None = None
    table: str | None = ""
    summary: str | None = None
    when: Callable[[StatementBuilder], bool] | None = None
    opening: str | None = None
    derive: Callable[[Any], Any] | None = None
    missing: str = "n/a"
    monthly: Callable[[StatementBuilder], Any] | None = None
    mode: str = "both"
    annual_view: bool = True
    by_period: bool = False

    def applies(self, months: bool) -> bool:
        """Whether the line exists on a timeline with months (or on financial years)."""
        return self.mode == "both" or self.mode == ("months" if months else "annual")

    @property
    def statement_table(self) -> str | None:
        return self.section if self.table == "" else self.table

    @property
    def short(self) -> str:
        """The summary's label, or the sheet's."""
        return self.summary or self.label


class StatementBuilder:
    """What a statement's formula sees: lines by role, other statement lines, the case's
    finance inputs and its timeline."""

    def __init__(self, case: BusinessCase, component_lines: Sequence[Line], roles: Mapping):
        self.case = case
        self.timeline = case.timeline
        #: the timeline has months: the statements' monthly formulas apply
        self.months = case.timeline.freq != "annual"
        #: the builder of the lines by financial year (see :meth:`yearly`), or None
        self.yearly_of: StatementBuilder | None = None
        self._by_role: dict[str, list[Line]] = {}
        self._roles = dict(roles)
        self._receipts: dict[str, Line] = {}
        self._payments: dict[str, Line] = {}
        self._lines: dict[str, Line] = {ln.name: ln for ln in component_lines}
        for line in component_lines:
            role = roles.get(line.name)
            if role is None:
                continue
            if role.startswith(("receipts:", "payments:")):
                kind, target = role.split(":", 1)
                if target not in self._lines:
                    what = "receipts" if kind == "receipts" else "payments"
                    raise ModelError(
                        f"line {line.name!r} is {what} for {target!r}, which no component defines"
                    )
                if kind == "payments" and roles.get(target) not in ("cost", "pay", "one_off"):
                    raise ModelError(
                        f"line {line.name!r} is payments for {target!r}, which is not a cost "
                        f"(its role is {roles.get(target)!r}); payments are for cost, pay or "
                        "one_off lines"
                    )
                (self._receipts if kind == "receipts" else self._payments)[target] = line
            else:
                self._by_role.setdefault(role, []).append(line)
        self._ctx = case.contexts["finance"]
        self.extra: list[Line] = []  # lines a formula makes beside its own (e.g. owed)
        self._annual: dict[str, Line] | None = None  # set on the yearly builder
        #: names of the statement lines built (the case's, of those that apply)
        self.built: set[str] = set()

    def yearly(self) -> StatementBuilder:
        """A builder whose statement lines are the lines by financial year: ``b["reserves"]``
        is ``reserves_annual``, so a ratio's formula gives its yearly value."""
        out = object.__new__(StatementBuilder)
        out.__dict__.update(self.__dict__)
        out._annual = {}
        out.extra = []
        out.built = set()
        self.yearly_of = out
        return out

    @property
    def is_yearly(self) -> bool:
        return self._annual is not None

    def name(self, statement_name: str) -> str:
        """A statement line's name as this builder's formulas see it (``x_annual`` by year)."""
        return annual_name(statement_name) if self.is_yearly else statement_name

    # -- what formulas use --------------------------------------------------------------------
    def lines(self, *roles: str) -> list[Line]:
        return [ln for r in roles for ln in self._by_role.get(r, [])]

    def has(self, role: str) -> bool:
        return bool(self._by_role.get(role))

    def role(self, *roles: str) -> Any:
        """The sum of the lines with these roles (0 if there are none)."""
        found = self.lines(*roles)
        return sum_(*found) if found else 0

    def __getitem__(self, name: str) -> Line:
        if self._annual is not None:
            found = self._annual.get(name)
            if found is None:
                raise ModelError(
                    f"statement line {name!r} has no line by financial year; a yearly formula "
                    "can use only statement lines with one"
                )  # pragma: no cover - a statement list error
            return found
        return self._lines[name]

    def __contains__(self, name: str) -> bool:
        if self._annual is not None:
            return name in self._annual
        return name in self._lines

    def input(self, name: str):
        """A finance input (``finance.<name>``) as a model input."""
        return self._ctx.input(name)

    @property
    def receipts(self) -> dict[str, Line]:
        """Income line name -> the line of cash received for it."""
        return dict(self._receipts)

    @property
    def payments(self) -> dict[str, Line]:
        """Cost line name -> the line of cash paid for it (on a timeline with months)."""
        return dict(self._payments)

    def add(self, line: Line, statement_name: str | None = None) -> Line:
        if self._annual is not None:
            self._annual[statement_name or line.name] = line
            self._lines[line.name] = line
            return line
        self._lines[line.name] = line
        return line

    def sum_of(self, names: Sequence[str]) -> Any:
        """Sum of the roles and statement lines named in ``names`` (0 if none)."""
        parts: list[Any] = []
        for n in names:
            if n in ROLES:
                parts.extend(self.lines(n))
            elif n in self or statement(n) is None:
                parts.append(self[n])
            # else: a statement line this case does not have (the facility's, say): nothing
        return sum_(*parts) if parts else 0

    def expression(self, s: Statement) -> Any:
        """The definition of statement ``s``: its formula (its monthly one on a timeline with
        months), or adds less subtracts."""
        if self.months and s.monthly is not None and not self.is_yearly:
            return s.monthly(self)
        if s.formula is not None:
            return s.formula(self)
        pos, neg = self.sum_of(s.adds), self.sum_of(s.subtracts)
        if isinstance(neg, int):
            return pos
        if isinstance(pos, int):
            return -neg
        return pos - neg


# --------------------------------------------------------------------------------------------
# formulas that are not plain sums
# --------------------------------------------------------------------------------------------
def _ratio(num: Any, den: Any) -> Any:
    """num / den, or 0 where den is 0 (IF in Excel, so no #DIV/0!)."""
    return where(den.ne(0), num / where(den.ne(0), den, 1), 0)


def _days(b: StatementBuilder) -> Any:
    return 365 * year_fraction()


def _plain_income(b: StatementBuilder) -> list[Line]:
    return [ln for ln in b.lines("income", "council_income") if ln.name not in b.receipts]


def _corporation_tax(b: StatementBuilder) -> Any:
    """On the taxable profit, for the case's legal form: a charity only on the share of its
    trading outside its primary purpose (CTA 2010 ss.478-479), with marginal relief. On a
    timeline with months the taxable profit is the year's, in the year's last month, so the
    limits are a whole year's."""
    legal = legal_form_of(b._ctx)
    if legal.is_charity and legal.taxable_share == 0:
        return 0
    return legal.corporation_tax(b["taxable_profit"], whole_year=b.months)


def _year_to_date(name: str) -> Callable[[StatementBuilder], Any]:
    """A statement line's running total within each financial year."""
    return lambda b: b[name] + previous(f"{name}_to_date") * (1 - year_start())


def _carried(name: str, source: str) -> Callable[[StatementBuilder], Any]:
    """Last financial year's value of a line booked at the year end, held through the year:
    at a year's start the previous period's (the last year's end), else last period's."""
    return lambda b: where(year_start(), previous(source), previous(name))


def _creditor_days_base(b: StatementBuilder) -> Any:
    """Costs paid after the creditor days: operating and one-off costs, less pay (paid in the
    month) and less costs with their own payments line."""
    base = b["net_operating_costs"] + b["one_off_costs"] - b.role("pay")
    own = [
        b[target]
        for target in b.payments
        if b._roles.get(target) in ("cost", "one_off")  # pay is already out
    ]
    return base - sum_(*own) if own else base


def _payments_owed(b: StatementBuilder) -> list[Line]:
    """One balance per cost line with its own payments line: incurred, not yet paid."""
    out = []
    for cost_name, paid in b.payments.items():
        cost = b[cost_name]
        owed_name = f"{cost_name}_unpaid"
        out.append(
            b.add(
                Line(
                    owed_name,
                    previous(owed_name) + cost - paid,
                    kind="balance",
                    sheet=STATEMENT_SHEET,
                    label=f"{cost.label}: incurred, not yet paid",
                    section="Cash flow",
                )
            )
        )
    return out


def _creditors(b: StatementBuilder) -> Any:
    days = _creditor_days_base(b) / _days(b) * b.input("creditor_days")
    owed = _payments_owed(b)
    b.extra.extend(owed)
    return sum_(days, *owed) if owed else days


def _tax_large(b: StatementBuilder) -> Any:
    """1 at a year end whose taxable profit is over the instalment threshold (a large company
    for the Corporation Tax (Instalment Payments) Regulations 1998, reg.3)."""
    return year_end() * (b["taxable_profit"] > param("ct.instalment_threshold"))


def _tax_instalments(b: StatementBuilder) -> Any:
    """Instalments 1 and 2 of a large company (months 7 and 10 of the year: 14 October, 14
    January; reg.5): a quarter each of last year's tax when last year was large too (reg.3:
    none in a first large year). The year's own tax is known only at its end, so last year's
    stands as the estimate (the rest is paid in months 13 and 16)."""
    due = in_month(10) + in_month(1)
    return due * b["tax_large_last_year"] * b["tax_of_last_year"] / 4


def _tax_balance_paid(b: StatementBuilder) -> Any:
    """Last year's tax less the instalments paid in it: in months 13 and 16 (14 April and 14
    July, half each) where last year was an instalment year (large, after a large year:
    reg.3), else on its due date nine months and a day after the year end (1 January; TMA
    1970 s.59D), a repayment where the instalments paid more."""
    rest = b["tax_of_last_year"] - b["tax_instalments_last_year"]
    due = b["tax_instalment_year_last_year"]
    return rest * (due * (in_month(4) + in_month(7)) / 2 + (1 - due) * in_month(1))


def _trough_date(b: StatementBuilder) -> Any:
    """The first day of the first period whose closing cash is the lowest (within
    :data:`TROUGH_TIE`): working rows that find it (1 from that period on, and 1 in it
    alone), as a date serial."""
    reached = Line(
        "cash_trough_reached",
        max_(
            previous("cash_trough_reached"),
            b["closing_cash"] <= b["minimum_cash"] + TROUGH_TIE,
        ),
        unit="flag",
        kind="value",
        sheet=STATEMENT_SHEET,
        label="1 from the period of the lowest closing cash on",
        section="Metrics",
    )
    first = Line(
        "cash_trough",
        reached - previous(reached),
        unit="flag",
        kind="value",
        sheet=STATEMENT_SHEET,
        label="1 in the period of the lowest closing cash (the first, if it recurs)",
        section="Metrics",
    )
    b.extra.extend([reached, first])
    return sum_periods(first * period_start())


def _facility(b: StatementBuilder) -> bool:
    return b.has("facility_drawdown")


def _corporation_tax_label(b: StatementBuilder) -> str:
    legal = legal_form_of(b._ctx)
    if legal.is_charity:
        return f"Corporation tax ({legal.name}: on trading outside its primary purpose only)"
    return "Corporation tax (with marginal relief)"


def _owed_lines(b: StatementBuilder) -> list[Line]:
    """One balance per income line with its own receipts line: earned, not yet received."""
    out = []
    for income_name, receipts_line in b.receipts.items():
        income_line = b[income_name]
        owed_name = f"{income_name}_owed"
        out.append(
            b.add(
                Line(
                    owed_name,
                    previous(owed_name) + income_line - receipts_line,
                    kind="balance",
                    sheet=STATEMENT_SHEET,
                    label=f"{income_line.label}: earned, not yet received",
                    section="Cash flow",
                )
            )
        )
    return out


def _debtors(b: StatementBuilder) -> Any:
    owed = _owed_lines(b)
    b.extra.extend(owed)
    return sum_(b["debtors_other_income"], *owed)


def _last_flag(b: StatementBuilder) -> Any:
    tl = b.timeline
    return within(tl.starts[-1], tl.ends[-1])


def _flows(name: str) -> Callable[[StatementBuilder], Any]:
    return lambda b: b[name]


def _has(role: str) -> Callable[[StatementBuilder], bool]:
    return lambda b: b.has(role)


# --------------------------------------------------------------------------------------------
# the list
# --------------------------------------------------------------------------------------------
IE, CF, RES, DEBT, MEMO, CHK, MET = SECTIONS

STATEMENTS: tuple[Statement, ...] = (
    # -- income and expenditure ------------------------------------------------------------------
    Statement(
        "total_income",
        "Total income",
        IE,
        adds=("income", "council_income"),
        summary="Total income",
    ),
    Statement("council_income", "Income from the parent council", IE, adds=("council_income",)),
    Statement("operating_costs", "Operating costs", IE, adds=("cost", "pay")),
    Statement("savings", "Savings (absence, turnover...)", IE, adds=("saving",)),
    Statement(
        "net_operating_costs",
        "Net operating costs",
        IE,
        adds=("operating_costs",),
        subtracts=("savings",),
        summary="Net operating costs",
    ),
    Statement(
        "one_off_costs",
        "One-off costs (set-up, transfer)",
        IE,
        adds=("one_off",),
        summary="One-off costs",
    ),
    Statement(
        "finance_costs",
        "Finance costs (interest on borrowing)",
        IE,
        adds=("interest",),
        summary="Interest on borrowing",
        when=_has("interest"),
    ),
    Statement(
        "surplus_before_tax",
        "Surplus (deficit) before tax",
        IE,
        adds=("total_income",),
        subtracts=("net_operating_costs", "one_off_costs", "interest"),
    ),
    Statement(
        "surplus_before_tax_to_date",
        "Surplus (deficit) before tax in the financial year to date",
        IE,
        kind="balance",
        formula=_year_to_date("surplus_before_tax"),
        mode="months",
        annual_view=False,
        table=None,
    ),
    Statement(
        "losses_brought_forward",
        "Trading losses brought forward",
        IE,
        kind="balance",
        formula=lambda b: previous("losses_carried_forward"),
    ),
    Statement(
        "taxable_profit",
        "Taxable profit after losses brought forward",
        IE,
        formula=lambda b: max_(b["surplus_before_tax"] - b["losses_brought_forward"], 0),
        monthly=lambda b: (
            year_end() * max_(b["surplus_before_tax_to_date"] - b["losses_brought_forward"], 0)
        ),
    ),
    Statement(
        "losses_carried_forward",
        "Trading losses carried forward",
        IE,
        kind="balance",
        formula=lambda b: max_(b["losses_brought_forward"] - b["surplus_before_tax"], 0),
        monthly=lambda b: where(
            year_end(),
            max_(b["losses_brought_forward"] - b["surplus_before_tax_to_date"], 0),
            b["losses_brought_forward"],
        ),
    ),
    Statement(
        "corporation_tax",
        "Corporation tax",
        IE,
        formula=_corporation_tax,
        summary="Corporation tax",
    ),
    Statement(
        "surplus_after_tax",
        "Surplus (deficit) after tax",
        IE,
        adds=("surplus_before_tax",),
        subtracts=("corporation_tax",),
        summary="Surplus (deficit) after tax",
    ),
    Statement(
        "surplus_after_tax_to_date",
        "Surplus (deficit) after tax in the financial year to date",
        IE,
        kind="balance",
        formula=_year_to_date("surplus_after_tax"),
        mode="months",
        annual_view=False,
        table=None,
        when=_has("distribution"),
    ),
    Statement(
        "distributions",
        "Profit share and dividends paid (to the council and any partner)",
        IE,
        adds=("distribution",),
        summary="Profit share and dividends paid",
        when=_has("distribution"),
    ),
    # -- cash flow ---------------------------------------------------------------------------
    Statement(
        "debtors_other_income",
        "Debtors on income without its own receipts line (debtor days)",
        CF,
        kind="balance",
        formula=lambda b: (
            sum_(*_plain_income(b)) / _days(b) * b.input("debtor_days") if _plain_income(b) else 0
        ),
        table=None,
    ),
    Statement(
        "debtors",
        "Debtors (income not yet received)",
        CF,
        kind="balance",
        formula=_debtors,
        table=RES,
    ),
    Statement(
        "operating_receipts",
        "Cash received from operations",
        CF,
        formula=lambda b: (
            (sum_(*_plain_income(b)) if _plain_income(b) else 0)
            - (b["debtors_other_income"] - previous("debtors_other_income"))
            + (sum_(*b.receipts.values()) if b.receipts else 0)
        ),
    ),
    Statement(
        "creditors",
        "Creditors (costs not yet paid; pay is paid in the month)",
        CF,
        kind="balance",
        formula=_creditors,
        table=RES,
    ),
    Statement(
        "operating_payments",
        "Cash paid for operations",
        CF,
        formula=lambda b: (
            b["net_operating_costs"] + b["one_off_costs"] - (b["creditors"] - previous("creditors"))
        ),
    ),
    Statement(
        "tax_paid_in_year",
        "Corporation tax paid in the year by quarterly instalments (a large company: taxable "
        "profit over the instalment threshold pays half in the year)",
        CF,
        formula=lambda b: (
            where(b["taxable_profit"] > param("ct.instalment_threshold") * year_fraction(), 0.5, 0)
            * b["corporation_tax"]
        ),
        table=None,
        mode="annual",
    ),
    Statement(
        "tax_large",
        "1 at a year end whose taxable profit is over the instalment threshold (a large "
        "company, Corporation Tax (Instalment Payments) Regulations 1998 reg.3)",
        CF,
        unit="flag",
        kind="value",
        formula=_tax_large,
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_of_last_year",
        "Corporation tax charged for the last financial year",
        CF,
        kind="balance",
        formula=_carried("tax_of_last_year", "corporation_tax"),
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_large_last_year",
        "1 where the last financial year was a large company's (it pays instalments)",
        CF,
        unit="flag",
        kind="value",
        formula=_carried("tax_large_last_year", "tax_large"),
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_instalment_year",
        "1 at the end of a year whose tax is paid by instalments: large, and large the year "
        "before (reg.3: none in a first large year)",
        CF,
        unit="flag",
        kind="value",
        formula=lambda b: b["tax_large"] * b["tax_large_last_year"],
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_instalment_year_last_year",
        "1 where the last financial year's tax was paid by instalments",
        CF,
        unit="flag",
        kind="value",
        formula=_carried("tax_instalment_year_last_year", "tax_instalment_year"),
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_instalments",
        "Corporation tax instalments in the year (large companies: a quarter of last year's "
        "tax on 14 October and 14 January, reg.5; the year's own tax is known at its end)",
        CF,
        formula=_tax_instalments,
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_instalments_to_date",
        "Corporation tax instalments in the financial year to date",
        CF,
        kind="balance",
        formula=_year_to_date("tax_instalments"),
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_instalments_last_year",
        "Corporation tax instalments paid in the last financial year",
        CF,
        kind="balance",
        formula=_carried("tax_instalments_last_year", "tax_instalments_to_date"),
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_balance_paid",
        "Last year's corporation tax less its instalments: 14 April and 14 July (half each) "
        "for a large company, else 1 January, nine months and a day after the year end "
        "(TMA 1970 s.59D)",
        CF,
        formula=_tax_balance_paid,
        table=None,
        mode="months",
        annual_view=False,
    ),
    Statement(
        "tax_paid",
        "Corporation tax paid: instalments of this year, and last year's tax not yet paid "
        "(due nine months and a day after the year ends, TMA 1970 s.59D)",
        CF,
        formula=lambda b: (
            b["tax_paid_in_year"] + previous("corporation_tax") - previous("tax_paid_in_year")
        ),
        monthly=lambda b: b["tax_instalments"] + b["tax_balance_paid"],
    ),
    Statement(
        "vat_cash_flow",
        "VAT received with income, less VAT paid on recoverable inputs and to HMRC with the "
        "quarterly returns (not income or cost: the mutual holds it for HMRC)",
        CF,
        adds=("vat_cash",),
        when=_has("vat_cash"),
    ),
    Statement(
        "cash_flow_before_financing",
        "Cash flow before financing (operating receipts less payments and tax)",
        CF,
        adds=("operating_receipts", "vat_cash"),
        subtracts=("operating_payments", "tax_paid"),
    ),
    Statement(
        "financing_cash_flow",
        "Financing: drawdown less repayment, interest and profit paid out",
        CF,
        adds=("drawdown",),
        subtracts=("repayment", "interest", "distribution"),
    ),
    Statement(
        "cash_before_facility",
        "Cash before the working-capital facility: last closing cash plus this period's cash "
        "flows, before any draw or repayment",
        CF,
        kind="value",
        formula=lambda b: (
            previous("closing_cash") + b["cash_flow_before_financing"] + b["financing_cash_flow"]
        ),
        when=_facility,
        table=None,
        annual_view=False,
    ),
    Statement(
        "facility_movement",
        "Working-capital facility drawn less repaid",
        CF,
        adds=("facility_drawdown",),
        subtracts=("facility_repayment",),
        when=_facility,
    ),
    Statement(
        "net_cash_flow",
        "Net cash flow",
        CF,
        adds=("cash_flow_before_financing", "financing_cash_flow", "facility_movement"),
    ),
    Statement(
        "closing_cash",
        "Closing cash",
        CF,
        kind="balance",
        formula=lambda b: previous("closing_cash") + b["net_cash_flow"],
        opening="opening_cash",
        summary="Closing cash",
    ),
    # -- reserves ----------------------------------------------------------------------------
    Statement(
        "reserves",
        "Reserves (opening cash plus surplus after tax to date, less profit paid out)",
        RES,
        kind="balance",
        formula=lambda b: previous("reserves") + b["surplus_after_tax"] - b.role("distribution"),
        opening="opening_cash",
        summary="Reserves",
    ),
    Statement(
        "monthly_operating_cost",
        "Operating cost per month",
        RES,
        kind="value",
        formula=lambda b: (b["net_operating_costs"] + b["one_off_costs"]) / (12 * year_fraction()),
        table=None,
    ),
    Statement(
        "reserves_months",
        "Reserves in months of operating cost",
        RES,
        unit="months",
        kind="value",
        formula=lambda b: where(
            b["monthly_operating_cost"] > 0,
            b["reserves"] / where(b["monthly_operating_cost"] > 0, b["monthly_operating_cost"], 1),
            0,
        ),
    ),
    Statement(
        "reserves_below_target",
        "1 where reserves are below the target months",
        RES,
        unit="flag",
        kind="value",
        formula=lambda b: b["reserves_months"] < b.input("reserves_target_months"),
        table=None,
    ),
    Statement(
        "tax_payable",
        "Corporation tax owed, not yet paid",
        RES,
        kind="balance",
        formula=lambda b: previous("tax_payable") + b["corporation_tax"] - b["tax_paid"],
    ),
    Statement(
        "loans_outstanding",
        "Borrowing outstanding",
        RES,
        kind="balance",
        adds=("debt",),
        when=_has("debt"),
    ),
    Statement(
        "vat_balance",
        "VAT owed to HMRC less VAT billed not yet received",
        RES,
        kind="balance",
        adds=("vat_payable",),
        subtracts=("vat_receivable",),
        when=_has("vat_payable"),
    ),
    # -- debt --------------------------------------------------------------------------------
    Statement(
        "debt_service",
        "Debt service (interest and repayment)",
        DEBT,
        adds=("interest", "repayment"),
        when=_has("debt"),
    ),
    Statement(
        "debt_service_cover",
        "Debt service cover: cash available for debt service (cash flow before financing) "
        "over debt service (0 in years without debt service, i.e. under £0.01)",
        DEBT,
        unit="ratio",
        kind="value",
        formula=lambda b: where(  # debt service under a penny counts as none (no overflow)
            b["debt_service"] >= 0.01,
            b["cash_flow_before_financing"]
            / where(b["debt_service"] >= 0.01, b["debt_service"], 1),
            0,
        ),
        when=_has("debt"),
    ),
    # -- memorandum: figures that are not the mutual's cash --------------------------------
    Statement(
        "council_costs_retained",
        "Costs the council keeps or takes on (staff it keeps, pension top-ups and exit costs "
        "under pass-through)",
        MEMO,
        adds=("council_cost",),
        when=_has("council_cost"),
    ),
    Statement(
        "non_cashable_benefits",
        "Non-cashable benefits (time regained, output not lost): not in surplus or cash",
        MEMO,
        adds=("non_cashable",),
        when=_has("non_cashable"),
    ),
    # -- checks ------------------------------------------------------------------------------
    Statement(
        "check_balance",
        "Check: cash + debtors - creditors - tax owed - loan - VAT owed - reserves = 0",
        CHK,
        kind="value",
        adds=("closing_cash", "debtors", "vat_receivable"),
        subtracts=("creditors", "tax_payable", "debt", "vat_payable", "reserves"),
        table=None,
        annual_view=False,
    ),
    Statement(
        "check_cash",
        "Check: closing cash - opening cash - cumulative net cash flow = 0",
        CHK,
        kind="value",
        formula=lambda b: b["closing_cash"] - b.input("opening_cash") - cumsum(b["net_cash_flow"]),
        table=None,
        annual_view=False,
    ),
    # -- metrics -----------------------------------------------------------------------------
    Statement(
        "npv_before_financing",
        "NPV of the cash flow before financing at the mutual's own discount rate (nominal; "
        "each year's flow discounted to the start, the first by one year, as Excel's NPV)",
        MET,
        kind="metric",
        formula=lambda b: npv_(b.input("discount_rate"), b["cash_flow_before_financing"]),
        summary="NPV before financing (mutual's rate)",
    ),
    Statement(
        "net_outlay",
        "1 where cumulative cash before financing falls below zero at some point (an outlay "
        "to pay back and to earn a return on)",
        MET,
        unit="flag",
        kind="metric",
        formula=lambda b: max_periods(ref(b.name("cash_flow_before_financing") + "_outlay")),
    ),
    Statement(
        "paid_back",
        "1 where the cash flow before financing adds up to zero or more over the period (the "
        "outlay is paid back by the end)",
        MET,
        unit="flag",
        kind="metric",
        formula=lambda b: where(sum_periods(b["cash_flow_before_financing"]) >= 0, 1, 0),
    ),
    Statement(
        "irr_before_financing",
        "IRR of the cash flow before financing ('no net outlay' without one; 'below 0%: not "
        "paid back' where the flows add up to less than nothing; n/a where they have no rate)",
        MET,
        unit="fraction",
        kind="metric",
        # a negative rate is not shown as a figure: it says only that the outlay is not paid
        # back (the payback line says so too), and near -100% the 20 Newton steps Excel and
        # LibreOffice allow their IRR (Microsoft's IRR reference: "after 20 tries, #NUM!")
        # may not reach the root Python finds
        formula=lambda b: only_if(
            b["net_outlay"],
            only_if(
                b["paid_back"],
                if_missing(irr_(b["cash_flow_before_financing"], guess="flows"), "n/a"),
                "below 0%: not paid back",
            ),
            "no net outlay",
        ),
        summary="IRR before financing",
    ),
    Statement(
        "payback_years",
        "Payback of the cash flow before financing (years from the first outlay)",
        MET,
        unit="years",
        kind="metric",
        formula=lambda b: payback_(b["cash_flow_before_financing"]),
        summary="Payback (years)",
        missing="not paid back",
    ),
    Statement(
        "discounted_payback_years",
        "Discounted payback of the cash flow before financing, at the mutual's rate as the NPV",
        MET,
        unit="years",
        kind="metric",
        formula=lambda b: payback_(b["cash_flow_before_financing"], rate=b.input("discount_rate")),
        summary="Discounted payback (years)",
        missing="not paid back",
    ),
    Statement(
        "npv_net_cash_flow",
        "NPV of the net cash flow after financing at the mutual's own discount rate",
        MET,
        kind="metric",
        formula=lambda b: npv_(b.input("discount_rate"), b["net_cash_flow"]),
    ),
    Statement(
        "minimum_cash",
        "Lowest closing cash (in the month it happens, on a timeline with months)",
        MET,
        kind="metric",
        formula=lambda b: min_periods(b["closing_cash"]),
        summary="Lowest closing cash",
        by_period=True,
    ),
    Statement(
        "minimum_cash_date",
        "First day of the period of the lowest closing cash (the first, if it recurs)",
        MET,
        unit="date",
        kind="metric",
        formula=lambda b: _trough_date(b),
        summary="Lowest closing cash in",
        by_period=True,
        table=None,
    ),
    Statement(
        "closing_reserves",
        "Reserves at the end of the last year",
        MET,
        kind="metric",
        formula=lambda b: sum_periods(b["reserves"] * _last_flag(b)),
        summary="Reserves at the end",
    ),
    Statement(
        "years_reserves_below_target",
        "Years in which reserves are below the target",
        MET,
        unit="count",
        kind="metric",
        formula=lambda b: sum_periods(b["reserves_below_target"]),
        summary="Years with reserves below target",
    ),
    Statement(
        "total_surplus_after_tax",
        "Surplus after tax, all years",
        MET,
        kind="metric",
        formula=lambda b: sum_periods(b["surplus_after_tax"]),
        summary="Surplus after tax, all years",
    ),
    Statement(
        "surplus_margin",
        "Surplus after tax over income, all years (0 without income)",
        MET,
        unit="fraction",
        kind="metric",
        formula=lambda b: _ratio(
            sum_periods(b["surplus_after_tax"]), sum_periods(b["total_income"])
        ),
        summary="Surplus margin",
    ),
    Statement(
        "council_income_share",
        "Share of income from the parent council (0 without income)",
        MET,
        unit="fraction",
        kind="metric",
        formula=lambda b: _ratio(sum_periods(b["council_income"]), sum_periods(b["total_income"])),
        summary="Share of income from the council",
    ),
)


def _minimum_cover(results: Any) -> float | None:
    """The lowest debt service cover of a financial year with debt service (by year also on
    a timeline with months: a month's cover says little)."""
    service = results.annual_values("debt_service")[0]
    cover = results.annual_values("debt_service_cover")[0]
    serviced = service >= 0.01
    return float(cover[serviced].min()) if serviced.any() else None


def _lowest_cash_period(results: Any) -> str:
    """The period of the lowest closing cash: a month on a timeline with months."""
    import numpy as np

    cash = results.evaluation.array("closing_cash")[0]
    first = int(np.argmax(cash <= cash.min() + TROUGH_TIE))  # the first of the lowest
    return results.case.timeline.labels[first]


#: figures derived from the results rather than lines of the model
DERIVED: tuple[Statement, ...] = (
    Statement(
        "minimum_debt_service_cover",
        "Lowest debt service cover in a year with debt service",
        MET,
        unit="ratio",
        kind="derived",
        derive=_minimum_cover,
        when=lambda results: "debt_service" in results.evaluation.values,
        summary="Lowest debt service cover",
        table=None,
        missing="no debt service",
    ),
    Statement(
        "minimum_cash_period",
        "Period of the lowest closing cash",
        MET,
        unit="period",
        kind="derived",
        derive=_lowest_cash_period,
        summary="Lowest cash in",
        table=None,
    ),
)

_BY_NAME = {s.name: s for s in (*STATEMENTS, *DERIVED)}
assert len(_BY_NAME) == len(STATEMENTS) + len(DERIVED), "two statements share a name"


def statement(name: str) -> Statement | None:
    """The statement of that name, or None for a line that is not a statement line."""
    return _BY_NAME.get(name)
