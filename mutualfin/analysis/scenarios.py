"""Scenarios: named sets of input overrides, evaluated side by side in one vectorised call.

An override is a value or a function of the input's base value. A scalar input takes one
number (it applies to every period: a scalar input has no years); a per-period input takes one
number per period, so "contract cut 20% in year 3" is written on a per-period input such as
``contract.efficiency_target``. Scenarios override *inputs* only: scaling a calculated line
(say ``staff_costs``) is not possible, because the line is defined once in the model; override
the inputs it is calculated from. :func:`standard_scenarios` gives base, optimistic and
pessimistic from the inputs' declared uncertainty. Conventions: :mod:`mutualfin.analysis.risk`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mutualfin.analysis._common import (
    COMPUTED_BY,
    _apply_draw,
    _base_array,
    _check_case,
    _coerce,
    _evaluate_rows,
    _input,
    _irr_rows,
    _keep_for,
    _metric_label,
    _metric_names,
    _metric_spec,
    _metric_values,
    uncertainty_range,
)
from mutualfin.case.statements import HEADLINE_NPV
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase

__all__ = ["Scenario", "run_scenarios", "standard_scenarios"]


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
    _check_case(case, "run_scenarios")
    if isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    if isinstance(scenarios, str | Mapping) or not isinstance(scenarios, Iterable):
        raise InputError(
            f"run_scenarios: scenarios must be a list of Scenario, got {type(scenarios).__name__}"
        )
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
        data["irr_net_cash_flow"] = _irr_rows(ev.annual("net_cash_flow"))
    frame = pd.DataFrame(data, index=pd.Index([s.name for s in scenarios], name="scenario"))
    frame.attrs["title"] = f"Scenarios: {case.name}"
    frame.attrs["note"] = COMPUTED_BY
    frame.attrs["descriptions"] = {s.name: s.description for s in scenarios}
    return frame


def standard_scenarios(
    case: BusinessCase,
    *,
    metric: str = HEADLINE_NPV,
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
    _check_case(case, "standard_scenarios")
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
