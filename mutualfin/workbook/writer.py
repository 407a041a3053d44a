"""Write a model as a live workbook: inputs, parameters, timeline and one row of formulas per
line, the same formula across the row.

Sheet layout (every sheet with periods): column A the name (as in Python), B the description,
C the unit, D the total over periods (flows only), E the opening value (the "previous period"
of the first period), F onwards one column per period.

Colour palette (documented in the README):

- inputs: pale yellow fill, dark blue text (change these);
- calculations: no fill, black text (never type over these);
- timeline and parameter data: pale grey fill, black text (data with references);
- per-entity block rows: pale blue fill in column A and B;
- headers: dark blue fill, white bold text.

The writer never computes a figure: every number in a calculation sheet is a formula. Text that
comes from users (labels, sources, ids) is always written as text, never as a formula.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import errno
import gc
import io
import os
import re
import secrets
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from mutualfin.core.checks import wrong_kind
from mutualfin.engine.model import Evaluation, Model
from mutualfin.engine.nodes import excel_name
from mutualfin.errors import WorkbookError
from mutualfin.workbook.layout import (
    FIRST_PERIOD_COL,
    HEADER_KINDS,
    OPENING_COL,
    TOTAL_COL,
    Layout,
    render_formula,
    render_row,
)
from mutualfin.workbook.safeguards import (
    MAX_CELL_TEXT,
    MAX_NAME,
    add_date_validation,
    add_input_validation,
    check_header,
    protect,
    record_truncation,
)

__all__ = ["PALETTE", "atomic_save", "safe_text", "save_bytes", "write_workbook"]

PALETTE = {
    "input_fill": "FFF2CC",
    "input_font": "1F3864",
    "data_fill": "EDEDED",
    "entity_fill": "DDEBF7",
    "header_fill": "1F3864",
    "header_font": "FFFFFF",
    "check_ok": "C6EFCE",
}
_INPUT_FILL = PatternFill("solid", fgColor=PALETTE["input_fill"])
_INPUT_FONT = Font(color=PALETTE["input_font"], bold=True)
_DATA_FILL = PatternFill("solid", fgColor=PALETTE["data_fill"])
_ENTITY_FILL = PatternFill("solid", fgColor=PALETTE["entity_fill"])
_HEAD_FILL = PatternFill("solid", fgColor=PALETTE["header_fill"])
_HEAD_FONT = Font(color=PALETTE["header_font"], bold=True)
_TITLE_FONT = Font(bold=True, size=14)

NUMBER_FORMATS = {
    "GBP": "£#,##0;[Red]-£#,##0",
    "fraction": "0.0%",
    "ratio": "0.0000",
    "count": "General",
    "months": "#,##0.0",
    "years": "#,##0.0#",
    "FTE": "#,##0.00",
    "index": "0.0000",
    "flag": "0",
    "date": "dd/mm/yyyy;;",  # a date, and nothing shown for 0 (no date in that period)
}
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

# calc sheet header rows (timeline header linked from the Timeline sheet)
CALC_HEADER = {
    "period_label": 2,
    "period_start": 3,
    "period_end": 4,
    "index": 5,
    "first_period": 6,
    "year_fraction": 7,
}
CALC_FIRST_ROW = 9
TIMELINE_ROWS = {
    "period_label": 4,
    "period_start": 5,
    "period_end": 6,
    "index": 7,
    "first_period": 8,
    "year_fraction": 9,
}
#: what each Timeline row beyond the header holds: description and unit
TIMELINE_EXTRA = {
    "within": ("1 in periods overlapping the date range", "flag"),
    "year_index": ("Financial years since the first (yearly uplifts)", "count"),
    "year_start": ("1 in the first period of each financial year", "flag"),
    "year_end": ("1 in the last period of each financial year", "flag"),
    "elapsed": ("Years from the start to the end of the period", "years"),
    "months": ("Months in the period", "count"),
    "month": ("Times the first day of the calendar month falls in the period", "count"),
    "fy_start": ("Start date of the period's financial year (yearly sums: SUMIF)", "date"),
    "fy_close": (
        "Start date of the financial year, in its closing period only (yearly balances)",
        "date",
    ),
}
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
)


def _style(ws, fmt: str = "General", bold: bool = False, fill: PatternFill | None = None):
    """A cell style (an openpyxl StyleArray) worked out once per workbook and copied to
    every cell that shares it: setting number_format, font and fill cell by cell costs most
    of the time of writing a large workbook."""
    cache = ws.parent.__dict__.setdefault("_mutualfin_styles", {})
    key = (fmt, bold, None if fill is None else fill.fgColor.rgb)
    style = cache.get(key)
    if style is None:
        from openpyxl.cell.cell import Cell

        proto = Cell(ws)
        proto.number_format = fmt
        if bold:
            proto.font = Font(bold=True)
        if fill is not None:
            proto.fill = fill
        style = proto._style
        cache[key] = style
    return style


#: each unit as a reader says it, for the Unit columns (the number format shows the figure)
UNIT_WORDS = {
    "GBP": "£",
    "fraction": "%",
    "ratio": "ratio",
    "count": "number",
    "months": "months",
    "years": "years",
    "days": "days",
    "FTE": "FTE",
    "index": "index",
    "flag": "1 = yes, 0 = no",
    "date": "date",
    "text": "text",
}


def unit_text(unit: str) -> str:
    """A unit in words: ``GBP`` as "£", ``fraction`` as "%", ``GBP/year`` as "£ a year",
    ``days/FTE`` as "days per FTE"; a unit not listed as it is."""
    head, _, per = unit.partition("/")
    word = UNIT_WORDS.get(head, head)
    if not per:
        return word
    return f"{word} a {per}" if per in ("year", "day", "month", "week") else f"{word} per {per}"


def number_format(unit: str) -> str:
    head = unit.split("/")[0]
    return NUMBER_FORMATS.get(unit, NUMBER_FORMATS.get(head, "#,##0.00"))


def safe_text(cell, text: object, *, cut: bool = False) -> None:
    """Write user text as text, never as a formula (=, +, -, @, tab, CR at the start).

    Text a workbook cannot hold (a control character such as ESC or NUL, given through the
    Python API where no case file checked it) is refused with a WorkbookError, not left to
    openpyxl's IllegalCharacterError. Text longer than an Excel cell holds (32,767
    characters) is refused too, naming the cell; with ``cut`` (text mutualfin made for a
    values table, not a label or source the user gave) it is cut to fit, the cut is said at
    the end of the cell, and the workbook records it
    (:func:`mutualfin.workbook.safeguards.truncations`)."""
    s = "" if text is None else str(text)
    bad = ILLEGAL_CHARACTERS_RE.search(s)
    if bad is not None:
        raise WorkbookError(
            f"text {s!r:.80} holds a control character ({bad.group()!r}) that a workbook "
            "cannot hold; remove it from the label, source or name it came from"
        )
    if len(s) > MAX_CELL_TEXT:
        where = f"{cell.parent.title}!{cell.coordinate}"
        if not cut:
            raise WorkbookError(
                f"text for {where} is {len(s):,} characters, over the {MAX_CELL_TEXT:,} an "
                f"Excel cell holds: {s!r:.60}...; shorten the label, source or name it came "
                "from"
            )
        note = f" [cut here: {len(s):,} characters, over the {MAX_CELL_TEXT:,} a cell holds]"
        record_truncation(cell.parent.parent, where, len(s))
        s = s[: MAX_CELL_TEXT - len(note)] + note
    cell.value = s
    if s.startswith(_DANGEROUS_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _pin_timestamps(data: bytes, created: dt.datetime) -> bytes:
    """The saved zip with every entry dated ``created`` and the document's modified time set
    to it, so the same workbook gives the same bytes."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (
        max(created.year, 1980),
        created.month,
        created.day,
        created.hour,
        created.minute,
        created.second,
    )
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, part in entries:
            if name == "docProps/core.xml":
                part = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    part,
                )
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, part)
    return out.getvalue()


