"""The shared timeline: UK financial years, annual or monthly periods, or months then years.

A council's financial year runs from 1 April to 31 March and is labelled "2026/27"; so does
the corporation-tax financial year ("FY2026" starts on 1 April 2026). The income-tax and
National Insurance year runs from 6 April; parameters on that basis are looked up by date, so
the timeline itself always uses the financial year.

Every line of a model is an array over the periods of one :class:`Timeline`: financial years,
months, or months for the first years and financial years after them (a finance director
plans the first two years month by month and the rest by year). Flows (income, costs) convert
to financial years by summing; balances (cash, reserves) by taking the closing period of each
year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from mutualfin.core.calendar import financial_year_label, parse_financial_year
from mutualfin.errors import TimelineError

__all__ = ["Timeline", "financial_year_label", "parse_financial_year"]

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _to_date(value: object, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise TimelineError(f"{field} {value!r} is not a date; give an ISO date such as '2026-04-01'")


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


@dataclass(frozen=True)
class Timeline:
    """Consecutive periods of a business case.

    Parameters
    ----------
    start : date or str or int
        First day of the first period, or a financial year (2026 or "2026/27") meaning its
        1 April. Must be the first day of a month.
    years : int
        Length in years (whole financial years when annual).
    freq : {"annual", "monthly"}
        Annual periods are financial years labelled "2026/27"; monthly periods are labelled
        "Apr 2026".
    year_start_month : int
        Month in which the financial year starts; 4 (April) for UK public bodies.
    monthly_years : int, optional
        With ``freq="monthly"``: how many of the years are months; the years after them are
        financial years ("months then years", the FAST Standard's mixed timeline). By default
        every year is months. A timeline that turns from months to years must start on the
        first day of a financial year.

    Examples
    --------
    >>> tl = Timeline(2026, years=3)
    >>> tl.labels
    ['2026/27', '2027/28', '2028/29']
    >>> Timeline("2026-04-01", years=1, freq="monthly").labels[:2]
    ['Apr 2026', 'May 2026']
    >>> mixed = Timeline(2026, years=4, freq="monthly", monthly_years=2)
    >>> mixed.n, mixed.labels[23:]
    (26, ['Mar 2028', '2028/29', '2029/30'])
    """

    start: dt.date
    years: int
    freq: str = "annual"
    year_start_month: int = 4
    monthly_years: int = 0

    def __init__(
        self,
        start: dt.date | str | int,
        years: int,
        freq: str = "annual",
        year_start_month: int = 4,
        monthly_years: int | None = None,
    ):
        if not isinstance(year_start_month, int) or not 1 <= year_start_month <= 12:
            raise TimelineError(f"year_start_month {year_start_month!r} must be a month 1-12")
        if isinstance(start, int) or (isinstance(start, str) and len(start.strip()) <= 7):
            d = dt.date(parse_financial_year(start), year_start_month, 1)
        else:
            d = _to_date(start, "timeline start")
        if d.day != 1:
            raise TimelineError(
                f"timeline start {d.isoformat()} is not the first day of a month; "
                f"use {d.replace(day=1).isoformat()}"
            )
        if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
            raise TimelineError(
                f"timeline years {years!r} must be a whole number of years, at least 1"
            )
        if years > 200:
            raise TimelineError(f"timeline years {years} is over 200; check the horizon")
        if freq not in ("annual", "monthly"):
            raise TimelineError(f"timeline freq {freq!r} must be 'annual' or 'monthly'")
        if freq == "annual" and d.month != year_start_month:
            raise TimelineError(
                f"an annual timeline must start on the first day of the financial year "
                f"(month {year_start_month}); got {d.isoformat()}"
            )
        if freq == "annual":
            if monthly_years not in (None, 0):
                raise TimelineError(
                    f"timeline monthly_years {monthly_years!r} is for a monthly timeline; give "
                    "freq='monthly' with it, or leave it out"
                )
            monthly = 0
        elif monthly_years is None:
            monthly = int(years)
        else:
            if (
                isinstance(monthly_years, bool)
                or not isinstance(monthly_years, int | np.integer)
                or not 1 <= monthly_years <= years
            ):
                raise TimelineError(
                    f"timeline monthly_years {monthly_years!r} must be a whole number of years "
                    f"from 1 to the timeline's {years}: how many years are planned month by "
                    "month before the rest by year"
                )
            monthly = int(monthly_years)
            if monthly < years and d.month != year_start_month:
                raise TimelineError(
                    f"a timeline that turns from months to years must start on the first day "
                    f"of a financial year (month {year_start_month}); got {d.isoformat()}"
                )
        object.__setattr__(self, "start", d)
        object.__setattr__(self, "years", int(years))
        object.__setattr__(self, "freq", freq)
        object.__setattr__(self, "year_start_month", year_start_month)
        object.__setattr__(self, "monthly_years", monthly)

    # -- periods ---------------------------------------------------------------------------
    @cached_property
    def months(self) -> np.ndarray:
        """Months in each period: 1 for a month, 12 for a financial year."""
        return np.array(
            [1] * (12 * self.monthly_years) + [12] * (self.years - self.monthly_years), dtype=int
        )

    @property
    def mixed(self) -> bool:
        """True for months then years."""
        return 0 < self.monthly_years < self.years

    @property
    def months_per_period(self) -> int:
        """Months in every period (12 annual, 1 monthly); refused for months then years."""
        if self.mixed:
            raise TimelineError(
                "this timeline has months then years, so its periods differ in length; use "
                "timeline.months (one number per period)"
            )
        return 12 if self.freq == "annual" else 1

    @property
    def n(self) -> int:
        """Number of periods."""
        return 12 * self.monthly_years + (self.years - self.monthly_years)

    def __len__(self) -> int:
        return self.n

    @cached_property
    def _offsets(self) -> np.ndarray:
        """Months from the start to the start of each period, and to the end of the last."""
        return np.concatenate([[0], np.cumsum(self.months)])

    @cached_property
    def starts(self) -> list[dt.date]:
        """First day of each period."""
        return [_add_months(self.start, int(m)) for m in self._offsets[:-1]]

    @cached_property
    def ends(self) -> list[dt.date]:
        """Last day of each period."""
        return [_add_months(self.start, int(m)) - dt.timedelta(days=1) for m in self._offsets[1:]]

    @property
    def end(self) -> dt.date:
        return self.ends[-1]

    def _fy_of(self, d: dt.date) -> int:
        return d.year if d.month >= self.year_start_month else d.year - 1

    @cached_property
    def financial_years(self) -> np.ndarray:
        """Starting calendar year of the financial year each period falls in."""
        return np.array([self._fy_of(d) for d in self.starts], dtype=int)

    @cached_property
    def labels(self) -> list[str]:
        """Readable period labels: "2026/27" (a financial year) or "Apr 2026" (a month)."""
        return [
            financial_year_label(self._fy_of(d)) if m == 12 else f"{_MONTHS[d.month - 1]} {d.year}"
            for d, m in zip(self.starts, self.months, strict=True)
        ]

    @cached_property
    def year_index(self) -> np.ndarray:
        """Whole financial years since the first: 0 in each period of the first, 1 in the
        second, ... (the exponent of a yearly uplift)."""
        return (self.financial_years - self.financial_years[0]).astype(float)

    @cached_property
    def year_start(self) -> np.ndarray:
        """1.0 in the first period of each financial year (every annual period), else 0.0."""
        return np.array(
            [
                1.0 if (i == 0 or d.month == self.year_start_month) else 0.0
                for i, d in enumerate(self.starts)
            ]
        )

    @cached_property
    def year_end(self) -> np.ndarray:
        """1.0 in the last period of each financial year (every annual period), else 0.0:
        where a yearly figure (corporation tax on the year's profit) is booked."""
        return np.array(
            [
                1.0 if (e + dt.timedelta(days=1)).month == self.year_start_month else 0.0
                for e in self.ends
            ]
        )

    @cached_property
    def elapsed(self) -> np.ndarray:
        """Years from the start of the timeline to the end of each period."""
        return self._offsets[1:] / 12.0

    def in_month(self, month: int) -> np.ndarray:
        """How many times the first day of calendar month ``month`` (1-12) falls in each
        period: 1 in that month, 1 in every financial year, else 0. A dated event of each year
        (a tax due date) happens in the periods where this is 1."""
        if (
            isinstance(month, bool)
            or not isinstance(month, int | np.integer)
            or not 1 <= month <= 12
        ):
            raise TimelineError(f"month {month!r} must be a calendar month 1-12")
        return np.array(
            [
                float(sum(1 for k in range(int(m)) if _add_months(d, k).month == month))
                for d, m in zip(self.starts, self.months, strict=True)
            ]
        )

    @cached_property
    def index(self) -> np.ndarray:
        """Period index 0, 1, 2, ... (t in growth formulas)."""
        return np.arange(self.n, dtype=float)

    @cached_property
    def days(self) -> np.ndarray:
        return np.array([(e - s).days + 1 for s, e in zip(self.starts, self.ends, strict=True)])

    @cached_property
    def year_fraction(self) -> np.ndarray:
        """Length of each period in years: 1 for annual periods, 1/12 for monthly."""
        return self.months / 12.0

    @cached_property
    def first_period(self) -> np.ndarray:
        """1.0 in the first period, 0.0 elsewhere."""
        flag = np.zeros(self.n)
        flag[0] = 1.0
        return flag

    def within(self, start: dt.date | str | None = None, end: dt.date | str | None = None):
        """Flag (1.0/0.0) for periods that overlap the date range [start, end].

        >>> Timeline(2026, years=4).within("2027-04-01", "2029-03-31").tolist()
        [0.0, 1.0, 1.0, 0.0]
        """
        s = _to_date(start, "range start") if start is not None else dt.date.min
        e = _to_date(end, "range end") if end is not None else dt.date.max
        if e < s:
            raise TimelineError(f"date range ends ({e}) before it starts ({s}); swap them")
        return np.array(
            [
                1.0 if (ps <= e and pe >= s) else 0.0
                for ps, pe in zip(self.starts, self.ends, strict=True)
            ]
        )

    def period_of(self, when: dt.date | str) -> int:
        """Index of the period containing a date."""
        d = _to_date(when, "date")
        for i, (s, e) in enumerate(zip(self.starts, self.ends, strict=True)):
            if s <= d <= e:
                return i
        raise TimelineError(
            f"date {d.isoformat()} is outside the timeline {self.starts[0].isoformat()} to "
            f"{self.end.isoformat()}"
        )

    # -- conversions -------------------------------------------------------------------------
    def annual(self) -> Timeline:
        """The annual timeline covering the same financial years."""
        return Timeline(
            dt.date(self._fy_of(self.start), self.year_start_month, 1)
            if self.freq == "monthly"
            else self.start,
            self.years,
            "annual",
            self.year_start_month,
        )

    @cached_property
    def year_of_period(self) -> np.ndarray:
        """For each period, the position (0, 1, ...) of its financial year on :meth:`annual`."""
        return self.year_index.astype(int)

    def to_annual(self, values: np.ndarray, kind: str = "flow") -> np.ndarray:
        """Convert an array by period (last axis) to financial years.

        Flows are summed over each year's periods; balances take the year's closing period.
        """
        if self.freq == "annual":
            return np.asarray(values, dtype=float)
        if self.start.month != self.year_start_month:
            raise TimelineError(
                "a monthly timeline converts to financial years only when it starts at the "
                f"start of a financial year (month {self.year_start_month})"
            )
        if kind not in ("flow", "balance"):
            raise TimelineError(f"kind {kind!r} must be 'flow' or 'balance'")
        arr = np.asarray(values, dtype=float)
        if arr.shape[-1] != self.n:
            raise TimelineError(
                f"array has {arr.shape[-1]} periods but the timeline has {self.n} periods"
            )
        if kind == "balance":
            return arr[..., self.year_end.astype(bool)]
        firsts = np.flatnonzero(self.year_start)
        return np.add.reduceat(arr, firsts, axis=-1)

    def from_annual(self, values: np.ndarray) -> np.ndarray:
        """An array by financial year (last axis) spread to the periods: each period takes
        its year's value (the inverse direction of :meth:`to_annual`, without dividing)."""
        arr = np.asarray(values, dtype=float)
        if self.freq == "annual":
            return arr
        if arr.shape[-1] != self.years:
            raise TimelineError(
                f"array has {arr.shape[-1]} years but the timeline has {self.years}"
            )
        return arr[..., self.year_of_period]

    def frame(self) -> pd.DataFrame:
        """The timeline as a DataFrame, one row per period."""
        return pd.DataFrame(
            {
                "start": self.starts,
                "end": self.ends,
                "index": self.index.astype(int),
                "year_fraction": self.year_fraction,
                "first_period": self.first_period.astype(int),
            },
            index=pd.Index(self.labels, name="period"),
        )

    def describe(self) -> str:
        """The periods in words: "5 financial years", "60 months", "24 months then 3 years"."""
        if self.freq == "annual":
            return f"{self.n} financial year{'s' * (self.n > 1)}"
        months = 12 * self.monthly_years
        if not self.mixed:
            return f"{months} months"
        rest = self.years - self.monthly_years
        return f"{months} months then {rest} financial year{'s' * (rest > 1)}"

    def __repr__(self) -> str:
        return (
            f"Timeline({self.labels[0]!r} to {self.labels[-1]!r}, {self.describe()}, "
            f"{self.start.isoformat()} to {self.end.isoformat()})"
        )
