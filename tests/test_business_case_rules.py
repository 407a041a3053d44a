"""The business-case rules a section 151 officer checks (issue 15), each by hand on a small
case: who bears pension costs under each risk-sharing term, what an exit costs and when,
staff who leave, cash and non-cash savings, VAT status from the legal form."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mutualfin as mf
from mutualfin.case import BusinessCase, CaseFinance
from mutualfin.errors import CaseFileError, InputError
from mutualfin.income import Contract
from mutualfin.legal_form import LegalForm
from mutualfin.pensions import LgpsAdmission
from mutualfin.roster import Roster
from mutualfin.savings import TurnoverSavings
from mutualfin.workforce import StaffCosts, TransferCosts

from .casefiles import MODELS

SMALL = Roster.from_csv(Path(__file__).parent / "data" / "roster_small.csv", "2026-04-01")
TL = mf.Timeline("2026/27", years=3)


def case(*extra, lgps=None, transfer=None, form="cic_limited_by_shares", **contract):
    parts = [
        Contract(
            annual_value=contract.pop("annual_value", 400_000),
            start_date="2026-04-01",
            term_years=3,
            **contract,
        ),
        StaffCosts(SMALL),
        lgps or LgpsAdmission(SMALL, primary_rate=0.16, contract_years=3),
        CaseFinance(opening_cash=50_000),
        LegalForm(form=form),
        *extra,
    ]
    if transfer is not None:
        parts.append(transfer)
    return BusinessCase(TL, parts, entities=SMALL.entities)


def test_the_mutuals_lgps_contributions_are_in_its_operating_costs():
    r = case().run()
    # LGPS members' pay 2026/27: E001 24,500 + E002 12,250 + E003 45,000 = 81,750 at 16%
    assert r["lgps_pensionable_pay"].iloc[0] == pytest.approx(81_750)
    assert r["lgps_contributions_mutual"].iloc[0] == pytest.approx(13_080)
    staff = r["staff_costs"].iloc[0]
    assert r["operating_costs"].iloc[0] == pytest.approx(staff + 13_080)


def test_risk_sharing_moves_the_mutuals_cash_or_the_councils_costs():
    """Full risk: a higher rate is the mutual's cost. Pass-through at a fixed rate: the
    mutual's costs stay put and the council tops up the difference."""
    full = case(lgps=LgpsAdmission(SMALL, primary_rate=0.16, contract_years=3)).run()
    full_dear = case(lgps=LgpsAdmission(SMALL, primary_rate=0.20, contract_years=3)).run()
    # 4% more of 81,750 in year 1: 3,270 less surplus before tax, and less cash
    gap = full["surplus_before_tax"].iloc[0] - full_dear["surplus_before_tax"].iloc[0]
    assert gap == pytest.approx(3_270)
    assert full_dear["closing_cash"].iloc[-1] < full["closing_cash"].iloc[-1]

    def through(rate):
        return LgpsAdmission(
            SMALL,
            risk_sharing="pass_through",
            fixed_rate=0.16,
            primary_rate=rate,
            contract_years=3,
        )

    cheap, dear = case(lgps=through(0.16)).run(), case(lgps=through(0.20)).run()
    assert dear["surplus_after_tax"].tolist() == cheap["surplus_after_tax"].tolist()
    assert dear["closing_cash"].tolist() == cheap["closing_cash"].tolist()
    # the council tops up 4% of pay: 3,270 in year 1, a council cost the appraisal counts
    assert dear["lgps_contributions_council"].iloc[0] == pytest.approx(3_270)
    assert dear["council_costs_retained"].iloc[0] == pytest.approx(3_270)
    assert cheap["council_costs_retained"].iloc[0] == pytest.approx(0)


def exit_case(treatment, **more):
    inputs = {"exit_multiple": 1.2, **more}
    lgps = LgpsAdmission(
        SMALL,
        primary_rate=0.16,
        contract_years=2,
        exit_basis="multiple",
        exit_treatment=treatment,
        spread_years=3,
        **inputs,
    )
    return case(lgps=lgps).run()


def test_exit_payment_spread_deferred_and_subsumed_by_hand():
    paid = exit_case("payment")
    # the exit is at the end of year 2: the exit basis is 1.2 x the ongoing liability
    exit_liability = 1.2 * paid["lgps_liability_ongoing"].iloc[1]
    debt = exit_liability - paid["lgps_assets"].iloc[1]
    assert debt > 0
    assert paid["lgps_exit_payment"].tolist() == pytest.approx([0, debt, 0])
    assert paid["one_off_costs"].iloc[1] == pytest.approx(debt)  # in the mutual's I&E
    # spread (LGPS Regulations 2013 reg.64B): a third a year from the exit year
    spread = exit_case("spread")
    assert spread["lgps_exit_payment"].tolist() == pytest.approx([0, debt / 3, debt / 3])
    # deferred debt (reg.64(7A)): the ongoing-basis deficit, spread the same way
    deferred = exit_case("deferred")
    ongoing = max(deferred["lgps_liability_ongoing"].iloc[1] - deferred["lgps_assets"].iloc[1], 0)
    assert deferred["lgps_exit_payment"].tolist() == pytest.approx([0, ongoing / 3, ongoing / 3])
    # subsumed by the council: the mutual pays nothing; the council takes on the
    # ongoing-basis deficit, a council cost
    subsumed = exit_case("subsumed")
    assert "lgps_exit_payment" not in subsumed.evaluation
    assert subsumed["lgps_subsumed_deficit_council"].tolist() == pytest.approx([0, ongoing, 0])


