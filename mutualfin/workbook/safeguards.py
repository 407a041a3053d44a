"""The safeguards a spreadsheet user expects: input cells that refuse what the case file
refuses, formulas that cannot be typed over by accident, failures that show in colour, and
Excel's own limits kept.

- **Data validation** on every input cell (the yellow cells), from the input's schema: the
  bounds a component declares (:mod:`mutualfin.components.base`; fractions from -1 to 1 unless
  the schema says 0 to 1, money at least 0, whole months and days, flags 0 or 1, dates). The
  message Excel shows when a value is refused is :func:`allowed_text`: the same limits and the
  same reason the case-file loader gives when it refuses a value. Excel checks a value as it
  is typed; a value pasted over a cell is not checked (Excel's rule, not ours), which is why
  ``mutualfin verify`` still compares every figure.
- **Protection** (:func:`protect`): every sheet protected **without a password**, input cells
  unlocked and everything else locked, so a formula cannot be overwritten by a slip of the
  keyboard; columns and rows can still be resized. It is a guard against accidents, not a
  security measure: Review > Unprotect Sheet (Excel) or Tools > Protect Sheet (LibreOffice)
  turns it off, and ``protect=False`` (``--no-protect``) writes the workbook without it.
- **Conditional formatting** (:func:`highlight_failures`, :func:`highlight_below`): a check
  showing ERROR is red (OK green); a closing cash balance below the case's cash floor is red.
- **Excel's limits** (:data:`MAX_CELL_TEXT`, :data:`MAX_NAME`, :data:`MAX_HEADER`): text that
  comes from the user and would not fit is refused with a :class:`~mutualfin.errors.WorkbookError`
  naming the field, the value and the fix; text mutualfin generates for a values table is cut
  to fit, and every cut is marked in the cell and listed (:func:`record_truncation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mutualfin.core.bounds import Bounds
from mutualfin.engine.nodes import Input, excel_name
from mutualfin.errors import WorkbookError

__all__ = [
    "MAX_CELL_TEXT",
    "MAX_HEADER",
    "MAX_NAME",
    "MAX_VALIDATION_TEXT",
    "Rule",
    "add_date_validation",
    "add_input_validation",
    "allowed_text",
    "check_header",
    "highlight_below",
    "highlight_failures",
    "input_rule",
    "protect",
    "record_truncation",
    "truncations",
]

#: the most characters an Excel cell holds ("Total number of characters that a cell can
#: contain: 32,767", Microsoft, Excel specifications and limits)
MAX_CELL_TEXT = 32_767
#: the longest defined name Excel allows
MAX_NAME = 255
#: the longest page header or footer (all three parts with their codes) Excel allows
MAX_HEADER = 255
#: the longest data validation message or prompt; their titles hold 32
MAX_VALIDATION_TEXT = 255
MAX_VALIDATION_TITLE = 32

#: the largest number Excel holds, near enough: the "any number" rule's limits
_ANY = 9.99e307
#: Excel's date serials from 1 January 1900 to 31 December 9999
_FIRST_DATE, _LAST_DATE = 1, 2_958_465

_BAD_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
_BAD_FONT = Font(color="9C0006", bold=True)
_OK_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
_OK_FONT = Font(color="006100", bold=True)
_UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class Rule:
    """One data validation rule: Excel's type and operator, its limits as formulas, and the
    message shown when a value is refused (``error``) or the cell is selected (``prompt``)."""

    type: str  # "decimal", "whole", "date" or "custom"
    operator: str | None
    formula1: str
    formula2: str | None
    error: str
    prompt: str


def _num(x: float) -> str:
    """A limit as Excel reads it in a validation formula: 0, 0.5, 10000000000."""
    return f"{float(x):.15g}".replace("e+", "E+").replace("e-", "E-")


def _whys(bounds: Bounds) -> list[str]:
    parts = bounds.parts or (bounds,)
    return list(dict.fromkeys(p.why for p in parts if p.why))


def _bounds(inp: Input) -> Bounds | None:
    """The bounds an input's values are checked against (:meth:`Input.check_values`): its
    schema's, and -1 to 1 for any fraction (0.05 is 5%)."""
    if inp.unit == "fraction":
        return Bounds(-1, 1) & inp.bounds if inp.bounds is not None else Bounds(-1, 1)
    return inp.bounds


