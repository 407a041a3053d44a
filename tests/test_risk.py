"""Risk: scenarios, tornado, two-way tables and Monte Carlo on the case's own model.

The case is the hand-worked one of ``tests/test_case.py`` (contract 100,000 indexed at 2%, two
staff, other costs 30,000, set-up 20,000, opening cash 10,000) with a per-period contract cut
(0 every year in the base) so that "cut 20% in year 3" can be written as an input override.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin import risk
from mutualfin.case import BusinessCase, CaseFinance
from mutualfin.components import Component, ComponentInputs, FractionSeries, Money, field
from mutualfin.components import Fraction as FractionInput
from mutualfin.errors import InputError
from tests.test_case import TwoStaff

SETTINGS = settings(max_examples=15, deadline=None)


class CutContract(Component):
    """The hand case's contract, with a per-period cut: income = value x 1.02^t x (1 - cut)."""

    key = "contract"
    sheet = "Income"

    class Inputs(ComponentInputs):
        annual_value: Money = field("Contract value in the first year")
        indexation: FractionInput = field("Indexation", default=0.0)
        cut: FractionSeries = field("Cut to the contract in each year", default=0.0)

    def build(self, ctx):
        v, i, cut = ctx.input("annual_value"), ctx.input("indexation"), ctx.input("cut")
        return [
            mf.Line(
                "contract_income",
                v * mf.growth(i) * (1 - cut),
                sheet=self.sheet,
                role="council_income",
            )
        ]


def uncertain(value, low, high):
    return {"value": value, "uncertainty": {"triangular": [low, value, high]}}


def point(value):
    return {"value": value, "uncertainty": {"triangular": [value, value, value]}}


def risk_case(spec=uncertain, cut_uncertainty=True):
    """Hand case with declared uncertainty on contract value, indexation, costs and cut."""
    cut = {"value": [0.0, 0.0, 0.0]}
    if cut_uncertainty:
        cut["uncertainty"] = (
            {"triangular": [0.0, 0.0, 0.0]} if spec is point else {"triangular": [-0.05, 0.0, 0.1]}
        )
    return BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            CutContract(
                annual_value=spec(100_000, 80_000, 110_000) if spec is uncertain else spec(100_000),
                indexation=spec(0.02, 0.0, 0.04) if spec is uncertain else spec(0.02),
                cut=cut,
            ),
            TwoStaff(
                other_costs=spec(30_000, 25_000, 40_000) if spec is uncertain else spec(30_000),
                setup=20_000,
            ),
            CaseFinance(opening_cash=10_000),
        ],
        name="Hand-worked case with risk",
    )


CASE = risk_case()


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------
def test_base_case_is_the_hand_worked_case():
    m = CASE.run().metrics
    # from tests/test_case.py: closing cash 4,000, 18,100, 32,712.40
    assert m["minimum_cash"] == pytest.approx(4_000)
    assert m["closing_reserves"] == pytest.approx(32_712.40)


def test_scenarios_equal_separate_runs():
    scenarios = [
        risk.Scenario("base"),
        risk.Scenario(
            "contract cut 20% in year 3",
            {"contract.cut": lambda c: c + np.array([0, 0, 0.2])},
            "The council cuts the contract by a fifth from 2028/29",
        ),
        risk.Scenario("costs +10%", {"staff.other_costs": lambda v: v * 1.1}),
        risk.Scenario("both", {"contract.cut": [0, 0, 0.2], "contract.annual_value": 95_000}),
    ]
    table = risk.run_scenarios(CASE, scenarios)
    assert list(table.index) == [s.name for s in scenarios]
    for s in scenarios:
        run = CASE.run({k: [v] for k, v in s.resolve(CASE).items()})
        alone = run.metrics
        # the IRR after financing run_scenarios adds, from the run's own net cash flow
        irr = mf.finance.irr(run["net_cash_flow"].to_numpy(), full_output=True)
        alone["irr_net_cash_flow"] = float(irr.irr) if bool(irr.converged) else None
        for metric in table.columns:
            want, got = alone[metric], table.loc[s.name, metric]
            if want is None or (isinstance(want, float) and np.isnan(want)):
                assert np.isnan(got), (s.name, metric)
            else:
                assert got == want, (s.name, metric, got, want)
    # the cut by hand: year 3 income 104,040 x 0.8 = 83,232, 20,808 less; the year-3 surplus
    # before tax of 18,040 becomes a loss of 2,768, so its tax of 3,427.60 goes: reserves fall
    # by 20,808 - 3,427.60 = 17,380.40
    cut = table.loc["contract cut 20% in year 3"]
    drop = table.loc["base", "closing_reserves"] - cut["closing_reserves"]
    assert drop == pytest.approx(17_380.40, abs=0.005)
    assert table.attrs["descriptions"]["contract cut 20% in year 3"].startswith("The council")


