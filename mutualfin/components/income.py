"""Income: the parent council's contract, traded services, the pipeline of new contracts, and
grants.

Conventions for every component here:

* **Sign.** Income and receipts are positive numbers.
* **Annual amounts.** Inputs named as a value "a year" are annual amounts in the prices of the
  timeline's first financial year; on a monthly timeline each month gets the annual amount x
  ``year_fraction()`` (one twelfth).
* **Indexation.** A single rate uplifts amounts once a financial year, from the second
  financial year of the timeline: index = (1 + rate) ^ (financial years since the start). On a
  monthly timeline the uplift is applied on 1 April (the start of each financial year). A rate
  given as a series has one value per period and compounds each period
  (:func:`mutualfin.engine.nodes.growth`): the first period's value is not used. On a timeline
  with months a series may instead give one rate per financial year, which takes effect at the
  start of its year (see :func:`mutualfin.components.base.expand_yearly`).
* **Dates.** Contract, opportunity and grant dates must fall on period boundaries (a start on
  the first day of a period, an end on the last day of one) so that whole periods are in or
  out of the contract; on an annual timeline that means 1 April to 31 March. Use a monthly
  timeline for contracts that start or end mid-year.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Count,
    Fraction,
    FractionSeries,
    FreeText,
    Limit,
    Money,
    OneLine,
    Years,
    _Number,
    bounds_of,
    field,
)
from mutualfin.components.base import Unit as _Unit
from mutualfin.components.legal_form import legal_form_of
from mutualfin.engine.nodes import (
    Expr,
    Input,
    Line,
    growth,
    period_index,
    previous,
    sum_,
    where,
    within,
    year_fraction,
    year_index,
)
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import InputError

__all__ = [
    "PROCUREMENT_ACT_2023_IN_FORCE",
    "Contract",
    "Grant",
    "Grants",
    "Opportunity",
    "Pipeline",
    "TradedIncome",
    "financial_year_number",
    "index_factor",
    "reserved_contract_limit",
]

#: Section 33 of the Procurement Act 2023 (reserved contracts for public service mutuals) came
#: into force on 24 February 2025; awards before then fall under regulation 77 of the Public
#: Contracts Regulations 2015.
PROCUREMENT_ACT_2023_IN_FORCE = dt.date(2025, 2, 24)

#: A yes/no input, shown in the workbook as a 0/1 flag that can be switched there.
Flag = Annotated[bool, _Unit("flag")]

#: A fraction or one fraction per period whose bounds :meth:`Contract.validate` checks, so that
#: the message says what is wrong (the framework's FractionSeries reports both union branches).
_Shares = Annotated[
    Annotated[float, Field(allow_inf_nan=False)]
    | list[Annotated[float, Field(allow_inf_nan=False), _Number]],
    _Unit("fraction"),
    Field(union_mode="left_to_right"),
    _Number,
]
#: the council's efficiency target: a share cut each year, 0 to 1, or one per period
_Efficiency = Annotated[
    _Shares,
    Limit(
        0,
        1,
        why="the target is the share the council cuts each year, from 0 to 1 (0.03 for 3%); "
        "use indexation for rises",
    ),
]
#: months after the month of service the council pays
_PaymentLag = Annotated[
    Count,
    Limit(
        0,
        12,
        whole=True,
        why="give whole months from 0 (monthly in advance) to 12; 1 is monthly in arrears",
    ),
]


# --------------------------------------------------------------------------------------------
# shared helpers (also used by mutualfin.savings and mutualfin.costs)
# --------------------------------------------------------------------------------------------
def financial_year_number(timeline: Timeline) -> Expr:
    """Whole financial years since the start of the timeline: 0, 1, 2, ... in each period.

    On an annual timeline this is ``period_index()``; on one with months it is the Timeline
    sheet's row of financial years since the first (:func:`~mutualfin.engine.nodes.year_index`),
    so it steps on 1 April.
    """
    if timeline.freq == "annual":
        return period_index()
    return year_index()


def index_factor(rate: Input | Expr, timeline: Timeline, *, scalar: bool | None = None) -> Expr:
    """Compound index from an annual ``rate``: 1 in the first financial year, then
    (1 + rate) ^ years (see the module docstring for series).

    ``scalar`` says whether ``rate`` has no period axis; by default it is read from the Input.
    """
    if scalar is None:
        scalar = isinstance(rate, Input) and rate.scalar
    if not scalar or timeline.freq == "annual":
        return growth(rate)
    return (1 + rate) ** financial_year_number(timeline)


def _add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months (day clipped to the month's length)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _whole_months(years: float, where: str) -> int:
    months = round(years * 12)
    if abs(years * 12 - months) > 1e-6:
        raise InputError(
            f"{where}: {years!r} years is not a whole number of months; give e.g. 2.5 or 3.25"
        )
    return months


def _term_end(start: dt.date, years: float, where: str) -> dt.date:
    """Last day of a term of ``years`` starting on ``start``."""
    return _add_months(start, _whole_months(years, where)) - dt.timedelta(days=1)


def _check_boundaries(timeline: Timeline, where: str, start: dt.date, end: dt.date) -> None:
    """Refuse a start or end that cuts a period of the timeline in two."""
    starts, ends = timeline.starts, timeline.ends
    if timeline.start < start <= timeline.end and start not in starts:
        p = timeline.period_of(start)
        raise InputError(
            f"{where}: starts on {start.isoformat()}, inside the period {timeline.labels[p]} "
            f"({starts[p].isoformat()} to {ends[p].isoformat()}); income is counted in whole "
            f"periods, so start on {starts[p].isoformat()} or use a monthly timeline"
        )
    if timeline.start <= end < timeline.end and end not in ends:
        p = timeline.period_of(end)
        raise InputError(
            f"{where}: ends on {end.isoformat()}, inside the period {timeline.labels[p]} "
            f"({starts[p].isoformat()} to {ends[p].isoformat()}); income is counted in whole "
            f"periods, so end on {ends[p].isoformat()} or use a monthly timeline"
        )


def _slug(name: str, where: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not slug or not slug[0].isalpha():
        raise InputError(
            f"{where}: name {name!r} must start with a letter (it names the inputs in the workbook)"
        )
    return slug


def _unique_slugs(items: Any, where: str, what: str) -> list[str]:
    """Slugs of the items' names, refusing a name used twice (names label workbook inputs)."""
    seen: list[str] = []
    for n, item in enumerate(items):
        slug = _slug(item.name, f"{where}[{n}]")
        if slug in seen:
            raise InputError(
                f"{where}[{n}]: name {item.name!r} is used twice; give each {what} its own name"
            )
        seen.append(slug)
    return seen


