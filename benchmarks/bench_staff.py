"""Benchmark: the staff cost model for 5,000 employees over 10 years, 1,000 scenarios of the
pay award, evaluated in chunks of scenarios so that memory stays bounded.

The engine keeps every line's (scenarios, employees, periods) array, and every intermediate
node's, for the whole evaluation: one per-employee line is 1,000 x 5,000 x 10 x 8 bytes =
400 MB, and StaffCosts has seven per-employee lines plus their intermediates, so a single
1,000-scenario evaluation needs several GB. Evaluating ``--chunk`` scenarios at a time keeps
only the totals (scenarios x periods) of each chunk.

Run: ``python benchmarks/bench_staff.py [--employees 5000] [--scenarios 1000] [--chunk 25]``
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

import mutualfin as mf
from mutualfin.components import BuildContext
from mutualfin.roster import Roster
from mutualfin.workforce import StaffCosts

KEEP = ("staff_pay", "employer_ni", "employer_pension", "apprenticeship_levy", "staff_costs")


def roster(n: int, seed: int = 1) -> Roster:
    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 66, n)
    service = np.minimum(rng.integers(0, 30, n), ages - 17)
    scheme = rng.choice(["LGPS", "LGPS", "LGPS", "NHS", "TPS", "none"], n)
    frame = pd.DataFrame(
        {
            "id": [f"E{i:05d}" for i in range(n)],
            "fte": rng.choice([0.4, 0.5, 0.6, 0.8, 1.0], n),
            "salary": rng.uniform(18_000, 70_000, n).round(0),
            "age": ages,
            "service_start": [f"{2025 - int(s)}-09-01" for s in service],
            "scheme": scheme,
        }
    )
    return Roster.from_frame(frame, "2026-04-01")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=5_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--scenarios", type=int, default=1_000)
    ap.add_argument("--chunk", type=int, default=25)
    ap.add_argument("--no-tracemalloc", action="store_true", help="time without tracing")
    args = ap.parse_args()

    staff = StaffCosts(
        roster(args.employees),
        pay_award=0.025,
        incremental_drift=0.008,
        vacancy_factor=0.04,
        turnover=0.134,
        starting_salary_ratio=0.93,
    )
    tl = mf.Timeline(2026, years=args.years)
    t0 = time.perf_counter()
    model = mf.Model(tl, staff.build(BuildContext(tl, staff)))
    t_build = time.perf_counter() - t0
    awards = np.random.default_rng(2).triangular(0.0, 0.025, 0.06, args.scenarios)

    if not args.no_tracemalloc:
        tracemalloc.start()
    out = {name: np.empty((args.scenarios, args.years)) for name in KEEP}
    t0 = time.perf_counter()
    for lo in range(0, args.scenarios, args.chunk):
        hi = min(lo + args.chunk, args.scenarios)
        ev = model.evaluate({"staff.pay_award": awards[lo:hi]})
        for name in KEEP:
            out[name][lo:hi] = ev.array(name)
        del ev
    t_eval = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if not args.no_tracemalloc else float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    cells = args.scenarios * args.employees * args.years
    print(
        f"{args.employees} employees x {args.years} years x {args.scenarios} scenarios "
        f"in chunks of {args.chunk}\n"
        f"  build {t_build:.2f} s; evaluate {t_eval:.1f} s "
        f"({cells / t_eval / 1e6:.1f} M employee-years a second)\n"
        f"  peak traced memory {peak / 2**20:,.0f} MiB; peak RSS {rss:,.0f} MiB\n"
        f"  staff_costs year 10: mean £{out['staff_costs'][:, -1].mean():,.0f}, "
        f"5th-95th £{np.percentile(out['staff_costs'][:, -1], 5):,.0f} to "
        f"£{np.percentile(out['staff_costs'][:, -1], 95):,.0f}"
    )


if __name__ == "__main__":
    main()
