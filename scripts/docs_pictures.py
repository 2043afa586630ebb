"""Render the example workbook's Program and Scores sheets to docs/program.png and docs/scores.png.

    python scripts/docs_pictures.py

LibreOffice shows the cached results; the add-in cells are frozen to theirs first, as a user
with the live functions sees them. The Scores picture is cropped to its top rows.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from libreoffice import freeze, render  # noqa: E402
from partnerfit.workbook.template import build_workbook  # noqa: E402

ADDIN_FUNCTIONS = ("PARTNER_FIT", "PARTNER_FIT_SCORES", "PARTNER_FIT_WHY", "VENDOR_RANKING", "PARTNERFIT_VERSION",
                   "ROBUSTNESS", "CONSENSUS")
PICTURES = {"Program": ("program.png", None), "Scores": ("scores.png", 760)}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "built.xlsx"
        build_workbook(built, example=True)
        example = freeze(built, Path(tmp) / "example.xlsx", ADDIN_FUNCTIONS)
        for sheet, (name, height) in PICTURES.items():
            (picture,) = render(example, tmp, [sheet], height=height)
            shutil.copyfile(picture, ROOT / "docs" / name)
            print(f"docs/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
