"""The business case: statements worked by hand, break-even, checks, and the workbook."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.case import BusinessCase, CaseFinance, Loan
from mutualfin.components import Component, ComponentInputs, Fraction, Money, field
from mutualfin.errors import InputError, ModelError, SolverError
from mutualfin.excel import verify

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Contract(Component):
    key = "contract"
    sheet = "Income"

    class Inputs(ComponentInputs):
        annual_value: Money = field("Contract value in the first year")
        indexation: Fraction = field("Indexation", default=0.0)

    def build(self, ctx):
        v, i = ctx.input("annual_value"), ctx.input("indexation")
        return [
            mf.Line("contract_income", v * mf.growth(i), sheet=self.sheet, role="council_income")
        ]


class LaggedContract(Contract):
    """A contract paid monthly in arrears: a receipts line separate from income."""

    class Inputs(ComponentInputs):
        annual_value: Money = field("Contract value in the first year")
        indexation: Fraction = field("Indexation", default=0.0)
        lag_months: Money = field("Months in arrears", default=1.0)

    def build(self, ctx):
        income = super().build(ctx)[0]
        lag = ctx.input("lag_months")
        receipts = mf.Line(
            "contract_receipts",
            income * (1 - lag / 12) + mf.previous(income) * lag / 12,
            sheet=self.sheet,
            role="receipts:contract_income",
        )
        return [income, receipts]


class TwoStaff(Component):
    """Two employees, employer NI per employee from the tax calculator's expression form."""

    key = "staff"
    sheet = "Staff"

    class Inputs(ComponentInputs):
        other_costs: Money = field("Other operating costs", default=0.0)
        setup: Money = field("Set-up costs in the first year", default=0.0)

    def build(self, ctx):
        staff = mf.Entities("employee", ["A", "B"])
        salary = mf.Input("roster.salary", [30_000.0, 20_000.0], per=staff)
        pay = mf.Line("pay_employee", salary + 0, sheet=self.sheet)
        ni = mf.Line("ni_employee", mf.tax.employer_ni(pay), sheet=self.sheet)
        return [
            mf.Line("staff_costs", mf.total(pay + ni), sheet=self.sheet, role="cost"),
            mf.Line("other_costs", ctx.input("other_costs") + 0, sheet=self.sheet, role="cost"),
            mf.Line(
                "setup_costs",
                ctx.input("setup") * mf.first_period(),
                sheet=self.sheet,
                role="one_off",
            ),
        ]


def hand_case(**finance):
    return BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            Contract(annual_value=100_000, indexation=0.02),
            TwoStaff(other_costs=30_000, setup=20_000),
            CaseFinance(opening_cash=10_000, **finance),
        ],
        name="Hand-worked case",
    )


def test_statements_by_hand_to_the_penny():
    r = hand_case().run()
    ie = lambda n: r[n].round(2).tolist()  # noqa: E731
    # contract: 100,000 x 1.02^t
    assert ie("total_income") == [100_000, 102_000, 104_040]
    # NI at 15% above £5,000 (2026/27; held for later years): A (30,000-5,000) x 15% = 3,750;
    # B (20,000-5,000) x 15% = 2,250; staff costs 50,000 + 6,000 = 56,000; other 30,000
    assert ie("operating_costs") == [86_000] * 3
    assert ie("one_off_costs") == [20_000, 0, 0]
    # surplus: 100,000 - 86,000 - 20,000 = -6,000; 102,000 - 86,000; 104,040 - 86,000
    assert ie("surplus_before_tax") == [-6_000, 16_000, 18_040]
    # the 2026/27 loss of 6,000 is carried forward and used in 2027/28
    assert ie("losses_brought_forward") == [0, 6_000, 0]
    assert ie("taxable_profit") == [0, 10_000, 18_040]
    assert ie("losses_carried_forward") == [6_000, 0, 0]
    # small profits rate 19% (profits under £50,000): 10,000 x 19% = 1,900; 18,040 x 19%
    assert ie("corporation_tax") == [0, 1_900, 3_427.60]
    assert ie("surplus_after_tax") == [-6_000, 14_100, 14_612.40]
    # tax is paid nine months and a day after the year (TMA 1970 s.59D): 2027/28's 1,900 in
    # 2028/29; the year-end balance owed is 0, 1,900, 3,427.60
    assert ie("tax_paid") == [0, 0, 1_900]
    assert ie("tax_payable") == [0, 1_900, 3_427.60]
    # no debtors, creditors or loan: cash before financing is the surplus before tax less
    # the tax paid: -6,000; 16,000; 18,040 - 1,900 = 16,140
    assert ie("cash_flow_before_financing") == [-6_000, 16_000, 16_140]
    assert ie("net_cash_flow") == [-6_000, 16_000, 16_140]
    assert ie("closing_cash") == [4_000, 20_000, 36_140]
    assert ie("reserves") == [4_000, 18_100, 32_712.40]
    m = r.metrics
    assert m["minimum_cash"] == pytest.approx(4_000)
    assert m["minimum_cash_period"] == "2026/27"
    assert m["closing_reserves"] == pytest.approx(32_712.40)
    assert m["council_income_share"] == 1.0
    # payback from the first outlay (the start): 6,000 out in 2026/27, back during 2027/28
    # at 16,000 a year: 1 + 6,000 / 16,000 = 1.375 years
    assert m["payback_years"] == pytest.approx(1.375)
    assert r.checks["ok"].all()


