"""UK taxes on a mutual's profits and payroll: corporation tax, employer NI, Employment
Allowance and the Apprenticeship Levy.

Every calculator works on plain numbers and on numpy arrays (vectorised: an array in gives an
array out, with no Python loop per element). :func:`corporation_tax`, :func:`employer_ni`
and :func:`apprenticeship_levy` also accept an engine expression (an ``Expr`` such as a
``Line``) and then return an ``Expr`` built from ``param(...)``, ``where``, ``min_`` and
``max_``, which a :class:`~mutualfin.Model` writes as a live Excel formula; the year then
comes from the model's timeline, so no year is given.

Years and dates
    ``tax_year=`` and ``financial_year=`` accept a date (the year containing it), a year
    ``2025``, ``"2025/26"`` or ``"FY2025"``. The NI year starts on 6 April; the corporation
    tax financial year ("FY2025") on 1 April. A year outside the data of the parameter file
    raises :class:`~mutualfin.errors.ParameterRangeError` naming the range covered.

Sign convention
    Amounts of pay and profit are positive pounds; every result is a positive amount of tax
    payable (a charge to the mutual), never negative.

Bad input (text, NaN, infinities, negative pay) raises :class:`~mutualfin.errors.InputError`
naming the argument and the fix.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mutualfin.core.checks import (
    _amounts,
    _no_year_with_expr,
    _on_date,
    _out,
    _require_year,
    _year_start,
)
from mutualfin.engine.nodes import Expr, max_, param, where, wrap, year_fraction
from mutualfin.errors import InputError
from mutualfin.params import ParameterStore, resolve_store, warn_held

__all__ = [
    "EmploymentAllowance",
    "apprenticeship_levy",
    "corporation_tax",
    "employer_ni",
    "employer_ni_monthly",
    "employment_allowance",
]

# Days from 1 April to 5 April: a financial-year period (1 April) and the tax year (6 April)
# differ by these five days at each end.
_TAX_YEAR_OFFSET_DAYS = 5


# --------------------------------------------------------------------------------------------
# shared validation (also used by mutualfin.workforce, .pensions and .discounting)
# --------------------------------------------------------------------------------------------
def _value(name: str, on: dt.date, store: ParameterStore) -> float:
    """A parameter's value on a date; past its data, held flat with an AssumptionWarning."""
    return float(warn_held(store.get(name).at(on)).value)


