"""The workbook's structure as mutualfin writes it, and how a workbook on disk differs from it.

Recalculating a workbook proves only the cells that are still formulas: a figure typed over a
formula, a deleted sheet or an edited value block recalculates to nothing wrong. So
verification first compares the workbook with the one mutualfin would write for the same
case (:func:`compare_structure`):

- every sheet is present, and no sheet is there that mutualfin does not write;
- every formula cell holds the formula mutualfin writes (the formula's text, token by token:
  numbers in it compared as numbers, since LibreOffice rewrites ``1e-09`` as ``0.000000001``
  when it saves stored values), and no cell holds a formula mutualfin does not write;
- every other cell holds what mutualfin writes (labels, units, parameter values, timeline
  dates), numbers to 15 significant digits (what a spreadsheet keeps);
- every defined name is present and points where it should;
- input cells may differ from the case: each difference is an :class:`InputChange` (name,
  case value, workbook value), and Python is run again with the workbook's inputs before the
  figures are compared;
- value blocks (the appraisal and risk tables, which cannot be live formulas) are listed on a
  hidden sheet, :data:`RECORD_SHEET`, each with the SHA-256 of its cells' values, which
  verification recomputes; no block may cover a cell mutualfin writes elsewhere.

The same hidden sheet keeps a copy of every input cell as it was when the value blocks were
computed, to 15 significant digits (part of every block's checksum, and not compared with
the case: a case pulled from an edited workbook has the new values, its blocks the old), and
one live formula adds up how far the input cells now differ from that copy, relative to each
value's size; each value block shows :data:`STALE_TEXT` through a live formula while that sum
is above :data:`STALE_THRESHOLD`.
The Cover (title, author, status, date: the user's own metadata) and Contents (links) sheets
hold no figures and are not compared cell by cell; the Cover's title is read back, since
every sheet's heading carries it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import to_excel

from mutualfin.workbook.layout import FIRST_PERIOD_COL, quote_sheet
from mutualfin.workbook.writer import safe_text

__all__ = [
    "COHORT_STALE_TEXT",
    "RECORD_SHEET",
    "STALE_TEXT",
    "STALE_THRESHOLD",
    "InputChange",
    "StructureDifference",
    "compare_structure",
    "record_block",
    "write_record_sheet",
]

#: the hidden sheet listing the value blocks and the inputs they were computed with
RECORD_SHEET = "Value blocks"
#: what each value block shows, through a live formula, while an input differs from the
#: value the block was computed with
STALE_TEXT = "STALE: inputs changed since these figures were computed; rerun mutualfin"
#: what each staff cohort block of the publication pack shows while an input it depends on
#: differs from the value its figures were computed with (the cohorts are values from the
#: full model: no formula in the pack can follow a staff input)
COHORT_STALE_TEXT = (
    "STALE: a staff input changed since these cohort figures were computed in the full model; "
    "change it there and rerun mutualfin"
)
#: sheets holding the user's metadata and links, not figures: not compared cell by cell
UNCOMPARED_SHEETS = ("Cover", "Contents")
#: the sum of relative differences above which the inputs have changed: the copy is kept to
#: 15 significant digits (so that its checksum holds whichever program saved the file), which
#: moves a value by at most 5e-16 of itself; an edit moves it by far more
STALE_THRESHOLD = 1e-9
#: the cell adding up how far the input cells differ from the copy kept with the value blocks
CHANGED_CELL = (4, 2)
_FIRST_STAMP_ROW = 7
_SIGNIFICANT = 15  # digits a spreadsheet keeps of a number
_BLOCKS_KEY = "_mutualfin_value_blocks"


@dataclass(frozen=True)
class InputChange:
    """An input cell whose value differs from the case's: reported, not a failure."""

    name: str
    sheet: str
    cell: str
    case: Any
    workbook: Any

    def __str__(self) -> str:
        return (
            f"input changed: {self.name}, case value {_show(self.case)}, workbook value "
            f"{_show(self.workbook)} ({self.sheet}!{self.cell})"
        )


