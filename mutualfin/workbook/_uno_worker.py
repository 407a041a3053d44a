"""A LibreOffice recalculation worker: one office process for many workbooks.

Run by :class:`mutualfin.workbook.recalc.Recalculator` under a Python that has LibreOffice's
``uno`` module (on Debian, ``/usr/bin/python3`` with the package python3-uno), not under the
interpreter mutualfin runs in: this file imports nothing but the standard library and uno.

Protocol (JSON lines): the worker starts ``soffice`` headless in the given isolated profile,
listening on a private pipe, connects, and prints ``{"ready": true}``. For each request line
``{"src": path, "out": path}`` it loads the workbook hidden (the profile recalculates every
formula on load), recalculates all once more, stores it as .xlsx at ``out`` and closes it,
printing ``{"ok": true}`` or ``{"error": text}``. End of input stops the office process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid


def _connect(resolver, pipe: str, deadline: float):
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # NoConnectException until the office is up
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    import uno
    from com.sun.star.beans import PropertyValue

    pipe = f"mutualfin-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": profile},
    )

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        ctx = _connect(resolver, pipe, time.time() + 120)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            try:
                doc = desktop.loadComponentFromURL(
                    uno.systemPathToFileUrl(request["src"]),
                    "_blank",
                    0,
                    (prop("Hidden", True), prop("ReadOnly", True)),
                )
                if doc is None:
                    raise RuntimeError("LibreOffice could not open the workbook")
                try:
                    doc.calculateAll()
                    doc.storeToURL(
                        uno.systemPathToFileUrl(request["out"]),
                        (prop("FilterName", "Calc MS Excel 2007 XML"),),
                    )
                finally:
                    doc.close(True)
                print(json.dumps({"ok": True}), flush=True)
            except Exception as exc:  # report and carry on with the next workbook
                print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
    finally:
        try:
            desktop.terminate()  # type: ignore[possibly-undefined]
        except Exception:
            pass
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
