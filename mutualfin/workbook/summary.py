"""The Summary sheet: the case's story on one printed page.

It opens with the findings in plain sentences, each with its figure, the test it is held to
and a red/amber/green status: the master check, cash against the floor, reserves against the
target, the surplus margin (each a live formula: change an input and the sentence, figure and
status follow), then the options appraisal's ranking, the switching value nearest to changing
the decision and the probability of falling below the cash floor (values computed by
mutualfin, marked so). Below: the headline metrics, the statement by year with a total for
the whole period, a chart of closing cash against the floor, and the appraisal and Monte
Carlo tables.

On a timeline with months (the first years planned month by month) the statement by year
reads the lines by financial year (sheet "Statements by year"), a finding says where the
monthly trough falls and what the working-capital facility does about it, the facility's
peak and months drawn join the headline metrics, and a table of cash by month (closing
cash, the facility drawn and the floor, a row per period) stands beside them with its chart
in place of the chart by year.

Every formula cell is listed as an :class:`Extra` with the value Python gives it, so
verification proves the Summary as it proves the lines. Rows of the live blocks never depend
on whether an appraisal or a simulation was given (their findings always take one row each,
saying what to run when absent), so verify finds the same cells without them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import LineChart, Reference, ScatterChart, Series
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mutualfin.case.formatting import format_money, format_months
from mutualfin.case.results import COMPONENT_METRICS
from mutualfin.case.statements import FLOOR_TOLERANCE, STATEMENTS, annual_name, below_floor
from mutualfin.errors import WorkbookError
from mutualfin.workbook.charts import plain_line
from mutualfin.workbook.fingerprint import record_block
from mutualfin.workbook.layout import FIRST_PERIOD_COL, TOTAL_COL, quote_sheet

__all__ = ["RAG_RULES", "Extra", "plan_summary", "write_summary"]

#: the statement lines the summary shows by year, and its headline metrics: from the list
SUMMARY_LINES = [(s.name, s.short) for s in STATEMENTS if s.summary and s.kind != "metric"]
SUMMARY_METRICS = [(s.name, s.short) for s in STATEMENTS if s.summary and s.kind == "metric"]
#: the components' headline figures (the working-capital facility's), when the case has them
FACILITY_METRICS = list(COMPONENT_METRICS.items())
#: the table of cash by period on a timeline with months: where the trough is
SUMMARY_CASH_LINES = [
    ("closing_cash", "Closing cash"),
    ("facility_balance", "Working-capital facility drawn"),
]

#: the tests behind each status, in words (shown in the Summary's "Test" column)
RAG_RULES = {
    "checks": "every check OK: green; otherwise red",
    "cash": "below the floor: red; less than a month of costs above it: amber",
    "trough": "below the floor even with the facility: red; the facility drawn: amber",
    "reserves": "below target at the end: red; below in earlier years: amber",
    "margin": "2% or more: green; 0 to 2%: amber; a deficit: red",
    "appraisal": "a mutual first: green; within 5% of the first: amber",
    "switching": "decision changes with a move under 5%: amber",
    "risk": "under 10%: green; 10% to 25%: amber; 25% or more: red",
}
MARGIN_GREEN = 0.02
APPRAISAL_AMBER = 0.05
SWITCHING_AMBER = 0.05
RISK_AMBER, RISK_RED = 0.10, 0.25

#: Summary columns: A label, B total (whole period), C onwards one per period
LABEL_COL, SUM_TOTAL_COL, SUM_FIRST_COL = 1, 2, 3
#: findings: the sentence across A:E, then figure, test (across G:H) and status
SENTENCE_END = 5
FIGURE_COL, TEST_COL, STATUS_COL = 6, 7, 9
FIRST_FINDING_ROW = 6
#: the table of cash by period (on months): period, closing cash, facility drawn, floor
CASH_COL = STATUS_COL + 1
#: the format of the month of the trough, as a finding's figure
MONTH_FORMAT = "mmm yyyy"
#: the row of the STALE flag of the Summary's values computed by mutualfin (findings, the
#: appraisal and Monte Carlo tables): under the title, where it is read first
FLAG_ROW = 4
RAG_FILLS = {
    "GREEN": PatternFill("solid", fgColor="C6EFCE"),
    "AMBER": PatternFill("solid", fgColor="FFEB9C"),
    "RED": PatternFill("solid", fgColor="FFC7CE"),
}


@dataclass(frozen=True)
class Extra:
    """A formula cell outside the line rows, and what it must equal.

    ``kind``: "line" (value of a line), "abs_sum", "status", "master" (Checks), or "value"
    (``expected`` worked out in Python when the Summary was planned)."""

    sheet: str
    row: int
    col: int
    formula: str
    kind: str
    line: str = ""
    period: int | None = None
    lines: tuple[str, ...] = ()
    expected: tuple[str, Any, str] | None = None
    number_format: str = ""


def cell_ref(sheet: str, row: int, col: int, absolute: bool = True) -> str:
    c = get_column_letter(col)
    ref = f"${c}${row}" if absolute else f"{c}{row}"
    return f"{quote_sheet(sheet)}!{ref}"


@dataclass
class Finding:
    """One row of the findings: a sentence (text, or a live IF formula), its figure, the
    test and the status."""

    row: int
    sentence: str
    figure: Any = None
    figure_format: str = "General"
    test: str = ""
    status: str = ""  # a formula, or GREEN/AMBER/RED, or "" (no status)
    live: bool = True


@dataclass
class SummaryPlan:
    findings: list[Finding]
    extras: list[Extra]
    metrics_head: int
    metric_rows: dict[str, int]
    year_head: int
    year_rows: dict[str, int]
    floor_row: int | None
    after: int
    #: on months: the header row of the table of cash by period, and its columns by line
    cash_head: int | None = None
    cash_cols: dict[str, int] | None = None


def _fmt(unit: str) -> str:
    from mutualfin.workbook.writer import number_format

    return "#,##0" if unit == "count" else number_format(unit)


def _metric_value(ev, name: str) -> float:
    arr = ev.values[name]
    return float(arr[0, 0, 0]) if arr.ndim == 3 else float(np.ravel(arr)[0])


def plan_summary(results, layout, appraisal=None, risk=None) -> SummaryPlan:
    """Where every Summary row goes and what each formula cell must equal."""
    from mutualfin.case.statements import CHECK_TOLERANCE

    model = results.case.model
    ev = results.evaluation
    P = model.timeline.n
    monthly = model.timeline.freq != "annual"
    Y = model.annual_timeline.n  # the statement by year: financial years, also on months
    extras: list[Extra] = []
    findings: list[Finding] = []

    def yearly(name: str) -> str:
        """The line by financial year of a statement line (itself on an annual timeline)."""
        return annual_name(name) if monthly else name

    def link(name: str, col: int = TOTAL_COL, p: int | None = None) -> str | None:
        if name not in layout.lines:
            return None
        sheet, row = layout.lines[name]
        return cell_ref(sheet, row, col if p is None else FIRST_PERIOD_COL + p)

    def add(row, col, formula, desc, value, unit, fmt="", name="", period=None) -> None:
        extras.append(
            Extra(
                "Summary",
                row,
                col,
                formula,
                "value",
                line=name,
                period=period,
                expected=(desc, value, unit),
                number_format=fmt,
            )
        )

    def status_extra(row: int, formula: str, value: str, what: str) -> None:
        add(row, STATUS_COL, formula, f"summary status: {what}", value, "text")

    r = FIRST_FINDING_ROW
    # -- master check ------------------------------------------------------------------------
    checks = [s.name for s in STATEMENTS if s.section == "Checks" and s.name in layout.lines]
    ok = all(float(np.abs(ev.values[n][0]).sum()) < CHECK_TOLERANCE for n in checks)
    f = f"{_figure(r)}"
    sentence = (
        f'=IF({f}="OK","Every check passes (the master check on the Checks sheet).",'
        '"A check fails: see the Checks sheet before relying on any figure.")'
    )
    findings.append(
        Finding(
            r,
            sentence,
            "=Checks!$D$3",
            "General",
            RAG_RULES["checks"],
            f'=IF({f}="OK","GREEN","RED")',
        )
    )
    add(
        r,
        LABEL_COL,
        sentence,
        "summary finding: checks",
        "Every check passes (the master check on the Checks sheet)."
        if ok
        else "A check fails: see the Checks sheet before relying on any figure.",
        "text",
    )
    add(r, FIGURE_COL, "=Checks!$D$3", "summary master check", "OK" if ok else "ERROR", "text")
    status_extra(r, f'=IF({f}="OK","GREEN","RED")', "GREEN" if ok else "RED", "checks")
    r += 1
    # -- cash against the floor ------------------------------------------------------------
    # the cash floor is a case setting, not a workbook input: the statement table holds it
    # as data, and the findings and the chart read that cell
    floor = float(results.case.finance.inputs.cash_floor)
    trough = monthly and "minimum_cash" in layout.lines and "minimum_cash_date" in layout.lines
    live = (
        1
        + ("minimum_cash" in layout.lines)
        + trough
        + (
            "years_reserves_below_target" in layout.lines
            and yearly("reserves_below_target") in layout.lines
        )
        + ("surplus_margin" in layout.lines)
    )
    n_metrics = sum(1 for name, _ in _metrics() if name in layout.lines)
    n_years = sum(1 for name, _ in SUMMARY_LINES if yearly(name) in layout.lines)
    # findings (live ones, then three of values), a blank row, the metrics, a blank row, the
    # statement by year: the floor is the table's last row
    metrics_head = FIRST_FINDING_ROW + live + 3 + 1
    year_head = metrics_head + 1 + n_metrics + 1
    floor_row = year_head + 1 + n_years
    floor_ref = f"${get_column_letter(SUM_FIRST_COL)}${floor_row}"
    floor_less = f"{floor_ref}-{FLOOR_TOLERANCE}"  # (below it by half a penny or more)
    lowest = link("minimum_cash")
    costs = link(yearly("net_operating_costs"), p=0)  # the first year's: a month is a twelfth
    every = "month (planned month by month, then by year)" if monthly else "year"
    if lowest is not None:
        value = _metric_value(ev, "minimum_cash")
        month = float(ev.values[yearly("net_operating_costs")][0, 0, 0]) / 12 if costs else 0.0
        fig = _figure(r)
        viable = (
            f"Viable on cash: closing cash stays at or above the cash floor in every {every}; "
            "the figure is its lowest."
        )
        sentence = (
            f'=IF({fig}>={floor_less},"{viable}","Not viable on cash: '
            "closing cash falls below the cash floor; more funding, a facility or lower costs "
            'are needed.")'
        )
        month_ref = f"{costs}/12" if costs else "0"
        status = f'=IF({fig}<{floor_less},"RED",IF({fig}<{floor_ref}+{month_ref},"AMBER","GREEN"))'
        py_status = (
            "RED" if below_floor(value, floor) else "AMBER" if value < floor + month else "GREEN"
        )
        findings.append(
            Finding(
                r,
                sentence,
                "=" + lowest,
                _fmt("GBP"),
                f"cash floor {format_money(floor)}; " + RAG_RULES["cash"],
                status,
            )
        )
        add(
            r,
            LABEL_COL,
            sentence,
            "summary finding: cash",
            viable
            if not below_floor(value, floor)
            else "Not viable on cash: closing cash falls below the cash floor; more funding, a "
            "facility or lower costs are needed.",
            "text",
        )
        add(r, FIGURE_COL, "=" + lowest, "summary lowest closing cash", value, "GBP")
        status_extra(r, status, py_status, "cash")
        r += 1
    # -- the monthly trough and the facility (on months) -------------------------------------
    if trough:
        findings.append(_trough_finding(r, results, link, add, status_extra, floor_less, floor))
        r += 1
    # -- reserves against the target -------------------------------------------------------
    below = link("years_reserves_below_target")
    last_flag = link(yearly("reserves_below_target"), p=Y - 1)
    if below is not None and last_flag is not None:
        years = _metric_value(ev, "years_reserves_below_target")
        at_end = float(ev.values[yearly("reserves_below_target")][0, 0, Y - 1])
        sentence = (
            f'=IF({last_flag}>0,"Reserves are still below the target at the end of the period.",'
            f'IF({_figure(r)}>0,"Reserves reach the target by the end, after the years below it '
            '(the figure).","Reserves meet the target in every year."))'
        )
        text = (
            "Reserves are still below the target at the end of the period."
            if at_end > 0
            else "Reserves reach the target by the end, after the years below it (the figure)."
            if years > 0
            else "Reserves meet the target in every year."
        )
        status = f'=IF({last_flag}>0,"RED",IF({_figure(r)}>0,"AMBER","GREEN"))'
        py_status = "RED" if at_end > 0 else ("AMBER" if years > 0 else "GREEN")
        months = model.inputs.get("finance.reserves_target_months")
        target = f"target {format_months(months.value)} of costs; " if months is not None else ""
        findings.append(
            Finding(
                r,
                sentence,
                "=" + below,
                '[=1]0 "year";0 "years"',  # (1 year, 2 years)
                target + RAG_RULES["reserves"],
                status,
            )
        )
        add(r, LABEL_COL, sentence, "summary finding: reserves", text, "text")
        add(r, FIGURE_COL, "=" + below, "summary years below the reserves target", years, "count")
        status_extra(r, status, py_status, "reserves")
        r += 1
    # -- surplus margin ----------------------------------------------------------------------
    margin = link("surplus_margin")
    if margin is not None:
        value = _metric_value(ev, "surplus_margin")
        sentence = (
            f'=IF({_figure(r)}<0,"The mutual runs at a deficit over the period.",'
            f'IF({_figure(r)}<{MARGIN_GREEN},"The surplus over the period is thin (under 2% of '
            'income).","The mutual makes a surplus of at least 2% of income over the period."))'
        )
        text = (
            "The mutual runs at a deficit over the period."
            if value < 0
            else "The surplus over the period is thin (under 2% of income)."
            if value < MARGIN_GREEN
            else "The mutual makes a surplus of at least 2% of income over the period."
        )
        status = f'=IF({_figure(r)}<0,"RED",IF({_figure(r)}<{MARGIN_GREEN},"AMBER","GREEN"))'
        py_status = "RED" if value < 0 else ("AMBER" if value < MARGIN_GREEN else "GREEN")
        findings.append(Finding(r, sentence, "=" + margin, "0.0%", RAG_RULES["margin"], status))
        add(r, LABEL_COL, sentence, "summary finding: margin", text, "text")
        add(r, FIGURE_COL, "=" + margin, "summary surplus margin", value, "fraction")
        status_extra(r, status, py_status, "margin")
        r += 1
    # -- values computed by mutualfin: one row each, always ---------------------------------
    for finding in _value_findings(results, appraisal, risk, r):
        findings.append(finding)
        r += 1
    # -- headline metrics (live links) --------------------------------------------------------
    _planned(metrics_head, r + 1)
    r = metrics_head + 1
    metric_rows: dict[str, int] = {}
    for name, _label in _metrics():
        ref = link(name)
        if ref is None:
            continue
        line = model.lines[name]
        value = _metric_value(ev, name)
        unit = line.unit
        if math.isnan(value) and line.missing_text is not None:
            value, unit = line.missing_text_for(ev.values, 0), "text"
        fmt = MONTH_FORMAT if line.unit == "date" else _fmt(line.unit)  # (a period's first day)
        add(r, SUM_TOTAL_COL, "=" + ref, f"summary {name}", value, unit, fmt, name)
        metric_rows[name] = r
        r += 1
    # -- statement by year, a total for the whole period, the cash floor ----------------------
    _planned(year_head, r + 1)
    r = year_head + 1
    year_rows: dict[str, int] = {}
    for name, _label in SUMMARY_LINES:
        if yearly(name) not in layout.lines:
            continue
        line = model.lines[yearly(name)]
        values = ev.values[yearly(name)][0, 0]
        for p in range(Y):
            add(
                r,
                SUM_FIRST_COL + p,
                "=" + link(yearly(name), p=p).replace("$", ""),
                f"summary {name} {model.annual_timeline.labels[p]}",
                float(values[p]),
                line.unit,
                _fmt(line.unit),
                yearly(name),
                p,
            )
        if line.kind == "flow":
            first = get_column_letter(SUM_FIRST_COL)
            last = get_column_letter(SUM_FIRST_COL + Y - 1)
            add(
                r,
                SUM_TOTAL_COL,
                f"=SUM({first}{r}:{last}{r})",
                f"summary {name} total",
                float(values.sum()),
                line.unit,
                _fmt(line.unit),
            )
        year_rows[name] = r
        r += 1
    _planned(floor_row, r)
    r += 1
    # -- cash by period (on months), beside the metrics: a row per period ------------------
    cash_head, cash_cols = None, None
    if monthly:
        cash_head = metrics_head
        cash_cols = {}
        for name, _label in SUMMARY_CASH_LINES:
            if name not in layout.lines:
                continue
            col = CASH_COL + 1 + len(cash_cols)
            cash_cols[name] = col
            line = model.lines[name]
            values = ev.values[name][0, 0]
            for p in range(P):
                add(
                    cash_head + 1 + p,
                    col,
                    "=" + link(name, p=p).replace("$", ""),
                    f"summary {name} {model.timeline.labels[p]}",
                    float(values[p]),
                    line.unit,
                    _fmt(line.unit),
                    name,
                    p,
                )
    return SummaryPlan(
        findings,
        extras,
        metrics_head,
        metric_rows,
        year_head,
        year_rows,
        floor_row,
        r + 1,
        cash_head,
        cash_cols,
    )


def _metrics() -> list[tuple[str, str]]:
    """The headline metrics: the statements', then the components' (the facility's)."""
    return [*SUMMARY_METRICS, *FACILITY_METRICS]


def _trough_finding(r, results, link, add, status_extra, floor_less: str, floor: float):
    """Where the monthly trough falls (the figure, its month) and what the working-capital
    facility does about it: a live sentence and status (a case planned by month)."""
    ev = results.evaluation
    date = link("minimum_cash_date")
    when = _metric_value(ev, "minimum_cash_date")
    lowest = link("minimum_cash")
    low = _metric_value(ev, "minimum_cash")
    head = "Planned month by month, cash is lowest at the end of the month in the figure"
    peak_ref, short_ref = link("facility_peak"), link("facility_largest_shortfall")
    if peak_ref is not None and short_ref is not None:
        peak = _metric_value(ev, "facility_peak")
        short = _metric_value(ev, "facility_largest_shortfall")
        texts = (
            f"{head}: even with the working-capital facility fully drawn, cash falls below the "
            "floor there; raise the facility's limit.",
            f"{head}: the working-capital facility covers the trough, drawn to hold cash at "
            "the floor (its peak and months drawn are among the headline metrics).",
            f"{head}; the working-capital facility is never drawn.",
        )
        # (half a penny or more: a shortfall, a draw)
        short_on, peak_on = (f"{ref}>={FLOOR_TOLERANCE}" for ref in (short_ref, peak_ref))
        sentence = f'=IF({short_on},"{texts[0]}",IF({peak_on},"{texts[1]}","{texts[2]}"))'
        falls_short, drawn = short >= FLOOR_TOLERANCE, peak >= FLOOR_TOLERANCE
        text = texts[0] if falls_short else texts[1] if drawn else texts[2]
        status = f'=IF({short_on},"RED",IF({peak_on},"AMBER","GREEN"))'
        py_status = "RED" if falls_short else "AMBER" if drawn else "GREEN"
        test = RAG_RULES["trough"]
    else:
        texts = (
            f"{head}, below the cash floor: a working-capital facility ([facility] in the case "
            "file) or more opening cash would cover it.",
            f"{head}, at or above the cash floor.",
        )
        sentence = f'=IF({lowest}<{floor_less},"{texts[0]}","{texts[1]}")'
        text = texts[0] if below_floor(low, floor) else texts[1]
        status = f'=IF({lowest}<{floor_less},"RED","GREEN")'
        py_status = "RED" if below_floor(low, floor) else "GREEN"
        test = "below the floor: red; at or above it: green"
    add(r, LABEL_COL, sentence, "summary finding: monthly trough", text, "text")
    add(r, FIGURE_COL, "=" + date, "summary month of the lowest cash", when, "date", MONTH_FORMAT)
    status_extra(r, status, py_status, "trough")
    return Finding(r, sentence, "=" + date, MONTH_FORMAT, test, status)


def _planned(planned: int, actual: int) -> None:
    if planned != actual:
        raise WorkbookError(f"the Summary's rows were planned wrongly: row {planned}, not {actual}")


def _figure(row: int) -> str:
    """The figure cell of a findings row, absolute."""
    return f"${get_column_letter(FIGURE_COL)}${row}"


def _value_findings(results, appraisal, risk, row: int) -> list[Finding]:
    """The appraisal's ranking, the nearest switching value and the probability of falling
    below the cash floor: values computed by mutualfin (one row each, saying what to run
    when absent)."""
    out: list[Finding] = []
    tag = " (values computed by mutualfin)"
    if appraisal is not None and len(appraisal.table):
        table = appraisal.table
        kinds = {o.name: o.kind for o in appraisal.options}
        first = table.index[0]
        measure = "net present social value" if appraisal.monetised else "net present cost"
        mutuals = [o for o in table.index if str(kinds.get(o, "")).startswith("mutual")]
        sentence = appraisal.findings[0] if appraisal.findings else f"{first} ranks first."
        if not mutuals:
            out.append(
                Finding(
                    row,
                    sentence + " No mutual option is appraised.",
                    None,
                    "",
                    RAG_RULES["appraisal"] + tag,
                    "AMBER",
                    live=False,
                )
            )
        else:
            best = mutuals[0]
            gap = abs(float(table.loc[first, measure]) - float(table.loc[best, measure]))
            base = abs(float(table.loc[first, "net present cost"])) or 1.0
            if best == first:
                status = "GREEN"
                if len(table) > 1:  # the figure: how far ahead of the runner-up
                    gap = abs(float(table.iloc[0][measure]) - float(table.iloc[1][measure]))
            else:
                status = "AMBER" if gap / base <= APPRAISAL_AMBER else "RED"
                sentence += (
                    f" The best mutual option, {best}, ranks {int(table.loc[best, 'rank'])}, "
                    f"{format_money(gap)} behind on {measure}."
                )
            out.append(
                Finding(
                    row,
                    sentence,
                    gap,
                    _fmt("GBP"),
                    RAG_RULES["appraisal"] + tag,
                    status,
                    live=False,
                )
            )
    else:
        out.append(
            Finding(
                row,
                "No options appraisal in this case: add an [appraisal] table "
                "to rank the options against keeping the service in-house.",
                live=False,
            )
        )
    row += 1
    sw = _nearest_switch(results, appraisal)
    if sw is not None:
        words, change = sw
        status = "AMBER" if abs(change) < SWITCHING_AMBER else "GREEN"
        out.append(
            Finding(
                row,
                "Nearest switching value: " + words,
                change,
                "0.0%",
                RAG_RULES["switching"] + tag,
                status,
                live=False,
            )
        )
    else:
        out.append(
            Finding(row, "No switching value: the appraisal has one option, or none.", live=False)
        )
    row += 1
    prob = _probability_below(risk)
    when = "year" if results.case.model.timeline.freq == "annual" else "month (or later year)"
    if prob is not None:
        p, n, floor = prob
        status = "RED" if p >= RISK_RED else ("AMBER" if p >= RISK_AMBER else "GREEN")
        sentence = (
            f"Risk: in {n:,} Monte Carlo scenarios, closing cash falls below the cash floor "
            f"({format_money(floor)}) in some {when} in {p:.1%} of them."
        )
        out.append(Finding(row, sentence, p, "0.0%", RAG_RULES["risk"] + tag, status, live=False))
    else:
        out.append(
            Finding(
                row,
                "No Monte Carlo run: run mutualfin with --simulate 10000 for the "
                "probability of falling below the cash floor.",
                live=False,
            )
        )
    return out


def _nearest_switch(results, appraisal) -> tuple[str, float] | None:
    """The switching value nearest to changing the decision: (in words, change)."""
    if appraisal is None or len(appraisal.options) < 2:
        return None
    frames = [appraisal.switching_values()]
    if not appraisal.input_switching.empty:
        frames.append(appraisal.input_switching)
    best: tuple[str, float] | None = None
    labels = {n: i.label for n, i in results.case.model.inputs.items()}
    for frame in frames:
        if frame.empty or "change" not in frame:
            continue
        for _, rec in frame.iterrows():
            change = rec.get("change")
            if change is None or pd.isna(change) or not rec.get("can occur", True):
                continue
            if best is None or abs(float(change)) < abs(best[1]):
                words = str(rec["in words"])
                name = rec.get("input")
                if isinstance(name, str) and name in labels:
                    words = words.replace(name, f'"{labels[name]}"')
                best = (words, float(change))
    return best


def _probability_below(risk) -> tuple[float, int, float] | None:
    if not risk or "summary" not in risk:
        return None
    summary = risk["summary"]
    items = {str(k): v for k, v in summary["value"].items()}
    p = next((v for k, v in items.items() if k.startswith("probability")), None)
    if p is None:
        return None
    n = int(items.get("scenarios", 0) or 0)
    floor = next((float(v) for k, v in items.items() if k.startswith("cash floor")), 0.0)
    return float(p), n, floor


def write_summary(wb, results, plan: SummaryPlan, appraisal=None, risk=None) -> None:
    """The Summary sheet from its plan (second in the workbook, after the Cover)."""
    from mutualfin.workbook.tables import _header_at, _values_table
    from mutualfin.workbook.writer import _TITLE_FONT, safe_text

    ws = wb.create_sheet("Summary", 2)
    model = results.case.model
    tl = model.annual_timeline  # the statement by year (financial years, also on months)
    safe_text(ws.cell(row=1, column=1), f"{results.case.name}: summary")
    ws.cell(row=1, column=1).font = _TITLE_FONT
    safe_text(
        ws.cell(row=2, column=1),
        "Live: the findings marked live, the metrics and the statement follow any change to "
        "the inputs. Values computed by mutualfin (appraisal, switching, Monte Carlo) do not: "
        "rerun mutualfin after changing inputs.",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=STATUS_COL)
    ws.cell(row=2, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 26
    head = FIRST_FINDING_ROW - 1
    _header_at(ws, head, 1, ["Findings", "", "", "", "", "Figure", "Test", "", "Status"])
    by_cell = {(e.row, e.col): e for e in plan.extras}
    for f in plan.findings:
        cell = ws.cell(row=f.row, column=1)
        if f.sentence.startswith("="):
            cell.value = f.sentence
        else:
            safe_text(cell, f.sentence)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=f.row, start_column=1, end_row=f.row, end_column=SENTENCE_END)
        text = by_cell[(f.row, 1)].expected[1] if (f.row, 1) in by_cell else f.sentence
        lines = max(math.ceil(len(str(text)) / 95), math.ceil(len(f.test) / 40), 1)
        ws.row_dimensions[f.row].height = 12.5 * lines
        if f.figure is not None:
            figure = f.figure
            if not f.live and isinstance(figure, int | float) and math.isfinite(figure):
                # a value computed by mutualfin, to 15 significant digits as the values tables
                # write theirs: openpyxl saves 16, and a figure such as 336,758.85125532746
                # (saved as ...2753) would round to 15 digits differently read back, so its
                # block's checksum would not hold
                figure = float(f"{float(figure):.15g}")
            fig = ws.cell(row=f.row, column=FIGURE_COL, value=figure)
            fig.number_format = f.figure_format
            fig.font = Font(bold=True)
            fig.alignment = Alignment(horizontal="right", vertical="top")
        t = ws.cell(row=f.row, column=TEST_COL)
        safe_text(t, f.test)
        ws.merge_cells(
            start_row=f.row, start_column=TEST_COL, end_row=f.row, end_column=STATUS_COL - 1
        )
        t.alignment = Alignment(wrap_text=True, vertical="top")
        t.font = Font(size=8)
        if f.status:
            s = ws.cell(row=f.row, column=STATUS_COL)
            if f.status.startswith("="):
                s.value = f.status
            else:
                safe_text(s, f.status)
                s.fill = RAG_FILLS[f.status]
            s.font = Font(bold=True)
            s.alignment = Alignment(horizontal="center", vertical="top")
    values = [f.row for f in plan.findings if not f.live]
    if values:  # computed in Python: a value block, flagged STALE when an input changes
        record_block(ws, "Summary: findings computed by mutualfin", min(values), max(values),
                     STATUS_COL, FLAG_ROW)  # fmt: skip
    first, last = FIRST_FINDING_ROW, plan.findings[-1].row
    rng = f"{get_column_letter(STATUS_COL)}{first}:{get_column_letter(STATUS_COL)}{last}"
    for word, fill in RAG_FILLS.items():
        ws.conditional_formatting.add(
            rng, CellIsRule(operator="equal", formula=[f'"{word}"'], fill=fill)
        )
    # headline metrics
    _header_at(ws, plan.metrics_head, 1, ["Headline metric", "Value"])
    labels = dict(_metrics())
    if results.case.model.timeline.freq == "annual":  # its date is a financial year's first day
        labels["minimum_cash_date"] = "Lowest closing cash in the year from"
    for name, row in plan.metric_rows.items():
        safe_text(ws.cell(row=row, column=1), labels[name])
        e = by_cell[(row, SUM_TOTAL_COL)]
        c = ws.cell(row=row, column=SUM_TOTAL_COL, value=e.formula)
        c.number_format, c.font = e.number_format, Font(bold=True)
        c.alignment = Alignment(horizontal="right")
    # statement by year
    _header_at(ws, plan.year_head, 1, ["Statement by year", "Total", *tl.labels])
    year_labels = dict(SUMMARY_LINES)
    for name, row in plan.year_rows.items():
        safe_text(ws.cell(row=row, column=1), year_labels[name])
    if plan.floor_row is not None:
        from mutualfin.workbook.writer import _DATA_FILL

        safe_text(ws.cell(row=plan.floor_row, column=1), "Cash floor (case setting)")
        floor = float(results.case.finance.inputs.cash_floor)
        for p in range(tl.n):
            c = ws.cell(row=plan.floor_row, column=SUM_FIRST_COL + p, value=floor)
            c.number_format, c.fill = _fmt("GBP"), _DATA_FILL
    for e in plan.extras:
        if e.row >= plan.year_head:
            c = ws.cell(row=e.row, column=e.col, value=e.formula)
            c.number_format = e.number_format
            if e.col == SUM_TOTAL_COL:
                c.font = Font(bold=True)
    if plan.cash_cols:
        _cash_by_period(ws, results, plan)
    elif "closing_cash" in plan.year_rows:
        chart = LineChart()
        chart.title = "Cash against the floor"
        chart.y_axis.numFmt = "£#,##0"
        chart.y_axis.title = None
        chart.height, chart.width = 6.2, 13.5
        lastc = SUM_FIRST_COL + tl.n - 1
        for row, title in (
            (plan.year_rows["closing_cash"], "Closing cash"),
            (plan.floor_row, "Cash floor"),
        ):
            if row is None:
                continue
            values = Reference(ws, min_col=SUM_FIRST_COL, max_col=lastc, min_row=row)
            chart.series.append(plain_line(Series(values, title=title)))
        chart.set_categories(
            Reference(ws, min_col=SUM_FIRST_COL, max_col=lastc, min_row=plan.year_head)
        )
        chart.legend.position = "b"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        ws.add_chart(chart, f"{get_column_letter(SUM_FIRST_COL + 1)}{plan.metrics_head}")
    r = plan.after
    table_heads = []
    if appraisal is not None:
        safe_text(
            ws.cell(row=r, column=1),
            "Options appraisal (values computed by mutualfin; detail on the Appraisal sheet)",
        )
        ws.cell(row=r, column=1).font = Font(bold=True)
        measure = (
            "net present social value" if appraisal.monetised else "difference from the cheapest"
        )
        table = appraisal.table.reset_index()[["option", "rank", "net present cost", measure]]
        table_heads.append(r + 1)
        end = _values_table(
            ws,
            table,
            r + 1,
            formats={"net present cost": "£#,##0", measure: "£#,##0;[Red]-£#,##0", "rank": "0"},
        )
        record_block(ws, "Summary: options appraisal", r, end - 1, table.shape[1], FLAG_ROW)
        r = end + 1
    headline = _risk_headline(risk)
    if headline is not None:
        safe_text(
            ws.cell(row=r, column=1),
            "Monte Carlo (values computed by mutualfin; detail on the Risk sheet)",
        )
        ws.cell(row=r, column=1).font = Font(bold=True)
        table_heads.append(r + 1)
        end = _values_table(
            ws,
            headline,
            r + 1,
            formats={
                "10th percentile": "£#,##0;[Red]-£#,##0",
                "median": "£#,##0;[Red]-£#,##0",
                "90th percentile": "£#,##0;[Red]-£#,##0",
            },
        )
        record_block(ws, "Summary: Monte Carlo", r, end - 1, headline.shape[1], FLAG_ROW)
        r = end + 1
    for row in table_heads:  # a table's header wraps rather than being cut
        for cell in ws[row][:STATUS_COL]:  # (not the cash by month beside it, on months)
            side = "left" if cell.column == 1 else "right"
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=side)
        ws.row_dimensions[row].height = 28
    _widths(ws, plan, tl.n)
    right = max(STATUS_COL, SUM_FIRST_COL + tl.n - 1)
    if plan.cash_cols:  # the table of cash by period: period, its lines, the floor
        right = CASH_COL + len(plan.cash_cols) + 1
        r = max(r, plan.cash_head + model.timeline.n + 1)
    ws.print_area = f"A1:{get_column_letter(right)}{r}"
    ws.page_setup.fitToHeight = 1


