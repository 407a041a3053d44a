"""The two workbooks a case gives: the publication pack and the full model.

- The **publication pack** (the default) is the cabinet appendix. It holds no per-employee
  data: no Roster sheet, and every per-employee line as one row per staff cohort (a role, or
  roles merged, of at least five people; :mod:`mutualfin.workbook.cohorts`). Everything above
  the cohorts (totals over employees, statements, summary, checks) is still a live formula.
- The **full model** is the live per-employee workbook for the finance team, marked
  OFFICIAL-SENSITIVE on its Cover and in every page's header and footer, its per-employee
  blocks grouped in an outline.

The pack is proven equal to the full model: every formula cell, the totals over the cohorts
included, is recalculated and compared with Python (the sum of a cohort's rows is exact);
every cohort value is compared with the cohort computed afresh from Python; and the SHA-256 of
the full model's per-employee figures that both workbooks record on their Covers is
recomputed (:func:`mutualfin.workbook.cohorts.per_employee_digest`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from mutualfin.errors import InputError
from mutualfin.workbook.cohorts import Cohorts, per_employee_digest, staff_cohorts
from mutualfin.workbook.layout import FIRST_PERIOD_COL, OPENING_COL, TOTAL_COL, Layout

__all__ = [
    "FULL",
    "PACKS",
    "PUBLICATION",
    "SENSITIVE_MARKING",
    "case_cohorts",
    "pack_expected",
    "pack_of",
    "sensitive_path",
]

PUBLICATION = "publication"
FULL = "full"
PACKS = (PUBLICATION, FULL)
#: the Government Security Classifications handling caveat for personal data
SENSITIVE_MARKING = "OFFICIAL-SENSITIVE"
#: the defined name that tells verify which pack a workbook is
PACK_NAME = "mutualfin_pack"
#: the Cover's label of the per-employee checksum
DIGEST_LABEL = "SHA-256 of the per-employee figures (full model)"

PACK_TEXT = {
    PUBLICATION: (
        "Publication pack: no per-employee data. Staff figures are by role, in groups of at "
        "least five people (smaller roles merged); the full per-employee model is a separate "
        "OFFICIAL-SENSITIVE workbook, and this pack is verified equal to it."
    ),
    FULL: (
        "Full model with per-employee personal data (salary, age, pension) for the finance "
        "team: OFFICIAL-SENSITIVE, not for publication. Publish the publication pack instead."
    ),
}


def check_pack(pack: Any, where: str = "to_excel") -> str:
    if pack not in PACKS:
        raise InputError(
            f"{where}: pack = {pack!r:.60} must be 'publication' (the cabinet appendix, no "
            "per-employee data) or 'full' (the OFFICIAL-SENSITIVE per-employee model)"
        )
    return pack


def sensitive_path(path: str | os.PathLike) -> Path:
    """Where the full model goes beside a publication pack: ``book.xlsx`` gives
    ``book-OFFICIAL-SENSITIVE.xlsx``."""
    p = Path(path)
    return p.with_name(f"{p.stem}-{SENSITIVE_MARKING}{p.suffix}")


def has_per_employee(results) -> bool:
    model = results.case.model
    return any(model.shapes[n].entity is not None for n in model.lines)


def case_cohorts(results) -> Cohorts | None:
    """The staff cohorts of a case (by role, or grade), or None when it has no per-employee
    lines."""
    if not has_per_employee(results):
        return None
    model = results.case.model
    axis = next(model.shapes[n].entity for n in model.lines if model.shapes[n].entity is not None)
    ids = list(axis.ids)
    for comp in results.case.components.values():
        roster = getattr(comp, "roster", None)
        if roster is not None and list(roster.ids) == ids:
            return staff_cohorts(roster.role)
    return staff_cohorts([""] * len(ids))


def pack_of(path: str | os.PathLike) -> str:
    """Which pack a workbook written by mutualfin is (its ``mutualfin_pack`` name); a
    workbook from before packs existed is the full model."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        name = wb.defined_names.get(PACK_NAME)
        text = (name.attr_text if name is not None else "").strip('"')
    finally:
        wb.close()
    return text if text in PACKS else FULL