def test_an_exit_credit_counts_only_as_far_as_the_case_says():
    """reg.64(2ZAB): the fund decides a credit; by default none is banked."""
    rich = {"exit_multiple": 0.8}
    none = exit_case("payment", **rich)
    surplus = none["lgps_assets"].iloc[1] - 0.8 * none["lgps_liability_ongoing"].iloc[1]
    assert surplus > 0 and none["lgps_exit_credit"].tolist() == [0, 0, 0]
    half = exit_case("payment", exit_credit_share=0.5, **rich)
    assert half["lgps_exit_credit"].tolist() == pytest.approx([0, surplus / 2, 0])
    # a credit is income of the mutual in the exit year
    assert half["total_income"].iloc[1] - none["total_income"].iloc[1] == pytest.approx(surplus / 2)


def test_staff_who_leave_leave_the_paybill_and_the_council_pays_those_it_keeps():
    transfer = TransferCosts(
        SMALL,
        redundant=["E001"],
        redundancy_date="2027-04-01",
        not_transferred=["E004"],
        not_transferred_years=3,
        not_transferred_oncost_rate=0.3,
    )
    everyone = case().run()
    r = case(transfer=transfer).run()
    pay = r["pay_employee"]
    # E004 never joins the mutual; E001 works 2026/27 and leaves on 1 April 2027
    assert pay.loc["E004"].tolist() == [0, 0, 0]
    assert pay.loc["E001"].tolist() == pytest.approx([24_500, 0, 0])
    assert r["staff_pay"].iloc[0] == pytest.approx(everyone["staff_pay"].iloc[0] - 32_000)
    # and E001 stops accruing LGPS pension in the mutual
    assert r["lgps_pensionable_pay_employee"].loc["E001"].tolist() == pytest.approx([24_500, 0, 0])
    # E004 stays with the council: 32,000 x 1.3 a year, a council cost, not the mutual's
    assert r["staff_not_transferred_cost"].tolist() == pytest.approx([41_600] * 3)
    assert r["council_costs_retained"].tolist() == pytest.approx([41_600] * 3)
    assert r["operating_costs"].iloc[0] < everyone["operating_costs"].iloc[0]


def test_non_cashable_benefits_are_never_in_the_surplus():
    def with_turnover(lost_output):
        turnover = TurnoverSavings(
            fte=10, turnover_before=0.2, turnover_after=0.1, lost_output_per_leaver=lost_output
        )
        return case(turnover).run()

    low, high = with_turnover(10_000), with_turnover(50_000)
    assert low["surplus_after_tax"].tolist() == high["surplus_after_tax"].tolist()
    # 10 x 0.1 = 1 leaver avoided a year: 10,000 then 50,000 of output, not cash
    assert low["non_cashable_benefits"].tolist() == pytest.approx([10_000] * 3)
    assert high["non_cashable_benefits"].tolist() == pytest.approx([50_000] * 3)
    # the cashable part (recruitment, £5,433 a leaver avoided) is a saving in the I&E
    assert low["savings"].tolist() == pytest.approx([5_433] * 3)


def test_an_exempt_contract_loses_vat_on_its_share_of_income():
    """A charity's welfare services are exempt (VATA 1994 Sch.9 Group 7): input VAT in
    proportion to the exempt contract's share of income is lost."""
    from mutualfin.costs import VatLeakage
    from mutualfin.income import Grants

    grant = Grants(grants=[{"name": "Start-up", "amount": 100_000, "date": "2026-04-01"}])
    r = case(
        VatLeakage(vatable_costs=100_000),
        grant,
        form="charitable_community_benefit_society",
    ).run()
    # 2026/27 income 400,000 contract + 100,000 grant: the contract is 80% of it
    assert r["vat_irrecoverable_share"].iloc[0] == pytest.approx(0.8)
    assert r["vat_irrecoverable"].iloc[0] == pytest.approx(0.8 * 20_000)
    assert r["vat_irrecoverable_share"].iloc[1] == pytest.approx(1.0)  # only the contract
    cic = case(VatLeakage(vatable_costs=100_000), grant).run()  # standard-rated: recovered
    assert cic["vat_irrecoverable"].tolist() == [0, 0, 0]


