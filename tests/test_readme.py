"""The README's Python example runs as written (with the workbook written to a temporary
folder), so the front page cannot rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.libreoffice
def test_readme_python_example_runs(soffice, tmp_path, monkeypatch, capsys):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    block = block.replace('"models/', repr(ROOT + "/models/")[:-1].replace("'", '"', 1))
    # verify in LibreOffice alone: the second engine proves the shipped cases once, in
    # test_models.py (it takes tens of seconds on this workbook)
    assert "results.verify(path)" in block
    block = block.replace("results.verify(path)", "results.verify(path, excel_rules=False)")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "youth_service.xlsx").is_file()
    assert "OK:" in capsys.readouterr().out
    assert namespace["three"].evaluation.metrics().shape[0] == 3
    assert namespace["results"].checks["ok"].all()


def test_readme_jupyter_example_runs(tmp_path, monkeypatch):
    """The README's "In Jupyter" block, run as written: formatted tables with the numbers
    behind them, a chart saved as SVG, the explorer and a simulation."""
    import mutualfin as mf

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"## In Jupyter\n\n```python\n(.*?)```", text, re.S).group(1)
    block = block.replace('"models/', repr(ROOT + "/models/")[:-1].replace("'", '"', 1))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    table = namespace["results"].statement_table("Cash flow")
    assert "£" in table.to_html() and table.data.shape[1] == 5
    assert (tmp_path / "cash.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert isinstance(namespace["chart"], mf.plots.Chart)
    assert namespace["sim"].n == 20_000


def test_cli_demo_and_exit_codes(tmp_path):
    out = tmp_path / "demo.xlsx"
    cmd = [
        sys.executable,
        "-m",
        "mutualfin.cli",
        "demo",
        "-o",
        str(out),
        "--no-verify",
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert "closing_cash" in first.stdout and out.is_file()
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 2
    assert again.stderr.strip().count("\n") == 0
    assert "already exists" in again.stderr and "--overwrite" in again.stderr
    missing = subprocess.run(
        [*cmd[:4], "nope.toml", "-o", str(tmp_path / "x.xlsx")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert missing.returncode == 2 and "file not found" in missing.stderr
    params = subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", "params", "zzz"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert params.returncode == 2 and "families are" in params.stderr
