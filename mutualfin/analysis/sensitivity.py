"""Sensitivity: one input at a time (:func:`tornado`) and a grid over two inputs
(:func:`two_way`), each evaluated in one vectorised call of the case's own model.

The tornado's chart is drawn by :func:`mutualfin.plots.tornado_chart` (figures live with the
other charts, outside the analysis layer). Conventions: :mod:`mutualfin.analysis.risk`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mutualfin.analysis._common import (
    COMPUTED_BY,
    TORNADO_UNITS,
    _check_case,
    _coerce,
    _grid_metric,
    _input,
    _metric_label,
    _metric_spec,
    uncertainty_range,
)
from mutualfin.case.statements import HEADLINE_NPV
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase

__all__ = ["tornado", "two_way"]


def _default_tornado_inputs(case: BusinessCase) -> list[str]:
    return [
        n
        for n, inp in case.model.inputs.items()
        if inp.kind == "scalar"
        and inp.unit in TORNADO_UNITS
        and float(inp.value) != 0
        and not (inp.bounds is not None and inp.bounds.whole)  # a 10% swing is not whole
    ]


def tornado(
    case: BusinessCase,
    metric: str = HEADLINE_NPV,
    swing: float | Mapping[str, tuple[float, float]] | str = 0.1,
    inputs: Iterable[str] | None = None,
    *,
    period: int | str | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of a metric to each scalar input, ranked by effect.

    Parameters
    ----------
    case : BusinessCase
    metric : str, default the headline NPV (``npv_before_financing``)
        A metric line, ``irr_net_cash_flow``, or a line by period with ``period``.
    swing : float, mapping or "uncertainty", default 0.1
        A fraction: each input goes to ``base * (1 - swing)`` and ``base * (1 + swing)``
        (kept within the input's bounds, fractions within [-1, 1]). A mapping
        ``{input: (low, high)}``: those values (inputs not in it swing by 10%).
        ``"uncertainty"``: the ends of each input's declared uncertainty
        (:func:`uncertainty_range`).
    inputs : iterable of str, optional
        Inputs to swing. Default: with a fraction, every scalar input with unit GBP,
        fraction, ratio or count and a non-zero base (flags, years and inputs taking whole
        numbers are left out, as is an input at 0, which a percentage cannot move); with a
        mapping, its keys; with ``"uncertainty"``, the scalar inputs that declare one.
    period : str or int, optional
        The period, when ``metric`` is a line by period.
    executor : concurrent.futures.Executor, optional
        Evaluates the scenarios in pieces of 1,000 (a process pool, or a Dask client's
        ``get_executor()``); the numbers are the same with or without one.

    Returns
    -------
    pandas.DataFrame
        One row per input, widest effect first, with columns ``input``, ``label``, ``unit``,
        ``base_value``, ``low_value``, ``high_value``, ``metric_at_low``, ``metric_at_high``,
        ``range`` (absolute difference) and ``base`` (the metric with every input at base:
        the deterministic figure). ``attrs["metric"]`` names the metric.

    Notes
    -----
    All ``1 + 2k`` scenarios (base and each input's low and high) are evaluated in vectorised
    pieces of up to 1,000 scenarios. One-at-a-time swings ignore interactions between inputs; see
    :func:`two_way` for a pair and :func:`mutualfin.risk.simulate` for all together.
    """
    _check_case(case, "tornado")
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
            if inp.bounds is not None:  # kept within the input's own bounds, as in its case
                if inp.bounds.low is not None and not inp.bounds.low_open:
                    low = max(low, inp.bounds.low)
                if inp.bounds.high is not None and not inp.bounds.high_open:
                    high = min(high, inp.bounds.high)
        lo = _coerce(inp, low, f"tornado: low value of {name!r}")
        hi = _coerce(inp, high, f"tornado: high value of {name!r}")
        rows += [{name: lo}, {name: hi}]
        table.append((name, inp, base, low, high))
    values = _grid_metric(case, rows, line, col, executor, "tornado")
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


def two_way(
    case: BusinessCase,
    input_a: str,
    values_a: Sequence[float],
    input_b: str,
    values_b: Sequence[float],
    metric: str = HEADLINE_NPV,
    *,
    period: int | str | None = None,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """A metric over a grid of two scalar inputs, in vectorised evaluations of up to 1,000
    cells (handed to ``executor``, any ``concurrent.futures.Executor``, when given; the
    numbers are the same with or without one).

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
    _check_case(case, "two_way")
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
    rows = [
        {input_a: np.asarray(x), input_b: np.asarray(y)}
        for x, y in zip(a.ravel(), b.ravel(), strict=True)
    ]
    values = _grid_metric(case, rows, line, col, executor, "two_way").reshape(a.shape)
    out = pd.DataFrame(
        values,
        index=pd.Index(grids[0], name=input_a),
        columns=pd.Index(grids[1], name=input_b),
    )
    out.attrs["metric"] = _metric_label(line, col, case)
    out.attrs["title"] = f"Two-way table of {out.attrs['metric']}"
    out.attrs["note"] = COMPUTED_BY
    return out
