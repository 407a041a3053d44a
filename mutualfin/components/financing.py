"""The case's financing: its own financial settings, a loan and a working-capital facility.

:class:`CaseFinance` (key ``finance``) holds opening cash, working capital days, the discount
rate of the mutual's NPV, the reserves target and the cash floor; the business case builds
its statements from them. :class:`Loan` (key ``loan``) is a loan or social-investment
facility: drawdown, interest and straight-line repayment. :class:`Facility` (key
``facility``) is an overdraft or revolving working-capital facility, drawn when cash would
fall below the floor and repaid when cash allows.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Count,
    Fraction,
    Limit,
    Money,
    Months,
    SignedMoney,
)
from mutualfin.components.base import field as input_field
from mutualfin.engine import (
    Line,
    first_period,
    max_,
    max_periods,
    min_,
    period_index,
    previous,
    ref,
    sum_periods,
    where,
    year_fraction,
)
from mutualfin.engine.nodes import months_in_period
from mutualfin.errors import InputError

__all__ = ["CaseFinance", "Facility", "Loan"]

STATEMENTS = "Statements"

#: days of a year's income or costs outstanding at the year end
_Days = Annotated[Count, Limit(high=365, why="give days, not a fraction of a year")]


class CaseFinance(Component):
    """The case's own financial settings: opening cash, working capital, discounting."""

    key = "finance"
    sheet = STATEMENTS
    default_sources: ClassVar[dict[str, str]] = {
        "discount_rate": "mutualfin default: 3.5% as a placeholder; give the mutual's own cost "
        "of capital (nominal), such as its borrowing rate",
    }
    moved: ClassVar[dict[str, str]] = {
        "tax_exempt": "corporation tax follows the legal form now: a charity (e.g. "
        '[legal_form] form = "charitable_community_benefit_society") is exempt on its '
        "primary-purpose trading, and a CIC cannot be a charity; remove tax_exempt and give "
        "[legal_form]"
    }

    class Inputs(ComponentInputs):
        opening_cash: Money = input_field("Cash at go-live", default=0.0)
        debtor_days: _Days = input_field(
            "Days of income owed to the mutual at the year end (income without its own "
            "receipts line)",
            default=0.0,
        )
        creditor_days: _Days = input_field(
            "Days of costs the mutual owes at the year end", default=0.0
        )
        discount_rate: Fraction = input_field(
            "The mutual's own discount rate for its NPV: its cost of capital, nominal (the "
            "council's appraisal uses the Green Book real rate)",
            default=0.035,
        )
        reserves_target_months: Months = input_field(
            "Reserves target in months of net operating costs", default=3.0
        )
        cash_floor: SignedMoney = input_field("Lowest acceptable cash balance", default=0.0)

    def build(self, ctx: BuildContext) -> list[Line]:  # statements are built by the case
        return []