def _defined_name(name: str) -> str:
    """The Excel defined name of an input, refused if longer than Excel allows."""
    xname = excel_name(name)
    if len(xname) > MAX_NAME:
        raise WorkbookError(
            f"input name {name[:60]!r}... is {len(xname):,} characters; an Excel defined name "
            f"holds at most {MAX_NAME}: give the input a shorter name"
        )
    return xname


def protect_workbook(wb: Workbook) -> None:
    """Protect every sheet without a password, the input cells (the palette's input yellow)
    unlocked: see :mod:`mutualfin.workbook.safeguards`."""
    protect(wb, PALETTE["input_fill"])


def _exists(path: Path) -> bool:
    """True if anything is at ``path``: a file, a folder, or a symbolic link (even dangling)."""
    return path.exists() or path.is_symlink()


def _already_exists(path: Path, what: str = "pass overwrite=True") -> WorkbookError:
    link = " (a symbolic link)" if path.is_symlink() else ""
    return WorkbookError(
        f"{str(path)!r} already exists{link}; choose another name or {what} "
        "(--overwrite on the command line)"
    )


def save_bytes(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` so that it appears complete or not at all.

    The bytes go to a hidden temporary file in the same folder, are flushed to disk, and
    the file is then moved into place: with ``overwrite``, replacing what is there (keeping
    its permissions); without, only if nothing is there, checked and done in one step by the
    operating system (a hard link), so two writers racing for one name cannot both win. A
    new file's permissions follow the umask, as any program's do. If the write fails (disk
    full, interrupted), the temporary file is removed and any earlier file is untouched.

    Raises
    ------
    WorkbookError
        ``path`` exists and ``overwrite`` is False, or the disk refused the write (its reason
        and ``path`` named, never the temporary file's).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"folder {str(folder)!r} does not exist; create it first")
    if not overwrite and _exists(path):
        raise _already_exists(path)
    mode = None
    if overwrite:
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode):
                mode = stat.S_IMODE(st.st_mode)  # a shared 0664 file stays 0664
        except OSError:
            pass
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, 0o666)  # the umask applies, as for any new file
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        try:
            if mode is not None:
                os.chmod(tmp, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            _place_new(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise
    return path


def _place_new(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` only if nothing is at ``path``, atomically."""
    try:
        os.link(tmp, path)  # fails if anything, even a dangling link, is at path
    except FileExistsError:
        raise _already_exists(path) from None
    except OSError:  # a file system without hard links: reserve the name, then replace it
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise _already_exists(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def _write_error(path: Path, exc: OSError, where: str = "") -> WorkbookError:
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some space, or write elsewhere",
        errno.EFBIG: "the file is larger than this file system or process may write",
        errno.EDQUOT: "the disk quota is used up; free some space, or write elsewhere",
        errno.EACCES: "choose a folder you may write in",
        errno.EPERM: "choose a folder you may write in",
        errno.EROFS: "the disk is read-only; write elsewhere",
    }.get(exc.errno or 0, "check the folder and the disk")
    return WorkbookError(
        f"could not write {str(path)!r}: {reason}{where}; {hint}. Nothing was written, and "
        "any earlier file is unchanged"
    )


def _save_in_memory(wb: Workbook, path: Path) -> bytes:
    """The workbook's bytes. openpyxl writes each sheet through a temporary file in the
    system's temporary folder first; if that disk is full, the error names the workbook and
    the temporary folder, and the second error openpyxl's half-closed writers raise as they
    are cleaned up (printed as "Exception ignored in ...") is swallowed here, not shown."""
    buffer = io.BytesIO()
    failure: WorkbookError | None = None
    hook = sys.unraisablehook

    def quiet(unraisable) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            hook(unraisable)

    sys.unraisablehook = quiet
    try:
        try:
            wb.save(buffer)
        except OSError as exc:
            failure = _write_error(path, exc, f" (in the temporary folder {tempfile.gettempdir()})")
        gc.collect()  # finish openpyxl's abandoned writers while their errors are swallowed
    finally:
        sys.unraisablehook = hook
    if failure is not None:
        raise failure
    return buffer.getvalue()


def check_target(path: str | os.PathLike, overwrite: bool) -> Path:
    """Refuse a workbook path before any work: not .xlsx, no such folder, or taken (without
    ``overwrite``)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise WorkbookError(f"workbook path {str(path)!r} must end in .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"folder {str(folder)!r} does not exist; create it first")
    if _exists(path) and not overwrite:
        raise _already_exists(path)
    return path


def atomic_save(
    wb: Workbook, path: Path, overwrite: bool, created: dt.datetime | None = None
) -> Path:
    """Save to a temporary file in the same folder, then move it into place
    (:func:`save_bytes`).

    With ``created``, the workbook's creation and modification times and every part's zip
    date are set to it, so the same inputs give a byte-identical file.
    """
    path = check_target(path, overwrite)
    if created is not None:
        wb.properties.created = created
    data = _save_in_memory(wb, path)
    if created is not None:
        data = _pin_timestamps(data, created)
    return save_bytes(path, data, overwrite=overwrite)


def _header(ws, row: int, values: list[str]) -> None:
    for c, v in enumerate(values, start=1):
        cell = ws.cell(row=row, column=c)
        safe_text(cell, v)
        cell.fill = _HEAD_FILL
        cell.font = _HEAD_FONT


def _title(ws, text: str) -> None:
    cell = ws.cell(row=1, column=1)
    safe_text(cell, text)
    cell.font = _TITLE_FONT


def _page_setup(ws, title: str, marking: str = "") -> None:
    """A4 landscape, fitted to the page width; header with the title and protective marking,
    footer with the sheet name and page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddHeader.center.text = title.replace("&", "&&")
    if marking:
        ws.oddHeader.right.text = marking.replace("&", "&&")
        ws.oddFooter.right.text = marking.replace("&", "&&")
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = "Page &P of &N"
    check_header(str(ws.oddHeader), f"title {len(title):,} characters, marking {len(marking):,}")
    check_header(str(ws.oddFooter), f"marking {len(marking):,} characters")


def _widths(ws, n_periods: int) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 15
    ws.column_dimensions["E"].width = 14
    for p in range(n_periods):
        ws.column_dimensions[get_column_letter(FIRST_PERIOD_COL + p)].width = 14


def presentation_order(model: Model) -> list[str]:
    """Lines in the order the model was given (each line's auxiliary rows just above it)."""
    out: list[str] = []
    seen: set[str] = set()
    owned = {aux for auxes in model.aux_of.values() for aux in auxes}
    for name, line in model.lines.items():
        # an auxiliary row goes just above its owner; one made by another model that shares
        # the expression has no owner here and is placed where it was found
        if name in seen or (line.auxiliary and name in owned):
            continue
        for aux in model.aux_of.get(name, []):
            if aux not in seen:
                seen.add(aux)
                out.append(aux)
        seen.add(name)
        out.append(name)
    return out


def _timeline_key_order(key: tuple) -> tuple:
    kind, start, end = key
    order = list(TIMELINE_EXTRA)
    return (order.index(kind) if kind in order else len(order), str(start), str(end))


def plan_layout(model: Model, cohorts=None) -> tuple[Layout, dict[str, list[str]]]:
    """Decide the row of everything, and which lines go on which calculation sheet.

    With ``cohorts`` (:class:`~mutualfin.workbook.cohorts.Cohorts`, the publication pack), a
    per-employee line takes one row per cohort instead of one per employee."""
    layout = Layout(header_rows={k: v for k, v in CALC_HEADER.items()})
    inputs = list(model.inputs.values())
    scalar = [i for i in inputs if i.kind == "scalar"]
    period = [i for i in inputs if i.kind == "period"]
    entity = [i for i in inputs if i.kind == "entity"]
    row = 4 + len(scalar) + 2
    for inp in period:
        row += 1
        layout.period_inputs[inp.name] = row
    layout.roster_first_row = 4
    for c, inp in enumerate(entity, start=2):
        layout.entity_inputs[inp.name] = c
    spaces = getattr(model, "spaces", {})
    by_year = any(sp == "year" for sp in spaces.values())
    native_params = [k for k in model.param_refs if "native" in model.param_spaces.get(k, ())]
    year_params = [k for k in model.param_refs if "year" in model.param_spaces.get(k, ())]
    for r, key in enumerate(native_params, start=4):
        layout.params[key] = r
    r = 4 + len(native_params) + 2  # a blank row, then the yearly block's header
    for key in year_params:
        r += 1
        layout.year_params[key] = r
    # the Timeline sheet: header rows, other rows by period, then the yearly block
    extra = sorted(
        (k for k in model.time_vars if k[0] not in HEADER_KINDS), key=_timeline_key_order
    )
    r = TIMELINE_ROWS["year_fraction"] + 2
    for key in extra:
        if "native" in model.time_spaces.get(key, ()):
            layout.timeline_rows[("native", key)] = r
            r += 1
    if by_year:
        r += 2  # a blank row, then the yearly block's heading row
        for kind in HEADER_KINDS:
            layout.year_timeline_rows[kind] = r
            r += 1
        r += 1
        for key in extra:
            if "year" in model.time_spaces.get(key, ()):
                layout.timeline_rows[("year", key)] = r
                r += 1
    sheets: dict[str, list[str]] = {}
    for name in presentation_order(model):
        sheets.setdefault(model.lines[name].sheet, []).append(name)
    for sheet, names in sheets.items():
        periodic = {spaces.get(n, "native") for n in names if model.shapes[n].period}
        found = periodic or {spaces.get(n, "native") for n in names}
        if len(found) > 1:
            by_period = [n for n in names if spaces.get(n, "native") == "native"][:3]
            yearly = [n for n in names if spaces.get(n, "native") == "year"][:3]
            raise WorkbookError(
                f"sheet {sheet!r} holds lines by period ({', '.join(by_period)}) and lines by "
                f"financial year ({', '.join(yearly)}); give the yearly lines a sheet of their "
                "own (Line(..., sheet=...))"
            )
        layout.sheet_space[sheet] = found.pop()
    for sheet, names in sheets.items():
        r = CALC_FIRST_ROW
        section = None
        for name in names:
            new_section = model.lines[name].section
            if new_section is not None and new_section != section:
                layout.sections[(sheet, r + 1)] = new_section  # a blank row, then the heading
                r += 2
            section = new_section if new_section is not None else section
            axis = model.shapes[name].entity
            if axis is None:
                layout.lines[name] = (sheet, r)
                r += 1
            else:  # a header row (name, description, unit), then one row per entity
                layout.lines[name] = (sheet, r + 1)
                rows = len(axis) if cohorts is None else len(cohorts)
                layout.entity_count[name] = rows
                r += rows + 1
    return layout, sheets


def write_workbook(
    evaluation: Evaluation,
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    title: str = "mutualfin model",
    scenario: int = 0,
    created: dt.datetime | None = None,
    protect: bool = True,
) -> Path:
    """Write the model behind ``evaluation`` as a live workbook.

    Input cells hold the input values of ``scenario``; every calculation is a formula.
    Returns the path written. The file appears complete or not at all. ``created`` fixes the
    timestamps so the same model gives the same bytes. Every input cell carries data
    validation from its bounds; with ``protect`` (the default) every sheet is protected
    without a password, only the input cells unlocked (see
    :mod:`mutualfin.workbook.safeguards`).
    """
    if not isinstance(path, str | os.PathLike):
        raise wrong_kind("write_workbook", "path", "the workbook's file path", path, {})
    if not isinstance(protect, bool):
        raise WorkbookError(f"write_workbook: protect must be True or False, got {protect!r:.60}")
    wb = build_workbook(evaluation, title=title, scenario=scenario)
    if protect:
        protect_workbook(wb)
    return atomic_save(wb, Path(path), overwrite, created)


def _timeline_extra_name(key: tuple) -> str:
    kind, start, end = key
    if kind == "within":
        return f"within_{start or 'start'}_{end or 'end'}"
    if kind == "month":
        return f"month_{start}"
    return kind


def _timeline_block(ws, model: Model, layout: Layout, space: str, header: dict, rows: dict) -> None:
    """One period space's rows on the Timeline sheet: its header rows (data), then its other
    rows: date-range flags as formulas on the header's dates, the rest as data."""
    for key, (desc, unit, values) in rows.items():
        r = header[key]
        safe_text(ws.cell(row=r, column=1), key)
        safe_text(ws.cell(row=r, column=2), desc)
        safe_text(ws.cell(row=r, column=3), unit_text(unit))
        for p, v in enumerate(values):
            cell = ws.cell(row=r, column=FIRST_PERIOD_COL + p)
            if unit == "text":
                safe_text(cell, v)
            else:
                cell.value = v
                if unit == "date":
                    cell.number_format = "dd/mm/yyyy"
            cell.fill = _DATA_FILL
    n = model.timeline_of(space).n
    for (sp, key), r in layout.timeline_rows.items():
        if sp != space:
            continue
        kind, start, end = key
        desc, unit = TIMELINE_EXTRA.get(kind, (kind, "count"))
        if kind == "month":
            desc = f"Times 1 {_MONTH_NAMES.split()[int(start) - 1]} falls in the period"
        safe_text(ws.cell(row=r, column=1), _timeline_extra_name(key))
        safe_text(ws.cell(row=r, column=2), desc)
        safe_text(ws.cell(row=r, column=3), unit_text(unit))
        if kind != "within":
            values = model.time_row(model.time_vars[key], space)
            fmt = "dd/mm/yyyy" if unit == "date" else number_format(unit)
            for p in range(n):
                cell = ws.cell(row=r, column=FIRST_PERIOD_COL + p, value=float(values[p]))
                cell.fill = _DATA_FILL
                cell.number_format = fmt
            continue
        if start is not None:
            c = ws.cell(row=r, column=TOTAL_COL, value=start)
            c.number_format, c.fill, c.font = "dd/mm/yyyy", _INPUT_FILL, _INPUT_FONT
        if end is not None:
            c = ws.cell(row=r, column=OPENING_COL, value=end)
            c.number_format, c.fill, c.font = "dd/mm/yyyy", _INPUT_FILL, _INPUT_FONT
        for p in range(n):
            col = get_column_letter(FIRST_PERIOD_COL + p)
            conds = []
            if end is not None:
                conds.append(f"{col}${header['period_start']}<=$E${r}")
            if start is not None:
                conds.append(f"{col}${header['period_end']}>=$D${r}")
            ws.cell(
                row=r,
                column=FIRST_PERIOD_COL + p,
                value=f"=IF(AND({','.join(conds)}),1,0)" if conds else "=1",
            )


def build_workbook(
    evaluation: Evaluation,
    *,
    title: str = "mutualfin model",
    scenario: int = 0,
    marking: str = "",
    cohorts=None,
) -> Workbook:
    """The workbook of :func:`write_workbook`, not yet saved (to add sheets to it).

    With ``cohorts`` (:class:`~mutualfin.workbook.cohorts.Cohorts`), the publication pack: no
    Roster sheet, and each per-employee line one row of values per cohort (sums, or averages
    where the unit does not add up) whose totals over employees stay formulas; inputs that
    feed per-employee figures are shown as data, since changing them here cannot move those
    values. Without, every per-employee block is grouped (an outline the reader can fold)."""
    if not isinstance(evaluation, Evaluation):
        raise wrong_kind(
            "write_workbook",
            "evaluation",
            "an Evaluation (model.evaluate())",
            evaluation,
            {
                "Results": "a case's workbook is written by results.to_excel(path)",
                "BusinessCase": "a case's workbook is written by case.run().to_excel(path)",
                "Model": "evaluate it first: write_workbook(model.evaluate(), path)",
            },
        )
    model = evaluation.model
    if not 0 <= scenario < evaluation.n_scenarios:
        raise WorkbookError(f"scenario {scenario} is outside 0..{evaluation.n_scenarios - 1}")
    tl = model.timeline
    P = tl.n
    layout, sheets = plan_layout(model, cohorts)
    frozen = per_employee_inputs(model) if cohorts is not None else set()
    wb = Workbook()
    wb.remove(wb.active)

    # -- Inputs ---------------------------------------------------------------------------
    ws = wb.create_sheet("Inputs")
    _title(ws, f"{title}: inputs")
    ws.cell(row=2, column=1, value="Change the yellow cells; every calculation follows.")
    _header(ws, 3, ["Name", "Description", "Unit", "Value", "Source"])
    scalar = [i for i in model.inputs.values() if i.kind == "scalar"]
    for r, inp in enumerate(scalar, start=4):
        safe_text(ws.cell(row=r, column=1), excel_name(inp.name))
        safe_text(ws.cell(row=r, column=2), inp.label)
        safe_text(ws.cell(row=r, column=3), unit_text(inp.unit))
        v = evaluation.inputs[inp.name]
        cell = ws.cell(row=r, column=4, value=float(v[min(scenario, v.shape[0] - 1), 0, 0]))
        cell.fill, cell.font, cell.number_format = _INPUT_FILL, _INPUT_FONT, number_format(inp.unit)
        safe_text(ws.cell(row=r, column=5), inp.source)
        if inp.name in frozen:
            cell.fill, cell.font = _DATA_FILL, Font(bold=True)
            safe_text(ws.cell(row=r, column=FIRST_PERIOD_COL), FROZEN_NOTE)
        ref = f"Inputs!$D${r}"
        wb.defined_names[_defined_name(inp.name)] = DefinedName(excel_name(inp.name), attr_text=ref)
    period_inputs = [i for i in model.inputs.values() if i.kind == "period"]
    if period_inputs:
        hr = 4 + len(scalar) + 1
        _header(ws, hr, ["Name", "Description", "Unit", "", "Source", *tl.labels])
        for inp in period_inputs:
            r = layout.period_inputs[inp.name]
            safe_text(ws.cell(row=r, column=1), excel_name(inp.name))
            safe_text(ws.cell(row=r, column=2), inp.label)
            safe_text(ws.cell(row=r, column=3), unit_text(inp.unit))
            safe_text(ws.cell(row=r, column=5), inp.source)
            v = evaluation.inputs[inp.name][min(scenario, evaluation.inputs[inp.name].shape[0] - 1)]
            for p in range(P):
                cell = ws.cell(row=r, column=FIRST_PERIOD_COL + p, value=float(v[0, p]))
                cell.fill, cell.font = _INPUT_FILL, _INPUT_FONT
                if inp.name in frozen:
                    cell.fill, cell.font = _DATA_FILL, Font(bold=True)
                cell.number_format = number_format(inp.unit)
    _widths(ws, P)
    ws.column_dimensions["B"].width = 55
    ws.column_dimensions["E"].width = 45
    ws.freeze_panes = "B4"
    ws.print_title_rows = "1:3"

    # -- Timeline -------------------------------------------------------------------------
    ws = wb.create_sheet("Timeline")
    _title(ws, f"{title}: timeline")
    safe_text(ws.cell(row=2, column=1), repr(tl))
    _header(ws, 3, ["Row", "Description", "Unit", "Start date", "End date", *tl.labels])
    rows = {
        "period_label": ("Financial year" if tl.freq == "annual" else "Month", "text", tl.labels),
        "period_start": ("First day of the period", "date", tl.starts),
        "period_end": ("Last day of the period", "date", tl.ends),
        "index": ("Period index (t in growth formulas)", "count", tl.index.tolist()),
        "first_period": ("1 in the first period", "flag", tl.first_period.tolist()),
        "year_fraction": ("Length of the period in years", "ratio", tl.year_fraction.tolist()),
    }
    _timeline_block(ws, model, layout, "native", TIMELINE_ROWS, rows)
    if layout.year_timeline_rows:
        ytl = model.annual_timeline
        head = layout.year_timeline_rows["period_label"] - 1
        _header(ws, head, ["Row", "By financial year", "Unit", "", "", *ytl.labels])
        year_rows = {
            "period_label": ("Financial year", "text", ytl.labels),
            "period_start": ("First day of the financial year", "date", ytl.starts),
            "period_end": ("Last day of the financial year", "date", ytl.ends),
            "index": ("Year index (t in growth formulas)", "count", ytl.index.tolist()),
            "first_period": ("1 in the first year", "flag", ytl.first_period.tolist()),
            "year_fraction": ("Length of the year in years", "ratio", ytl.year_fraction.tolist()),
        }
        _timeline_block(ws, model, layout, "year", layout.year_timeline_rows, year_rows)
    _widths(ws, P)
    ws.column_dimensions["D"].width = ws.column_dimensions["E"].width = 12
    ws.freeze_panes = "F4"

    # -- Parameters ---------------------------------------------------------------------------
    if model.param_refs:
        ws = wb.create_sheet("Parameters")
        _title(ws, f"{title}: dated UK parameters")
        safe_text(
            ws.cell(row=2, column=1),
            "Values by period from mutualfin's parameter files, each with its reference.",
        )
        _header(ws, 3, ["Name", "Description", "Unit", "How", "Reference", *tl.labels])
        _parameter_block(ws, model, layout.params, "native")
        if layout.year_params:
            ytl = model.annual_timeline
            head = min(layout.year_params.values()) - 1
            _header(ws, head, ["By financial year", "", "", "", "", *ytl.labels])
            _parameter_block(ws, model, layout.year_params, "year")
        _widths(ws, P)
        ws.column_dimensions["D"].width = 30
        ws.column_dimensions["E"].width = 40
        ws.freeze_panes = "F4"

    # -- Roster (per-entity inputs) -----------------------------------------------------------
    entity_inputs = [i for i in model.inputs.values() if i.kind == "entity"]
    if entity_inputs and cohorts is None:
        axis = next(iter(model.entity_axes.values()))
        ws = wb.create_sheet("Roster")
        _title(ws, f"{title}: one row per {axis.name}")
        _header(ws, 3, [axis.name] + [excel_name(i.name) for i in entity_inputs])
        for k, ident in enumerate(axis.ids):
            safe_text(ws.cell(row=layout.roster_first_row + k, column=1), ident)
        for inp in entity_inputs:
            c = layout.entity_inputs[inp.name]
            v = evaluation.inputs[inp.name][min(scenario, evaluation.inputs[inp.name].shape[0] - 1)]
            for k in range(len(axis)):
                cell = ws.cell(row=layout.roster_first_row + k, column=c, value=float(v[k, 0]))
                cell.fill, cell.font = _INPUT_FILL, _INPUT_FONT
                cell.number_format = number_format(inp.unit)
            ws.column_dimensions[get_column_letter(c)].width = 16
        ws.column_dimensions["A"].width = 14
        ws.freeze_panes = "B4"
        ws.print_title_rows = "1:3"
        ws.row_dimensions.group(
            layout.roster_first_row, layout.roster_first_row + len(axis) - 1, outline_level=1
        )
        ws.sheet_properties.outlinePr.summaryBelow = False

    # -- calculation sheets -------------------------------------------------------------------
    for sheet, names in sheets.items():
        if sheet in wb.sheetnames:
            raise WorkbookError(f"calculation sheet name {sheet!r} clashes with a fixed sheet")
        ws = wb.create_sheet(sheet)
        _write_calc_sheet(ws, model, layout, sheet, names, title, evaluation, cohorts, scenario)
    for ws in wb.worksheets:
        _page_setup(ws, title, marking)
    add_input_validation(wb, model, layout)
    dates = []
    for key, r in layout.within_rows.items():
        if key[1] is not None:
            dates.append(f"{get_column_letter(TOTAL_COL)}{r}")
        if key[2] is not None:
            dates.append(f"{get_column_letter(OPENING_COL)}{r}")
    add_date_validation(wb["Timeline"], dates)
    return wb


def _parameter_block(ws, model: Model, rows: dict[tuple, int], space: str) -> None:
    """Parameter rows by period (or by financial year), each with its reference."""
    tl = model.timeline_of(space)
    prow = model.parameter_rows(space)
    for key, r in rows.items():
        name, how, _beyond = key
        p_obj = model.params.get(name)
        values, held = prow[key]
        safe_text(ws.cell(row=r, column=1), name)
        safe_text(ws.cell(row=r, column=2), p_obj.description)
        safe_text(ws.cell(row=r, column=3), unit_text(p_obj.unit))
        note = {
            "weighted": "day-weighted over the period",
            "start": "in force on day 1",
            "end": "in force on the last day",
        }[how]
        if any(held):
            note += f"; held flat after {p_obj.valid_until.isoformat()} (assumption)"
        safe_text(ws.cell(row=r, column=4), note)
        first, last = tl.starts[0], tl.ends[-1]
        used = [e for e in p_obj.entries if e.start <= last and e.end >= first]
        used = used or p_obj.entries[-1:]  # held beyond its data: the last value's source
        refs = list(dict.fromkeys(str(e.reference) for e in used))
        safe_text(ws.cell(row=r, column=5), "; ".join(refs))
        for p in range(tl.n):
            cell = ws.cell(row=r, column=FIRST_PERIOD_COL + p, value=float(values[p]))
            cell.fill = _INPUT_FILL if held[p] else _DATA_FILL
            cell.number_format = number_format(p_obj.unit)


#: the note beside an input that feeds per-employee figures, in the publication pack
FROZEN_NOTE = "Feeds the staff cohorts (values in this pack): change it in the full model"


def per_employee_inputs(model: Model) -> set[str]:
    """Names of the inputs a per-employee line depends on, directly or through other lines
    (their openings and previous values included)."""
    from mutualfin.engine.nodes import Input as InputNode
    from mutualfin.engine.nodes import Line as LineNode
    from mutualfin.engine.nodes import Previous

    found: set[str] = set()
    seen_lines: set[str] = set()
    stack = [model.lines[n].expr for n in model.lines if model.shapes[n].entity is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, InputNode):
            found.add(node.name)
            continue
        target = None
        if isinstance(node, Previous):
            target = node.target_name
        elif isinstance(node, LineNode) or type(node).__name__ == "LineRef":
            target = node.name
        if target is not None and target not in seen_lines and target in model.lines:
            seen_lines.add(target)
            stack.append(model.lines[target].expr)
            if model.openings.get(target) is not None:
                stack.append(model.openings[target])
        stack.extend(node.children())
    return found


def _cohort_block(ws, evaluation, name: str, row0: int, cohorts, scenario: int) -> None:
    """A per-employee line in the publication pack: one row of values per cohort (sum or
    average over its members, from the full model), its total over periods a formula."""
    model = evaluation.model
    line = model.lines[name]
    how = cohorts.how(line.unit)
    head = ws.cell(row=row0 - 1, column=2)
    safe_text(head, f"{line.label} ({how} over each staff cohort; values from the full model)")
    arr = evaluation.values[name]
    arr = arr[min(scenario, arr.shape[0] - 1)]
    values = cohorts.aggregate(arr, line.unit)
    fmt = number_format(line.unit)
    for c, label in enumerate(cohorts.labels):
        r = row0 + c
        cell = ws.cell(row=r, column=2)
        safe_text(cell, label)
        cell.fill = _ENTITY_FILL
        for p in range(values.shape[1]):
            v = ws.cell(row=r, column=FIRST_PERIOD_COL + p, value=float(values[c, p]))
            v.number_format, v.fill = fmt, _DATA_FILL
        if line.kind == "flow" and how == "sum":
            first = get_column_letter(FIRST_PERIOD_COL)
            last = get_column_letter(FIRST_PERIOD_COL + values.shape[1] - 1)
            t = ws.cell(row=r, column=TOTAL_COL, value=f"=SUM({first}{r}:{last}{r})")
            t.number_format, t.font = fmt, Font(bold=True)


def _write_calc_sheet(
    ws,
    model: Model,
    layout: Layout,
    sheet: str,
    names: list[str],
    title: str,
    evaluation: Evaluation | None = None,
    cohorts=None,
    scenario: int = 0,
) -> None:
    space = layout.sheet_space.get(sheet, "native")
    tl = model.timeline_of(space)
    P = tl.n
    timeline_rows = layout.year_timeline_rows if space == "year" else TIMELINE_ROWS
    _title(ws, f"{title}: {sheet}")
    _header(ws, 8, ["Line", "Description", "Unit", "Total", "Opening", *["" for _ in range(P)]])
    header_text = {
        "period_label": "Financial year" if tl.freq == "annual" else "Month or financial year",
        "period_start": "First day of the period",
        "period_end": "Last day of the period",
        "index": "Periods from the start (t in growth formulas)",
        "first_period": "1 in the first period",
        "year_fraction": "Length of the period in years",
    }
    ws.print_title_rows = f"1:{CALC_FIRST_ROW - 1}"
    for key, r in CALC_HEADER.items():
        safe_text(ws.cell(row=r, column=1), key)
        safe_text(ws.cell(row=r, column=2), header_text[key])
        for p in range(P):
            col = get_column_letter(FIRST_PERIOD_COL + p)
            cell = ws.cell(
                row=r, column=FIRST_PERIOD_COL + p, value=f"=Timeline!{col}${timeline_rows[key]}"
            )
            if key in ("period_start", "period_end"):
                cell.number_format = "dd/mm/yyyy"
            if key == "period_label":
                cell.font = Font(bold=True)
    earlier = {t for deps in model.prev_deps.values() for t in deps}  # previous() targets
    for name in names:
        line = model.lines[name]
        row0 = layout.lines[name][1]
        axis = model.shapes[name].entity
        fmt = number_format(line.unit)
        opening = model.openings.get(name)
        entities = [None] if axis is None else list(range(len(axis)))
        if axis is not None:  # the block's header row: what the rows below are
            head = row0 - 1
            safe_text(ws.cell(row=head, column=1), name)
            safe_text(ws.cell(row=head, column=2), f"{line.label} (one row per {axis.name})")
            safe_text(ws.cell(row=head, column=3), unit_text(line.unit))
            ws.cell(row=head, column=1).font = Font(bold=True)
            if cohorts is not None:
                _cohort_block(ws, evaluation, name, row0, cohorts, scenario)
                continue
            # an outline the reader can unfold: the header row stays, the employees fold
            ws.row_dimensions.group(row0, row0 + len(axis) - 1, outline_level=1, hidden=True)
            ws.sheet_properties.outlinePr.summaryBelow = False
        entity_style = _style(ws, fill=_ENTITY_FILL)
        for i in entities:
            r = row0 + (i or 0)
            if i is None:
                safe_text(ws.cell(row=r, column=1), name)
                safe_text(ws.cell(row=r, column=2), line.label)
                safe_text(ws.cell(row=r, column=3), unit_text(line.unit))
            else:
                cell = ws.cell(row=r, column=2)
                safe_text(cell, axis.ids[i])
                cell._style = copy.copy(entity_style)
            if line.kind == "metric":
                c = ws.cell(
                    row=r,
                    column=TOTAL_COL,
                    value=render_formula(model, layout, line.expr, sheet, 0, i, name),
                )
                c.number_format, c.font = fmt, Font(bold=True)
                continue
            if line.kind == "flow":
                first = get_column_letter(FIRST_PERIOD_COL)
                last = get_column_letter(FIRST_PERIOD_COL + P - 1)
                c = ws.cell(row=r, column=TOTAL_COL, value=f"=SUM({first}{r}:{last}{r})")
                c._style = copy.copy(_style(ws, fmt, bold=True))
            if opening is not None:
                c = ws.cell(
                    row=r,
                    column=OPENING_COL,
                    value=render_formula(model, layout, opening, sheet, -1, i, name),
                )
                c._style = copy.copy(_style(ws, fmt))
            elif name in earlier:
                # the engine's default opening, 0, written out: MIN and MAX skip an empty
                # cell where arithmetic reads it as 0, so MIN(opening, x) would be x
                c = ws.cell(row=r, column=OPENING_COL, value=0)
                c._style = copy.copy(_style(ws, fmt))
            style = _style(ws, fmt)
            for p, formula in enumerate(render_row(model, layout, line.expr, sheet, P, i, name)):
                c = ws.cell(row=r, column=FIRST_PERIOD_COL + p, value=formula)
                c._style = copy.copy(style)  # the same style for the whole row, set once
    for (sec_sheet, row), heading in layout.sections.items():
        if sec_sheet == sheet:
            cell = ws.cell(row=row, column=1)
            safe_text(cell, heading)
            cell.font = Font(bold=True, size=12)
    _widths(ws, P)
    ws.freeze_panes = ws.cell(row=CALC_FIRST_ROW, column=FIRST_PERIOD_COL).coordinate
