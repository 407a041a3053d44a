"""The staff sheet recalculates in LibreOffice to the numpy values: a small roster and a
roster of 500 employees over 10 years (one row block per employee, totals as SUM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.roster import Roster
from mutualfin.workforce import StaffCosts

DATA = Path(__file__).parent / "data"


def build(roster, years, others=None, **inputs):
    staff = StaffCosts(roster, **inputs)
    tl = mf.Timeline(2026, years=years)
    return mf.Model(tl, staff.build(BuildContext(tl, staff, others=others or {}))).evaluate()


def large_roster(n: int = 500, seed: int = 5) -> Roster:
    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 66, n)
    service = np.minimum(rng.integers(0, 30, n), ages - 16)
    frame = pd.DataFrame(
        {
            "id": [f"E{i:04d}" for i in range(n)],
            "role": rng.choice(["Support worker", "Senior", "Manager"], n),
            "fte": rng.choice([0.4, 0.5, 0.6, 0.8, 1.0], n),
            "salary": rng.uniform(18_000, 70_000, n).round(0),
            "age": ages,
            "service_start": [f"{2026 - int(s) - 1}-09-01" for s in service],
            "scheme": rng.choice(["LGPS", "LGPS", "LGPS", "NHS", "TPS", "none"], n),
        }
    )
    lgps = frame["scheme"] == "LGPS"
    frame["lgps_section"] = np.where(lgps, rng.choice(["main", "main", "main", "50/50"], n), "")
    return Roster.from_frame(frame, "2026-04-01")


@pytest.mark.libreoffice
def test_small_roster_staff_sheet_recalculates(tmp_path, soffice):
    roster = Roster.from_csv(DATA / "roster_small.csv", "2026-04-01")
    others = {
        "legal_form": mf.legal_form.LegalForm(form="charitable_community_benefit_society"),
        # one leaves mid-way through the second year, one never transfers: their last day
        # is a date on the Roster sheet, and pay follows it in the workbook
        "transfer": mf.workforce.TransferCosts(
            roster, redundant=["E002"], redundancy_date="2027-10-01", not_transferred=["E006"]
        ),
    }
    ev = build(
        roster,
        3,
        others,
        pay_award=[0.0, 0.03, 0.025],
        incremental_drift=0.01,
        vacancy_factor=0.03,
        turnover=0.12,
        starting_salary_ratio=0.92,
    )
    in_post = ev["in_post_employee"]
    assert in_post.loc["E006"].tolist() == [0, 0, 0]
    # E002 leaves on 1 October 2027: employed 183 of 366 days of 2027/28 (1 April-30 September)
    assert in_post.loc["E002"].tolist() == pytest.approx([1, 183 / 366, 0])
    path = mf.excel.write_workbook(ev, tmp_path / "staff_small.xlsx")
    report = mf.excel.verify(path, ev)
    assert report.ok, str(report)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_500_employees_over_10_years_recalculate(tmp_path, soffice):
    ev = build(
        large_roster(),
        10,
        pay_award=0.025,
        incremental_drift=0.008,
        vacancy_factor=0.04,
        turnover=0.134,
        starting_salary_ratio=0.93,
    )
    # a paybill of about £7m: the levy bites
    assert ev["staff_pay"].iloc[0] > 3_000_000 and ev["apprenticeship_levy"].iloc[0] > 0
    path = mf.excel.write_workbook(ev, tmp_path / "staff_500.xlsx")
    # LibreOffice alone: the second engine would take minutes on these ~60,000 formula cells
    # (it runs on every shipped case in test_models.py)
    report = mf.excel.verify(path, ev, excel_rules=False)
    assert report.ok, str(report)
