"""Shared helpers for the bad-input catalogue.

Every case in the catalogue feeds mutualfin one bad input and asserts three things: the
exception is the project's own class (a :class:`~mutualfin.errors.MutualfinError` subclass,
never a bare ValueError, KeyError, TypeError or numpy error), the message carries the words a
finance officer needs to find and fix the problem, and no file in the working folder was
created or changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mutualfin.errors import MutualfinError

#: a minimal valid case file with no roster (it runs, its checks balance), so each test can
#: write it alone into its folder; ``mutualfin new``'s complete starter is tested in
#: tests/test_starter.py
GOOD_CASE = (Path(__file__).resolve().parents[1] / "data" / "minimal_case.toml").read_text(
    encoding="utf-8"
)

#: a valid roster: header row 1, employees from row 2
GOOD_ROSTER = (
    "id,role,fte,salary,date_of_birth,service_start,scheme,lgps_section,contract\n"
    "E001,Support worker,1.0,24500,1990-06-15,2015-09-01,LGPS,main,permanent\n"
    "E002,Support worker,0.5,24500,1985-01-20,2010-04-01,LGPS,50/50,permanent\n"
    "E003,Team manager,1.0,45000,1968-03-10,1995-04-01,LGPS,main,permanent\n"
)

BASE_DATE = "2026-04-01"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(
    action: Callable[[], Any],
    error: type[MutualfinError],
    *words: str,
    folder: Path,
) -> MutualfinError:
    """Run ``action``; assert it raises ``error`` (a MutualfinError) whose message has every
    one of ``words`` (plain text, or a regular expression when it starts with ``re:``), and
    that no file under ``folder`` was created, changed or removed."""
    assert issubclass(error, MutualfinError)
    before = snapshot(folder)
    with pytest.raises(MutualfinError) as info:
        action()
    exc = info.value
    assert isinstance(exc, error), f"{type(exc).__name__} is not {error.__name__}: {exc}"
    message = str(exc)
    for word in words:
        if word.startswith("re:"):
            assert re.search(word[3:], message), f"{word[3:]!r} not found in: {message}"
        else:
            assert word in message, f"{word!r} not in: {message}"
    assert snapshot(folder) == before, "a file was created or changed by a refused input"
    return exc


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """Write case-file text (default: the valid template) into the test's folder."""

    def write(text: str = GOOD_CASE, name: str = "case.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_roster(tmp_path: Path) -> Callable[..., Path]:
    """Write roster CSV text (or bytes) into the test's folder."""

    def write(content: str | bytes = GOOD_ROSTER, name: str = "staff.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
