"""Expression nodes: the one definition of every business-case figure.

A node knows two things: how to evaluate itself in numpy and how to write itself as an
Excel formula. Keeping both on the same class is what keeps the workbook and Python equal.

Array convention: every evaluated node is a float array of shape ``(S, E, P)`` where each axis
may be 1 and broadcasts: S scenarios, E entities (employees), P periods.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from mutualfin.core import cashflow as finance
from mutualfin.core.bounds import Bounds
from mutualfin.core.distributions import Distribution, Normal
from mutualfin.errors import InputError, ModelError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.engine.formula import RenderContext

__all__ = [
    "ByYear",
    "Entities",
    "Expr",
    "FromYear",
    "Input",
    "Line",
    "abs_",
    "by_year",
    "clip",
    "cumsum",
    "first_period",
    "from_year",
    "growth",
    "if_missing",
    "in_month",
    "irr_",
    "max_",
    "max_periods",
    "min_",
    "min_periods",
    "mirr_",
    "months_in_period",
    "npv_",
    "only_if",
    "param",
    "payback_",
    "period_end",
    "period_index",
    "period_start",
    "previous",
    "ref",
    "sum_",
    "sum_periods",
    "total",
    "where",
    "within",
    "year_end",
    "year_fraction",
    "year_index",
    "year_start",
    "years_elapsed",
]

# --------------------------------------------------------------------------------------------
# units and names
# --------------------------------------------------------------------------------------------
BASE_UNITS = {
    "GBP",
    "fraction",
    "ratio",
    "count",
    "FTE",
    "years",
    "months",
    "weeks",
    "days",
    "index",
    "flag",
    "date",
}
PER_UNITS = {"year", "month", "week", "day", "FTE", "employee", "leaver", "unit", "customer"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_CELL_LIKE = re.compile(r"^([a-z]{1,3}[0-9]+|r[0-9]*c[0-9]*|r|c)$")


def check_unit(unit: str, where: str) -> str:
    """Validate a unit string: a base unit or ``GBP/<per>``, ``days/FTE`` and the like."""
    if not isinstance(unit, str):
        raise UnitError(f"{where}: unit {unit!r} must be text such as 'GBP' or 'fraction'")
    head, sep, tail = unit.partition("/")
    if head in BASE_UNITS and (not sep or tail in PER_UNITS):
        return unit
    known = ", ".join(sorted(BASE_UNITS))
    raise UnitError(
        f"{where}: unknown unit {unit!r}; use one of {known}, optionally per "
        f"{'/'.join(sorted(PER_UNITS))} (e.g. 'GBP/FTE')"
    )


def check_name(name: object, what: str, defined_name: bool = False) -> str:
    """Names are lowercase dotted identifiers; their Excel name replaces dots by underscores.

    Inputs become Excel defined names (``defined_name=True``), which must not read as a cell
    reference such as FY2025 or R1C1."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(
            f"{what} name {name!r} is not valid; use lowercase letters, digits and underscores, "
            "separated by dots, starting with a letter (e.g. 'contract.annual_value')"
        )
    excel = name.replace(".", "_")
    if defined_name and _CELL_LIKE.match(excel):
        raise InputError(
            f"{what} name {name!r} would read as a cell reference in Excel ({excel.upper()}); "
            "choose a longer name such as 'rate_" + excel + "'"
        )
    return name


def excel_name(name: str) -> str:
    return name.replace(".", "_")


# --------------------------------------------------------------------------------------------
# evaluation context protocol (implemented in engine.model)
# --------------------------------------------------------------------------------------------
class EvalContext:  # pragma: no cover - documentation of the protocol
    n_periods: int

    def ev(self, node: Expr) -> np.ndarray: ...
    def input_value(self, node: Input) -> np.ndarray: ...
    def param_value(self, node: ParamRef) -> np.ndarray: ...
    def line_value(self, line: Line) -> np.ndarray: ...
    def previous_value(self, node: Previous) -> np.ndarray: ...
    def time_value(self, node: TimeVar) -> np.ndarray: ...
    def line_by_name(self, name: str) -> Line: ...
    def native(self, node: Expr) -> np.ndarray: ...
    def yearly(self, node: Expr) -> np.ndarray: ...