def test_standard_scenarios_bracket_the_base():
    scenarios = risk.standard_scenarios(CASE)
    assert [s.name for s in scenarios] == ["base", "optimistic", "pessimistic"]
    opt = scenarios[1].resolve(CASE)
    pes = scenarios[2].resolve(CASE)
    # income inputs go to their high end when optimistic, costs to their low end
    assert float(opt["contract.annual_value"]) == 110_000
    assert float(pes["contract.annual_value"]) == 80_000
    assert float(opt["staff.other_costs"]) == 25_000
    assert float(pes["staff.other_costs"]) == 40_000
    assert opt["contract.cut"].tolist() == pytest.approx([-0.05] * 3)
    npv = risk.run_scenarios(CASE, scenarios)["npv_net_cash_flow"]
    assert npv["optimistic"] > npv["base"] > npv["pessimistic"]


def test_scenario_mistakes_are_refused_with_the_fix():
    with pytest.raises(InputError, match=r"did you mean 'contract.annual_value'"):
        risk.run_scenarios(CASE, [risk.Scenario("typo", {"contract.anual_value": 1})])
    with pytest.raises(InputError, match=r"one number, not 3 values.*per-period input"):
        risk.run_scenarios(CASE, [risk.Scenario("x", {"staff.other_costs": [1, 2, 3]})])
    with pytest.raises(InputError, match=r"needs 3 values \(one per period\), got 2"):
        risk.run_scenarios(CASE, [risk.Scenario("x", {"contract.cut": [0, 0.1]})])
    with pytest.raises(InputError, match="two scenarios are named 'a'"):
        risk.run_scenarios(CASE, [risk.Scenario("a"), risk.Scenario("a")])
    with pytest.raises(InputError, match="percentage"):
        risk.run_scenarios(CASE, [risk.Scenario("x", {"contract.indexation": 2})])


# --------------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------------
@SETTINGS
@given(value=st.floats(60_000, 300_000), costs=st.floats(0, 80_000))
def test_tornado_base_is_the_deterministic_metric(value, costs):
    case = BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            CutContract(annual_value=value, indexation=0.02),
            TwoStaff(other_costs=costs, setup=20_000),
            CaseFinance(opening_cash=10_000),
        ],
    )
    m = case.run().metrics
    for metric in ("npv_net_cash_flow", "minimum_cash"):
        table = risk.tornado(case, metric)
        assert (table["base"] == m[metric]).all()
        assert (table["range"].diff().dropna() <= 0).all()  # widest first
    reserves = risk.tornado(case, "reserves", period="2028/29")
    assert reserves["base"].iloc[0] == case.run()["reserves"].iloc[-1]


def test_tornado_by_hand():
    table = risk.tornado(CASE, "closing_reserves", swing=0.1).set_index("input")
    row = table.loc["contract.annual_value"]
    assert (row["low_value"], row["high_value"]) == pytest.approx((90_000, 110_000))
    # contract 110,000: surplus before tax 4,000, 26,200, 28,444 (the 10% adds 10,000, 10,200,
    # 10,404); tax at 19%: 760, 4,978, 5,404.36; reserves 10,000 + 3,240 + 21,222 + 23,039.64
    assert row["metric_at_high"] == pytest.approx(57_501.64, abs=0.005)
    # contract 90,000: surplus -16,000, 5,800, 7,636, all sheltered by the year-1 loss: no tax;
    # reserves 10,000 - 16,000 + 5,800 + 7,636
    assert row["metric_at_low"] == pytest.approx(7_436, abs=0.005)
    assert row["base"] == pytest.approx(32_712.40, abs=0.005)
    assert table.index[0] == "contract.annual_value"  # the widest bar
    # a flag or a year count is not swung by default; inputs at 0 cannot be moved by a percentage
    assert "contract.cut" not in table.index  # per-period
    assert "finance.debtor_days" not in table.index  # 0
    ranged = risk.tornado(CASE, swing={"finance.debtor_days": (0, 60)})
    assert list(ranged["input"]) == ["finance.debtor_days"]
    by_uncertainty = risk.tornado(CASE, swing="uncertainty").set_index("input")
    assert by_uncertainty.loc["staff.other_costs", "low_value"] == 25_000
    assert set(by_uncertainty.index) == {
        "contract.annual_value",
        "contract.indexation",
        "staff.other_costs",
    }


