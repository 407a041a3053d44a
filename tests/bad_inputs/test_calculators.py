"""Bad numbers given to the calculators and finance functions: NaN, infinity, text, ragged
arrays, shapes that do not broadcast, missing years. Each raises InputError (or SolverError,
ParameterRangeError) naming the argument, never a numpy or Python error."""

from __future__ import annotations

import numpy as np
import pytest

from mutualfin import discounting, finance, pensions, tax, workforce
from mutualfin.errors import InputError, ParameterRangeError, SolverError, UnitError

from .conftest import refused

CASES = [
    (
        "npv_nan",
        lambda: finance.npv(0.05, [1, np.nan, 3]),
        InputError,
        ["values[1]", "nan", "Replace missing flows with 0"],
    ),
    ("npv_infinity", lambda: finance.npv(0.05, [1, np.inf, 3]), InputError, ["inf", "finite"]),
    ("npv_text", lambda: finance.npv(0.05, ["1,200", 2]), InputError, ["'1,200'", "1200"]),
    (
        "npv_ragged",
        lambda: finance.npv(0.05, [[1, 2], [3]]),
        InputError,
        ["ragged", "[2, 1]", "Pad"],
    ),
    (
        "npv_rates_do_not_broadcast",
        lambda: finance.npv([0.05, 0.06, 0.07], [[1, 2], [3, 4]]),
        InputError,
        ["rate has shape (3,)", "2 periods"],
    ),
    ("npv_rate_as_text", lambda: finance.npv("5%", [1, 2]), InputError, ["'5%'", "0.035"]),
    ("npv_rate_nan", lambda: finance.npv(np.nan, [1, 2]), InputError, ["rate is nan"]),
    ("npv_rate_minus_100", lambda: finance.npv(-1, [1, 2]), InputError, ["-100%"]),
    ("npv_empty", lambda: finance.npv(0.05, []), InputError, ["empty", "at least one period"]),
    (
        "irr_no_sign_change",
        lambda: finance.irr([1, 2, 3], raise_on_failure=True),
        SolverError,
        ["no sign change", "money out"],
    ),
    ("irr_nan", lambda: finance.irr([-1, np.nan, 3]), InputError, ["nan"]),
    ("mirr_rate_text", lambda: finance.mirr([-1, 2], "x", 0.1), InputError, ["finance_rate"]),
    (
        "xnpv_too_few_dates",
        lambda: finance.xnpv(0.05, [1, 2], ["2024-01-01"]),
        InputError,
        ["1 entries", "2 periods"],
    ),
    (
        "xnpv_dates_out_of_order",
        lambda: finance.xnpv(0.05, [-1, 2], ["2024-01-01", "2023-01-01"]),
        InputError,
        ["dates[1]", "in order"],
    ),
    (
        "xirr_no_sign_change",
        lambda: finance.xirr([1, 2], ["2024-01-01", "2025-01-01"], raise_on_failure=True),
        SolverError,
        ["no sign change"],
    ),
    ("payback_text", lambda: finance.payback_period("abc"), InputError, ["'abc'", "numbers"]),
    (
        "discounted_payback_shapes",
        lambda: finance.discounted_payback_period([[-1, 2], [-1, 2]], [0.1, 0.2, 0.3]),
        InputError,
        ["shape (3,)"],
    ),
    (
        "corporation_tax_nan",
        lambda: tax.corporation_tax(np.nan, financial_year=2025),
        InputError,
        ["profits", "nan"],
    ),
    (
        "corporation_tax_text",
        lambda: tax.corporation_tax("100", financial_year=2025),
        InputError,
        ["profits '100'", "30000"],
    ),
    (
        "corporation_tax_no_year",
        lambda: tax.corporation_tax(100_000),
        InputError,
        ["financial_year="],
    ),
    (
        "corporation_tax_year_outside_data",
        lambda: tax.corporation_tax(100_000, financial_year=1900),
        ParameterRangeError,
        ["ct.", "1900", "outside that range"],
    ),
    (
        "employer_ni_ragged",
        lambda: tax.employer_ni([[1, 2], [3]], tax_year=2025),
        InputError,
        ["annual_pay", "array of numbers"],
    ),
    (
        "employer_ni_infinity",
        lambda: tax.employer_ni(np.inf, tax_year=2025),
        InputError,
        ["annual_pay", "inf"],
    ),
    (
        "employer_ni_bad_year",
        lambda: tax.employer_ni(30_000, tax_year="soon"),
        InputError,
        ["'soon'", "2025/26"],
    ),
    (
        "levy_negative_paybill",
        lambda: tax.apprenticeship_levy(-1, tax_year=2025),
        InputError,
        ["paybill", "negative"],
    ),
    (
        "redundancy_shapes_do_not_broadcast",
        lambda: workforce.statutory_redundancy_pay(
            age=[40, 50, 60], years_of_service=[10, 20], weekly_pay=[500, 600], on="2025-04-06"
        ),
        InputError,
        ["shape"],
    ),
    (
        "redundancy_text",
        lambda: workforce.statutory_redundancy_pay(
            age="forty", years_of_service=10, weekly_pay=500, on="2025-04-06"
        ),
        InputError,
        ["age"],
    ),
    (
        "redundancy_nan",
        lambda: workforce.statutory_redundancy_pay(
            age=40, years_of_service=np.nan, weekly_pay=500, on="2025-04-06"
        ),
        InputError,
        ["years_of_service", "nan"],
    ),
    (
        "early_retirement_infinity",
        lambda: workforce.early_retirement_reduction(np.inf),
        InputError,
        ["years_early", "inf"],
    ),
    (
        "lgps_rate_nan",
        lambda: pensions.lgps_employee_rate(np.nan, tax_year=2025),
        InputError,
        ["nan"],
    ),
    (
        "cpi_as_percent",
        lambda: pensions.lgps_care_accrual([1, 2, 3], [1, 2]),
        UnitError,
        ["cpi_by_year", "0.01 for 1%"],
    ),
    (
        "discount_factors_negative_years",
        lambda: discounting.green_book_discount_factors(-3),
        InputError,
        ["n_years=-3"],
    ),
    (
        "deflate_nan",
        lambda: discounting.deflate([1, np.nan], {2020: 100, 2021: 102}, 2020),
        InputError,
        ["nominal", "nan"],
    ),
    (
        "deflate_wrong_length",
        lambda: discounting.deflate([1, 2], {2020: 100}, 2020),
        InputError,
        ["one amount per year"],
    ),
]


@pytest.mark.parametrize(
    ("action", "error", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_numbers(tmp_path, action, error, words):
    refused(action, error, *words, folder=tmp_path)
