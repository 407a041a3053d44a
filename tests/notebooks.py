"""The notebooks in notebooks/, executed once per test session (nbclient, kernel "python3",
from the notebooks folder as a reader would run them), for the tests of the notebooks and of
the documentation site, which shows them with their outputs."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import nbformat

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


@functools.cache
def _run(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def executed(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with every cell's outputs (a copy: the run is shared)."""
    return copy.deepcopy(_run(Path(path)))
