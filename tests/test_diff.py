"""mutualfin.diff: what changed between two versions of a case, and the bridge of NPV, lowest
cash, reserves and the council's net present cost from the old figures to the new.

The youth case is edited as a finance officer would between two cabinet papers (the contract
value down £100,000, the traded price up £500, the vacancy factor up a point), and the bridge
is checked three ways: it lists exactly those inputs; each figure's parts add up to its total
change to the penny; and each part equals the Shapley value worked out by hand from separately
loaded case files (for two inputs, part of A = half of [A alone] plus half of [A after B]).
"""

from __future__ import annotations

import warnings

import pytest

import mutualfin as mf
from mutualfin.analysis.diff import COUNCIL_NPC, NOT_ATTRIBUTABLE
from mutualfin.errors import InputError
from mutualfin.plots import bridge_chart

from .casefiles import MODELS, edited_case

YOUTH = MODELS / "youth_service.toml"

VALUE = ("annual_value = { value = 4_200_000", "annual_value = { value = 4_100_000")
PRICE = ("price = { value = 5_000,", "price = { value = 5_500,")
VACANCY = ("vacancy_factor = { value = 0.03,", "vacancy_factor = { value = 0.04,")
TERM = ("term_years = { value = 5,", "term_years = { value = 4,")


def _edit(*pairs):
    def edit(text: str) -> str:
        for old, new in pairs:
            assert text.count(old) == 1, old  # the youth case file still reads this way
            text = text.replace(old, new)
        return text

    return edit


def _figures(path) -> dict[str, float]:
    """The four bridged figures of a case file, run on its own."""
    from mutualfin.analysis.diff import _figures as figures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mf.errors.AssumptionWarning)
        case = mf.BusinessCase.from_file(path)
        return figures(case, case.run())[0]


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    new = edited_case("youth_service", tmp_path_factory.mktemp("v2"), _edit(VALUE, PRICE, VACANCY))
    return mf.diff(YOUTH, new)


def test_diff_of_the_youth_case_reports_exactly_the_three_changed_inputs(three):
    assert three.changed == [
        "contract.annual_value",
        "traded.price",
        "staff.vacancy_factor",
    ]
    table = three.table
    assert table.loc["contract.annual_value", "old"] == "£4,200,000"
    assert table.loc["contract.annual_value", "new"] == "£4,100,000"
    assert table.loc["staff.vacancy_factor", "old"] == "3.0%"
    assert table.loc["staff.vacancy_factor", "new"] == "4.0%"
    assert set(table["attributed"]) == {"yes"}
    assert NOT_ATTRIBUTABLE not in three.parts  # three inputs explain all of it
    assert list(three.parts) == three.changed
    # the two files share a name: the folders tell them apart
    assert three.old_name == "models/youth_service.toml"
    assert three.new_name.endswith("/youth_service.toml") and three.new_name != three.old_name


def test_diff_bridge_parts_add_up_to_the_total_change_to_the_penny(three):
    assert set(three.labels) == {
        "npv_before_financing",
        "minimum_cash",
        "closing_reserves",
        COUNCIL_NPC,
    }
    for figure in three.labels:
        parts = sum(p[figure] for p in three.parts.values())
        assert round(parts, 2) == round(three.total(figure), 2), figure
        # and the bridge table's first and last rows are the two cases' own figures
        column = three.bridge[three.labels[figure]]
        assert column.iloc[0] == three.old_values[figure]
        assert column.iloc[-1] == three.new_values[figure]
        assert round(column.iloc[1:-1].sum(), 2) == round(column.iloc[-1] - column.iloc[0], 2)


def test_diff_figures_are_those_of_each_case_run_on_its_own(three, tmp_path):
    new = edited_case("youth_service", tmp_path, _edit(VALUE, PRICE, VACANCY))
    assert three.old_values == pytest.approx(_figures(YOUTH), abs=0.005)
    assert three.new_values == pytest.approx(_figures(new), abs=0.005)


def test_diff_contract_value_down_100k_lowers_the_lowest_cash_by_two_months_of_it(three):
    """Hand-worked: the youth case plans by month; its contract is paid monthly in advance
    (payment lag 0) and standard-rated, and its lowest closing cash is at the end of May 2026
    (April's PAYE, pensions and creditors fall due in May), before the first VAT return
    (August) and any corporation tax. So £100,000 less contract a year is 2 months x 100,000 /
    12 x 1.2 (the VAT received with it, paid over later) = £20,000 less cash then, and nothing
    else moves it. The council pays £100,000 a year less, so its net present cost falls; the
    mutual's traded price and vacancy factor do not touch what the council pays."""
    assert three.parts["contract.annual_value"]["minimum_cash"] == pytest.approx(
        -2 * 100_000 / 12 * 1.2, abs=0.005
    )
    assert three.parts["contract.annual_value"][COUNCIL_NPC] < -300_000
    assert three.parts["traded.price"][COUNCIL_NPC] == pytest.approx(0, abs=0.005)
    assert three.parts["staff.vacancy_factor"][COUNCIL_NPC] == pytest.approx(0, abs=0.005)
    assert three.parts["traded.price"]["npv_before_financing"] > 0  # dearer packages, more income
    assert three.parts["staff.vacancy_factor"]["npv_before_financing"] > 0  # fewer paid posts


