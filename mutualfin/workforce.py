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
from typing import Any, Literal

import numpy as np

from mutualfin import params as _params
from mutualfin.components import (
    BuildContext,
    Component,
    ComponentInputs,
    Fraction,
    FractionSeries,
    Money,
    MoneySeries,
    Ratio,
    field,
)
from mutualfin.engine.nodes import (
    Entities,
    Input,
    Line,
    growth,
    max_,
    min_,
    param,
    previous,
    total,
    where,
    within,
    year_fraction,
)
from mutualfin.errors import InputError
from mutualfin.roster import Roster
from mutualfin.tax import (
    _amounts,
    _on_date,
    _out,
    _require_year,
    employer_ni,
)

__all__ = ["RosterComponent", "StaffCosts", "statutory_redundancy_pay"]

#: (first age, last age, weeks' pay per complete year of service at those ages)
_AGE_BANDS = ((0, 21, 0.5), (22, 40, 1.0), (41, 10_000, 1.5))
_MAX_YEARS = 20
_QUALIFYING_YEARS = 2
_MIN_WORKING_AGE = 15


def _whole(value: Any, name: str) -> tuple[np.ndarray, bool]:
    arr, scalar = _amounts(value, name, negative_ok=True)
    if (arr != np.floor(arr)).any():
        bad = arr[arr != np.floor(arr)].flat[0]
        raise InputError(
            f"{name} {bad:g} is not a whole number; give complete years (e.g. {np.floor(bad):g})"
        )
    return arr, scalar


def statutory_redundancy_pay(
    *, age: Any, years_of_service: Any, weekly_pay: Any, on: Any
) -> float | np.ndarray:
    """Statutory redundancy pay under the Employment Rights Act 1996.

    Parameters
    ----------
    age : int or array
        The employee's age in complete years on the dismissal date, at least 15.
    years_of_service : int or array
        Complete years of continuous employment at the dismissal date; at most ``age - 15``.
    weekly_pay : float or array
        A week's pay in pounds (gross), at least 0; capped at the statutory maximum.
    on : date, int or str
        The dismissal date (the "relevant date"). A year (2021 or "2021/22") means its
        6 April, the day each year's cap takes effect.

    Returns
    -------
    float or array
        The payment in pounds (positive), 0 with fewer than two years' service.

    Notes
    -----
    Counting back from the dismissal date, each complete year of service (at most the last
    20) is worth half a week's pay for a year in which the employee was under 22, one week
    for a year at 22 to 40, and one and a half weeks at 41 or over. With age ``a`` and
    ``n`` years counted, the years were spent at ages ``a - n`` to ``a - 1``. So the most
    is 20 x 1.5 = 30 weeks. A week's pay is capped at ``redundancy.weekly_pay_cap`` in force
    on the dismissal date (raised each 6 April: £544 from 6 April 2021, £751 from 6 April
    2026). Enhanced (contractual) schemes are not covered.

    References
    ----------
    Employment Rights Act 1996 ss.135, 155 (two years to qualify), 162 (amount), 227 (cap);
    the Employment Rights (Increase of Limits) Orders; gov.uk "Redundancy: your rights -
    redundancy pay".

    Examples
    --------
    Joined at 19, made redundant at 25 with 6 full years in 2021: 3 years under 22 at half a
    week and 3 years at 22-24 at a week, 4.5 weeks x £544:

    >>> statutory_redundancy_pay(age=25, years_of_service=6, weekly_pay=600, on="2021-06-30")
    2448.0
    """
    _require_year(on, "on", "statutory_redundancy_pay")
    ages, s1 = _whole(age, "age")
    years, s2 = _whole(years_of_service, "years_of_service")
    pay, s3 = _amounts(weekly_pay, "weekly_pay")
    try:
        ages, years, pay = np.broadcast_arrays(ages, years, pay)
    except ValueError:
        raise InputError(
            f"age, years_of_service and weekly_pay have shapes {np.shape(ages)}, "
            f"{np.shape(years)}, {np.shape(pay)} that do not broadcast; give one value per "
            "employee in each, or a single value"
        ) from None
    if (ages < _MIN_WORKING_AGE).any():
        bad = ages[ages < _MIN_WORKING_AGE].flat[0]
        raise InputError(
            f"age {bad:g} is under {_MIN_WORKING_AGE}; give the age in complete years at the "
            "dismissal date"
        )
    if (years < 0).any():
        raise InputError(f"years_of_service {years[years < 0].flat[0]:g} is negative")
    too_long = years > ages - _MIN_WORKING_AGE
    if too_long.any():
        i = np.argwhere(too_long)[0]
        a, n = ages[tuple(i)], years[tuple(i)]
        raise InputError(
            f"years_of_service {n:g} is more than age {a:g} minus {_MIN_WORKING_AGE} "
            f"(= {a - _MIN_WORKING_AGE:g}); service cannot start before age {_MIN_WORKING_AGE}"
        )
    when = _on_date(on, "on")
    cap = float(_params.get("redundancy.weekly_pay_cap").at(when).value)

    counted = np.minimum(years, _MAX_YEARS)
    first = ages - counted  # age during the earliest year counted
    last = ages - 1  # age during the year just before dismissal
    weeks = np.zeros_like(counted)
    for lo, hi, per_year in _AGE_BANDS:  # three bands, not a loop per employee
        overlap = np.minimum(last, hi) - np.maximum(first, lo) + 1
        weeks = weeks + per_year * np.maximum(overlap, 0)
    weeks = np.where(years >= _QUALIFYING_YEARS, weeks, 0.0)
    return _out(weeks * np.minimum(pay, cap), s1 and s2 and s3)


