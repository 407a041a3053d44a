"""The expression engine: evaluation by hand-worked figures, scenarios, and bad models."""

from __future__ import annotations

import numpy as np
import pytest

import mutualfin as mf
from mutualfin import Entities, Input, Line, Model, Timeline
from mutualfin.errors import (
    CycleError,
    EvaluationError,
    InputError,
    ModelError,
    TimelineError,
    UnitError,
    UnknownReferenceError,
)

TL = Timeline(2026, years=4)


def test_growth_scalar_and_series_by_hand():
    fee = Input("contract.annual_value", 1000.0)
    idx = Input("contract.indexation", 0.10, unit="fraction")
    award = Input("staff.pay_award", [0.5, 0.10, 0.0, 0.20], unit="fraction")
    a = Line("a", fee * mf.growth(idx))
    b = Line("b", fee * mf.growth(award))
    ev = Model(TL, [a, b]).evaluate()
    # 1000, 1100, 1210, 1331
    assert ev["a"].tolist() == pytest.approx([1000, 1100, 1210, 1331])
    # the first year's award (0.5) is the base year and not applied: 1000, 1100, 1100, 1320
    assert ev["b"].tolist() == pytest.approx([1000, 1100, 1100, 1320])


def test_previous_with_opening_and_cumsum_by_hand():
    flow = Input("flow", [10.0, -5.0, 20.0, 1.0])
    opening = Input("cash.opening", 100.0)
    cash = Line("cash", mf.previous("cash") + flow, kind="balance", opening=opening)
    running = Line("running", mf.cumsum(flow))
    ev = Model(TL, [cash, running]).evaluate()
    assert ev["cash"].tolist() == [110, 105, 125, 126]
    assert ev["running"].tolist() == [10, 5, 25, 26]


def test_recursive_loop_through_previous_is_stepped_by_period():
    # interest on last year's cash, cash including interest: a loop only through previous()
    rate = Input("loan.rate", 0.10, unit="fraction")
    opening = Input("cash.opening", 1000.0)
    interest = Line("interest", mf.previous("cash") * rate)
    cash = Line("cash", mf.previous("cash") + interest, kind="balance", opening=opening)
    ev = Model(TL, [interest, cash]).evaluate()
    assert ev["cash"].tolist() == pytest.approx([1100, 1210, 1331, 1464.1])
    assert ev["interest"].tolist() == pytest.approx([100, 110, 121, 133.1])


def test_loss_carried_forward_pattern():
    # losses brought forward offset later profits: a max() inside a previous() loop
    profit = Input("profit", [-100.0, 30.0, 50.0, 40.0])
    losses = Line(
        "losses_cf", mf.max_(mf.previous("losses_cf") - profit, 0), kind="balance", opening=0
    )
    taxable = Line("taxable", mf.max_(profit - mf.previous("losses_cf"), 0))
    ev = Model(TL, [losses, taxable]).evaluate()
    assert ev["losses_cf"].tolist() == [100, 70, 20, 0]
    assert ev["taxable"].tolist() == [0, 0, 0, 20]


def test_where_min_max_clip_and_comparisons():
    x = Input("x", [-2.0, 0.5, 3.0, 10.0])
    lines = [
        Line("clipped", mf.clip(x, 0, 5)),
        Line("neg_flag", x < 0, unit="flag"),
        Line("chosen", mf.where(x >= 3, x * 2, 0)),
        Line("smallest", mf.min_(x, 1, 2)),
        Line("absolute", mf.abs_(x)),
        Line("power_neg", (-x) ** 2),
    ]
    ev = Model(TL, lines).evaluate()
    assert ev["clipped"].tolist() == [0, 0.5, 3, 5]
    assert ev["neg_flag"].tolist() == [1, 0, 0, 0]
    assert ev["chosen"].tolist() == [0, 0, 6, 20]
    assert ev["smallest"].tolist() == [-2, 0.5, 1, 1]
    assert ev["absolute"].tolist() == [2, 0.5, 3, 10]
    assert ev["power_neg"].tolist() == [4, 0.25, 9, 100]