@dataclass(frozen=True)
class StructureDifference:
    """A cell, sheet or defined name that is not what mutualfin writes: a failure."""

    sheet: str
    cell: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class Block:
    """A value block: its sheet, range (A1:G20), SHA-256 of its values and its flag cell."""

    title: str
    sheet: str
    range: str
    checksum: str
    flag: str


def _show(v: Any) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f"{float(v):,.10g}"
    return repr(v)


def _coord(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


# -- the input cells and the copy kept of them ------------------------------------------------
def input_regions(model, layout, sheets) -> list[tuple[str, int, int, int, int]]:
    """Rectangles of input cells: (sheet, min_row, min_col, max_row, max_col), on the
    ``sheets`` the workbook has."""
    kinds = {"scalar": [], "period": [], "entity": []}
    for inp in model.inputs.values():
        kinds.setdefault(inp.kind, []).append(inp)
    out = []
    if kinds["scalar"]:
        out.append(("Inputs", 4, 4, 3 + len(kinds["scalar"]), 4))
    if kinds["period"]:
        rows = [layout.period_inputs[i.name] for i in kinds["period"]]
        out.append(
            ("Inputs", min(rows), FIRST_PERIOD_COL, max(rows), FIRST_PERIOD_COL + _n(model) - 1)
        )
    if kinds["entity"] and "Roster" in sheets:  # the publication pack has no Roster
        cols = [layout.entity_inputs[i.name] for i in kinds["entity"]]
        axis = next(iter(model.entity_axes.values()))
        first = layout.roster_first_row
        out.append(("Roster", first, min(cols), first + len(axis) - 1, max(cols)))
    return out


def _n(model) -> int:
    return model.timeline.n


def input_cells(model, layout, sheets) -> dict[tuple[str, int, int], tuple[str, str, int]]:
    """(sheet, row, column) of every input cell -> (input name, what the cell is, index):
    index is the period or entity the cell holds (0 for a scalar input)."""
    out: dict[tuple[str, int, int], tuple[str, str, int]] = {}
    scalar = [i for i in model.inputs.values() if i.kind == "scalar"]
    for r, inp in enumerate(scalar, start=4):
        out[("Inputs", r, 4)] = (inp.name, inp.name, 0)
    labels = model.timeline.labels
    for inp in model.inputs.values():
        if inp.kind == "period":
            r = layout.period_inputs[inp.name]
            for p in range(_n(model)):
                out[("Inputs", r, FIRST_PERIOD_COL + p)] = (inp.name, f"{inp.name} {labels[p]}", p)
        elif inp.kind == "entity" and "Roster" in sheets:
            axis = next(iter(model.entity_axes.values()))
            c = layout.entity_inputs[inp.name]
            for k, ident in enumerate(axis.ids):
                out[("Roster", layout.roster_first_row + k, c)] = (
                    inp.name,
                    f"{inp.name}[{ident}]",
                    k,
                )
    return out


def _stamp_rows(model, layout, sheets) -> tuple[list[tuple[tuple, int]], int]:
    """Where the copy of each input region starts on the record sheet (same columns, rows
    from :data:`_FIRST_STAMP_ROW`), and the row of the value blocks' table."""
    r = _FIRST_STAMP_ROW
    out = []
    for region in input_regions(model, layout, sheets):
        _, r0, _, r1, _ = region
        out.append((region, r))
        r += r1 - r0 + 2
    return out, r + 1


def stamp_cells(model, layout, sheets) -> dict[tuple[int, int], tuple[str, int, int]]:
    """(row, column) of each value in the record sheet's copy of the inputs -> the input
    cell it copies (sheet, row, column)."""
    out = {}
    for (sheet, r0, c0, r1, c1), s0 in _stamp_rows(model, layout, sheets)[0]:
        for k in range(r1 - r0 + 1):
            for col in range(c0, c1 + 1):
                out[(s0 + k, col)] = (sheet, r0 + k, col)
    return out


def _stamp_text(record, model, layout, sheets) -> str:
    """The copy of the inputs as text, part of every value block's checksum: editing the
    copy (to turn the STALE flags off) breaks the blocks' checksums."""
    return "".join(
        f"{_coord(r, c)}\x1f{_canonical(record.cell(row=r, column=c).value)}\x1e"
        for r, c in sorted(stamp_cells(model, layout, sheets))
    )


def changed_formula(model, layout, sheets) -> str:
    """The live formula adding up how far every input cell differs from its copy, each
    difference relative to the copy's size (``|now - then| / (1 + |then|)``)."""
    me = quote_sheet(RECORD_SHEET)
    parts = []
    for (sheet, r0, c0, r1, c1), s0 in _stamp_rows(model, layout, sheets)[0]:
        a = f"${get_column_letter(c0)}${r0}:${get_column_letter(c1)}${r1}"
        b = f"${get_column_letter(c0)}${s0}:${get_column_letter(c1)}${s0 + r1 - r0}"
        parts.append(f"SUMPRODUCT(ABS({quote_sheet(sheet)}!{a}-{me}!{b})/(1+ABS({me}!{b})))")
    return "=" + ("+".join(parts) if parts else "0")


def inputs_moved_formula(model, layout, sheets, names) -> str:
    """The live sum of how far the cells of the inputs ``names`` differ from their copy, as
    :func:`changed_formula` does for every input: one term per input (a row of cells for an
    input by period)."""
    me = quote_sheet(RECORD_SHEET)
    copy_of = {src: at for at, src in stamp_cells(model, layout, sheets).items()}
    rows: dict[tuple[str, str, int], list[tuple[int, int, int]]] = {}
    for (sheet, r, c), (name, _, _) in input_cells(model, layout, sheets).items():
        if name in names and (sheet, r, c) in copy_of:
            rows.setdefault((name, sheet, r), []).append((c, *copy_of[(sheet, r, c)]))
    parts = []
    for (_, sheet, r), cells in sorted(rows.items()):
        c0, c1 = min(c for c, _, _ in cells), max(c for c, _, _ in cells)
        s0 = cells[0][1]
        a = f"${get_column_letter(c0)}${r}:${get_column_letter(c1)}${r}"
        b = f"${get_column_letter(c0)}${s0}:${get_column_letter(c1)}${s0}"
        parts.append(f"SUMPRODUCT(ABS({quote_sheet(sheet)}!{a}-{me}!{b})/(1+ABS({me}!{b})))")
    return "+".join(parts) if parts else "0"


def cohort_flag_formula(model, layout, sheets, names) -> str:
    """The STALE flag of a staff cohort block: :data:`COHORT_STALE_TEXT` while an input in
    ``names`` (those the per-employee lines depend on) differs from its copy."""
    moved = inputs_moved_formula(model, layout, sheets, names)
    return f'=IF({moved}>{STALE_THRESHOLD:g},"{COHORT_STALE_TEXT}","")'


def flag_formula() -> str:
    r, c = CHANGED_CELL
    ref = f"{quote_sheet(RECORD_SHEET)}!${get_column_letter(c)}${r}"
    return f'=IF({ref}>{STALE_THRESHOLD:g},"{STALE_TEXT}","")'


# -- value blocks ------------------------------------------------------------------------------
def record_block(ws, title: str, min_row: int, max_row: int, max_col: int, flag_row: int) -> None:
    """Mark rows ``min_row``..``max_row`` (columns A..``max_col``) of ``ws`` as a value block
    whose STALE flag sits in column A of ``flag_row`` (inside or just outside the range)."""
    wb = ws.parent
    wb.__dict__.setdefault(_BLOCKS_KEY, []).append(
        (title, ws.title, f"A{min_row}:{get_column_letter(max_col)}{max_row}", f"A{flag_row}")
    )
    cell = ws.cell(row=flag_row, column=1, value=flag_formula())
    cell.font = Font(bold=True, color="C00000")


def _canonical(v: Any) -> str | None:
    """A cell's value as text for a checksum, as a spreadsheet keeps it (numbers to 15
    significant digits); None for an empty cell."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime | dt.date | dt.time):
        # a date is a number a cell formats as a date: written as the number (a percentile
        # of the month of the lowest cash), it is read back as a date, and the other way
        # round; either way the same serial number
        v = _number(v)
    if isinstance(v, int | float):
        f = float(v)
        return "0" if f == 0 else format(f, f".{_SIGNIFICANT}g")  # written rounded to these
    return str(v)


def block_checksum(ws, rng: str, flag: str, stamp: str = "") -> str:
    """SHA-256 of the values in ``rng`` of ``ws`` (the flag cell left out), and of ``stamp``,
    the copy of the inputs they were computed with."""
    c0, r0, c1, r1 = range_boundaries(rng)
    h = hashlib.sha256(stamp.encode())
    for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1):
        for cell in row:
            if cell.coordinate == flag:
                continue
            text = _canonical(cell.value)
            if text is not None:
                h.update(f"{cell.coordinate}\x1f{text}\x1e".encode())
    return h.hexdigest()


def write_record_sheet(wb, model, layout) -> None:
    """The hidden sheet: the copy of the input cells, the live sum of how far they now
    differ, and the value blocks recorded with :func:`record_block` (with their checksums)."""
    sheets = set(wb.sheetnames)
    ws = wb.create_sheet(RECORD_SHEET)
    ws.sheet_state = "hidden"
    ws.cell(row=1, column=1, value="Value blocks and the inputs they were computed with")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(
        row=2,
        column=1,
        value="Kept by mutualfin for 'mutualfin verify' and the STALE flags; do not edit.",
    )
    r, c = CHANGED_CELL
    ws.cell(row=r, column=1, value="How far the inputs differ from the copy below (0: none)")
    ws.cell(row=r, column=c, value=changed_formula(model, layout, sheets))
    for (sheet, r0, c0, r1, c1), s0 in _stamp_rows(model, layout, sheets)[0]:
        src = wb[sheet]
        safe_text(
            ws.cell(row=s0 - 1, column=1), f"Copy of {sheet}!{_coord(r0, c0)}:{_coord(r1, c1)}"
        )
        for k in range(r1 - r0 + 1):
            # the row's name or id, from a case file or roster: text, never a formula
            safe_text(ws.cell(row=s0 + k, column=1), src.cell(row=r0 + k, column=1).value)
            for col in range(c0, c1 + 1):
                v = src.cell(row=r0 + k, column=col).value
                if isinstance(v, int | float) and not isinstance(v, bool):
                    v = float(f"{float(v):.{_SIGNIFICANT}g}")  # as every program saves it
                ws.cell(row=s0 + k, column=col, value=v)
    head = _stamp_rows(model, layout, sheets)[1]
    for col, text in enumerate(
        ["Value block", "Sheet", "Range", "SHA-256 of its values", "Flag"], 1
    ):
        ws.cell(row=head, column=col, value=text).font = Font(bold=True)
    stamp = _stamp_text(ws, model, layout, sheets)
    for k, (title, sheet, rng, flag) in enumerate(wb.__dict__.get(_BLOCKS_KEY, []), start=1):
        values = [title, sheet, rng, block_checksum(wb[sheet], rng, flag, stamp), flag]
        for col, v in enumerate(values, start=1):
            safe_text(ws.cell(row=head + k, column=col), v)


def _read_blocks(ws, head: int, diffs: list[StructureDifference]) -> list[Block]:
    blocks = []
    for r in range(head + 1, ws.max_row + 1):
        values = [ws.cell(row=r, column=c).value for c in range(1, 6)]
        if all(v is None for v in values):
            continue
        title, sheet, rng, checksum, flag = (None if v is None else str(v) for v in values)
        try:
            range_boundaries(rng or "")
            range_boundaries(flag or "")
        except (ValueError, TypeError):
            diffs.append(
                StructureDifference(
                    RECORD_SHEET, _coord(r, 1), "a value block's record", repr(values)
                )
            )
            continue
        blocks.append(Block(title or "", sheet or "", rng or "", checksum or "", flag or ""))
    return blocks


# -- comparing ---------------------------------------------------------------------------------
def _number(v: Any) -> float | None:
    """A number, or a date-formatted number read back as a date, as a number (a time of
    day: a date-formatted number under 1, such as the 0 of a period with no date)."""
    if isinstance(v, dt.datetime | dt.date):
        return float(to_excel(v))
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def _same_number(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 10 ** (1 - _SIGNIFICANT) * max(abs(a), abs(b))


def _tokens(formula: str) -> list[Token] | None:
    try:
        return [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    except TokenizerError:
        return None


def same_formula(a: str, b: str) -> bool:
    """Whether two formulas are the same, token by token (numbers compared as numbers,
    function names and references without regard to case or an ``_xlfn.`` prefix)."""
    if a == b:
        return True
    ta, tb = _tokens(a), _tokens(b)
    if ta is None or tb is None or len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb, strict=True):
        if (x.type, x.subtype) != (y.type, y.subtype):
            return False
        if x.type == Token.OPERAND and x.subtype == Token.NUMBER:
            if not _same_number(float(x.value), float(y.value)):
                return False
        elif x.type == Token.OPERAND and x.subtype == Token.TEXT:
            if x.value != y.value:
                return False
        else:
            u, v = (t.value.upper().removeprefix("_XLFN.") for t in (x, y))
            if u != v:
                return False
    return True


def _is_formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=") and len(v) > 1


def _same_value(want: Any, got: Any) -> bool:
    if want == "":
        want = None
    if got == "":
        got = None
    if want is None or got is None:
        return want is got
    a, b = _number(want), _number(got)
    if a is not None or b is not None:
        return a is not None and b is not None and _same_number(a, b)
    return _text(want) == _text(got)


def _text(v: Any) -> str:
    """Text as a workbook file keeps it: XML reads a carriage return back as a line feed."""
    return str(v).replace("\r\n", "\n").replace("\r", "\n")


def _describe(v: Any) -> str:
    if v is None or v == "":
        return "an empty cell"
    if _is_formula(v):
        return f"formula {v[:120]}"
    if isinstance(v, str):
        return f"text {v[:120]!r}"
    return f"value {_show(v)}"


def _cells(ws) -> dict[tuple[int, int], Any]:
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if v is not None and v != "":
                out[(cell.row, cell.column)] = v
    return out


def _names(wb) -> dict[tuple[str, str], str]:
    """(scope, name) -> what it points to, for workbook and sheet-scoped names."""
    out = {}
    for name, dn in wb.defined_names.items():
        out[("", name)] = str(dn.attr_text)
    for ws in wb.worksheets:
        for name, dn in ws.defined_names.items():
            out[(ws.title, name)] = str(dn.attr_text)
    return out


@dataclass
class Structure:
    """What :func:`compare_structure` found."""

    differences: list[StructureDifference]
    changes: list[InputChange]
    #: {input name: the workbook's values of its cells, {index: value}}
    edited: dict[str, dict[int, Any]]
    blocks: list[Block]
    compared: int = 0
    #: how far the input cells are from the copy kept with the value blocks (what the
    #: record sheet's live sum must show; the STALE flags show while it is above
    #: :data:`STALE_THRESHOLD`)
    moved: float = 0.0
    #: the same, input by input (what a staff cohort block's STALE flag adds up)
    moved_by_input: dict[str, float] = field(default_factory=dict)


def compare_structure(actual, expected, model, layout) -> Structure:
    """Compare an openpyxl workbook read from disk (formulas, not values) with the one
    mutualfin writes for the same case (``expected``, built without value blocks)."""
    diffs: list[StructureDifference] = []
    changes: list[InputChange] = []
    edited: dict[str, dict[int, Any]] = {}
    sheets = set(expected.sheetnames)
    inputs = input_cells(model, layout, sheets)
    found_sheets = set(actual.sheetnames)
    for name in expected.sheetnames:
        if name not in found_sheets:
            diffs.append(StructureDifference(name, "", "the sheet mutualfin writes", "no sheet"))

    # the record sheet: its fixed part as written, then its list of value blocks
    blocks: list[Block] = []
    head = _stamp_rows(model, layout, sheets)[1]
    if RECORD_SHEET in found_sheets:
        blocks = _read_blocks(actual[RECORD_SHEET], head, diffs)
    stamp = _stamp_text(actual[RECORD_SHEET], model, layout, sheets) if blocks else ""
    stamped = stamp_cells(model, layout, sheets)
    # blocks mutualfin writes whatever the case (the Summary's findings computed in Python)
    # must be recorded as written; their cells are proven by the checksum, not compared
    always = _read_blocks(expected[RECORD_SHEET], head, []) if RECORD_SHEET in sheets else []
    found = {(b.sheet, b.range, b.flag) for b in blocks}
    for b in always:
        if (b.sheet, b.range, b.flag) not in found:
            diffs.append(
                StructureDifference(
                    RECORD_SHEET,
                    "",
                    f"the value block {b.title!r} ({b.sheet}!{b.range}) recorded",
                    "no record of it",
                )
            )
    block_sheets = {b.sheet for b in blocks}
    for name in actual.sheetnames:
        if name not in expected.sheetnames and name not in block_sheets:
            diffs.append(
                StructureDifference(
                    name, "", "no such sheet (mutualfin does not write it)", "a sheet"
                )
            )
    in_block: dict[str, list[tuple[int, int, int, int, str]]] = {}
    for b in blocks:
        if b.sheet not in found_sheets:
            diffs.append(
                StructureDifference(
                    b.sheet, "", f"the sheet holding the value block {b.title!r}", "no sheet"
                )
            )
            continue
        ws = actual[b.sheet]
        c0, r0, c1, r1 = range_boundaries(b.range)
        in_block.setdefault(b.sheet, []).append((r0, c0, r1, c1, b.flag))
        got = block_checksum(ws, b.range, b.flag, stamp)
        if got != b.checksum:
            # name the first cell that makes the difference cannot be known from a checksum;
            # name the block, its range and both checksums
            diffs.append(
                StructureDifference(
                    b.sheet,
                    b.range,
                    f"the values of the value block {b.title!r} as computed by mutualfin "
                    f"(SHA-256 {b.checksum[:16]}...)",
                    f"values edited (SHA-256 {got[:16]}...)",
                )
            )
        flag = ws[b.flag].value
        if not (_is_formula(flag) and same_formula(flag, flag_formula())):
            diffs.append(
                StructureDifference(b.sheet, b.flag, f"formula {flag_formula()}", _describe(flag))
            )
        for row in ws.iter_rows(min_row=r0, max_row=r1, min_col=c0, max_col=c1):
            for cell in row:
                if cell.coordinate != b.flag and _is_formula(cell.value):
                    diffs.append(
                        StructureDifference(
                            b.sheet, cell.coordinate, "a value", _describe(cell.value)
                        )
                    )

    def covered(sheet: str, r: int, c: int, where=in_block) -> bool:
        for r0, c0, r1, c1, flag in where.get(sheet, []):
            if (r0 <= r <= r1 and c0 <= c <= c1) or _coord(r, c) == flag:
                return True
        return False

    in_always: dict[str, list[tuple[int, int, int, int, str]]] = {}
    for b in always:
        c0, r0, c1, r1 = range_boundaries(b.range)
        in_always.setdefault(b.sheet, []).append((r0, c0, r1, c1, b.flag))

    compared = 0
    for name in expected.sheetnames:
        if name not in found_sheets or name in UNCOMPARED_SHEETS:
            continue
        want_cells = _cells(expected[name])
        got_cells = _cells(actual[name])
        for r, c in sorted(set(want_cells) | set(got_cells)):
            want = want_cells.get((r, c))
            got = got_cells.get((r, c))
            coord = _coord(r, c)
            if name == RECORD_SHEET and r > head:
                continue  # the value blocks' list, read above
            if covered(name, r, c, in_always) and covered(name, r, c):
                continue  # a block written whatever the case, proven by its checksum
            if want is None and covered(name, r, c):
                continue
            if want is not None and covered(name, r, c):
                diffs.append(
                    StructureDifference(
                        name, coord, f"{_describe(want)} (a value block covers it)", "a block"
                    )
                )
                continue
            compared += 1
            key = (name, r, c)
            if name == RECORD_SHEET and (r, c) in stamped:
                # the inputs the value blocks were computed with: in their checksums, and
                # may differ from the case's (a case pulled from an edited workbook)
                if _number(got) is None:
                    diffs.append(StructureDifference(name, coord, "a number", _describe(got)))
                continue
            if key in inputs:
                if _same_value(want, got):
                    continue
                input_name, what, index = inputs[key]
                if _number(got) is None:
                    diffs.append(
                        StructureDifference(name, coord, f"a number (input {what})", _describe(got))
                    )
                    continue
                value = _number(got)
                changes.append(InputChange(what, name, coord, _number(want), value))
                edited.setdefault(input_name, {})[index] = value
                continue
            if _is_formula(want):
                if not (_is_formula(got) and same_formula(want, got)):
                    diffs.append(
                        StructureDifference(name, coord, f"formula {want}", _describe(got))
                    )
                continue
            if _is_formula(got) or not _same_value(want, got):
                diffs.append(StructureDifference(name, coord, _describe(want), _describe(got)))

    want_names, got_names = _names(expected), _names(actual)
    for key, ref in want_names.items():
        scope = key[0] or "workbook"
        if key not in got_names:
            diffs.append(
                StructureDifference(scope, "", f"defined name {key[1]} -> {ref}", "no such name")
            )
        elif got_names[key].replace("$", "") != ref.replace("$", ""):
            diffs.append(
                StructureDifference(
                    scope, "", f"defined name {key[1]} -> {ref}", f"-> {got_names[key]}"
                )
            )
    for key, ref in got_names.items():
        if key not in want_names and not key[1].startswith("_xlnm."):
            diffs.append(
                StructureDifference(
                    key[0] or "workbook",
                    "",
                    "no such defined name (mutualfin does not write it)",
                    f"defined name {key[1]} -> {ref}",
                )
            )
    moved = 0.0
    by_input: dict[str, float] = {}
    if RECORD_SHEET in found_sheets:
        record = actual[RECORD_SHEET]
        owner = input_cells(model, layout, sheets)
        for (r, c), (sheet, r0, c0) in stamped.items():
            a = _number(record.cell(row=r, column=c).value)
            b = (
                _number(actual[sheet].cell(row=r0, column=c0).value)
                if sheet in found_sheets
                else None
            )
            if a is not None and b is not None:
                step = abs(b - a) / (1 + abs(a))
                moved += step
                name = owner.get((sheet, r0, c0), ("",))[0]
                by_input[name] = by_input.get(name, 0.0) + step
    return Structure(diffs, changes, edited, blocks, compared, moved, by_input)
