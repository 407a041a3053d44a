"""The case's financing: its own financial settings and a loan.

:class:`CaseFinance` (key ``finance``) holds opening cash, working capital days, the discount
rate of the mutual's NPV, the reserves target and the cash floor; the business case builds
its statements from them. :class:`Loan` (key ``loan``) is a loan or social-investment
facility: drawdown, interest and straight-line repayment.
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
from mutualfin.engine import Line, min_, period_index, previous, ref, where, year_fraction
from mutualfin.errors import InputError

__all__ = ["CaseFinance", "Loan"]

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
    """A loan or social-investment facility: drawdown, interest, straight-line repayment."""

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
