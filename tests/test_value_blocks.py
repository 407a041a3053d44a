"""The value blocks' checksums hold through a save: each figure computed by mutualfin is
written to 15 significant digits, the digits the checksum keeps, whichever program saves."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl

import mutualfin as mf
from mutualfin.workbook.case_workbook import build_case_workbook
from mutualfin.workbook.fingerprint import (
    RECORD_SHEET,
    _read_blocks,
    _stamp_rows,
    _stamp_text,
    block_checksum,
)
from mutualfin.workbook.publication import case_cohorts
from mutualfin.workbook.writer import plan_layout

MODELS = Path(__file__).resolve().parent.parent / "models"


def test_the_double_rounding_a_16_digit_save_makes():
    """openpyxl saves a float to 16 significant digits: 336,758.85125532746 is saved as
    336,758.8512553275, which rounds to 15 digits as ...328, where the float itself rounds
    to ...327. Written at 15 digits first, it is saved and read back as itself."""
    v = 336_758.85125532746
    saved = float(f"{v:.16g}")
    assert f"{v:.15g}" == "336758.851255327" and f"{saved:.15g}" == "336758.851255328"
    kept = float(f"{v:.15g}")
    assert float(f"{kept:.16g}") == kept


def test_summary_findings_block_keeps_its_checksum_when_saved(tmp_path):
    """Regression: the youth case planned by month ranks its mutual option first by exactly
    such a figure (£336,758.85125532746 ahead on net present social value), and the
    Summary's block of findings computed by mutualfin failed its checksum once saved. Every
    block's checksum read back from the saved file is the one recorded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mf.errors.AssumptionWarning)
        case = mf.BusinessCase.from_file(MODELS / "youth_service.toml")
        results = case.run()
    wb = build_case_workbook(results, appraisal=case.appraise(results))
    wb.save(tmp_path / "pack.xlsx")
    back = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    sheets = set(back.sheetnames) - {RECORD_SHEET}
    layout, _ = plan_layout(case.model, case_cohorts(results))
    head = _stamp_rows(case.model, layout, sheets)[1]
    blocks = _read_blocks(back[RECORD_SHEET], head, [])
    assert any(b.title == "Summary: findings computed by mutualfin" for b in blocks)
    stamp = _stamp_text(back[RECORD_SHEET], case.model, layout, sheets)
    for b in blocks:
        assert block_checksum(back[b.sheet], b.range, b.flag, stamp) == b.checksum, b.title


def test_risk_block_with_a_date_percentile_keeps_its_checksum(tmp_path):
    """Regression: the Monte Carlo percentiles include the month of the lowest cash, a date
    serial (46,143 for 1 May 2026) written as a number in a date format, which openpyxl reads
    back as a date; the checksum takes a date as its serial number either way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mf.errors.AssumptionWarning)
        case = mf.BusinessCase.from_file(MODELS / "youth_service.toml")
        results = case.run()
        risk = case.simulate(200, seed=1, progress=False).tables()
    assert "minimum_cash_date" in risk["metric_percentiles"].index
    wb = build_case_workbook(results, risk=risk)
    wb.save(tmp_path / "pack.xlsx")
    back = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    dates = [c for row in back["Risk"].iter_rows() for c in row if c.is_date and c.value]
    assert dates  # the percentiles of the month, read back as dates
    sheets = set(back.sheetnames) - {RECORD_SHEET}
    layout, _ = plan_layout(case.model, case_cohorts(results))
    head = _stamp_rows(case.model, layout, sheets)[1]
    stamp = _stamp_text(back[RECORD_SHEET], case.model, layout, sheets)
    (block,) = [b for b in _read_blocks(back[RECORD_SHEET], head, []) if b.sheet == "Risk"]
    assert block_checksum(back["Risk"], block.range, block.flag, stamp) == block.checksum
