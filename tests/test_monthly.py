"""Cash month by month (issue 17): a case whose yearly figures are worked by hand, planned by
month; its monthly rows add up to the yearly figures for every line; payment in arrears moves
the trough by the amount worked out; the working-capital facility, corporation tax on its
dates, the Employment Allowance, the levy and VAT returns, each worked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.case import BusinessCase, CaseFinance
from mutualfin.components import BuildContext
from mutualfin.components.costs import Overheads, SetUp, VatLeakage
from mutualfin.components.income import Contract
from mutualfin.components.pensions import LgpsAdmission
from mutualfin.legal_form import LegalForm
from mutualfin.roster import Roster
from mutualfin.savings import AbsenceSavings
from mutualfin.workforce import StaffCosts

MODELS = Path(__file__).resolve().parent.parent / "models"


def penny(x):
    return pytest.approx(x, abs=0.005)


def roster(rows):
    """A roster from (id, scheme, fte, salary) rows, everyone 40ish with ten years' service."""
    frame = pd.DataFrame(
        [
            {
                "id": i,
                "scheme": scheme,
                "fte": fte,
                "salary": salary,
                "date_of_birth": "1985-06-01",
                "service_start": "2016-04-01",
            }
            for i, scheme, fte, salary in rows
        ]
    )
    return Roster.from_frame(frame, "2026-04-01")


#: a nurse in the NHS Pension Scheme and a half-time teacher in the Teachers' Pension Scheme
TWO = roster([("A", "NHS", 1.0, 30_000), ("B", "TPS", 0.5, 40_000)])


def hand_case(freq="monthly", lag=1, years=2, vat=False, **finance):
    """Contract £1.2m a year (2% a year from the second), support services £120,000, two
    staff; a CIC doing mostly non-public work (so the Employment Allowance applies)."""
    parts = [
        Contract(
            annual_value=1_200_000,
            indexation=0.02,
            start_date="2026-04-01",
            term_years=5,
            payment_lag_months=lag,
        ),
        Overheads(finance=120_000),
        StaffCosts(TWO),
        LegalForm(form="cic_limited_by_shares", public_work_share=0.2),
        CaseFinance(opening_cash=100_000, **finance),
    ]
    if vat:
        parts.append(VatLeakage(vatable_costs=120_000))
    return BusinessCase(mf.Timeline(2026, years=years, freq=freq), parts, name="Hand-worked")


def test_yearly_figures_by_hand_and_monthly_rows_add_up_to_them():
    """The year's figures, worked by hand, from the lines by financial year of the monthly
    plan:

    * income 1,200,000 (2026/27), 1,224,000 (2027/28: +2%);
    * pay 30,000 + 0.5 x 40,000 = 50,000; employer NI 15% x (25,000 + 15,000) = 6,000, all of
      it met by the Employment Allowance (£10,500 a year); pensions NHS 23.78% x 30,000 =
      7,134 and TPS 28.68% x 20,000 = 5,736: staff costs 50,000 + 6,000 + 12,870 - 6,000 =
      62,870;
    * surplus 1,200,000 - 62,870 - 120,000 = 1,017,130; corporation tax at 25% (over
      £250,000) 254,282.50; 2027/28: 1,041,130 and 260,282.50.
    """
    r = hand_case().run()
    year = r.annual
    assert year("total_income").round(2).tolist() == [1_200_000, 1_224_000]
    assert year("operating_costs").round(2).tolist() == [182_870, 182_870]
    assert year("surplus_before_tax").round(2).tolist() == [1_017_130, 1_041_130]
    assert year("corporation_tax").round(2).tolist() == [254_282.50, 260_282.50]
    assert year("surplus_after_tax").round(2).tolist() == [762_847.50, 780_847.50]
    assert year("reserves").round(2).tolist() == [862_847.50, 1_643_695.00]
    ev = r.evaluation
    staff = {n: ev.annual(n)[0].round(2).tolist() for n in ("staff_pay", "employer_ni")}
    assert staff == {"staff_pay": [50_000, 50_000], "employer_ni": [6_000, 6_000]}
    assert ev.annual("employment_allowance")[0].round(2).tolist() == [6_000, 6_000]
    # every line by financial year is its monthly rows summed (flows) or at the year's close
    # (balances): to the penny, for every line of the case
    model = r.case.model
    checked = 0
    for name, line in model.lines.items():
        yearly = f"{name}_annual"
        if yearly not in model.lines or line.kind not in ("flow", "balance"):
            continue
        monthly = ev.array(name)[0].reshape(2, 12)
        want = monthly.sum(axis=1) if line.kind == "flow" else monthly[:, -1]
        np.testing.assert_allclose(ev.array(yearly)[0], want, atol=0.005, err_msg=name)
        checked += 1
    assert checked >= 20  # every statement flow and balance of this case


