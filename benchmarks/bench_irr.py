"""Benchmark mutualfin's vectorised irr and npv against per-row loops.

Run ``python benchmarks/bench_irr.py``. For 10,000 seeded random cash-flow rows of 10 and of
120 periods it times

* ``mutualfin.finance.irr`` / ``npv`` on the whole (rows, periods) array, against
* a Python loop calling ``numpy_financial.irr`` / ``npv`` once per row, and
* a Python loop calling ``pyxirr.irr`` / ``npv`` once per row (pyxirr is a
  benchmark-only dependency: ``pip install mutualfin[bench]``).

and prints a table of times (median of 5 runs in this process, the contenders timed in turn
so that a change in the machine's load touches all alike, each called twice a turn: the
second call, its steady-state cost, is the figure; the first, right after the other
contenders, is shown in brackets; the 120-period loops are timed on a sample of rows and
scaled), speed ratios against the targets (irr at least 2x
the pyxirr loop and 20x the numpy-financial loop on 10 periods), agreement counts
(|difference| < 1e-9) and failure counts (NaN for a row where a rate exists). A rate
"exists" for a row if any of the three libraries returns a rate at which the NPV is zero
to 1e-6 of the flows' scale.

The cash flows imitate a business case: an outlay at t=0 and noisy yearly results with a
positive mean, so that many rows have several sign changes and some have several rates or
none. numpy-financial returns the rate closest to zero and mutualfin the one closest to its
``guess`` (default 0.1), so IRR agreement is reported twice: with the default guess and with
``guess=0`` (numpy-financial's rule).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import numpy_financial as npf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mutualfin.finance import irr, npv

try:
    import pyxirr
except ImportError:  # pragma: no cover - optional
    pyxirr = None

ROWS = 10_000
SEED = 20240401
RATE = 0.035
TOL = 1e-9
RUNS = 5
TARGET_PYXIRR = 2.0  # irr on 10 periods at least this many times faster than the pyxirr loop
TARGET_NPF = 20.0  # ... and than the numpy-financial loop


def cash_flows(rows: int, periods: int, seed: int) -> np.ndarray:
    """Outlay at t=0, then noisy results with a positive mean (seeded)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(20.0, 30.0, size=(rows, periods))
    values[:, 0] = -rng.uniform(50.0, 150.0, size=rows) * periods / 10
    return values


def median_of(func, runs: int = RUNS) -> tuple[float, object]:
    """Median wall time over ``runs`` runs, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def medians_interleaved(funcs: dict, runs: int = RUNS) -> dict:
    """Median wall times and last result of each function, timed in turn ``runs`` times, so
    that a change in the machine's load touches all of them alike.

    In each turn a function is called twice in a row: the second call ("warm") is its cost
    in steady state, as timeit or a loop over chunks sees it; the first ("cold") follows the
    other functions, whose work has pushed its data out of the caches (numpy-financial's
    loop runs for a third of a second). Returns name -> (warm median, cold median, result).
    """
    warm: dict = {name: [] for name in funcs}
    cold: dict = {name: [] for name in funcs}
    results = {name: func() for name, func in funcs.items()}
    for _ in range(runs):
        for name, func in funcs.items():
            for times in (cold[name], warm[name]):
                start = time.perf_counter()
                results[name] = func()
                times.append(time.perf_counter() - start)
    return {
        name: (float(np.median(warm[name])), float(np.median(cold[name])), results[name])
        for name in funcs
    }


def pyxirr_irr(row: np.ndarray) -> float:
    value = pyxirr.irr(row, silent=True)
    return np.nan if value is None else value


def is_root(values: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Whether each row's rate makes its NPV zero to 1e-6 of the flows' scale."""
    out = np.zeros(len(rates), dtype=bool)
    ok = np.isfinite(rates) & (rates > -1)
    t = np.arange(values.shape[1])
    with np.errstate(all="ignore"):
        df = (1.0 + rates[ok, None]) ** -t
        resid = np.abs((values[ok] * df).sum(1))
        scale = (np.abs(values[ok]) * df).sum(1)
    out[ok] = resid <= 1e-6 * scale
    return out


