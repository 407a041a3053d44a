"""Metrics inside a model: NPV, IRR and MIRR as one value per scenario, written as Excel's
NPV, IRR and MIRR, and recalculated by LibreOffice to the numpy figures."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

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
