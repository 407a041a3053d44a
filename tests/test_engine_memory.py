"""Large runs: keep only the lines asked for, evaluate in chunks of scenarios, same numbers."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.errors import InputError


def staff_model(n_staff=200, years=10):
    staff = mf.Entities("employee", [f"E{i}" for i in range(n_staff)])
    salary = mf.Input("roster.salary", np.linspace(18_000, 60_000, n_staff), per=staff)
    award = mf.Input("pay.award", 0.03, unit="fraction")
    pay = mf.Line("pay", salary * mf.growth(award))
    ni = mf.Line("ni", mf.max_(pay - 9_100, 0) * 0.138)
    paybill = mf.Line("paybill", mf.total(pay + ni))
    cash = mf.Line("cash", mf.previous("cash") + 10_000_000 - paybill, kind="balance")
    return mf.Model(mf.Timeline(2026, years=years), [pay, ni, paybill, cash])


def test_chunks_equal_one_run_exactly():
    m = staff_model()
    draws = np.random.default_rng(3).uniform(0, 0.05, 250)
    whole = m.evaluate({"pay.award": draws})
    chunked = m.evaluate({"pay.award": draws}, chunk_size=64, keep=["paybill", "cash"])
    np.testing.assert_array_equal(whole.array("cash"), chunked.array("cash"))
    np.testing.assert_array_equal(whole.array("paybill"), chunked.array("paybill"))
    assert chunked.n_scenarios == 250
    with pytest.raises(InputError, match="'pay' was not kept"):
        chunked.array("pay")


def test_keep_bounds_memory():
    m = staff_model(n_staff=500)
    draws = np.random.default_rng(3).uniform(0, 0.05, 2_000)
    tracemalloc.start()
    m.evaluate({"pay.award": draws}, keep=["cash"], chunk_size=100)
    _, bounded = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # one per-employee array for all scenarios would be 2,000 x 500 x 10 x 8 bytes = 80 MB;
    # in chunks of 100 scenarios each such array is 4 MB
    assert bounded < 40e6, bounded


def test_bad_chunk_size():
    with pytest.raises(InputError, match="chunk_size 0"):
        staff_model(5).evaluate(chunk_size=0)
