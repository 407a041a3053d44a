"""Metrics inside a model: NPV, IRR and MIRR as one value per scenario, written as Excel's
NPV, IRR and MIRR, and recalculated by LibreOffice to the numpy figures."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.errors import ModelError
from mutualfin.excel import verify, write_workbook

TL = mf.Timeline(2026, years=6)
FLOWS = [-1000.0, 300.0, 300.0, 300.0, 300.0, 200.0]


def model():
    flows = mf.Input("case.flows", FLOWS)
    rate = mf.Input("case.rate", 0.035, unit="fraction")
    f = mf.Line("net_flow", flows + 0)
    return mf.Model(
        TL,
        [
            mf.Line("npv_end", mf.npv_(rate, f), kind="metric"),
            mf.Line("npv_start", mf.npv_(rate, f, when="start"), kind="metric"),
            mf.Line("irr", mf.irr_(f), unit="fraction", kind="metric"),
            mf.Line("mirr", mf.mirr_(f, rate, 0.05), unit="fraction", kind="metric"),
            mf.Line("npv_of_expression", mf.npv_(rate, f * 2), kind="metric"),
            mf.Line("scaled", f * mf.ref("irr")),
        ],
    )


def test_metrics_by_hand_and_numpy_financial():
    ev = model().evaluate()
    # Excel NPV discounts the first flow one period: npv_start / 1.035
    assert ev["npv_start"] == pytest.approx(npf.npv(0.035, FLOWS), abs=1e-9)
    assert ev["npv_end"] == pytest.approx(npf.npv(0.035, FLOWS) / 1.035, abs=1e-9)
    assert ev["irr"] == pytest.approx(npf.irr(FLOWS), abs=1e-9)
    assert ev["mirr"] == pytest.approx(npf.mirr(FLOWS, 0.035, 0.05), abs=1e-9)
    assert ev["npv_of_expression"] == pytest.approx(2 * ev["npv_end"])
    np.testing.assert_allclose(ev["scaled"].to_numpy(), np.array(FLOWS) * ev["irr"])


def test_metrics_vary_by_scenario():
    ev = model().evaluate({"case.rate": [0.0, 0.035, 0.1]})
    frame = ev.metrics()
    assert frame.shape[0] == 3
    assert frame["npv_start"].iloc[0] == pytest.approx(sum(FLOWS))
    assert frame["irr"].nunique() == 1  # IRR does not depend on the discount rate


def test_metric_must_not_vary_by_period():
    with pytest.raises(ModelError, match="metric line 'bad' varies by period"):
        mf.Model(TL, [mf.Line("bad", mf.Input("x", [1.0] * 6) + 0, kind="metric")])


@pytest.mark.libreoffice
def test_metrics_recalculate_in_libreoffice(soffice, tmp_path):
    ev = model().evaluate()
    report = verify(write_workbook(ev, tmp_path / "metrics.xlsx"), ev)
    assert report.ok, str(report)


# -- payback as rows a finance officer can audit --------------------------------------------
def payback_model(flows, rate=0.035):
    tl = mf.Timeline(2026, years=len(flows))
    f = mf.Line("net_cash_flow", mf.Input("case.flows", flows))
    return mf.Model(
        tl,
        [
            mf.Line("payback", mf.payback_(f), unit="years", kind="metric"),
            mf.Line("discounted_payback", mf.payback_(f, rate=rate), unit="years", kind="metric"),
        ],
    )


def payback_from_first_outlay(flows):
    """The definition, one period at a time: cash flows evenly through each period; from the
    start of the first period whose cumulative is negative to the point it is back to 0."""
    cum, start = 0.0, None
    for t, f in enumerate(flows):
        before, cum = cum, cum + f
        if start is None and cum < 0:
            start = t
        elif start is not None and cum >= 0:
            return t + (-before) / f - start
    return float("nan")


@pytest.mark.parametrize(
    ("flows", "expected", "text"),
    [
        # cumulative -100, -70, -20, 20: back to 0 during period 3, 20/40 of the way: 3.5
        ([-100.0, 30, 50, 40, 10], 3.5, None),
        # cumulative never reaches 0 again
        ([-100.0, 10, 10, 10, 10], float("nan"), "not paid back"),
        # never below 0: no net outlay, which is not a payback of 0
        ([5.0, -1, 3, 4, 5], float("nan"), "no net outlay"),
        # first crossing counts: -100, 20 (crossed in period 1: 1 + 100/120), then dips again
        ([-100.0, 120, -50, 10, 100], 1 + 100 / 120, None),
        # the outlay starts in period 1 (cumulative 50, -50, -30, 30): back at 3 + 30/60 = 3.5,
        # 2.5 years after the outlay began
        ([50.0, -100, 20, 60, 40], 2.5, None),
    ],
)
def test_payback_from_the_first_outlay_by_hand(flows, expected, text):
    ev = payback_model(flows).evaluate()
    if np.isnan(expected):
        assert np.isnan(ev["payback"])
        assert ev.model.lines["payback"].missing_text_for(ev.values) == text
    else:
        assert ev["payback"] == pytest.approx(expected, abs=1e-12)
    # discounted at 3.5% on the NPV's convention: flow t divided by 1.035^(t + 1)
    discounted = [f / 1.035 ** (t + 1) for t, f in enumerate(flows)]
    np.testing.assert_allclose(
        ev["discounted_payback"], payback_from_first_outlay(discounted), equal_nan=True
    )


@given(st.lists(st.floats(-1e5, 1e5, allow_nan=False), min_size=2, max_size=12))
def test_payback_model_equals_its_definition(flows):
    ev = payback_model(flows).evaluate()
    np.testing.assert_allclose(
        ev["payback"], payback_from_first_outlay(flows), equal_nan=True, rtol=1e-9, atol=1e-9
    )


def test_payback_needs_a_line():
    with pytest.raises(mf.errors.InputError, match="payback_ needs a Line"):
        mf.payback_(mf.Input("x", 1.0) + 1)


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    "flows", [[-100.0, 30, 50, 40, 10], [-100.0, 10, 10, 10, 10], [5.0, -1, 3, 4, 5]]
)
def test_payback_recalculates_in_both_engines(soffice, excel_rules, tmp_path, flows):
    """Regression (issue 24): the paid-back row was MAX(previous, cumulative>=0), which read
    "never" under Excel's rules; it is MAX(previous, IF(cumulative>=0,1,0)) now."""
    ev = payback_model(flows).evaluate()
    report = verify(write_workbook(ev, tmp_path / "payback.xlsx"), ev, excel_rules=True)
    assert report.ok, str(report)
    assert len(report.engines) == 2