class Loan(Component):
    """A loan or social-investment facility: drawdown, interest, straight-line repayment.

    ``drawdown_period`` counts the timeline's periods (a month on a timeline with months);
    interest and repayment are a year's times the period's share of a year, so a loan on a
    monthly timeline is repaid month by month."""

    key = "loan"
    sheet = STATEMENTS
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {
        "loan_drawdown": "drawdown",
        "loan_interest": "interest",
        "loan_repayment": "repayment",
        "loan_balance": "debt",
    }

    class Inputs(ComponentInputs):
        amount: Money = input_field("Amount drawn", default=0.0)
        drawdown_period: Annotated[
            Count, Limit(whole=True, why="give a period: 0 is the first, 1 the second")
        ] = input_field("Period of drawdown (0 = first)", default=0.0)
        interest_rate: Fraction = input_field("Interest rate per year", default=0.0)
        term_years: Count = input_field("Repayment term in years after drawdown", default=5.0)

    def validate(self) -> None:
        i = self.inputs
        if i.amount > 0 and i.term_years <= 0:
            raise InputError("loan.term_years: must be above 0 when a loan is drawn")

    def build(self, ctx: BuildContext) -> list[Line]:
        n = ctx.timeline.n
        if self.inputs.amount > 0 and self.inputs.drawdown_period >= n:
            raise InputError(
                f"loan.drawdown_period: {self.inputs.drawdown_period:g} is not a period of the "
                f"timeline, which has {n} (0 to {n - 1}); the loan would never be drawn. Give a "
                "period from 0 (the first year) to the last"
            )
        amount = ctx.input("amount")
        when = ctx.input("drawdown_period")
        rate = ctx.input("interest_rate")
        term = ctx.input("term_years")
        s = self.sheet
        drawdown = Line(
            "loan_drawdown", where(period_index().eq(when), amount, 0), sheet=s, label="Loan drawn"
        )
        interest = Line(
            "loan_interest",
            (previous("loan_balance") + ref("loan_drawdown")) * rate * year_fraction(),
            sheet=s,
            label="Loan interest (on the balance after this year's drawdown)",
        )
        repayment = Line(
            "loan_repayment",
            where(
                period_index() > when,
                min_(previous("loan_balance"), amount / term * year_fraction()),
                0,
            ),
            sheet=s,
            label="Loan repaid (straight line)",
        )
        balance = Line(
            "loan_balance",
            previous("loan_balance") + drawdown - repayment,
            kind="balance",
            sheet=s,
            label="Loan outstanding",
        )
        for ln in (drawdown, interest, repayment, balance):
            ln.section = "Loan"
        return [drawdown, interest, repayment, balance]


