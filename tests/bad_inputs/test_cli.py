"""The command line with bad input, through a subprocess as a script would run it: exit code 2,
one line on standard error saying what and how to fix, and no file created or changed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
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


def one_line(proc, code: int, *words: str) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and "Exception ignored" not in err, err
    for w in words:
        assert w in err, err
    return err


# -- control characters (issue 20, item 1) ----------------------------------------------------
@pytest.mark.parametrize("flag", ["--author", "--marking", "--status", "--version"])
def test_control_characters_in_cover_text(tmp_path, case, flag):
    refused_cli(
        tmp_path,
        ["run", case, "-o", "out/sub/case.xlsx", "--no-verify", flag, "A\x1b[31mB"],
        f"cover {flag[2:]}",
        "control character",
        "\\x1b",
    )


def test_escape_sequences_are_printed_escaped(tmp_path):
    proc = cli("run", "\x1b[2J\x1b[31mcase.toml", "--no-verify", cwd=tmp_path)
    err = one_line(proc, 2, "file not found", "\\x1b[2J")
    assert "\x1b" not in err


def test_new_with_a_backslash_writes_the_name_typed(tmp_path):
    """'dept\\budget.toml' made a TOML name holding a backspace (\\b); the name is now
    escaped, so the file parses to the name typed and runs."""
    proc = cli("new", "dept\\budget.toml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "dept\\budget.toml"
    assert tomllib.loads(path.read_text(encoding="utf-8"))["case"]["name"] == "Dept\\budget"
    run = cli("run", path.name, "-o", "book.xlsx", "--no-verify", cwd=tmp_path)
    assert run.returncode == 0, run.stderr


def test_new_with_quotes_writes_valid_toml(tmp_path):
    proc = cli("new", 'council "A" case.toml', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / 'council "A" case.toml').read_text(encoding="utf-8")
    assert tomllib.loads(text)["case"]["name"] == 'Council "a" case'


def test_new_with_a_control_character_in_the_file_name(tmp_path):
    refused_cli(tmp_path, ["new", "case\x1b.toml"], "case file name", "control character")


# -- permissions and folders (issue 20, item 7) -----------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [["-o", "newdir/sub/x.xls"], ["-o", "newdir/sub/x.xlsx", "--author", "a\x01b"]],
    ids=["not_xlsx", "bad_author"],
)
def test_refused_output_creates_no_folder(tmp_path, case, extra):
    refused_cli(tmp_path, ["run", case, "--no-verify", *extra])
    assert not (tmp_path / "newdir").exists()


# -- full disk and signals (issue 20, item 6) --------------------------------------------------
RUN_FLAGS = ["--overwrite", "--no-verify"]


def small_disk(limit: int = 20_000):
    """Files this process writes may not grow past ``limit`` bytes (the kernel answers EFBIG,
    as a full disk answers ENOSPC)."""
    import resource

    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_full_disk_run(tmp_path, case):
    out = tmp_path / "case.xlsx"
    assert cli("run", case, "-o", out, "--no-verify", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", "run", str(case), "-o", str(out), *RUN_FLAGS],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        preexec_fn=small_disk(),
    )
    err = one_line(proc, 2, "could not write", "case.xlsx", "File too large", "unchanged")
    assert ".tmp" not in err
    assert snapshot(tmp_path) == before  # the earlier workbook intact, nothing left behind


def test_full_disk_new(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", "new", "case.toml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        preexec_fn=small_disk(100),
    )
    one_line(proc, 2, "could not write", "case.toml", "File too large")
    assert snapshot(tmp_path) == {}  # no 0-byte case file


SIGNAL_SCRIPT = """
import os, signal, sys
real_write = os.write
def write(fd, data):  # the signal arrives as the workbook is being written
    os.write = real_write
    os.kill(os.getpid(), signal.{name})
    return real_write(fd, data)
