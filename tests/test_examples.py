"""Each script in examples/ runs as `python examples/x.py OUTPUT_DIR` in a subprocess, exits
0 and writes only into the directory it was given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


def test_the_three_examples_are_there():
    assert {p.stem for p in EXAMPLES} >= {"quickstart", "appraisal", "risk"}


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(path, tmp_path):
    out = tmp_path / "out"
    before = {p for p in ROOT.rglob("*") if ".git" not in p.parts}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(path), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert any(out.iterdir()), "the example wrote nothing to its output directory"
    after = {p for p in ROOT.rglob("*") if ".git" not in p.parts}
    new = sorted(str(p) for p in after - before if "__pycache__" not in p.parts)
    assert not [n for n in new if "/examples/" in n or "/models/" in n], new