def test_entities_and_totals():
    staff = Entities("employee", ["E1", "E2", "E3"])
    salary = Input("roster.salary", [20_000.0, 30_000.0, 50_000.0], per=staff)
    award = Input("pay.award", 0.02, unit="fraction")
    pay = Line("pay", salary * mf.growth(award))
    over = Line("pay_over_25k", mf.max_(pay - 25_000, 0))
    total = Line("paybill", mf.total(pay))
    m = Model(TL, [pay, over, total])
    ev = m.evaluate()
    assert ev["paybill"].iloc[0] == 100_000
    assert ev["paybill"].iloc[1] == pytest.approx(102_000)
    frame = ev["pay_over_25k"]
    assert frame.loc["E1"].tolist() == [0, 0, 0, 0]
    assert frame.loc["E2"].iloc[0] == 5_000


def test_param_weighted_over_2022_rate_change():
    # employer NI 15.05% from 6 April to 5 November 2022 (214 days), 13.8% otherwise.
    # 2022/23 runs 1 April 2022 to 31 March 2023 (365 days): 5 days at 13.8% before 6 April,
    # 214 days at 15.05%, 146 days at 13.8%: (151 * 0.138 + 214 * 0.1505) / 365
    tl = Timeline(2022, years=1)
    rate = Line("rate", mf.param("ni.employer_rate"), unit="fraction", kind="rate")
    ev = Model(tl, [rate]).evaluate()
    assert ev["rate"].iloc[0] == pytest.approx((151 * 0.138 + 214 * 0.1505) / 365, abs=1e-15)
    start = Line("rate_start", mf.param("ni.employer_rate", how="start"), unit="fraction")
    assert Model(tl, [start]).evaluate()["rate_start"].iloc[0] == 0.138


def test_scenarios_equal_separate_runs():
    fee = Input("fee", 1000.0)
    idx = Input("idx", 0.02, unit="fraction")
    cash = Line("cash", mf.previous("cash") + fee * mf.growth(idx), kind="balance")
    m = Model(TL, [cash])
    draws = np.array([0.0, 0.01, 0.05])
    many = m.evaluate({"idx": draws}).array("cash")
    for k, d in enumerate(draws):
        one = m.evaluate({"idx": [d]}).array("cash")[0]
        np.testing.assert_array_equal(many[k], one)


def test_hundred_thousand_scenarios_in_one_call():
    fee = Input("fee", 1000.0)
    idx = Input("idx", 0.02, unit="fraction")
    cash = Line("cash", mf.previous("cash") + fee * mf.growth(idx), kind="balance")
    draws = np.random.default_rng(7).uniform(0, 0.05, 100_000)
    ev = Model(TL, [cash]).evaluate({"idx": draws})
    out = ev.array("cash")
    assert out.shape == (100_000, 4)
    k = 12345
    r = draws[k]
    assert out[k, -1] == pytest.approx(1000 * (1 + (1 + r) + (1 + r) ** 2 + (1 + r) ** 3))


def test_frame_is_indexed_by_period_labels():
    fee = Input("fee", 5.0)
    ev = Model(TL, [Line("x", fee + 0)]).evaluate()
    frame = ev.to_frame()
    assert list(frame.index) == ["2026/27", "2027/28", "2028/29", "2029/30"]
    assert "<table" in ev._repr_html_()


# -- bad models: each error names the thing and the fix -----------------------------------
def test_cycle_is_named():
    a = Line("a", mf.ref("b") + 1)
    b = Line("b", mf.ref("c") * 2)
    c = Line("c", a - 1)
    with pytest.raises(CycleError, match=r"a -> b -> c -> a.*previous\(") as info:
        Model(TL, [a, b, c])
    assert info.value.cycle == ["a", "b", "c"]


