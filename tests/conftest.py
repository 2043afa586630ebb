"""Shared test set-up: LibreOffice tests skip on a machine without LibreOffice, but fail in CI."""

import os

import pytest

from libreoffice import SOFFICE


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("libreoffice") and SOFFICE is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI requires the LibreOffice tests", pytrace=False)
        pytest.skip(message)
