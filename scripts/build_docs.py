"""Build the documentation site: the guide, the executed notebooks and the API reference.

    .venv/bin/python scripts/build_docs.py [OUT]      # default out/docs; OUT/index.html

The pages in docs/ are copied to a staging folder with the notebooks beside them, executed
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
