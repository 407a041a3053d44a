"""What changed between two versions of a business case, and a bridge from the old figures to
the new.

:func:`diff` compares two cases (two case files, usually the one behind the last cabinet paper
and the one now) input by input, and bridges four figures from the old case to the new:
the mutual's headline NPV (:data:`~mutualfin.case.statements.HEADLINE_NPV`), its lowest
closing cash, its closing reserves, and the council's net present cost of the spin-out option
(the options appraisal's measure, after optimism bias), attributing each figure's movement to
the inputs that changed.

How the movement is attributed
------------------------------
When several inputs change at once their effects interact (a higher contract value and a
lower vacancy factor both move the tax bill, which is not linear), so a one-at-a-time split
depends on the order the changes are taken in. The bridge uses the **Shapley value** (Shapley
1953, "A value for n-person games", *Contributions to the Theory of Games* II, pp. 307-317),
the one attribution that does not depend on the order: each input's part is its effect
averaged over every order in which the changes could be made. For ``k`` changed inputs the
old case is evaluated with each of the ``2**k`` subsets of them set to their new values, as
``2**k`` scenarios of one vectorised evaluation of the old case's model (in blocks of
:data:`BLOCK` scenarios, so memory stays bounded); the parts add up exactly to the movement
from the old case to the all-changed one. With more than :data:`MAX_EXACT` changed inputs, the
average is taken over :data:`SAMPLED_ORDERS` random orders (seed 0) instead: each input's part
is then an estimate, and the parts still add up exactly.

What cannot be attributed by input
----------------------------------
Some changes are not a new value for an input of the same model: a component added or
removed, a date, a choice or a yes/no that changes how the case is built (a contract's
term, its start date, the legal form), an input whose shape changed (one number against one
per year), a list of items (pipeline opportunities, grants), the timeline, or a roster edit.
Each such change is listed with the reason, and their joint effect is the bridge's row **Not
attributable by input**: the new case's figure less the old case's with every attributable
change made. So the parts always add up to the total change, to the penny.

An input whose change also acts outside the model's formulas (one that moves dates or adds
rows, such as a payment lag in months) is found by building the old case with that one
change made in its case file and comparing it with the old case evaluated with that input
overridden; where the two differ, the input is moved to the unattributable row too.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mutualfin.analysis._common import _evaluate_rows
from mutualfin.case.formatting import format_money, format_value
from mutualfin.case.statements import HEADLINE_NPV, statement
from mutualfin.core.checks import wrong_kind
from mutualfin.errors import AssumptionWarning, InputError, MutualfinError

__all__ = [
    "BLOCK",
    "COUNCIL_NPC",
    "MAX_EXACT",
    "NOT_ATTRIBUTABLE",
    "SAMPLED_ORDERS",
    "CaseDiff",
    "Change",
    "diff",
]

#: the bridge's figures from the case's own lines (one value per scenario), in order
CASE_METRICS = (HEADLINE_NPV, "minimum_cash", "closing_reserves")
#: the bridge's name for the council's net present cost of the spin-out option
COUNCIL_NPC = "council_net_present_cost"
#: the row of the bridge holding what no single input explains
NOT_ATTRIBUTABLE = "Not attributable by input"
#: most changed inputs attributed exactly (2**MAX_EXACT scenarios)
MAX_EXACT = 12
#: random orders averaged over when more inputs changed
SAMPLED_ORDERS = 200
#: scenarios evaluated at a time
BLOCK = 256
#: a difference this small (pounds) is rounding, not an effect
_PENNY = 0.005

_NOT_MODEL = (
    "not a number the model's formulas read (a date, a choice, a list or a setting): it "
    "changes how the case is built"
)


@dataclass
class Change:
    """One input that differs between the two cases.

    ``key`` is the case file's name for it (``contract.annual_value``); ``old`` and ``new`` its
    values as text (``"not set"`` where a case file leaves it to its default); ``reason`` says
    why its effect cannot be attributed to it alone ("" when it is attributed).
    """

    key: str
    old: str
    new: str
    reason: str = ""
    #: the values the attribution sets (input name -> new value), when attributed
    values: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def attributed(self) -> bool:
        return not self.reason


@dataclass
class CaseDiff:
    """The result of :func:`diff`: the changed inputs and the bridge.

    ``parts[row][figure]`` is each changed input's part of a figure's movement (rows in the
    order of ``changes``, then :data:`NOT_ATTRIBUTABLE`); ``old_values`` and
    ``new_values`` are the two cases' figures; ``labels`` names each figure.
    """

    old_name: str
    new_name: str
    changes: list[Change]
    labels: dict[str, str]
    old_values: dict[str, float]
    new_values: dict[str, float]
    parts: dict[str, dict[str, float]]
    method: str
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """The case-file keys of the inputs that changed, in case-file order."""
        return [c.key for c in self.changes]

    def total(self, figure: str) -> float:
        """The new case's figure less the old case's."""
        return self.new_values[figure] - self.old_values[figure]

    @property
    def table(self) -> pd.DataFrame:
        """The changed inputs: old and new values, and whether each is attributed (with the
        reason where it is not)."""
        rows = [
            {
                "input": c.key,
                "old": c.old,
                "new": c.new,
                "attributed": "yes" if c.attributed else f"no: {c.reason}",
            }
            for c in self.changes
        ]
        return pd.DataFrame(rows, columns=["input", "old", "new", "attributed"]).set_index("input")

    @property
    def bridge(self) -> pd.DataFrame:
        """The bridge: the old case's figures, each part, the new case's figures (columns: the
        figures by their labels; pounds, unrounded)."""
        rows = {f"Old: {self.old_name}": self.old_values}
        rows.update(self.parts)
        rows[f"New: {self.new_name}"] = self.new_values
        frame = pd.DataFrame(rows).T[list(self.labels)]
        frame.columns = [self.labels[k] for k in frame.columns]
        frame.index.name = "step"
        return frame

    def findings(self) -> list[str]:
        """The bridge in sentences, for a cabinet paper."""
        n = len(self.changes)
        out = [
            f"{n} input{'s' * (n != 1)} changed from {self.old_name} to {self.new_name}"
            + (f": {', '.join(self.changed)}." if n else ".")
        ]
        for key, label in self.labels.items():
            total = self.total(key)
            moves = sorted(
                ((row, parts[key]) for row, parts in self.parts.items()),
                key=lambda rv: -abs(rv[1]),
            )
            biggest = [f"{row} {_signed(v)}" for row, v in moves if abs(v) >= 0.5][:3]
            text = (
                f"{label} moved from {format_money(self.old_values[key])} to "
                f"{format_money(self.new_values[key])} ({_signed(total)})"
            )
            out.append(text + (f": {'; '.join(biggest)}." if biggest else "."))
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables of a workbook's Bridge sheet (values, labelled as such)."""
        bridge = self.bridge.reset_index()
        bridge.attrs["title"] = (
            f"Bridge from {self.old_name} to {self.new_name} (pounds; {self.method})"
        )
        changes = self.table.reset_index()
        changes.attrs["title"] = "Inputs that changed"
        findings = pd.DataFrame({"finding": self.findings() + self.notes})
        findings.attrs["title"] = "What changed, in words"
        return {"findings": findings, "bridge": bridge, "changes": changes}

    def _repr_html_(self) -> str:
        return self.bridge.to_html(float_format=lambda x: f"{x:,.0f}")


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + format_money(value)


