"""Charts for a business case: income and costs, cash and reserves, a savings waterfall, a
tornado, a Monte Carlo fan chart and the options appraisal.

Every function returns a :class:`Chart`, a :class:`matplotlib.figure.Figure` built directly
(no pyplot, no window, no global state), so it works in scripts, tests and notebooks alike: in
Jupyter it shows itself as the last expression of a cell (no ``%matplotlib inline`` needed),
and ``fig.savefig("chart.png", dpi=150)`` saves it as PNG, SVG or PDF by the file's suffix.
Money is labelled in pounds with thousands separators (``£4,200,000``), periods by their
financial-year labels (``2026/27``).

Conventions follow the case: income and costs are positive amounts, surplus = income - costs;
figures are nominal (cash) except the appraisal, which is in real base-year prices, discounted.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from mutualfin.analysis.risk import PERCENTILES
from mutualfin.case.formatting import format_months
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.analysis.appraisal import Appraisal
    from mutualfin.analysis.diff import CaseDiff
    from mutualfin.analysis.montecarlo import SimulationResult
    from mutualfin.case.business_case import Results

__all__ = [
    "Chart",
    "appraisal_bars",
    "bridge_chart",
    "cash_and_reserves",
    "cash_by_month",
    "fan_chart",
    "gbp",
    "income_vs_costs",
    "savings_waterfall",
    "tornado",
    "tornado_chart",
]

INCOME = "#4f81bd"
COST = "#c0504d"
SAVING = "#9bbb59"
TOTAL = "#1f3864"
TARGET = "#7f7f7f"


def gbp(value: float, _pos: Any = None) -> str:
    """Pounds with thousands separators and no pence: ``£4,200,000``, ``-£91,827``."""
    if value is None or not np.isfinite(value):
        return ""
    sign = "-" if round(value) < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


GBP = FuncFormatter(gbp)


class Chart(Figure):
    """A :class:`matplotlib.figure.Figure` that Jupyter shows without ``%matplotlib inline``.

    A Figure made without pyplot has no display hook in IPython, so a notebook would print
    ``<Figure size 900x500 with 1 Axes>``. A Chart gives IPython a PNG of itself
    (``_repr_png_``, the rich display protocol), so returning one from a cell shows the
    chart, in Jupyter, in VS Code and in the executed notebooks of the documentation. Where
    an inline backend is active its own display is used instead (one image, not two).
    Everything else is a Figure: ``chart.savefig("cash.svg")`` writes SVG, ``.pdf`` PDF.
    """

    #: resolution of the picture shown in a notebook (saving takes its own ``dpi``)
    display_dpi = 100

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=self.display_dpi, facecolor="white")
        return buffer.getvalue()


def _figure(width: float = 9, height: float = 5) -> Chart:
    return Chart(figsize=(width, height), layout="constrained")


def _line(results: Results, name: str) -> np.ndarray:
    """A line by financial year (scenario 0): on a timeline with months, its yearly line."""
    lines = results.case.model.lines
    if name not in lines:
        return np.zeros(results.case.model.annual_timeline.n)
    return np.asarray(results.annual_values(name)[0], dtype=float)


def _ticks(ax: Any, labels: list[str]) -> None:
    """Period labels on the x axis; a long timeline (months) shows every third, turned."""
    x = np.arange(len(labels))
    if len(labels) <= 12:
        ax.set_xticks(x, labels)
        return
    step = 3 if len(labels) <= 36 else 6
    keep = [k for k in x if k % step == 0 or k == len(labels) - 1]
    ax.set_xticks(keep, [labels[k] for k in keep], rotation=45, ha="right")


def _check_results(results: Any, what: str) -> None:
    if not hasattr(results, "evaluation") or not hasattr(results, "case"):
        hint = {
            "BusinessCase": "; run it first: case.run()",
            "Evaluation": "; these charts are of a business case's Results (case.run())",
        }.get(type(results).__name__, "")
        raise InputError(
            f"{what}: give the Results of case.run(), got {type(results).__name__}{hint}"
        )


# --------------------------------------------------------------------------------------------
def income_vs_costs(results: Results, *, title: str | None = None) -> Figure:
    """Income against costs by year, with the surplus before tax.

    Per year two bars: **total income** (``total_income``) and **total costs**: net
    operating costs (after savings), one-off costs and loan interest, the costs the surplus
    before tax is struck after. A line with markers shows ``surplus_before_tax`` (income -
    those costs). Nominal pounds, one pair of bars per period of the case.
    """
    _check_results(results, "income_vs_costs")
    labels = results.case.model.annual_timeline.labels
    income = _line(results, "total_income")
    costs = (
        _line(results, "net_operating_costs")
        + _line(results, "one_off_costs")
        + _line(results, "loan_interest")
    )
    surplus = _line(results, "surplus_before_tax")
    fig = _figure()
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.bar(x - 0.2, income, width=0.4, color=INCOME, label="Total income")
    ax.bar(x + 0.2, costs, width=0.4, color=COST, label="Total costs (net of savings)")
    ax.plot(x, surplus, color=TOTAL, marker="o", label="Surplus (deficit) before tax")
    for k, value in enumerate(surplus):
        ax.annotate(
            gbp(value),
            (x[k], value),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize="small",
            color=TOTAL,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(GBP)
    ax.set_ylabel("£ a year (nominal)")
    ax.set_title(title or f"Income and costs by year: {results.case.name}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def cash_and_reserves(
    results: Results,
    target_months: float | None = None,
    *,
    title: str | None = None,
    ax: Any = None,
) -> Figure:
    """Closing cash and reserves at each year end against the reserves target.

    The target is ``target_months`` months of operating cost (net operating costs plus
    one-off costs, the case's ``monthly_operating_cost`` line) in each year; by default the
    case's ``finance.reserves_target_months``. Three lines: closing cash, reserves, target
    (dashed); the cash floor is drawn as a thin line at its value. ``ax``: draw on these
    axes of an existing figure (a page of a report) instead of a new figure.
    """
    _check_results(results, "cash_and_reserves")
    fin = results.case.finance.inputs
    months = float(fin.reserves_target_months if target_months is None else target_months)
    if not 0 <= months <= 60:
        raise InputError(
            f"cash_and_reserves: target_months {months!r} must be months of operating cost, "
            "0 to 60 (e.g. 3)"
        )
    labels = results.case.model.annual_timeline.labels
    cash = _line(results, "closing_cash")
    reserves = _line(results, "reserves")
    target = _line(results, "monthly_operating_cost") * months
    if ax is None:
        fig = _figure()
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    x = np.arange(len(labels))
    ax.plot(x, cash, color=INCOME, marker="o", linewidth=2, label="Closing cash")
    ax.plot(x, reserves, color=TOTAL, marker="s", linewidth=2, label="Reserves")
    ax.plot(
        x,
        target,
        color=TARGET,
        linestyle="--",
        linewidth=1.5,
        label=f"Reserves target ({format_months(months)} of operating cost)",
    )
    floor = float(fin.cash_floor)
    ax.axhline(floor, color=COST, linewidth=0.8, label=f"Cash floor ({gbp(floor)})")
    ax.set_xticks(x, labels)
    ax.yaxis.set_major_formatter(GBP)
    ax.set_ylabel("£ at the year end (nominal)")
    ax.set_title(title or f"Cash and reserves: {results.case.name}")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def cash_by_month(results: Results, *, title: str | None = None) -> Figure:
    """Closing cash period by period (months, then years on a mixed timeline), the
    working-capital facility drawn, and the cash floor: where the trough is and what covers
    it. The lowest closing cash is marked with its amount and month."""
    _check_results(results, "cash_by_month")
    frame = results.monthly_cash
    labels = list(frame.index)
    x = np.arange(len(labels))
    fig = _figure(9, 4)
    ax = fig.add_subplot()
    cash = frame["closing cash"].to_numpy(float)
    ax.plot(x, cash, color=INCOME, marker="o", markersize=3, linewidth=2, label="Closing cash")
    if "facility balance" in frame:
        ax.bar(x, frame["facility balance"], color=COST, alpha=0.5, label="Facility drawn")
    floor = float(results.case.finance.inputs.cash_floor)
    ax.axhline(floor, color=COST, linewidth=0.8, label=f"Cash floor ({gbp(floor)})")
    low = int(np.argmin(cash))
    ax.annotate(
        f"lowest {gbp(cash[low])}, {labels[low]}",
        (x[low], cash[low]),
        xytext=(10, 12),
        textcoords="offset points",
        fontsize="small",
        color=TOTAL,
    )
    _ticks(ax, labels)
    ax.yaxis.set_major_formatter(GBP)
    ax.set_ylabel("£ at the period end (nominal)")
    ax.set_title(title or f"Cash by month: {results.case.name}")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def savings_waterfall(
    in_house_cost: float,
    changes: Mapping[str, float],
    *,
    start_label: str = "In-house cost",
    end_label: str = "Mutual cost",
    title: str | None = None,
    period: str | None = None,
) -> Figure:
    """A waterfall from the in-house cost of the service to its cost as a mutual.

    Parameters
    ----------
    in_house_cost : float
        The cost of the service in-house (GBP a year, positive), the first bar.
    changes : mapping of label to GBP
        The steps from in-house to mutual, in order, each a signed amount: **negative for a
        saving** (drawn green, going down), positive for an extra cost (red, going up), e.g.
        ``{"Management delayering": -150_000, "Support services bought back": 263_000,
        "Irrecoverable VAT": 90_000, "Lower staff turnover": -11_000}``.
    start_label, end_label : str
        Labels of the first and last bars.
    period : str, optional
        The year the figures are for ("2026/27"), shown in the title.

    Returns
    -------
    Figure
        ``len(changes) + 2`` bars: the in-house cost, one floating bar per change, and the
        mutual cost = in_house_cost + sum(changes) (drawn from zero). Each bar is labelled
        with its amount.
    """
    try:
        start = float(in_house_cost)
        steps = [(str(k), float(v)) for k, v in dict(changes).items()]
    except (TypeError, ValueError):
        raise InputError(
            "savings_waterfall: give in_house_cost as a number and changes as a mapping of "
            "label to a signed amount in pounds (negative = saving)"
        ) from None
    if not np.isfinite(start) or start < 0:
        raise InputError(f"savings_waterfall: in_house_cost {in_house_cost!r} must be 0 or more")
    end = start + sum(v for _, v in steps)
    fig = _figure(max(8, 1.3 * (len(steps) + 2)), 5.5)
    ax = fig.add_subplot()
    names = [start_label, *(k for k, _ in steps), end_label]
    x = np.arange(len(names))
    bottoms, heights, colours, amounts = [0.0], [start], [TOTAL], [start]
    level = start
    for _, v in steps:
        bottoms.append(level + min(v, 0.0))
        heights.append(abs(v))
        colours.append(SAVING if v < 0 else COST)
        amounts.append(v)
        level += v
    bottoms.append(0.0)
    heights.append(end)
    colours.append(TOTAL)
    amounts.append(end)
    bars = ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for k, (bar, amount) in enumerate(zip(bars, amounts, strict=True)):
        text = (
            gbp(amount) if k in (0, len(amounts) - 1) else ("+" if amount > 0 else "") + gbp(amount)
        )
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize="small",
        )
    for k in range(len(x) - 1):  # connectors between the bars
        top = start if k == 0 else bottoms[k] + (heights[k] if amounts[k] > 0 else 0.0)
        if 0 < k < len(x) - 1 and amounts[k] < 0:
            top = bottoms[k]
        ax.plot([k + 0.3, k + 0.7], [top, top], color="black", linewidth=0.6)
    ax.set_xticks(x, names, rotation=20, ha="right")
    ax.yaxis.set_major_formatter(GBP)
    lowest = min(min(b for b in bottoms[1:-1]) if steps else start, end)
    floor = max(0.0, lowest - 0.25 * (start - lowest + abs(end - start) + 1))
    ax.set_ylim(floor, None)
    ax.set_ylabel("£ a year" + (" (axis does not start at £0)" if floor > 0 else ""))
    when = f", {period}" if period else ""
    ax.set_title(title or f"From {start_label.lower()} to {end_label.lower()}{when}")
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def bridge_chart(diff: CaseDiff, figure: str | None = None, *, title: str | None = None) -> Figure:
    """A waterfall of :func:`mutualfin.diff`'s bridge: from the old case's figure, one
    floating bar per changed input (and one for what is not attributable by input), to the
    new case's.

    Parameters
    ----------
    diff : CaseDiff
        From ``mutualfin.diff(old, new)``.
    figure : str, optional
        Which figure: ``"npv_before_financing"`` (default), ``"minimum_cash"``,
        ``"closing_reserves"`` or ``"council_net_present_cost"`` (the keys of
        ``diff.labels``).

    Bars that move a figure the good way are green (up for the mutual's NPV, cash and
    reserves; down for the council's cost), the others red; each is labelled with its amount.
    """
    if not hasattr(diff, "parts") or not hasattr(diff, "labels"):
        raise InputError(
            f"bridge_chart: give the result of mutualfin.diff(old, new), got {type(diff).__name__}"
        )
    figure = figure or next(iter(diff.labels))
    if figure not in diff.labels:
        raise InputError(
            f"bridge_chart: figure {figure!r} is not in the bridge; give one of "
            f"{', '.join(diff.labels)}"
        )
    from mutualfin.analysis.diff import COUNCIL_NPC

    lower_is_better = figure == COUNCIL_NPC
    start, end = diff.old_values[figure], diff.new_values[figure]
    steps = [(row, parts[figure]) for row, parts in diff.parts.items()]
    names = [f"Old: {diff.old_name}", *(r for r, _ in steps), f"New: {diff.new_name}"]
    fig = _figure(max(8, 1.3 * len(names)), 5.5)
    ax = fig.add_subplot()
    x = np.arange(len(names))
    bottoms, heights, colours, amounts = [0.0], [start], [TOTAL], [start]
    level = start
    for _, v in steps:
        bottoms.append(level + min(v, 0.0))
        heights.append(abs(v))
        good = (v < 0) if lower_is_better else (v > 0)
        colours.append(SAVING if good else COST)
        amounts.append(v)
        level += v
    bottoms.append(0.0)
    heights.append(end)
    colours.append(TOTAL)
    amounts.append(end)
    bars = ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for k, (bar, amount) in enumerate(zip(bars, amounts, strict=True)):
        ends = k in (0, len(amounts) - 1)
        text = gbp(amount) if ends else ("+" if amount > 0 else "") + gbp(amount)
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize="small",
        )
    level = start
    for k, (_, v) in enumerate([("", 0.0), *steps]):  # connectors at each running level
        level += v
        ax.plot([k + 0.3, k + 0.7], [level, level], color="black", linewidth=0.6)
    ax.set_xticks(x, names, rotation=20, ha="right")
    ax.yaxis.set_major_formatter(GBP)
    values = [start, end, *(b for b in bottoms[1:-1])]
    low, high = (
        min(values),
        max(start, end, *(b + h for b, h in zip(bottoms, heights, strict=True))),
    )
    note = ""
    if low > 0:
        floor = max(0.0, low - 0.25 * (high - low + 1))
        ax.set_ylim(floor, high + 0.1 * (high - floor))
        note = " (axis does not start at £0)" if floor > 0 else ""
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("£" + note)
    heading = title or f"{diff.labels[figure]}: from {diff.old_name} to {diff.new_name}"
    ax.set_title("\n".join(textwrap.wrap(heading, 70)))
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def _metric_label(name: str) -> str:
    """The readable name of a case metric (from the statement list), for chart titles."""
    from mutualfin.case.statements import statement

    s = statement(name)
    if s is None:
        return name
    text = s.short
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def _pounds(axis: Any) -> None:
    """Tick labels in thousands of pounds (``£1,250k``, ``-£300k``), without a 1e6 offset."""
    from matplotlib.ticker import FuncFormatter

    def fmt(x: float, _: Any) -> str:
        return f"{'-' if x < 0 else ''}£{abs(x) / 1e3:,.0f}k"

    axis.set_major_formatter(FuncFormatter(fmt))


def tornado_chart(
    table: pd.DataFrame, *, top: int | None = None, title: str | None = None
) -> Figure:
    """A tornado chart of :func:`mutualfin.risk.tornado`'s table: two bars per input from the base.

    Parameters
    ----------
    table : DataFrame
        From :func:`mutualfin.risk.tornado` (widest first; drawn widest at the top).
    top : int, optional
        Draw only the ``top`` widest inputs.
    title : str, optional
        Defaults to "Sensitivity of <metric>".

    Returns
    -------
    matplotlib.figure.Figure
        One axes; per input a bar from the base to the metric at the input's low value and
        one to its high value (``2 x rows`` patches), and a vertical line at the base. Drawn
        on a plain :class:`~matplotlib.figure.Figure` (no pyplot, no window): save it with
        ``fig.savefig(path)``.
    """
    need = {"input", "metric_at_low", "metric_at_high", "base"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise InputError(f"tornado_chart: give the table from tornado(), with columns {need}")
    rows = table.head(top) if top is not None else table
    n = len(rows)
    fig = _figure(11, 1.4 + 0.45 * max(n, 1))
    ax = fig.add_subplot()
    base = float(rows["base"].iloc[0]) if n else 0.0
    y = np.arange(n)[::-1]  # widest at the top
    low = rows["metric_at_low"].to_numpy(float) - base
    high = rows["metric_at_high"].to_numpy(float) - base
    ax.barh(y, low, left=base, color="#c0504d", label="input at low value", height=0.6)
    ax.barh(y, high, left=base, color="#4f81bd", label="input at high value", height=0.6)
    ax.axvline(base, color="black", linewidth=1)
    labels = [str(v) for v in rows.get("label", rows["input"])]
    ax.set_yticks(y, labels)
    metric = table.attrs.get("metric", "metric")
    ax.set_xlabel(metric)
    if table.attrs.get("unit", "GBP") == "GBP":
        _pounds(ax.xaxis)
    ax.set_title(title or f"Sensitivity of {metric}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def tornado(table: pd.DataFrame, *, top: int | None = 10, title: str | None = None) -> Figure:
    """A tornado chart of :func:`mutualfin.risk.tornado`'s table (widest effect at the top).

    Wraps :func:`mutualfin.risk.tornado_chart` and labels a money metric in pounds. Per
    input two bars from the base: red to the metric with the input at its low value, blue at
    its high value; the ``top`` widest inputs (10 by default, None for all).
    """
    if not isinstance(table, pd.DataFrame):
        hint = (
            "; make it first: mutualfin.risk.tornado(case)"
            if type(table).__name__ == "BusinessCase"
            else ""
        )
        raise InputError(
            f"tornado: give the table of mutualfin.risk.tornado(case), got "
            f"{type(table).__name__}{hint}"
        )
    metric = str(table.attrs.get("metric", ""))
    name = metric.split(" (")[0]
    readable = _metric_label(name) + metric[len(name) :]
    fig = tornado_chart(table, top=top, title=title or f"Sensitivity of {readable}")
    ax = fig.axes[0]
    if str(table.attrs.get("unit", "")).split("/")[0] == "GBP":
        ax.xaxis.set_major_formatter(GBP)
        ax.set_xlabel(f"{readable} (£)")
        for label in ax.get_xticklabels():
            label.set_rotation(20)
            label.set_horizontalalignment("right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def fan_chart(
    simulation: SimulationResult, lines: Any = None, *, title: str | None = None
) -> Figure:
    """Monte Carlo fan chart: median with the 5-95, 10-90 and 25-75 percentile bands by year.

    One axes per kept line (closing cash and reserves by default), with the cash floor dashed
    and the axes labelled in pounds; :meth:`mutualfin.risk.SimulationResult.fan_chart` draws
    the same chart.
    """
    if not all(hasattr(simulation, a) for a in ("lines", "floor", "case", "n")):
        raise InputError(
            f"fan_chart: give the result of mutualfin.risk.simulate, got "
            f"{type(simulation).__name__}"
        )
    names = (
        list(simulation.lines)
        if lines is None
        else ([lines] if isinstance(lines, str) else list(lines))
    )
    fig = _figure(8, 3.2 * len(names))
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    x = np.arange(simulation.case.timeline.n)
    labels = simulation.case.timeline.labels
    for ax, name in zip(axes, names, strict=True):
        p = np.percentile(simulation._line(name), PERCENTILES, axis=0)
        for (lo, hi), alpha in (((0, 6), 0.15), ((1, 5), 0.25), ((2, 4), 0.4)):
            ax.fill_between(
                x,
                p[lo],
                p[hi],
                color="#4f81bd",
                alpha=alpha,
                linewidth=0,
                label=f"{PERCENTILES[lo]}th to {PERCENTILES[hi]}th percentile",
            )
        ax.plot(x, p[3], color="#1f3864", linewidth=2, label="median")
        ax.axhline(simulation.floor, color="#c0504d", linestyle="--", linewidth=1, label="floor")
        _ticks(ax, labels)
        ax.set_title(simulation.case.model.lines[name].label)
        ax.legend(loc="upper left", fontsize="small")
    fig.suptitle(title or f"Monte Carlo, {simulation.n:,} scenarios: {simulation.case.name}")
    for ax in fig.axes:
        ax.yaxis.set_major_formatter(GBP)
        ax.set_ylabel("£ at the year end (nominal)")
        ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------------------------
def appraisal_bars(appraisal: Appraisal, *, title: str | None = None) -> Figure:
    """Net present cost of each option, stacked by cost, cheapest first.

    One stacked bar per option of :func:`mutualfin.appraisal.appraise`: each cost's present
    value (real base-year prices, Green Book discounting) and the optimism bias on top
    (hatched), with the option's net present cost written above its bar and the preferred
    (cheapest) option named in the subtitle.
    """
    if not hasattr(appraisal, "present_values") or not hasattr(appraisal, "table"):
        hint = (
            "; appraise it first: case.appraise(results)"
            if type(appraisal).__name__ in ("Results", "BusinessCase")
            else ""
        )
        raise InputError(
            f"appraisal_bars: give the result of mutualfin.appraise, got "
            f"{type(appraisal).__name__}{hint}"
        )
    import textwrap

    table = appraisal.table
    options = list(table.index)
    costs: list[str] = []
    for opt in options:
        for cost in appraisal.present_values[opt]:
            if cost not in costs and not cost.startswith("optimism bias"):
                costs.append(cost)
    fig = _figure(max(7, 2.2 * len(options) + 3), 5.5)
    ax = fig.add_subplot()
    x = np.arange(len(options))
    up = np.zeros(len(options))  # costs stack up from 0
    down = np.zeros(len(options))  # savings and receipts stack down from 0
    colours = [matplotlib.colormaps["tab20"](k % 20) for k in range(len(costs))]
    for k, cost in enumerate(costs):
        values = np.array([appraisal.present_values[o].get(cost, 0.0) for o in options])
        if not values.any():
            continue
        pos, neg = np.maximum(values, 0), np.minimum(values, 0)
        label = cost
        if pos.any():
            ax.bar(x, pos, bottom=up, width=0.55, color=colours[k], label=label)
            up += pos
            label = None
        if neg.any():
            ax.bar(x, neg, bottom=down, width=0.55, color=colours[k], label=label, alpha=0.8)
            down += neg
    bias = np.array(
        [
            sum(v for c, v in appraisal.present_values[o].items() if c.startswith("optimism bias"))
            for o in options
        ]
    )
    if bias.any():
        ax.bar(
            x,
            bias,
            bottom=up,
            width=0.55,
            color="white",
            edgecolor=COST,
            hatch="//",
            label="optimism bias",
        )
        up += bias
    totals = table["net present cost"].to_numpy(float)
    if down.any():  # the net present cost is the costs less the savings: mark it
        ax.scatter(x, totals, marker="_", s=900, color="black", zorder=5, label="net present cost")
        ax.axhline(0, color="black", linewidth=0.8)
    for k, total in enumerate(totals):
        ax.annotate(
            f"NPC {gbp(total)}",
            (x[k], up[k]),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            fontweight="bold",
        )
    ax.set_xticks(x, [textwrap.fill(o, 18) for o in options])
    ax.yaxis.set_major_formatter(GBP)
    ax.set_ylabel(f"Present value, £ ({appraisal.base_year} prices)")
    top = up.max() * 1.12 if up.max() > 0 else 1
    ax.set_ylim(down.min() * 1.12 if down.min() < 0 else 0, top)
    ax.set_title(
        title
        or f"Options appraisal: net present cost to the council, {appraisal.years[0]} to "
        f"{appraisal.years[-1]}\npreferred: {appraisal.preferred}",
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return fig
