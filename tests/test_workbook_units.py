"""Every figure on the Appraisal and Risk sheets is formatted by its unit, and the Unit columns
say units in words (issue 18: "£ and % shown, counts without pence, no GBP or fraction")."""

from __future__ import annotations

import warnings

import openpyxl
import pytest

import mutualfin as mf
from mutualfin.workbook.writer import unit_text

from .casefiles import MODELS

MONEY = "£#,##0;[Red]-£#,##0"


def test_unit_text_in_words():
    assert unit_text("GBP") == "£"
    assert unit_text("fraction") == "%"
    assert unit_text("GBP/year") == "£ a year"
    assert unit_text("days/FTE") == "days per FTE"
    assert unit_text("count") == "number"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = mf.BusinessCase.from_file(MODELS / "youth_service.toml")
    results = case.run()
    path = tmp_path_factory.mktemp("units") / "book.xlsx"
    sim = case.simulate(200, seed=1, progress=None)
    # the writer's own formats: a file with stored values is LibreOffice's save, which spells
    # them its own way (\£#,##0;[RED]"-£"#,##0)
    results.to_excel(path, appraisal=case.appraise(results), risk=sim, store_values=False)
    return openpyxl.load_workbook(path)


def _column(ws, header: str, after: str):
    """The cells under ``header`` in the first table whose title row holds ``after`` (its
    header is the first row with text below the title)."""
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value and after in str(r[0].value))
    start = next(i for i in range(start + 1, len(rows)) if any(c.value for c in rows[i])) - 1
    head = rows[start + 1]  # the table's header, below the chart where the table has one
    col = next(c.column for c in head if c.value == header)
    out = []
    for r in rows[start + 2 :]:
        if r[0].value in (None, ""):
            break
        out.append(ws.cell(row=r[0].row, column=col))
    return out


def test_inputs_units_in_words(book):
    ws = book["Inputs"]
    units = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value for r in range(4, 40)}
    assert units["contract_annual_value"] == "£"
    assert units["staff_vacancy_factor"] == "%"
    assert not {"GBP", "fraction"} & set(units.values())


def test_appraisal_figures_formatted_by_unit(book):
    ws = book["Appraisal"]
    npc = _column(ws, "net present cost", "Options ranked")
    assert npc and {c.number_format for c in npc} == {MONEY}
    ranks = _column(ws, "rank", "Options ranked")
    assert [c.value for c in ranks] == [1, 2, 3, 4, 5]
    assert {c.number_format for c in ranks} == {"#,##0"}
    change = _column(ws, "change", "Switching values on the case's inputs")
    assert {c.number_format for c in change if isinstance(c.value, float)} == {"0.0%"}
    base = _column(ws, "base", "Switching values on the case's inputs")
    assert base[0].value == 4_200_000 and base[0].number_format == MONEY  # the contract, £


def test_risk_figures_formatted_by_unit(book):
    ws = book["Risk"]
    summary = {
        r[0].value: r[1] for r in ws.iter_rows(min_row=4, max_row=20) if r[0].value is not None
    }
    assert summary["probability cash below floor in any period"].number_format == "0.0%"
    assert summary["scenarios"].number_format == "#,##0"
    assert summary["cash floor"].number_format == MONEY
    p50 = _column(ws, "p50", "Percentiles of the metrics")
    metrics = [c.value for c in _column(ws, "metric", "Percentiles of the metrics")]
    npv = p50[metrics.index("NPV before financing (mutual's rate)")]  # the metric in words
    assert npv.number_format == MONEY
    probability = _column(ws, "probability", "Probability closing cash")
    assert {c.number_format for c in probability} == {"0.0%"}


def test_risk_sheet_in_words_not_code_names(book):
    """Labels in words, not code names (issue 18): no metric or line name, and no Python
    column name, shows on the Risk sheet; input names stay beside their labels (the name is
    how the case file and the Inputs sheet find the input)."""
    ws = book["Risk"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    case_lines = {"npv_before_financing", "minimum_cash", "closing_reserves", "net_outlay"}
    columns = {"drawn_mean", "metric_at_low", "metric_at_high", "base_value", "spearman"}
    shown = {t for t in text for name in case_lines | columns if name in t}
    assert not shown
    assert "Drivers of NPV before financing (mutual's rate)" in text
    assert "rank correlation (Spearman)" in text and "mean of the draws" in text
