"""The financial implications section of a cabinet paper, as a two-page PDF.

A council report on spinning a service out carries a "financial implications" section,
written or cleared by the section 151 officer (Local Government Act 1972 s.151): what the
option costs and earns, whether it stays solvent, how it compares with the alternatives and
how sure the figures are. :func:`write_report` lays that out from a case run, A4 portrait:

page 1
    the case's name, organisation, version and status; the findings in sentences; the key
    figures by year (income, costs, surplus, cash, reserves); the cash and reserves chart
page 2
    the commissioner's options appraisal ranked (Green Book, real terms, after optimism
    bias) with its findings; the risk headline (Monte Carlo: the range of NPV, the chance
    of running out of cash, the input driving it most); where the figures came from (the case
    file and roster with their SHA-256 checksums, the mutualfin version, the date)

Every figure is one the workbook shows (the same run), formatted by its unit. The PDF is drawn
with matplotlib (no other dependency) and written in one step, never left half-written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from mutualfin.case.formatting import format_money, format_months, format_value
from mutualfin.case.statements import FLOOR_TOLERANCE, HEADLINE_NPV, below_floor, statement
from mutualfin.errors import InputError, WorkbookError
from mutualfin.params import held_parameter

__all__ = ["KEY_LINES", "findings", "risk_headline", "write_report"]

#: the lines of the key table (flows have a total column; balances do not)
KEY_LINES = (
    ("total_income", "flow"),
    ("council_income", "flow"),
    ("net_operating_costs", "flow"),
    ("one_off_costs", "flow"),
    ("corporation_tax", "flow"),
    ("surplus_after_tax", "flow"),
    ("closing_cash", "balance"),
    ("reserves", "balance"),
)

_A4 = (8.27, 11.69)  # inches, portrait
_LEFT, _WIDTH = 0.08, 0.84
_LINE = 0.0155  # the height of a 9-point line, as a fraction of the page
_BULLET = 0.02  # a bulleted sentence's indent, as a fraction of the page's width
# the width a line of text may take, in points, less 3%: a raster preview hints the glyphs,
# up to 2% wider than the PDF sets them
_TEXT_WIDTH = _WIDTH * _A4[0] * 72.0 * 0.97
_TEXT_TO_PATH = TextToPath()

#: the topics of the parameter files (mutualfin/params/data), in words
_TOPICS = {
    "apprenticeship_levy": "Apprenticeship Levy",
    "auto_enrolment": "automatic enrolment",
    "business_rates": "business rates",
    "cpi": "CPI",
    "ct": "corporation tax",
    "gdp_deflator": "GDP deflator",
    "gilts": "gilt yields",
    "greenbook": "Green Book",
    "lgps": "LGPS",
    "nhs_pension": "NHS Pension Scheme",
    "ni": "National Insurance",
    "redundancy": "redundancy",
    "tps": "Teachers' Pension Scheme",
    "turnover": "turnover",
    "vat": "VAT",
}


def _text_width(text: str, size: float) -> float:
    """The width in points of ``text`` set at ``size`` points in the report's font (the
    font's own metrics, as the PDF sets it)."""
    prop = FontProperties(size=size)
    return _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)[0]


def _wrap(text: str, width: float, size: float = 9) -> list[str]:
    """``text`` broken into lines at most ``width`` points wide at ``size`` points, measured
    (a count of characters let lines of wide characters, such as a checksum's digits, run past
    the margin); a word wider than a line is broken inside."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if _text_width(trial, size) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        while _text_width(word, size) > width:
            cut = len(word) - 1
            while cut > 1 and _text_width(word[:cut], size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines or [""]


def _fit_line(text: str, width: float, size: float) -> str:
    """``text`` on one line at most ``width`` points wide at ``size`` points, cut at a word
    with an ellipsis if longer (the running header)."""
    if _text_width(text, size) <= width:
        return text
    words = text.split()
    while len(words) > 1 and _text_width(" ".join(words) + " \u2026", size) > width:
        words.pop()
    return " ".join(words) + " \u2026"


def _pounds(text: str) -> str:
    """An input's label as the paper writes money: "(GBP a year)" as "(£ a year)"."""
    return re.sub(r"\bGBP\b", "£", text)


