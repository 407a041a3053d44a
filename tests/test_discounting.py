"""Green Book discount factors and real/nominal conversion."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import mutualfin.discounting
import mutualfin.uk.greenbook
from mutualfin.discounting import deflate, green_book_discount_factors, real_to_nominal
from mutualfin.errors import AssumptionWarning, InputError, ParameterRangeError


def test_doctests_run():
    failures, tried = doctest.testmod(mutualfin.uk.greenbook)
    assert tried > 0 and failures == 0


def test_green_book_standard_band_by_band():
    f = green_book_discount_factors(400)
    assert len(f) == 400 and f[0] == 1.0
    # years 1-30 at 3.5%
    assert f[1] == pytest.approx(1 / 1.035)
    assert f[30] == pytest.approx(1 / 1.035**30)  # 0.356278
    # year 31 = year 30 / 1.03
    assert f[31] == pytest.approx(f[30] / 1.03)
    # year 75 = 1 / (1.035^30 x 1.03^45)
    assert f[75] == pytest.approx(1 / (1.035**30 * 1.03**45))
    # year 76 = year 75 / 1.025; year 125 = that x 1.025^-49
    assert f[76] == pytest.approx(f[75] / 1.025)
    assert f[125] == pytest.approx(f[75] / 1.025**50)
    # year 126 at 2%, 201 at 1.5%, 301 at 1%
    assert f[126] == pytest.approx(f[125] / 1.02)
    assert f[200] == pytest.approx(f[125] / 1.02**75)
    assert f[201] == pytest.approx(f[200] / 1.015)
    assert f[301] == pytest.approx(f[300] / 1.01)
    assert f[300] == pytest.approx(f[200] / 1.015**100)
    assert np.all(np.diff(f) < 0)


def test_green_book_health_schedule():
    f = green_book_discount_factors(77, schedule="health")
    assert f[1] == pytest.approx(1 / 1.015)
    assert f[31] == pytest.approx(1 / (1.015**30 * 1.0129))
    assert f[76] == pytest.approx(1 / (1.015**30 * 1.0129**45 * 1.0107))


def test_green_book_dated_schedule():
    a = green_book_discount_factors(5, on="2025-06-01")
    np.testing.assert_allclose(a, 1 / 1.035 ** np.arange(5))
    np.testing.assert_allclose(green_book_discount_factors(5, on="2025/26"), a)
    with pytest.raises(ParameterRangeError, match="2022-11-18 to 2027-03-31"):
        green_book_discount_factors(5, schedule="health", on="2020-01-01")
    with pytest.warns(AssumptionWarning, match="held flat from 2027-04-01"):
        np.testing.assert_allclose(green_book_discount_factors(5, on=2030), a)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_years": 0}, "at least 1"),
        ({"n_years": 2.5}, "whole number"),
        ({"n_years": "10"}, "whole number"),
        ({"n_years": 5, "schedule": "nhs"}, "must be one of"),
    ],
)
def test_green_book_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        green_book_discount_factors(**kwargs)


INDEX = {2000 + t: 100 * 1.02**t for t in range(6)}


def test_deflate_green_book_example():
    # £1,000 nominal at a 2% deflator: 1000 / 1.02^t = 980.39, 961.17, 942.32, 923.85, 905.73,
    # shown in the Green Book as £980, £961, £942, £924, £906
    real = deflate({2000 + t: 1_000 for t in range(1, 6)}, INDEX, base_year=2000)
    assert [round(v) for v in real.values()] == [980, 961, 942, 924, 906]
    np.testing.assert_allclose(
        list(real.values()), [980.39, 961.17, 942.32, 923.85, 905.73], atol=0.005
    )


def test_deflate_array_series_and_round_trip():
    arr = deflate(np.full((2, 6), 1_000.0), INDEX, base_year=2000)  # rows are scenarios
    np.testing.assert_allclose(arr[1], 1_000 / 1.02 ** np.arange(6))
    s = pd.Series([1_000.0, 1_020.0], index=[2001, 2002], name="income")
    real = deflate(s, pd.Series(INDEX), base_year="2001/02")
    assert isinstance(real, pd.Series) and real.name == "income"
    # in 2001 prices: 1,000 and 1,020 / 1.02 = 1,000
    np.testing.assert_allclose(real.to_numpy(), [1_000.0, 1_000.0])
    back = real_to_nominal(real, INDEX, base_year=2001)
    np.testing.assert_allclose(back.to_numpy(), s.to_numpy())


def test_deflate_with_the_gdp_deflator():
    # 2010 index 69.1217, 2024 = 100: £691.217 in 2010 is £1,000 in 2024 prices
    real = deflate({2010: 691.217}, "gdp", base_year=2024)
    assert real[2010] == pytest.approx(1_000.0)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (({2030: 1.0}, INDEX, 2000), "year 2030 but deflator_index covers only 2000 to 2005"),
        (({2001: 1.0}, INDEX, 1999), "base_year 1999 is not in deflator_index"),
        (([1.0, 2.0], INDEX, 2000), "one amount per year"),
        (({2001: float("nan")}, INDEX, 2000), "nan"),
        (({2001: 1.0}, [100, 102], 2000), "keyed by year"),
        (({2001: 1.0}, {2000: 100, 2001: 0}, 2000), "above 0"),
        (({"soon": 1.0}, INDEX, 2000), "not understood"),
    ],
)
def test_deflate_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        deflate(*args)
