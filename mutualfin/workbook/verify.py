"""Prove a workbook equal to Python: recalculate it in two engines and compare every formula.

:func:`verify` recalculates a copy of the workbook headless in LibreOffice (no cached value is
trusted), then for every formula cell finds the figure Python computed for it (line, entity,
period; the total and opening columns; the timeline header) and compares them: within half a
penny for money, 1e-9 relative otherwise. Any spreadsheet error value (#REF!, #NAME?,
#DIV/0!, #VALUE!, #N/A, #NUM!) is reported wherever it appears, as is any formula cell with no
Python figure to compare against.

Where the ``formulas`` package is installed, a second engine that follows Excel's rules
(:mod:`mutualfin.workbook.excel_rules`) recalculates the same file at the same time, and every
formula cell is compared with Python again: a cell on which it disagrees is an
**engine-dependent formula**, a figure that Excel may show differently from LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import from_excel

from mutualfin.analysis.progress import progress_bar
from mutualfin.core.checks import wrong_kind
from mutualfin.engine.model import Evaluation
from mutualfin.errors import InputError, RecalculationError, VerificationError, WorkbookError
from mutualfin.workbook import excel_rules as second_engine
from mutualfin.workbook.fingerprint import InputChange, StructureDifference
from mutualfin.workbook.layout import FIRST_PERIOD_COL, OPENING_COL, TOTAL_COL
from mutualfin.workbook.recalc import recalculate
from mutualfin.workbook.writer import CALC_HEADER, atomic_save, plan_layout

__all__ = ["EngineDifference", "Mismatch", "VerifyReport", "edit_inputs", "verify"]

PRIMARY_ENGINE = "LibreOffice"

#: what a user may pass instead of an Evaluation or a workbook path, and the call they meant
_EVALUATION_FIXES = {
    "BusinessCase": "run it first: case.run().verify(path)",
    "Model": "evaluate it first: verify(path, model.evaluate())",
    "path": "the workbook comes first: verify(path, evaluation)",
}
_PATH_FIXES = {
    "Results": "to check a workbook against these results call results.verify(path)",
    "Evaluation": "the workbook comes first: verify(path, evaluation)",
}

ERROR_VALUES = ("#REF!", "#NAME?", "#DIV/0!", "#VALUE!", "#N/A", "#NUM!", "#NULL!", "Err:")
MONEY_TOLERANCE = 0.005  # half a penny
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Mismatch:
    sheet: str
    cell: str
    what: str  # line name (and entity) or other description
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.cell} ({self.what}): workbook {self.actual!r}, "
            f"Python {self.expected!r}"
        )


@dataclass(frozen=True)
class EngineDifference:
    """A formula cell on which the engines disagree: Excel's rules give another figure."""

    sheet: str
    cell: str
    what: str
    python: Any
    libreoffice: Any
    excel_rules: Any

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.cell} ({self.what}): LibreOffice {self.libreoffice!r}, "
            f"Excel's rules {self.excel_rules!r}, Python {self.python!r}"
        )


