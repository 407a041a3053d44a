"""The README's images show the shipped case's figures: scripts/readme_images.py records what
it drew in docs/images/figures.json, and this test runs the case afresh and compares."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "readme_images.py"


def _script():
    spec = importlib.util.spec_from_file_location("readme_images", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_images_show_the_shipped_case_figures():
    script = _script()
    for name in ("workbook_summary.png", "cash_and_reserves.png", "figures.json"):
        assert (script.IMAGES / name).is_file(), f"run .venv/bin/python {SCRIPT.relative_to(ROOT)}"
    drawn = json.loads(script.FIGURES.read_text(encoding="utf-8"))
    _case, results, appraisal, sim = script.run_case()
    fresh = script.figures(results, appraisal, sim)
    stale = sorted(k for k in fresh if drawn.get(k) != fresh[k])
    assert not stale, (
        f"the README's images no longer show the shipped case's figures ({', '.join(stale)} "
        f"changed): run .venv/bin/python {SCRIPT.relative_to(ROOT)} and commit docs/images"
    )


def test_the_test_fails_when_a_figure_moves(tmp_path):
    """The comparison can fail: a recorded figure one pound off is reported by name."""
    script = _script()
    drawn = json.loads(script.FIGURES.read_text(encoding="utf-8"))
    drawn["minimum_cash"] += 1
    _case, results, appraisal, sim = script.run_case()
    fresh = script.figures(results, appraisal, sim)
    assert sorted(k for k in fresh if drawn.get(k) != fresh[k]) == ["minimum_cash"]
