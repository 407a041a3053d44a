"""``verify --live`` edits a workbook's inputs as a finance officer would; its edits are held
to the bounds the case file is held to, and the inputs it picks must move the figures
(issue 20, items 3 and 10)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mutualfin.case import BusinessCase
from mutualfin.errors import InputError
from mutualfin.workbook.case_workbook import live_candidates, verify_live

from .conftest import refused

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = [
    os.path.join(ROOT, "models", f"{name}.toml")
    for name in ("youth_service", "learning_disability_coop", "schools_support")
]


@pytest.fixture
def written(tmp_path, write_case):
    results = BusinessCase.from_file(write_case()).run()
    return results.to_excel(tmp_path / "case.xlsx"), results


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"contract.payment_lag_months": 1.1}, ["payment_lag_months", "1.1 is not a whole"]),
        ({"finance.creditor_days": 366}, ["finance.creditor_days", "366 is above 365"]),
        ({"overheads.hr": -10}, ["overheads.hr", "-10 is negative"]),
    ],
    ids=["payment_lag_1.1", "creditor_days_366", "negative_overhead"],
)
def test_live_edit_outside_the_bounds(tmp_path, written, changes, words):
    path, results = written
    refused(
        lambda: verify_live(path, results, changes=changes), InputError, *words, folder=tmp_path
    )


@pytest.mark.parametrize(("samples", "seed"), [(-1, 0), (0, 0), (2, -1), (True, 0)])
def test_live_counts_that_are_not_counts(tmp_path, written, samples, seed):
    path, results = written
    refused(
        lambda: verify_live(path, results, samples=samples, seed=seed),
        InputError,
        "verify_live",
        "whole number",
        folder=tmp_path,
    )


def test_live_picks_whole_numbers_for_whole_inputs(write_case):
    results = BusinessCase.from_file(write_case()).run()
    picks = live_candidates(results)
    assert picks["contract.payment_lag_months"] == 2.0  # 1 month moves to 2, not 1.1
    assert picks["finance.creditor_days"] == pytest.approx(33.0)  # 30 days by 10%


@pytest.mark.parametrize("path", MODELS, ids=lambda p: os.path.basename(p))
def test_live_picks_only_inputs_that_move_the_figures(path):
    """Every input the live check may pick changes some figure of the case by more than half
    a penny when set to its new value; one that moves nothing is never picked."""
    case = BusinessCase.from_file(path)
    results = case.run()
    picks = live_candidates(results)
    assert len(picks) >= 10
    base = results.evaluation
    totals = [n for n in case.model.lines if case.model.shapes[n].entity is None]
    for name, value in picks.items():
        changed = case.run({name: [value]}).evaluation
        moved = max(float(np.max(np.abs(changed.array(n) - base.array(n)))) for n in totals)
        assert moved > 0.005, name
    if "transfer.not_transferred_years" in case.model.inputs:  # nobody is left behind
        assert "transfer.not_transferred_years" not in picks