def _short(name: str) -> str:
    s = statement(name)
    return s.short if s is not None else name.replace("_", " ")


def _money(value: float) -> str:
    return format_money(float(value))


def findings(results, appraisal=None, simulation=None) -> list[str]:
    """The case's findings in sentences, each figure as the workbook shows it: income,
    surplus, lowest cash, reserves, NPV; with an ``appraisal``, the option ranked first; with
    a ``simulation``, the chance of cash below the floor."""
    case = results.case
    labels = case.model.annual_timeline.labels  # by financial year, also from months
    period = f"the {len(labels)} years {labels[0]} to {labels[-1]}"
    m = results.metrics
    income = np.asarray(results.annual_values("total_income")[0], dtype=float)
    out = [
        f"Over {period} the mutual's income is {_money(income.sum())}, "
        f"{results.metric_text('council_income_share')} of it from the parent council.",
    ]
    surplus = float(m["total_surplus_after_tax"])
    margin = results.metric_text("surplus_margin")
    if surplus >= 0:
        out.append(f"It makes a surplus after tax of {_money(surplus)} ({margin} of income).")
    else:
        out.append(f"It makes a deficit after tax of {_money(-surplus)} ({margin} of income).")
    lowest = float(m["minimum_cash"])
    floor = float(case.finance.inputs.cash_floor)
    every = "month" if results.by_month else "year"
    verdict = (
        f"at or above the cash floor of {_money(floor)} every {every}"
        if not below_floor(lowest, floor)
        else f"BELOW the cash floor of {_money(floor)}: the case needs more cash or a loan"
    )
    out.append(
        f"Its cash is lowest at {_money(lowest)} at the end of {m['minimum_cash_period']}, "
        f"{verdict}."
    )
    peak = float(m.get("facility_peak", 0.0) or 0.0)
    if peak >= FLOOR_TOLERANCE:  # (half a penny: as the Summary's statuses)
        short = float(m.get("facility_largest_shortfall", 0.0) or 0.0)
        out.append(
            f"A working-capital facility carries it there: at most {_money(peak)} drawn, in "
            f"{format_months(float(m['facility_months_used']))}"
            + (
                f"; its limit is {_money(short)} short in the worst month."
                if short >= FLOOR_TOLERANCE
                else ", within its limit."
            )
        )
    months = float(case.finance.inputs.reserves_target_months)
    short_years = int(m["years_reserves_below_target"])
    target = (
        f"meeting the target of {format_months(months)} of operating cost in every year"
        if short_years == 0
        else f"having been below the target of {format_months(months)} of operating cost in "
        f"{short_years} of the {len(labels)} years"
    )
    out.append(
        f"Reserves reach {results.metric_text('closing_reserves')} by the end of {labels[-1]}, "
        f"{target}."
    )
    rate = format_value(float(case.finance.inputs.discount_rate), "fraction")
    npv = results.metric_text(HEADLINE_NPV)
    irr = m.get("irr_before_financing")
    if irr is not None and np.isfinite(float(irr)):
        tail = f", an internal rate of return of {results.metric_text('irr_before_financing')}"
    else:
        tail = " (no net outlay, so no rate of return to state)"
    out.append(
        f"The net present value of its cash flow before financing, at {rate}, is {npv}{tail}."
    )
    if appraisal is not None:
        out.append(appraisal.findings[0])
    if simulation is not None:
        out.append(risk_headline(simulation, floor)[1])
    return out


def _period(simulation) -> str:
    """What a period of the case's timeline is called: year, month, or period (months then
    years)."""
    tl = simulation.case.timeline
    return "year" if tl.freq == "annual" else "period" if tl.mixed else "month"


