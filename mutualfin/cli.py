"""The ``mutualfin`` command.

::

    mutualfin run CASE [-o workbook.xlsx] [--pack both|publication|full] [--overwrite]
                       [--no-store-values] [--no-protect] [--no-verify] [--no-excel-rules]
                       [--format table|json|csv]
    mutualfin check CASE [--format table|json]
    mutualfin simulate CASE [-n 10000] [--seed 1] [--floor 0] [--format table|json|csv]
    mutualfin verify WORKBOOK CASE [--live 2] [--no-excel-rules]
    mutualfin diff OLD NEW [-o workbook.xlsx] [--pack both|publication|full]
                   [--chart bridge.png] [--format table|json|csv]
    mutualfin pull WORKBOOK -o CASE [--dry-run] [--force]
    mutualfin report CASE [-o summary.pdf] [--simulate 5000] [--seed 1]
    mutualfin params [PREFIX]
    mutualfin new CASE
    mutualfin demo [INPUTS]

``mutualfin --version`` prints the version; ``python -m mutualfin`` is the same command.
With ``--format json`` or ``csv`` the results go to standard output as data and nothing else
does (what is printed for people, such as progress and the workbook's path, goes to standard
error), so ``mutualfin run case.toml --format json | jq .metrics`` works.

Exit codes scripts can rely on: 0 success; 1 a workbook failed verification (``check``: a
check of the case failed); 2 bad input (a
missing or invalid file, an unknown name, an existing output without ``--overwrite``, a full
disk), with one line on standard error saying what and how to fix it (``--debug`` shows the
traceback); 130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP, again with one line.
Whatever stops a run, no file is left half-written and no temporary file is left behind, and
a refused run creates no folder.

Text from files (a case's name, a path) is printed with control characters escaped, so a
name cannot recolour or clear the terminal; characters the console's encoding cannot show
(a Windows code page and a Welsh ŵ) are written as escapes rather than stopping the run; and
a closed pipe (``mutualfin run case.toml | head``) ends the printing quietly, not the work.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import sys
import threading
import warnings
from importlib import resources
from pathlib import Path

import pandas as pd

from mutualfin._version import __version__
from mutualfin.core.checks import MAX_LINE_CHARS, check_text, printable
from mutualfin.errors import AssumptionWarning, CaseFileError, MutualfinError, WorkbookError

__all__ = ["ROSTER_TEMPLATE", "TEMPLATE", "main", "roster_path", "template"]


class _Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived: unwound like Ctrl-C, so files being written are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_PIPE_CLOSED = False


def _quiet(stream) -> None:
    """The reader of ``stream`` has gone (``| head``): send what follows to the null device,
    so neither later prints nor the final flush fail."""
    global _PIPE_CLOSED
    _PIPE_CLOSED = True
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def _print(text: object = "", *, file=None) -> None:
    """Print ``text`` with control characters escaped; a closed pipe stops printing only."""
    stream = file or sys.stdout
    if _PIPE_CLOSED and stream is sys.stdout:
        return
    try:
        print(printable(str(text)), file=stream)
    except BrokenPipeError:
        _quiet(stream)


def _flush_quietly() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _quiet(stream)
        except (OSError, ValueError, AttributeError):
            pass


def _whole(least: int):
    """An argparse type: a whole number, at least ``least``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"{value} must be at least {least}")
        return value

    return parse


