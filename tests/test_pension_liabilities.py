"""LgpsAdmission: the CARE projection matches a worked example by hand, pass-through costs
the mutual exactly its fixed rate x pay, the valuation by hand, and the actuary's figures
override the estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.pensions import LgpsAdmission
from mutualfin.roster import Roster


def one_member(accrued=0.0, age=40, base="2014-04-01", salary=24_500.0):
    frame = pd.DataFrame(
        {
            "id": ["M1"],
            "fte": [1.0],
            "salary": [salary],
            "age": [age],
            "service_start": ["2014-04-01" if base.startswith("2014") else "2010-04-01"],
            "scheme": ["LGPS"],
            "accrued_pension": [accrued],
        }
    )
    return Roster.from_frame(frame, base)


def evaluate(component, start, years):
    tl = mf.Timeline(start, years=years)
    return mf.Model(tl, component.build(BuildContext(tl, component))).evaluate()


def test_care_projection_matches_the_worked_example():
    # by hand (LGPS CARE, 1/49 of pay revalued by CPI): pay £24,500 gives £500.00; after 1.2% CPI
    # £506.00; next year pay £24,745 adds £505.00, total £1,011.00; after -0.1% CPI £1,009.99
    lgps = LgpsAdmission(
        one_member(),
        pay_growth=[0.0, 0.01],
        cpi_revaluation=[0.012, -0.001],
        contract_years=2,
        primary_rate=0.2,
        exit_basis="multiple",
    )
    ev = evaluate(lgps, 2014, 2)
    assert ev["lgps_pensionable_pay"].tolist() == [24_500, pytest.approx(24_745)]
    assert ev["care_pension"].round(2).tolist() == [506.00, 1_009.99]
    np.testing.assert_allclose(
        ev["care_pension"].to_numpy(),
        mf.pensions.lgps_care_accrual([24_500, 24_745], [0.012, -0.001]),
    )


def test_pass_through_costs_the_mutual_exactly_its_fixed_rate():
    lgps = LgpsAdmission(
        one_member(base="2026-04-01", age=50, salary=40_000),
        risk_sharing="pass_through",
        fixed_rate=0.198,
        primary_rate=0.21,
        secondary_rate=0.03,
        secondary_amount=2_000,
        pay_growth=0.03,
        contract_years=3,
    )
    ev = evaluate(lgps, 2026, 3)
    pay = ev["lgps_pensionable_pay"].to_numpy()
    np.testing.assert_allclose(pay, [40_000, 41_200, 42_436])
    # the mutual pays 19.8% of pay, nothing more; the council the rest of 24% + £2,000
    np.testing.assert_array_equal(ev["lgps_contributions_mutual"].to_numpy(), pay * 0.198)
    np.testing.assert_allclose(
        ev["lgps_contributions_council"].to_numpy(), pay * (0.24 - 0.198) + 2_000
    )
    # and the exit settles with the council: it pays any deficit (no credit is banked)
    assert "lgps_exit_payment" not in ev and "lgps_exit_credit" not in ev
    assert ev["lgps_exit_settlement_council"].iloc[2] == pytest.approx(
        ev["lgps_exit_deficit"].iloc[2]
    )
    assert lgps.roles == {
        "lgps_contributions_mutual": "pay",
        "lgps_exit_settlement_council": "council_cost",
        "lgps_contributions_council": "council_cost",
    }


def test_valuation_by_hand_and_exit_bases():
    lgps = LgpsAdmission(
        one_member(accrued=10_000, age=55, base="2026-04-01", salary=40_000),
        cpi_revaluation=0.02,
        valuation_cpi=0.02,
        discount_rate=0.05,
        life_expectancy=23,
        normal_pension_age=67,
        exit_basis="multiple",
        exit_multiple=1.6,
        contract_years=3,
        bond_share=0.5,
        primary_rate=0.198,
    )
    ev = evaluate(lgps, 2026, 3)
    # net rate j = 1.05 / 1.02 - 1; annuity factor (1 - (1 + j)^-23) / j = 16.5446
    j = 1.05 / 1.02 - 1
    a = (1 - (1 + j) ** -23) / j
    assert ev["annuity_factor_ongoing"].iloc[0] == pytest.approx(a) == pytest.approx(16.5446, 1e-4)
    # year 1: account (10,000 + 40,000 / 49) x 1.02; at 56, 11 years to 67
    care1 = (10_000 + 40_000 / 49) * 1.02
    liability1 = care1 * (1 + j) ** -11 * a
    assert ev["lgps_liability_ongoing"].iloc[0] == pytest.approx(liability1)
    np.testing.assert_allclose(
        ev["lgps_liability_exit"].to_numpy(), 1.6 * ev["lgps_liability_ongoing"].to_numpy()
    )
    # opening assets = ongoing value at transfer: 10,000 x (1 + j)^-12 x a (fully funded)
    opening = 10_000 * (1 + j) ** -12 * a
    assets1 = opening * 1.05 + 0.198 * 40_000 + 0.065 * 40_000  # employer + member (6.5% band)
    assert ev["lgps_assets"].iloc[0] == pytest.approx(assets1)
    deficit = np.maximum(ev["lgps_liability_exit"] - ev["lgps_assets"], 0).to_numpy()
    np.testing.assert_allclose(ev["lgps_exit_deficit"].to_numpy(), deficit)
    assert deficit[2] > 0  # the exit basis is dearer than the funding: a gap appears
    # full risk: the mutual pays it at the end of year 3
    np.testing.assert_allclose(ev["lgps_exit_payment"].to_numpy(), [0, 0, deficit[2]])
    np.testing.assert_allclose(ev["lgps_exit_credit"].to_numpy(), [0, 0, 0])
    np.testing.assert_allclose(ev["lgps_bond"].to_numpy(), 0.5 * deficit)
    assert "not an actuarial valuation" in ev.model.lines["lgps_liability_ongoing"].label
    # gilts basis: same formula at the gilt rate, dearer than the ongoing basis
    gilts = evaluate(
        LgpsAdmission(
            one_member(accrued=10_000, age=55, base="2026-04-01", salary=40_000),
            exit_basis="gilts",
            gilt_discount_rate=0.04,
            contract_years=3,
        ),
        2026,
        3,
    )
    g = 1.04 / 1.02 - 1
    expected = care1 * (1 + g) ** -11 * (1 - (1 + g) ** -23) / g
    assert gilts["lgps_liability_exit"].iloc[0] == pytest.approx(expected)


def test_actuarys_figures_override_the_estimates():
    lgps = LgpsAdmission(
        one_member(accrued=10_000, age=55, base="2026-04-01", salary=40_000),
        actuary_annuity_factor=20.0,
        actuary_opening_assets=150_000,
        actuary_exit_payment=12_345,
        actuary_bond=50_000,
        contract_years=2,
        primary_rate=0.198,
    )
    ev = evaluate(lgps, 2026, 3)
    assert ev["annuity_factor_ongoing"].tolist() == [20.0] * 3
    assert ev["lgps_assets"].iloc[0] == pytest.approx(150_000 * 1.05 + 0.263 * 40_000)
    assert ev["lgps_exit_payment"].tolist() == [0, 12_345, 0]
    assert ev["lgps_bond"].tolist() == [50_000] * 3


def test_bad_admission_inputs():
    with pytest.raises(InputError, match=r"pass-through needs the fixed rate"):
        LgpsAdmission(one_member(), risk_sharing="pass_through")
    with pytest.raises(InputError, match=r"lgps.gilt_discount_rate: its default is the param"):
        evaluate(LgpsAdmission(one_member(), primary_rate=0.2), 2014, 2)
    with pytest.raises(InputError, match=r"lgps.primary_rate: its default is the parameter"):
        evaluate(LgpsAdmission(one_member(), gilt_discount_rate=0.04), 2014, 2)


def test_an_exit_after_the_case_ends_is_not_in_its_figures():
    lgps = LgpsAdmission(one_member(base="2026-04-01"), contract_years=7, primary_rate=0.2)
    ev = evaluate(lgps, 2026, 3)
    assert ev["lgps_exit_year"].tolist() == [0, 0, 0]
    assert ev["lgps_exit_payment"].tolist() == [0, 0, 0]
    assert "after the case's last year" in ev.model.lines["lgps_exit_year"].label


@pytest.mark.libreoffice
def test_admission_sheet_recalculates(tmp_path, soffice):
    lgps = LgpsAdmission(
        one_member(accrued=10_000, age=55, base="2026-04-01", salary=40_000),
        exit_basis="gilts",
        risk_sharing="pass_through",
        fixed_rate=0.2,
        pay_growth=[0.0, 0.03, 0.03],
        cpi_revaluation=[0.02, 0.025, 0.02],
        contract_years=3,
    )
    ev = evaluate(lgps, 2026, 3)
    path = mf.excel.write_workbook(ev, tmp_path / "lgps.xlsx")
    report = mf.excel.verify(path, ev)
    assert report.ok, str(report)
