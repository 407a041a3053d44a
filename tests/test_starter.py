"""A first case that cannot mislead: ``mutualfin new`` writes a complete starter case and its
roster; it runs to plausible figures; a case without a core part (staff costs, support
services) says so in Python, on the command line and on the workbook's Summary; and text a
finance officer types ("2.5%", "01/04/2026") is read as meant and echoed on the Inputs sheet."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest

import mutualfin as mf
from mutualfin.errors import CaseFileError, IncompleteCaseWarning

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "mutualfin.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture(scope="module")
def starter(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("starter")
    proc = cli("new", "x.toml", cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert "Starter roster written: x_staff.csv" in proc.stdout
    return folder / "x.toml"


def _without(case_file: Path, *sections: str) -> Path:
    """A copy of the case file with whole sections removed, beside it (so its roster is found)."""
    text = case_file.read_text(encoding="utf-8")
    for section in sections:
        text, n = re.subn(rf"\n\[{section}\].*?\n\n", "\n\n", text, flags=re.S)
        assert n == 1, section
    out = case_file.with_name(f"without_{'_'.join(sections)}.toml")
    out.write_text(text, encoding="utf-8")
    return out


def test_new_writes_a_complete_case_and_a_roster_beside_it(starter):
    data = tomllib.loads(starter.read_text(encoding="utf-8"))
    for section in ("roster", "contract", "staff", "lgps", "legal_form", "premises",
                    "overheads", "vat", "setup", "finance", "appraisal"):  # fmt: skip
        assert section in data, section
    assert data["roster"]["file"] == "x_staff.csv"
    roster = mf.Roster.from_csv(starter.with_name("x_staff.csv"), "2026-04-01")
    assert len(roster.ids) == 15  # a small service: 15 posts


def test_new_then_run_gives_a_plausible_case(starter):
    """The starter's figures are those of a small service a council could spin out: income
    about £800k, staff most of the cost, a modest surplus, cash never below zero, reserves
    building from a month of operating cost."""
    with pytest.warns(mf.errors.AssumptionWarning) as caught:
        case = mf.BusinessCase.from_file(starter)
    assert not [w for w in caught if issubclass(w.category, IncompleteCaseWarning)]
    assert case.missing == []
    results = case.run()
    m = results.metrics
    income = results["total_income"].to_numpy()
    staff = results["staff_costs"].to_numpy()
    costs = results["operating_costs"].to_numpy()
    assert 700_000 < income[0] < 900_000
    assert 0.6 < staff[0] / costs[0] < 0.9  # pay is most of a service's cost
    assert 0.85 < costs[0] / income[0] < 1.0
    assert 0.01 < m["surplus_margin"] < 0.10
    assert m["minimum_cash"] > 0
    assert 1 <= results["reserves_months"].iloc[-1] <= 6
    assert bool(results.checks["ok"].all())

    out = starter.with_name("x.xlsx")
    proc = cli("run", starter.name, "-o", out.name, "--no-verify", cwd=starter.parent)
    assert proc.returncode == 0, proc.stderr
    assert "INCOMPLETE" not in proc.stdout
    assert re.search(r"Checks +OK", proc.stdout)


def test_a_case_without_staff_says_so_in_python_cli_and_workbook(starter, tmp_path):
    nostaff = _without(starter, "staff")
    with pytest.warns(IncompleteCaseWarning, match="INCOMPLETE CASE.*no staff costs"):
        case = mf.BusinessCase.from_file(nostaff)
    assert [m.split(":")[0] for m in case.missing] == ["no staff costs"]

    proc = cli("run", nostaff.name, "-o", "nostaff.xlsx", "--no-verify", cwd=starter.parent)
    assert proc.returncode == 0, proc.stderr
    head = proc.stdout.split("Income and expenditure")[0]
    assert "WARNING: INCOMPLETE CASE" in head and "no staff costs: add [staff]" in head
    assert proc.stdout.rstrip().endswith("see the top of this output")

    summary = openpyxl.load_workbook(starter.with_name("nostaff.xlsx"))["Summary"]
    assert summary["A3"].value.startswith("INCOMPLETE CASE: the figures leave out no staff costs")
    assert summary["A3"].font.color.rgb.endswith("C00000")


def test_a_case_without_support_services_names_both_missing_parts(starter):
    neither = _without(starter, "staff", "overheads")
    with pytest.warns(IncompleteCaseWarning):
        case = mf.BusinessCase.from_file(neither)
    assert [m.split(":")[0] for m in case.missing] == ["no staff costs", "no support services"]


def test_percentages_and_uk_dates_are_read_and_echoed_on_the_inputs_sheet(starter, tmp_path):
    case = mf.BusinessCase.from_file(starter)
    contract = case.components["contract"]
    assert contract.inputs.indexation == 0.025  # "2.5%"
    assert contract.inputs.start_date.isoformat() == "2026-04-01"  # "01/04/2026"
    assert case.components["staff"].inputs.pay_award == [0.0, 0.03, 0.025, 0.02, 0.02]
    assert case.readings["contract.indexation"] == '"2.5%" read as 0.025 (2.5%)'
    assert case.readings["contract.start_date"] == (
        '"01/04/2026" read as 2026-04-01 (1 April 2026)'
    )
    assert case.readings["roster.base_date"] == '"01/04/2026" read as 2026-04-01 (1 April 2026)'
    path = case.run().to_excel(tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(path)["Inputs"]
    rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert "How text in the case file was read" in rows
    assert rows["contract.indexation"] == '"2.5%" read as 0.025 (2.5%)'
    assert rows["staff.pay_award[1]"] == '"3%" read as 0.03 (3%)'
    assert rows["contract.start_date"] == '"01/04/2026" read as 2026-04-01 (1 April 2026)'
    values = {r[0]: r[3] for r in ws.iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert values["contract_indexation"] == 0.025


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('value = "2.5%"', 'value = "two%"', ["[contract]", "indexation", "'two%'", '"3%"']),
        ('start_date = "01/04/2026"', 'start_date = "31/02/2026"', ["start_date", "not a date"]),
        ('start_date = "01/04/2026"', 'start_date = "04/31/2026"', ["day first"]),
    ],
    ids=["bad_percentage", "no_such_day", "month_first"],
)
def test_text_that_cannot_be_read_is_refused_naming_the_input(starter, old, new, words):
    text = starter.read_text(encoding="utf-8")
    assert old in text
    bad = starter.with_name("bad.toml")
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CaseFileError) as err:
        mf.BusinessCase.from_file(bad)
    for w in ["bad.toml", *words]:
        assert w in str(err.value), str(err.value)


def test_a_percentage_is_only_for_a_rate(starter):
    """ "5%" for an amount of money is not read as 0.05: the schema refuses it as text."""
    with pytest.raises(mf.errors.InputError, match="overheads.hr"):
        mf.costs.Overheads(hr="5%")


def test_new_refuses_when_the_roster_exists(tmp_path):
    (tmp_path / "x_staff.csv").write_text("id\n", encoding="utf-8")
    proc = cli("new", "x.toml", cwd=tmp_path)
    assert proc.returncode == 2 and "x_staff.csv" in proc.stderr and "already exists" in proc.stderr
    assert not (tmp_path / "x.toml").exists()
