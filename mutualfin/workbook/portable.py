"""Formulas that mean the same in Excel, LibreOffice and the ``formulas`` package.

Finance officers open the workbook in Microsoft Excel; verification recalculates it in
LibreOffice and, under Excel's documented rules, with the ``formulas`` package. A formula
proven in one engine is only proven for the others if they read it alike. Two things make
that so, and this module holds both:

- **Only listed worksheet functions.** :data:`WORKSHEET_FUNCTIONS` names every function the
  writer may emit, each with Microsoft's function reference. Each is checked by
  ``tests/test_worksheet_functions.py`` to give the same result in LibreOffice, in the
  ``formulas`` package and as Microsoft documents it, on the forms the writer uses.
  :func:`check_functions` refuses any other function, naming it and the line.
- **No logical values where engines differ.** Excel keeps TRUE and FALSE as logical values:
  SUM, MAX, MIN and the like ignore them when they come from a cell or a range
  (Microsoft's SUM and MAX references: "If an argument is an array or reference, only
  numbers in that array or reference are counted"), and a comparison ranks any logical above
  any number; LibreOffice treats them as 1 and 0. The engine writes every flag as the number
  1 or 0 (see :class:`mutualfin.engine.nodes.BinOp`); :func:`logical_hazards` scans a
  workbook for any formula that would still depend on the difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils import range_boundaries

from mutualfin.errors import WorkbookError

__all__ = [
    "WORKSHEET_FUNCTIONS",
    "check_functions",
    "functions_in",
    "logical_cells",
    "logical_hazards",
]

_MS = "https://support.microsoft.com/office/"

#: The worksheet functions the writer may emit, each with Microsoft's function reference.
#: Each is tested to behave identically in Excel (as documented there), LibreOffice and the
#: ``formulas`` package (tests/test_worksheet_functions.py); the writer refuses any other.
WORKSHEET_FUNCTIONS: dict[str, str] = {
    "ABS": _MS + "abs-function-3420200f-5628-4e8c-99da-c99d7c87713c",
    "AND": _MS + "and-function-5f19b2e8-e1df-4408-897a-ce285a19e9d9",
    "COUNT": _MS + "count-function-a59cd7fc-b623-4d93-87a4-d23bf411294c",
    "COUNTIF": _MS + "countif-function-e0de10c6-f885-4e71-abb4-1f464816df34",
    "IF": _MS + "if-function-69aed7c9-4e8a-4755-a9bc-aa8bbff73be2",
    "IFERROR": _MS + "iferror-function-c526fd07-caeb-47b8-8bb6-63f3e417f611",
    "IRR": _MS + "irr-function-64925eaa-9988-495b-b290-3ad0c163c1bc",
    "MAX": _MS + "max-function-e0012414-9ac8-4b34-9a47-73e662c08098",
    "MIN": _MS + "min-function-61635d12-920f-4ce2-a70f-96f202dcc152",
    "MIRR": _MS + "mirr-function-b020f038-7492-4fb4-93c1-35c345b53524",
    "NPV": _MS + "npv-function-8672cb67-2576-4d07-b67b-ac28acf2a568",
    "PRODUCT": _MS + "product-function-8e6b5b24-90ee-4650-aeec-80982a0512ce",
    "SUM": _MS + "sum-function-043e1c7d-7726-4e80-8f32-07b23e057f89",
    "SUMIF": _MS + "sumif-function-169b8c99-c05c-4483-a712-1697a653039b",
    "SUMPRODUCT": _MS + "sumproduct-function-16753e75-9f68-4874-94ac-4d2145a2fd2e",
}

#: functions that add up, rank or discount their arguments: Excel's versions skip a logical
#: value that comes from a cell or a range
AGGREGATING = frozenset(
    {
        "SUM",
        "SUMIF",
        "MIN",
        "MAX",
        "PRODUCT",
        "SUMPRODUCT",
        "NPV",
        "IRR",
        "MIRR",
        "AVERAGE",
        "COUNT",
    }
)
#: functions whose result is a logical value
_LOGICAL_FUNCTIONS = frozenset({"AND", "OR", "NOT", "XOR", "TRUE", "FALSE"})
_COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})


#: a name followed by "(": a superset of the function calls (it also finds text in strings
#: and sheet names, which the tokenizer then tells apart)
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


def _tokens(formula: str) -> list[Token]:
    try:
        return [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    except TokenizerError as exc:
        raise WorkbookError(f"formula {formula!r} cannot be read: {exc}") from None


def functions_in(formula: str) -> list[str]:
    """The worksheet functions a formula calls, in order of appearance (upper case)."""
    return [
        t.value[:-1].upper()
        for t in _tokens(formula)
        if t.type == Token.FUNC and t.subtype == Token.OPEN
    ]


def check_functions(formula: str, where: str) -> str:
    """Return ``formula`` if it calls only :data:`WORKSHEET_FUNCTIONS`; else raise.

    ``where`` names what the formula is for (e.g. "line 'contract_income'"), for the message.
    """
    # fast path: every name before "(" is a listed function (most formulas; no tokenizer)
    if all(m.upper() in WORKSHEET_FUNCTIONS for m in _CALL.findall(formula)):
        return formula
    for name in functions_in(formula):
        if name not in WORKSHEET_FUNCTIONS:
            raise WorkbookError(
                f"{where}: the formula {formula!r} uses the worksheet function {name}, which "
                "mutualfin does not write: only functions checked to give the same result in "
                f"Excel, LibreOffice and the formulas package may be used "
                f"({', '.join(WORKSHEET_FUNCTIONS)}). Express the line with these, or add "
                f"{name} to mutualfin.workbook.portable.WORKSHEET_FUNCTIONS with its tests in "
                "tests/test_worksheet_functions.py"
            )
    return formula


# --------------------------------------------------------------------------------------------
# a small parse of formula text: enough to know where a logical value can appear
# --------------------------------------------------------------------------------------------
@dataclass
class _Func:
    name: str
    args: list[list[Any]] = field(default_factory=list)


@dataclass
class _Paren:
    expr: list[Any]


def _parse(tokens: list[Token]) -> list[Any]:
    """Nested lists: an expression is a list of operands (Token, _Func, _Paren) and
    operator Tokens, in order."""
    pos = 0

    def expr(stop: tuple[str, ...]) -> list[Any]:
        nonlocal pos
        out: list[Any] = []
        while pos < len(tokens):
            t = tokens[pos]
            if (t.type == Token.SEP and "sep" in stop) or (
                t.subtype == Token.CLOSE and "close" in stop
            ):
                return out
            pos += 1
            if t.type == Token.FUNC and t.subtype == Token.OPEN:
                fn = _Func(t.value[:-1].upper())
                while True:
                    fn.args.append(expr(("sep", "close")))
                    end = tokens[pos] if pos < len(tokens) else None
                    pos += 1
                    if end is None or end.subtype == Token.CLOSE:
                        break
                out.append(fn)
            elif t.type == Token.PAREN and t.subtype == Token.OPEN:
                inner = expr(("close",))
                pos += 1
                out.append(_Paren(inner))
            else:
                out.append(t)
        return out

    return expr(())


_SHEET_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?(?P<ref>.+)$")


@dataclass(frozen=True)
class _Cells:
    sheet: str
    bounds: tuple[int, int, int, int]  # min_col, min_row, max_col, max_row

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        c0, r0, c1, r1 = self.bounds
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                yield (self.sheet, r, c)

    @property
    def single(self) -> bool:
        c0, r0, c1, r1 = self.bounds
        return c0 == c1 and r0 == r1


class _Workbook:
    """Formula cells of an openpyxl workbook, parsed once, and reference resolution."""

    def __init__(self, wb) -> None:
        self.formulas: dict[tuple[str, int, int], tuple[str, list[Any]]] = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" and isinstance(cell.value, str):
                        tree = _parse(_tokens(cell.value))
                        self.formulas[(ws.title, cell.row, cell.column)] = (cell.value, tree)
        self.names: dict[str, str] = {}
        for name, dn in wb.defined_names.items():
            self.names[name.upper()] = str(dn.attr_text)

    def cells(self, text: str, sheet: str) -> _Cells | None:
        """The cells a reference operand names (None for what is not a cell reference)."""
        if text.upper() in self.names:
            text = self.names[text.upper()]
        m = _SHEET_REF.match(text)
        if m is None:  # pragma: no cover - the pattern matches any non-empty text
            return None
        if m["sheet"]:
            sheet = m["sheet"]
            if sheet.startswith("'"):
                sheet = sheet[1:-1].replace("''", "'")
        try:
            bounds = range_boundaries(m["ref"].replace("$", ""))
        except (ValueError, TypeError):
            return None
        if any(b is None for b in bounds):  # whole rows or columns: not written by mutualfin
            return None
        return _Cells(sheet, bounds)  # type: ignore[arg-type]


def _can_be_logical(expr: list[Any], sheet: str, book: _Workbook, logical: set) -> bool:
    """Whether an expression's value can be TRUE or FALSE (given the logical cells so far)."""
    ops = [x for x in expr if isinstance(x, Token) and x.type == Token.OP_IN]
    if ops:  # comparison binds loosest: any at this level makes the result logical
        return any(o.value in _COMPARISONS for o in ops)
    if any(
        isinstance(x, Token)
        and (x.type == Token.OP_POST or (x.type == Token.OP_PRE and x.value == "-"))
        for x in expr
    ):
        return False  # negation and percent give a number
    operands = [x for x in expr if not (isinstance(x, Token) and x.type == Token.OP_PRE)]
    if len(operands) != 1:
        return False
    x = operands[0]
    if isinstance(x, _Paren):
        return _can_be_logical(x.expr, sheet, book, logical)
    if isinstance(x, _Func):
        if x.name in _LOGICAL_FUNCTIONS or x.name.startswith("IS"):
            return True
        if x.name == "IF":  # IF(test, a) gives FALSE when the test fails
            return len(x.args) < 3 or any(
                _can_be_logical(a, sheet, book, logical) for a in x.args[1:]
            )
        if x.name == "IFERROR":  # its value, or the value given for an error
            return any(_can_be_logical(a, sheet, book, logical) for a in x.args)
        return False
    if x.type == Token.OPERAND and x.subtype == Token.LOGICAL:
        return True
    if x.type == Token.OPERAND and x.subtype == Token.RANGE:
        cells = book.cells(x.value, sheet)
        return cells is not None and any(c in logical for c in cells)
    return False