# --------------------------------------------------------------------------------------------
def _load(case: Any, arg: str):
    from mutualfin.case.business_case import BusinessCase

    if isinstance(case, BusinessCase):
        return case
    if isinstance(case, str | os.PathLike):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumptionWarning)
            return BusinessCase.from_file(case)
    raise wrong_kind(
        "diff",
        arg,
        "a BusinessCase or the path of a case file",
        case,
        {"Results": "give its case: results.case"},
    )


def _flat(data: Mapping[str, Any]) -> dict[str, Any]:
    """A case file's inputs by key (``contract.annual_value``): the value of a
    ``{ value = ..., source = ... }`` table, else the plain value; [case] is metadata."""
    out: dict[str, Any] = {}
    for section, table in data.items():
        if section == "case" or not isinstance(table, Mapping):
            continue
        for key, value in table.items():
            if isinstance(value, Mapping) and "value" in value:
                value = value["value"]
            out[f"{section}.{key}"] = value
    return out


def _text(value: Any, unit: str | None = None) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and unit is not None:
        return format_value(float(value), unit)
    if (
        isinstance(value, list)
        and unit is not None
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in value)
    ):
        return "[" + ", ".join(format_value(float(x), unit) for x in value) + "]"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _roster_digest(case) -> dict[str, str]:
    """The roster file's checksum (every checksum but the case file's)."""
    path = getattr(case, "source_path", None)
    name = path.name if path is not None else None
    return {k: v for k, v in getattr(case, "checksums", {}).items() if k != name}


