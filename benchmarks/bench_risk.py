"""Monte Carlo benchmark: ``mutualfin.risk.simulate`` against a Python loop of ``case.run``.

Two cases:

* the shipped example ``models/youth_service.toml`` (5 years, 155 staff from its roster, the
  five uncertain inputs its file declares);
* a 10-year youth-service mutual built here from the shipped components: a £4.2m council
  contract with indexation and an efficiency target, traded income, 90 staff from a seeded
  roster (pay, employer NI and LGPS per employee), support services, set-up costs, a loan,
  debtors and creditors; nine uncertain inputs, two pairs rank-correlated.

Measured for each:

1. ``simulate(case, 100_000, seed=1)``: wall time (best of ``--repeat``), and peak memory:
   the peak of memory allocated during the run (``tracemalloc``, in a separate run, since
   tracing slows Python down) and the process's peak resident set (``ru_maxrss``).
2. The per-scenario cost of the same case run once per scenario in a Python loop
   (``case.run(overrides)`` for 100 of the drawn scenarios), and the ratio of the two; the
   largest NPV difference between the loop and the vectorised run (0: they agree exactly).

Run: ``python benchmarks/bench_risk.py [--case both|shipped|ten-year] [--n 100000]
[--loop 100] [--repeat 3]`` (prints a table per case). Timings vary with the machine and its
load; the ratio is what to compare.

Measured (2-core VM shared with other developers' test runs, load about 4; numpy 2.4.6,
Python 3.11.7), one run after issue 19's factored evaluation (before it: 2.5-4.0 s and
69-128x):

| case | simulate(100,000) | per scenario | case.run loop | ratio | peak traced | peak RSS |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| shipped, 5 years, 155 staff | 0.54 s | 5.4 us | 7.6 ms | 1,412x | 47 MiB | 161 MiB |
| built, 10 years, 90 staff | 0.54 s | 5.4 us | 6.1 ms | 1,127x | 72 MiB | 214 MiB |

Loop and vectorised NPVs agree to within £1e-8 (rounding: the vectorised run totals
per-employee lines in factored form, sum_e(salary x fte) x (1 - vacancy), where the loop
multiplies each employee first). ``youth_service_case(staff, years)`` builds other sizes;
``bench_montecarlo.py`` uses it for a 500-staff, 10-year case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import pathlib
import platform
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mutualfin as mf  # noqa: E402
from mutualfin import risk  # noqa: E402
from mutualfin.case import BusinessCase, CaseFinance, Loan  # noqa: E402
from mutualfin.costs import Overheads, SetUp  # noqa: E402
from mutualfin.income import Contract, TradedIncome  # noqa: E402
from mutualfin.roster import Roster  # noqa: E402
from mutualfin.workforce import StaffCosts  # noqa: E402

YEARS = 10
STAFF = 90
SHIPPED = ROOT / "models" / "youth_service.toml"


def tri(value: float, low: float, high: float) -> dict:
    return {"value": value, "uncertainty": {"triangular": [low, value, high]}}


def roster(n: int = STAFF) -> Roster:
    """A seeded roster of ``n`` staff: mostly LGPS, a few on no scheme, part-timers."""
    rng = np.random.default_rng(2026)
    frame = pd.DataFrame(
        {
            "id": [f"E{k:03d}" for k in range(1, n + 1)],
            "role": rng.choice(["Youth worker", "Senior youth worker", "Manager", "Admin"], n),
            "fte": rng.choice([1.0, 1.0, 1.0, 0.8, 0.6, 0.5], n),
            "salary": rng.integers(22_000, 38_000, n).astype(float),
            "date_of_birth": [
                dt.date(1958 + int(y), 1 + int(m), 15)
                for y, m in zip(rng.integers(0, 30, n), rng.integers(0, 12, n), strict=True)
            ],
            "service_start": [dt.date(2000 + int(y), 4, 1) for y in rng.integers(5, 25, n)],
            "scheme": rng.choice(["LGPS"] * 9 + ["none"], n),
            "lgps_section": "main",
            "contract": "permanent",
        }
    )
    return Roster.from_frame(frame, "2026-04-01", source="generated roster")


def youth_service_case(staff: int = STAFF, years: int = YEARS) -> BusinessCase:
    return BusinessCase(
        mf.Timeline("2026/27", years=years),
        [
            Contract(
                annual_value=tri(4_200_000, 3_800_000, 4_400_000),
                indexation=tri(0.02, 0.0, 0.035),
                efficiency_target=tri(0.01, 0.0, 0.03),
                start_date="2026-04-01",
                term_years=years,
            ),
            TradedIncome(
                customers=40,
                price=tri(1_500, 1_100, 1_700),
                volume_per_customer=2,
                customer_growth=tri(0.08, 0.0, 0.15),
                churn=0.05,
            ),
            StaffCosts(
                roster(staff),
                pay_award=tri(0.03, 0.02, 0.05),
                incremental_drift=0.005,
                vacancy_factor=tri(0.03, 0.0, 0.06),
                lgps_primary_rate=tri(0.19, 0.17, 0.24),
                lgps_secondary_rate=0.02,
            ),
            Overheads(
                hr=60_000,
                payroll=15_000,
                finance=90_000,
                it=120_000,
                insurance=40_000,
                audit=20_000,
                inflation=0.02,
            ),
            SetUp(pre_go_live=150_000),
            CaseFinance(
                opening_cash=tri(250_000, 150_000, 300_000),
                debtor_days=30,
                creditor_days=20,
            ),
            Loan(amount=300_000, interest_rate=0.06, term_years=5),
        ],
        name=f"Youth service mutual (benchmark, {staff} staff, {years} years)",
    )


CORRELATION = {
    ("contract.indexation", "staff.pay_award"): 0.6,
    ("contract.annual_value", "traded.price"): 0.3,
}


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def measure(case: BusinessCase, correlation: dict | None, args: argparse.Namespace) -> None:
    """Time and memory of simulate() against a case.run loop for one case; print a table."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    uncertain = [n for n, i in case.model.inputs.items() if i.uncertainty is not None]
    chunk = args.chunk or risk._default_chunk(case)

    def run():
        return risk.simulate(
            case, args.n, seed=1, correlation=correlation, chunk_size=chunk, progress=False
        )

    sim_time, sim = best_of(run, args.repeat)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    del sim
    gc.collect()
    tracemalloc.start()
    sim = run()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # the loop: the same drawn scenarios, one case.run each
    draws = sim.draws.iloc[: args.loop]
    inputs = case.model.inputs

    def one(k: int):
        overrides = {
            name: risk._apply_draw(inputs[name], np.array([draws[name].iloc[k]]))
            for name in draws.columns
        }
        return case.run(overrides)

    def loop():
        return [one(k) for k in range(args.loop)]

    loop_time, runs = best_of(loop, max(1, args.repeat - 1))
    # the loop and the vectorised run agree, scenario by scenario
    worst = max(
        abs(r.evaluation.array("npv_net_cash_flow")[0] - sim.metrics["npv_net_cash_flow"].iloc[k])
        for k, r in enumerate(runs)
    )

    per_sim = sim_time / args.n
    per_loop = loop_time / args.loop
    m = case.model
    staff = max((len(a) for a in m.entity_axes.values()), default=0)
    print(f"## {case.name}")
    print(
        f"{m.timeline.n} years, {staff} staff, {len(m.lines)} lines, {len(uncertain)} uncertain "
        f"inputs ({len(correlation or {})} correlated pairs); chunk {chunk:,} scenarios"
    )
    print()
    rows = [
        ("simulate, scenarios", f"{args.n:,}"),
        (f"simulate, wall time (best of {args.repeat})", f"{sim_time:.2f} s"),
        ("simulate, per scenario", f"{per_sim * 1e6:.1f} us"),
        ("simulate, peak traced allocation", f"{traced_peak / 2**20:,.0f} MiB"),
        ("process peak RSS (before -> after)", f"{rss_before:,.0f} -> {rss_after:,.0f} MiB"),
        (f"case.run loop, {args.loop} runs", f"{loop_time:.2f} s"),
        ("case.run loop, per scenario", f"{per_loop * 1e3:.2f} ms"),
        ("per-scenario cost ratio (loop / simulate)", f"{per_loop / per_sim:,.0f}x"),
        ("largest NPV difference, loop vs simulate", f"£{worst:.2e}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"| {'-' * width} | ---: |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    p = sim.percentiles().loc[["npv_net_cash_flow", "minimum_cash", "closing_reserves"]]
    print()
    print((p[["p5", "p50", "p95"]] / 1e3).round(0).to_string(), "(GBP thousands)")
    print(f"P(cash below 0 in any year) = {sim.probability_below(0):.3f}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--loop", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=None)
    ap.add_argument(
        "--case",
        choices=["both", "shipped", "ten-year"],
        default="both",
        help="the shipped example (models/youth_service.toml), the 10-year case, or both",
    )
    args = ap.parse_args()
    print(f"mutualfin {mf.__version__}, numpy {np.__version__}, Python {platform.python_version()}")
    print()
    if args.case in ("both", "shipped") and SHIPPED.exists():
        measure(BusinessCase.from_file(SHIPPED), None, args)
    if args.case in ("both", "ten-year"):
        measure(youth_service_case(), CORRELATION, args)


if __name__ == "__main__":
    main()
