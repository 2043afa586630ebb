"""Edit a workbook as a LibreOffice user would, through UNO, and save it as LibreOffice saves .xlsx.

The `uno` module comes with Debian's python3-uno for /usr/bin/python3 only, so the driver runs
in that interpreter, against a headless `soffice` listening on a local port with a private
profile (see /work/shared/EXCEL_NOTES.md, "Driving LibreOffice through UNO").
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from libreoffice import SOFFICE, TIMEOUT

UNO_PYTHON = "/usr/bin/python3"

_DRIVER = r"""
import sys, time
import uno
from com.sun.star.beans import PropertyValue

port, source, target, sheet_name, index, count = sys.argv[1:]
resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
for _ in range(300):  # soffice takes a few seconds to listen
    try:
        context = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("LibreOffice did not answer on port " + port)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def props(**values):
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, props(Hidden=True))
sheet = doc.Sheets.getByName(sheet_name)
sheet.unprotect("")
sheet.Rows.removeByIndex(int(index), int(count))
doc.storeToURL(uno.systemPathToFileUrl(target), props(FilterName="Calc MS Excel 2007 XML"))
doc.close(True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def remove_rows(source, target, sheet: str, index: int, count: int = 1) -> Path:
    """Delete `count` rows of `sheet` from 0-based row `index` (row index + 1 as Excel numbers it)
    in LibreOffice Calc, and save the workbook to `target` as LibreOffice writes .xlsx."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    source, target = Path(source).resolve(), Path(target).resolve()
    profile = Path(tempfile.mkdtemp(prefix="partnerfit-uno-"))
    port = _free_port()
    office = subprocess.Popen(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run = subprocess.run([UNO_PYTHON, "-c", _DRIVER, str(port), str(source), str(target), sheet, str(index),
                              str(count)], capture_output=True, text=True, timeout=TIMEOUT)
        if run.returncode != 0 or not target.exists():
            raise RuntimeError(f"LibreOffice did not save {target}: {run.stderr.strip()[-500:]}")
    finally:
        office.terminate()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return target