# --------------------------------------------------------------------------------------------
# corporation tax
# --------------------------------------------------------------------------------------------
def corporation_tax(
    profits: Any,
    financial_year: Any = None,
    *,
    associated_companies: int = 0,
    period_months: float = 12,
    augmented_profits: Any = None,
    params: ParameterStore | None = None,
    whole_year: bool = False,
) -> Any:
    """Corporation tax on a company's taxable profits, with marginal relief.

    Parameters
    ----------
    profits : float, array or Expr
        Taxable total profits N for the accounting period, in pounds. A loss (negative
        profits) gives no tax; loss relief (carry forward or back) is not applied here.
    financial_year : int, str or date
        Corporation tax financial year: ``2023``, ``"2023/24"`` or ``"FY2023"`` means
        1 April 2023 to 31 March 2024; a date means the financial year containing it.
        Leave out when ``profits`` is an Expr.
    associated_companies : int
        Number of associated companies; the limits are divided by ``1 + associated_companies``.
    period_months : float
        Length of the accounting period in months (at most 12); the limits are multiplied by
        ``period_months / 12``.
    augmented_profits : float or array, optional
        Augmented profits A (taxable profits plus exempt distributions from non-group
        companies); defaults to ``profits``. Must not be below ``profits``.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.
    whole_year : bool
        Expr form only: the profits are a whole financial year's, booked in one period of a
        timeline with months (its last), so the limits are not pro-rated by the period's
        length.

    Returns
    -------
    float, array or Expr
        Corporation tax payable, in pounds (positive).

    Notes
    -----
    With lower limit L, upper limit U (both divided by 1 + associated companies and
    pro-rated for short periods), small profits rate s, main rate m and fraction f
    (parameters ``ct.*``)::

        A <= L:      tax = s x N
        L < A < U:   tax = m x N - f x (U - A) x N / A        (marginal relief)
        A >= U:      tax = m x N

    FY2015 to FY2022 had one rate (19-20%); the parameter files record L = U = 0 and
    f = 0 for them, so the same formula gives the single rate. FY2014 had a small profits
    rate of 20% to £300,000, 21% above £1,500,000 and a fraction of 1/400; from FY2023 19%
    to £50,000, 25% above £250,000 and 3/200.

    A period straddling two financial years must be split by the caller (HMRC apportions
    profits by days). In the Expr form the period is the model's period: the limits are
    pro-rated by its year fraction, the ``ct.*`` parameters are the day-weighted values over
    it (exact for a financial-year timeline), and augmented profits equal profits.

    References
    ----------
    Corporation Tax Act 2010 ss.18A-18N (marginal relief, Finance Act 2021 s.6 and Sch.1);
    HMRC, "Marginal Relief for Corporation Tax" (CTM03900 onwards);
    Corporation Tax Act 2010 s.19 (small profits rate to FY2014).

    Examples
    --------
    >>> corporation_tax(100_000, financial_year=2023)  # 25,000 - 150,000 x 100/100 x 3/200
    22750.0
    >>> corporation_tax([40_000, 300_000], financial_year="2024/25").tolist()
    [7600.0, 75000.0]
    """
    fn = "corporation_tax"
    assoc = _check_associated(associated_companies)
    if isinstance(profits, Expr):
        _no_year_with_expr(financial_year, "financial_year", fn)
        if period_months != 12:
            raise InputError(
                f"{fn}: period_months={period_months!r} was given with an expression; in a "
                "model the limits are pro-rated by the length of each period"
            )
        return _corporation_tax_expr(profits, assoc, augmented_profits, whole_year)
    _require_year(financial_year, "financial_year", fn)
    months = _check_months(period_months)
    n, scalar = _amounts(profits, "profits", negative_ok=True)
    n = np.maximum(n, 0.0)
    if augmented_profits is None:
        a = n
    else:
        a, a_scalar = _amounts(augmented_profits, "augmented_profits", negative_ok=True)
        scalar = scalar and a_scalar
        if (a < n).any():
            raise InputError(
                "augmented_profits must be at least the taxable profits (A = N plus exempt "
                "distributions); leave it out when there are no such distributions"
            )
    on = _year_start(financial_year, "financial_year", 4, 1)
    store = resolve_store(params)
    small = _value("ct.small_profits_rate", on, store)
    main = _value("ct.main_rate", on, store)
    frac = _value("ct.marginal_relief_fraction", on, store)
    scale = months / 12.0 / (1 + assoc)
    lower = _value("ct.lower_limit", on, store) * scale
    upper = _value("ct.upper_limit", on, store) * scale
    safe_a = np.where(a > 0, a, 1.0)
    relief = frac * np.maximum(upper - a, 0.0) * n / safe_a
    tax = np.where(a <= lower, small * n, main * n - relief)
    return _out(np.asarray(tax, dtype=float), scalar)


def _check_associated(value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer | float)
        or not math.isfinite(value)
        or value < 0
        or int(value) != value
    ):
        raise InputError(
            f"associated_companies={value!r} must be a whole number 0 or more (the number of "
            "associated companies, not counting this one)"
        )
    return int(value)


def _check_months(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not math.isfinite(value)
        or not 0 < value <= 12
    ):
        raise InputError(
            f"period_months={value!r} must be a number of months above 0 and at most 12 (an "
            "accounting period cannot exceed 12 months)"
        )
    return float(value)