def test_a_large_company_pays_corporation_tax_in_quarterly_instalments():
    """Corporation Tax (Instalment Payments) Regulations 1998: taxable profits over £1.5m pay
    in months 7 and 10 of the year and 1 and 4 after it: half in the year, half the next."""
    case = BusinessCase(
        mf.Timeline("2026/27", years=2),
        [Contract(annual_value=3_000_000), TwoStaff(other_costs=944_000)],
    )
    r = case.run()
    # profit 3,000,000 - 56,000 - 944,000 = 2,000,000 a year; 25% main rate = 500,000
    assert r["corporation_tax"].tolist() == pytest.approx([500_000, 500_000])
    assert r["tax_paid"].tolist() == pytest.approx([250_000, 500_000])
    assert r["tax_payable"].tolist() == pytest.approx([250_000, 250_000])
    assert r.checks["ok"].all()


def test_income_paid_in_arrears_is_a_debtor():
    # £120,000 a year paid one month in arrears: £10,000 owed at each year end
    case = BusinessCase(
        mf.Timeline("2026/27", years=2),
        [LaggedContract(annual_value=120_000, lag_months=1), CaseFinance(opening_cash=0)],
    )
    r = case.run()
    assert r["contract_receipts"].tolist() == pytest.approx([110_000, 120_000])
    assert r["debtors"].tolist() == pytest.approx([10_000, 10_000])
    assert r.checks["ok"].all()


def test_working_capital_and_loan_by_hand():
    case = BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            Contract(annual_value=365_000),
            TwoStaff(other_costs=250_000),
            CaseFinance(opening_cash=0, debtor_days=30, creditor_days=0),
            Loan(amount=20_000, interest_rate=0.05, term_years=2),
        ],
    )
    r = case.run()
    # debtors = 365,000 / 365 x 30 = 30,000 at every year end: receipts 335,000 then 365,000
    assert r["operating_receipts"].round(2).tolist() == [335_000, 365_000, 365_000]
    # loan: drawn 20,000 at the start of year 1, so interest at 5% runs from then:
    # 1,000 (20,000), 1,000 (20,000; repaid 10,000 at the end of year 2), 500 (10,000)
    assert r["loan_interest"].round(2).tolist() == [1_000, 1_000, 500]
    assert r["loan_repayment"].round(2).tolist() == [0, 10_000, 10_000]
    assert r["financing_cash_flow"].round(2).tolist() == [19_000, -11_000, -10_500]
    assert r.checks["ok"].all()


def test_break_even_fed_back_leaves_cash_at_the_floor():
    case = hand_case(cash_floor=1_000)
    value = case.break_even("contract.annual_value")
    again = case.run({"contract.annual_value": [value]})
    assert again.metrics["minimum_cash"] == pytest.approx(1_000, abs=1)
    lower = case.run({"contract.annual_value": [value - 2]})
    assert lower.metrics["minimum_cash"] < 1_000
    with pytest.raises(SolverError, match="not between them"):
        case.break_even("contract.annual_value", low=500_000, high=600_000)


