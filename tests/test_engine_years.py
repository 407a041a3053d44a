"""Lines by financial year on a monthly timeline: by_year, from_year, metrics over yearly
rows, and their workbook (SUMIF over the Timeline's year start dates), checked by hand and in
LibreOffice."""

from __future__ import annotations

import numpy as np
import pytest

from mutualfin.engine import Input, Line, Model, Timeline, npv_, param, previous, year_fraction
from mutualfin.engine.nodes import by_year, from_year, within, year_end, year_index
from mutualfin.errors import ModelError, WorkbookError
from mutualfin.excel import verify, write_workbook

#: 12 months of 2026/27, then 2027/28 and 2028/29 as years
MIXED = Timeline(2026, years=3, freq="monthly", monthly_years=1)


def _model():
    fee = Input("contract.fee_pa", 1_200.0)
    income = Line("income", fee * year_fraction() * 1.5 ** year_index())
    cash = Line("cash", previous("cash") + income, kind="balance")
    income_y = Line("income_annual", by_year(income), sheet="Years")
    cash_y = Line("cash_annual", by_year(cash), sheet="Years")
    rate = Line(
        "vat_rate_annual",
        # + 0 x a yearly line: a line that refers to a yearly line is by year too
        param("vat.standard_rate") * within("2027-04-01", "2029-03-31") + 0 * income_y,
        unit="fraction",
        kind="value",
        sheet="Years",
    )
    back = Line("income_of_the_year", from_year(income_y) * year_end())
    npv = Line("npv_income", npv_(0.1, income_y), kind="metric", sheet="Years")
    return Model(MIXED, [income, cash, income_y, cash_y, rate, back, npv])


def test_yearly_lines_by_hand():
    """Months of £100 in 2026/27, then £1,800 and £2,700 a year: sums by year, the closing
    cash of each year, and the NPV of the yearly row (end-of-year discounting)."""
    ev = _model().evaluate()
    assert ev["income"].iloc[:12].tolist() == [100.0] * 12
    assert ev["income_annual"].tolist() == [1_200.0, 1_800.0, 2_700.0]
    assert ev["cash_annual"].tolist() == [1_200.0, 3_000.0, 5_700.0]
    assert ev["vat_rate_annual"].tolist() == [0.0, 0.2, 0.2]
    # from_year puts the year's figure in every period of the year (here only its last)
    assert ev["income_of_the_year"].iloc[11] == 1_200.0 and ev["income_of_the_year"].iloc[10] == 0
    assert ev["income_of_the_year"].iloc[12:].tolist() == [1_800.0, 2_700.0]
    npv = 1_200 / 1.1 + 1_800 / 1.1**2 + 2_700 / 1.1**3
    assert ev["npv_income"] == pytest.approx(npv, abs=1e-9)
    assert list(ev["income_annual"].index) == ["2026/27", "2027/28", "2028/29"]
    assert ev.annual("income").tolist() == [[1_200.0, 1_800.0, 2_700.0]]


def test_many_scenarios_by_year():
    ev = _model().evaluate({"contract.fee_pa": np.array([1_200.0, 2_400.0])})
    assert ev.array("income_annual")[:, 0].tolist() == [1_200.0, 2_400.0]


def test_a_line_cannot_mix_periods_and_years():
    income = Line("income", Input("x.a", 1.0) * year_fraction())
    bad = Line("bad", by_year(income) + income, sheet="Years")
    with pytest.raises(ModelError, match="mixes rows by period and rows by financial year"):
        Model(MIXED, [income, bad])


def test_by_year_of_a_yearly_line_is_refused():
    income = Line("income", Input("x.a", 1.0) * year_fraction())
    yearly = Line("income_annual", by_year(income), sheet="Years")
    twice = Line("twice", by_year(yearly, "sum"), sheet="Years")
    with pytest.raises(ModelError, match="by_year summarises a line by period"):
        Model(MIXED, [twice])


def test_a_loop_between_periods_and_years_is_refused():
    income = Line("income", Input("x.a", 1.0) * year_fraction() + previous("feedback"))
    yearly = Line("income_annual", by_year(income), sheet="Years")
    feedback = Line("feedback", from_year(yearly) * 0.01)
    with pytest.raises(ModelError, match="loop through previous"):
        Model(MIXED, [income, yearly, feedback])


def test_a_sheet_holds_one_kind_of_row(tmp_path):
    income = Line("income", Input("x.a", 1.0) * year_fraction())
    yearly = Line("income_annual", by_year(income))  # on the same sheet as income
    with pytest.raises(WorkbookError, match="give the yearly lines a sheet of their own"):
        write_workbook(Model(MIXED, [income, yearly]).evaluate(), tmp_path / "x.xlsx")


@pytest.mark.libreoffice
def test_yearly_lines_verify_in_libreoffice(tmp_path, soffice):
    ev = _model().evaluate()
    path = write_workbook(ev, tmp_path / "years.xlsx")
    report = verify(path, ev)
    assert report.ok, report
    import openpyxl

    years = openpyxl.load_workbook(path)["Years"]
    # one SUMIF formula across the row, by the year start in the sheet's own header
    row = [years.cell(row=r, column=1).value for r in range(1, 20)].index("income_annual") + 1
    assert years.cell(row=row, column=6).value.startswith("=SUMIF(Timeline!$F$")
    assert ",F$3," in years.cell(row=row, column=6).value
    assert ",G$3," in years.cell(row=row, column=7).value
