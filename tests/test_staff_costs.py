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
from mutualfin.legal_form import LegalForm
from mutualfin.roster import Roster
from mutualfin.workforce import StaffCosts

DATA = Path(__file__).parent / "data"
SMALL = Roster.from_csv(DATA / "roster_small.csv", "2026-04-01")


def evaluate(component, start=2026, years=3, overrides=None, form=None, **others):
    """The component on its own, or beside a legal form and other components of a case."""
    tl = mf.Timeline(start, years=years)
    if form is not None:
        others["legal_form"] = LegalForm(**form)
    model = mf.Model(tl, component.build(BuildContext(tl, component, others=others)))
    return model.evaluate(overrides)


def penny(x):
    return pytest.approx(x, abs=0.005)


def test_small_roster_ni_and_pension_by_hand():
    staff = StaffCosts(SMALL)
    charity = {"form": "charitable_community_benefit_society", "public_work_share": 0.9}
    ev = evaluate(staff, years=1, form=charity)
    # 2026/27: employer NI 15% over the £5,000 secondary threshold
    #   E001 LGPS  1.0 x 24,500 = 24,500   NI 15% x 19,500 = 2,925
    #   E002 LGPS  0.5 x 24,500 = 12,250   NI 15% x  7,250 = 1,087.50
    #   E003 LGPS  1.0 x 45,000 = 45,000   NI 15% x 40,000 = 6,000
    #   (LGPS employer contributions are the admission agreement's, [lgps]: not here)
    #   E004 NHS   0.8 x 40,000 = 32,000   NI 15% x 27,000 = 4,050
    #              pension 23.7% + 0.08% levy = 23.78% x 32,000 = 7,609.60
    #   E005 TPS   1.0 x 38,000 = 38,000   NI 15% x 33,000 = 4,950
    #              pension 28.68% x 38,000 = 10,898.40
    #   E006 none  0.2 x 30,000 =  6,000   NI 15% x  1,000 = 150
    #              earns under the £10,000 auto-enrolment trigger: no contribution
    ni = ev["employer_ni_employee"].iloc[:, 0].tolist()
    pension = ev["employer_pension_employee"].iloc[:, 0].tolist()
    assert ni == [penny(v) for v in [2_925, 1_087.5, 6_000, 4_050, 4_950, 150]]
    assert pension == [penny(v) for v in [0, 0, 0, 7_609.6, 10_898.4, 0]]
    assert ev["staff_pay"].iloc[0] == penny(157_750)
    assert ev["employer_ni"].iloc[0] == penny(19_162.5)
    assert ev["employer_pension"].iloc[0] == penny(18_508)
    # levy: 0.5% x 157,750 = 788.75, less the £15,000 allowance: nothing to pay
    assert ev["apprenticeship_levy"].iloc[0] == penny(0)
    # a charity: public-nature work does not bar the £10,500 allowance (below NI of 19,162.50)
    assert ev["employment_allowance"].iloc[0] == penny(10_500)
    # 157,750 + 19,162.50 + 18,508 + 0 - 10,500
    assert ev["staff_costs"].iloc[0] == penny(184_920.5)


