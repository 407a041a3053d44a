"""Corporation tax, employer NI, Employment Allowance and the Apprenticeship Levy.

Every expected figure is worked by hand in the comment beside it; amounts are compared to
half a penny (``penny``).
"""

from __future__ import annotations

import datetime as dt
import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutualfin.tax
import mutualfin.uk.tax
from mutualfin.errors import AssumptionWarning, InputError, ParameterRangeError
from mutualfin.tax import (
    apprenticeship_levy,
    corporation_tax,
    employer_ni,
    employer_ni_monthly,
    employment_allowance,
)


def penny(expected: float) -> object:
    return pytest.approx(expected, abs=0.005)


def test_doctests_run():
    failures, tried = doctest.testmod(mutualfin.uk.tax)
    assert tried > 0 and failures == 0


# --------------------------------------------------------------------------------------------
# corporation tax
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("profits", "year", "kwargs", "expected"),
    [
        # golden (HMRC; johnstoncarmichael): 25% x 100,000 - (250,000 - 100,000) x 3/200
        # = 25,000 - 2,250
        (100_000, 2023, {}, 22_750.00),
        # at the lower limit: 19% x 50,000
        (50_000, 2023, {}, 9_500.00),
        # a penny below: 19% x 49,999.99 = 9,499.9981
        (49_999.99, 2023, {}, 9_499.9981),
        # a penny above: 25% x 50,000.01 - 3/200 x 199,999.99 = 12,500.0025 - 2,999.99985
        (50_000.01, 2023, {}, 9_500.00265),
        # at the upper limit: 25% x 250,000, relief 0
        (250_000, 2023, {}, 62_500.00),
        # a penny below: 62,499.9975 - 3/200 x 0.01 = 62,499.99735
        (249_999.99, 2023, {}, 62_499.99735),
        # a penny above: 25% x 250,000.01
        (250_000.01, 2023, {}, 62_500.0025),
        # FY2014 lower limit: 20% x 300,000
        (300_000, 2014, {}, 60_000.00),
        # FY2014 marginal relief, 1/400: 21% x 1,000,000 - (1,500,000 - 1,000,000) / 400
        # = 210,000 - 1,250
        (1_000_000, 2014, {}, 208_750.00),
        # FY2014 upper limit: 21% x 1,500,000
        (1_500_000, 2014, {}, 315_000.00),
        # single rate FY2020: 19% x 1,000,000 (no relief, limits 0)
        (1_000_000, 2020, {}, 190_000.00),
        # single rate FY2015: 20% x 100
        (100, 2015, {}, 20.00),
        # FY2022 last single-rate year: 19% x 100,000
        (100_000, "2022/23", {}, 19_000.00),
        # one associated company: L = 25,000, U = 125,000;
        # 25% x 100,000 - 3/200 x 25,000 = 25,000 - 375
        (100_000, 2023, {"associated_companies": 1}, 24_625.00),
        # 6-month period: L = 25,000, U = 125,000 as above
        (100_000, 2023, {"period_months": 6}, 24_625.00),
        # 6-month period, profits at the pro-rated lower limit: 19% x 25,000
        (25_000, 2023, {"period_months": 6}, 4_750.00),
        # 3 associated, 9 months: scale 0.75 / 4 = 0.1875, L = 9,375, U = 46,875;
        # 25% x 20,000 - 3/200 x 26,875 = 5,000 - 403.125
        (20_000, 2023, {"associated_companies": 3, "period_months": 9}, 4_596.875),
        # augmented profits 120,000: 25,000 - 3/200 x 130,000 x 100/120 = 25,000 - 1,625
        (100_000, 2023, {"augmented_profits": 120_000}, 23_375.00),
        # augmented above U: main rate on N, 25% x 200,000
        (200_000, 2023, {"augmented_profits": 260_000}, 50_000.00),
        # augmented at L: small profits rate on N, 19% x 40,000
        (40_000, 2023, {"augmented_profits": 50_000}, 7_600.00),
        # a loss: no tax (loss relief not handled here)
        (-10_000, 2023, {}, 0.00),
        # FY2026, last year of the data: 25% x 150,000 - 3/200 x 100,000 = 37,500 - 1,500
        (150_000, "FY2026", {}, 36_000.00),
    ],
)
def test_corporation_tax_worked_cases(profits, year, kwargs, expected):
    assert corporation_tax(profits, financial_year=year, **kwargs) == penny(expected)