def run(periods: int, loop_rows: int, npf_rows: int) -> list[str]:
    values = cash_flows(ROWS, periods, SEED + periods)
    sample = values[:loop_rows]
    lines = []

    # --- IRR ---
    funcs = {
        "mf": lambda: irr(values),
        "npf": lambda: np.array([npf.irr(r) for r in values[:npf_rows]]),
    }
    if pyxirr is not None:
        funcs["px"] = lambda: np.array([pyxirr_irr(r) for r in sample])
    timed = medians_interleaved(funcs)
    t_mf, c_mf, mf = timed["mf"]
    t_npf, c_npf, ref_part = timed["npf"]
    t_npf, c_npf = t_npf * ROWS / npf_rows, c_npf * ROWS / npf_rows
    ref = np.concatenate([ref_part, [npf.irr(r) for r in sample[npf_rows:]]])
    if pyxirr is not None:
        t_px, c_px, px = timed["px"]
        t_px, c_px = t_px * ROWS / loop_rows, c_px * ROWS / loop_rows
    else:
        t_px = c_px = float("nan")
        px = np.full(loop_rows, np.nan)
    t_mf0, mf0 = median_of(lambda: irr(values, guess=0.0))

    mf_s, mf0_s = mf[:loop_rows], mf0[:loop_rows]
    exists = is_root(sample, mf_s) | is_root(sample, ref) | is_root(sample, px)
    full = irr(sample, full_output=True)
    unique = full.sign_changes == 1
    timed_on = f"numpy-financial on {npf_rows} rows, pyxirr on {loop_rows}, scaled"
    lines.append(
        f"irr, {periods} periods, {ROWS} rows, median of {RUNS} runs"
        + (f" (loops timed on {timed_on})" if npf_rows < ROWS else "")
    )
    lines.append(
        "  each call timed right after a call of itself (steady state); "
        "in brackets, right after the other contenders (cold caches)"
    )
    lines.append(
        f"  mutualfin irr (vectorised)       {t_mf * 1e3:10.2f} ms   {'':28}({c_mf * 1e3:.2f} ms)"
    )
    for label, t, c in (("numpy-financial loop", t_npf, c_npf), ("pyxirr loop", t_px, c_px)):
        lines.append(
            f"  {label:<31}{t * 1e3:10.2f} ms   ratio {t / t_mf:8.1f}x slower than mutualfin "
            f"({c * 1e3:.2f} ms, {c / c_mf:.1f}x)"
        )
    if periods == 10:
        met = t_px / t_mf >= TARGET_PYXIRR and t_npf / t_mf >= TARGET_NPF
        met_cold = c_px / c_mf >= TARGET_PYXIRR and c_npf / c_mf >= TARGET_NPF
        lines.append(
            f"  target (>= {TARGET_PYXIRR:g}x pyxirr, >= {TARGET_NPF:g}x numpy-financial): "
            + ("met" if met else "NOT MET")
            + (" in steady state; " + ("met" if met_cold else "not met") + " on cold calls")
        )
    n = loop_rows
    lines.append(
        f"  rows with a rate: {exists.sum()} of {n}; one sign change: {unique.sum()}; "
        f"several roots found: {sum(len(r) > 1 for r in full.roots)}"
    )
    agree_npf_u = np.sum(np.abs(mf_s - ref)[unique] < TOL)
    agree_npf_0 = np.sum(np.abs(mf0_s - ref) < TOL)
    both_npf = np.sum(np.isfinite(ref))
    agree_px = np.sum(np.abs(mf_s - px) < TOL)
    both_px = np.sum(np.isfinite(px) & np.isfinite(mf_s))
    lines.append(
        f"  agreement |diff|<1e-9 with numpy-financial: {agree_npf_u} of {unique.sum()} "
        f"one-sign-change rows; {agree_npf_0} of {both_npf} rows where numpy-financial "
        "has a rate (mutualfin guess=0)"
    )
    lines.append(
        f"  agreement |diff|<1e-9 with pyxirr: {agree_px} of {both_px} rows where both "
        "have a rate (default guess 0.1 each)"
    )
    lines.append(
        "  failures (NaN where a rate exists): "
        f"mutualfin {np.sum(exists & np.isnan(mf_s))}, "
        f"numpy-financial {np.sum(exists & np.isnan(ref))}, "
        f"pyxirr {np.sum(exists & np.isnan(px))}"
    )
    lines.append(
        "  returned rate is not a root (|NPV| > 1e-6 of scale): "
        f"mutualfin {np.sum(np.isfinite(mf_s) & ~is_root(sample, mf_s))}, "
        f"numpy-financial {np.sum(np.isfinite(ref) & ~is_root(sample, ref))}, "
        f"pyxirr {np.sum(np.isfinite(px) & ~is_root(sample, px))}"
    )

    # --- NPV ---
    t_v, got = median_of(lambda: npv(RATE, values))
    t_vn, ref_v = median_of(lambda: np.array([npf.npv(RATE, r) for r in values]))
    if pyxirr is not None:
        t_vp, px_v = median_of(lambda: np.array([pyxirr.npv(RATE, r) for r in values]))
    else:
        t_vp, px_v = float("nan"), np.full(ROWS, np.nan)
    lines.append(f"npv, {periods} periods, {ROWS} rows")
    lines.append(f"  mutualfin npv (vectorised)       {t_v * 1e3:10.2f} ms")
    lines.append(
        f"  numpy-financial loop             {t_vn * 1e3:10.2f} ms   ratio {t_vn / t_v:8.1f}x"
    )
    lines.append(
        f"  pyxirr loop                      {t_vp * 1e3:10.2f} ms   ratio {t_vp / t_v:8.1f}x"
    )
    lines.append(
        f"  agreement |diff|<1e-9: numpy-financial {np.sum(np.abs(got - ref_v) < TOL)} "
        f"of {ROWS}, pyxirr {np.sum(np.abs(got - px_v) < TOL)} of {ROWS}"
    )
    lines.append(f"  (mutualfin irr with guess=0 took {t_mf0 * 1e3:.2f} ms)")
    return lines


def main() -> None:
    print(f"numpy {np.__version__}, numpy-financial {npf.__version__}, ", end="")
    print(f"pyxirr {pyxirr.__version__ if pyxirr else 'not installed'}, seed {SEED}")
    for periods, loop_rows, npf_rows in ((10, ROWS, ROWS), (120, 1000, 200)):
        print("\n".join(run(periods, loop_rows, npf_rows)))
        print()


if __name__ == "__main__":
    main()
