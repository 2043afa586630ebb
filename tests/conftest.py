"""Shared test set-up: LibreOffice tests skip on a machine without LibreOffice, but fail in CI."""

import os
from collections import Counter

import pytest

from libreoffice import SOFFICE


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("libreoffice") and SOFFICE is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI requires the LibreOffice tests", pytrace=False)
        pytest.skip(message)



def pytest_collection_modifyitems(items):
    """The files that drive LibreOffice first, most LibreOffice tests first (then the others, in
    their order): with workers (pytest -n, whole files each) the longest files start first, so
    that none is left running alone at the end."""
    heavy = Counter(item.path for item in items if item.get_closest_marker("libreoffice"))
    items.sort(key=lambda item: -heavy[item.path])
