"""Determinism: the same case and seed give byte-identical figures across runs, and the
workbook is reproducible apart from its creation timestamp."""

from __future__ import annotations

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


def write_twice(case, tmp_path):
    results = BusinessCase.from_file(case).run()
    first = results.to_excel(tmp_path / "first.xlsx")
    time.sleep(2.1)  # zip entries carry times to 2 seconds
    second = results.to_excel(tmp_path / "second.xlsx")
    return first, second


def test_workbook_contents_reproducible_apart_from_creation_time(case, tmp_path):
    first, second = write_twice(case, tmp_path)
    assert parts(first) == parts(second)


@pytest.mark.xfail(
    strict=True,
    reason="excel/writer.py atomic_save: openpyxl stamps docProps/core.xml created/modified and "
    "every zip entry with the current time; the writer must set wb.properties.created/modified "
    "from a settable timestamp and write zip entries with a fixed date_time",
)
def test_workbook_bytes_reproducible(case, tmp_path):
    first, second = write_twice(case, tmp_path)
    assert first.read_bytes() == second.read_bytes()
