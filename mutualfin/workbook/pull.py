"""Back from Excel: the input cells a user changed in a case workbook, written into its case
file.

Finance officers change figures in the workbook (the yellow cells of the Inputs sheet) and
every formula follows. :func:`pull` reads those cells back, compares them with the case file,
and writes the values that differ into the case file, keeping its comments, sources and
layout (:mod:`mutualfin.case.edit`), so the case file stays the one record of the case and the
next ``mutualfin run`` gives the workbook the user edited.

How each input is found: a single-value input by its defined name (the case-file key with
dots as underscores: ``contract_annual_value``), an input by period by its row on the Inputs
sheet (the name in column A, one value per period from column F). Per-employee inputs on the
Roster sheet come from the roster file, which pull does not rewrite: a change there is
reported, not pulled.

Both workbooks a case gives can be pulled from: the full model, and the publication pack
(:mod:`mutualfin.workbook.publication`), which has the same Inputs sheet and no Roster. In the
pack, inputs that feed per-employee figures are shown as data, since the staff cohorts are
values there; an edit to one is pulled all the same, with a note that the pack's staff figures
did not follow it and that the full model is where they do.

What is refused, with nothing written: a cell that holds text or nothing where a number is
due, or a formula whose value was never saved (open and save the workbook in Excel, or type
the number); a value the case file would refuse (pull loads and runs the edited case file
before writing it, and names the input, the cell and the reason); a workbook written from
another version of the case file (its Cover records the SHA-256 of the case file it came
from: pulling it would also undo the later edits, unless ``force``). The case file is
replaced in one step (written beside it, then moved into place), never left half-written.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from mutualfin.case.edit import check_edit, locate, set_inputs
from mutualfin.case.formatting import format_value
from mutualfin.engine.nodes import excel_name
from mutualfin.errors import AssumptionWarning, CaseFileError, MutualfinError, WorkbookError
from mutualfin.workbook.layout import FIRST_PERIOD_COL
from mutualfin.workbook.writer import plan_layout, save_bytes

__all__ = ["PullChange", "PullReport", "pull", "read_inputs"]


@dataclass(frozen=True)
class PullChange:
    """One input whose value in the workbook differs from the case file's."""

    name: str
    cell: str
    old: Any
    new: Any
    unit: str

    def text(self, value: Any) -> str:
        """A value of this input as text, by its unit."""
        if isinstance(value, list):
            return "[" + ", ".join(format_value(x, self.unit) for x in value) + "]"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return format_value(value, self.unit)

    def __str__(self) -> str:
        where = f"{'cells' if ':' in self.cell else 'cell'} {self.cell}"
        return f"{self.name}: {self.text(self.old)} -> {self.text(self.new)} ({where})"


@dataclass
class PullReport:
    """What :func:`pull` found and did."""

    workbook: Path
    case_file: Path
    changes: list[PullChange] = field(default_factory=list)
    written: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.changes:
            lines = [f"{self.workbook.name}: no input differs from {self.case_file.name}"]
        else:
            n = len(self.changes)
            verb = "written to" if self.written else "would be written to"
            lines = [
                f"{n} input{'s' * (n != 1)} changed in {self.workbook.name}, {verb} "
                f"{self.case_file.name}:"
            ]
            lines += [f"  {c}" for c in self.changes]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _load(path: Path, **kwargs: Any):
    try:
        return openpyxl.load_workbook(path, **kwargs)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise WorkbookError(f"{path.name}: not a workbook openpyxl can read ({exc})") from None


class _Saved:
    """The values a workbook saved for its formulas, read only if a formula is met."""

    def __init__(self, path: Path):
        self.path, self.wb = path, None

    def value(self, sheet: str, ref: str) -> Any:
        return _Lazy(self, sheet, ref)

    def get(self, sheet: str, ref: str) -> Any:
        if self.wb is None:
            self.wb = _load(self.path, data_only=True)
        return self.wb[sheet][ref].value


@dataclass(frozen=True)
class _Lazy:
    saved: _Saved
    sheet: str
    ref: str

    def get(self) -> Any:
        return self.saved.get(self.sheet, self.ref)


