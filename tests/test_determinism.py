"""Determinism: the same case and seed give byte-identical figures across runs, and the
workbook is reproducible apart from its creation timestamp."""

from __future__ import annotations

import datetime as dt
import time
import zipfile

import numpy as np
import pytest

from mutualfin.case import BusinessCase

from .bad_inputs.conftest import GOOD_CASE


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(GOOD_CASE, encoding="utf-8")
    return path


def arrays(results) -> dict[str, bytes]:
    ev = results.evaluation
    return {name: np.ascontiguousarray(ev.array(name)).tobytes() for name in ev.values}


def test_same_case_same_bytes(case):
    first = arrays(BusinessCase.from_file(case).run())
    second = arrays(BusinessCase.from_file(case).run())
    assert first.keys() == second.keys() and len(first) > 20
    assert first == second


def test_monte_carlo_same_seed_same_bytes(case):
    a = BusinessCase.from_file(case).simulate(500, seed=7)
    b = BusinessCase.from_file(case).simulate(500, seed=7)
    ma, mb = a.metrics, b.metrics
    assert list(ma) == list(mb)
    for name in ma:
        assert np.asarray(ma[name]).tobytes() == np.asarray(mb[name]).tobytes(), name
    c = BusinessCase.from_file(case).simulate(500, seed=8)
    assert not np.array_equal(
        np.asarray(c.metrics["npv_net_cash_flow"]), np.asarray(ma["npv_net_cash_flow"])
    )


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def write_twice(case, tmp_path, created=None):
    """The writer's output, formulas only: stored values are LibreOffice's save, whose parts
    (chart numbers) vary from one save to the next."""
    results = BusinessCase.from_file(case).run()
    first = results.to_excel(tmp_path / "first.xlsx", created=created, store_values=False)
    time.sleep(2.1)  # zip entries carry times to 2 seconds
    second = results.to_excel(tmp_path / "second.xlsx", created=created, store_values=False)
    return first, second


def test_workbook_contents_reproducible_apart_from_creation_time(case, tmp_path):
    first, second = write_twice(case, tmp_path)
    assert parts(first) == parts(second)


def test_workbook_bytes_reproducible_by_default_when_created_is_fixed(case, tmp_path):
    """created= asks for a reproducible file, so by default its values are not stored."""
    when = dt.datetime(2026, 11, 26, 9, 0, 0)
    results = BusinessCase.from_file(case).run()
    first = results.to_excel(tmp_path / "a.xlsx", created=when)
    second = results.to_excel(tmp_path / "b.xlsx", created=when)
    assert first.read_bytes() == second.read_bytes()


def test_workbook_bytes_reproducible(case, tmp_path):
    # the creation timestamp is settable; with it fixed the bytes are identical
    first, second = write_twice(case, tmp_path, created=dt.datetime(2026, 11, 26, 9, 0, 0))
    assert first.read_bytes() == second.read_bytes()
