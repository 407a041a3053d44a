"""The engine guards themselves: in CI a missing LibreOffice, or a missing second engine
(the formulas package, Excel's rules), must fail, not skip."""

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


def test_missing_second_engine_fails_in_ci(tmp_path):
    test = tmp_path / "test_probe.py"
    test.write_text("def test_needs_formulas(excel_rules):\n    pass\n")
    (tmp_path / "conftest.py").write_text("from tests.conftest import excel_rules  # noqa: F401\n")
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "CI": "true", "PYTHONPATH": root}
    code = (
        "import sys, pytest, mutualfin.workbook.excel_rules as e; e.find_formulas = lambda: None; "
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {str(test)!r}]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "the formulas package (the second verification engine, Excel's rules) is" in (
        proc.stdout
    )
