"""The UK financial-year calendar: labels such as "2026/27" and their parsing.

A council's financial year, and the corporation-tax financial year, run from 1 April to 31
March ("2026/27"; corporation tax calls it "FY2026"). This module depends on numpy alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from mutualfin.errors import TimelineError

__all__ = ["DATE_FORMATS", "financial_year_label", "parse_date", "parse_financial_year"]


def financial_year_label(start_year: int) -> str:
    """Label of the financial year starting in ``start_year``: 2026 -> "2026/27"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_financial_year(year: int | str) -> int:
    """The starting calendar year of a financial year given as 2025, "2025" or "2025/26".

    >>> parse_financial_year("2025/26")
    2025
    >>> parse_financial_year(2025)
    2025
    """
    if isinstance(year, bool):
        raise TimelineError(f"financial year {year!r} is not a year; give 2025 or '2025/26'")
    if isinstance(year, int | np.integer):
        y = int(year)
    elif isinstance(year, str):
        text = year.strip()
        if text.upper().startswith("FY"):
            text = text[2:]
        head, sep, tail = text.partition("/")
        if not head.isdigit() or len(head) != 4 or (sep and not tail.isdigit()):
            raise TimelineError(
                f"financial year {year!r} is not understood; give 2025, 'FY2025' or '2025/26'"
            )
        y = int(head)
        if sep and int(tail) % 100 != (y + 1) % 100:
            raise TimelineError(
                f"financial year {year!r} is inconsistent: the year after {y} is "
                f"{financial_year_label(y)!r}"
            )
    else:
        raise TimelineError(
            f"financial year {year!r} has type {type(year).__name__}; give 2025 or '2025/26'"
        )
    if not 1900 <= y <= 2200:
        raise TimelineError(f"financial year {year!r} is outside 1900-2200; check the year")
    return y


#: the text forms of a date that rosters and case files accept: ISO, then UK day-first
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime (or pandas Timestamp) or text in ISO (``2026-04-01``) or
    UK day-first form (``01/04/2026``, ``01-04-2026``); None if it is none of these.

    Day first, as UK councils write dates: ``01/04/2026`` is 1 April 2026, never 4 January.

    >>> parse_date("01/04/2026"), parse_date("2026-04-01"), parse_date("04/31/2026")
    (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), None)
    """
    if isinstance(value, dt.datetime):  # a pandas Timestamp is one; NaT is not a date
        return None if value != value else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None
