"""StaffCosts: employer NI and pension for a small roster worked by hand, pay awards, drift,
vacancy and turnover, Employment Allowance eligibility, and hypothesis properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.roster import Roster
from mutualfin.workforce import StaffCosts

DATA = Path(__file__).parent / "data"
SMALL = Roster.from_csv(DATA / "roster_small.csv", "2026-04-01")


def evaluate(component, start=2026, years=3, overrides=None):
    tl = mf.Timeline(start, years=years)
    model = mf.Model(tl, component.build(BuildContext(tl, component)))
    return model.evaluate(overrides)


def penny(x):
    return pytest.approx(x, abs=0.005)


def test_small_roster_ni_and_pension_by_hand():
    staff = StaffCosts(
        SMALL,
        lgps_primary_rate=0.17,
        lgps_secondary_rate=0.03,
        lgps_secondary_amount=1_000,
        is_charity=True,
        public_work_share=0.9,
    )
    ev = evaluate(staff, years=1)
    # 2026/27: employer NI 15% over the £5,000 secondary threshold
    #   E001 LGPS  1.0 x 24,500 = 24,500   NI 15% x 19,500 = 2,925     pension 20% = 4,900
    #   E002 LGPS  0.5 x 24,500 = 12,250   NI 15% x  7,250 = 1,087.50  pension 20% = 2,450
    #   E003 LGPS  1.0 x 45,000 = 45,000   NI 15% x 40,000 = 6,000     pension 20% = 9,000
    #   E004 NHS   0.8 x 40,000 = 32,000   NI 15% x 27,000 = 4,050
    #              pension 23.7% + 0.08% levy = 23.78% x 32,000 = 7,609.60
    #   E005 TPS   1.0 x 38,000 = 38,000   NI 15% x 33,000 = 4,950
    #              pension 28.68% x 38,000 = 10,898.40
    #   E006 none  0.2 x 30,000 =  6,000   NI 15% x  1,000 = 150       pension 0
    ni = ev["employer_ni_employee"].iloc[:, 0].tolist()
    pension = ev["employer_pension_employee"].iloc[:, 0].tolist()
    assert ni == [penny(v) for v in [2_925, 1_087.5, 6_000, 4_050, 4_950, 150]]
    assert pension == [penny(v) for v in [4_900, 2_450, 9_000, 7_609.6, 10_898.4, 0]]
    assert ev["staff_pay"].iloc[0] == penny(157_750)
    assert ev["employer_ni"].iloc[0] == penny(19_162.5)
    # 34,858 by employee + £1,000 LGPS secondary amount
    assert ev["employer_pension"].iloc[0] == penny(35_858)
    # levy: 0.5% x 157,750 = 788.75, less the £15,000 allowance: nothing to pay
    assert ev["apprenticeship_levy"].iloc[0] == penny(0)
    # a charity: public-nature work does not bar the £10,500 allowance (below NI of 19,162.50)
    assert ev["employment_allowance"].iloc[0] == penny(10_500)
    # 157,750 + 19,162.50 + 35,858 + 0 - 10,500
    assert ev["staff_costs"].iloc[0] == penny(202_270.5)


def test_pay_award_drift_vacancy_and_turnover():
    staff = StaffCosts(
        SMALL,
        pay_award=[0.0, 0.02, 0.03],
        incremental_drift=0.01,
        vacancy_factor=0.05,
        turnover=0.1,
        starting_salary_ratio=0.9,
    )
    ev = evaluate(staff)
    # award index 1, 1.02, 1.02 x 1.03; drift 1, 1.01, 1.0201;
    # turnover 1, 0.9 + 0.1 x 0.9 = 0.99, 0.9 + 0.1 x 0.81 = 0.981
    expected = np.array([1.0, 1.02 * 1.01 * 0.99, 1.02 * 1.03 * 1.0201 * 0.981])
    np.testing.assert_allclose(ev["pay_index"].to_numpy(), expected)
    # E001 year 1: 24,500 filled; expected pay 95% = 23,275; NI 2,925 x 95% = 2,778.75
    assert ev["pay_employee"].loc["E001"].iloc[0] == penny(23_275)
    assert ev["employer_ni_employee"].loc["E001"].iloc[0] == penny(2_778.75)
    np.testing.assert_allclose(ev["staff_pay"].to_numpy(), 157_750 * 0.95 * expected)


def test_levy_bites_over_three_million():
    frame = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(100)],
            "fte": 1.0,
            "salary": 40_000.0,
            "age": 40,
            "service_start": "2010-01-01",
            "scheme": "none",
        }
    )
    ev = evaluate(StaffCosts(Roster.from_frame(frame, "2026-04-01")), years=1)
    # paybill 4,000,000: 0.5% = 20,000 less the 15,000 allowance
    assert ev["apprenticeship_levy"].iloc[0] == penny(5_000)


@pytest.mark.parametrize(
    ("charity", "share", "expected", "why"),
    [
        (False, 0.9, 0.0, "not eligible: 90% of the work is of a public nature"),
        (False, 0.4, 10_500, "eligible: less than half"),
        (True, 1.0, 10_500, "eligible: a charity"),
    ],
)
def test_employment_allowance_follows_legal_form_and_public_work(charity, share, expected, why):
    staff = StaffCosts(SMALL, is_charity=charity, public_work_share=share)
    ev = evaluate(staff, years=1)
    assert ev["employment_allowance"].iloc[0] == penny(expected)
    assert why in staff.employment_allowance_reason()
    assert why in ev.model.lines["employment_allowance"].label


def test_employment_allowance_100k_rule_in_2024_25():
    # a big employer in 2023/24-2024/25: barred in 2024/25 when last year's NI was £100k+
    frame = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(40)],
            "fte": 1.0,
            "salary": 30_000.0,
            "age": 40,
            "service_start": "2010-01-01",
            "scheme": "none",
        }
    )
    staff = StaffCosts(
        Roster.from_frame(frame, "2023-04-01"), public_work_share=0.2, prior_year_employer_nics=0
    )
    ev = evaluate(staff, start=2023, years=3)
    # NI 13.8% x (30,000 - 9,100) x 40 = 115,368 a year in 2023/24 and 2024/25
    np.testing.assert_allclose(ev["employer_ni"].to_numpy()[:2], 115_368)
    # 2023/24: prior year 0 -> £5,000; 2024/25: prior 115,368 -> barred; 2025/26: rule gone
    np.testing.assert_allclose(ev["employment_allowance"].to_numpy(), [5_000, 0, 10_500])


def test_bad_inputs():
    with pytest.raises(InputError, match=r"needs a Roster as its first argument"):
        StaffCosts(None)
    with pytest.raises(InputError, match=r"staff.vacancy_factor: 1 is not below 1; posts cannot"):
        StaffCosts(SMALL, vacancy_factor=1.0)
    with pytest.raises(InputError, match=r"staff.turnver: unknown input; did you mean 'turnover'"):
        StaffCosts(SMALL, turnver=0.1)
    staff = StaffCosts.from_dict({"pay_award": [0.02, 0.03]}, roster=SMALL)
    with pytest.raises(InputError, match=r"staff.pay_award: has 2 values but the timeline has 3"):
        evaluate(staff)
    tl = mf.Timeline("2026-04-01", years=1, freq="monthly")
    with pytest.raises(InputError, match=r"needs an annual timeline"):
        StaffCosts(SMALL).build(BuildContext(tl, StaffCosts(SMALL)))
    other = mf.Entities("employee", ["X1"])
    with pytest.raises(InputError, match=r"is not this component's roster"):
        StaffCosts(SMALL).build(BuildContext(mf.Timeline(2026, 1), StaffCosts(SMALL), other))


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------
@st.composite
def rosters(draw):
    n = draw(st.integers(1, 8))
    frame = pd.DataFrame(
        {
            "id": [f"E{i}" for i in range(n)],
            "fte": draw(
                st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.6, 0.75]), min_size=n, max_size=n)
            ),
            "salary": draw(st.lists(st.floats(1_000, 120_000), min_size=n, max_size=n)),
            "age": 40,
            "service_start": "2010-01-01",
            "scheme": draw(
                st.lists(st.sampled_from(["LGPS", "NHS", "TPS", "none"]), min_size=n, max_size=n)
            ),
        }
    )
    return frame


@given(
    frame=rosters(),
    award=st.floats(0, 0.1),
    drift=st.floats(0, 0.03),
    vacancy=st.floats(0, 0.2),
    charity=st.booleans(),
)
def test_total_staff_cost_is_the_sum_of_per_employee_costs(frame, award, drift, vacancy, charity):
    staff = StaffCosts(
        Roster.from_frame(frame, "2026-04-01"),
        pay_award=award,
        incremental_drift=drift,
        vacancy_factor=vacancy,
        lgps_secondary_amount=500,
        is_charity=charity,
    )
    ev = evaluate(staff)
    per_employee = ev["staff_cost_employee"].sum(axis=0).to_numpy()
    whole = (
        ev["staff_costs"]
        - ev["apprenticeship_levy"]
        + ev["employment_allowance"]
        - 500  # the LGPS secondary amount is for the whole employer
    ).to_numpy()
    np.testing.assert_allclose(whole, per_employee, rtol=1e-12, atol=1e-6)
    for line in ("pay", "employer_ni", "employer_pension"):
        total = ev["staff_pay" if line == "pay" else line].to_numpy()
        parts = ev[f"{line}_employee"].sum(axis=0).to_numpy()
        np.testing.assert_allclose(total - (500 if line == "employer_pension" else 0), parts)


@given(frame=rosters())
def test_zero_award_and_no_drift_keeps_pay_flat(frame):
    ev = evaluate(StaffCosts(Roster.from_frame(frame, "2026-04-01")), years=5)
    pay = ev["pay_employee"].to_numpy()
    np.testing.assert_array_equal(pay, np.repeat(pay[:, :1], 5, axis=1))


@given(frame=rosters(), award=st.floats(0, 0.05))
def test_doubling_fte_doubles_pay_and_pension_but_ni_only_above_the_threshold(frame, award):
    once = evaluate(StaffCosts(Roster.from_frame(frame, "2026-04-01"), pay_award=award))
    doubled = frame.assign(fte=frame["fte"] * 2)
    twice = evaluate(StaffCosts(Roster.from_frame(doubled, "2026-04-01"), pay_award=award))
    for line in ("pay_employee", "employer_pension_employee"):
        np.testing.assert_allclose(twice[line].to_numpy(), 2 * once[line].to_numpy())
    # NI = 15% x max(pay - 5,000, 0): doubling pay that is over the threshold adds
    # 15% x pay (not double the NI); under it, NI is what 2 x pay exceeds the threshold by
    pay = once["pay_filled_employee"].to_numpy()
    expected = 0.15 * np.maximum(2 * pay - 5_000, 0)
    np.testing.assert_allclose(twice["employer_ni_employee"].to_numpy(), expected, atol=1e-6)
    over = pay > 5_000
    gap = twice["employer_ni_employee"].to_numpy() - 2 * once["employer_ni_employee"].to_numpy()
    np.testing.assert_allclose(gap[over], 0.15 * 5_000)
