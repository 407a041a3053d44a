"""Every issue-6 component's lines written as a workbook, recalculated in LibreOffice and
compared cell by cell with Python (mutualfin.excel.verify)."""

from __future__ import annotations

import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.costs import Overheads, Premises, SetUp, VatLeakage
from mutualfin.income import Contract, Grants, Pipeline, TradedIncome
from mutualfin.legal_form import LegalForm
from mutualfin.savings import AbsenceSavings, TurnoverSavings

ANNUAL = mf.Timeline(2025, years=4)
MONTHLY = mf.Timeline("2026-04-01", years=2, freq="monthly")

COMPONENTS = {
    "contract": lambda: Contract(
        annual_value=4_200_000,
        indexation=0.02,
        efficiency_target=0.03,
        start_date="2025-04-01",
        term_years=3,
        break_after_years=2,
        extension_years=1,
        extension_taken=True,
        payment_lag_months=1,
        reserved_for_mutual=True,
        award_date="2025-02-24",
    ),
    "contract_series": lambda: Contract(
        annual_value=977_891,
        efficiency_target=[0.0, 0.05, 0.1, 0.1],
        indexation=[0.0, 0.02, 0.02, 0.03],
        start_date="2025-04-01",
        term_years=4,
    ),
    "traded": lambda: TradedIncome(
        customers=40, price=1_500, volume_per_customer=2, customer_growth=0.1, churn=0.05
    ),
    "pipeline": lambda: Pipeline(
        opportunities=[
            {
                "name": "Schools HR",
                "annual_value": 200_000,
                "start_date": "2026-04-01",
                "term_years": 2,
                "win_probability": 0.5,
                "source": "bid log",
            }
        ],
        indexation=0.02,
    ),
    "grants": lambda: Grants(
        grants=[{"name": "Transition grant", "amount": 100_000, "date": "2025-04-01"}]
    ),
    "absence": lambda: AbsenceSavings(
        fte=155,
        days_lost_before=8.8,
        days_lost_after=7.04,
        ramp_years=2,
        annual_pay=25_000,
        on_cost_rate=0.3,
        backfill_share=0.5,
        backfill_premium=0.4,
        pay_inflation=0.03,
    ),
    "turnover": lambda: TurnoverSavings(
        fte=155, turnover_before=0.134, turnover_after=0.1126, ramp_years=3, cost_inflation=0.02
    ),
    "overheads": lambda: Overheads(hr=60_000, payroll=15_000, it=120_000, inflation=0.03),
    "setup": lambda: SetUp(amounts=[100_000, 50_000, 0, 0], pre_go_live=80_000),
    "premises": lambda: Premises(
        rent=50_000,
        running_costs=20_000,
        rateable_value=100_000,
        discretionary_relief=0.1,
        inflation=0.02,
    ),
    "premises_cic": lambda: Premises(rateable_value=40_000, discretionary_relief=0.2),
    "vat": lambda: VatLeakage(
        vatable_costs=1_200_000, irrecoverable_share=0.9, council_recovery_share=0.95
    ),
    "legal_form": lambda: LegalForm(
        form="charitable_community_benefit_society", primary_purpose_share=0.8
    ),
}

MONTHLY_COMPONENTS = {
    "contract": lambda: Contract(
        annual_value=120_000,
        indexation=0.05,
        start_date="2026-04-01",
        term_years=2,
        payment_lag_months=2,
    ),
    "absence": lambda: AbsenceSavings(
        fte=12, days_lost_before=10, days_lost_after=4, ramp_years=1, annual_pay=22_500
    ),
    "overheads": lambda: Overheads(hr=12_000, inflation=0.03),
}


def check(timeline, component, tmp_path, soffice):
    lines = component.build(BuildContext(timeline, component))
    ev = mf.Model(timeline, lines).evaluate()
    path = mf.excel.write_workbook(ev, tmp_path / f"{component.key}.xlsx")
    report = mf.excel.verify(path, ev)
    assert report.ok, str(report)
    assert report.checked > 0


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_annual_component_recalculates_in_libreoffice(name, tmp_path, soffice):
    check(ANNUAL, COMPONENTS[name](), tmp_path, soffice)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", sorted(MONTHLY_COMPONENTS))
def test_monthly_component_recalculates_in_libreoffice(name, tmp_path, soffice):
    check(MONTHLY, MONTHLY_COMPONENTS[name](), tmp_path, soffice)


@pytest.mark.libreoffice
def test_all_components_in_one_workbook(tmp_path, soffice):
    # one of each component (the variants would repeat line names): line names are unique
    # across the whole business case
    lines = []
    for name in sorted(set(COMPONENTS) - {"contract_series", "premises_cic"}):
        component = COMPONENTS[name]()
        lines.extend(component.build(BuildContext(ANNUAL, component)))
    ev = mf.Model(ANNUAL, lines).evaluate()
    path = mf.excel.write_workbook(ev, tmp_path / "business_case.xlsx")
    report = mf.excel.verify(path, ev)
    assert report.ok, str(report)
