"""The example case files in models/: each loads, runs, balances, is plausible, and its
workbook recalculates to the Python figures in LibreOffice and under Excel's rules.

The second engine (the formulas package) takes a minute or more on a shipped case's workbook,
so each case's workbook is written and verified once (the ``verified`` fixture, two cases at a
time in worker processes) and the tests read that one report; other tests that verify a
shipped case leave the second engine out (``excel_rules=False``).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import mutualfin as mf
from mutualfin.excel.writer import plan_layout
from mutualfin.workbook.case_workbook import plan_case_extras
from mutualfin.workbook.portable import (
    WORKSHEET_FUNCTIONS,
    functions_in,
    logical_cells,
    logical_hazards,
)

from .casefiles import SHIPPED, shift_case

MODELS = Path(__file__).resolve().parents[1] / "models"
CASES = sorted(MODELS.glob("*.toml"))  # every file in models/ is a case run by `mutualfin run`


def test_the_three_published_shapes_are_there():
    assert {p.stem for p in CASES} >= {
        "youth_service",
        "learning_disability_coop",
        "schools_support",
    }


@pytest.fixture(scope="module", params=CASES, ids=lambda p: p.stem)
def run(request):
    case = mf.BusinessCase.from_file(request.param)
    return case, case.run()


def test_loads_runs_and_balances(run):
    _, results = run
    assert results.checks["ok"].all(), results.checks


def test_cash_and_reserves_are_plausible(run):
    """A finance officer's smell test: cash never below the floor, a positive surplus over
    the case, reserves that end between half a month and six months of operating cost."""
    case, results = run
    m = results.metrics
    assert m["minimum_cash"] >= float(case.finance.inputs.cash_floor)
    assert 0 < m["surplus_margin"] < 0.08
    months = results.lines.loc["reserves_months"].iloc[-1]
    assert 0.5 <= months <= 6


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_input_in_the_file_says_where_it_comes_from(path):
    """Each input written in a case file is a table with a source (published or
    illustrative); inputs left out take the library's documented defaults. A mitigation of
    optimism bias carries its evidence as its reason."""
    raw = mf.io.read_toml(path)
    missing = []
    for key, table in raw.items():
        if key in ("case", "timeline", "roster"):
            continue
        for name, value in table.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                said = item.get("source") or item.get("reason") if isinstance(item, dict) else ""
                if not str(said or "").strip():
                    missing.append(f"{key}.{name}")
    assert not missing, f"{path.name}: inputs without a source: {missing}"


def test_header_says_what_is_published_and_what_is_illustrative():
    for path in CASES:
        head = path.read_text(encoding="utf-8").split("[case]")[0]
        assert "PUBLISHED" in head and "ILLUSTRATIVE" in head, path.name


#: publications that report someone else's figures (news, trade press, practitioners, case
#: study sites, participants' accounts): cited in a case file only with "secondary:" and why
SECONDARY_PUBLICATIONS = (
    "Spectator", "HRreview", "Isio", "Children & Young People Now", "Chisnall",
    "Transition Institute", "East Anglian Daily Times", "Workers.coop",
)  # fmt: skip


def _citations(text: str) -> list[str]:
    """Each citation a case file makes: the source or reason of every input, and each bullet
    of its header's PUBLISHED sections (a bullet with its continuation lines)."""
    import tomllib

    out = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("source", "reason") and isinstance(item, str):
                    out.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(tomllib.loads(text))
    section = ""
    for line in text.split("[case]")[0].splitlines():
        body = line.removeprefix("#").strip()
        if body.isupper() or body.split(" (")[0].isupper():
            section = body.rstrip(":")
        elif section.startswith("PUBLISHED") and body.startswith("- "):
            out.append(f"{section}: {body}")
        elif section.startswith("PUBLISHED") and out and body:
            out[-1] += " " + body
    return out


