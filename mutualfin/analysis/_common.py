"""What the scenario, sensitivity and Monte Carlo modules share: metric names and periods,
override values checked against an input, one vectorised evaluation of many scenarios, the low
and high ends of an uncertainty, and how a draw applies to an input that is not scalar.

The conventions are stated in :mod:`mutualfin.analysis.risk`.
"""

from __future__ import annotations

import difflib
import statistics
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import numpy as np

from mutualfin.core.checks import wrong_kind
from mutualfin.core.distributions import PERT, Distribution, Normal, Triangular, Uniform
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from mutualfin.case.business_case import BusinessCase
    from mutualfin.engine import Evaluation, Input

#: Percentiles reported for every metric and line, as in the Green Book's risk tables.
PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
#: Units swung by default in a tornado (flags and years, such as a term, are left out).
TORNADO_UNITS = ("GBP", "fraction", "ratio", "count")
COMPUTED_BY = "Values computed by mutualfin (not live formulas)"


def _check_case(case: Any, fn: str) -> None:
    """Refuse what is not a BusinessCase, naming the call that was meant."""
    from mutualfin.case.business_case import BusinessCase

    if not isinstance(case, BusinessCase):
        raise wrong_kind(
            fn,
            "case",
            "a BusinessCase",
            case,
            {
                "path": "load it first: mutualfin.BusinessCase.from_file(path)",
                "Results": "give its case: results.case",
            },
        )


