"""Risk: scenarios, sensitivity (tornado, two-way tables) and Monte Carlo on the case's own model.

"What if we are wrong?" is answered by the same model that gives the central figures, not a
copy: every function here builds input overrides with a leading scenario axis and evaluates
them in one vectorised call of :meth:`mutualfin.engine.Model.evaluate` (Monte Carlo in chunks
of scenarios, so memory stays bounded).

**Scenarios** (:class:`Scenario`, :func:`run_scenarios`): named sets of input overrides.
An override is a value or a function of the input's base value. A scalar input takes one
number (it applies to every period: a scalar input has no years); a per-period input takes one
number per period, so "contract cut 20% in year 3" is written on a per-period input such as
``contract.efficiency_target``. Scenarios override *inputs* only: scaling a calculated line
(say ``staff_costs``) is not possible, because the line is defined once in the model; override
the inputs it is calculated from. :func:`standard_scenarios` gives base, optimistic and
pessimistic from the inputs' declared uncertainty.

**Sensitivity** (:func:`tornado`, :func:`tornado_chart`, :func:`two_way`): one input at a time
swung by a percentage of its base value or to stated low and high values, ranked by the width
of the effect on one metric; and a grid of a metric over two inputs.

**Monte Carlo** (:func:`simulate`, :class:`SimulationResult`): every input with an
uncertainty is drawn from it (numpy ``Generator``, so a seed reproduces the run), optionally
rank-correlated by the Iman-Conover method, and the case is evaluated for all draws.

Conventions
-----------
* Metrics are the case's metric lines (``npv_net_cash_flow``, ``minimum_cash``,
  ``closing_reserves``, ``payback_years``...; see :mod:`mutualfin.case`), in GBP, years or
  fractions as the line says; ``irr_net_cash_flow`` is added by :func:`run_scenarios` (NaN
  where the flows have no rate). A metric may also be a line by period with ``period=`` (a
  label such as ``"2030/31"`` or an index, -1 the last), e.g. reserves in year 5.
* *Low and high ends of an uncertainty* (:func:`uncertainty_range`): by default the stated
  ends of a bounded distribution (Triangular, Uniform and PERT ``low`` and ``high``) and the
  10th and 90th percentiles of a Normal; with ``quantiles=(q_low, q_high)`` the quantiles of
  every distribution.
* *Draws for inputs that are not scalar*: a scalar input takes the drawn value. A per-period
  (or per-employee) input keeps its profile and moves with the draw relative to the
  distribution's central value: multiplied by ``draw / central`` for money and counts (GBP,
  count), shifted by ``draw - central`` for rates and other units (and for money whose central
  value is 0). A distribution collapsed to the base value therefore leaves every input as it is.
* Results of Monte Carlo runs, tornado ranges and scenario tables are *values computed by
  mutualfin*, not live formulas: :meth:`SimulationResult.tables` labels them so for the
  workbook's risk sheet.

References
----------
Iman, R. L. and Conover, W. J. (1982). A distribution-free approach to inducing rank
correlation among input variables. *Communications in Statistics - Simulation and
Computation*, 11(3), 311-334.

HM Treasury (2022). *The Green Book*, chapter 5 and annex A5 (sensitivity, switching values,
Monte Carlo analysis of uncertainty).
"""

from __future__ import annotations

import difflib
import statistics
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mutualfin.core.distributions import PERT, Distribution, Normal, Triangular, Uniform
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from mutualfin.case.business_case import BusinessCase
    from mutualfin.engine import Evaluation, Input

__all__ = [
    "PERCENTILES",
    "Scenario",
    "SimulationResult",
    "iman_conover",
    "run_scenarios",
    "simulate",
    "standard_scenarios",
    "tornado",
    "tornado_chart",
    "two_way",
    "uncertainty_range",
]

#: Percentiles reported for every metric and line, as in the Green Book's risk tables.
PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
#: Units swung by default in a tornado (flags and years, such as a term, are left out).
TORNADO_UNITS = ("GBP", "fraction", "ratio", "count")
#: Units whose per-period profiles scale (rather than shift) with a draw.
_SCALED_UNITS = ("GBP", "count")
COMPUTED_BY = "Values computed by mutualfin (not live formulas)"


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------
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
        return _irr_rows(ev.array("net_cash_flow"))
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
        Triangular, Uniform, PERT or Normal (:mod:`mutualfin.engine.distributions`).
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
    """Override values (S,) or (S, n) for an input from drawn values (S,)."""
    base = _base_array(inp)
    if inp.kind == "scalar":
        return draws
    central = float(inp.uncertainty.central)  # type: ignore[union-attr]
    if inp.unit in _SCALED_UNITS and central != 0:
        return base[None, :] * (draws / central)[:, None]
    return base[None, :] + (draws - central)[:, None]


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """A named set of input overrides.

    Parameters
    ----------
    name : str
        Row label in the scenario table ("Contract cut 20% from year 3").
    overrides : mapping of input name to value or callable
        A value in the input's own shape: one number for a scalar input, one per period for a
        per-period input (a single number is repeated), one per employee for a per-employee
        input; or a function of the base value returning one, e.g.
        ``{"pension.employer_rate": lambda r: r + 0.05}``.
    description : str
        What the scenario represents, for the report.

    Notes
    -----
    Only inputs can be overridden. A scalar input is one figure for every period, so a change
    "in year 3" must be made on a per-period input (e.g. the contract's efficiency target).

    Examples
    --------
    >>> s = Scenario("LGPS +5 points", {"pension.employer_rate": lambda r: r + 0.05})
    >>> s.name
    'LGPS +5 points'
    """

    name: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"Scenario: name {self.name!r} must be non-empty text")
        if not isinstance(self.overrides, Mapping):
            raise InputError(
                f"Scenario {self.name!r}: overrides must map input names to values, "
                f"got {type(self.overrides).__name__}"
            )

    def resolve(self, case: BusinessCase) -> dict[str, np.ndarray]:
        """The overrides as arrays in each input's shape, checked against the case."""
        out = {}
        for name, value in self.overrides.items():
            inp = _input(case, name, f"scenario {self.name!r}: override")
            if callable(value):
                value = value(_base_array(inp).copy() if inp.kind != "scalar" else inp.value)
            out[name] = _coerce(inp, value, f"scenario {self.name!r}")
        return out