def test_corporation_tax_date_means_the_financial_year_containing_it():
    # 31 March 2024 is in FY2023; 1 April 2023 is its first day
    assert corporation_tax(100_000, financial_year=dt.date(2024, 3, 31)) == penny(22_750)
    assert corporation_tax(100_000, financial_year="2023-04-01") == penny(22_750)
    # 31 March 2023 is in FY2022 (single rate 19%)
    assert corporation_tax(100_000, financial_year="2023-03-31") == penny(19_000)


def test_corporation_tax_vectorised():
    out = corporation_tax(np.array([[40_000, 100_000], [250_000, 0]]), financial_year=2024)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    np.testing.assert_allclose(out, [[7_600, 22_750], [62_500, 0]])


def test_corporation_tax_year_before_the_data_is_refused():
    with pytest.raises(ParameterRangeError, match="2014-04-01 to 2027-03-31"):
        corporation_tax(100_000, financial_year=2013)


@pytest.mark.parametrize("year", ["FY2027", "2027/28", 2031])
def test_corporation_tax_past_the_data_holds_the_last_rates_flat_and_says_so(year):
    # FY2026 rates (19% to £50k, 25% over £250k, 3/200 relief) held flat: an assumption
    with pytest.warns(AssumptionWarning, match=r"ct\.\w+ held flat from 2027-04-01"):
        tax = corporation_tax(100_000, financial_year=year)
    assert tax == corporation_tax(100_000, financial_year=2026) == 22_750.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"profits": "100000", "financial_year": 2023}, "not a number"),
        ({"profits": float("nan"), "financial_year": 2023}, "nan"),
        ({"profits": 1e5, "financial_year": 2023, "associated_companies": -1}, "whole number"),
        ({"profits": 1e5, "financial_year": 2023, "associated_companies": 1.5}, "whole number"),
        ({"profits": 1e5, "financial_year": 2023, "period_months": 13}, "at most 12"),
        ({"profits": 1e5, "financial_year": 2023, "augmented_profits": 9e4}, "at least the"),
        ({"profits": 1e5}, "give financial_year="),
        ({"profits": 1e5, "financial_year": "twenty"}, "not a year or date"),
    ],
)
def test_corporation_tax_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        corporation_tax(**kwargs)


RATES = {2014: (0.20, 0.21), 2018: (0.19, 0.19), 2023: (0.19, 0.25), 2026: (0.19, 0.25)}


@given(
    year=st.sampled_from(sorted(RATES)),
    profits=st.floats(0.01, 5e6),
    step=st.floats(0, 1_000),
    assoc=st.integers(0, 4),
    months=st.sampled_from([3, 6, 9, 12]),
)
def test_corporation_tax_continuous_non_decreasing_and_between_rates(
    year, profits, step, assoc, months
):
    kw = {"financial_year": year, "associated_companies": assoc, "period_months": months}
    low = corporation_tax(profits, **kw)
    high = corporation_tax(profits + step, **kw)
    # non-decreasing, and continuous: the marginal rate never exceeds main + fraction < 0.3
    assert -1e-6 <= high - low <= 0.3 * step + 1e-6
    small, main = RATES[year]
    assert small - 1e-12 <= low / profits <= main + 1e-12


# --------------------------------------------------------------------------------------------
# employer NI
# --------------------------------------------------------------------------------------------
RATE_2022 = (214 * 0.1505 + 151 * 0.138) / 365  # 6 Apr-5 Nov 2022 and 6 Nov-5 Apr 2023