class _Classifier:
    """Decides, change by change, whether it is a new value for an input of the old model."""

    def __init__(self, old, new):
        self.old, self.new = old, new
        self.appraisal = old.components.get("appraisal")
        self.appraisal_new = new.components.get("appraisal")

    def change(self, key: str, old_value: Any, new_value: Any) -> Change:
        old_in = self.old.model.inputs.get(key)
        new_in = self.new.model.inputs.get(key)
        either = old_in if old_in is not None else new_in
        unit = either.unit if either is not None else None
        change = Change(key, _text(old_value, unit), _text(new_value, unit))
        section = key.split(".", 1)[0]
        if section == "timeline":
            change.reason = "the timeline: every line is laid out anew"
        elif section == "roster":
            change.reason = "the roster: staff and their per-employee inputs"
        elif old_in is not None and new_in is not None:
            if old_in.unit in ("flag", "date"):
                change.reason = "a yes/no or a date: it changes how the case is built"
            elif old_in.kind != new_in.kind or np.shape(old_in.value) != np.shape(new_in.value):
                change.reason = (
                    "its shape differs (one number against one a year, or another number of "
                    "years or staff)"
                )
            else:
                change.values = {key: np.asarray(new_in.value, dtype=float)}
        elif old_in is not None or new_in is not None:
            change.reason = "an input of only one of the two cases"
        elif self._appraisal_only(key, old_value, new_value):
            change.values = {key: float(new_value)}
        else:
            change.reason = _NOT_MODEL
        return change

    def _appraisal_only(self, key: str, old_value: Any, new_value: Any) -> bool:
        """A number of the [appraisal] that the appraisal reads directly (not a model input):
        attributed through the council's net present cost alone."""
        comp = self.appraisal
        if comp is None or self.appraisal_new is None or not key.startswith(f"{comp.key}."):
            return False
        name = key.split(".", 1)[1]
        if name not in type(comp).Inputs.model_fields:
            return False
        old_v = getattr(comp.inputs, name)
        new_v = getattr(self.appraisal_new.inputs, name)
        return _is_number(old_v) and _is_number(new_v) and name != "years"


