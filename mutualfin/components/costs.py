"""Costs outside the paybill: support services bought back, set-up, premises and business
rates, and the VAT a mutual cannot recover.

Conventions
-----------
* **Sign.** Costs are positive numbers.
* **Annual amounts.** Inputs described "a year" are annual amounts in the prices of the
  timeline's first financial year, uplifted by the component's inflation input once a financial
  year (see :mod:`mutualfin.income`) and multiplied by ``year_fraction()`` on a monthly
  timeline.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    FractionSeries,
    Money,
    MoneySeries,
    Share,
    field,
)
from mutualfin.components.base import Unit as _Unit
from mutualfin.components.income import index_factor
from mutualfin.components.legal_form import MOVED_TO_LEGAL_FORM, legal_form_of
from mutualfin.engine.nodes import (
    Line,
    by_year,
    cumsum,
    first_period,
    from_year,
    in_month,
    min_,
    param,
    previous,
    ref,
    sum_,
    where,
    year_fraction,
)

__all__ = [
    "SMALL_BUSINESS_RATEABLE_VALUE",
    "SUPPORT_SERVICES",
    "Overheads",
    "Premises",
    "SetUp",
    "VatLeakage",
]

#: Support services a council provides to its services, which a mutual must buy back or
#: replace, with the label used in the workbook.
SUPPORT_SERVICES: dict[str, str] = {
    "hr": "HR",
    "payroll": "Payroll",
    "finance": "Finance and accountancy",
    "it": "IT",
    "legal": "Legal",
    "insurance": "Insurance",
    "audit": "Audit",
    "premises": "Premises and facilities management",
}


class Overheads(Component):
    """Support services bought back from the council or elsewhere.

    Parameters
    ----------
    hr, payroll, finance, it, legal, insurance, audit, premises : GBP a year, default 0
        Cost of each service in the first financial year (e.g. the council's support-service
        recharge or a quote). ``premises`` is facilities management bought as a service;
        rent and rates are :class:`Premises`.
    inflation : fraction a year or series, default 0.0
        Annual uplift of all the services.

    Lines (sheet "Costs")
    ---------------------
    ``overhead_hr``, ``overhead_payroll``, ... (GBP, flow)
        Each service: amount x inflation index x year_fraction.
    ``overheads`` (GBP, flow)
        Their sum.
    """

    key = "overheads"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"overheads": "cost"}
    sheet = "Costs"

    class Inputs(ComponentInputs):
        hr: Money = field("HR service a year (GBP)", 0.0)
        payroll: Money = field("Payroll service a year (GBP)", 0.0)
        finance: Money = field("Finance and accountancy service a year (GBP)", 0.0)
        it: Money = field("IT service a year (GBP)", 0.0)
        legal: Money = field("Legal service a year (GBP)", 0.0)
        insurance: Money = field("Insurance premiums a year (GBP)", 0.0)
        audit: Money = field("External audit a year (GBP)", 0.0)
        premises: Money = field("Premises and facilities management service a year (GBP)", 0.0)
        inflation: FractionSeries = field("Annual uplift of support-service costs", 0.0)

    def build(self, ctx: BuildContext) -> list[Line]:
        factor = index_factor(ctx.input("inflation", yearly="rate"), ctx.timeline) * year_fraction()
        lines = [
            Line(
                f"overhead_{name}",
                ctx.input(name) * factor,
                label=f"Support service: {label}",
                sheet=self.sheet,
            )
            for name, label in SUPPORT_SERVICES.items()
        ]
        total = Line(
            "overheads", sum_(*lines), label="Support services bought back", sheet=self.sheet
        )
        return [*lines, total]


class SetUp(Component):
    """One-off set-up costs: legal, systems, mobilisation, recruitment of new functions.

    Parameters
    ----------
    amounts : GBP per period (series), default 0
        Set-up costs in each period of the timeline (one value per period; a single number
        is spent in every period, so give a list for one-off costs).
    pre_go_live : GBP, default 0
        Costs incurred before go-live (before the timeline's first period: feasibility,
        legal advice, shadow board, systems set-up). They are booked in the first period, so
        that cash, funding need and payback count them; if they were met from a council
        budget or grant before go-live, leave them out here and record them in the economic
        case instead.

    Lines (sheet "Costs")
    ---------------------
    ``setup_costs`` (GBP, flow)
        amounts + pre_go_live in the first period.
    ``setup_costs_cumulative`` (GBP, balance)
        Running total of set-up costs (for payback).

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> s = SetUp(amounts=[150_000, 50_000, 0], pre_go_live=80_000)
    >>> tl = mf.Timeline(2026, years=3)
    >>> mf.Model(tl, s.build(BuildContext(tl, s))).evaluate()["setup_costs"].tolist()
    [230000.0, 50000.0, 0.0]
    """

    key = "setup"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"setup_costs": "one_off"}
    sheet = "Costs"

    class Inputs(ComponentInputs):
        amounts: MoneySeries = field("Set-up costs in each period (GBP)", 0.0)
        pre_go_live: Money = field("Set-up costs before go-live, booked in the first period", 0.0)

    def build(self, ctx: BuildContext) -> list[Line]:
        costs = Line(
            "setup_costs",
            ctx.input("amounts", yearly="spread") + ctx.input("pre_go_live") * first_period(),
            label="Set-up costs (pre-go-live costs in the first period)",
            sheet=self.sheet,
        )
        cumulative = Line(
            "setup_costs_cumulative",
            cumsum(costs),
            label="Set-up costs to date",
            kind="balance",
            sheet=self.sheet,
        )
        return [costs, cumulative]


#: Below this rateable value the small business multiplier applies (England, 2017/18 on).
SMALL_BUSINESS_RATEABLE_VALUE = 51_000.0

_OptionalRatio = Annotated[float | None, _Unit("ratio"), Field(ge=0, allow_inf_nan=False)]


class Premises(Component):
    """Premises: rent, running costs and business rates with relief by legal form.

    The case's legal form (:class:`~mutualfin.components.legal_form.LegalForm`, ``[legal_form]``)
    decides mandatory relief: a charity gets 80% (Local Government Finance Act 1988
    s.43(5)-(6), parameter ``business_rates.charity_mandatory_relief``), assuming the property
    is used wholly or mainly for charitable purposes; a case without a legal form is rated as a
    body that is not a charity.

    Parameters
    ----------
    rent : GBP a year, default 0
        Rent (e.g. a lease-back from the council).
    running_costs : GBP a year, default 0
        Utilities, repairs, cleaning, service charges.
    inflation : fraction a year or series, default 0.0
        Annual uplift of rent and running costs.
    rateable_value : GBP, default 0
        Rateable value of the properties occupied (Valuation Office Agency list), held
        constant; rates follow the dated multiplier.
    multiplier : ratio, optional
        Pounds of rates per pound of rateable value. Default: the England small business
        multiplier below a rateable value of £51,000, else the standard multiplier (parameters
        ``business_rates.small_business_multiplier`` and ``.standard_multiplier``, by financial
        year). Give it for retail, hospitality and leisure or high-value (£500,000+) properties
        from 2026/27, or for Wales and Scotland.
    discretionary_relief : fraction, default 0.0
        Discretionary relief the billing authority grants (LGFA 1988 s.47) as a share of the
        full bill: for a charity a top-up of the mandatory 80%, for a CIC (which cannot be a
        charity) the only relief. Total relief is capped at 100%.

    Lines (sheet "Costs")
    ---------------------
    ``premises_rent``, ``premises_running_costs`` (GBP, flow)
        rent and running costs, uplifted by ``inflation``.
    ``business_rates_multiplier`` (ratio)
        the ``multiplier`` input, or the dated England multiplier for the rateable value.
    ``business_rates_gross`` (GBP, flow)
        rateable_value x multiplier x year_fraction.
    ``business_rates_relief`` (GBP, flow, positive)
        gross x min(mandatory relief + discretionary_relief, 1).
    ``business_rates`` (GBP, flow)
        gross - relief: the rates paid.
    ``premises_costs`` (GBP, flow)
        rent + running costs + business rates.
    """

    key = "premises"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"premises_costs": "cost"}
    sheet = "Costs"
    moved: ClassVar[dict[str, str]] = {"legal_form": MOVED_TO_LEGAL_FORM}

    class Inputs(ComponentInputs):
        rent: Money = field("Rent a year (GBP)", 0.0)
        running_costs: Money = field("Premises running costs a year (GBP)", 0.0)
        inflation: FractionSeries = field("Annual uplift of rent and running costs", 0.0)
        rateable_value: Money = field("Rateable value of the premises (GBP)", 0.0)
        multiplier: _OptionalRatio = field(
            "Business rates multiplier (GBP of rates per GBP of rateable value)", None
        )
        discretionary_relief: Share = field(
            "Discretionary rates relief, share of the full bill", 0.0
        )

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        legal = legal_form_of(ctx)
        factor = index_factor(ctx.input("inflation", yearly="rate"), tl) * year_fraction()
        rv = ctx.input("rateable_value")
        if self.inputs.multiplier is None:
            multiplier_expr = where(
                rv < SMALL_BUSINESS_RATEABLE_VALUE,
                param("business_rates.small_business_multiplier"),
                param("business_rates.standard_multiplier"),
            )
            multiplier_label = "Business rates multiplier (England: small business below £51,000)"
        else:
            multiplier_expr = ctx.input("multiplier")
            multiplier_label = "Business rates multiplier (input)"
        mandatory = param("business_rates.charity_mandatory_relief") if legal.is_charity else 0.0
        rent = Line("premises_rent", ctx.input("rent") * factor, label="Rent", sheet=s)
        running = Line(
            "premises_running_costs",
            ctx.input("running_costs") * factor,
            label="Premises running costs",
            sheet=s,
        )
        multiplier = Line(
            "business_rates_multiplier",
            multiplier_expr,
            unit="ratio",
            label=multiplier_label,
            kind="value",
            sheet=s,
        )
        gross = Line(
            "business_rates_gross",
            rv * multiplier * year_fraction(),
            label="Business rates before relief",
            sheet=s,
        )
        relief = Line(
            "business_rates_relief",
            gross * min_(mandatory + ctx.input("discretionary_relief"), 1),
            label=f"Business rates relief ({legal.name}: "
            f"{'mandatory 80% plus ' if legal.is_charity else ''}discretionary)",
            sheet=s,
        )
        rates = Line("business_rates", gross - relief, label="Business rates payable", sheet=s)
        total = Line("premises_costs", rent + running + rates, label="Premises costs", sheet=s)
        return [rent, running, multiplier, gross, relief, rates, total]


#: the sheet of the VAT lines by financial year, on a timeline with months
YEARLY_SHEET = "Costs by year"


class VatLeakage(Component):
    """VAT on inputs that the mutual cannot recover, beside what the council recovered.

    A council recovers VAT on the inputs of its non-business activity, and of its exempt
    activity while that stays insignificant, under section 33 of the Value Added Tax Act 1994.
    A spun-out mutual is an ordinary taxable person: VAT on inputs used for exempt supplies
    (e.g. welfare, education, care) or non-business activity (e.g. grant-funded work) is a
    cost, up to the standard rate (20%) of those inputs. This component shows both, so the
    business case shows the VAT cost of leaving.

    Parameters
    ----------
    vatable_costs : GBP a year
        The mutual's costs that bear VAT (supplies, services, premises costs; net of VAT, not
        pay), in the first financial year. Required.
    irrecoverable_share : fraction, optional
        Share of the input VAT the mutual cannot recover: the share of its activity that is
        exempt or non-business (partial exemption attribution), 0 to 1. By default it is the
        exempt share of its income: the contract's share of total income where the contract
        is exempt (its VAT status follows the legal form), else 0 (standard-rated supplies let
        the mutual recover its input VAT).
    council_recovery_share : fraction, default 1.0
        Share of the same input VAT the council recovered in-house under VATA 1994 s.33 (1.0
        when its exempt input tax stayed within the 5% de minimis).
    cost_inflation : fraction a year or series, default 0.0
        Annual uplift of the VAT-able costs.

    Lines (sheet "Costs")
    ---------------------
    ``vat_on_inputs`` (GBP, flow)
        vatable_costs x index x year_fraction x ``param("vat.standard_rate")``.
    ``vat_irrecoverable_share`` (fraction)
        The share lost: the input, or the exempt contract's share of total income. On a
        timeline with months it is the **financial year's** share in each of its months
        (sheet "Costs by year": ``vat_contract_income_annual`` over
        ``vat_total_income_annual``), since partial exemption is settled on the year's
        supplies by the annual adjustment (VAT Regulations 1995 reg.107): a month with a
        grant in it does not lose more VAT than its year, and the months' VAT adds up to the
        year planned whole.
    ``vat_irrecoverable`` (GBP, flow, cost to the mutual)
        vat_on_inputs x irrecoverable_share.
    ``vat_recovered_by_council`` (GBP, flow)
        vat_on_inputs x council_recovery_share: what the council recovered under s.33.
    ``vat_irrecoverable_in_house`` (GBP, flow)
        vat_on_inputs - vat_recovered_by_council.
    ``vat_cost_of_leaving`` (GBP, flow)
        vat_irrecoverable - vat_irrecoverable_in_house: the extra VAT cost of spinning out.

    VAT returns (on a timeline with months)
    ---------------------------------------
    VAT is cash the mutual holds for HMRC, never its income or cost (but for the
    irrecoverable share): it charges output VAT on standard-rated supplies, pays input VAT to
    its suppliers, and settles the difference with HMRC quarterly, one calendar month and
    seven days after each quarter ends (Value Added Tax Regulations 1995 regs.25(1) and 40(2),
    with HMRC's seven extra days for returns filed and paid electronically). Quarters are taken
    to end in June, September, December and March (the VAT stagger that follows the financial
    year), so returns are paid in August, November, February and May.

    ``vat_output``
        Output VAT on the contract's income where its VAT status is standard-rated (the
        council pays it with the price and recovers it under VATA 1994 s.33); other income
        is taken as outside VAT.
    ``vat_output_received``
        Received with the contract's cash (its payment lag).
    ``vat_input_recoverable``
        ``vat_on_inputs - vat_irrecoverable``: input VAT reclaimed through the returns, taken
        as paid to suppliers in the month the cost is incurred.
    ``vat_payable`` (role ``vat_payable``), ``vat_receivable`` (role ``vat_receivable``)
        Owed to HMRC (output less recoverable input, less returns paid); billed, not yet
        received.
    ``vat_quarter_due``, ``vat_return``
        What is owed at each quarter end, paid as the return two months later (a repayment
        where negative). On months then years a year's period pays last year's last quarter
        and three quarters of its own.
    ``vat_cash`` (role ``vat_cash``)
        ``vat_output_received - vat_input_recoverable - vat_return``.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> v = VatLeakage(vatable_costs=500_000, irrecoverable_share=0.8)
    >>> tl = mf.Timeline(2026, years=1)
    >>> mf.Model(tl, v.build(BuildContext(tl, v))).evaluate()["vat_cost_of_leaving"].tolist()
    [80000.0]
    """

    key = "vat"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"vat_irrecoverable": "cost"}
    sheet = "Costs"

    class Inputs(ComponentInputs):
        vatable_costs: Money = field("Costs bearing VAT a year, net of VAT (GBP)")
        irrecoverable_share: Share | None = field(
            "Share of input VAT the mutual cannot recover (default: the exempt share of "
            "income, from the contract's VAT status)",
            None,
        )
        council_recovery_share: Share = field(
            "Share of that VAT the council recovered in-house (VATA 1994 s.33)", 1.0
        )
        cost_inflation: FractionSeries = field("Annual uplift of VAT-able costs", 0.0)

    def _irrecoverable_share(self, ctx: BuildContext) -> tuple[Any, str]:
        """The share of input VAT lost: the input, or the exempt share of income."""
        if self.inputs.irrecoverable_share is not None:
            return ctx.input("irrecoverable_share"), "input"
        contract = ctx.others.get("contract") if ctx.others else None
        if contract is None or contract.vat_status(ctx) != "exempt":  # type: ignore[attr-defined]
            status = "no contract" if contract is None else "the contract is standard-rated"
            return 0.0, status
        income, total = ref("contract_income"), ref("total_income")
        why = "the exempt contract's share of total income"
        if ctx.timeline.freq == "annual":
            return where(total > 0, income / where(total > 0, total, 1), 0), why
        # on months, the financial year's share in each of its months: partial exemption is
        # settled on the year's supplies (the annual adjustment, VAT Regulations 1995
        # reg.107), so a month with a grant in it does not recover less than its year
        s = YEARLY_SHEET
        income_y = Line(
            "vat_contract_income_annual",
            by_year(income, "sum"),
            label="Contract income in the financial year",
            sheet=s,
        )
        total_y = Line(
            "vat_total_income_annual",
            by_year(total, "sum"),
            label="Total income in the financial year",
            sheet=s,
        )
        share_y = Line(
            "vat_irrecoverable_share_annual",
            where(total_y > 0, income_y / where(total_y > 0, total_y, 1), 0),
            unit="fraction",
            kind="value",
            label="Exempt contract's share of the year's income (the year's partial exemption)",
            sheet=s,
        )
        self._yearly = [income_y, total_y, share_y]
        return from_year(share_y), f"{why} in the financial year"

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        self._yearly: list[Line] = []
        share, why = self._irrecoverable_share(ctx)
        vat = Line(
            "vat_on_inputs",
            ctx.input("vatable_costs")
            * index_factor(ctx.input("cost_inflation", yearly="rate"), tl)
            * year_fraction()
            * param("vat.standard_rate"),
            label="VAT charged on the mutual's inputs (standard rate)",
            sheet=s,
        )
        share_line = Line(
            "vat_irrecoverable_share",
            share,
            unit="fraction",
            kind="value",
            label=f"Share of input VAT the mutual cannot recover ({why})",
            sheet=s,
        )
        lost = Line(
            "vat_irrecoverable",
            vat * share_line,
            label="Irrecoverable VAT (exempt or non-business share): a cost",
            sheet=s,
        )
        council = Line(
            "vat_recovered_by_council",
            vat * ctx.input("council_recovery_share"),
            label="VAT the council recovered on the same inputs in-house (VATA 1994 s.33)",
            sheet=s,
        )
        in_house = Line(
            "vat_irrecoverable_in_house",
            vat - council,
            label="Irrecoverable VAT in-house",
            sheet=s,
        )
        leaving = Line(
            "vat_cost_of_leaving",
            lost - in_house,
            label="Extra VAT cost of leaving the council",
            sheet=s,
        )
        lines = [*self._yearly, vat, share_line, lost, council, in_house, leaving]
        if tl.freq != "annual":
            lines += self._returns(ctx, vat, lost)
        return lines

    def _returns(self, ctx: BuildContext, vat: Line, lost: Line) -> list[Line]:
        """VAT returns on a timeline with months: see the class docstring."""
        tl, s = ctx.timeline, self.sheet
        section = "VAT returns"
        contract = ctx.others.get("contract") if ctx.others else None
        standard = contract is not None and contract.vat_status(ctx) == "standard_rated"
        rate = param("vat.standard_rate")

        def line(name: str, expr: Any, label: str, **kw: Any) -> Line:
            return Line(name, expr, label=label, sheet=s, section=section, **kw)

        output = line(
            "vat_output",
            ref("contract_income") * rate if standard else 0.0,
            "Output VAT on the contract (standard-rated)"
            if standard
            else "Output VAT (none: the contract is exempt, or there is none)",
        )
        received = line(
            "vat_output_received",
            ref("contract_receipts") * rate if standard else 0.0,
            "Output VAT received with the contract's payments",
        )
        recoverable = line(
            "vat_input_recoverable",
            vat - lost,
            "Input VAT reclaimed through the returns (paid to suppliers in the month)",
        )
        receivable = line(
            "vat_receivable",
            previous("vat_receivable") + output - received,
            "Output VAT billed, not yet received",
            kind="balance",
            role="vat_receivable",
        )
        quarter_end = sum_(*(in_month(m) for m in (6, 9, 12, 3)))
        paid_in = sum_(*(in_month(m) for m in (8, 11, 2, 5)))
        returned: Any = paid_in * previous("vat_quarter_due")
        if tl.mixed:  # a year's period: last year's last quarter, and three of its own
            returned = where(
                year_fraction() < 1,
                returned,
                previous("vat_payable") + (output - recoverable) * 0.75,
            )
        ret = line(
            "vat_return",
            returned,
            "VAT paid to HMRC with the quarterly return, two months after the quarter "
            "(repaid where negative)",
        )
        payable = line(
            "vat_payable",
            previous("vat_payable") + output - recoverable - ret,
            "VAT owed to HMRC, not yet paid with a return",
            kind="balance",
            role="vat_payable",
        )
        due = line(
            "vat_quarter_due",
            where(quarter_end, payable, previous("vat_quarter_due")),
            "VAT owed at the last quarter end (paid with that quarter's return)",
            kind="balance",
        )
        cash = line(
            "vat_cash",
            received - recoverable - ret,
            "VAT cash: received with income, less paid on reclaimable inputs and to HMRC",
            role="vat_cash",
        )
        return [output, received, recoverable, receivable, ret, payable, due, cash]
