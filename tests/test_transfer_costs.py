"""TransferCosts: redundancy (statutory and enhanced), LGPS strain estimate or actuary's
figure, pay protection, harmonisation and staff not taken, worked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.roster import Roster
from mutualfin.workforce import TransferCosts, early_retirement_reduction

SMALL = Roster.from_csv(Path(__file__).parent / "data" / "roster_small.csv", "2026-04-01")


def evaluate(component, years=3):
    tl = mf.Timeline(2026, years=years)
    return mf.Model(tl, component.build(BuildContext(tl, component))).evaluate()


def penny(x):
    return pytest.approx(x, abs=0.005)


def test_redundancy_statutory_enhanced_and_strain_estimate_by_hand():
    costs = TransferCosts(
        SMALL,
        redundant=["E001", "E003"],
        enhancement_multiplier=2,
        weekly_pay_basis="actual",
        strain_capitalisation_factor=20,
        pay_protection_amount=5_000,
        pay_protection_years=2,
        harmonisation_cost=[10_000, 0, 0],
        not_transferred=["E006"],
    )
    sched = costs.schedule()
    # E001 at 1 April 2026: 35, 10 years (ages 25-34, 1 week each) x 24,500 / 52 = 471.15
    # (under the £719 cap of 6 April 2025): 4,711.54
    # E003: 58, 31 years, last 20 count (ages 38-57): 3 x 1 + 17 x 1.5 = 28.5 weeks x £719
    assert sched["statutory"].tolist() == [penny(4_711.538462), penny(20_491.5)]
    # enhanced: 2 x weeks of actual pay, less statutory: 20 x 471.15 - 4,711.54;
    # 57 x 45,000 / 52 - 20,491.50
    assert sched["enhanced_extra"].tolist() == [penny(4_711.538462), penny(28_835.423077)]
    # strain (E003 only, LGPS and 55+): 45,000 x 31 / 49 = 28,469.39 accrued (estimate),
    # 67 - 58 = 9 years early -> 33.0% (GAD), x factor 20 = 187,897.96
    assert sched["strain_estimate"].tolist() == [0, penny(187_897.959184)]
    ev = evaluate(costs)
    assert ev["statutory_redundancy"].tolist() == [penny(25_203.038462), 0, 0]
    assert ev["enhanced_redundancy"].tolist() == [penny(33_546.961538), 0, 0]
    assert ev["pension_strain"].tolist() == [penny(187_897.959184), 0, 0]
    assert "estimate, not an actuarial" in ev.model.lines["pension_strain"].label
    assert ev["pay_protection"].tolist() == [5_000, 5_000, 0]
    assert ev["harmonisation"].tolist() == [10_000, 0, 0]
    assert ev["transfer_costs"].tolist() == [penny(261_647.959184), 5_000, 0]
    # E006 stays with the council: 6,000 x 1.3 for one year
    assert ev["staff_not_transferred_cost"].tolist() == [penny(7_800), 0, 0]


def test_weeks_cap_and_statutory_cap_basis():
    costs = TransferCosts(
        SMALL, redundant=["E003"], enhancement_multiplier=3, weeks_cap=52, pension_strain=50_000
    )
    # 28.5 x 3 = 85.5 weeks, capped at 52, at the £719 statutory week: 37,388 - 20,491.50
    assert costs.schedule()["enhanced_extra"].iloc[0] == penny(16_896.5)
    ev = evaluate(costs, years=1)
    # the actuary's strain replaces the estimate
    assert ev["pension_strain"].iloc[0] == 50_000
    assert "fund actuary's figure" in ev.model.lines["pension_strain"].label


def test_later_redundancy_date_uses_that_years_cap_and_ages():
    costs = TransferCosts(SMALL, redundant=["E003"], redundancy_date="2026-12-31", pension_strain=0)
    ev = evaluate(costs)
    # at 31 December 2026 E003 is still 58 with 31 years: 28.5 weeks at the £751 cap of
    # 6 April 2026 (not £719), in 2026/27
    assert ev["statutory_redundancy"].tolist() == [penny(28.5 * 751), 0, 0]


def test_gad_reduction_table_interpolates():
    np.testing.assert_allclose(
        early_retirement_reduction([0, 1, 9, 9.5, 13, 20]), [0, 0.049, 0.33, 0.343, 0.439, 0.439]
    )


def test_bad_transfer_inputs():
    with pytest.raises(InputError, match=r"transfer.redundant: 1 id\(s\) are not on the roster"):
        TransferCosts(SMALL, redundant=["E404"])
    with pytest.raises(InputError, match=r"both made redundant and not transferred"):
        TransferCosts(SMALL, redundant=["E001"], not_transferred=["E001"])
    with pytest.raises(InputError, match=r"strain_capitalisation_factor: needed .*\['E003'\]"):
        evaluate(TransferCosts(SMALL, redundant=["E003"]))
    with pytest.raises(InputError, match=r"redundancy_date: 2030-01-01 is outside the timeline"):
        evaluate(TransferCosts(SMALL, redundant=["E001"], redundancy_date="2030-01-01"))
