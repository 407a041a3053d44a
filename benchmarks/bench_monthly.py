"""Cash month by month at scale (issue 17): a 500-employee case planned by month for five
years (60 months), against the same case by financial year, in the same process.

The case: a youth-service mutual built from the shipped components: a £19.5m council contract
paid monthly in arrears with indexation and an efficiency target, traded income, 500 staff
from a seeded roster (pay, employer NI, pensions per employee; 90% in the LGPS through an
admission agreement), support services, set-up, premises, VAT returns, a loan and a
working-capital facility; six uncertain inputs (the pay award among them, so every
employee's pay, NI and pension varies by scenario).

Measured, each as a ratio against a baseline run in the same process:

1. ``case.run()`` (build the model and evaluate it once): the monthly case against the same
   case on financial years (target: under 2 s);
2. the workbook (``results.to_excel``, formulas only): the full model (every employee's rows,
   the workbook the target was set for) and the publication pack (staff in cohorts), each
   against plain openpyxl writing the same number of formula cells (as ``bench_workbook.py``;
   target: under 15 s);
3. ``simulate(10_000)``: against the annual case's ``simulate(10_000)`` (target: under 30 s);

with the peak of memory allocated during each (``tracemalloc``, in a separate run, since
tracing slows Python down), the process's peak resident set, and the CPU time of each
(on a machine shared with other work the wall time is longer; on a quiet one, about the
CPU time).

Run: ``python benchmarks/bench_monthly.py [--staff 500] [--years 5] [--n 10000]
[--repeat 3]``. Timings vary with the machine and its load; compare the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import pathlib
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np
import openpyxl
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mutualfin as mf  # noqa: E402
from mutualfin import risk  # noqa: E402
from mutualfin.case import BusinessCase, CaseFinance, Loan  # noqa: E402
from mutualfin.components.pensions import LgpsAdmission  # noqa: E402
from mutualfin.costs import Overheads, Premises, SetUp, VatLeakage  # noqa: E402
from mutualfin.income import Contract, TradedIncome  # noqa: E402
from mutualfin.legal_form import LegalForm  # noqa: E402
from mutualfin.roster import Roster  # noqa: E402
from mutualfin.workforce import StaffCosts  # noqa: E402


def tri(value: float, low: float, high: float) -> dict:
    return {"value": value, "uncertainty": {"triangular": [low, value, high]}}


def roster(n: int) -> Roster:
    """A seeded roster of ``n`` staff: 90% LGPS, the rest on no scheme, some part-time."""
    rng = np.random.default_rng(2026)
    frame = pd.DataFrame(
        {
            "id": [f"E{k:04d}" for k in range(1, n + 1)],
            "fte": rng.choice([1.0, 1.0, 1.0, 0.8, 0.6, 0.5], n),
            "salary": rng.integers(22_000, 45_000, n).astype(float),
            "date_of_birth": [
                dt.date(1958 + int(y), 1 + int(m), 15)
                for y, m in zip(rng.integers(0, 30, n), rng.integers(0, 12, n), strict=True)
            ],
            "service_start": [dt.date(2006 + int(y), 4, 1) for y in rng.integers(0, 20, n)],
            "scheme": rng.choice(["LGPS"] * 9 + ["none"], n),
            "lgps_section": "main",
        }
    )
    return Roster.from_frame(frame, "2026-04-01", source="generated roster")


def case(staff: int, years: int, freq: str) -> BusinessCase:
    people = roster(staff)
    tl = mf.Timeline("2026/27", years=years, freq=freq)
    return BusinessCase(
        tl,
        [
            Contract(
                annual_value=tri(19_500_000, 18_500_000, 20_000_000),
                indexation=tri(0.03, 0.02, 0.04),
                efficiency_target=0.005,
                start_date="2026-04-01",
                term_years=years,
                payment_lag_months=1,
            ),
            TradedIncome(customers=40, price=1_500, volume_per_customer=2, customer_growth=0.05),
            StaffCosts(
                people,
                pay_award=tri(0.03, 0.02, 0.05),
                incremental_drift=0.005,
                vacancy_factor=tri(0.03, 0.0, 0.06),
            ),
            LgpsAdmission(people, primary_rate=tri(0.17, 0.14, 0.21), contract_years=years),
            LegalForm(form="cic_limited_by_shares", public_work_share=0.9),
            Overheads(hr=150_000, payroll=40_000, finance=200_000, it=250_000, inflation=0.02),
            Premises(rent=300_000, running_costs=200_000, rateable_value=150_000),
            VatLeakage(vatable_costs=600_000),
            SetUp(pre_go_live=250_000),
            CaseFinance(opening_cash=tri(300_000, 200_000, 400_000), creditor_days=30),
            Loan(amount=500_000, interest_rate=0.06, term_years=5),
            mf.Facility(interest_rate=0.09),
        ],
        name=f"Monthly benchmark ({staff} staff, {years} years, {freq})",
        entities=people.entities,
    )


#: CPU seconds of the fastest run of each best_of call, in order (on a machine shared with
#: other work, wall time exceeds CPU time; on a quiet one they are close)
CPU: list[float] = []


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    CPU.append(cpu)
    return best, out


def traced_peak(fn) -> float:
    """MiB allocated at the peak of one call of ``fn`` (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def plain_openpyxl(n_formulas: int, path: pathlib.Path) -> float:
    """Seconds for plain openpyxl to write ``n_formulas`` simple formula cells."""
    t0 = time.perf_counter()
    wb = openpyxl.Workbook()
    ws = wb.active
    per_row = 10
    for r in range(n_formulas // per_row + 1):
        for c in range(per_row):
            ws.cell(row=r + 1, column=c + 1, value=f"=A{r + 1}*(1+B{r + 1})^{c}")
    wb.save(path)
    return time.perf_counter() - t0


def count_formulas(path: pathlib.Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    n = sum(
        1
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str) and v.startswith("=")
    )
    wb.close()
    return n


def main() -> None:
    warnings.simplefilter("ignore", mf.errors.AssumptionWarning)  # parameters held flat
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staff", type=int, default=500)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, mutualfin "
        f"{mf.__version__}; {args.staff} staff, {args.years} years, {args.n:,} scenarios"
    )

    def run(freq: str):
        return lambda: case(args.staff, args.years, freq).run()

    rows = []
    t_month, results = best_of(run("monthly"), args.repeat)
    t_year, _ = best_of(run("annual"), args.repeat)
    rows.append(
        (
            "case.run() (build and evaluate)",
            t_month,
            CPU[0],
            t_year,
            "annual case.run()",
            2.0,
            traced_peak(run("monthly")),
        )
    )
    assert results.checks["ok"].all(), results.checks

    with tempfile.TemporaryDirectory() as tmp:
        # the full model (every employee's rows: the workbook the target was set for) and the
        # publication pack (staff in cohorts), formulas only (no LibreOffice recalculation)
        for pack in ("full", "publication"):
            path = pathlib.Path(tmp) / f"monthly-{pack}.xlsx"
            t0, c0 = time.perf_counter(), time.process_time()
            results.to_excel(path, pack=pack, store_values=False)
            t_book = time.perf_counter() - t0
            cpu_book = time.process_time() - c0
            cells = count_formulas(path)
            t_plain = plain_openpyxl(cells, pathlib.Path(tmp) / "plain.xlsx")
            rows.append(
                (
                    f"workbook, {pack} ({cells:,} formula cells)",
                    t_book,
                    cpu_book,
                    t_plain,
                    "plain openpyxl, same cells",
                    15.0,
                    float("nan"),
                )
            )

    monthly = case(args.staff, args.years, "monthly")
    annual = case(args.staff, args.years, "annual")

    def simulate(c):
        return lambda: risk.simulate(c, args.n, seed=1, progress=False)

    t_mc, sim = best_of(simulate(monthly), args.repeat)
    t_mc_year, _ = best_of(simulate(annual), args.repeat)
    rows.append(
        (
            f"simulate({args.n:,})",
            t_mc,
            CPU[-2],  # the monthly run's (the annual one is timed after it)
            t_mc_year,
            "annual simulate",
            30.0,
            traced_peak(simulate(monthly)),
        )
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"\n{'measure':38s} {'monthly s':>10s} {'CPU s':>7s} {'baseline s':>11s} {'ratio':>7s} "
        f"{'target s':>9s} {'peak traced MiB':>16s}  baseline"
    )
    for what, t, cpu, base, base_name, target, peak in rows:
        mark = "ok" if t < target else "OVER"
        print(
            f"{what:38s} {t:10.2f} {cpu:7.2f} {base:11.2f} {t / base:7.1f} {target:6.0f} "
            f"{mark:>2s} {peak:16.0f}  {base_name}"
        )
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(f"\npeak resident set of the process: {rss:,.0f} MiB")
    # the facility holds cash at the floor, so its peak is the trough it covers
    peak = sim.percentiles().loc["facility_peak"]
    print(
        f"working-capital facility needed (peak drawn): 10th percentile £{peak['p10']:,.0f}, "
        f"90th £{peak['p90']:,.0f}"
    )


if __name__ == "__main__":
    main()
