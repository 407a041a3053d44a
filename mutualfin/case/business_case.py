"""The business case: components composed on one timeline, with statements and metrics.

:class:`BusinessCase` takes components (contract income, staff costs, overheads, a loan...),
maps each of their lines to a role, and builds the statements from the one statement list in
:mod:`mutualfin.case.statements` (income and expenditure, cash flow, reserves, debt, checks
and metrics, each line declared there once with its label, unit and section). The statements
and metrics are lines of the same model, so they evaluate for one scenario or many and write
themselves as live formulas. :class:`~mutualfin.case.results.Results` holds what a run gives.
"""

from __future__ import annotations

import difflib
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.case.loader import read_case
from mutualfin.case.results import Results
from mutualfin.case.statements import (
    ANNUAL_SHEET,
    HEADLINE_NPV,
    STATEMENT_SHEET,
    STATEMENTS,
    StatementBuilder,
    _corporation_tax_label,
    annual_name,
    check_role,
)
from mutualfin.components.base import BuildContext, Component
from mutualfin.components.financing import CaseFinance, Loan
from mutualfin.core.checks import is_finite_number
from mutualfin.engine import Entities, Line, Model, Timeline, by_year
from mutualfin.errors import (
    AssumptionWarning,
    CaseFileError,
    IncompleteCaseWarning,
    InputError,
    ModelError,
    MutualfinError,
    SolverError,
    warn_assumption,
)
from mutualfin.params import held_text, resolve_store

__all__ = ["CORE_PARTS", "BusinessCase", "CaseFinance", "Loan", "Results", "load_case"]


def _has_staff_costs(case: BusinessCase) -> bool:
    """Pay of the mutual's own staff: a line with role "pay" from a component other than the
    LGPS admission (whose contributions are pay too, but not the staff's salaries)."""
    roles = case._roles()
    return any(
        roles.get(line.name) == "pay"
        for key, lines in case._built.items()
        if key != "lgps"
        for line in lines
    )


#: the parts every spin-out's business case has: (what is missing, whether the case has it,
#: how to add it). A case without one still runs, with an IncompleteCaseWarning, the parts
#: named in ``case.missing``, on the command line and on the workbook's Summary.
CORE_PARTS: tuple[tuple[str, Any, str], ...] = (
    (
        "no staff costs",
        _has_staff_costs,
        "add [staff] with a [roster] of the staff transferring (pay, employer NI, pensions)",
    ),
    (
        "no support services",
        lambda case: "overheads" in case.components,
        "add [overheads]: HR, payroll, finance, IT, insurance and audit the council provided",
    ),
)