def _changes(old, new) -> tuple[list[Change], list[str]]:
    """Every input that differs, in the new case file's order, and notes."""
    notes: list[str] = []
    classify = _Classifier(old, new)
    if old.case_data and new.case_data:
        a, b = old.case_data, new.case_data
        out: list[Change] = []
        for section in [*b, *(s for s in a if s not in b)]:
            if section == "case":
                continue
            if section not in a or section not in b:
                added = section not in a
                out.append(
                    Change(
                        f"[{section}]",
                        "not in the case" if added else "present",
                        "present" if added else "not in the case",
                        reason=f"a part of the case {'added' if added else 'removed'}",
                    )
                )
        fa, fb = _flat(a), _flat(b)
        for key in [*fb, *(k for k in fa if k not in fb)]:
            section = key.split(".", 1)[0]
            if section not in a or section not in b:
                continue  # the whole part was added or removed: listed once above
            old_v, new_v = fa.get(key), fb.get(key)
            if _equal(old_v, new_v):
                continue
            out.append(classify.change(key, old_v, new_v))
        if _roster_digest(old) and _roster_digest(new):
            if sorted(_roster_digest(old).values()) != sorted(_roster_digest(new).values()):
                out.append(
                    Change(
                        "roster (the staff file's contents)",
                        "as before",
                        "edited",
                        reason="the roster: staff and their per-employee inputs",
                    )
                )
        meta = [
            k
            for k in {*a.get("case", {}), *b.get("case", {})}
            if a.get("case", {}).get(k) != b.get("case", {}).get(k)
        ]
        if meta:
            shown = ", ".join(f"case.{k}" for k in sorted(meta))
            notes.append(f"The cases' descriptions differ too ({shown}); they are not inputs.")
        return out, notes
    # cases built in Python: compare the models' inputs
    out = []
    names = [*new.model.inputs, *(n for n in old.model.inputs if n not in new.model.inputs)]
    for name in names:
        o, n = old.model.inputs.get(name), new.model.inputs.get(name)
        ov = None if o is None else o.value
        nv = None if n is None else n.value
        if o is not None and n is not None and np.shape(ov) == np.shape(nv):
            if np.array_equal(np.asarray(ov, dtype=float), np.asarray(nv, dtype=float)):
                continue
        old_t = "not in the case" if o is None else _text(_listed(ov), o.unit)
        new_t = "not in the case" if n is None else _text(_listed(nv), n.unit)
        change = classify.change(name, None, None)
        change.old, change.new = old_t, new_t
        out.append(change)
    notes.append(
        "The cases were built in Python, not loaded from case files: inputs are compared as "
        "the models hold them, and a change to how a case is built (a date, a choice) is seen "
        "only through the unattributable row."
    )
    return out, notes


def _listed(value: Any) -> Any:
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _equal(a: Any, b: Any) -> bool:
    """The same input value: 4_200_000 and 4200000.0 are; true and 1 are not."""
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


# --------------------------------------------------------------------------------------------
def _figures(case, results) -> tuple[dict[str, float], str | None]:
    """The bridged figures of one run (scenario 0), and the name of the spin-out option."""
    out = {}
    for name in CASE_METRICS:
        if name in results.evaluation.values:
            out[name] = float(np.asarray(results.evaluation.array(name))[0])
    comp = case.components.get("appraisal")
    found = comp.spin_out_cost(results) if comp is not None else None
    if found is not None:
        out[COUNCIL_NPC] = float(found[1])
    return out, (found[0] if found is not None else None)


def _labels(figures: list[str], option: str | None) -> dict[str, str]:
    out = {}
    for name in figures:
        if name == COUNCIL_NPC:
            out[name] = "Council's net present cost"
        else:
            s = statement(name)
            out[name] = s.short if s is not None else name.replace("_", " ")
    return out


def _scenario_values(
    case, players: list[Change], masks: np.ndarray, figures: list[str]
) -> np.ndarray:
    """Each figure (columns) with the players in each mask set to their new values (rows):
    one evaluation of the case's model per block of :data:`BLOCK` masks."""
    from mutualfin.case.results import Results

    model = case.model
    keep = [n for n in model.lines if model.shapes[n].entity is None]
    comp = case.components.get("appraisal")
    out = np.empty((len(masks), len(figures)))
    for start in range(0, len(masks), BLOCK):
        block = masks[start : start + BLOCK]
        rows: list[dict[str, Any]] = []
        for mask in block:
            values: dict[str, Any] = {}
            for i, player in enumerate(players):
                if (int(mask) >> i) & 1:
                    values.update(player.values)
            rows.append(values)
        model_rows = [{k: v for k, v in r.items() if k in model.inputs} for r in rows]
        ev = _evaluate_rows(case, model_rows, keep=keep)
        results = Results(case, ev)
        for j, name in enumerate(figures):
            if name == COUNCIL_NPC:
                out[start : start + len(block), j] = [
                    comp.spin_out_cost(results, k, values=rows[k])[1]  # type: ignore[index]
                    for k in range(len(block))
                ]
            else:
                out[start : start + len(block), j] = np.asarray(ev.array(name), dtype=float)
    return out