# --------------------------------------------------------------------------------------------
# the base class
# --------------------------------------------------------------------------------------------
def wrap(value: Any) -> Expr:
    """Turn a Python number into a constant node; leave nodes alone."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        return Const(1.0 if value else 0.0)
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if not math.isfinite(v):
            raise InputError(f"constant {value!r} in an expression must be a finite number")
        return Const(v)
    if isinstance(value, str):
        return LineRef(value)
    raise InputError(
        f"cannot use {value!r} ({type(value).__name__}) in an expression; use a number, an "
        "Input, a Line or another expression"
    )


# precedence levels for rendering (Excel: negation binds tighter than ^)
P_ATOM, P_NEG, P_POW, P_MUL, P_ADD, P_CMP = 100, 60, 50, 40, 30, 10


class Expr:
    """Base class of expression nodes. Combine them with + - * / ** and comparisons."""

    #: lets layers below the engine recognise an expression without importing it
    is_model_expression: ClassVar[bool] = True

    #: child nodes, evaluated before this one
    def children(self) -> Sequence[Expr]:
        return ()

    def evaluate(self, ctx: EvalContext) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self, rc: RenderContext) -> tuple[str, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    # arithmetic (an identity operand, + 0 or * 1, is dropped: no "+0" reaches a formula)
    def __add__(self, o: Any) -> Expr:
        return _arith("+", self, wrap(o))

    def __radd__(self, o: Any) -> Expr:
        return _arith("+", wrap(o), self)

    def __sub__(self, o: Any) -> Expr:
        return _arith("-", self, wrap(o))

    def __rsub__(self, o: Any) -> Expr:
        return _arith("-", wrap(o), self)

    def __mul__(self, o: Any) -> Expr:
        return _arith("*", self, wrap(o))

    def __rmul__(self, o: Any) -> Expr:
        return _arith("*", wrap(o), self)

    def __truediv__(self, o: Any) -> Expr:
        return _arith("/", self, wrap(o))

    def __rtruediv__(self, o: Any) -> Expr:
        return _arith("/", wrap(o), self)

    def __pow__(self, o: Any) -> Expr:
        return _arith("^", self, wrap(o))

    def __rpow__(self, o: Any) -> Expr:
        return _arith("^", wrap(o), self)

    def __neg__(self) -> Expr:
        return Neg(self)

    def __pos__(self) -> Expr:
        return self

    # comparisons give 1.0 / 0.0 (TRUE / FALSE in Excel)
    def __lt__(self, o: Any) -> Expr:
        return BinOp("<", self, wrap(o))

    def __le__(self, o: Any) -> Expr:
        return BinOp("<=", self, wrap(o))

    def __gt__(self, o: Any) -> Expr:
        return BinOp(">", self, wrap(o))

    def __ge__(self, o: Any) -> Expr:
        return BinOp(">=", self, wrap(o))

    def eq(self, o: Any) -> Expr:
        """Equality test (``==`` is kept for object identity)."""
        return BinOp("=", self, wrap(o))

    def ne(self, o: Any) -> Expr:
        return BinOp("<>", self, wrap(o))

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise ModelError(
            "an expression has no truth value while the model is being defined; use "
            "where(condition, a, b) instead of 'if', and min_/max_ instead of min/max"
        )


def _is_const(node: Expr, value: float) -> bool:
    return isinstance(node, Const) and node.value == value


def _arith(op: str, a: Expr, b: Expr) -> Expr:
    """``a op b``, without an identity operand: x + 0, 0 + x, x - 0, x * 1, 1 * x, x / 1 and
    x ^ 1 are x, and 0 - x is -x. Shapes are kept (nothing is folded to a constant), so a
    per-employee line times 1 stays per employee."""
    if op == "+":
        if _is_const(b, 0.0):
            return a
        if _is_const(a, 0.0):
            return b
    elif op == "-":
        if _is_const(b, 0.0):
            return a
        if _is_const(a, 0.0):
            return Neg(b)
    elif op == "*":
        if _is_const(b, 1.0):
            return a
        if _is_const(a, 1.0):
            return b
    elif op in ("/", "^") and _is_const(b, 1.0):
        return a
    return BinOp(op, a, b)


def _sub_render(child: Expr, rc: RenderContext, min_prec: int) -> str:
    text, prec = child.render(rc)
    return f"({text})" if prec < min_prec else text


def render_condition(cond: Expr, rc: RenderContext) -> str:
    """Formula text of the condition of an IF: a comparison stays a bare logical test.

    Everywhere else a comparison is a value and renders as the number 1 or 0 (see
    :meth:`BinOp.render`); only here, where every spreadsheet engine reads TRUE and FALSE
    the same way, is the logical form both safe and the more readable."""
    if isinstance(cond, BinOp) and cond.op in COMPARISONS:
        return cond.render_test(rc)
    return cond.render(rc)[0]


# --------------------------------------------------------------------------------------------
# leaves
# --------------------------------------------------------------------------------------------
class Const(Expr):
    def __init__(self, value: float):
        self.value = float(value)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return np.full((1, 1, 1), self.value)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        v = self.value
        text = str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
        return text, (P_ATOM if v >= 0 else P_NEG)

    def __repr__(self) -> str:
        return f"Const({self.value})"


class Entities:
    """An entity axis, such as the employees of a roster.

    Parameters
    ----------
    name : str
        What one entity is ("employee").
    ids : sequence of str
        One identifier per entity, shown beside each row block in the workbook.
    """

    def __init__(self, name: str, ids: Iterable[object]):
        self.name = check_name(name, "entity axis")
        self.ids = [str(i) for i in ids]
        if not self.ids:
            raise InputError(f"entity axis {name!r} has no entities; give at least one id")
        if len(set(self.ids)) != len(self.ids):
            seen: set[str] = set()
            dups = [i for i in self.ids if i in seen or seen.add(i)]
            raise InputError(f"entity axis {name!r} has duplicate ids: {dups[:5]}")

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"Entities({self.name!r}, {len(self)} ids)"


class Input(Expr):
    """A value the user supplies: scalar, one per period, or one per entity.

    Parameters
    ----------
    name : str
        Dotted key as in the case file ("contract.annual_value"); the workbook's defined name
        replaces dots with underscores.
    value : float or sequence
        A number, a sequence with one value per period, or one per entity (with ``per``).
    unit : str
        "GBP", "fraction" (0.03 means 3%), "ratio", "count", "FTE", "years", ... A fraction
        outside [-1, 1] is refused as a percentage typed as a whole number.
    label, source : str
        What it is, for people; where the figure comes from.
    uncertainty : Distribution, optional
        For sensitivity and Monte Carlo analysis.
    per : Entities, optional
        The entity axis, when the value is one per entity.
    bounds : Bounds, optional
        The values allowed (a component takes them from its schema). Every value the input
        can take is checked against them: its own, an override in ``evaluate``, a simulation
        draw; and an uncertainty that could draw a value outside them is refused here.
    """

    def __init__(
        self,
        name: str,
        value: Any,
        unit: str = "GBP",
        label: str = "",
        source: str = "",
        uncertainty: Distribution | None = None,
        per: Entities | None = None,
        bounds: Bounds | None = None,
    ):
        self.name = check_name(name, "input", defined_name=True)
        self.unit = check_unit(unit, f"input {name!r}")
        self.label = label or name
        self.source = source
        if uncertainty is not None and not isinstance(uncertainty, Distribution):
            raise InputError(
                f"input {name!r}: uncertainty must be a distribution such as "
                f"Triangular(low, mode, high), got {uncertainty!r}"
            )
        if bounds is not None and not isinstance(bounds, Bounds):
            raise InputError(f"input {name!r}: bounds must be a Bounds, got {bounds!r}")
        self.uncertainty = uncertainty
        self.per = per
        self.bounds = bounds
        self.value = self._validate(value)
        if uncertainty is not None:
            self._check_uncertainty(uncertainty)

    @property
    def scalar(self) -> bool:
        return self.value.ndim == 0

    @property
    def kind(self) -> str:
        if self.value.ndim == 0:
            return "scalar"
        return "entity" if self.per is not None else "period"

    def _validate(self, value: Any) -> np.ndarray:
        where = f"input {self.name!r}"
        self.refuse_flag(value)
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InputError(
                f"{where}: value {value!r} is not a number or a list of numbers"
            ) from None
        if arr.ndim > 1:
            raise InputError(
                f"{where}: value must be a number or a flat list, got shape {arr.shape}"
            )
        if arr.ndim == 1 and arr.size == 0:
            raise InputError(f"{where}: value is an empty list; give a number or one per period")
        if self.per is not None:
            if arr.ndim != 1 or len(arr) != len(self.per):
                raise InputError(
                    f"{where}: needs one value per {self.per.name} ({len(self.per)}), "
                    f"got {arr.size}"
                )
        self.check_values(arr)
        return arr

    def apply_draw(self, draws: np.ndarray) -> np.ndarray:
        """Values of the input, (S,) or (S, n), for draws (S,) of its uncertainty.

        A scalar input takes the drawn value. A per-period or per-entity input keeps its
        profile and moves with the draw relative to the distribution's central value:
        multiplied by ``draw / central`` for money and counts (GBP, count), shifted by
        ``draw - central`` for other units (and for money whose central value is 0).
        """
        draws = np.asarray(draws, dtype=float)
        if self.kind == "scalar":
            return draws
        base = np.asarray(self.value, dtype=float)
        central = float(self.uncertainty.central) if self.uncertainty is not None else 0.0
        if self.unit in ("GBP", "count") and central != 0:
            return base[None, :] * (draws / central)[:, None]
        return base[None, :] + (draws - central)[:, None]

    def _check_uncertainty(self, dist: Distribution) -> None:
        """Refuse an uncertainty that could draw values the input does not allow, and a
        value outside its own uncertainty's range."""
        where = f"input {self.name!r}"
        if isinstance(dist, Normal):
            low, high = (dist.mean, dist.mean) if dist.sd == 0 else (-math.inf, math.inf)
        else:
            low, high = float(dist.low), float(dist.high)  # type: ignore[attr-defined]
        if self.kind == "scalar" and not isinstance(dist, Normal):
            v = float(self.value)
            if not low <= v <= high:
                raise InputError(
                    f"{where}: value {v:g} is outside its own uncertainty, {dist!r} (from "
                    f"{low:g} to {high:g}); make the range include the value"
                )
        limits = self.bounds
        if self.unit == "fraction":
            limits = Bounds(-1, 1) & limits if limits is not None else Bounds(-1, 1)
        if limits is None:
            return
        if not (math.isfinite(low) and math.isfinite(high)):
            raise InputError(
                f"{where}: {dist!r} can draw any number, but the input must be "
                f"{limits.describe()}; give a bounded distribution (triangular, pert or "
                "uniform) inside that range"
            )
        ends = self.apply_draw(np.array([low, high]))
        if limits.whole and low != high:
            raise InputError(
                f"{where}: {dist!r} draws fractions, but the input takes whole numbers "
                f"({limits.describe()}); leave its uncertainty out, or analyse it with "
                "scenarios of whole numbers"
            )
        found = limits.problem(ends)
        if found is not None:
            v, why = found
            raise InputError(
                f"{where}: {dist!r} can draw {v:g}, which {why} (the input must be "
                f"{limits.describe()}); narrow the uncertainty"
            )

    def check_values(self, arr: np.ndarray, what: str = "value") -> None:
        """Refuse non-finite values, fractions that look like whole percentages, and values
        outside the input's bounds."""
        where = f"input {self.name!r}"
        bad = ~np.isfinite(arr)
        if bad.any():
            first = np.asarray(arr).ravel()[np.argmax(np.asarray(bad).ravel())]
            raise InputError(f"{where}: {what} {first!r} is not a finite number")
        if self.unit == "fraction":
            over = np.abs(arr) > 1
            if over.any():
                v = float(np.asarray(arr).ravel()[np.argmax(np.asarray(over).ravel())])
                raise UnitError(
                    f"{where}: {what} {v:g} is a fraction, so {v / 100:g} means {v:g}%; "
                    f"did you type a percentage? Give {v / 100:g}, or declare unit='ratio' if "
                    "a value above 1 is meant"
                )
        elif self.unit == "flag":
            if not np.isin(arr, (0.0, 1.0)).all():
                raise UnitError(f"{where}: a flag must be 0 or 1, got {what} {arr!r}")
        if self.bounds is not None:
            found = self.bounds.problem(arr)
            if found is not None:
                v, why = found
                raise InputError(f"{where}: {what} {v:g} {why} (allowed: {self.bounds.describe()})")

    def refuse_flag(self, raw: Any, what: str = "value") -> None:
        """Refuse true/false given for a number (numpy would read True as 1)."""
        if self.unit == "flag":
            return
        if isinstance(raw, bool | np.bool_) or (
            isinstance(raw, np.ndarray | list | tuple)
            and np.asarray(raw, dtype=object).size
            and all(isinstance(x, bool | np.bool_) for x in np.asarray(raw, dtype=object).ravel())
        ):
            raise InputError(
                f"input {self.name!r}: {what} {raw!r} is true/false, not a number; give the "
                "amount, e.g. 40000 or 0.02"
            )

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.input_value(self)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.input_ref(self), P_ATOM

    def __repr__(self) -> str:
        return f"Input({self.name!r}, {self.kind}, unit={self.unit!r})"