def reserved_contract_limit(award_date: dt.date) -> tuple[float, str]:
    """Longest term (years) of a contract reserved for a public service mutual awarded on
    ``award_date``, and the rule that sets it.

    >>> reserved_contract_limit(dt.date(2025, 2, 23))[0], reserved_contract_limit(
    ...     dt.date(2025, 2, 24))[0]
    (3.0, 5.0)
    """
    if award_date < PROCUREMENT_ACT_2023_IN_FORCE:
        return 3.0, (
            "regulation 77 of the Public Contracts Regulations 2015 (a reserved contract may "
            "last at most 3 years; for awards before 24 February 2025)"
        )
    return 5.0, (
        "section 33 of the Procurement Act 2023 (a reserved contract must have a maximum term "
        "of five years or less; in force from 24 February 2025)"
    )


# --------------------------------------------------------------------------------------------
# the parent council's contract
# --------------------------------------------------------------------------------------------
class Contract(Component):
    """The core contract from the parent council.

    Parameters
    ----------
    annual_value : GBP a year
        Contract value in the timeline's first financial year (before any efficiency cut of
        later years). Required.
    indexation : fraction a year or series, default 0.0
        Annual uplift of the price (e.g. 0.02 for 2%); see the module docstring.
    efficiency_target : fraction a year or series, default 0.0
        The council's efficiency saving asked for each year, from the second financial year,
        cumulative: year n is cut by (1 - target) again. 0 to 1.
    start_date : date
        First day of the contract. Required.
    term_years : years
        Initial term (whole months; e.g. 5). Required, above 0.
    break_after_years : years, default 0 (no break)
        A break option: the contract may end after this many years (the break date is
        ``start_date`` + ``break_after_years``). Below ``term_years``.
    break_exercised : flag, default False
        Whether the case assumes the break is used (no income from the break date).
    extension_years : years, default 0
        Optional extension after the initial term (e.g. 5 for "5 + 5 years").
    extension_taken : flag, default False
        Whether the case assumes the extension is taken (income continues through it).
    payment_lag_months : count, default 0
        When the council pays: 0 = monthly in advance, 1 = monthly in arrears, n = n months
        after the month of service (whole months, 0 to 12). Moves cash, not income.
    reserved_for_mutual : bool, default False
        The contract is reserved for a public service mutual; its whole term (with any
        extension) is then checked against the legal maximum.
    award_date : date, optional
        Date of award; decides the rule for a reserved contract (before 24 February 2025:
        regulation 77 PCR 2015, at most 3 years; from that day: section 33 Procurement Act
        2023, at most 5 years). Required when ``reserved_for_mutual``.
    previous_reserved_award_date : date, optional
        When the same council last awarded this mutual a reserved contract for the same kind
        of services; within 3 years before ``award_date`` the mutual does not qualify
        (PA 2023 s.33(5); PCR 2015 reg. 77).
    vat_status : {"standard_rated", "exempt"}, optional
        The VAT status of the services supplied under the contract. By default it follows the
        case's legal form: welfare services are exempt when supplied by a charity or a
        state-regulated body (VATA 1994 Sch.9 Group 7 item 9), else standard-rated (the council
        then pays VAT on the price and recovers it under VATA 1994 s.33, so its cost is the
        price). "exempt" for a body that can supply neither is refused. It decides the VAT
        the mutual cannot recover on its inputs
        (:class:`~mutualfin.components.costs.VatLeakage`).

    Lines (sheet "Income")
    ----------------------
    ``contract_initial_term``, ``contract_extension``, ``contract_break_point`` (flags)
        Periods in the initial term, in the extension, and containing the break date.
    ``contract_active`` (flag)
        Periods in which the contract pays: initial term, plus the extension if taken, up to
        the break if exercised.
    ``contract_price_index``, ``contract_efficiency_factor`` (ratio)
        Indexation index and cumulative efficiency factor (1 in the first year).
    ``contract_income`` (GBP, flow)
        annual_value x price index x efficiency factor x year_fraction x active. Income is
        recognised in the period of service.
    ``contract_receipts`` (GBP, flow)
        Cash received. Annual periods: income x (1 - lag/12) + previous year's income x
        lag/12 (income taken as even over the year). Monthly periods: the income of ``lag``
        months earlier. Before the first period income is taken as 0, so arrears lose the
        first lag months' cash to the timeline's end. On months then years,
        ``contract_income_unreceived`` (earned, not yet received at the period end: the last
        ``lag`` months' income, or ``lag/12`` of a year's) gives receipts = income + owed at
        the last period end - owed at this one.

    Notes
    -----
    Reserved contracts: Public Contracts Regulations 2015 reg. 77 (maximum duration 3 years;
    no reserved award to the same organisation for the same services within the past 3
    years); Procurement Act 2023 s.33(1)(b) (maximum term five years or less) and s.33(5)
    (not a qualifying public service mutual if it entered a comparable contract in the three
    years ending with the award), in force from 24 February 2025.

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> c = Contract(annual_value=1_000_000, efficiency_target=0.05, start_date="2026-04-01",
    ...              term_years=3, payment_lag_months=1)
    >>> tl = mf.Timeline(2026, years=3)
    >>> ev = mf.Model(tl, c.build(BuildContext(tl, c))).evaluate()
    >>> ev["contract_income"].round(2).tolist()
    [1000000.0, 950000.0, 902500.0]
    >>> ev["contract_receipts"].round(2).tolist()
    [916666.67, 954166.67, 906458.33]
    """

    key = "contract"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {
        "contract_income": "council_income",
        "contract_receipts": "receipts:contract_income",
    }
    sheet = "Income"

    class Inputs(ComponentInputs):
        annual_value: Money = field("Contract value in the first financial year (GBP a year)")
        indexation: _Shares = field("Annual indexation of the contract price", default=0.0)
        efficiency_target: _Efficiency = field(
            "Council's efficiency target each year (cumulative cut from the second year)",
            default=0.0,
        )
        start_date: dt.date = field("First day of the contract")
        term_years: Years = field("Initial term of the contract (years)")
        break_after_years: Years = field("Break option after this many years (0 = none)", 0.0)
        break_exercised: Flag = field("Case assumes the break option is used (1) or not (0)", False)
        extension_years: Years = field("Optional extension after the initial term (years)", 0.0)
        extension_taken: Flag = field("Case assumes the extension is taken (1) or not (0)", False)
        payment_lag_months: _PaymentLag = field(
            "Payment timing: months after the month of service (0 advance, 1 arrears)", 0
        )
        reserved_for_mutual: bool = field("Contract reserved for a public service mutual", False)
        award_date: dt.date | None = field("Date the contract is awarded", None)
        previous_reserved_award_date: dt.date | None = field(
            "Last reserved award to the mutual for the same services by this council", None
        )
        vat_status: Literal["standard_rated", "exempt"] | None = field(
            "VAT status of the contract's services (default: from the legal form)", None
        )

    # -- checks -------------------------------------------------------------------------------
    @property
    def end_date(self) -> dt.date:
        """Last day of the initial term."""
        i = self.inputs
        return _term_end(i.start_date, i.term_years, f"{self.key}.term_years")

    @property
    def extension_end_date(self) -> dt.date:
        """Last day of the extension (the initial end when there is none)."""
        i = self.inputs
        months = _whole_months(i.term_years + i.extension_years, f"{self.key}.extension_years")
        return _add_months(i.start_date, months) - dt.timedelta(days=1)

    @property
    def break_date(self) -> dt.date | None:
        """First day without the contract if the break is exercised; None without a break."""
        i = self.inputs
        if i.break_after_years == 0:
            return None
        months = _whole_months(i.break_after_years, f"{self.key}.break_after_years")
        return _add_months(i.start_date, months)

    def validate(self) -> None:
        i, k = self.inputs, self.key
        if i.term_years <= 0:
            raise InputError(
                f"{k}.term_years: {i.term_years:g} puts the end before the start date "
                f"{i.start_date.isoformat()}; give the initial term in years, above 0"
            )
        self.end_date  # noqa: B018 - whole-month check
        self.extension_end_date  # noqa: B018
        self.break_date  # noqa: B018
        for name in ("indexation", "efficiency_target"):
            values = getattr(i, name)
            values = values if isinstance(values, list) else [values]
            for v in values:
                if not -1 <= v <= 1:  # a fraction's unit rule, said as for a percentage
                    raise InputError(
                        f"{k}.{name}: {v!r} is a fraction, so it means {v * 100:g}%; "
                        f"give {v / 100:g} for {v:g}%"
                    )
        if i.break_after_years and i.break_after_years >= i.term_years:
            raise InputError(
                f"{k}.break_after_years: {i.break_after_years:g} is not before the end of the "
                f"{i.term_years:g}-year term; a break must fall inside the initial term"
            )
        if i.break_exercised and not i.break_after_years:
            raise InputError(
                f"{k}.break_exercised: there is no break option; set break_after_years"
            )
        if i.extension_taken and not i.extension_years:
            raise InputError(f"{k}.extension_taken: there is no extension; set extension_years")
        if i.reserved_for_mutual:
            self._check_reserved()

    def _check_reserved(self) -> None:
        i, k = self.inputs, self.key
        if i.award_date is None:
            raise InputError(
                f"{k}.award_date: missing; a contract reserved for a mutual needs its award date "
                "(before 24 February 2025 regulation 77 PCR 2015 allows 3 years, from then "
                "section 33 Procurement Act 2023 allows 5)"
            )
        limit, rule = reserved_contract_limit(i.award_date)
        total = i.term_years + i.extension_years
        if total > limit + 1e-9:
            with_ext = (
                f" including the {i.extension_years:g}-year extension"
                if (i.extension_years)
                else ""
            )
            raise InputError(
                f"{k}.term_years: a contract reserved for a mutual awarded on "
                f"{i.award_date.isoformat()} may run at most {limit:g} years under {rule}; "
                f"this one runs {total:g} years{with_ext}. Shorten the term, or set "
                "reserved_for_mutual = false if the contract is openly competed"
            )
        prev = i.previous_reserved_award_date
        if prev is not None:
            three_years_before = _add_months(i.award_date, -36)
            if prev > i.award_date:
                raise InputError(
                    f"{k}.previous_reserved_award_date: {prev.isoformat()} is after the award "
                    f"date {i.award_date.isoformat()}"
                )
            if prev > three_years_before:
                act = (
                    "section 33(5) of the Procurement Act 2023"
                    if i.award_date >= PROCUREMENT_ACT_2023_IN_FORCE
                    else "regulation 77 of the Public Contracts Regulations 2015"
                )
                raise InputError(
                    f"{k}.previous_reserved_award_date: the mutual was awarded a reserved "
                    f"contract for the same services on {prev.isoformat()}, within 3 years of "
                    f"{i.award_date.isoformat()}; under {act} it cannot be awarded another "
                    "reserved contract for them until "
                    f"{_add_months(prev, 36).isoformat()}"
                )

    # -- lines -------------------------------------------------------------------------------
    def vat_status(self, ctx: BuildContext) -> str:
        """The contract's VAT status: as given, or from the case's legal form (exempt welfare
        services need a charity or a state-regulated body, VATA 1994 Sch.9 Group 7)."""
        legal = legal_form_of(ctx)
        given = self.inputs.vat_status
        if given == "exempt" and not legal.can_supply_exempt_welfare:
            raise InputError(
                f"{self.key}.vat_status: 'exempt' needs a charity or a state-regulated body "
                f"(VATA 1994 Sch.9 Group 7 item 9), and the legal form is: {legal.name}; set "
                "[legal_form] state_regulated = true if the mutual is registered with a "
                "regulator for these services, or give vat_status = 'standard_rated'"
            )
        if given is not None:
            return given
        return "exempt" if legal.can_supply_exempt_welfare else "standard_rated"

    def build(self, ctx: BuildContext) -> list[Line]:
        i, tl, s = self.inputs, ctx.timeline, self.sheet
        self.vat_status(ctx)  # refuses a status the legal form cannot have
        last = self.extension_end_date if i.extension_years else self.end_date
        if i.start_date > tl.end or last < tl.start:
            raise InputError(
                f"{self.key}: runs from {i.start_date.isoformat()} to {last.isoformat()}, wholly "
                f"outside the timeline ({tl.start.isoformat()} to {tl.end.isoformat()}), so it "
                "would bring no income; check start_date and term_years, or [timeline] start"
            )
        _check_boundaries(tl, f"{self.key} (initial term)", i.start_date, self.end_date)
        if i.extension_years:
            _check_boundaries(tl, f"{self.key} (extension)", i.start_date, self.extension_end_date)
        brk = self.break_date
        if brk is not None:
            _check_boundaries(tl, f"{self.key} (break)", brk, self.end_date)

        def flag(name: str, expr: Any, label: str) -> Line:
            return Line(name, expr, unit="flag", label=label, kind="value", sheet=s)

        initial = flag(
            "contract_initial_term",
            within(i.start_date, self.end_date),
            f"In the initial term ({i.start_date.isoformat()} to {self.end_date.isoformat()})",
        )
        if i.extension_years:
            ext_expr: Any = within(self.end_date + dt.timedelta(days=1), self.extension_end_date)
            ext_label = f"In the optional extension (to {self.extension_end_date.isoformat()})"
        else:
            ext_expr, ext_label = 0.0, "In the optional extension (none)"
        extension = flag("contract_extension", ext_expr, ext_label)
        if brk is not None:
            break_point = flag(
                "contract_break_point",
                within(brk, brk),
                f"Contains the break date ({brk.isoformat()})",
            )
            after_break: Any = within(brk, None) * ctx.input("break_exercised")
        else:
            break_point = flag("contract_break_point", 0.0, "Contains the break date (none)")
            after_break = 0.0
        active = flag(
            "contract_active",
            (initial + extension * ctx.input("extension_taken")) * (1 - after_break),
            "Contract paying in the period (term, extension if taken, to the break if used)",
        )
        price_index = Line(
            "contract_price_index",
            index_factor(ctx.input("indexation", yearly="rate"), tl),
            unit="ratio",
            label="Contract price index (1 in the first year)",
            kind="value",
            sheet=s,
        )
        eff = ctx.input("efficiency_target", yearly="rate")
        efficiency = Line(
            "contract_efficiency_factor",
            index_factor(-eff, tl, scalar=eff.scalar),
            unit="ratio",
            label="Cumulative efficiency factor: product of (1 - target) from the second year",
            kind="value",
            sheet=s,
        )
        income = Line(
            "contract_income",
            ctx.input("annual_value") * price_index * efficiency * year_fraction() * active,
            label="Contract income from the parent council",
            sheet=s,
        )
        lines = [initial, extension, break_point, active, price_index, efficiency, income]
        lines.extend(self._receipts(ctx, income))
        return lines

    def _receipts(self, ctx: BuildContext, income: Line) -> list[Line]:
        lag = int(self.inputs.payment_lag_months)
        label = "Contract receipts (cash from the council, after the payment lag)"
        if ctx.timeline.mixed:
            return self._receipts_mixed(ctx, income, lag, label)
        if ctx.timeline.freq == "annual":
            lag_in = ctx.input("payment_lag_months")
            expr = income * (1 - lag_in / 12) + previous(income) * (lag_in / 12)
            return [Line("contract_receipts", expr, label=label, sheet=self.sheet)]
        out: list[Line] = []
        source: Line = income
        for n in range(1, lag):
            source = Line(
                f"contract_income_lag{n}",
                previous(source),
                label=f"Contract income {n} month{'s' * (n > 1)} earlier",
                sheet=self.sheet,
            )
            out.append(source)
        expr = previous(source) if lag else income
        out.append(Line("contract_receipts", expr, label=label, sheet=self.sheet))
        return out

    def _receipts_mixed(self, ctx: BuildContext, income: Line, lag: int, label: str) -> list:
        """Receipts on months then years, from what is owed at each period end."""
        if not lag:
            return [Line("contract_receipts", income, label=label, sheet=self.sheet)]
        out: list[Line] = []
        source: Line = income
        recent: list[Line] = [income]
        for n in range(1, lag):
            source = Line(
                f"contract_income_lag{n}",
                previous(source),
                label=f"Contract income {n} month{'s' * (n > 1)} earlier (in months)",
                sheet=self.sheet,
            )
            out.append(source)
            recent.append(source)
        lag_in = ctx.input("payment_lag_months")
        owed = Line(
            "contract_income_unreceived",
            where(year_fraction() < 1, sum_(*recent), income * lag_in / 12),
            kind="balance",
            label="Contract income earned, not yet received at the period end (the last "
            "months' income; a year's income x lag / 12)",
            sheet=self.sheet,
        )
        out.append(owed)
        out.append(
            Line(
                "contract_receipts",
                income + previous(owed) - owed,
                label=label,
                sheet=self.sheet,
            )
        )
        return out