# -- IRR from a guess made of the flows ------------------------------------------------------
def flows_irr_model(flows):
    tl = mf.Timeline(2026, years=len(flows))
    f = mf.Line("cash_flow", mf.Input("case.flows", flows))
    return mf.Model(tl, [mf.Line("irr", mf.irr_(f, guess="flows"), unit="fraction", kind="metric")])


@pytest.mark.parametrize(
    ("flows", "root"),
    [
        # an investment: outlay first; (inflows / outflows) ^ (1/5) - 1 starts Newton's method
        ([-1000.0, 300, 300, 300, 300, 200], None),
        # shaped like borrowing: 1 received, 2,014 paid ten years later; the only root is
        # 2014 ^ (1/10) - 1 = 113.996%, the guess itself. The investment guess, (1/2014) ^ (1/10)
        # - 1 = -53%, left LibreOffice's IRR without a root (found by tests/test_fuzz.py)
        ([1.0] + [0.0] * 9 + [-2014.0], 2014**0.1 - 1),
        # receipts first then a larger payment two years on: 100 - 150 / (1 + r)^2 = 0 at
        # r = 1.5 ^ 0.5 - 1 = 22.47%
        ([100.0, 0, -150], 1.5**0.5 - 1),
    ],
)
def test_irr_flows_guess_finds_the_root_in_both_shapes(soffice, tmp_path, flows, root):
    ev = flows_irr_model(flows).evaluate()
    got = float(ev["irr"])
    if root is not None:
        assert got == pytest.approx(root, rel=1e-9)
    else:
        assert got == pytest.approx(npf.irr(np.array(flows)), rel=1e-9)
    report = verify(write_workbook(ev, tmp_path / "irr.xlsx"), ev)
    assert report.ok, str(report)


def test_irr_flows_guess_of_many_scenarios_is_each_rows_own():
    """Scenarios whose flows change sign once (one rate whatever the guess) are solved in one
    call; those that change sign more often each from their own guess. Either way every
    scenario's rate is the one its row alone gives: -100 then 60 twice is 13.07% (60 x^2 +
    60 x - 100 = 0 for x = 1 / (1 + r): x = (-60 + sqrt(27,600)) / 120 = 0.88444), and a row
    with two rates (10% and 20%, from -100, 230, -132) gives the one nearer its guess."""
    rows = np.array(
        [
            [-100.0, 60.0, 60.0],
            [-100.0, 230.0, -132.0],
            [-200.0, 120.0, 130.0],
            [-100.0, 230.0, -132.0],
            [-50.0, 0.0, 80.0],
        ]
    )
    ev = flows_irr_model(rows[0].tolist()).evaluate({"case.flows": rows})
    got = ev.array("irr").reshape(-1)
    guesses = mf.engine.nodes.Aggregate.flows_guess(rows)
    one_by_one = [
        float(mf.finance.irr(r, guess=float(g))) for r, g in zip(rows, guesses, strict=True)
    ]
    np.testing.assert_allclose(got, one_by_one, rtol=1e-12)
    assert got[0] == pytest.approx(npf.irr(rows[0]), rel=1e-9)
    assert got[0] == pytest.approx(0.130662, abs=1e-6)
    assert got[1] in (pytest.approx(0.1), pytest.approx(0.2))
