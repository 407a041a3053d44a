"""Every notebook in notebooks/ executes from top to bottom without an error, and shows what a
reader should see: each chart as an image (a Figure returned by ``mutualfin.plots`` shows
itself, no ``%matplotlib inline``) and each table formatted as a finance report (£ with
thousands separators, %). Notebooks are committed without outputs; the documentation site
shows them executed."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.notebooks import NOTEBOOKS, executed

#: a cell whose last line draws a chart, or shows a formatted table
CHART = re.compile(r"^(plots\.\w+\(|sim\.fan_chart\()")
TABLE = re.compile(r"(style_table|statement_table|metrics_table)\(")


def test_the_three_notebooks_are_there():
    assert {p.stem for p in NOTEBOOKS} >= {"walkthrough", "risk", "appraisal"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, path.name


def _last_line(cell) -> str:
    lines = [x for x in cell.source.strip().splitlines() if x.strip()]
    return lines[-1].strip() if lines else ""


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executes_with_charts_as_images_and_tables_formatted(path):
    nb = executed(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    charts = [c for c in code if CHART.match(_last_line(c))]
    tables = [c for c in code if TABLE.search(_last_line(c))]
    assert len(charts) >= 1 and len(tables) >= 1, path.stem
    for cell in charts:
        data = [o.get("data", {}) for o in cell.outputs]
        assert any("image/png" in d for d in data), (path.stem, cell.source)
    for cell in tables:
        html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
        assert "<table" in html, (path.stem, cell.source)
        assert re.search(r">-?£\d{1,3}(,\d{3})+<", html), (path.stem, cell.source)
        assert not re.search(r">-?\d+\.\d{3,}<", html), (path.stem, cell.source)  # no raw floats