def _number(cell, cached: _Lazy, where: str) -> float:
    """A cell's number: a typed value, or a formula's saved value; else a WorkbookError."""
    value = cell.value
    if isinstance(value, str) and value.startswith("="):
        value = cached.get()
        if value is None:
            raise WorkbookError(
                f"{where} holds the formula {cell.value!r} with no saved value; type the "
                "number, or open and save the workbook in Excel so its value is stored"
            )
    if isinstance(value, bool) or not isinstance(value, int | float):
        shown = "nothing" if value is None else repr(value)
        raise WorkbookError(f"{where} holds {shown}, not a number; type the input's value")
    if not math.isfinite(float(value)):
        raise WorkbookError(f"{where} holds {value!r}; give a finite number")
    return float(value)


def read_inputs(workbook: str | os.PathLike, case) -> dict[str, tuple[Any, str]]:
    """The case's inputs as the workbook holds them: input name -> (value, cell), a number
    for a single-value input, a list for one by period or per employee. Inputs the workbook
    does not hold are left out."""
    path = Path(workbook)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WorkbookError(f"{str(path)!r}: give a workbook (.xlsx) written by mutualfin run")
    if not path.is_file():
        raise WorkbookError(f"workbook {str(path)!r} not found")
    wb = _load(path)
    saved = _Saved(path)
    out: dict[str, tuple[Any, str]] = {}
    model = case.model
    inputs_rows = {}
    if "Inputs" in wb.sheetnames:
        for row in wb["Inputs"].iter_rows(min_col=1, max_col=1):
            if isinstance(row[0].value, str):
                inputs_rows[row[0].value] = row[0].row
    roster_cols = {}
    if "Roster" in wb.sheetnames:
        for cell in wb["Roster"][3]:
            if isinstance(cell.value, str):
                roster_cols[cell.value] = cell.column
    first_row = plan_layout(model)[0].roster_first_row
    for name, inp in model.inputs.items():
        xname = excel_name(name)
        if inp.kind == "scalar" and xname in wb.defined_names:
            sheet, ref = next(iter(wb.defined_names[xname].destinations))
            ref = ref.replace("$", "")
            where = f"{sheet}!{ref}"
            out[name] = (_number(wb[sheet][ref], saved.value(sheet, ref), where), where)
        elif inp.kind == "period" and xname in inputs_rows:
            r = inputs_rows[xname]
            n = int(np.size(inp.value))
            values = []
            for p in range(n):
                cell = wb["Inputs"].cell(row=r, column=FIRST_PERIOD_COL + p)
                where = f"Inputs!{cell.coordinate}"
                values.append(_number(cell, saved.value("Inputs", cell.coordinate), where))
            first = wb["Inputs"].cell(row=r, column=FIRST_PERIOD_COL).coordinate
            last = wb["Inputs"].cell(row=r, column=FIRST_PERIOD_COL + n - 1).coordinate
            out[name] = (values, f"Inputs!{first}:{last}")
        elif inp.kind == "entity" and xname in roster_cols:
            c = roster_cols[xname]
            n = int(np.size(inp.value))
            ws = wb["Roster"]
            if inp.unit == "date":
                continue  # dates of the roster: not numbers, and not pulled
            values = []
            for k in range(n):
                cell = ws.cell(row=first_row + k, column=c)
                cached = saved.value("Roster", cell.coordinate)
                values.append(_number(cell, cached, f"Roster!{cell.coordinate}"))
            out[name] = (values, f"Roster sheet, column {xname}")
    return out


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-9))


def _cover_checksums(workbook: Path) -> dict[str, str]:
    """The case-file checksums the workbook's Cover records (file name -> SHA-256)."""
    wb = _load(workbook, read_only=True)
    try:
        if "Cover" not in wb.sheetnames:
            return {}
        out = {}
        for row in wb["Cover"].iter_rows(min_col=1, max_col=2, values_only=True):
            label, digest = (*row, None, None)[:2]
            if isinstance(label, str) and label.startswith("SHA-256 of ") and digest:
                out[label.removeprefix("SHA-256 of ")] = str(digest)
        return out
    finally:
        wb.close()