@dataclass
class VerifyReport:
    """What verification found. ``ok`` is True when nothing disagrees and nothing is unchecked.

    ``engines`` names the engines that recalculated the workbook; ``engine_dependent`` lists
    the formula cells on which one engine agrees with Python and the other does not (a
    figure Excel would show differently from LibreOffice); ``not_run`` says which engine did
    not run, and why (the second engine where it is not installed). :meth:`figures` gives
    what each engine computed for a cell.
    """

    path: Path
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    errors: list[Mismatch] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    engine_dependent: list[EngineDifference] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    #: {engine: {(sheet, row, column): value}} for every formula cell, as each engine gave it
    values: dict[str, dict[tuple[str, int, int], Any]] = field(default_factory=dict, repr=False)
    #: cells, sheets and defined names that are not what mutualfin writes (a case workbook's
    #: structure; see :mod:`mutualfin.workbook.fingerprint`)
    structure: list[StructureDifference] = field(default_factory=list)
    #: input cells whose value differs from the case's (reported; Python ran with them)
    input_changes: list[InputChange] = field(default_factory=list)
    #: whether the structure was compared (a case workbook's is), and how many cells
    structure_checked: int | None = None

    def figures(self, ref: str) -> dict[str, Any]:
        """What each engine computed for a formula cell, e.g. ``figures("Statements!D41")``
        gives ``{"LibreOffice": 3.0, "Excel's rules": 3}``."""
        sheet, _, coord = ref.replace("$", "").rpartition("!")
        col, row = coordinate_from_string(coord)
        key = (sheet.strip("'").replace("''", "'"), row, column_index_from_string(col))
        return {engine: cells[key] for engine, cells in self.values.items() if key in cells}

    @property
    def ok(self) -> bool:
        return not (
            self.mismatches
            or self.errors
            or self.unchecked
            or self.engine_dependent
            or self.structure
        )

    def summary(self) -> str:
        status = "OK" if self.ok else "FAILED"
        lines = [
            f"verify {self.path.name}: {status}: {self.checked} formula cells equal Python, "
            f"{len(self.mismatches)} mismatches, {len(self.engine_dependent)} engine-dependent "
            f"formulas, {len(self.errors)} error values, "
            f"{len(self.unchecked)} formula cells with no Python figure",
            f"  recalculated by {' and '.join(self.engines) or 'no engine'}",
        ]
        if self.structure_checked is not None:
            lines.insert(
                1,
                f"  structure: {self.structure_checked} cells, every sheet and defined name "
                f"compared with what mutualfin writes: {len(self.structure)} differences, "
                f"{len(self.input_changes)} inputs changed",
            )
        for change in self.input_changes[:20]:
            lines.append(f"  {change}")
        for d in self.structure[:20]:
            lines.append(f"  not as written  {d}")
        for note in self.not_run:
            lines.append(f"  not run      {note}")
        for m in self.errors[:20]:
            lines.append(f"  error value  {m}")
        for m in self.mismatches[:20]:
            lines.append(f"  mismatch     {m}")
        for d in self.engine_dependent[:20]:
            lines.append(f"  engine-dependent formula  {d}")
        for c in self.unchecked[:20]:
            lines.append(f"  unchecked    {c}")
        shown = (
            self.errors,
            self.mismatches,
            self.engine_dependent,
            self.unchecked,
            self.structure,
            self.input_changes,
        )
        more = sum(max(0, len(x) - 20) for x in shown)
        if more > 0:
            lines.append(f"  ... and {more} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def raise_if_failed(self) -> VerifyReport:
        if not self.ok:
            raise VerificationError(self.summary())
        return self

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _is_error(v: Any) -> bool:
    return isinstance(v, str) and v.startswith(ERROR_VALUES)


def _serial(value: Any) -> Any:
    """A cell read back as a date or time (a date-formatted number) as its serial number."""
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - dt.date(1899, 12, 30)).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return value


def _agrees(actual: Any, want: Any, unit: str) -> bool:
    """Whether a recalculated cell value equals Python's figure for it."""
    if unit == "text":
        return ("" if actual is None else str(actual)) == str(want)
    if unit == "date" and not isinstance(want, dt.date):  # a line of date serials
        return _close(_serial(actual), want, unit)
    if unit == "date":
        if isinstance(actual, int | float) and not isinstance(actual, bool):
            actual = from_excel(actual)  # a serial number (the formulas package gives these)
        got = actual.date() if isinstance(actual, dt.datetime) else actual
        return got == want
    return _close(actual, want, unit)


def _close(actual: Any, expected: float, unit: str) -> bool:
    if isinstance(actual, bool):
        actual = float(actual)
    if actual is None:
        actual = 0.0
    if not isinstance(actual, int | float):
        return False
    a, e = float(actual), float(expected)
    if not (math.isfinite(a) and math.isfinite(e)):
        return False
    tol = RELATIVE_TOLERANCE * max(1.0, abs(e))
    if unit.split("/")[0] == "GBP":
        tol = max(tol, MONEY_TOLERANCE)
    return abs(a - e) <= tol


def timeline_expected(model, layout, sheets) -> dict[tuple[str, int, int], tuple[str, Any, str]]:
    """The expected value of every timeline formula cell: each sheet's header rows (the
    sheet's own timeline: a sheet of lines by financial year has years) and the Timeline's
    flags of periods within dates; the full model and the publication pack alike."""
    out: dict[tuple[str, int, int], tuple[str, Any, str]] = {}

    def header_values(space: str) -> dict[str, tuple[Any, str]]:
        tl = model.timeline_of(space)
        return {
            "period_label": (tl.labels, "text"),
            "period_start": (tl.starts, "date"),
            "period_end": (tl.ends, "date"),
            "index": (tl.index, "count"),
            "first_period": (tl.first_period, "flag"),
            "year_fraction": (tl.year_fraction, "ratio"),
        }

    for sheet in sheets:
        space = layout.sheet_space.get(sheet, "native")
        values_by_kind = header_values(space)
        for key, row in CALC_HEADER.items():
            values, unit = values_by_kind[key]
            for p in range(len(values)):
                out[(sheet, row, FIRST_PERIOD_COL + p)] = (f"timeline {key}", values[p], unit)
    for (space, key), row in layout.timeline_rows.items():
        if key[0] != "within":  # the other rows are data, not formulas
            continue
        flag = model.time_row(model.time_vars[key], space)
        for p in range(len(flag)):
            out[("Timeline", row, FIRST_PERIOD_COL + p)] = (
                f"timeline flag {key[1]}..{key[2]}",
                float(flag[p]),
                "flag",
            )
    return out


