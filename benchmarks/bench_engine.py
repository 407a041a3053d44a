"""Engine benchmark: ratios against baselines run in the same process.

1. Evaluating the demonstration model for 100,000 scenarios in one vectorised call, against a
   per-scenario Python loop of the same arithmetic (plain floats), as a ratio per scenario.
2. Writing the demonstration model's workbook (scaled to many lines), against plain openpyxl
   writing the same number of formula cells, as a ratio.

Run: ``python benchmarks/bench_engine.py`` (prints a table). Timings vary with the machine; the
ratios are what to compare.
"""

from __future__ import annotations

import pathlib
import sys
import tempfile
import time

import numpy as np
import openpyxl

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mutualfin as mf  # noqa: E402
from mutualfin.demo import build_demo_model, load_demo_inputs  # noqa: E402
from mutualfin.excel import write_workbook  # noqa: E402


def loop_demo(inputs: dict, ni_rate: np.ndarray, ni_threshold: np.ndarray, n: int) -> float:
    """The demonstration model's arithmetic for one scenario, in plain Python floats."""
    value = inputs["contract.annual_value"]
    idx = inputs["contract.indexation"]
    heads = inputs["staff.headcount"]
    awards = inputs["staff.pay_award"]
    cash = inputs["cash.opening"]
    pay_index = 1.0
    for t in range(n):
        if t > 0:
            pay_index *= 1 + awards[t]
        income = value * (1 + idx) ** t
        pay = inputs["staff.paybill"] * pay_index
        ni = heads * max(pay / heads - ni_threshold[t], 0) * ni_rate[t]
        pension = pay * inputs["pension.employer_rate"]
        other = inputs["costs.other"] * (1 + inputs["costs.inflation"]) ** t
        cash += income - (pay + ni + pension + other)
    return cash


def bench_scenarios(n_scen: int = 100_000, loop_runs: int = 2_000) -> dict:
    timeline, inputs = load_demo_inputs()
    model = build_demo_model(timeline, inputs)
    rng = np.random.default_rng(1)
    draws = {
        "contract.indexation": rng.uniform(0.0, 0.04, n_scen),
        "contract.annual_value": rng.normal(4_200_000, 200_000, n_scen),
    }
    model.evaluate()  # warm up
    t0 = time.perf_counter()
    ev = model.evaluate(draws)
    vec = time.perf_counter() - t0
    rows = model.parameter_rows()
    rate = rows[("ni.employer_rate", "weighted", "hold")][0]
    thr = rows[("ni.secondary_threshold", "weighted", "hold")][0]
    plain = {k: (v.value.tolist() if v.value.ndim else float(v.value)) for k, v in inputs.items()}
    t0 = time.perf_counter()
    for s in range(loop_runs):
        sc = dict(plain)
        sc["contract.indexation"] = float(draws["contract.indexation"][s])
        sc["contract.annual_value"] = float(draws["contract.annual_value"][s])
        out = loop_demo(sc, rate, thr, timeline.n)
    loop = (time.perf_counter() - t0) / loop_runs
    assert abs(out - ev.array("closing_cash")[loop_runs - 1, -1]) < 1e-6, "loop disagrees"
    per_vec = vec / n_scen
    return {
        "scenarios": n_scen,
        "vectorised_s": vec,
        "per_scenario_vectorised_us": per_vec * 1e6,
        "per_scenario_loop_us": loop * 1e6,
        "ratio_loop_over_vectorised": loop / per_vec,
    }


def bench_writing(copies: int = 40) -> dict:
    _, inputs = load_demo_inputs()
    tl = mf.Timeline(2026, years=10)
    inputs["staff.pay_award"] = mf.Input("staff.pay_award", [0.02] * 10, unit="fraction")
    lines = []
    base = build_demo_model(tl, inputs)
    for k in range(copies):  # many lines: copies of the demonstration lines on their own sheets
        for name in base.order:
            line = base.lines[name]
            if line.auxiliary:
                continue
            lines.append(mf.Line(f"{name}_{k}", line.expr * 1, sheet=f"Copy{k % 5}"))
    model = mf.Model(tl, [*base.lines.values(), *lines])
    ev = model.evaluate()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_workbook(ev, pathlib.Path(tmp) / "big.xlsx")
        ours = time.perf_counter() - t0
        n_formulas = sum(
            1
            for ws in openpyxl.load_workbook(pathlib.Path(tmp) / "big.xlsx").worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "f"
        )
        t0 = time.perf_counter()
        wb = openpyxl.Workbook()
        ws = wb.active
        per_row = 12
        for r in range(n_formulas // per_row + 1):
            for c in range(per_row):
                ws.cell(row=r + 1, column=c + 1, value=f"=A{r + 1}*(1+B{r + 1})^{c}")
        wb.save(pathlib.Path(tmp) / "plain.xlsx")
        plain = time.perf_counter() - t0
    return {
        "formula_cells": n_formulas,
        "mutualfin_s": ours,
        "plain_openpyxl_s": plain,
        "ratio_mutualfin_over_plain": ours / plain,
    }


def main() -> None:
    s = bench_scenarios()
    print("Evaluate the demonstration model, 100,000 scenarios in one call")
    for k, v in s.items():
        print(f"  {k:32s} {v:,.3f}" if isinstance(v, float) else f"  {k:32s} {v:,}")
    w = bench_writing()
    print("Write a workbook vs plain openpyxl writing the same number of formula cells")
    for k, v in w.items():
        print(f"  {k:32s} {v:,.3f}" if isinstance(v, float) else f"  {k:32s} {v:,}")


if __name__ == "__main__":
    main()