def unmarked_secondary_citations(text: str) -> list[str]:
    """Citations of a secondary publication that do not say why no primary source was used:
    an input's source needs "secondary:" and a reason, a header bullet must sit under
    "PUBLISHED, SECONDARY" and say what primary source was not read (or that none exists)."""
    bad = []
    for said in _citations(text):
        if not any(name in said for name in SECONDARY_PUBLICATIONS):
            continue
        if said.startswith("PUBLISHED"):
            why = ("not read", "no primary source")
            ok = said.startswith("PUBLISHED, SECONDARY") and any(w in said for w in why)
        else:
            why = said.split("secondary:", 1)[1].strip() if "secondary:" in said else ""
            ok = len(why) >= 25
        if not ok:
            bad.append(said)
    return bad


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_a_secondary_publication_is_cited_only_marked_so(path):
    """A figure read in a report of someone else's figures (The Spectator on the Cabinet
    Office's, HRreview on Oxford Economics', Isio's average of funds' rates) says so and why,
    so a section 151 officer knows which citations to take back to the publisher."""
    text = path.read_text(encoding="utf-8")
    assert unmarked_secondary_citations(text) == []
    assert "PUBLISHED, PRIMARY" in text and "PUBLISHED, SECONDARY" in text


def test_an_unmarked_secondary_citation_fails():
    """The check above can fail: a source and a header bullet citing HRreview unmarked."""
    text = (MODELS / "youth_service.toml").read_text(encoding="utf-8")
    marked = "(HRreview; secondary: the study itself was not read)"
    assert marked in text
    bad = unmarked_secondary_citations(text.replace(marked, "(HRreview)", 1))
    assert [s[:81] for s in bad] == [
        "Published: Oxford Economics for Unum (2014), logistics cost per leaver (HRreview)"
    ]
    head = "# PUBLISHED, PRIMARY (read in the law or the publisher's own document):\n"
    bad = text.replace(head, head + "#   - cost per leaver £5,433 (HRreview)\n", 1)
    assert unmarked_secondary_citations(bad) == [
        "PUBLISHED, PRIMARY (read in the law or the publisher's own document): "
        "- cost per leaver £5,433 (HRreview)"
    ]


def test_rosters_are_reproducible(tmp_path):
    """models/make_rosters.py regenerates the committed CSVs byte for byte."""
    import runpy

    module = runpy.run_path(str(MODELS / "make_rosters.py"))
    module["main"](tmp_path)
    for name in module["ROSTERS"]:
        assert (tmp_path / name).read_bytes() == (MODELS / name).read_bytes(), name


@pytest.fixture(scope="module")
def workbook(run, tmp_path_factory):
    _, results = run
    return results.to_excel(tmp_path_factory.mktemp("case") / "case.xlsx")


def verify_shipped(path: Path, folder: Path):
    """Run the case at ``path``, write its workbook into ``folder`` and verify it in
    LibreOffice and under Excel's rules (in a worker process: see ``verified``)."""
    results = mf.BusinessCase.from_file(path).run()
    return results.verify(results.to_excel(folder / "case.xlsx"), excel_rules=True)


