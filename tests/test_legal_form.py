"""Legal form: corporation tax exposure, mandatory rates relief and Employment Allowance by
form, and the refusal of an unknown form."""

from __future__ import annotations

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.errors import InputError
from mutualfin.legal_form import CHARITABLE_FORMS, LEGAL_FORMS, LegalForm


@pytest.mark.parametrize("form", sorted(LEGAL_FORMS))
def test_each_form_decides_tax_rates_relief_and_employment_allowance(form):
    lf = LegalForm(form=form, public_work_share=0.9)
    charity = form in CHARITABLE_FORMS
    assert lf.is_charity is charity
    assert lf.mandatory_rates_relief is charity
    # 90% public work bars Employment Allowance unless a charity (NICA 2014 s.3(1)(d))
    assert lf.employment_allowance_eligible is charity
    assert lf.taxable_share == (0.0 if charity else 1.0)


def test_a_cic_is_never_a_charity():
    for form in ("cic_limited_by_shares", "cic_limited_by_guarantee"):
        assert not LegalForm(form=form).is_charity
    with pytest.raises(InputError, match=r"a CIC cannot be a charity"):
        LegalForm(form="charitable_cic")


def test_employment_allowance_reuses_the_tax_rule():
    cic = LegalForm(form="cic_limited_by_shares", public_work_share=0.4)
    ea = cic.employment_allowance(25_000, "2025/26")
    # under 50% public work: eligible for £10,500 in 2025/26
    assert ea.eligible and ea.amount == 10_500
    barred = LegalForm(form="co_operative_society", public_work_share=0.5)
    assert "50% or more" in barred.employment_allowance_reason
    assert barred.employment_allowance(25_000, "2025/26").amount == 0


def test_lines_and_corporation_tax_by_form():
    tl = mf.Timeline(2026, years=2)
    surplus = mf.Input("test_surplus", [100_000.0, 300_000.0])
    out = {}
    for form in ("cic_limited_by_shares", "charitable_community_benefit_society"):
        lf = LegalForm(form=form, primary_purpose_share=0.8)
        lines = lf.build(BuildContext(tl, lf))
        tax = mf.Line(f"ct_{form}", lf.corporation_tax(surplus))
        out[form] = mf.Model(tl, [*lines, tax]).evaluate()
    cic = out["cic_limited_by_shares"]
    # CIC: FY2026 100,000 -> 25,000 - 3/200 x 150,000 = 22,750; 300,000 -> 25% = 75,000
    np.testing.assert_allclose(cic["ct_cic_limited_by_shares"].to_numpy(), [22_750, 75_000])
    assert cic["mandatory_rates_relief_rate"].tolist() == [0, 0]
    assert cic["employment_allowance_eligible"].tolist() == [0, 0]
    cbs = out["charitable_community_benefit_society"]
    # charity: taxed on the 20% outside primary purpose: 20,000 x 19% = 3,800;
    # 60,000 -> 15,000 - 3/200 x 190,000 = 12,150
    np.testing.assert_allclose(cbs["taxable_share_of_surplus"].to_numpy(), [0.2, 0.2])
    np.testing.assert_allclose(
        cbs["ct_charitable_community_benefit_society"].to_numpy(), [3_800, 12_150]
    )
    assert cbs["mandatory_rates_relief_rate"].tolist() == [0.8, 0.8]
    assert cbs["employment_allowance_eligible"].tolist() == [1, 1]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"form": "limited company"},
            r"legal_form.form: unknown legal form 'limited company'; .*allowed: "
            r"cic_limited_by_shares, cic_limited_by_guarantee, community_benefit_society",
        ),
        ({"form": "cooperative_society"}, r"did you mean 'co_operative_society'"),
        ({"form": "cic_limited_by_shares", "public_work_share": -0.5}, r"-0.5 is negative"),
        ({"form": "cic_limited_by_shares", "public_work_share": 90}, r"less than or equal to 1"),
        ({}, r"legal_form.form: missing"),
    ],
)
def test_bad_input(values, message):
    with pytest.raises(InputError, match=message):
        LegalForm(**values)
