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
