"""The commissioner's side of a case: the council's budget by year and the options appraisal
(issue 16), checked by hand on the shipped youth case.

The youth case's appraisal is all in forecast years of the GDP deflator (data end in 2024, 2%
a year beyond), so a nominal amount growing at 2% a year is constant in real terms and its
present value is ``amount x sum(1 / 1.035^t)``: the arithmetic below is that, written out.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mutualfin as mf
from mutualfin.analysis.council import COSTS, OPTION_KINDS
from mutualfin.appraisal import Cost, Option, appraise
from mutualfin.errors import AssumptionWarning, CaseFileError, InputError

from .casefiles import SHIPPED, edited_case

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
YOUTH = os.path.join(ROOT, "models", "youth_service.toml")
DF = sum(1 / 1.035**t for t in range(10))  # Green Book factors, years 0-9


def _case(folder, **appraisal):
    """The youth case with [appraisal] inputs set (values as written in a case file)."""

    def edit(text):
        head, tail = text.split("[appraisal]\n")
        for key, value in appraisal.items():
            # a multi-line array is replaced whole
            tail = re.sub(rf"^{key} = \[\n.*?^\]\n", "", tail, count=1, flags=re.M | re.S)
            line = f"{key} = {value}"
            if re.search(rf"^{key} = .*$", tail, re.M):
                tail = re.sub(rf"^{key} = .*$", line, tail, count=1, flags=re.M)
            else:
                tail = f"{line}\n{tail}"
        return head + "[appraisal]\n" + tail

    return mf.BusinessCase.from_file(edited_case("youth_service", folder, edit))


@pytest.fixture(scope="module")
def youth():
    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    return case, results, case.appraise(results)


def _bias(appraisal, option, cost):
    t = appraisal.optimism_bias
    row = t[(t["option"] == OPTION_KINDS[option]) & (t["cost"] == COSTS[cost][0])]
    assert len(row) == 1, (option, cost)
    return row.iloc[0]


def test_optimism_bias_by_hand(youth):
    _, _, a = youth
    # business as usual: £4.6m growing 2% a year (constant real), upper bound 41%, half of
    # it mitigated by the recorded outturn: uplift 20.5%
    row = _bias(a, "in_house", "in_house_service")
    assert row["present value"] == pytest.approx(4_600_000 * DF, rel=1e-9)
    assert row["upper bound"] == 0.41 and row["mitigation"] == 0.5
    assert row["optimism bias"] == pytest.approx(4_600_000 * DF * 0.41 * 0.5, rel=1e-9)
    assert "outturn" in row["reason"]
    # the reserved contract's price for its five years: agreed in heads of terms at this
    # outline stage, 60% of the bias mitigated with that evidence: uplift 16.4%
    term = _bias(a, "mutual_reserved", "contract_price")
    price = [4_200_000 * 1.015**t for t in range(5)]  # 1.5% indexation, no efficiency cut
    pv_term = sum(p / 1.02**t / 1.035**t for t, p in enumerate(price))
    assert term["present value"] == pytest.approx(pv_term, rel=1e-9)
    assert term["optimism bias"] == pytest.approx(0.41 * 0.4 * pv_term, rel=1e-9)
    assert "heads of terms" in term["reason"]
    # open competition: the same price, not yet tendered, no evidence: the full 41%
    open_price = _bias(a, "mutual_competition", "contract_price")
    assert open_price["optimism bias"] == pytest.approx(0.41 * pv_term, rel=1e-9)
    # from 2031/32 the service is re-procured at the last price grown 2%: full 41%
    after = _bias(a, "mutual_reserved", "contract_price_reprocured")
    pv_after = sum(price[4] * 1.02 ** (t - 4) / 1.02**t / 1.035**t for t in range(5, 10))
    assert after["present value"] == pytest.approx(pv_after, rel=1e-9)
    assert after["optimism bias"] == pytest.approx(0.41 * pv_after, rel=1e-9)
    # stranded overheads: £120k growing 2%, a quarter of the bias mitigated: uplift 30.75%
    so = _bias(a, "mutual_reserved", "stranded_overheads")
    assert so["optimism bias"] == pytest.approx(120_000 * DF * 0.41 * 0.75, rel=1e-9)
    # set-up support and the step-in expected value carry none, and say why
    assert _bias(a, "mutual_reserved", "setup_support")["optimism bias"] == 0
    step = _bias(a, "mutual_reserved", "step_in")
    assert step["present value"] == pytest.approx(0.02 * 400_000 * DF, rel=1e-9)
    assert step["optimism bias"] == 0 and "twice" in step["reason"]
    # an option's NPC is its costs plus the sum of its costs' bias
    t = a.table
    for kind in ("in_house", "mutual_reserved", "outsource"):
        name = OPTION_KINDS[kind]
        bias = a.optimism_bias.query("option == @name")["optimism bias"].sum()
        assert t.loc[name, "optimism bias"] == pytest.approx(bias)
        assert t.loc[name, "net present cost"] == pytest.approx(
            t.loc[name, "present cost before optimism bias"] + bias
        )


def test_council_budget_and_cumulative_saving_by_hand(youth):
    _, _, a = youth
    budget = a.council_budget
    years = ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    in_house = [4_600_000 * 1.02**t for t in range(5)]
    spin_out = [
        4_200_000 * 1.015**t  # contract payments
        + 120_000 * 1.02**t  # stranded overheads
        + 45_000 * 1.02**t  # contract management
        + (150_000 if t == 0 else 0)  # set-up support
        for t in range(5)
    ]
    saving = np.subtract(in_house, spin_out)
    # 2026/27: 4,600,000 - (4,200,000 + 120,000 + 45,000 + 150,000) = 85,000
    # 2027/28: 4,692,000 - (4,263,000 + 122,400 + 45,900) = 260,700; to date 345,700
    assert saving[0] == pytest.approx(85_000) and saving[1] == pytest.approx(260_700)
    row = "Council's saving (in-house budget less the spin-out's cost)"
    assert budget.loc[row, years].to_numpy() == pytest.approx(saving)
    cumulative = budget.loc[f"{row}: cumulative", years].to_numpy()
    assert cumulative == pytest.approx(np.cumsum(saving))
    assert cumulative[1] == pytest.approx(345_700)
    assert budget.loc[row, "Total"] == pytest.approx(saving.sum())
    # the saving is positive from the first year: no outlay to pay back, said in words
    assert "no net outlay" in a.five_cases.set_index("case").loc["Financial", "figures"]


def test_council_budget_lines_are_in_the_model_and_pay_back_an_outlay(tmp_path):
    # set-up support of £400k in the first year: the first year's saving is negative and the
    # council's money is paid back within the second year
    case = _case(tmp_path, setup_support=400_000)
    r = case.run()
    # the case plans its first two years by month; the council budgets by financial year:
    # the monthly lines summed by year (council_saving_annual, on the Council budget sheet)
    saving = r.annual("council_saving").to_numpy()
    assert r["council_saving"].iloc[:12].sum() == pytest.approx(saving[0])
    assert r.evaluation["council_saving_annual"].to_numpy() == pytest.approx(saving)
    # 85,000 - 250,000 more set-up = -165,000; then 260,700 the next year
    assert saving[:2] == pytest.approx([-165_000, 260_700])
    # even flows: the outlay starts with the first year; back to zero 165,000 / 260,700 of
    # the way through the second year
    assert float(r.evaluation["council_payback_years"]) == pytest.approx(1 + 165_000 / 260_700)


def test_every_shipped_case_appraises_at_least_four_options_on_its_sheet(tmp_path):
    import openpyxl

    for name in SHIPPED:
        path = os.path.join(ROOT, "models", f"{name}.toml")
        case = mf.BusinessCase.from_file(path)
        results = case.run()
        a = case.appraise(results)
        assert len(a.options) >= 4, path
        assert set(a.table.columns) >= {
            "present cost before optimism bias",
            "optimism bias",
            "net present cost",
            "rank",
            "rank before optimism bias",
        }
        book = results.to_excel(tmp_path / f"{os.path.basename(path)}.xlsx", appraisal=a)
        wb = openpyxl.load_workbook(book)
        text = "\n".join(
            str(c.value) for row in wb["Appraisal"].iter_rows() for c in row if c.value
        )
        assert "rank before optimism bias" in text
        # the working (bias cost by cost with its reasons) on a sheet of its own
        ws = wb["Appraisal detail"]
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
        assert "Outline business case" in text  # the stage, beside the bias
        for opt in a.options:
            assert opt.name in text
        for reason in a.optimism_bias["reason"]:
            if reason:
                assert reason in text
        assert "Operating costs (outsourcing bound)" in text
        assert "Council budget" in openpyxl.load_workbook(book).sheetnames


def test_seven_options_from_one_case_file(tmp_path):
    case = _case(tmp_path, options=str(list(OPTION_KINDS)).replace("'", '"'))
    a = case.appraise()
    assert [o.kind for o in a.options] == list(OPTION_KINDS)  # seven, from one file
    costs = {o.kind: {c.key for c in o.items} for o in a.options}
    # a council company needs no procurement and no contract fixes its cost
    assert "procurement" not in costs["teckal"]
    assert "company_payments" in costs["teckal"] and "contract_price" not in costs["teckal"]
    # outsourcing: a procurement, no set-up support
    assert {"procurement", "contract_price"} <= costs["outsource"]
    assert "setup_support" not in costs["outsource"]
    # the reserved mutual: a competition among mutuals now, and again when its five years end
    assert {"contract_price", "contract_price_reprocured"} <= costs["mutual_reserved"]
    reserved = next(o for o in a.options if o.kind == "mutual_reserved")
    procurement = reserved.cost(COSTS["procurement"][0]).arr
    assert procurement[0] == 60_000 and procurement[5] == pytest.approx(60_000 * 1.02**5)
    assert procurement[1:5].sum() == 0 and procurement[6:].sum() == 0


def test_in_house_budget_built_from_the_roster(tmp_path):
    def edit(text):
        return re.sub(
            r"^in_house_cost = .*\n", "in_house_other_costs = 500_000\n", text, flags=re.M
        )

    case = mf.BusinessCase.from_file(edited_case("youth_service", tmp_path, edit))
    r = case.run()  # by financial year (the case plans its first two years by month)
    staff = sum(
        r.annual(n)
        for n in ("staff_costs", "lgps_contributions_mutual", "lgps_contributions_council")
    )
    other = np.array([500_000 * 1.02**t for t in range(5)])
    assert r.annual("council_in_house_budget").to_numpy() == pytest.approx(staff.to_numpy() + other)


def test_switching_values_say_the_direction_in_words():
    a = appraise(
        [
            Option("In-house", [Cost("Service", 1_000_000, mitigation=0.5, reason="outturn")]),
            Option(
                "Mutual",
                [
                    Cost("Contract", 900_000, mitigation=1.0, reason="fixed price"),
                    Cost("Client team", 20_000),
                    Cost("Set-up", [50_000, 0, 0], category=None, reason="a grant"),
                ],
            ),
        ],
        first_year="2030/31",
        years=3,
    )
    sv = a.switching_values().set_index("cost")
    # the mutual leads; its contract must rise by gap / PV(contract) before it stops
    gap = a.npc("In-house") - a.npc("Mutual")
    f = sum(1 / (1.02**t * 1.035**t) for t in range(3))
    assert sv.loc["Contract", "change"] == pytest.approx(gap / (900_000 * f))
    assert sv.loc["Contract", "in words"].startswith(
        'Mutual stops being preferred to In-house if its cost "Contract" rises by more than'
    )
    # in-house must fall to win
    assert (
        'becomes preferred to Mutual if its cost "Service" falls by more than'
        in (sv.loc["Service", "in words"])
    )
    # the set-up grant cannot change the order: it would have to be negative
    small = sv.loc["Set-up"]
    assert small["multiple"] > 1 and bool(small["can occur"])
    b = appraise(
        [
            Option("A", [Cost("x", 100, category=None, reason="r")]),
            Option(
                "B",
                [
                    Cost("y", 1_000, category=None, reason="r"),
                    Cost("z", 10, category=None, reason="r"),
                ],
            ),
        ],
        first_year=2030,
        years=1,
    )
    z = b.switching_value("B", "z", "A")
    assert not z["can occur"] and z["in words"].startswith("Cannot occur")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e7), min_size=3, max_size=3),
    st.floats(0, 1),
    st.floats(0, 3),
)
def test_bias_never_makes_an_option_cheaper(values, mitigation, bound):
    reason = "evidence" if mitigation else ""
    opt = Option(
        "A",
        [Cost("c", values, mitigation=mitigation, reason=reason, upper_bound=bound)],
    )
    a = appraise([opt], first_year=2030, years=3)
    assert a.npc("A") >= a.npc("A", bias=False)
    pv = a.present_values["A"]["c"]
    assert a.npc("A") - a.npc("A", bias=False) == pytest.approx(
        bound * (1 - mitigation) * abs(pv), abs=1e-6
    )


def test_the_first_release_inputs_are_refused_with_where_they_went(tmp_path):
    path = edited_case(
        "youth_service",
        tmp_path,
        lambda text: text.replace("[appraisal]\n", "[appraisal]\noptimism_bias = 0.41\n", 1),
    )
    with pytest.raises(CaseFileError, match="appraisal.optimism_bias: optimism bias now"):
        mf.BusinessCase.from_file(path)


def test_mitigation_refusals_and_the_strategic_outline_warning():
    from mutualfin.analysis.council import CouncilAppraisal

    with pytest.raises(InputError, match="step_in carries no optimism bias"):
        CouncilAppraisal(
            in_house_cost=1, mitigations=[{"cost": "step_in", "share": 0.5, "reason": "x"}]
        )
    with pytest.raises(InputError, match="a second mitigation of in_house_service"):
        CouncilAppraisal(
            in_house_cost=1,
            stage="outline",
            mitigations=[
                {"cost": "in_house_service", "share": 0.5, "reason": "x"},
                {"cost": "in_house_service", "share": 0.2, "reason": "y"},
            ],
        )
    with pytest.raises(InputError, match="give either a_year"):
        CouncilAppraisal(in_house_cost=1, social_value=[{"name": "x", "source": "s"}])
    with pytest.warns(AssumptionWarning, match="strategic outline stage"):
        CouncilAppraisal(
            in_house_cost=1, mitigations=[{"cost": "in_house_service", "share": 0.5, "reason": "x"}]
        )


def test_a_contract_ended_by_a_break_leaves_the_service_to_pay_for(tmp_path):
    # the break after three years is exercised: in 2029/30 and 2030/31 the council pays no
    # contract, but the service still costs it its in-house budget: no phantom saving
    def edit(text):
        return text.replace(
            "[contract]\n", "[contract]\nbreak_after_years = 3\nbreak_exercised = true\n", 1
        )

    case = mf.BusinessCase.from_file(edited_case("youth_service", tmp_path, edit))
    r = case.run()  # by financial year (the case plans its first two years by month)
    outside = r.annual("council_service_outside_contract").to_numpy()
    in_house = r.annual("council_in_house_budget").to_numpy()
    assert outside[:3].sum() == 0 and outside[3:] == pytest.approx(in_house[3:])
    # in those years the saving is what the council no longer pays: only the overheads,
    # contract management it still pays make it negative
    saving = r.annual("council_saving").to_numpy()[3:]
    assert saving == pytest.approx(
        -(np.array([120_000, 45_000]).sum() * 1.02 ** np.array([3, 4])), rel=1e-9
    )


def test_mitigations_that_match_nothing_and_free_prices_are_refused(tmp_path):
    case = _case(
        tmp_path,
        mitigations='[{ cost = "company_payments", option = "teckal", share = 0.2, '
        'reason = "evidence" }]',
    )
    with pytest.raises(InputError, match=r"mitigations\[0\]: no option appraised has the cost"):
        case.appraise()
    with pytest.raises(CaseFileError, match="would make the service free"):
        _case(tmp_path, outsource_price_change=-1)


def test_receipts_and_benefits_read_the_right_way():
    first = Option(
        "In-house",
        [Cost("Service", 1_000, category=None, reason="r")],
        benefits=[mf.appraisal.Benefit("Volunteering", 100, "a source")],
    )
    company = Option(
        "Company",
        [
            Cost("Payments", 1_200, category=None, reason="r"),
            Cost("Surplus returned", -100, category=None, reason="r"),
        ],
    )
    a = appraise([first, company], first_year=2030, years=1)
    t = a.table
    # the first option is the reference: its NPSV is 0 whatever its own benefits
    assert t.loc["In-house", "net present social value"] == 0
    assert t.loc["Company", "net present social value"] == pytest.approx(-(1_100 - 1_000) - 100)
    # the company needs its surplus to rise (a receipt), by (1,100 - 900) / 100 = 200%
    sv = a.switching_value("Company", "Surplus returned", "In-house")
    assert sv["change"] == pytest.approx(2.0)
    assert 'if its receipt "Surplus returned" rises by more than 200%' in sv["in words"]