def _corporation_tax_expr(
    profits: Expr, assoc: int, augmented: Any, whole_year: bool = False
) -> Expr:
    n = max_(profits, 0)
    length: Any = 1 if whole_year else year_fraction()
    scale = length / (1 + assoc) if assoc else length
    lower = param("ct.lower_limit") * scale
    upper = param("ct.upper_limit") * scale
    small = param("ct.small_profits_rate")
    main = param("ct.main_rate")
    frac = param("ct.marginal_relief_fraction")
    if augmented is None:
        # A = N, so the relief f x (U - A) x N / A simplifies to f x (U - N)
        return where(n <= lower, small * n, main * n - frac * max_(upper - n, 0))
    a = max_(augmented, n)
    relief = frac * max_(upper - a, 0) * n / where(a > 0, a, 1)
    return where(a <= lower, small * n, main * n - relief)


# --------------------------------------------------------------------------------------------
# employer National Insurance
# --------------------------------------------------------------------------------------------
def _tax_year_bounds(tax_year: Any) -> tuple[dt.date, dt.date]:
    start = _year_start(tax_year, "tax_year", 4, 6)
    return start, dt.date(start.year + 1, 4, 5)


def _ni_rate_for_tax_year(start: dt.date, end: dt.date, store: ParameterStore) -> float:
    rate = store.get("ni.employer_rate")
    rate.at(start)  # refuses a year before the data, naming the range
    warn_held(rate.at(end))
    values, _ = rate.period_series([start], [end], how="weighted", beyond="hold")
    return float(values[0])


def employer_ni(
    annual_pay: Any, tax_year: Any = None, *, params: ParameterStore | None = None
) -> Any:
    """Employer (secondary) Class 1 National Insurance for one employee's year of earnings.

    Parameters
    ----------
    annual_pay : float, array or Expr
        Earnings of one employee for the tax year (or for the model's period, for an Expr),
        in pounds, at least 0. An array gives one figure per employee.
    tax_year : int, str or date
        ``2025`` or ``"2025/26"`` means 6 April 2025 to 5 April 2026; a date means the tax
        year containing it. Leave out when ``annual_pay`` is an Expr.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    float, array or Expr
        Employer NI in pounds (positive, zero at or below the threshold).

    Notes
    -----
    ``rate x max(pay - secondary threshold, 0)`` on the annual earnings period, with the
    rate and threshold of parameters ``ni.employer_rate`` and ``ni.secondary_threshold``.

    **Mid-year rate change (2022/23).** The rate was 15.05% from 6 April to 5 November 2022
    and 13.8% after. This annual form uses the *day-weighted* rate over the tax year:
    (214 x 15.05% + 151 x 13.8%) / 365 = 14.5329%, the same figure to 2 dp as the 14.53%
    HMRC set for directors' annual earnings periods. Employees paid monthly pay the rate in
    force on each pay day (see :func:`employer_ni_monthly`); over a year the two differ by a
    few pounds per employee.

    **Expr form.** In a model the pay is the period's pay and the threshold is pro-rated by
    the period's year fraction, taken at the period end (thresholds change on 6 April). The
    rate is the tax-year day-weighted rate for an annual (1 April) period, written as the
    period's day-weighted rate plus five days' shift from 1-5 April of the year to 1-5 April
    of the next (exact for 365-day years, and within 0.002 percentage points otherwise), and
    for a monthly period the rate in force on its last day (the pay day).

    References
    ----------
    Social Security Contributions and Benefits Act 1992 s.9; Social Security (Contributions)
    Regulations 2001 reg.10 (thresholds); Health and Social Care Levy Act 2021 (the 1.25
    point increase in 2022/23) and National Insurance Contributions (Reduction in Rates) Act
    2022 (its reversal from 6 November 2022); HMRC "Rates and thresholds for employers".

    Examples
    --------
    >>> round(employer_ni(30_000, tax_year="2025/26"), 2)  # 15% x (30,000 - 5,000)
    3750.0
    >>> employer_ni([5_000, 9_100, 20_000], tax_year=2024).round(2).tolist()
    [0.0, 0.0, 1504.2]
    """
    fn = "employer_ni"
    if isinstance(annual_pay, Expr):
        _no_year_with_expr(tax_year, "tax_year", fn)
        return _employer_ni_expr(annual_pay)
    _require_year(tax_year, "tax_year", fn)
    pay, scalar = _amounts(annual_pay, "annual_pay")
    start, end = _tax_year_bounds(tax_year)
    store = resolve_store(params)
    threshold = _value("ni.secondary_threshold", start, store)
    rate = _ni_rate_for_tax_year(start, end, store)
    return _out(rate * np.maximum(pay - threshold, 0.0), scalar)


