"""Hypothesis strategies shared by the tests: cash flows a business case could produce.

Amounts are whole pounds between -1e6 and 1e6 (so sums are exact in floating point and no
test depends on rounding), and series have 2 to 12 periods.
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
