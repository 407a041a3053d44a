"""Hypothesis strategies for random models of the expression engine."""

from __future__ import annotations

from hypothesis import strategies as st

import mutualfin as mf
from mutualfin import Input, Line, Model, Timeline


def leaves(inputs):
    scalar, period = inputs
    return st.one_of(
        st.sampled_from([scalar, period]),
        st.floats(min_value=0.5, max_value=100, allow_nan=False).map(lambda v: round(v, 3)),
        st.just(mf.param("ni.employer_rate")),
        st.just(mf.first_period()),
        st.just(mf.within("2027-04-01", "2028-03-31")),
    )


def expressions(inputs):
    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] - ab[1]),
            st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
            st.tuples(children, children).map(lambda ab: mf.max_(ab[0], ab[1])),
            st.tuples(children, children).map(lambda ab: mf.min_(ab[0], ab[1])),
            st.tuples(children, children, children).map(
                lambda t: mf.where(t[0] > t[1], t[1], t[2])
            ),
            # comparisons used as values: a flag times a figure, a flag inside MAX
            st.tuples(children, children, children).map(lambda t: (t[0] < t[1]) * t[2]),
            st.tuples(children, children).map(lambda ab: mf.max_(ab[0], ab[1] >= 0)),
            children.map(lambda a: -a),
            children.map(mf.cumsum),
        )

    return st.recursive(leaves(inputs), extend, max_leaves=6)


def typed(low: float, high: float):
    """A number as a finance officer types it: at most 6 decimal places. (The formulas package,
    the second verification engine, reads a number cell rounded to 15 decimal places, so it
    would read an input such as -4e-77 as 0 where Excel and LibreOffice keep it.)"""
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 6))


@st.composite
def random_models(draw, years=None):
    """A model of 2-4 lines over random expressions, with a balance line using previous()."""
    n = draw(st.integers(2, 6)) if years is None else years
    tl = Timeline(2025, years=n)
    scalar = Input("a.scalar", draw(typed(-50, 50)))
    period = Input("a.series", draw(st.lists(typed(-50, 50), min_size=n, max_size=n)))
    exprs = draw(st.lists(expressions((scalar, period)), min_size=1, max_size=3))
    lines = [Line(f"line_{k}", e) for k, e in enumerate(exprs)]
    rate = Input("a.rate", draw(typed(0, 0.2)), unit="fraction")
    growing = Line("grown", lines[0] * mf.growth(rate) + mf.growth(period / 1000))
    balance = Line(
        "balance",
        mf.previous("balance") + growing - mf.ref("line_0"),
        kind="balance",
        opening=scalar,
    )
    return Model(tl, [*lines, growing, balance])