@pytest.mark.parametrize(
    ("pay", "year", "expected"),
    [
        # 15% x (30,000 - 5,000)
        (30_000, "2025/26", 3_750.00),
        # at the threshold: nothing
        (5_000, 2025, 0.00),
        # a penny above: 15% x 0.01
        (5_000.01, 2025, 0.0015),
        # 15% x 100
        (5_100, 2025, 15.00),
        # 2024/25 threshold £9,100: at it, nothing
        (9_100, 2024, 0.00),
        # a penny below: nothing
        (9_099.99, 2024, 0.00),
        # 13.8% x (20,000 - 9,100) = 13.8% x 10,900
        (20_000, 2024, 1_504.20),
        # 2022/23 day-weighted rate (214 x 15.05% + 151 x 13.8%) / 365 = 14.53288%;
        # x (30,000 - 9,100) = 3,037.3712
        (30_000, "2022/23", 3_037.3712),
        # 2014/15 threshold £7,956: 13.8% x 12,044 = 1,662.072
        (20_000, 2014, 1_662.072),
        # 2021/22 threshold £8,840: 13.8% x 21,160 = 2,920.08
        (30_000, 2021, 2_920.08),
        # 2026/27: 15% x (50,000 - 5,000)
        (50_000, 2026, 6_750.00),
        # zero pay
        (0, 2023, 0.00),
    ],
)
def test_employer_ni_worked_cases(pay, year, expected):
    assert employer_ni(pay, tax_year=year) == penny(expected)


def test_employer_ni_2022_rate_is_day_weighted():
    # 214 days at 15.05% then 151 at 13.8% over the 365-day tax year; HMRC's directors'
    # annual rate for 2022/23 was 14.53%
    assert RATE_2022 == pytest.approx(0.1453288, abs=1e-7)
    assert employer_ni(9_101, tax_year=2022) == pytest.approx(RATE_2022)
    # a date in the tax year means that year: 15 January 2023 is in 2022/23
    assert employer_ni(30_000, tax_year=dt.date(2023, 1, 15)) == penny(3_037.3712)
    # 5 April 2022 is still 2021/22 (13.8%, £8,840): 13.8% x 21,160
    assert employer_ni(30_000, tax_year="2022-04-05") == penny(2_920.08)


@pytest.mark.parametrize(
    ("pay", "on", "expected"),
    [
        # 31 October 2022, 15.05% x (2,500 - 9,100 / 12) = 15.05% x 1,741.6667
        (2_500, "2022-10-31", 262.1208),
        # 5 November 2022, the last day at 15.05%
        (2_500, "2022-11-05", 262.1208),
        # 6 November 2022, 13.8% x 1,741.6667
        (2_500, "2022-11-06", 240.35),
        # 30 April 2025: 15% x (2,000 - 5,000 / 12) = 15% x 1,583.3333
        (2_000, dt.date(2025, 4, 30), 237.50),
        # 5 April 2025 is in 2024/25: 13.8% x (2,000 - 758.3333)
        (2_000, "2025-04-05", 171.35),
        # at the monthly threshold: nothing
        (5_000 / 12, "2025-05-31", 0.00),
        # a year means its 6 April: 2022 -> 15.05%
        (2_500, 2022, 262.1208),
    ],
)
def test_employer_ni_monthly_worked_cases(pay, on, expected):
    assert employer_ni_monthly(pay, on=on) == penny(expected)


def test_employer_ni_monthly_2022_year_close_to_annual_rule():
    # paid on month ends: April-October at 15.05% (7 months), November-March at 13.8% (5)
    month_ends = [dt.date(2022, m, 28) for m in range(4, 11)] + [
        dt.date(2022, 11, 30),
        dt.date(2022, 12, 31),
        dt.date(2023, 1, 31),
        dt.date(2023, 2, 28),
        dt.date(2023, 3, 31),
    ]
    total = sum(employer_ni_monthly(2_500, on=d) for d in month_ends)
    # 7 x 262.1208 + 5 x 240.35 = 3,036.5958 against the annual 3,037.3712
    assert total == penny(3_036.5958)
    assert abs(total - employer_ni(30_000, tax_year=2022)) < 1


def test_employer_ni_vectorised():
    out = employer_ni(np.array([5_000, 9_100, 20_000]), tax_year=2024)
    np.testing.assert_allclose(out, [0, 0, 1_504.2])


def test_employer_ni_year_before_the_data_is_refused():
    with pytest.raises(ParameterRangeError, match="2014-04-06"):
        employer_ni(30_000, tax_year=2013)


