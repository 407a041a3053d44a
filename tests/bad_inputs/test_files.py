"""Files: writes are atomic (a full disk or an interruption leaves the earlier workbook
byte-identical and no temporary file behind), an existing workbook is never replaced without
overwrite=True (not even by a writer racing for the same name, nor through a dangling link),
and a new workbook's permissions follow the umask while a replaced one keeps its own."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from mutualfin.case import BusinessCase
from mutualfin.errors import WorkbookError
from mutualfin.excel import writer

from .conftest import refused, snapshot


@pytest.fixture
def results(write_case):
    return BusinessCase.from_file(write_case()).run()


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills halfway through writing any file (an injected ENOSPC)."""
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)


@pytest.fixture
def umask():
    """Set the process umask for a test, and put it back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- a full disk (issue 20, item 6) -----------------------------------------------------------
def test_full_disk_leaves_the_earlier_workbook_intact(tmp_path, results, monkeypatch):
    book = results.to_excel(tmp_path / "case.xlsx")
    real_write = os.write

    def half_then_full(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    exc = refused(
        lambda: results.to_excel(book, overwrite=True),
        WorkbookError,
        "could not write",
        "case.xlsx",
        "No space left on device",
        "free some space",
        "earlier file is unchanged",
        folder=tmp_path,  # same bytes, no temporary file left
    )
    assert ".tmp" not in str(exc)  # the message names the workbook, not a temporary file


def test_full_disk_on_a_new_workbook_creates_nothing(tmp_path, results, full_disk):
    refused(
        lambda: results.to_excel(tmp_path / "case.xlsx"),
        WorkbookError,
        "No space left on device",
        folder=tmp_path,
    )


@pytest.mark.libreoffice
def test_full_disk_while_storing_values(soffice, tmp_path, results, monkeypatch):
    """--store-values saves LibreOffice's copy last: a full disk then leaves no hidden
    temporary file in the output folder."""
    book = results.to_excel(tmp_path / "case.xlsx")
    real_write = os.write

    def full_in_the_output_folder(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(tmp_path)):
            real_write(fd, bytes(data[:100]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_in_the_output_folder)
    refused(
        lambda: results.to_excel(book, overwrite=True, store_values=True),
        WorkbookError,
        "No space left on device",
        folder=tmp_path,
    )


# -- permissions and races (issue 20, item 7) -------------------------------------------------
@pytest.mark.parametrize(("mask", "want"), [(0o002, 0o664), (0o022, 0o644), (0o077, 0o600)])
def test_a_new_workbook_follows_the_umask(tmp_path, results, umask, mask, want):
    umask(mask)
    assert mode(results.to_excel(tmp_path / "case.xlsx")) == want


def test_overwrite_keeps_a_shared_workbooks_mode(tmp_path, results, umask):
    book = results.to_excel(tmp_path / "case.xlsx")
    os.chmod(book, 0o664)  # shared with the finance team
    umask(0o077)
    results.to_excel(book, overwrite=True)
    assert mode(book) == 0o664


def test_a_writer_that_loses_the_race_replaces_nothing(tmp_path, results, monkeypatch):
    """Another run creates the workbook while this one is saving (after its check that the
    name is free): this one is refused, and the other's file is left as it was."""
    book = tmp_path / "case.xlsx"
    real_fsync = os.fsync

    def the_other_run_finishes(fd):
        real_fsync(fd)
        book.write_bytes(b"the other run's workbook")

    monkeypatch.setattr(os, "fsync", the_other_run_finishes)
    with pytest.raises(WorkbookError, match="already exists"):
        results.to_excel(book)
    assert book.read_bytes() == b"the other run's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml", "case.xlsx"]


def test_racing_writers_exactly_one_wins(tmp_path, results):
    for trial in range(3):
        book = tmp_path / f"race{trial}.xlsx"
        start = threading.Barrier(3)
        outcomes: list[str] = []

        def write(book=book, start=start, outcomes=outcomes):
            start.wait()
            try:
                results.to_excel(book)
                outcomes.append("written")
            except WorkbookError as exc:
                outcomes.append("refused" if "already exists" in str(exc) else str(exc))

        threads = [threading.Thread(target=write) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["refused", "refused", "written"], outcomes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_dangling_link_is_not_replaced_without_overwrite(tmp_path, results):
    link = tmp_path / "case.xlsx"
    link.symlink_to(tmp_path / "gone" / "case.xlsx")
    refused(
        lambda: results.to_excel(link),
        WorkbookError,
        "already exists",
        "symbolic link",
        folder=tmp_path,
    )
    assert link.is_symlink()


# -- refused before writing -------------------------------------------------------------------
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


def test_save_bytes_refuses_a_missing_folder(tmp_path):
    """save_bytes (which writes every file: workbooks, new case files) creates no folder."""
    refused(
        lambda: writer.save_bytes(tmp_path / "no" / "x.toml", b"x"),
        WorkbookError,
        "does not exist",
        folder=tmp_path,
    )
    assert snapshot(tmp_path) == {}