def risk_headline(simulation, floor: float = 0.0) -> list[str]:
    """The Monte Carlo result in sentences: the range of NPV, the chance of cash below
    ``floor`` in some period (year or month), and the input driving NPV most."""
    p = simulation.percentiles().loc[HEADLINE_NPV]
    drivers = simulation.drivers()
    out = [
        f"In {simulation.n:,} scenarios drawn from the inputs' declared uncertainty (seed "
        f"{simulation.seed}), the net present value is between {_money(p['p10'])} and "
        f"{_money(p['p90'])} in four scenarios out of five (median {_money(p['p50'])}).",
        f"The chance that closing cash falls below {_money(floor)} in some {_period(simulation)} "
        f"is {simulation.probability_below(floor):.1%}.",
    ]
    if len(drivers) and np.isfinite(float(drivers.iloc[0]["spearman"])):
        top = drivers.iloc[0]
        out.append(
            f"The input driving the net present value most is \u201c{_pounds(top['label'])}\u201d "
            f"(rank correlation {float(top['spearman']):+.2f})."
        )
    return out


# --------------------------------------------------------------------------------------------
class _Page:
    """An A4 page filled from the top down: ``y`` is where the next block starts."""

    def __init__(self, pages: PdfPages, header: str, footer: str, number: int, of: int):
        self.fig = Figure(figsize=_A4)
        self.y = 0.955
        self.fig.text(
            _LEFT,
            0.975,
            _fit_line(header, _TEXT_WIDTH, 7),
            fontsize=7,
            color="0.35",
        )
        self.fig.text(_LEFT + _WIDTH, 0.025, f"Page {number} of {of}", fontsize=7, ha="right")
        self.fig.text(_LEFT, 0.025, footer, fontsize=7, color="0.35")
        self.pages = pages

    def heading(self, text: str, size: float = 11) -> None:
        self.y -= 0.008
        self.fig.text(_LEFT, self.y, text, fontsize=size, weight="bold", va="top")
        self.y -= size / 9 * _LINE + 0.006

    def sentences(self, texts: list[str], *, bullet: bool = True) -> None:
        width = _TEXT_WIDTH * (1 - _BULLET * bullet / _WIDTH)
        for text in texts:
            lines = _wrap(text, width)
            body = "\n".join(lines)
            if bullet:
                self.fig.text(_LEFT, self.y, "\u2022", fontsize=9, va="top")
            self.fig.text(
                _LEFT + _BULLET * bullet, self.y, body, fontsize=9, va="top", linespacing=1.3
            )
            self.y -= len(lines) * _LINE * 1.05 + 0.004

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        tall = max(h.count("\n") + 1 for h in header)
        height = (len(rows) + tall) * 0.021
        ax = self.fig.add_axes((_LEFT, self.y - height, _WIDTH, height))
        ax.axis("off")
        table = ax.table(
            cellText=rows,
            colLabels=header,
            colWidths=widths,
            loc="upper left",
            cellLoc="right",
            bbox=(0, 0, 1, 1),
        )
        table.auto_set_font_size(False)
        table.set_fontsize(7.5)
        for (r, c), cell in table.get_celld().items():
            cell.set_edgecolor("0.8")
            cell.set_linewidth(0.4)
            if c == 0:
                cell.set_text_props(ha="left")
                cell._loc = "left"
            if r == 0:
                cell.set_facecolor("#1F3864")
                cell.set_text_props(color="white", weight="bold")
        self.y -= height + 0.012

    def axes(self, height: float):
        ax = self.fig.add_axes((_LEFT + 0.06, self.y - height, _WIDTH - 0.06, height))
        self.y -= height + 0.05
        return ax

    def fit(self, ax) -> None:
        """Narrow ``ax`` (once drawn on) so that its tick labels and axis labels, whose width
        depends on the figures, sit within the page's margins (a printer clips near the edge)."""
        for _ in range(3):  # (the labels can change as the axes narrow)
            box = ax.get_tightbbox().transformed(self.fig.transFigure.inverted())
            pos = ax.get_position()
            left = max(_LEFT - box.x0, 0.0)
            right = max(box.x1 - (_LEFT + _WIDTH), 0.0)
            if left <= 1e-4 and right <= 1e-4:
                return
            ax.set_position((pos.x0 + left, pos.y0, pos.width - left - right, pos.height))

    def save(self) -> None:
        if self.y < 0.04 - 1e-9:  # a block ran off the page: a layout bug, not a figure
            raise WorkbookError("report: the page's content does not fit on A4")
        self.pages.savefig(self.fig)