def _expected_map(
    ev: Evaluation, scenario: int
) -> dict[tuple[str, int, int], tuple[str, float | str | dt.date, str]]:
    """(sheet, row, column) -> (description, expected value, unit) for every formula cell."""
    model = ev.model
    layout, sheets = plan_layout(model)
    out = timeline_expected(model, layout, sheets)
    for name, (sheet, row0) in layout.lines.items():
        line = model.lines[name]
        arr = ev.values[name]
        arr = arr[min(scenario, arr.shape[0] - 1)]  # (E, P)
        axis = model.shapes[name].entity
        opening = ev.openings.get(name)
        for i in range(arr.shape[0]):
            row = row0 + i
            who = name if axis is None else f"{name}[{axis.ids[i]}]"
            if line.kind == "metric":
                value = float(arr[i, 0])
                if math.isnan(value) and line.missing_text is not None:
                    text = line.missing_text_for(ev.values, scenario)
                    out[(sheet, row, TOTAL_COL)] = (who, text, "text")
                else:
                    out[(sheet, row, TOTAL_COL)] = (who, value, line.unit)
                continue
            labels = model.labels_of(name)
            for p in range(len(labels)):
                out[(sheet, row, FIRST_PERIOD_COL + p)] = (
                    f"{who} {labels[p]}",
                    float(arr[i, p]),
                    line.unit,
                )
            if line.kind == "flow":
                out[(sheet, row, TOTAL_COL)] = (f"{who} total", float(arr[i].sum()), line.unit)
            if name in model.openings:
                o = opening if opening is not None else np.zeros((1, 1, 1))
                o = o[min(scenario, o.shape[0] - 1)]
                out[(sheet, row, OPENING_COL)] = (
                    f"{who} opening",
                    float(o[min(i, o.shape[0] - 1), 0]),
                    line.unit,
                )
    return out