def test_tornado_mistakes():
    with pytest.raises(InputError, match="did you mean 'npv_net_cash_flow'"):
        risk.tornado(CASE, "npv_net_cashflow")
    with pytest.raises(InputError, match="say which with period="):
        risk.tornado(CASE, "reserves")
    with pytest.raises(InputError, match="is 0, which a percentage swing cannot move"):
        risk.tornado(CASE, inputs=["finance.debtor_days"])
    with pytest.raises(InputError, match="value per period"):
        risk.tornado(CASE, inputs=["contract.cut"])
    with pytest.raises(InputError, match="did you mean 'staff.other_costs'"):
        risk.tornado(CASE, inputs=["staff.other_cost"])


def test_tornado_chart_has_two_bars_per_input():
    table = risk.tornado(CASE)
    fig = risk.tornado_chart(table)
    try:
        (ax,) = fig.axes
        assert len(ax.patches) == 2 * len(table)
        assert ax.get_title() == "Sensitivity of npv_before_financing"
        labels = {t.get_position()[1]: t.get_text() for t in ax.get_yticklabels()}
        assert labels[max(labels)] == table["label"].iloc[0]  # widest at the top
        # each bar starts at the base and ends at the metric with the input swung
        bar = ax.patches[0]
        assert bar.get_x() == pytest.approx(table["base"].iloc[0])
        assert bar.get_x() + bar.get_width() == pytest.approx(table["metric_at_low"].iloc[0])
    finally:
        fig.clear()
    top = risk.tornado_chart(table, top=2)
    assert len(top.axes[0].patches) == 4
    top.clear()


def test_two_way_cells_equal_runs():
    grid = risk.two_way(
        CASE, "contract.annual_value", [90_000, 100_000], "staff.other_costs", [25_000, 35_000]
    )
    assert grid.shape == (2, 2)
    assert grid.index.name == "contract.annual_value"
    for a in grid.index:
        for b in grid.columns:
            alone = CASE.run({"contract.annual_value": [a], "staff.other_costs": [b]})
            assert grid.loc[a, b] == alone.metrics["npv_net_cash_flow"]
    assert grid.loc[100_000, 35_000] < grid.loc[100_000, 25_000]
    with pytest.raises(InputError, match="two different inputs"):
        risk.two_way(CASE, "staff.setup", [1], "staff.setup", [2])


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------
def test_collapsed_uncertainty_equals_the_deterministic_run_exactly():
    case = risk_case(point)
    det = case.run()
    sim = risk.simulate(case, 257, seed=3, chunk_size=100)
    for metric in sim.metrics.columns:
        want = det.evaluation.array(metric)[0]
        got = sim.metrics[metric].to_numpy()
        assert np.array_equal(got, np.full(257, want), equal_nan=True), metric
    for line in ("closing_cash", "reserves"):
        assert np.array_equal(sim.lines[line], np.tile(det.evaluation.array(line), (257, 1)))
    p = sim.percentiles()
    assert (p["p5"] == p["p95"]).all()
    assert np.isnan(sim.drivers()["spearman"]).all()  # nothing varied


def test_same_seed_same_numbers_whatever_the_chunks():
    a = risk.simulate(CASE, 1_000, seed=42)
    b = risk.simulate(CASE, 1_000, seed=42, chunk_size=64)
    c = risk.simulate(CASE, 1_000, seed=43)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert not a.metrics.equals(c.metrics)
    unseeded = risk.simulate(CASE, 50)  # a seed is drawn, recorded, and repeats the run
    again = risk.simulate(CASE, 50, seed=unseeded.seed)
    pd.testing.assert_frame_equal(unseeded.metrics, again.metrics)
    with pytest.raises(InputError, match="seed -1 must be a whole number"):
        risk.simulate(CASE, 10, seed=-1)
    corr = {("contract.annual_value", "staff.other_costs"): 0.5}
    d = risk.simulate(CASE, 500, seed=7, correlation=corr)
    e = risk.simulate(CASE, 500, seed=7, correlation=corr, chunk_size=33)
    pd.testing.assert_frame_equal(d.metrics, e.metrics)