def pack_expected(
    evaluation, layout: Layout, sheets: dict[str, list[str]], cohorts: Cohorts, scenario: int = 0
) -> dict[tuple[str, int, int], tuple[str, Any, str]]:
    """(sheet, row, column) -> (description, expected value, unit) for every formula cell of
    a publication pack's model sheets: timeline headers, lines not per employee, and each
    cohort row's total over the periods (the cohort's sum, from Python)."""
    from mutualfin.workbook.verify import timeline_expected

    model = evaluation.model
    out = timeline_expected(model, layout, sheets)
    for name, (sheet, row) in layout.lines.items():
        line = model.lines[name]
        arr = evaluation.values[name]
        arr = arr[min(scenario, arr.shape[0] - 1)]
        if model.shapes[name].entity is not None:
            if line.kind == "flow" and cohorts.how(line.unit) == "sum":
                sums = cohorts.aggregate(arr, line.unit).sum(axis=1)
                for c, label in enumerate(cohorts.labels):
                    out[(sheet, row + c, TOTAL_COL)] = (
                        f"{name}[{label}] total",
                        sums[c],
                        line.unit,
                    )
            continue
        if line.kind == "metric":
            value = float(arr[0, 0])
            if math.isnan(value) and line.missing_text is not None:
                out[(sheet, row, TOTAL_COL)] = (
                    name,
                    line.missing_text_for(evaluation.values, scenario),
                    "text",
                )
            else:
                out[(sheet, row, TOTAL_COL)] = (name, value, line.unit)
            continue
        labels = model.labels_of(name)
        for p in range(len(labels)):
            out[(sheet, row, FIRST_PERIOD_COL + p)] = (
                f"{name} {labels[p]}",
                float(arr[0, p]),
                line.unit,
            )
        if line.kind == "flow":
            out[(sheet, row, TOTAL_COL)] = (f"{name} total", float(arr[0].sum()), line.unit)
        if name in model.openings:
            o = evaluation.openings.get(name)
            o = o[min(scenario, o.shape[0] - 1)] if o is not None else np.zeros((1, 1))
            out[(sheet, row, OPENING_COL)] = (f"{name} opening", float(o[0, 0]), line.unit)
    return out


def check_pack_values(path, results, layout: Layout, cohorts: Cohorts, report) -> None:
    """Add to ``report`` each cohort value of a publication pack that differs from the cohort
    computed from Python, and a mismatch if the recorded per-employee checksum differs from
    the full model's."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from mutualfin.workbook.verify import Mismatch, _close

    ev = results.evaluation
    model = ev.model
    wb = openpyxl.load_workbook(path, data_only=False)
    try:
        for name, (sheet, row0) in layout.lines.items():
            if model.shapes[name].entity is None:
                continue
            line = model.lines[name]
            ws = wb[sheet] if sheet in wb.sheetnames else None
            want = cohorts.aggregate(ev.values[name][0], line.unit)
            for c, label in enumerate(cohorts.labels):
                for p in range(want.shape[1]):
                    col = FIRST_PERIOD_COL + p
                    got = None if ws is None else ws.cell(row=row0 + c, column=col).value
                    ok = isinstance(got, int | float) and _close(got, float(want[c, p]), line.unit)
                    if ok:
                        report.checked += 1
                    else:
                        report.mismatches.append(
                            Mismatch(
                                sheet,
                                f"{get_column_letter(col)}{row0 + c}",
                                f"{name}[{label}] {model.labels_of(name)[p]} (cohort value)",
                                float(want[c, p]),
                                got,
                            )
                        )
        recorded = _cover_value(wb, DIGEST_LABEL)
        digest = per_employee_digest(ev)
        if recorded != digest:
            report.mismatches.append(
                Mismatch("Cover", "B", DIGEST_LABEL, digest, recorded)  # type: ignore[arg-type]
            )
        else:
            report.checked += 1
    finally:
        wb.close()


def _cover_value(wb, label: str) -> Any:
    if "Cover" not in wb.sheetnames:
        return None
    for row in wb["Cover"].iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            return row[1].value
    return None