def _ni_rate_expr() -> Expr:
    """Tax-year rate for an annual (1 April) period; the pay-day rate for a monthly one."""
    weighted = param("ni.employer_rate", how="weighted")
    at_end = param("ni.employer_rate", how="end")
    at_start = param("ni.employer_rate", how="start")
    # 1 April-31 March average, less 1-5 April of this year, plus 1-5 April of the next
    shift = (at_end - at_start) * wrap(_TAX_YEAR_OFFSET_DAYS) / 365
    return where(year_fraction() < 1, at_end, weighted + shift)


def _employer_ni_expr(pay: Expr) -> Expr:
    threshold = param("ni.secondary_threshold", how="end") * year_fraction()
    return _ni_rate_expr() * max_(pay - threshold, 0)


def employer_ni_monthly(
    monthly_pay: Any, on: Any = None, *, params: ParameterStore | None = None
) -> float | np.ndarray:
    """Employer Class 1 NI on one month's earnings paid on a given day.

    Parameters
    ----------
    monthly_pay : float or array
        Earnings paid in the month, in pounds, at least 0.
    on : date, int or str
        The pay day; the rate is the one in force that day and the threshold is the annual
        secondary threshold of the tax year containing it, divided by 12. A year (2022 or
        "2022/23") means its first day, 6 April.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    float or array
        Employer NI in pounds.

    Notes
    -----
    ``rate(on) x max(pay - threshold / 12, 0)``: the exact-percentage method on a monthly
    earnings period (the rate in force on the day earnings are paid applies: in 2022/23,
    15.05% on pay days to 5 November 2022, 13.8% from 6 November). HMRC's published monthly
    thresholds are rounded to the pound (e.g. £758 for 2022/23 against 9,100 / 12 =
    758.33); this function uses the unrounded twelfth, which differs by pennies.

    References
    ----------
    Social Security (Contributions) Regulations 2001 regs.10-11; HMRC "Rates and thresholds
    for employers 2022 to 2023".

    Examples
    --------
    >>> round(employer_ni_monthly(2_500, on="2022-10-31"), 2)  # 15.05% x (2,500 - 758.33)
    262.12
    >>> round(employer_ni_monthly(2_500, on="2022-11-30"), 2)  # 13.8% x (2,500 - 758.33)
    240.35
    """
    _require_year(on, "on", "employer_ni_monthly")
    pay, scalar = _amounts(monthly_pay, "monthly_pay")
    day = _on_date(on, "on")
    start, _ = _tax_year_bounds(day)
    store = resolve_store(params)
    threshold = _value("ni.secondary_threshold", start, store) / 12.0
    rate = _value("ni.employer_rate", day, store)
    return _out(rate * np.maximum(pay - threshold, 0.0), scalar)


# --------------------------------------------------------------------------------------------
# Employment Allowance
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmploymentAllowance:
    """The Employment Allowance an employer can use, and why.

    Attributes
    ----------
    amount : float or array
        The allowance actually usable: ``min(allowance, employer NICs)`` when eligible, else 0.
    eligible : bool
    reason : str
        Why the employer is or is not eligible, citing the rule.
    allowance : float
        The maximum allowance for the tax year (parameter ``ni.employment_allowance``).
    tax_year : str
        The tax year, e.g. "2025/26".
    """

    amount: float | np.ndarray
    eligible: bool
    reason: str
    allowance: float
    tax_year: str

    def __float__(self) -> float:
        return float(self.amount)