def test_auto_enrolment_for_staff_in_no_scheme_over_the_trigger():
    """Pensions Act 2008 ss.3, 13, 20: over the £10,000 trigger, at least 3% of qualifying
    earnings (between £6,240 and £50,270 since 2020/21)."""
    frame = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "fte": [1.0, 1.0, 0.3, 1.0],
            "salary": [30_000.0, 60_000.0, 30_000.0, 30_000.0],
            "age": 40,
            "service_start": "2010-01-01",
            "scheme": ["none", "none", "none", "NHS"],
        }
    )
    ev = evaluate(StaffCosts(Roster.from_frame(frame, "2026-04-01")), years=1)
    # A: 3% x (30,000 - 6,240) = 712.80; B: 3% x (50,270 - 6,240) = 1,320.90 (capped at the
    # upper limit); C: 9,000 is under the trigger: 0; D is in the NHS scheme, not enrolled
    auto = ev["auto_enrolment_employee"].iloc[:, 0].tolist()
    assert auto == [penny(712.8), penny(1_320.9), 0, 0]
    half = evaluate(
        StaffCosts(Roster.from_frame(frame, "2026-04-01"), auto_enrolment_opt_out=0.5), years=1
    )
    assert half["auto_enrolment_employee"].loc["A"].iloc[0] == penny(356.4)  # half opt out


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
    ("form", "share", "expected", "why"),
    [
        ("cic_limited_by_shares", 0.9, 0.0, "not eligible"),
        ("cic_limited_by_shares", 0.4, 10_500, "eligible"),
        ("charitable_community_benefit_society", 1.0, 10_500, "eligible"),
        (None, None, 0.0, "not eligible: no [legal_form] given"),
    ],
)
def test_employment_allowance_follows_the_legal_form(form, share, expected, why):
    legal = None if form is None else {"form": form, "public_work_share": share}
    ev = evaluate(StaffCosts(SMALL), years=1, form=legal)
    assert ev["employment_allowance"].iloc[0] == penny(expected)
    assert f"Employment Allowance ({why}" in ev.model.lines["employment_allowance"].label


def test_charity_and_public_work_inputs_moved_to_the_legal_form():
    for name in ("is_charity", "public_work_share"):
        with pytest.raises(InputError, match=rf"staff.{name}: is decided by the legal form"):
            StaffCosts(SMALL, **{name: 0.5 if name == "public_work_share" else True})
    with pytest.raises(InputError, match=r"staff.lgps_primary_rate: the LGPS employer rate"):
        StaffCosts(SMALL, lgps_primary_rate=0.2)


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
    staff = StaffCosts(Roster.from_frame(frame, "2023-04-01"), prior_year_employer_nics=0)
    ev = evaluate(
        staff, start=2023, years=3, form={"form": "cic_limited_by_shares", "public_work_share": 0.2}
    )
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
    )
    form = "charitable_community_benefit_society" if charity else "cic_limited_by_shares"
    ev = evaluate(staff, form={"form": form})
    per_employee = ev["staff_cost_employee"].sum(axis=0).to_numpy()
    whole = (ev["staff_costs"] - ev["apprenticeship_levy"] + ev["employment_allowance"]).to_numpy()
    np.testing.assert_allclose(whole, per_employee, rtol=1e-12, atol=1e-6)
    for line in ("pay", "employer_ni", "employer_pension"):
        total = ev["staff_pay" if line == "pay" else line].to_numpy()
        parts = ev[f"{line}_employee"].sum(axis=0).to_numpy()
        np.testing.assert_allclose(total, parts)


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
    np.testing.assert_allclose(
        twice["pay_employee"].to_numpy(), 2 * once["pay_employee"].to_numpy()
    )
    # pension by rate (NHS, TPS) doubles; auto-enrolment (no scheme) does not: its band is fixed
    by_rate = (frame["scheme"].isin(["NHS", "TPS"])).to_numpy()
    np.testing.assert_allclose(
        twice["employer_pension_employee"].to_numpy()[by_rate],
        2 * once["employer_pension_employee"].to_numpy()[by_rate],
    )
    # NI = 15% x max(pay - 5,000, 0): doubling pay that is over the threshold adds
    # 15% x pay (not double the NI); under it, NI is what 2 x pay exceeds the threshold by
    pay = once["pay_filled_employee"].to_numpy()
    expected = 0.15 * np.maximum(2 * pay - 5_000, 0)
    np.testing.assert_allclose(twice["employer_ni_employee"].to_numpy(), expected, atol=1e-6)
    over = pay > 5_000
    gap = twice["employer_ni_employee"].to_numpy() - 2 * once["employer_ni_employee"].to_numpy()
    np.testing.assert_allclose(gap[over], 0.15 * 5_000)