@settings(max_examples=25, deadline=None)
@given(
    value=st.floats(50_000, 500_000),
    debtor=st.floats(0, 90),
    creditor=st.floats(0, 60),
    loan=st.floats(0, 100_000),
    rate=st.floats(0, 0.15),
    lag=st.sampled_from([0.0, 1.0, 2.0]),
)
def test_checks_always_balance(value, debtor, creditor, loan, rate, lag):
    case = BusinessCase(
        mf.Timeline("2026/27", years=4),
        [
            LaggedContract(annual_value=value, indexation=0.03, lag_months=lag),
            TwoStaff(other_costs=40_000, setup=15_000),
            CaseFinance(opening_cash=5_000, debtor_days=debtor, creditor_days=creditor),
            Loan(amount=loan, interest_rate=rate, term_years=3, drawdown_period=1),
        ],
    )
    checks = case.run().checks
    assert checks["ok"].all(), checks


@settings(max_examples=25, deadline=None)
@given(st.floats(50_000, 400_000), st.floats(1, 50_000))
def test_more_contract_value_never_lowers_npv_or_minimum_cash(value, extra):
    case = hand_case(debtor_days=30)
    r = case.run({"contract.annual_value": [value, value + extra]})
    frame = r.evaluation.metrics()
    assert frame["npv_net_cash_flow"].iloc[1] >= frame["npv_net_cash_flow"].iloc[0]
    assert frame["minimum_cash"].iloc[1] >= frame["minimum_cash"].iloc[0]


def test_bad_compositions():
    tl = mf.Timeline(2026, years=3)
    with pytest.raises(InputError, match="two components have the key 'contract'"):
        BusinessCase(tl, [Contract(annual_value=1), Contract(annual_value=2)])
    with pytest.raises(ModelError, match="the case has no income"):
        BusinessCase(tl, [TwoStaff()])
    with pytest.raises(InputError, match="finance.debtor_days: 400 is above 365, the highest"):
        CaseFinance(debtor_days=400)


def test_results_are_pandas_with_html():
    r = hand_case().run()
    assert list(r.statements["Income and expenditure"].columns) == ["2026/27", "2027/28", "2028/29"]
    assert "Hand-worked case" in r._repr_html_()
    assert np.isfinite(r.metrics["npv_net_cash_flow"])


@pytest.mark.libreoffice
def test_case_workbook_equals_python(soffice, tmp_path):
    r = hand_case(debtor_days=20, creditor_days=10).run()
    path = r.to_excel(tmp_path / "case.xlsx", organisation="Test council", marking="OFFICIAL")
    report = r.verify(path)  # every line, summary link and check cell
    assert report.ok, str(report)
    # a plain verify of the lines alone reports the summary and check cells it cannot match
    assert verify(path, r.evaluation).unchecked


def test_workbook_bytes_are_reproducible_with_a_fixed_timestamp(tmp_path):
    import datetime as dt
    import time

    r = hand_case().run()
    when = dt.datetime(2026, 11, 26, 9, 0, 0)
    a = r.to_excel(tmp_path / "a.xlsx", created=when)
    time.sleep(1.1)  # zip entries carry seconds: a later save must not change the bytes
    b = r.to_excel(tmp_path / "b.xlsx", created=when)
    assert a.read_bytes() == b.read_bytes()


def test_break_even_on_a_cost_finds_the_largest_affordable():
    # cash falls as other costs rise: the answer is the HIGHEST cost keeping cash >= floor
    case = hand_case(cash_floor=0)
    cost = case.break_even("staff.other_costs")
    at = case.run({"staff.other_costs": [cost]}).metrics["minimum_cash"]
    assert at == pytest.approx(0, abs=1)
    assert case.run({"staff.other_costs": [cost + 2]}).metrics["minimum_cash"] < 0