def allowed_text(inp: Input) -> str:
    """What an input allows, in the words the case-file loader uses when it refuses a value:
    the limits as :meth:`Bounds.describe` says them ("from 0 to 12, whole numbers") and each
    reason the schema gives ("1 is monthly in arrears").

    >>> from mutualfin.core.bounds import Bounds
    >>> lag = Input("contract.payment_lag_months", 1, unit="count",
    ...             bounds=Bounds(0, 12, whole=True, why="1 is monthly in arrears"))
    >>> allowed_text(lag)
    'contract.payment_lag_months: allowed: from 0 to 12, whole numbers; 1 is monthly in arrears'
    """
    head = f"{inp.name}: allowed: "
    if inp.unit == "flag":
        return head + "0 or 1 (a flag must be 0 or 1)"
    if inp.unit == "date":
        return head + "a date, such as 31/03/2027"
    bounds = _bounds(inp)
    if bounds is None:
        return head + "any number"
    text = head + bounds.describe()
    for why in _whys(bounds):
        text += f"; {why}"
    if inp.unit == "fraction":
        text += "; a fraction: 0.05 means 5% (did you type a percentage?)"
    return text


def _fit(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def input_rule(inp: Input, top_left: str) -> Rule:
    """The validation rule of an input's cells; ``top_left`` is the first cell of the range it
    applies to (a custom rule's formula refers to it, relative, as Excel requires)."""
    error = _fit(allowed_text(inp), MAX_VALIDATION_TEXT)
    if inp.unit == "flag":
        return Rule("whole", "between", "0", "1", error, "0 or 1")
    if inp.unit == "date":
        return Rule(
            "date", "between", str(_FIRST_DATE), str(_LAST_DATE), error, "a date (dd/mm/yyyy)"
        )
    bounds = _bounds(inp)
    prompt = _fit(bounds.describe() if bounds is not None else "any number", MAX_VALIDATION_TEXT)
    kind = "whole" if bounds is not None and bounds.whole else "decimal"
    if bounds is None or (bounds.low is None and bounds.high is None):
        return Rule(kind, "between", _num(-_ANY), _num(_ANY), error, prompt)
    low, high = bounds.low, bounds.high
    if low is not None and high is not None:
        if not bounds.low_open and not bounds.high_open:
            return Rule(kind, "between", _num(low), _num(high), error, prompt)
        # an open end with a closed one: a formula (Excel's "between" includes both ends)
        conds = [
            f"{top_left}{'>' if bounds.low_open else '>='}{_num(low)}",
            f"{top_left}{'<' if bounds.high_open else '<='}{_num(high)}",
            f"ISNUMBER({top_left})",
        ]
        if bounds.whole:
            conds.append(f"INT({top_left})={top_left}")
        return Rule("custom", None, f"AND({','.join(conds)})", None, error, prompt)
    if low is not None:
        op = "greaterThan" if bounds.low_open else "greaterThanOrEqual"
        return Rule(kind, op, _num(low), None, error, prompt)
    op = "lessThan" if bounds.high_open else "lessThanOrEqual"
    return Rule(kind, op, _num(high), None, error, prompt)  # type: ignore[arg-type]


def _validation(rule: Rule, sqref: str) -> DataValidation:
    dv = DataValidation(
        type=rule.type,
        operator=rule.operator,
        formula1=rule.formula1,
        formula2=rule.formula2,
        allow_blank=False,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="Value not allowed",
        error=rule.error,
        promptTitle="Allowed values",
        prompt=rule.prompt,
    )
    for ref in sqref.split():
        dv.add(ref)
    return dv


def add_input_validation(wb, model, layout) -> int:
    """Data validation on every input cell of a workbook written by
    :func:`~mutualfin.workbook.writer.build_workbook`: scalar inputs (found by their defined
    names), inputs by period (their row on the Inputs sheet) and per entity (their column on
    the Roster sheet). Returns the number of cells validated."""
    from mutualfin.workbook.layout import FIRST_PERIOD_COL

    count = 0
    P = model.timeline.n
    for inp in model.inputs.values():
        if inp.kind == "scalar":
            name = excel_name(inp.name)
            if name not in wb.defined_names:
                continue
            ((sheet, ref),) = wb.defined_names[name].destinations
            ref = ref.replace("$", "")
            wb[sheet].add_data_validation(_validation(input_rule(inp, ref), ref))
            count += 1
        elif inp.kind == "period" and inp.name in layout.period_inputs:
            r = layout.period_inputs[inp.name]
            first = f"{get_column_letter(FIRST_PERIOD_COL)}{r}"
            last = f"{get_column_letter(FIRST_PERIOD_COL + P - 1)}{r}"
            wb["Inputs"].add_data_validation(_validation(input_rule(inp, first), f"{first}:{last}"))
            count += P
        elif inp.kind == "entity" and inp.name in layout.entity_inputs and "Roster" in wb:
            col = get_column_letter(layout.entity_inputs[inp.name])
            n = len(inp.per) if inp.per is not None else len(inp.value)
            first = f"{col}{layout.roster_first_row}"
            last = f"{col}{layout.roster_first_row + n - 1}"
            wb["Roster"].add_data_validation(_validation(input_rule(inp, first), f"{first}:{last}"))
            count += n
    return count


def add_date_validation(ws, cells: list[str]) -> None:
    """Date validation on cells holding a date the user may change (the Timeline's date
    ranges)."""
    if not cells:
        return
    rule = Rule(
        "date",
        "between",
        str(_FIRST_DATE),
        str(_LAST_DATE),
        "allowed: a date, such as 31/03/2027",
        "a date (dd/mm/yyyy)",
    )
    ws.add_data_validation(_validation(rule, " ".join(cells)))


def protect(wb, input_rgb: str) -> None:
    """Protect every sheet without a password, leaving the input cells (those filled
    ``input_rgb``, the palette's input yellow) unlocked; columns and rows may still be
    resized. Excel's default for every cell is locked, so locking the rest needs nothing."""
    # the workbook's fills that are the input yellow, by index: comparing a cell's fill index
    # costs far less than reading its fill
    yellow = {
        k
        for k, fill in enumerate(wb._fills)
        if getattr(fill, "fill_type", None) == "solid"
        and str(fill.fgColor.rgb)[-6:].upper() == input_rgb.upper()
    }
    for ws in wb.worksheets:
        for cell in list(ws._cells.values()):  # the cells written (iter_rows would add blanks)
            if cell.has_style and cell._style.fillId in yellow:
                cell.protection = _UNLOCKED
        p = ws.protection
        p.sheet = True
        p.formatColumns = False  # False: allowed (openpyxl's True means protected)
        p.formatRows = False
        p.selectLockedCells = False
        p.selectUnlockedCells = False


def highlight_failures(ws, ranges: list[str]) -> None:
    """A check cell showing ERROR in red, OK in green (Checks sheet)."""
    for ref in ranges:
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="equal", formula=['"ERROR"'], fill=_BAD_FILL, font=_BAD_FONT)
        )
        ws.conditional_formatting.add(
            ref, CellIsRule(operator="equal", formula=['"OK"'], fill=_OK_FILL, font=_OK_FONT)
        )