os.write = write
from mutualfin.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("name", "code", "said"),
    [("SIGTERM", 143, "SIGTERM"), ("SIGHUP", 129, "SIGHUP"), ("SIGINT", 130, "Ctrl-C")],
)
def test_interrupted_while_saving(tmp_path, case, name, code, said):
    out = tmp_path / "case.xlsx"
    assert cli("run", case, "-o", out, "--no-verify", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path)
    script = SIGNAL_SCRIPT.format(name=name)
    proc = subprocess.run(
        [sys.executable, "-c", script, "run", str(case), "-o", str(out), *RUN_FLAGS],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    one_line(proc, code, f"interrupted by {said}", "no file was left half-written")
    assert snapshot(tmp_path) == before


# -- consoles (issue 20, item 8) ---------------------------------------------------------------
def test_windows_console_encoding(tmp_path, case):
    """Output redirected under cp1252 with a Welsh ŵ, Hebrew and an emoji in the case name:
    the workbook is written and the characters cp1252 lacks are printed as escapes."""
    case.write_text(
        GOOD_CASE.replace('"Test mutual"', '"Gwasanaeth ieuenctid Bryn Ŵy עברית 🙂"'),
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", "run", case, "-o", "case.xlsx", "--no-verify"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"},
    )
    assert proc.returncode == 0, proc.stderr.decode("cp1252", "replace")
    out = proc.stdout.decode("cp1252")
    assert "Bryn \\u0174y" in out and "\\U0001f642" in out
    assert (tmp_path / "case.xlsx").is_file()


def test_closed_pipe(tmp_path, case):
    """`mutualfin run case.toml | head`: the reader leaves early; the run still writes its
    workbook and says nothing about the pipe."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mutualfin.cli", "run", case, "-o", "case.xlsx", "--no-verify"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    proc.stdout.read(10)
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == 0, err
    assert err == ""
    assert (tmp_path / "case.xlsx").is_file()


# -- crafted numbers and files (issue 20, item 9) ---------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify", "book.xlsx", "{case}", "--live", "-1"], ["--live", "at least 0"]),
        (["verify", "book.xlsx", "{case}", "--seed", "-1"], ["--seed", "at least 0"]),
        (["simulate", "{case}", "--seed", "-1"], ["--seed", "at least 0"]),
        (["simulate", "{case}", "-n", "0"], ["-n", "at least 1"]),
        (["simulate", "{case}", "-n", "10**9"], ["-n", "'10**9' is not a whole number"]),
        (["simulate", "{case}", "-n", "10000000000000"], ["GiB of memory", "run at most"]),
        (["simulate", "{case}", "--floor", "nan"], ["--floor", "'nan' is not a finite amount"]),
        (["run", "{case}", "--simulate", "-5"], ["--simulate", "at least 0"]),
        (["run", "{case}", "--no-verify", "--bogus"], ["unrecognized arguments: --bogus"]),
    ],
    ids=[
        "live_negative",
        "verify_seed_negative",
        "simulate_seed_negative",
        "no_scenarios",
        "python_power",
        "more_than_memory",
        "floor_nan",
        "run_simulate_negative",
        "unknown_flag",
    ],
)
def test_bad_numbers_one_line(tmp_path, case, args, words):
    refused_cli(tmp_path, [a.replace("{case}", str(case)) for a in args], *words)


def test_deeply_nested_case_file(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text("x = " + "[" * 5_000 + "]" * 5_000 + "\n", encoding="utf-8")
    refused_cli(tmp_path, ["run", path, "--no-verify"], "nested too deeply")


# -- models/ holds cases (issue 23, item 1) ----------------------------------------------------
def test_run_given_the_demonstration_inputs(tmp_path):
    from mutualfin.demo import DEMO_FILE

    refused_cli(
        tmp_path, ["run", DEMO_FILE, "--no-verify"], "demonstration-model file", "mutualfin demo"
    )


@pytest.mark.parametrize("path", sorted((ROOT / "models").glob("*.toml")), ids=lambda p: p.stem)
def test_every_file_in_models_runs(tmp_path, path):
    proc = cli("run", path, "-o", tmp_path / "book.xlsx", "--no-verify", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"Checks +OK", proc.stdout), proc.stdout
