"""Workforce costs: statutory redundancy pay, the staff cost model and one-off transfer costs.

:func:`statutory_redundancy_pay` is vectorised over employees: give ages, years of service and
weekly pay as arrays (they broadcast) and get one payment per employee, with no Python loop
per employee.

:class:`StaffCosts` (key ``staff``, sheet "Staff") projects the pay and on-costs of a
:class:`~mutualfin.roster.Roster` of staff transferring to the mutual under the Transfer of
Undertakings (Protection of Employment) Regulations 2006 (TUPE), which carry their pay, terms
and continuity of service across (reg.4). :class:`TransferCosts` (key ``transfer``, sheet
"Transfer") prices the one-off costs of the transfer: redundancy, LGPS pension strain, pay
protection, harmonisation and the staff the mutual does not take.

Sign convention: every amount is positive pounds, a cost to whoever bears it; the Employment
Allowance line is positive and is *subtracted* in ``staff_costs``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd

from mutualfin.components.base import (
    BuildContext,
    Component,
    ComponentInputs,
    Count,
    Fraction,
    FractionSeries,
    Limit,
    Money,
    MoneySeries,
    Ratio,
    Share,
    Years,
    field,
)
from mutualfin.components.income import index_factor
from mutualfin.components.legal_form import MOVED_TO_LEGAL_FORM, legal_form_of
from mutualfin.components.roster import FTE_BOUNDS, SALARY_BOUNDS, Roster, _whole_years
from mutualfin.components.timing import paid_in_arrears, started_before, year_to_date
from mutualfin.core.bounds import Bounds
from mutualfin.core.checks import (
    _on_date,
)
from mutualfin.engine.nodes import (
    Entities,
    Input,
    Line,
    clip,
    date_serial,
    growth,
    in_month,
    max_,
    min_,
    param,
    period_end,
    period_index,
    period_start,
    previous,
    sum_,
    total,
    where,
    within,
    year_fraction,
    year_index,
    year_start,
    years_elapsed,
)
from mutualfin.errors import InputError
from mutualfin.params import resolve_store, warn_held
from mutualfin.uk.redundancy import (
    _MIN_WORKING_AGE,
    _reduction_table,
    early_retirement_reduction,
    statutory_redundancy_pay,
)
from mutualfin.uk.tax import (
    apprenticeship_levy,
    employer_ni,
)

__all__ = [
    "RosterComponent",
    "StaffCosts",
    "TransferCosts",
    "early_retirement_reduction",
    "statutory_redundancy_pay",
]


# --------------------------------------------------------------------------------------------
# components built on a roster
# --------------------------------------------------------------------------------------------
#: what a staff input of the first release that the LGPS admission now holds says
_LGPS_MOVED = (
    "the LGPS employer rate has one source now, the admission agreement: give it in [lgps] as "
    "primary_rate, secondary_rate and secondary_amount (the mutual's contributions there "
    "follow the risk-sharing terms and reach the statements)"
)


class RosterComponent(Component):
    """A component whose lines are per employee of a :class:`~mutualfin.roster.Roster`.

    The roster is not a case-file input (it is data, often hundreds of rows): pass it to the
    constructor, ``StaffCosts(roster, pay_award=0.03)``, or ``StaffCosts.from_dict(table,
    roster=roster)``. In a model, the employee axis is the roster's ``entities``; a
    ``BuildContext`` given another axis must have the same ids in the same order.
    """

    needs_roster: ClassVar[bool] = True

    def __init__(self, roster: Roster | None = None, /, **values: Any):
        if not isinstance(roster, Roster):
            hint = "load one with Roster.from_csv(path, base_date)"
            if isinstance(roster, pd.DataFrame):
                hint = "make one from a DataFrame with Roster.from_frame(frame, base_date)"
            raise InputError(
                f"{type(self).__name__} needs a Roster as its first argument, got "
                f"{type(roster).__name__}; {hint}"
            )
        self.roster = roster
        super().__init__(**values)

    @classmethod
    def from_dict(cls, data: Any, roster: Roster | None = None) -> Component:  # type: ignore[override]
        """Build from a case file's table for this component, with the roster."""
        if not isinstance(data, dict):
            raise InputError(f"[{cls.key}] must be a table of inputs, got {data!r}")
        return cls(roster, **dict(data))

    def axis(self, ctx: BuildContext) -> Entities:
        """The employee axis to build on: the context's if given (same ids), else the roster's."""
        own = self.roster.entities
        given = ctx.entities
        if given is None:
            return own
        if given.ids != own.ids:
            raise InputError(
                f"{self.key}: the model's {given.name} axis ({len(given)} ids, first "
                f"{given.ids[:3]}) is not this component's roster ({len(own)} ids, first "
                f"{own.ids[:3]}); build every workforce component from the same roster"
            )
        return given

    def per_employee(
        self,
        ctx: BuildContext,
        name: str,
        values: Any,
        unit: str,
        label: str,
        source: str = "",
        bounds: Bounds | None = None,
    ) -> Input:
        """A per-employee input ``<key>.<name>`` (created once per build), held to the
        roster's ``bounds`` when an override or a draw changes it."""
        full = f"{self.key}.{name}"
        if full not in ctx.created:
            ctx.created[full] = Input(
                full,
                np.asarray(values, dtype=float),
                unit=unit,
                label=label,
                source=source or f"roster {self.roster.source}",
                per=self.axis(ctx),
                bounds=bounds,
            )
        return ctx.created[full]