def employment_allowance(
    employer_nics: Any,
    tax_year: Any = None,
    *,
    public_work_share: float,
    is_charity: bool,
    prior_year_employer_nics: float | None = None,
    params: ParameterStore | None = None,
) -> EmploymentAllowance:
    """Employment Allowance usable against an employer's secondary Class 1 NICs.

    Parameters
    ----------
    employer_nics : float or array
        The employer's secondary Class 1 NICs for the tax year before the allowance, in
        pounds (all employees together), at least 0.
    tax_year : int, str or date
        ``2025`` or ``"2025/26"``; a date means the tax year containing it.
    public_work_share : float
        Share of the employer's work that is of a public nature (0 to 1), e.g. 0.9 for a
        mutual delivering a council service under contract.
    is_charity : bool
        Whether the employer is a charity (including an exempt charity such as a charitable
        community benefit society). A CIC cannot be a charity.
    prior_year_employer_nics : float, optional
        The employer's (and connected companies') secondary Class 1 NICs liability in the
        previous tax year. Required for 2020/21 to 2024/25, when a liability of £100,000 or
        more bars the claim; give 0 for a new employer with no previous payroll.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    EmploymentAllowance
        ``.amount`` is the allowance actually usable (0 when ineligible); ``.reason`` says
        why; ``float(result)`` is the amount for a scalar.

    Notes
    -----
    Barred where the employer carries out functions either wholly or mainly of a public
    nature (taken as 50% or more of its work) unless it is a charity (NICA 2014 s.3(1)(d);
    HMRC NIM06530, which lists NHS services and council services under contract as public
    functions). From 6 April 2020 to 5 April 2025 also barred where the previous year's
    secondary Class 1 liability was £100,000 or more (NICA 2014 s.1A, inserted by SI
    2020/354; removed by the National Insurance Contributions (Secondary Class 1
    Contributions) Act 2025). Other bars (a company whose only employee paid above the
    threshold is a director; one allowance shared by connected companies) are not checked.

    Allowance: £2,000 (2014/15), £3,000 (2016/17), £4,000 (2020/21), £5,000 (2022/23),
    £10,500 (2025/26), from ``ni.employment_allowance``.

    References
    ----------
    National Insurance Contributions Act 2014 ss.1-3; HMRC NIM06530; gov.uk "Employment
    Allowance: check if you're eligible".

    Examples
    --------
    >>> ea = employment_allowance(25_000, tax_year="2025/26", public_work_share=0.2,
    ...                           is_charity=False)
    >>> ea.amount, ea.eligible
    (10500.0, True)
    >>> employment_allowance(25_000, tax_year=2025, public_work_share=0.9,
    ...                      is_charity=False).reason[:52]
    'not eligible: 90% of the work is of a public nature '
    """
    fn = "employment_allowance"
    _require_year(tax_year, "tax_year", fn)
    nics, scalar = _amounts(employer_nics, "employer_nics")
    share = public_work_share
    if (
        isinstance(share, bool | str)
        or not isinstance(share, int | float | np.integer | np.floating)
        or not math.isfinite(share)
        or not 0 <= share <= 1
    ):
        raise InputError(
            f"public_work_share={share!r} must be a fraction from 0 to 1 (0.9 for 90%)"
        )
    if not isinstance(is_charity, bool | np.bool_):
        raise InputError(f"is_charity={is_charity!r} must be True or False")
    start, _ = _tax_year_bounds(tax_year)
    label = f"{start.year}/{(start.year + 1) % 100:02d}"
    store = resolve_store(params)
    allowance = _value("ni.employment_allowance", start, store)

    limit_param = store.get("ni.employment_allowance_prior_year_nics_limit")
    limit = (
        math.inf
        if start < limit_param.first_date
        else float(warn_held(limit_param.at(start)).value)
    )

    def result(eligible: bool, reason: str) -> EmploymentAllowance:
        amount = np.minimum(nics, allowance) if eligible else np.zeros_like(nics)
        return EmploymentAllowance(_out(amount, scalar), eligible, reason, allowance, label)

    if share >= 0.5 and not is_charity:
        return result(
            False,
            f"not eligible: {share:.0%} of the work is of a public nature (wholly or mainly, "
            "50% or more) and the employer is not a charity (NICA 2014 s.3(1)(d); HMRC "
            "NIM06530)",
        )
    if math.isfinite(limit):
        if prior_year_employer_nics is None:
            raise InputError(
                f"{fn}: in {label} an employer whose secondary Class 1 NICs in the previous "
                f"tax year were £{limit:,.0f} or more cannot claim; give "
                "prior_year_employer_nics= (0 for a new employer with no previous payroll)"
            )
        prior, _ = _amounts(prior_year_employer_nics, "prior_year_employer_nics")
        if prior.ndim != 0:
            raise InputError("prior_year_employer_nics must be one amount, not an array")
        if float(prior) >= limit:
            return result(
                False,
                f"not eligible: previous tax year's employer NICs £{float(prior):,.2f} are "
                f"£{limit:,.0f} or more (NICA 2014 s.1A, 2020/21 to 2024/25)",
            )
    why = "eligible"
    if share >= 0.5:
        why += ": a charity, so public-nature work does not bar the claim"
    return result(True, why)


