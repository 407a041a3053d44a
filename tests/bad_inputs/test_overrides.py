"""Values that reach a case by other roads than its case file: overrides to ``case.run``, and
the Python API given the wrong types. Each is held to the bounds the case file is held to (the
component schemas' own bounds, not a copy), refused naming the input's path, with nothing
written (issue 20, items 3 and 11)."""

from __future__ import annotations

import pytest

from mutualfin.case import BusinessCase
from mutualfin.errors import InputError, UnitError

from .conftest import refused


@pytest.fixture
def case(write_case):
    return BusinessCase.from_file(write_case())


# (id, overrides, words the message must contain)
OVERRIDES = [
    ("negative_overhead", {"overheads.hr": -1}, ["'overheads.hr'", "-1 is negative"]),
    (
        "negative_contract",
        {"contract.annual_value": -5},
        ["'contract.annual_value'", "-5 is negative", "from 0 to 10,000,000,000"],
    ),
    ("negative_opening_cash", {"finance.opening_cash": -1}, ["'finance.opening_cash'", "-1"]),
    (
        "payment_lag_half_a_month",
        {"contract.payment_lag_months": 0.5},
        ["'contract.payment_lag_months'", "0.5 is not a whole number", "whole months"],
    ),
    (
        "payment_lag_13",
        {"contract.payment_lag_months": 13},
        ["'contract.payment_lag_months'", "13 is above 12"],
    ),
    (
        "payment_lag_negative",
        {"contract.payment_lag_months": -1},
        ["'contract.payment_lag_months'", "-1 is negative"],
    ),
    (
        "creditor_days_400",
        {"finance.creditor_days": 400},
        ["'finance.creditor_days'", "400 is above 365", "give days"],
    ),
    (
        "one_scenario_of_many_out_of_bounds",
        {"overheads.hr": [40_000, 50_000, -3]},
        ["'overheads.hr'", "-3 is negative"],
    ),
    (
        "absurd_money",
        {"contract.annual_value": 1e300},
        ["'contract.annual_value'", "1e+300 is above 10,000,000,000"],
    ),
    (
        "true_for_money",
        {"contract.annual_value": True},
        ["'contract.annual_value'", "true/false, not a number"],
    ),
    ("text_for_money", {"contract.annual_value": "5"}, ["'contract.annual_value'", "text"]),
    ("name_not_text", {5: 1}, ["override 5", "input names are text"]),
]


@pytest.mark.parametrize(
    ("overrides", "words"), [c[1:] for c in OVERRIDES], ids=[c[0] for c in OVERRIDES]
)
def test_override_outside_the_case_files_bounds(tmp_path, case, overrides, words):
    refused(lambda: case.run(overrides), InputError, *words, folder=tmp_path)


def test_override_fraction_typed_as_percent(tmp_path, case):
    refused(
        lambda: case.run({"contract.indexation": 2}),
        UnitError,
        "'contract.indexation'",
        "did you type a percentage",
        folder=tmp_path,
    )


@pytest.mark.parametrize("overrides", [[1, 2], "contract.annual_value", 5], ids=repr)
def test_overrides_not_a_mapping(tmp_path, case, overrides):
    refused(
        lambda: case.run(overrides),
        InputError,
        "overrides must be a mapping of input name to value",
        type(overrides).__name__,
        folder=tmp_path,
    )


def test_overrides_inside_the_bounds_still_run(case):
    """The bounds refuse only what the case file would: its own edge values run."""
    results = case.run(
        {
            "contract.payment_lag_months": [0, 12],
            "finance.creditor_days": [365, 0],
            "overheads.hr": [0, 1e9],
        }
    )
    assert results.evaluation.n_scenarios == 2
