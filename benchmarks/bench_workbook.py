"""Benchmark: writing the business-case workbook, against plain openpyxl writing the same
number of formula cells, as a ratio (target: at most 2).

Two cases: the largest shipped case (models/learning_disability_coop.toml) and the youth-service
case with its roster replaced by a synthetic 5,000-employee roster. The baseline writes the
same number of simple formula cells (``=A1*(1+B1)^3``) with plain openpyxl, in the same
process. Our workbook also writes labels, units, number formats, the cover, summary chart and
checks, which the baseline does not.

Run: ``python benchmarks/bench_workbook.py [--employees 5000]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_staff import roster as synthetic_roster  # noqa: E402

import mutualfin as mf  # noqa: E402


def plain_openpyxl(n_formulas: int, path: Path) -> float:
    t0 = time.perf_counter()
    wb = openpyxl.Workbook()
    ws = wb.active
    per_row = 10
    for r in range(n_formulas // per_row + 1):
        for c in range(per_row):
            ws.cell(row=r + 1, column=c + 1, value=f"=A{r + 1}*(1+B{r + 1})^{c}")
    wb.save(path)
    return time.perf_counter() - t0


def count_formulas(path: Path) -> int:
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


def bench(results, label: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = results.to_excel(Path(tmp) / "case.xlsx")
        ours = time.perf_counter() - t0
        n = count_formulas(path)
        plain = plain_openpyxl(n, Path(tmp) / "plain.xlsx")
    return {
        "case": label,
        "formula cells": n,
        "mutualfin s": ours,
        "plain openpyxl s": plain,
        "ratio": ours / plain,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=5000)
    args = parser.parse_args()
    rows = []
    case = mf.BusinessCase.from_file(ROOT / "models" / "learning_disability_coop.toml")
    rows.append(bench(case.run(), "learning_disability_coop (largest shipped)"))
    youth = mf.BusinessCase.from_file(ROOT / "models" / "youth_service.toml")
    big = synthetic_roster(args.employees)
    comps = []
    for comp in youth.components.values():
        if comp.needs_roster:
            data = {k: v for k, v in comp.inputs.model_dump().items()}
            comp = type(comp).from_dict(
                {k: v for k, v in data.items() if k not in ("redundant", "not_transferred")},
                roster=big,
            )
        comps.append(comp)
    case = mf.BusinessCase(
        youth.timeline, comps, name="youth service, synthetic roster", entities=big.entities
    )
    rows.append(bench(case.run(), f"youth_service with {args.employees:,} employees"))
    print(
        f"{'case':48s} {'formula cells':>14s} {'mutualfin s':>12s} {'openpyxl s':>11s} "
        f"{'ratio':>6s}"
    )
    for r in rows:
        print(
            f"{r['case']:48s} {r['formula cells']:14,d} {r['mutualfin s']:12.2f} "
            f"{r['plain openpyxl s']:11.2f} {r['ratio']:6.2f}"
        )


if __name__ == "__main__":
    main()