# --------------------------------------------------------------------------------------------
# Apprenticeship Levy
# --------------------------------------------------------------------------------------------
def apprenticeship_levy(
    paybill: Any, tax_year: Any = None, *, params: ParameterStore | None = None
) -> Any:
    """Apprenticeship Levy on an employer's annual pay bill.

    Parameters
    ----------
    paybill : float, array or Expr
        Earnings subject to Class 1 secondary NICs of all employees (including pay below the
        NI thresholds) for the tax year, or the model's period for an Expr, at least 0.
    tax_year : int, str or date
        ``2025`` or ``"2025/26"``; a date means the tax year containing it. Leave out when
        ``paybill`` is an Expr.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    float, array or Expr
        The levy in pounds (positive): ``max(0.5% x paybill - 15,000, 0)``: the £15,000
        levy allowance is set against the levy (Finance Act 2016 s.99(2)), so an employer
        pays nothing until its pay bill exceeds £3m.

    Notes
    -----
    The levy started on 6 April 2017: for any earlier tax year this function returns 0
    (there was no levy). The allowance of £15,000 is shared between connected companies and
    charities; give this employer's share by reducing the pay bill accordingly. Renamed the
    Growth and Skills Levy in 2025 with payments unchanged. In the Expr form the allowance is
    pro-rated by the period's year fraction (£1,250 a month; HMRC carries unused monthly
    allowance forward within the year, which is not modelled) and a model's timeline must
    start on or after 1 April 2017.

    References
    ----------
    Finance Act 2016 Part 6 ss.98-121 (s.99 rate, s.100 allowance); HMRC "Pay Apprenticeship
    Levy".

    Examples
    --------
    >>> apprenticeship_levy(4_000_000, tax_year="2025/26")  # 0.5% x 4,000,000 - 15,000
    5000.0
    >>> apprenticeship_levy(4_000_000, tax_year=2016)  # before the levy started
    0.0
    """
    fn = "apprenticeship_levy"
    if isinstance(paybill, Expr):
        _no_year_with_expr(tax_year, "tax_year", fn)
        rate = param("apprenticeship_levy.rate", how="end")
        allowance = param("apprenticeship_levy.allowance", how="end") * year_fraction()
        return max_(rate * paybill - allowance, 0)
    _require_year(tax_year, "tax_year", fn)
    pay, scalar = _amounts(paybill, "paybill")
    start, _ = _tax_year_bounds(tax_year)
    store = resolve_store(params)
    rate_param = store.get("apprenticeship_levy.rate")
    if start < rate_param.first_date:
        return _out(np.zeros_like(pay), scalar)
    rate = _value("apprenticeship_levy.rate", start, store)
    allowance = _value("apprenticeship_levy.allowance", start, store)
    return _out(np.maximum(rate * pay - allowance, 0.0), scalar)
