"""Files: writes are atomic (an interrupted save leaves the earlier workbook byte-identical and
no temporary file behind), an existing workbook is never replaced without overwrite=True."""

from __future__ import annotations

import openpyxl
import pytest

from mutualfin.case import BusinessCase
from mutualfin.errors import WorkbookError

from .conftest import refused, snapshot


@pytest.fixture
def results(write_case):
    return BusinessCase.from_file(write_case()).run()


def test_interrupted_write_leaves_the_earlier_workbook_intact(tmp_path, results, monkeypatch):
    book = results.to_excel(tmp_path / "case.xlsx")
    before = snapshot(tmp_path)

    def half_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_save)
    with pytest.raises(OSError, match="No space left"):
        results.to_excel(book, overwrite=True)
    assert snapshot(tmp_path) == before  # same bytes, no temporary file left


def test_existing_workbook_not_replaced_without_overwrite(tmp_path, results):
    book = results.to_excel(tmp_path / "case.xlsx")
    refused(
        lambda: results.to_excel(book),
        WorkbookError,
        "already exists",
        "overwrite=True",
        folder=tmp_path,
    )


def test_output_folder_missing(tmp_path, results):
    refused(
        lambda: results.to_excel(tmp_path / "no" / "case.xlsx"),
        WorkbookError,
        "does not exist",
        "create it first",
        folder=tmp_path,
    )


def test_output_folder_is_a_file(tmp_path, results):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    refused(
        lambda: results.to_excel(blocker / "case.xlsx"),
        WorkbookError,
        "does not exist",
        folder=tmp_path,
    )


def test_output_not_xlsx(tmp_path, results):
    refused(
        lambda: results.to_excel(tmp_path / "case.xls"),
        WorkbookError,
        "must end in .xlsx",
        folder=tmp_path,
    )