class ParamRef(Expr):
    """A dated UK parameter, one value per period (see :func:`param`)."""

    def __init__(self, name: str, how: str = "weighted", beyond: str = "hold"):
        self.name = name
        if how not in ("weighted", "start", "end"):
            raise InputError(
                f"param {name!r}: how={how!r} must be 'weighted' (day-weighted average over "
                "the period), 'start' or 'end' (value in force on that day)"
            )
        if beyond not in ("hold", "error"):
            raise InputError(
                f"param {name!r}: beyond={beyond!r} must be 'hold' (carry the last known value "
                "forward, shown as an assumption) or 'error'"
            )
        self.how = how
        self.beyond = beyond

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.how, self.beyond)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.param_value(self)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.param_ref(self), P_ATOM

    def __repr__(self) -> str:
        return f"param({self.name!r})"


class TimeVar(Expr):
    """A row of the timeline header: period index, first-period flag, year fraction, the
    first and last day of the period (as spreadsheet date serials), or a flag for periods
    overlapping a date range; or a row of the Timeline sheet: financial years since the
    first, the first and last period of each financial year, years elapsed, months in the
    period, a calendar month's flag, the start date of the period's financial year.

    In a line by financial year (see :func:`by_year`) each row is the annual timeline's."""

    def __init__(self, kind: str, start: dt.date | None = None, end: dt.date | None = None):
        self.kind = kind
        self.start = start
        self.end = end

    @property
    def key(self) -> tuple:
        return (self.kind, self.start, self.end)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.time_value(self)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.time_ref(self), P_ATOM


class LineRef(Expr):
    """A reference to a line by name, resolved when the model is built."""

    def __init__(self, name: str):
        self.name = name

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.line_value(ctx.line_by_name(self.name))

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.line_ref(rc.line_by_name(self.name)), P_ATOM

    def __repr__(self) -> str:
        return f"ref({self.name!r})"


# --------------------------------------------------------------------------------------------
# lines
# --------------------------------------------------------------------------------------------
LINE_KINDS = ("flow", "balance", "rate", "value", "metric")


