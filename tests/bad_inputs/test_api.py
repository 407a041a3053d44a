"""The public API given the object next to the one it wants: a Results for an Evaluation, a
path for a BusinessCase, a DataFrame for a Roster, a case for a Results. Each call either
works or raises a MutualfinError naming the call that does what was meant (issue 23,
items 2 and 3), and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mutualfin as mf
from mutualfin import plots
from mutualfin.components.pensions import LgpsAdmission
from mutualfin.components.staff import StaffCosts, TransferCosts
from mutualfin.errors import MutualfinError
from mutualfin.excel import edit_inputs, recalculate, verify, write_workbook
from mutualfin.excel.case_workbook import verify_case, verify_live
from mutualfin.io import load_case
from mutualfin.risk import run_scenarios, simulate, standard_scenarios, tornado, two_way

from .conftest import GOOD_CASE, GOOD_ROSTER, refused


@pytest.fixture
def world(tmp_path):
    """A case file, its case, results, evaluation, model, and a workbook written from it."""
    path = tmp_path / "case.toml"
    path.write_text(GOOD_CASE, encoding="utf-8")
    (tmp_path / "staff.csv").write_text(GOOD_ROSTER, encoding="utf-8")
    case = mf.BusinessCase.from_file(path)
    results = case.run()
    book = results.to_excel(tmp_path / "case.xlsx")
    frame = pd.read_csv(tmp_path / "staff.csv")
    return {
        "path": path,
        "case": case,
        "results": results,
        "evaluation": results.evaluation,
        "model": case.model,
        "book": book,
        "frame": frame,
        "out": tmp_path / "other.xlsx",
    }


# (id, call given the world w, words naming the right call)
SWEEP = [
    # an Evaluation wanted
    (
        "write_workbook_given_results",
        lambda w: write_workbook(w["results"], w["out"]),
        ["results.to_excel(path)"],
    ),
    (
        "write_workbook_given_a_case",
        lambda w: write_workbook(w["case"], w["out"]),
        ["case.run().to_excel(path)"],
    ),
    (
        "write_workbook_given_a_model",
        lambda w: write_workbook(w["model"], w["out"]),
        ["model.evaluate()"],
    ),
    ("verify_given_a_case", lambda w: verify(w["book"], w["case"]), ["case.run().verify(path)"]),
    ("verify_given_a_model", lambda w: verify(w["book"], w["model"]), ["model.evaluate()"]),
    (
        "verify_given_arguments_swapped",
        lambda w: verify(w["results"], w["book"]),
        ["results.verify(path)"],
    ),
    # a Results wanted
    (
        "verify_case_given_an_evaluation",
        lambda w: verify_case(w["book"], w["evaluation"]),
        ["mutualfin.excel.verify(path, evaluation)"],
    ),
    ("verify_case_given_a_case", lambda w: verify_case(w["book"], w["case"]), ["case.run()"]),
    (
        "verify_live_given_a_path",
        lambda w: verify_live(w["book"], w["path"]),
        ["BusinessCase.from_file(path).run()"],
    ),
    (
        "appraise_given_an_evaluation",
        lambda w: w["case"].appraise(w["evaluation"]),
        ["Results of case.run()"],
    ),
    ("income_chart_given_a_case", lambda w: plots.income_vs_costs(w["case"]), ["case.run()"]),
    (
        "cash_chart_given_an_evaluation",
        lambda w: plots.cash_and_reserves(w["evaluation"]),
        ["Results (case.run())"],
    ),
    (
        "appraisal_chart_given_results",
        lambda w: plots.appraisal_bars(w["results"]),
        ["case.appraise(results)"],
    ),
    (
        "tornado_chart_given_a_case",
        lambda w: plots.tornado(w["case"]),
        ["mutualfin.risk.tornado(case)"],
    ),
    ("fan_chart_given_results", lambda w: plots.fan_chart(w["results"]), ["risk.simulate"]),
    (
        "to_excel_appraisal_given_results",
        lambda w: w["results"].to_excel(w["out"], appraisal=w["results"]),
        ["case.appraise(results)"],
    ),
    (
        "to_excel_risk_given_an_evaluation",
        lambda w: w["results"].to_excel(w["out"], risk=w["evaluation"]),
        ["SimulationResult"],
    ),
    # a BusinessCase wanted
    ("simulate_given_a_path", lambda w: simulate(str(w["path"]), 10), ["from_file(path)"]),
    ("simulate_given_a_pathlib_path", lambda w: simulate(w["path"], 10), ["from_file(path)"]),
    ("simulate_given_results", lambda w: simulate(w["results"], 10), ["results.case"]),
    ("tornado_given_a_path", lambda w: tornado(str(w["path"])), ["from_file(path)"]),
    ("scenarios_given_a_path", lambda w: standard_scenarios(w["path"]), ["from_file(path)"]),
    ("run_scenarios_given_results", lambda w: run_scenarios(w["results"], []), ["results.case"]),
    (
        "two_way_given_a_path",
        lambda w: two_way(w["path"], "a", [1], "b", [2]),
        ["from_file(path)"],
    ),
    (
        "business_case_given_a_path",
        lambda w: mf.BusinessCase(str(w["path"]), []),
        ["BusinessCase.from_file(path)"],
    ),
    ("load_case_given_a_case", lambda w: load_case(w["case"]), ["BusinessCase already"]),
    # a Roster wanted
    (
        "staff_given_a_frame",
        lambda w: StaffCosts(w["frame"]),
        ["Roster.from_frame(frame, base_date)"],
    ),
    (
        "transfer_given_a_frame",
        lambda w: TransferCosts(w["frame"]),
        ["Roster.from_frame(frame, base_date)"],
    ),
    (
        "lgps_given_a_frame",
        lambda w: LgpsAdmission(w["frame"]),
        ["Roster.from_frame(frame, base_date)"],
    ),
    ("staff_given_a_path", lambda w: StaffCosts("staff.csv"), ["Roster.from_csv(path"]),
    (
        "roster_from_csv_given_a_frame",
        lambda w: mf.Roster.from_csv(w["frame"], "2026-04-01"),
        ["Roster.from_frame"],
    ),
    (
        "roster_from_frame_given_a_path",
        lambda w: mf.Roster.from_frame(str(w["path"]), "2026-04-01"),
        ["Roster.from_csv"],
    ),
    # a path wanted
    ("results_verify_given_results", lambda w: w["results"].verify(w["results"]), ["file path"]),
    ("to_excel_given_results", lambda w: w["results"].to_excel(w["results"]), ["file path"]),
    ("to_excel_given_none", lambda w: w["results"].to_excel(None), ["file path"]),
    ("recalculate_given_results", lambda w: recalculate(w["results"], w["out"]), ["path"]),
    (
        "edit_inputs_given_results",
        lambda w: edit_inputs(w["results"], w["out"], {}),
        ["results.verify(path)"],
    ),
]


@pytest.mark.parametrize(("call", "words"), [c[1:] for c in SWEEP], ids=[c[0] for c in SWEEP])
def test_the_neighbouring_object(tmp_path, world, call, words):
    refused(lambda: call(world), MutualfinError, *words, folder=tmp_path)


@pytest.mark.parametrize(
    "call",
    [
        lambda w: mf.BusinessCase.from_file(w["path"]),
        lambda w: mf.BusinessCase.from_file(str(w["path"])),
        lambda w: w["case"].simulate(20, seed=1, progress=False),
        lambda w: mf.Roster.from_frame(w["frame"], "2026-04-01"),
        lambda w: mf.Roster.from_csv(Path(w["path"]).parent / "staff.csv", "2026-04-01"),
        lambda w: run_scenarios(w["case"], standard_scenarios(w["case"])[0]),
    ],
    ids=["from_file_path", "from_file_str", "case_simulate", "from_frame", "from_csv", "one_scn"],
)
def test_the_neighbouring_object_that_works(world, call):
    assert call(world) is not None


@pytest.mark.libreoffice
def test_verify_accepts_the_results_the_workbook_was_written_from(soffice, world):
    """mutualfin.excel.verify(path, results) checks a case workbook as results.verify(path)
    does (summary links and checks included), rather than failing on Results.model."""
    report = verify(world["book"], world["results"])
    assert report.ok, str(report)
    assert report.checked == world["results"].verify(world["book"]).checked


def test_control_character_in_a_label_given_in_python(tmp_path):
    """A label made in Python (no case file checked it) with an ESC in it is refused as the
    workbook is written, with a WorkbookError, not openpyxl's IllegalCharacterError."""
    tl = mf.Timeline(2026, years=2)
    fee = mf.Input("contract.fee", 1_000, unit="GBP", label="Fee\x1b[31m")
    ev = mf.Model(tl, [mf.Line("income", fee * 1)]).evaluate()
    refused(
        lambda: write_workbook(ev, tmp_path / "m.xlsx"),
        MutualfinError,
        "control character",
        "\\x1b",
        folder=tmp_path,
    )