def test_diff_two_inputs_are_the_shapley_values_worked_from_separate_case_files(tmp_path):
    """Part of A = 1/2 (v(A) - v(0)) + 1/2 (v(AB) - v(B)), where v(S) is the figure of the case
    file with the changes in S made; each v here is a case file loaded and run on its own, not
    the vectorised pass under test."""
    v0 = _figures(YOUTH)
    va = _figures(edited_case("youth_service", tmp_path / "a", _edit(VALUE)))
    vb = _figures(edited_case("youth_service", tmp_path / "b", _edit(VACANCY)))
    vab_path = edited_case("youth_service", tmp_path / "ab", _edit(VALUE, VACANCY))
    vab = _figures(vab_path)
    d = mf.diff(YOUTH, vab_path)
    assert d.changed == ["contract.annual_value", "staff.vacancy_factor"]
    for f in d.labels:
        part_a = 0.5 * (va[f] - v0[f]) + 0.5 * (vab[f] - vb[f])
        part_b = 0.5 * (vb[f] - v0[f]) + 0.5 * (vab[f] - va[f])
        assert d.parts["contract.annual_value"][f] == pytest.approx(part_a, abs=0.01), f
        assert d.parts["staff.vacancy_factor"][f] == pytest.approx(part_b, abs=0.01), f


def test_diff_a_change_to_how_the_case_is_built_goes_to_the_unattributable_row(tmp_path):
    """The contract's term (5 years to 4) changes when income stops, not a value in a formula:
    it is listed, not attributed, and the parts still add up to the total."""
    new = edited_case("youth_service", tmp_path, _edit(VALUE, TERM))
    d = mf.diff(YOUTH, new)
    assert d.changed == ["contract.annual_value", "contract.term_years"]
    assert d.table.loc["contract.term_years", "attributed"].startswith("no: ")
    assert list(d.parts) == ["contract.annual_value", NOT_ATTRIBUTABLE]
    for f in d.labels:
        assert round(sum(p[f] for p in d.parts.values()), 2) == round(d.total(f), 2)
    assert any("contract.term_years" in n for n in d.notes)


def test_diff_of_a_case_with_itself_is_empty():
    d = mf.diff(YOUTH, YOUTH)
    assert d.changed == [] and d.parts == {}
    assert d.findings()[0] == "0 inputs changed from youth_service.toml to youth_service.toml."


def test_diff_refuses_what_is_not_a_case():
    with pytest.raises(InputError, match="old.*BusinessCase or the path of a case file"):
        mf.diff(42, YOUTH)


def test_diff_findings_bridge_sheet_and_chart(three, tmp_path):
    findings = three.findings()
    assert findings[0].startswith("3 inputs changed from models/youth_service.toml")
    assert "Lowest closing cash moved from" in findings[2]
    assert "contract.annual_value -£20,000" in findings[2]
    tables = three.tables()
    assert list(tables) == ["findings", "bridge", "changes"]
    fig = bridge_chart(three, "minimum_cash")
    # old, three inputs, new: five bars, the first and last the two cases' figures
    bars = fig.axes[0].patches
    assert len(bars) == 5
    assert bars[0].get_height() == pytest.approx(three.old_values["minimum_cash"])
    assert bars[-1].get_height() == pytest.approx(three.new_values["minimum_cash"])
    assert bars[1].get_height() == pytest.approx(20_000, abs=0.01)
    with pytest.raises(InputError, match="figure 'irr' is not in the bridge"):
        bridge_chart(three, "irr")
    with pytest.raises(InputError, match="give the result of mutualfin.diff"):
        bridge_chart("not a diff")


def test_diff_is_written_as_a_bridge_sheet_of_values(three, tmp_path):
    import openpyxl

    new = mf.BusinessCase.from_file(
        edited_case("youth_service", tmp_path / "v2", _edit(VALUE, PRICE, VACANCY))
    )
    path = new.run().to_excel(tmp_path / "book.xlsx", diff=three)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames.index("Bridge") == wb.sheetnames.index("Summary") + 1
    ws = wb["Bridge"]
    assert ws["A2"].value.startswith("VALUES computed by mutualfin")
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "contract.annual_value" in texts and "staff.vacancy_factor" in texts
    assert any(t.startswith("Lowest closing cash moved from £") for t in texts)
    with pytest.raises(InputError, match="diff must be the result of mutualfin.diff"):
        new.run().to_excel(tmp_path / "other.xlsx", diff="v1")