class Line(Expr):
    """A named result: one row of the workbook (or one block of rows, per entity).

    Parameters
    ----------
    name : str
        The line's name, as the finance officer will read it ("contract_income").
    expr : Expr or number
        Its definition over inputs, parameters and other lines.
    unit : str
        Unit of the result ("GBP" by default).
    label : str
        A readable description for the workbook.
    kind : {"flow", "balance", "rate", "value", "metric"}
        Flows are summed into the totals column and over months into years; balances take the
        closing value; rates and values are not summed. A metric (NPV, IRR...) has one value per
        scenario, no period axis, and sits in the workbook's value column.
    sheet : str
        Workbook sheet the line is written to.
    opening : Expr or number, optional
        The value before the first period, used by ``previous(this_line)``.
    section : str, optional
        A heading (e.g. "Cash flow") that the workbook shows above this line when it starts a
        new section of its sheet.
    role : str, optional
        A tag the engine carries but does not read: a business case uses it as the line's
        role in its statements (see :data:`mutualfin.case.statements.ROLES`, where roles are
        declared and checked).
    yearly : bool
        The line is by financial year even where nothing in its definition says so (a factor
        of scalar inputs that lines by year use); see :func:`by_year`.
    """

    def __init__(
        self,
        name: str,
        expr: Any,
        unit: str = "GBP",
        label: str = "",
        kind: str | None = None,
        sheet: str = "Calculations",
        opening: Any = None,
        role: str | None = None,
        section: str | None = None,
        yearly: bool = False,
    ):
        self.name = check_name(name, "line")
        self.yearly = bool(yearly)
        if role is not None and not isinstance(role, str):
            raise InputError(f"line {name!r}: role {role!r} must be text")
        self.role = role
        #: a heading the workbook shows above the first line of each section on its sheet
        self.section = section
        self.expr = wrap(expr)
        self.unit = check_unit(unit, f"line {name!r}")
        self.label = label or name.replace("_", " ").capitalize()
        if kind is None:
            kind = "flow" if self.unit == "GBP" else "value"
        if kind not in LINE_KINDS:
            raise InputError(f"line {name!r}: kind {kind!r} must be one of {LINE_KINDS}")
        self.kind = kind
        if (
            not isinstance(sheet, str)
            or not sheet
            or len(sheet) > 31
            or any(c in sheet for c in "[]:*?/\\'")
        ):
            raise InputError(
                f"line {name!r}: sheet name {sheet!r} must be 1-31 characters without "
                "[ ] : * ? / \\ or apostrophes"
            )
        self.sheet = sheet
        self.opening = None if opening is None else wrap(opening)
        self.auxiliary = False
        #: text the workbook shows where Python has NaN by design ("not paid back")
        self.missing_text: str | None = getattr(self.expr, "missing_text", None)

    def missing_text_for(self, values: Any, scenario: int = 0) -> str | None:
        """The text a missing (NaN) value of this line shows in a scenario: a node may choose
        among several (a payback with no outlay says so), else :attr:`missing_text`."""
        rule = getattr(self.expr, "missing_rule", None)
        return rule(values, scenario) if rule is not None else self.missing_text

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.line_value(self)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.line_ref(self), P_ATOM

    def __repr__(self) -> str:
        return f"Line({self.name!r})"


# --------------------------------------------------------------------------------------------
# operators and functions
# --------------------------------------------------------------------------------------------
_NP_BINOPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "=": np.equal,
    "<>": np.not_equal,
}
_PREC = {"+": P_ADD, "-": P_ADD, "*": P_MUL, "/": P_MUL, "^": P_POW}
COMPARISONS = frozenset({"<", "<=", ">", ">=", "=", "<>"})


class BinOp(Expr):
    """An arithmetic operator or a comparison.

    A comparison evaluates to 1.0 or 0.0 in Python, and in the workbook it is written as the
    number 1 or 0, ``IF(a<b,1,0)``, wherever its value is used: as a cell's whole formula, an
    operand, an argument of MAX or MIN. Only as the condition of an IF (:func:`where`) is it
    written as the bare test ``a<b``. Excel keeps TRUE and FALSE as logical values, which its
    SUM, MAX and MIN ignore when they come from a cell or range (Microsoft's SUM and MAX
    function references), and which sort above every number in a comparison; LibreOffice
    treats them as 1 and 0. A flag written as a number means the same in every engine.
    """

    def __init__(self, op: str, a: Expr, b: Expr):
        self.op, self.a, self.b = op, a, b

    def children(self) -> Sequence[Expr]:
        return (self.a, self.b)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        out = _NP_BINOPS[self.op](ctx.ev(self.a), ctx.ev(self.b))
        return out.astype(float) if out.dtype == bool else out

    def render_test(self, rc: RenderContext) -> str:
        """A comparison as a bare logical test ``a<b``, for the condition of an IF."""
        left = _sub_render(self.a, rc, P_CMP)
        right = _sub_render(self.b, rc, P_CMP + 1)
        return f"{left}{self.op}{right}"

    def render(self, rc: RenderContext) -> tuple[str, int]:
        if self.op in COMPARISONS:
            return f"IF({self.render_test(rc)},1,0)", P_ATOM
        prec = _PREC[self.op]
        left = _sub_render(self.a, rc, prec)
        right = _sub_render(self.b, rc, prec + 1)
        return f"{left}{self.op}{right}", prec


class Neg(Expr):
    def __init__(self, a: Expr):
        self.a = a

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return -ctx.ev(self.a)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return "-" + _sub_render(self.a, rc, P_NEG), P_NEG


class Func(Expr):
    """MIN, MAX, ABS and IF, elementwise."""

    _NP: ClassVar[dict[str, Callable[..., np.ndarray]]] = {
        "MIN": lambda *xs: _reduce(np.minimum, xs),
        "MAX": lambda *xs: _reduce(np.maximum, xs),
        "ABS": np.abs,
        "IF": lambda c, a, b: np.where(c != 0, a, b),
    }

    def __init__(self, fn: str, args: Sequence[Expr]):
        self.fn, self.args = fn, tuple(args)

    def children(self) -> Sequence[Expr]:
        return self.args

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return np.asarray(self._NP[self.fn](*(ctx.ev(a) for a in self.args)), dtype=float)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        # the condition of an IF may stay a logical test; every other argument is a value
        args = [
            render_condition(a, rc) if self.fn == "IF" and k == 0 else a.render(rc)[0]
            for k, a in enumerate(self.args)
        ]
        return f"{self.fn}({','.join(args)})", P_ATOM


def _reduce(fn: Callable, xs: Sequence[np.ndarray]) -> np.ndarray:
    out = xs[0]
    for x in xs[1:]:
        out = fn(out, x)
    return out