def pull(
    workbook: str | os.PathLike,
    case_file: str | os.PathLike,
    *,
    output: str | os.PathLike | None = None,
    dry_run: bool = False,
    force: bool = False,
    overwrite: bool = False,
) -> PullReport:
    """Write the inputs changed in ``workbook`` into ``case_file`` (or into ``output``, a new
    case file made from it), keeping its comments, sources and layout.

    Parameters
    ----------
    workbook : path
        A case workbook written by ``mutualfin run`` (or ``results.to_excel``) and edited.
    case_file : path
        The case file it was written from.
    output : path, optional
        Where to write the edited case file (default: ``case_file`` itself). An existing
        other file is replaced only with ``overwrite``.
    dry_run : bool
        Find and check the changes, write nothing.
    force : bool
        Pull even though the workbook's Cover records another version of the case file.

    Returns
    -------
    PullReport
        The changes (input, cell, old and new value), whether the file was written, notes.

    Raises
    ------
    WorkbookError
        The workbook is missing, unreadable, holds a non-number in an input cell, or was
        written from another version of the case file.
    CaseFileError
        The case file would refuse a value (the message names the input, its cell and why).
    """
    from mutualfin.case.business_case import BusinessCase

    book, source = Path(workbook), Path(case_file)
    target = Path(output) if output is not None else source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        case = BusinessCase.from_file(source)
    if target != source and (target.exists() or target.is_symlink()) and not overwrite:
        raise WorkbookError(
            f"{str(target)!r} already exists; choose another name or pass --overwrite"
        )
    if not book.is_file():
        raise WorkbookError(f"workbook {str(book)!r} not found")
    report = PullReport(book, target)
    recorded = _cover_checksums(book)
    digest = case.checksums.get(source.name)
    tomls = {k: v for k, v in recorded.items() if k.lower().endswith(".toml")}
    if tomls and digest not in tomls.values() and not force:
        names = ", ".join(sorted(tomls))
        raise WorkbookError(
            f"{book.name} was written from another version of the case file ({names} on its "
            f"Cover has SHA-256 {next(iter(tomls.values()))[:12]}..., {source.name} now has "
            f"{(digest or '')[:12]}...): pulling it would also undo the case file's later "
            "edits. Run the case again and edit the new workbook, or pass --force to take "
            "every input as the workbook has it"
        )
    if not tomls:
        report.notes.append(
            f"the workbook's Cover records no case file, so its inputs were compared with "
            f"{source.name} as it is now"
        )
    held = read_inputs(book, case)
    values: dict[str, Any] = {}
    for name, (value, cell) in held.items():
        inp = case.model.inputs[name]
        old = inp.value.tolist() if np.ndim(inp.value) else float(inp.value)
        yearly = getattr(inp, "yearly", None)
        if yearly is not None:  # one value a year in the case file, laid over the months
            old = list(yearly[2])
            value = _fold_yearly(value, case.timeline, yearly, name, cell, report.notes)
        if _same(value, old):
            continue
        if inp.kind == "entity":
            k = int(np.argmax(~np.isclose(np.asarray(value), np.asarray(old, dtype=float))))
            report.notes.append(
                f"{name} differs on the Roster sheet (employee {k + 1}): per-employee "
                "inputs come from the roster file, which pull does not rewrite; edit the "
                "roster file"
            )
            continue
        if inp.unit == "flag":
            if value not in (0.0, 1.0):
                raise WorkbookError(f"{cell}: {value:g} must be 1 (yes) or 0 (no)")
            value = bool(value)
        report.changes.append(PullChange(name, cell, old, value, inp.unit))
        values[name] = value
    _note_frozen(book, case, report)
    if not values:
        return report
    text = source.read_text(encoding="utf-8-sig")
    fields = {key: type(comp).Inputs.model_fields for key, comp in case.components.items()}
    data = case.case_data
    for change in report.changes:  # each input must be one the case file writes
        try:
            locate(data, change.name, fields.get(change.name.partition(".")[0]))
        except CaseFileError as exc:
            raise CaseFileError(f"{change.cell}: {exc}") from None
    edited = set_inputs(text, values, fields=fields)
    try:
        check_edit(target, edited)
    except CaseFileError as exc:
        raise _refused(report.changes, text, target, fields, exc) from None
    if not dry_run:
        save_bytes(target, edited.encode("utf-8"), overwrite=True)
        report.written = True
    return report