# --------------------------------------------------------------------------------------------
# components built on a roster
# --------------------------------------------------------------------------------------------
class RosterComponent(Component):
    """A component whose lines are per employee of a :class:`~mutualfin.roster.Roster`.

    The roster is not a case-file input (it is data, often hundreds of rows): pass it to the
    constructor, ``StaffCosts(roster, pay_award=0.03)``, or ``StaffCosts.from_dict(table,
    roster=roster)``. In a model, the employee axis is the roster's ``entities``; a
    ``BuildContext`` given another axis must have the same ids in the same order.
    """

    def __init__(self, roster: Roster | None = None, /, **values: Any):
        if not isinstance(roster, Roster):
            raise InputError(
                f"{type(self).__name__} needs a Roster as its first argument, got "
                f"{type(roster).__name__}; load one with Roster.from_csv(path, base_date)"
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

    def check_annual(self, ctx: BuildContext) -> None:
        if ctx.timeline.freq != "annual":
            raise InputError(
                f"{self.key}: {type(self).__name__} needs an annual timeline (pay awards, "
                "turnover and CARE revaluation are annual); build the staff model on "
                f"Timeline(..., freq='annual'), not {ctx.timeline.freq!r}"
            )

    def per_employee(
        self, ctx: BuildContext, name: str, values: Any, unit: str, label: str, source: str = ""
    ) -> Input:
        """A per-employee input ``<key>.<name>`` (created once per build)."""
        full = f"{self.key}.{name}"
        if full not in ctx.created:
            ctx.created[full] = Input(
                full,
                np.asarray(values, dtype=float),
                unit=unit,
                label=label,
                source=source or f"roster {self.roster.source}",
                per=self.axis(ctx),
            )
        return ctx.created[full]


def _levy(paybill: Line) -> Any:
    """Apprenticeship Levy on a paybill line: ``max(rate x paybill - allowance, 0)``.

    Finance Act 2016 s.99 charges 0.5% of the pay bill and s.100 sets an allowance of
    £15,000 *against the levy* (not against the pay bill), so a £4m pay bill pays
    0.5% x 4,000,000 - 15,000 = £5,000. :func:`mutualfin.tax.apprenticeship_levy` (as of
    commit 5f701f4) subtracts the allowance from the pay bill instead, giving £19,925 for the
    same pay bill; until that is corrected this model writes the levy from the same
    parameters itself. Its form matches the tax module's otherwise (rate and allowance in
    force at the period end, allowance pro-rated by the year fraction).
    """
    rate = param("apprenticeship_levy.rate", how="end")
    allowance = param("apprenticeship_levy.allowance", how="end") * year_fraction()
    return max_(rate * paybill - allowance, 0)


class StaffCosts(RosterComponent):
    """Pay and on-costs of the staff transferring to the mutual, per employee, summed.

    Staff transfer under TUPE (Transfer of Undertakings (Protection of Employment)
    Regulations 2006) on their existing pay and terms; pension protection follows the Best
    Value Authorities Staff Transfers (Pensions) Direction 2007 (an LGPS admission agreement
    in practice), or the NHS Pension Scheme / Teachers' Pension Scheme where staff keep access.

    Built for an annual timeline whose first period is the year of the roster's base date.
    All amounts are pounds per year, positive costs; ``employment_allowance`` is positive and
    is subtracted in ``staff_costs``.

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
        (Finance Act 2016 ss.99-100; parameters ``apprenticeship_levy.rate`` and
        ``.allowance``). See :func:`_levy` for why this does not call
        :func:`mutualfin.tax.apprenticeship_levy`.
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

    Notes
    -----
    Salaries are full-time annual salaries at the roster's base date; pay is ``salary x fte``
    and is treated as earned evenly through the year. NI is computed on each period's pay as
    an annual earnings period (see :func:`mutualfin.tax.employer_ni`); the Employment
    Allowance and the levy follow the financial year, not the tax year (a 5-day shift).
    Overtime, allowances and salary sacrifice are not modelled: include regular allowances in
    the salary.
    """

    key = "staff"
    sheet = "Staff"

    class Inputs(ComponentInputs):
        pay_award: FractionSeries = field(
            "Annual pay award, from the second year (one number, or one per year)", default=0.0
        )
        incremental_drift: Fraction = field(
            "Incremental drift: yearly paybill growth from staff moving up pay points",
            default=0.0,
        )
        vacancy_factor: Fraction = field(
            "Vacancy factor: expected share of the year posts are empty", default=0.0
        )
        turnover: Fraction = field(
            "Staff turnover: leavers a year as a share of staff", default=0.0
        )
        starting_salary_ratio: Ratio = field(
            "Salary of a replacement as a ratio of the leaver's salary", default=1.0
        )
        lgps_primary_rate: Fraction = field(
            "LGPS employer primary rate (% of pensionable pay), from the fund actuary",
            default=0.198,
        )
        lgps_secondary_rate: Fraction = field(
            "LGPS employer secondary rate (% of pay; negative for a surplus offset)", default=0.0
        )
        lgps_secondary_amount: MoneySeries = field(
            "LGPS employer secondary contribution in pounds a year (whole employer)", default=0.0
        )
        nhs_rate_basis: Literal["full", "local"] = field(
            "NHS Pension employer rate: 'full' (rate plus levy) or 'local' (paid locally)",
            default="full",
        )
        is_charity: bool = field("The mutual is a charity (e.g. a charitable CBS)", default=False)
        public_work_share: Fraction = field(
            "Share of the mutual's work that is of a public nature", default=1.0
        )
        prior_year_employer_nics: Money = field(
            "Employer NI of the year before the first (2020/21-2024/25 £100k rule)", default=0.0
        )

    def validate(self) -> None:
        i = self.inputs
        for name in ("vacancy_factor", "turnover", "public_work_share"):
            v = getattr(i, name)
            if not 0 <= v <= 1 or (name == "vacancy_factor" and v >= 1):
                raise InputError(
                    f"staff.{name}: {v!r} must be a fraction from 0 to 1 (0.05 for 5%)"
                    + ("; below 1" if name == "vacancy_factor" else "")
                )
        if i.starting_salary_ratio > 2:
            raise InputError(
                f"staff.starting_salary_ratio: {i.starting_salary_ratio!r} is a ratio of the "
                "leaver's salary (0.92 for 8% lower); a value above 2 is not plausible"
            )

    # -- eligibility -----------------------------------------------------------------------
    def employment_allowance_reason(self) -> str:
        """Why the Employment Allowance can or cannot be claimed (the rule of
        :func:`mutualfin.tax.employment_allowance`)."""
        share, charity = self.inputs.public_work_share, self.inputs.is_charity
        if share >= 0.5 and not charity:
            return (
                f"not eligible: {share:.0%} of the work is of a public nature (50% or more) and "
                "the mutual is not a charity (NICA 2014 s.3(1)(d); HMRC NIM06530)"
            )
        if share >= 0.5:
            return "eligible: a charity, so public-nature work does not bar the claim"
        return "eligible: less than half of the work is of a public nature"

    def build(self, ctx: BuildContext) -> list[Line]:
        self.check_annual(ctx)
        r = self.roster
        sheet = self.sheet
        salary = self.per_employee(
            ctx, "salary", r.salary, "GBP", "Full-time annual salary at the base date"
        )
        fte = self.per_employee(ctx, "fte", r.fte, "FTE", "Full-time equivalence")
        lgps = self.per_employee(ctx, "lgps_member", r.member_of("LGPS"), "flag", "LGPS member")
        nhs = self.per_employee(ctx, "nhs_member", r.member_of("NHS"), "flag", "NHS Pension")
        tps = self.per_employee(ctx, "tps_member", r.member_of("TPS"), "flag", "Teachers' Pension")
        award, drift = ctx.input("pay_award"), ctx.input("incremental_drift")
        vacancy, turnover = ctx.input("vacancy_factor"), ctx.input("turnover")
        index = growth(award) * growth(drift)
        if self.inputs.turnover:
            ratio = ctx.input("starting_salary_ratio")
            index = index * (ratio + (1 - ratio) * growth(-turnover))
        pay_index = Line(
            "pay_index",
            index,
            unit="ratio",
            kind="value",
            label="Pay index: pay awards x drift x turnover (1 in the first year)",
            sheet=sheet,
        )
        filled = Line(
            "pay_filled_employee",
            salary * fte * pay_index,
            label="Pay of the post when filled (salary x FTE x pay index)",
            sheet=sheet,
        )
        pay = Line(
            "pay_employee",
            filled * (1 - vacancy),
            label="Expected pay (pay when filled x (1 - vacancy factor))",
            sheet=sheet,
        )
        ni = Line(
            "employer_ni_employee",
            employer_ni(filled) * (1 - vacancy),
            label="Employer Class 1 NI on pay above the secondary threshold",
            sheet=sheet,
        )
        if self.inputs.nhs_rate_basis == "local":
            nhs_rate = param("nhs_pension.employer_rate_paid_locally")
        else:
            nhs_rate = param("nhs_pension.employer_rate") + param("nhs_pension.admin_levy")
        lgps_rate = ctx.input("lgps_primary_rate") + ctx.input("lgps_secondary_rate")
        rate = Line(
            "employer_pension_rate_employee",
            lgps * lgps_rate + nhs * nhs_rate + tps * param("tps.employer_rate"),
            unit="fraction",
            label="Employer pension rate by scheme (LGPS primary + secondary, NHS, TPS)",
            sheet=sheet,
        )
        pension = Line(
            "employer_pension_employee",
            pay * rate,
            label="Employer pension contributions (% of pay)",
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
            total(pension) + ctx.input("lgps_secondary_amount"),
            label="Employer pension contributions, incl. LGPS secondary £ amount",
            sheet=sheet,
        )
        levy = Line(
            "apprenticeship_levy",
            _levy(staff_pay),
            label="Apprenticeship Levy (0.5% of paybill over the allowance)",
            sheet=sheet,
        )
        reason = self.employment_allowance_reason()
        if reason.startswith("eligible"):
            ea = min_(param("ni.employment_allowance", how="end"), staff_ni)
            if ctx.timeline.start < dt.date(2025, 4, 1):
                # NICA 2014 s.2(4B): barred if last year's employer NI was £100,000 or more
                # (2020/21 to 2024/25 only)
                barred = within("2020-04-01", "2025-03-31") * (
                    previous(staff_ni, opening=ctx.input("prior_year_employer_nics")) >= 100_000
                )
                ea = where(barred, 0, ea)
        else:
            ea = 0.0
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
        return [
            pay_index,
            filled,
            pay,
            ni,
            rate,
            pension,
            cost,
            staff_pay,
            staff_ni,
            staff_pension,
            levy,
            allowance,
            staff_costs,
        ]