def test_draws_follow_the_declared_distributions():
    sim = risk.simulate(CASE, 20_000, seed=1)
    value = sim.draws["contract.annual_value"]
    assert value.min() >= 80_000 and value.max() <= 110_000
    # triangular mean (80,000 + 100,000 + 110,000) / 3 = 96,667
    assert value.mean() == pytest.approx(96_667, rel=0.005)
    # the cut is a per-period input: drawn once per scenario, shifted onto every year
    assert sim.draws["contract.cut"].min() >= -0.05


def test_monte_carlo_equals_runs_of_the_drawn_values():
    sim = risk.simulate(CASE, 5, seed=11)
    for s in range(5):
        d = sim.draws.iloc[s]
        overrides = {
            "contract.annual_value": [d["contract.annual_value"]],
            "contract.indexation": [d["contract.indexation"]],
            "staff.other_costs": [d["staff.other_costs"]],
            "contract.cut": [[d["contract.cut"]] * 3],
        }
        alone = CASE.run(overrides).evaluation
        assert sim.metrics.iloc[s]["npv_net_cash_flow"] == alone.array("npv_net_cash_flow")[0]
        assert np.array_equal(sim.lines["closing_cash"][s], alone.array("closing_cash")[0])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300))
def test_percentiles_are_ordered(seed, n):
    sim = risk.simulate(CASE, n, seed=seed)
    p = sim.percentiles()[[f"p{q}" for q in risk.PERCENTILES]].to_numpy()
    assert (p[:, 1:] >= p[:, :-1]).all()  # payback "never" is inf, so compare, not subtract
    for line in ("closing_cash", "reserves"):
        lp = sim.line_percentiles(line).to_numpy()
        assert (lp[1:] >= lp[:-1]).all()


@SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    floors=st.lists(st.floats(-100_000, 100_000), min_size=2, max_size=5),
)
def test_shortfall_is_a_probability_rising_with_the_floor(seed, floors):
    sim = risk.simulate(CASE, 200, seed=seed)
    previous = None
    for floor in sorted(floors):
        s = sim.shortfall(floor)
        assert ((s >= 0) & (s <= 1)).all()
        assert s["any period"] >= s.drop("any period").max()
        if previous is not None:
            assert (s.to_numpy() >= previous.to_numpy()).all()
        previous = s
    assert sim.probability_below(-1e9) == 0.0
    assert sim.probability_below(1e9) == 1.0


def test_shortfall_by_hand():
    sim = risk.simulate(CASE, 10, seed=5, floor=5_000)
    cash = sim.lines["closing_cash"]
    assert sim.shortfall()["2026/27"] == np.mean(cash[:, 0] < 5_000 - 0.005)
    assert sim.probability_below() == np.mean((cash < 5_000 - 0.005).any(axis=1))


def test_cash_held_at_the_floor_to_within_rounding_is_not_below_it():
    """A facility drawn to hold cash at the floor leaves it a few 1e-12 below (seen in the
    learning-disability case: four scenarios of 2,000 at -7e-12 counted as "below £0"); a
    shortfall is half a penny or more."""
    sim = risk.simulate(CASE, 4, seed=5, floor=0.0)
    cash = np.full_like(sim.lines["closing_cash"], 1_000.0)
    cash[0, 1] = -7.3e-12  # rounding: not below
    cash[1, 2] = -0.004  # under half a penny: not below
    cash[2, 0] = -0.006  # below
    sim.lines["closing_cash"] = cash
    assert sim.probability_below() == 0.25
    assert sim.shortfall().iloc[:3].tolist() == [0.25, 0.0, 0.0]


def test_payback_never_reached_counts_as_never():
    sim = risk.simulate(CASE, 2_000, seed=2)
    p = sim.percentiles().loc["payback_years"]
    never = sim.metrics["payback_years"].isna().mean()
    assert 0 < never < 0.5 and p["share_never"] == never
    assert p["p95"] == np.inf and np.isfinite(p["p50"])


def test_iman_conover_imposes_rank_correlation_and_keeps_the_draws():
    rng = np.random.default_rng(0)
    draws = np.column_stack(
        [rng.normal(size=5_000), rng.exponential(size=5_000), rng.random(5_000)]
    )
    target = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]])
    out = risk.iman_conover(draws, target, np.random.default_rng(1))
    assert np.array_equal(np.sort(out, axis=0), np.sort(draws, axis=0))  # marginals unchanged
    ranks = pd.DataFrame(out).rank().corr().to_numpy()
    assert ranks == pytest.approx(target, abs=0.03)