def run_scenarios(
    case: BusinessCase, scenarios: Sequence[Scenario], *, irr: bool = True
) -> pd.DataFrame:
    """Metrics of several scenarios side by side, evaluated in one vectorised call.

    Parameters
    ----------
    case : BusinessCase
    scenarios : sequence of Scenario
        Names must differ. A scenario without overrides is the base case.
    irr : bool, default True
        Add ``irr_net_cash_flow`` (NaN where the net cash flow has no rate).

    Returns
    -------
    pandas.DataFrame
        One row per scenario (index ``scenario``), one column per metric line of the case
        (``npv_net_cash_flow``, ``payback_years``, ``minimum_cash``, ``closing_reserves``...).
        Each row equals ``case.run(overrides)`` for that scenario's overrides.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise InputError("run_scenarios: give at least one Scenario")
    seen: set[str] = set()
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise InputError(f"run_scenarios: {s!r} is not a Scenario")
        if s.name in seen:
            raise InputError(f"run_scenarios: two scenarios are named {s.name!r}; rename one")
        seen.add(s.name)
    rows = [s.resolve(case) for s in scenarios]
    ev = _evaluate_rows(case, rows)
    names = _metric_names(case)
    data = {n: np.asarray(ev.array(n), dtype=float) for n in names}
    if irr:
        data["irr_net_cash_flow"] = _irr_rows(ev.array("net_cash_flow"))
    frame = pd.DataFrame(data, index=pd.Index([s.name for s in scenarios], name="scenario"))
    frame.attrs["title"] = f"Scenarios: {case.name}"
    frame.attrs["note"] = COMPUTED_BY
    frame.attrs["descriptions"] = {s.name: s.description for s in scenarios}
    return frame


def standard_scenarios(
    case: BusinessCase,
    *,
    metric: str = "npv_net_cash_flow",
    period: int | str | None = None,
    quantiles: tuple[float, float] | None = None,
) -> list[Scenario]:
    """Base, optimistic and pessimistic scenarios from the inputs' declared uncertainty.

    Each input with an uncertainty goes to one end of it (:func:`uncertainty_range`): in the
    optimistic scenario to whichever end gives the higher ``metric`` when that input alone is
    moved (income up, costs down, for NPV), in the pessimistic one to the other end. The
    direction is found by one vectorised evaluation of every end. Per-period inputs move with
    their profile (see the module notes). Inputs whose ends leave the metric unchanged stay
    at their base value.

    Returns
    -------
    list of Scenario
        ``base``, ``optimistic``, ``pessimistic``.
    """
    line, col = _metric_spec(case, metric, period)
    uncertain = [(n, i) for n, i in case.model.inputs.items() if i.uncertainty is not None]
    base = Scenario("base", {}, "Every input at its base value")
    if not uncertain:
        raise InputError(
            "standard_scenarios: no input of the case declares an uncertainty; give inputs "
            "one, e.g. {value = 0.02, uncertainty = {triangular = [0.01, 0.02, 0.04]}}"
        )
    ends: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows: list[dict[str, np.ndarray]] = [{}]
    for name, inp in uncertain:
        low, high = uncertainty_range(inp.uncertainty, quantiles)  # type: ignore[arg-type]
        lo = _apply_draw(inp, np.array([low]))[0]
        hi = _apply_draw(inp, np.array([high]))[0]
        lo, hi = _coerce(inp, lo, f"{name} low end"), _coerce(inp, hi, f"{name} high end")
        ends[name] = (lo, hi)
        rows += [{name: lo}, {name: hi}]
    ev = _evaluate_rows(case, rows, keep=_keep_for(line))
    values = _metric_values(ev, line, col)
    good: dict[str, np.ndarray] = {}
    bad: dict[str, np.ndarray] = {}
    for k, (name, _) in enumerate(uncertain):
        at_low, at_high = values[1 + 2 * k], values[2 + 2 * k]
        lo, hi = ends[name]
        if at_high > at_low:
            good[name], bad[name] = hi, lo
        elif at_low > at_high:
            good[name], bad[name] = lo, hi
    what = _metric_label(line, col, case)
    return [
        base,
        Scenario("optimistic", good, f"Each uncertain input at the end that raises {what}"),
        Scenario("pessimistic", bad, f"Each uncertain input at the end that lowers {what}"),
    ]


# --------------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------------
def _default_tornado_inputs(case: BusinessCase) -> list[str]:
    return [
        n
        for n, inp in case.model.inputs.items()
        if inp.kind == "scalar" and inp.unit in TORNADO_UNITS and float(inp.value) != 0
    ]


def tornado(
    case: BusinessCase,
    metric: str = "npv_net_cash_flow",
    swing: float | Mapping[str, tuple[float, float]] | str = 0.1,
    inputs: Iterable[str] | None = None,
    *,
    period: int | str | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of a metric to each scalar input, ranked by effect.

    Parameters
    ----------
    case : BusinessCase
    metric : str, default "npv_net_cash_flow"
        A metric line, ``irr_net_cash_flow``, or a line by period with ``period``.
    swing : float, mapping or "uncertainty", default 0.1
        A fraction: each input goes to ``base * (1 - swing)`` and ``base * (1 + swing)``
        (fractions are kept within [-1, 1]). A mapping ``{input: (low, high)}``: those values
        (inputs not in it swing by 10%). ``"uncertainty"``: the ends of each input's declared
        uncertainty (:func:`uncertainty_range`).
    inputs : iterable of str, optional
        Inputs to swing. Default: with a fraction, every scalar input with unit GBP,
        fraction, ratio or count and a non-zero base (flags and years are left out, as is an
        input at 0, which a percentage cannot move); with a mapping, its keys; with
        ``"uncertainty"``, the scalar inputs that declare one.
    period : str or int, optional
        The period, when ``metric`` is a line by period.

    Returns
    -------
    pandas.DataFrame
        One row per input, widest effect first, with columns ``input``, ``label``, ``unit``,
        ``base_value``, ``low_value``, ``high_value``, ``metric_at_low``, ``metric_at_high``,
        ``range`` (absolute difference) and ``base`` (the metric with every input at base:
        the deterministic figure). ``attrs["metric"]`` names the metric.

    Notes
    -----
    All ``1 + 2k`` scenarios (base and each input's low and high) are one vectorised
    evaluation. One-at-a-time swings ignore interactions between inputs; see
    :func:`two_way` for a pair and :func:`simulate` for all together.
    """
    line, col = _metric_spec(case, metric, period)
    ranges: Mapping[str, tuple[float, float]] = {}
    pct: float | None = 0.1
    use_uncertainty = False
    if isinstance(swing, str):
        if swing != "uncertainty":
            raise InputError(
                f"tornado: swing {swing!r} must be a fraction, a mapping or 'uncertainty'"
            )
        use_uncertainty = True
    elif isinstance(swing, Mapping):
        ranges = swing
    elif isinstance(swing, bool) or not isinstance(swing, int | float | np.floating):
        raise InputError(f"tornado: swing {swing!r} must be a fraction such as 0.1")
    else:
        pct = float(swing)
        if not 0 < pct <= 1:
            raise InputError(f"tornado: swing {swing!r} must be above 0 and at most 1 (0.1 = 10%)")
    if inputs is None:
        if use_uncertainty:
            names = [
                n
                for n, i in case.model.inputs.items()
                if i.kind == "scalar" and i.uncertainty is not None
            ]
        elif ranges:
            names = list(ranges)
        else:
            names = _default_tornado_inputs(case)
    else:
        names = [inputs] if isinstance(inputs, str) else list(inputs)
    if not names:
        raise InputError("tornado: no inputs to swing; name them with inputs=[...]")
    rows: list[dict[str, np.ndarray]] = [{}]
    table = []
    for name in names:
        inp = _input(case, name, "tornado:")
        if inp.kind != "scalar":
            raise InputError(
                f"tornado: {name!r} has a value per {inp.kind}; a tornado swings single-value "
                "inputs (use a Scenario for a per-period change)"
            )
        base = float(inp.value)
        if name in ranges:
            pair = ranges[name]
            try:
                low, high = (float(v) for v in pair)
            except (TypeError, ValueError):
                raise InputError(
                    f"tornado: the range for {name!r} must be (low, high), got {pair!r}"
                ) from None
        elif use_uncertainty:
            if inp.uncertainty is None:
                raise InputError(f"tornado: {name!r} declares no uncertainty to swing across")
            low, high = uncertainty_range(inp.uncertainty)
        else:
            if base == 0:
                raise InputError(
                    f"tornado: {name!r} is 0, which a percentage swing cannot move; give it "
                    f"a range, swing={{{name!r}: (low, high)}}"
                )
            low, high = sorted((base * (1 - pct), base * (1 + pct)))
            if inp.unit == "fraction":
                low, high = max(low, -1.0), min(high, 1.0)
        lo = _coerce(inp, low, f"tornado: low value of {name!r}")
        hi = _coerce(inp, high, f"tornado: high value of {name!r}")
        rows += [{name: lo}, {name: hi}]
        table.append((name, inp, base, low, high))
    ev = _evaluate_rows(case, rows, keep=_keep_for(line))
    values = _metric_values(ev, line, col)
    out = pd.DataFrame(
        {
            "input": [t[0] for t in table],
            "label": [t[1].label for t in table],
            "unit": [t[1].unit for t in table],
            "base_value": [t[2] for t in table],
            "low_value": [t[3] for t in table],
            "high_value": [t[4] for t in table],
            "metric_at_low": values[1::2],
            "metric_at_high": values[2::2],
        }
    )
    out["range"] = (out["metric_at_high"] - out["metric_at_low"]).abs()
    out["base"] = float(values[0])
    out = out.sort_values("range", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs["metric"] = _metric_label(line, col, case)
    out.attrs["unit"] = "fraction" if line == "irr_net_cash_flow" else case.model.lines[line].unit
    out.attrs["title"] = f"Tornado: {out.attrs['metric']} ({case.name})"
    out.attrs["note"] = COMPUTED_BY
    return out


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _pounds(axis: Any) -> None:
    """Tick labels in thousands of pounds (``£1,250k``, ``-£300k``), without a 1e6 offset."""
    from matplotlib.ticker import FuncFormatter

    def fmt(x: float, _: Any) -> str:
        return f"{'-' if x < 0 else ''}£{abs(x) / 1e3:,.0f}k"

    axis.set_major_formatter(FuncFormatter(fmt))


def tornado_chart(table: pd.DataFrame, *, top: int | None = None, title: str | None = None):
    """A tornado chart of :func:`tornado`'s table: two bars per input around the base.

    Parameters
    ----------
    table : DataFrame
        From :func:`tornado` (widest first; drawn widest at the top).
    top : int, optional
        Draw only the ``top`` widest inputs.
    title : str, optional
        Defaults to "Sensitivity of <metric>".

    Returns
    -------
    matplotlib.figure.Figure
        One axes; per input a bar from the base to the metric at the input's low value and
        one to its high value (``2 x rows`` patches), and a vertical line at the base. Drawn
        on a plain :class:`~matplotlib.figure.Figure` (no pyplot, no window): save it with
        ``fig.savefig(path)``.
    """
    need = {"input", "metric_at_low", "metric_at_high", "base"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise InputError(f"tornado_chart: give the table from tornado(), with columns {need}")
    rows = table.head(top) if top is not None else table
    n = len(rows)
    fig = _figure(11, 1.4 + 0.45 * max(n, 1))
    ax = fig.add_subplot()
    base = float(rows["base"].iloc[0]) if n else 0.0
    y = np.arange(n)[::-1]  # widest at the top
    low = rows["metric_at_low"].to_numpy(float) - base
    high = rows["metric_at_high"].to_numpy(float) - base
    ax.barh(y, low, left=base, color="#c0504d", label="input at low value", height=0.6)
    ax.barh(y, high, left=base, color="#4f81bd", label="input at high value", height=0.6)
    ax.axvline(base, color="black", linewidth=1)
    labels = [str(v) for v in rows.get("label", rows["input"])]
    ax.set_yticks(y, labels)
    metric = table.attrs.get("metric", "metric")
    ax.set_xlabel(metric)
    if table.attrs.get("unit", "GBP") == "GBP":
        _pounds(ax.xaxis)
    ax.set_title(title or f"Sensitivity of {metric}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def two_way(
    case: BusinessCase,
    input_a: str,
    values_a: Sequence[float],
    input_b: str,
    values_b: Sequence[float],
    metric: str = "npv_net_cash_flow",
    *,
    period: int | str | None = None,
) -> pd.DataFrame:
    """A metric over a grid of two scalar inputs, in one vectorised evaluation.

    Returns
    -------
    pandas.DataFrame
        Rows are ``values_a`` (index named ``input_a``), columns ``values_b`` (named
        ``input_b``); each cell the metric with both inputs at those values and every other
        input at its base.

    Examples
    --------
    See ``tests/test_risk.py``: each cell equals ``case.run`` with the two overrides.
    """
    line, col = _metric_spec(case, metric, period)
    if input_a == input_b:
        raise InputError(f"two_way: give two different inputs, not {input_a!r} twice")
    grids = []
    for name, values in ((input_a, values_a), (input_b, values_b)):
        inp = _input(case, name, "two_way:")
        if inp.kind != "scalar":
            raise InputError(f"two_way: {name!r} has a value per {inp.kind}; use scalar inputs")
        arr = np.asarray(values, dtype=float).reshape(-1)
        if arr.size == 0:
            raise InputError(f"two_way: give at least one value for {name!r}")
        inp.check_values(arr, f"two_way: {name!r} value")
        grids.append(arr)
    a, b = np.meshgrid(grids[0], grids[1], indexing="ij")
    ev = case.model.evaluate({input_a: a.ravel(), input_b: b.ravel()}, keep=_keep_for(line))
    values = _metric_values(ev, line, col).reshape(a.shape)
    out = pd.DataFrame(
        values,
        index=pd.Index(grids[0], name=input_a),
        columns=pd.Index(grids[1], name=input_b),
    )
    out.attrs["metric"] = _metric_label(line, col, case)
    out.attrs["title"] = f"Two-way table of {out.attrs['metric']}"
    out.attrs["note"] = COMPUTED_BY
    return out


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------
def _correlation_matrix(case: BusinessCase, correlation: Any, names: list[str]):
    """(names in the matrix, matrix) from a DataFrame or {(a, b): rho}, validated."""
    if isinstance(correlation, pd.DataFrame):
        rows, cols = [str(x) for x in correlation.index], [str(x) for x in correlation.columns]
        if rows != cols:
            raise InputError(
                "correlation matrix: rows and columns must name the same inputs in the same "
                f"order; rows {rows}, columns {cols}"
            )
        try:
            matrix = correlation.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise InputError("correlation matrix: entries must be numbers") from None
        labels = rows
    elif isinstance(correlation, Mapping):
        labels = []
        for pair in correlation:
            if not isinstance(pair, tuple) or len(pair) != 2:
                raise InputError(
                    f"correlation: key {pair!r} must be a pair of input names, e.g. "
                    "{('contract.indexation', 'staff.pay_award'): 0.6}"
                )
            labels += [p for p in pair if p not in labels]
        matrix = np.eye(len(labels))
        given: dict[frozenset, float] = {}
        for (a, b), rho in correlation.items():
            i, j = labels.index(a), labels.index(b)
            if i == j:
                raise InputError(f"correlation: pair ({a!r}, {b!r}) is one input twice")
            key = frozenset((a, b))
            if key in given and given[key] != rho:
                raise InputError(
                    f"correlation: ({a!r}, {b!r}) is given twice, as {given[key]!r} and "
                    f"{rho!r}; give each pair once"
                )
            given[key] = rho
            try:
                matrix[i, j] = matrix[j, i] = float(rho)
            except (TypeError, ValueError):
                raise InputError(f"correlation: ({a!r}, {b!r}) = {rho!r} is not a number") from None
    else:
        raise InputError(
            "correlation must be a DataFrame (input names as index and columns) or a mapping "
            f"{{(input_a, input_b): rho}}, got {type(correlation).__name__}"
        )
    if len(set(labels)) != len(labels):
        raise InputError(f"correlation matrix: an input is named twice in {labels}")
    for name in labels:
        inp = _input(case, name, "correlation: input")
        if inp.uncertainty is None:
            raise InputError(
                f"correlation: input {name!r} declares no uncertainty, so it is not drawn and "
                "cannot be correlated; give it one (uncertainty = {triangular = [...]}) or "
                "leave it out of the matrix"
            )
    k = len(labels)
    if matrix.shape != (k, k) or not np.all(np.isfinite(matrix)):
        raise InputError(f"correlation matrix must be {k} x {k} finite numbers")
    if not np.allclose(matrix, matrix.T, rtol=0, atol=1e-12):
        i, j = np.argwhere(~np.isclose(matrix, matrix.T, rtol=0, atol=1e-12))[0]
        raise InputError(
            f"correlation matrix is not symmetric: ({labels[i]}, {labels[j]}) = {matrix[i, j]} "
            f"but ({labels[j]}, {labels[i]}) = {matrix[j, i]}"
        )
    if not np.allclose(np.diag(matrix), 1.0, rtol=0, atol=1e-12):
        i = int(np.argmax(np.abs(np.diag(matrix) - 1)))
        raise InputError(
            f"correlation matrix: the diagonal must be 1; {labels[i]} has {matrix[i, i]}"
        )
    if np.any(np.abs(matrix) > 1):
        raise InputError("correlation matrix: every entry must be between -1 and 1")
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        smallest = float(np.linalg.eigvalsh(matrix)[0])
        raise InputError(
            f"correlation matrix of {labels} is not positive definite (smallest eigenvalue "
            f"{smallest:.3g}): the correlations contradict each other (e.g. a with b and b "
            "with c strongly positive but a with c strongly negative); make them consistent"
        ) from None
    return labels, matrix


def _ranks(x: np.ndarray) -> np.ndarray:
    """0-based ranks along axis 0 (ties broken by position)."""
    order = np.argsort(x, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(x.shape[0])[:, None], axis=0)
    return ranks


def iman_conover(draws: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder independent draws so that their rank correlation follows ``target``.

    Parameters
    ----------
    draws : ndarray, shape (n, k)
        Independent draws, one column per input. Each column's values are kept, only their
        order changes, so every marginal distribution is exactly as drawn.
    target : ndarray, shape (k, k)
        Target rank correlation matrix (symmetric, unit diagonal, positive definite).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n, k)

    Notes
    -----
    Iman and Conover (1982): take van der Waerden scores
    :math:`a_i = \\Phi^{-1}(i/(n+1))`, permute them at random into a score matrix
    :math:`R` (n x k), remove its chance correlation :math:`T = QQ^\\top` and impose the
    target :math:`C = PP^\\top` (Cholesky factors): :math:`R^* = R (P Q^{-1})^\\top`. Each
    column of draws is then sorted and arranged in the rank order of the same column of
    :math:`R^*`. Since normal scores with correlation :math:`r` have rank correlation
    :math:`(6/\\pi)\\arcsin(r/2)`, the scores are aimed at :math:`2\\sin(\\pi C/6)` so that
    the *rank* correlation of the result is close to :math:`C` (sampling error about
    :math:`1/\\sqrt{n}`).
    """
    n, k = draws.shape
    if k < 2 or n < 3:
        return draws
    nd = statistics.NormalDist()
    scores = np.array([nd.inv_cdf(i / (n + 1)) for i in range(1, n + 1)])
    R = np.column_stack([rng.permutation(scores) for _ in range(k)])
    T = np.corrcoef(R, rowvar=False)
    # normal scores with Pearson correlation r have rank correlation (6/pi) asin(r/2):
    # aim the scores at 2 sin(pi rho / 6) so the ranks come out at rho
    adjusted = 2 * np.sin(np.pi * np.asarray(target, dtype=float) / 6)
    np.fill_diagonal(adjusted, 1.0)
    try:
        P = np.linalg.cholesky(adjusted)
    except np.linalg.LinAlgError:  # pragma: no cover - extreme matrices only
        P = np.linalg.cholesky(target)
    Q = np.linalg.cholesky(T)
    R_star = R @ (P @ np.linalg.inv(Q)).T
    ranks = _ranks(R_star)
    ordered = np.sort(draws, axis=0)
    return np.take_along_axis(ordered, ranks, axis=0)


class _Progress:
    """A minimal progress bar on stderr: ``\\r`` updates, shown only on runs over ~1 s.

    ``progress=None`` shows it where someone is watching (a terminal, or a Jupyter kernel,
    whose output area also honours ``\\r``); ``True`` always; ``False`` never; a callable is
    called with ``(done, total)`` scenarios after each chunk instead.
    """

    def __init__(self, progress: Any, total: int):
        self.total = total
        self.start = time.perf_counter()
        self.callback = progress if callable(progress) else None
        if progress is None:
            stream_tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
            self.enabled = stream_tty or "ipykernel" in sys.modules
            self.delay = 1.0
        else:
            self.enabled = bool(progress) and self.callback is None
            self.delay = 0.0
        self.shown = False

    def update(self, done: int) -> None:
        if self.callback is not None:
            self.callback(done, self.total)
            return
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed < self.delay:
            return
        frac = done / self.total
        bar = "#" * int(30 * frac)
        rate = done / elapsed if elapsed > 0 else 0.0
        sys.stderr.write(
            f"\rmutualfin simulate [{bar:<30}] {done:,}/{self.total:,} ({rate:,.0f} scenarios/s)"
        )
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _default_chunk(case: BusinessCase) -> int:
    """Scenarios per chunk: about 4 million numbers (32 MB) per per-employee line per chunk,
    at least 1,000 and at most 50,000 scenarios (measured fastest on the benchmark case; much
    smaller chunks pay the engine's per-call overhead, much larger ones leave the CPU cache)."""
    m = case.model
    e = max((len(a) for a in m.entity_axes.values()), default=1)
    cells = e * m.timeline.n
    return int(min(50_000, max(1_000, 4_000_000 // max(cells, 1))))


def simulate(
    case: BusinessCase,
    n: int = 10_000,
    *,
    seed: int | np.random.Generator | None = None,
    correlation: Any = None,
    chunk_size: int | None = None,
    floor: float = 0.0,
    lines: Sequence[str] = ("closing_cash", "reserves"),
    progress: Any = None,
) -> SimulationResult:
    """Monte Carlo: draw every uncertain input, evaluate the case for all draws.

    Parameters
    ----------
    case : BusinessCase
    n : int, default 10,000
        Number of scenarios (at least 1).
    seed : int or numpy.random.Generator, optional
        Seed of a ``numpy.random.default_rng``; the same seed gives the same numbers. Without
        one, a seed is drawn from the operating system and recorded in the result (``.seed``)
        so the run can be repeated.
    correlation : DataFrame or mapping, optional
        Rank correlation between inputs: a square DataFrame with input names as index and
        columns, or ``{(input_a, input_b): rho}`` (other pairs 0). Every input named must
        declare an uncertainty; the matrix must be symmetric with a unit diagonal and
        positive definite. Induced by the Iman-Conover method (:func:`iman_conover`).
    chunk_size : int, optional
        Scenarios per evaluation; by default about 4 million numbers per line per chunk.
        Memory is bounded by the chunk plus the kept results (metrics and ``lines``).
    floor : float, default 0
        Cash floor for :meth:`SimulationResult.shortfall` (GBP).
    lines : sequence of str, default ("closing_cash", "reserves")
        Lines by period kept for every scenario (percentiles by period, fan charts).
    progress : bool, callable or None
        Progress bar on stderr: None shows it on runs over about a second in a terminal or
        Jupyter; True always; False never; a callable gets ``(done, total)`` per chunk.

    Returns
    -------
    SimulationResult

    Notes
    -----
    Inputs are drawn in the order of their names, each ``dist.sample(rng, n)`` from one
    generator, then the correlated ones reordered (Iman and Conover 1982), so results depend
    only on the seed, ``n`` and the case (not on ``chunk_size``). How a draw applies to a
    per-period input is in the module notes. Each chunk is evaluated with ``keep=`` the
    metrics and ``lines`` only, so intermediate lines are freed as soon as they are used.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"simulate: n = {n!r} must be a whole number of scenarios, at least 1")
    n = int(n)
    if isinstance(floor, bool) or not isinstance(floor, int | float | np.number):
        raise InputError(f"simulate: floor {floor!r} must be a number of pounds")
    if chunk_size is None:
        chunk_size = _default_chunk(case)
    elif isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InputError(f"simulate: chunk_size {chunk_size!r} must be a whole number, at least 1")
    lines = [lines] if isinstance(lines, str) else list(lines)
    for name in lines:
        if name not in case.model.lines or not case.model.shapes[name].period:
            raise InputError(f"simulate: {name!r} is not a line by period of the case")
        if case.model.shapes[name].entity is not None:
            raise InputError(f"simulate: {name!r} is per employee; keep a total line instead")
    uncertain = sorted(n_ for n_, i in case.model.inputs.items() if i.uncertainty is not None)
    if not uncertain:
        raise InputError(
            "simulate: no input of the case declares an uncertainty, so there is nothing to "
            "draw; give inputs one, e.g. {value = 0.02, uncertainty = {triangular = "
            "[0.01, 0.02, 0.04]}}"
        )
    if seed is None:  # draw a seed and record it, so that any run can be repeated
        seed = int(np.random.SeedSequence().entropy) % 2**63
    elif not isinstance(seed, np.random.Generator) and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise InputError(f"simulate: seed {seed!r} must be a whole number, at least 0")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    inputs = case.model.inputs
    draws = np.column_stack(
        [np.asarray(inputs[name].uncertainty.sample(rng, n), dtype=float) for name in uncertain]  # type: ignore[union-attr]
    )
    corr_labels: list[str] = []
    corr_matrix = None
    if correlation is not None:
        corr_labels, corr_matrix = _correlation_matrix(case, correlation, uncertain)
        cols = [uncertain.index(x) for x in corr_labels]
        draws[:, cols] = iman_conover(draws[:, cols], corr_matrix, rng)
    for j, name in enumerate(uncertain):  # check once, not per chunk: fractions in range etc.
        inp = inputs[name]
        try:
            inp.check_values(_apply_draw(inp, draws[:, j]), "drawn value")
        except InputError as exc:
            raise InputError(
                f"simulate: draws for {name!r} from {inp.uncertainty!r} are not valid values of "
                f"the input ({exc}); narrow its uncertainty"
            ) from None

    metrics = _metric_names(case)
    keep = [*metrics, *[x for x in lines if x not in metrics]]
    metric_out = np.empty((n, len(metrics)))
    line_out = {x: np.empty((n, case.timeline.n)) for x in lines}
    bar = _Progress(progress, n)
    try:
        for start in range(0, n, chunk_size):
            stop = min(start + chunk_size, n)
            overrides = {
                name: _apply_draw(inputs[name], draws[start:stop, j])
                for j, name in enumerate(uncertain)
            }
            ev = case.model.evaluate(overrides, keep=keep)
            for j, name in enumerate(metrics):
                metric_out[start:stop, j] = ev.array(name)
            for name in lines:
                line_out[name][start:stop] = ev.array(name)
            del ev
            bar.update(stop)
    finally:
        bar.close()
    return SimulationResult(
        case=case,
        n=n,
        seed=seed if not isinstance(seed, np.random.Generator) else "a numpy Generator",
        floor=float(floor),
        draws=pd.DataFrame(draws, columns=pd.Index(uncertain, name="input")),
        metrics=pd.DataFrame(metric_out, columns=pd.Index(metrics, name="metric")),
        lines=line_out,
        correlation=(
            None
            if corr_matrix is None
            else pd.DataFrame(corr_matrix, index=corr_labels, columns=corr_labels)
        ),
    )


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of each column of x with y (average ranks for ties; NaN
    where either is constant)."""
    rx = np.array(pd.DataFrame(x).rank(method="average").to_numpy(float))
    ry = np.array(pd.Series(y).rank(method="average").to_numpy(float))
    rx -= rx.mean(axis=0)
    ry -= ry.mean()
    num = rx.T @ ry
    den = np.sqrt((rx**2).sum(axis=0) * (ry**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _percentiles(arr: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Percentiles down axis 0, numpy's linear method, with NaN ranked as +inf ("never").

    Returns shape (len(q), columns). A percentile falling strictly between a value and
    ``inf`` is ``inf``; one falling on a value is that value.
    """
    qs = np.asarray(q, dtype=float)
    if np.any((qs < 0) | (qs > 100)):
        raise InputError(f"percentiles {list(q)} must be between 0 and 100")
    data = np.sort(np.where(np.isnan(arr), np.inf, arr), axis=0)
    n = data.shape[0]
    h = (n - 1) * qs / 100
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    t = (h - lo)[:, None]
    a, b = data[lo], data[hi]
    with np.errstate(invalid="ignore"):
        lerp = a + (b - a) * t
    return np.where(t == 0, a, np.where(np.isinf(b) | np.isinf(a), np.maximum(a, b), lerp))


@dataclass
class SimulationResult:
    """What :func:`simulate` gives: the draws, every metric and kept line per scenario.

    Attributes
    ----------
    draws : DataFrame (n x uncertain inputs)
        The value drawn for each input (for per-period inputs, the draw before it is applied
        to the profile).
    metrics : DataFrame (n x metric lines)
    lines : dict of line name to ndarray (n, periods)
    floor : float
        The cash floor given to :func:`simulate`.
    """

    case: BusinessCase
    n: int
    seed: Any
    floor: float
    draws: pd.DataFrame
    metrics: pd.DataFrame
    lines: dict[str, np.ndarray]
    correlation: pd.DataFrame | None = None

    # -- percentiles ---------------------------------------------------------------------------
    def percentiles(self, q: Sequence[float] = PERCENTILES) -> pd.DataFrame:
        """Percentiles, mean and share "never" of every metric: one row per metric.

        Columns ``p5``, ``p10``... (linear interpolation between order statistics, numpy's
        default), ``mean`` and ``share_never``. A metric with no value in a scenario (NaN:
        payback never reached) counts as later than any value, so its high percentiles are
        ``inf`` ("never") once more scenarios than that never pay back; ``mean`` is over the
        scenarios with a value and ``share_never`` is the share without one.
        """
        arr = self.metrics.to_numpy(float)
        out = pd.DataFrame(
            _percentiles(arr, q).T, index=self.metrics.columns, columns=[f"p{x:g}" for x in q]
        )
        missing = np.isnan(arr)
        with np.errstate(invalid="ignore"):
            sums = np.where(missing, 0.0, arr).sum(axis=0)
            counts = (~missing).sum(axis=0)
            out["mean"] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        out["share_never"] = missing.mean(axis=0)
        out.attrs["note"] = COMPUTED_BY
        return out

    def line_percentiles(self, line: str = "closing_cash", q=PERCENTILES) -> pd.DataFrame:
        """Percentiles of a kept line by period: one row per percentile, periods as columns."""
        out = pd.DataFrame(
            _percentiles(self._line(line), q),
            index=pd.Index([f"p{x:g}" for x in q], name="percentile"),
            columns=pd.Index(self.case.timeline.labels, name="period"),
        )
        out.attrs["note"] = COMPUTED_BY
        return out

    def _line(self, line: str) -> np.ndarray:
        if line not in self.lines:
            raise InputError(
                f"{line!r} was not kept in this simulation (kept: {sorted(self.lines)}); run "
                f"simulate(..., lines=[..., {line!r}])"
            )
        return self.lines[line]

    # -- shortfall -----------------------------------------------------------------------------
    def shortfall(self, floor: float | None = None, line: str = "closing_cash") -> pd.Series:
        """Probability that ``line`` falls below ``floor`` in each period, and in any period.

        Returns
        -------
        pandas.Series
            Indexed by period label, plus ``"any period"``: the share of scenarios in which the
            line is below the floor in that period (strictly below), or in at least one period.
        """
        floor = self.floor if floor is None else float(floor)
        below = self._line(line) < floor
        out = pd.Series(
            [*below.mean(axis=0), below.any(axis=1).mean()],
            index=[*self.case.timeline.labels, "any period"],
            name=f"P({line} < {floor:,.0f})",
        )
        return out

    def probability_below(self, floor: float | None = None, line: str = "closing_cash") -> float:
        """Probability that ``line`` is below ``floor`` in at least one period."""
        return float(self.shortfall(floor, line)["any period"])

    # -- drivers -------------------------------------------------------------------------------
    def drivers(self, metric: str = "npv_net_cash_flow") -> pd.DataFrame:
        """Inputs that drive the risk: Spearman rank correlation of each input's draws with a
        metric, strongest (in absolute value) first.

        Returns
        -------
        pandas.DataFrame
            Columns ``input``, ``label``, ``spearman`` (in [-1, 1]; NaN where the input or the
            metric did not vary) and ``share`` (squared correlation over the sum of squares, a
            rough share of the metric's rank variance).
        """
        if metric not in self.metrics.columns:
            close = difflib.get_close_matches(metric, list(self.metrics.columns), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise InputError(f"drivers: {metric!r} is not a metric of the simulation{hint}")
        rho = _spearman(self.draws.to_numpy(), self.metrics[metric].to_numpy())
        sq = np.where(np.isnan(rho), 0.0, rho**2)
        total = sq.sum()
        labels = [self.case.model.inputs[c].label for c in self.draws.columns]
        out = pd.DataFrame(
            {
                "input": list(self.draws.columns),
                "label": labels,
                "spearman": rho,
                "share": sq / total if total > 0 else np.full_like(sq, np.nan),
            }
        )
        order = np.argsort(-np.nan_to_num(np.abs(rho), nan=-1.0), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
        out.attrs["metric"] = metric
        out.attrs["note"] = COMPUTED_BY
        return out

    # -- charts --------------------------------------------------------------------------------
    def fan_chart(self, lines: Sequence[str] | None = None, *, title: str | None = None):
        """Fan chart of kept lines by period: median with 5-95, 10-90 and 25-75 bands.

        Returns
        -------
        matplotlib.figure.Figure
            One axes per line (closing cash and reserves by default), each with three shaded
            bands, the median line and a dashed line at the floor; titled by line.
        """
        names = (
            list(self.lines)
            if lines is None
            else ([lines] if isinstance(lines, str) else list(lines))
        )
        fig = _figure(8, 3.2 * len(names))
        axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
        x = np.arange(self.case.timeline.n)
        labels = self.case.timeline.labels
        for ax, name in zip(axes, names, strict=True):
            p = np.percentile(self._line(name), PERCENTILES, axis=0)
            for (lo, hi), alpha in (((0, 6), 0.15), ((1, 5), 0.25), ((2, 4), 0.4)):
                ax.fill_between(
                    x,
                    p[lo],
                    p[hi],
                    color="#4f81bd",
                    alpha=alpha,
                    linewidth=0,
                    label=f"{PERCENTILES[lo]}th to {PERCENTILES[hi]}th percentile",
                )
            ax.plot(x, p[3], color="#1f3864", linewidth=2, label="median")
            ax.axhline(self.floor, color="#c0504d", linestyle="--", linewidth=1, label="floor")
            ax.set_xticks(x, labels)
            ax.set_title(self.case.model.lines[name].label)
            _pounds(ax.yaxis)
            ax.legend(loc="upper left", fontsize="small")
        fig.suptitle(title or f"Monte Carlo, {self.n:,} scenarios: {self.case.name}")
        return fig

    # -- workbook ------------------------------------------------------------------------------
    def tables(self, metric: str = "npv_net_cash_flow") -> dict[str, pd.DataFrame]:
        """DataFrames for the workbook's risk sheet, each labelled as computed by mutualfin.

        Keys: ``summary`` (what was run), ``inputs`` (each uncertain input's distribution),
        ``metric_percentiles``, one ``<line>_percentiles`` per kept line, ``shortfall`` and
        ``drivers`` (for ``metric``); plus ``correlation`` when one was given. Each has
        ``attrs["title"]`` and ``attrs["note"]`` saying these are values, not live formulas.
        """
        from mutualfin._version import __version__

        note = (
            f"Values computed by mutualfin {__version__} by Monte Carlo simulation "
            f"({self.n:,} scenarios, seed {self.seed}); not live formulas"
        )
        summary = pd.DataFrame(
            {
                "value": [
                    self.case.name,
                    self.n,
                    str(self.seed),
                    len(self.draws.columns),
                    "Iman-Conover rank correlation" if self.correlation is not None else "none",
                    self.floor,
                    self.probability_below(),
                    note,
                ]
            },
            index=pd.Index(
                [
                    "case",
                    "scenarios",
                    "seed",
                    "uncertain inputs",
                    "correlation",
                    "cash floor (GBP)",
                    "probability cash below floor in any period",
                    "computed by",
                ],
                name="item",
            ),
        )
        rows = []
        for name in self.draws.columns:
            inp = self.case.model.inputs[name]
            dist = inp.uncertainty
            rows.append(
                {
                    "input": name,
                    "label": inp.label,
                    "unit": inp.unit,
                    "base": inp.value.tolist() if inp.value.ndim else float(inp.value),
                    "distribution": repr(dist),
                    "drawn_mean": float(self.draws[name].mean()),
                }
            )
        out = {
            "summary": (summary, "Monte Carlo summary"),
            "inputs": (pd.DataFrame(rows).set_index("input"), "Uncertain inputs"),
            "metric_percentiles": (self.percentiles(), "Percentiles of the metrics"),
        }
        for name in self.lines:
            out[f"{name}_percentiles"] = (
                self.line_percentiles(name),
                f"Percentiles of {self.case.model.lines[name].label} by period",
            )
        out["shortfall"] = (
            self.shortfall().to_frame("probability"),
            f"Probability closing cash is below {self.floor:,.0f}",
        )
        out["drivers"] = (self.drivers(metric).set_index("input"), f"Drivers of {metric}")
        if self.correlation is not None:
            out["correlation"] = (self.correlation.copy(), "Rank correlation imposed")
        result = {}
        for key, (frame, title) in out.items():
            frame.attrs["title"] = title
            frame.attrs["note"] = note
            result[key] = frame
        return result

    def __repr__(self) -> str:
        return (
            f"SimulationResult({self.case.name!r}, n={self.n:,}, seed={self.seed}, "
            f"{len(self.draws.columns)} uncertain inputs)"
        )
