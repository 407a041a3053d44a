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
    SECTIONS,
    STATEMENTS,
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


def metric_text(name: str, value: Any, missing: str | None = None) -> str:
    """A metric as text, formatted by its unit (:func:`mutualfin.case.formatting.format_value`)."""
    s = statement(name)
    unit = s.unit if s is not None else "GBP"
    return format_value(value, unit, missing=missing or (s.missing if s else "n/a"))


@dataclass
class Results:
    """What a case run gives: lines, statements, metrics and checks, as pandas objects."""

    case: BusinessCase
    evaluation: Evaluation

    @property
    def lines(self) -> pd.DataFrame:
        """Every line by period (scenario 0), one row per line."""
        return self.evaluation.to_frame().T

    def __getitem__(self, name: str):
        return self.evaluation[name]

    @property
    def statements(self) -> dict[str, pd.DataFrame]:
        """Income and expenditure, cash flow and reserves, periods as columns."""
        frame = self.evaluation.to_frame().T
        out = {}
        for title, names in STATEMENT_ORDER.items():
            present = [n for n in names if n in frame.index]
            if not present:
                continue
            table = frame.loc[present].copy()
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
        table.columns.name = "Financial year" if self.case.timeline.freq == "annual" else "Month"
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
        return pd.Series(values, name=self.case.name, dtype=object)

    def metric_text(self, name: str) -> str:
        """One headline metric as text (£, %, years...), from its unit."""
        line = self.case.model.lines.get(name)
        missing = line.missing_text_for(self.evaluation.values) if line is not None else None
        return metric_text(name, self.metrics[name], missing)

    def npv_green_book_real(self, deflator_forecast: float = 0.02) -> float | None:
        """NPV of the net cash flow in real terms of the first year's prices (GDP deflator,
        extended at ``deflator_forecast`` beyond its data), discounted with the Green Book
        schedule, year 0 undiscounted: the appraisal view of the mutual's own cash flow.
        None for a monthly timeline."""
        from mutualfin.uk.greenbook import deflator_index, green_book_discount_factors

        tl = self.case.timeline
        if tl.freq != "annual":
            return None
        years = [int(y) for y in tl.financial_years]
        index = deflator_index(years, deflator_forecast, params=self.case.params)
        real = self.evaluation.array("net_cash_flow")[0] * (index[years[0]] / index.to_numpy())
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