def test_monthly_and_annual_plans_agree_where_timing_does_not_matter():
    """The same case on financial years: every figure of income and expenditure equal to the
    penny; cash differs only by the on-costs of March, paid in April (PAYE and pension
    contributions the month after): 1,072.50 (12,870 / 12) at the end of each year."""
    monthly, annual = hand_case().run(), hand_case(freq="annual").run()
    # the cash lines that pay March's on-costs in April (and the checks of cash)
    timing = {
        "creditors",
        "operating_payments",
        "cash_flow_before_financing",
        "net_cash_flow",
        "closing_cash",
    }
    compared = []
    for name, line in annual.case.model.lines.items():
        if name in timing or name not in monthly.case.model.lines:
            continue
        if line.kind not in ("flow", "balance") or line.auxiliary:
            continue
        if annual.case.model.shapes[name].entity is not None:
            continue
        got, want = monthly.annual(name).tolist(), annual.annual(name).tolist()
        assert got == [penny(v) for v in want], name
        compared.append(name)
    assert {"contract_income", "staff_pay", "employer_pension", "employment_allowance"} <= set(
        compared
    )
    assert {"total_income", "surplus_after_tax", "corporation_tax", "reserves"} <= set(compared)
    cash_m, cash_a = monthly.annual("closing_cash"), annual.annual("closing_cash")
    assert (cash_m - cash_a).tolist() == [penny(1_072.50), penny(1_072.50)]
    assert monthly.annual("creditors").tolist() == [penny(1_072.50)] * 2
    # 100,000 + 11 months' receipts of 100,000 - pay 50,000 - 11 months' pensions of 1,072.50
    # - support services 120,000 (tax of 2026/27 is paid on 1 January 2028)
    assert cash_m.iloc[0] == penny(1_018_202.50)


def outlay_case(freq):
    """The hand-worked case with an outlay to earn a return on: £1.8m of set-up before
    go-live (booked in the first period) and a sickness-absence saving ramped over a year."""
    base = hand_case(freq=freq)
    parts = [
        *base.components.values(),
        SetUp(pre_go_live=1_800_000),
        AbsenceSavings(
            fte=1.5,
            days_lost_before=10,
            days_lost_after=4,
            ramp_years=1,
            annual_pay=22_500,
            working_days=225,
            backfill_share=1.0,
        ),
    ]
    return BusinessCase(base.timeline, parts, name="Hand-worked, with an outlay")


