"""Figures formatted by their unit, never by their name.

Every line and metric has a unit ("GBP", "fraction", "years", "months", "count", "ratio",
"flag"); :func:`format_value` turns a figure into the text a finance officer expects for that
unit (£1,234, 3.2%, 2.5 years, 3, 1.23x), and the missing text a line declares ("never" for a
payback that does not happen) for a figure that is missing by design.

>>> format_value(-1234.4, "GBP")
'-£1,234'
>>> format_value(0.032, "fraction")
'3.2%'
>>> format_value(float("nan"), "years", missing="never")
'never'
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["format_money", "format_value", "is_missing"]


def is_missing(value: Any) -> bool:
    """True for None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_money(value: Any) -> str:
    """£1,234 or -£1,234 (whole pounds); n/a for a missing value."""
    if is_missing(value):
        return "n/a"
    return f"£{value:,.0f}" if value >= 0 else f"-£{-value:,.0f}"


def format_value(value: Any, unit: str, *, missing: str = "n/a") -> str:
    """A figure as text for its unit; ``missing`` for None or NaN; text is left as it is."""
    if isinstance(value, str):
        return value
    if is_missing(value):
        return missing
    value = float(value)
    base = unit.split("/")[0]
    if base == "GBP":
        return format_money(value)
    if base == "fraction":
        return f"{value:.1%}"
    if base == "years":
        return f"{value:.1f} years"
    if base == "months":
        return f"{value:.1f} months"
    if base == "ratio":
        return f"{value:.2f}x"
    if base == "flag":
        return "yes" if value else "no"
    if base in ("count", "FTE", "days", "weeks"):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{value:,.2f}"
