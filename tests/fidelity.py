"""The Excel fidelity gate: ../shared/ooxml-check's schema validation and Excel-trap check.

`findings(paths)` runs both tools on many workbooks in two processes and returns, per file, the
schema errors and the REPAIR, FORMULA and RISK findings that no answer in `ANSWERED` explains.
The tools live beside the repository (`../shared/ooxml-check`); where they are absent the tests
skip with a message, except in CI, which requires them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().parents[1].parent / "shared" / "ooxml-check"

ANSWERED = {
    # A RISK is "unlike what Excel writes; outcome unverified": each one partnerfit leaves is answered here.
    r"sst count=\"\d+\" but \d+ cells refer to shared strings":
        "score -o replaces result cells in place and writes text results inline; the count attribute "
        "is informational (ECMA-376 Part 1, 18.4.9: optional) and Excel recounts on save",
}


def require_checks() -> Path:
    if not (CHECKS / "xlcheck.py").exists():
        message = f"the Excel fidelity gate needs {CHECKS} (../shared/ooxml-check beside the repository)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHECKS


def findings(paths) -> dict[str, list[str]]:
    """file name -> every schema error and every unanswered REPAIR, FORMULA or RISK finding."""
    checks, paths = require_checks(), [str(p) for p in paths]
    schema = subprocess.run([sys.executable, str(checks / "xsdcheck.py"), *paths], capture_output=True, text=True,
                            timeout=600)
    traps = subprocess.run([sys.executable, str(checks / "xlcheck.py"), "--json", *paths], capture_output=True,
                           text=True, timeout=600)
    assert traps.stdout.strip(), traps.stderr[-2000:]
    found: dict[str, list[str]] = {Path(p).name: [] for p in paths}
    current = None
    for line in schema.stdout.splitlines():
        if line.startswith("== "):
            current = Path(line[3:].rsplit(":", 1)[0]).name
        elif line.startswith("  ") and current:
            found[current].append(f"schema {line.strip()}")
    for report in json.loads(traps.stdout):
        for severity, part, message in report["findings"]:
            if severity in ("REPAIR", "FORMULA") or (
                    severity == "RISK" and not any(re.search(k, message) for k in ANSWERED)):
                found[Path(report["file"]).name].append(f"{severity} {part}: {message}")
    return found
