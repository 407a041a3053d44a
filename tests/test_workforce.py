"""Statutory redundancy pay: worked cases by hand, errors, and the 30-week ceiling."""

from __future__ import annotations

import datetime as dt
import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin as mf
import mutualfin.uk.redundancy
import mutualfin.workforce
from mutualfin.errors import InputError, ParameterRangeError
from mutualfin.workforce import statutory_redundancy_pay


def penny(expected: float) -> object:
    return pytest.approx(expected, abs=0.005)


def test_doctests_run():
    failures, tried = doctest.testmod(mutualfin.uk.redundancy)
    assert tried > 0 and failures == 0


@pytest.mark.parametrize(
    ("age", "years", "pay", "on", "expected"),
    [
        # golden (gov.uk): joined at 19, redundant at 25, 6 years in 2021: ages 19-21 at 0.5
        # week, 22-24 at 1 week = 4.5 weeks x £544 cap
        (25, 6, 600, "2021-06-30", 2_448.00),
        # the same with pay under the cap: 4.5 x 500
        (25, 6, 500, "2021-06-30", 2_250.00),
        # two years (ages 18, 19) at 20: 2 x 0.5 week x 500
        (20, 2, 500, "2024-09-01", 500.00),
        # one year: does not qualify
        (30, 1, 500, "2024-09-01", 0.00),
        # 20 years at 61 (ages 41-60): 30 weeks x £719 (2025 cap)
        (61, 20, 1_000, "2025-05-01", 21_570.00),
        # 30 years at 61: only the last 20 count, same 30 weeks
        (61, 30, 1_000, "2025-05-01", 21_570.00),
        # 2 years at 41 (ages 39, 40): 2 weeks x 400
        (41, 2, 400, 2023, 800.00),
        # 2 years at 42 (ages 40, 41): 1 + 1.5 weeks x 400
        (42, 2, 400, 2023, 1_000.00),
        # 4 years at 22 (ages 18-21): 4 x 0.5 week x 400
        (22, 4, 400, 2023, 800.00),
        # 2 years at 23 (ages 21, 22): 0.5 + 1 week x 400
        (23, 2, 400, 2023, 600.00),
        # pay exactly the 2021 cap: 4.5 x 544
        (25, 6, 544, "2021-06-30", 2_448.00),
        # a penny over the cap: capped, 4.5 x 544
        (25, 6, 544.01, "2021-06-30", 2_448.00),
        # a penny under: 4.5 x 543.99 = 2,447.955
        (25, 6, 543.99, "2021-06-30", 2_447.955),
        # 5 April 2022, last day of the £544 cap: age 30, 5 years (25-29) = 5 weeks x 544
        (30, 5, 1_000, "2022-04-05", 2_720.00),
        # 6 April 2022, £571: 5 x 571
        (30, 5, 1_000, dt.date(2022, 4, 6), 2_855.00),
        # a year means its 6 April: 2026 -> £751; 20 years at 50 (ages 30-49):
        # 11 x 1 (30-40) + 9 x 1.5 (41-49) = 24.5 weeks x 751
        (50, 20, 2_000, "2026/27", 18_399.50),
        # age 15, no service
        (15, 0, 300, 2024, 0.00),
        # longest possible service at 17: 2 years (15, 16) x 0.5 x 200
        (17, 2, 200, 2024, 200.00),
        # zero pay
        (40, 10, 0, 2024, 0.00),
    ],
)
def test_redundancy_worked_cases(age, years, pay, on, expected):
    got = statutory_redundancy_pay(age=age, years_of_service=years, weekly_pay=pay, on=on)
    assert got == penny(expected)


def test_redundancy_vectorised_over_employees():
    out = statutory_redundancy_pay(
        age=np.array([25, 61, 30]),
        years_of_service=np.array([6, 20, 1]),
        weekly_pay=np.array([600, 1_000, 500]),
        on="2021-06-30",
    )
    # 4.5 x 544; 30 x 544; not qualified
    np.testing.assert_allclose(out, [2_448, 16_320, 0])
    # a single pay broadcasts across employees
    out = statutory_redundancy_pay(age=[25, 26], years_of_service=[6, 2], weekly_pay=500, on=2021)
    # 4.5 x 500; ages 24, 25: 2 x 500
    np.testing.assert_allclose(out, [2_250, 1_000])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"age": 14, "years_of_service": 0}, InputError, "age 14 is under 15"),
        ({"age": 25, "years_of_service": 11}, InputError, "more than age 25 minus 15"),
        ({"age": 30, "years_of_service": -1}, InputError, "negative"),
        ({"weekly_pay": -5}, InputError, "negative"),
        ({"weekly_pay": float("nan")}, InputError, "nan"),
        ({"weekly_pay": "500"}, InputError, "not a number"),
        ({"age": "thirty"}, InputError, "not a number"),
        ({"years_of_service": 6.5}, InputError, "not a whole number"),
        ({"on": "2014-04-05"}, ParameterRangeError, "2014-04-06 to 2027-04-05"),
        ({"on": None}, InputError, "give on="),
        ({"age": [25, 30], "years_of_service": [1, 2, 3]}, InputError, "do not broadcast"),
    ],
)
def test_redundancy_bad_input(kwargs, error, match):
    full = {"age": 25, "years_of_service": 6, "weekly_pay": 500, "on": 2021, **kwargs}
    with pytest.raises(error, match=match):
        statutory_redundancy_pay(**full)


CAPS = {2014: 464, 2021: 544, 2025: 719, 2026: 751}


@given(
    age=st.integers(15, 90),
    data=st.data(),
    pay=st.floats(0, 5_000),
    year=st.sampled_from(sorted(CAPS)),
)
def test_redundancy_never_exceeds_30_weeks_at_the_cap(age, data, pay, year):
    years = data.draw(st.integers(0, age - 15))
    got = statutory_redundancy_pay(age=age, years_of_service=years, weekly_pay=pay, on=year)
    assert 0 <= got <= 30 * CAPS[year] + 1e-9
    assert got <= 30 * pay + 1e-9


def test_redundancy_cap_past_the_data_is_held_flat_with_a_warning():
    # the £751 cap from 6 April 2026 held flat: 20 years over 41 = 30 weeks x £751
    with pytest.warns(mf.errors.AssumptionWarning, match="redundancy.weekly_pay_cap held flat"):
        pay = statutory_redundancy_pay(age=61, years_of_service=20, weekly_pay=900, on=2031)
    assert pay == 30 * 751