#: a normal pension age: the member's State Pension age
_PensionAge = Annotated[Years, Limit(55, 70, why="give the member's State Pension age (66 to 68)")]


class StaffCosts(RosterComponent):
    """Pay and on-costs of the staff transferring to the mutual, per employee, summed.

    Staff transfer under TUPE (Transfer of Undertakings (Protection of Employment)
    Regulations 2006) on their existing pay and terms; pension protection follows the Best
    Value Authorities Staff Transfers (Pensions) Direction 2007 (an LGPS admission agreement
    in practice), or the NHS Pension Scheme / Teachers' Pension Scheme where staff keep access.

    Built on a timeline whose first period starts at the roster's base date: financial
    years, months, or months then years (see **Month by month** below). Amounts are pounds
    per period, positive costs; ``employment_allowance`` is positive and is subtracted in
    ``staff_costs``.

    Lines (sheet "Staff")
    ---------------------
    ``pay_index`` (ratio)
        ``growth(pay_award) x growth(incremental_drift) x turnover factor``: 1 in the first
        year. ``growth`` compounds from the second period; the first period's award is not
        used (the roster's salaries are already at the base date).
    ``pay_filled_employee``
        Pay when the post is filled: ``salary x fte x pay_index``.
    ``pay_employee``
        Expected pay: ``pay_filled_employee x (1 - vacancy_factor)``.
    ``employer_ni_employee``
        ``mutualfin.tax.employer_ni(pay_filled_employee) x (1 - vacancy_factor)``: employer
        Class 1 NI with the secondary threshold and rate in force (parameters
        ``ni.secondary_threshold``, ``ni.employer_rate``) on the pay of a filled post, times
        the chance the post is filled (NI is not linear in pay, so the vacancy factor is
        applied after it).
    ``employer_pension_rate_employee`` (fraction)
        By scheme: LGPS ``lgps_primary_rate + lgps_secondary_rate``; NHS
        ``param("nhs_pension.employer_rate")`` plus ``nhs_pension.admin_levy`` (or
        ``nhs_pension.employer_rate_paid_locally`` with ``nhs_rate_basis="local"``); TPS
        ``param("tps.employer_rate")``; none 0.
    ``employer_pension_employee``
        ``pay_employee x employer_pension_rate_employee``.
    ``staff_cost_employee``
        ``pay_employee + employer_ni_employee + employer_pension_employee``.
    ``staff_pay``, ``employer_ni``
        ``total(...)`` of the per-employee lines (SUM over the block in the workbook).
    ``employer_pension``
        ``total(employer_pension_employee) + lgps_secondary_amount`` (the LGPS secondary
        contribution certified as pounds a year, for the whole employer).
    ``apprenticeship_levy``
        ``max(0.5% x staff_pay - 15,000, 0)``: the levy is 0.5% of the paybill less an
        allowance of £15,000 *of levy* a year, so it is payable only on paybills over £3m
        (Finance Act 2016 ss.99-100; :func:`mutualfin.tax.apprenticeship_levy`).
    ``employment_allowance``
        ``min(ni.employment_allowance, employer_ni)`` where the employer may claim it, else 0:
        barred when 50% or more of the work is of a public nature unless the mutual is a
        charity (National Insurance Contributions Act 2014 s.3(1)(d); HMRC NIM06530), and in
        2020/21 to 2024/25 when the previous year's employer NI was £100,000 or more (s.2(4B),
        the previous year's ``employer_ni`` line, ``prior_year_employer_nics`` before the
        first year).
    ``staff_costs``
        ``staff_pay + employer_ni + employer_pension + apprenticeship_levy -
        employment_allowance``.

    Turnover (expected value)
    -------------------------
    Each year a share ``turnover`` of the people in post leave and are replaced on the same
    post at ``starting_salary_ratio`` times the leaver's salary (e.g. 0.92 for the bottom of
    the grade). After ``t`` years the original holder is still in post with probability
    ``(1 - turnover)^t``, so the expected salary factor is ``r + (1 - r)(1 - turnover)^t``
    (``r`` the ratio): replacements are assumed to progress with the same drift and to be
    replaced, when they leave, at the same ratio of the grade. The cost of recruiting is not
    included (see the absence and turnover components). Ignored when ``turnover`` is 0.

    Month by month
    --------------
    On a timeline with months each month's pay is a twelfth of the year's, paid in the month
    (``staff_pay``):

    * **Pay awards in their month.** The award takes effect in ``pay_award_month`` (April by
      default: the NJC local government pay year) of each financial year from the second; a
      year given as a financial year takes it from its start. Incremental drift steps each
      1 April; the turnover factor decays month by month, ``(1 - turnover)`` to the power of
      the years elapsed.
    * **NI on a monthly earnings period**: the secondary threshold a twelfth of the year's, at
      the rate in force on the pay day (Social Security (Contributions) Regulations 2001
      regs.10-11; :func:`mutualfin.tax.employer_ni`); the auto-enrolment thresholds are
      pro-rated alike (Pensions Act 2008 ss.13 and 15A, pay reference periods).
    * **Employment Allowance from the first months.** Set against employer NI from the first
      pay days of each year until the year's allowance is used up (NICA 2014 s.1;
      HMRC "Employment Allowance", claimed through payroll): ``employment_allowance_to_date``
      = ``min(allowance, employer NI to date)``, and each month's allowance is its rise.
    * **Levy allowance accumulating.** The £15,000 levy allowance accrues at £1,250 a month and
      unused allowance carries forward within the year (Finance Act 2016 s.100; HMRC "Pay
      Apprenticeship Levy"): the levy to date is ``max(0.5% x paybill to date - allowance to
      date, 0)``, each month's levy its rise.
    * **On-costs paid the month after.** ``staff_oncosts`` (employer NI, the levy, pension
      contributions, less the allowance) are paid the month after: PAYE within 17 days of the
      end of the tax month when paid electronically, the 22nd (Income Tax (PAYE) Regulations
      2003 reg.69(1)(a), applied to NI by the Social Security (Contributions) Regulations 2001
      Sch.4 para.10), pension contributions by the 19th of the month after deduction
      (Pensions Act 1995 s.49(8); Occupational Pension Schemes (Scheme Administration)
      Regulations 1996 reg.16). ``staff_costs_paid`` (role ``payments:staff_costs``) is the
      cash: pay plus last month's on-costs. On months then years a year's period owes a
      twelfth of its on-costs at its end.

    Notes
    -----
    Salaries are full-time annual salaries at the roster's base date; pay is ``salary x fte``
    and is treated as earned evenly through the year. On financial years NI is computed on
    each year's pay as an annual earnings period (see :func:`mutualfin.tax.employer_ni`); the
    Employment Allowance and the levy follow the financial year, not the tax year (a 5-day
    shift). Overtime, allowances and salary sacrifice are not modelled: include regular
    allowances in the salary.
    """

    key = "staff"
    #: where the lines go in a business case's statements
    #: where the lines go in a business case's statements (on a timeline with months,
    #: ``staff_costs_paid`` carries its own role, ``payments:staff_costs``)
    roles: ClassVar[dict[str, str]] = {"staff_costs": "pay"}
    sheet = "Staff"
    moved: ClassVar[dict[str, str]] = {
        "is_charity": MOVED_TO_LEGAL_FORM,
        "public_work_share": MOVED_TO_LEGAL_FORM,
        "lgps_primary_rate": _LGPS_MOVED,
        "lgps_secondary_rate": _LGPS_MOVED,
        "lgps_secondary_amount": _LGPS_MOVED,
    }

    class Inputs(ComponentInputs):
        pay_award: FractionSeries = field(
            "Annual pay award, from the second year (one number, or one per year)", default=0.0
        )
        incremental_drift: Fraction = field(
            "Incremental drift: yearly paybill growth from staff moving up pay points",
            default=0.0,
        )
        vacancy_factor: Annotated[
            Share, Limit(high=1, high_open=True, why="posts cannot all be empty all year")
        ] = field("Vacancy factor: expected share of the year posts are empty", default=0.0)
        turnover: Share = field("Staff turnover: leavers a year as a share of staff", default=0.0)
        starting_salary_ratio: Annotated[
            Ratio,
            Limit(
                high=2,
                why="it is a ratio of the leaver's salary (0.92 for 8% lower); above 2 is not "
                "plausible",
            ),
        ] = field("Salary of a replacement as a ratio of the leaver's salary", default=1.0)
        auto_enrolment_opt_out: Share = field(
            "Share of staff outside any scheme who opt out of auto-enrolment", default=0.0
        )
        nhs_rate_basis: Literal["full", "local"] = field(
            "NHS Pension employer rate: 'full' (rate plus levy) or 'local' (paid locally)",
            default="full",
        )
        prior_year_employer_nics: Money = field(
            "Employer NI of the year before the first (2020/21-2024/25 £100k rule)", default=0.0
        )
        pay_award_month: Annotated[
            Count,
            Limit(1, 12, whole=True, why="give the calendar month, 1 to 12 (4 for April)"),
        ] = field(
            "Calendar month the yearly pay award takes effect, on a timeline with months "
            "(4 = April)",
            default=4,
        )

    def _in_post(self, ctx: BuildContext) -> Any:
        """Share of each period each employee is employed by the mutual: 1 throughout unless
        the case's transfer makes them redundant (they leave on the redundancy date) or they
        do not transfer (never employed by the mutual)."""
        transfer = ctx.others.get("transfer") if ctx.others else None
        if not isinstance(transfer, TransferCosts):
            return 1
        if not (transfer.inputs.redundant or transfer.inputs.not_transferred):
            return 1  # everyone transfers and stays: no row of 1s per employee and period
        if transfer.roster is not self.roster and list(transfer.roster.ids) != list(
            self.roster.ids
        ):
            raise InputError(
                "staff and transfer are built on different rosters; build both from the case's "
                "[roster]"
            )
        last = transfer.last_day_employed(ctx.timeline)
        last_day = self.per_employee(
            ctx,
            "last_day_employed",
            [date_serial(d) for d in last],
            "date",
            "Last day employed by the mutual (the case's last day if they stay)",
            "[transfer] redundant (leaving on redundancy_date) and not_transferred",
        )
        return Line(
            "in_post_employee",
            clip((last_day - period_start() + 1) / (period_end() - period_start() + 1), 0, 1),
            unit="fraction",
            kind="value",
            label="Share of the period employed by the mutual (leavers and staff not taken)",
            sheet=self.sheet,
        )

    def check_case(self, components: Any) -> None:
        """In a business case, the LGPS members' employer contributions are the admission
        agreement's: a roster with LGPS members needs ``[lgps]``."""
        members = int(self.roster.member_of("LGPS").sum())
        if members and "lgps" not in components:
            raise InputError(
                f"staff: the roster has {members} LGPS members, but the case has no [lgps]; add "
                "[lgps] with the employer rates the fund actuary sets (primary_rate, "
                "secondary_rate) and the risk-sharing terms, which decide what the mutual pays"
            )

    def _pay_index(self, ctx: BuildContext) -> Any:
        """Pay awards x drift x turnover factor: 1 in the first period."""
        tl = ctx.timeline
        drift, turnover = ctx.input("incremental_drift"), ctx.input("turnover")
        if tl.freq == "annual":
            index = growth(ctx.input("pay_award")) * growth(drift)
            if self.inputs.turnover:
                ratio = ctx.input("starting_salary_ratio")
                index = index * (ratio + (1 - ratio) * growth(-turnover))
            return index
        month = int(self.inputs.pay_award_month)
        award = ctx.input("pay_award", yearly="rate", month=month)
        if award.scalar:
            # the award takes effect in its month of each year from the second (a year's
            # period takes it from its start)
            due = where(year_fraction() < 1, in_month(month), year_start()) * (year_index() >= 1)
            index = growth(award * due)
        else:
            index = growth(award)
        index = index * index_factor(drift, tl)
        if self.inputs.turnover:
            ratio = ctx.input("starting_salary_ratio")
            years = years_elapsed() - year_fraction()
            index = index * (ratio + (1 - ratio) * (1 - turnover) ** years)
        return index

    @staticmethod
    def _qualifying_earnings(ctx: BuildContext, pay: Any, per_period: Any) -> Any:
        """Qualifying earnings of a period's ``pay`` once it is over the earnings trigger:
        ``IF(pay > trigger, MIN(MAX(pay, lower), upper) - lower, 0)`` (Pensions Act 2008
        ss.3 and 13), thresholds a twelfth of the year's on a month.

        Written, where the lower limit is at or below the trigger and the trigger at or below
        the upper limit (as every year's figures have been since 2012), as the same figure in
        a form the engine totals over employees without expanding scenarios x employees x
        periods (a step at the trigger and two hinges, as employer NI's is one hinge):
        ``MAX(pay - trigger, 0) + (trigger - lower) x (pay > trigger) - MAX(pay - upper, 0)``.
        Over the trigger that is ``pay - lower`` less what is over the upper limit; at or under
        it, 0. With any period's thresholds out of that order the plain form is written.
        """
        names = ("qualifying_earnings_lower", "earnings_trigger", "qualifying_earnings_upper")
        store = resolve_store(ctx.params)
        tl = ctx.timeline
        rows = [
            store.get(f"auto_enrolment.{n}").period_series(tl.starts, tl.ends)[0] for n in names
        ]
        lower, trigger, upper = (param(f"auto_enrolment.{n}") * per_period for n in names)
        if np.all(rows[0] <= rows[1]) and np.all(rows[1] <= rows[2]):
            return (
                max_(pay - trigger, 0) + (trigger - lower) * (pay > trigger) - max_(pay - upper, 0)
            )
        return where(pay > trigger, clip(pay, lower, upper) - lower, 0)

    def build(self, ctx: BuildContext) -> list[Line]:
        r = self.roster
        sheet = self.sheet
        tl = ctx.timeline
        months = tl.freq != "annual"
        # annual thresholds of a period: a twelfth of a year's on a month
        per_period = year_fraction() if months else 1
        salary = self.per_employee(
            ctx,
            "salary",
            r.salary,
            "GBP",
            "Full-time annual salary at the base date",
            bounds=SALARY_BOUNDS,
        )
        fte = self.per_employee(
            ctx, "fte", r.fte, "FTE", "Full-time equivalence", bounds=FTE_BOUNDS
        )
        fte = self.per_employee(ctx, "fte", r.fte, "FTE", "Full-time equivalence")
        in_post = self._in_post(ctx)
        none = self.per_employee(
            ctx, "no_scheme", r.member_of("none"), "flag", "In no pension scheme"
        )
        nhs = self.per_employee(ctx, "nhs_member", r.member_of("NHS"), "flag", "NHS Pension")
        tps = self.per_employee(ctx, "tps_member", r.member_of("TPS"), "flag", "Teachers' Pension")
        vacancy = ctx.input("vacancy_factor")
        pay_index = Line(
            "pay_index",
            self._pay_index(ctx),
            unit="ratio",
            kind="value",
            label="Pay index: pay awards x drift x turnover (1 in the first "
            + ("month)" if months else "year)"),
            sheet=sheet,
        )
        filled = Line(
            "pay_filled_employee",
            salary * fte * pay_index * per_period,
            label="Pay of the post when filled (salary x FTE x pay index"
            + (" x months / 12)" if months else ")"),
            sheet=sheet,
        )
        pay = Line(
            "pay_employee",
            filled * (1 - vacancy) * in_post,
            label="Expected pay (pay when filled x (1 - vacancy factor) x share in post)",
            sheet=sheet,
        )
        ni = Line(
            "employer_ni_employee",
            employer_ni(filled) * (1 - vacancy) * in_post,
            label="Employer Class 1 NI on pay above the secondary threshold",
            sheet=sheet,
        )
        if self.inputs.nhs_rate_basis == "local":
            nhs_rate = param("nhs_pension.employer_rate_paid_locally")
        else:
            nhs_rate = param("nhs_pension.employer_rate") + param("nhs_pension.admin_levy")
        rate = Line(
            "employer_pension_rate_employee",
            nhs * nhs_rate + tps * param("tps.employer_rate"),
            unit="fraction",
            label="Employer pension rate: NHS and Teachers' schemes (LGPS: the admission)",
            sheet=sheet,
        )
        # auto-enrolment: staff in no scheme earning over the trigger get the minimum employer
        # contribution on qualifying earnings (Pensions Act 2008 ss.3, 13, 20), less opt-outs
        auto = Line(
            "auto_enrolment_employee",
            none
            * self._qualifying_earnings(ctx, filled, per_period)
            * param("auto_enrolment.employer_minimum_rate")
            * (1 - vacancy)
            * in_post
            * (1 - ctx.input("auto_enrolment_opt_out")),
            label="Auto-enrolment employer contribution (staff in no scheme, over the trigger): "
            "qualifying earnings x the minimum rate",
            sheet=sheet,
        )
        pension = Line(
            "employer_pension_employee",
            pay * rate + auto,
            label="Employer pension contributions: NHS, TPS and auto-enrolment",
            sheet=sheet,
        )
        cost = Line(
            "staff_cost_employee",
            pay + ni + pension,
            label="Cost of the employee: pay + employer NI + employer pension",
            sheet=sheet,
        )
        staff_pay = Line("staff_pay", total(pay), label="Staff pay (paybill)", sheet=sheet)
        staff_ni = Line("employer_ni", total(ni), label="Employer National Insurance", sheet=sheet)
        staff_pension = Line(
            "employer_pension",
            total(pension),
            label="Employer pension contributions: NHS, TPS, auto-enrolment (LGPS: Pensions)",
            sheet=sheet,
        )
        extra: list[Line] = []
        if months:
            levy, levy_lines = self._levy_to_date(staff_pay, sheet)
            extra += levy_lines
        else:
            levy = Line(
                "apprenticeship_levy",
                apprenticeship_levy(staff_pay),
                label="Apprenticeship Levy (0.5% of paybill over the allowance)",
                sheet=sheet,
            )
        reason = legal_form_of(ctx).employment_allowance_reason
        if not reason.startswith("eligible"):
            allowance = Line(
                "employment_allowance",
                0.0,
                label=f"Employment Allowance ({reason})"[:250],
                sheet=sheet,
            )
        elif months:
            allowance, ea_lines = self._allowance_to_date(ctx, staff_ni, reason, sheet)
            extra += ea_lines
        else:
            ea = min_(param("ni.employment_allowance", how="end"), staff_ni)
            if ctx.timeline.start < dt.date(2025, 4, 1):
                # NICA 2014 s.2(4B): barred if last year's employer NI was £100,000 or more
                # (2020/21 to 2024/25 only)
                barred = within("2020-04-01", "2025-03-31") * (
                    previous(staff_ni, opening=ctx.input("prior_year_employer_nics")) >= 100_000
                )
                ea = where(barred, 0, ea)
            allowance = Line(
                "employment_allowance",
                ea,
                label=f"Employment Allowance ({reason})"[:250],
                sheet=sheet,
            )
        staff_costs = Line(
            "staff_costs",
            staff_pay + staff_ni + staff_pension + levy - allowance,
            label="Staff costs: pay + NI + pension + levy - Employment Allowance",
            sheet=sheet,
        )
        if months:
            oncosts = Line(
                "staff_oncosts",
                staff_ni + staff_pension + levy - allowance,
                label="On-costs paid the month after: NI + pension + levy - Employment Allowance",
                sheet=sheet,
            )
            paid = paid_in_arrears(
                "staff_oncosts_paid",
                oncosts,
                tl,
                sheet=sheet,
                label="On-costs paid (PAYE by the 22nd and pensions by the 19th of the next month)",
            )
            extra += [
                oncosts,
                *paid,
                Line(
                    "staff_costs_paid",
                    staff_pay + paid[-1],
                    label="Staff costs paid: pay in the month, on-costs the month after",
                    sheet=sheet,
                    role="payments:staff_costs",
                ),
            ]
        return [
            *([in_post] if isinstance(in_post, Line) else []),
            pay_index,
            filled,
            pay,
            ni,
            rate,
            auto,
            pension,
            cost,
            staff_pay,
            staff_ni,
            staff_pension,
            levy,
            allowance,
            staff_costs,
            *extra,
        ]

    def _levy_to_date(self, staff_pay: Line, sheet: str) -> tuple[Line, list[Line]]:
        """The Apprenticeship Levy by month: on the paybill to date less the allowance to date
        (£1,250 a month, unused allowance carried forward within the year)."""
        pay_to_date = year_to_date(
            "staff_pay_to_date", staff_pay, sheet=sheet, label="Paybill in the year to date"
        )
        allowance = year_to_date(
            "levy_allowance_to_date",
            param("apprenticeship_levy.allowance", how="end") * year_fraction(),
            sheet=sheet,
            label="Levy allowance to date (£15,000 a year accruing monthly, FA 2016 s.100)",
        )
        levy_to_date = Line(
            "apprenticeship_levy_to_date",
            max_(param("apprenticeship_levy.rate", how="end") * pay_to_date - allowance, 0),
            kind="balance",
            label="Apprenticeship Levy to date: 0.5% of the paybill to date less the allowance",
            sheet=sheet,
        )
        levy = Line(
            "apprenticeship_levy",
            levy_to_date - previous(levy_to_date) * (1 - year_start()),
            label="Apprenticeship Levy (the rise in the levy to date)",
            sheet=sheet,
        )
        return levy, [pay_to_date, allowance, levy_to_date]

    def _allowance_to_date(
        self, ctx: BuildContext, staff_ni: Line, reason: str, sheet: str
    ) -> tuple[Line, list[Line]]:
        """The Employment Allowance by month: set against employer NI from the first months
        of each year until the year's allowance is used up."""
        ni_to_date = year_to_date(
            "employer_ni_to_date",
            staff_ni,
            sheet=sheet,
            label="Employer NI in the year to date",
            opening=ctx.input("prior_year_employer_nics"),
        )
        available: Any = param("ni.employment_allowance", how="end")
        lines = [ni_to_date]
        if ctx.timeline.start < dt.date(2025, 4, 1):
            # NICA 2014 s.2(4B): barred if last year's employer NI was £100,000 or more
            # (2020/21 to 2024/25 only): last year's total is the year to date before its start
            last_year = Line(
                "employer_ni_last_year",
                where(year_start(), previous(ni_to_date), previous("employer_ni_last_year")),
                kind="balance",
                label="Employer NI of the previous financial year",
                sheet=sheet,
            )
            lines.append(last_year)
            barred = within("2020-04-01", "2025-03-31") * (last_year >= 100_000)
            available = where(barred, 0, available)
        used = Line(
            "employment_allowance_to_date",
            min_(available, ni_to_date),
            kind="balance",
            label="Employment Allowance used in the year to date (at most the year's allowance)",
            sheet=sheet,
        )
        lines.append(used)
        allowance = Line(
            "employment_allowance",
            used - previous(used) * (1 - year_start()),
            label=f"Employment Allowance ({reason}; used from the first months of the year)"[:250],
            sheet=sheet,
        )
        return allowance, lines


