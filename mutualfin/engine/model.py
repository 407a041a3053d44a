"""A model: lines on a timeline, compiled once, evaluated for 1 or 100,000 scenarios at once.

Compilation resolves names, infers each line's shape (per entity or not), turns running
products and sums of expressions into auxiliary rows (so the workbook can show them), and
orders the lines by their same-period dependencies, refusing loops. Lines that depend on
their own earlier values through ``previous`` are evaluated period by period, vectorised
over scenarios and entities (once, not per scenario, when no input they depend on varies by
scenario).

With many scenarios, a per-entity line whose scenario dependence is a sum of products of an
entity-only and a scenario-only factor (``salary x fte x (1 - vacancy)`` with an uncertain
vacancy factor) is held factored and totalled as ``sum_e(salary x fte) x (1 - vacancy)``,
without expanding (scenarios x entities x periods) unless something needs every element
(``_Factored``; exact algebra, equal to the plain evaluation to rounding).
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.engine.nodes import (
    Aggregate,
    BinOp,
    ByYear,
    Const,
    CumSum,
    Entities,
    Expr,
    FromYear,
    Func,
    Growth,
    IfMissing,
    Input,
    Line,
    LineRef,
    Neg,
    OnlyIf,
    ParamRef,
    Previous,
    TimeVar,
    Total,
    date_serial,
)
from mutualfin.engine.timeline import Timeline
from mutualfin.errors import (
    CycleError,
    EvaluationError,
    InputError,
    ModelError,
    TimelineError,
    UnknownReferenceError,
)

__all__ = ["Evaluation", "Model"]


#: the two period spaces of a model: its timeline's periods, and financial years
NATIVE, YEAR = "native", "year"


@dataclass(frozen=True)
class Shape:
    entity: Entities | None
    period: bool
    #: "native" (the timeline's periods), "year" (financial years, see ``by_year``) or None
    #: (no periods, or a timeline row or parameter, which takes the space of its line)
    space: str | None = None


def _walk(expr: Expr) -> Iterable[Expr]:
    """Every node of an expression, not descending into other lines."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Line):
            continue
        if isinstance(node, Growth) and node.factor_line is None:
            stack.append(node.rate)
        stack.extend(node.children())
        if isinstance(node, Previous) and node.opening is not None:
            stack.append(node.opening)


