"""The command line's loops (issue 22): --version, check, --format json/csv, diff, pull and
report, through a subprocess as a script would use them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest

import mutualfin as mf

from .casefiles import MODELS, edited_case
from .test_cli import cli, one_line_error

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YOUTH = MODELS / "youth_service.toml"


def _three(text: str) -> str:
    """The youth case with three inputs changed (see tests/test_diff.py)."""
    for old, new in (
        ("annual_value = { value = 4_200_000", "annual_value = { value = 4_100_000"),
        ("price = { value = 5_000,", "price = { value = 5_500,"),
        ("vacancy_factor = { value = 0.03,", "vacancy_factor = { value = 0.04,"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_version_and_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "mutualfin", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"mutualfin {mf.__version__}\n"
    assert cli("--version").stdout == proc.stdout


def test_help_lists_the_new_commands():
    out = cli("--help").stdout
    for command in ("check", "diff", "pull", "report"):
        assert command in out


def test_check_validates_and_writes_nothing(tmp_path):
    proc = cli("check", YOUTH, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(
        "youth_service.toml: a valid case: Youth service mutual (Epic CIC shaped), 5 years "
        "from 2026/27 (24 months then 3 financial years)"
    )
    assert lines[1].startswith("Checks: OK")
    assert "held flat from" in proc.stdout  # the parameters assumed flat, listed
    assert lines[-1] == "Nothing written."
    assert list(tmp_path.iterdir()) == []


def test_check_format_json(tmp_path):
    proc = cli("check", YOUTH, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["valid"] is True and data["failed_checks"] == []
    assert data["years"] == ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    assert data["periods"][:2] == ["Apr 2026", "May 2026"] and len(data["periods"]) == 24 + 3
    assert "contract" in data["components"] and data["appraisal"] is True
    assert list(tmp_path.iterdir()) == []


def test_check_refuses_a_bad_case_in_one_line(tmp_path):
    bad = edited_case("youth_service", tmp_path, lambda t: t.replace("years = 5", "years = 0"))
    one_line_error(cli("check", bad), "youth_service.toml")


def test_run_format_json_is_data_only(tmp_path):
    out = tmp_path / "book.xlsx"
    proc = cli("run", YOUTH, "-o", out, "--no-verify", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # nothing but the JSON on standard output
    results = mf.BusinessCase.from_file(YOUTH).run()
    npv = data["metrics"]["npv_before_financing"]
    assert npv["value"] == pytest.approx(float(results.metrics["npv_before_financing"]))
    assert npv["text"] == results.metric_text("npv_before_financing") and npv["unit"] == "GBP"
    assert npv["text"] == "£1,530,262"  # the youth case planned by month, then by year
    assert data["metrics"]["irr_before_financing"]["value"] is None  # NaN: no net outlay
    # the statements by financial year; cash by month beside them
    assert data["periods"] == ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    cash = data["statements"]["Cash flow"]["closing_cash"]
    assert cash["values"] == pytest.approx(results.annual("closing_cash").tolist())
    by_month = data["cash_by_period"]
    assert by_month["periods"][0] == "Apr 2026"
    assert by_month["closing cash"] == pytest.approx(results["closing_cash"].tolist())
    assert data["checks_ok"] is True and data["workbook"] == str(out)
    full = tmp_path / "book-OFFICIAL-SENSITIVE.xlsx"
    assert data["workbooks"] == [
        {"path": str(out), "pack": "publication"},
        {"path": str(full), "pack": "full"},
    ]
    assert full.is_file()
    assert data["appraisal"][0]["rank"] == 1
    assert "Workbook written" in proc.stderr and out.is_file()


def test_run_format_csv(tmp_path):
    proc = cli("run", YOUTH, "-o", tmp_path / "b.xlsx", "--no-verify", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == [
        "section",
        "name",
        "label",
        "unit",
        "value",
        *mf.BusinessCase.from_file(YOUTH).model.annual_timeline.labels,  # by financial year
    ]
    income = next(r for r in rows if r[1] == "council_income")
    assert float(income[5]) == pytest.approx(4_200_000)  # the first year's contract, £4.2m
    npv = next(r for r in rows if r[1] == "npv_before_financing")
    assert npv[0] == "Headline metrics" and float(npv[4]) == pytest.approx(1_530_262, abs=0.5)


def test_simulate_format_json_and_csv():
    proc = cli("simulate", YOUTH, "-n", 300, "--seed", 2, "--quiet", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["scenarios"] == 300 and data["seed"] == 2
    assert "contract.annual_value" in data["uncertain_inputs"]
    p = data["percentiles"]["npv_before_financing"]
    assert p["p5"] <= p["p50"] <= p["p95"]
    assert 0 <= data["probability_cash_below_floor"] <= 1
    assert data["drivers"][0]["input"] in data["uncertain_inputs"]
    proc = cli("simulate", YOUTH, "-n", 300, "--seed", 2, "--quiet", "--format", "csv")
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0][:2] == ["metric", "p5"]
    assert float(next(r for r in rows if r[0] == "npv_before_financing")[4]) == pytest.approx(
        p["p50"]
    )


def test_diff_command_reports_the_three_inputs_and_a_bridge_to_the_penny(tmp_path):
    new = edited_case("youth_service", tmp_path / "v2", _three)
    proc = cli("diff", YOUTH, new, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [c["input"] for c in data["changes"]] == [
        "contract.annual_value",
        "traded.price",
        "staff.vacancy_factor",
    ]
    for figure in data["figures"].values():
        assert round(sum(figure["parts"].values()), 2) == round(figure["total"], 2)
        assert round(figure["new"] - figure["old"], 2) == round(figure["total"], 2)
    chart, book = tmp_path / "bridge.png", tmp_path / "v2.xlsx"
    proc = cli("diff", YOUTH, new, "--chart", chart, "-o", book, "--figure", "minimum_cash")
    assert proc.returncode == 0, proc.stderr
    assert "Inputs that changed" in proc.stdout and "Bridge (Shapley values" in proc.stdout
    assert "contract.annual_value -£20,000" in proc.stdout  # see test_diff.py
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the publication pack and the full model beside it, as run writes them, each with a Bridge
    full = tmp_path / "v2-OFFICIAL-SENSITIVE.xlsx"
    for path, roster in ((book, False), (full, True)):
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        assert "Bridge" in names and ("Roster" in names) is roster, path
    assert f"Workbook written: {book}: publication pack" in proc.stdout
    assert f"Workbook written: {full}: full model" in proc.stdout
    one_line_error(cli("diff", YOUTH, new, "--chart", chart), "already exists", "--overwrite")


def test_pull_command_writes_changes_and_refuses_an_out_of_range_edit(tmp_path):
    case_file = edited_case("youth_service", tmp_path, lambda t: t)
    book = tmp_path / "book.xlsx"
    assert cli("run", case_file, "-o", book, "--no-verify").returncode == 0
    wb = openpyxl.load_workbook(book)
    sheet, ref = next(iter(wb.defined_names["staff_vacancy_factor"].destinations))
    wb[sheet][ref.replace("$", "")].value = 5  # 5% typed as 5
    wb.save(tmp_path / "bad.xlsx")
    before = case_file.read_bytes()
    one_line_error(
        cli("pull", tmp_path / "bad.xlsx", "-o", case_file),
        "not pulled, nothing written: staff.vacancy_factor = 500.0%",
        "less than or equal to 1",
    )
    assert case_file.read_bytes() == before
    wb[sheet][ref.replace("$", "")].value = 0.05
    wb.save(tmp_path / "good.xlsx")
    proc = cli("pull", tmp_path / "good.xlsx", "-o", case_file)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == [
        "1 input changed in good.xlsx, written to youth_service.toml:",
        f"  staff.vacancy_factor: 3.0% -> 5.0% (cell {sheet}!{ref.replace('$', '')})",
    ]
    assert "vacancy_factor = { value = 0.05," in case_file.read_text(encoding="utf-8")
    one_line_error(cli("pull", tmp_path / "good.xlsx"), "-o")  # the case file is required


def test_report_writes_a_two_page_pdf_with_the_findings(tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "summary.pdf"
    proc = cli("report", YOUTH, "-o", out, "--simulate", 500)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"Report written: {out}"
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    one, two = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Financial implications" in one and "Youth service mutual (Epic CIC shaped)" in one
    assert "Findings" in one and "Key figures by year" in one and "Cash and reserves" in one
    # the figures the workbook shows, as sentences and in the key table
    assert "income is £23,783,714, 91.0% of it from the parent council" in one
    # planned by month: the lowest cash is in a month; the key figures by financial year
    assert "Its cash is lowest at £297,427 at the end of May 2026" in one
    assert "at 6.5%, is £1,530,262" in one
    assert "Closing cash £534,572 £835,076" in one
    assert "Options appraisal" in two and "1. Mutual, reserved contract" in two
    assert "In 500 scenarios drawn from the inputs' declared uncertainty (seed 1)" in two
    digest = mf.BusinessCase.from_file(YOUTH).checksums["youth_service.toml"]
    assert f"youth_service.toml: SHA-256 {digest}" in two
    assert f"Computed by mutualfin {mf.__version__}" in two
    one_line_error(cli("report", YOUTH, "-o", out), "already exists", "--overwrite")
    one_line_error(cli("report", YOUTH, "-o", tmp_path / "x.docx"), "must end in .pdf")


def test_readme_shows_every_command():
    from mutualfin.cli import build_parser

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command in sub.choices:
        if command != "demo":  # named in the text below the block
            assert f"mutualfin {command} " in section, command
    assert "mutualfin demo" in section and "mutualfin --version" in section
    assert "--format json" in section


def test_a_failed_second_workbook_puts_back_the_files_it_was_replacing(tmp_path):
    """Both or neither, and with --overwrite neither means the old pair: when the full model
    fails to write after the pack was written, the new pack is removed and both files the run
    was replacing are back as they were (before, the old pack was lost)."""
    import argparse
    import warnings

    from mutualfin.cli import _write_books
    from mutualfin.errors import WorkbookError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = mf.BusinessCase.from_file(YOUTH)
    pack, full = tmp_path / "book.xlsx", tmp_path / "book-OFFICIAL-SENSITIVE.xlsx"
    pack.write_bytes(b"last week's pack")
    full.write_bytes(b"last week's full model")

    class Failing:  # writes the pack, then fails on the full model (a full disk, say)
        def __init__(self):
            self.case = case

        def to_excel(self, path, overwrite, pack, **kwargs):
            assert overwrite and not path.exists()  # the old file is aside, not overwritten
            if pack == "full":
                raise WorkbookError("no space left on the device")
            path.write_bytes(b"this week's pack")

    args = argparse.Namespace(overwrite=True, quiet=True)
    with pytest.raises(WorkbookError, match="no space"):
        _write_books(args, Failing(), {pack: "publication", full: "full"})
    assert pack.read_bytes() == b"last week's pack"
    assert full.read_bytes() == b"last week's full model"
    assert sorted(p.name for p in tmp_path.iterdir()) == [full.name, pack.name]


def test_replaced_workbooks_keep_their_permissions(tmp_path):
    """A shared folder's 0664 workbooks stay 0664 when run --overwrite replaces them."""
    import stat

    pack, full = tmp_path / "book.xlsx", tmp_path / "book-OFFICIAL-SENSITIVE.xlsx"
    for path in (pack, full):
        path.write_bytes(b"old")
        path.chmod(0o664)
    proc = cli("run", YOUTH, "-o", pack, "--no-verify", "--no-store-values", "--overwrite")
    assert proc.returncode == 0, proc.stderr
    for path in (pack, full):
        assert path.read_bytes()[:2] == b"PK"  # a new workbook (a zip), not the old bytes
        assert stat.S_IMODE(path.stat().st_mode) == 0o664
    assert sorted(p.name for p in tmp_path.iterdir()) == [full.name, pack.name]