def test_employer_ni_past_the_data_holds_flat_with_a_warning():
    # 15% over £5,000 (2025/26 onwards) held flat: (30,000 - 5,000) x 15% = 3,750
    with pytest.warns(AssumptionWarning, match="ni.employer_rate held flat from 2027-04-06"):
        assert employer_ni(30_000, tax_year=2029) == 3_750.0


@pytest.mark.parametrize(
    ("pay", "match"),
    [(-1, "negative"), ("30000", "not a number"), (float("nan"), "nan"), (np.inf, "inf")],
)
def test_employer_ni_bad_pay(pay, match):
    with pytest.raises(InputError, match=match):
        employer_ni(pay, tax_year=2025)
    with pytest.raises(InputError, match=match):
        employer_ni_monthly(pay, on="2025-06-30")


def test_employer_ni_needs_a_year():
    with pytest.raises(InputError, match="give tax_year="):
        employer_ni(30_000)
    with pytest.raises(InputError, match="2025/26"):
        employer_ni(30_000, tax_year="2025/27")


@given(pay=st.floats(0, 1e7), year=st.integers(2014, 2026))
def test_employer_ni_zero_at_or_below_threshold_and_never_negative(pay, year):
    threshold = {2014: 7_956, 2022: 9_100, 2025: 5_000}.get(year)
    ni = employer_ni(pay, tax_year=year)
    assert ni >= 0
    if threshold is not None and pay <= threshold:
        assert ni == 0


@given(pay=st.floats(0, 1e6), day=st.dates(dt.date(2014, 4, 6), dt.date(2027, 4, 5)))
def test_employer_ni_monthly_never_negative(pay, day):
    assert employer_ni_monthly(pay, on=day) >= 0


# --------------------------------------------------------------------------------------------
# Employment Allowance
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nics", "year", "kwargs", "expected", "eligible"),
    [
        # 2025/26 £10,500, NICs above it
        (25_000, "2025/26", {"public_work_share": 0.2, "is_charity": False}, 10_500, True),
        # NICs below the allowance: only the NICs can be offset
        (3_000, 2025, {"public_work_share": 0.2, "is_charity": False}, 3_000, True),
        # exactly 50% public work, not a charity: barred
        (25_000, 2025, {"public_work_share": 0.5, "is_charity": False}, 0, False),
        # just under half: allowed
        (25_000, 2025, {"public_work_share": 0.4999, "is_charity": False}, 10_500, True),
        # a charity doing 90% public work: allowed
        (25_000, 2025, {"public_work_share": 0.9, "is_charity": True}, 10_500, True),
        # 2022/23 £5,000; prior-year NICs a penny under £100,000: allowed
        (
            25_000,
            2022,
            {"public_work_share": 0, "is_charity": False, "prior_year_employer_nics": 99_999.99},
            5_000,
            True,
        ),
        # prior-year NICs exactly £100,000: barred
        (
            25_000,
            2022,
            {"public_work_share": 0, "is_charity": False, "prior_year_employer_nics": 100_000},
            0,
            False,
        ),
        # 2025/26: the £100,000 rule removed
        (
            25_000,
            2025,
            {"public_work_share": 0, "is_charity": False, "prior_year_employer_nics": 500_000},
            10_500,
            True,
        ),
        # 2019/20: no prior-year rule yet; £3,000 (from 2016/17)
        (25_000, 2019, {"public_work_share": 0, "is_charity": False}, 3_000, True),
        # 2020/21 £4,000, new employer
        (
            25_000,
            2020,
            {"public_work_share": 0, "is_charity": False, "prior_year_employer_nics": 0},
            4_000,
            True,
        ),
        # 2014/15 and 2015/16 £2,000
        (25_000, 2014, {"public_work_share": 0, "is_charity": False}, 2_000, True),
        (25_000, 2015, {"public_work_share": 0, "is_charity": False}, 2_000, True),
    ],
)
def test_employment_allowance_worked_cases(nics, year, kwargs, expected, eligible):
    ea = employment_allowance(nics, tax_year=year, **kwargs)
    assert ea.amount == penny(expected)
    assert float(ea) == penny(expected)
    assert ea.eligible is eligible


