"""LGPS employee contribution bands and CARE accrual: worked cases and errors."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import mutualfin as mf
import mutualfin.pensions
import mutualfin.uk.pensions
from mutualfin.errors import InputError, ParameterRangeError, UnitError
from mutualfin.pensions import lgps_care_accrual, lgps_employee_rate


def test_doctests_run():
    failures, tried = doctest.testmod(mutualfin.uk.pensions)
    assert tried > 0 and failures == 0


@pytest.mark.parametrize(
    ("pay", "year", "expected"),
    [
        # 2025/26 bands (lgpsmember.org): limits are inclusive
        (0, 2025, 0.055),
        (17_800, 2025, 0.055),  # at the first limit
        (17_800.01, 2025, 0.058),  # a penny over
        (28_000, 2025, 0.058),
        (28_000.01, 2025, 0.065),
        (30_000, "2025/26", 0.065),
        (57_700, 2025, 0.068),
        (57_700.01, 2025, 0.085),
        (135_300, 2025, 0.105),
        (203_000, 2025, 0.114),
        (203_000.01, 2025, 0.125),  # top band, no upper limit
        (1_000_000, 2025, 0.125),
        # 2026/27 limits move: £17,800.01 is now in the first band (to £18,400)
        (17_800.01, 2026, 0.055),
        (18_400.01, 2026, 0.058),
        # 31 March 2026 is in scheme year 2025/26 (bands change on 1 April)
        (18_000, "2026-03-31", 0.058),
        (18_000, "2026-04-01", 0.055),
        # 2015/16, first year of the data: £13,600.01 is in the second band
        (13_600.01, 2015, 0.058),
    ],
)
def test_lgps_employee_rate_worked_cases(pay, year, expected):
    assert lgps_employee_rate(pay, tax_year=year) == expected


def test_lgps_employee_rate_vectorised():
    out = lgps_employee_rate(np.array([10_000, 30_000, 250_000]), tax_year=2025)
    np.testing.assert_array_equal(out, [0.055, 0.065, 0.125])


@pytest.mark.parametrize(
    ("pay", "year", "error", "match"),
    [
        (30_000, 2014, ParameterRangeError, "2015-04-01 to 2027-03-31"),
        (-1, 2025, InputError, "negative"),
        (float("nan"), 2025, InputError, "nan"),
        ("30k", 2025, InputError, "not a number"),
        (30_000, None, InputError, "give tax_year="),
    ],
)
def test_lgps_employee_rate_bad_input(pay, year, error, match):
    with pytest.raises(error, match=match):
        lgps_employee_rate(pay, tax_year=year)


def test_care_golden_example():
    # worked by hand from the CARE rule (1/49 of the year's pay, the account revalued by CPI;
    # LPPA's "CARE revaluation" page starts its example the same way, 1/49 x £24,500 = £500):
    # £24,500 / 49 = £500.00; x 1.012 = £506.00; + £24,745 / 49 = £505.00 gives £1,011.00;
    # x 0.999 = £1,009.989 -> £1,009.99
    after = lgps_care_accrual([24_500, 24_745], [0.012, -0.001])
    before = lgps_care_accrual([24_500, 24_745], [0.012, -0.001], revalued=False)
    np.testing.assert_allclose(before, [500.00, 1_011.00], atol=0.005)
    np.testing.assert_allclose(after, [506.00, 1_009.99], atol=0.005)


@pytest.mark.parametrize(
    ("pay", "cpi", "fraction", "expected"),
    [
        # no inflation: 49,000 / 49 = 1,000 a year, three years
        ([49_000] * 3, [0, 0, 0], 1 / 49, [1_000, 2_000, 3_000]),
        # 50/50 section: 49,000 / 98 = 500 a year
        ([49_000] * 2, [0, 0], 1 / 98, [500, 1_000]),
        # 10.1% (April 2023): 1,000 x 1.101 = 1,101; (1,101 + 1,000) x 1.067 = 2,241.767
        ([49_000, 49_000], [0.101, 0.067], 1 / 49, [1_101, 2_241.767]),
        # a year of no pay: 1,000 x 1.02 = 1,020; x 1.02 = 1,040.40
        ([49_000, 0], [0.02, 0.02], 1 / 49, [1_020, 1_040.40]),
        # one year only: 24,500 / 49 x 1.012
        ([24_500], [0.012], 1 / 49, [506.00]),
    ],
)
def test_care_worked_cases(pay, cpi, fraction, expected):
    np.testing.assert_allclose(lgps_care_accrual(pay, cpi, fraction), expected, atol=0.005)


def test_care_vectorised_over_members_and_one_cpi_path():
    pay = np.array([[24_500, 24_745], [49_000, 49_000]])
    out = lgps_care_accrual(pay, [0.012, -0.001])
    # second member: 1,000 x 1.012 = 1,012; (1,012 + 1,000) x 0.999 = 2,009.988
    np.testing.assert_allclose(out, [[506.00, 1_009.989], [1_012.00, 2_009.988]], atol=0.005)


@pytest.mark.parametrize(
    ("pay", "cpi", "kwargs", "error", "match"),
    [
        ([24_500], [1.2], {}, UnitError, "0.012 for 1.2%"),
        ([24_500, 1], [0.01, 0.01, 0.01], {}, InputError, "one CPI figure per year"),
        ([-1], [0.01], {}, InputError, "negative"),
        ([float("nan")], [0.01], {}, InputError, "nan"),
        ([24_500], [float("nan")], {}, InputError, "nan"),
        (24_500, 0.01, {}, InputError, "one amount per year"),
        ([24_500], [0.01], {"fraction": 49}, InputError, "such as 1/49"),
        (["a"], [0.01], {}, InputError, "not a number"),
    ],
)
def test_care_bad_input(pay, cpi, kwargs, error, match):
    with pytest.raises(error, match=match):
        lgps_care_accrual(pay, cpi, **kwargs)


def test_lgps_bands_past_the_data_are_held_flat_with_a_warning():
    # 2026/27 bands (£18,400 / £29,000 / £47,300...) held flat into 2029/30: £30,000 pays 6.5%
    with pytest.warns(mf.errors.AssumptionWarning, match="lgps.employee_bands held flat"):
        assert lgps_employee_rate(30_000, tax_year=2029) == 0.065
