"""Charts render and show what they say: titles, bars, lines and series lengths, £ labels and
financial-year periods. Figures are plain matplotlib Figures (no pyplot), closed by dropping
them; each is also saved as PNG to prove it can be."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.patches import Rectangle

import mutualfin as mf
from mutualfin import plots, risk
from mutualfin.errors import InputError

CASE = Path(__file__).resolve().parents[1] / "models" / "schools_support.toml"
LABELS = ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]


@pytest.fixture(scope="module")
def case():
    return mf.BusinessCase.from_file(CASE)


@pytest.fixture(scope="module")
def results(case):
    return case.run()


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _ticks(ax, axis="x"):
    get = ax.get_xticklabels if axis == "x" else ax.get_yticklabels
    ax.figure.canvas.draw()  # tick labels are formatted on draw
    return [t.get_text() for t in get()]


def _saves(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gbp_labels_have_pounds_and_thousands_separators():
    assert plots.gbp(4_200_000) == "£4,200,000"
    assert plots.gbp(-91_827.4) == "-£91,827"
    assert plots.gbp(0.2) == "£0"


def test_income_vs_costs(results, tmp_path):
    fig = plots.income_vs_costs(results)
    (ax,) = fig.axes
    assert ax.get_title().startswith("Income and costs by year")
    assert len(_bars(ax)) == 2 * 5  # income and costs for each year
    (surplus,) = ax.get_lines()[:1]
    # by financial year (the case plans its first two years by month)
    np.testing.assert_allclose(surplus.get_ydata(), results.annual("surplus_before_tax"))
    incomes = [b.get_height() for b in _bars(ax)[:5]]
    np.testing.assert_allclose(incomes, results.annual("total_income"))
    assert _ticks(ax) == LABELS
    assert all(t.startswith(("£", "-£", "−£")) for t in _ticks(ax, "y") if t)
    _saves(fig, tmp_path, "income")


def test_cash_and_reserves_against_the_target(results, tmp_path):
    fig = plots.cash_and_reserves(results, target_months=2)
    (ax,) = fig.axes
    assert ax.get_title().startswith("Cash and reserves")
    cash, reserves, target = ax.get_lines()[:3]
    np.testing.assert_allclose(cash.get_ydata(), results.annual("closing_cash"))
    np.testing.assert_allclose(reserves.get_ydata(), results.annual("reserves"))
    np.testing.assert_allclose(target.get_ydata(), 2 * results.annual("monthly_operating_cost"))
    assert len(cash.get_xdata()) == 5
    assert "2 months" in target.get_label()
    assert _ticks(ax) == LABELS
    _saves(fig, tmp_path, "cash")
    # default target: the case's own
    fig = plots.cash_and_reserves(results)
    assert "2 months" in fig.axes[0].get_lines()[2].get_label()


def test_cash_and_reserves_refuses_a_silly_target(results):
    with pytest.raises(InputError, match="months of operating cost"):
        plots.cash_and_reserves(results, target_months=300)


def test_savings_waterfall(tmp_path):
    changes = {"Delayering": -150_000, "Support services bought back": 263_000, "VAT": 90_000}
    fig = plots.savings_waterfall(4_600_000, changes, period="2026/27")
    (ax,) = fig.axes
    assert ax.get_title() == "From in-house cost to mutual cost, 2026/27"
    bars = _bars(ax)
    assert len(bars) == len(changes) + 2
    assert bars[0].get_height() == 4_600_000
    assert bars[-1].get_height() == pytest.approx(4_600_000 - 150_000 + 263_000 + 90_000)
    # the saving hangs down from the in-house level, the extra cost climbs from there
    assert bars[1].get_y() + bars[1].get_height() == pytest.approx(4_600_000)
    assert bars[2].get_y() == pytest.approx(4_450_000)
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Mutual cost"
    texts = [t.get_text() for t in ax.texts]
    assert "-£150,000" in texts and "+£263,000" in texts and "£4,803,000" in texts
    _saves(fig, tmp_path, "waterfall")


def test_savings_waterfall_refuses_bad_input():
    with pytest.raises(InputError, match="negative = saving"):
        plots.savings_waterfall(1_000, {"x": "a lot"})
    with pytest.raises(InputError, match="0 or more"):
        plots.savings_waterfall(-5, {})


def test_tornado(case, tmp_path):
    table = risk.tornado(case, inputs=["contract.annual_value", "lgps.primary_rate"])
    fig = plots.tornado(table)
    (ax,) = fig.axes
    assert ax.get_title() == "Sensitivity of NPV before financing (mutual's rate)"
    assert len(_bars(ax)) == 2 * 2
    assert any(t.startswith("£") for t in _ticks(ax))
    _saves(fig, tmp_path, "tornado")


def test_fan_chart(case, tmp_path):
    sim = risk.simulate(case, 200, seed=7, progress=False)
    fig = plots.fan_chart(sim)
    assert len(fig.axes) == 2  # closing cash and reserves
    assert "200 scenarios" in fig._suptitle.get_text()
    for ax in fig.axes:
        assert len(ax.collections) == 3  # three percentile bands
        # by period: 24 months, then 3 years; every third label shown, and the last
        assert len(ax.get_lines()[0].get_xdata()) == case.timeline.n == 27
        assert _ticks(ax)[:2] == ["Apr 2026", "Jul 2026"] and _ticks(ax)[-1] == "2030/31"
        assert any(t.startswith(("£", "-£", "−£")) for t in _ticks(ax, "y"))
    _saves(fig, tmp_path, "fan")


def test_cash_by_month_marks_the_trough(results, tmp_path):
    fig = plots.cash_by_month(results)
    (ax,) = fig.axes
    cash = ax.get_lines()[0]
    np.testing.assert_allclose(cash.get_ydata(), results["closing_cash"])
    low = results.metrics["minimum_cash_period"]
    assert any(low in t.get_text() for t in ax.texts)
    assert ax.get_title().startswith("Cash by month")
    _saves(fig, tmp_path, "cash_by_month")


def test_appraisal_bars(tmp_path):
    appraisal = mf.appraise(
        [
            mf.Option("Retain in-house", {"in-house service": 1_000_000}),
            mf.Option(
                "Spin out",
                {"contract": 900_000, "stranded overheads": 50_000},
                optimism_bias=0.41,
                mitigation=0.9,
                mitigation_reason="fixed-price contract",
            ),
        ],
        first_year="2026/27",
        years=5,
    )
    fig = plots.appraisal_bars(appraisal)
    (ax,) = fig.axes
    assert "preferred: Spin out" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(appraisal.table.index)
    # in-house service, contract, stranded overheads, optimism bias: one bar each per option
    assert len(_bars(ax)) == 4 * 2
    npc = [t.get_text() for t in ax.texts]
    assert npc == [f"NPC {plots.gbp(v)}" for v in appraisal.table["net present cost"]]
    _saves(fig, tmp_path, "appraisal")


def test_charts_refuse_the_wrong_object():
    with pytest.raises(InputError, match="Results"):
        plots.income_vs_costs("not results")
    with pytest.raises(InputError, match="appraise"):
        plots.appraisal_bars(None)
    with pytest.raises(InputError, match="simulate"):
        plots.fan_chart(None)


def test_charts_show_themselves_in_jupyter_and_save_as_png_svg_pdf(results, tmp_path):
    """A chart made without pyplot still displays in Jupyter: IPython's PNG formatter finds
    its _repr_png_ (no %matplotlib inline), and savefig writes each format by its suffix."""
    from IPython.core.formatters import PNGFormatter

    fig = plots.cash_and_reserves(results)
    assert isinstance(fig, plots.Chart)
    png = PNGFormatter()(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    for suffix, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")):
        path = tmp_path / f"cash{suffix}"
        fig.savefig(path)
        assert path.read_bytes().startswith(magic), suffix
