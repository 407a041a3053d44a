"""Green Book discount factors and conversion between nominal and real (base-year) prices.

Timing convention
    Year 0 is the base year (the present), with factor 1; year ``t`` is ``t`` years later.
    :func:`green_book_discount_factors` returns the factors of years 0 to ``n_years - 1``.

Prices convention
    The Green Book appraises in real terms: in the prices of a base year, using the GDP
    deflator. :func:`deflate` turns cash (nominal) amounts into base-year prices and
    :func:`real_to_nominal` does the reverse; discount real amounts at the real rates here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.core.calendar import parse_financial_year
from mutualfin.core.checks import _amounts, _on_date
from mutualfin.errors import InputError, TimelineError
from mutualfin.params import ParameterStore, resolve_store, warn_held

__all__ = ["deflate", "deflator_index", "green_book_discount_factors", "real_to_nominal"]

_SCHEDULES = {
    "standard": "greenbook.discount_schedule",
    "health": "greenbook.discount_schedule_health",
}


def green_book_discount_factors(
    n_years: int,
    schedule: str = "standard",
    *,
    on: Any = None,
    params: ParameterStore | None = None,
) -> np.ndarray:
    """Green Book discount factors for years 0 to ``n_years - 1``.

    Parameters
    ----------
    n_years : int
        Number of years including year 0, at least 1.
    schedule : {"standard", "health"}
        "standard": the social time preference rate (3.5% for years 0-30, then 3.0%, 2.5%,
        2.0%, 1.5%, 1.0% from year 301; ``greenbook.discount_schedule``). "health": the rate
        for health and life values (1.5% declining to 0.43%;
        ``greenbook.discount_schedule_health``, not confirmed against the Green Book itself).
    on : date, int or str, optional
        The date whose schedule applies (a year means its 6 April); by default the latest
        schedule in the parameter file. A date outside the file's data is refused.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    numpy.ndarray
        ``n_years`` factors, the first 1.0.

    Notes
    -----
    The factor compounds band by band: ``D_t = D_{t-1} / (1 + r_t)`` where ``r_t`` is the
    rate of the band containing year ``t``. So ``D_30 = 1 / 1.035^30``, ``D_31 = D_30 / 1.03``,
    ``D_75 = 1 / (1.035^30 x 1.03^45)`` and ``D_76 = D_75 / 1.025``. The STPR is under
    review (final report due mid-2026), hence a dated parameter.

    References
    ----------
    HM Treasury, The Green Book (2022), Annex A6 "Discounting", Tables 7 and 8.

    Examples
    --------
    >>> green_book_discount_factors(3).round(6).tolist()
    [1.0, 0.966184, 0.933511]
    >>> f = green_book_discount_factors(32)
    >>> bool(np.isclose(f[31], f[30] / 1.03))
    True
    """
    if isinstance(n_years, bool) or not isinstance(n_years, int | np.integer) or n_years < 1:
        raise InputError(f"n_years={n_years!r} must be a whole number of years, at least 1")
    if n_years > 10_000:
        raise InputError(f"n_years={n_years} is over 10,000; check the horizon")
    if schedule not in _SCHEDULES:
        raise InputError(f"schedule={schedule!r} must be one of {sorted(_SCHEDULES)}")
    parameter = resolve_store(params).get(_SCHEDULES[schedule])
    rows = (
        parameter.entries[-1].value
        if on is None
        else warn_held(parameter.at(_on_date(on, "on"))).value
    )
    starts = np.array([r["from_year"] for r in rows], dtype=float)
    rates = np.array([r["rate"] for r in rows], dtype=float)
    years = np.arange(1, n_years)
    year_rates = rates[np.searchsorted(starts, years, side="right") - 1]
    return np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + year_rates))])


def _year_key(key: Any) -> int:
    try:
        return parse_financial_year(key)
    except TimelineError as exc:
        raise InputError(f"year {key!r} is not understood: {exc}") from None


def _index_series(deflator_index: Any, store: ParameterStore) -> pd.Series:
    if isinstance(deflator_index, str) and deflator_index == "gdp":
        p = store.get("gdp_deflator.index")
        return pd.Series({e.start.year: float(e.value) for e in p.entries}, dtype=float)
    if isinstance(deflator_index, pd.Series | Mapping):
        items = dict(deflator_index.items())
        keys = [_year_key(k) for k in items]
        values, _ = _amounts(list(items.values()), "deflator_index")
        if (values <= 0).any():
            raise InputError("deflator_index values must be above 0 (an index such as 100)")
        if len(set(keys)) != len(keys):
            raise InputError("deflator_index names a year twice; give one index per year")
        return pd.Series(values, index=keys, dtype=float)
    raise InputError(
        f"deflator_index must be a pandas Series or dict keyed by year, or 'gdp' for the HM "
        f"Treasury GDP deflator; got {type(deflator_index).__name__}"
    )


def _convert(
    amounts: Any,
    deflator_index: Any,
    base_year: Any,
    name: str,
    to_real: bool,
    params: ParameterStore | None = None,
):
    index = _index_series(deflator_index, resolve_store(params))
    base = _year_key(base_year)
    if base not in index.index:
        raise InputError(
            f"base_year {base_year!r} is not in deflator_index, which covers "
            f"{min(index.index)} to {max(index.index)}"
        )
    if isinstance(amounts, pd.Series | Mapping):
        items = dict(amounts.items())
        years = [_year_key(k) for k in items]
        values, _ = _amounts(list(items.values()), name, negative_ok=True)
        missing = [y for y in years if y not in index.index]
        if missing:
            raise InputError(
                f"{name} has year {missing[0]} but deflator_index covers only "
                f"{min(index.index)} to {max(index.index)}; extend the index (label an "
                "assumed or forecast figure as such)"
            )
        ratio = index[base] / index.loc[years].to_numpy()
        out = values * ratio if to_real else values / ratio
        if isinstance(amounts, pd.Series):
            return pd.Series(out, index=amounts.index, name=amounts.name)
        return dict(zip(items, out.tolist(), strict=True))
    values, scalar = _amounts(amounts, name, negative_ok=True)
    if scalar or values.shape[-1] != len(index):
        raise InputError(
            f"{name} as an array needs one amount per year of deflator_index ({len(index)}); "
            "or give a Series or dict keyed by year"
        )
    ratio = index[base] / index.to_numpy()
    return values * ratio if to_real else values / ratio


def deflate(
    nominal: Any, deflator_index: Any, base_year: Any, *, params: ParameterStore | None = None
):
    """Nominal (cash) amounts in the real prices of ``base_year``.

    Parameters
    ----------
    nominal : pandas Series, dict or array
        Cash amounts keyed by year (any sign), or an array with one amount per year of
        ``deflator_index`` in its order (the last axis, so rows can be scenarios).
    deflator_index : pandas Series, dict or "gdp"
        A price index keyed by year (calendar years, or financial years 2025 / "2025/26"),
        such as the GDP deflator; "gdp" uses ``gdp_deflator.index`` (calendar years
        2010-2024, 2024 = 100). Beyond the data, extend it with a forecast or a stated
        assumption, labelled as such.
    base_year : int or str
        The year whose prices the result is in; must be in ``deflator_index``.
    params : ParameterStore, optional
        Where the dated figures come from (a case's own store); the shipped UK
        parameters by default.

    Returns
    -------
    Same kind as ``nominal``
        ``real_t = nominal_t x index[base_year] / index[t]``.

    References
    ----------
    HM Treasury, The Green Book (2022), section 5 and Annex A6 ("Real and nominal values");
    HM Treasury GDP deflators at market prices.

    Examples
    --------
    The Green Book illustration, £1,000 a year for five years at a 2% deflator:

    >>> index = {y: 100 * 1.02 ** (y - 2000) for y in range(2000, 2006)}
    >>> real = deflate({y: 1000 for y in range(2001, 2006)}, index, base_year=2000)
    >>> [round(v) for v in real.values()]
    [980, 961, 942, 924, 906]
    """
    return _convert(nominal, deflator_index, base_year, "nominal", True, params)


def real_to_nominal(
    real: Any, deflator_index: Any, base_year: Any, *, params: ParameterStore | None = None
):
    """Amounts in the real prices of ``base_year`` as nominal (cash) amounts.

    The inverse of :func:`deflate`: ``nominal_t = real_t x index[t] / index[base_year]``;
    the arguments are the same.

    Examples
    --------
    >>> index = {2024: 100.0, 2025: 102.0}
    >>> real_to_nominal({2025: 1000.0}, index, base_year=2024)
    {2025: 1020.0}
    """
    return _convert(real, deflator_index, base_year, "real", False, params)


def deflator_index(
    years: Sequence[int], forecast_rate: float = 0.02, *, params: ParameterStore | None = None
) -> pd.Series:
    """GDP deflator by calendar year for ``years``, extended beyond the published data at
    ``forecast_rate`` a year (an assumption, stated in the appraisal's notes), from
    ``params`` (the shipped UK parameters by default)."""
    if not -0.2 < forecast_rate < 0.5:
        raise InputError(
            f"forecast_rate {forecast_rate!r} is a fraction a year (0.02 for 2%); check it"
        )
    p = resolve_store(params).get("gdp_deflator.index")
    data = {e.start.year: float(e.value) for e in p.entries}
    last = max(data)
    first = min(data)
    out = {}
    for y in years:
        if y < first:
            raise InputError(f"the GDP deflator starts in {first}; year {y} is before it")
        out[y] = data[y] if y in data else data[last] * (1 + forecast_rate) ** (y - last)
    return pd.Series(out, dtype=float)