def test_irr_npv_and_payback_by_year_and_by_month_agree_but_for_marchs_on_costs():
    """The rule: a case's IRR, NPV and paybacks are worked on its cash flows **by financial
    year** (the months summed into their year, as the "Statements by year" sheet does with
    SUMIF, and its IRR and NPV formulas read that row), each year's flow at the year end,
    however the case is planned. So the same cash in each year gives the same figures, and
    the only way a plan by month moves them is cash that crosses a 31 March.

    The case by year, worked by hand (pay 50,000, pensions 12,870, NI 6,000 met by the
    Employment Allowance, support services 120,000, set-up 1,800,000; absence cover before
    1.5 FTE x 10 days x £100 = 1,500 a year, the saving of 6 days half of 1.5 x 6 x 100 = 900
    in the first year, as its ramp builds from 0 to 1, then 900):

    * 2026/27: receipts 11 x 100,000 (paid a month in arrears) = 1,100,000 less 50,000,
      12,870, 120,000, 1,800,000 and 1,500 - 450: -883,920;
    * 2027/28: receipts 100,000 + 11 x 102,000 = 1,222,000 less 50,000, 12,870, 120,000 and
      1,500 - 900: 1,038,530 (the year's tax, on 1,040,530 less the loss of 783,920 brought
      forward, is due on 1 January 2029, after the horizon).

    By month every line of income and expenditure is the same by year (the ramp's months
    add up to the year's half: 25 (2m - 1) / 16 in month m, 450 in all), and cash differs
    by one thing: March's pension contributions, 12,870 / 12 = 1,072.50, are paid in April,
    so the first year's outlay is 1,072.50 smaller (the second year pays last March's and
    owes this March's, the same). With two flows the IRR is the ratio of the second to the
    first, less 1: 1,038,530 / 883,920 - 1 = 17.49% by year and 1,038,530 / 882,847.50 - 1 =
    17.63% by month; the NPVs differ by 1,072.50 / 1.035 = 1,036.23 (the mutual's 3.5%).
    """
    by_month, by_year = outlay_case("monthly").run(), outlay_case("annual").run()
    year_flows = [-883_920.00, 1_038_530.00]
    march = 12_870 / 12
    month_flows = [year_flows[0] + march, year_flows[1]]
    assert by_year.annual("cash_flow_before_financing").tolist() == [penny(v) for v in year_flows]
    assert by_month.annual("cash_flow_before_financing").tolist() == [penny(v) for v in month_flows]
    for name in ("total_income", "net_operating_costs", "one_off_costs", "surplus_after_tax"):
        got, want = by_month.annual(name).tolist(), by_year.annual(name).tolist()
        assert got == [penny(v) for v in want], name
    assert by_month.annual("absence_saving").tolist() == [penny(450), penny(900)]
    # the rates, from the flows alone (two flows: the root of -a + b / (1 + r) is b / a - 1)
    irr_year = year_flows[1] / -year_flows[0] - 1
    irr_month = month_flows[1] / -month_flows[0] - 1
    assert irr_year == pytest.approx(0.174914, abs=1e-6)
    assert irr_month == pytest.approx(0.176341, abs=1e-6)
    assert by_year.metrics["irr_before_financing"] == pytest.approx(irr_year, abs=1e-9)
    assert by_month.metrics["irr_before_financing"] == pytest.approx(irr_month, abs=1e-9)
    assert by_month.metric_text("irr_before_financing") == "17.6%"
    assert by_year.metric_text("irr_before_financing") == "17.5%"
    # NPV at 3.5%, each year's flow discounted from its year end (Excel's NPV)
    npv = {k: f[0] / 1.035 + f[1] / 1.035**2 for k, f in (("y", year_flows), ("m", month_flows))}
    assert by_year.metrics["npv_before_financing"] == penny(npv["y"])
    assert by_month.metrics["npv_before_financing"] == penny(npv["m"])
    assert npv["m"] - npv["y"] == penny(march / 1.035) == penny(1_036.23)
    # payback in years (not months): 1 + the first year's outlay over the second's inflow
    assert by_year.metrics["payback_years"] == pytest.approx(1 + 883_920 / 1_038_530)
    assert by_month.metrics["payback_years"] == pytest.approx(1 + 882_847.50 / 1_038_530)
    # the workbook's IRR reads the same yearly row: two columns on "Statements by year"
    from mutualfin.workbook.writer import plan_layout

    layout, _ = plan_layout(by_month.case.model)
    sheet, _row = layout.lines["irr_before_financing"]
    flows_sheet, _ = layout.lines["cash_flow_before_financing_annual"]
    assert sheet == flows_sheet == "Statements by year"


