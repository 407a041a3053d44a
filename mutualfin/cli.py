"""The ``mutualfin`` command.

::

    mutualfin run CASE [-o workbook.xlsx] [--overwrite] [--store-values] [--no-verify]
                       [--no-excel-rules]
    mutualfin simulate CASE [-n 10000] [--seed 1] [--floor 0]
    mutualfin verify WORKBOOK CASE [--live 2] [--no-excel-rules]
    mutualfin params [PREFIX]
    mutualfin new CASE
    mutualfin demo [INPUTS]

Exit codes scripts can rely on: 0 success; 1 a workbook failed verification; 2 bad input (a
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
import signal
import sys
import threading
import warnings
from pathlib import Path

import pandas as pd

from mutualfin.core.checks import MAX_LINE_CHARS, check_text, printable
from mutualfin.errors import AssumptionWarning, CaseFileError, MutualfinError, WorkbookError

__all__ = ["TEMPLATE", "main", "template"]


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


def _print_results(results) -> None:
    from mutualfin.case.formatting import format_value
    from mutualfin.case.results import STATEMENT_ORDER
    from mutualfin.case.statements import statement

    case = results.case
    _print(f"{case.name}")
    _print(f"{case.timeline!r}\n")
    width = {"display.width": 220, "display.max_columns": 60, "display.max_colwidth": 48}
    lines = case.model.lines
    with pd.option_context(*[x for kv in width.items() for x in kv]):
        for title, names in STATEMENT_ORDER.items():
            rows = {}
            for name in names:
                if name not in results.evaluation.values:
                    continue
                unit = lines[name].unit
                rows[lines[name].label] = [format_value(v, unit) for v in results[name].tolist()]
            if not rows:
                continue
            table = pd.DataFrame(rows, index=case.timeline.labels).T
            table.index.name = title
            _print(table.to_string())
            _print()
    _print("Headline metrics")
    for name in results.metrics.index:
        s = statement(name)
        label = s.short if s is not None else name.replace("_", " ")
        _print(f"  {label:36s} {results.metric_text(name)}")
    checks = results.checks
    status = "OK" if bool(checks["ok"].all()) else "ERROR"
    _print(f"  {'Checks':36s} {status}")
    if case.assumptions:
        _print(f"\nAssumptions ({len(case.assumptions)}; the Parameters sheet marks them)")
        for text in case.assumptions:
            _print(f"  - {text}")


def _cmd_run(args: argparse.Namespace) -> int:
    from mutualfin.case.business_case import BusinessCase
    from mutualfin.workbook import find_soffice
    from mutualfin.workbook.case_workbook import Cover

    out = Path(args.output or Path("out") / (Path(args.case).stem + ".xlsx"))
    _check_output(out, args.overwrite)
    cover = {
        k: getattr(args, k)
        for k in ("author", "status", "marking", "version")
        if getattr(args, k) is not None
    }
    Cover(**cover)  # refuse bad cover text now, before any work
    case = BusinessCase.from_file(args.case)
    results = case.run()
    _print_results(results)
    appraisal = case.appraise(results)
    if appraisal is not None:
        _print("\nOptions appraisal (council's costs, real terms, Green Book discounting)")
        cols = [
            "rank",
            "net present cost",
            "difference from the cheapest",
            "equivalent annual net cost",
        ]
        table = appraisal.table[cols]
        _print(table.map(lambda v: _money(v) if isinstance(v, float) else v).to_string())
    risk = _risk_tables(case, args.simulate, args.seed) if args.simulate else None
    made = _make_folders(out.parent) if str(out.parent) else []
    try:
        results.to_excel(
            out,
            overwrite=args.overwrite,
            appraisal=appraisal,
            risk=risk,
            store_values=args.store_values,
            **cover,
        )
    except BaseException:
        _remove_folders(made)
        raise
    _print(f"\nWorkbook written: {out}")
    if args.no_verify:
        return 0
    if find_soffice() is None:
        _print("Verification skipped: LibreOffice not found (install libreoffice-calc-nogui).")
        return 0
    report = results.verify(out, excel_rules=_excel_rules(args))
    _print(report.summary())
    return 0 if report.ok else 1


def _excel_rules(args: argparse.Namespace) -> bool | None:
    """verify's ``excel_rules``: the second engine where installed, unless asked not to."""
    return False if args.no_excel_rules else None