class Model:
    """Lines on a timeline, ready to evaluate and to write as a workbook.

    Parameters
    ----------
    timeline : Timeline
    lines : sequence of Line
        The lines to report. Lines they refer to are included automatically.
    params : ParameterStore, optional
        Where ``param(...)`` values come from; the shipped UK parameters by default.

    Notes
    -----
    Lines are by the timeline's periods, or **by financial year** when their definition
    summarises a line by period with :func:`~mutualfin.engine.nodes.by_year` (or refers to
    such a line): their rows have one column per financial year of ``timeline.annual()``, and
    the timeline rows and parameters they use are taken by year. A line by period may take a
    yearly figure back with :func:`~mutualfin.engine.nodes.from_year`. Lines of the two kinds
    cannot depend on each other in a loop through ``previous``.

    Examples
    --------
    >>> from mutualfin.engine import Input, Line, Model, Timeline, growth, previous
    >>> value = Input("contract.annual_value", 1000, unit="GBP")
    >>> index = Input("contract.indexation", 0.02, unit="fraction")
    >>> income = Line("contract_income", value * growth(index))
    >>> m = Model(Timeline(2026, years=3), [income])
    >>> m.evaluate()["contract_income"].round(2).tolist()
    [1000.0, 1020.0, 1040.4]
    """

    def __init__(self, timeline: Timeline, lines: Sequence[Line], params: Any = None):
        if not isinstance(timeline, Timeline):
            raise TimelineError(f"a model needs a Timeline, got {type(timeline).__name__}")
        self.timeline = timeline
        #: the financial years of the timeline, for lines by financial year
        self.annual_timeline = timeline if timeline.freq == "annual" else timeline.annual()
        if params is None:
            from mutualfin.params import default_store

            params = default_store
        self.params = params
        if isinstance(lines, Line):
            lines = [lines]
        for line in lines:
            if not isinstance(line, Line):
                raise ModelError(f"model lines must be Line objects, got {line!r}")
        self._compile(list(lines))

    # ---------------------------------------------------------------------------------------
    # compilation
    # ---------------------------------------------------------------------------------------
    def _compile(self, roots: list[Line]) -> None:
        self.lines: dict[str, Line] = {}
        self.inputs: dict[str, Input] = {}
        self.param_refs: dict[tuple, ParamRef] = {}
        self.time_vars: dict[tuple, TimeVar] = {}
        self.entity_axes: dict[str, Entities] = {}
        pending_refs: list[tuple[str, str]] = []  # (line, referenced name)

        def add_line(line: Line) -> None:
            existing = self.lines.get(line.name)
            if existing is line:
                return
            if existing is not None:
                raise ModelError(
                    f"two different lines are named {line.name!r}; give one of them another name"
                )
            self.lines[line.name] = line
            for node in _walk(line.expr):
                self._register(node, line, add_line, pending_refs)
            if line.opening is not None:
                for node in _walk(line.opening):
                    self._register(node, line, add_line, pending_refs)

        for line in roots:
            add_line(line)
        for owner, name in pending_refs:
            if name not in self.lines:
                close = difflib.get_close_matches(name, list(self.lines), n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                raise UnknownReferenceError(
                    f"line {owner!r} refers to {name!r}, which is not a line of this model{hint}"
                    " Define it, or correct the name."
                )
        self._resolve_openings()
        self._infer_shapes()
        self._materialise()
        self._order()
        self._record_uses()

    def _register(self, node: Expr, owner: Line, add_line, pending_refs) -> None:
        if isinstance(node, Line):
            add_line(node)
        elif isinstance(node, LineRef):
            pending_refs.append((owner.name, node.name))
        elif isinstance(node, Previous):
            if isinstance(node.target, Line):
                add_line(node.target)
            else:
                pending_refs.append((owner.name, node.target.name))
        elif isinstance(node, Input):
            other = self.inputs.get(node.name)
            if other is not None and other is not node:
                raise ModelError(
                    f"two different inputs are named {node.name!r} (used by line "
                    f"{owner.name!r}); use one Input object, or rename one"
                )
            self.inputs[node.name] = node
            if node.per is not None:
                self._register_axis(node.per)
        elif isinstance(node, ParamRef):
            self.param_refs.setdefault(node.key, node)
        elif isinstance(node, TimeVar):
            self.time_vars.setdefault(node.key, node)
        elif isinstance(node, ByYear | FromYear):
            # the Timeline rows a yearly summary is written with in the workbook (SUMIF by
            # the start date of each period's financial year, or of the closing period's)
            close = isinstance(node, ByYear) and node.how == "close"
            for kind in ["fy_close" if close else "fy_start"]:
                self.time_vars.setdefault((kind, None, None), TimeVar(kind))

    def _register_axis(self, axis: Entities) -> None:
        other = self.entity_axes.get(axis.name)
        if other is not None and other is not axis:
            raise ModelError(f"two different entity axes are named {axis.name!r}; use one")
        self.entity_axes[axis.name] = axis
        if len(self.entity_axes) > 1:
            raise ModelError(f"a model can have one entity axis; found {sorted(self.entity_axes)}")

    def line_by_name(self, name: str) -> Line:
        try:
            return self.lines[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.lines), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownReferenceError(f"no line named {name!r}{hint}") from None

    def _resolve_openings(self) -> None:
        self.openings: dict[str, Expr] = {
            n: ln.opening for n, ln in self.lines.items() if ln.opening is not None
        }
        for line in list(self.lines.values()):
            for node in _walk(line.expr):
                if isinstance(node, Previous) and node.opening is not None:
                    name = node.target_name
                    have = self.openings.get(name)
                    if have is None:
                        self.openings[name] = node.opening
                    elif have is not node.opening and not (
                        isinstance(have, Const)
                        and isinstance(node.opening, Const)
                        and have.value == node.opening.value
                    ):
                        raise ModelError(
                            f"line {name!r} is given two different opening values by previous() "
                            f"calls; set it once, with Line({name!r}, ..., opening=...)"
                        )

    # -- shapes --------------------------------------------------------------------------------
    def _line_shape(self, line: Line, s: Shape) -> Shape:
        if line.kind == "metric":
            return Shape(s.entity, False, None)
        if line.yearly:
            if s.space == NATIVE and getattr(self, "_strict", True):
                raise ModelError(
                    f"line {line.name!r} is declared by financial year but uses rows by period; "
                    "summarise them with by_year(...)"
                )
            return Shape(s.entity, True, YEAR)
        return Shape(s.entity, True, s.space or NATIVE)

    def _infer_shapes(self) -> None:
        self.shapes: dict[str, Shape] = {n: Shape(None, True, None) for n in self.lines}
        self._strict = False  # entity axes propagate in any line order; validate after
        for _ in range(len(self.lines) + 1):
            changed = False
            for name, line in self.lines.items():
                new = self._line_shape(line, self._shape(line.expr, name))
                if new != self.shapes[name]:
                    self.shapes[name] = new
                    changed = True
            if not changed:
                break
        self._strict = True
        self.spaces: dict[str, str] = {}
        for name, line in self.lines.items():
            shape = self._shape(line.expr, name)  # strict: validates total() and the like
            if line.kind == "metric" and shape.period:
                raise ModelError(
                    f"metric line {name!r} varies by period; a metric has one value per "
                    "scenario (e.g. npv_(rate, line)); use another kind for a row by period"
                )
            self.spaces[name] = self._space_of(line, shape)
        for name, expr in self.openings.items():
            s = self._shape(expr, name)
            if s.period:
                raise ModelError(
                    f"the opening value of line {name!r} varies by period; it must be a number "
                    "or an expression of scalar (or per-entity) inputs"
                )

    def _space_of(self, line: Line, shape: Shape) -> str:
        """The period space a line is evaluated in: its own, or for a metric that of the rows
        it aggregates."""
        if line.kind != "metric":
            if line.yearly and shape.space == NATIVE:
                raise ModelError(
                    f"line {line.name!r} is declared by financial year but uses rows by period; "
                    "summarise them with by_year(...)"
                )
            return YEAR if line.yearly else (shape.space or NATIVE)
        found = {
            self._shape(node.a, line.name).space
            for node in _walk(line.expr)
            if isinstance(node, Aggregate)
        } | {
            self.shapes[node.name].space
            for node in _walk(line.expr)
            if isinstance(node, Line | LineRef) and node is not line
        }
        found.discard(None)
        if len(found) > 1:
            raise ModelError(
                f"metric {line.name!r} uses rows by period and rows by financial year; make it "
                "from one kind"
            )
        return found.pop() if found else NATIVE

    def _combine_spaces(self, shapes: Sequence[Shape], owner: str) -> str | None:
        spaces = {s.space for s in shapes if s.space is not None}
        if len(spaces) > 1 and getattr(self, "_strict", True):
            raise ModelError(
                f"line {owner!r} mixes rows by period and rows by financial year; summarise a "
                "line by period with by_year(...), or take a yearly line into the periods with "
                "from_year(...)"
            )
        return next(iter(sorted(spaces)), None)

    def _shape(self, expr: Expr, owner: str) -> Shape:
        if isinstance(expr, Const):
            return Shape(None, False)
        if isinstance(expr, Input):
            period = expr.kind == "period"
            return Shape(expr.per, period, NATIVE if period else None)
        if isinstance(expr, ParamRef | TimeVar):
            return Shape(None, True, None)
        if isinstance(expr, Line | LineRef):
            return self.shapes[expr.name]
        if isinstance(expr, Previous):
            target = self.shapes[expr.target_name]
            if not target.period:
                raise ModelError(
                    f"line {owner!r}: previous({expr.target_name!r}) refers to a metric, which "
                    "has no periods"
                )
            return Shape(target.entity, True, target.space)
        if isinstance(expr, ByYear | FromYear):
            inner = self._shape(expr.a, owner)
            want, get = (NATIVE, YEAR) if isinstance(expr, ByYear) else (YEAR, NATIVE)
            strict = getattr(self, "_strict", True)
            if strict and (not inner.period or (inner.space or NATIVE) != want):
                what = (
                    "by_year summarises a line by period"
                    if want == NATIVE
                    else ("from_year takes a line by financial year")
                )
                raise ModelError(
                    f"line {owner!r}: {what}; {getattr(expr.a, 'name', expr.a)!r} is not one"
                )
            if strict and want == NATIVE and self.timeline.freq != "annual":
                if self.timeline.start.month != self.timeline.year_start_month:
                    raise ModelError(
                        f"line {owner!r}: by_year needs a timeline that starts on the first "
                        "day of a financial year"
                    )
            return Shape(inner.entity, True, get)
        if isinstance(expr, Aggregate):
            for r in expr.rates:
                if self._shape(r, owner).period:
                    raise ModelError(
                        f"line {owner!r}: the rate of {expr.fn} must not vary by period; give "
                        "one rate (per scenario)"
                    )
            return Shape(self._shape(expr.a, owner).entity, False)
        if isinstance(expr, Total):
            inner = self._shape(expr.a, owner)
            if inner.entity is None and getattr(self, "_strict", True):
                raise ModelError(
                    f"line {owner!r}: total(...) sums over employees, but its argument has no "
                    "per-employee axis; remove total() or use a per-employee line"
                )
            return Shape(None, inner.period, inner.space)
        if isinstance(expr, CumSum):
            inner = self._shape(expr.a, owner)
            return Shape(inner.entity, True, inner.space)
        if isinstance(expr, Growth):
            src = expr.factor_line if expr.factor_line is not None else expr.rate
            inner = self._shape(src, owner)
            return Shape(inner.entity, True, inner.space)
        kids = (
            (expr.a, expr.b)
            if isinstance(expr, BinOp)
            else (expr.a,)
            if isinstance(expr, Neg | IfMissing)
            else (expr.a,)
            if isinstance(expr, OnlyIf)
            else expr.args
            if isinstance(expr, Func)
            else ()
        )
        shapes = [self._shape(k, owner) for k in kids]
        entities = {id(s.entity): s.entity for s in shapes if s.entity is not None}
        if len(entities) > 1:
            raise ModelError(f"line {owner!r} mixes two different entity axes")
        entity = next(iter(entities.values()), None)
        return Shape(entity, any(s.period for s in shapes), self._combine_spaces(shapes, owner))

    # -- auxiliary rows ----------------------------------------------------------------------
    def _materialise(self) -> None:
        """Give running sums, running products and entity totals of expressions a row of their
        own, so that each renders as a plain range in the workbook."""
        self.aux_of: dict[str, list[str]] = {}
        for name in list(self.lines):
            line = self.lines[name]
            count = 0
            for node in list(_walk(line.expr)):
                target: tuple[str, Expr] | None = None
                if isinstance(node, CumSum | Total | Aggregate) and not isinstance(
                    node.a, Line | LineRef
                ):
                    target = ("a", node.a)
                elif isinstance(node, Growth) and node.factor_line is None:
                    if self._shape(node.rate, name).period:
                        factor = Func(
                            "IF",
                            (
                                TimeVar("first_period"),
                                Const(1.0),
                                BinOp("+", Const(1.0), node.rate),
                            ),
                        )
                        target = ("factor", factor)
                if target is None:
                    continue
                count += 1
                aux = Line(
                    f"{name}_{'factor' if target[0] == 'factor' else 'part'}{count}",
                    target[1],
                    unit="ratio" if target[0] == "factor" else line.unit,
                    label=f"{line.label}: {'growth factor' if target[0] == 'factor' else 'part'}"
                    f" {count}",
                    kind="value"
                    if target[0] == "factor"
                    else line.kind
                    if line.kind != "metric"
                    else ("flow" if line.unit == "GBP" else "value"),
                    sheet=line.sheet,
                )
                aux.auxiliary = True
                if aux.name in self.lines:
                    raise ModelError(f"auxiliary row name {aux.name!r} clashes with a line")
                self.lines[aux.name] = aux
                self.aux_of.setdefault(name, []).append(aux.name)
                inner = self._shape(target[1], name)
                space = inner.space or self.spaces[name]
                self.shapes[aux.name] = Shape(inner.entity, True, space)
                self.spaces[aux.name] = space
                if target[0] == "factor":
                    self.time_vars.setdefault(("first_period", None, None), TimeVar("first_period"))
                    node.factor_line = aux  # type: ignore[union-attr]
                else:
                    node.a = aux  # type: ignore[union-attr]
        for node in (TimeVar("index"),):
            self.time_vars.setdefault(node.key, node)

    # -- ordering ------------------------------------------------------------------------------
    def _line_deps(self, line: Line) -> tuple[set[str], set[str]]:
        """(same-period dependencies, previous-period dependencies) of a line."""
        same: set[str] = set()
        prev: set[str] = set()
        for node in _walk(line.expr):
            if isinstance(node, Line | LineRef) and node is not line:
                same.add(node.name)
            elif isinstance(node, Previous):
                prev.add(node.target_name)
            elif isinstance(node, Growth) and node.factor_line is not None:
                same.add(node.factor_line.name)
        return same, prev

    def _order(self) -> None:
        same = {}
        prev = {}
        for name, line in self.lines.items():
            same[name], prev[name] = self._line_deps(line)
        self.same_deps, self.prev_deps = same, prev
        # topological order of same-period edges, refusing loops
        order: list[str] = []
        state: dict[str, int] = {}
        for start in self.lines:
            if state.get(start):
                continue
            stack: list[tuple[str, Any]] = [(start, iter(sorted(same[start])))]
            path = [start]
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    order.append(node)
                    continue
                st = state.get(nxt, 0)
                if st == 1:
                    raise CycleError(path[path.index(nxt) :])
                if st == 0:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(sorted(same[nxt]))))
        self.order = order
        # strongly connected components over all edges: groups that need period stepping
        graph = {n: same[n] | prev[n] for n in self.lines}
        comps = _tarjan(graph)
        comp_of = {n: i for i, c in enumerate(comps) for n in c}
        # evaluation plan: components in dependency order; within each, topological order
        position = {n: i for i, n in enumerate(order)}
        plan: list[tuple[bool, list[str]]] = []
        for comp in comps:  # tarjan yields components dependencies-first
            members = sorted(comp, key=position.__getitem__)
            stepped = len(comp) > 1 or any(n in prev[n] for n in comp)
            if len({self.spaces[n] for n in comp}) > 1:
                raise ModelError(
                    f"lines {sorted(comp)} loop through previous() between rows by period and "
                    "rows by financial year; a yearly figure cannot feed the periods it "
                    "summarises"
                )
            plan.append((stepped, members))
        self.plan = plan
        self.comp_of = comp_of

    # ---------------------------------------------------------------------------------------
    # evaluation
    # ---------------------------------------------------------------------------------------
    def evaluate(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        check_finite: bool = True,
        keep: Iterable[str] | None = None,
        chunk_size: int | None = None,
    ) -> Evaluation:
        """Evaluate every line, for one scenario or many.

        Parameters
        ----------
        overrides : mapping of input name to values, optional
            Replace inputs' values. For S scenarios give, per scalar input, an array of
            shape (S,); per per-period input (S, periods) or (periods,); per per-entity input
            (S, entities) or (entities,). All overridden inputs must agree on S.
        check_finite : bool
            Refuse results with NaN or infinity (division by zero), naming the line.
        keep : iterable of line names, optional
            Keep only these lines' values in the result (and free every other line as soon as
            nothing later needs it), so that large runs stay within memory. Default: all.
        chunk_size : int, optional
            Evaluate at most this many scenarios at a time and join the kept lines; with
            ``keep``, peak memory is bounded by the chunk, not by the number of scenarios.

        Returns
        -------
        Evaluation
        """
        keep_set = None
        if keep is not None:
            keep_set = {self.line_by_name(n).name for n in keep}
        prepared, n_scen = _prepare_inputs(self, {} if overrides is None else overrides)
        if chunk_size is not None:
            if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
                raise InputError(f"chunk_size {chunk_size!r} must be a whole number, at least 1")
        if chunk_size is None or n_scen <= chunk_size:
            return self._evaluate_prepared(prepared, n_scen, check_finite, keep_set)
        parts = []
        for start in range(0, n_scen, chunk_size):
            stop = min(start + chunk_size, n_scen)
            sliced = {
                k: (v[start:stop] if v.shape[0] == n_scen else v) for k, v in prepared.items()
            }
            parts.append(self._evaluate_prepared(sliced, stop - start, check_finite, keep_set))
        return _join(self, parts, n_scen)

    def _evaluate_prepared(self, prepared, n_scen, check_finite, keep_set) -> Evaluation:
        ctx = _Evaluator(self, prepared, n_scen)
        with np.errstate(all="ignore"):  # non-finite results are refused below, by line name
            self._run(ctx, check_finite, keep_set)
            for name, v in ctx.values.items():
                if isinstance(v, _Factored):
                    ctx.values[name] = v.dense()
        out = Evaluation(
            self, ctx.values, ctx.n_scenarios, ctx.inputs, ctx.openings, ctx.param_notes
        )
        out.expanded = ctx.expanded
        return out

    def _run(self, ctx: _Evaluator, check_finite: bool, keep_set: set[str] | None) -> None:
        last_use = self._last_use()
        for step, (stepped, members) in enumerate(self.plan):
            ctx.space = self.spaces[members[0]]
            if stepped:
                ctx.run_stepped(members)
            else:
                ctx.run_line(members[0])
            if check_finite:
                for name in members:
                    ctx.check_finite(name)
            ctx.memo.clear()
            if keep_set is not None:
                for name in list(ctx.values):
                    if name not in keep_set and last_use.get(name, -1) <= step:
                        del ctx.values[name]

    def input_deps(self) -> dict[str, frozenset[str]]:
        """The inputs each line depends on, directly or through other lines (same-period and
        previous-period references and opening values alike)."""
        if not hasattr(self, "_input_deps_cache"):
            out: dict[str, frozenset[str]] = {}
            for _, members in self.plan:  # components come after those they depend on
                names: set[str] = set()
                for name in members:
                    exprs = [self.lines[name].expr]
                    if name in self.openings:
                        exprs.append(self.openings[name])
                    for expr in exprs:
                        names.update(n.name for n in _walk(expr) if isinstance(n, Input))
                    for dep in self.same_deps[name] | self.prev_deps[name]:
                        names.update(out.get(dep, ()))
                deps = frozenset(names)
                for name in members:
                    out[name] = deps
            self._input_deps_cache = out
        return self._input_deps_cache

    def _last_use(self) -> dict[str, int]:
        """Index of the last plan step that reads each line."""
        if not hasattr(self, "_last_use_cache"):
            out: dict[str, int] = {}
            for step, (_, members) in enumerate(self.plan):
                for name in members:
                    out[name] = max(out.get(name, -1), step)
                    for dep in self.same_deps[name] | self.prev_deps[name]:
                        out[dep] = max(out.get(dep, -1), step)
            self._last_use_cache = out
        return self._last_use_cache

    def _record_uses(self) -> None:
        """Which parameters and timeline rows each period space uses (for the workbook)."""
        self.param_spaces: dict[tuple, set[str]] = {}
        self.time_spaces: dict[tuple, set[str]] = {}
        for name, line in self.lines.items():
            space = self.spaces[name]
            for node in _walk(line.expr):
                if isinstance(node, ParamRef):
                    self.param_spaces.setdefault(node.key, set()).add(space)
                elif isinstance(node, TimeVar):
                    self.time_spaces.setdefault(node.key, set()).add(space)
                elif isinstance(node, Growth) and node.factor_line is None:
                    self.time_spaces.setdefault(("index", None, None), set()).add(space)
        for key in self.param_refs:
            self.param_spaces.setdefault(key, {NATIVE})
        for key in self.time_vars:
            self.time_spaces.setdefault(key, {NATIVE})

    def timeline_of(self, space: str) -> Timeline:
        """The timeline of a period space: the model's, or its financial years."""
        return self.annual_timeline if space == YEAR else self.timeline

    def labels_of(self, name: str) -> list[str]:
        """Period labels of a line's row (months or years, or financial years)."""
        return self.timeline_of(self.spaces[name]).labels

    def parameter_rows(self, space: str = NATIVE) -> dict[tuple, tuple[np.ndarray, list[bool]]]:
        """Per-period values of every parameter the model uses (for the workbook), on the
        timeline's periods or (``space="year"``) by financial year."""
        tl = self.timeline_of(space)
        out = {}
        for key, ref in self.param_refs.items():
            p = self.params.get(ref.name)
            out[key] = p.period_series(tl.starts, tl.ends, how=ref.how, beyond=ref.beyond)
        return out

    def time_row(self, tv: TimeVar, space: str = NATIVE) -> np.ndarray:
        tl = self.timeline_of(space)
        if tv.kind == "index":
            return tl.index
        if tv.kind == "first_period":
            return tl.first_period
        if tv.kind == "year_fraction":
            return tl.year_fraction
        if tv.kind == "period_start":
            return np.array([date_serial(d) for d in tl.starts])
        if tv.kind == "period_end":
            return np.array([date_serial(d) for d in tl.ends])
        if tv.kind == "within":
            return tl.within(tv.start, tv.end)
        if tv.kind == "year_index":
            return tl.year_index
        if tv.kind == "year_start":
            return tl.year_start
        if tv.kind == "year_end":
            return tl.year_end
        if tv.kind == "elapsed":
            return tl.elapsed
        if tv.kind == "months":
            return tl.months.astype(float)
        if tv.kind == "month":
            return tl.in_month(tv.start)  # type: ignore[arg-type]
        if tv.kind in ("fy_start", "fy_close"):
            first = np.array(
                [date_serial(dt.date(int(y), tl.year_start_month, 1)) for y in tl.financial_years]
            )
            return first if tv.kind == "fy_start" else first * tl.year_end
        raise ModelError(f"unknown timeline row {tv.kind!r}")  # pragma: no cover

    def __repr__(self) -> str:
        return (
            f"Model({len(self.lines)} lines, {len(self.inputs)} inputs, "
            f"{len(self.param_refs)} parameters, {self.timeline!r})"
        )


