"""The Excel functions registered for xlwings: ``UDF Modules = partnerfit.udfs``.

Works with the classic Windows add-in and with xlwings Lite (same decorators; ``from
partnerfit.udfs import *`` in Lite's main.py). The functions themselves, plain Python, live in
`partnerfit.functions`; this module only decorates them: their category, the description of
each argument shown in Insert Function, and how a bad argument shows (`_office_js_errors`).
"""

from __future__ import annotations

import functools
import os
import sys

from xlwings import XlwingsError, arg, func

from . import functions
from .functions import MAX_SAMPLES, RESULT_HEADER  # noqa: F401 - part of this module's interface

CATEGORY = "partnerfit"

_STAGE_DOC = "Lifecycle stage: Discovery, Preclinical, Phase I, Phase II, Phase III or Commercial"
_NEED_DOC = 'clinical, development and/or manufacturing, joined by "+" (e.g. "development + manufacturing")'
_PROCESS_DOC = "Optional. Process maturity: none, lab-scale, defined or validated"
_CMC_DOC = "Optional. In-house CMC experience: none, limited, moderate or strong"
_MODALITY_DOC = "Optional. small molecule, biologic, cell therapy, gene therapy or other"
_WEIGHTS_DOC = "One weight per criterion (any total, e.g. 30, 25, ... or 0.3, 0.25, ...); blank = 0"
_MINIMUMS_DOC = "Optional. Must-have minimum per criterion (1-5); blank = none"
_COVERAGE_DOC = "Optional. Least share of the weight that must be scored (default 0.5)"
_UNCERTAINTY_DOC = "Optional. Each weight varies by up to this share either way (default 0.2 = +/-20 %)"
_SAMPLES_DOC = f"Optional. Number of random weightings (default 10,000; at most {MAX_SAMPLES:,})"
_SEED_DOC = "Optional. Random seed; the same seed gives the same answer (default 0)"
_TABLE_DOC = "As for VENDOR_RANKING: header row (Vendor, criterion names), one row per eligible vendor"

_PROGRAMME = (("stage", _STAGE_DOC), ("need", _NEED_DOC), ("process", _PROCESS_DOC),
              ("cmc_experience", _CMC_DOC), ("modality", _MODALITY_DOC))
_SENSITIVITY = (("uncertainty", _UNCERTAINTY_DOC), ("samples", _SAMPLES_DOC), ("seed", _SEED_DOC))


OFFICE_JS = sys.platform == "emscripten" or os.environ.get("XLWINGS_ON_SERVER") == "true"
"""xlwings' Office.js runtime: xlwings Lite (Pyodide) and xlwings Server set XLWINGS_ON_SERVER=true
before they import xlwings, which then registers the functions for Office.js."""


def _office_js_errors(function):
    """`function` raising its one line as an XlwingsError: Office.js shows #VALUE! (which IFERROR
    and ISERROR see) with the line on the cell's error flag; xlwings Server in production shows
    the text of XlwingsError only. The classic add-in would put a raised error's traceback into the
    cell, so there the functions return the line as text (`partnerfit.functions`)."""
    plain = function.__wrapped__  # the function without partnerfit.functions' text wrapper

    @functools.wraps(plain)
    def wrapper(*args):
        try:
            return plain(*args)
        except Exception as error:  # noqa: BLE001 - every failure becomes one line
            line = functions.error_line(error)
        raise XlwingsError(f"partnerfit: {line}")

    return wrapper


def _register(function, *arguments):
    """`function` decorated for xlwings; each argument is (name, doc) or (name, doc, ndim)."""
    if OFFICE_JS:
        function = _office_js_errors(function)
    for name, doc, *ndim in reversed(arguments):
        function = arg(name, doc=doc, **({"ndim": ndim[0]} if ndim else {}))(function)
    return func(category=CATEGORY)(function)


PARTNER_FIT = _register(functions.PARTNER_FIT, *_PROGRAMME)
PARTNER_FIT_SCORES = _register(functions.PARTNER_FIT_SCORES, *_PROGRAMME)
PARTNER_FIT_WHY = _register(functions.PARTNER_FIT_WHY, *_PROGRAMME)
VENDOR_SCORE = _register(
    functions.VENDOR_SCORE,
    ("scores", "One vendor's scores, one cell per criterion (1-5; blank or N/A = not scored)"),
    ("weights", _WEIGHTS_DOC), ("minimums", _MINIMUMS_DOC), ("min_coverage", _COVERAGE_DOC),
)
VENDOR_RANKING = _register(
    functions.VENDOR_RANKING,
    ("table", "Header row (Vendor, criterion names) and one row per vendor; blank rows ignored", 2),
    ("weights", _WEIGHTS_DOC), ("minimums", _MINIMUMS_DOC), ("min_coverage", _COVERAGE_DOC),
)
PARTNERFIT_VERSION = _register(functions.PARTNERFIT_VERSION)
AHP_WEIGHTS = _register(
    functions.AHP_WEIGHTS,
    ("matrix", "Square pairwise comparisons (Saaty 1-9): 3 = row criterion moderately more important than "
               "column; 1 on the diagonal; blank below it (or 1/3) and where you cannot judge", 2),
    ("groups", "Optional. Each criterion's group, in the matrix's order: then only the pairs within a group are "
               "read, and the weights are group weight x weight within the group"),
    ("group_matrix", "Optional, with groups. The groups compared pairwise (Saaty 1-9), in the order they first "
                     "appear in groups", 2),
)
AHP_AGGREGATE = _register(
    functions.AHP_AGGREGATE,
    ("matrices", "One square pairwise matrix per stakeholder, same criteria in the same order, as separate "
                 "ranges or stacked one below the other; blank = not judged", 2),
)
CONSENSUS = _register(
    functions.CONSENSUS,
    ("evaluations", "Header row (Vendor, Evaluator, Criterion, Score[, Evidence]) and one row per vendor, "
                    "evaluator and criterion; or evaluator grids (Vendor, criteria...) one below the other; "
                    "blank or N/A score = not scored; blank rows ignored", 2),
    ("method", 'Optional. "mean" (default) or "median"'),
)
RANK_ACCEPTABILITY = _register(
    functions.RANK_ACCEPTABILITY, ("table", _TABLE_DOC, 2), ("weights", _WEIGHTS_DOC), *_SENSITIVITY,
)
FLIP_MARGIN = _register(functions.FLIP_MARGIN, ("table", _TABLE_DOC, 2), ("weights", _WEIGHTS_DOC))
ROBUSTNESS = _register(
    functions.ROBUSTNESS, ("table", f"{_TABLE_DOC} (e.g. the eligible ones)", 2), ("weights", _WEIGHTS_DOC),
    *_SENSITIVITY,
)
PRICE_SCORE = _register(
    functions.PRICE_SCORE, ("prices", "The quotes: one row or one column (blank = no quote)", 2),
    ("method", ('Optional. "linear" (default: 5 at low, 1 at high, a straight line between) or "ratio" '
                "(5 x lowest quote / quote, at least 1)")),
    ("low", "Optional, linear only. The price that scores 5 (default: the lowest quote)"),
    ("high", "Optional, linear only. The price that scores 1 (default: the highest quote)"),
)