def _input(case: BusinessCase, name: str, what: str = "input") -> Input:
    """The case's input ``name``, or an InputError with a did-you-mean."""
    inputs = case.model.inputs
    if not isinstance(name, str) or name not in inputs:
        close = difflib.get_close_matches(str(name), list(inputs), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InputError(f"{what} {name!r} is not an input of the case{hint}")
    return inputs[name]


def _metric_names(case: BusinessCase) -> list[str]:
    """Metric lines of the case (one value per scenario), in model order."""
    m = case.model
    return [
        n
        for n in m.order
        if not m.lines[n].auxiliary and not m.shapes[n].period and m.shapes[n].entity is None
    ]


def _period_index(case: BusinessCase, period: int | str) -> int:
    labels = case.timeline.labels
    if isinstance(period, str):
        if period not in labels:
            close = difflib.get_close_matches(period, labels, n=2)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise InputError(f"period {period!r} is not on the timeline{hint}")
        return labels.index(period)
    if isinstance(period, bool) or not isinstance(period, int | np.integer):
        raise InputError(f"period {period!r} must be a label such as {labels[0]!r} or an index")
    if not -len(labels) <= int(period) < len(labels):
        raise InputError(f"period {period} is outside the timeline's {len(labels)} periods")
    return int(period) % len(labels)


def _metric_spec(case: BusinessCase, metric: str, period: int | str | None) -> tuple[str, Any]:
    """Validate ``metric`` (and ``period``); return (line name, column or None)."""
    if not isinstance(metric, str):
        raise InputError(
            f"metric must be the name of a metric such as 'npv_net_cash_flow', got "
            f"{type(metric).__name__}"
        )
    m = case.model
    if metric == "irr_net_cash_flow":
        if period is not None:
            raise InputError("irr_net_cash_flow is one value per scenario; give no period")
        return metric, None
    if metric not in m.lines or m.lines[metric].auxiliary:
        names = [*_metric_names(case), "irr_net_cash_flow"]
        close = difflib.get_close_matches(str(metric), list(m.lines) + names, n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise InputError(f"metric {metric!r} is not a line of the case{hint}")
    shape = m.shapes[metric]
    if shape.entity is not None:
        raise InputError(f"metric {metric!r} is per employee; use a line that totals them")
    if shape.period:
        if period is None:
            raise InputError(
                f"metric {metric!r} has a value per period; say which with period= (a label "
                f"such as {case.timeline.labels[-1]!r}, or -1 for the last)"
            )
        return metric, _period_index(case, period)
    if period is not None:
        raise InputError(f"metric {metric!r} is one value per scenario; give no period")
    return metric, None


def _metric_label(metric: str, col: int | None, case: BusinessCase) -> str:
    return metric if col is None else f"{metric} ({case.timeline.labels[col]})"


def _irr_rows(flows: np.ndarray) -> np.ndarray:
    from mutualfin.core.cashflow import irr

    found = irr(np.atleast_2d(flows), full_output=True)
    rates = np.asarray(found.irr, dtype=float).reshape(-1)
    ok = np.asarray(found.converged, dtype=bool).reshape(-1)
    return np.where(ok, rates, np.nan)


def _metric_values(ev: Evaluation, metric: str, col: int | None) -> np.ndarray:
    if metric == "irr_net_cash_flow":
        return _irr_rows(ev.annual("net_cash_flow"))  # by financial year, also from months
    arr = ev.array(metric)
    return np.asarray(arr if col is None else arr[:, col], dtype=float)


def _keep_for(metric: str) -> list[str]:
    return ["net_cash_flow"] if metric == "irr_net_cash_flow" else [metric]


def _base_array(inp: Input) -> np.ndarray:
    return np.asarray(inp.value, dtype=float)


def _coerce(inp: Input, value: Any, where: str) -> np.ndarray:
    """An override value for one scenario, in the input's own shape (checked)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not a number or a list of numbers") from None
    base = _base_array(inp)
    if inp.kind == "scalar":
        if arr.ndim != 0:
            raise InputError(
                f"{where}: {inp.name!r} is a single value for every period, so it takes one "
                f"number, not {arr.size} values. To change one year only, override a per-period "
                "input (for the contract, contract.efficiency_target)"
            )
    elif arr.ndim == 0:
        arr = np.full(base.shape, float(arr))
    elif arr.shape != base.shape:
        what = "period" if inp.kind == "period" else "employee"
        raise InputError(
            f"{where}: {inp.name!r} needs {base.size} values (one per {what}), got {arr.size}"
        )
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{where}: {inp.name!r} must be finite, got {value!r}")
    inp.check_values(arr, f"{where}: value")
    return arr


def _evaluate_rows(
    case: BusinessCase,
    rows: list[dict[str, np.ndarray]],
    keep: Sequence[str] | None = None,
) -> Evaluation:
    """Evaluate one scenario per mapping in ``rows`` (input -> value), in ONE call."""
    S = len(rows)
    names = sorted({n for r in rows for n in r})
    overrides: dict[str, np.ndarray] = {}
    for name in names:
        inp = case.model.inputs[name]
        base = _base_array(inp)
        stacked = np.empty((S, *base.shape))
        for i, r in enumerate(rows):
            stacked[i] = r.get(name, base)
        overrides[name] = stacked
    if not overrides:  # still S scenarios: repeat the first input at its base value
        name = next(iter(case.model.inputs))
        base = _base_array(case.model.inputs[name])
        overrides[name] = np.broadcast_to(base, (S, *base.shape)).copy()
    return case.model.evaluate(overrides, keep=keep)


# --------------------------------------------------------------------------------------------
# distributions: low and high ends
# --------------------------------------------------------------------------------------------
_Z90 = statistics.NormalDist().inv_cdf(0.9)


def _pert_ppf(dist: PERT, q: np.ndarray) -> np.ndarray:
    """Quantiles of a Beta-PERT by its CDF on a fine grid (no closed form)."""
    a, c, b = dist.low, dist.mode, dist.high
    if b == a:
        return np.full_like(q, float(a))
    alpha = 1 + 4 * (c - a) / (b - a)
    beta = 1 + 4 * (b - c) / (b - a)
    x = np.linspace(0.0, 1.0, 20_001)
    with np.errstate(divide="ignore"):
        logpdf = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x)
    pdf = np.exp(logpdf - np.max(logpdf[np.isfinite(logpdf)]))
    cdf = np.concatenate([[0.0], np.cumsum((pdf[1:] + pdf[:-1]) / 2)])
    cdf /= cdf[-1]
    return a + (b - a) * np.interp(q, cdf, x)


def _quantile(dist: Distribution, q: float) -> float:
    qa = np.asarray([q], dtype=float)
    if isinstance(dist, Normal):
        if dist.sd == 0:
            return float(dist.mean)
        return float(statistics.NormalDist(dist.mean, dist.sd).inv_cdf(q))
    if isinstance(dist, PERT):
        return float(_pert_ppf(dist, qa)[0])
    return float(np.asarray(dist.ppf(qa)).reshape(-1)[0])


def uncertainty_range(
    dist: Distribution, quantiles: tuple[float, float] | None = None
) -> tuple[float, float]:
    """The low and high ends of an input's uncertainty.

    Parameters
    ----------
    dist : Distribution
        Triangular, Uniform, PERT or Normal (:mod:`mutualfin.core.distributions`).
    quantiles : (float, float), optional
        Quantiles to use, e.g. ``(0.1, 0.9)``. By default the stated ends of a bounded
        distribution (``low`` and ``high``) and the 10th and 90th percentiles of a Normal
        (mean -/+ 1.2816 sd).

    Returns
    -------
    (float, float)
        Low end, high end.

    Examples
    --------
    >>> from mutualfin.core.distributions import Normal, Triangular
    >>> uncertainty_range(Triangular(0.01, 0.02, 0.04))
    (0.01, 0.04)
    >>> [round(x, 4) for x in uncertainty_range(Triangular(0, 1, 2), quantiles=(0.5, 0.5))]
    [1.0, 1.0]
    >>> [round(x, 2) for x in uncertainty_range(Normal(100, 10))]
    [87.18, 112.82]
    """
    if not isinstance(dist, Distribution):
        raise InputError(f"uncertainty must be a distribution, got {dist!r}")
    if quantiles is None:
        if isinstance(dist, Triangular | PERT | Uniform):
            return float(dist.low), float(dist.high)
        if isinstance(dist, Normal):
            return float(dist.mean - _Z90 * dist.sd), float(dist.mean + _Z90 * dist.sd)
        quantiles = (0.1, 0.9)
    try:
        q_low, q_high = (float(q) for q in quantiles)
    except (TypeError, ValueError):
        raise InputError(
            f"quantiles {quantiles!r} must be two numbers such as (0.1, 0.9)"
        ) from None
    if not 0 < q_low <= q_high < 1:
        raise InputError(f"quantiles {quantiles!r} must satisfy 0 < low <= high < 1")
    return _quantile(dist, q_low), _quantile(dist, q_high)


def _apply_draw(inp: Input, draws: np.ndarray) -> np.ndarray:
    """Override values (S,) or (S, n) for an input from drawn values (S,)
    (:meth:`mutualfin.engine.Input.apply_draw`, where the rule is defined once)."""
    return inp.apply_draw(draws)


#: Scenarios per evaluation in a tornado or a two-way grid, and per piece of work handed to an
#: executor: fixed, so that a grid's figures do not depend on whether or how it is split.
GRID_CHUNK = 1_000


def _rows_metric(
    case: BusinessCase, rows: list[dict[str, np.ndarray]], metric: str, col: int | None
) -> np.ndarray:
    """A metric (see :func:`_metric_values`) for each scenario of ``rows``, in one evaluation."""
    return _metric_values(_evaluate_rows(case, rows, keep=_keep_for(metric)), metric, col)


def _grid_metric(
    case: BusinessCase,
    rows: list[dict[str, np.ndarray]],
    metric: str,
    col: int | None,
    executor: Executor | None,
    what: str,
) -> np.ndarray:
    """:func:`_rows_metric` over ``rows`` in pieces of :data:`GRID_CHUNK` scenarios, run here
    one after another or by ``executor`` (any ``concurrent.futures.Executor``); the same
    numbers either way."""
    if executor is not None and not isinstance(executor, Executor):
        raise InputError(
            f"{what}: executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, "
            f"or a Dask client's get_executor()), got {type(executor).__name__}"
        )
    pieces = [rows[i : i + GRID_CHUNK] for i in range(0, len(rows), GRID_CHUNK)]
    if executor is None:
        return np.concatenate([_rows_metric(case, p, metric, col) for p in pieces])
    futures = [executor.submit(_rows_metric, case, p, metric, col) for p in pieces]
    return np.concatenate([f.result() for f in futures])