class Previous(Expr):
    """Last period's value of a line; the line's opening value before the first period."""

    def __init__(self, target: Line | LineRef, opening: Expr | None):
        self.target = target
        self.opening = opening

    @property
    def target_name(self) -> str:
        return self.target.name

    def children(self) -> Sequence[Expr]:
        # the target is NOT a same-period dependency; the model handles it specially
        return ()

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.previous_value(self)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.previous_ref(self), P_ATOM


class CumSum(Expr):
    """Running total over periods (inclusive of the current one)."""

    def __init__(self, a: Expr):
        self.a = a

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        x = ctx.ev(self.a)
        x = np.broadcast_to(x, (*x.shape[:2], ctx.n_periods))
        return np.cumsum(x, axis=-1)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return f"SUM({rc.running_range(self.a)})", P_ATOM


class Growth(Expr):
    """Growth index: 1 in the first period, then compounded by ``rate`` each period.

    For a rate with no period axis this is ``(1 + rate) ** t``. For a rate that varies by
    period it is the product of ``(1 + rate)`` over periods 1..t; the first period's rate is
    not used (the first period is the base).
    """

    def __init__(self, rate: Expr, factor_line: Line | None = None):
        self.rate = rate
        self.factor_line = factor_line  # set when the model materialises a per-period rate

    def children(self) -> Sequence[Expr]:
        return (self.factor_line,) if self.factor_line is not None else (self.rate,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        if self.factor_line is not None:
            f = ctx.ev(self.factor_line)
            return np.cumprod(np.broadcast_to(f, (*f.shape[:2], ctx.n_periods)), axis=-1)
        r = ctx.ev(self.rate)
        t = ctx.time_value(TimeVar("index"))
        return (1.0 + r) ** t

    def render(self, rc: RenderContext) -> tuple[str, int]:
        if self.factor_line is not None:
            return f"PRODUCT({rc.running_range(self.factor_line)})", P_ATOM
        base = _sub_render(BinOp("+", Const(1.0), self.rate), rc, P_ATOM)
        return f"{base}^{rc.time_ref(TimeVar('index'))}", P_POW


class Total(Expr):
    """Sum over the entity axis (all employees)."""

    def __init__(self, a: Expr):
        self.a = a

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        x = ctx.ev(self.a)
        return x.sum(axis=1, keepdims=True)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return f"SUM({rc.entity_range(self.a)})", P_ATOM


class ByYear(Expr):
    """A line by financial year, from a line by period: flows summed over each year's periods
    (``how="sum"``), balances at the year's closing period (``how="close"``).

    A line whose definition holds a ``ByYear`` is a line **by financial year**: its row has
    one column per financial year (on a sheet of such lines), and whatever else it uses (the
    timeline's rows, parameters, other lines by year) is taken by year too. In the workbook
    it is ``SUMIF`` over the Timeline sheet's row of each period's financial-year start date,
    against the year's start date in the sheet's own header: the same formula across the
    row (FAST Standard: annual summaries from the monthly rows by flags).
    """

    def __init__(self, a: Expr, how: str):
        if how not in ("sum", "close"):
            raise InputError(f"by_year: how={how!r} must be 'sum' (flows) or 'close' (balances)")
        self.a, self.how = a, how

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        x = ctx.native(self.a)
        return ctx.model.timeline.to_annual(x, "flow" if self.how == "sum" else "balance")

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.by_year_ref(self), P_ATOM


class FromYear(Expr):
    """Each period's value of a line by financial year: the figure of the year the period
    falls in (``SUMIF`` over the yearly sheet's header of year start dates in the workbook)."""

    def __init__(self, a: Expr):
        self.a = a

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        x = ctx.yearly(self.a)
        return ctx.model.timeline.from_annual(x)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        return rc.from_year_ref(self), P_ATOM


def _sign_changes(rows: np.ndarray) -> np.ndarray:
    """How many times each row's flows change sign, zeros skipped (Descartes' count)."""
    sign = np.sign(rows)
    last = np.where(sign != 0, np.arange(rows.shape[1]), 0)
    np.maximum.accumulate(last, axis=1, out=last)  # the last non-zero flow so far
    held = np.take_along_axis(sign, last, axis=1)
    return np.count_nonzero(held[:, 1:] * held[:, :-1] < 0, axis=1)


class Aggregate(Expr):
    """A figure over all periods of a row: NPV, IRR or MIRR (Excel functions of the same name).

    ``values`` must be a line (a row of the workbook); the model gives any other expression a
    row of its own. Rates are per period and must not vary by period.
    """

    def __init__(
        self,
        fn: str,
        values: Expr,
        rates: Sequence[Expr],
        when: str = "end",
        guess: str | None = None,
    ):
        if fn not in ("NPV", "IRR", "MIRR", "SUM", "MIN", "MAX"):
            raise InputError(f"unknown aggregate {fn!r}")  # pragma: no cover
        if when not in ("start", "end"):
            raise InputError(
                f"{fn.lower()}: when={when!r} must be 'start' (first flow at time 0, not "
                "discounted) or 'end' (first flow discounted one period, as Excel's NPV)"
            )
        self.fn, self.a, self.rates, self.when = fn, values, tuple(rates), when
        self.guess = guess

    def children(self) -> Sequence[Expr]:
        return (self.a, *self.rates)

    @staticmethod
    def flows_guess(rows: np.ndarray) -> np.ndarray:
        """The IRR guess ``guess="flows"`` gives, per row: the rate at which one side of the
        flows grows into the other over the horizon, the exact root for two flows.

        For an investment (outlays first: NPV at 10% no more than the undiscounted sum, as
        Excel's ``NPV(0.1, flows) <= SUM(flows)``) it is ``(inflows / outflows) ^ (1 / (n -
        1)) - 1``; for flows shaped like borrowing (receipts first, payments later, so NPV rises
        with the rate) it is ``(outflows / inflows) ^ (1 / (n - 1)) - 1``. Starting Newton's
        method on the wrong side leaves Excel and LibreOffice's IRR (20 iterations) short of a
        root Python finds: ``[1, 0, ..., 0, -2014]`` over 11 years has its only root at
        2014 ^ 0.1 - 1 = 114%, and the investment guess, -53%, is 16 steps of about 10% away.
        NaN where there is no outflow or inflow.
        """
        pos = np.where(rows > 0, rows, 0).sum(axis=-1)
        neg = -np.where(rows < 0, rows, 0).sum(axis=-1)
        n = rows.shape[-1]
        if n < 2:
            return np.full(len(rows), np.nan)
        discounted = (rows / 1.1 ** np.arange(1, n + 1)).sum(axis=-1)
        invest = discounted <= rows.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(invest, pos / neg, neg / pos)
            out = ratio ** (1.0 / (n - 1)) - 1.0
        return np.where((pos > 0) & (neg > 0), out, np.nan)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:

        v = np.asarray(ctx.ev(self.a), dtype=float)
        raw_rates = [np.asarray(ctx.ev(r), dtype=float) for r in self.rates]
        s = max([v.shape[0], *(r.shape[0] for r in raw_rates)])
        e = v.shape[1]
        p = ctx.n_periods
        v = np.broadcast_to(v, (s, e, p))
        rates = [np.broadcast_to(r, (s, e, 1)).reshape(s * e) for r in raw_rates]
        rows = v.reshape(s * e, p)
        if self.fn in ("SUM", "MIN", "MAX"):
            reduce = {"SUM": np.sum, "MIN": np.min, "MAX": np.max}[self.fn]
            return reduce(rows, axis=-1).reshape(s, e, 1)
        if self.fn == "NPV":
            out = finance.npv(rates[0][:, None], rows, when=self.when)
        elif self.fn == "IRR" and self.guess == "flows":
            guesses = self.flows_guess(rows)
            out = np.full(len(rows), np.nan)
            ok = np.isfinite(guesses)
            # flows that change sign once have one rate, whatever the guess: solved together
            # (a Monte Carlo run's rows each have their own guess, so this is one call, not
            # one a scenario)
            one = ok & (_sign_changes(rows) == 1)
            if one.any():
                out[one] = finance.irr(rows[one])
            ok &= ~one
            for g in np.unique(guesses[ok]):  # rows sharing a guess are solved together
                pick = ok & (guesses == g)
                out[pick] = finance.irr(rows[pick], guess=float(g))
        elif self.fn == "IRR":
            out = finance.irr(rows)
        else:
            out = np.array(
                [finance.mirr(rows[k], rates[0][k], rates[1][k]) for k in range(rows.shape[0])]
            )
        return np.asarray(out, dtype=float).reshape(s, e, 1)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        first, last = rc.row_range(self.a)
        rates = [r.render(rc)[0] for r in self.rates]
        if self.fn == "IRR" and self.guess == "flows":
            r = f"{first}:{last}"
            pos, neg = f'SUMIF({r},">0")', f'-SUMIF({r},"<0")'
            power = f"^(1/(COUNT({r})-1))-1"
            guess = f"IF(NPV(0.1,{r})<=SUM({r}),({pos}/{neg}){power},({neg}/{pos}){power})"
            return f"IRR({r},{guess})", P_ATOM
        if self.fn in ("IRR", "SUM", "MIN", "MAX"):
            return f"{self.fn}({first}:{last})", P_ATOM
        if self.fn == "MIRR":
            return f"MIRR({first}:{last},{rates[0]},{rates[1]})", P_ATOM
        if self.when == "end":
            return f"NPV({rates[0]},{first}:{last})", P_ATOM
        second = rc.row_range(self.a, start=1)[0]
        return f"{first}+NPV({rates[0]},{second}:{last})", P_ADD


class Payback(Expr):
    """Periods from the first outlay until cumulative cash is back to zero, from the rows
    :func:`payback_` makes.

    Missing by design (NaN in Python, text in the workbook) in two cases: cumulative cash never
    falls below zero ("no net outlay": there is nothing to pay back, which is not a payback of
    0), or it is still below zero at the end of the horizon ("not paid back").
    """

    missing_text = "not paid back"
    no_outlay_text = "no net outlay"

    def __init__(self, outlay: Line, start: Line, paid: Line, part: Line):
        self.outlay, self.start, self.paid, self.part = outlay, start, paid, part

    def children(self) -> Sequence[Expr]:
        return (self.outlay, self.start, self.paid, self.part)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        rows = [ctx.ev(x) for x in (self.outlay, self.start, self.paid, self.part)]
        s = max(r.shape[0] for r in rows)
        e = max(r.shape[1] for r in rows)
        outlay, start, paid, part = (np.broadcast_to(r, (s, e, ctx.n_periods)) for r in rows)
        done = (outlay.max(axis=-1, keepdims=True) >= 1) & (paid.max(axis=-1, keepdims=True) >= 1)
        years = part.sum(axis=-1, keepdims=True) - start.sum(axis=-1, keepdims=True)
        return np.where(done, years, np.nan)

    def missing_rule(self, values: Any, scenario: int) -> str:
        """Which text a missing payback shows: from the outlay row of that scenario."""
        row = values[self.outlay.name]
        row = row[min(scenario, row.shape[0] - 1)]
        return self.no_outlay_text if float(np.max(row)) < 1 else self.missing_text

    def render(self, rc: RenderContext) -> tuple[str, int]:
        o0, o1 = rc.row_range(self.outlay)
        s0, s1 = rc.row_range(self.start)
        p0, p1 = rc.row_range(self.paid)
        q0, q1 = rc.row_range(self.part)
        return (
            f'IF(MAX({o0}:{o1})=0,"{self.no_outlay_text}",'
            f'IF(MAX({p0}:{p1})=1,SUM({q0}:{q1})-SUM({s0}:{s1}),"{self.missing_text}"))',
            P_ATOM,
        )


def payback_(flows: Line, rate: Any = None, when: str = "end") -> Expr:
    """Payback of a line of cash flows, in periods from the first outlay: a metric.

    Cash is taken to flow evenly through each period. The outlay starts at the beginning of
    the first period ``s`` in which cumulative cash falls below zero; payback is the time from
    then until cumulative cash is back to zero, ``k + (-cumulative[k-1]) / flow[k] - s`` for
    the first later period ``k`` that ends at or above zero (linear within the period). A
    line whose cumulative cash never falls below zero has **no net outlay**, which is not a
    payback of 0: NaN in Python and the text "no net outlay" in the workbook; one still below
    zero at the end is NaN and "not paid back".

    With ``rate``, the discounted payback: flows discounted first on the same convention as
    :func:`npv_` with the same ``when`` (``"end"``, Excel's: the first period's flow is
    discounted one period, ``flow / (1 + rate)^(t + 1)``; ``"start"``: ``(1 + rate)^t``).

    The workbook shows the working as rows: ``<flows>_cumulative``, ``<flows>_outlay`` (1
    from the first period cumulative cash is negative), ``<flows>_outlay_start``,
    ``<flows>_paid_back`` (1 from the period it is back to zero after an outlay) and
    ``<flows>_payback_part``.
    """
    if not isinstance(flows, Line):
        raise InputError(
            f"payback_ needs a Line of net cash flows, got {flows!r}; define the flows as a "
            "line first"
        )
    if when not in ("start", "end"):
        raise InputError(f"payback_: when={when!r} must be 'start' or 'end' (as npv_)")
    base = flows.name
    if rate is not None:
        factor = growth(rate) * (1 + wrap(rate)) if when == "end" else growth(rate)
        flows = Line(
            f"{base}_discounted",
            flows / factor,
            unit=flows.unit,
            label=f"{flows.label}, discounted"
            + (" (end of period, as NPV)" if when == "end" else " (start of period)"),
            sheet=flows.sheet,
        )
        base = flows.name
    cum = Line(
        f"{base}_cumulative",
        cumsum(flows),
        unit=flows.unit,
        kind="balance",
        label=f"{flows.label}: cumulative",
        sheet=flows.sheet,
    )
    outlay_name = f"{base}_outlay"
    outlay = Line(
        outlay_name,
        max_(previous(outlay_name, opening=0), cum < 0),
        unit="flag",
        kind="value",
        label=f"{flows.label}: outlay (1 from the first period cumulative is negative)",
        sheet=flows.sheet,
    )
    start = Line(
        f"{base}_outlay_start",
        where(outlay - previous(outlay_name) > 0, period_index(), 0),
        unit="years",
        kind="value",
        label=f"{flows.label}: the outlay starts (periods from the start), in that period",
        sheet=flows.sheet,
    )
    paid_name = f"{base}_paid_back"
    paid = Line(
        paid_name,
        max_(previous(paid_name, opening=0), outlay * (cum >= 0)),
        unit="flag",
        kind="value",
        label=f"{flows.label}: paid back (1 from the period it is back to zero after an outlay)",
        sheet=flows.sheet,
    )
    part = Line(
        f"{base}_payback_part",
        where(paid - previous(paid_name) > 0, period_index() - previous(cum) / flows, 0),
        unit="years",
        kind="value",
        label=f"{flows.label}: the point it is paid back (periods from the start)",
        sheet=flows.sheet,
    )
    return Payback(outlay, start, paid, part)


def npv_(rate: Any, values: Any, when: str = "end") -> Expr:
    """NPV of a line's flows at ``rate`` per period: a metric (Excel NPV).

    ``when="end"`` discounts the first period's flow by one period, as Excel's NPV does;
    ``when="start"`` leaves the first flow undiscounted (numpy-financial), written in Excel as
    ``first + NPV(rate, rest)``.
    """
    return Aggregate("NPV", wrap(values), [wrap(rate)], when)


def sum_periods(values: Any) -> Expr:
    """Sum of a line over all periods: a metric (Excel SUM over the row)."""
    return Aggregate("SUM", wrap(values), [])


def min_periods(values: Any) -> Expr:
    """Smallest value of a line over the periods: a metric (Excel MIN over the row)."""
    return Aggregate("MIN", wrap(values), [])


def max_periods(values: Any) -> Expr:
    """Largest value of a line over the periods: a metric (Excel MAX over the row)."""
    return Aggregate("MAX", wrap(values), [])


class IfMissing(Expr):
    """A figure that may have no value by design (an IRR of flows with no sign change): NaN
    in Python, ``text`` in the workbook (Excel IFERROR)."""

    def __init__(self, a: Expr, text: str):
        self.a, self.missing_text = a, str(text)

    def children(self) -> Sequence[Expr]:
        return (self.a,)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return ctx.ev(self.a)

    def render(self, rc: RenderContext) -> tuple[str, int]:
        text = self.missing_text.replace('"', '""')
        return f'IFERROR({self.a.render(rc)[0]},"{text}")', P_ATOM


class OnlyIf(Expr):
    """A metric that exists only where a flag metric is 1 (an IRR only where there is an
    outlay): NaN in Python and ``text`` in the workbook where the flag is 0."""

    def __init__(self, flag: Line, a: Expr, text: str):
        self.flag, self.a, self.text = flag, a, str(text)
        self.missing_text = getattr(a, "missing_text", text)

    def children(self) -> Sequence[Expr]:
        return (self.flag, self.a)

    def evaluate(self, ctx: EvalContext) -> np.ndarray:
        return np.where(ctx.ev(self.flag) >= 1, ctx.ev(self.a), np.nan)

    def missing_rule(self, values: Any, scenario: int) -> str:
        """The flag's text where the flag is 0, else the inner figure's own (an ``only_if``
        inside another says why it is missing in its turn)."""
        row = values[self.flag.name]
        if float(row[min(scenario, row.shape[0] - 1)].max()) < 1:
            return self.text
        inner = getattr(self.a, "missing_rule", None)
        return inner(values, scenario) if inner is not None else self.missing_text

    def render(self, rc: RenderContext) -> tuple[str, int]:
        text = self.text.replace('"', '""')
        return f'IF({rc.line_ref(self.flag)}=1,{self.a.render(rc)[0]},"{text}")', P_ATOM


def only_if(flag: Line, x: Any, text: str) -> Expr:
    """``x`` where the metric line ``flag`` is 1, else missing with ``text`` (NaN in Python)."""
    if not isinstance(flag, Line):
        raise InputError(f"only_if needs a Line as its flag, got {flag!r}")
    return OnlyIf(flag, wrap(x), text)


def if_missing(x: Any, text: str = "n/a") -> Expr:
    """``x``, or ``text`` in the workbook where it has no value (NaN in Python): for a metric
    such as an IRR, which flows without a sign change do not have."""
    return IfMissing(wrap(x), text)


def irr_(values: Any, guess: str | None = None) -> Expr:
    """Internal rate of return of a line's flows over the periods: a metric (Excel IRR).

    Where the flows have several rates, the one nearest the guess: Excel's 0.1 by default, or
    with ``guess="flows"`` a guess from the flows themselves (see
    :meth:`Aggregate.flows_guess`), written into the workbook's IRR formula too, so that
    Excel's iteration starts where Python's choice is made and both find the same rate.
    """
    if guess not in (None, "flows"):
        raise InputError(f"irr_: guess={guess!r} must be None (0.1, as Excel) or 'flows'")
    return Aggregate("IRR", wrap(values), [], guess=guess)


def mirr_(values: Any, finance_rate: Any, reinvest_rate: Any) -> Expr:
    """Modified IRR of a line's flows (Excel MIRR): a metric."""
    return Aggregate("MIRR", wrap(values), [wrap(finance_rate), wrap(reinvest_rate)])


# --------------------------------------------------------------------------------------------
# the functions users call
# --------------------------------------------------------------------------------------------
def ref(name: str) -> Expr:
    """Refer to a line by name (for lines defined later or in another model)."""
    return LineRef(name)


def param(name: str, *, how: str = "weighted", beyond: str = "hold") -> Expr:
    """A dated UK parameter as one value per period.

    ``how="weighted"`` (default) takes the day-weighted average of the values in force during
    each period (e.g. employer NI of 15.05% for 6 April to 5 November 2022 and 13.8% after);
    ``"start"`` or ``"end"`` take the value in force on the period's first or last day.
    ``beyond="hold"`` carries the last known value forward past the parameter's data (shown in
    the workbook as an assumption); ``beyond="error"`` refuses.
    """
    return ParamRef(name, how=how, beyond=beyond)


def previous(line: Line | str, opening: Any = None) -> Expr:
    """Last period's value of ``line``; in the first period, its opening value.

    The opening can be given here or on the line (``Line(..., opening=...)``); it defaults to 0.
    """
    if isinstance(line, Line | LineRef):
        target: Line | LineRef = line
    elif isinstance(line, str):
        target = LineRef(line)
    else:
        raise InputError(f"previous() needs a Line or a line name, got {line!r}")
    return Previous(target, None if opening is None else wrap(opening))


def where(condition: Any, if_true: Any, if_false: Any) -> Expr:
    """``if_true`` where ``condition`` is non-zero, else ``if_false`` (Excel IF)."""
    return Func("IF", (wrap(condition), wrap(if_true), wrap(if_false)))


def min_(*args: Any) -> Expr:
    """Elementwise minimum (Excel MIN of single cells)."""
    if len(args) < 2:
        raise InputError("min_ needs at least two arguments")
    return Func("MIN", [wrap(a) for a in args])


def max_(*args: Any) -> Expr:
    """Elementwise maximum (Excel MAX of single cells)."""
    if len(args) < 2:
        raise InputError("max_ needs at least two arguments")
    return Func("MAX", [wrap(a) for a in args])


def clip(x: Any, low: Any, high: Any) -> Expr:
    """``x`` limited to [low, high]: MIN(MAX(x, low), high)."""
    return min_(max_(x, low), high)


def abs_(x: Any) -> Expr:
    return Func("ABS", [wrap(x)])


def cumsum(x: Any) -> Expr:
    """Running total of ``x`` over periods, including the current period."""
    return CumSum(wrap(x))


def growth(rate: Any) -> Expr:
    """Growth index from ``rate``: 1, (1+r), (1+r)^2, ... (see :class:`Growth`)."""
    return Growth(wrap(rate))


def total(x: Any) -> Expr:
    """Sum of a per-entity expression over all entities (Excel SUM over the row block)."""
    return Total(wrap(x))


def sum_(*items: Any) -> Expr:
    """Sum of several lines or expressions."""
    if not items:
        return Const(0.0)
    out = wrap(items[0])
    for item in items[1:]:
        out = out + item
    return out


def period_index() -> Expr:
    """0 in the first period, 1 in the second, ..."""
    return TimeVar("index")


def first_period() -> Expr:
    """1 in the first period, 0 elsewhere."""
    return TimeVar("first_period")


def year_fraction() -> Expr:
    """Length of each period in years (1 annual, 1/12 monthly)."""
    return TimeVar("year_fraction")


def months_in_period() -> Expr:
    """Months in each period: 1 for a month, 12 for a financial year."""
    return TimeVar("months")


def year_index() -> Expr:
    """Whole financial years since the first: 0 in every period of the first financial year,
    1 in the second, ... (the exponent of a yearly uplift on any timeline)."""
    return TimeVar("year_index")


def year_start() -> Expr:
    """1 in the first period of each financial year (every period of an annual timeline)."""
    return TimeVar("year_start")


def year_end() -> Expr:
    """1 in the last period of each financial year (every period of an annual timeline): where
    a figure of the whole year, such as corporation tax on the year's profit, is booked."""
    return TimeVar("year_end")


def years_elapsed() -> Expr:
    """Years from the start of the timeline to the end of each period (1/12 after the first
    month, 1 after the first year)."""
    return TimeVar("elapsed")


def in_month(month: int) -> Expr:
    """How many times the first day of calendar month ``month`` (1-12) falls in each period:
    1 in that month of a monthly timeline, 1 in every financial year of an annual one. A yearly
    event dated in that month (a tax due date) happens where this is 1."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise InputError(f"in_month: month {month!r} must be a calendar month from 1 to 12")
    return TimeVar("month", month)


def by_year(x: Any, how: str | None = None) -> Expr:
    """A line by financial year from a line by period: a flow's sum over each year, or a
    balance's value at the year's close (``how`` "sum" or "close"; by default from the line's
    kind). See :class:`ByYear`."""
    if not isinstance(x, Line | LineRef):
        raise InputError(f"by_year needs a line (a row to summarise), got {x!r}")
    if how is None:
        kind = getattr(x, "kind", None)
        if kind not in ("flow", "balance"):
            raise InputError(
                f"by_year({getattr(x, 'name', x)!r}): say how a {kind or 'referenced'} line "
                "becomes yearly: how='sum' (a flow) or how='close' (a balance)"
            )
        how = "sum" if kind == "flow" else "close"
    return ByYear(x, how)


def from_year(x: Any) -> Expr:
    """A line by financial year, taken into each period of the year (see :class:`FromYear`)."""
    if not isinstance(x, Line | LineRef):
        raise InputError(f"from_year needs a line by financial year, got {x!r}")
    return FromYear(x)


def period_start() -> Expr:
    """The first day of each period as a spreadsheet date serial (days since 30 December
    1899, as Excel and LibreOffice count them): compare it with a date input."""
    return TimeVar("period_start")


def period_end() -> Expr:
    """The last day of each period as a spreadsheet date serial (see :func:`period_start`)."""
    return TimeVar("period_end")


#: day 0 of spreadsheet date serials (Excel's 1900 system, as LibreOffice reads it)
SERIAL_EPOCH = dt.date(1899, 12, 30)


def date_serial(d: dt.date) -> float:
    """A date as a spreadsheet date serial: ``date_serial(date(2026, 4, 1)) == 46113.0``."""
    return float((d - SERIAL_EPOCH).days)


def within(start: dt.date | str | None = None, end: dt.date | str | None = None) -> Expr:
    """1 in periods that overlap [start, end], else 0 (e.g. the years a contract runs)."""

    def d(v: object, what: str) -> dt.date | None:
        if v is None:
            return None
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(str(v))
        except ValueError:
            raise InputError(
                f"within: {what} {v!r} is not an ISO date such as 2027-04-01"
            ) from None

    s, e = d(start, "start"), d(end, "end")
    if s is not None and e is not None and e < s:
        raise InputError(f"within: end {e} is before start {s}; swap them")
    return TimeVar("within", s, e)