def _pounds(text: str) -> float:
    """An argparse type: a finite amount in pounds."""
    try:
        value = float(text.replace(",", "").replace("£", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount in pounds") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite amount in pounds")
    return value


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (a JSON string is one), quotes and backslashes
    escaped."""
    return json.dumps(text, ensure_ascii=False)


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents; the ones created, deepest first."""
    made: list[Path] = []
    f = folder
    while str(f) and not f.exists() and f != f.parent:
        made.append(f)
        f = f.parent
    folder.mkdir(parents=True, exist_ok=True)
    return made


def _remove_folders(made: list[Path]) -> None:
    """Remove folders made for an output that was never written (only if still empty)."""
    for f in made:
        with contextlib.suppress(OSError):
            f.rmdir()


def _check_output(out: Path, overwrite: bool) -> None:
    """Refuse an output path before any work: not .xlsx, or taken without --overwrite."""
    if out.suffix.lower() != ".xlsx":
        raise WorkbookError(f"workbook path {str(out)!r} must end in .xlsx")
    if not overwrite and (out.exists() or out.is_symlink()):
        raise WorkbookError(f"{str(out)!r} already exists; choose another name or pass --overwrite")


def _money(x: float) -> str:
    from mutualfin.case.formatting import format_money

    return format_money(x)


def _print_missing(case) -> None:
    """A case that leaves out a core part (case.missing): a banner above its figures (and a
    reminder under the workbook's verification, :func:`_remind_missing`)."""
    if not case.missing:
        return
    rule = "!" * 78
    _print(rule)
    _print("WARNING: INCOMPLETE CASE. The surplus, cash and reserves below leave out:")
    for text in case.missing:
        _print(f"  - {text}")
    _print(rule + "\n")


def _remind_missing(case, args: argparse.Namespace | None = None) -> None:
    if case.missing:
        parts = ", ".join(text.split(":")[0] for text in case.missing)
        if args is not None and getattr(args, "format", "table") != "table":
            # no banner above JSON or CSV: the warning goes with the other messages
            _print(f"WARNING: INCOMPLETE CASE: {'; '.join(case.missing)}", file=sys.stderr)
            return
        _print(f"\nWARNING: INCOMPLETE CASE ({parts}): see the top of this output")


def _print_results(results) -> None:
    from mutualfin.case.formatting import format_value
    from mutualfin.case.results import STATEMENT_ORDER

    case = results.case
    _print(f"{case.name}")
    _print(f"{case.timeline!r}\n")
    _print_missing(case)
    width = {"display.width": 220, "display.max_columns": 60, "display.max_colwidth": 48}
    lines = case.model.lines
    with pd.option_context(*[x for kv in width.items() for x in kv]):
        for title, names in STATEMENT_ORDER.items():
            rows = {}
            for name in names:
                if name not in results.evaluation.values:
                    continue
                unit = lines[name].unit
                values = results.annual(name).tolist()  # by financial year, also from months
                rows[lines[name].label] = [format_value(v, unit) for v in values]
            if not rows:
                continue
            table = pd.DataFrame(rows, index=case.model.annual_timeline.labels).T
            table.index.name = title
            _print(table.to_string())
            _print()
        if results.by_month:
            cash = results.monthly_cash
            first = cash.iloc[: min(len(cash), 24)]
            shown = first[[c for c in ("closing cash", "facility balance") if c in first]]
            table = shown.T.map(_money)
            table.index.name = "Cash by month"
            _print(table.to_string())
            _print()
    _print("Headline metrics")
    for name in results.metrics.index:
        _print(f"  {results.metric_label(name):36s} {results.metric_text(name)}")
    checks = results.checks
    status = "OK" if bool(checks["ok"].all()) else "ERROR"
    _print(f"  {'Checks':36s} {status}")
    for finding in results.findings:
        _print(f"\nWarning: {finding}")
    if case.assumptions:
        _print(f"\nAssumptions ({len(case.assumptions)}; the Parameters sheet marks them)")
        for text in case.assumptions:
            _print(f"  - {text}")


def _plan_books(case, out: Path, pack: str, overwrite: bool) -> dict[Path, str]:
    """The workbooks to write, path to pack: the publication pack at ``out`` and the full
    per-employee model beside it (``sensitive_path``), or the one ``--pack`` names; a case
    with no per-employee lines has one workbook, which is both. Each path is checked now,
    before any work."""
    from mutualfin.workbook.publication import sensitive_path

    personal = any(case.model.shapes[n].entity is not None for n in case.model.lines)
    books = {out: "publication", sensitive_path(out): "full"}
    if not personal or pack == "publication":
        books = {out: "publication"}
    elif pack == "full":
        books = {sensitive_path(out): "full"}
    for path in books:
        _check_output(path, overwrite)
    return books


def _write_books(args: argparse.Namespace, results, books: dict[Path, str], **kwargs) -> None:
    """Write each workbook of ``books`` (both or neither: a failure removes those written and
    the folders made for them, and puts back the files they were to replace), then say what
    each is."""
    case = results.case
    personal = any(case.model.shapes[n].entity is not None for n in case.model.lines)
    out = next(iter(books))
    made = _make_folders(out.parent) if str(out.parent) else []
    written: list[Path] = []
    kept: dict[Path, Path] = {}  # a file being replaced -> where it waits until both are written
    try:
        for path, pack in books.items():
            if args.overwrite and path.is_file():
                kept[path] = path.with_name(f".{path.name}.{os.getpid()}.replaced")
                os.replace(path, kept[path])
            results.to_excel(path, overwrite=args.overwrite, pack=pack, **kwargs)
            written.append(path)
            if path in kept:  # a replaced workbook keeps its own permissions
                shutil.copymode(kept[path], path)
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        for path, aside in kept.items():
            with contextlib.suppress(OSError):
                os.replace(aside, path)
        _remove_folders(made)
        raise
    for aside in kept.values():
        with contextlib.suppress(OSError):
            aside.unlink()
    for k, (path, pack) in enumerate(books.items()):
        what = {
            "publication": "publication pack (no per-employee data; to publish)"
            if personal
            else "the workbook (the case has no per-employee data)",
            "full": "full model with per-employee data (OFFICIAL-SENSITIVE; do not publish)",
        }[pack]
        lead = "" if k else "\n"  # one blank line before the list of workbooks
        _say(args, f"{lead}Workbook written: {path}: {what}")
    stored = kwargs.get("store_values")
    if stored is None:
        from mutualfin.workbook import find_soffice

        stored = find_soffice() is not None
    if not stored:
        _say(args, "Values not stored: viewers without a calculation engine show blank figures.")


def _cmd_run(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase
    from mutualfin.workbook import find_soffice
    from mutualfin.workbook.case_workbook import Cover
    from mutualfin.workbook.recalc import INSTALL_HINT

    out = Path(args.output or Path("out") / (Path(args.case).stem + ".xlsx"))
    _check_output(out, args.overwrite)
    cover = {
        k: getattr(args, k)
        for k in ("author", "status", "marking", "version")
        if getattr(args, k) is not None
    }
    Cover(**cover)  # refuse bad cover text now, before any work
    case = BusinessCase.from_file(args.case)
    books = _plan_books(case, out, args.pack, args.overwrite)
    results = case.run()
    as_table = args.format == "table"
    if as_table:
        _print_results(results)
    appraisal = case.appraise(results)
    if appraisal is not None and as_table:
        _print("\nOptions appraisal (council's costs, real terms, Green Book discounting)")
        cols = ["rank", "net present cost"]
        if appraisal.monetised:  # ranked by net present social value: show what ranks them
            _print("Ranked by net present social value: net present cost less monetised benefits")
            cols += ["monetised benefits", "net present social value"]
        cols += ["difference from the cheapest", "equivalent annual net cost"]
        table = appraisal.table[cols]
        _print(table.map(lambda v: _money(v) if isinstance(v, float) else v).to_string())
    risk = _risk_tables(case, args.simulate, args.seed) if args.simulate else None
    _write_books(
        args,
        results,
        books,
        appraisal=appraisal,
        risk=risk,
        store_values=args.store_values,
        protect=not args.no_protect,
        **cover,
    )
    verified = None
    if args.no_verify:
        pass
    elif find_soffice() is None:
        _say(args, f"Verification skipped: LibreOffice not found ({INSTALL_HINT}).")
    else:
        verified = True
        for path in books:
            _progress(f"Verifying {path.name}: recalculating it in LibreOffice...")
            report = results.verify(path, excel_rules=_excel_rules(args))
            _say(args, report.summary())
            verified = verified and report.ok
    _remind_missing(case, args)
    if not as_table:
        _emit_results(args.format, results, appraisal, books, verified)
    return 1 if verified is False else 0


def _say(args: argparse.Namespace, text: object = "") -> None:
    """Text for people: on standard output with ``--format table``, else on standard error
    (standard output then carries the data only)."""
    _print(text, file=None if getattr(args, "format", "table") == "table" else sys.stderr)


def _progress(text: str) -> None:
    """What a long step is doing, on standard error where someone is watching."""
    if sys.stderr.isatty():
        _print(text, file=sys.stderr)


def _plain(value):
    """A value as JSON holds it: a float that is NaN or infinite becomes null."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json(data) -> None:
    _print(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def _csv(rows: list[list]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [["" if _plain(v) is None else _plain(v) for v in row] for row in rows]
    )
    _print(buffer.getvalue().rstrip("\n"))


def _frame_rows(frame: pd.DataFrame) -> list[list]:
    """A table's rows, each its index label then its values."""
    return [[i, *r] for i, r in zip(frame.index, frame.values.tolist(), strict=True)]


def _metrics_data(results) -> dict:
    from mutualfin.case.statements import statement

    out = {}
    for name, value in results.metrics.items():
        s = statement(name)
        out[name] = {
            "label": s.short if s is not None else name.replace("_", " "),
            "unit": s.unit if s is not None else None,
            "value": _plain(value),
            "text": results.metric_text(name),
        }
    return out


def _emit_results(fmt: str, results, appraisal, books: dict, verified) -> None:
    """A run's statements, metrics, checks and appraisal as JSON or CSV on standard output.
    ``books``: the workbooks written, path to pack ("publication" or "full")."""
    from mutualfin.case.results import STATEMENT_ORDER

    case = results.case
    lines = case.model.lines
    # the statements by financial year (on a timeline with months, from the monthly rows, as
    # the workbook's "Statements by year"); cash by period beside them in JSON
    periods = list(case.model.annual_timeline.labels)
    statements = {
        title: {
            name: {
                "label": lines[name].label,
                "unit": lines[name].unit,
                "values": [_plain(v) for v in results.annual_values(name)[0].tolist()],
            }
            for name in names
            if name in results.evaluation.values
        }
        for title, names in STATEMENT_ORDER.items()
    }
    metrics = _metrics_data(results)
    if fmt == "csv":
        rows = [["section", "name", "label", "unit", "value", *periods]]
        for title, table in statements.items():
            for name, line in table.items():
                rows.append([title, name, line["label"], line["unit"], "", *line["values"]])
        for name, m in metrics.items():
            rows.append(["Headline metrics", name, m["label"], m["unit"], m["value"]])
        _csv(rows)
        return
    data = {
        "case": case.name,
        "case_file": str(case.source_path) if case.source_path else None,
        "periods": periods,
        "statements": {t: v for t, v in statements.items() if v},
        "metrics": metrics,
        "cash_by_period": (
            {
                "periods": list(case.timeline.labels),
                **{
                    str(c): [_plain(v) for v in results.monthly_cash[c].tolist()]
                    for c in results.monthly_cash.columns
                },
            }
            if results.by_month
            else None
        ),
        "checks_ok": bool(results.checks["ok"].all()),
        "assumptions": list(case.assumptions),
        "appraisal": None,
        "workbook": str(next(iter(books))) if books else None,
        "workbooks": [{"path": str(path), "pack": pack} for path, pack in books.items()],
        "verified": verified,
    }
    if appraisal is not None:
        t = appraisal.table
        data["appraisal"] = [
            {"option": str(o), **{str(c): _plain(t.loc[o, c]) for c in t.columns}} for o in t.index
        ]
    _json(data)


def _cmd_check(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        case = BusinessCase.from_file(args.case)
        results = case.run()
        appraisal = case.appraise(results)
    assumptions = list(case.assumptions)
    other = [str(w.message) for w in caught if not issubclass(w.category, AssumptionWarning)]
    checks = results.checks
    failed = [f"{name}: {row['label']}" for name, row in checks.iterrows() if not row["ok"]]
    if args.format == "json":
        _json(
            {
                "case_file": str(args.case),
                "case": case.name,
                "valid": True,
                "periods": list(case.timeline.labels),
                "years": list(case.model.annual_timeline.labels),
                "components": list(case.components),
                "inputs": len(case.model.inputs),
                "checks": len(checks),
                "failed_checks": failed,
                "warnings": other,
                "assumptions": assumptions,
                "appraisal": appraisal is not None,
            }
        )
    else:
        tl, years = case.timeline, case.model.annual_timeline
        by_month = f" ({tl.describe()})" if tl.freq != "annual" else ""
        _print(
            f"{Path(args.case).name}: a valid case: {case.name}, {years.n} years from "
            f"{years.labels[0]}{by_month}, {len(case.components)} parts, "
            f"{len(case.model.inputs)} inputs"
            + (", options appraisal" if appraisal is not None else "")
        )
        _print(
            f"Checks: {'OK' if not failed else 'FAILED'} ({len(checks)} checks"
            + (f"; failed: {'; '.join(failed)})" if failed else ")")
        )
        for text in other:
            _print(f"Warning: {text}")
        if assumptions:
            _print(f"Assumptions ({len(assumptions)}; the workbook's Parameters sheet marks them)")
            for text in assumptions:
                _print(f"  - {text}")
        _print("Nothing written.")
    return 1 if failed else 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from mutualfin.analysis.diff import diff

    out = Path(args.output) if args.output else None
    books: dict[Path, str] = {}
    if out is not None:
        from mutualfin.case.business_case import BusinessCase

        new_case = BusinessCase.from_file(args.new)
        books = _plan_books(new_case, out, args.pack, args.overwrite)
    chart = Path(args.chart) if args.chart else None
    if chart is not None:
        if chart.suffix.lower() not in (".png", ".pdf", ".svg"):
            raise WorkbookError(f"chart path {str(chart)!r} must end in .png, .pdf or .svg")
        if not args.overwrite and (chart.exists() or chart.is_symlink()):
            raise WorkbookError(
                f"{str(chart)!r} already exists; choose another name or pass --overwrite"
            )
    d = diff(args.old, args.new)
    if args.figure is not None and args.figure not in d.labels:
        raise WorkbookError(
            f"--figure {args.figure!r} is not in the bridge; give one of {', '.join(d.labels)}"
        )
    if args.format == "json":
        _json(
            {
                "old": d.old_name,
                "new": d.new_name,
                "changes": [
                    {
                        "input": c.key,
                        "old": c.old,
                        "new": c.new,
                        "attributed": c.attributed,
                        "reason": c.reason or None,
                    }
                    for c in d.changes
                ],
                "figures": {
                    key: {
                        "label": label,
                        "old": _plain(d.old_values[key]),
                        "new": _plain(d.new_values[key]),
                        "total": _plain(d.total(key)),
                        "parts": {row: _plain(p[key]) for row, p in d.parts.items()},
                    }
                    for key, label in d.labels.items()
                },
                "method": d.method,
                "findings": d.findings(),
                "notes": d.notes,
            }
        )
    elif args.format == "csv":
        bridge = d.bridge
        _csv(
            [
                ["step", *bridge.columns],
                *([i, *r] for i, r in zip(bridge.index, bridge.values.tolist(), strict=True)),
            ]
        )
    else:
        if d.changes:
            _print("Inputs that changed")
            _print(d.table.to_string())
        else:
            _print("No input changed.")
        _print(f"\nBridge ({d.method})")
        with pd.option_context("display.width", 220, "display.max_columns", 20):
            _print(d.bridge.map(_money).to_string())
        _print()
        for text in [*d.findings(), *d.notes]:
            _print(f"- {text}")
    if chart is not None:
        import io

        from mutualfin.plots import bridge_chart
        from mutualfin.workbook.writer import save_bytes

        fig = bridge_chart(d, args.figure)
        buffer = io.BytesIO()
        fig.savefig(buffer, format=chart.suffix.lower().lstrip("."), dpi=120)
        save_bytes(chart, buffer.getvalue(), overwrite=args.overwrite)
        _say(args, f"Bridge chart written: {chart}")
    if out is not None:
        results = new_case.run()
        _write_books(args, results, books, appraisal=new_case.appraise(results), diff=d)
        each = " in each" if len(books) > 1 else ""
        _say(args, f"With a Bridge sheet{each}: what changed since {Path(args.old).name}")
    return 0


def _cmd_pull(args: argparse.Namespace) -> int:
    from mutualfin.workbook.pull import pull

    report = pull(args.workbook, args.output, dry_run=args.dry_run, force=args.force)
    _print(report.summary())
    if report.written:
        _print(f"Run it again: mutualfin run {args.output}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase
    from mutualfin.report import findings, write_report

    out = Path(args.output or Path("out") / (Path(args.case).stem + ".pdf"))
    if out.suffix.lower() != ".pdf":
        raise WorkbookError(f"report path {str(out)!r} must end in .pdf")
    if not args.overwrite and (out.exists() or out.is_symlink()):
        raise WorkbookError(f"{str(out)!r} already exists; choose another name or pass --overwrite")
    case = BusinessCase.from_file(args.case)
    results = case.run()
    appraisal = case.appraise(results)
    simulation = None
    if args.simulate and any(i.uncertainty is not None for i in case.model.inputs.values()):
        simulation = case.simulate(args.simulate, seed=args.seed, progress=None)
    made = _make_folders(out.parent) if str(out.parent) else []
    try:
        write_report(
            results, out, appraisal=appraisal, simulation=simulation, overwrite=args.overwrite
        )
    except BaseException:
        _remove_folders(made)
        raise
    _print(f"{case.name}: financial implications")
    for text in findings(results, appraisal, simulation):
        _print(f"- {text}")
    _print(f"\nReport written: {out}")
    return 0


def _excel_rules(args: argparse.Namespace) -> bool | None:
    """verify's ``excel_rules``: the second engine where installed, unless asked not to."""
    return False if args.no_excel_rules else None


def _risk_tables(case, n: int, seed: int) -> dict:
    """Monte Carlo, tornado and standard scenarios as labelled value tables."""
    from mutualfin.analysis.risk import run_scenarios, standard_scenarios, tornado

    tables = {}
    if any(i.uncertainty is not None for i in case.model.inputs.values()):
        sim = case.simulate(n, seed=seed)  # a bar where someone watches (a terminal), as simulate
        tables.update(sim.tables())
        scenarios = run_scenarios(case, standard_scenarios(case))
        scenarios.attrs["title"] = "Scenarios: base, optimistic, pessimistic (values)"
        tables["scenarios"] = scenarios
    table = tornado(case)
    table.attrs["title"] = "Sensitivity of NPV to each input, +/-10% (values)"
    tables["tornado"] = table
    return tables


def _cmd_verify(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase
    from mutualfin.workbook.case_workbook import verify_live

    workbook = Path(args.workbook)
    if not workbook.is_file():
        raise WorkbookError(f"workbook {str(workbook)!r} not found")
    case = BusinessCase.from_file(args.case)
    results = case.run()
    _progress("Recalculating the workbook in LibreOffice...")
    report = results.verify(workbook, excel_rules=_excel_rules(args))
    _print(report.summary())
    ok = report.ok
    if args.live and ok:
        changes, live = verify_live(
            workbook, results, samples=args.live, seed=args.seed, excel_rules=_excel_rules(args)
        )
        shown = ", ".join(f"{k} = {v:,.4g}" for k, v in changes.items())
        _print(f"Live check: changed {shown} in the workbook and in Python")
        _print(live.summary())
        ok = live.ok
    return 0 if ok else 1


def _cmd_simulate(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase

    case = BusinessCase.from_file(args.case)
    uncertain = [n for n, i in case.model.inputs.items() if i.uncertainty is not None]
    if not uncertain:
        raise CaseFileError(
            f"{Path(args.case).name}: no input declares an uncertainty; add e.g. "
            "indexation = { value = 0.02, uncertainty = { triangular = [0.0, 0.02, 0.04] } }"
        )
    sim = case.simulate(args.n, seed=args.seed, floor=args.floor, progress=not args.quiet)
    if args.format != "table":
        table = sim.percentiles()
        if args.format == "csv":
            _csv(
                [
                    ["metric", *table.columns],
                    *([i, *r] for i, r in zip(table.index, table.values.tolist(), strict=True)),
                ]
            )
            return 0
        drivers = sim.drivers()
        _json(
            {
                "case": case.name,
                "scenarios": args.n,
                "seed": args.seed,
                "uncertain_inputs": uncertain,
                "percentiles": {
                    str(m): {str(c): _plain(table.loc[m, c]) for c in table.columns}
                    for m in table.index
                },
                "floor": sim.floor,
                "probability_cash_below_floor": sim.probability_below(),
                "drivers": [
                    {k: _plain(v) for k, v in row.items()}
                    for row in drivers.to_dict(orient="records")
                ],
            }
        )
        return 0
    _print(
        f"{case.name}: {args.n:,} scenarios, seed {args.seed}, {len(uncertain)} uncertain "
        f"inputs ({', '.join(uncertain)})\n"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        _print(
            sim.percentiles().map(lambda v: f"{v:,.2f}" if isinstance(v, float) else v).to_string()
        )
    _print(
        f"\nProbability that closing cash falls below {_money(sim.floor)} in some "
        f"{'year' if case.timeline.freq == 'annual' else 'period'}: "
        f"{sim.probability_below():.1%}"
    )
    _print("\nInputs driving NPV most (rank correlation)")
    _print(sim.drivers().to_string())
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from mutualfin import params

    table = params.table(args.prefix or "")
    cols = ["name", "from", "until", "value", "unit", "confirmed", "reference"]
    with pd.option_context(
        "display.width", 250, "display.max_colwidth", 70, "display.max_rows", 2000
    ):
        _print(table[cols].to_string(index=False))
    return 0


#: the starter case file ``mutualfin new`` writes (mutualfin/templates/case.toml): complete
#: (staff, pensions, legal form, premises, support services, VAT, set-up, the council's side),
#: every figure illustrative and saying so
TEMPLATE = (resources.files("mutualfin") / "templates" / "case.toml").read_text(encoding="utf-8")

#: the starter roster written beside it (mutualfin/templates/staff.csv): a small service of 15
#: posts, dates in UK day-first form (the roster reads ISO dates too)
ROSTER_TEMPLATE = (resources.files("mutualfin") / "templates" / "staff.csv").read_text(
    encoding="utf-8"
)


def roster_path(path: str | os.PathLike) -> Path:
    """The starter roster written beside case file ``path``: ``<name>_staff.csv``."""
    p = Path(path)
    return p.with_name(f"{p.stem}_staff.csv")


def template(path: str | os.PathLike) -> str:
    """The template case file for ``path``: its name made from the file name (quotes and
    backslashes escaped, so it parses as the name typed), its roster the file
    :func:`roster_path` names."""
    name = Path(path).stem.replace("_", " ").capitalize()[:MAX_LINE_CHARS]
    return (
        TEMPLATE.replace("__FILE__", Path(path).name)
        .replace("__NAME__", _toml_string(name))
        .replace("__ROSTER__", _toml_string(roster_path(path).name))
    )


def _cmd_new(args: argparse.Namespace) -> int:
    from mutualfin.workbook.writer import save_bytes

    path = Path(args.case)
    check_text(str(path), "case file name")
    if path.suffix != ".toml":
        raise CaseFileError(f"{path}: a case file name must end in .toml")
    roster = roster_path(path)
    for target in (path, roster):
        if not args.overwrite and (target.exists() or target.is_symlink()):
            raise WorkbookError(
                f"{str(target)!r} already exists; choose another name or --overwrite"
            )
    if not path.parent.is_dir():
        raise CaseFileError(f"{path.parent}: folder does not exist; create it first")
    save_bytes(path, template(path).encode("utf-8"), overwrite=args.overwrite)
    try:
        save_bytes(roster, ROSTER_TEMPLATE.encode("utf-8"), overwrite=args.overwrite)
    except BaseException:  # both files or neither
        path.unlink(missing_ok=True)
        raise
    _print(
        f"Case file written: {path}\nStarter roster written: {roster}\n"
        f"Every figure in them is illustrative: replace each with your own, then run: "
        f"mutualfin run {path}"
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from mutualfin.demo import DEMO_FILE, build_demo_model, load_demo_inputs
    from mutualfin.workbook import find_soffice, verify, write_workbook

    out = Path(args.output)
    _check_output(out, args.overwrite)
    source = args.inputs or DEMO_FILE
    timeline, inputs = load_demo_inputs(source)
    ev = build_demo_model(timeline, inputs).evaluate()
    frame = ev.to_frame().T
    shown = args.inputs or "the inputs shipped with mutualfin"
    _print(f"mutualfin demonstration model: {shown}\n{timeline!r}\n")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        _print(frame.map(_money).to_string())
    made = _make_folders(out.parent) if str(out.parent) else []
    try:
        write_workbook(ev, out, overwrite=args.overwrite, title="mutualfin demonstration model")
    except BaseException:
        _remove_folders(made)
        raise
    _print(f"\nWorkbook written: {out}")
    if args.no_verify or find_soffice() is None:
        return 0
    report = verify(out, ev)
    _print(report.summary())
    return 0 if report.ok else 1


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line, as every other error (usage with ``--help``)."""

    def error(self, message: str):  # type: ignore[override]
        _print(
            f"mutualfin: error: {' '.join(message.split())} (see: {self.prog} --help)",
            file=sys.stderr,
        )
        raise SystemExit(2)


_PACK = (
    "which workbooks: both (default: OUT, the publication pack with no per-employee data, "
    "and OUT-OFFICIAL-SENSITIVE.xlsx, the full per-employee model), or one of them"
)
_NO_EXCEL_RULES = (
    "verify in LibreOffice alone: skip the second engine, which follows Excel's rules "
    "(the formulas package; about ten times LibreOffice's time on a large workbook)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mutualfin",
        description="Financial business cases for public service mutuals: run a case, write "
        "its live Excel workbook, prove it equal to Python, simulate the risk.",
        epilog="Exit codes: 0 success, 1 a workbook failed verification, 2 bad input.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"mutualfin {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    run = sub.add_parser("run", help="run a case file, print its summary, write its workbook")
    run.add_argument("case", help="case file (TOML), e.g. models/youth_service.toml")
    run.add_argument("-o", "--output", help="workbook to write (default out/<case>.xlsx)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing workbook")
    run.add_argument(
        "--store-values",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="save recalculated values with the formulas, so previews and pandas show "
        "figures (the default where LibreOffice is installed; --no-store-values: formulas "
        "only)",
    )
    run.add_argument(
        "--no-protect",
        action="store_true",
        help="leave the sheets unprotected (by default every sheet is protected without a "
        "password, only the yellow input cells unlocked)",
    )
    run.add_argument("--pack", choices=("both", "publication", "full"), default="both", help=_PACK)
    run.add_argument("--no-verify", action="store_true", help="skip verification")
    run.add_argument("--no-excel-rules", action="store_true", help=_NO_EXCEL_RULES)
    run.add_argument(
        "--simulate",
        type=_whole(0),
        metavar="N",
        default=0,
        help="add a Risk sheet: Monte Carlo of N scenarios, tornado, scenarios",
    )
    run.add_argument("--seed", type=_whole(0), default=1, help="random seed for --simulate (1)")
    for flag in ("author", "status", "marking", "version"):
        run.add_argument(f"--{flag}", help=f"cover sheet {flag}")
    _format(run, "csv")
    run.set_defaults(func=_cmd_run)

    chk = sub.add_parser("check", help="validate a case file and report warnings; write nothing")
    chk.add_argument("case", help="case file (TOML)")
    _format(chk)
    chk.set_defaults(func=_cmd_check)

    sim = sub.add_parser("simulate", help="Monte Carlo over the case's uncertain inputs")
    sim.add_argument("case", help="case file (TOML) whose inputs declare uncertainty")
    sim.add_argument("-n", type=_whole(1), default=10_000, help="number of scenarios (10,000)")
    sim.add_argument("--seed", type=_whole(0), default=1, help="random seed (1)")
    sim.add_argument(
        "--floor", type=_pounds, default=None, help="cash floor in £ (default: the case's own)"
    )
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    _format(sim, "csv")
    sim.set_defaults(func=_cmd_simulate)

    ver = sub.add_parser(
        "verify", help="prove a workbook equal to Python (LibreOffice and Excel's rules)"
    )
    ver.add_argument("workbook", help="workbook written by 'mutualfin run'")
    ver.add_argument("case", help="the case file it was written from")
    ver.add_argument(
        "--live",
        type=_whole(0),
        default=2,
        help="also change this many sampled inputs in the workbook and compare "
        "with Python (default 2; 0 to skip)",
    )
    ver.add_argument("--seed", type=_whole(0), default=0, help="seed for the sampled inputs")
    ver.add_argument("--no-excel-rules", action="store_true", help=_NO_EXCEL_RULES)
    ver.set_defaults(func=_cmd_verify)

    dif = sub.add_parser(
        "diff", help="what changed between two versions of a case, and why the figures moved"
    )
    dif.add_argument("old", help="the earlier case file (TOML)")
    dif.add_argument("new", help="the later case file (TOML)")
    dif.add_argument(
        "-o", "--output", help="also write the new case's workbooks, each with a Bridge sheet"
    )
    dif.add_argument("--pack", choices=("both", "publication", "full"), default="both", help=_PACK)
    dif.add_argument("--chart", help="also draw the bridge as a waterfall (.png, .pdf or .svg)")
    dif.add_argument(
        "--figure",
        choices=[
            "npv_before_financing",
            "minimum_cash",
            "closing_reserves",
            "council_net_present_cost",
        ],
        help="the figure the chart bridges (default: NPV)",
    )
    dif.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    _format(dif, "csv")
    dif.set_defaults(func=_cmd_diff)

    pul = sub.add_parser("pull", help="write the inputs changed in a workbook into its case file")
    pul.add_argument("workbook", help="a workbook written by 'mutualfin run', edited in Excel")
    pul.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="CASE",
        help="the case file the workbook was written from: edited in place, comments kept",
    )
    pul.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    pul.add_argument(
        "--force",
        action="store_true",
        help="pull even if the workbook was written from another version of the case file",
    )
    pul.set_defaults(func=_cmd_pull)

    rep = sub.add_parser(
        "report", help="the financial implications section of a cabinet paper, as a PDF"
    )
    rep.add_argument("case", help="case file (TOML)")
    rep.add_argument("-o", "--output", help="PDF to write (default out/<case>.pdf)")
    rep.add_argument("--overwrite", action="store_true", help="replace an existing PDF")
    rep.add_argument(
        "--simulate",
        type=_whole(0),
        metavar="N",
        default=5_000,
        help="Monte Carlo scenarios for the risk headline (5,000; 0 for none)",
    )
    rep.add_argument("--seed", type=_whole(0), default=1, help="random seed (1)")
    rep.set_defaults(func=_cmd_report)

    prm = sub.add_parser("params", help="list dated UK parameters with their sources")
    prm.add_argument("prefix", nargs="?", default="", help="e.g. 'ni' or 'ct.main_rate'")
    prm.set_defaults(func=_cmd_params)

    new = sub.add_parser(
        "new", help="write a complete starter case file, and a starter roster beside it"
    )
    new.add_argument("case", help="path of the new case file (.toml)")
    new.add_argument("--overwrite", action="store_true", help="replace an existing file")
    new.set_defaults(func=_cmd_new)

    demo = sub.add_parser("demo", help="run the small demonstration model")
    demo.add_argument(
        "inputs",
        nargs="?",
        default=None,
        help="inputs (TOML); default: the demonstration inputs shipped with mutualfin",
    )
    demo.add_argument("-o", "--output", default="out/demo.xlsx", help="workbook to write")
    demo.add_argument("--overwrite", action="store_true", help="replace an existing workbook")
    demo.add_argument("--no-verify", action="store_true", help="skip LibreOffice verification")
    demo.set_defaults(func=_cmd_demo)
    return parser


def _format(command: argparse.ArgumentParser, *also: str) -> None:
    choices = ["table", "json", *also]
    command.add_argument(
        "--format",
        choices=choices,
        default="table",
        help=f"how results are printed: {', '.join(choices)} (table)",
    )


def _error(text: str) -> None:
    _print(f"mutualfin: error: {' '.join(text.split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # a character the console cannot show: escaped
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = {}
    if threading.current_thread() is threading.main_thread():

        def interrupted(signum, _frame):
            raise _Interrupted(signum)

        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None:
                previous[sig] = signal.signal(sig, interrupted)
    try:
        with warnings.catch_warnings():
            # assumptions are printed with the results (run), not as Python warnings
            warnings.simplefilter("ignore", AssumptionWarning)
            return int(args.func(args))
    except MutualfinError as exc:
        if args.debug:
            raise
        _error(str(exc))
        return 2
    except (KeyboardInterrupt, _Interrupted) as exc:
        if args.debug:
            raise
        signum = getattr(exc, "signum", signal.SIGINT)
        name = signal.Signals(signum).name if signum != signal.SIGINT else "Ctrl-C"
        _print(f"mutualfin: interrupted by {name}; no file was left half-written", file=sys.stderr)
        return 128 + int(signum)
    except OSError as exc:  # unwritable folder: still one clear line
        if args.debug:
            raise
        _error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _flush_quietly()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