def test_learning_disability_irr_by_month_and_by_year_differ_by_cash_crossing_31_march():
    """The shipped learning-disability case planned by month (its first 24 months) and
    the same case file planned by year. Income and expenditure agree line by line but for
    the finance costs: the loan of 400,000 is repaid monthly from May 2026 (by year, from
    2027/28), and the facility's interest falls in 2026 (the plan by year sees no trough),
    so the surplus before tax differs by what those cost, and corporation tax by 25% of it
    while profits are above £250,000 (to 2028/29) and by 26.5% in the marginal relief band
    (2029/30 and 2030/31, both plans: 25% less 3/200 of £250,000 less the profit).

    Cash before financing differs by cash that crosses a 31 March (the IRR and NPV of
    both are on the flows by financial year, see the test above):

    ==============================================================  ===========  ===========
    cash flow before financing                                       2026/27      2027/28
    ==============================================================  ===========  ===========
    planned by year                                                 -294,685.27   240,250.52
    March's on-costs and LGPS contributions, paid in April (by        +132,408.52     +6,124.05
    year, paid in the year): 57,851.09 + 74,557.43 (as April's,
    pay being flat in 2026/27); then March 2028's after a 4%
    award, less March 2027's
    other creditors: by year, 30 days of the year's costs, set-up        -16,955.96    +14,730.02
    included (most of it falls in April by month); by month,
    30 days of March's
    VAT: input VAT reclaimed with each quarter's return, two months      -3,375.00       +537.00
    later (by year, no VAT cash): the March quarter's 3 x 1,125
    reclaimed in May, then last year's reclaimed less this year's
    corporation tax paid in 2027/28 on the surplus by month, 25% of            .         -264.25
    its finance costs 1,056.98 lower
    planned by month                                                -182,607.71   261,377.36
    ==============================================================  ===========  ===========

    Nearly all of it is March's on-costs: by month the first year's outlay is 112,077.56
    smaller, and since the outlay is small beside what follows, the IRR is 121.8% by month
    against 58.8% by year. Adding each year's timing effect (read from the case's lines by
    year: on-costs owed, the other creditors, VAT; the tax on the finance costs worked
    independently at its marginal rate) to the flows by year gives the flows by month, and
    their IRR.
    """
    path = MODELS / "learning_disability_coop.toml"
    by_month = mf.BusinessCase.from_file(path).run()
    case = mf.BusinessCase.from_file(path)
    yearly = mf.Timeline(case.timeline.start, years=case.timeline.years)
    by_year = BusinessCase(yearly, list(case.components.values()), name=case.name).run()
    m, y = by_month.annual, by_year.annual
    # income and expenditure: the same but for finance costs and the tax on them
    for name in ("total_income", "operating_costs", "savings", "one_off_costs"):
        assert m(name).tolist() == [penny(v) for v in y(name).tolist()], name
    finance = (m("finance_costs") - y("finance_costs")).to_numpy()
    assert finance.round(2).tolist() == [-1_056.98, -8_937.50, -5_958.33, -5_958.33, -5_958.33]
    tax = (m("corporation_tax") - y("corporation_tax")).to_numpy()
    marginal = np.array([0.25, 0.25, 0.25, 0.25 + 3 / 200, 0.25 + 3 / 200])
    np.testing.assert_allclose(tax, -marginal * finance, atol=0.005)
    # cash before financing, year by year
    flows_y = y("cash_flow_before_financing").to_numpy()
    flows_m = m("cash_flow_before_financing").to_numpy()
    assert flows_y[:2].round(2).tolist() == [-294_685.27, 240_250.52]
    assert flows_m[:2].round(2).tolist() == [-182_607.71, 261_377.36]
    on_costs = m("staff_oncosts_paid_owed") + m("lgps_contributions_paid_owed")
    assert on_costs.iloc[0] == penny(57_851.09 + 74_557.43)  # April's, worked by hand
    other = (m("creditors") - on_costs) - y("creditors")
    vat = m("vat_cash_flow")
    tax_paid = np.concatenate([[0.0], -(marginal * finance)[:-1]])  # paid the year after
    change = lambda s: np.diff(np.concatenate([[0.0], np.asarray(s, dtype=float)]))  # noqa: E731
    timing = change(on_costs) + change(other) + vat.to_numpy() - tax_paid
    assert timing[:2].tolist() == [
        pytest.approx(132_408.52 - 16_955.96 - 3_375.00, abs=0.02),  # each rounded to a penny
        pytest.approx(6_124.05 + 14_730.02 + 537.00 - 264.25, abs=0.02),
    ]
    np.testing.assert_allclose(flows_y + timing, flows_m, atol=0.02)
    irr = mf.finance.irr(flows_y + timing)
    assert irr == pytest.approx(by_month.metrics["irr_before_financing"], abs=1e-6)
    assert by_month.metric_text("irr_before_financing") == "121.8%"
    assert by_year.metric_text("irr_before_financing") == "58.8%"


def test_payment_in_arrears_moves_the_trough_by_a_month_of_income():
    """Opening cash 100,000; each month pay 4,166.67 and support services 10,000 go out in
    the month, the pension contributions of 1,072.50 the month after. Paid in advance, April
    ends at 100,000 + 100,000 - 14,166.67 = 185,833.33 and cash rises from there; paid a
    month in arrears, April has no receipt: 85,833.33, lower by one month's income."""
    advance = hand_case(lag=0).run()
    arrears = hand_case(lag=1).run()
    assert advance.metrics["minimum_cash"] == penny(185_833.33)
    assert arrears.metrics["minimum_cash"] == penny(85_833.33)
    assert advance.metrics["minimum_cash"] - arrears.metrics["minimum_cash"] == penny(100_000)
    assert arrears.metrics["minimum_cash_period"] == "Apr 2026"
    assert arrears.metric_text("minimum_cash_date") == "01/04/2026"
    cash = arrears.monthly_cash
    assert cash["closing cash"].iloc[:2].round(2).tolist() == [85_833.33, 170_594.17]


def test_corporation_tax_charged_at_the_year_end_and_paid_nine_months_and_a_day_later():
    r = hand_case().run()
    tax, paid = r["corporation_tax"], r["tax_paid"]
    assert tax.iloc[11] == penny(254_282.50) and tax.drop(tax.index[[11, 23]]).abs().max() == 0
    # 2026/27's tax is due on 1 January 2028 (TMA 1970 s.59D), the month labelled Jan 2028
    assert paid["Jan 2028"] == penny(254_282.50)
    assert paid.drop("Jan 2028").abs().max() == 0


