"""What a run of a business case gives: lines, statements, metrics and checks.

Every table here is laid out by the statement list (:mod:`mutualfin.case.statements`): its
order, labels and units, so Python, the command line and the workbook agree.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mutualfin.case.formatting import format_money, format_value, style_table
from mutualfin.case.statements import (
    CHECK_TOLERANCE,
    DERIVED,
    FLOOR_TOLERANCE,
    SECTIONS,
    STATEMENTS,
    annual_name,
    below_floor,
    statement,
)
from mutualfin.engine import Evaluation
from mutualfin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from mutualfin.case.business_case import BusinessCase

__all__ = ["METRICS", "STATEMENT_ORDER", "Results", "format_money", "metric_text"]

#: statement tables and the lines each shows, in order (from the statement list)
STATEMENT_ORDER: dict[str, list[str]] = {
    title: [s.name for s in STATEMENTS if s.kind != "metric" and s.statement_table == title]
    for title in SECTIONS
    if any(s.kind != "metric" and s.statement_table == title for s in STATEMENTS)
}
#: the metrics ``results.metrics`` shows, in order (model lines, then derived figures)
METRICS = [s.name for s in (*STATEMENTS, *DERIVED) if s.kind in ("metric", "derived")]
#: metrics of components that the headline metrics show when the case has them, and their
#: labels
COMPONENT_METRICS = {
    "facility_peak": "Working-capital facility: peak drawn",
    "facility_months_used": "Working-capital facility: months drawn",
    "facility_largest_shortfall": "Cash below the floor despite the facility",
}


def metric_text(name: str, value: Any, missing: str | None = None) -> str:
    """A metric as text, formatted by its unit (:func:`mutualfin.case.formatting.format_value`)."""
    s = statement(name)
    unit = s.unit if s is not None else "GBP"
    return format_value(value, unit, missing=missing or (s.missing if s else "n/a"))


#: what :attr:`Results.monthly_cash` shows, in order: (line, column)
_MONTHLY_CASH = (
    ("operating_receipts", "receipts"),
    ("operating_payments", "payments"),
    ("tax_paid", "corporation tax paid"),
    ("vat_cash_flow", "VAT"),
    ("financing_cash_flow", "financing"),
    ("cash_before_facility", "cash before the facility"),
    ("facility_movement", "facility drawn less repaid"),
    ("closing_cash", "closing cash"),
    ("facility_balance", "facility balance"),
)


@dataclass
class Results:
    """What a case run gives: lines, statements, metrics and checks, as pandas objects.

    On a timeline with months, :attr:`lines` and ``results["closing_cash"]`` are by period
    (months, then years), while :attr:`statements`, :meth:`annual` and the metrics are by
    financial year (the statements' lines by year), and :attr:`monthly_cash` shows where the
    cash is lowest."""

    case: BusinessCase
    evaluation: Evaluation

    @property
    def lines(self) -> pd.DataFrame:
        """Every line by period (scenario 0), one row per line."""
        return self.evaluation.to_frame().T

    def __getitem__(self, name: str):
        return self.evaluation[name]

    @property
    def by_month(self) -> bool:
        """True when the case's timeline has months (the statements are then by year)."""
        return self.case.timeline.freq != "annual"

    def _annual_line(self, name: str) -> str | None:
        """The name of ``name``'s line by financial year in this case, if it has one."""
        yearly = annual_name(name)
        return yearly if self.by_month and yearly in self.case.model.lines else None

    def annual_values(self, name: str) -> np.ndarray:
        """A line by financial year for every scenario, (scenarios, years): its statement
        line by year, or flows summed and balances closed by year; on an annual timeline the
        line itself. What the appraisal and the Green Book figures read."""
        if not isinstance(name, str) or name not in self.case.model.lines:
            raise InputError(f"annual: {name!r} is not a line of the case")
        yearly = self._annual_line(name)
        if yearly is not None:
            return np.asarray(self.evaluation.array(yearly), dtype=float)
        kind = self.case.model.lines[name].kind
        if self.by_month and kind not in ("flow", "balance"):
            raise InputError(
                f"annual: {name!r} is a {kind} by period with no line by financial year; only "
                "flows (summed) and balances (at the year end) make one"
            )
        return np.asarray(self.evaluation.annual(name), dtype=float)

    def annual(self, name: str) -> pd.Series:
        """A line by financial year (scenario 0), indexed by "2026/27" labels: see
        :meth:`annual_values`."""
        values = self.annual_values(name)
        labels = self.case.model.annual_timeline.labels
        return pd.Series(values[0], index=pd.Index(labels, name="year"), name=name)

    @property
    def monthly_cash(self) -> pd.DataFrame:
        """Cash period by period (scenario 0): receipts, payments, tax, VAT, financing, the
        facility and closing cash, one row per period (a month, or a year after the months):
        where the trough is, and what covers it."""
        have = [(n, c) for n, c in _MONTHLY_CASH if n in self.evaluation.values]
        frame = pd.DataFrame(
            {c: self.evaluation.array(n)[0] for n, c in have},
            index=pd.Index(self.case.timeline.labels, name="period"),
        )
        opening = float(self.case.finance.inputs.opening_cash)
        closing = frame["closing cash"].to_numpy()
        frame.insert(0, "opening cash", np.concatenate([[opening], closing[:-1]]))
        return frame

    @property
    def statements(self) -> dict[str, pd.DataFrame]:
        """Income and expenditure, cash flow and reserves, financial years as columns (on a
        timeline with months, the statements' lines by year)."""
        space = "year" if self.by_month else "native"
        frame = self.evaluation.to_frame(space=space).T
        out = {}
        for title, names in STATEMENT_ORDER.items():
            present = [n for n in names if (self._annual_line(n) or n) in frame.index]
            if not present:
                continue
            table = frame.loc[[self._annual_line(n) or n for n in present]].copy()
            table.index = [self.case.model.lines[n].label for n in present]
            table.index.name = title
            out[title] = table
        return out

    def statement_table(self, title: str = "Income and expenditure"):
        """A statement as a finance report shows it: each line formatted by its unit (£ with
        thousands separators, months, ratios), labels in words, a column per financial year.

        Parameters
        ----------
        title : str
            One of ``results.statements``' tables: "Income and expenditure", "Cash flow",
            "Reserves", and where the case has them "Debt" and "Not the mutual's cash".

        Returns
        -------
        pandas.io.formats.style.Styler
            Shown formatted in Jupyter; the figures themselves are ``.data`` (the same
            DataFrame as ``results.statements[title]``), for computation.
        """
        tables = self.statements
        if title not in tables:
            raise InputError(
                f"statement_table: {title!r} is not one of this case's statements; give one "
                f"of {', '.join(repr(t) for t in tables)}"
            )
        table = tables[title]
        lines = self.case.model.lines
        names = [n for n in STATEMENT_ORDER[title] if n in self.evaluation.values]
        units = {lines[n].label: lines[n].unit for n in names}
        table.columns.name = "Financial year"  # the statements are by year, also from months
        return style_table(table, units, caption=title)

    def metrics_table(self):
        """The headline metrics in words, each formatted by its unit (£, %, years) and a
        missing figure in the words its line gives ("not paid back", "no net outlay").

        Returns
        -------
        pandas.io.formats.style.Styler
            One row per metric (``results.metrics``, labelled as the summary labels it); the
            figures themselves are ``.data``.
        """
        metrics = self.metrics
        labels, units, missing = [], {}, {}
        for name in metrics.index:
            s = statement(name)
            label = s.short if s is not None else name
            line = self.case.model.lines.get(name)
            labels.append(label)
            units[label] = s.unit if s is not None else "GBP"
            gone = line.missing_text_for(self.evaluation.values) if line is not None else None
            missing[label] = gone or (s.missing if s is not None else "n/a")
        frame = pd.DataFrame({"value": list(metrics.to_numpy())}, index=labels, dtype=object)
        frame.index.name = "Headline metric"
        return style_table(frame, units, missing=missing, caption="Headline metrics")

    @property
    def metrics(self) -> pd.Series:
        """Headline metrics (scenario 0): the case's metric lines, then the derived figures
        (IRR, the period of the lowest cash...)."""
        ev = self.evaluation
        values: dict[str, Any] = {}
        for s in STATEMENTS:
            if s.kind == "metric" and s.name in ev.values:
                values[s.name] = ev.array(s.name)[0]
        for s in DERIVED:
            if s.when is None or s.when(self):
                values[s.name] = s.derive(self)  # type: ignore[misc]
        for name in COMPONENT_METRICS:
            if name in ev.values:
                values[name] = ev.array(name)[0]
        return pd.Series(values, name=self.case.name, dtype=object)

    def metric_label(self, name: str) -> str:
        """A headline metric's label, as the summary shows it."""
        s = statement(name)
        if s is not None:
            return s.short
        return COMPONENT_METRICS.get(name, name.replace("_", " "))

    def metric_text(self, name: str) -> str:
        """One headline metric as text (£, %, years...), from its unit."""
        line = self.case.model.lines.get(name)
        missing = line.missing_text_for(self.evaluation.values) if line is not None else None
        if statement(name) is None and line is not None:  # a component's metric
            return format_value(self.metrics[name], line.unit, missing=missing or "n/a")
        return metric_text(name, self.metrics[name], missing)

    @property
    def findings(self) -> list[str]:
        """What a finance officer must not miss, in words (scenario 0): cash below the floor
        (in the period it happens), and a working-capital facility too small to cover it."""
        out = []
        ev = self.evaluation
        floor = float(self.case.finance.inputs.cash_floor)
        cash = ev.array("closing_cash")[0]
        labels = self.case.timeline.labels
        low = int(np.argmin(cash))
        if "facility_shortfall" in ev.values:
            gap = ev.array("facility_shortfall")[0]
            worst = int(np.argmax(gap))
            if gap[worst] >= FLOOR_TOLERANCE:
                out.append(
                    f"The working-capital facility is not enough: cash falls "
                    f"{format_money(gap[worst])} below the floor of {format_money(floor)} in "
                    f"{labels[worst]} even with the facility fully drawn; raise its limit."
                )
        elif below_floor(cash[low], floor):
            out.append(
                f"Cash falls to {format_money(cash[low])} in {labels[low]}, below the floor of "
                f"{format_money(floor)}: a working-capital facility ([facility]) or more "
                "opening cash would cover it."
            )
        return out

    def npv_green_book_real(self, deflator_forecast: float = 0.02) -> float | None:
        """NPV of the net cash flow in real terms of the first year's prices (GDP deflator,
        extended at ``deflator_forecast`` beyond its data), discounted with the Green Book
        schedule, year 0 undiscounted: the appraisal view of the mutual's own cash flow (by
        financial year, also on a timeline with months)."""
        from mutualfin.uk.greenbook import deflator_index, green_book_discount_factors

        tl = self.case.model.annual_timeline
        years = [int(y) for y in tl.financial_years]
        index = deflator_index(years, deflator_forecast, params=self.case.params)
        real = self.annual_values("net_cash_flow")[0] * (index[years[0]] / index.to_numpy())
        factors = green_book_discount_factors(tl.n, params=self.case.params)
        return float(np.sum(real * factors))

    @property
    def checks(self) -> pd.DataFrame:
        """Each check's sum of absolute differences over the periods (the largest over the
        scenarios), and whether it is under the tolerance the workbook's Checks sheet uses."""
        rows = []
        for s in STATEMENTS:
            if s.section != "Checks" or s.name not in self.evaluation.values:
                continue
            diff = float(np.max(np.abs(self.evaluation.array(s.name)).sum(axis=-1)))
            rows.append(
                {
                    "check": s.name,
                    "label": self.case.model.lines[s.name].label,
                    "largest_difference": diff,
                    "ok": diff < CHECK_TOLERANCE,
                }
            )
        return pd.DataFrame(rows).set_index("check")

    def to_excel(
        self,
        path: str | os.PathLike,
        *,
        overwrite: bool = False,
        appraisal: Any = None,
        risk: Mapping[str, pd.DataFrame] | None = None,
        store_values: bool | None = None,
        created: Any = None,
        diff: Any = None,
        protect: bool = True,
        pack: str = "publication",
        **cover: Any,
    ):
        """Write the business-case workbook (cover, contents, summary, inputs, parameters,
        model sheets, statements, appraisal, risk, checks) with live formulas.

        ``cover`` fields: title, organisation, author, version, status, date, marking
        (defaults from the case file's [case] table). ``appraisal``: an
        :class:`~mutualfin.appraisal.Appraisal`; ``risk``: tables of values for the Risk sheet;
        ``store_values``: save LibreOffice's recalculated file, so previews and
        ``pandas.read_excel`` show figures (default None: where LibreOffice is installed;
        False: formulas only).
        ``created``: a datetime fixing the workbook's timestamps, so the same case gives a
        byte-identical file. ``protect`` (default True): every sheet protected without a
        password, only the input cells unlocked, so a formula cannot be typed over by accident
        (Review > Unprotect Sheet in Excel turns it off); False writes it unprotected.
        ``diff``: a :func:`mutualfin.diff` of an earlier version of the case against this
        one, written as a Bridge sheet (what changed, and why the figures moved).
        ``pack``: "publication" (the default, the cabinet appendix: no
        per-employee data, staff figures by role in groups of at least five, working sheets
        hidden so the printed pack is the cabinet's) or "full" (the live per-employee model,
        marked OFFICIAL-SENSITIVE, for the finance team); see
        :mod:`mutualfin.workbook.publication`.
        Returns the path. The file appears complete or not at all; an existing file is
        replaced only with ``overwrite=True``.
        """
        import datetime as dt

        from mutualfin.workbook.case_workbook import Cover, write_case_workbook

        if not isinstance(path, str | os.PathLike):
            raise InputError(
                f"to_excel: path must be the workbook's file path (str or pathlib.Path), got "
                f"{type(path).__name__}"
            )
        for arg, flag in (
            ("overwrite", overwrite),
            ("store_values", store_values),
            ("protect", protect),
        ):
            if arg == "store_values" and flag is None:
                continue
            if not isinstance(flag, bool | np.bool_):
                raise InputError(f"to_excel: {arg} must be True or False, got {flag!r:.60}")
        if created is not None and not isinstance(created, dt.datetime):
            if isinstance(created, dt.date):
                created = dt.datetime(created.year, created.month, created.day)
            else:
                raise InputError(
                    f"to_excel: created must be a datetime such as datetime.datetime(2026, 4, "
                    f"1), got {type(created).__name__} {created!r:.60}"
                )
        if appraisal is not None and not hasattr(appraisal, "switching_values"):
            raise InputError(
                f"to_excel: appraisal must be an Appraisal from case.appraise(results), got "
                f"{type(appraisal).__name__}"
            )
        if risk is not None and not (isinstance(risk, Mapping) or hasattr(risk, "tables")):
            raise InputError(
                f"to_excel: risk must be a SimulationResult or a mapping of name to DataFrame, "
                f"got {type(risk).__name__}"
            )

        if diff is not None and not hasattr(diff, "bridge"):
            raise InputError(
                f"to_excel: diff must be the result of mutualfin.diff(old, new), got "
                f"{type(diff).__name__}"
            )
        meta = dict(self.case.metadata)
        fields = {"title": meta.get("name", self.case.name)}
        for key in ("organisation", "author", "version", "status"):
            if key in meta:
                fields[key] = meta[key]
        unknown = set(cover) - set(Cover.__dataclass_fields__)
        if unknown:
            raise InputError(
                f"to_excel: unknown cover field {sorted(unknown)[0]!r}; allowed: "
                f"{', '.join(Cover.__dataclass_fields__)}"
            )
        fields.update(cover)
        return write_case_workbook(
            self,
            path,
            overwrite=overwrite,
            cover=Cover(**fields),
            appraisal=appraisal,
            risk=risk,
            store_values=store_values,
            created=created,
            diff=diff,
            protect=bool(protect),
            pack=pack,
        )

    def verify(self, path: str | os.PathLike, **kwargs: Any):
        """Recalculate a workbook written by :meth:`to_excel` and compare every formula cell
        (lines, summary links, checks) with these results."""
        from mutualfin.workbook.case_workbook import verify_case

        if not isinstance(path, str | os.PathLike):
            raise InputError(
                f"verify: path must be the workbook's file path (str or pathlib.Path), got "
                f"{type(path).__name__}"
            )
        return verify_case(path, self, **kwargs)

    def _repr_html_(self) -> str:
        """In Jupyter: what is missing from the case (in red), the checks, the headline
        metrics and every statement, formatted by unit as :meth:`statement_table`."""
        case = self.case
        parts = [f"<h3>{html.escape(case.name)}</h3>"]
        if getattr(case, "missing", None):
            items = "".join(f"<li>{html.escape(m)}</li>" for m in case.missing)
            parts.append(
                "<div style='border:2px solid #c00000;color:#c00000;padding:4px 8px'>"
                f"<b>INCOMPLETE CASE</b>: the figures leave out<ul>{items}</ul></div>"
            )
        ok = bool(self.checks["ok"].all())
        status = "OK" if ok else "<b style='color:#c00000'>ERROR</b>"
        held = len(getattr(case, "assumptions", []))
        note = f"; {held} assumption(s): see <code>case.assumptions</code>" if held else ""
        parts.append(f"<p>{html.escape(repr(case.timeline))}. Checks: {status}{note}</p>")
        parts.append(self.metrics_table().to_html())
        for title in self.statements:
            parts.append(self.statement_table(title).to_html())
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Results({self.case.name!r}, {self.evaluation!r})"


def _fmt(name: str, value: Any) -> str:
    """A metric as text (kept for code written against the first release; use
    :func:`metric_text`)."""
    return metric_text(name, value)