def _cash_by_period(ws, results, plan: SummaryPlan) -> None:
    """The table of cash by period beside the metrics (a row per month, then per year:
    closing cash and the facility drawn as links to the Statements, the floor as data) and
    its chart, beside the metrics in place of the chart by year: where the trough is, and
    what covers it."""
    from mutualfin.engine.nodes import date_serial
    from mutualfin.workbook.tables import _header_at
    from mutualfin.workbook.writer import _DATA_FILL, TIMELINE_ROWS, safe_text

    native = results.case.model.timeline
    labels = dict(SUMMARY_CASH_LINES)
    cols = plan.cash_cols or {}
    floor_col = CASH_COL + len(cols) + 1
    what = "Cash by month, then by year" if native.mixed else "Cash by month"
    head = plan.cash_head
    _header_at(
        ws,
        head,
        CASH_COL,
        [what, *[labels[n] for n in cols], "Cash floor (case setting)"],  # (£ in each cell)
    )
    ws.row_dimensions[head].height = max(ws.row_dimensions[head].height or 0, 40)
    for c in range(CASH_COL, floor_col + 1):
        side = "left" if c == CASH_COL else "right"
        ws.cell(row=head, column=c).alignment = Alignment(
            wrap_text=True, vertical="top", horizontal=side
        )
    floor = float(results.case.finance.inputs.cash_floor)
    # top-aligned: a row the table shares with a taller row of the tables beside it (a
    # wrapped header) keeps its figures under the row above, not at the foot of the row
    top = Alignment(vertical="top")
    top_right = Alignment(vertical="top", horizontal="right")
    for p, label in enumerate(native.labels):
        cell = ws.cell(row=head + 1 + p, column=CASH_COL)
        safe_text(cell, label)
        cell.alignment = top
        c = ws.cell(row=head + 1 + p, column=floor_col, value=floor)
        c.number_format, c.fill, c.alignment = _fmt("GBP"), _DATA_FILL, top_right
    for e in plan.extras:
        if e.col in cols.values() and head < e.row <= head + native.n:
            c = ws.cell(row=e.row, column=e.col, value=e.formula)
            c.number_format, c.alignment = e.number_format, top_right
    for c in range(CASH_COL, floor_col + 1):
        # (the first wide enough for its header, "Cash by month, then by year", in two lines)
        ws.column_dimensions[get_column_letter(c)].width = 12 if c > CASH_COL else 14
    # plotted against each period's last day (the Timeline's row of them), straight lines
    # between: a month and a financial year then take their own width (on a category axis,
    # the years after the months were spaced as months, and cash seemed to climb 12 times
    # as fast), and no smoothing draws cash where it never was
    chart = ScatterChart()
    chart.title = "Cash by month" + (", then by year" if native.mixed else "")
    chart.style = 2
    chart.y_axis.numFmt = "£#,##0"
    chart.y_axis.title = None
    chart.x_axis.number_format = "mmm yyyy"
    span = (native.ends[-1] - native.ends[0]).days
    chart.x_axis.majorUnit = 365.25 if span > 3 * 365 else 365.25 / 2  # (days)
    chart.x_axis.title = None
    chart.height, chart.width = 7.0, 13.5
    last = head + native.n
    ends = Reference(
        ws.parent["Timeline"],
        min_col=FIRST_PERIOD_COL,
        max_col=FIRST_PERIOD_COL + native.n - 1,
        min_row=TIMELINE_ROWS["period_end"],
    )
    for c in [*cols.values(), floor_col]:
        values = Reference(ws, min_col=c, min_row=head, max_row=last)
        chart.series.append(plain_line(Series(values, ends, title_from_data=True)))
    chart.x_axis.scaling.min = date_serial(native.ends[0])
    chart.x_axis.scaling.max = date_serial(native.ends[-1])
    chart.legend.position = "b"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    ws.add_chart(chart, f"{get_column_letter(SUM_FIRST_COL + 1)}{plan.metrics_head}")


