"""Monte Carlo at scale (issue 19): ``simulate(100_000)`` on one core and on both, against the
plain engine in the same process.

Two cases:

* ``youth``: the shipped example ``models/youth_service.toml`` (155 staff, 5 years, five
  uncertain inputs);
* ``500x10``: the 10-year youth-service mutual of ``bench_risk.py`` with a seeded roster of
  500 staff: nine uncertain inputs (the pay award among them, so every employee's pay, NI and
  pension varies by scenario), two pairs rank-correlated.

Each case runs in a fresh Python process, its configurations one after another (the baseline
last, so that what it leaves allocated does not count against the others):

* ``plain``: one core, the engine's factored evaluation off (``FACTORED = False``): the
  baseline, what every per-employee line costs when expanded to (scenarios, employees,
  periods);
* ``1 core``: no executor;
* ``2 cores``: a ``ProcessPoolExecutor(2)``, started (and warmed with one trivial task)
  before the clock starts.

Reported: wall time of ``simulate`` (best of ``--repeat``; the baseline once), the CPU time of
the process tree per run (the mean; less than the wall time when other work shares the
machine's cores, as on a shared VM), the ratio of
the baseline's time to each, and the peak resident memory of the whole process tree (the
benchmark process and its pool workers, sampled every 10 ms from /proc; pages a forked worker
shares with its parent count twice), with the resident memory before the run (imports, the
case, and for 2 cores the started workers) for comparison. All three give the same
percentiles (checked: byte-identical between 1 core and 2 cores; the baseline to 1e-9
relative of the scale of each metric).

Run: ``python benchmarks/bench_montecarlo.py [--case both|youth|500x10] [--n 100000]
[--repeat 3] [--no-baseline]``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(HERE)]

MODES = ("plain", "1 core", "2 cores")


def build(name: str):
    """(case, correlation) for a benchmark case."""
    import bench_risk

    import mutualfin as mf

    if name == "youth":
        return mf.BusinessCase.from_file(ROOT / "models" / "youth_service.toml"), None
    return bench_risk.youth_service_case(staff=500, years=10), bench_risk.CORRELATION


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


class TreePeak:
    """Peak resident memory of this process and its descendants, sampled every 10 ms."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        seen, todo, total = set(), [os.getpid()], 0
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += _rss_kib(pid)
            todo += _children(pid)
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(0.01)

    def __enter__(self):
        self.peak = self._total()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


def _cpu() -> float:
    """CPU seconds used by this process and its exited children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _noop(_: int) -> int:
    return 0


def one(case_name: str, modes: list[str], n: int, repeat: int) -> dict:
    """Run every configuration of one case in this process (the baseline last); return the
    measures of each."""
    from mutualfin import risk
    from mutualfin.engine import model as engine_model

    case, correlation = build(case_name)
    out = {}
    for mode in sorted(modes, key=lambda m: m == "plain"):
        engine_model.FACTORED = mode != "plain"
        pool = ProcessPoolExecutor(2) if mode == "2 cores" else None
        if pool is not None:
            list(pool.map(_noop, range(4)))  # workers started before the clock
        before = TreePeak()._total()
        best = float("inf")
        runs = 1 if mode == "plain" else repeat
        cpu0 = _cpu()
        with TreePeak() as peak:
            for _ in range(runs):
                t0 = time.perf_counter()
                sim = risk.simulate(
                    case, n, seed=1, correlation=correlation, progress=False, executor=pool
                )
                best = min(best, time.perf_counter() - t0)
        if pool is not None:
            pool.shutdown()  # the workers' CPU time is counted once they have exited
        p = sim.percentiles()
        cols = [c for c in p.columns if c.startswith("p")]
        out[mode] = {
            "time": best,
            "cpu": (_cpu() - cpu0) / runs,
            "rss_before_mib": before / 1024,
            "peak_mib": peak.peak / 1024,
            "percentiles": p[cols].to_numpy().tolist(),
            "scale": np.nanmax(np.abs(sim.metrics.to_numpy()), axis=0).tolist(),
            "chunk": risk._default_chunk(case),
        }
        del sim
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=["both", "youth", "500x10"], default="both")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain engine run")
    ap.add_argument("--one", metavar="CASE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    modes = list(MODES[1:] if args.no_baseline else MODES)
    if args.one:
        print(json.dumps(one(args.one, modes, args.n, args.repeat)))
        return

    import mutualfin as mf

    print(
        f"mutualfin {mf.__version__}, numpy {np.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    cases = ["youth", "500x10"] if args.case == "both" else [args.case]
    for name in cases:
        command = [sys.executable, __file__, "--one", name, "--n", str(args.n)]
        command += ["--repeat", str(args.repeat)] + (["--no-baseline"] if args.no_baseline else [])
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        results = json.loads(done.stdout.strip().splitlines()[-1])
        results = {m: results[m] for m in MODES if m in results}
        print(f"\n## {name}: simulate({args.n:,}), chunk {results['1 core']['chunk']:,} scenarios")
        print(
            "| configuration | time | CPU time | ratio to plain | peak RSS (process tree) "
            "| RSS before |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        base = results.get("plain", {}).get("time")
        for mode, r in results.items():
            ratio = f"{base / r['time']:.1f}x" if base else ""
            print(
                f"| {mode} | {r['time']:.2f} s | {r['cpu']:.2f} s | {ratio} "
                f"| {r['peak_mib']:,.0f} MiB | {r['rss_before_mib']:,.0f} MiB |"
            )
        one_core, two = results["1 core"], results["2 cores"]
        same = one_core["percentiles"] == two["percentiles"]
        print(f"\npercentiles identical, 1 core and 2 cores: {same}")
        if "plain" in results:
            a = np.array(one_core["percentiles"])
            b = np.array(results["plain"]["percentiles"])
            scale = np.array(one_core["scale"])[:, None]
            with np.errstate(invalid="ignore"):
                diff = np.where(a == b, 0.0, np.abs(a - b))
            worst = float(np.max(diff / np.where(scale > 0, scale, 1)))
            print(f"largest difference from the plain engine, relative to the metric: {worst:.1e}")


if __name__ == "__main__":
    main()