def _shapley_exact(case, players: list[Change], figures: list[str]) -> np.ndarray:
    """Each player's Shapley value (rows) of each figure (columns), over all 2**k subsets."""
    k = len(players)
    masks = np.arange(1 << k)
    v = _scenario_values(case, players, masks, figures)
    size = np.array([bin(int(m)).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(k - s - 1) for s in range(k)]) / (
        math.factorial(k)
    )
    phi = np.zeros((k, len(figures)))
    for i in range(k):
        without = masks[(masks >> i) & 1 == 0]
        phi[i] = (weight[size[without]][:, None] * (v[without | (1 << i)] - v[without])).sum(0)
    return phi


def _shapley_sampled(case, players: list[Change], figures: list[str]) -> np.ndarray:
    """Shapley values estimated over :data:`SAMPLED_ORDERS` random orders (seed 0): in each
    order the players' marginal effects add up to the whole change, so their mean does."""
    k = len(players)
    rng = np.random.default_rng(0)
    orders = [rng.permutation(k) for _ in range(SAMPLED_ORDERS)]
    prefixes = {0}
    for order in orders:
        mask = 0
        for i in order:
            mask |= 1 << int(i)
            prefixes.add(mask)
    masks = np.array(sorted(prefixes), dtype=np.int64)
    index = {int(m): r for r, m in enumerate(masks)}
    v = _scenario_values(case, players, masks, figures)
    phi = np.zeros((k, len(figures)))
    for order in orders:
        mask = 0
        for i in order:
            after = mask | (1 << int(i))
            phi[int(i)] += v[index[after]] - v[index[mask]]
            mask = after
    return phi / len(orders)


def _acts_beyond_model(
    old, new_data: Mapping[str, Any], change: Change, single: np.ndarray, figures: list[str]
) -> bool:
    """Whether the old case with this one change made in its case file differs from the old
    case with the input overridden (the change also moves dates, rows or settings)."""
    from mutualfin.case.business_case import BusinessCase

    section, name = change.key.split(".", 1)
    data = copy.deepcopy(old.case_data)
    new_table = new_data.get(section, {})
    if name in new_table:
        data.setdefault(section, {})[name] = copy.deepcopy(new_table[name])
    else:
        data.get(section, {}).pop(name, None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumptionWarning)
            hybrid = BusinessCase.from_file(old.source_path, data=data)
            made = _figures(hybrid, hybrid.run())[0]
    except MutualfinError:
        return False  # not a valid case on its own: checked with the rest, in the total
    for j, fig in enumerate(figures):
        got = made.get(fig, float("nan"))
        if not abs(got - single[j]) <= _PENNY + 1e-9 * abs(got):
            return True
    return False


