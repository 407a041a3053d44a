"""The ``mutualfin`` command.

Exit codes scripts can rely on: 0 success; 1 the workbook failed verification; 2 bad input
(a missing or invalid file, an unknown name), with one line on standard error saying what
and how to fix it (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from mutualfin.errors import MutualfinError

__all__ = ["main"]


def _money(x: float) -> str:
    return f"£{x:,.0f}" if x >= 0 else f"-£{-x:,.0f}"


def _cmd_demo(args: argparse.Namespace) -> int:
    from mutualfin.demo import build_demo_model, load_demo_inputs
    from mutualfin.excel import find_soffice, verify, write_workbook

    timeline, inputs = load_demo_inputs(args.case)
    model = build_demo_model(timeline, inputs)
    ev = model.evaluate()
    frame = ev.to_frame().T
    frame = frame.loc[[n for n in frame.index if not n.endswith("_factor1")]]
    print(f"mutualfin demonstration model: {args.case}")
    print(f"{timeline!r}\n")
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(frame.map(_money).to_string())
    cash = ev["closing_cash"]
    print(
        f"\nMinimum closing cash: {_money(cash.min())} in {cash.idxmin()}; "
        f"cumulative surplus: {_money(ev['surplus'].sum())}"
    )
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(ev, out, overwrite=args.overwrite, title="mutualfin demonstration model")
    print(f"\nWorkbook written: {out}")
    if args.no_verify:
        return 0
    if find_soffice() is None:
        print("Verification skipped: LibreOffice not found (install libreoffice-calc-nogui).")
        return 0
    report = verify(out, ev)
    print(report.summary())
    return 0 if report.ok else 1


def _cmd_params(args: argparse.Namespace) -> int:
    from mutualfin import params

    table = params.table(args.prefix or "")
    cols = ["name", "from", "until", "value", "unit", "confirmed", "reference"]
    with pd.option_context(
        "display.width", 250, "display.max_colwidth", 70, "display.max_rows", 1000
    ):
        print(table[cols].to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutualfin",
        description="Financial business cases for public service mutuals.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demonstration model and write its workbook")
    demo.add_argument("case", nargs="?", default="models/demo.toml", help="inputs file (TOML)")
    demo.add_argument("-o", "--output", default="out/demo.xlsx", help="workbook to write")
    demo.add_argument("--overwrite", action="store_true", help="replace an existing workbook")
    demo.add_argument("--no-verify", action="store_true", help="skip LibreOffice verification")
    demo.set_defaults(func=_cmd_demo)
    prm = sub.add_parser("params", help="list dated UK parameters with their sources")
    prm.add_argument("prefix", nargs="?", default="", help="e.g. 'ni' or 'ct.main_rate'")
    prm.set_defaults(func=_cmd_params)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except MutualfinError as exc:
        if args.debug:
            raise
        print(f"mutualfin: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
