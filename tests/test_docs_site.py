"""The documentation site builds (scripts/build_docs.py: Sphinx, warnings as errors, every
reference checked) with the guide, the API reference from the numpydoc docstrings and the
notebooks executed, their charts and tables shown; and a broken reference fails the build."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest

from tests.notebooks import NOTEBOOKS, executed

ROOT = Path(__file__).resolve().parents[1]
BUILD = runpy.run_path(str(ROOT / "scripts" / "build_docs.py"))


@pytest.mark.slow
def test_site_builds_with_guide_api_and_executed_notebooks(tmp_path):
    notebooks = {p.stem: executed(p) for p in NOTEBOOKS}
    out = tmp_path / "site"
    proc = BUILD["build"](out, notebooks=notebooks)
    assert proc.returncode == 0, proc.stderr[-3000:]
    guide = (out / "guide.html").read_text(encoding="utf-8")
    assert (
        'id="your-first-case"' in guide and "Starter roster written: my_service_staff.csv" in guide
    )
    api = (out / "api.html").read_text(encoding="utf-8")
    for name in ("mutualfin.case.business_case.BusinessCase", "mutualfin.plots.Chart",
                 "mutualfin.explore.Explorer", "mutualfin.core.cashflow.irr"):  # fmt: skip
        assert f'id="{name}"' in api, name
    assert "contract_income" in api  # a component's Lines section is kept (in its Notes)
    for path in NOTEBOOKS:
        page = (out / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        images = [
            o
            for c in notebooks[path.stem].cells
            if c.cell_type == "code"
            for o in c.outputs
            if "image/png" in o.get("data", {})
        ]
        assert 1 <= len(images) <= page.count("<img"), path.stem  # its charts, as images
        assert "£" in page and "Traceback" not in page, path.stem
    assert "Parameter sources" in (out / "sources.html").read_text(encoding="utf-8")


def _pages(tmp_path: Path, body: str) -> Path:
    """A one-page site with the real conf.py: ``body`` is its MyST text."""
    pages = tmp_path / "pages"
    pages.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "conf.py", pages / "conf.py")
    (pages / "index.md").write_text(
        "# Test\n\n```{eval-rst}\n.. autofunction:: mutualfin.core.cashflow.npv\n```\n\n" + body,
        encoding="utf-8",
    )
    return pages


def test_a_reference_to_a_public_facade_resolves_to_the_definition(tmp_path):
    pages = _pages(tmp_path, "See {py:func}`mutualfin.finance.npv` and {py:func}`mf.npv`.\n")
    proc = BUILD["build"](tmp_path / "site", pages=pages)
    assert proc.returncode != 0  # mf.npv names nothing
    assert "mf.npv" in proc.stderr and "mutualfin.finance.npv" not in proc.stderr
    pages = _pages(tmp_path / "ok", "See {py:func}`mutualfin.finance.npv`.\n")
    proc = BUILD["build"](tmp_path / "site2", pages=pages)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "site2" / "index.html").read_text(encoding="utf-8")
    assert 'href="#mutualfin.core.cashflow.npv"' in html


def test_a_broken_reference_fails_the_build(tmp_path):
    pages = _pages(tmp_path, "See {py:func}`mutualfin.risk.no_such_function`.\n")
    proc = BUILD["build"](tmp_path / "site", pages=pages)
    assert proc.returncode != 0
    assert "mutualfin.risk.no_such_function" in proc.stderr
    assert "reference target not found" in proc.stderr


def test_the_test_extra_installs_what_the_site_and_the_explorer_need():
    """CI installs the test extra (scripts/setup.sh), so the site builds there, and fails the
    test above if it cannot, only if every requirement of the docs and explore extras is in
    it too."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    missing = sorted((set(extras["docs"]) | set(extras["explore"])) - set(extras["test"]))
    assert missing == []
    assert '-e ".[test]"' in (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