def _fold_yearly(
    values: list, timeline: Any, yearly: tuple, name: str, cell: str, notes: list[str]
) -> list:
    """The yearly values of an input the case file gives one a financial year and the Inputs
    sheet lays over the months (:func:`~mutualfin.components.base.expand_yearly`): an amount
    spread over the months summed by year (the case file spreads it evenly again: a note
    says so), a rate read in its period of effect, a year-end value in the year's last
    period. An edit the case file cannot hold (a rate typed in another month) is refused,
    naming the cell and where to type it."""
    from mutualfin.components.base import expand_yearly

    how, month, before = yearly
    row = np.asarray(values, dtype=float)
    year = timeline.year_of_period
    if how == "spread":
        folded = np.bincount(year, weights=row, minlength=timeline.years)
    else:
        shape = np.ones(timeline.years)
        flag = expand_yearly(shape, timeline, how, month) != 0  # where each year's value sits
        folded = np.asarray(before, dtype=float).copy()  # a rate's first year is unused
        for p in np.flatnonzero(flag):
            folded[year[p]] = row[p]
    out = [float(v) for v in folded]
    again = expand_yearly(out, timeline, how, month)
    off = np.flatnonzero(~np.isclose(again, row, rtol=0, atol=1e-9))
    if how == "spread":  # the year's months summed; the case file spreads it evenly again
        if off.size:
            notes.append(
                f"{name}: the months of each year on the Inputs sheet summed into the case "
                "file's amount a year, which is spread evenly over the year's months again"
            )
        return out
    if off.size:
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.cell import range_boundaries

        sheet, _, cells = cell.partition("!")
        first_col, first_row, _, _ = range_boundaries(cells)
        cell = f"{sheet}!{get_column_letter(first_col + int(off[0]))}{first_row}"
        where = {
            "end": "each year's last period",
            "rate": "the first period of each year from the second",
            "month": "each year's month of effect from the second year",
        }["month" if how == "rate" and month is not None else how]
        raise WorkbookError(
            f"{cell}: {name} is one value a financial year in the case file, laid over the "
            f"months on the Inputs sheet; a value typed elsewhere cannot be pulled. Edit it in "
            f"{where}, or in the case file"
        )
    return out


def _note_frozen(book: Path, case, report: PullReport) -> None:
    """In a publication pack, inputs that feed per-employee figures are shown as data: the
    staff cohorts are values, so an edit there moved none of them. Such an edit is pulled
    (the case file is the record, and the next run follows it), with a note saying so and
    naming the full model, where every figure follows an edit."""
    from mutualfin.workbook.publication import PUBLICATION, pack_of, sensitive_path
    from mutualfin.workbook.writer import per_employee_inputs

    changed = {c.name for c in report.changes}
    if not changed or pack_of(book) != PUBLICATION:
        return
    frozen = sorted(per_employee_inputs(case.model) & changed)
    if not frozen:
        return
    one = len(frozen) == 1
    report.notes.append(
        f"{', '.join(frozen)} feed{'s' * one} the staff cohorts, which {book.name} (the "
        f"publication pack) holds as values: its staff figures did not follow the edit"
        f"{'' if one else 's'}. Run the case again for figures that do; to watch an edit "
        f"move every figure, edit the full model ({sensitive_path(book).name})"
    )


def _refused(changes, text, target, fields, exc: CaseFileError) -> CaseFileError:
    """The case file's refusal, naming the change(s) that caused it: each is tried alone."""
    culprits = []
    for change in changes:
        try:
            check_edit(target, set_inputs(text, {change.name: change.new}, fields=fields))
        except MutualfinError as alone:
            culprits.append((change, alone))
    if culprits:
        change, alone = culprits[0]
        reason = str(alone).removeprefix(f"{target.name}: ")
        more = f" (and {len(culprits) - 1} more)" if len(culprits) > 1 else ""
        return CaseFileError(
            f"not pulled, nothing written: {change.name} = {change.text(change.new)} (from "
            f"{change.cell}) is refused by the case file: {reason}{more}"
        )
    shown = ", ".join(c.name for c in changes)
    reason = str(exc).removeprefix(f"{target.name}: ")
    return CaseFileError(
        f"not pulled, nothing written: the changes to {shown} together are refused by the "
        f"case file: {reason}"
    )