def _risk_tables(case, n: int, seed: int) -> dict:
    """Monte Carlo, tornado and standard scenarios as labelled value tables."""
    from mutualfin.analysis.risk import run_scenarios, standard_scenarios, tornado

    tables = {}
    if any(i.uncertainty is not None for i in case.model.inputs.values()):
        sim = case.simulate(n, seed=seed, progress=False)
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
    _print(
        f"{case.name}: {args.n:,} scenarios, seed {args.seed}, {len(uncertain)} uncertain "
        f"inputs ({', '.join(uncertain)})\n"
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        _print(
            sim.percentiles().map(lambda v: f"{v:,.2f}" if isinstance(v, float) else v).to_string()
        )
    _print(
        f"\nProbability that closing cash falls below {_money(args.floor)} in some year: "
        f"{sim.probability_below(args.floor):.1%}"
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


TEMPLATE = """# A mutualfin business case. Every input may be a plain value or a table:
#   name = { value = 0.02, source = "where it comes from",
#            uncertainty = { triangular = [0.0, 0.02, 0.04] } }
# Money is GBP a year in first-year prices unless stated; rates are fractions (0.02 = 2%).
# Run it:  mutualfin run __FILE__

[case]
name = __NAME__
organisation = "Your council"
author = ""
status = "DRAFT"

[timeline]
start = "2026/27"      # first financial year (1 April to 31 March)
years = 5

[contract]             # the parent council's contract (mutualfin.income.Contract)
annual_value = { value = 2_000_000, source = "draft contract (illustrative)" }
indexation = { value = 0.02, uncertainty = { triangular = [0.0, 0.02, 0.03] } }
efficiency_target = 0.01
start_date = "2026-04-01"
term_years = 5
payment_lag_months = 1   # 0 = monthly in advance, 1 = monthly in arrears

[overheads]            # support services bought back (mutualfin.costs.Overheads)
hr = 40_000
payroll = 15_000
finance = 45_000
it = 60_000
insurance = 25_000
audit = 12_000
inflation = 0.02

[setup]                # one-off costs (mutualfin.costs.SetUp), one per year
amounts = [120_000, 20_000, 0, 0, 0]

[finance]              # the case's financial settings (mutualfin.case.CaseFinance)
opening_cash = 150_000
debtor_days = 30
creditor_days = 30
discount_rate = 0.035
reserves_target_months = 2

[appraisal]            # the council's side (mutualfin.appraisal.CouncilAppraisal)
in_house_cost = 2_150_000
in_house_inflation = 0.02
stranded_overheads = 50_000
setup_support = 100_000
contract_management = 30_000
# Optimism bias starts at the Green Book upper bounds; reduce it only with evidence:
# mitigations = [{ cost = "in_house_service", share = 0.5, reason = "three years' outturn" }]
"""


def template(path: str | os.PathLike) -> str:
    """The template case file for ``path``: its name made from the file name (quotes and
    backslashes escaped, so it parses as the name typed)."""
    name = Path(path).stem.replace("_", " ").capitalize()[:MAX_LINE_CHARS]
    return TEMPLATE.replace("__FILE__", Path(path).name).replace("__NAME__", _toml_string(name))


def _cmd_new(args: argparse.Namespace) -> int:
    from mutualfin.workbook.writer import save_bytes

    path = Path(args.case)
    check_text(str(path), "case file name")
    if path.suffix != ".toml":
        raise CaseFileError(f"{path}: a case file name must end in .toml")
    if not args.overwrite and (path.exists() or path.is_symlink()):
        raise WorkbookError(f"{str(path)!r} already exists; choose another name or --overwrite")
    if not path.parent.is_dir():
        raise CaseFileError(f"{path.parent}: folder does not exist; create it first")
    save_bytes(path, template(path).encode("utf-8"), overwrite=args.overwrite)
    _print(f"Case file written: {path}\nEdit it, then run: mutualfin run {path}")
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
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    run = sub.add_parser("run", help="run a case file, print its summary, write its workbook")
    run.add_argument("case", help="case file (TOML), e.g. models/youth_service.toml")
    run.add_argument("-o", "--output", help="workbook to write (default out/<case>.xlsx)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing workbook")
    run.add_argument(
        "--store-values",
        action="store_true",
        help="save recalculated values too, so previews show figures",
    )
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
    run.set_defaults(func=_cmd_run)

    sim = sub.add_parser("simulate", help="Monte Carlo over the case's uncertain inputs")
    sim.add_argument("case", help="case file (TOML) whose inputs declare uncertainty")
    sim.add_argument("-n", type=_whole(1), default=10_000, help="number of scenarios (10,000)")
    sim.add_argument("--seed", type=_whole(0), default=1, help="random seed (1)")
    sim.add_argument("--floor", type=_pounds, default=0.0, help="cash floor in £ (0)")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
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

    prm = sub.add_parser("params", help="list dated UK parameters with their sources")
    prm.add_argument("prefix", nargs="?", default="", help="e.g. 'ni' or 'ct.main_rate'")
    prm.set_defaults(func=_cmd_params)

    new = sub.add_parser("new", help="write a commented template case file to start from")
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