def _tarjan(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components, each after the components it depends on."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)
    return out


def _short(value: Any, limit: int = 60) -> str:
    """repr of a value for a message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _prepare_inputs(m: Model, overrides: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], int]:
    """Input arrays shaped (S or 1, E or 1, P or 1), with overrides validated."""
    P = m.timeline.n
    if not isinstance(overrides, Mapping):
        raise InputError(
            f"overrides must be a mapping of input name to value, e.g. "
            f"{{'contract.annual_value': 4_000_000}}, got {type(overrides).__name__} "
            f"{_short(overrides)}"
        )
    arrays: dict[str, np.ndarray] = {}
    for name, inp in m.inputs.items():
        v = inp.value
        if inp.kind == "period" and v.shape[0] != P:
            raise TimelineError(
                f"input {name!r} has {v.shape[0]} values but the timeline has {P} periods "
                f"({m.timeline.labels[0]} to {m.timeline.labels[-1]}); give one per period"
            )
        arrays[name] = _as3(v, inp.kind)
    sizes: dict[str, int] = {}
    for name, raw in overrides.items():
        if not isinstance(name, str):
            raise InputError(
                f"override {_short(name)}: input names are text such as 'contract.annual_value'"
            )
        if name not in m.inputs:
            close = difflib.get_close_matches(str(name), list(m.inputs), n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            raise UnknownReferenceError(f"override {name!r} is not an input of the model{hint}")
        inp = m.inputs[name]
        inp.refuse_flag(raw, "override value")
        if isinstance(raw, str | bytes):
            raise InputError(f"override {name!r}: {_short(raw)} is text, not a number")
        try:
            arr = np.asarray(raw, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"override {name!r}: {_short(raw)} is not numeric") from None
        inp.check_values(arr, "override value")
        kind = inp.kind
        base_nd = 0 if kind == "scalar" else 1
        if arr.ndim == base_nd:
            arr = arr[None, ...]
        elif arr.ndim != base_nd + 1:
            raise InputError(
                f"override {name!r}: expected shape (scenarios,"
                f"{'' if kind == 'scalar' else ' ' + kind + 's'}), got {arr.shape}"
            )
        if kind != "scalar":
            want = P if kind == "period" else len(inp.per)  # type: ignore[arg-type]
            if arr.shape[1] != want:
                raise InputError(
                    f"override {name!r}: needs {want} values per scenario (one per {kind}), "
                    f"got {arr.shape[1]}"
                )
        if arr.shape[0] == 0:
            raise InputError(f"override {name!r}: no scenarios given")
        sizes[name] = arr.shape[0]
        if kind == "scalar":
            arrays[name] = arr.reshape(-1, 1, 1)
        elif kind == "period":
            arrays[name] = arr.reshape(arr.shape[0], 1, P)
        else:
            arrays[name] = arr.reshape(arr.shape[0], arr.shape[1], 1)
    counts = {n for n in sizes.values() if n != 1}
    if len(counts) > 1:
        detail = ", ".join(f"{k}: {v}" for k, v in sizes.items())
        raise InputError(
            f"overrides disagree on the number of scenarios ({detail}); give every "
            "overridden input the same number of scenarios (or 1)"
        )
    return arrays, (counts.pop() if counts else 1)


#: Evaluate per-entity sums and products of an entity-only and a scenario-only factor in
#: factored form (see ``_Factored``). False gives the plain evaluation, which the property
#: tests compare it with.
FACTORED = True
#: Most products kept in one factored value; past it the value is expanded.
_MAX_TERMS = 8
_ONE = np.ones((1, 1, 1))
_BINOPS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _magnitude(x: np.ndarray) -> float:
    """The largest absolute value in x; NaN if any element is NaN, inf if any is infinite
    (max and min: two passes, no copy)."""
    top, bottom = float(x.max()), float(x.min())
    if np.isnan(top) or np.isnan(bottom):
        return float("nan")
    return max(abs(top), abs(bottom))


class _Hinge:
    """``w x max(a x b + c, 0)`` per entity, held unexpanded, or with ``step`` the step
    ``w x (a x b + c > 0)`` (``>= 0`` where not ``strict``): ``a`` and the weight ``w``
    (1, E, P or 1) without a scenario axis, ``b`` and ``c`` (S or 1, 1, P or 1) without an
    entity axis.

    Employer NI is ``rate x max(pay - threshold, 0)`` per employee; with an uncertain pay award
    the pay is ``(salary x fte) x pay index``, a product of an employee factor and a scenario
    factor, but the threshold makes the NI of each employee in each scenario a different
    function. Its total over employees is still cheap: for ``b > 0`` the employees who pay are
    those with ``a_e > -c / b``, so with ``a`` sorted once (per period) and summed from the top,
    ``sum_e w_e max(a_e b + c, 0) = b x (sum of w_e a_e above k) + c x (sum of w_e above k)``,
    one binary search per scenario and period (``b < 0``: those below k; ``b = 0``:
    ``sum_e w_e x max(c, 0)``). A step is totalled the same way (the sum of the weights above
    k): the auto-enrolment contribution, which starts at the earnings trigger, is a step and
    two hinges. The weights are employee factors without scenarios (an employee in no pension
    scheme, the share of the period in post) that multiply the hinge from outside.
    Exact algebra: it differs from the expanded sum only by rounding (an employee exactly at
    the threshold adds 0 to a hinge either way; a step's ``strict`` decides whether they
    count, as the comparison it stands for does).
    """

    __slots__ = ("a", "b", "c", "shape", "step", "strict", "w")

    def __init__(
        self,
        a: np.ndarray,
        b: np.ndarray,
        c: np.ndarray,
        w: np.ndarray | None = None,
        step: bool = False,
        strict: bool = True,
    ):
        self.a, self.b, self.c, self.w = a, b, c, w
        self.step, self.strict = step, strict
        shapes = [a.shape, b.shape, c.shape] + ([] if w is None else [w.shape])
        self.shape = np.broadcast_shapes(*shapes)

    def weighted(self, w: np.ndarray) -> _Hinge:
        """This hinge (or step) times an employee factor ``w`` without a scenario axis."""
        return _Hinge(
            self.a, self.b, self.c, w if self.w is None else self.w * w, self.step, self.strict
        )

    def dense(self) -> np.ndarray:
        v = self.a * self.b + self.c
        if self.step:
            out = (v > 0 if self.strict else v >= 0).astype(float)
        else:
            out = np.maximum(v, 0.0)
        return out if self.w is None else out * self.w

    def bound(self) -> float:
        """A bound on every element, NaN or infinite if a factor is not finite (a step is 0
        or 1 whatever its factors are, as the comparison it stands for is)."""
        w = 1.0 if self.w is None else _magnitude(self.w)
        if self.step:
            return w
        a, b, c = (_magnitude(x) for x in (self.a, self.b, self.c))
        return (a * b + c) * w

    def total(self) -> np.ndarray:
        S, E, P = self.shape
        b = np.broadcast_to(self.b, (S, 1, P))[:, 0, :]
        c = np.broadcast_to(self.c, (S, 1, P))[:, 0, :]
        a = self.a[0]  # (E, P or 1)
        w = None if self.w is None else self.w[0]  # (E, P or 1)
        cols = max(a.shape[1], 1 if w is None else w.shape[1])
        idx = np.argsort(a, axis=0, kind="stable")
        order = np.take_along_axis(a, idx, axis=0)  # a sorted, per column of a
        if cols > order.shape[1]:
            idx = np.broadcast_to(idx, (E, cols))
        weight = (
            np.ones((E, 1))
            if w is None
            else np.take_along_axis(np.broadcast_to(w, (E, cols)), idx, axis=0)
        )
        # the step sums weights, the hinge weighted a's and weights
        value = weight if self.step else np.broadcast_to(order, (E, cols)) * weight
        zero = np.zeros((1, value.shape[1]))
        wzero = np.zeros((1, weight.shape[1]))
        below = np.concatenate([zero, np.cumsum(value, axis=0)])  # of the k smallest
        above = np.concatenate([np.cumsum(value[::-1], axis=0)[::-1], zero])  # from k up
        w_below = np.concatenate([wzero, np.cumsum(weight, axis=0)])
        w_above = np.concatenate([np.cumsum(weight[::-1], axis=0)[::-1], wzero])
        w_all = w_above[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            k = -c / b
        # b > 0: a_e above k count (a_e b + c > 0); at k, a step that is not strict counts
        up_side = "left" if self.step and not self.strict else "right"
        down_side = "right" if self.step and not self.strict else "left"
        out = np.full((S, P), np.nan)
        for p in range(P):
            q = p if a.shape[1] > 1 else 0
            v = p if value.shape[1] > 1 else 0
            u = p if weight.shape[1] > 1 else 0
            bp, cp, kp = b[:, p], c[:, p], k[:, p]
            up, down, flat = bp > 0, bp < 0, bp == 0
            i = np.searchsorted(order[:, q], kp[up], side=up_side)  # first a_e above k
            j = np.searchsorted(order[:, q], kp[down], side=down_side)  # how many below k
            if self.step:
                out[up, p] = above[i, v]
                out[down, p] = below[j, v]
                hit = cp[flat] > 0 if self.strict else cp[flat] >= 0
                out[flat, p] = w_all[u] * hit
            else:
                out[up, p] = bp[up] * above[i, v] + cp[up] * w_above[i, u]
                out[down, p] = bp[down] * below[j, v] + cp[down] * w_below[j, u]
                out[flat, p] = w_all[u] * np.maximum(cp[flat], 0.0)
        return out[:, None, :]


class _Factored:
    """A per-entity value held as a sum of products, ``sum_k a_k * b_k``, each ``b_k`` without
    an entity axis (shape (S or 1, 1, P or 1)) and each ``a_k`` usually without a scenario axis.

    A per-employee line such as ``pay x (1 - vacancy)`` with an uncertain vacancy factor is
    (scenarios, employees, periods) when expanded, but is one product of a (1, employees,
    periods) factor and a (scenarios, 1, 1) factor. Held so, its total over employees is
    ``sum_e(a) x b``: a cost of employees x periods plus scenarios x periods instead of their
    product, which is where a Monte Carlo run of a large roster spends its time. Sums,
    differences, negation, products and quotients by a factor of either kind stay factored;
    anything else (MAX, IF, powers, comparisons, previous()) expands the value (:meth:`dense`).

    The factored form is exact algebra (distributivity and associativity of + and x), so it
    differs from the plain evaluation only by rounding, well within 1e-9 relative; a property
    test (tests/test_engine_factored.py) holds this against the plain evaluation.
    """

    __slots__ = ("_dense", "entities", "target", "terms")

    def __init__(self, terms: list[tuple[np.ndarray, np.ndarray]], entities: int):
        self.terms = terms
        self.entities = entities
        self.target: tuple[int, int, int] | None = None  # the line's full shape, once stored
        self._dense: np.ndarray | None = None

    @staticmethod
    def of(x: Any, entities: int) -> _Factored:
        if isinstance(x, _Factored):
            return x
        return _Factored([(x, _ONE)] if x.shape[1] > 1 else [(_ONE, x)], entities)

    def dense(self) -> np.ndarray:
        """The expanded array (S, E, P), computed once."""
        if self._dense is None:
            out = None
            for a, b in self.terms:
                t = (a.dense() if isinstance(a, _Hinge) else a) * b
                out = t if out is None else out + t
            assert out is not None
            if self.target is not None:
                out = np.broadcast_to(out, np.broadcast_shapes(out.shape, self.target))
            elif out.shape[1] != self.entities:
                out = np.broadcast_to(out, (out.shape[0], self.entities, out.shape[2]))
            self._dense = out
        return self._dense

    def total(self) -> np.ndarray:
        """Sum over the entity axis, term by term: ``sum_k sum_e(a_k) x b_k``."""
        out = None
        for a, b in self.terms:
            if isinstance(a, _Hinge):
                sa = a.total()
            else:
                sa = _entity_sum(a) if a.shape[1] > 1 else a * self.entities
            t = sa * b
            out = t if out is None else out + t
        assert out is not None
        if self.target is not None:
            out = np.broadcast_to(out, (out.shape[0], 1, max(out.shape[2], self.target[2])))
        return out

    def finite(self) -> bool:
        """Every factor finite and no product able to overflow: then every element is finite."""
        bound = 0.0
        for a, b in self.terms:
            # max and min are NaN if any element is, infinite if any is: two passes, no copy
            bound += (a.bound() if isinstance(a, _Hinge) else _magnitude(a)) * _magnitude(b)
        return bool(bound < 1e300)  # False for NaN or infinity too

    def neg(self) -> _Factored:
        return _Factored(
            [
                (a, -b) if isinstance(a, _Hinge) or b.size <= a.size else (-a, b)
                for a, b in self.terms
            ],
            self.entities,
        )

    def add(self, other: _Factored) -> _Factored | None:
        terms = list(self.terms)
        for a, b in other.terms:
            for k, (a0, b0) in enumerate(terms):  # the same scenario factor: add the others
                if (
                    b0 is b
                    and not isinstance(a0, _Hinge)
                    and not isinstance(a, _Hinge)
                    and a0.shape[0] == 1
                    and a.shape[0] == 1
                ):
                    terms[k] = (a0 + a, b)
                    break
            else:
                terms.append((a, b))
        return _Factored(terms, self.entities) if len(terms) <= _MAX_TERMS else None

    def mul(self, other: _Factored) -> _Factored | None:
        if len(self.terms) * len(other.terms) > _MAX_TERMS:
            return None
        terms = []
        for a1, b1 in self.terms:
            for a2, b2 in other.terms:
                if isinstance(a1, _Hinge) or isinstance(a2, _Hinge):
                    # a hinge times a factor without employees stays a hinge; times one
                    # without scenarios, a weighted hinge
                    h, other_a = (a1, a2) if isinstance(a1, _Hinge) else (a2, a1)
                    if isinstance(other_a, _Hinge):
                        return None
                    if other_a.shape[1] > 1:
                        if other_a.shape[0] > 1:
                            return None
                        terms.append((h.weighted(other_a), b1 * b2))
                    else:
                        terms.append((h, b1 * b2 * other_a))
                else:
                    terms.append((a1 * a2, b1 * b2))
        return _Factored(terms, self.entities)

    def scale(self, d: np.ndarray, divide: bool) -> _Factored | None:
        """Times (or divided by) a plain array with no entity axis or no scenario axis."""
        f = np.divide if divide else np.multiply
        if d.shape[1] == 1:
            return _Factored([(a, f(b, d)) for a, b in self.terms], self.entities)
        if d.shape[0] == 1:
            if not divide:  # a hinge times an employee factor: weighted
                return _Factored(
                    [(a.weighted(d) if isinstance(a, _Hinge) else a * d, b) for a, b in self.terms],
                    self.entities,
                )
            if not any(isinstance(a, _Hinge) for a, _ in self.terms):
                return _Factored([(a / d, b) for a, b in self.terms], self.entities)
        return None

    def hinge(self, step: bool = False, strict: bool = True) -> _Hinge | None:
        """``max(self, 0)`` as a :class:`_Hinge` (with ``step``, ``self > 0``, or ``self >=
        0`` where not ``strict``), where self is ``a x b + c`` with one employee factor ``a``
        (no scenario axis) and every other term without employees."""
        main = None
        rest = None
        for a, b in self.terms:
            if isinstance(a, _Hinge):
                return None
            if a.shape[1] > 1:
                if main is not None or a.shape[0] > 1:
                    return None
                main = (a, b)
            else:
                t = a * b
                rest = t if rest is None else rest + t
        if main is None:
            return None
        c = np.zeros((1, 1, 1)) if rest is None else rest
        return _Hinge(main[0], main[1], c, step=step, strict=strict)


def _entity_sum(x: np.ndarray) -> np.ndarray:
    """Sum over the entity axis of (S, E, P), keeping it: ``x.sum(axis=1, keepdims=True)``.

    einsum's loop runs along the contiguous period axis and is about 5x faster than numpy's
    reduction over a middle axis on (scenarios, employees, periods) arrays; it is numpy's own
    loop (no BLAS threads), so the result does not depend on the machine's thread count.
    """
    if x.shape[1] == 1:
        return x
    return np.einsum("sep->sp", x)[:, None, :]


def _combine(op: str, x: Any, y: Any) -> Any:
    """``x op y`` for + - * /, keeping a per-entity result factored where that is exact.

    Returns a :class:`_Factored`, or None where the plain operation should be used.
    """
    fx, fy = isinstance(x, _Factored), isinstance(y, _Factored)
    if not (fx or fy):
        if x.ndim != 3 or y.ndim != 3:
            return None
        # one factor with employees but no scenarios, the other with scenarios but no
        # employees: their product is what is worth keeping factored
        if x.shape[0] == 1 and x.shape[1] > 1 and y.shape[0] > 1 and y.shape[1] == 1:
            ent = x.shape[1]
        elif y.shape[0] == 1 and y.shape[1] > 1 and x.shape[0] > 1 and x.shape[1] == 1:
            ent = y.shape[1]
        else:
            return None
        if op == "*":
            return _Factored([(x, y) if x.shape[1] > 1 else (y, x)], ent)
        if op == "/":
            return _Factored([(x, 1.0 / y) if x.shape[1] > 1 else (1.0 / y, x)], ent)
        if op in "+-":
            right = _Factored.of(y, ent)
            return _Factored.of(x, ent).add(right if op == "+" else right.neg())
        return None
    ent = (x if fx else y).entities
    if op in "+-":
        right = _Factored.of(y, ent)
        return _Factored.of(x, ent).add(right if op == "+" else right.neg())
    if op == "*":
        if fx and fy:
            return x.mul(y)
        return x.scale(y, False) if fx else y.scale(x, False)
    if op == "/" and fx and not fy:
        return x.scale(y, True)
    return None


#: comparisons kept factored as a step: (x minus y or y minus x, strict)
_STEPS = {">": (False, True), ">=": (False, False), "<": (True, True), "<=": (True, False)}


def _compare(op: str, x: Any, y: Any) -> _Factored | None:
    """``x > y`` (and ``>=``, ``<``, ``<=``) as 1 or 0 per entity, kept factored as a step
    (a :class:`_Hinge` with ``step``) when the difference is one employee factor times a
    scenario factor plus terms without employees; None where the plain evaluation should be
    used."""
    if not (isinstance(x, _Factored) or isinstance(y, _Factored)):
        return None
    if any(not isinstance(v, _Factored) and v.ndim != 3 for v in (x, y)):
        return None
    flip, strict = _STEPS[op]
    diff = _combine("-", y, x) if flip else _combine("-", x, y)
    if diff is None:
        return None
    h = diff.hinge(step=True, strict=strict)
    if h is None:
        return None
    return _Factored([(h, _ONE)], diff.entities)


def _min_max(fn: str, x: Any, y: Any) -> _Factored | None:
    """MAX(x, y) = y + max(x - y, 0) and MIN(x, y) = y - max(y - x, 0), kept factored (with a
    :class:`_Hinge`) when the difference is one employee factor times a scenario factor plus
    terms without employees; None where the plain evaluation should be used."""
    if not (isinstance(x, _Factored) or isinstance(y, _Factored)):
        return None
    if any(not isinstance(v, _Factored) and v.ndim != 3 for v in (x, y)):
        return None
    diff = _combine("-", x, y) if fn == "MAX" else _combine("-", y, x)
    if diff is None:
        return None
    h = diff.hinge()
    if h is None:
        return None
    ent = diff.entities
    part = _Factored([(h, _ONE if fn == "MAX" else -_ONE)], ent)
    if not isinstance(y, _Factored) and not np.any(y):  # max(x, 0): nothing to add back
        return part
    return _Factored.of(y, ent).add(part)


class _Evaluator:
    """Evaluation state: input arrays, finished line values, and the column being stepped."""

    def __init__(self, model: Model, inputs: dict[str, np.ndarray], n_scenarios: int):
        self.model = model
        self.space = NATIVE
        self._n = {NATIVE: model.timeline.n, YEAR: model.annual_timeline.n}
        self.values: dict[str, np.ndarray] = {}
        self.openings: dict[str, np.ndarray] = {}
        self.memo: dict[int, np.ndarray] = {}
        self.col: int | None = None
        self.stepping: set[str] = set()
        self.inputs, self.n_scenarios = inputs, n_scenarios
        self.factor = FACTORED and n_scenarios > 1
        #: most numbers per scenario in an array with both a scenario and an entity axis
        self.expanded = 0
        self.param_rows = {}
        self.param_notes: dict[str, list[bool]] = {}
        spaces_used = {sp for used in model.param_spaces.values() for sp in used}
        for space in sorted(spaces_used):
            for key, (row, held) in model.parameter_rows(space).items():
                if space in model.param_spaces.get(key, ()):
                    self.param_rows[(space, key)] = row.reshape(1, 1, -1)
                    if space == NATIVE:
                        self.param_notes[key[0]] = held
        self.time_rows: dict[tuple, np.ndarray] = {}

    @property
    def n_periods(self) -> int:
        """Periods of the space being evaluated (the timeline's, or its financial years)."""
        return self._n[self.space]

    # -- the protocol nodes use ----------------------------------------------------------------
    def ev(self, node: Expr) -> np.ndarray:
        if self.col is None:
            key = id(node)
            hit = self.memo.get(key)
            if hit is None:
                hit = node.evaluate(self)
                self.memo[key] = hit
            if isinstance(hit, _Factored):
                hit = hit.dense()
            self._note(hit)
            return hit
        # stepping one column: elementwise nodes recurse; others evaluate fully, then slice
        if isinstance(node, BinOp | Neg | Func | Total | Line | LineRef | Previous):
            return node.evaluate(self)
        if isinstance(node, CumSum | Growth):
            names = self._mentions(node)
            if names & self.stepping:
                raise ModelError(
                    "cumsum/growth of a line that depends on its own previous values is not "
                    f"supported (lines {sorted(names & self.stepping)}); write the running total "
                    "as previous(total) + x instead"
                )
        full = self._full(node)
        return full[..., self.col : self.col + 1] if full.shape[-1] > 1 else full

    def factored(self, node: Expr) -> np.ndarray | _Factored:
        """Like :meth:`ev`, but sums and products that stay exact in factored form are kept so
        (see ``_Factored``); every other node is evaluated plainly."""
        if self.col is not None or not self.factor:
            return self.ev(node)
        key = id(node)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        out: Any = None
        if isinstance(node, BinOp) and node.op in ("+", "-", "*", "/"):
            a, b = self.factored(node.a), self.factored(node.b)
            out = _combine(node.op, a, b)
            if out is None:
                a = a.dense() if isinstance(a, _Factored) else a
                b = b.dense() if isinstance(b, _Factored) else b
                out = _BINOPS[node.op](a, b)
        elif isinstance(node, Neg):
            a = self.factored(node.a)
            out = a.neg() if isinstance(a, _Factored) else -a
        elif isinstance(node, Func) and node.fn in ("MAX", "MIN") and len(node.args) == 2:
            out = _min_max(node.fn, self.factored(node.args[0]), self.factored(node.args[1]))
        elif isinstance(node, BinOp) and node.op in _STEPS:
            out = _compare(node.op, self.factored(node.a), self.factored(node.b))
        elif isinstance(node, Total):
            a = self.factored(node.a)
            out = a.total() if isinstance(a, _Factored) else _entity_sum(a)
        elif isinstance(node, Line | LineRef):
            v = self.values.get(node.name)
            if isinstance(v, _Factored):
                out = v
        if out is None:
            out = node.evaluate(self)
        if not isinstance(out, _Factored):
            self._note(out)
        self.memo[key] = out
        return out

    def _note(self, arr: np.ndarray) -> None:
        if arr.ndim == 3 and arr.shape[0] > 1 and arr.shape[1] > 1 and arr.strides[0] != 0:
            self.expanded = max(self.expanded, arr.shape[1] * arr.shape[2])

    def _full(self, node: Expr) -> np.ndarray:
        col, self.col = self.col, None
        try:
            return self.ev(node)
        finally:
            self.col = col

    def _mentions(self, node: Expr) -> set[str]:
        out = set()
        for n in _walk(node):
            if isinstance(n, Line | LineRef):
                out.add(n.name)
            elif isinstance(n, Previous):
                out.add(n.target_name)
            elif isinstance(n, Growth) and n.factor_line is not None:
                out.add(n.factor_line.name)
        return out

    def input_value(self, node: Input) -> np.ndarray:
        return self.inputs[node.name]

    def param_value(self, node: ParamRef) -> np.ndarray:
        key = (self.space, node.key)
        row = self.param_rows.get(key)
        if row is None:  # a parameter used only where the model did not expect it
            row = self.model.parameter_rows(self.space)[node.key][0].reshape(1, 1, -1)
            self.param_rows[key] = row
        return row

    def time_value(self, node: TimeVar) -> np.ndarray:
        key = (self.space, node.key)
        row = self.time_rows.get(key)
        if row is None:
            row = self.model.time_row(node, self.space).reshape(1, 1, -1)
            self.time_rows[key] = row
        return row

    def _whole(self, node: Expr) -> np.ndarray:
        name = node.name  # type: ignore[attr-defined]
        v = self.values.get(name)
        if v is None:
            raise ModelError(f"line {name!r} used before it was evaluated")  # pragma: no cover
        if isinstance(v, _Factored):
            v = self.values[name] = v.dense()
        return v

    def native(self, node: Expr) -> np.ndarray:
        """All periods of a line by period (for by_year)."""
        return self._whole(node)

    def yearly(self, node: Expr) -> np.ndarray:
        """All years of a line by financial year (for from_year)."""
        return self._whole(node)

    def line_by_name(self, name: str) -> Line:
        return self.model.line_by_name(name)

    def line_value(self, line: Line) -> np.ndarray:
        name = line.name
        if self.col is not None and name in self.stepping:
            return self.values[name][..., self.col : self.col + 1]
        if name not in self.values:
            raise ModelError(f"line {name!r} used before it was evaluated")  # pragma: no cover
        v = self.values[name]
        if isinstance(v, _Factored):
            v = v.dense()
        return v if self.col is None or v.shape[-1] == 1 else v[..., self.col : self.col + 1]

    def opening_value(self, name: str) -> np.ndarray:
        hit = self.openings.get(name)
        if hit is None:
            expr = self.model.openings.get(name)
            hit = np.zeros((1, 1, 1)) if expr is None else self._full(expr)
            self.openings[name] = hit
        return hit

    def previous_value(self, node: Previous) -> np.ndarray:
        name = node.target_name
        opening = self.opening_value(name)
        v = self.values.get(name)
        if isinstance(v, _Factored):  # last period's values of a factored line: expand it
            v = self.values[name] = v.dense()
        if self.col is not None:
            if self.col == 0:
                return opening
            return self.values[name][..., self.col - 1 : self.col]
        v = self.values[name]
        lead = np.broadcast_to(opening, (*np.broadcast_shapes(opening.shape[:2], v.shape[:2]), 1))
        body = np.broadcast_to(v[..., :-1], (*lead.shape[:2], v.shape[-1] - 1))
        return np.concatenate([lead, body], axis=-1)

    # -- running lines -------------------------------------------------------------------------
    def _full_shape(self, name: str, arr: np.ndarray) -> tuple[int, int, int]:
        shape = self.model.shapes[name]
        e = len(shape.entity) if shape.entity is not None else 1
        return (arr.shape[0], e, self.n_periods if shape.period else 1)

    def run_line(self, name: str) -> None:
        line = self.model.lines[name]
        value = self.factored(line.expr)
        if isinstance(value, _Factored):  # kept factored until something needs every element
            s = max(b.shape[0] for _, b in value.terms)
            value.target = (
                s,
                value.entities,
                self.n_periods if self.model.shapes[name].period else 1,
            )
            self.values[name] = value
            return
        arr = np.asarray(value, dtype=float)
        # a read-only view when the line repeats along an axis: no copy, same numbers
        self.values[name] = np.broadcast_to(arr, self._full_shape(name, arr))

    def run_stepped(self, members: list[str]) -> None:
        m = self.model
        # lines that depend on no input varying by scenario are stepped once, not S times
        deps = m.input_deps()[members[0]]
        S = self.n_scenarios if any(self.inputs[i].shape[0] > 1 for i in deps) else 1
        for name in members:
            shape = m.shapes[name]
            if not shape.period:
                raise ModelError(
                    f"metric line {name!r} is part of a loop through previous(); a metric "
                    "cannot feed back into the lines it measures"
                )
            e = len(shape.entity) if shape.entity is not None else 1
            self.values[name] = np.zeros((S, e, self.n_periods))
            self._note(self.values[name])
        self.stepping = set(members)
        try:
            for p in range(self.n_periods):
                self.col = p
                for name in members:
                    v = self.ev(m.lines[name].expr)
                    self.values[name][..., p : p + 1] = v
        finally:
            self.col = None
            self.stepping = set()
        # scenarios that did not vary keep a leading axis of S: fine, and exact

    def check_finite(self, name: str) -> None:
        v = self.values[name]
        if isinstance(v, _Factored):
            if v.finite() and self.model.lines[name].missing_text is None:
                return
            v = self.values[name] = v.dense()  # expanded, to find and name the element
        if np.isfinite(np.sum(v)):  # one pass, no allocation: any NaN or inf makes it non-finite
            return
        bad = ~np.isfinite(v)
        if self.model.lines[name].missing_text is not None:
            bad &= ~np.isnan(v)  # NaN is this line's stated "never", shown as text in Excel
        if bad.any():
            s, e, p = (int(i) for i in np.argwhere(bad)[0])
            line = self.model.lines[name]
            who = ""
            axis = self.model.shapes[name].entity
            if axis is not None:
                who = f", {axis.name} {axis.ids[e]}"
            raise EvaluationError(
                f"line {name!r} ({line.label}) is {v[s, e, p]} in {self.model.labels_of(name)[p]}"
                f" (scenario {s}{who}); look for a division by zero or an overflow in its "
                "definition, and guard it with where(...)"
            )


def _join(model: Model, parts: list[Evaluation], n_scen: int) -> Evaluation:
    """Join evaluations of consecutive scenario chunks."""

    def cat(dicts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        out = {}
        for name in dicts[0]:
            arrays = [d[name] for d in dicts]
            if all(a.shape[0] == 1 for a in arrays) and all(
                np.array_equal(a, arrays[0]) for a in arrays[1:]
            ):
                out[name] = arrays[0]
                continue
            out[name] = np.concatenate(
                [
                    np.broadcast_to(a, (p.n_scenarios, *a.shape[1:]))
                    for a, p in zip(arrays, parts, strict=True)
                ],
                axis=0,
            )
        return out

    return Evaluation(
        model,
        cat([p.values for p in parts]),
        n_scen,
        cat([p.inputs for p in parts]),
        cat([p.openings for p in parts]),
        parts[0].param_held,
    )


def _no_annual(name: str, kind: str) -> str:
    raise InputError(
        f"line {name!r} is a {kind}; only flows (summed) and balances (closing month) convert "
        "to financial years"
    )


def _as3(v: np.ndarray, kind: str) -> np.ndarray:
    if kind == "scalar":
        return v.reshape(1, 1, 1)
    if kind == "period":
        return v.reshape(1, 1, -1)
    return v.reshape(1, -1, 1)


@dataclass
class Evaluation:
    """The numbers: every line as an array over (scenarios, entities, periods).

    ``ev["line"]`` gives a pandas Series indexed by period labels for one scenario, or a
    DataFrame (scenarios x periods) for many; per-entity lines give a DataFrame (entities x
    periods) for one scenario. ``ev.to_frame()`` gives all lines as columns, indexed by period.
    """

    model: Model
    values: dict[str, np.ndarray]
    n_scenarios: int
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    openings: dict[str, np.ndarray] = field(default_factory=dict)
    param_held: dict[str, list[bool]] = field(default_factory=dict)
    #: the most numbers per scenario held in one array with both a scenario and an entity
    #: axis while evaluating (0 if every per-entity value stayed factored or did not vary):
    #: what a chunk of scenarios costs in memory, for choosing chunk sizes
    expanded: int = 0

    @property
    def timeline(self) -> Timeline:
        return self.model.timeline

    @property
    def labels(self) -> list[str]:
        return self.model.timeline.labels

    def array(self, name: str) -> np.ndarray:
        """Values of a line with every scenario: (S, P), or (S, E, P) per entity."""
        name = self.model.line_by_name(name).name
        if name not in self.values:
            raise InputError(
                f"line {name!r} was not kept in this evaluation; evaluate with keep=[..., "
                f"{name!r}] (or without keep) to see it"
            )
        v = self.values[name]
        v = np.broadcast_to(v, (self.n_scenarios, *v.shape[1:]))
        shape = self.model.shapes[name]
        if not shape.period:
            v = v[..., 0]
            return v if shape.entity is not None else v[:, 0]
        return v if shape.entity is not None else v[:, 0, :]

    def metrics(self, scenario: int | None = None) -> pd.Series | pd.DataFrame:
        """Every metric line (one value per scenario): a Series for one scenario, else a
        DataFrame with one row per scenario."""
        names = [
            n
            for n in self.line_names()
            if not self.model.shapes[n].period and self.model.shapes[n].entity is None
        ]
        data = {n: self.array(n) for n in names}
        frame = pd.DataFrame(data, index=pd.RangeIndex(self.n_scenarios, name="scenario"))
        if scenario is None and self.n_scenarios > 1:
            return frame
        return frame.iloc[scenario or 0]

    def __getitem__(self, name: str) -> pd.Series | pd.DataFrame:
        arr = self.array(name)
        name = self.model.line_by_name(name).name
        cols = pd.Index(self.model.labels_of(name), name="period")
        shape = self.model.shapes[name]
        if not shape.period and shape.entity is None:
            if self.n_scenarios == 1:
                return float(arr[0])  # type: ignore[return-value]
            return pd.Series(arr, index=pd.RangeIndex(self.n_scenarios, name="scenario"), name=name)
        if shape.entity is not None:
            if self.n_scenarios == 1:
                return pd.DataFrame(
                    arr[0], index=pd.Index(shape.entity.ids, name=shape.entity.name), columns=cols
                )
            raise InputError(
                f"line {name!r} is per {shape.entity.name} with {self.n_scenarios} scenarios; "
                "use .array(name) for the (scenarios, entities, periods) array"
            )
        if self.n_scenarios == 1:
            return pd.Series(arr[0], index=cols, name=name)
        return pd.DataFrame(
            arr, index=pd.RangeIndex(self.n_scenarios, name="scenario"), columns=cols
        )

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def line_names(self, include_auxiliary: bool = False) -> list[str]:
        return [
            n for n in self.model.order if include_auxiliary or not self.model.lines[n].auxiliary
        ]

    def annual(self, name: str) -> np.ndarray:
        """A line by financial year: flows summed over months, balances at the closing month.

        Returns (S, years) or (S, E, years); for an annual timeline, or a line already by
        financial year, the line unchanged.
        """
        name = self.model.line_by_name(name).name
        if self.model.spaces[name] == YEAR or self.timeline.freq == "annual":
            return self.array(name)
        kind = self.model.lines[name].kind
        return self.timeline.to_annual(
            self.array(name),
            "balance"
            if kind == "balance"
            else "flow"
            if kind == "flow"
            else _no_annual(name, kind),
        )

    def to_frame(self, scenario: int = 0, space: str = NATIVE) -> pd.DataFrame:
        """All lines that are not per entity, one column each, indexed by period label:
        the lines by the timeline's periods, or (``space="year"``) those by financial year."""
        if not 0 <= scenario < self.n_scenarios:
            raise InputError(f"scenario {scenario} is outside 0..{self.n_scenarios - 1}")
        if space not in (NATIVE, YEAR):
            raise InputError(f"space {space!r} must be 'native' (periods) or 'year'")
        data = {}
        for n in self.line_names():
            shape = self.model.shapes[n]
            if shape.entity is None and shape.period and self.model.spaces[n] == space:
                v = self.values[n]
                data[n] = v[min(scenario, v.shape[0] - 1), 0, :]
        labels = self.model.timeline_of(space).labels
        return pd.DataFrame(data, index=pd.Index(labels, name="period"))

    def _repr_html_(self) -> str:
        frame = self.to_frame().T
        head = (
            f"<p><b>mutualfin evaluation</b>: {len(self.values)} lines, {self.n_scenarios} "
            f"scenario(s), {html.escape(repr(self.timeline))}</p>"
        )
        return head + frame.to_html(float_format=lambda x: f"{x:,.2f}")

    def __repr__(self) -> str:
        return (
            f"Evaluation({len(self.values)} lines, {self.n_scenarios} scenarios, "
            f"{self.labels[0]} to {self.labels[-1]})"
        )