def test_correlated_simulation_and_drivers():
    corr = pd.DataFrame(
        [[1.0, 0.8], [0.8, 1.0]],
        index=["contract.annual_value", "contract.indexation"],
        columns=["contract.annual_value", "contract.indexation"],
    )
    sim = risk.simulate(CASE, 4_000, seed=9, correlation=corr)
    rank = sim.draws[["contract.annual_value", "contract.indexation"]].rank().corr()
    assert rank.iloc[0, 1] == pytest.approx(0.8, abs=0.03)
    drivers = sim.drivers("npv_net_cash_flow")
    assert drivers["input"].iloc[0] == "contract.annual_value"
    assert drivers["spearman"].iloc[0] > 0.5
    costs = drivers.set_index("input").loc["staff.other_costs", "spearman"]
    assert costs < 0  # higher costs, lower NPV
    assert drivers["share"].sum() == pytest.approx(1)


def test_progress_is_reported_per_chunk():
    calls = []
    risk.simulate(CASE, 250, seed=1, chunk_size=100, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_progress_bar_on_stderr(capsys):
    """tqdm's bar: one redraw per chunk of 20 (20, 40, 50 of 50), ending on its own line."""
    risk.simulate(CASE, 50, seed=1, chunk_size=20, progress=True)
    err = capsys.readouterr().err
    assert err.lstrip("\r").startswith("mutualfin simulate")
    for done in ("20/50", "40/50", "50/50 "):
        assert done in err
    assert "100%" in err and err.endswith("\n")
    risk.simulate(CASE, 50, seed=1, chunk_size=20)  # not a terminal: quiet
    assert capsys.readouterr().err == ""


def test_progress_must_be_a_flag_or_a_function():
    with pytest.raises(InputError, match="progress must be True, False, None or a function"):
        risk.simulate(CASE, 5, seed=1, progress="yes")


def test_fan_chart_has_bands_median_and_floor_per_line():
    sim = risk.simulate(CASE, 500, seed=4)
    fig = sim.fan_chart()
    try:
        assert [ax.get_title() for ax in fig.axes] == [
            "Closing cash",
            "Reserves (opening cash plus surplus after tax to date, less profit paid out)",
        ]
        for ax in fig.axes:
            assert len(ax.collections) == 3  # 5-95, 10-90, 25-75 bands
            assert len(ax.lines) == 2  # median and floor
            median = ax.lines[0].get_ydata()
            assert median == pytest.approx(
                sim.line_percentiles("closing_cash" if ax is fig.axes[0] else "reserves")
                .loc["p50"]
                .to_numpy()
            )
        assert fig.get_suptitle().startswith("Monte Carlo, 500 scenarios")
    finally:
        fig.clear()


def test_tables_for_the_risk_sheet_are_labelled_as_computed():
    sim = risk.simulate(
        CASE, 300, seed=8, correlation={("contract.annual_value", "staff.other_costs"): 0.3}
    )
    tables = sim.tables()
    assert set(tables) == {
        "summary",
        "inputs",
        "metric_percentiles",
        "closing_cash_percentiles",
        "reserves_percentiles",
        "shortfall",
        "drivers",
        "correlation",
    }
    for key, frame in tables.items():
        assert isinstance(frame, pd.DataFrame), key
        assert "computed by mutualfin" in frame.attrs["note"], key
        assert "not live formulas" in frame.attrs["note"], key
        assert frame.attrs["title"], key
    assert tables["summary"].loc["scenarios", "value"] == 300
    assert tables["summary"].loc["seed", "value"] == "8"


def test_uncertainty_ranges():
    assert risk.uncertainty_range(mf.Uniform(1, 3)) == (1, 3)
    assert risk.uncertainty_range(mf.Uniform(0, 10), quantiles=(0.1, 0.9)) == pytest.approx((1, 9))
    # triangular (0, 0, 1): F(x) = 1 - (1 - x)^2, so the 75th percentile is 1 - sqrt(0.25) = 0.5
    assert risk.uncertainty_range(mf.Triangular(0, 0, 1), (0.75, 0.75))[0] == pytest.approx(0.5)
    # a symmetric PERT has its median at the mode
    low, high = risk.uncertainty_range(mf.PERT(0, 5, 10), (0.5, 0.9))
    assert low == pytest.approx(5, abs=1e-4) and 5 < high < 10
    assert risk.uncertainty_range(mf.Normal(0, 1), (0.5, 0.975))[1] == pytest.approx(
        1.95996, abs=1e-4
    )


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_distribution_with_low_above_high_is_refused():
    with pytest.raises(InputError, match="Triangular: need low <= mode <= high"):
        risk_case(lambda v, *_: {"value": v, "uncertainty": {"triangular": [v * 2, v, v / 2]}})


@pytest.mark.parametrize(
    ("correlation", "message"),
    [
        (
            {
                ("contract.annual_value", "staff.other_costs"): 0.9,
                ("staff.other_costs", "contract.indexation"): 0.9,
                ("contract.annual_value", "contract.indexation"): -0.9,
            },
            r"not positive definite .*smallest eigenvalue",
        ),
        (
            pd.DataFrame(
                [[1.0, 0.5], [0.4, 1.0]],
                index=["contract.annual_value", "staff.other_costs"],
                columns=["contract.annual_value", "staff.other_costs"],
            ),
            "not symmetric",
        ),
        (
            pd.DataFrame(
                [[2.0, 0.5], [0.5, 1.0]],
                index=["contract.annual_value", "staff.other_costs"],
                columns=["contract.annual_value", "staff.other_costs"],
            ),
            "diagonal must be 1; contract.annual_value has 2.0",
        ),
        (
            {("contract.annual_value", "staff.setup"): 0.5},
            "'staff.setup' declares no uncertainty",
        ),
        (
            {("contract.annual_valu", "staff.other_costs"): 0.5},
            "did you mean 'contract.annual_value'",
        ),
        ([[1, 0], [0, 1]], "must be a DataFrame"),
        (
            {
                ("contract.annual_value", "staff.other_costs"): 0.5,
                ("staff.other_costs", "contract.annual_value"): 0.2,
            },
            "given twice, as 0.5 and 0.2",
        ),
    ],
)
def test_bad_correlation_is_refused(correlation, message):
    with pytest.raises(InputError, match=message):
        risk.simulate(CASE, 10, seed=1, correlation=correlation)


@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_n_below_one_is_refused(n):
    with pytest.raises(InputError, match="at least 1"):
        risk.simulate(CASE, n)


def test_simulate_without_uncertainty_says_how_to_add_it():
    from tests.test_case import hand_case

    with pytest.raises(InputError, match="no input of the case declares an uncertainty"):
        risk.simulate(hand_case(), 10)
    with pytest.raises(InputError, match="not a line by period"):
        risk.simulate(CASE, 10, lines=["npv_net_cash_flow"])
    sim = risk.simulate(CASE, 10, seed=1)
    with pytest.raises(InputError, match="was not kept"):
        sim.line_percentiles("net_cash_flow")
    with pytest.raises(InputError, match="did you mean 'minimum_cash'"):
        sim.drivers("minimum_cahs")


# --------------------------------------------------------------------------------------------
# the module split (issue 14): the facade keeps every name the single module had
# --------------------------------------------------------------------------------------------
# the public names of mutualfin/risk.py at 5f7c799, before the split, written out
OLD_PUBLIC = [
    "COMPUTED_BY",
    "PERCENTILES",
    "Scenario",
    "SimulationResult",
    "TORNADO_UNITS",
    "iman_conover",
    "run_scenarios",
    "simulate",
    "standard_scenarios",
    "tornado",
    "tornado_chart",
    "two_way",
    "uncertainty_range",
]


def test_facade_keeps_every_public_name_of_the_old_module():
    missing = [name for name in OLD_PUBLIC if not hasattr(risk, name)]
    assert missing == []
    assert set(OLD_PUBLIC) - {"COMPUTED_BY", "TORNADO_UNITS"} <= set(risk.__all__)
    from mutualfin import plots

    assert risk.tornado_chart is plots.tornado_chart
    assert risk.simulate is mf.analysis.montecarlo.simulate
    assert risk.tornado is mf.analysis.sensitivity.tornado
    assert risk.Scenario is mf.analysis.scenarios.Scenario


def test_analysis_layer_draws_no_figure():
    """Importing every analysis module loads no matplotlib (charts are in mutualfin.plots)."""
    import subprocess
    import sys

    code = (
        "import sys, mutualfin.analysis.risk, mutualfin.analysis.appraisal, mutualfin.risk; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
