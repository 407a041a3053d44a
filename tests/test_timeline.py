"""Timeline: UK financial years, labels, flags and month-to-year conversion."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from mutualfin import Timeline
from mutualfin.engine.timeline import financial_year_label, parse_financial_year
from mutualfin.errors import TimelineError


def test_annual_labels_and_dates():
    tl = Timeline("2026/27", years=3)
    assert tl.labels == ["2026/27", "2027/28", "2028/29"]
    assert tl.starts[0] == dt.date(2026, 4, 1)
    assert tl.ends[0] == dt.date(2027, 3, 31)
    assert tl.ends[-1] == dt.date(2029, 3, 31)
    assert tl.index.tolist() == [0, 1, 2]
    assert tl.first_period.tolist() == [1, 0, 0]
    assert tl.year_fraction.tolist() == [1, 1, 1]


def test_century_label():
    assert financial_year_label(1999) == "1999/00"
    assert parse_financial_year("1999/00") == 1999
    assert parse_financial_year("FY2023") == 2023


def test_monthly_labels_and_fractions():
    tl = Timeline("2026-04-01", years=1, freq="monthly")
    assert tl.n == 12
    assert tl.labels[0] == "Apr 2026" and tl.labels[-1] == "Mar 2027"
    assert tl.ends[10] == dt.date(2027, 2, 28)
    assert tl.year_fraction.sum() == pytest.approx(1.0)


def test_within_flags_overlap():
    tl = Timeline(2026, years=5)
    # a contract from 1 October 2027 to 30 September 2029 touches 2027/28, 2028/29, 2029/30
    assert tl.within("2027-10-01", "2029-09-30").tolist() == [0, 1, 1, 1, 0]
    assert tl.within(end="2026-04-01").tolist() == [1, 0, 0, 0, 0]


def test_to_annual_sums_flows_and_closes_balances():
    tl = Timeline(2026, years=2, freq="monthly")
    months = np.arange(24, dtype=float)
    assert tl.to_annual(months, "flow").tolist() == [sum(range(12)), sum(range(12, 24))]
    assert tl.to_annual(months, "balance").tolist() == [11.0, 23.0]
    assert tl.annual().labels == ["2026/27", "2027/28"]


def test_period_of():
    tl = Timeline(2026, years=2)
    assert tl.period_of("2027-03-31") == 0
    assert tl.period_of(dt.date(2027, 4, 1)) == 1
    with pytest.raises(TimelineError, match="outside the timeline"):
        tl.period_of("2030-01-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2026-04-15", "years": 1}, "not the first day of a month.*2026-04-01"),
        ({"start": 2026, "years": 0}, "at least 1"),
        ({"start": 2026, "years": 2.5}, "whole number of years"),
        ({"start": 2026, "years": 3, "freq": "weekly"}, "'annual' or 'monthly'"),
        ({"start": "2026-05-01", "years": 3}, "first day of the financial year"),
        ({"start": "2026/28", "years": 3}, "inconsistent"),
        ({"start": "next year", "years": 3}, "not a date"),
    ],
)
def test_bad_timelines_say_what_to_fix(kwargs, message):
    with pytest.raises(TimelineError, match=message):
        Timeline(**kwargs)


def test_months_then_years():
    """24 months, then financial years: labels, dates, lengths and yearly flags."""
    tl = Timeline(2026, years=4, freq="monthly", monthly_years=2)
    assert tl.n == 26 and tl.mixed
    assert tl.labels[0] == "Apr 2026" and tl.labels[23] == "Mar 2028"
    assert tl.labels[24:] == ["2028/29", "2029/30"]
    assert tl.starts[24] == dt.date(2028, 4, 1) and tl.ends[24] == dt.date(2029, 3, 31)
    assert tl.months.tolist() == [1] * 24 + [12, 12]
    assert tl.year_fraction[23] == pytest.approx(1 / 12) and tl.year_fraction[24] == 1
    assert tl.year_index.tolist() == [0] * 12 + [1] * 12 + [2, 3]
    assert tl.year_start.tolist() == [1] + [0] * 11 + [1] + [0] * 11 + [1, 1]
    assert tl.year_end.tolist() == [0] * 11 + [1] + [0] * 11 + [1, 1, 1]
    assert tl.elapsed[11] == pytest.approx(1.0) and tl.elapsed[-1] == pytest.approx(4.0)
    # the first of January falls in January of each monthly year, and in each annual period
    assert np.flatnonzero(tl.in_month(1)).tolist() == [9, 21, 24, 25]
    assert tl.describe() == "24 months then 2 financial years"
    assert tl.annual().labels == ["2026/27", "2027/28", "2028/29", "2029/30"]


def test_months_then_years_convert_to_financial_years():
    tl = Timeline(2026, years=3, freq="monthly", monthly_years=1)
    values = np.arange(tl.n, dtype=float)  # 0..11 months, then 12 and 13 for two years
    assert tl.to_annual(values, "flow").tolist() == [sum(range(12)), 12.0, 13.0]
    assert tl.to_annual(values, "balance").tolist() == [11.0, 12.0, 13.0]
    assert tl.from_annual(np.array([1.0, 2.0, 3.0])).tolist() == [1.0] * 12 + [2.0, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "annual", "monthly_years": 2}, "for a monthly timeline"),
        ({"freq": "monthly", "monthly_years": 0}, "from 1 to the timeline's 3"),
        ({"freq": "monthly", "monthly_years": 4}, "from 1 to the timeline's 3"),
        ({"freq": "monthly", "monthly_years": 1.5}, "whole number of years"),
        (
            {"freq": "monthly", "monthly_years": 1, "start": "2026-07-01"},
            "turns from months to years must start on the first day of a financial year",
        ),
    ],
)
def test_bad_months_then_years_say_what_to_fix(kwargs, message):
    args = {"start": 2026, "years": 3, **kwargs}
    with pytest.raises(TimelineError, match=message):
        Timeline(**args)
