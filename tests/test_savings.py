"""Absence and turnover savings: hand-worked figures, the ramp, the default cost per leaver with
its source, bad input, and the property that savings are never negative when absence and
leavers fall."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.savings import DEFAULT_COST_PER_LEAVER, AbsenceSavings, TurnoverSavings


def evaluate(component, timeline):
    ctx = BuildContext(timeline, component)
    return ctx, mf.Model(timeline, component.build(ctx)).evaluate()


def test_absence_saving_with_on_costs_backfill_and_ramp():
    a = AbsenceSavings(
        fte=155,
        days_lost_before=8.8,
        days_lost_after=7.04,  # absence down 20% (2013 study of 70 mutuals)
        ramp_years=2,
        annual_pay=25_000,
        on_cost_rate=0.30,
        working_days=225,
        backfill_share=0.5,
        backfill_premium=0.4,
    )
    _, ev = evaluate(a, mf.Timeline(2026, years=3))
    # a day of the absent employee: 25,000 x 1.3 / 225 = 144.4444; of cover, x 1.4 = 202.2222
    np.testing.assert_allclose(ev["absence_day_cost"].to_numpy(), 1_300 / 9, rtol=1e-12)
    np.testing.assert_allclose(ev["absence_cover_day_cost"].to_numpy(), 1_820 / 9, rtol=1e-12)
    # days per FTE: the 2-year ramp's average share is 1/4 in the first year (it builds
    # from 0 to 1/2), 3/4 in the second, then 1: 8.8 - 1.76 / 4 = 8.36, then 7.48, 7.04
    np.testing.assert_allclose(ev["absence_days_per_fte"].to_numpy(), [8.36, 7.48, 7.04])
    # days avoided: 155 x 0.44 = 68.2, then 155 x 1.32 = 204.6, then 155 x 1.76 = 272.8
    np.testing.assert_allclose(ev["absence_days_avoided"].to_numpy(), [68.2, 204.6, 272.8])
    # cover bought before: 155 x 8.8 = 1,364 days, half covered: 682 x 202.2222 = 137,915.56
    np.testing.assert_allclose(ev["absence_backfill_cost"].to_numpy(), 137_915.5556, atol=0.005)
    # cashable (cover no longer bought): 68.2 x 0.5 x 202.2222 = 6,895.78; 204.6 x 0.5 x
    # 202.2222 = 20,687.33; 272.8 x 0.5 x 202.2222 = 27,583.11
    np.testing.assert_allclose(
        ev["absence_saving"].to_numpy(), [6_895.7778, 20_687.3333, 27_583.1111], atol=0.005
    )
    # not cash (sick pay is still paid): 68.2 x 0.5 x 144.4444 = 4,925.56; then 14,776.67 and
    # 19,702.22
    np.testing.assert_allclose(
        ev["absence_time_regained"].to_numpy(), [4_925.5556, 14_776.6667, 19_702.2222], atol=0.005
    )
    np.testing.assert_allclose(
        ev["absence_cost_adjustment"].to_numpy(), -ev["absence_saving"].to_numpy()
    )


def test_absence_without_cover_saves_no_cash():
    """Sick pay goes on being paid: with no cover bought, fewer days lost save no cash."""
    a = AbsenceSavings(
        fte=100, days_lost_before=10, days_lost_after=8, annual_pay=22_500, working_days=225
    )
    _, ev = evaluate(a, mf.Timeline(2026, years=1))
    assert ev["absence_saving"].tolist() == [0.0]
    assert ev["absence_backfill_cost"].tolist() == [0.0]
    assert ev["absence_time_regained"].tolist() == [20_000.0]  # 200 days x £100: not cash
    assert a.roles == {
        "absence_saving": "saving",
        "absence_time_regained": "non_cashable",
        "absence_backfill_cost": "cost",
    }
    assert (
        "absence_backfill_cost"
        not in AbsenceSavings(
            fte=1, days_lost_before=1, days_lost_after=1, annual_pay=1, backfill_in_costs=True
        ).roles
    )


def test_absence_pay_inflation_and_monthly_ramp():
    a = AbsenceSavings(
        fte=12,
        days_lost_before=10,
        days_lost_after=4,
        ramp_years=1,
        annual_pay=22_500,
        working_days=225,
        pay_inflation=0.1,
        backfill_share=1.0,
    )
    _, ev = evaluate(a, mf.Timeline("2026-04-01", years=2, freq="monthly"))
    saving = ev["absence_saving"].to_numpy()
    # day cost 100; the 1-year ramp's share averages ((m/12)^2 - ((m-1)/12)^2) / (2/12) =
    # (2m - 1) / 24 in month m of year 1: 12 FTE x 6 days x (2m - 1)/24 x 1/12 x 100 =
    # 25 (2m - 1), 3,600 in the year: half the full 7,200, as the year planned whole gets
    np.testing.assert_allclose(saving[:12], 25 * (2 * np.arange(1, 13) - 1))
    assert saving[:12].sum() == pytest.approx(3_600)
    # year 2: full 6 days, 12 x 6 / 12 = 6 days a month x 110 = 660
    np.testing.assert_allclose(saving[12:], 660)


def test_turnover_saving_default_cost_per_leaver_and_source():
    t = TurnoverSavings(fte=300, turnover_before=0.134, turnover_after=0.134 * 0.84, ramp_years=1)
    ctx, ev = evaluate(t, mf.Timeline(2026, years=2))
    assert DEFAULT_COST_PER_LEAVER == 30_614  # £25,181 lost output + £5,433 logistics
    assert "Oxford Economics" in ctx.created["turnover.cost_per_leaver"].source
    # leavers before 300 x 13.4% = 40.2; after 16% fewer: 33.768; avoided 6.432 once the
    # 1-year ramp is done, half of it (3.216) on average over the first year
    np.testing.assert_allclose(ev["leavers_avoided"].to_numpy(), [3.216, 6.432])
    np.testing.assert_allclose(ev["leavers_expected"].to_numpy(), [36.984, 33.768])
    # cash: 6.432 x £5,433 (recruitment, cover, agency) = 34,945.056 (half in the first year)
    np.testing.assert_allclose(
        ev["turnover_saving"].to_numpy(), [17_472.528, 34_945.056], atol=0.005
    )
    np.testing.assert_allclose(
        ev["turnover_cost_adjustment"].to_numpy(), [-17_472.528, -34_945.056]
    )
    # not cash: 6.432 x £25,181 lost output = 161,964.192, a non-cashable benefit
    np.testing.assert_allclose(ev["turnover_output_regained"].to_numpy(), [80_982.096, 161_964.192])
    assert t.roles["turnover_output_regained"] == "non_cashable"


def test_turnover_own_cost_per_leaver_keeps_its_source():
    t = TurnoverSavings.from_dict(
        {
            "fte": 100,
            "turnover_before": 0.15,
            "turnover_after": 0.10,
            "ramp_years": 2,
            "cost_per_leaver": {"value": 12_000, "source": "HR recruitment costs 2025/26"},
            "cost_inflation": 0.05,
        }
    )
    ctx, ev = evaluate(t, mf.Timeline(2026, years=3))
    assert ctx.created["turnover.cost_per_leaver"].source == "HR recruitment costs 2025/26"
    # avoided: 100 x 0.05 x the ramp's average share (1/4, 3/4, 1) = 1.25, 3.75, 5;
    # x 12,000 x 1.05^t: 15,000; 47,250; 66,150
    np.testing.assert_allclose(ev["turnover_saving"].to_numpy(), [15_000, 47_250, 66_150])


@pytest.mark.parametrize(
    ("cls", "values", "message"),
    [
        (AbsenceSavings, {"fte": -1}, r"absence.fte: -1: input should be greater than"),
        (AbsenceSavings, {"days_lost_after": -2}, r"absence.days_lost_after: -2"),
        (AbsenceSavings, {"annual_pay": -5}, r"absence.annual_pay: -5"),
        (AbsenceSavings, {"working_days": 0}, r"working_days: 0 is not above 0; give working days"),
        (AbsenceSavings, {"days_lost_before": 300}, r"more than the 225 working days"),
        (TurnoverSavings, {"turnover_before": -0.1}, r"turnover_before: -0.1 is negative"),
        (TurnoverSavings, {"turnover_after": 13.4}, r"turnover_after: 13.4: input should be less"),
        (TurnoverSavings, {"cost_per_leaver": -1}, r"turnover.cost_per_leaver: -1"),
    ],
)
def test_bad_input(cls, values, message):
    base = {
        AbsenceSavings: {
            "fte": 10,
            "days_lost_before": 9,
            "days_lost_after": 7,
            "annual_pay": 25_000,
        },
        TurnoverSavings: {"fte": 10, "turnover_before": 0.13, "turnover_after": 0.11},
    }[cls]
    with pytest.raises(InputError, match=message):
        cls(**{**base, **values})


@pytest.mark.parametrize("cls", [AbsenceSavings, TurnoverSavings])
def test_ramp_longer_than_the_horizon_is_refused(cls):
    base = {
        AbsenceSavings: {"fte": 1, "days_lost_before": 9, "days_lost_after": 7, "annual_pay": 1},
        TurnoverSavings: {"fte": 1, "turnover_before": 0.13, "turnover_after": 0.11},
    }[cls]
    c = cls(**base, ramp_years=4)
    with pytest.raises(InputError, match=r"ramp of 4 years is longer than the 3-year timeline"):
        evaluate(c, mf.Timeline(2026, years=3))
    evaluate(cls(**base, ramp_years=3), mf.Timeline(2026, years=3))  # equal is allowed


@given(
    fte=st.floats(0, 5_000),
    before=st.floats(0, 30),
    fall=st.floats(0, 1),
    ramp=st.integers(0, 5),
    pay=st.floats(0, 100_000),
    on_cost=st.floats(0, 0.5),
    backfill=st.floats(0, 1),
    premium=st.floats(0, 2),
    t_before=st.floats(0, 1),
    t_fall=st.floats(0, 1),
    monthly=st.booleans(),
)
def test_savings_never_negative_when_absence_and_leavers_fall(
    fte, before, fall, ramp, pay, on_cost, backfill, premium, t_before, t_fall, monthly
):
    tl = mf.Timeline("2026-04-01", years=5, freq="monthly" if monthly else "annual")
    a = AbsenceSavings(
        fte=fte,
        days_lost_before=before,
        days_lost_after=before * (1 - fall),
        ramp_years=ramp,
        annual_pay=pay,
        on_cost_rate=on_cost,
        backfill_share=backfill,
        backfill_premium=premium,
    )
    t = TurnoverSavings(
        fte=fte, turnover_before=t_before, turnover_after=t_before * (1 - t_fall), ramp_years=ramp
    )
    assert (evaluate(a, tl)[1]["absence_saving"].to_numpy() >= 0).all()
    assert (evaluate(t, tl)[1]["turnover_saving"].to_numpy() >= 0).all()
