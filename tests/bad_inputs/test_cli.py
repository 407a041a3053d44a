"""The command line with bad input, through a subprocess as a script would run it: exit code 2,
one line on standard error saying what and how to fix, and no file created or changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import GOOD_CASE, snapshot

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


def refused_cli(folder: Path, args: list, *words: str) -> None:
    before = snapshot(folder)
    proc = cli(*args, cwd=folder)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert err.startswith("mutualfin: error: ") and "\n" not in err, err
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in err, err
    assert snapshot(folder) == before


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(GOOD_CASE, encoding="utf-8")
    return path


def test_missing_case_file(tmp_path):
    refused_cli(tmp_path, ["run", "nowhere.toml", "--no-verify"], "nowhere.toml", "not found")


def test_invalid_case_file(tmp_path, case):
    case.write_text(GOOD_CASE.replace("years = 5", "years = 0"), encoding="utf-8")
    refused_cli(tmp_path, ["run", case, "--no-verify"], "case.toml", "at least 1")


def test_output_folder_under_a_regular_file(tmp_path, case):
    (tmp_path / "a_file").write_text("x")
    refused_cli(tmp_path, ["run", case, "-o", "a_file/out/case.xlsx", "--no-verify"], "a_file")


def test_existing_output_without_overwrite(tmp_path, case):
    out = tmp_path / "case.xlsx"
    assert cli("run", case, "-o", out, "--no-verify", cwd=tmp_path).returncode == 0
    refused_cli(tmp_path, ["run", case, "-o", out, "--no-verify"], "already exists", "--overwrite")


def test_new_over_an_existing_case_file(tmp_path, case):
    refused_cli(tmp_path, ["new", case], "already exists", "--overwrite")


def test_verify_missing_workbook(tmp_path, case):
    refused_cli(tmp_path, ["verify", "missing.xlsx", case], "missing.xlsx", "not found")


def test_simulate_without_uncertainty(tmp_path, case):
    text = GOOD_CASE.replace(
        "indexation = { value = 0.02, uncertainty = { triangular = [0.0, 0.02, 0.03] } }",
        "indexation = 0.02",
    )
    case.write_text(text, encoding="utf-8")
    refused_cli(tmp_path, ["simulate", case, "-n", "10"], "no input declares an uncertainty")
