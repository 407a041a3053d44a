"""Bad parameter requests: unknown names with suggestions, dates outside the data naming the
range covered and the file to extend, unreadable dates and years."""

from __future__ import annotations

import pytest

import mutualfin as mf
from mutualfin import params
from mutualfin.errors import (
    ParameterRangeError,
    TimelineError,
    UnknownParameterError,
)

from .conftest import refused

CASES = [
    (
        "unknown_name",
        lambda: params.value("ni.employer_rat", on="2024-01-01"),
        UnknownParameterError,
        ["'ni.employer_rat'", "did you mean 'ni.employer_rate'", "params.names()"],
    ),
    (
        "unknown_family",
        lambda: params.table("zzz"),
        UnknownParameterError,
        ["'zzz'", "families are", "ni"],
    ),
    (
        "date_before_the_data",
        lambda: params.value("ni.employer_rate", on="1900-01-01"),
        ParameterRangeError,
        ["'ni.employer_rate'", "has data from 2014-04-06", "1900-01-01", "ni.employer_rate.toml"],
    ),
    (
        "date_after_the_data_when_holding_is_refused",
        lambda: params.get("vat.standard_rate").at("2300-01-01", beyond="error"),
        ParameterRangeError,
        ["'vat.standard_rate'", "2300-01-01", "outside that range", "reference"],
    ),
    (
        "not_a_date",
        lambda: params.value("ni.employer_rate", on="soon"),
        ParameterRangeError,
        ["'soon' is not a date", "2025-06-01"],
    ),
    (
        "two_dates",
        lambda: params.value("ni.employer_rate", on="2024-01-01", tax_year=2024),
        ParameterRangeError,
        ["exactly one of on=date, tax_year= or financial_year="],
    ),
    (
        "inconsistent_tax_year",
        lambda: params.value("ni.employer_rate", tax_year="2024/26"),
        TimelineError,
        ["'2024/26'", "2024/25"],
    ),
    (
        "param_in_a_model_beyond_its_data",
        lambda: mf.Model(
            mf.Timeline("2040/41", years=2),
            [mf.Line("x", mf.param("ni.employer_rate", beyond="error"))],
        ).evaluate(),
        ParameterRangeError,
        ["ni.employer_rate"],
    ),
    (
        "unknown_param_in_a_model",
        lambda: mf.Model(
            mf.Timeline("2026/27", years=2), [mf.Line("x", mf.param("ni.rate"))]
        ).evaluate(),
        UnknownParameterError,
        ["'ni.rate'"],
    ),
]


@pytest.mark.parametrize(
    ("action", "error", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_parameter_request(tmp_path, action, error, words):
    refused(action, error, *words, folder=tmp_path)


def test_a_date_after_the_data_holds_the_last_value_flat_and_says_so():
    v = params.value("vat.standard_rate", on="2300-01-01")
    assert v.value == 0.2 and v.held_from is not None
    assert v.assumption == f"vat.standard_rate held flat from {v.held_from}: an assumption"