def test_a_large_company_pays_instalments_after_a_large_year():
    """Profits over £1.5m (2026/27 to 2028/29 at 25%): 2026/27 is a first large year, so its
    tax falls due on 1 January 2028 (reg.3); 2027/28 pays instalments on 14 October and 14
    January of a quarter of last year's tax each (an estimate), and the rest of its tax half on
    14 April and half on 14 July 2028."""
    case = BusinessCase(
        mf.Timeline(2026, years=3, freq="monthly"),
        [
            Contract(
                annual_value=3_000_000, start_date="2026-04-01", term_years=5, payment_lag_months=0
            ),
            Overheads(finance=600_000),
            LegalForm(form="cic_limited_by_shares", public_work_share=0.2),
        ],
    )
    r = case.run()
    # surplus 2,400,000 a year; tax 25% = 600,000 a year
    assert r.annual("corporation_tax").round(2).tolist() == [600_000] * 3
    paid = r["tax_paid"]
    assert paid["Oct 2027"] == penny(150_000)
    assert paid["Jan 2028"] == penny(600_000 + 150_000)  # 2026/27's tax and an instalment
    # 2027/28's tax less its instalments (300,000) in April and July 2028, half each
    assert paid["Apr 2028"] == penny(150_000) and paid["Jul 2028"] == penny(150_000)
    assert paid["Oct 2028"] == penny(150_000) and paid["Jan 2029"] == penny(150_000)
    assert paid.sum() == penny(600_000 + 600_000 + 300_000)
    assert r.checks["ok"].all()


def test_facility_drawn_to_the_floor_and_repaid_by_hand():
    """Costs of 100,000 a month paid in the month; the council pays 120,000 a month in
    arrears; no opening cash; a facility at 12% a year, interest on the balance at the start
    of each month:

    ==========  ============  ===========  ==========  ===========
    month       interest      before       repaid      balance
    ==========  ============  ===========  ==========  ===========
    Apr         0             -100,000     (drawn)     100,000
    May         1,000         19,000       19,000      81,000
    Jun         810           19,190       19,190      61,810
    Jul         618.10        19,381.90    19,381.90   42,428.10
    Aug         424.28        19,575.72    19,575.72   22,852.38
    Sep         228.52        19,771.48    19,771.48   3,080.90
    Oct         30.81         19,969.19    3,080.90    0
    ==========  ============  ===========  ==========  ===========
    """
    parts = [
        Contract(
            annual_value=1_440_000, start_date="2026-04-01", term_years=5, payment_lag_months=1
        ),
        Overheads(finance=1_200_000),
        mf.Facility(interest_rate=0.12),
    ]
    r = BusinessCase(mf.Timeline(2026, years=1, freq="monthly"), parts).run()
    balance = r["facility_balance"].iloc[:7].round(2).tolist()
    assert balance == [100_000, 81_000, 61_810, 42_428.10, 22_852.38, 3_080.90, 0]
    assert r["facility_interest"].iloc[:3].round(2).tolist() == [0, 1_000, 810]
    assert r["closing_cash"].iloc[:6].round(2).tolist() == [0] * 6
    assert r["closing_cash"].iloc[6] == penny(16_888.29)
    m = r.metrics
    assert m["facility_peak"] == penny(100_000)
    assert m["facility_months_used"] == 6
    assert m["facility_largest_shortfall"] == 0
    assert m["minimum_cash"] == 0 and r.findings == []
    assert r.checks["ok"].all()


def test_a_facility_too_small_is_reported():
    """With a limit of 80,000: April draws it all and cash ends 20,000 below the floor; May's
    interest of 800 then takes cash 800 below it, with nothing left to draw."""
    parts = [
        Contract(
            annual_value=1_440_000, start_date="2026-04-01", term_years=5, payment_lag_months=1
        ),
        Overheads(finance=1_200_000),
        mf.Facility(interest_rate=0.12, limit=80_000),
    ]
    r = BusinessCase(mf.Timeline(2026, years=1, freq="monthly"), parts).run()
    assert r["facility_shortfall"].iloc[:2].round(2).tolist() == [20_000, 800]
    assert r["closing_cash"].iloc[:2].round(2).tolist() == [-20_000, -800]
    assert r.metrics["facility_largest_shortfall"] == penny(20_000)
    assert "not enough" in r.findings[0] and "Apr 2026" in r.findings[0]
    assert r.metric_text("facility_peak") == "£80,000"