def highlight_below(ws, ref: str, floor: str) -> None:
    """Cells of ``ref`` below ``floor`` (a defined name or an absolute reference) in red: a
    closing cash balance below the case's cash floor."""
    ws.conditional_formatting.add(
        ref, CellIsRule(operator="lessThan", formula=[floor], fill=_BAD_FILL, font=_BAD_FONT)
    )


def check_header(text: str, what: str) -> None:
    """Refuse a page header or footer longer than Excel allows (255 characters with its
    codes), naming what made it long and how to fix it."""
    if len(text) > MAX_HEADER:
        raise WorkbookError(
            f"the page header would be {len(text):,} characters ({what}), over Excel's "
            f"{MAX_HEADER}-character limit for a header or footer; shorten the title or the "
            "protective marking"
        )


def record_truncation(wb, where: str, length: int) -> None:
    """Note that the text for ``where`` (a sheet and cell) was cut to Excel's cell limit: the
    workbook lists every cut (see :func:`truncations`)."""
    wb.__dict__.setdefault("_mutualfin_truncated", []).append((where, length))


def truncations(wb) -> list[tuple[str, int]]:
    """``(sheet!cell, characters before the cut)`` for every text cut to fit a cell."""
    return list(wb.__dict__.get("_mutualfin_truncated", []))