@pytest.fixture(scope="module")
def verified(soffice, excel_rules, tmp_path_factory):
    """``verified(path)``: ``(case, results, report)`` for a shipped case, its workbook verified
    in LibreOffice and under Excel's rules.

    The second engine is single-threaded Python and takes a minute or more on a shipped case's
    workbook, so every case is verified once, in two worker processes started on first use
    (spawned: a forked worker would share the session's LibreOffice pipe), while the cases are
    run again here, which is quick, for the figures the tests compare with."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pending: dict[Path, object] = {}
    pool: list[ProcessPoolExecutor] = []

    def get(path: Path) -> tuple:
        if not pending:
            pool.append(ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")))
            for p in CASES:
                folder = tmp_path_factory.mktemp(p.stem)
                pending[p] = pool[0].submit(verify_shipped, p, folder)
        case = mf.BusinessCase.from_file(path)
        return case, case.run(), pending[path].result()  # type: ignore[attr-defined]

    yield get
    for executor in pool:
        executor.shutdown(cancel_futures=True)


@pytest.mark.libreoffice
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_workbook_verifies_in_both_engines(path, verified, excel_rules):
    _, _, report = verified(path)
    assert report.ok, report
    assert report.engines == ["LibreOffice", f"Excel's rules (formulas {excel_rules})"]
    assert not report.mismatches and not report.engine_dependent
    assert report.checked > 1000


@pytest.mark.libreoffice
def test_youth_years_below_target_reads_the_same_in_both_engines(verified):
    """Issue 24: under Excel's rules the Summary said 0 years below the reserves target (a SUM
    over a row of TRUE/FALSE, which Excel skips in a range) where Python and LibreOffice said
    3. The case has moved on since; the count is taken here from the reserves row itself."""
    case, results, report = verified(MODELS / "youth_service.toml")
    months = results.annual("reserves_months").to_numpy()  # at each year end
    target = float(case.model.inputs["finance.reserves_target_months"].value)
    below = int((months < target).sum())
    assert below >= 1  # the figure the bug turned into 0
    assert results.metrics["years_reserves_below_target"] == below
    sheet, row = plan_layout(case.model)[0].lines["years_reserves_below_target"]
    assert report.figures(f"{sheet}!D{row}") == {"LibreOffice": below, "Excel's rules": below}
    # the Summary's link to it too
    [link] = [
        e
        for e in plan_case_extras(results)
        if e.sheet == "Summary" and e.line == "years_reserves_below_target"
    ]
    ref = f"Summary!{get_column_letter(link.col)}{link.row}"
    assert report.figures(ref) == {"LibreOffice": below, "Excel's rules": below}


def test_flags_are_numbers_and_no_formula_depends_on_logical_values(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert logical_cells(wb) == []
    assert logical_hazards(wb) == []


def test_workbook_calls_only_the_listed_worksheet_functions(workbook):
    wb = openpyxl.load_workbook(workbook)
    used = {
        fn
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
        for fn in functions_in(cell.value)
    }
    assert used <= set(WORKSHEET_FUNCTIONS), used - set(WORKSHEET_FUNCTIONS)


#: an operand that changes nothing: +0, -0, *1, /1, ^1, 0* or 1* (a workaround, never a model)
_IDENTITY_OPERAND = re.compile(
    r"(?<![\w.$])(?:0\*|1\*)|[+\-]0(?![\w.])|\*1(?![\w.%])|/1(?![\w.])|\^1(?![\w.])"
)


def test_no_workaround_in_any_formula(run, tmp_path):
    """The engine drops identity operands, so no formula carries '+0', '0*x' or '*1'."""
    _, results = run
    path = results.to_excel(tmp_path / "case.xlsx", appraisal=results.case.appraise(results))
    wb = openpyxl.load_workbook(path)
    found = [
        f"{ws.title}!{cell.coordinate} {cell.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and cell.value.startswith("=")
        and _IDENTITY_OPERAND.search(cell.value)
    ]
    assert not found, found[:10]


def test_identity_operands_are_dropped_when_a_model_is_defined():
    x = mf.Input("x.a", 2.0)
    assert (x * 1) is x and (1 * x) is x and (x + 0) is x and (0 + x) is x and (x - 0) is x
    assert (x / 1) is x and (x**1) is x
    assert isinstance(0 - x, mf.engine.nodes.Neg)


@pytest.mark.libreoffice
@pytest.mark.parametrize("years", [1, 4], ids=["2027-28", "2030-31"])
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_case_moved_years_on_runs_and_verifies(name, years, tmp_path, soffice):
    """Parameters past their data are held flat (an assumption the case lists), never
    refused: every shipped case runs with go-live moved to 2027/28 and 2030/31, balances and
    its workbook verifies."""
    path = shift_case(name, tmp_path, years)
    with pytest.warns(mf.errors.AssumptionWarning, match="held flat"):
        case = mf.BusinessCase.from_file(path)
    assert case.model.annual_timeline.labels[0] == f"{2026 + years}/{(27 + years) % 100:02d}"
    assert any("held flat from" in a for a in case.assumptions)
    results = case.run()
    assert results.checks["ok"].all(), results.checks
    book = results.to_excel(tmp_path / "moved.xlsx", appraisal=case.appraise(results))
    report = results.verify(book, excel_rules=False)  # the second engine: once, above
    assert report.ok, str(report)
    # the Parameters sheet marks the held values as an assumption
    import openpyxl

    params = openpyxl.load_workbook(book)["Parameters"]
    notes = [str(c.value) for row in params.iter_rows() for c in row if c.value]
    assert any("held flat after" in n for n in notes)


@pytest.mark.parametrize("name", SHIPPED)
def test_pension_lines_are_plausible_against_the_paybill(name):
    """No pension figure implausible by an order of magnitude: the mutual's employer
    contributions 5-35% of LGPS pay; an exit payment, credit, bond or council top-up at most
    a quarter of a year's paybill."""
    results = mf.BusinessCase.from_file(MODELS / f"{name}.toml").run()
    lines = results.lines
    paybill = lines.loc["staff_pay"]
    rate = lines.loc["lgps_contributions_mutual"] / lines.loc["lgps_pensionable_pay"]
    assert ((rate > 0.05) & (rate < 0.35)).all(), rate
    for line in (
        "lgps_exit_payment",
        "lgps_exit_credit",
        "lgps_exit_settlement_council",
        "lgps_bond",
        "lgps_contributions_council",
    ):
        if line in lines.index:
            assert (lines.loc[line].abs() <= 0.25 * paybill).all(), (line, lines.loc[line])


