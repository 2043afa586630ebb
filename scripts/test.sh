#!/usr/bin/env bash
# Install everything the tests need (LibreOffice, its Python UNO bridge for the users' edits,
# poppler for PDF pages) and run the test suite on every core (pytest-xdist: one worker per core, each
# taking whole test files, so that a file's LibreOffice round trips are made once). Arguments go to
# pytest: `bash scripts/test.sh -n 0` runs in one process, `bash scripts/test.sh tests/test_cli.py`
# one file.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
    || ! /usr/bin/python3 -c "import uno" >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      libreoffice-calc-nogui poppler-utils python3-uno >/dev/null
  else
    echo "LibreOffice (soffice) is missing and apt-get is not available: install LibreOffice Calc first." >&2
  fi
fi
python -m pip install -q -e ".[test]"
python -m pytest -n auto --dist loadfile "$@"
