"""When money moves inside the year: lines that components on a timeline with months share.

A monthly plan needs three things an annual one does not:

* **Year to date.** Some rules work on the year's running total: the Employment Allowance is
  set against employer NI from the first pay days of the tax year until it is used up, the
  Apprenticeship Levy allowance accumulates month by month, corporation tax is charged on the
  whole year's profit. :func:`year_to_date` is the running total within each financial year
  (on an annual period, the period itself).
* **Paid in arrears.** PAYE (employer NI, levy) and pension contributions for a month are paid
  the month after: :func:`paid_in_arrears` is the cash paid for a cost line, and what is owed
  at each period end.
* **Yearly flags.** The first and last period of each financial year and the month a yearly
  event falls in (:mod:`mutualfin.engine.nodes`: ``year_start``, ``year_end``, ``in_month``).

Each is written with the timeline's own rows, so the same definition holds on months, on
financial years, and on months then years (an annual period is its own year to date, and a
month's arrears of a year's costs are a twelfth of them).
"""

from __future__ import annotations

from typing import Any

from mutualfin.engine.nodes import (
    Line,
    previous,
    where,
    year_fraction,
    year_start,
    years_elapsed,
)
from mutualfin.engine.timeline import Timeline

__all__ = ["EDGE", "ended_by", "paid_in_arrears", "started_before", "year_to_date"]

#: how far (in years, about 30 seconds) a period's start or end must be inside a boundary in
#: time to count as on its side. The Timeline's years elapsed are figures in the workbook,
#: kept to 15 digits once an application saves it: 2.08333333333333 less 0.0833333333333333
#: is 1.9999999999999967, so a month starting exactly two years in counted as starting
#: before then under Excel's rules (LibreOffice compares within rounding, Python had the
#: exact figures), and pay protection ran a month longer on a 60-month timeline.
EDGE = 1e-6


def started_before(years: Any) -> Any:
    """1 in the periods that start before ``years`` years from the timeline's start."""
    return (years_elapsed() - year_fraction()) < years - EDGE


def ended_by(years: Any) -> Any:
    """1 in the periods that end at or after ``years`` years from the timeline's start."""
    return years_elapsed() >= years - EDGE


def year_to_date(name: str, x: Any, *, sheet: str, label: str, opening: Any = None) -> Line:
    """Running total of ``x`` within each financial year: ``x + previous x`` to date, restarting
    in the first period of each year (an annual period is its own total).

    A balance (its year-end value is the year's total), so ``by_year`` closes it there.
    ``opening`` is the value before the first period (the previous year's total: only a
    line that refers to last year's total through ``previous`` reads it)."""
    return Line(
        name,
        x + previous(name) * (1 - year_start()),
        kind="balance",
        sheet=sheet,
        label=label,
        opening=opening,
    )


def paid_in_arrears(name: str, cost: Line, timeline: Timeline, *, sheet: str, label: str) -> list:
    """The cash paid for ``cost`` the month after it is incurred.

    On months: last month's cost (``previous``). On months then years, a line of what is owed
    at each period end (a month's cost; a twelfth of a year's) and payments of ``cost +
    owed at the last period end - owed now``. Before the first period nothing is owed (the
    mutual's first month is paid in its second). Returns the lines to add, the last being
    the payments.
    """
    if not timeline.mixed:
        return [Line(name, previous(cost), sheet=sheet, label=label)]
    owed = Line(
        f"{name}_owed",
        where(year_fraction() < 1, cost, cost / 12 / year_fraction()),
        kind="balance",
        sheet=sheet,
        label=f"{cost.label}: owed at the period end (a month's)",
    )
    return [owed, Line(name, cost + previous(owed) - owed, sheet=sheet, label=label)]
