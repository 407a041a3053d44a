"""Case files: a good file runs; each bad one is refused with file, key and fix."""

from __future__ import annotations

import textwrap

import pytest

import mutualfin as mf
from mutualfin.components import Component, ComponentInputs, Fraction, Money, field
from mutualfin.errors import CaseFileError
from mutualfin.io import MAX_CASE_BYTES, load_case, register_component


@register_component
class FeeIncome(Component):
    key = "test_fee"
    sheet = "Income"

    class Inputs(ComponentInputs):
        annual_value: Money = field("Fee in the first year")
        indexation: Fraction = field("Indexation", default=0.0)

    def build(self, ctx):
        v, i = ctx.input("annual_value"), ctx.input("indexation")
        return [mf.Line("fee_income", v * mf.growth(i), sheet=self.sheet, role="council_income")]


GOOD = """
[case]
name = "Test mutual"

[timeline]
start = "2026/27"
years = 3

[test_fee]
annual_value = { value = 500000, source = "draft contract" }
indexation = 0.02

[finance]
opening_cash = 10000
"""


def write(tmp_path, text, name="case.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_case_file_runs(tmp_path):
    case = mf.BusinessCase.from_file(write(tmp_path, GOOD))
    assert case.name == "Test mutual"
    r = case.run()
    assert r["fee_income"].tolist() == pytest.approx([500_000, 510_000, 520_200])
    assert case.model.inputs["test_fee.annual_value"].source == "draft contract"
    assert len(case.checksums["case.toml"]) == 64


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("years = 3", "years = 3\nyears = 4"), r"TOML syntax error.*line"),
        (
            lambda s: s.replace("[test_fee]", "[test_feee]"),
            r"case.toml: \[test_feee\]: unknown section; did you mean '\[test_fee\]'",
        ),
        (
            lambda s: s.replace("indexation = 0.02", "indexaton = 0.02"),
            r"case.toml: \[test_fee\]: test_fee.indexaton: unknown input; did you mean "
            "'indexation'",
        ),
        (
            lambda s: s.replace("indexation = 0.02", "indexation = 2"),
            r"\[test_fee\]: test_fee.indexation: 2: input should be less than or equal to 1",
        ),
        (
            lambda s: s.replace("{ value = 500000,", '{ value = "lots",'),
            r"test_fee.annual_value: 'lots'",
        ),
        (lambda s: s.replace('start = "2026/27"\n', ""), r"timeline.start: missing"),
        (lambda s: s.replace("years = 3", "years = 0"), r"\[timeline\]: .*at least 1"),
        (
            lambda s: s.replace("[timeline]", "[timeline]\nlength = 3"),
            r"timeline.length: unknown key",
        ),
        (
            lambda s: s.replace('name = "Test mutual"', 'nme = "x"'),
            r"case.nme: unknown key; did you mean 'case.name'",
        ),
        (
            lambda s: s.replace("opening_cash = 10000", "opening_cash = -5"),
            r"\[finance\]: finance.opening_cash: -5",
        ),
        (
            lambda s: s.split("[test_fee]")[0] + "[finance]\nopening_cash = 1\n",
            r"the case has no income",
        ),
        (lambda s: s.split("[timeline]")[0], r"\[timeline\]: missing"),
    ],
)
def test_bad_case_files(tmp_path, edit, message):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(CaseFileError, match=message):
        load_case(path)


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(CaseFileError, match="file not found"):
        load_case(tmp_path / "nope.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_CASE_BYTES)
    with pytest.raises(CaseFileError, match="over the 2,000,000-byte limit"):
        load_case(big)