def test_debt_service_cover_by_hand():
    case = BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            Contract(annual_value=365_000),
            TwoStaff(other_costs=250_000),
            CaseFinance(opening_cash=0),
            Loan(amount=20_000, interest_rate=0.05, term_years=2),
        ],
    )
    r = case.run()
    # year 2: debt service 1,000 interest + 10,000 repayment; operating cash flow after tax =
    # receipts - payments - tax (no working capital)
    ocf = (r["operating_receipts"] - r["operating_payments"] - r["tax_paid"]).iloc[1]
    flows = (r["operating_receipts"] - r["operating_payments"] - r["tax_paid"]).to_numpy()
    # debt service: interest 1,000; 1,000 + 10,000; 500 + 10,000
    assert r["debt_service"].tolist() == pytest.approx([1_000, 11_000, 10_500])
    assert r["debt_service_cover"].iloc[1] == pytest.approx(ocf / 11_000)
    assert r["debt_service_cover"].iloc[0] == pytest.approx(flows[0] / 1_000)
    assert r.metrics["minimum_debt_service_cover"] == pytest.approx(
        min(flows[0] / 1_000, flows[1] / 11_000, flows[2] / 10_500)
    )


def test_green_book_real_npv_by_hand():
    r = hand_case().run()
    # 2026/27 onwards is beyond the deflator's data (2024): deflated at 2% a year from the
    # first year; discounted at 3.5% (Green Book, years 0-30), year 0 undiscounted
    flows = r["net_cash_flow"].to_numpy()
    expected = sum(f / (1.02**t * 1.035**t) for t, f in enumerate(flows))
    assert r.npv_green_book_real() == pytest.approx(expected, rel=1e-12)
    # the mutual's headline NPV is at its own (nominal) rate, not the Green Book real rate
    assert "npv_green_book_real" not in r.metrics


def test_charitable_form_pays_no_tax_on_primary_purpose_trading():
    from mutualfin.legal_form import LegalForm

    case = BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            Contract(annual_value=150_000),
            TwoStaff(other_costs=30_000),
            CaseFinance(opening_cash=0),
            LegalForm(form="charitable_community_benefit_society", primary_purpose_share=1.0),
        ],
    )
    r = case.run()
    assert r["surplus_before_tax"].min() > 0
    assert r["corporation_tax"].tolist() == [0, 0, 0]
    half = BusinessCase(
        mf.Timeline("2026/27", years=3),
        [
            Contract(annual_value=150_000),
            TwoStaff(other_costs=30_000),
            CaseFinance(opening_cash=0),
            LegalForm(form="charitable_community_benefit_society", primary_purpose_share=0.5),
        ],
    ).run()
    # half the surplus (64,000 / 2 = 32,000) taxed at the small profits rate, 19%
    assert half["corporation_tax"].iloc[0] == pytest.approx(0.5 * 64_000 * 0.19)


def test_metric_display_uses_the_metric_unit():
    from mutualfin.case.results import metric_text

    # formatted by the unit the statement list declares, never by the name
    assert metric_text("years_reserves_below_target", 3.0) == "3"  # a count
    assert metric_text("minimum_cash", -1234.4) == "-£1,234"
    assert metric_text("payback_years", float("nan")) == "not paid back"
    assert metric_text("surplus_margin", 0.032) == "3.2%"
    assert metric_text("minimum_debt_service_cover", 1.234) == "1.23x"
    assert metric_text("reserves_months", 1.5) == "1.5 months"


def test_every_statement_declares_what_the_model_builds():
    # the list's units and missing texts are the lines' own (one source, no disagreement)
    from mutualfin.case.statements import STATEMENTS

    r = mf.BusinessCase.from_file(os.path.join(ROOT, "models", "youth_service.toml")).run()
    for s in STATEMENTS:
        line = r.case.model.lines.get(s.name)
        if line is None:
            continue
        assert line.unit == s.unit, s.name
        assert line.section == s.section, s.name
        assert (line.missing_text or "n/a") == s.missing, s.name


def test_statements_sheet_has_titled_sections(tmp_path):
    import openpyxl

    from mutualfin.excel.writer import plan_layout

    r = hand_case().run()
    layout, _ = plan_layout(r.case.model)
    titles = [t for (sheet, _row), t in layout.sections.items() if sheet == "Statements"]
    assert titles[:3] == ["Income and expenditure", "Cash flow", "Reserves"]
    assert "Checks" in titles and "Metrics" in titles
    wb = openpyxl.load_workbook(r.to_excel(tmp_path / "s.xlsx"))
    row = next(row for (sheet, row), t in layout.sections.items() if t == "Cash flow")
    assert wb["Statements"].cell(row=row, column=1).value == "Cash flow"
