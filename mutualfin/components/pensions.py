"""Local Government Pension Scheme (LGPS, England and Wales): calculators and the admitted
body pension model.

The calculators are vectorised over members: arrays in give arrays out, with no Python loop
per member. :class:`LgpsAdmission` (key ``lgps``, sheet "Pensions") models the mutual's LGPS
admission agreement, which is how the Best Value Authorities Staff Transfers (Pensions)
Direction 2007 is met in practice for staff transferring under TUPE.

Sign convention: contributions, pensions, liabilities and payments are positive pounds;
``lgps_surplus_ongoing`` is assets less liabilities (negative for a deficit).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from mutualfin.components.base import (
    MAX_MONEY,
    BuildContext,
    ComponentInputs,
    Fraction,
    FractionSeries,
    Limit,
    MoneySeries,
    Ratio,
    Years,
    _Number,
    field,
)
from mutualfin.components.income import index_factor
from mutualfin.components.staff import RosterComponent
from mutualfin.components.timing import EDGE, ended_by, paid_in_arrears, started_before
from mutualfin.engine.nodes import (
    Input,
    Line,
    abs_,
    by_year,
    from_year,
    growth,
    max_,
    param,
    period_index,
    previous,
    ref,
    sum_periods,
    total,
    where,
    year_fraction,
    years_elapsed,
)
from mutualfin.errors import InputError, ParameterRangeError
from mutualfin.params import resolve_store, warn_held
from mutualfin.uk.pensions import lgps_care_accrual, lgps_employee_rate

__all__ = ["YEARLY_SHEET", "LgpsAdmission", "lgps_care_accrual", "lgps_employee_rate"]

#: the sheet of the admission's valuation by financial year, on a timeline with months
YEARLY_SHEET = "Pensions by year"

#: a figure from the fund actuary, in pounds or a factor, replacing an estimate
_Actuary = Annotated[
    float | None,
    Field(allow_inf_nan=False),
    _Number,
    Limit(0, MAX_MONEY, why="give the actuary's figure in pounds (or the factor), 0 or more"),
]


def _annuity_factor(net_rate: Any, years: Any) -> Any:
    """Annuity-certain of 1 a year for ``years`` years, paid yearly in arrears, at a net rate
    ``j``: ``(1 - (1 + j)^-years) / j`` (``years`` when ``j`` is 0)."""
    return where(abs_(net_rate) < 1e-9, years, (1 - (1 + net_rate) ** (-years)) / net_rate)


class LgpsAdmission(RosterComponent):
    """The mutual's LGPS admission agreement: contributions under its risk-sharing terms,
    accrued CARE pensions, a simple valuation on an ongoing and an exit basis, and what the
    end of the admission costs (or pays) whom.

    **This is an estimate for a business case, not an actuarial valuation.** Every figure can
    be replaced by the fund actuary's: ``actuary_annuity_factor``, ``actuary_opening_assets``,
    ``actuary_exit_payment`` and ``actuary_bond`` override the estimates, and the roster's
    ``accrued_pension`` column replaces the estimate of pensions accrued before the transfer.

    Legal frame: staff transferring under TUPE keep the same, broadly comparable or better
    pension under the Best Value Authorities Staff Transfers (Pensions) Direction 2007, met by
    an admission agreement (LGPS Regulations 2013 reg.3(1)(b) and Sch.2 Part 3). The fund
    actuary sets the employer's primary and secondary rates (reg.62). When the admission ends,
    an exit valuation sets an exit payment, or an exit credit the administering authority
    decides having regard to the risk the employer bore (reg.64(1), (2) and (2ZAB), as amended
    by SI 2020/179); the payment may be spread (a debt spreading agreement, reg.64B) or the
    employer may stay on as a deferred employer (a deferred debt agreement, reg.64(7A)), or the
    council may subsume the liabilities.

    **Exit credits are not banked by default.** The administering authority decides an exit
    credit, having regard to the risk the employer bore (reg.64(2ZAB)); the case counts
    ``exit_credit_share`` of the estimated surplus (0 by default, prudently), while
    ``lgps_exit_position`` shows the estimate either way.

    **What reaches the mutual's statements.** ``lgps_contributions_mutual`` (role ``pay``):
    the mutual's employer contributions, primary plus secondary under full risk, the fixed
    rate under pass-through; ``lgps_bond_premium`` (role ``cost``); under full risk the exit
    payment (``lgps_exit_payment``, role ``one_off``) or credit (``lgps_exit_credit``, role
    ``income``). Under pass-through the council's top-up (``lgps_contributions_council``) and
    its exit settlement (``lgps_exit_settlement_council``) are council costs (role
    ``council_cost``) that the commissioner's appraisal counts. With ``exit_treatment =
    "subsumed"`` the council takes the liabilities and any ongoing-basis deficit
    (``lgps_subsumed_deficit_council``).

    Lines (sheet "Pensions"), pounds a year or pounds at each year end:

    ``lgps_pensionable_pay_employee``, ``lgps_pensionable_pay``
        The case's staff pay of LGPS members (``pay_employee`` of
        :class:`~mutualfin.components.staff.StaffCosts`: pay awards, drift, vacancies and
        leavers), or without a staff model ``salary x fte x growth(pay_growth)``.
    ``care_pension_employee``, ``care_pension``
        The CARE account (regs.23-24): ``(previous + pay x 1/49) x (1 + cpi_revaluation)``,
        1/98 in the 50/50 section, opening with the pension accrued at the transfer (the
        roster's ``accrued_pension``, else pay x years of service x the accrual fraction, as if
        all service were CARE); members who do not transfer are left out.
    ``annuity_factor_ongoing``, ``annuity_factor_exit`` (ratio)
        Value of 1 a year of pension for ``life_expectancy`` years, increasing with
        ``valuation_cpi``, at the basis rate ``d``: with ``j = (1 + d) / (1 + valuation_cpi)
        - 1``, ``(1 - (1 + j)^-L) / j``.
    ``lgps_liability_ongoing``, ``lgps_liability_exit``
        Sum over members of ``care_pension x (1 + j)^-n x annuity factor``, ``n`` the years to
        ``normal_pension_age``. The exit basis discounts at the long gilt yield
        (``exit_basis = "gilts"``, ``gilt_discount_rate``: the low-risk basis funds use on
        exit) or is the ongoing liability x ``exit_multiple``.
    ``lgps_contributions_required``
        ``(primary_rate + secondary_rate) x pensionable pay + secondary_amount``.
    ``lgps_assets``
        Opening: the ongoing liability at transfer (a fully funded start, DCLG 2009
        admitted-body guidance) or the actuary's figure; then ``previous x (1 +
        asset_return) + employer and employee contributions`` (active members only).
    ``lgps_surplus_ongoing``, ``lgps_exit_position``
        Assets less the ongoing and the exit liability (negative: a deficit).
    ``lgps_bond``
        ``bond_share x`` the exit deficit (or ``actuary_bond``): a stock, not a cost; its
        premium (``bond_premium_rate`` a year of the bond) is ``lgps_bond_premium``.

    Month by month
    --------------
    On a timeline with months, pay and contributions are a month's. The valuation is a
    year-end valuation, so its lines are **by financial year** (sheet "Pensions by year", from
    the year's pay and contributions by ``by_year``): the CARE account revalued at each year
    end (the balance at 31 March is revalued on 1 April, regs.23-24), liabilities, assets,
    surplus, the exit position and the bond. The exit falls in the month the contract ends
    (``lgps_exit_month``), a spread or deferred debt in equal monthly instalments over
    ``spread_years``; the secondary amount and the bond premium are a twelfth of a year's a
    month. The mutual's contributions are paid to the fund the month after
    (``lgps_contributions_paid``, role ``payments:lgps_contributions_mutual``): employee
    contributions within the period of the Pensions Act 1995 s.49(8), by the 19th of the month
    after deduction (Occupational Pension Schemes (Scheme Administration) Regulations 1996
    reg.16; LGPS Regulations 2013 reg.69(2)), and funds take the employer's with them.

    Notes
    -----
    The valuation is deliberately simple: no mortality before retirement, no spouses'
    pensions, no lump sums, no pre-2014 final-salary benefits, annual timing. In March 2022
    the scheme was 67% funded on a low-risk (gilts) basis against 107% on funds' own bases;
    by 31 March 2025 gilt yields had risen and it was 126% funded on the low-risk basis
    (Isio, LGPS low-risk funding index), so an exit now tends to end in a credit rather than
    a payment. The fund actuary's figures should replace these for decisions.
    """

    key = "lgps"
    sheet = "Pensions"
    default_sources: ClassVar[dict[str, str]] = {
        "primary_rate": "parameter lgps.employer_primary_rate_average (the fund actuary sets "
        "the real rate)",
        "gilt_discount_rate": "parameter gilts.long_nominal_yield (the fund's exit basis "
        "decides the real rate)",
    }

    class Inputs(ComponentInputs):
        risk_sharing: Literal["full_risk", "pass_through"] = field(
            "Risk-sharing: full_risk (mutual bears it) or pass_through (fixed rate)",
            default="full_risk",
        )
        fixed_rate: Fraction = field(
            "Pass-through: the fixed employer rate the mutual pays (% of pay)", default=0.0
        )
        primary_rate: Fraction | None = field(
            "Employer primary rate set by the actuary (default: the scheme average)",
            default=None,
        )
        secondary_rate: Fraction = field("Employer secondary rate (% of pay)", default=0.0)
        secondary_amount: MoneySeries = field(
            "Employer secondary contribution, pounds a year", default=0.0
        )
        pay_growth: FractionSeries = field(
            "Pensionable pay growth a year, from the second year (only without [staff])",
            default=0.0,
        )
        cpi_revaluation: FractionSeries = field(
            "CARE revaluation (CPI) applied at each year end", default=0.02
        )
        valuation_cpi: Fraction = field("CPI assumed in the valuation", default=0.02)
        discount_rate: Fraction = field("Ongoing-basis discount rate (nominal)", default=0.05)
        exit_basis: Literal["gilts", "multiple"] = field(
            "Exit basis: discount at the long gilt yield, or the ongoing liability x a multiple",
            default="gilts",
        )
        gilt_discount_rate: Fraction | None = field(
            "Exit basis: long gilt yield (default: the dated parameter)", default=None
        )
        exit_multiple: Ratio = field("Exit basis: exit liability / ongoing liability", default=1.0)
        exit_treatment: Literal["payment", "spread", "deferred", "subsumed"] = field(
            "At exit: a payment (or credit), spread (reg.64B), deferred debt (reg.64(7A)), or "
            "subsumed by the council",
            default="payment",
        )
        spread_years: Annotated[
            Years, Limit(1, whole=True, why="give the years the debt is paid over, a whole number")
        ] = field("Years a spread or deferred exit debt is paid over", default=3.0)
        exit_credit_share: Fraction = field(
            "Share of an exit surplus the case counts as a credit (the fund decides it, "
            "reg.64(2ZAB); 0 banks none)",
            default=0.0,
        )
        life_expectancy: Annotated[Years, Limit(0, low_open=True)] = field(
            "Years a pension is paid from pension age", default=23.0
        )
        normal_pension_age: Years = field("Normal pension age", default=67.0)
        asset_return: Fraction = field("Return on the admission's assets a year", default=0.05)
        contract_years: Annotated[
            Years, Limit(1, whole=True, why="give the contract's length in whole years")
        ] = field("Contract length in years: the exit is at the end of the last", default=5.0)
        bond_share: Fraction = field("Bond as a share of the exit deficit estimate", default=1.0)
        bond_premium_rate: Fraction = field(
            "Premium a year for the bond, as a share of the bond", default=0.0
        )
        actuary_annuity_factor: _Actuary = field(
            "Actuary's annuity factor (replaces the ongoing estimate)", default=None
        )
        actuary_opening_assets: _Actuary = field(
            "Actuary's assets allocated at transfer (replaces the fully funded start)",
            default=None,
        )
        actuary_exit_payment: _Actuary = field(
            "Actuary's exit payment (replaces the estimate)", default=None
        )
        actuary_bond: _Actuary = field(
            "Actuary's bond amount (replaces the estimate)", default=None
        )

    def validate(self) -> None:
        i = self.inputs
        if i.risk_sharing == "pass_through":
            if i.fixed_rate <= 0:
                raise InputError(
                    "lgps.fixed_rate: pass-through needs the fixed rate the mutual pays (e.g. 0.16)"
                )
            borne = [
                n
                for n in ("primary_rate", "secondary_rate", "secondary_amount")
                if self._meta.get(n, {}).get("uncertainty") is not None
            ]
            if borne:
                raise InputError(
                    f"lgps.{borne[0]}: under pass-through the mutual pays the fixed rate and "
                    "does not bear this rate, so its uncertainty would vary nothing the mutual "
                    "pays; put the uncertainty on the council's side (the appraisal) or use "
                    "full_risk"
                )

    def _scalar(
        self, ctx: BuildContext, name: str, value: float, unit: str, label: str, source: str
    ) -> Input:
        full = f"{self.key}.{name}"
        if full not in ctx.created:
            meta = self._meta.get(name, {})
            ctx.created[full] = Input(
                full,
                float(value),
                unit=unit,
                label=str(meta.get("label") or label),
                source=str(meta.get("source") or source),
                uncertainty=meta.get("uncertainty"),
            )
        return ctx.created[full]

    def _dated_default(self, ctx: BuildContext, name: str, parameter: str, label: str) -> Input:
        """An input whose default is a dated parameter's value at the start of the case."""
        value = getattr(self.inputs, name)
        if value is not None:
            return ctx.input(name)
        store = resolve_store(ctx.params)
        try:
            found = warn_held(store.get(parameter).at(ctx.timeline.start))
        except ParameterRangeError:
            first = store.get(parameter).first_date
            raise InputError(
                f"lgps.{name}: its default is the parameter {parameter}, whose data start on "
                f"{first}, after the case starts ({ctx.timeline.start}); give lgps.{name}"
            ) from None
        return self._scalar(
            ctx,
            name,
            float(found.value),
            "fraction",
            label,
            f"parameter {parameter} on {ctx.timeline.start}: {found.source}",
        )

    def opening_pensions(self) -> tuple[np.ndarray, str]:
        """Accrued pension per member at the transfer, and where it came from."""
        r = self.roster
        member = r.member_of("LGPS")
        fraction = np.where(r.fifty_fifty == 1, 1 / 98, 1 / 49)
        estimate = r.pay * r.service_years * fraction
        given = ~np.isnan(r.accrued_pension)
        out = np.where(given, np.nan_to_num(r.accrued_pension), estimate) * member
        how = (
            "roster accrued_pension"
            if given.all()
            else ("ESTIMATE: pay x years of service x accrual fraction (not from the fund)")
        )
        return out, how

    def _transferring(self, ctx: BuildContext) -> np.ndarray:
        """1 for each employee who joins the mutual (0 for those the transfer leaves behind)."""
        transfer = ctx.others.get("transfer") if ctx.others else None
        if transfer is None or not hasattr(transfer, "last_day_employed"):
            return np.ones(len(self.roster.ids))
        last = transfer.last_day_employed(ctx.timeline)
        return np.array([1.0 if d >= ctx.timeline.start else 0.0 for d in last])

    def _pay(self, ctx: BuildContext, is_member: Input) -> Line:
        staff = ctx.others.get("staff") if ctx.others else None
        if staff is not None:
            if "pay_growth" in self.inputs.model_fields_set:
                raise InputError(
                    "lgps.pay_growth: the LGPS members' pay comes from [staff] (pay awards, "
                    "drift, vacancies, leavers); remove lgps.pay_growth, which would disagree"
                )
            if list(getattr(staff, "roster", self.roster).ids) != list(self.roster.ids):
                raise InputError("lgps and staff are built on different rosters; use one")
            return Line(
                "lgps_pensionable_pay_employee",
                ref("pay_employee") * is_member,
                label="LGPS pensionable pay (the staff model's pay of members)",
                sheet=self.sheet,
            )
        r = self.roster
        salary = self.per_employee(
            ctx, "salary", r.salary, "GBP", "Full-time annual salary at the base date"
        )
        fte = self.per_employee(ctx, "fte", r.fte, "FTE", "Full-time equivalence")
        if ctx.timeline.freq == "annual":
            grown = salary * fte * growth(ctx.input("pay_growth"))
        else:  # a month's pay, growing each 1 April
            growth_in = ctx.input("pay_growth", yearly="rate")
            grown = salary * fte * index_factor(growth_in, ctx.timeline) * year_fraction()
        return Line(
            "lgps_pensionable_pay_employee",
            grown * is_member,
            label="LGPS pensionable pay",
            sheet=self.sheet,
        )

    def build(self, ctx: BuildContext) -> list[Line]:
        i = self.inputs
        r = self.roster
        tl = ctx.timeline
        months = tl.freq != "annual"
        sheet = self.sheet
        member = r.member_of("LGPS") * self._transferring(ctx)
        opening, how = self.opening_pensions()
        opening = opening * member
        year = max(r.base_date.year if r.base_date.month >= 4 else r.base_date.year - 1, 2015)
        emp_rate = np.asarray(
            lgps_employee_rate(r.pay, tax_year=year, params=ctx.params)
        ) * np.where(r.fifty_fifty == 1, 0.5, 1.0)
        pe = self.per_employee
        is_member = pe(ctx, "member", member, "flag", "LGPS member joining the mutual")
        fifty = pe(ctx, "fifty_fifty", r.fifty_fifty, "flag", "LGPS 50/50 section")
        age = pe(ctx, "age", r.age, "years", "Age at the base date")
        accrued = pe(ctx, "opening_pension", opening, "GBP", "Pension accrued at transfer", how)
        employee_rate = pe(
            ctx,
            "employee_rate",
            emp_rate * member,
            "fraction",
            "Member contribution rate",
            f"LGPS Regulations 2013 reg.9 bands for {year}/{(year + 1) % 100:02d} base pay",
        )
        pay = self._pay(ctx, is_member)
        # the valuation is a year-end valuation: on a timeline with months its lines are by
        # financial year (sheet "Pensions by year"), from the year's pay by member
        ys = YEARLY_SHEET if months else sheet
        valuation: list[Line] = []
        if months:
            pay_year: Any = Line(
                "lgps_pensionable_pay_employee_annual",
                by_year(pay),
                label="LGPS pensionable pay in the financial year",
                sheet=ys,
            )
            valuation.append(pay_year)
        else:
            pay_year = pay
        accrual = where(
            fifty, param("lgps.accrual_fraction_50_50"), param("lgps.accrual_fraction_main")
        )
        cpi_in = ctx.input("cpi_revaluation", yearly="end")
        revaluation: Any = cpi_in
        if months and not cpi_in.scalar:  # one rate a year, laid in each year's last month
            by_month = Line(
                "lgps_cpi_revaluation",
                cpi_in,
                unit="fraction",
                kind="value",
                label="CARE revaluation (CPI), in each year's last month",
                sheet=sheet,
            )
            valuation.append(by_month)
            revaluation = by_year(by_month, "sum")
        # revalued once a year, after the year's accrual (regs.23-24: the account at 31 March
        # is revalued on 1 April)
        care = Line(
            "care_pension_employee",
            (previous("care_pension_employee") + pay_year * accrual) * (1 + revaluation),
            label="CARE pension account after the year-end revaluation (pounds a year)",
            kind="balance",
            sheet=ys,
            opening=accrued,
        )
        cpi, npa, life = (
            ctx.input("valuation_cpi"),
            ctx.input("normal_pension_age"),
            ctx.input("life_expectancy"),
        )
        net = (1 + ctx.input("discount_rate")) / (1 + cpi) - 1
        # opening assets: the ongoing value of the accrued pensions at transfer (numpy)
        d, c, L = i.discount_rate, i.valuation_cpi, i.life_expectancy
        j0 = (1 + d) / (1 + c) - 1
        a0 = L if abs(j0) < 1e-9 else (1 - (1 + j0) ** -L) / j0
        a0 = i.actuary_annuity_factor if i.actuary_annuity_factor is not None else a0
        n0 = np.maximum(i.normal_pension_age - r.age, 0)
        opening_liability = float((opening * (1 + j0) ** -n0 * a0).sum())
        if i.actuary_annuity_factor is not None:
            factor_ongoing = self._scalar(
                ctx,
                "actuary_annuity_factor",
                i.actuary_annuity_factor,
                "ratio",
                "Annuity factor (fund actuary)",
                "fund actuary",
            )
        else:
            factor_ongoing = _annuity_factor(net, life)
        annuity = Line(
            "annuity_factor_ongoing",
            factor_ongoing,
            unit="ratio",
            kind="value",
            label="Annuity factor, ongoing basis (ESTIMATE, not actuarial)",
            sheet=ys,
            yearly=months,
        )
        years_to_npa = max_(npa - (age + period_index() + 1), 0)  # at each year end
        liab_emp = Line(
            "lgps_liability_ongoing_employee",
            care * (1 + net) ** (-years_to_npa) * annuity,
            label="Liability, ongoing basis (ESTIMATE, not an actuarial valuation)",
            kind="balance",
            sheet=ys,
        )
        liability = Line(
            "lgps_liability_ongoing",
            total(liab_emp),
            kind="balance",
            label="LGPS liability, ongoing basis (ESTIMATE, not an actuarial valuation)",
            sheet=ys,
        )
        care_total = Line(
            "care_pension",
            total(care),
            label="CARE pensions accrued, all members (pounds a year)",
            kind="balance",
            sheet=ys,
        )
        lines = [pay, *valuation, care, care_total, annuity, liab_emp, liability]
        if i.exit_basis == "gilts":
            gilt = self._dated_default(
                ctx, "gilt_discount_rate", "gilts.long_nominal_yield", "Exit basis: long gilt yield"
            )
            gnet = (1 + gilt) / (1 + cpi) - 1
            gfactor = Line(
                "annuity_factor_exit",
                _annuity_factor(gnet, life),
                unit="ratio",
                kind="value",
                label="Annuity factor, gilts exit basis (ESTIMATE)",
                sheet=ys,
                yearly=months,
            )
            exit_emp = Line(
                "lgps_liability_exit_employee",
                care * (1 + gnet) ** (-years_to_npa) * gfactor,
                label="Liability, gilts exit basis (ESTIMATE)",
                kind="balance",
                sheet=ys,
            )
            exit_liability = Line(
                "lgps_liability_exit",
                total(exit_emp),
                kind="balance",
                label="LGPS liability, gilts exit basis (ESTIMATE, not an actuarial valuation)",
                sheet=ys,
            )
            lines += [gfactor, exit_emp, exit_liability]
        else:
            exit_liability = Line(
                "lgps_liability_exit",
                liability * ctx.input("exit_multiple"),
                kind="balance",
                label="LGPS liability, exit basis = ongoing x exit multiple (ESTIMATE)",
                sheet=ys,
            )
            lines.append(exit_liability)
        total_pay = Line(
            "lgps_pensionable_pay", total(pay), label="LGPS pensionable pay", sheet=sheet
        )
        primary = self._dated_default(
            ctx,
            "primary_rate",
            "lgps.employer_primary_rate_average",
            "Employer primary rate set by the actuary",
        )
        secondary = ctx.input("secondary_amount", yearly="spread")
        if months and secondary.scalar:  # pounds a year: a twelfth a month
            secondary = secondary * year_fraction()
        required = Line(
            "lgps_contributions_required",
            total_pay * (primary + ctx.input("secondary_rate")) + secondary,
            label="Employer contributions the fund requires (primary + secondary)",
            sheet=sheet,
        )
        full = i.risk_sharing == "full_risk"
        if full:
            paid_mutual = Line(
                "lgps_contributions_mutual",
                required,
                label="Employer contributions paid by the mutual (full risk)",
                sheet=sheet,
            )
            council_lines: list[Line] = []
        else:
            paid_mutual = Line(
                "lgps_contributions_mutual",
                total_pay * ctx.input("fixed_rate"),
                label="Employer contributions paid by the mutual (pass-through fixed rate)",
                sheet=sheet,
            )
            council_lines = [
                Line(
                    "lgps_contributions_council",
                    required - paid_mutual,
                    label="Employer contributions the council tops up (pass-through: required "
                    "less the fixed rate; negative where the fixed rate pays more)",
                    sheet=sheet,
                )
            ]
        members_paid = Line(
            "lgps_employee_contributions",
            total(pay * employee_rate),
            label="Members' contributions",
            sheet=sheet,
        )
        if i.actuary_opening_assets is not None:
            opening_assets = self._scalar(
                ctx,
                "actuary_opening_assets",
                i.actuary_opening_assets,
                "GBP",
                "Assets allocated at transfer (fund actuary)",
                "fund actuary",
            )
        else:
            opening_assets = self._scalar(
                ctx,
                "opening_assets",
                opening_liability,
                "GBP",
                "Assets at transfer = ongoing liability (fully funded start; ESTIMATE)",
                "computed: ongoing value of the accrued pensions at transfer",
            )
        paid_in: Any = required + members_paid
        if months:  # the year's contributions, from the months
            paid_in = by_year(required) + by_year(members_paid)
        assets = Line(
            "lgps_assets",
            previous("lgps_assets") * (1 + ctx.input("asset_return")) + paid_in,
            label="Admission assets (ESTIMATE)",
            kind="balance",
            sheet=ys,
            opening=opening_assets,
        )
        surplus = Line(
            "lgps_surplus_ongoing",
            assets - liability,
            kind="balance",
            label="Surplus (deficit negative), ongoing basis (ESTIMATE)",
            sheet=ys,
        )
        position = Line(
            "lgps_exit_position",
            assets - exit_liability,
            kind="balance",
            label="Surplus (deficit negative) if the admission ended now, exit basis (ESTIMATE)",
            sheet=ys,
        )
        deficit = Line(
            "lgps_exit_deficit",
            max_(-position, 0),
            kind="balance",
            label="Exit deficit if the admission ended now (ESTIMATE, not actuarial)",
            sheet=ys,
        )
        if months:
            # paid to the fund by the 19th of the month after (LGPS Regulations 2013 reg.69(2)
            # and Pensions Act 1995 s.49(8): Occupational Pension Schemes (Scheme
            # Administration) Regulations 1996 reg.16; funds take the employer's share with it)
            paid = paid_in_arrears(
                "lgps_contributions_paid",
                paid_mutual,
                tl,
                sheet=sheet,
                label="Employer contributions paid to the fund (by the 19th of the next month)",
            )
            paid[-1].role = "payments:lgps_contributions_mutual"
            council_lines += paid
        lines += [total_pay, required, paid_mutual, *council_lines, members_paid, assets]
        lines += [surplus, position, deficit]
        lines += self._exit_lines(ctx, deficit, position, surplus, full)
        lines += self._bond_lines(ctx, deficit)
        return lines

    def _exit_lines(
        self, ctx: BuildContext, deficit: Line, position: Line, surplus: Line, full: bool
    ) -> list[Line]:
        """What the end of the admission costs, when, and who bears it."""
        i, sheet = self.inputs, self.sheet
        months = ctx.timeline.freq != "annual"
        ys = YEARLY_SHEET if months else sheet
        cy = ctx.input("contract_years")
        beyond = i.contract_years > ctx.timeline.years
        exit_year = Line(
            "lgps_exit_year",
            period_index().eq(cy - 1),
            unit="flag",
            kind="value",
            label="1 in the contract's last year, when the admission ends"
            + (" (after the case's last year: no exit in these figures)" if beyond else ""),
            sheet=ys,
            yearly=months,
        )
        exit_lines = [exit_year]
        # where the exit falls among the periods: the contract's last month on months
        if months:
            exit_period: Any = Line(
                "lgps_exit_month",
                ended_by(cy) * started_before(cy),
                unit="flag",
                kind="value",
                label="1 in the contract's last month, when the admission ends",
                sheet=sheet,
            )
            exit_lines.append(exit_period)
        else:
            exit_period = exit_year

        def at_exit(x: Line) -> Any:
            """A valuation figure at the exit, in the period of the exit."""
            return exit_period * (from_year(x) if months else x)

        if i.exit_treatment == "subsumed":
            return [
                *exit_lines,
                Line(
                    "lgps_subsumed_deficit_council",
                    max_(-at_exit(surplus), 0),
                    label="Council subsumes the liabilities: ongoing-basis deficit it takes on",
                    sheet=sheet,
                ),
            ]
        if i.actuary_exit_payment is not None:
            debt: Any = self._scalar(
                ctx,
                "actuary_exit_payment",
                i.actuary_exit_payment,
                "GBP",
                "Exit payment (fund actuary)",
                "fund actuary",
            )
        elif i.exit_treatment == "deferred":
            debt = max_(-surplus, 0)  # a deferred employer is funded on the ongoing basis
        else:
            debt = deficit
        debt_at_exit = Line(
            "lgps_exit_debt",
            sum_periods(debt * exit_year),
            kind="metric",
            label="Exit debt at the end of the admission (ESTIMATE unless the actuary's)",
            sheet=ys,
        )
        if i.exit_treatment == "payment":
            schedule: Any = exit_period
        elif months:  # spread or deferred: equal instalments from the exit month
            spread = ctx.input("spread_years")
            schedule = (
                ended_by(cy) * (years_elapsed() - cy < spread - EDGE) * year_fraction() / spread
            )
        else:  # spread (reg.64B) or deferred (reg.64(7A)): equal instalments from the exit year
            start = ctx.input("contract_years") - 1
            schedule = (
                (period_index() >= start)
                * (period_index() < start + ctx.input("spread_years"))
                / ctx.input("spread_years")
            )
        payment = debt_at_exit * schedule
        credit = max_(at_exit(position), 0) * ctx.input("exit_credit_share")
        how = {
            "payment": "paid in the exit year",
            "spread": "spread over spread_years (reg.64B)",
            "deferred": "deferred debt on the ongoing basis over spread_years (reg.64(7A))",
        }[i.exit_treatment]
        out = [*exit_lines, debt_at_exit]
        if full:
            out += [
                Line(
                    "lgps_exit_payment",
                    payment,
                    label=f"LGPS exit payment borne by the mutual ({how}; ESTIMATE)",
                    sheet=sheet,
                ),
                Line(
                    "lgps_exit_credit",
                    credit,
                    label="LGPS exit credit to the mutual (reg.64(2ZAB); ESTIMATE)",
                    sheet=sheet,
                ),
            ]
        else:
            out.append(
                Line(
                    "lgps_exit_settlement_council",
                    payment - credit,
                    label=f"LGPS exit payment borne by the council, less any credit to it "
                    f"(pass-through; {how}; ESTIMATE)",
                    sheet=sheet,
                )
            )
        return out

    def _bond_lines(self, ctx: BuildContext, deficit: Line) -> list[Line]:
        i, sheet = self.inputs, self.sheet
        if i.actuary_bond is not None:
            bond_value: Any = self._scalar(
                ctx, "actuary_bond", i.actuary_bond, "GBP", "Bond (fund actuary)", "fund actuary"
            )
        else:
            bond_value = ctx.input("bond_share") * deficit
        months = ctx.timeline.freq != "annual"
        bond = Line(
            "lgps_bond",
            bond_value,
            kind="balance",
            label="Bond or guarantee, sized on the exit estimate",
            sheet=YEARLY_SHEET if months else sheet,
            yearly=months,
        )
        if i.bond_premium_rate == 0 and "bond_premium_rate" not in self._meta:
            return [bond]
        premium_on: Any = bond
        premium_rate: Any = ctx.input("bond_premium_rate")
        if months:  # a year's premium on the year's bond, by the month's share of a year
            premium_on = from_year(bond)
            premium_rate = premium_rate * year_fraction()
        premium = Line(
            "lgps_bond_premium",
            premium_on * premium_rate,
            label="Bond premium a year (a cost to the mutual)",
            sheet=sheet,
        )
        return [bond, premium]

    @property
    def roles(self) -> dict[str, str]:  # type: ignore[override]
        """Where the lines go in a business case's statements (by the risk-sharing terms)."""
        i = self.inputs
        out = {"lgps_contributions_mutual": "pay"}
        if i.bond_premium_rate != 0 or "bond_premium_rate" in self._meta:
            out["lgps_bond_premium"] = "cost"
        if i.exit_treatment == "subsumed":
            out["lgps_subsumed_deficit_council"] = "council_cost"
        elif i.risk_sharing == "full_risk":
            out["lgps_exit_payment"] = "one_off"
            out["lgps_exit_credit"] = "income"
        else:
            out["lgps_exit_settlement_council"] = "council_cost"
        if i.risk_sharing == "pass_through":
            out["lgps_contributions_council"] = "council_cost"
        return out
