"""Quick start: build a small business case in Python, print it, write and check the workbook.

    python examples/quickstart.py [OUTPUT_DIR]

Writes quickstart.xlsx and two charts to OUTPUT_DIR (a new temporary directory by default).
All figures are illustrative.
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import mutualfin as mf
from mutualfin import plots
from mutualfin.costs import Overheads, Premises
from mutualfin.excel import recalc
from mutualfin.income import Contract, TradedIncome
from mutualfin.legal_form import LegalForm
from mutualfin.pensions import LgpsAdmission
from mutualfin.workforce import StaffCosts

# a case warns once about the parameters it holds flat beyond their data; printed below
warnings.simplefilter("ignore", mf.errors.AssumptionWarning)

MODELS = Path(__file__).resolve().parents[1] / "models"


def main(out: Path) -> None:
    timeline = mf.Timeline("2026/27", years=5)
    roster = mf.Roster.from_csv(MODELS / "schools_support_staff.csv", "2026-04-01")
    case = mf.BusinessCase(
        timeline,
        [
            Contract(annual_value=977_891, start_date="2026-04-01", term_years=5),
            TradedIncome(customers=110, price=9_500, customer_growth=0.05),
            StaffCosts(roster, pay_award=0.025, vacancy_factor=0.02),
            LgpsAdmission(roster, primary_rate=0.16),
            Overheads(it=260_000, insurance=30_000, audit=15_000, inflation=0.025),
            Premises(rent=85_000),
            LegalForm(form="company_limited_by_shares"),
            mf.CaseFinance(opening_cash=100_000, creditor_days=30),
        ],
        name="Quick-start schools support mutual",
    )
    results = case.run()
    print(results.statements["Income and expenditure"].round(0).to_string())
    for name in results.metrics.index:
        print(f"{name:32s} {results.metric_text(name)}")
    assert results.checks["ok"].all()
    print(f"{len(case.assumptions)} assumptions, e.g. {case.assumptions[0]}")

    path = results.to_excel(out / "quickstart.xlsx", overwrite=True)
    print(f"workbook: {path}")
    if recalc.find_soffice():
        print(results.verify(path))
    plots.income_vs_costs(results).savefig(out / "income_vs_costs.png", dpi=100)
    plots.cash_and_reserves(results).savefig(out / "cash_and_reserves.png", dpi=100)
    print(f"charts: {out}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        main(target)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
