"""Build the documentation site: the guide, the executed notebooks and the API reference.

    .venv/bin/python scripts/build_docs.py [OUT]      # default out/docs; OUT/index.html

The pages in docs/ are copied to a staging folder with the API reference (every public module
of the package, found, so none is left out) and the notebooks beside them, executed
(nbclient, from notebooks/ as a reader runs them, so their charts and tables are shown), and
Sphinx builds the site with warnings as errors and every reference checked (``-W -n``): a
broken reference, a missing page or a notebook that fails stops the build with exit code 1.
The site is not published from here; tests/test_docs_site.py builds it in the test suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"

#: the API reference's sections: the layers' packages, each with every public module in it
#: (found, so a new module is documented, and its references checked, without a list here)
LAYERS = (
    ("The business case", "mutualfin.case"),
    ("The parts of a case (components)", "mutualfin.components"),
    ("Appraisal and risk", "mutualfin.analysis"),
    ("The workbook", "mutualfin.workbook"),
    ("UK rules", "mutualfin.uk"),
    ("Dated UK parameters", "mutualfin.params"),
    ("The engine", "mutualfin.engine"),
    ("Core: calendar, cash-flow maths, distributions, checks", "mutualfin.core"),
)
#: the faces, documented with their members
FACES = ("mutualfin.plots", "mutualfin.explore", "mutualfin.cli", "mutualfin.demo")
#: modules documented with options of their own (a chart's matplotlib-made ``set`` left out;
#: the private helpers public docstrings refer to put in)
OPTIONS = {
    "mutualfin.plots": ["   :exclude-members: set"],
    "mutualfin.cli": ["   :members: main, template, roster_path"],
    "mutualfin.workbook.case_workbook": [
        "   :members: Cover, write_case_workbook, plan_case_extras, verify_case, verify_live, "
        "live_candidates",
        "   :private-members: _live_value",
        "   :ignore-module-all:",
    ],
}
#: classes documented beside their module because its docstrings refer to them
EXTRA = {
    "mutualfin.engine.nodes": [
        ".. autoclass:: mutualfin.engine.nodes.Growth",
        "   :no-members:",
        ".. autoclass:: mutualfin.engine.nodes.Aggregate",
        "   :members: flows_guess",
    ],
}


def _modules(package: str) -> list[str]:
    import importlib
    import pkgutil

    pkg = importlib.import_module(package)
    return [
        f"{package}.{m.name}"
        for m in pkgutil.iter_modules(pkg.__path__)
        if not m.name.startswith("_") and not m.ispkg
    ]


def _automodule(name: str) -> list[str]:
    return [f".. automodule:: {name}", *OPTIONS.get(name, []), *EXTRA.get(name, [])]


def api_reference() -> str:
    """The API reference page (reStructuredText): the layers' modules, the faces, the errors
    and the public facades, every public module of the package."""
    out = [
        "API reference",
        "=============",
        "",
        "The package is in layers, each importing only those below it (:mod:`mutualfin`). The",
        "code lives in the layers' modules, documented here; the public facades users import",
        "(``mutualfin.finance``, ``mutualfin.risk``...) re-export them, and a reference to a",
        "facade's name leads to the definition.",
        "",
        ".. automodule:: mutualfin",
        "   :no-members:",
        "",
    ]
    for title, package in LAYERS:
        out += [title, "-" * len(title), "", f".. automodule:: {package}", "   :no-members:"]
        for name in _modules(package):
            out += _automodule(name)
        out.append("")
    title = "Charts, the explorer, the command line and the demonstration"
    out += [title, "-" * len(title), ""]
    for name in FACES:
        out += _automodule(name)
    out += ["", "Errors and warnings", "-------------------", ""]
    out += [".. automodule:: mutualfin.errors", "", "Public facades", "--------------", ""]
    out += ["Each re-exports the layer modules named in its docstring.", ""]
    done = {p for _, p in LAYERS} | set(FACES) | {"mutualfin.errors"}
    for name in [*_modules("mutualfin"), "mutualfin.excel"]:
        if name not in done:
            out += [f".. automodule:: {name}", "   :no-members:"]
    return "\n".join(out) + "\n"


def execute(path: Path) -> Any:
    """The notebook at ``path``, executed from its folder (raises on a failing cell)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def stage(folder: Path, notebooks: Mapping[str, Any] | None = None) -> Path:
    """Copy the pages into ``folder/docs`` with the executed notebooks in its notebooks/
    (``notebooks``: already executed ones by name, else each is executed here), and the
    files the pages include (the parameters' SOURCES.md). Returns the pages' folder."""
    import nbformat

    pages = folder / "docs"
    shutil.copytree(DOCS, pages, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    (pages / "api.rst").write_text(api_reference(), encoding="utf-8")
    (pages / "notebooks").mkdir()
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = notebooks[path.stem] if notebooks and path.stem in notebooks else execute(path)
        nbformat.write(nb, pages / "notebooks" / path.name)
    sources = folder / "mutualfin" / "params"
    sources.mkdir(parents=True)
    shutil.copy(ROOT / "mutualfin" / "params" / "SOURCES.md", sources / "SOURCES.md")
    return pages


def build(
    out: str | os.PathLike,
    *,
    notebooks: Mapping[str, Any] | None = None,
    pages: Path | None = None,
) -> subprocess.CompletedProcess:
    """Build the site into ``out``: Sphinx's html builder, warnings as errors, nitpicky.

    ``pages``: a staged folder of pages to build (default: stage docs/ and the notebooks).
    Returns Sphinx's completed process (``returncode`` 0 for a clean build, its warnings in
    ``stderr``).
    """
    with tempfile.TemporaryDirectory(prefix="mutualfin-docs-") as tmp:
        source = pages if pages is not None else stage(Path(tmp), notebooks)
        env = {**os.environ, "MUTUALFIN_DOCS_ROOT": str(ROOT), "PYTHONPATH": str(ROOT)}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-b",
                "html",
                "-W",
                "--keep-going",
                "-n",
                "-q",
                "-E",
                "-d",
                str(Path(tmp) / "doctrees"),
                str(source),
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=1200,
        )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "out" / "docs"
    proc = build(out)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode == 0:
        print(f"Documentation built: {out / 'index.html'}")
    return 1 if proc.returncode else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
