"""LibreOffice as the tests' spreadsheet engine: recalculate workbooks and render sheets to PNG.

LibreOffice keeps the cached results of a file unless its profile says otherwise, so each
process gets private profiles (one that always recalculates, one that never does) and many
files go through one `soffice` call to amortise its start-up. `soffice` exits 0 even when a
conversion fails: every expected output is checked.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 300

_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>
"""
_profiles: dict[bool, Path] = {}


def _profile(recalculate: bool) -> Path:
    """This process's profile folder: OOXMLRecalcMode 0 (always) or 1 (never)."""
    if recalculate not in _profiles:
        root = Path(tempfile.mkdtemp(prefix=f"partnerfit-lo-{os.getpid()}-"))
        atexit.register(shutil.rmtree, root, True)
        user = root / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(
            _SETTINGS.format(mode=0 if recalculate else 1), encoding="utf-8"
        )
        _profiles[recalculate] = root
    return _profiles[recalculate]


def _convert(paths: list[Path], outdir: Path, target: str, suffix: str, recalculate: bool) -> list[Path]:
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ValueError("input files must have distinct names: outputs share one folder")
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = [outdir / f"{name}{suffix}" for name in names]
    for output in outputs:
        output.unlink(missing_ok=True)
    command = [
        SOFFICE, f"-env:UserInstallation={_profile(recalculate).as_uri()}", "--headless",
        "--norestore", "--nolockcheck", "--convert-to", target, "--outdir", str(outdir),
        *map(str, paths),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    missing = [str(p) for p, out in zip(paths, outputs) if not out.exists()]
    if missing:
        raise RuntimeError(
            f"LibreOffice did not convert {', '.join(missing)}: {run.stderr.strip() or run.stdout.strip()}"
        )
    return outputs


def recalc(paths, outdir) -> list[Path]:
    """Open each workbook, recalculate every formula and save it as .xlsx in `outdir`."""
    return _convert([Path(p) for p in paths], Path(outdir), "xlsx", ".xlsx", recalculate=True)


def render(path, outdir, sheets=None, recalculate: bool = False, dpi: int = 80,
           height: int | None = None) -> list[Path]:
    """PNG pictures of a workbook's visible sheets (or of the named `sheets`), one per sheet.

    Without `recalculate` LibreOffice shows the cached results, except for formulas whose
    functions it does not know (see `freeze`). `height` crops each picture to its top pixels.
    """
    import openpyxl

    path, outdir = Path(path), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    visible = [
        ws.title for ws in openpyxl.load_workbook(path, read_only=True).worksheets
        if ws.sheet_state == "visible"
    ]
    wanted = visible if sheets is None else list(sheets)
    unknown = [s for s in wanted if s not in visible]
    if unknown:
        raise ValueError(f"no visible sheet named {', '.join(unknown)} in {path.name}")
    crop = ["-x", "0", "-y", "0", "-W", "100000", "-H", str(height)] if height else []
    with tempfile.TemporaryDirectory() as tmp:
        target = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
        (pdf,) = _convert([path], Path(tmp), target, ".pdf", recalculate)
        pictures = []
        for sheet in wanted:
            page = str(visible.index(sheet) + 1)
            stem = outdir / f"{path.stem}-{re.sub(r'[^A-Za-z0-9]+', '_', sheet)}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(dpi), "-f", page, "-l", page, *crop,
                 "-singlefile", str(pdf), str(stem)],
                check=True, capture_output=True, timeout=TIMEOUT,
            )
            pictures.append(stem.with_suffix(".png"))
    return pictures


_FORMULA = re.compile(r'<c ([^>]*?)>(<f[^>]*>[^<]*</f>)<v>([^<]*)</v></c>')


def freeze(path, out, functions) -> Path:
    """A copy of a workbook whose formulas calling any of `functions` hold their cached value.

    LibreOffice does not know the add-in functions and shows #NAME? for them even when it keeps
    the other cached results: a frozen copy shows what a user with the add-in sees.
    """
    calls = re.compile("|".join(re.escape(f) + r"\(" for f in functions))

    def replace(match):
        attributes, formula, value = match.groups()
        if not calls.search(formula):
            return match.group(0)
        attributes = re.sub(r'\s*\bcm="\d+"', "", attributes)
        if 't="str"' in attributes:
            attributes = attributes.replace('t="str"', 't="inlineStr"')
            return f'<c {attributes}><is><t xml:space="preserve">{value}</t></is></c>'
        return f"<c {attributes}><v>{value}</v></c>"

    out = Path(out)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _FORMULA.sub(replace, data.decode("utf-8")).encode("utf-8")
            target.writestr(item, data)
    return out


UNO_PYTHON = "/usr/bin/python3"  # Debian's python3-uno serves this interpreter only
_DRIVER = Path(__file__).with_name("uno_driver.py")


def edit(jobs) -> list[Path]:
    """Make users' edits in LibreOffice through UNO: `jobs` is a list of (source, target, edits).

    One LibreOffice serves every job (see tests/uno_driver.py for the edits); each target is
    recalculated by LibreOffice and saved as .xlsx, as a user's File > Save would. The driver
    reaches it through a pipe named after this process and call, so that test processes running
    side by side (pytest -n) never meet each other's LibreOffice, as a probed free port could.
    The UNO bridge of Debian's python3-uno now and then dies of a segmentation fault (seen once in
    a full run, in its writer thread): after every job was saved that changes nothing, and before,
    the jobs run once more in a new LibreOffice; any other failure fails the test.
    """
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    spec = [{"source": str(Path(s).resolve()), "target": str(Path(t).resolve()), "edits": e} for s, t, e in jobs]
    run = _drive(spec)
    if run.returncode < 0 and "done" not in run.stdout.split():
        run = _drive(spec)
    if run.returncode != 0 and not (run.returncode < 0 and "done" in run.stdout.split()):
        raise RuntimeError(f"the UNO driver failed (exit {run.returncode}): {run.stderr.strip()[-2000:]}")
    missing = [job["target"] for job in spec if not Path(job["target"]).exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not save {', '.join(missing)}")
    return [Path(job["target"]) for job in spec]


def _drive(spec: list[dict]) -> subprocess.CompletedProcess:
    """One LibreOffice listening on a pipe of its own, and the UNO driver making `spec`'s jobs in it."""
    import json
    import uuid

    pipe = f"partnerfit-{os.getpid()}-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [SOFFICE, f"-env:UserInstallation={_profile(True).as_uri()}", "--headless", "--invisible",
         "--norestore", "--nolockcheck", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        return subprocess.run([UNO_PYTHON, str(_DRIVER), pipe], input=json.dumps(spec), capture_output=True,
                              text=True, timeout=TIMEOUT)
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