def test_learning_disability_case_shows_its_monthly_trough_and_the_facility_it_needs():
    """Planned by month, the co-operative's cash is lowest at the end of May 2026, worked by
    hand from the case file (without its facility; two months' cash from a start of 0):

    ================================================================  =============
    transition grant (1 April)                                           200,000.00
    loan 400,000 less two months' interest (6.5% / 12 x 400,000 =        387,333.33
    2,166.67 each) and May's repayment (400,000 / 48 = 8,333.33)
    the council's payment for April, received in May (9,100,000 / 12)    758,333.33
    traded income 2 x 58,333.33 (35 x 20,000 / 12), less May's still      59,132.42
    owed at 30 debtor days: 58,333.33 x 30 / (365 / 12) = 57,534.25
    pay of April and May: 2 x 494,734.32 (the roster's salary x fte,    -989,468.64
    less the 4% vacancy factor, / 12)
    April's employer NI 56,224.67, auto-enrolment pension 402.75 and     -57,851.09
    levy 1,223.67 (0.5% x 494,734.32 - 1,250), paid the month after
    April's LGPS contributions, 16% x 465,983.92 (the LGPS members'      -74,557.43
    pay), paid the month after
    April's other costs (at 30 creditor days, all paid by the end of    -346,773.81
    May): 344,525.50, and 1.37% (1 - 30 / (365 / 12)) of May's
    164,127.05
    VAT on April's and May's inputs, reclaimed at the quarter's return:   -2,250.00
    9% of 12,500 a month (the year's exempt share of income is 91%,
    9,100,000 / 10,000,000, so 91% of the VAT is a cost)
    ================================================================  =============
    trough                                                               -66,101.89

    (rounded to the penny line by line, so the sum is exact to a penny or two). The facility
    is drawn to the floor (0): its peak is the trough plus the £1,000 arrangement fee paid in
    April; interest starts on May's balance, in June, and it is repaid by October."""
    case = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml")
    assert case.timeline.describe() == "24 months then 3 financial years"
    with_facility = case.run()
    without = mf.BusinessCase(
        case.timeline,
        [c for key, c in case.components.items() if key != "facility"],
        name=case.name,
        entities=case.entities,
    ).run()
    lines = without.lines.iloc[:, :2]  # April and May 2026

    def two(name):
        return float(lines.loc[name].sum())

    def penny(x):
        return pytest.approx(x, abs=0.005)

    roster = pd.read_csv(MODELS / "learning_disability_staff.csv")
    pay = roster["salary"] * roster["fte"] * (1 - 0.04) / 12
    assert pay.sum() == penny(494_734.32) and two("staff_pay") == penny(2 * 494_734.32)
    lgps_pay = pay[roster["scheme"] == "LGPS"].sum()
    assert lgps_pay == penny(465_983.92)
    assert lines.loc["lgps_contributions_mutual"].iloc[0] == penny(0.16 * lgps_pay)
    assert lines.loc["apprenticeship_levy"].iloc[0] == penny(0.005 * pay.sum() - 1_250)
    assert two("operating_receipts") == pytest.approx(
        200_000 + 9_100_000 / 12 + 2 * 35 * 20_000 / 12 - 35 * 20_000 / 12 * 30 / (365 / 12),
        abs=0.01,
    )
    assert two("financing_cash_flow") == penny(400_000 - 2 * 400_000 * 0.065 / 12 - 400_000 / 48)
    # April's costs other than pay, on-costs and LGPS (set-up 187,500, transfer 5,000,
    # support services 40,000, premises 69,480, ...) and May's, incurred
    own = ("staff_pay", "staff_oncosts", "lgps_contributions_mutual")
    other = (
        lines.loc["net_operating_costs"] + lines.loc["one_off_costs"] - lines.loc[list(own)].sum()
    )
    assert other.tolist() == [penny(344_525.50), penny(164_127.05)]
    paid_other = other.iloc[0] + other.iloc[1] * (1 - 30 / (365 / 12))
    paid = two("staff_pay") + lines.loc["staff_oncosts"].iloc[0]
    paid += lines.loc["lgps_contributions_mutual"].iloc[0] + paid_other
    assert two("operating_payments") == penny(paid)
    assert two("vat_cash") == penny(-2 * 12_500 * (1 - 0.91))
    trough = without.metrics["minimum_cash"]
    assert trough == pytest.approx(
        200_000.00 + 387_333.33 + 758_333.33 + 59_132.42
        - 989_468.64 - 57_851.09 - 74_557.43 - 346_773.81 - 2_250.00,
        abs=0.02,
    )  # fmt: skip
    assert trough == penny(-66_101.88)
    assert without.metrics["minimum_cash_period"] == "May 2026"
    assert "below the floor" in without.findings[0]
    m = with_facility.metrics
    assert m["minimum_cash"] == 0 and m["minimum_cash_period"] == "May 2026"
    assert m["facility_peak"] == penny(-trough + 1_000)
    assert m["facility_largest_shortfall"] == 0 and with_facility.findings == []
    assert m["facility_months_used"] == 5  # drawn at the end of May to September 2026
    assert with_facility.monthly_cash["facility balance"].iloc[6] == 0  # repaid by October
    assert m["facility_peak"] < float(case.components["facility"].inputs.limit)


