"""Local Government Pension Scheme (LGPS, England and Wales) rules on numbers and arrays:
the member's contribution band and the career-average (CARE) pension account.

Vectorised over members: arrays in give arrays out, with no Python loop per member. The
admitted-body model that puts these into a business case is
:class:`mutualfin.components.pensions.LgpsAdmission`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mutualfin.core.checks import _amounts, _out, _require_year, _year_start
from mutualfin.errors import InputError, UnitError
from mutualfin.params import ParameterStore, resolve_store, warn_held

__all__ = ["lgps_care_accrual", "lgps_employee_rate"]


def lgps_employee_rate(
    pensionable_pay: Any, tax_year: Any = None, *, params: ParameterStore | None = None
) -> float | np.ndarray:
    """The LGPS main-section employee contribution rate for a member's pensionable pay.

    Parameters
    ----------
    pensionable_pay : float or array
        The member's actual pensionable pay for the employment in the year, in pounds, at
        least 0 (actual pay, not full-time equivalent: a part-timer's band is set by what
        they are actually paid).
    tax_year : int, str or date
        The scheme year: ``2025`` or ``"2025/26"`` means 1 April 2025 to 31 March 2026 (the
        LGPS bands change on 1 April, not 6 April); a date means the scheme year containing
        it. Data start in 2015/16.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    float or array
        The rate as a fraction (0.065 for 6.5%) applied to the whole of the pay. The 50/50
        section pays half of it.

    Notes
    -----
    Each band applies to pay up to and including its upper limit (``lgps.employee_bands``):
    in 2025/26 5.5% to £17,800, 5.8% to £28,000, 6.5% to £45,600, 6.8% to £57,700, 8.5% to
    £81,000, 9.9% to £114,800, 10.5% to £135,300, 11.4% to £203,000 and 12.5% above.

    References
    ----------
    Local Government Pension Scheme Regulations 2013 (SI 2013/2356) reg.9 and the table in
    reg.9(2), uprated each April by CPI (reg.10); lgpsmember.org "How much do I pay".

    Examples
    --------
    >>> lgps_employee_rate(30_000, tax_year="2025/26")
    0.065
    >>> lgps_employee_rate([17_800, 17_800.01], tax_year=2025).tolist()
    [0.055, 0.058]
    """
    _require_year(tax_year, "tax_year", "lgps_employee_rate")
    pay, scalar = _amounts(pensionable_pay, "pensionable_pay")
    start = _year_start(tax_year, "tax_year", 4, 1)
    rows = warn_held(resolve_store(params).get("lgps.employee_bands").at(start)).value
    uppers = np.array([r["upto"] for r in rows], dtype=float)
    rates = np.array([r["rate"] for r in rows], dtype=float)
    # first band whose upper limit is at or above the pay (limits are inclusive)
    index = np.searchsorted(uppers, pay, side="left")
    return _out(rates[np.minimum(index, len(rates) - 1)], scalar)


def lgps_care_accrual(
    pay_by_year: Any, cpi_by_year: Any, fraction: float = 1 / 49, *, revalued: bool = True
) -> np.ndarray:
    """Balance of an LGPS career-average (CARE) pension account year by year.

    Parameters
    ----------
    pay_by_year : array
        Pensionable pay of each scheme year, in pounds, at least 0. The last axis is years;
        a 2-D array gives one account per row (member).
    cpi_by_year : array
        The revaluation applied at the end of each year, as a fraction (0.012 for 1.2%,
        -0.001 for -0.1%); one per year, broadcasting against ``pay_by_year``.
    fraction : float
        Accrual fraction: 1/49 in the main section, 1/98 in the 50/50 section
        (``lgps.accrual_fraction_main``, ``lgps.accrual_fraction_50_50``).
    revalued : bool
        True (default): the balance after each year's end-of-year revaluation. False: the
        balance at each year end before it (the year's accrual added to the revalued
        balance brought forward).

    Returns
    -------
    numpy.ndarray
        The annual pension in the account, in pounds, one per year (same shape as the
        broadcast inputs).

    Notes
    -----
    Each year ``pay x fraction`` is added to the account; at the year end (on 1 April in the
    scheme) the whole account, including that year's accrual, is revalued by the CPI figure
    for that year: ``balance_t = (balance_{t-1} + pay_t x fraction) x (1 + cpi_t)``. A
    negative CPI reduces the account (as in April 2016, -0.1%): the LGPS revalues active
    members' accounts by the Treasury revaluation order, which can be negative, whereas
    pensions in payment are not reduced (so do not take ``cpi.pension_increase``, floored at
    0, for this). Computed in closed form with cumulative products (no loop over years).

    References
    ----------
    LGPS Regulations 2013 regs.23 (pension accounts) and 24 (accrual at 1/49, 1/98);
    Public Service Pensions Act 2013 s.9 (revaluation); lgpsmember.org "How your pension is
    worked out".

    Examples
    --------
    >>> lgps_care_accrual([24_500, 24_745], [0.012, -0.001]).round(2).tolist()
    [506.0, 1009.99]
    >>> lgps_care_accrual([24_500, 24_745], [0.012, -0.001], revalued=False).round(2).tolist()
    [500.0, 1011.0]
    """
    pay, _ = _amounts(pay_by_year, "pay_by_year")
    cpi, _ = _amounts(cpi_by_year, "cpi_by_year", negative_ok=True)
    if pay.ndim == 0:
        raise InputError("pay_by_year must be one amount per year (a list or array)")
    if (np.abs(cpi) >= 1).any():
        bad = cpi[np.abs(cpi) >= 1].flat[0]
        raise UnitError(
            f"cpi_by_year contains {bad:g}; give CPI as a fraction ({bad / 100:g} for {bad:g}%)"
        )
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float | np.floating)
        or not 0 < fraction < 1
    ):
        raise InputError(f"fraction={fraction!r} must be an accrual fraction such as 1/49")
    try:
        pay, cpi = np.broadcast_arrays(pay, cpi)
    except ValueError:
        raise InputError(
            f"pay_by_year has shape {pay.shape} and cpi_by_year {cpi.shape}: give one CPI "
            "figure per year of pay"
        ) from None
    accrual = pay * fraction
    growth = np.cumprod(1.0 + cpi, axis=-1)  # revaluation factor from year 1 to the end of t
    # balance_t (after revaluation) = sum_{k<=t} accrual_k x growth_t / growth_{k-1}
    prior = np.concatenate([np.ones_like(growth[..., :1]), growth[..., :-1]], axis=-1)
    after = growth * np.cumsum(accrual / prior, axis=-1)
    if revalued:
        return after
    return after / (1.0 + cpi)
