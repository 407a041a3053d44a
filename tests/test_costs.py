"""Overheads, set-up, premises with business rates relief by legal form, and VAT leakage:
hand-worked figures and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.costs import Overheads, Premises, SetUp, VatLeakage
from mutualfin.errors import InputError
from mutualfin.legal_form import LegalForm


def evaluate(component, timeline, form=None, **others):
    """Build ``component`` alone, in a case whose legal form is ``form`` (and other components)."""
    if form is not None:
        others["legal_form"] = LegalForm(form=form)
    ctx = BuildContext(timeline, component, others={**others, component.key: component})
    return mf.Model(timeline, component.build(ctx)).evaluate()


def test_overheads_each_service_with_inflation():
    o = Overheads(
        hr=60_000, payroll=15_000, finance=80_000, it=120_000, audit=12_000, inflation=0.03
    )
    ev = evaluate(o, mf.Timeline(2026, years=2))
    # total 287,000 (legal, insurance, premises 0); next year x 1.03 = 295,610
    np.testing.assert_allclose(ev["overheads"].to_numpy(), [287_000, 295_610])
    np.testing.assert_allclose(ev["overhead_it"].to_numpy(), [120_000, 123_600])
    assert ev["overhead_legal"].tolist() == [0, 0]


def test_overheads_monthly_are_twelfths():
    o = Overheads(hr=12_000)
    ev = evaluate(o, mf.Timeline("2026-04-01", years=1, freq="monthly"))
    assert ev["overhead_hr"].tolist() == [1_000.0] * 12


def test_setup_costs_with_pre_go_live_in_the_first_period():
    # Suffolk Libraries: set-up at most £652,000; illustrative phasing
    s = SetUp(amounts=[400_000, 100_000, 0], pre_go_live=152_000)
    ev = evaluate(s, mf.Timeline(2012, years=3))
    # 400,000 + 152,000 = 552,000 in the first year
    assert ev["setup_costs"].tolist() == [552_000, 100_000, 0]
    assert ev["setup_costs_cumulative"].tolist() == [552_000, 652_000, 652_000]


def test_business_rates_charity_gets_mandatory_80_percent():
    p = Premises(rent=50_000, running_costs=20_000, rateable_value=100_000, inflation=0.02)
    ev = evaluate(p, mf.Timeline(2024, years=3), "charitable_company_limited_by_guarantee")
    # standard multiplier 54.6p (2024/25), 55.5p (2025/26), 48.0p (2026/27)
    np.testing.assert_allclose(ev["business_rates_multiplier"].to_numpy(), [0.546, 0.555, 0.48])
    # gross 54,600, 55,500, 48,000; relief 80%; payable 10,920, 11,100, 9,600
    np.testing.assert_allclose(ev["business_rates_gross"].to_numpy(), [54_600, 55_500, 48_000])
    np.testing.assert_allclose(ev["business_rates"].to_numpy(), [10_920, 11_100, 9_600])
    # premises: 70,000 x 1.02^t + rates = 80,920; 71,400 + 11,100 = 82,500;
    # 72,828 + 9,600 = 82,428
    np.testing.assert_allclose(ev["premises_costs"].to_numpy(), [80_920, 82_500, 82_428])


def test_business_rates_cic_gets_discretionary_relief_only():
    p = Premises(rateable_value=40_000, discretionary_relief=0.25)
    ev = evaluate(p, mf.Timeline(2025, years=2), "cic_limited_by_shares")
    # small business multiplier below £51,000: 49.9p, 43.2p; gross 19,960 and 17,280
    np.testing.assert_allclose(ev["business_rates_gross"].to_numpy(), [19_960, 17_280])
    # 25% discretionary only: 4,990 and 4,320 relief; payable 14,970 and 12,960
    np.testing.assert_allclose(ev["business_rates_relief"].to_numpy(), [4_990, 4_320])
    np.testing.assert_allclose(ev["business_rates"].to_numpy(), [14_970, 12_960])


def test_business_rates_relief_capped_at_100_percent_and_own_multiplier():
    p = Premises(rateable_value=10_000, multiplier=0.5, discretionary_relief=0.5)
    ev = evaluate(p, mf.Timeline(2026, years=1), "charitable_community_benefit_society")
    # 80% + 50% capped at 100%: nothing to pay on 10,000 x 0.5 = 5,000
    assert ev["business_rates_relief"].tolist() == [5_000]
    assert ev["business_rates"].tolist() == [0]


def test_vat_leakage_beside_council_recovery():
    v = VatLeakage(
        vatable_costs=1_200_000,
        irrecoverable_share=0.9,
        council_recovery_share=0.95,
        cost_inflation=0.02,
    )
    ev = evaluate(v, mf.Timeline(2026, years=2))
    # VAT 20% x 1.2m = 240,000, then x 1.02 = 244,800
    np.testing.assert_allclose(ev["vat_on_inputs"].to_numpy(), [240_000, 244_800])
    # mutual loses 90%: 216,000; council recovered 95%: 228,000, losing 12,000 in-house
    np.testing.assert_allclose(ev["vat_irrecoverable"].to_numpy(), [216_000, 220_320])
    np.testing.assert_allclose(ev["vat_recovered_by_council"].to_numpy(), [228_000, 232_560])
    np.testing.assert_allclose(ev["vat_irrecoverable_in_house"].to_numpy(), [12_000, 12_240])
    # cost of leaving 216,000 - 12,000 = 204,000; 220,320 - 12,240 = 208,080
    np.testing.assert_allclose(ev["vat_cost_of_leaving"].to_numpy(), [204_000, 208_080])


@pytest.mark.parametrize(
    ("cls", "values", "message"),
    [
        (Overheads, {"hr": -1}, r"overheads.hr: -1: input should be greater than"),
        (SetUp, {"amounts": [1, -2, 3]}, r"setup.amounts"),
        (SetUp, {"pre_go_live": -10}, r"setup.pre_go_live: -10"),
        (
            Premises,
            {"legal_form": "cic_limited_by_shares"},
            r"premises.legal_form: is decided by the legal form now.*\[legal_form\] form",
        ),
        (Premises, {"rateable_value": -1}, r"premises.rateable_value: -1"),
        (Premises, {"multiplier": -0.5}, r"premises.multiplier: -0.5"),
        (Premises, {"discretionary_relief": -0.2}, r"discretionary_relief: -0.2 is negative"),
        (
            VatLeakage,
            {"vatable_costs": 1, "irrecoverable_share": 20},
            r"vat.irrecoverable_share: 20: .*less than or equal to 1",
        ),
        (
            VatLeakage,
            {"vatable_costs": 1, "irrecoverable_share": -0.5},
            r"irrecoverable_share: -0.5 is negative",
        ),
    ],
)
def test_bad_input(cls, values, message):
    with pytest.raises(InputError, match=message):
        cls(**values)


def test_rates_relief_without_a_legal_form_is_for_a_body_that_is_not_a_charity():
    ev = evaluate(Premises(rateable_value=100_000), mf.Timeline(2026, years=1))
    assert ev["business_rates_relief"].tolist() == [0.0]  # no mandatory 80%


def test_vat_lost_follows_the_contract_status_the_legal_form_decides():
    """VATA 1994 Sch.9 Group 7: welfare services are exempt only from a charity or a
    state-regulated body; a CIC's are standard-rated, so it recovers its input VAT."""
    from mutualfin.income import Contract

    tl = mf.Timeline(2026, years=1)
    contract = Contract(annual_value=1_000_000, start_date="2026-04-01", term_years=1)
    vat = VatLeakage(vatable_costs=500_000)
    cic = evaluate(vat, tl, "cic_limited_by_shares", contract=contract)
    assert cic["vat_irrecoverable_share"].tolist() == [0.0]
    assert cic["vat_irrecoverable"].tolist() == [0.0]
    exempt = Contract(annual_value=1e6, start_date="2026-04-01", term_years=1, vat_status="exempt")
    cic_form = {"legal_form": LegalForm(form="cic_limited_by_shares")}
    with pytest.raises(InputError, match=r"contract.vat_status: 'exempt' needs a charity"):
        exempt.build(BuildContext(tl, exempt, others=cic_form))