def test_learning_disability_summary_shows_the_trough_and_the_facility(tmp_path):
    """The Summary of the publication pack, planned by month: a finding on the monthly
    trough (its figure the month, live from the Statements; amber, since the facility is
    drawn to cover it), the facility's peak and months among the headline metrics, the
    statement by financial year (five columns, from "Statements by year"), and beside them
    cash by month as a column table (a row per period, each cell a link to the Statements
    sheet), all on one printed page (recalculated and compared with Python by
    test_workbook_verifies_in_both_engines)."""
    import openpyxl

    from mutualfin.workbook.summary import CASH_COL, FIGURE_COL, STATUS_COL, SUM_FIRST_COL

    results = mf.BusinessCase.from_file(MODELS / "learning_disability_coop.toml").run()
    book = openpyxl.load_workbook(results.to_excel(tmp_path / "ld.xlsx", store_values=False))
    ws = book["Summary"]
    column_a = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    trough = next(
        r for r in range(6, 20) if "cash is lowest at the end of the month in the figure" in
        str(ws.cell(row=r, column=1).value)
    )  # fmt: skip
    assert ws.cell(row=trough, column=1).value.startswith("=IF(Statements!")
    assert ws.cell(row=trough, column=FIGURE_COL).value.startswith("=Statements!")
    assert ws.cell(row=trough, column=FIGURE_COL).number_format == "mmm yyyy"
    assert ws.cell(row=trough, column=STATUS_COL).value.startswith("=IF(")
    for label in (
        "Lowest closing cash",
        "Working-capital facility: peak drawn",
        "Working-capital facility: months drawn",
        "Cash below the floor despite the facility",
    ):
        assert ws.cell(row=column_a[label], column=2).value.startswith("=Statements!")
    head = column_a["Statement by year"]
    years = [ws.cell(row=head, column=SUM_FIRST_COL + k).value for k in range(5)]
    assert years == ["2026/27", "2027/28", "2028/29", "2029/30", "2030/31"]
    cash = ws.cell(row=column_a["Closing cash"], column=SUM_FIRST_COL).value
    assert cash.startswith("='Statements by year'!")
    table = next(r for r in range(1, 40) if ws.cell(row=r, column=CASH_COL).value == (
        "Cash by month, then by year"
    ))  # fmt: skip
    assert [ws.cell(row=table, column=CASH_COL + c).value for c in (1, 2, 3)] == [
        "Closing cash",  # (no "(£)": each figure shows its £)
        "Working-capital facility drawn",
        "Cash floor (case setting)",
    ]
    labels = [ws.cell(row=table + 1 + p, column=CASH_COL).value for p in range(27)]
    assert labels[:2] == ["Apr 2026", "May 2026"] and labels[24:] == [
        "2028/29",
        "2029/30",
        "2030/31",
    ]
    may = ws.cell(row=table + 2, column=CASH_COL + 2).value  # May 2026: the second period's
    assert may.startswith("=Statements!G")
    # one printed page, the table inside the print area
    assert ws.page_setup.fitToHeight == 1 and ws.page_setup.fitToWidth == 1
    last = str(ws.print_area).rsplit(":", 1)[1]  # '$M$43': the last column and row
    assert last.startswith("$M$") and int(last.split("$")[2]) >= table + 27