def test_self_reference_without_previous_is_a_cycle():
    with pytest.raises(CycleError, match="x -> x"):
        Model(TL, [Line("x", mf.ref("x") + 1)])


def test_unknown_reference_suggests_a_name():
    surplus = Line("surplus", Input("income", 1.0) - 0)
    with pytest.raises(UnknownReferenceError, match="'surplas'.*did you mean 'surplus'"):
        Model(TL, [surplus, Line("cash", mf.ref("surplas"))])


def test_mismatched_timeline_names_input_and_fix():
    award = Input("pay.award", [0.01, 0.02, 0.03], unit="fraction")
    m = Model(TL, [Line("p", 100 * mf.growth(award))])
    with pytest.raises(TimelineError, match=r"'pay.award' has 3 values but the timeline has 4"):
        m.evaluate()


def test_percentage_typed_as_whole_number_is_refused():
    with pytest.raises(UnitError, match=r"input 'contract.indexation': value 3 .*Give 0.03"):
        Input("contract.indexation", 3, unit="fraction")
    # a ratio may exceed 1
    assert Input("bias.uplift", 2.0, unit="ratio").value == 2.0


def test_override_typed_as_percentage_is_refused():
    idx = Input("idx", 0.02, unit="fraction")
    m = Model(TL, [Line("x", 100 * mf.growth(idx))])
    with pytest.raises(UnitError, match="override value 2.5"):
        m.evaluate({"idx": [0.01, 2.5]})


def test_overrides_must_agree_on_scenarios():
    a, b = Input("a", 1.0), Input("b", 2.0)
    m = Model(TL, [Line("x", a + b)])
    with pytest.raises(InputError, match="disagree on the number of scenarios"):
        m.evaluate({"a": [1, 2, 3], "b": [1, 2]})
    with pytest.raises(UnknownReferenceError, match="'c' is not an input"):
        m.evaluate({"c": [1]})


def test_division_by_zero_names_line_and_period():
    heads = Input("staff.headcount", [10.0, 0.0, 5.0, 5.0], unit="count")
    m = Model(TL, [Line("pay_per_head", 1000 / heads)])
    with pytest.raises(EvaluationError, match=r"'pay_per_head'.*2027/28.*division by zero"):
        m.evaluate()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Input("Contract Value", 1), InputError, "not valid"),
        (lambda: Input("fy2025", 1), InputError, "cell reference"),
        (lambda: Input("x.y", float("nan")), InputError, "not a finite number"),
        (lambda: Input("x.y", "ten"), InputError, "not a number"),
        (lambda: Input("x.y", 1, unit="pounds"), UnitError, "unknown unit 'pounds'"),
        (lambda: Line("x", 1, kind="stock"), InputError, "kind 'stock'"),
        (lambda: Line("x", 1, sheet="a/b"), InputError, "sheet name"),
        (lambda: mf.Triangular(3, 1, 2), InputError, "low <= mode <= high"),
        (lambda: mf.param("ni.employer_rate", how="mean"), InputError, "how='mean'"),
    ],
)
def test_bad_definitions(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_python_if_on_expression_is_refused():
    with pytest.raises(ModelError, match="use where"):
        bool(Input("x", 1.0) > 0)


def test_total_of_non_entity_is_refused():
    with pytest.raises(ModelError, match="total"):
        Model(TL, [Line("t", mf.total(Input("x", 1.0)))])


def test_two_lines_with_one_name_are_refused():
    with pytest.raises(ModelError, match="two different lines are named 'x'"):
        Model(TL, [Line("x", 1), Line("y", Line("x", 2))])


def test_total_listed_before_its_per_employee_lines():
    # regression: shape inference raised when total() came before the lines it sums
    staff = Entities("employee", ["A", "B"])
    pay = Line("pay", Input("roster.pay", [1.0, 2.0], per=staff) + 0)
    paybill = Line("paybill", mf.total(pay * 2))
    assert Model(TL, [paybill, pay]).evaluate()["paybill"].tolist() == [6.0] * 4
