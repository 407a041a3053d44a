"""Hypothesis strategies shared by the tests: cash flows a business case could produce.

Amounts are whole pounds between -1e6 and 1e6 (so sums are exact in floating point and no
test depends on rounding), and series have 2 to 12 periods; :func:`flows_from_rates` instead
builds flows whose rates of return are chosen first.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

AMOUNT = st.integers(min_value=-1_000_000, max_value=1_000_000).map(float)
PERIODS = st.integers(min_value=2, max_value=12)
RATES = st.floats(min_value=-0.5, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def flow_rows(draw, min_rows: int = 1, max_rows: int = 6) -> np.ndarray:
    """A 2-D array of cash flows: rows are scenarios, columns periods."""
    rows = draw(st.integers(min_value=min_rows, max_value=max_rows))
    periods = draw(PERIODS)
    return draw(hnp.arrays(np.float64, (rows, periods), elements=AMOUNT))


@st.composite
def invest_then_earn(draw) -> np.ndarray:
    """One outlay followed by non-negative returns: exactly one sign change, one IRR."""
    periods = draw(PERIODS)
    outlay = draw(st.integers(min_value=1, max_value=1_000_000))
    returns = draw(
        hnp.arrays(
            np.float64,
            periods - 1,
            elements=st.integers(min_value=0, max_value=1_000_000).map(float),
        ).filter(lambda r: r.any())
    )
    return np.concatenate([[-float(outlay)], returns])


@st.composite
def flows_from_rates(draw, max_rates: int = 4) -> tuple[np.ndarray, list[float]]:
    """Flows whose NPV is zero at chosen rates, and those rates (ascending, with repeats).

    With x = 1 / (1 + r), NPV is a polynomial in x; the flows are its coefficients,
    -scale * prod_i (1 - (1 + r_i) x), times (for some draws) a quadratic with no positive
    root. Rates lie in [-0.9, 3]; after the first, each is drawn anywhere, within 15 points
    of the one before, within 1e-3 of it (a close pair), or equal to it (a repeated root).
    """
    rates: list[float] = []
    for _ in range(draw(st.integers(min_value=1, max_value=max_rates))):
        how = draw(st.sampled_from(["any", "near", "close", "same"])) if rates else "any"
        if how == "any":
            rate = draw(st.floats(min_value=-0.9, max_value=3.0))
        elif how == "near":
            rate = rates[-1] + draw(st.floats(min_value=-0.15, max_value=0.15))
        elif how == "close":
            rate = rates[-1] + draw(st.floats(min_value=-1e-3, max_value=1e-3))
        else:
            rate = rates[-1]
        rates.append(min(max(rate, -0.9), 3.0))
    coef = np.array([1.0])
    for rate in rates:
        coef = np.convolve(coef, [1.0, -(1.0 + rate)])
    if draw(st.booleans()):  # complex roots x = rho exp(+-i theta), none on the positive axis
        rho = draw(st.floats(min_value=0.3, max_value=3.0))
        theta = draw(st.floats(min_value=0.3, max_value=3.1))
        coef = np.convolve(coef, [rho * rho, -2.0 * rho * np.cos(theta), 1.0])
    scale = draw(st.sampled_from([-1000.0, -1.0, 250.0]))
    return scale * coef, sorted(rates)