# --------------------------------------------------------------------------------------------
# traded services
# --------------------------------------------------------------------------------------------
class TradedIncome(Component):
    """Traded services sold to customers other than the parent council (e.g. schools buying
    support).

    Parameters
    ----------
    customers : count
        Customers in the first financial year. Required.
    price : GBP per unit
        Price of one unit (a service, a session, a subscription) in the first year. Required.
    volume_per_customer : count a year, default 1
        Units each customer buys a year.
    customer_growth : fraction a year, default 0.0
        New customers won each year as a share of last year's customers.
    churn : fraction a year, default 0.0
        Share of customers lost each year (0 to 1).
    price_indexation : fraction a year or series, default 0.0
        Annual price uplift.

    Lines (sheet "Income")
    ----------------------
    ``traded_customers`` (count)
        customers x ((1 + customer_growth) x (1 - churn)) ^ years, from the second year.
    ``traded_income`` (GBP, flow)
        traded_customers x volume_per_customer x price x price index x year_fraction.
    """

    key = "traded"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"traded_income": "income"}
    sheet = "Income"

    class Inputs(ComponentInputs):
        customers: Count = field("Customers in the first financial year")
        price: Money = field("Price per unit in the first year (GBP)")
        volume_per_customer: Count = field("Units each customer buys a year", 1.0)
        customer_growth: Annotated[
            Fraction, Limit(0, why="give a share from 0 to 1 (use churn for the other direction)")
        ] = field("New customers each year, share of last year's", 0.0)
        churn: Annotated[
            Fraction,
            Limit(0, why="give a share from 0 to 1 (use customer_growth for the other direction)"),
        ] = field("Customers lost each year, share of last year's", 0.0)
        price_indexation: FractionSeries = field("Annual price uplift", 0.0)

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        net = (1 + ctx.input("customer_growth")) * (1 - ctx.input("churn")) - 1
        customers = Line(
            "traded_customers",
            ctx.input("customers") * index_factor(net, tl, scalar=True),
            unit="count",
            label="Traded-service customers (after growth and churn)",
            kind="value",
            sheet=s,
        )
        income = Line(
            "traded_income",
            customers
            * ctx.input("volume_per_customer")
            * ctx.input("price")
            * index_factor(ctx.input("price_indexation", yearly="rate"), tl)
            * year_fraction(),
            label="Traded-service income",
            sheet=s,
        )
        return [customers, income]