def test_legal_form_inputs_of_the_first_release_are_refused(tmp_path):
    text = (MODELS / "youth_service.toml").read_text(encoding="utf-8")
    for old, new in [
        ("[premises]\n", '[premises]\nlegal_form = "cic_limited_by_shares"\n'),
        ("[finance]\n", "[finance]\ntax_exempt = true\n"),
        ("[staff]\n", "[staff]\nis_charity = true\n"),
    ]:
        folder = tmp_path / old.strip("[]\n")
        folder.mkdir()
        (folder / "youth_service_staff.csv").write_bytes(
            (MODELS / "youth_service_staff.csv").read_bytes()
        )
        path = folder / "case.toml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        with pytest.raises(CaseFileError, match=r"decided by the legal form|follows the legal"):
            mf.BusinessCase.from_file(path)
    with pytest.raises(InputError, match=r"a CIC cannot be a charity"):
        LegalForm(form="charitable_cic")


def test_a_roster_with_lgps_members_needs_the_admission():
    with pytest.raises(InputError, match=r"the roster has 3 LGPS members, but the case has no"):
        BusinessCase(
            TL,
            [
                Contract(annual_value=1e5, start_date="2026-04-01", term_years=3),
                StaffCosts(SMALL),
            ],
            entities=SMALL.entities,
        )


def test_youth_case_has_no_net_outlay_and_says_so():
    r = mf.BusinessCase.from_file(MODELS / "youth_service.toml").run()
    assert np.isnan(r.metrics["payback_years"])
    assert r.metric_text("payback_years") == "no net outlay"
    assert r.metric_text("irr_before_financing") == "no net outlay"


def test_a_case_that_does_not_pay_back_shows_no_negative_rate(soffice, tmp_path):
    """A £10,000 contract cannot pay the small roster: every year is a deficit, the flows
    before financing add up to less than nothing, and the IRR says "below 0%: not paid back"
    (as payback says "not paid back") instead of a figure near -100% that Excel's and
    LibreOffice's 20 Newton steps may not reach; the workbook shows the same words."""
    r = case(annual_value=10_000).run()
    flows = r["cash_flow_before_financing"].to_numpy()
    assert flows.sum() < 0 and r.metrics["net_outlay"] == 1 and r.metrics["paid_back"] == 0
    assert np.isnan(r.metrics["irr_before_financing"])
    assert r.metric_text("irr_before_financing") == "below 0%: not paid back"
    assert r.metric_text("payback_years") == "not paid back"
    report = r.verify(r.to_excel(tmp_path / "loss.xlsx"))
    assert report.ok, str(report)
    # a case that pays back keeps its rate: the learning-disability co-operative's cash flow
    # before financing by financial year (its first 24 months summed into their years) is
    # -182,607.71, 261,377.36, 221,086.73, 166,154.80, 111,758.88, worth +9.91 at 121.8% a
    # year and -45.30 at 121.9% (each year's flow discounted from its year end): an IRR of
    # 121.8%. (Planned by year it is 58.8%: tests/test_monthly.py shows why, in pounds.)
    ld = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml").run()
    flows = [-182_607.71, 261_377.36, 221_086.73, 166_154.80, 111_758.88]
    assert ld.annual("cash_flow_before_financing").tolist() == pytest.approx(flows, abs=0.005)
    worth = [sum(f / (1 + r) ** (t + 1) for t, f in enumerate(flows)) for r in (1.218, 1.219)]
    assert worth == pytest.approx([9.91, -45.30], abs=0.005)
    assert ld.metrics["paid_back"] == 1
    assert ld.metric_text("irr_before_financing") == "121.8%"


def test_profit_share_is_paid_out_of_last_years_surplus_by_hand():
    """3BM's councils take half of its net profits: paid out of the year before's surplus
    after tax, never out of a loss; it leaves reserves and cash, not the surplus."""
    from mutualfin.components.profit_share import ProfitShare

    base = case().run()
    shared = case(ProfitShare(council_share=0.5, partner_share=0.1)).run()
    surplus = base["surplus_after_tax"].to_numpy()
    assert shared["surplus_after_tax"].tolist() == pytest.approx(surplus)
    expected = 0.6 * np.maximum(np.concatenate([[0], surplus[:-1]]), 0)
    assert shared["distributions"].tolist() == pytest.approx(expected)
    assert shared["profit_share_council"].tolist() == pytest.approx(expected / 0.6 * 0.5)
    assert shared["reserves"].iloc[-1] == pytest.approx(base["reserves"].iloc[-1] - expected.sum())
    assert shared["closing_cash"].iloc[-1] == pytest.approx(
        base["closing_cash"].iloc[-1] - expected.sum()
    )
    assert shared.checks["ok"].all()
    with pytest.raises(InputError, match=r"add up to more than the whole surplus"):
        ProfitShare(council_share=0.7, partner_share=0.5)
