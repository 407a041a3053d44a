"""Cash month by month (issue 17): a case whose yearly figures are worked by hand, planned by
month; its monthly rows add up to the yearly figures for every line; payment in arrears moves
the trough by the amount worked out; the working-capital facility, corporation tax on its
dates, the Employment Allowance, the levy and VAT returns, each worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mutualfin as mf
from mutualfin.case import BusinessCase, CaseFinance
from mutualfin.components import BuildContext
from mutualfin.components.costs import Overheads, VatLeakage
from mutualfin.components.income import Contract
from mutualfin.components.pensions import LgpsAdmission
from mutualfin.legal_form import LegalForm
from mutualfin.roster import Roster
from mutualfin.workforce import StaffCosts


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