# --------------------------------------------------------------------------------------------
# new contracts: the pipeline
# --------------------------------------------------------------------------------------------
class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Opportunity(_Item):
    """A contract the mutual is bidding for: its value a year, dates and chance of winning."""

    name: OneLine = Field(description="Short name, e.g. 'Schools HR'")
    annual_value: Money = Field(description="Contract value a year if won (GBP, first-year prices)")
    start_date: dt.date = Field(description="First day of the contract")
    term_years: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="Term in years"
    )
    win_probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Probability of winning (0 to 1)"
    )
    source: FreeText = ""


class Pipeline(Component):
    """New contracts the mutual expects to bid for, weighted by the chance of winning.

    Parameters
    ----------
    opportunities : list of tables
        Each ``{name, annual_value, start_date, term_years, win_probability, source}``
        (source optional). Names must be distinct.
    indexation : fraction a year or series, default 0.0
        Annual uplift of all the values.

    Lines (sheet "Income")
    ----------------------
    ``pipeline_income_unweighted`` (GBP, flow)
        Value of all opportunities in the periods they would run, as if all were won.
    ``pipeline_income`` (GBP, flow)
        The same, each weighted by its win probability (the expected value): a planning figure,
        not a commitment; use scenarios for won/lost.
    """

    key = "pipeline"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {"pipeline_income": "income"}
    sheet = "Income"

    class Inputs(ComponentInputs):
        opportunities: list[Opportunity] = field("Contracts bid for", default=[])
        indexation: FractionSeries = field("Annual uplift of opportunity values", 0.0)

    def validate(self) -> None:
        opportunities = self.inputs.opportunities
        slugs = _unique_slugs(opportunities, f"{self.key}.opportunities", "opportunity")
        for slug, opp in zip(slugs, opportunities, strict=True):
            _term_end(opp.start_date, opp.term_years, f"{self.key}.{slug}.term_years")

    def build(self, ctx: BuildContext) -> list[Line]:
        tl, s = ctx.timeline, self.sheet
        weighted: list[Any] = []
        unweighted: list[Any] = []
        for opp in self.inputs.opportunities:
            slug = _slug(opp.name, self.key)
            end = _term_end(opp.start_date, opp.term_years, f"{self.key}.{slug}.term_years")
            _check_boundaries(tl, f"{self.key}.{slug}", opp.start_date, end)
            value = Input(
                f"{self.key}.{slug}_annual_value",
                opp.annual_value,
                unit="GBP",
                label=f"{opp.name}: contract value a year if won",
                source=opp.source,
                bounds=bounds_of(Opportunity.model_fields["annual_value"]),
            )
            prob = Input(
                f"{self.key}.{slug}_win_probability",
                opp.win_probability,
                unit="fraction",
                label=f"{opp.name}: probability of winning",
                source=opp.source,
                bounds=bounds_of(Opportunity.model_fields["win_probability"]),
            )
            running = value * within(opp.start_date, end)
            unweighted.append(running)
            weighted.append(running * prob)
        factor = index_factor(ctx.input("indexation", yearly="rate"), tl) * year_fraction()
        return [
            Line(
                "pipeline_income_unweighted",
                sum_(*unweighted) * factor if unweighted else 0.0,
                label="Pipeline contracts if all were won",
                sheet=s,
            ),
            Line(
                "pipeline_income",
                sum_(*weighted) * factor if weighted else 0.0,
                label="Pipeline contracts weighted by win probability (expected income)",
                sheet=s,
            ),
        ]