def test_employment_allowance_reasons():
    public = employment_allowance(1e4, tax_year=2025, public_work_share=0.9, is_charity=False)
    assert "public nature" in public.reason and "NIM06530" in public.reason
    big = employment_allowance(
        1e4,
        tax_year=2023,
        public_work_share=0,
        is_charity=False,
        prior_year_employer_nics=150_000,
    )
    assert "£100,000 or more" in big.reason
    charity = employment_allowance(1e4, tax_year=2025, public_work_share=0.9, is_charity=True)
    assert charity.reason.startswith("eligible") and "charity" in charity.reason
    assert charity.tax_year == "2025/26" and charity.allowance == 10_500


def test_employment_allowance_vectorised():
    ea = employment_allowance(
        np.array([1_000, 10_500, 20_000]), tax_year=2025, public_work_share=0, is_charity=False
    )
    np.testing.assert_allclose(ea.amount, [1_000, 10_500, 10_500])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"tax_year": 2022}, InputError, "prior_year_employer_nics"),
        ({"tax_year": 2025, "public_work_share": 1.5}, InputError, "fraction from 0 to 1"),
        ({"tax_year": 2025, "public_work_share": float("nan")}, InputError, "fraction"),
        ({"tax_year": 2025, "is_charity": "yes"}, InputError, "True or False"),
        ({"tax_year": 2013}, ParameterRangeError, "2014-04-06"),
    ],
)
def test_employment_allowance_bad_input(kwargs, error, match):
    full = {"public_work_share": 0.0, "is_charity": False, **kwargs}
    with pytest.raises(error, match=match):
        employment_allowance(20_000, **full)


# --------------------------------------------------------------------------------------------
# Apprenticeship Levy
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("paybill", "year", "expected"),
    [
        # Finance Act 2016 s.99: 0.5% of the pay bill less the £15,000 levy allowance
        # 0.5% x 4,000,000 = 20,000; less 15,000
        (4_000_000, "2025/26", 5_000.00),
        # 0.5% x 3,000,000 = 15,000 = the allowance: £3m is where the levy starts to bite
        (3_000_000, 2024, 0.00),
        # a pound above: 0.5% x 3,000,001 - 15,000 = 0.005
        (3_000_001, 2024, 0.005),
        # a pound below: nothing
        (2_999_999, 2024, 0.00),
        # a small employer: nothing
        (15_000, 2024, 0.00),
        # first day of the levy: 0.5% x 5,000,000 - 15,000 = 10,000
        (5_000_000, "2017-04-06", 10_000.00),
        # the day before: no levy existed
        (5_000_000, "2017-04-05", 0.00),
        # 2016/17 and earlier: 0
        (5_000_000, 2016, 0.00),
        (5_000_000, 2010, 0.00),
        # 2026/27: 0.5% x 10,000,000 - 15,000 = 35,000
        (10_000_000, 2026, 35_000.00),
    ],
)
def test_apprenticeship_levy_worked_cases(paybill, year, expected):
    assert apprenticeship_levy(paybill, tax_year=year) == penny(expected)


def test_apprenticeship_levy_vectorised_and_errors():
    np.testing.assert_allclose(
        apprenticeship_levy([0, 15_000, 3_015_000], tax_year=2023), [0, 0, 75]
    )
    with pytest.warns(AssumptionWarning, match="apprenticeship_levy.rate held flat"):
        assert apprenticeship_levy(4e6, tax_year=2028) == 5_000.0  # 0.5% x £4m - £15,000
    with pytest.raises(InputError, match="negative"):
        apprenticeship_levy(-1, tax_year=2023)
    with pytest.raises(InputError, match="not a number"):
        apprenticeship_levy("lots", tax_year=2023)


@given(paybill=st.floats(0, 1e9), year=st.integers(2014, 2026))
def test_apprenticeship_levy_never_negative_and_at_most_half_a_percent(paybill, year):
    levy = apprenticeship_levy(paybill, tax_year=year)
    assert 0 <= levy <= 0.005 * paybill + 1e-9