def _key_table(results) -> tuple[list[str], list[list[str]], list[float]]:
    labels = list(results.case.model.annual_timeline.labels)  # by year, also from months
    header = ["£ (nominal)", *labels, "Total"]
    rows = []
    for name, kind in KEY_LINES:
        if name not in results.evaluation.values:
            continue
        values = np.asarray(results.annual_values(name)[0], dtype=float)
        total = _money(values.sum()) if kind == "flow" else ""
        rows.append([_short(name), *(_money(v) for v in values), total])
    first = 0.3
    rest = (1 - first) / (len(labels) + 1)
    return header, rows, [first] + [rest] * (len(labels) + 1)


def _appraisal_table(appraisal) -> tuple[list[str], list[list[str]], list[float]]:
    t = appraisal.table
    cols = ["net present cost", "difference from the cheapest", "equivalent annual net cost"]
    header = [
        "Option (ranked)",
        "Net present\ncost",
        "More than\nthe cheapest",
        "Equivalent\na year",
    ]
    if appraisal.monetised:
        cols.append("net present social value")
        header.append("Net present\nsocial value")
    rows = [
        [f"{int(t.loc[o, 'rank'])}. {o}", *(_money(float(t.loc[o, c])) for c in cols)]
        for o in t.index
    ]
    first = 0.34
    return header, rows, [first] + [(1 - first) / len(cols)] * len(cols)


def _provenance(results, created: dt.datetime) -> list[str]:
    from mutualfin._version import __version__

    case = results.case
    meta = case.metadata
    out = [f"Case: {case.name}."]
    described = [f"{k} {meta[k]}" for k in ("version", "status", "author") if meta.get(k)]
    if described:
        out.append("Case " + "; ".join(described) + ".")
    for name, digest in case.checksums.items():
        out.append(f"{name}: SHA-256 {digest}.")
    if not case.checksums:
        out.append("Built in Python, not from a case file: no file checksum to record.")
    out.append(
        f"Computed by mutualfin {__version__} on {created:%d %B %Y}; the workbook written "
        "from the same case shows every figure as a live formula, and mutualfin verify "
        "proves it equal to these figures."
    )
    out.extend(_assumption_sentences(case.assumptions))
    return out


def _assumption_sentences(assumptions: list[str]) -> list[str]:
    """The case's assumptions in words: the rates and thresholds held flat beyond their
    parameter files' data, counted by topic with the earliest date, then any other."""
    held = [h for h in map(held_parameter, assumptions) if h is not None]
    others = [a for a in assumptions if held_parameter(a) is None]
    out = []
    if held:
        topics: dict[str, int] = {}
        for name, _date in held:
            prefix = name.split(".")[0]
            topic = _TOPICS.get(prefix, prefix.replace("_", " "))
            topics[topic] = topics.get(topic, 0) + 1
        earliest = min(date for _name, date in held)
        n = len(held)
        listed = ", ".join(f"{t} ({k})" for t, k in topics.items())
        what = (
            f"{n} rates and thresholds have no published figure for some of the case's years "
            "and are held at their latest one"
            if n != 1
            else "1 rate or threshold has no published figure for some of the case's years and "
            "is held at its latest one"
        )
        out.append(
            f"{what} (the earliest from {earliest.day} {earliest:%B %Y}): {listed}. "
            "Each is an assumption, marked on the workbook's Parameters sheet."
        )
    for text in others:
        section = re.match(r"^no \[(?P<name>[a-z_]+)\] given: (?P<rest>.*)$", text)
        if section and section["name"] == "legal_form":
            text = f"the case file gives no legal form, so the mutual is {section['rest']}"
        plain = re.sub(r"\[([a-z_]+)\]", r"\1", text)  # (a case file's [section] as a word)
        out.append(f"Assumed: {plain}.")
    return out


