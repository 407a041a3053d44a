"""Recalculate a workbook headless in LibreOffice, in an isolated profile.

openpyxl writes formulas without cached values, so nothing in the file can be trusted until a
real spreadsheet engine has computed it. We start LibreOffice with a fresh user profile in a
temporary folder (so no user settings, macros or locks interfere), configured to recalculate
every formula on load, and convert the file to a new .xlsx that holds the computed values.

Starting LibreOffice takes a couple of seconds. Inside :func:`recalculation_session` (or with a
:class:`Recalculator` of your own), every recalculation goes to one LibreOffice process kept
running, driven through its UNO interface by a small worker (``_uno_worker.py``) under a
Python that has LibreOffice's ``uno`` module (Debian: the package python3-uno); where none is
found, each recalculation starts LibreOffice as before, with the same result.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path, PurePath, PureWindowsPath

from mutualfin.core.checks import wrong_kind
from mutualfin.errors import RecalculationError

__all__ = [
    "Recalculator",
    "find_soffice",
    "find_uno_python",
    "recalculate",
    "recalculation_session",
]

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


def install_hint(platform: str | None = None) -> str:
    """How to install LibreOffice Calc on this platform (``sys.platform`` by default): the
    message every "LibreOffice not found" carries."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("win"):
        route = (
            "on Windows 'winget install TheDocumentFoundation.LibreOffice', or the installer "
            "from https://www.libreoffice.org/download/ (then open a new terminal)"
        )
    elif platform == "darwin":
        route = (
            "on macOS 'brew install --cask libreoffice', or the disk image from "
            "https://www.libreoffice.org/download/ dragged to Applications"
        )
    else:
        route = (
            "on Debian/Ubuntu 'apt-get install -y --no-install-recommends "
            "libreoffice-calc-nogui' (Fedora: 'dnf install libreoffice-calc')"
        )
    return (
        f"install LibreOffice Calc to recalculate workbooks: {route}; or set MUTUALFIN_SOFFICE "
        "to the soffice program's path"
    )


INSTALL_HINT = install_hint()


def soffice_candidates(platform: str | None = None, env: dict | None = None) -> list[PurePath]:
    """Where LibreOffice's ``soffice`` is usually installed on ``platform`` (``sys.platform``
    by default), after the ``PATH``: the Program Files folders on Windows, the Applications
    folders and Homebrew on macOS, the distribution's folders on Linux."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if platform.startswith("win"):
        # the installer's default (all users), then a per-user install under LocalAppData
        roots = [
            (env.get("PROGRAMFILES"), "LibreOffice"),
            (env.get("PROGRAMFILES(X86)"), "LibreOffice"),
            (r"C:\Program Files", "LibreOffice"),
            (r"C:\Program Files (x86)", "LibreOffice"),
            (env.get("LOCALAPPDATA"), "Programs/LibreOffice"),
        ]
        out: list[PurePath] = []
        for root, folder in roots:
            path = PureWindowsPath(root, folder, "program", "soffice.exe") if root else None
            if path is not None and path not in out:
                out.append(path)
        return out
    if platform == "darwin":
        home = env.get("HOME", "")
        return [
            Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
            *([Path(home) / "Applications/LibreOffice.app/Contents/MacOS/soffice"] if home else []),
            Path("/opt/homebrew/bin/soffice"),
            Path("/usr/local/bin/soffice"),
        ]
    return [
        Path("/usr/bin/soffice"),
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/opt/libreoffice/program/soffice"),
        Path("/snap/bin/libreoffice"),
    ]


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None: ``MUTUALFIN_SOFFICE`` if set, then
    ``soffice`` or ``libreoffice`` on the ``PATH``, then :func:`soffice_candidates`."""
    env = os.environ.get("MUTUALFIN_SOFFICE")
    if env:
        return env
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    for candidate in soffice_candidates():
        if Path(candidate).exists():
            return str(candidate)
    return None


@functools.lru_cache(maxsize=1)
def find_uno_python() -> str | None:
    """A Python interpreter that can import LibreOffice's ``uno`` module, or None.

    ``MUTUALFIN_UNO_PYTHON`` names one; otherwise the system Python (Debian's python3-uno) and
    the Python LibreOffice bundles on Windows and macOS are tried.
    """
    candidates = [os.environ.get("MUTUALFIN_UNO_PYTHON", "")]
    candidates += [
        "/usr/bin/python3",
        "/usr/lib/libreoffice/program/python",
        "/Applications/LibreOffice.app/Contents/Resources/python",
        r"C:\Program Files\LibreOffice\program\python.exe",
    ]
    for exe in candidates:
        if not exe or not Path(exe).exists():
            continue
        try:
            ok = subprocess.run(
                [exe, "-c", "import uno"], capture_output=True, timeout=30, check=False
            ).returncode
        except (OSError, subprocess.TimeoutExpired):
            continue
        if ok == 0:
            return exe
    return None