# --------------------------------------------------------------------------------------------
class BusinessCase:
    """A business case: components on one timeline, statements, metrics, checks.

    Parameters
    ----------
    timeline : Timeline
    components : sequence of Component
        At most one of each ``key``. A :class:`CaseFinance` is added with defaults if absent.
    name : str
        Title of the case (workbook and summaries).
    entities : Entities, optional
        The roster's employees, for components with per-employee lines.

    Examples
    --------
    See ``tests/test_case.py`` for a case worked entirely by hand.
    """

    def __init__(
        self,
        timeline: Timeline,
        components: Sequence[Component],
        *,
        name: str = "Business case",
        entities: Entities | None = None,
        params: Any = None,
    ):
        if not isinstance(timeline, Timeline):
            hint = ""
            if isinstance(timeline, str | os.PathLike):
                hint = "; to load a case file use BusinessCase.from_file(path)"
            raise InputError(
                f"BusinessCase: timeline must be a Timeline, got {type(timeline).__name__}{hint}"
            )
        if isinstance(components, Component) or not isinstance(components, Sequence):
            raise InputError(
                "BusinessCase: components must be a list of components, e.g. "
                f"[Contract(...), Overheads(...)], got {type(components).__name__}"
            )
        self.timeline = timeline
        self.name = name
        self.entities = entities
        self.params = resolve_store(params)
        keys: dict[str, Component] = {}
        for comp in components:
            if not isinstance(comp, Component):
                raise InputError(f"components must be Component objects, got {comp!r}")
            if comp.key in keys:
                raise InputError(f"two components have the key {comp.key!r}; combine them into one")
            keys[comp.key] = comp
        if "finance" not in keys:
            keys["finance"] = CaseFinance()
        self.components = keys
        for comp in keys.values():
            comp.check_case(keys)
        self.finance: CaseFinance = keys["finance"]  # type: ignore[assignment]
        self.contexts: dict[str, BuildContext] = {}
        for comp in keys.values():
            self.contexts[comp.key] = BuildContext(
                timeline,
                comp,
                entities=entities,
                params=self.params,
                others=keys,
                contexts=self.contexts,
            )
        self._built: dict[str, list[Line]] = {}
        lines: list[Line] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AssumptionWarning)
            for comp in keys.values():
                self._built[comp.key] = list(comp.build(self.contexts[comp.key]))
                lines.extend(self._built[comp.key])
        self.component_lines = lines
        self.metadata: dict[str, str] = {}
        self.source_path = None
        self.checksums: dict[str, str] = {}
        #: the case file's content as parsed TOML, for a case loaded from one (else empty)
        self.case_data: dict[str, Any] = {}
        self.statement_lines = self._statements(lines)
        self.model = Model(timeline, [*lines, *self.statement_lines], params=self.params)
        self.assumptions = self._assumptions(caught)
        self.missing = self._missing()

    def _missing(self) -> list[str]:
        """The core parts (:data:`CORE_PARTS`) the case leaves out, each with how to add it,
        warned once for the case (:class:`~mutualfin.errors.IncompleteCaseWarning`)."""
        found = [f"{what}: {fix}" for what, has, fix in CORE_PARTS if not has(self)]
        if found:
            warn_assumption(
                f"{self.name}: INCOMPLETE CASE, its surplus and cash leave out "
                f"{'; and '.join(found)} (see case.missing)",
                IncompleteCaseWarning,
            )
        return found

    def _assumptions(self, caught: list[warnings.WarningMessage]) -> list[str]:
        """What the figures assume that the user should see (parameters held flat beyond
        their data), warned once for the case; other warnings raised while building pass on."""
        found = []
        for w in caught:
            if issubclass(w.category, AssumptionWarning):
                found.append(str(w.message))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        for (name, _how, _beyond), (_, held) in self.model.parameter_rows().items():
            if any(held):
                found.append(held_text(name, self.params.get(name).held_from))
        if "legal_form" not in self.components:
            found.append(
                "no [legal_form] given: taxed, rated and treated for the Employment Allowance "
                "and VAT as a body that is not a charity"
            )
        found = sorted(set(found))
        if found:
            short = ", ".join(
                a.removesuffix(": an assumption").replace(" held flat", "") for a in found
            )
            warn_assumption(
                f"{self.name}: {len(found)} parameter(s) held flat beyond their data, an "
                f"assumption (see case.assumptions): {short}"
            )
        return found

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike,
        *,
        text: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> BusinessCase:
        """Load a case from a TOML case file (see :mod:`mutualfin.case.loader`).

        ``text`` (the file's content) or ``data`` (it parsed) is used instead of what is on
        disk, as if saved at ``path`` (the roster is read from beside it): an edit is checked
        before it is written.
        """
        parts = read_case(path, text=text, data=data)
        try:
            case = cls(parts.timeline, parts.components, name=parts.name, entities=parts.entities)
        except CaseFileError:
            raise
        except MutualfinError as exc:
            raise CaseFileError(f"{parts.path.name}: {exc}") from None
        case.metadata = parts.metadata
        case.source_path = parts.path
        case.checksums = parts.checksums
        case.provenance = parts.provenance
        case.file_readings = parts.readings
        case.case_data = parts.data
        return case

    # -- statements --------------------------------------------------------------------------
    def _roles(self) -> dict[str, str]:
        """Line name -> role, from each component's ``roles`` and lines built with a role;
        an unknown role, or a role for a line the component did not build, is an error."""
        out: dict[str, str] = {}
        for comp in self.components.values():
            built = {ln.name: ln for ln in self._built[comp.key]}
            for line_name, role in getattr(comp, "roles", {}).items():
                if line_name not in built:
                    raise ModelError(
                        f"{type(comp).__name__} ({comp.key}): its roles name line "
                        f"{line_name!r}, which it did not build (it built "
                        f"{', '.join(sorted(built)) or 'no lines'}); correct the name in roles"
                    )
                out[line_name] = check_role(role, type(comp).__name__, line_name)
            for name, ln in built.items():
                if ln.role is not None and name not in out:
                    out[name] = check_role(ln.role, type(comp).__name__, name)
        return out

    def _statements(self, lines: list[Line]) -> list[Line]:
        """Every line of the statement list that applies to this case, in its order."""
        roles = self._roles()
        for ln in lines:  # Line.role reads back the role a line plays here
            if ln.name in roles:
                ln.role = roles[ln.name]
        if not any(r in ("income", "council_income") for r in roles.values()):
            raise ModelError(
                "the case has no income: add a component whose lines have role 'income' or "
                "'council_income' (e.g. the council contract)"
            )
        builder = StatementBuilder(self, lines, roles)
        months = builder.months
        out: list[Line] = []
        later: list = []  # metrics on a timeline with months: after the lines by year
        for s in STATEMENTS:
            if not s.applies(months) or (s.when is not None and not s.when(builder)):
                continue
            if months and s.kind == "metric":
                later.append(s)
                continue
            out.extend(self._statement_line(builder, s, STATEMENT_SHEET))
        if not months:
            return out
        yearly = builder.yearly()
        for s in STATEMENTS:
            if s.kind == "metric" or not s.annual_view or s.name not in builder.built:
                continue
            native = builder[s.name]
            if s.kind in ("flow", "balance"):
                expr = by_year(native)
            else:  # a ratio or flag: its formula again, on the lines by year
                expr = yearly.expression(s)
                out.extend(yearly.extra)
                yearly.extra.clear()
            line = Line(
                annual_name(s.name),
                expr,
                unit=s.unit,
                kind=s.kind,
                sheet=ANNUAL_SHEET,
                label=native.label,
                section=s.section,
            )
            out.append(yearly.add(line, s.name))
        for s in later:
            if s.by_period:
                out.extend(self._statement_line(builder, s, STATEMENT_SHEET))
            else:
                out.extend(self._statement_line(yearly, s, ANNUAL_SHEET))
        return out

    def _statement_line(self, builder: StatementBuilder, s: Any, sheet: str) -> list[Line]:
        """Statement ``s`` as a line (after any working lines its formula makes)."""
        expr = builder.expression(s)
        label = _corporation_tax_label(builder) if s.name == "corporation_tax" else s.label
        opening = builder.input(s.opening) if s.opening else None
        out = list(builder.extra)
        builder.extra.clear()
        line = Line(
            s.name,
            expr,
            unit=s.unit,
            kind=s.kind,
            sheet=sheet,
            label=label,
            opening=opening,
            section=s.section,
        )
        builder.built.add(s.name)
        out.append(builder.add(line, s.name))
        return out

    # -- running -------------------------------------------------------------------------------
    @property
    def readings(self) -> dict[str, str]:
        """How text in the inputs was read, by input: ``{"contract.indexation": '"3%" read
        as 0.03 (3%)'}`` (percentages, UK day-first dates); the workbook's Inputs sheet
        echoes them."""
        found = dict(getattr(self, "file_readings", {}))
        for comp in self.components.values():
            found.update(getattr(comp, "readings", {}))
        return found

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self.model.inputs)

    def run(self, overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Results:
        """Evaluate the case (one scenario, or many with array overrides)."""
        return Results(self, self.model.evaluate(overrides, **kwargs))

    def appraise(self, results: Results | None = None):
        """The commissioner's options appraisal from the case's ``[appraisal]`` inputs
        (:class:`mutualfin.appraisal.CouncilAppraisal`), or None if the case has none."""
        if results is not None and not isinstance(results, Results):
            raise InputError(
                f"appraise: results must be the Results of case.run() (or None), got "
                f"{type(results).__name__}"
            )
        comp = self.components.get("appraisal")
        if comp is None:
            return None
        return comp.appraise(results if results is not None else self.run())  # type: ignore[attr-defined]

    def simulate(self, n: int = 10_000, *, seed: Any = None, **kwargs: Any):
        """Monte Carlo over the inputs' declared uncertainty (:func:`mutualfin.risk.simulate`)."""
        from mutualfin.analysis.risk import simulate

        return simulate(self, n, seed=seed, **kwargs)

    def explore(self):
        """In Jupyter: sliders for the inputs with a declared uncertainty, and the headline
        metrics, the cash chart and the appraisal ranking updating as they move
        (:mod:`mutualfin.explore`; needs ipywidgets, ``pip install mutualfin[explore]``)."""
        from mutualfin.explore import explore

        return explore(self)

    def tornado(self, metric: str = HEADLINE_NPV, **kwargs: Any):
        """One-at-a-time sensitivity, ranked (:func:`mutualfin.risk.tornado`)."""
        from mutualfin.analysis.risk import tornado

        return tornado(self, metric=metric, **kwargs)

    def break_even(
        self,
        input_name: str = "contract.annual_value",
        *,
        metric: str = "minimum_cash",
        target: float | None = None,
        low: float | None = None,
        high: float | None = None,
        tolerance: float | None = None,
    ) -> float:
        """The value of ``input_name`` at which ``metric`` just reaches ``target``.

        If the metric rises with the input (a contract value), this is the LOWEST value that
        keeps the metric at or above the target; if it falls (an efficiency cut), the HIGHEST.
        By default the target is the case's cash floor and the metric the lowest closing cash:
        ``case.break_even("contract.annual_value")`` is the lowest contract value that keeps
        cash at or above the floor; ``case.break_even("contract.efficiency_target")`` the
        largest efficiency cut the mutual can absorb. Solved by vectorised bisection (64
        candidates a round) to ``tolerance`` (half a pound for money, 1e-7 otherwise); a
        bracket [low, high] in which the metric does not cross the target is refused.
        """
        if not isinstance(input_name, str):
            raise InputError(
                f"break_even: input_name must be the name of an input, such as "
                f"'contract.annual_value', got {type(input_name).__name__} {input_name!r:.60}"
            )
        metrics = [n for n, ln in self.model.lines.items() if ln.kind == "metric"]
        if not isinstance(metric, str) or metric not in metrics:
            close = difflib.get_close_matches(str(metric), metrics, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            per_period = (
                f"{metric!r} is a line by period, not a metric; "
                if isinstance(metric, str) and metric in self.model.lines
                else ""
            )
            raise InputError(
                f"break_even: metric {metric!r:.60}: {per_period}{hint}give one of the case's "
                f"metrics: {', '.join(metrics)}"
            )
        for arg, value in (("target", target), ("low", low), ("high", high)):
            if value is not None and not is_finite_number(value):
                raise InputError(
                    f"break_even: {arg} = {value!r:.60} must be a finite number (or None)"
                )
        if tolerance is not None and not (is_finite_number(tolerance) and tolerance > 0):
            raise InputError(f"break_even: tolerance = {tolerance!r:.60} must be above 0")
        if input_name not in self.model.inputs:
            close = difflib.get_close_matches(input_name, list(self.model.inputs), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(f"break_even: {input_name!r} is not an input of the case{hint}")
        inp = self.model.inputs[input_name]
        if inp.kind != "scalar":
            raise InputError(f"break_even: {input_name!r} varies by period; give a scalar input")
        if target is None:
            target = float(self.finance.inputs.cash_floor)
        base = float(inp.value)
        bounded = inp.unit == "fraction"
        lo = float(low if low is not None else (0.0 if base >= 0 or bounded else base * 4))
        hi = float(high if high is not None else (1.0 if bounded else max(base * 4, 1.0)))
        tol = tolerance if tolerance is not None else (0.5 if inp.unit == "GBP" else 1e-7)

        def metric_at(values: np.ndarray) -> np.ndarray:
            ev = self.model.evaluate({input_name: values}, keep=[metric])
            return np.asarray(ev.array(metric), dtype=float)

        ends = metric_at(np.array([lo, hi]))
        rising = ends[0] < target <= ends[1]
        falling = ends[0] >= target > ends[1]
        if not (rising or falling):
            raise SolverError(
                f"break_even: {metric} is {ends[0]:,.2f} at {input_name} = {lo:,.4g} and "
                f"{ends[1]:,.2f} at {hi:,.4g}; the target {target:,.2f} is not between them. "
                "Widen low/high"
            )
        for _ in range(200):
            if hi - lo <= tol:
                break
            grid = np.linspace(lo, hi, 66)[1:-1]
            ok = metric_at(grid) >= target
            if rising:  # feasible above the boundary: find the first feasible grid point
                k = int(np.argmax(ok)) if ok.any() else len(grid)
                lo, hi = (
                    (float(grid[k - 1]) if k > 0 else lo),
                    (float(grid[k]) if k < len(grid) else hi),
                )
            else:  # feasible below the boundary: find the last feasible grid point
                k = len(ok) - 1 - int(np.argmax(ok[::-1])) if ok.any() else -1
                lo, hi = (
                    (float(grid[k]) if k >= 0 else lo),
                    (float(grid[k + 1]) if k + 1 < len(grid) else hi),
                )
        return hi if rising else lo

    def to_frame(self) -> pd.DataFrame:
        """Every scalar input of the case: name, value, unit, label, source."""
        rows = []
        for name, inp in self.model.inputs.items():
            value = inp.value.tolist() if inp.value.ndim else float(inp.value)
            rows.append(
                {
                    "name": name,
                    "value": value,
                    "unit": inp.unit,
                    "label": inp.label,
                    "source": inp.source,
                }
            )
        return pd.DataFrame(rows).set_index("name")

    def __repr__(self) -> str:
        return (
            f"BusinessCase({self.name!r}, {len(self.components)} components, "
            f"{len(self.model.lines)} lines, {self.timeline!r})"
        )


def load_case(path: str | os.PathLike) -> BusinessCase:
    """Build a :class:`BusinessCase` from a TOML case file (``BusinessCase.from_file``)."""
    return BusinessCase.from_file(path)
