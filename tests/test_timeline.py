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