def diff(old: Any, new: Any) -> CaseDiff:
    """What changed from ``old`` to ``new`` (two business cases, or their case files' paths),
    and the bridge of the figures between them.

    Parameters
    ----------
    old, new : BusinessCase or path
        The earlier and the later version of a case.

    Returns
    -------
    CaseDiff
        ``changes`` (each input that differs, old and new values, whether attributed),
        ``bridge`` (the old figures, each input's part, what is not attributable by input,
        the new figures: NPV, lowest cash, closing reserves and the council's net present
        cost of the spin-out option), ``findings()`` in words. The parts of each figure add
        up to its total change (see the module's docstring for the method).

    Examples
    --------
    >>> import mutualfin as mf
    >>> d = mf.diff("models/youth_service.toml", "models/youth_service.toml")
    >>> d.changed, float(d.bridge.iloc[-1, 0] - d.bridge.iloc[0, 0])
    ([], 0.0)
    """
    old_case, new_case = _load(old, "old"), _load(new, "new")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        old_results, new_results = old_case.run(), new_case.run()
    changes, notes = _changes(old_case, new_case)
    old_fig, _ = _figures(old_case, old_results)
    new_fig, option = _figures(new_case, new_results)
    figures = [f for f in (*CASE_METRICS, COUNCIL_NPC) if f in old_fig and f in new_fig]
    for f in (*CASE_METRICS, COUNCIL_NPC):
        if (f in old_fig) != (f in new_fig):
            notes.append(
                f"{f.replace('_', ' ')} is a figure of only one of the cases, so it is not bridged."
            )
    if not figures:
        raise InputError("diff: the two cases share no figure to bridge (NPV, cash, reserves)")
    players = [c for c in changes if c.attributed]
    if players and old_case.case_data and old_case.source_path is not None:
        masks = np.array([0, *(1 << i for i in range(len(players)))], dtype=np.int64)
        single = _scenario_values(old_case, players, masks, figures)
        for i, change in enumerate(players):
            if _acts_beyond_model(old_case, new_case.case_data, change, single[i + 1], figures):
                change.reason = (
                    "it acts beyond the model's formulas too (it moves dates, rows or "
                    "settings as the case is built)"
                )
                change.values = {}
        players = [c for c in changes if c.attributed]
    k = len(players)
    if k == 0:
        phi = np.zeros((0, len(figures)))
        method = "no input attributed"
    elif k <= MAX_EXACT:
        phi = _shapley_exact(old_case, players, figures)
        method = (
            f"Shapley values over {k} changed input{'s' * (k != 1)}, exact: {1 << k} "
            "scenarios of the old case"
        )
    else:
        phi = _shapley_sampled(old_case, players, figures)
        method = (
            f"Shapley values over {k} changed inputs, estimated from {SAMPLED_ORDERS} random "
            "orders (seed 0); the parts add up exactly"
        )
    parts: dict[str, dict[str, float]] = {
        c.key: {f: float(phi[i, j]) for j, f in enumerate(figures)} for i, c in enumerate(players)
    }
    rest = {f: (new_fig[f] - old_fig[f]) - float(phi[:, j].sum()) for j, f in enumerate(figures)}
    unattributed = [c.key for c in changes if not c.attributed]
    if unattributed or any(abs(v) >= _PENNY for v in rest.values()):
        parts[NOT_ATTRIBUTABLE] = rest
        if unattributed:
            notes.append(
                f"{NOT_ATTRIBUTABLE}: the joint effect of {', '.join(unattributed)} (see each "
                "one's reason), measured after the attributed changes."
            )
        else:
            notes.append(
                f"{NOT_ATTRIBUTABLE}: what the attributed inputs, set in the old case's "
                "model, do not reproduce of the new case."
            )
    if COUNCIL_NPC in figures:
        notes.append(
            f"Council's net present cost: of the option {option or 'spinning the service out'}"
            ", after optimism bias, in real terms (the options appraisal's measure)."
        )
    old_name, new_name = _names(old_case, new_case)
    return CaseDiff(
        old_name=old_name,
        new_name=new_name,
        changes=changes,
        labels=_labels(figures, option),
        old_values={f: old_fig[f] for f in figures},
        new_values={f: new_fig[f] for f in figures},
        parts=parts,
        method=method,
        notes=notes,
    )


def _names(old, new) -> tuple[str, str]:
    """The two cases' names for the bridge: their files' names, with the folders that tell
    them apart where the names are the same (``v1/case.toml``, ``v2/case.toml``)."""
    paths = [getattr(c, "source_path", None) for c in (old, new)]
    if paths[0] is None or paths[1] is None:
        return tuple(  # type: ignore[return-value]
            p.name if p is not None else f"{w} ({c.name})"
            for p, w, c in zip(paths, ("old", "new"), (old, new), strict=True)
        )
    a, b = Path(paths[0]).resolve().parts, Path(paths[1]).resolve().parts
    if a[-1] != b[-1]:
        return a[-1], b[-1]
    if a == b:
        return a[-1], a[-1]
    depth = 2
    while depth < min(len(a), len(b)) and a[-depth:-1] == b[-depth:-1]:
        depth += 1
    return "/".join(a[-depth:]), "/".join(b[-depth:])
