"""Redundancy on a transfer: statutory redundancy pay and LGPS early-retirement reductions.

:func:`statutory_redundancy_pay` is vectorised over employees: give ages, years of service and
weekly pay as arrays (they broadcast) and get one payment per employee, with no Python loop
per employee. :func:`early_retirement_reduction` reads the GAD table of reductions for an LGPS
pension taken early (used to estimate pension strain on redundancy at 55 or over).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from mutualfin.core.checks import _amounts, _on_date, _out, _require_year
from mutualfin.errors import InputError
from mutualfin.params import ParameterStore, resolve_store, warn_held

__all__ = ["early_retirement_reduction", "statutory_redundancy_pay"]

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
    *,
    age: Any,
    years_of_service: Any,
    weekly_pay: Any,
    on: Any,
    params: ParameterStore | None = None,
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
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

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
    cap = float(warn_held(resolve_store(params).get("redundancy.weekly_pay_cap").at(when)).value)

    counted = np.minimum(years, _MAX_YEARS)
    first = ages - counted  # age during the earliest year counted
    last = ages - 1  # age during the year just before dismissal
    weeks = np.zeros_like(counted)
    for lo, hi, per_year in _AGE_BANDS:  # three bands, not a loop per employee
        overlap = np.minimum(last, hi) - np.maximum(first, lo) + 1
        weeks = weeks + per_year * np.maximum(overlap, 0)
    weeks = np.where(years >= _QUALIFYING_YEARS, weeks, 0.0)
    return _out(weeks * np.minimum(pay, cap), s1 and s2 and s3)


def _reduction_table(
    on: dt.date, params: ParameterStore | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """GAD early-retirement reductions in force on ``on`` (the earliest table before it)."""
    p = resolve_store(params).get("lgps.early_retirement_reduction")
    when = max(on, p.first_date)
    rows = warn_held(p.at(when)).value
    years = np.array([r["years_early"] for r in rows], dtype=float)
    cuts = np.array([r["reduction"] for r in rows], dtype=float)
    note = "" if when == on else f" (table from {p.first_date}, the earliest held)"
    return years, cuts, note


def early_retirement_reduction(
    years_early: Any, on: Any = "2026-04-01", *, params: ParameterStore | None = None
) -> float | np.ndarray:
    """LGPS early-retirement reduction for a pension taken ``years_early`` years before
    normal pension age (GAD factors, parameter ``lgps.early_retirement_reduction``).

    Whole years are read from the table; part years are interpolated linearly between them;
    beyond the table the last figure is used (a conservative cap). 0 years gives 0. ``params``
    is the parameter store to read (the shipped UK parameters by default).

    Examples
    --------
    >>> early_retirement_reduction([0, 1, 12, 12.5])
    array([0.    , 0.049 , 0.418 , 0.4285])
    """
    yrs, scalar = _amounts(years_early, "years_early")
    table_years, cuts, _ = _reduction_table(_on_date(on, "on"), params)
    return _out(np.interp(yrs, table_years, cuts), scalar)
