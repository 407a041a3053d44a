"""Tables that read like a finance report: statements and metrics formatted by their units (£
with thousands separators, %, months, words for a missing figure), financial-year columns and
labels in words, with the raw numbers still underneath for computation."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.errors import InputError

CASE = Path(__file__).resolve().parents[1] / "models" / "schools_support.toml"


@pytest.fixture(scope="module")
def results():
    return mf.BusinessCase.from_file(CASE).run()


def cells(styler) -> dict[str, list[str]]:
    """Each row's label and its cells as displayed."""
    html = styler.to_html()
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        head = re.search(r'class="row_heading[^"]*" >(.*?)</th>', row)
        if head:
            out[head.group(1)] = re.findall(r'class="data[^"]*" >(.*?)</td>', row)
    return out


def test_statement_table_formats_each_line_by_its_unit(results):
    styled = results.statement_table("Reserves")
    # the numbers underneath are the statements' own
    pd.testing.assert_frame_equal(styled.data, results.statements["Reserves"], check_names=False)
    shown = cells(styled)
    # by financial year (the case plans its first two years by month)
    reserves = results.annual("reserves").to_numpy()
    months = results.annual("reserves_months").to_numpy()
    assert len(reserves) == 5
    label = results.case.model.lines["reserves"].label  # the statement list's words
    assert shown[label] == [f"£{v:,.0f}" for v in reserves]
    assert shown["Reserves in months of operating cost"] == [f"{v:.1f} months" for v in months]
    html = styled.to_html()
    assert "Financial year" in html and all(y in html for y in ("2026/27", "2030/31"))
    assert "<caption>Reserves</caption>" in html


def test_statement_table_refuses_an_unknown_statement(results):
    with pytest.raises(InputError, match="'Balance sheet' is not one of this case's statements"):
        results.statement_table("Balance sheet")


def test_metrics_table_in_words_with_units_and_missing_texts(results):
    shown = cells(results.metrics_table())
    m = results.metrics
    assert shown["Lowest closing cash"] == [f"£{m['minimum_cash']:,.0f}"]
    assert shown["Surplus margin"] == [f"{m['surplus_margin']:.1%}"]
    # the case never has a net outlay, which the payback says in words, never as 0
    assert shown["Payback (years)"] == ["no net outlay"]
    assert shown["Lowest cash in"] == ["May 2026"]  # planned by month: the month it happens


def test_results_html_has_metrics_statements_and_checks(results):
    html = results._repr_html_()
    assert "Checks: OK" in html and "INCOMPLETE" not in html
    for title in ("Headline metrics", "Income and expenditure", "Cash flow", "Reserves"):
        assert f"<caption>{title}</caption>" in html
    assert re.search(r"£\d{1,3}(,\d{3})+<", html)  # thousands separators
    assert not re.search(r">-?\d+\.\d{3,}<", html)  # no raw floats


def test_style_table_reads_statement_names_when_given_no_units():
    frame = pd.DataFrame(
        {"minimum_cash": [-1234.4], "surplus_margin": [0.0532], "payback_years": [float("nan")]},
        index=["base"],
    )
    shown = cells(mf.style_table(frame, axis="columns"))
    assert shown == {"base": ["-£1,234", "5.3%", "not paid back"]}
    html = mf.style_table(frame, axis="columns").to_html()
    assert "Lowest closing cash" in html and "Surplus margin" in html


def test_style_table_axis_is_checked():
    with pytest.raises(InputError, match="axis must be 'index' or 'columns'"):
        mf.style_table(pd.DataFrame({"a": [1.0]}), "GBP", axis="rows")
