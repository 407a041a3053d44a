"""Bounds of an input's values: the lowest and highest allowed, and whether only whole
numbers are.

A :class:`Bounds` is declared once, where an input is defined (a component's schema, see
:mod:`mutualfin.components.base`), and checked wherever a value can arrive: the case file or
the Python constructor, an override in ``case.run({...})``, a simulation draw, an edit made by
``verify --live``. Checks work on whole numpy arrays, so checking 100,000 drawn values costs
one comparison, not 100,000 validations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mutualfin.errors import InputError

__all__ = ["Bounds"]


def _g(x: float) -> str:
    """A bound as a person writes it: 365, 0.5, 10,000,000,000."""
    if float(x).is_integer() and abs(x) >= 10_000:
        return f"{x:,.0f}"
    return f"{x:g}"


@dataclass(frozen=True)
class Bounds:
    """Allowed values: ``low`` to ``high`` (inclusive unless ``low_open``/``high_open``), and
    only whole numbers if ``whole``. ``why`` is said when a value breaks them (how to fix it).

    >>> lag = Bounds(0, 12, whole=True, why="1 is monthly in arrears")
    >>> lag.problem(np.array([0.0, 1.0, 13.0]))
    (13.0, 'is above 12, the highest allowed; 1 is monthly in arrears')
    >>> lag.problem(np.array([0.5]))
    (0.5, 'is not a whole number; 1 is monthly in arrears')
    >>> lag.problem(np.array([3.0])) is None
    True
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    whole: bool = False
    why: str = ""
    #: the bounds this one combines (each with its own ``why``), when made with ``&``
    parts: tuple[Bounds, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not math.isfinite(float(v))):
                raise InputError(f"Bounds: {name} = {v!r} must be a finite number or None")

    # -- combining ----------------------------------------------------------------------------
    def __and__(self, other: Bounds) -> Bounds:
        """The tighter of two bounds on each side (both must hold)."""
        low, low_open = self.low, self.low_open
        if other.low is not None and (
            low is None or other.low > low or (other.low == low and other.low_open)
        ):
            low, low_open = other.low, other.low_open
        high, high_open = self.high, self.high_open
        if other.high is not None and (
            high is None or other.high < high or (other.high == high and other.high_open)
        ):
            high, high_open = other.high, other.high_open
        parts = (self.parts or (self,)) + (other.parts or (other,))
        return Bounds(low, high, low_open, high_open, self.whole or other.whole, "", parts)

    # -- checking ------------------------------------------------------------------------------
    def _reason(self, v: float) -> str | None:
        if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
            if self.low_open:
                return f"is not above {_g(self.low)}"
            if self.low == 0:
                return "is negative"
            return f"is below {_g(self.low)}, the lowest allowed"
        if self.high is not None and (v > self.high or (self.high_open and v == self.high)):
            return (
                f"is not below {_g(self.high)}"
                if self.high_open
                else f"is above {_g(self.high)}, the highest allowed"
            )
        if self.whole and not float(v).is_integer():
            return "is not a whole number"
        return None

    def problem(self, values: np.ndarray) -> tuple[float, str] | None:
        """The first value outside the bounds and why, or None when every value is inside.
        Non-finite values are the caller's to refuse (they are ignored here)."""
        if self.parts:  # each part says its own why
            for part in self.parts:
                found = part.problem(values)
                if found is not None:
                    return found
            return None
        arr = np.asarray(values, dtype=float).ravel()
        bad = np.zeros(arr.shape, dtype=bool)
        if self.low is not None:
            bad |= (arr <= self.low) if self.low_open else (arr < self.low)
        if self.high is not None:
            bad |= (arr >= self.high) if self.high_open else (arr > self.high)
        if self.whole:
            bad |= np.isfinite(arr) & (arr != np.round(arr))
        bad &= np.isfinite(arr)
        if not bad.any():
            return None
        v = float(arr[int(np.argmax(bad))])
        reason = self._reason(v) or "is outside the allowed values"
        return v, (f"{reason}; {self.why}" if self.why else reason)

    def allows_range(self, low: float, high: float) -> bool:
        """True if every value from ``low`` to ``high`` is allowed (whole numbers only if the
        range is a single whole number)."""
        if self.whole and not (low == high and float(low).is_integer()):
            return False
        ends = np.array([low, high], dtype=float)
        if not np.isfinite(ends).all():
            return self.low is None and self.high is None
        return self.problem(ends) is None

    def describe(self) -> str:
        """'from 0 to 12, whole numbers', 'at least 0', 'above 0', 'any number'."""
        parts = []
        if self.low is not None:
            parts.append(f"above {_g(self.low)}" if self.low_open else f"at least {_g(self.low)}")
        if self.high is not None:
            parts.append(f"below {_g(self.high)}" if self.high_open else f"at most {_g(self.high)}")
        if not self.low_open and not self.high_open and len(parts) == 2:
            parts = [f"from {_g(self.low)} to {_g(self.high)}"]  # type: ignore[arg-type]
        text = " and ".join(parts) or "any number"
        return text + (", whole numbers" if self.whole else "")