def _walk(expr: list[Any]) -> Iterator[Any]:
    for x in expr:
        yield x
        if isinstance(x, _Paren):
            yield from _walk(x.expr)
        elif isinstance(x, _Func):
            for a in x.args:
                yield from _walk(a)


def _logical_set(book: _Workbook) -> set[tuple[str, int, int]]:
    logical: set[tuple[str, int, int]] = set()
    changed = True
    while changed:  # a link to a logical cell is logical too: repeat until nothing changes
        changed = False
        for key, (_, tree) in book.formulas.items():
            if key not in logical and _can_be_logical(tree, key[0], book, logical):
                logical.add(key)
                changed = True
    return logical


def _name(key: tuple[str, int, int]) -> str:
    from openpyxl.utils import get_column_letter

    sheet, row, col = key
    return f"{sheet}!{get_column_letter(col)}{row}"


def logical_cells(wb) -> list[str]:
    """Formula cells (``Sheet!A1``) whose value can be a logical TRUE or FALSE.

    A cell is logical when its formula's top-level value is a comparison, a logical function
    (AND, OR, NOT...), an IF that can return one, or a link to such a cell. In a mutualfin
    workbook there should be none: every flag is the number 1 or 0.
    """
    book = wb if isinstance(wb, _Workbook) else _Workbook(wb)
    return sorted(_name(k) for k in _logical_set(book))


