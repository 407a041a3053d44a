"""The LibreOffice guard itself: in CI a missing LibreOffice must fail, not skip."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_missing_libreoffice_fails_in_ci(tmp_path):
    test = tmp_path / "test_probe.py"
    test.write_text(
        textwrap.dedent(
            """
            def test_needs_lo(soffice):
                pass
            """
        )
    )
    conftest = tmp_path / "conftest.py"
    conftest.write_text("from tests.conftest import soffice  # noqa: F401\n")
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {
        **os.environ,
        "CI": "true",
        "MUTUALFIN_SOFFICE": "",
        "PATH": "/nonexistent",
        "PYTHONPATH": root,
    }
    # MUTUALFIN_SOFFICE empty and PATH empty: find_soffice only finds fixed install paths,
    # so point those away by running with a patched finder
    code = (
        "import sys, pytest, mutualfin.excel.recalc as r; r.find_soffice = lambda: None; "
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {str(test)!r}]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "LibreOffice is required in CI" in proc.stdout


def test_ci_recalculates_in_one_libreoffice_process(libreoffice_session):
    """CI installs LibreOffice's uno module, so the suite shares one LibreOffice process."""
    import os

    from mutualfin.workbook import recalc

    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        return  # locally, either way is right
    assert recalc.find_uno_python() is not None, "install python3-uno (see .ci/run)"
    assert libreoffice_session is not None and libreoffice_session.alive
