"""The dated parameter store: look-ups, ranges, and malformed files refused with file, key and
fix."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.errors import ParameterFileError, ParameterRangeError, UnknownParameterError
from mutualfin.params import ParameterStore, load_file

GOOD = """
name = "test.rate"
description = "A test rate"
unit = "fraction"
period = "tax_year"
valid_until = 2027-04-05

[[values]]
from = 2020-04-06
value = 0.1
reference = { title = "Source A", href = "https://example.org/a" }

[[values]]
from = 2022-04-06
value = 0.2
reference = { title = "Source B", href = "https://example.org/b" }
confirmed = false
note = "provisional"
"""


def write(tmp_path, text, name="test.rate"):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_every_shipped_file_loads():
    params = mf.params.load_all()
    assert {"ni.employer_rate", "ni.secondary_threshold"} <= set(params)
    for p in params.values():
        for e in p.entries:
            assert e.reference.href.startswith("http")


def test_value_by_date_and_year_with_source():
    v = mf.params.value("ni.employer_rate", on="2022-07-01")
    assert v.value == 0.1505
    assert "15.05" in v.source or v.source
    assert mf.params.value("ni.employer_rate", on="2022-11-06").value == 0.138
    assert mf.params.value("ni.employer_rate", tax_year="2025/26").value == 0.15
    assert mf.params.value("ni.secondary_threshold", tax_year=2025).value == 5000


def test_outside_range_names_the_range():
    with pytest.raises(ParameterRangeError, match=r"data from 2014-04-06 to .*1999-01-01"):
        mf.params.value("ni.employer_rate", on="1999-01-01")


def test_unknown_name_suggests():
    with pytest.raises(UnknownParameterError, match="did you mean 'ni.employer_rate'"):
        mf.params.value("ni.employer_rte", on="2025-01-01")


def test_table_is_tidy():
    t = mf.params.table("ni.")
    assert {"name", "from", "until", "value", "reference", "href"} <= set(t.columns)
    assert (t["name"].str.startswith("ni.")).all()
    with pytest.raises(UnknownParameterError, match="families are"):
        mf.params.table("nope")


def test_weighted_period_series(tmp_path):
    p = load_file(write(tmp_path, GOOD))
    starts = [dt.date(2021, 4, 1), dt.date(2022, 4, 1), dt.date(2030, 4, 1)]
    ends = [dt.date(2022, 3, 31), dt.date(2023, 3, 31), dt.date(2031, 3, 31)]
    values, held = p.period_series(starts, ends)
    # 2022/23: 5 days at 0.1 (1-5 April), 360 days at 0.2
    np.testing.assert_allclose(values, [0.1, (5 * 0.1 + 360 * 0.2) / 365, 0.2])
    assert held == [False, False, True]
    with pytest.raises(ParameterRangeError, match="beyond"):
        p.period_series(starts, ends, beyond="error")


def test_store_reads_a_directory(tmp_path):
    write(tmp_path, GOOD)
    store = ParameterStore(tmp_path)
    assert store.value("test.rate", on="2023-01-01").confirmed is False


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('unit = "fraction"', 'unit = "percent"'), "unit: unknown unit"),
        (lambda s: s.replace("value = 0.1\n", "value = 10\n"), r"values\[0\].value.*0.1"),
        (lambda s: s.replace('period = "tax_year"', 'period = "tax_yr"'), "period"),
        (lambda s: s.replace("valid_until", "valid_untill"), "valid_untill: unknown key"),
        (lambda s: s.replace("note =", "notes ="), r"values\[1\].notes: unknown key.*'note'"),
        (lambda s: s.replace("from = 2022-04-06", "from = 2019-04-06"), "ascending"),
        (lambda s: s.replace("from = 2020-04-06", 'from = "2020-04-06"'), "not a date"),
        (
            lambda s: s.replace(
                '{ title = "Source A", href = "https://example.org/a" }', '"Source A"'
            ),
            "one allowed shape",
        ),
        (
            lambda s: s.replace('href = "https://example.org/a"', 'href = "example.org"'),
            "web address",
        ),
        (lambda s: s.replace('name = "test.rate"', 'name = "test.other"'), "rename"),
        (
            lambda s: s.replace("valid_until = 2027-04-05", "valid_until = 2021-04-05"),
            "before the last value",
        ),
        (lambda s: s + "\n[[values]\n", r"\(syntax\)"),
        (lambda s: s.replace('description = "A test rate"\n', ""), "description: required"),
    ],
)
def test_malformed_files_are_refused(tmp_path, edit, message):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(ParameterFileError, match=message) as info:
        load_file(path)
    assert "test.rate.toml" in str(info.value)
    assert "Fix:" in str(info.value)


def test_a_bad_file_stops_the_whole_store(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("test.rate", "test.bad").replace("0.1\n", "7\n"), "test.bad")
    with pytest.raises(ParameterFileError, match="test.bad.toml"):
        ParameterStore(tmp_path).load_all()


def test_every_parameter_is_listed_in_sources_md():
    from mutualfin.params import DATA_DIR

    text = (DATA_DIR.parent / "SOURCES.md").read_text(encoding="utf-8")
    missing = [n for n in mf.params.names() if f"`{n}`" not in text]
    assert not missing, f"add these to mutualfin/params/SOURCES.md: {missing}"