class TransferCosts(RosterComponent):
    """One-off costs of the transfer: redundancy, LGPS pension strain, pay protection,
    harmonisation, and the staff the mutual does not take.

    Lines (sheet "Transfer"), pounds, positive costs, in the period stated:

    ``statutory_redundancy``
        Statutory redundancy pay (Employment Rights Act 1996 ss.135-162, via
        :func:`statutory_redundancy_pay`) of the employees in ``redundant``, at
        ``redundancy_date`` (default: the roster's base date), in the period containing it.
        Age and complete years of continuous service (preserved across a TUPE transfer, reg.4)
        are taken at that date; a week's pay is annual pay / 52.
    ``enhanced_redundancy``
        The enhancement over statutory pay: ``min(statutory weeks x enhancement_multiplier,
        weeks_cap)`` weeks of a week's pay (capped at the statutory maximum, or actual pay
        with ``weekly_pay_basis="actual"``, as councils may under the Local Government (Early
        Termination of Employment) (Discretionary Compensation) Regulations 2006, at most 104
        weeks), less the statutory payment, never negative.
    ``pension_strain``
        The cost to the LGPS fund, charged to the employer, of paying an unreduced pension
        early to a member aged 55 or over made redundant (LGPS Regulations 2013 reg.30(7) and
        reg.68(2)). ``pension_strain`` given as an input (the fund actuary's figure) is used
        as it is. Otherwise a **labelled estimate, not an actuarial figure**: accrued pension
        x early-retirement reduction (GAD table, ``lgps.early_retirement_reduction``, for
        ``normal_pension_age - age`` years early) x ``strain_capitalisation_factor``. The
        accrued pension is the roster's ``accrued_pension`` where given, else pay x years of
        service x accrual fraction (1/49 main, 1/98 50/50) as if all service were CARE
        (pre-2014 final-salary service and lump sums are not estimated).
    ``pay_protection``
        ``pay_protection_amount`` a year for the first ``pay_protection_years`` periods
        (protected pay of staff moved to lower-paid posts).
    ``harmonisation``
        ``harmonisation_cost``: cost of harmonising terms, one number a year or one per year.
    ``transfer_costs``
        The sum of the lines above.
    ``staff_not_transferred_cost``
        Pay of the employees in ``not_transferred`` (who stay with the council: e.g. staff
        who object to the transfer under TUPE reg.4(7), or posts the mutual does not take)
        plus ``not_transferred_oncost_rate`` on-costs, for the first
        ``not_transferred_years`` periods, at base-date pay. A cost to the council, kept out
        of ``transfer_costs``.

    Who bears each cost (council or mutual) is for the business case and the transfer
    agreement: redundancies before the transfer date usually fall to the council, after it to
    the mutual (TUPE reg.7).
    """

    key = "transfer"
    #: where the lines go in a business case's statements
    roles: ClassVar[dict[str, str]] = {
        "transfer_costs": "one_off",
        "staff_not_transferred_cost": "council_cost",
    }
    sheet = "Transfer"

    class Inputs(ComponentInputs):
        redundant: list[str] = field("Ids of the employees made redundant", default=[])
        redundancy_date: dt.date | None = field(
            "Dismissal date (default: the roster's base date)", default=None
        )
        enhancement_multiplier: Ratio = field(
            "Enhanced scheme: multiple of the statutory weeks (1 for none)", default=1.0
        )
        weekly_pay_basis: Literal["statutory_cap", "actual"] = field(
            "Week's pay of the enhanced scheme: capped at the statutory maximum, or actual",
            default="statutory_cap",
        )
        weeks_cap: Annotated[Count, Limit(1, why="give the most weeks' pay, at least 1")] = field(
            "Most weeks' pay one person receives (enhanced)", default=104
        )
        pension_strain: Money | None = field(
            "LGPS pension strain from the fund actuary (replaces the estimate)", default=None
        )
        strain_capitalisation_factor: Ratio | None = field(
            "Fund's capitalisation factor for the strain estimate (years of pension)",
            default=None,
        )
        normal_pension_age: _PensionAge = field(
            "LGPS normal pension age (State Pension age)", default=67
        )
        pay_protection_amount: Money = field("Protected pay: pounds a year in total", default=0.0)
        pay_protection_years: Years = field("Years pay protection lasts", default=0.0)
        harmonisation_cost: MoneySeries = field(
            "Cost of harmonising terms, pounds a year (one number or one per year)", default=0.0
        )
        not_transferred: list[str] = field(
            "Ids of the employees the mutual does not take (they stay with the council)",
            default=[],
        )
        not_transferred_years: Years = field(
            "Years the council keeps paying staff the mutual does not take", default=1.0
        )
        not_transferred_oncost_rate: Annotated[Fraction, Limit(0, why="on-costs are 0 or more")] = (
            field("On-costs on the pay of staff not transferred (NI, pension)", default=0.3)
        )

    def validate(self) -> None:
        i = self.inputs
        self.roster.index_of(i.redundant, "transfer.redundant")
        self.roster.index_of(i.not_transferred, "transfer.not_transferred")
        both = sorted(set(i.redundant) & set(i.not_transferred))
        if both:
            raise InputError(
                f"transfer: {both[:5]} are both made redundant and not transferred; list each "
                "employee in one of redundant or not_transferred"
            )

    def last_day_employed(self, timeline: Any) -> list[dt.date]:
        """Each employee's last day employed by the mutual within ``timeline``: the day before
        the redundancy date for those made redundant (they leave on it), the day before the
        timeline starts for those not transferred (never employed by the mutual), and the
        timeline's last day for everyone else."""
        i, r = self.inputs, self.roster
        leave = i.redundancy_date or r.base_date
        out = [timeline.end] * len(r.ids)
        for k in r.index_of(i.redundant, "transfer.redundant"):
            out[k] = max(leave - dt.timedelta(days=1), timeline.start - dt.timedelta(days=1))
        for k in r.index_of(i.not_transferred, "transfer.not_transferred"):
            out[k] = timeline.start - dt.timedelta(days=1)
        return out

    # -- the per-employee schedule (numbers, also shown as inputs' sources) ------------------
    def schedule(self, params: Any = None) -> Any:
        """Per redundant employee: age, years, week's pay, statutory and enhanced pay,
        strain estimate (a pandas DataFrame, pounds), with the figures of ``params`` (the
        shipped UK parameters by default)."""
        import pandas as pd

        store = resolve_store(params)
        i = self.inputs
        r = self.roster
        on = i.redundancy_date or r.base_date
        idx = r.index_of(i.redundant, "transfer.redundant")
        if len(idx) == 0:
            return pd.DataFrame(
                columns=[
                    "age",
                    "years_of_service",
                    "weekly_pay",
                    "statutory",
                    "enhanced_extra",
                    "accrued_pension",
                    "strain_estimate",
                ]
            )
        ages = np.array(
            [
                _whole_years(r.date_of_birth[k], on)
                if r.date_of_birth[k] is not None
                else r.age[k] + _whole_years(r.base_date, on)
                for k in idx
            ],
            dtype=float,
        )
        years = np.array([_whole_years(r.service_start[k], on) for k in idx], dtype=float)
        years = np.minimum(years, ages - _MIN_WORKING_AGE)
        week = r.pay[idx] / 52.0
        statutory = np.asarray(
            statutory_redundancy_pay(
                age=ages, years_of_service=years, weekly_pay=week, on=on, params=store
            )
        )
        # the number of statutory weeks: the payment for a week's pay of 1 (under any cap)
        weeks = np.asarray(
            statutory_redundancy_pay(
                age=ages, years_of_service=years, weekly_pay=1.0, on=on, params=store
            )
        )
        cap = float(warn_held(store.get("redundancy.weekly_pay_cap").at(_on_date(on, "on"))).value)
        enhanced_week = week if i.weekly_pay_basis == "actual" else np.minimum(week, cap)
        enhanced_weeks = np.minimum(weeks * i.enhancement_multiplier, i.weeks_cap)
        extra = np.maximum(enhanced_weeks * enhanced_week - statutory, 0.0)
        section = r.fifty_fifty[idx]
        fraction = np.where(section == 1, 1 / 98, 1 / 49)
        accrued = np.where(
            np.isnan(r.accrued_pension[idx]),
            r.pay[idx] * r.service_years[idx] * fraction,
            r.accrued_pension[idx],
        )
        table_years, cuts, _ = _reduction_table(on, store)
        early = np.maximum(i.normal_pension_age - ages, 0.0)
        reduction = np.interp(early, table_years, cuts)
        strained = (r.scheme[idx] == "LGPS") & (ages >= 55)
        factor = i.strain_capitalisation_factor or 0.0
        strain = np.where(strained, accrued * reduction * factor, 0.0)
        return pd.DataFrame(
            {
                "age": ages,
                "years_of_service": years,
                "weekly_pay": week,
                "statutory": statutory,
                "enhanced_extra": extra,
                "accrued_pension": np.where(strained, accrued, 0.0),
                "reduction": np.where(strained, reduction, 0.0),
                "strain_estimate": strain,
            },
            index=pd.Index(r.ids[idx], name="employee"),
        )

    def build(self, ctx: BuildContext) -> list[Line]:
        i = self.inputs
        r = self.roster
        sheet = self.sheet
        on = i.redundancy_date or r.base_date
        tl = ctx.timeline
        months = tl.freq != "annual"

        def for_years(years: Input) -> Any:
            """1 in the periods that start within the first ``years`` years (pounds a year
            times the period's share of a year, on a timeline with months)."""
            if not months:
                return period_index() < years
            return year_fraction() * started_before(years)

        if not tl.start <= on <= tl.ends[-1]:
            raise InputError(
                f"transfer.redundancy_date: {on} is outside the timeline ({tl.labels[0]} to "
                f"{tl.labels[-1]}); give a date within it"
            )
        sched = self.schedule(ctx.params)
        strained = sched[sched["strain_estimate"] > 0] if len(sched) else sched
        needs_factor = len(sched) and (
            ((r.scheme[r.index_of(i.redundant, "x")] == "LGPS") & (sched["age"] >= 55)).any()
        )
        if i.pension_strain is None and needs_factor and i.strain_capitalisation_factor is None:
            who = sched.index[(sched["age"] >= 55).to_numpy()].tolist()
            raise InputError(
                f"transfer.strain_capitalisation_factor: needed to estimate the LGPS pension "
                f"strain of {who[:5]} (LGPS members aged 55 or over made redundant); give the "
                "fund's capitalisation factor, or the actuary's figure as pension_strain"
            )
        names = ", ".join(sched.index) or "nobody"
        once = within(on, on)
        scalar = ctx.created

        def fixed(name: str, value: float, label: str, source: str) -> Input:
            full = f"{self.key}.{name}"
            if full not in scalar:
                scalar[full] = Input(full, float(value), unit="GBP", label=label, source=source)
            return scalar[full]

        statutory = fixed(
            "statutory_redundancy_pay",
            sched["statutory"].sum() if len(sched) else 0.0,
            f"Statutory redundancy pay of {names} (computed)",
            f"mutualfin.workforce.statutory_redundancy_pay at {on}; ERA 1996 s.162",
        )
        extra = fixed(
            "enhanced_redundancy_pay",
            sched["enhanced_extra"].sum() if len(sched) else 0.0,
            f"Enhanced redundancy over statutory, {names} (computed)",
            f"x{i.enhancement_multiplier:g} statutory weeks, at most {i.weeks_cap:g} weeks, "
            f"{i.weekly_pay_basis} week's pay",
        )
        if i.pension_strain is not None:
            # ``Money | None`` loses its unit in the framework (Component.unit_of reads only a
            # plain Annotated type), so the actuary's figure is made an Input here
            meta = self._meta.get("pension_strain", {})
            strain_input = fixed(
                "pension_strain",
                i.pension_strain,
                str(meta.get("label") or "LGPS pension strain (fund actuary's figure)"),
                str(meta.get("source", "fund actuary")),
            )
            strain_label = "LGPS pension strain (fund actuary's figure)"
        else:
            _, _, note = _reduction_table(on, ctx.params)
            strain_input = fixed(
                "pension_strain_estimate",
                strained["strain_estimate"].sum() if len(strained) else 0.0,
                "LGPS pension strain: ESTIMATE, not an actuarial figure",
                "accrued pension x GAD early-retirement reduction x capitalisation factor "
                f"{i.strain_capitalisation_factor}{note}; replace with the fund actuary's figure",
            )
            strain_label = "LGPS pension strain (estimate, not an actuarial valuation)"
        harmonisation = ctx.input("harmonisation_cost", yearly="spread")
        lines = [
            Line(
                "statutory_redundancy",
                statutory * once,
                label="Statutory redundancy pay",
                sheet=sheet,
            ),
            Line(
                "enhanced_redundancy",
                extra * once,
                label="Enhanced redundancy pay over statutory",
                sheet=sheet,
            ),
            Line("pension_strain", strain_input * once, label=strain_label, sheet=sheet),
            Line(
                "pay_protection",
                ctx.input("pay_protection_amount") * for_years(ctx.input("pay_protection_years")),
                label="Pay protection",
                sheet=sheet,
            ),
            Line(
                "harmonisation",
                harmonisation * year_fraction()
                if months and harmonisation.scalar
                else harmonisation,
                label="Harmonisation of terms",
                sheet=sheet,
            ),
        ]
        lines.append(
            Line(
                "transfer_costs",
                sum_(*lines),
                label="One-off transfer costs (redundancy, strain, protection, harmonisation)",
                sheet=sheet,
            )
        )
        kept = r.index_of(i.not_transferred, "transfer.not_transferred")
        kept_pay = fixed(
            "not_transferred_pay",
            float(r.pay[kept].sum()),
            "Pay of staff the mutual does not take (base date)",
            f"roster {r.source}: {', '.join(r.ids[kept]) or 'nobody'}",
        )
        lines.append(
            Line(
                "staff_not_transferred_cost",
                kept_pay
                * (1 + ctx.input("not_transferred_oncost_rate"))
                * for_years(ctx.input("not_transferred_years")),
                label="Staff the mutual does not take: cost to the council",
                sheet=sheet,
            )
        )
        return lines