def _risk_headline(risk) -> pd.DataFrame | None:
    """The figures a cabinet paper quotes from a Monte Carlo run, if the risk tables have it."""
    if not risk or "metric_percentiles" not in risk:
        return None
    pct = risk["metric_percentiles"]
    rows = []
    names = {
        "npv_before_financing": "NPV before financing",
        "minimum_cash": "Lowest closing cash",
        "closing_reserves": "Reserves at the end",
    }
    for name, label in names.items():
        if name in pct.index:
            rec = pct.loc[name]
            rows.append(
                {
                    "figure": label,
                    "10th percentile": rec.get("p10"),
                    "median": rec.get("p50"),
                    "90th percentile": rec.get("p90"),
                }
            )
    return pd.DataFrame(rows) if rows else None


def _widths(ws, plan: SummaryPlan, n: int) -> None:
    """Column A from its longest label outside the merged sentences; the rest from their
    figures and headers (a period column at least as wide as its label)."""
    widest = 24
    for row in ws.iter_rows(min_row=plan.metrics_head, max_col=1):
        v = row[0].value
        if (
            isinstance(v, str)
            and not v.startswith("=")
            and row[0].coordinate not in ws.merged_cells
        ):
            if row[0].font is None or not row[0].font.b or row[0].row in plan.year_rows.values():
                widest = max(widest, len(v) + 2)
    ws.column_dimensions["A"].width = min(widest, 46)
    for c in range(2, max(STATUS_COL, SUM_FIRST_COL + n - 1) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    for row in ws.iter_rows(
        min_row=plan.year_head, max_row=plan.year_head, max_col=SUM_FIRST_COL + n - 1
    ):
        for cell in row[1:]:
            cell.alignment = Alignment(horizontal="right")
