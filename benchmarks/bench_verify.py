"""Benchmark: the second verification engine (Excel's rules, the formulas package) against
LibreOffice, recalculating each shipped case's workbook, as a ratio.

For each case in models/: the workbook is written once, then recalculated by LibreOffice
(``mutualfin.workbook.recalc.recalculate``: a headless process) and by the formulas package
(``mutualfin.workbook.excel_rules.calculate``: in this process), each timed alone; then
``verify`` is timed running both, in parallel as it does. The ratio formulas / LibreOffice
is what to compare across machines.

Run: ``python benchmarks/bench_verify.py`` (needs LibreOffice and ``mutualfin[excel-engine]``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402

import mutualfin as mf  # noqa: E402
from mutualfin.workbook import excel_rules  # noqa: E402
from mutualfin.workbook.recalc import recalculate  # noqa: E402


def formula_cells(path: Path) -> int:
    wb = openpyxl.load_workbook(path)
    n = sum(1 for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f")
    wb.close()
    return n


def bench(case_path: Path) -> dict:
    results = mf.BusinessCase.from_file(case_path).run()
    with tempfile.TemporaryDirectory() as tmp:
        book = results.to_excel(Path(tmp) / "case.xlsx")
        t0 = time.perf_counter()
        recalculate(book, Path(tmp) / "lo")
        lo = time.perf_counter() - t0
        t0 = time.perf_counter()
        excel_rules.calculate(book)
        fx = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = results.verify(book, excel_rules=True)
        both = time.perf_counter() - t0
        assert report.ok, report
        n = formula_cells(book)
    return {
        "case": case_path.stem,
        "formula cells": n,
        "LibreOffice s": lo,
        "formulas s": fx,
        "ratio": fx / lo,
        "verify (both, in parallel) s": both,
    }


def main() -> None:
    if excel_rules.find_formulas() is None:
        sys.exit(excel_rules.INSTALL_HINT)
    cases = sorted(p for p in (ROOT / "models").glob("*.toml") if p.name != "demo.toml")
    rows = [bench(p) for p in cases]
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(
            " | ".join(f"{row[k]:.1f}" if isinstance(row[k], float) else str(row[k]) for k in keys)
        )


if __name__ == "__main__":
    main()