class Facility(Component):
    """A working-capital facility (an overdraft or revolving credit facility): drawn when cash
    would fall below the case's cash floor, repaid when cash allows, with interest.

    A new mutual's cash falls lowest in its first months: the council's contract is often
    paid monthly in arrears while pay goes out in the month. A facility sized on the monthly
    trough covers that; an annual plan cannot see it. Give the limit agreed (or leave it out to
    size the need: the peak drawn is then the facility the case needs).

    Parameters
    ----------
    limit : GBP, optional
        The most that may be drawn. Without it the facility is unlimited, and its peak is
        the need.
    interest_rate : fraction a year
        Interest on the amount drawn.
    arrangement_fee : GBP, default 0
        Paid when the facility is set up, in the first period (a finance cost).

    Lines (sheet "Statements", section "Working capital facility")
    ---------------------------------------------------------------
    ``facility_interest`` (role ``interest``)
        ``balance at the start of the period x interest_rate x year_fraction``: interest on
        the balance drawn at the last period end. A draw bears interest from the next period,
        an approximation that keeps the workbook free of circular references (the draw
        depends on cash, and cash on the interest).
    ``facility_arrangement_fee`` (role ``interest``)
        The fee, in the first period.
    ``facility_need``
        ``max(cash_floor - cash_before_facility, 0)``: how far cash would fall below the floor
        in the period without the facility (``cash_before_facility``: last period's closing
        cash plus this period's cash flows, before any draw or repayment).
    ``facility_drawdown`` (role ``facility_drawdown``)
        ``min(facility_need, limit - balance at the start)``: the need, within the limit.
    ``facility_repayment`` (role ``facility_repayment``)
        ``min(balance at the start, max(cash_before_facility - cash_floor, 0))``: repaid as
        far as cash above the floor allows.
    ``facility_balance`` (role ``debt``, a balance)
        Drawn and not repaid.
    ``facility_shortfall``
        ``facility_need - facility_drawdown``: how far cash stays below the floor because the
        limit is too small (0 when the facility is enough).
    ``facility_in_use`` (flag)
        1 where a balance is drawn at the period end.

    Metrics
    -------
    ``facility_peak`` (largest balance drawn), ``facility_months_used`` (months with a
    balance drawn at the period end; a year's period counts its 12 months), and
    ``facility_largest_shortfall`` (largest ``facility_shortfall``: above 0 the limit is not
    enough, and the case says so).

    Notes
    -----
    Drawing to the floor and repaying from cash above it is how an overdraft or a revolving
    facility is used; the lender's covenants, security and commitment fees are not
    modelled. On an annual timeline the facility works on the year-end cash, which hides the
    trough inside the year: plan the first years by month.
    """

    key = "facility"
    sheet = STATEMENTS
    roles: ClassVar[dict[str, str]] = {
        "facility_interest": "interest",
        "facility_arrangement_fee": "interest",
        "facility_drawdown": "facility_drawdown",
        "facility_repayment": "facility_repayment",
        "facility_balance": "debt",
    }

    class Inputs(ComponentInputs):
        limit: Money | None = input_field(
            "Facility limit (leave out to size the need: the peak drawn)", default=None
        )
        interest_rate: Fraction = input_field("Interest rate a year on the amount drawn")
        arrangement_fee: Money = input_field(
            "Arrangement fee, paid in the first period", default=0.0
        )

    def build(self, ctx: BuildContext) -> list[Line]:
        s = self.sheet
        section = "Working capital facility"
        floor = ctx.input_of("finance", "cash_floor")
        before = ref("cash_before_facility")
        opening = previous("facility_balance")
        interest = Line(
            "facility_interest",
            opening * ctx.input("interest_rate") * year_fraction(),
            label="Facility interest (on the balance drawn at the start of the period)",
            sheet=s,
            section=section,
        )
        fee = Line(
            "facility_arrangement_fee",
            ctx.input("arrangement_fee") * first_period(),
            label="Facility arrangement fee (first period)",
            sheet=s,
            section=section,
        )
        need = Line(
            "facility_need",
            max_(floor - before, 0),
            kind="value",
            label="Cash short of the floor before the facility",
            sheet=s,
            section=section,
        )
        if self.inputs.limit is None:
            draw_expr: object = need
            draw_label = "Facility drawn (the need: no limit given)"
        else:
            limit = Line(
                "facility_limit",
                ctx.input("limit"),
                kind="value",
                label="Facility limit",
                sheet=s,
                section=section,
            )
            draw_expr = min_(need, max_(limit - opening, 0))
            draw_label = "Facility drawn (the need, within the limit)"
        draw = Line("facility_drawdown", draw_expr, label=draw_label, sheet=s, section=section)
        repay = Line(
            "facility_repayment",
            min_(opening, max_(before - floor, 0)),
            label="Facility repaid (from cash above the floor)",
            sheet=s,
            section=section,
        )
        balance = Line(
            "facility_balance",
            opening + draw - repay,
            kind="balance",
            label="Facility drawn at the period end",
            sheet=s,
            section=section,
        )
        shortfall = Line(
            "facility_shortfall",
            need - draw,
            kind="value",
            label="Cash left below the floor: the limit is not enough (0 when it is)",
            sheet=s,
            section=section,
        )
        in_use = Line(
            "facility_in_use",
            balance >= 0.005,
            unit="flag",
            kind="value",
            label="1 where the facility is drawn at the period end",
            sheet=s,
            section=section,
        )
        metrics = [
            Line(
                "facility_peak",
                max_periods(balance),
                kind="metric",
                label="Largest balance drawn on the facility",
                sheet=s,
                section=section,
            ),
            Line(
                "facility_months_used",
                sum_periods(in_use * months_in_period()),
                unit="months",
                kind="metric",
                label="Months with the facility drawn (at the month end; a year counts 12)",
                sheet=s,
                section=section,
            ),
            Line(
                "facility_largest_shortfall",
                max_periods(shortfall),
                kind="metric",
                label="Largest amount cash stays below the floor despite the facility (0: "
                "the limit is enough)",
                sheet=s,
                section=section,
            ),
        ]
        lines = [interest, fee, need]
        if self.inputs.limit is not None:
            lines.append(limit)
        return [*lines, draw, repay, balance, shortfall, in_use, *metrics]
