"""Income components: contract (indexation, efficiency, term, break, extension, payment timing,
reserved-contract limits), traded income, pipeline and grants. Expected values are worked by
hand in the comments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.income import Contract, Grants, Pipeline, TradedIncome


def evaluate(component, timeline, extra=()):
    lines = component.build(BuildContext(timeline, component))
    return mf.Model(timeline, [*lines, *extra]).evaluate()


def annual(years=5, start=2026):
    return mf.Timeline(start, years=years)


BASE = {"annual_value": 4_200_000, "start_date": "2026-04-01", "term_years": 5}


# --------------------------------------------------------------------------------------------
# contract: golden figures
# --------------------------------------------------------------------------------------------
def test_contract_indexation_and_cumulative_efficiency():
    c = Contract(**BASE, indexation=0.02, efficiency_target=0.03)
    ev = evaluate(c, annual())
    # 4.2m x 1.02^t x 0.97^t: 4,200,000; x 0.9894 = 4,155,480; x 0.9894^2 = 4,111,431.91;
    # x 0.9894^3 = 4,067,850.73; x 0.9894^4 = 4,024,731.51
    np.testing.assert_allclose(
        ev["contract_income"].to_numpy(),
        [4_200_000, 4_155_480, 4_111_431.912, 4_067_850.7037, 4_024_731.5131],
        atol=0.005,
    )
    np.testing.assert_allclose(ev["contract_efficiency_factor"].to_numpy()[:3], [1, 0.97, 0.9409])


def test_contract_efficiency_series_like_3bm():
    # a series of targets: [0, 10%, 10%, 10%] -> 100,000; 90,000; 81,000; 72,900
    c = Contract(
        annual_value=100_000,
        start_date="2026-04-01",
        term_years=4,
        efficiency_target=[0.0, 0.1, 0.1, 0.1],
    )
    ev = evaluate(c, annual(4))
    np.testing.assert_allclose(ev["contract_income"].to_numpy(), [100_000, 90_000, 81_000, 72_900])


def test_contract_term_break_and_extension_flags():
    # 3-year term from 1 April 2027 with a 2-year extension and a break after 2 years,
    # on a 2026/27 to 2032/33 timeline (7 years)
    c = Contract(
        annual_value=1_000,
        start_date="2027-04-01",
        term_years=3,
        extension_years=2,
        break_after_years=2,
    )
    ev = evaluate(c, annual(7))
    assert ev["contract_initial_term"].tolist() == [0, 1, 1, 1, 0, 0, 0]
    assert ev["contract_extension"].tolist() == [0, 0, 0, 0, 1, 1, 0]
    assert ev["contract_break_point"].tolist() == [0, 0, 0, 1, 0, 0, 0]  # 1 April 2029
    # neither option assumed: income in the initial term only
    assert ev["contract_income"].tolist() == [0, 1_000, 1_000, 1_000, 0, 0, 0]
    taken = Contract(**{**c.inputs.model_dump(), "extension_taken": True})
    assert evaluate(taken, annual(7))["contract_income"].tolist() == [0, 1e3, 1e3, 1e3, 1e3, 1e3, 0]
    broken = Contract(**{**c.inputs.model_dump(), "break_exercised": True})
    assert evaluate(broken, annual(7))["contract_income"].tolist() == [0, 1e3, 1e3, 0, 0, 0, 0]


def test_payment_in_arrears_moves_cash_not_income_annual():
    c = Contract(**BASE, payment_lag_months=1)
    ev = evaluate(c, annual(5))
    assert ev["contract_income"].tolist() == [4_200_000] * 5
    # first year: 11/12 of 4.2m = 3,850,000; then 11/12 this year + 1/12 last year = 4.2m
    np.testing.assert_allclose(ev["contract_receipts"].to_numpy(), [3_850_000] + [4_200_000] * 4)


def test_payment_lag_with_monthly_periods_is_whole_months():
    tl = mf.Timeline("2026-04-01", years=1, freq="monthly")
    c = Contract(annual_value=120_000, start_date="2026-04-01", term_years=1, payment_lag_months=2)
    ev = evaluate(c, tl)
    # 120,000 / 12 = 10,000 a month; paid two months later
    assert ev["contract_income"].tolist() == [10_000.0] * 12
    assert ev["contract_receipts"].tolist() == [0.0, 0.0] + [10_000.0] * 10
    advance = Contract(annual_value=120_000, start_date="2026-04-01", term_years=1)
    assert evaluate(advance, tl)["contract_receipts"].tolist() == [10_000.0] * 12


def test_monthly_indexation_steps_each_april():
    tl = mf.Timeline("2026-04-01", years=2, freq="monthly")
    c = Contract(annual_value=120_000, start_date="2026-04-01", term_years=2, indexation=0.05)
    income = evaluate(c, tl)["contract_income"].to_numpy()
    # 10,000 a month in 2026/27, 10,500 a month in 2027/28
    np.testing.assert_allclose(income, [10_000] * 12 + [10_500] * 12)


def test_contract_mid_period_dates_are_refused_on_an_annual_timeline():
    c = Contract(annual_value=1, start_date="2026-10-01", term_years=2)
    with pytest.raises(InputError, match=r"starts on 2026-10-01, inside the period 2026/27"):
        evaluate(c, annual(4))


# --------------------------------------------------------------------------------------------
# reserved contracts: 3 years before 24 February 2025, 5 years from that day
# --------------------------------------------------------------------------------------------
def reserved(award, term, extension=0.0):
    return Contract(
        annual_value=1,
        start_date="2025-04-01",
        term_years=term,
        extension_years=extension,
        reserved_for_mutual=True,
        award_date=award,
    )


@pytest.mark.parametrize("award", ["2025-02-23", "2015-06-01"])
def test_reserved_under_pcr_2015_at_most_3_years(award):
    assert reserved(award, 3).inputs.term_years == 3
    with pytest.raises(InputError, match=r"regulation 77 of the Public Contracts Regulations"):
        reserved(award, 3.25)
    with pytest.raises(InputError, match=r"at most 3 years .* runs 5 years"):
        reserved(award, 5)


@pytest.mark.parametrize("award", ["2025-02-24", "2025-02-25"])
def test_reserved_under_procurement_act_2023_at_most_5_years(award):
    assert reserved(award, 5).inputs.term_years == 5
    with pytest.raises(InputError, match=r"section 33 of the Procurement Act 2023"):
        reserved(award, 5.5)


def test_reserved_limit_counts_the_extension():
    with pytest.raises(InputError, match=r"runs 6 years including the 3-year extension"):
        reserved("2025-03-01", 3, extension=3)


def test_reserved_needs_award_date_and_unreserved_is_unlimited():
    with pytest.raises(InputError, match=r"contract.award_date: missing"):
        Contract(annual_value=1, start_date="2026-04-01", term_years=3, reserved_for_mutual=True)
    assert Contract(annual_value=1, start_date="2026-04-01", term_years=15).inputs.term_years == 15


def test_reserved_not_twice_within_three_years():
    kw = {**BASE, "reserved_for_mutual": True, "award_date": "2026-01-15"}
    with pytest.raises(InputError, match=r"section 33\(5\) of the Procurement Act 2023"):
        Contract(**kw, previous_reserved_award_date="2023-01-16")
    # exactly three years before: allowed
    Contract(**kw, previous_reserved_award_date="2023-01-15")


# --------------------------------------------------------------------------------------------
# contract: bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"annual_value": -1}, r"contract.annual_value: -1: input should be greater than"),
        ({"efficiency_target": 1.2}, r"efficiency_target: 1.2 is above 1, the highest allowed"),
        ({"efficiency_target": [0, 0.5, 1.5, 0, 0]}, r"efficiency_target: 1.5 is above 1"),
        ({"efficiency_target": -0.02}, r"efficiency_target: -0.02 is negative"),
        ({"indexation": 2.5}, r"indexation: 2.5 is a fraction, so it means 250%"),
        ({"term_years": 0}, r"term_years: 0 puts the end before the start date"),
        ({"term_years": -1}, r"term_years: -1: input should be greater than"),
        ({"term_years": 2.1}, r"not a whole number of months"),
        ({"payment_lag_months": 1.5}, r"payment_lag_months: 1.5 is not a whole number; give whole"),
        ({"break_after_years": 6}, r"break_after_years: 6 is not before the end"),
        ({"break_exercised": True}, r"there is no break option"),
        ({"start_date": "1 April"}, r"contract.start_date: '1 April'"),
    ],
)
def test_contract_bad_input(values, message):
    with pytest.raises(InputError, match=message):
        Contract(**{**BASE, **values})


# --------------------------------------------------------------------------------------------
# contract: properties
# --------------------------------------------------------------------------------------------
values = st.floats(0, 1e8, allow_nan=False)


@given(value=values, years=st.integers(1, 8), lag=st.integers(0, 12))
def test_zero_efficiency_and_indexation_keep_the_contract_flat(value, years, lag):
    c = Contract(
        annual_value=value, start_date="2026-04-01", term_years=years, payment_lag_months=lag
    )
    income = evaluate(c, annual(years))["contract_income"].to_numpy()
    np.testing.assert_allclose(income, value)


@given(
    value=values,
    index=st.floats(-0.1, 0.2),
    eff=st.floats(0, 0.5),
    costs=st.lists(st.floats(0, 1e8), min_size=4, max_size=4),
    lag=st.integers(1, 12),
    monthly=st.booleans(),
)
def test_payment_in_advance_never_lowers_the_minimum_cash(value, index, eff, costs, lag, monthly):
    tl = mf.Timeline("2026-04-01", years=1, freq="monthly") if monthly else annual(4)
    cost_values = (costs * 3) if monthly else costs
    mins = []
    for payment_lag in (0, lag):
        c = Contract(
            annual_value=value,
            start_date="2026-04-01",
            term_years=tl.years,
            indexation=index,
            efficiency_target=eff,
            payment_lag_months=payment_lag,
        )
        cost = mf.Input("test_costs", cost_values)
        cash = mf.Line("cash", mf.previous("cash") + mf.ref("contract_receipts") - cost)
        mins.append(evaluate(c, tl, [cash])["cash"].min())
    advance, arrears = mins
    assert advance >= arrears - 1e-6 * max(1.0, abs(arrears))


# --------------------------------------------------------------------------------------------
# traded income, pipeline, grants
# --------------------------------------------------------------------------------------------
def test_traded_income_growth_churn_and_price():
    t = TradedIncome(
        customers=40,
        price=1_500,
        volume_per_customer=2,
        customer_growth=0.10,
        churn=0.05,
        price_indexation=0.02,
    )
    ev = evaluate(t, annual(3))
    # customers 40 x (1.1 x 0.95)^t = 40, 41.8, 43.681
    np.testing.assert_allclose(ev["traded_customers"].to_numpy(), [40, 41.8, 43.681])
    # income 40 x 2 x 1,500 = 120,000; 41.8 x 2 x 1,530 = 127,908;
    # 43.681 x 2 x 1,560.60 = 87.362 x 1,560.60 = 136,337.1372
    np.testing.assert_allclose(
        ev["traded_income"].to_numpy(), [120_000, 127_908, 136_337.1372], atol=0.005
    )


def test_traded_income_bad_input():
    with pytest.raises(InputError, match=r"traded.churn: -0.1 is negative"):
        TradedIncome(customers=1, price=1, churn=-0.1)
    with pytest.raises(InputError, match=r"traded.customers: -3: input should be greater"):
        TradedIncome(customers=-3, price=1)


def test_pipeline_weights_by_win_probability():
    p = Pipeline(
        opportunities=[
            {
                "name": "Schools HR",
                "annual_value": 200_000,
                "start_date": "2027-04-01",
                "term_years": 2,
                "win_probability": 0.5,
            },
            {
                "name": "Adult learning",
                "annual_value": 100_000,
                "start_date": "2026-04-01",
                "term_years": 1,
                "win_probability": 0.25,
                "source": "bid log",
            },
        ]
    )
    ev = evaluate(p, annual(4))
    # 2026/27: 100,000 x 0.25 = 25,000; 2027/28-2028/29: 200,000 x 0.5 = 100,000; 2029/30: 0
    assert ev["pipeline_income"].tolist() == [25_000, 100_000, 100_000, 0]
    assert ev["pipeline_income_unweighted"].tolist() == [100_000, 200_000, 200_000, 0]


@pytest.mark.parametrize(
    ("opp", "message"),
    [
        ({"win_probability": 1.5}, r"win_probability"),
        ({"annual_value": -5}, r"annual_value"),
        ({"term_years": 0}, r"term_years"),
        ({"name": "1st"}, r"must start with a letter"),
    ],
)
def test_pipeline_bad_input(opp, message):
    good = {
        "name": "A",
        "annual_value": 1,
        "start_date": "2026-04-01",
        "term_years": 1,
        "win_probability": 0.5,
    }
    with pytest.raises(InputError, match=message):
        Pipeline(opportunities=[{**good, **opp}])


def test_grants_fall_in_the_period_of_their_date():
    g = Grants(
        grants=[
            {"name": "Transition grant", "amount": 100_000, "date": dt.date(2026, 4, 1)},
            {"name": "Mutuals Support Programme", "amount": 30_000, "date": "2027-03-31"},
            {"name": "Capacity", "amount": 20_000, "date": "2028-01-10"},
        ]
    )
    ev = evaluate(g, annual(3))
    # 2026/27: 100,000 + 30,000 (31 March 2027 is in 2026/27); 2027/28: 20,000
    assert ev["grant_income"].tolist() == [130_000, 20_000, 0]


def test_grants_bad_input():
    with pytest.raises(InputError, match=r"grants.late: date 2031-01-01 is outside the timeline"):
        evaluate(Grants(grants=[{"name": "Late", "amount": 1, "date": "2031-01-01"}]), annual(3))
    with pytest.raises(InputError, match=r"name 'A' is used twice"):
        Grants(grants=[{"name": "A", "amount": 1, "date": "2026-05-01"}] * 2)
    with pytest.raises(InputError, match=r"grants.grants.0.amount: -1"):
        Grants(grants=[{"name": "A", "amount": -1, "date": "2026-05-01"}])


def test_indexation_true_is_refused_not_read_as_100_percent():
    # found by the case-file fuzzer: `indexation = true` was read as 1.0 (100% a year)
    base = {"annual_value": 1e6, "start_date": "2026-04-01", "term_years": 5}
    with pytest.raises(InputError, match=r"contract.indexation: True: true/false is not a number"):
        Contract(**base, indexation=True)
    with pytest.raises(InputError, match=r"contract.efficiency_target.1: True: true/false"):
        Contract(**base, efficiency_target=[0.01, True])