def test_employment_allowance_used_from_the_first_months_until_exhausted():
    """One employee on £105,000: employer NI 15% x (105,000 - 5,000) = 15,000 a year, 1,250 a
    month; the £10,500 allowance covers April to November (8 x 1,250 = 10,000) and 500 of
    December, then nothing until the next April."""
    staff = StaffCosts(roster([("X", "NHS", 1.0, 105_000)]))
    form = LegalForm(form="cic_limited_by_shares", public_work_share=0.2)
    tl = mf.Timeline(2026, years=2, freq="monthly")
    ctx = BuildContext(tl, staff, others={"legal_form": form})
    ev = mf.Model(tl, staff.build(ctx)).evaluate()
    ea = ev["employment_allowance"].round(2).tolist()
    assert ea[:12] == [1_250] * 8 + [500, 0, 0, 0]
    assert ea[12:] == ea[:12]  # the allowance restarts each year
    assert ev["employer_ni"].round(2).tolist() == [1_250] * 24


def test_levy_allowance_accumulates_month_by_month():
    """48 staff on £100,000: paybill 400,000 a month; levy 0.5% x 400,000 - 1,250 allowance =
    750 a month, 9,000 a year (0.5% x 4.8m - 15,000)."""
    staff = StaffCosts(roster([(f"E{k}", "NHS", 1.0, 100_000) for k in range(48)]))
    tl = mf.Timeline(2026, years=1, freq="monthly")
    ev = mf.Model(tl, staff.build(BuildContext(tl, staff))).evaluate()
    assert ev["apprenticeship_levy"].round(2).tolist() == [750] * 12


def test_pay_award_takes_effect_in_its_month():
    """A 4% award in July: pay 2,500 a month to June 2027, 2,600 from July 2027."""
    staff = StaffCosts(
        roster([("A", "NHS", 1.0, 30_000)]), pay_award=[0.0, 0.04], pay_award_month=7
    )
    tl = mf.Timeline(2026, years=2, freq="monthly")
    ev = mf.Model(tl, staff.build(BuildContext(tl, staff))).evaluate()
    pay = ev["staff_pay"].round(2).tolist()
    assert pay[:15] == [2_500] * 15 and pay[15:] == [2_600] * 9
    same = StaffCosts(roster([("A", "NHS", 1.0, 30_000)]), pay_award=0.04, pay_award_month=7)
    ev2 = mf.Model(tl, same.build(BuildContext(tl, same))).evaluate()
    assert ev2["staff_pay"].round(2).tolist() == pay


def test_vat_returns_quarterly_one_month_and_seven_days_after():
    """A standard-rated contract of 100,000 a month, paid a month in arrears: output VAT
    20,000 a month; VAT on inputs 20% x 10,000 = 2,000 a month, all reclaimable: 18,000 a
    month owed to HMRC; April-June's 54,000 paid in August (due 7 August)."""
    r = hand_case(vat=True).run()
    ret = r["vat_return"].round(2)
    assert ret["Aug 2026"] == 54_000 and ret["Nov 2026"] == 54_000
    assert ret.drop(["Aug 2026", "Nov 2026", "Feb 2027", "May 2027", "Aug 2027", "Nov 2027",
                     "Feb 2028"]).abs().max() == 0  # fmt: skip
    cash = r["vat_cash"].round(2).tolist()
    assert cash[:5] == [-2_000, 18_000, 18_000, 18_000, 20_000 - 2_000 - 54_000]
    assert r.checks["ok"].all()


@pytest.mark.libreoffice
def test_monthly_case_verifies_in_libreoffice(tmp_path, soffice):
    r = hand_case(vat=True).run()
    path = r.to_excel(tmp_path / "monthly.xlsx")
    report = r.verify(path)
    assert report.ok, report
    import openpyxl

    book = openpyxl.load_workbook(path)
    assert "Statements by year" in book.sheetnames
    years = book["Statements by year"]
    names = [years.cell(row=k, column=1).value for k in range(1, years.max_row + 1)]
    row = names.index("closing_cash_annual") + 1
    assert years.cell(row=row, column=6).value.startswith("=SUMIF(Timeline!")


