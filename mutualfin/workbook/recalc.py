"""Recalculate a workbook headless in LibreOffice, in an isolated profile.

openpyxl writes formulas without cached values, so nothing in the file can be trusted until a
real spreadsheet engine has computed it. We start LibreOffice with a fresh user profile in a
temporary folder (so no user settings, macros or locks interfere), configured to recalculate
every formula on load, and convert the file to a new .xlsx that holds the computed values.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mutualfin.errors import RecalculationError

__all__ = ["find_soffice", "recalculate"]

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

INSTALL_HINT = (
    "install LibreOffice Calc to recalculate workbooks: on Debian/Ubuntu "
    "'apt-get install -y --no-install-recommends libreoffice-calc-nogui'"
)


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None."""
    env = os.environ.get("MUTUALFIN_SOFFICE")
    if env:
        return env
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    for candidate in (
        "/usr/bin/soffice",
        "/usr/lib/libreoffice/program/soffice",
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    ):
        if Path(candidate).exists():
            return candidate
    return None


def recalculate(path: str | os.PathLike, out_dir: str | os.PathLike, timeout: float = 300) -> Path:
    """Recalculate ``path`` in LibreOffice and write the result into ``out_dir``.

    Returns the path of the recalculated copy (same file name, in ``out_dir``). The input file
    is not changed.
    """
    src = Path(path)
    if not src.is_file():
        raise RecalculationError(f"workbook {str(src)!r} does not exist")
    soffice = find_soffice()
    if soffice is None:
        raise RecalculationError(f"LibreOffice (soffice) was not found; {INSTALL_HINT}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if out.resolve() == src.parent.resolve():
        raise RecalculationError("out_dir must differ from the workbook's folder")
    with tempfile.TemporaryDirectory(prefix="mutualfin-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ]
        env = {**os.environ, "HOME": profile}
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise RecalculationError(
                f"LibreOffice did not finish recalculating {src.name} within {timeout:.0f} s"
            ) from None
    result = out / (src.stem + ".xlsx")
    if proc.returncode != 0 or not result.is_file():
        raise RecalculationError(
            f"LibreOffice failed to recalculate {src.name} (exit {proc.returncode}): "
            f"{(proc.stderr or proc.stdout).strip()[:500]}"
        )
    return result
