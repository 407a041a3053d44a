"""The expression forms of the tax calculators inside a model: Python equals the scalar
calculators year by year, and the workbook LibreOffice recalculates equals Python."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.errors import InputError, ParameterRangeError
from mutualfin.excel import verify, write_workbook
from mutualfin.tax import apprenticeship_levy, corporation_tax, employer_ni

YEARS = [2022, 2023, 2024, 2025, 2026]
PROFITS = [100_000, 100_000, 40_000, 300_000, 150_000]


def annual_model(associated_companies: int = 0) -> mf.Model:
    profit = mf.Input("surplus_before_tax", PROFITS, unit="GBP")
    pay = mf.Input("pay_per_employee", 30_000.0, unit="GBP")
    paybill = mf.Input("paybill", 4_000_000.0, unit="GBP")
    lines = [
        mf.Line(
            "corporation_tax",
            corporation_tax(profit, associated_companies=associated_companies),
        ),
        mf.Line("employer_ni", employer_ni(pay)),
        mf.Line("apprenticeship_levy", apprenticeship_levy(paybill)),
    ]
    return mf.Model(mf.Timeline(2022, years=5), lines)


def test_expr_forms_equal_the_scalar_calculators_each_year():
    ev = annual_model().evaluate()
    for i, year in enumerate(YEARS):
        assert ev["corporation_tax"].iloc[i] == pytest.approx(
            corporation_tax(PROFITS[i], financial_year=year), abs=0.005
        )
        assert ev["employer_ni"].iloc[i] == pytest.approx(
            employer_ni(30_000, tax_year=year), abs=0.005
        )
        assert ev["apprenticeship_levy"].iloc[i] == pytest.approx(
            apprenticeship_levy(4_000_000, tax_year=year), abs=0.005
        )
    # by hand: FY2022 19% x 100,000; FY2023 22,750 (HMRC example); FY2024 19% x 40,000;
    # FY2025 25% x 300,000; FY2026 37,500 - 3/200 x 100,000
    np.testing.assert_allclose(
        ev["corporation_tax"].to_numpy(), [19_000, 22_750, 7_600, 75_000, 36_000]
    )
    # 2022/23 day-weighted 14.53288% x 20,900; 13.8% x 20,900 twice; 15% x 25,000 twice
    np.testing.assert_allclose(
        ev["employer_ni"].to_numpy(), [3_037.3712, 2_884.20, 2_884.20, 3_750, 3_750], atol=0.005
    )


def test_expr_corporation_tax_with_associated_companies():
    ev = annual_model(associated_companies=1).evaluate()
    # FY2023 limits halved (25,000 / 125,000): 25,000 - 3/200 x 25,000 = 24,625
    assert ev["corporation_tax"].iloc[1] == pytest.approx(24_625)


def test_expr_monthly_ni_and_levy_use_the_pay_day_rule():
    pay = mf.Input("monthly_pay", 2_500.0, unit="GBP")
    paybill = mf.Input("monthly_paybill", 300_000.0, unit="GBP")
    lines = [
        mf.Line("employer_ni", employer_ni(pay)),
        mf.Line("apprenticeship_levy", apprenticeship_levy(paybill)),
    ]
    ev = mf.Model(mf.Timeline("2022-04-01", years=1, freq="monthly"), lines).evaluate()
    ni = ev["employer_ni"].to_numpy()
    # paid on month ends: April-October at 15.05% x (2,500 - 758.33) = 262.12,
    # November-March at 13.8% = 240.35
    np.testing.assert_allclose(ni, [262.120833] * 7 + [240.35] * 5, atol=0.005)
    for month_end, value in zip(mf.Timeline("2022-04-01", 1, "monthly").ends, ni, strict=True):
        assert value == pytest.approx(mf.tax.employer_ni_monthly(2_500, on=month_end))
    # 0.5% x 300,000 - 15,000 / 12 = 1,500 - 1,250 (the allowance is set against the levy)
    np.testing.assert_allclose(ev["apprenticeship_levy"].to_numpy(), 250.0)


def test_expr_forms_refuse_a_year():
    pay = mf.Input("pay_per_employee", 30_000.0)
    with pytest.raises(InputError, match="comes from the timeline"):
        employer_ni(pay, tax_year=2025)
    with pytest.raises(InputError, match="comes from the timeline"):
        corporation_tax(pay, financial_year=2025)
    with pytest.raises(InputError, match="pro-rated by the length"):
        corporation_tax(pay, period_months=6)
    with pytest.raises(InputError, match="comes from the timeline"):
        apprenticeship_levy(pay, tax_year=2025)


def test_expr_levy_before_2017_is_refused_by_the_parameter():
    paybill = mf.Input("paybill", 4_000_000.0)
    model = mf.Model(mf.Timeline(2015, years=2), [mf.Line("levy", apprenticeship_levy(paybill))])
    with pytest.raises(ParameterRangeError, match="2017-04-06"):
        model.evaluate()


@pytest.mark.libreoffice
def test_annual_workbook_verifies(soffice, tmp_path):
    ev = annual_model().evaluate()
    path = write_workbook(ev, tmp_path / "calculators.xlsx", overwrite=True)
    report = verify(path, ev)
    assert report.ok, str(report)


@pytest.mark.libreoffice
def test_monthly_workbook_verifies(soffice, tmp_path):
    pay = mf.Input("monthly_pay", 2_500.0, unit="GBP")
    profit = mf.Input("monthly_surplus", 10_000.0, unit="GBP")
    lines = [
        mf.Line("employer_ni", employer_ni(pay)),
        mf.Line("corporation_tax", corporation_tax(profit)),
    ]
    ev = mf.Model(mf.Timeline(dt.date(2022, 4, 1), years=2, freq="monthly"), lines).evaluate()
    path = write_workbook(ev, tmp_path / "monthly.xlsx", overwrite=True)
    report = verify(path, ev)
    assert report.ok, str(report)


def test_expr_corporation_tax_with_augmented_profits():
    profit = mf.Input("taxable_profit", 100_000.0)
    augmented = mf.Input("augmented_profit", 120_000.0)
    line = mf.Line("corporation_tax", corporation_tax(profit, augmented_profits=augmented))
    ev = mf.Model(mf.Timeline(2022, years=2), [line]).evaluate()
    # FY2022 single rate 19% x 100,000; FY2023 25,000 - 3/200 x 130,000 x 100/120 = 23,375
    np.testing.assert_allclose(ev["corporation_tax"].to_numpy(), [19_000, 23_375])