# --------------------------------------------------------------------------------------------
# grants
# --------------------------------------------------------------------------------------------
class Grant(_Item):
    """A grant: amount and the date it is received (it falls in the period containing it)."""

    name: OneLine = Field(description="Short name, e.g. 'Transition grant'")
    amount: Money = Field(description="GBP")
    date: dt.date = Field(description="Date received")
    source: FreeText = ""


class Grants(Component):
    """Grants with their dates (e.g. a transition grant from the council, a Mutuals Support
    Programme award).

    Parameters
    ----------
    grants : list of tables
        Each ``{name, amount, date, source}`` (source optional); each amount (GBP, positive)
        falls in the period containing its date, which must be inside the timeline.

    Lines (sheet "Income")
    ----------------------
    ``grant_income`` (GBP, flow)
        Sum of the grants received in each period.
    ``grant_receipts`` (GBP, flow)
        The cash: a grant is received on its date, not after the case's debtor days (role
        ``receipts:grant_income``).

    Examples
    --------
    >>> import mutualfin as mf
    >>> from mutualfin.components.base import BuildContext
    >>> g = Grants(grants=[{"name": "Transition", "amount": 100_000, "date": "2026-06-30"}])
    >>> tl = mf.Timeline(2026, years=2)
    >>> mf.Model(tl, g.build(BuildContext(tl, g))).evaluate()["grant_income"].tolist()
    [100000.0, 0.0]
    """

    key = "grants"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {
        "grant_income": "income",
        "grant_receipts": "receipts:grant_income",
    }
    sheet = "Income"

    class Inputs(ComponentInputs):
        grants: list[Grant] = field("Grants with their dates", default=[])

    def validate(self) -> None:
        _unique_slugs(self.inputs.grants, f"{self.key}.grants", "grant")

    def build(self, ctx: BuildContext) -> list[Line]:
        tl = ctx.timeline
        parts: list[Any] = []
        for grant in self.inputs.grants:
            slug = _slug(grant.name, self.key)
            if not tl.start <= grant.date <= tl.end:
                raise InputError(
                    f"{self.key}.{slug}: date {grant.date.isoformat()} is outside the timeline "
                    f"{tl.start.isoformat()} to {tl.end.isoformat()}; move the date or "
                    "lengthen the timeline"
                )
            amount = Input(
                f"{self.key}.{slug}_amount",
                grant.amount,
                unit="GBP",
                label=f"{grant.name} ({grant.date.isoformat()})",
                source=grant.source,
                bounds=bounds_of(Grant.model_fields["amount"]),
            )
            parts.append(amount * within(grant.date, grant.date))
        income = Line(
            "grant_income",
            sum_(*parts) if parts else 0.0,
            label="Grant income",
            sheet=self.sheet,
        )
        receipts = Line(
            "grant_receipts",
            income,
            label="Grant receipts (received on the grant's date)",
            sheet=self.sheet,
        )
        return [income, receipts]
