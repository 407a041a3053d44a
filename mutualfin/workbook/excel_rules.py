"""The second verification engine: recalculate a workbook under Excel's rules.

LibreOffice is the primary engine (a real spreadsheet application), but finance officers open
the workbook in Microsoft Excel, and the two differ at the edges (logical values in SUM and
MAX, for one). The `formulas <https://pypi.org/project/formulas/>`_ package is an
independent engine, written in Python, that implements Excel's documented rules for each
function it supports. :func:`calculate` recalculates every formula cell of a workbook with
it; :func:`mutualfin.workbook.verify.verify` compares the result with Python, cell by cell,
as it does LibreOffice's, and reports a cell where the engines disagree as an
"engine-dependent formula".

It is optional (``pip install 'mutualfin[excel-engine]'``; the test extra includes it) and
slow on a large workbook (about ten times LibreOffice's time on the largest shipped case, see
benchmarks/bench_verify.py), so verification runs it alongside LibreOffice, in parallel.

Known limits of the package, as found by the property tests: it reads a number cell rounded
to 15 decimal places (``formulas.excel.ExcelModel.compile_cell``), so an input smaller than
5e-16 reads as 0 where Excel keeps it; and it implements only some of Excel's functions
(an unknown one gives ``#NAME?``), which is one reason the writer emits only the functions in
:data:`mutualfin.workbook.portable.WORKSHEET_FUNCTIONS`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import os
import re
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string

from mutualfin.errors import RecalculationError

__all__ = ["ENGINE_NAME", "INSTALL_HINT", "calculate", "find_formulas"]

#: how reports name this engine
ENGINE_NAME = "Excel's rules"
INSTALL_HINT = (
    "install the second verification engine, which follows Excel's rules, with "
    "pip install 'mutualfin[excel-engine]'"
)

# a single cell of the solution: '[book.xlsx]SHEET'!A1 (sheet names upper case)
_CELL_KEY = re.compile(r"^'\[[^\]]*\](?P<sheet>.+)'!(?P<col>[A-Z]{1,3})(?P<row>[0-9]+)$")


def find_formulas() -> str | None:
    """Version of the installed ``formulas`` package, or None when it is not installed."""
    if importlib.util.find_spec("formulas") is None:
        return None
    return importlib.metadata.version("formulas")


def _plain(value: Any) -> Any:
    """A cell value from ``formulas`` as openpyxl would read it from a saved file: float,
    int, bool, text, an error as its text ("#DIV/0!"), None for an empty cell."""
    from formulas.tokens.operand import XlError
    from schedula import EMPTY

    if hasattr(value, "value"):  # a Ranges object
        value = value.value
    if hasattr(value, "shape"):  # a 1x1 array
        value = value.ravel()[0] if value.size else None
    if value is EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def calculate(path: str | os.PathLike) -> dict[tuple[str, int, int], Any]:
    """Recalculate every formula of the workbook at ``path`` under Excel's rules.

    Returns ``{(sheet, row, column): value}`` for every formula cell (sheet as titled in the
    workbook; values as :func:`_plain` describes; dates as Excel serial numbers).

    Raises RecalculationError when the ``formulas`` package is not installed or cannot read
    the workbook.
    """
    src = Path(path)
    if not src.is_file():
        raise RecalculationError(f"workbook {str(src)!r} does not exist")
    if find_formulas() is None:
        raise RecalculationError(f"the formulas package is not installed; {INSTALL_HINT}")
    import formulas
    from openpyxl import load_workbook

    wb = load_workbook(src, read_only=True)
    titles = {name.upper(): name for name in wb.sheetnames}
    wb.close()
    try:
        # formulas draws a progress bar on stderr while it compiles: keep the output clean
        with contextlib.redirect_stderr(io.StringIO()):
            model = formulas.ExcelModel().loads(str(src)).finish()
            solution = model.calculate()
    except Exception as exc:  # the package's own errors have no common base class
        raise RecalculationError(
            f"the formulas package could not recalculate {src.name}: {type(exc).__name__}: {exc}"
        ) from exc
    out: dict[tuple[str, int, int], Any] = {}
    for key, value in solution.items():
        m = _CELL_KEY.match(str(key))
        if m is None or m["sheet"] not in titles:
            continue
        cell = (titles[m["sheet"]], int(m["row"]), column_index_from_string(m["col"]))
        out[cell] = _plain(value)
    return out
