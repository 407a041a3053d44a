"""Progress bars for long runs (simulation, verification), drawn by tqdm.

tqdm draws a text bar in a terminal and, in Jupyter (with ipywidgets installed), a widget bar;
without ipywidgets a notebook gets the text bar, which its output area also shows. One rule
for whether a bar is shown, the same for every long run:

- ``progress=None`` (the default): shown where someone is watching, a terminal or a Jupyter
  kernel, and only once the run has taken a second (short runs stay quiet);
- ``True``: always (on standard error); ``False``: never;
- a callable: called with ``(done, total)`` after each step instead of drawing a bar, for a
  caller with its own display.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["ProgressBar", "progress_bar"]


def _in_jupyter() -> bool:
    """Running in a Jupyter kernel (not merely with ipykernel imported, as a test or a
    library may have it): IPython's shell is an IPKernelApp's, as tqdm.autonotebook checks."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython install
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _watched() -> bool:
    """A person can see standard error: a terminal, or a Jupyter kernel's output area."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)()) or _in_jupyter()


class ProgressBar:
    """What :func:`progress_bar` returns: ``update(done)`` with the amount done so far, then
    ``close()`` (also as a context manager)."""

    def __init__(self, progress: Any, total: int, desc: str, unit: str):
        self.total = int(total)
        self.callback = progress if callable(progress) else None
        self.bar = None
        self.done = 0
        if self.callback is not None or progress is False:
            return
        if progress is None and not _watched():
            return
        self.bar = _tqdm_class()(
            total=self.total,
            desc=desc,
            unit=unit,
            unit_scale=False,
            delay=1.0 if progress is None else 0.0,
            mininterval=0.0 if progress is True else 0.1,
            file=sys.stderr,
            leave=True,
            dynamic_ncols=True,
        )

    def update(self, done: int) -> None:
        """Record that ``done`` of the total are finished (a running count, not a step)."""
        done = int(done)
        if self.callback is not None:
            self.callback(done, self.total)
        elif self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
        self.done = max(self.done, done)

    def set_total(self, total: int) -> None:
        """Change the number of steps once it is known (the sheets of a workbook, say)."""
        self.total = int(total)
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _tqdm_class() -> Any:
    """tqdm's widget bar in Jupyter when ipywidgets is installed, its text bar otherwise."""
    if _in_jupyter():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as notebook_tqdm

            return notebook_tqdm
        except ImportError:
            pass
    from tqdm.std import tqdm

    return tqdm


def progress_bar(progress: Any, total: int, *, desc: str, unit: str = "it") -> ProgressBar:
    """A progress bar over ``total`` steps, shown as ``progress`` says (module docstring).

    Parameters
    ----------
    progress : bool, callable or None
        None: shown in a terminal or Jupyter on runs over a second; True: always; False:
        never; a callable: called with ``(done, total)`` instead of drawing.
    total : int
        Steps in the run (scenarios, sheets...).
    desc : str
        What the bar is of ("mutualfin simulate").
    unit : str
        What a step is ("scenario").

    Returns
    -------
    ProgressBar

    Examples
    --------
    >>> seen = []
    >>> with progress_bar(lambda d, t: seen.append((d, t)), 3, desc="demo") as bar:
    ...     for k in range(1, 4):
    ...         bar.update(k)
    >>> seen
    [(1, 3), (2, 3), (3, 3)]
    """
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        from mutualfin.errors import InputError

        raise InputError(
            f"progress must be True, False, None or a function of (done, total), got "
            f"{type(progress).__name__} {progress!r:.60}"
        )
    return ProgressBar(progress, total, desc, unit)