def logical_hazards(wb) -> list[str]:
    """Formulas whose result depends on how an engine treats logical values.

    Two hazards, each reported as ``Sheet!A1 =formula: why``:

    - a range that holds a cell whose value can be logical (SUM, MAX, NPV... over it skip the
      logical in Excel and count it as 1 or 0 in LibreOffice);
    - an argument of SUM, MIN, MAX or another aggregating function (:data:`AGGREGATING`) that
      can be logical: a bare comparison such as ``MAX(E52,F51>=0)``, or a link to a
      logical cell.
    """
    book = _Workbook(wb)
    logical = _logical_set(book)
    out: list[str] = []
    for key, (text, tree) in book.formulas.items():
        sheet = key[0]
        for x in _walk(tree):
            if isinstance(x, Token) and x.type == Token.OPERAND and x.subtype == Token.RANGE:
                cells = book.cells(x.value, sheet)
                if cells is None or cells.single:
                    continue
                held = [c for c in cells if c in logical]
                if held:
                    out.append(
                        f"{_name(key)} {text}: the range {x.value} holds logical values "
                        f"({', '.join(_name(c) for c in held[:3])}), which Excel's functions "
                        "skip and LibreOffice counts as 1 or 0"
                    )
            elif isinstance(x, _Func) and x.name in AGGREGATING:
                for arg in x.args:
                    if len(arg) == 1 and isinstance(arg[0], Token):
                        cells = book.cells(arg[0].value, sheet)
                        if cells is not None and not cells.single:
                            continue  # a range: reported above if it holds a logical
                    if _can_be_logical(arg, sheet, book, logical):
                        out.append(
                            f"{_name(key)} {text}: {x.name} is given a logical value, which "
                            "engines treat differently; write it as a number, IF(test,1,0)"
                        )
                        break
    return out
