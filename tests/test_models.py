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
    months = results.lines.loc["reserves_months"].to_numpy()
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