def test_loan_drawn_in_its_month_and_repaid_month_by_month():
    """120,000 at 6% a year over one year, drawn in April 2026 (period 0): interest 0.5% a
    month on the balance before the month's repayment (600 in April, on the amount drawn);
    10,000 repaid a month from May; the last 10,000 in April 2027. Interest in all: 600 +
    0.5% x (120,000 + 110,000 + ... + 10,000) = 600 + 0.5% x 780,000 = 4,500."""
    loan = mf.Loan(amount=120_000, interest_rate=0.06, term_years=1)
    tl = mf.Timeline(2026, years=2, freq="monthly")
    ev = mf.Model(tl, loan.build(BuildContext(tl, loan))).evaluate()
    assert ev["loan_drawdown"].round(2).tolist() == [120_000] + [0] * 23
    assert ev["loan_repayment"].round(2).tolist() == [0] + [10_000] * 12 + [0] * 11
    assert ev["loan_balance"].iloc[[0, 1, 11, 12]].round(2).tolist() == [
        120_000,
        110_000,
        10_000,
        0,
    ]
    interest = ev["loan_interest"].round(2).tolist()
    assert interest[:4] == [600, 600, 550, 500] and interest[12] == 50 and interest[13:] == [0] * 11
    assert sum(interest) == penny(4_500)


def test_loan_on_months_then_years_is_repaid_in_full():
    """The learning-disability case's loan: 400,000 over 4 years, drawn in April 2026, on 24
    months then 3 years: 400,000 / 48 = 8,333.33 a month from May 2026 (23 months to March
    2028: 191,666.67), then 100,000 in 2028/29 and 2029/30 and the last 8,333.33 in
    2030/31."""
    loan = mf.Loan(amount=400_000, interest_rate=0.065, term_years=4)
    tl = mf.Timeline(2026, years=5, freq="monthly", monthly_years=2)
    ev = mf.Model(tl, loan.build(BuildContext(tl, loan))).evaluate()
    paid = ev["loan_repayment"]
    assert paid.iloc[1] == penny(8_333.33) and paid.iloc[:24].sum() == penny(191_666.67)
    assert paid.iloc[24:].round(2).tolist() == [100_000, 100_000, 8_333.33]
    assert paid.sum() == penny(400_000) and ev["loan_balance"].iloc[-1] == penny(0)
    # interest in a year's period is a year's on the balance at its start: 6.5% x 208,333.33
    assert ev["loan_interest"].iloc[24] == penny(0.065 * 208_333.33)


def test_grants_received_on_their_date_in_their_month():
    """A transition grant on 1 April 2026 and a programme award on 15 September 2026: each in
    the month containing its date, received in that month (not after debtor days)."""
    grants = mf.income.Grants(
        grants=[
            {"name": "Transition", "amount": 200_000, "date": "2026-04-01"},
            {"name": "Programme", "amount": 50_000, "date": "2026-09-15"},
        ]
    )
    tl = mf.Timeline(2026, years=1, freq="monthly")
    ev = mf.Model(tl, grants.build(BuildContext(tl, grants))).evaluate()
    want = [200_000, 0, 0, 0, 0, 50_000, 0, 0, 0, 0, 0, 0]
    assert ev["grant_income"].round(2).tolist() == want
    assert ev["grant_receipts"].round(2).tolist() == want


def test_transfer_costs_in_their_months():
    """Harmonisation of 60,000 in the first year and 30,000 in the second: 5,000 a month, then
    2,500; pay protection of 12,000 a year for 1.5 years: 1,000 a month for 18 months;
    statutory redundancy of the nurse made redundant on 30 September 2026, in September: 10
    complete years of service, none of them worked wholly at 41 or over (41 in June 2026), so
    a week's pay for each: 10 x 30,000 / 52 = 5,769.23 (ERA 1996 s.162)."""
    transfer = mf.workforce.TransferCosts(
        TWO,
        harmonisation_cost=[60_000, 30_000],
        pay_protection_amount=12_000,
        pay_protection_years=1.5,
        redundant=["A"],
        redundancy_date="2026-09-30",
    )
    tl = mf.Timeline(2026, years=2, freq="monthly")
    ev = mf.Model(tl, transfer.build(BuildContext(tl, transfer))).evaluate()
    assert ev["harmonisation"].round(2).tolist() == [5_000] * 12 + [2_500] * 12
    assert ev["pay_protection"].round(2).tolist() == [1_000] * 18 + [0] * 6
    redundancy = ev["statutory_redundancy"]
    assert redundancy["Sep 2026"] == penny(10 * 30_000 / 52)
    assert redundancy.drop("Sep 2026").abs().max() == 0


