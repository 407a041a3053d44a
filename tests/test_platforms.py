"""LibreOffice found where Windows, macOS and Linux install it, and the install route named
for the platform the user is on (issue 22, item 5)."""

from __future__ import annotations

from pathlib import PureWindowsPath

import pytest

from mutualfin.workbook import recalc


def test_windows_program_files_and_a_per_user_install():
    env = {
        "PROGRAMFILES": r"D:\Apps",
        "PROGRAMFILES(X86)": r"D:\Apps (x86)",
        "LOCALAPPDATA": r"C:\Users\ann\AppData\Local",
    }
    got = recalc.soffice_candidates("win32", env)
    assert got[0] == PureWindowsPath(r"D:\Apps\LibreOffice\program\soffice.exe")
    assert PureWindowsPath(r"C:\Program Files\LibreOffice\program\soffice.exe") in got
    assert got[-1] == PureWindowsPath(
        r"C:\Users\ann\AppData\Local\Programs\LibreOffice\program\soffice.exe"
    )
    assert len(got) == len(set(got))  # no folder tried twice


def test_macos_applications_homebrew_and_the_users_own_folder():
    got = [str(p) for p in recalc.soffice_candidates("darwin", {"HOME": "/Users/ann"})]
    assert got[0] == "/Applications/LibreOffice.app/Contents/MacOS/soffice"
    assert "/Users/ann/Applications/LibreOffice.app/Contents/MacOS/soffice" in got
    assert "/opt/homebrew/bin/soffice" in got


def test_found_at_a_platform_path_when_not_on_the_path(monkeypatch, tmp_path):
    program = tmp_path / "LibreOffice.app" / "Contents" / "MacOS" / "soffice"
    program.parent.mkdir(parents=True)
    program.write_text("")
    monkeypatch.delenv("MUTUALFIN_SOFFICE", raising=False)
    monkeypatch.setattr(recalc.shutil, "which", lambda name: None)
    monkeypatch.setattr(recalc, "soffice_candidates", lambda: [tmp_path / "none", program])
    assert recalc.find_soffice() == str(program)
    monkeypatch.setattr(recalc, "soffice_candidates", lambda: [tmp_path / "none"])
    assert recalc.find_soffice() is None


@pytest.mark.parametrize(
    ("platform", "words"),
    [
        ("win32", "winget install TheDocumentFoundation.LibreOffice"),
        ("darwin", "brew install --cask libreoffice"),
        ("linux", "apt-get install -y --no-install-recommends libreoffice-calc-nogui"),
    ],
)
def test_install_hint_names_the_platforms_route(platform, words):
    hint = recalc.install_hint(platform)
    assert words in hint and "MUTUALFIN_SOFFICE" in hint
    others = {"win32", "darwin", "linux"} - {platform}
    for other in others:
        assert recalc.install_hint(other) != hint