def verify(
    path: str | os.PathLike,
    evaluation: Evaluation,
    *,
    scenario: int = 0,
    recalculated: str | os.PathLike | None = None,
    extra_expected: dict[tuple[str, int, int], tuple[str, Any, str]] | None = None,
    excel_rules: bool | None = None,
    progress: Any = None,
) -> VerifyReport:
    """Recalculate ``path`` in LibreOffice, and under Excel's rules, and compare every formula
    cell with Python.

    Parameters
    ----------
    path : path of the workbook written by mutualfin
    evaluation : the Evaluation it was written from; or the Results a case workbook was written
        from (``results.to_excel``), which verifies it as ``results.verify(path)`` does
    scenario : which scenario of the evaluation the workbook holds
    recalculated : optional path of an already recalculated copy (skips LibreOffice)
    extra_expected : optional {(sheet, row, column): (description, value, unit)} for formula
        cells outside the line rows (a case workbook's summary and checks)
    excel_rules : whether the second engine (the ``formulas`` package, which follows Excel's
        rules; see :mod:`mutualfin.workbook.excel_rules`) recalculates the workbook too.
        None (default): where it is installed, and the report says when it is not; True: it
        must (RecalculationError if it is not installed); False: LibreOffice alone (the
        second engine takes about ten times LibreOffice's time on a large workbook).
    progress : bool, callable or None
        A tqdm bar over the steps (the recalculation, then each sheet compared), shown as
        :func:`mutualfin.analysis.progress.progress_bar` says: by default in a terminal or
        Jupyter once the run has taken a second.

    Returns
    -------
    VerifyReport
        ``report.ok`` is True when every formula cell equals Python in every engine that ran
        and none shows an error value; ``str(report)`` lists each mismatch and each
        engine-dependent formula by sheet, cell and line name.
    """
    if not isinstance(path, str | os.PathLike):
        raise wrong_kind("verify", "path", "the workbook's file path", path, _PATH_FIXES)
    if not isinstance(evaluation, Evaluation):
        if hasattr(evaluation, "evaluation") and hasattr(evaluation, "case"):  # a Results
            if extra_expected is not None:
                raise InputError(
                    "verify: extra_expected is for an Evaluation; a Results knows its own "
                    "(call results.verify(path))"
                )
            return evaluation.verify(
                path,
                scenario=scenario,
                recalculated=recalculated,
                excel_rules=excel_rules,
                progress=progress,
            )
        raise wrong_kind(
            "verify",
            "evaluation",
            "the Evaluation the workbook was written from",
            evaluation,
            _EVALUATION_FIXES,
        )
    src = Path(path)
    if not src.is_file():
        raise WorkbookError(f"workbook {str(src)!r} does not exist")
    expected = _expected_map(evaluation, scenario)
    expected.update(extra_expected or {})
    report = VerifyReport(src)
    version = None if excel_rules is False else second_engine.find_formulas()
    if version is None:
        if excel_rules:
            raise RecalculationError(
                f"verify was asked for the second engine, {second_engine.ENGINE_NAME} (the "
                f"formulas package), but it is not installed; {second_engine.INSTALL_HINT}"
            )
        why = (
            f"not installed, so only LibreOffice proved this workbook; {second_engine.INSTALL_HINT}"
            if excel_rules is None
            else "not asked for (excel_rules=False)"
        )
        report.not_run.append(f"{second_engine.ENGINE_NAME} (the formulas package): {why}")
    with (
        tempfile.TemporaryDirectory(prefix="mutualfin-verify-") as tmp,
        progress_bar(progress, 1, desc="mutualfin verify", unit="step") as bar,
    ):
        # LibreOffice runs in a process of its own: the second engine computes meanwhile
        with ThreadPoolExecutor(max_workers=1) as pool:
            lo = pool.submit(lambda: Path(recalculated) if recalculated else recalculate(src, tmp))
            second = second_engine.calculate(src) if version is not None else None
            calc = lo.result()
        report.engines.append(PRIMARY_ENGINE)
        lo_values: dict[tuple[str, int, int], Any] = {}
        report.values[PRIMARY_ENGINE] = lo_values
        second_values: dict[tuple[str, int, int], Any] = {}
        if second is not None:
            report.engines.append(f"{second_engine.ENGINE_NAME} (formulas {version})")
            report.values[second_engine.ENGINE_NAME] = second_values
        formulas = openpyxl.load_workbook(src, data_only=False)
        values = openpyxl.load_workbook(calc, data_only=True)
        bar.set_total(1 + len(formulas.worksheets))
        for done, ws in enumerate(formulas.worksheets, start=1):
            bar.update(done)  # the recalculation and the sheets before this one
            if ws.title not in values.sheetnames:
                report.unchecked.append(f"sheet {ws.title} missing after recalculation")
                continue
            vs = values[ws.title]
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type != "f":
                        continue
                    actual = vs.cell(row=cell.row, column=cell.column).value
                    coord = f"{get_column_letter(cell.column)}{cell.row}"
                    key = (ws.title, cell.row, cell.column)
                    lo_values[key] = actual
                    if second is not None:
                        second_values[key] = second.get(key, "not calculated")
                    exp = expected.get(key)
                    what = exp[0] if exp else "formula"
                    if _is_error(actual):
                        report.errors.append(Mismatch(ws.title, coord, what, None, actual))
                        continue
                    if exp is None:
                        report.unchecked.append(f"{ws.title}!{coord} {cell.value}")
                        continue
                    _, want, unit = exp
                    good = _agrees(actual, want, unit)
                    if second is not None:
                        other = second_values[key]
                        if _agrees(other, want, unit) != good:  # one engine agrees, one not
                            report.engine_dependent.append(
                                EngineDifference(ws.title, coord, what, want, actual, other)
                            )
                            continue
                    if good:
                        report.checked += 1
                    else:
                        report.mismatches.append(Mismatch(ws.title, coord, what, want, actual))
        bar.update(1 + len(formulas.worksheets))
        formulas.close()
        values.close()
    return report


def edit_inputs(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    changes: dict[str, Any],
    *,
    overwrite: bool = False,
) -> Path:
    """Copy a workbook, changing input cells by name, as a user would in Excel.

    ``changes`` maps an input name ("contract.annual_value", or its Excel name) to a number
    (scalar inputs, via their defined name) or a list with one value per period (inputs by
    period, on the Inputs sheet). Formulas are left as they are.
    """
    for arg, value in (("src", src), ("dst", dst)):
        if not isinstance(value, str | os.PathLike):
            raise wrong_kind("edit_inputs", arg, "a workbook's file path", value, _PATH_FIXES)
    if not isinstance(changes, dict):
        raise wrong_kind(
            "edit_inputs",
            "changes",
            "a mapping of input name to new value",
            changes,
            {},
        )
    wb = openpyxl.load_workbook(src)
    names = wb.defined_names
    for name, value in changes.items():
        xname = name.replace(".", "_")
        if xname in names:
            dests = list(names[xname].destinations)
            sheet, ref = dests[0]
            wb[sheet][ref.replace("$", "")].value = float(value)
            continue
        ws = wb["Inputs"]
        for row in ws.iter_rows(min_col=1, max_col=1):
            if row[0].value == xname:
                vals = list(value)
                for p, v in enumerate(vals):
                    ws.cell(row=row[0].row, column=FIRST_PERIOD_COL + p, value=float(v))
                break
        else:
            raise WorkbookError(f"workbook has no input named {name!r}")
    return atomic_save(wb, Path(dst), overwrite)
