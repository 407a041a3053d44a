"""The publication pack and the full model (issue 18, part 3), and the Summary's findings
(part 2): no per-employee data in the pack, staff by role in cohorts of at least five, the
pack proven equal to the full model, the full model marked OFFICIAL-SENSITIVE, the printed
pack within 15 pages, and live findings whose status follows an edited input."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import mutualfin as mf
from mutualfin.errors import WorkbookError
from mutualfin.excel.case_workbook import verify_live
from mutualfin.excel.writer import plan_layout
from mutualfin.workbook.cohorts import Cohorts, per_employee_digest, staff_cohorts
from mutualfin.workbook.publication import (
    DIGEST_LABEL,
    case_cohorts,
    pack_of,
    sensitive_path,
)
from mutualfin.workbook.summary import FIGURE_COL, FIRST_FINDING_ROW, STATUS_COL

ROOT = Path(__file__).resolve().parent.parent
YOUTH = ROOT / "models" / "youth_service.toml"


@pytest.fixture(scope="module")
def youth():
    case = mf.BusinessCase.from_file(YOUTH)
    results = case.run()
    return case, results, case.appraise(results)


@pytest.fixture(scope="module")
def books(youth, tmp_path_factory):
    case, results, appraisal = youth
    folder = tmp_path_factory.mktemp("books")
    sim = case.simulate(500, seed=1, progress=False)
    pub = results.to_excel(folder / "youth.xlsx", appraisal=appraisal, risk=sim)
    full = results.to_excel(sensitive_path(pub), appraisal=appraisal, risk=sim, pack="full")
    return pub, full


# -- cohorts, worked by hand --------------------------------------------------------------------
def test_small_roles_merge_into_other_roles_when_they_make_five():
    c = staff_cohorts(["Worker"] * 7 + ["Head"] + ["Manager"] * 2 + ["Clerk"] * 2)
    assert c.labels == ("Worker (7 staff)", "Other roles (5 staff)")
    assert c.index.tolist() == [0] * 7 + [1] * 5


def test_other_roles_still_under_five_join_the_smallest_cohort():
    c = staff_cohorts(["A"] * 9 + ["B"] * 5 + ["Head"])
    assert c.labels == ("A (9 staff)", "B and other roles (6 staff)")
    assert c.sizes.tolist() == [9, 6]


def test_fewer_than_five_staff_are_one_cohort_and_blank_roles_are_named():
    assert staff_cohorts(["A", "B", ""]).labels == ("All staff (3 staff)",)
    assert staff_cohorts([""] * 6).labels == ("Role not given (6 staff)",)


def test_money_adds_up_by_cohort_and_rates_average():
    c = Cohorts(labels=("x", "y"), index=np.array([0, 0, 1]), names=("x", "y"))
    pay = np.array([[100.0, 110.0], [200.0, 220.0], [50.0, 55.0]])
    assert c.aggregate(pay, "GBP").tolist() == [[300.0, 330.0], [50.0, 55.0]]
    rate = np.array([[0.2], [0.3], [0.1]])
    assert c.aggregate(rate, "fraction") == pytest.approx(np.array([[0.25], [0.1]]))


def test_youth_cohorts_are_roles_of_five_or_more(youth):
    _, results, _ = youth
    cohorts = case_cohorts(results)
    assert min(cohorts.sizes) >= 5
    assert cohorts.sizes.sum() == 155
    # the head of service and the four service managers cannot be told apart
    assert any("and other roles" in label or "Other roles" in label for label in cohorts.labels)


# -- the publication pack holds no per-employee data --------------------------------------------
def test_publication_pack_has_no_roster_and_no_employee_id(youth, books):
    case, results, _ = youth
    pub, _ = books
    assert pack_of(pub) == "publication"
    wb = openpyxl.load_workbook(pub)
    assert "Roster" not in wb.sheetnames
    ids = {str(i) for i in case.entities.ids}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert str(cell.value) not in ids, f"{ws.title}!{cell.coordinate}"
    # each per-employee line is one row per cohort, each labelled with its head count
    cohorts = case_cohorts(results)
    layout, _ = plan_layout(case.model, cohorts)
    sheet, row = layout.lines["pay_employee"]
    labels = [wb[sheet].cell(row=row + c, column=2).value for c in range(len(cohorts))]
    assert labels == list(cohorts.labels)
    # the working sheets are hidden, so the printed pack is the cabinet's (the case planned
    # by month: its statements by financial year; month by month they are a working sheet,
    # which no page prints legibly, and the Summary has cash by month)
    shown = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert shown == [
        "Cover",
        "Contents",
        "Summary",
        "Inputs",
        "Statements by year",
        "Council budget",
        "Appraisal",
        "Risk",
        "Checks",
    ]
    assert all(wb[t].print_area for t in shown)


def test_full_model_is_marked_and_its_employee_blocks_fold(youth, books):
    case, _, _ = youth
    _, full = books
    assert full.name == "youth-OFFICIAL-SENSITIVE.xlsx"
    assert pack_of(full) == "full"
    wb = openpyxl.load_workbook(full)
    for ws in wb.worksheets:
        assert ws.oddHeader.right.text == "OFFICIAL-SENSITIVE"
        assert ws.oddFooter.right.text == "OFFICIAL-SENSITIVE"
    cover = {r[0].value: r[1].value for r in wb["Cover"].iter_rows(max_col=2)}
    assert cover["Protective marking"] == "OFFICIAL-SENSITIVE"
    assert "not for publication" in cover["Workbook"]
    layout, _ = plan_layout(case.model)
    sheet, row = layout.lines["pay_employee"]
    dims = wb[sheet].row_dimensions
    assert [dims[row + i].outline_level for i in (0, 154)] == [1, 1]
    assert dims[row - 1].outline_level == 0  # the block's header row stays in view


def test_both_workbooks_record_the_per_employee_checksum(youth, books):
    _, results, _ = youth
    digest = per_employee_digest(results.evaluation)
    for path in books:
        cover = openpyxl.load_workbook(path)["Cover"]
        found = {r[0].value: r[1].value for r in cover.iter_rows(max_col=2)}
        assert found[DIGEST_LABEL] == digest


# -- proven equal to the full model -------------------------------------------------------------
@pytest.mark.libreoffice
def test_publication_pack_verifies_and_a_changed_cohort_value_is_caught(
    soffice, youth, books, tmp_path
):
    case, results, _ = youth
    pub, _ = books
    report = results.verify(pub, excel_rules=False)
    assert report.ok, str(report)
    cohorts = case_cohorts(results)
    layout, _ = plan_layout(case.model, cohorts)
    sheet, row = layout.lines["employer_ni_employee"]
    wb = openpyxl.load_workbook(pub)
    wb[sheet].cell(row=row, column=6).value += 1000.0  # a cohort's NI typed over
    cover = wb["Cover"]
    for r in cover.iter_rows(max_col=2):
        if r[0].value == DIGEST_LABEL:
            r[1].value = "0" * 64
    tampered = tmp_path / "tampered.xlsx"
    wb.save(tampered)
    bad = results.verify(tampered, excel_rules=False)
    where = {f"{m.sheet}!{m.cell}" for m in bad.mismatches}
    assert f"{sheet}!F{row}" in where  # the value itself, and the total it feeds
    assert any(m.what == DIGEST_LABEL for m in bad.mismatches)


@pytest.mark.libreoffice
def test_findings_follow_an_edited_input_in_the_pack(soffice, youth, books):
    """The cash finding's sentence and status are live: a contract of £3.2m leaves cash below
    the floor, and LibreOffice shows RED where the case as shipped is not red."""
    _, results, _ = youth
    pub, _ = books
    changes = {"contract.annual_value": 3_200_000.0}
    with tempfile.TemporaryDirectory() as tmp:
        from mutualfin.excel import edit_inputs, recalculate

        edited = edit_inputs(pub, Path(tmp) / "edited.xlsx", changes)
        calc = recalculate(edited, Path(tmp) / "calc")
        ws = openpyxl.load_workbook(calc, data_only=True)["Summary"]
        cash_row = FIRST_FINDING_ROW + 1
        assert ws.cell(row=cash_row, column=STATUS_COL).value == "RED"
        assert ws.cell(row=cash_row, column=1).value.startswith("Not viable on cash")
        assert ws.cell(row=cash_row, column=FIGURE_COL).value < 0
    _, report = verify_live(pub, results, changes=changes, excel_rules=False)
    assert report.ok, str(report)


@pytest.mark.libreoffice
def test_staff_inputs_are_proven_live_in_the_full_model_not_the_pack(soffice, youth, books):
    _, results, _ = youth
    pub, full = books
    with pytest.raises(WorkbookError, match="feeds per-employee figures"):
        verify_live(pub, results, changes={"staff.vacancy_factor": 0.05}, excel_rules=False)
    _, report = verify_live(
        full, results, changes={"staff.vacancy_factor": 0.05}, excel_rules=False
    )
    assert report.ok, str(report)


@pytest.mark.libreoffice
def test_printed_publication_pack_is_at_most_15_pages_with_the_summary_on_one(soffice, books):
    pub, _ = books
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(pub),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = (Path(tmp) / (pub.stem + ".pdf")).read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 5 <= pages <= 15, pages
    summary = openpyxl.load_workbook(pub)["Summary"]
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 1)
    assert len(summary._charts) == 1  # cash against the floor, on the same page
    # against each period's last day (the Timeline's row), straight lines: a financial year
    # after the months takes a year's width, not a month's as on a category axis
    [chart] = summary._charts
    assert type(chart).__name__ == "ScatterChart"
    assert {s.xVal.numRef.f for s in chart.series} == {"Timeline!$F$6:$AF$6"}  # 27 periods
    assert not any(s.smooth for s in chart.series)