class Recalculator:
    """One LibreOffice process recalculating many workbooks, in an isolated profile.

    Use as a context manager; :meth:`recalculate` has the signature and result of
    :func:`recalculate`. Raises :class:`~mutualfin.errors.RecalculationError` when LibreOffice
    or a Python with its ``uno`` module is missing, or when a workbook cannot be recalculated.
    """

    def __init__(self, timeout: float = 300):
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._lines: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._profile: tempfile.TemporaryDirectory | None = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> Recalculator:
        soffice = find_soffice()
        if soffice is None:
            raise RecalculationError(f"LibreOffice (soffice) was not found; {INSTALL_HINT}")
        python = find_uno_python()
        if python is None:
            raise RecalculationError(
                "no Python with LibreOffice's uno module was found (Debian: apt-get install "
                "python3-uno; or set MUTUALFIN_UNO_PYTHON)"
            )
        self._profile = tempfile.TemporaryDirectory(prefix="mutualfin-lo-")
        user = Path(self._profile.name) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        worker = Path(__file__).with_name("_uno_worker.py")
        self._proc = subprocess.Popen(
            [python, str(worker), soffice, self._profile.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # the office process is in its group: one kill ends both
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        reply = self._reply(120)
        if not reply.get("ready"):
            self.close()
            raise RecalculationError(f"LibreOffice did not start: {reply.get('error', reply)}")
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put("")  # end of output: the worker stopped

    def _reply(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close(kill=True)
            raise RecalculationError(
                f"LibreOffice did not answer within {timeout:.0f} s; it was stopped"
            ) from None
        if not line:
            self.close(kill=True)
            raise RecalculationError("the LibreOffice worker stopped unexpectedly")
        return json.loads(line)

    def recalculate(self, path: str | os.PathLike, out_dir: str | os.PathLike) -> Path:
        src, out = _check_paths(path, out_dir)
        result = out / (src.stem + ".xlsx")
        with self._lock:
            if not self.alive:
                raise RecalculationError("the LibreOffice worker is not running")
            assert self._proc is not None and self._proc.stdin is not None
            request = {"src": str(src.resolve()), "out": str(result.resolve())}
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            reply = self._reply(self.timeout)
        if "error" in reply or not result.is_file():
            raise RecalculationError(
                f"LibreOffice failed to recalculate {src.name}: {reply.get('error', 'no file')}"
            )
        return result

    def close(self, kill: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if not kill and proc.stdin is not None:
                    proc.stdin.close()  # the worker closes LibreOffice and exits
                    proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                kill = True
            if kill or proc.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self._reader.join(timeout=10)
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    def __enter__(self) -> Recalculator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


#: the recalculator :func:`recalculate` uses inside :func:`recalculation_session`
_session: Recalculator | None = None


@contextlib.contextmanager
def recalculation_session(timeout: float = 300) -> Iterator[Recalculator | None]:
    """Send every :func:`recalculate` in the block to one LibreOffice process.

    Yields the :class:`Recalculator`, or None where no Python with LibreOffice's ``uno``
    module is found (each recalculation then starts LibreOffice, as outside a session).
    """
    global _session
    if _session is not None:  # already in one: share it
        yield _session
        return
    try:
        rc = Recalculator(timeout).start() if find_soffice() and find_uno_python() else None
    except RecalculationError as exc:
        print(
            f"mutualfin: LibreOffice session not started ({exc}); recalculating file by file",
            file=sys.stderr,
        )
        rc = None
    _session = rc
    try:
        yield rc
    finally:
        _session = None
        if rc is not None:
            rc.close()


def _check_paths(path: str | os.PathLike, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    src = Path(path)
    if not src.is_file():
        raise RecalculationError(f"workbook {str(src)!r} does not exist")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if out.resolve() == src.parent.resolve():
        raise RecalculationError("out_dir must differ from the workbook's folder")
    return src, out


def recalculate(path: str | os.PathLike, out_dir: str | os.PathLike, timeout: float = 300) -> Path:
    """Recalculate ``path`` in LibreOffice and write the result into ``out_dir``.

    Returns the path of the recalculated copy (same file name, in ``out_dir``). The input file
    is not changed. Inside :func:`recalculation_session` the session's LibreOffice process
    does the work; otherwise LibreOffice is started for this one file.
    """
    for arg, value in (("path", path), ("out_dir", out_dir)):
        if not isinstance(value, str | os.PathLike):
            raise wrong_kind("recalculate", arg, "a file or folder path", value, {})
    if _session is not None and _session.alive:
        return _session.recalculate(path, out_dir)
    src = Path(path)
    if not src.is_file():
        raise RecalculationError(f"workbook {str(src)!r} does not exist")
    soffice = find_soffice()
    if soffice is None:
        raise RecalculationError(f"LibreOffice (soffice) was not found; {INSTALL_HINT}")
    src, out = _check_paths(path, out_dir)
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