def test_lgps_by_month_and_its_valuation_by_year():
    """Two LGPS members (36,000, and half-time on 24,000): pensionable pay 48,000 a year,
    4,000 a month; contributions at an 18% primary rate 720 a month (8,640 a year), paid to
    the fund the month after. The valuation is a year-end one: by financial year, each of its
    figures equal to the same case planned by year, to the penny."""
    people = roster([("A", "LGPS", 1.0, 36_000), ("B", "LGPS", 0.5, 24_000)])

    def run(freq):
        parts = [
            Contract(annual_value=500_000, start_date="2026-04-01", term_years=3),
            StaffCosts(people),
            LgpsAdmission(people, primary_rate=0.18, contract_years=3),
            CaseFinance(),
        ]
        tl = mf.Timeline(2026, years=3, freq=freq)
        return BusinessCase(tl, parts, entities=people.entities).run()

    monthly, annual = run("monthly"), run("annual")
    assert monthly["lgps_pensionable_pay"].iloc[:12].round(2).tolist() == [4_000] * 12
    assert monthly["lgps_contributions_mutual"].iloc[:12].round(2).tolist() == [720] * 12
    assert monthly["lgps_contributions_paid"].iloc[:3].round(2).tolist() == [0, 720, 720]
    assert monthly.annual("lgps_contributions_mutual").round(2).tolist() == [8_640] * 3
    compared = []
    for name, line in annual.case.model.lines.items():
        if not name.startswith(("lgps_", "care_pension")) or line.kind not in ("flow", "balance"):
            continue
        if annual.case.model.shapes[name].entity is not None:
            continue
        got, want = monthly.annual(name).tolist(), annual.annual(name).tolist()
        assert got == [penny(v) for v in want], name
        compared.append(name)
    assert {"care_pension", "lgps_liability_ongoing", "lgps_assets", "lgps_exit_position"} <= set(
        compared
    )


@pytest.mark.libreoffice
def test_learning_disability_pack_verifies_and_its_monthly_sheets_are_compared(soffice, tmp_path):
    """The publication pack of the case planned by month verifies (every formula cell equal
    to Python, its structure as written), and the structure comparison covers the sheets a
    plan by month adds: a figure typed over a formula on "Council budget by period", on
    "Statements by year" and in the Summary's cash by month recalculates to nothing wrong,
    yet each is named."""
    import openpyxl

    from mutualfin.analysis.council import BY_PERIOD_SHEET
    from mutualfin.workbook.summary import CASH_COL

    case = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml")
    results = case.run()
    path = results.to_excel(tmp_path / "ld.xlsx", store_values=False)
    report = results.verify(path, excel_rules=False)
    assert report.ok, str(report)
    assert report.structure_checked > 10_000
    wb = openpyxl.load_workbook(path)
    assert wb["Statements by year"].sheet_state == "visible"  # the cabinet's statements
    assert wb[BY_PERIOD_SHEET].sheet_state == "hidden"  # a working sheet of the pack
    assert wb["Statements"].sheet_state == "hidden"  # 27 months: no page prints it legibly
    typed = []
    for sheet in (BY_PERIOD_SHEET, "Statements by year"):
        ws = wb[sheet]
        cell = next(
            c for row in ws.iter_rows(min_row=8) for c in row if str(c.value).startswith("=")
        )
        cell.value = 0  # what the formula gives, perhaps: only the structure can tell
        typed.append(f"{sheet}!{cell.coordinate}")
    ws = wb["Summary"]
    cash = next(
        ws.cell(row=r, column=CASH_COL + 1)
        for r in range(1, 60)
        if ws.cell(row=r, column=CASH_COL).value == "May 2026"
    )
    cash.value = 0  # May 2026's closing cash, held at the floor: the very figure
    typed.append(f"Summary!{cash.coordinate}")
    wb.save(tmp_path / "typed.xlsx")
    text = str(results.verify(tmp_path / "typed.xlsx", excel_rules=False))
    for where in typed:
        assert f"{where}: expected formula =" in text, (where, text[:2000])


@pytest.mark.libreoffice
def test_a_period_starting_exactly_at_a_boundary_is_past_it_in_every_engine(tmp_path, soffice):
    """The youth case planned by month for all 60 months: its pay protection (2 years) ran
    a month longer under Excel's rules (one-off costs of £1,666.67 in Apr 2028), because the
    Timeline's years elapsed, kept to 15 digits in the saved workbook, made 2.08333333333333
    less 0.0833333333333333 fall short of 2; LibreOffice compares within rounding and Python
    had the exact figures, so only the second engine saw it (274 engine-dependent cells)."""
    from .casefiles import edited_case

    path = edited_case("youth_service", tmp_path, lambda t: t.replace("monthly_years = 2\n", "", 1))
    case = BusinessCase.from_file(path)
    assert case.timeline.n == 60
    results = case.run()
    protection = results["pay_protection"]
    assert protection.sum() == pytest.approx(40_000) and protection["Apr 2028"] == 0
    report = results.verify(results.to_excel(tmp_path / "sixty.xlsx"))
    assert report.ok and not report.engine_dependent, report
