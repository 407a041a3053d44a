"""The mutualfin exception hierarchy.

Every error mutualfin raises on purpose is a :class:`MutualfinError`, and its message names
the thing that is wrong (a field, a file and key, a line, a cell), the value found, and how
to fix it. Catch :class:`MutualfinError` to handle them all.

::

    MutualfinError
    ├── InputError (also ValueError)          a value given by the user is unusable
    │   ├── UnitError                         a value does not fit its unit (3 for 0.03)
    │   └── CaseFileError                     a case file is malformed (file, key, fix)
    ├── ModelError                            a model definition cannot be evaluated
    │   ├── CycleError                        lines depend on each other in a loop
    │   ├── UnknownReferenceError             a line refers to a name that is not defined
    │   └── TimelineError                     timelines disagree, or a timeline is invalid
    ├── EvaluationError                       evaluation produced a non-finite figure
    ├── ParameterError                        dated UK parameters
    │   ├── ParameterFileError                a parameter data file is malformed
    │   ├── UnknownParameterError             no parameter has that name
    │   └── ParameterRangeError               a date outside the parameter's data
    ├── SolverError                           an iterative solver failed, with its reason
    └── WorkbookError                         writing or checking a workbook
        ├── RecalculationError                a recalculation engine is missing or failed
        └── VerificationError                 the workbook disagrees with Python

One warning, for figures that rest on an assumption the user should see (a parameter held flat
beyond its data): :class:`AssumptionWarning`, and its kind :class:`IncompleteCaseWarning` for a
case that leaves out a part every business case has (staff costs, support services). It never
stands in for an error: anything that would make a figure wrong raises.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = [
    "AssumptionWarning",
    "CaseFileError",
    "CycleError",
    "EvaluationError",
    "IncompleteCaseWarning",
    "InputError",
    "ModelError",
    "MutualfinError",
    "ParameterError",
    "ParameterFileError",
    "ParameterRangeError",
    "RecalculationError",
    "SolverError",
    "TimelineError",
    "UnitError",
    "UnknownParameterError",
    "UnknownReferenceError",
    "VerificationError",
    "WorkbookError",
]


class MutualfinError(Exception):
    """Base class of every error mutualfin raises on purpose."""


class InputError(MutualfinError, ValueError):
    """A value given by the user cannot be used (wrong type, out of range, wrong shape)."""


class UnitError(InputError):
    """A value does not fit its declared unit, e.g. a fraction typed as a whole percentage."""


class CaseFileError(InputError):
    """A case file is malformed; the message names the file, the key and the fix."""


class ModelError(MutualfinError):
    """A model definition cannot be evaluated or rendered."""


class CycleError(ModelError):
    """Lines depend on each other within the same period, in a loop."""

    def __init__(self, cycle: list[str]):
        self.cycle = list(cycle)
        path = " -> ".join([*self.cycle, self.cycle[0]])
        super().__init__(
            f"circular definition: {path}. A line cannot depend on itself in the same period; "
            "if one of these needs last period's value, wrap the reference in previous(...)."
        )


class UnknownReferenceError(ModelError):
    """A line refers to a line, input or parameter that is not defined."""


class TimelineError(ModelError):
    """A timeline is invalid, or two parts of a model use different timelines."""


class EvaluationError(MutualfinError):
    """Evaluation produced a non-finite figure (division by zero, overflow)."""


class ParameterError(MutualfinError):
    """A problem with the dated UK parameters."""


class ParameterFileError(ParameterError):
    """A parameter data file is malformed; the message names the file, the key and the fix."""


class UnknownParameterError(ParameterError, KeyError):
    """No parameter has the requested name."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ParameterRangeError(ParameterError):
    """A date or year outside the range the parameter's data covers."""


class SolverError(MutualfinError):
    """An iterative solver failed; the message says why (no sign change, no convergence)."""


class WorkbookError(MutualfinError):
    """Writing or checking a workbook failed."""


class RecalculationError(WorkbookError):
    """A recalculation engine (LibreOffice, or the formulas package that follows Excel's
    rules) is not installed, or failed to recalculate a workbook."""


class VerificationError(WorkbookError):
    """A workbook's recalculated figures disagree with Python's."""


class AssumptionWarning(UserWarning):
    """A figure rests on an assumption mutualfin made and the user should see, such as a
    dated parameter held flat beyond its data."""


class IncompleteCaseWarning(AssumptionWarning):
    """A business case leaves out a part every spin-out has (no staff costs, no support
    services): its figures run, but overstate the surplus by whatever the part would cost.
    The case lists what is missing in ``case.missing``; the command line and the workbook's
    Summary say it too."""


def warn_assumption(message: str, category: type[AssumptionWarning] = AssumptionWarning) -> None:
    """Warn with :class:`AssumptionWarning` (or ``category``, a kind of it), pointing at the
    user's code (the first frame outside the mutualfin package), not at mutualfin's own."""
    here = os.path.dirname(os.path.abspath(__file__))
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        level += 1
        frame = frame.f_back
    warnings.warn(category(message), stacklevel=level)
