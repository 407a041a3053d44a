"""The Python API driven with values of the wrong type (issue 20, item 11): whatever arrives
in an argument, only a MutualfinError (naming the argument) or a correct result comes out;
never an AttributeError, TypeError, numpy UFuncTypeError or a figure made from True as £1."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.errors import InputError, MutualfinError

from .conftest import BASE_DATE, GOOD_CASE, GOOD_ROSTER, refused

_FOLDER = tempfile.TemporaryDirectory(prefix="mutualfin-api-types-")
_CASE_FILE = Path(_FOLDER.name) / "case.toml"
_CASE_FILE.write_text(GOOD_CASE, encoding="utf-8")
CASE = mf.BusinessCase.from_file(_CASE_FILE)
RESULTS = CASE.run()
FRAME = pd.read_csv(pd.io.common.StringIO(GOOD_ROSTER), dtype=str)

#: values a user might pass by mistake, of every type but the one wanted (and some of it)
WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.decimals(allow_nan=True),
    st.complex_numbers(max_magnitude=10),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3), st.none()), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(-5, 5), max_size=2),
    st.tuples(st.integers(-5, 5), st.text(max_size=2)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(
        [
            object(),
            np.array([1.0, np.nan]),
            np.array(["a"]),
            np.bool_(True),
            pd.DataFrame(),
            pd.Series([1, 2]),
            RESULTS,
            CASE,
            RESULTS.evaluation,
            Path(_FOLDER.name) / "nowhere.xlsx",
        ]
    ),
)
INPUTS = sorted(CASE.model.inputs)


def _book(**kwargs):
    with tempfile.TemporaryDirectory() as tmp:
        return RESULTS.to_excel(Path(tmp) / "case.xlsx", store_values=False, **kwargs)


#: the API's arguments, each a call taking the value to try in that argument
CALLS = {
    "run(overrides)": lambda x: CASE.run(x),
    "run({input: x})": lambda x: CASE.run({INPUTS[0]: x}),
    "run({payment_lag: x})": lambda x: CASE.run({"contract.payment_lag_months": x}),
    "break_even(input_name)": lambda x: CASE.break_even(x),
    "break_even(metric)": lambda x: CASE.break_even(metric=x),
    "break_even(target)": lambda x: CASE.break_even(target=x),
    "break_even(low)": lambda x: CASE.break_even(low=x),
    "break_even(tolerance)": lambda x: CASE.break_even(tolerance=x),
    # text is joined to a temporary folder, so that a valid name writes nowhere else
    "to_excel(path)": lambda x: RESULTS.to_excel(
        os.path.join(_FOLDER.name, x) if isinstance(x, str) else x,
        overwrite=True,
        store_values=False,
    ),
    "to_excel(created)": lambda x: _book(created=x),
    "to_excel(author)": lambda x: _book(author=x),
    "to_excel(marking)": lambda x: _book(marking=x),
    "to_excel(date)": lambda x: _book(date=x),
    "to_excel(overwrite)": lambda x: _book(overwrite=x),
    "to_excel(appraisal)": lambda x: _book(appraisal=x),
    "simulate(n)": lambda x: CASE.simulate(x, seed=1, progress=False),
    "simulate(seed)": lambda x: CASE.simulate(5, seed=x, progress=False),
    "simulate(floor)": lambda x: CASE.simulate(5, seed=1, floor=x, progress=False),
    "simulate(lines)": lambda x: CASE.simulate(5, seed=1, lines=x, progress=False),
    "simulate(chunk_size)": lambda x: CASE.simulate(5, seed=1, chunk_size=x, progress=False),
    "tornado(metric)": lambda x: CASE.tornado(metric=x),
    "tornado(swing)": lambda x: CASE.tornado(swing=x),
    "appraise(results)": lambda x: CASE.appraise(x),
    "Roster.from_frame(frame)": lambda x: mf.Roster.from_frame(x, BASE_DATE),
    "Roster.from_frame(base_date)": lambda x: mf.Roster.from_frame(FRAME, x),
    "Roster.from_csv(path)": lambda x: mf.Roster.from_csv(x, BASE_DATE),
    "BusinessCase.from_file(path)": lambda x: mf.BusinessCase.from_file(x),
    "verify(evaluation)": lambda x: mf.excel.verify("nowhere.xlsx", x),
}


@settings(max_examples=300)
@given(call=st.sampled_from(sorted(CALLS)), value=WRONG)
def test_wrong_types_give_mutualfin_errors_or_results(call, value):
    try:
        out = CALLS[call](value)
    except MutualfinError:
        return
    assert out is not None or call.startswith("appraise"), call


def test_decimal_overrides_are_numbers():
    """Decimal (as read_sql gives) is a number wherever a number is wanted."""
    a = CASE.run({"overheads.hr": decimal.Decimal("41000.00")})
    b = CASE.run({"overheads.hr": 41_000.0})
    assert a.metrics["npv_net_cash_flow"] == b.metrics["npv_net_cash_flow"]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: CASE.run([1, 2]), ["overrides must be a mapping", "got list"]),
        (lambda: CASE.run("contract.annual_value"), ["overrides must be a mapping", "got str"]),
        (lambda: CASE.break_even(5), ["break_even: input_name", "got int 5"]),
        (lambda: CASE.break_even(target="0"), ["break_even: target", "'0'", "finite number"]),
        (
            lambda: CASE.break_even(metric="closing_cash"),
            ["break_even: metric 'closing_cash'", "a line by period, not a metric"],
        ),
        (lambda: _book(created="2026-01-01"), ["to_excel: created", "datetime.datetime"]),
        (lambda: _book(marking=["OFFICIAL"]), ["cover marking", "must be text", "list"]),
        (lambda: _book(date="2026-01-01"), ["cover date", "datetime.date"]),
        (lambda: RESULTS.to_excel(None), ["to_excel: path", "NoneType"]),
        (lambda: _book(author="A\x1b[31mB"), ["cover author", "control character", "\\x1b"]),
        (
            lambda: CASE.run({"contract.annual_value": True}),
            ["'contract.annual_value'", "true/false, not a number"],
        ),
        (
            lambda: CASE.simulate(10**13, seed=1, progress=False),
            ["simulate: 10,000,000,000,000 scenarios", "GiB of memory", "run at most"],
        ),
        (
            lambda: CASE.simulate(10, seed=1, floor=float("nan"), progress=False),
            ["simulate: floor nan", "finite number"],
        ),
    ],
    ids=[
        "run_list",
        "run_text",
        "break_even_int",
        "break_even_target_text",
        "break_even_line_not_metric",
        "to_excel_created_text",
        "to_excel_marking_list",
        "to_excel_date_text",
        "to_excel_none",
        "to_excel_author_escape",
        "run_true_as_money",
        "simulate_beyond_memory",
        "simulate_floor_nan",
    ],
)
def test_named_wrong_types(tmp_path, call, words):
    refused(call, InputError, *words, folder=tmp_path)