def write_report(
    results,
    path: str | os.PathLike,
    *,
    appraisal: Any = None,
    simulation: Any = None,
    overwrite: bool = False,
    created: dt.datetime | None = None,
) -> Path:
    """Write the financial implications section of a cabinet paper as a PDF (two A4 pages).

    Parameters
    ----------
    results : Results
        A case run (``case.run()``).
    path : path
        The PDF to write (``.pdf``); an existing file is replaced only with ``overwrite``.
    appraisal : Appraisal, optional
        The commissioner's options appraisal (``case.appraise(results)``), ranked on page 2.
    simulation : SimulationResult, optional
        A Monte Carlo run (``case.simulate(n)``) for the risk headline; without it page 2
        says no simulation was run.
    created : datetime, optional
        The report's date (default now); fixing it gives a byte-identical file.

    Returns
    -------
    Path
        The PDF written.
    """
    from mutualfin.case.results import Results
    from mutualfin.plots import cash_and_reserves
    from mutualfin.workbook.writer import save_bytes

    if not isinstance(results, Results):
        raise InputError(
            f"write_report: give the results of a case run (case.run()), got "
            f"{type(results).__name__}"
        )
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise WorkbookError(f"report path {str(target)!r} must end in .pdf")
    if not overwrite and (target.exists() or target.is_symlink()):
        raise WorkbookError(
            f"{str(target)!r} already exists; choose another name or pass --overwrite"
        )
    created = created or dt.datetime.now().replace(microsecond=0)
    case = results.case
    meta = case.metadata
    organisation = meta.get("organisation", "")
    header = f"{case.name}: financial implications" + (f" ({organisation})" if organisation else "")
    footer = f"mutualfin; {meta.get('status', 'draft')}; {created:%d %B %Y}"

    buffer = io.BytesIO()
    info = {
        "Title": f"Financial implications: {case.name}",
        "Author": meta.get("author") or "mutualfin",
        "Subject": "Financial implications section of a cabinet paper",
        "Creator": "mutualfin",
        "CreationDate": created,
    }
    with PdfPages(buffer, metadata=info) as pages:
        one = _Page(pages, header, footer, 1, 2)
        one.fig.text(_LEFT, one.y, "Financial implications", fontsize=16, weight="bold", va="top")
        one.y -= 0.035
        name = _wrap(case.name, _TEXT_WIDTH, 12)
        one.fig.text(_LEFT, one.y, "\n".join(name), fontsize=12, va="top", linespacing=1.2)
        one.y -= 0.022 * len(name)
        described = [organisation, *(meta.get(k, "") for k in ("version", "status"))]
        line = _wrap(" | ".join(d for d in described if d), _TEXT_WIDTH, 9)
        one.fig.text(
            _LEFT, one.y, "\n".join(line), fontsize=9, color="0.3", va="top", linespacing=1.3
        )
        one.y -= 0.02 + _LINE * (len(line) - 1)
        one.heading("Findings")
        one.sentences(findings(results, appraisal, simulation))
        one.heading("Key figures by year")
        one.table(*_key_table(results))
        one.heading("Cash and reserves at each year end")
        room = one.y - 0.09  # (the chart's labels and the footer below it)
        if room < 0.12:
            raise WorkbookError(
                "report: page 1's findings and key figures leave no room for the cash chart; "
                "shorten the case's name or organisation"
            )
        ax = one.axes(min(0.27, room))
        cash_and_reserves(results, ax=ax)
        ax.set_title("")
        one.fit(ax)
        one.save()

        two = _Page(pages, header, footer, 2, 2)
        if appraisal is not None:
            two.heading("Options appraisal")
            two.sentences(
                [
                    f"The council's costs of each option over the {len(appraisal.years)} years "
                    f"{appraisal.years[0]} to {appraisal.years[-1]}, in "
                    f"{appraisal.base_year} prices with Green Book discounting, after optimism "
                    "bias (HM Treasury Green Book 2022 and its supplementary guidance)."
                ],
                bullet=False,
            )
            two.table(*_appraisal_table(appraisal))
            two.sentences(appraisal.findings)
        else:
            two.heading("Options appraisal")
            two.sentences(["The case has no [appraisal]: no options were appraised."])
        two.heading("Risk")
        if simulation is not None:
            two.sentences(risk_headline(simulation, float(case.finance.inputs.cash_floor)))
        else:
            two.sentences(
                [
                    "No Monte Carlo simulation was run (no input declares an uncertainty, or "
                    "the report was asked for without one): the figures are a single central "
                    "case."
                ]
            )
        two.heading("Where the figures come from")
        two.sentences(_provenance(results, created))
        two.save()
    return save_bytes(target, buffer.getvalue(), overwrite=overwrite)
