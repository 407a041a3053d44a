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

from typing import Annotated, Any, Literal

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
from mutualfin.components.staff import RosterComponent
from mutualfin.engine.nodes import (
    Input,
    Line,
    abs_,
    growth,
    max_,
    param,
    period_index,
    previous,
    total,
    where,
)
from mutualfin.errors import InputError
from mutualfin.uk.pensions import lgps_care_accrual, lgps_employee_rate

__all__ = ["LgpsAdmission", "lgps_care_accrual", "lgps_employee_rate"]

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
    """The mutual's LGPS admission agreement: contributions, risk-sharing, accrued CARE
    pensions, a simple valuation on an ongoing and an exit basis, the exit payment and a bond.

    **This is an estimate for a business case, not an actuarial valuation.** Every figure can
    be replaced by the fund actuary's: ``actuary_annuity_factor``, ``actuary_opening_assets``,
    ``actuary_exit_payment`` and ``actuary_bond`` override the estimates, and the roster's
    ``accrued_pension`` column replaces the estimate of pensions accrued before the transfer.

    Legal frame: staff transferring under TUPE keep the same, broadly comparable or better
    pension under the Best Value Authorities Staff Transfers (Pensions) Direction 2007, met by
    an admission agreement (LGPS Regulations 2013 reg.3(1)(b) and Sch.2 Part 3). The fund
    actuary sets the employer's primary and secondary rates (reg.62); when the admission ends,
    an exit valuation sets an exit payment or credit (reg.64).

    Lines (sheet "Pensions"), pounds a year or pounds at each year end:

    ``lgps_pensionable_pay_employee``, ``lgps_pensionable_pay``
        ``salary x fte x growth(pay_growth)`` for LGPS members.
    ``care_pension_employee``, ``care_pension``
        The CARE account (LGPS Regulations 2013 regs.23-24): ``(previous + pay x 1/49)
        x (1 + cpi_revaluation)``, 1/98 in the 50/50 section, opening with the pension
        accrued at the transfer (the roster's ``accrued_pension``, else an estimate: pay x
        years of service x the accrual fraction, as if all service were CARE).
    ``annuity_factor_ongoing``, ``annuity_factor_exit`` (ratio)
        Value of 1 a year of pension in payment for ``life_expectancy`` years, increasing
        with ``valuation_cpi``, discounted at the basis rate ``d``: with the net rate
        ``j = (1 + d) / (1 + valuation_cpi) - 1``, ``(1 - (1 + j)^-L) / j``.
    ``lgps_liability_ongoing``, ``lgps_liability_exit``
        Sum over members of ``care_pension x (1 + j)^-n x annuity factor``, ``n`` the years
        from the year end to ``normal_pension_age`` (0 once reached): a deferred annuity,
        with the pension revalued by CPI until it starts. The exit basis uses the gilt rate
        (``exit_basis="gilts"``) or the ongoing liability x ``exit_multiple`` (``"multiple"``,
        about 1.6 in March 2022 per DOMAIN.md's "Mind the Gap" example; lower since).
    ``lgps_contributions_required``
        ``(primary_rate + secondary_rate) x pensionable pay + secondary_amount``: what the
        fund certifies for the employer.
    ``lgps_contributions_mutual``, ``lgps_contributions_council``
        Full risk: the mutual pays what is required. Pass-through: the mutual pays exactly
        ``fixed_rate x pensionable pay`` and the council pays (or keeps) the difference.
    ``lgps_employee_contributions``
        Members' own contributions at the band rate for their base-date pay (half in 50/50).
    ``lgps_assets``
        Opening: equal to the ongoing liability at transfer (a fully funded start, DCLG 2009
        admitted-body guidance), or the actuary's figure; then ``previous x (1 +
        asset_return) + employer and employee contributions`` (benefits paid are ignored:
        active members only).
    ``lgps_surplus_ongoing``
        ``lgps_assets - lgps_liability_ongoing`` (negative: a deficit on the ongoing basis).
    ``lgps_exit_deficit``
        ``max(lgps_liability_exit - lgps_assets, 0)``: the estimated exit payment if the
        admission ended at that year end.
    ``lgps_exit_payment_mutual``, ``lgps_exit_payment_council``
        The exit deficit (or ``actuary_exit_payment``) in the contract's last year
        (``contract_years``), paid by the mutual under full risk and by the council under
        pass-through.
    ``lgps_bond``
        ``bond_share x lgps_exit_deficit`` (or ``actuary_bond``): the bond or guarantee the fund
        may require, sized on the exit estimate. A stock, not a cost: the bond's premium is
        for the overheads model.

    Notes
    -----
    The valuation is deliberately simple: no mortality before retirement, no spouses'
    pensions, no lump sums, no pre-2014 final-salary benefits, annual timing. It shows how
    the admission's risk grows with pay, CPI and the basis, and where the council's and the
    mutual's exposures lie; the fund actuary's figures should replace it for decisions.
    """

    key = "lgps"
    sheet = "Pensions"

    class Inputs(ComponentInputs):
        risk_sharing: Literal["full_risk", "pass_through"] = field(
            "Risk-sharing: full_risk (mutual bears it) or pass_through (fixed rate)",
            default="full_risk",
        )
        fixed_rate: Fraction = field(
            "Pass-through: the fixed employer rate the mutual pays (% of pay)", default=0.0
        )
        primary_rate: Fraction = field("Employer primary rate set by the actuary", default=0.198)
        secondary_rate: Fraction = field("Employer secondary rate (% of pay)", default=0.0)
        secondary_amount: MoneySeries = field(
            "Employer secondary contribution, pounds a year", default=0.0
        )
        pay_growth: FractionSeries = field(
            "Pensionable pay growth a year, from the second year", default=0.0
        )
        cpi_revaluation: FractionSeries = field(
            "CARE revaluation (CPI) applied at each year end", default=0.02
        )
        valuation_cpi: Fraction = field("CPI assumed in the valuation", default=0.02)
        discount_rate: Fraction = field("Ongoing-basis discount rate (nominal)", default=0.05)
        exit_basis: Literal["gilts", "multiple"] = field(
            "Exit basis: discount at the gilt rate, or the ongoing liability x a multiple",
            default="multiple",
        )
        gilt_discount_rate: Fraction = field("Exit basis: gilt discount rate", default=0.045)
        exit_multiple: Ratio = field("Exit basis: exit liability / ongoing liability", default=1.6)
        life_expectancy: Annotated[Years, Limit(0, low_open=True)] = field(
            "Years a pension is paid from pension age", default=23.0
        )
        normal_pension_age: Years = field("Normal pension age", default=67.0)
        asset_return: Fraction = field("Return on the admission's assets a year", default=0.05)
        contract_years: Annotated[
            Years, Limit(1, whole=True, why="give the contract's length in whole years")
        ] = field("Contract length in years: the exit is at the end of the last", default=5.0)
        bond_share: Fraction = field("Bond as a share of the exit deficit estimate", default=1.0)
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
        if i.risk_sharing == "pass_through" and i.fixed_rate <= 0:
            raise InputError(
                "lgps.fixed_rate: pass-through needs the fixed rate the mutual pays (e.g. 0.198)"
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
            )
        return ctx.created[full]

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

    def build(self, ctx: BuildContext) -> list[Line]:
        self.check_annual(ctx)
        i = self.inputs
        r = self.roster
        sheet = self.sheet
        n_periods = ctx.timeline.n
        if i.contract_years > n_periods:
            raise InputError(
                f"lgps.contract_years: {i.contract_years:g} is longer than the timeline "
                f"({n_periods} years); lengthen the timeline or shorten the contract"
            )
        member = r.member_of("LGPS")
        opening, how = self.opening_pensions()
        year = max(r.base_date.year if r.base_date.month >= 4 else r.base_date.year - 1, 2015)
        emp_rate = np.asarray(
            lgps_employee_rate(r.pay, tax_year=year, params=ctx.params)
        ) * np.where(r.fifty_fifty == 1, 0.5, 1.0)
        pe = self.per_employee
        salary = pe(ctx, "salary", r.salary, "GBP", "Full-time annual salary at the base date")
        fte = pe(ctx, "fte", r.fte, "FTE", "Full-time equivalence")
        is_member = pe(ctx, "member", member, "flag", "LGPS member")
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
        pay = Line(
            "lgps_pensionable_pay_employee",
            salary * fte * growth(ctx.input("pay_growth")) * is_member,
            label="LGPS pensionable pay",
            sheet=sheet,
        )
        accrual = where(
            fifty, param("lgps.accrual_fraction_50_50"), param("lgps.accrual_fraction_main")
        )
        care = Line(
            "care_pension_employee",
            (previous("care_pension_employee") + pay * accrual)
            * (1 + ctx.input("cpi_revaluation")),
            label="CARE pension account after the year-end revaluation (pounds a year)",
            kind="balance",
            sheet=sheet,
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
            sheet=sheet,
        )
        years_to_npa = max_(npa - (age + period_index() + 1), 0)
        liab_emp = Line(
            "lgps_liability_ongoing_employee",
            care * (1 + net) ** (-years_to_npa) * annuity,
            label="Liability, ongoing basis (ESTIMATE, not an actuarial valuation)",
            kind="balance",
            sheet=sheet,
        )
        liability = Line(
            "lgps_liability_ongoing",
            total(liab_emp),
            kind="balance",
            label="LGPS liability, ongoing basis (ESTIMATE, not an actuarial valuation)",
            sheet=sheet,
        )
        care_total = Line(
            "care_pension",
            total(care),
            label="CARE pensions accrued, all members (pounds a year)",
            kind="balance",
            sheet=sheet,
        )
        lines = [pay, care, care_total, annuity, liab_emp, liability]
        if i.exit_basis == "gilts":
            gnet = (1 + ctx.input("gilt_discount_rate")) / (1 + cpi) - 1
            gfactor = Line(
                "annuity_factor_exit",
                _annuity_factor(gnet, life),
                unit="ratio",
                kind="value",
                label="Annuity factor, gilts exit basis (ESTIMATE)",
                sheet=sheet,
            )
            exit_emp = Line(
                "lgps_liability_exit_employee",
                care * (1 + gnet) ** (-years_to_npa) * gfactor,
                label="Liability, gilts exit basis (ESTIMATE)",
                kind="balance",
                sheet=sheet,
            )
            exit_liability = Line(
                "lgps_liability_exit",
                total(exit_emp),
                kind="balance",
                label="LGPS liability, gilts exit basis (ESTIMATE, not an actuarial valuation)",
                sheet=sheet,
            )
            lines += [gfactor, exit_emp, exit_liability]
        else:
            exit_liability = Line(
                "lgps_liability_exit",
                liability * ctx.input("exit_multiple"),
                kind="balance",
                label="LGPS liability, exit basis = ongoing x exit multiple (ESTIMATE)",
                sheet=sheet,
            )
            lines.append(exit_liability)
        total_pay = Line(
            "lgps_pensionable_pay", total(pay), label="LGPS pensionable pay", sheet=sheet
        )
        required = Line(
            "lgps_contributions_required",
            total_pay * (ctx.input("primary_rate") + ctx.input("secondary_rate"))
            + ctx.input("secondary_amount"),
            label="Employer contributions the fund requires (primary + secondary)",
            sheet=sheet,
        )
        if i.risk_sharing == "pass_through":
            mutual = total_pay * ctx.input("fixed_rate")
            mutual_label = "Employer contributions paid by the mutual (pass-through fixed rate)"
        else:
            mutual = required
            mutual_label = "Employer contributions paid by the mutual (full risk)"
        paid_mutual = Line("lgps_contributions_mutual", mutual, label=mutual_label, sheet=sheet)
        paid_council = Line(
            "lgps_contributions_council",
            required - paid_mutual,
            label="Employer contributions borne by the council (pass-through difference)",
            sheet=sheet,
        )
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
        assets = Line(
            "lgps_assets",
            previous("lgps_assets") * (1 + ctx.input("asset_return")) + required + members_paid,
            label="Admission assets (ESTIMATE)",
            kind="balance",
            sheet=sheet,
            opening=opening_assets,
        )
        surplus = Line(
            "lgps_surplus_ongoing",
            assets - liability,
            kind="balance",
            label="Surplus (deficit negative), ongoing basis (ESTIMATE)",
            sheet=sheet,
        )
        deficit = Line(
            "lgps_exit_deficit",
            max_(exit_liability - assets, 0),
            kind="balance",
            label="Exit deficit if the admission ended now (ESTIMATE, not actuarial)",
            sheet=sheet,
        )
        at_end = period_index().eq(ctx.input("contract_years") - 1)
        if i.actuary_exit_payment is not None:
            exit_amount = self._scalar(
                ctx,
                "actuary_exit_payment",
                i.actuary_exit_payment,
                "GBP",
                "Exit payment (fund actuary)",
                "fund actuary",
            )
        else:
            exit_amount = deficit
        full = i.risk_sharing == "full_risk"
        exit_mutual = Line(
            "lgps_exit_payment_mutual",
            where(at_end, exit_amount, 0) * (1 if full else 0),
            label="Exit payment at contract end borne by the mutual",
            sheet=sheet,
        )
        exit_council = Line(
            "lgps_exit_payment_council",
            where(at_end, exit_amount, 0) * (0 if full else 1),
            label="Exit payment at contract end borne by the council",
            sheet=sheet,
        )
        if i.actuary_bond is not None:
            bond_value = self._scalar(
                ctx,
                "actuary_bond",
                i.actuary_bond,
                "GBP",
                "Bond (fund actuary)",
                "fund actuary",
            )
        else:
            bond_value = ctx.input("bond_share") * deficit
        bond = Line(
            "lgps_bond",
            bond_value,
            kind="balance",
            label="Bond or guarantee, sized on the exit estimate",
            sheet=sheet,
        )
        return [
            *lines,
            total_pay,
            required,
            paid_mutual,
            paid_council,
            members_paid,
            assets,
            surplus,
            deficit,
            exit_mutual,
            exit_council,
            bond,
        ]
