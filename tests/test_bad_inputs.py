"""A catalogue of bad inputs, across the three faces: the Excel functions, the Python API, the CLI.

Each row is one bad (or merely unusual) input and what it must give: either the correct result
(`Gives`, the value written out plainly) or a one-line message naming the value (`Says`, a
fragment of it). Nothing may raise through to the user:

* an Excel function returns a string starting "#partnerfit:" on one line (never a traceback,
  never "unexpected ...", never a NaN or inf in a cell);
* the Python API raises `PartnerfitError` with one line, and nothing else;
* the command line exits 1 (bad file or value) or 2 (bad usage) with one line on stderr.

Values reach the functions as Excel hands them to a UDF (shared/EXCEL_NOTES.md): floats never
ints, None for blanks and for error cells, "#N/A"-style strings with err_to_str, scalars for one
cell, flat lists for one row or column, lists of lists for blocks, datetime for dates.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import resource
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hostile import HOSTILE, _part, _rewrite, external_links
from partnerfit import PartnerfitError, recommend, score_vendors, udfs
from partnerfit.ahp import ahp_weights
from partnerfit.consensus import consensus
from partnerfit.example import Vendor
from partnerfit.robustness import vendor_acceptability, vendor_flip_margins
from partnerfit.workbook.model import Filling
from partnerfit.workbook.writer import write_workbook


@dataclass(frozen=True)
class Gives:
    """Expected: this result (floats compared to 1e-12, recursively through lists)."""

    value: object


@dataclass(frozen=True)
class Says:
    """Expected: a one-line message containing this fragment."""

    fragment: str


@dataclass(frozen=True)
class Prints:
    """Expected (command line): exit 0 and this fragment in the printed output."""

    fragment: str


def same(got, want) -> bool:
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    return type(got) is type(want) and got == want


def finite(value) -> bool:
    """No NaN or inf anywhere in a (nested) result: Excel would show #NUM! or a blank."""
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    return not (isinstance(value, float) and not math.isfinite(value))


def one_line(text: str) -> bool:
    return "\n" not in text.strip() and "\r" not in text and "Traceback" not in text


# ====================================================================== Excel functions

H = ["Vendor", "Quality", "Cost"]
W = [70.0, 30.0]
TOP = ["Vendor", "Score", "Rank", "Coverage", "Status"]
LONG = "x" * 10_000
DATE = dt.datetime(2024, 1, 31)


def table(*rows):
    return [H, *map(list, rows)]


def eligible(name, quality, cost, rank=1.0):
    return [name, (70 * quality + 30 * cost) / 100, rank, 1.0, "Eligible"]


def invalid(name, criterion, coverage):
    return [name, None, None, coverage, f"Invalid: {criterion} is not a score from 1 to 5"]


def ten_thousand_vendors():
    """Quality 1..5 and Cost 5..1 in turn: 2,000 vendors tie at each of five scores."""
    rows = [[f"V{i:05d}", float(1 + i % 5), float(5 - i % 5)] for i in range(10_000)]
    return [H, *rows]


def check_ten_thousand(result) -> bool:
    # score = 0.7 q + 0.3 (6 - q) = 1.8 + 0.4 q: q = 5 ranks 1 (3.8), q = 4 ranks 2,001 (3.4), ...
    ranks = [row[2] for row in result[1:]]
    scores = [row[1] for row in result[1:]]
    return (len(result) == 10_001 and result[0] == TOP
            and ranks == [float(1 + 2000 * k) for k in range(5) for _ in range(2000)]
            and all(math.isclose(s, 1.8 + 0.4 * (5 - k)) for k in range(5) for s in scores[2000 * k:2000 * (k + 1)])
            and [row[0] for row in result[1:2001]] == [f"V{i:05d}" for i in range(4, 10_000, 5)])


PAIRS = [["Vendor", "Evaluator", "Criterion", "Score"]]
T2 = table(["A", 4.0, 3.0], ["B", 3.0, 5.0])

UDF_CASES = [
    # --- VENDOR_RANKING: numbers that are not numbers
    ("score text with a decimal comma", udfs.VENDOR_RANKING, (table(["A", "3,5", 4.0]), W),
     Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score text with spaces and a decimal point", udfs.VENDOR_RANKING, (table(["A", " 3.5 ", 4.0]), W),
     Gives([TOP, eligible("A", 3.5, 4.0)])),
    ("score boolean", udfs.VENDOR_RANKING, (table(["A", True, 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score date", udfs.VENDOR_RANKING, (table(["A", DATE, 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score error cell arrives as None", udfs.VENDOR_RANKING, (table(["A", None, 4.0]), W),
     Gives([TOP, ["A", 4.0, None, 0.3, "Incomplete"]])),
    ("score error cell as #N/A text (err_to_str)", udfs.VENDOR_RANKING, (table(["A", "#N/A", 4.0]), W),
     Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score #DIV/0! text (err_to_str)", udfs.VENDOR_RANKING, (table(["A", 4.0, "#DIV/0!"]), W),
     Gives([TOP, invalid("A", "Cost", 0.7)])),
    ("score N/A text", udfs.VENDOR_RANKING, (table(["A", 4.0, " n/a "]), W), Gives([TOP, ["A", 4.0, 1.0, 0.7, "Eligible"]])),
    ("score NaN (not from Excel)", udfs.VENDOR_RANKING, (table(["A", 4.0, math.nan]), W),
     Gives([TOP, ["A", 4.0, 1.0, 0.7, "Eligible"]])),
    ("score inf", udfs.VENDOR_RANKING, (table(["A", math.inf, 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score 0 below the scale", udfs.VENDOR_RANKING, (table(["A", 0.0, 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score 6 above the scale", udfs.VENDOR_RANKING, (table(["A", 4.0, 6.0]), W), Gives([TOP, invalid("A", "Cost", 0.7)])),
    ("score text 1e400", udfs.VENDOR_RANKING, (table(["A", "1e400", 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("score nested list", udfs.VENDOR_RANKING, (table(["A", [4.0], 4.0]), W), Gives([TOP, invalid("A", "Quality", 0.3)])),
    ("integers, as xlwings Lite sends", udfs.VENDOR_RANKING, ([H, ["A", 4, 3]], [70, 30]), Gives([TOP, eligible("A", 4, 3)])),
    ("table of tuples", udfs.VENDOR_RANKING, ((tuple(H), ("A", 4.0, 3.0)), (70.0, 30.0)), Gives([TOP, eligible("A", 4, 3)])),
    # --- VENDOR_RANKING: weights
    ("weight text with a decimal comma", udfs.VENDOR_RANKING, (T2, [70.0, "3,5"]), Says('weight for Cost is "3,5", not a number')),
    ("negative weight", udfs.VENDOR_RANKING, (T2, [-1.0, 30.0]), Says("weight for Quality is -1; weights must be 0 or more")),
    ("NaN weight counts as blank (0)", udfs.VENDOR_RANKING, (T2, [math.nan, 30.0]),
     Gives([TOP, ["B", 5.0, 1.0, 1.0, "Eligible"], ["A", 3.0, 2.0, 1.0, "Eligible"]])),
    ("inf weight", udfs.VENDOR_RANKING, (T2, [math.inf, 30.0]), Says("weight for Quality is inf; enter a finite number")),
    ("weights whose sum overflows", udfs.VENDOR_RANKING, (T2, [1e308, 1e308]), Says("the weights add up to more than")),
    ("subnormal weights", udfs.VENDOR_RANKING, (table(["A", 4.0, 3.3]), [5e-324, 1e-323]),
     Gives([TOP, ["A", (4.0 + 2 * 3.3) / 3, 1.0, 1.0, "Eligible"]])),
    ("all weights 0", udfs.VENDOR_RANKING, (T2, [0.0, 0.0]), Says("all weights are 0")),
    ("all weights blank", udfs.VENDOR_RANKING, (T2, [None, None]), Says("all weights are 0")),
    ("one blank cell for two weights", udfs.VENDOR_RANKING, (T2, None), Says("weights has 1 cells for 2 criteria")),
    ("boolean weight", udfs.VENDOR_RANKING, (T2, [True, 30.0]), Says("weight for Quality is True, not a number")),
    ("date weight", udfs.VENDOR_RANKING, (T2, [DATE, 30.0]), Says("weight for Quality is 2024-01-31")),
    ("#DIV/0! weight (err_to_str)", udfs.VENDOR_RANKING, (T2, ["#DIV/0!", 30.0]), Says('weight for Quality is "#DIV/0!"')),
    ("weights as a block", udfs.VENDOR_RANKING, (T2, [[1.0, 2.0], [3.0, 4.0]]), Says("weights must be one row or one column")),
    ("too few weights", udfs.VENDOR_RANKING, (T2, [1.0]), Says("weights has 1 cells for 2 criteria")),
    ("weights as a column", udfs.VENDOR_RANKING, (T2, [[70.0], [30.0]]),
     Gives([TOP, eligible("A", 4, 3), eligible("B", 3, 5, 2.0)])),
    ("weights nesting a list", udfs.VENDOR_RANKING, (T2, [[70.0, [30.0]]]), Says("weight for Cost is [30.0], not a number")),
    ("weights mixing cells and rows", udfs.VENDOR_RANKING, (T2, [[70.0], 30.0]), Says("weights mixes single cells and rows")),
    # --- VENDOR_RANKING: minimums and coverage
    ("must-have 6 off the scale", udfs.VENDOR_RANKING, (T2, W, [6.0, None]), Says("must-have minimum for Quality is 6")),
    ("must-have as text", udfs.VENDOR_RANKING, (T2, W, ["high", None]), Says('minimum for Quality is "high", not a number')),
    ("must-have boolean", udfs.VENDOR_RANKING, (T2, W, [None, False]), Says("minimum for Cost is False, not a number")),
    ("minimums of the wrong length", udfs.VENDOR_RANKING, (T2, W, [3.0]), Says("minimums has 1 cells for 2 criteria")),
    ("min_coverage 1.5", udfs.VENDOR_RANKING, (T2, W, None, 1.5), Says("min_coverage is 1.5")),
    ("min_coverage negative", udfs.VENDOR_RANKING, (T2, W, None, -0.1), Says("min_coverage is -0.1")),
    ("min_coverage typed as text 50%", udfs.VENDOR_RANKING, (T2, W, None, "50%"), Says('min_coverage is "50%", not a number')),
    ("min_coverage as a range", udfs.VENDOR_RANKING, (T2, W, None, [0.5, 0.5]), Says("min_coverage is [0.5, 0.5], not a number")),
    ("min_coverage blank takes the default", udfs.VENDOR_RANKING, (table(["A", 4.0, None]), W, None, None),
     Gives([TOP, ["A", 4.0, 1.0, 0.7, "Eligible"]])),
    # --- VENDOR_RANKING: the table's shape and names
    ("duplicate vendors", udfs.VENDOR_RANKING, (table(["Acme", 4.0, 3.0], ["Acme", 3.0, 3.0]), W), Says('vendor "Acme" appears twice')),
    ("duplicate vendors differing in spaces", udfs.VENDOR_RANKING, (table(["Acme", 4.0, 3.0], [" Acme ", 3.0, 3.0]), W),
     Says('vendor "Acme" appears twice')),
    ("duplicate vendors: number and text", udfs.VENDOR_RANKING, (table([101.0, 4.0, 3.0], ["101", 3.0, 3.0]), W),
     Says('vendor "101" appears twice')),
    ("duplicate names with a line break", udfs.VENDOR_RANKING, (table(["Acme\nBio", 4.0, 3.0], ["Acme\nBio", 3.0, 3.0]), W),
     Says('vendor "Acme Bio" appears twice')),
    ("duplicate 10,000-character names", udfs.VENDOR_RANKING, (table([LONG, 4.0, 3.0], [LONG, 3.0, 3.0]), W),
     Says('vendor "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." appears twice')),
    ("scores without a vendor name", udfs.VENDOR_RANKING, (table([None, 4.0, 3.0]), W), Says("table row 2 has scores but no vendor name")),
    ("ragged rows", udfs.VENDOR_RANKING, (table(["A", 4.0]), W), Says("table rows have different lengths")),
    ("table mixing cells and rows", udfs.VENDOR_RANKING, ([H, 5.0], W), Says("table mixes single cells and rows")),
    ("one-cell table (a scalar)", udfs.VENDOR_RANKING, ("Vendor", W), Says("table must be a range")),
    ("one-cell table (a 1 x 1 block)", udfs.VENDOR_RANKING, ([["Vendor"]], W), Says("table needs a Vendor column and at least one criterion")),
    ("blank table", udfs.VENDOR_RANKING, (None, W), Says("table must be a range")),
    ("empty table", udfs.VENDOR_RANKING, ([], W), Says("table needs a Vendor column")),
    ("0 vendors: the header only", udfs.VENDOR_RANKING, (H, W), Gives([TOP])),
    ("0 vendors: blank rows only", udfs.VENDOR_RANKING, (table([None, None, None], [None, " ", None]), W), Gives([TOP])),
    ("10,000 vendors", udfs.VENDOR_RANKING, (ten_thousand_vendors(), W), check_ten_thousand),
    ("header with a blank criterion", udfs.VENDOR_RANKING, ([["Vendor", "Quality", None, "Cost"], ["A", 4.0, 4.0, 4.0]], W),
     Says("table header column 3 is blank")),
    ("header with a number", udfs.VENDOR_RANKING, ([["Vendor", 2024.0, "Cost"], ["A", 4.0, 4.0]], W), Says("table header column 2 is 2024")),
    ("header with a boolean", udfs.VENDOR_RANKING, ([["Vendor", True, "Cost"], ["A", 4.0, 4.0]], W), Says("table header column 2 is True")),
    ("header with a date", udfs.VENDOR_RANKING, ([["Vendor", DATE, "Cost"], ["A", 4.0, 4.0]], W), Says("table header column 2 is 2024-01-31")),
    ("trailing blank columns", udfs.VENDOR_RANKING, ([H + [None], ["A", 4.0, 3.0, None]], W), Gives([TOP, eligible("A", 4, 3)])),
    ("numeric vendor name", udfs.VENDOR_RANKING, (table([101.0, 4.0, 3.0]), W), Gives([TOP, eligible("101", 4, 3)])),
    ("emoji vendor name", udfs.VENDOR_RANKING, (table(["🧪 Acme Bio 🚀", 4.0, 3.0]), W), Gives([TOP, eligible("🧪 Acme Bio 🚀", 4, 3)])),
    ("right-to-left vendor name", udfs.VENDOR_RANKING, (table(["شركة الأدوية", 4.0, 3.0]), W), Gives([TOP, eligible("شركة الأدوية", 4, 3)])),
    ("bidi override in a vendor name", udfs.VENDOR_RANKING, (table(["\u202eevil", 4.0, 3.0]), W), Gives([TOP, eligible("\u202eevil", 4, 3)])),
    ("10,000-character vendor name", udfs.VENDOR_RANKING, (table([LONG, 4.0, 3.0]), W), Gives([TOP, eligible(LONG, 4, 3)])),
    ("10,000-character criterion name", udfs.VENDOR_RANKING, ([["Vendor", LONG], ["A", 9.0]], [1.0]),
     Gives([TOP, ["A", None, None, 0.0, f"Invalid: {LONG} is not a score from 1 to 5"]])),
    # --- VENDOR_SCORE
    ("one criterion: scalars", udfs.VENDOR_SCORE, (4.0, 1.0), Gives(4.0)),
    ("one blank score", udfs.VENDOR_SCORE, (None, 1.0), Gives("Incomplete")),
    ("scores and weights of different lengths", udfs.VENDOR_SCORE, ([4.0, 3.0, 2.0], [1.0, 1.0]), Says("weights has 2 cells for 3 criteria")),
    ("scores as a block", udfs.VENDOR_SCORE, ([[4.0, 3.0], [2.0, 1.0]], [1.0] * 4), Says("scores must be one row or one column")),
    ("scores mixing cells and rows", udfs.VENDOR_SCORE, ([[4.0], 3.0], [1.0, 1.0]), Says("scores mixes single cells and rows")),
    ("score text with a decimal comma (one vendor)", udfs.VENDOR_SCORE, (["3,5", 4.0], [1.0, 1.0]),
     Gives("Invalid: criterion 1 is not a score from 1 to 5")),
    # --- PARTNER_FIT family
    ("stage blank", udfs.PARTNER_FIT, (None, "clinical"), Says("stage is blank")),
    ("need blank", udfs.PARTNER_FIT, ("Phase II", None), Says("need is blank")),
    ("need only a separator", udfs.PARTNER_FIT, ("Phase II", "+"), Says('need "+" names no need')),
    ("need only separators and 'and'", udfs.PARTNER_FIT_SCORES, ("Phase II", " , and ; "), Says("names no need")),
    ("stage a number", udfs.PARTNER_FIT, (2.0, "clinical"), Says("stage 2 is not one of")),
    ("stage boolean", udfs.PARTNER_FIT_WHY, (True, "clinical"), Says("stage True is not one of")),
    ("stage date", udfs.PARTNER_FIT, (DATE, "clinical"), Says("stage 2024-01-31")),
    ("stage #N/A text (err_to_str)", udfs.PARTNER_FIT, ("#N/A", "clinical"), Says('stage "#N/A" is not one of')),
    ("stage a range of two cells", udfs.PARTNER_FIT, (["Phase II", "Phase III"], "clinical"), Says("stage is a range or list of 2")),
    ("need a range of two cells", udfs.PARTNER_FIT_SCORES, ("Phase II", ["clinical", "development"]), Says("need is a range or list of 2")),
    ("10,000-character stage", udfs.PARTNER_FIT, (LONG, "clinical"), Says('stage "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." is not one of')),
    ("emoji modality", udfs.PARTNER_FIT, ("Phase II", "clinical", None, None, "💊"), Says('modality "💊" is not one of')),
    ("process with a line break", udfs.PARTNER_FIT_WHY, ("Phase II", "clinical", "x\ny"), Says('process "x y" is not one of')),
    ("stage with a line break and odd case", udfs.PARTNER_FIT, ("PHASE\nii", "Clinical"), Gives("CRO")),
    ("synonyms and spaces", udfs.PARTNER_FIT, ("  p2 ", " CLINICAL "), Gives("CRO")),
    ("scores of a valid programme", udfs.PARTNER_FIT_SCORES, ("Phase II", "clinical", None, None, None),
     Gives([["CRO", "CMO", "CDMO"], [100.0, 0.0, 0.0]])),
    # --- AHP_WEIGHTS
    ("AHP blank judgement", udfs.AHP_WEIGHTS, ([[1.0, None], [None, 1.0]],), Says("leave criterion 2 unconnected to criterion 1")),
    ("AHP not square", udfs.AHP_WEIGHTS, ([[1.0, 2.0]],), Says("it must be square")),
    ("AHP ragged", udfs.AHP_WEIGHTS, ([[1.0, 2.0], [0.5]],), Says("rows have different lengths")),
    ("AHP negative judgement", udfs.AHP_WEIGHTS, ([[1.0, -2.0], [-0.5, 1.0]],), Says("is -2; judgements must be positive")),
    ("AHP zero judgement", udfs.AHP_WEIGHTS, ([[1.0, 0.0], [0.0, 1.0]],), Says("is 0; judgements must be positive")),
    ("AHP fraction turned into a date", udfs.AHP_WEIGHTS, ([[1.0, DATE], [3.0, 1.0]],), Says("Excel turned a fraction into a date")),
    ("AHP decimal comma", udfs.AHP_WEIGHTS, ([[1.0, "3,5"], [0.5, 1.0]],), Says('"3,5", not a number or a fraction')),
    ("AHP boolean", udfs.AHP_WEIGHTS, ([[True, 1.0], [1.0, 1.0]],), Says("is True, not a number")),
    ("AHP fraction typed as text", udfs.AHP_WEIGHTS, ([[1.0, "1/3"], ["3", 1.0]],),
     Gives([["Weight 1", 0.25], ["Weight 2", 0.75], ["Lambda max", 2.0], ["CI", 0.0], ["CR", 0.0],
            ["Consistent", True], ["Note", "consistent: CR 0.000 is at most 0.10"]])),
    ("AHP 20 criteria", udfs.AHP_WEIGHTS, ([[1.0] * 20 for _ in range(20)],), Says("has 20 criteria")),
    # --- CONSENSUS
    ("consensus ragged rows", udfs.CONSENSUS, (PAIRS + [["A", "ann", "Quality"]],), Says("evaluations rows have different lengths")),
    ("consensus mixing cells and rows", udfs.CONSENSUS, (PAIRS + [5.0],), Says("evaluations rows have different lengths")),
    ("consensus blank range", udfs.CONSENSUS, (None,), Says("evaluations must be a range")),
    ("consensus without a Criterion column", udfs.CONSENSUS, ([["Vendor", "Evaluator", "Score"], ["A", "ann", 4.0]],),
     Says('no "Criterion" column')),
    ("consensus score with a decimal comma", udfs.CONSENSUS, (PAIRS + [["A", "ann", "Quality", "3,5"]],), Says('has score "3,5"')),
    ("consensus unknown method", udfs.CONSENSUS, (PAIRS + [["A", "ann", "Quality", 4.0]], "mode"), Says('method is "mode"')),
    ("consensus same evaluator twice", udfs.CONSENSUS, (PAIRS + [["A", "ann", "Q", 4.0], ["A", "ann", "Q", 3.0]],),
     Says("is in data rows 1 and 2")),
    ("consensus of two evaluators", udfs.CONSENSUS, (PAIRS + [["A", "ann", "Q", 4.0], ["A", "bob", "Q", 2.0]],),
     Gives([["Vendor", "Q"], ["A", 3.0]])),
    # --- RANK_ACCEPTABILITY and FLIP_MARGIN
    ("uncertainty 1", udfs.RANK_ACCEPTABILITY, (T2, W, 1.0), Says("uncertainty is 1")),
    ("samples 0", udfs.RANK_ACCEPTABILITY, (T2, W, 0.2, 0.0), Says("samples is 0")),
    ("samples 1.5", udfs.RANK_ACCEPTABILITY, (T2, W, 0.2, 1.5), Says("samples is 1.5")),
    ("samples a trillion", udfs.RANK_ACCEPTABILITY, (T2, W, 0.2, 1e12), Says("samples is 1000000000000")),
    ("seed as text", udfs.RANK_ACCEPTABILITY, (T2, W, 0.2, 10.0, "x"), Says('seed is "x", not a number')),
    ("acceptability with a score off the scale", udfs.RANK_ACCEPTABILITY, ([["Vendor", "Q"], ["A", 9.0]], [1.0]), Says("is 9")),
    ("acceptability of 0 vendors", udfs.RANK_ACCEPTABILITY, ([["Vendor", "Q"]], [1.0]), Says("table has no vendor rows")),
    ("acceptability with weights whose sum overflows", udfs.RANK_ACCEPTABILITY, (T2, [1e308, 1e308]), Says("add up to more than")),
    ("acceptability of a dominant vendor", udfs.RANK_ACCEPTABILITY, (table(["A", 5.0, 5.0], ["B", 1.0, 1.0]), W, 0.2, 50.0),
     Gives([["Vendor", "Rank 1", "Rank 2"], ["A", 1.0, 0.0], ["B", 0.0, 1.0]])),
    ("flip margin of one vendor", udfs.FLIP_MARGIN, ([["Vendor", "Q"], ["A", 4.0]], [1.0]),
     Gives([["Criterion", "Weight", "Change", "New weight", "New leader"], ["Q", 1.0, None, None, "none"]])),
    ("flip margin with weights whose sum overflows", udfs.FLIP_MARGIN, (T2, [1e308, 1e308]), Says("add up to more than")),
]


@pytest.mark.parametrize("function, args, expected", [c[1:] for c in UDF_CASES], ids=[c[0] for c in UDF_CASES])
def test_excel_function(function, args, expected):
    result = function(*args)
    assert finite(result), result
    if isinstance(expected, Says):
        assert isinstance(result, str) and result.startswith("#partnerfit: "), result
        assert one_line(result) and "unexpected" not in result, result
        assert expected.fragment in result, result
    elif isinstance(expected, Gives):
        assert same(result, expected.value), result
    else:
        assert expected(result)


# ====================================================================== the Python API

Q = ["Quality", "Cost"]


def frame(rows: dict, dtype=None) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=Q, dtype=dtype)


OK = frame({"A": [4.0, 3.0], "B": [3.0, 5.0]})


def table_of(result: pd.DataFrame) -> list:
    """score_vendors' result as plain rows: [vendor, score or None, rank or None, coverage, status]."""
    return [[name, None if pd.isna(r.score) else float(r.score), None if pd.isna(r["rank"]) else int(r["rank"]),
             float(r.coverage), str(r.status)] for name, r in result.iterrows()]


def row(name, quality, cost, rank=1, coverage=1.0, status="Eligible"):
    return [name, (70 * quality + 30 * cost) / 100, rank, coverage, status]


def nullable_frame():
    """A nullable integer column next to a text column: missing values are pd.NA."""
    return pd.DataFrame({"Quality": pd.array([4, None], dtype="Int64"), "Cost": ["3", "4"]}, index=["A", "B"])


def ten_thousand_frame():
    q = np.tile(np.arange(1.0, 6.0), 2000)
    return pd.DataFrame({"Quality": q, "Cost": 6.0 - q}, index=[f"V{i:05d}" for i in range(10_000)])


def check_ten_thousand_frame(result) -> bool:
    """Rows in input order; sorted by rank, the 2,000 vendors of each score tie, in input order."""
    best_first = result.sort_values("rank", kind="stable")
    return (result.index.equals(ten_thousand_frame().index)
            and result["rank"].tolist() == [[8001, 6001, 4001, 2001, 1][i % 5] for i in range(10_000)]
            and best_first.index[:3].tolist() == ["V00004", "V00009", "V00014"]
            and np.allclose(best_first["score"].to_numpy(), np.repeat([3.8, 3.4, 3.0, 2.6, 2.2], 2000)))


def ahp_of(matrix):
    result = ahp_weights(matrix)
    return [round(float(w), 12) for w in result.weights]


API_CASES = [
    # --- score_vendors: the table
    ("scores as a list", lambda: score_vendors([[4.0, 3.0]], [1, 1]), Says("scores is a list, not a pandas DataFrame")),
    ("scores None", lambda: score_vendors(None, [1, 1]), Says("scores is a NoneType, not a pandas DataFrame")),
    ("scores as a numpy array", lambda: score_vendors(np.ones((2, 2)), [1, 1]), Says("scores is a ndarray")),
    ("no criteria columns", lambda: score_vendors(pd.DataFrame(index=["A"]), []), Says("no criteria columns")),
    ("0 vendors", lambda: table_of(score_vendors(frame({}), [70, 30])), Gives([])),
    ("duplicate vendors", lambda: score_vendors(frame({"A": [4, 3]}).pipe(lambda f: pd.concat([f, f])), [70, 30]),
     Says("vendor 'A' appears more than once")),
    ("10,000 vendors", lambda: score_vendors(ten_thousand_frame(), {"Quality": 70, "Cost": 30}), check_ten_thousand_frame),
    ("unicode and 10,000-character names",
     lambda: score_vendors(frame({"🧪": [4, 3], "شركة": [3, 5], LONG: [5, 5]}), [70, 30]).sort_values("rank").index.tolist(),
     Gives([LONG, "🧪", "شركة"])),
    ("text with a decimal comma", lambda: table_of(score_vendors(frame({"A": ["3,5", 4]}), [70, 30])),
     Gives([["A", None, None, 0.3, "Invalid: Quality is not a score from 1 to 5"]])),
    ("dates in score cells", lambda: table_of(score_vendors(frame({"A": [DATE, 4.0]}), [70, 30])),
     Gives([["A", None, None, 0.3, "Invalid: Quality is not a score from 1 to 5"]])),
    ("booleans in score cells", lambda: table_of(score_vendors(frame({"A": [True, False]}), [70, 30])),
     Gives([["A", None, None, 0.0, "Invalid: Quality is not a score from 1 to 5"]])),
    ("pd.NA of a nullable column is not scored", lambda: table_of(score_vendors(nullable_frame(), [70, 30])),
     Gives([row("A", 4, 3), ["B", 4.0, None, 0.3, "Incomplete"]])),
    ("Decimal scores", lambda: table_of(score_vendors(frame({"A": [Decimal("4.5"), "3"]}), [70, 30])), Gives([row("A", 4.5, 3)])),
    # --- score_vendors: weights
    ("weights None for two criteria", lambda: score_vendors(OK, None), Says("1 weights for 2 criteria")),
    ("weight text with a decimal comma", lambda: score_vendors(OK, ["3,5", 30]), Says('weights for Quality is "3,5", not a number')),
    ("NaN weight counts as blank (0)", lambda: table_of(score_vendors(OK, [math.nan, 30])),
     Gives([["A", 3.0, 2, 1.0, "Eligible"], ["B", 5.0, 1, 1.0, "Eligible"]])),
    ("inf weight", lambda: score_vendors(OK, [math.inf, 30]), Says("weights for Quality is inf; enter a finite number")),
    ("negative weight", lambda: score_vendors(OK, [-1, 30]), Says("weight for Quality is -1")),
    ("boolean weight", lambda: score_vendors(OK, [True, 30]), Says("weights for Quality is True, not a number")),
    ("weights whose sum overflows", lambda: score_vendors(OK, [1e308, 1e308]), Says("the weights add up to more than")),
    ("subnormal weights", lambda: table_of(score_vendors(frame({"A": [4.0, 3.3]}), [5e-324, 1e-323])),
     Gives([["A", (4.0 + 2 * 3.3) / 3, 1, 1.0, "Eligible"]])),
    ("Decimal weights", lambda: table_of(score_vendors(OK, [Decimal("0.7"), Decimal("0.3")])), Gives([row("A", 4, 3), row("B", 3, 5, 2)])),
    ("weights naming an unknown criterion", lambda: score_vendors(OK, {"Qualty": 70}), Says("weights names 'Qualty'")),
    ("weights by integer column names", lambda: table_of(score_vendors(pd.DataFrame([[4.0, 3.0]], index=["A"]), {0: 70, 1: 30})),
     Gives([row("A", 4, 3)])),
    ("weights nesting a list", lambda: score_vendors(OK, [[70], 30]), Says("weights for Quality is [70], not a number")),
    # --- score_vendors: the other parameters
    ("min_coverage as text", lambda: score_vendors(OK, [70, 30], min_coverage="half"), Says('min_coverage is "half", not a number')),
    ("min_coverage None takes the default", lambda: table_of(score_vendors(OK, [70, 30], min_coverage=None)),
     Gives([row("A", 4, 3), row("B", 3, 5, 2)])),
    ("min_coverage 2", lambda: score_vendors(OK, [70, 30], min_coverage=2), Says("min_coverage is 2")),
    ("must-have 0", lambda: score_vendors(OK, [70, 30], [0, None]), Says("must-have minimum for Quality is 0")),
    ("must-have as text", lambda: score_vendors(OK, [70, 30], ["three", None]), Says('minimums for Quality is "three"')),
    ("scale as text", lambda: score_vendors(OK, [70, 30], scale="1-5"), Says("scale is '1-5'")),
    ("scale upside down", lambda: score_vendors(OK, [70, 30], scale=(5, 1)), Says("scale is (5, 1)")),
    # --- recommend
    ("recommend: stage blank", lambda: recommend("  ", "clinical"), Says("stage is blank")),
    ("recommend: need only a separator", lambda: recommend("Phase II", "&"), Says('need "&" names no need')),
    ("recommend: need as a list", lambda: recommend("Phase II", ["clinical"]), Says("need is a range or list of 1")),
    ("recommend: stage as bytes", lambda: recommend(b"Phase II", "clinical"), Says("stage b'Phase II' is not one of")),
    ("recommend: 10,000-character need", lambda: recommend("Phase II", LONG), Says('need "xxxxxxxxx')),
    ("recommend: emoji process", lambda: recommend("Phase II", "clinical", "🧫"), Says('process "🧫" is not one of')),
    ("recommend: valid with NaN optional", lambda: recommend("Commercial", "manufacturing", None, None, None).partner_type, Gives("CMO")),
    # --- AHP, consensus, robustness
    ("ahp: text", lambda: ahp_weights("x"), Says('row 1 col 1 is "x", not a number or a fraction')),
    ("ahp: empty", lambda: ahp_weights([]), Says("pairwise matrix is empty")),
    ("ahp: not reciprocal", lambda: ahp_weights([[1, 3], [3, 1]]), Says("is not reciprocal")),
    ("ahp: huge judgements, short numbers in the message", lambda: ahp_weights([[1, 1e200], [1e200, 1]]),
     Says("row 1 col 2 is 1e+200 but row 2 col 1 is 1e+200; enter 1e-200 in row 2 col 1")),
    ("ahp: diagonal not 1", lambda: ahp_weights([[2, 3], [1 / 3, 1]]), Says("enter 1 on the diagonal")),
    ("ahp: a DataFrame gives one line", lambda: ahp_weights(pd.DataFrame([[1, 3], [1 / 3, 1]])), Says("not a number or a fraction")),
    ("ahp: numpy array", lambda: ahp_of(np.array([[1, 3], [1 / 3, 1]])), Gives([0.75, 0.25])),
    ("consensus: a list", lambda: consensus([["A", "ann", "Q", 4.0]]), Says("evaluations is a list, not a pandas DataFrame")),
    ("consensus: threshold as text", lambda: consensus(pd.DataFrame(PAIRS[1:], columns=PAIRS[0]), threshold="x"),
     Says('threshold is "x", not a number')),
    ("consensus: no Vendor column", lambda: consensus(pd.DataFrame()), Says('no "Vendor" column')),
    ("acceptability: scores as a list", lambda: vendor_acceptability([[4, 3]], [1, 1]), Says("scores is a list, not a pandas DataFrame")),
    ("acceptability: negative seed", lambda: vendor_acceptability(OK, [1, 1], seed=-1), Says("seed is -1")),
    ("acceptability: uncertainty as text", lambda: vendor_acceptability(OK, [1, 1], uncertainty="high"), Says('uncertainty is "high"')),
    ("acceptability: samples 0", lambda: vendor_acceptability(OK, [1, 1], samples=0), Says("samples is 0")),
    ("flip margins: 0 vendors", lambda: vendor_flip_margins(pd.DataFrame({"Q": []}, dtype=float), [1]), Says("no vendors to compare")),
    ("flip margins: duplicate vendors", lambda: vendor_flip_margins(pd.DataFrame({"Q": [4.0, 3.0]}, index=["a", "a"]), [1]),
     Says('vendor "a" appears more than once')),
]


@pytest.mark.parametrize("call, expected", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_python_api(call, expected):
    if isinstance(expected, Says):
        with pytest.raises(PartnerfitError) as error:  # any other exception fails the test
            call()
        message = str(error.value)
        assert one_line(message) and expected.fragment in message, message
    elif isinstance(expected, Gives):
        assert same(call(), expected.value)
    else:
        assert expected(call())


# ====================================================================== the command line

CRO = Filling(partner_type="CRO").criteria
M = len(CRO)


def cli(*args, cwd=None, timeout=60, memory: int | None = None):
    """`python -m partnerfit.cli ARGS`; with `memory`, under an address-space limit in bytes."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    env.pop("PARTNERFIT_DEBUG", None)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, timeout=timeout, env=env, preexec_fn=limit if memory else None)


def filled(folder: Path, name="in.xlsx", **changes) -> Path:
    """A small CRO evaluation with two vendors, changed by `changes` (Filling fields)."""
    fields = dict(partner_type="CRO", stage="Phase II", need="clinical", capacity=5,
                  vendors=(Vendor("Acme", "", (4,) * M), Vendor("Beta", "", (3,) * M)))
    fields.update(changes)
    path = folder / name
    write_workbook(path, Filling(**fields))
    return path


def weights(first) -> tuple:
    return (first,) + Filling(partner_type="CRO").weights[1:]


def edited(folder: Path, cells: dict, sheet="Vendors") -> Path:
    """`filled` with cells set by openpyxl (dates, error values: what XlsxWriter would write as text)."""
    path = filled(folder, "base.xlsx")
    book = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        book[sheet][ref] = value
    out = folder / "in.xlsx"
    book.save(out)
    return out


def renamed(folder: Path, name: str, reference: str | None) -> Path:
    """`filled` with a defined name pointing elsewhere (None: removed)."""
    source = filled(folder, "base.xlsx")
    xml = _part(source, "xl/workbook.xml").decode()
    element = rf'<definedName name="{name}">[^<]*</definedName>'
    xml = re.sub(element, "" if reference is None else f'<definedName name="{name}">{reference}</definedName>', xml)
    return _rewrite(source, folder / "in.xlsx", {"xl/workbook.xml": xml.encode()})


def minimal_workbook(folder: Path, vendors: list[tuple[str, list[float]]], criteria=("Quality", "Cost"),
                     weights=(70, 30)) -> Path:
    """A workbook holding only the defined names `score` reads, written fast (10,000 vendors in
    about a second, where the full template takes a minute)."""
    import xlsxwriter

    path = folder / "minimal.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    program = book.add_worksheet("Program")
    for r, value in enumerate(("Phase II", "clinical")):
        program.write_string(r, 0, value)
    setup = book.add_worksheet("Criteria")
    for r, (name, weight) in enumerate(zip(criteria, weights)):
        setup.write_string(r, 0, name)
        setup.write_number(r, 1, weight)
    sheet = book.add_worksheet("Vendors")
    for r, (name, scores) in enumerate(vendors):
        sheet.write_string(r, 0, name)
        for c, score in enumerate(scores, start=1):
            sheet.write_number(r, c, score)
    m, n = len(criteria), max(len(vendors), 1)
    last = chr(ord("A") + m)
    names = {"Program_Stage": "Program!$A$1", "Program_Need": "Program!$A$2", "Program_Process": "Program!$A$3",
             "Program_CMC": "Program!$A$4", "Program_Modality": "Program!$A$5", "Criteria_Names": f"Criteria!$A$1:$A${m}",
             "Weights": f"Criteria!$B$1:$B${m}", "Minimums": f"Criteria!$C$1:$C${m}",
             "Vendor_Names": f"Vendors!$A$1:$A${n}", "Vendor_Scores": f"Vendors!$B$1:${last}${n}"}
    for name, ref in names.items():
        book.define_name(name, "=" + ref)
    book.close()
    return path


def ten_thousand_cli(folder: Path) -> list:
    q = [float(1 + i % 5) for i in range(10_000)]
    return ["score", minimal_workbook(folder, [(f"V{i:05d}", [q[i], 6 - q[i]]) for i in range(10_000)]), "--json"]


def check_ten_thousand_cli(data) -> bool:
    vendors = data["vendors"]
    return (len(vendors) == 10_000 and [v["rank"] for v in vendors] == [1 + 2000 * k for k in range(5) for _ in range(2000)]
            and all(math.isclose(v["score"], 1.8 + 0.4 * (5 - k)) for k in range(5) for v in vendors[2000 * k:2000 * (k + 1)]))


def vendor(data, name) -> dict:
    return next(v for v in data["vendors"] if v["vendor"] == name)


def acme_invalid_on(criterion: str, coverage: float):
    return lambda data: vendor(data, "Acme") == {"vendor": "Acme", "score": None, "rank": None, "coverage": pytest.approx(coverage),
                                                 "status": f"Invalid: {criterion} is not a score from 1 to 5",
                                                 "due_diligence": "Eligible", "evaluators": 1, "flagged": 0, "agreed": 0}


TOTAL = sum(Filling(partner_type="CRO").weights)
FIRST = Filling(partner_type="CRO").weights[0]

# (id, make(folder) -> argv, exit code, expected): Says -> one line on stderr (exit 1 or 2), or on
# stdout for `check`; a callable -> checks the parsed --json output (exit 0).
CLI_CASES = [
    ("weight with a decimal comma", lambda d: ["score", filled(d, weights=weights("3,5"))], 1,
     Says('Criteria!D7: weight for Scope of work is "3,5", not a number')),
    ("negative weight", lambda d: ["score", filled(d, weights=weights(-5))], 1, Says("weight for Scope of work is -5; weights must be 0 or more")),
    ("all weights 0", lambda d: ["score", filled(d, weights=(0,) * M)], 1, Says("all weights are 0")),
    ("boolean weight", lambda d: ["score", filled(d, weights=weights(True))], 1, Says("weight for Scope of work is True, not a number")),
    ("weights whose sum overflows", lambda d: ["score", filled(d, weights=(1e308,) * M)], 1, Says("the weights add up to more than")),
    # The Program sheet is read as its formulas read it: no recommendation is a note, never a refusal.
    ("blank stage", lambda d: ["score", filled(d, stage=None)], 0,
     Prints("Recommended partner type: none (Enter the development stage and what you need on the Program sheet)")),
    ("blank stage, checked", lambda d: ["check", filled(d, stage=None)], 0,
     Prints("Program!B4: note: Enter the development stage and what you need for a recommended partner type")),
    ("need only a separator", lambda d: ["score", filled(d, need="+")], 0,
     Prints("Recommended partner type: none (Pick what you need from the list on the Program sheet)")),
    ("synonym of a stage", lambda d: ["score", filled(d, stage="P2")], 0, Prints("Recommended partner type: none (Pick")),
    ("unknown stage, checked", lambda d: ["check", filled(d, stage="Phase 9")], 1,
     Says('Program!B4: "Phase 9" is not on the list for the development stage; pick one from the drop-down list')),
    ("min coverage as text", lambda d: ["score", filled(d, min_coverage="half")], 1, Says('minimum coverage is "half", not a number')),
    ("min coverage 2", lambda d: ["score", filled(d, min_coverage=2)], 1, Says("min_coverage is 2")),
    ("must-have 7", lambda d: ["score", filled(d, minimums=(7,) + (None,) * (M - 1))], 1,
     Says("Criteria!E7: must-have minimum for Scope of work is 7")),
    ("duplicate vendors", lambda d: ["score", filled(d, vendors=(Vendor("Acme", "", (4,) * M),) * 2)], 1,
     Says('Vendors!A6: vendor "Acme" is also in Vendors!A5')),
    ("duplicate names with a line break", lambda d: ["score", filled(d, vendors=(Vendor("Acme\nBio", "", (4,) * M),) * 2)], 1,
     Says('Vendors!A6: vendor "Acme Bio" is also in Vendors!A5')),
    ("text score with a decimal comma, checked", lambda d: ["check", filled(d, vendors=(Vendor("Acme", "", ("3,5",) + (4,) * (M - 1)),))],
     1, Says('Vendors!B5: "3,5" for Acme / Scope of work is not a score from 1 to 5')),
    ("text score with a decimal comma, scored", lambda d: ["score", "--json", filled(d, vendors=(Vendor("Acme", "", ("3,5",) + (4,) * (M - 1)),))],
     0, acme_invalid_on("Scope of work", (TOTAL - FIRST) / TOTAL)),
    ("date in a score cell, checked", lambda d: ["check", edited(d, {"B5": DATE})], 1,
     Says("Vendors!B5: 2024-01-31 for Acme / Scope of work is not a score")),
    ("date in a score cell, scored", lambda d: ["score", "--json", edited(d, {"B5": DATE})], 0,
     acme_invalid_on("Scope of work", (TOTAL - FIRST) / TOTAL)),
    ("boolean in a score cell, scored", lambda d: ["score", "--json", edited(d, {"B5": True})], 0,
     acme_invalid_on("Scope of work", (TOTAL - FIRST) / TOTAL)),
    # An error cell (#N/A, #DIV/0!) reads as blank, as Excel hands it to a UDF: not scored.
    ("error value in a score cell", lambda d: ["score", "--json", edited(d, {"B5": "#DIV/0!"})], 0,
     lambda data: vendor(data, "Acme") == {"vendor": "Acme", "score": 4.0, "rank": 1,
                                           "coverage": pytest.approx((TOTAL - FIRST) / TOTAL), "status": "Eligible",
                                           "due_diligence": "Eligible", "evaluators": 1, "flagged": 0, "agreed": 0}),
    ("0 vendors", lambda d: ["score", "--json", filled(d, vendors=())], 0, lambda data: data["vendors"] == []),
    ("one vendor row (one-cell names)", lambda d: ["score", "--json", filled(d, capacity=1, vendors=(Vendor("Solo", "", (4,) * M),))], 0,
     lambda data: data["vendors"] == [{"vendor": "Solo", "score": 4.0, "rank": 1, "coverage": 1.0, "status": "Eligible",
                                         "due_diligence": "Eligible", "evaluators": 1, "flagged": 0, "agreed": 0}]),
    ("10,000 vendors", ten_thousand_cli, 0, check_ten_thousand_cli),
    ("unicode names", lambda d: ["score", "--json", filled(d, vendors=(Vendor("🧪 Acme", "", (4,) * M), Vendor("شركة", "", (3,) * M),
                                                                          Vendor("\u202eevil", "", (5,) * M)))], 0,
     lambda data: [v["vendor"] for v in data["vendors"]] == ["\u202eevil", "🧪 Acme", "شركة"]),
    ("10,000-character vendor name", lambda d: ["score", "--json", filled(d, vendors=(Vendor(LONG, "", (4,) * M),))], 0,
     lambda data: data["vendors"][0]["vendor"] == LONG),
    ("numeric vendor name", lambda d: ["score", "--json", filled(d, vendors=(Vendor(101, "", (4,) * M),))], 0,
     lambda data: data["vendors"][0]["vendor"] == "101"),
    ("defined name missing", lambda d: ["score", renamed(d, "Weights", None)], 1, Says("defined name Weights is missing")),
    ("scores one column short", lambda d: ["score", renamed(d, "Vendor_Scores", "Vendors!$B$5:$K$9")], 1,
     Says("This workbook's formulas score 11 criteria, but a criterion row or a vendor-table column was added")),
    ("names and scores over different rows", lambda d: ["score", renamed(d, "Vendor_Names", "Vendors!$A$5:$A$8")], 1,
     Says("Vendor_Names covers 4 rows but Vendor_Scores 5")),
    ("a name spanning a whole sheet", lambda d: ["score", renamed(d, "Vendor_Scores", "Vendors!$A$1:$XFD$1048576")], 1,
     Says("spans 1,048,576 x 16,384 cells")),
    ("a name pointing to a missing sheet", lambda d: ["score", renamed(d, "Weights", "Nowhere!$D$7:$D$17")], 1,
     Says("sheet 'Nowhere' is missing")),
    ("a name holding a constant", lambda d: ["score", renamed(d, "Weights", "42")], 1, Says("defined name Weights is '42', not a plain range")),
    ("no command", lambda d: [], 2, Says("partnerfit: the following arguments are required: COMMAND")),
    ("unknown command", lambda d: ["bogus"], 2, Says("invalid choice: 'bogus'")),
    ("--vendors 0", lambda d: ["new", d / "x.xlsx", "--vendors", "0"], 2, Says("'0' is not a whole number from 1 to")),
    ("-o with several inputs", lambda d: ["score", "a.xlsx", "b.xlsx", "-o", "x.xlsx"], 2, Says("-o names one output")),
    ("input is a folder", lambda d: ["score", d], 1, Says("not a file")),
    ("input missing", lambda d: ["check", d / "missing.xlsx"], 1, Says("missing.xlsx: no such file")),
    ("input name too long", lambda d: ["score", d / ("a" * 300 + ".xlsx")], 1, Says("cannot be read (File name too long)")),
    ("output into a missing folder", lambda d: ["score", filled(d), "-o", d / "no" / "out.xlsx"], 1, Says("no such folder")),
    ("output is a folder", lambda d: ["score", filled(d), "-o", d, "--force"], 1, Says("is a folder")),
    ("output is the input", lambda d: ["score", filled(d), "-o", d / "in.xlsx"], 1, Says("is the input file")),
    ("output name too long", lambda d: ["new", d / ("b" * 300 + ".xlsx")], 1, Says("cannot write there (File name too long)")),
    ("shared copy as .csv", lambda d: ["share", filled(d), "-o", d / "out.csv"], 1, Says("must end in .xlsx")),
    ("new workbook as .csv", lambda d: ["new", d / "x.csv"], 2, Says("x.csv must end in .xlsx")),
    ("verify a workbook never shared", lambda d: ["verify", filled(d)], 1, Says("1 value(s) no longer match")),
    # Text from a workbook never drives the terminal: control characters and bidi overrides print as escapes.
    ("escape sequences in a vendor name, printed", lambda d: ["score", filled(d, vendors=(Vendor("\x1b[2JAcme\x1b[31m", "", (4,) * M),))],
     0, Prints("\\x1b[2JAcme\\x1b[31m")),
    ("escape sequences in duplicate names, checked", lambda d: ["check", filled(d, vendors=(Vendor("\x1b]0;pwned\x07", "", (4,) * M),) * 2)],
     1, Says('vendor "\\x1b]0;pwned\\x07" is also in Vendors!A5')),
    ("bidi override in a score cell, checked", lambda d: ["check", filled(d, vendors=(Vendor("Acme", "", ("\u202e5",) + (4,) * (M - 1)),))],
     1, Says('"\\u202e5" for Acme / Scope of work is not a score')),
    ("escape sequence in a stage", lambda d: ["check", filled(d, stage="\x1b[2J")], 1, Says('"\\x1b[2J" is not on the list')),
]


@pytest.mark.parametrize("make, code, expected", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_command_line(tmp_path, make, code, expected):
    result = cli(*make(tmp_path), cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", result.stdout + result.stderr)  # \t, \n only
    if isinstance(expected, Prints):
        assert expected.fragment in result.stdout, result.stdout
    elif isinstance(expected, Says):
        if code == 1 and result.stdout.strip() and not result.stderr.strip():  # `check`: problems on stdout
            lines = result.stdout.splitlines()
            assert any(expected.fragment in line for line in lines), lines
        else:
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert expected.fragment in result.stderr, result.stderr
    else:
        assert expected(json.loads(result.stdout)), result.stdout[:2000]


def test_catalogue_has_at_least_50_distinct_inputs():
    ids = [("excel", c[0]) for c in UDF_CASES] + [("api", c[0]) for c in API_CASES] + [("cli", c[0]) for c in CLI_CASES]
    assert len(set(ids)) == len(ids) and len(ids) >= 50
    assert min(len(UDF_CASES), len(API_CASES), len(CLI_CASES)) >= 20


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`partnerfit score ... --json | head -1`: the reader leaves early; no error message."""
    path = filled(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen([sys.executable, "-m", "partnerfit.cli", "score", path, path, path, "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    process.stdout.close()  # before the first line is written
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and stderr.decode() == ""


# ====================================================================== hostile files, bounded

MEMORY = 1536 * 2**20
"""Address-space limit for each command on a hostile file (numpy and python-calamine included)."""
SECONDS = 10


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    """Each hostile file made once (the zip bomb takes a few seconds to compress)."""
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for kind, (maker, _) in HOSTILE.items():
        sub = folder / kind
        sub.mkdir()
        files[kind] = maker(sub)
    return files


@pytest.mark.parametrize("command", ["score", "share", "verify"])
@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_files_in_bounded_time_and_memory(hostile_files, tmp_path, kind, command):
    path = hostile_files[kind]
    args = {"score": ["score", path, "-o", tmp_path / "out.xlsx"], "share": ["share", path, "-o", tmp_path / "out.xlsx"],
            "verify": ["verify", path]}[command]
    start = time.perf_counter()
    result = cli(*args, timeout=60, memory=MEMORY)
    elapsed = time.perf_counter() - start
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unexpected" not in lines[0] and "Traceback" not in result.stderr, result.stderr
    if command == "verify" and "not a copy made by partnerfit share" in result.stdout:
        pass  # a sane package without the Audit checksum is refused before its names are read
    else:
        assert HOSTILE[kind][1] in lines[0], result.stderr
    assert elapsed < SECONDS, f"{kind}: {elapsed:.1f} s"
    assert not (tmp_path / "out.xlsx").exists() and list(tmp_path.iterdir()) == []  # no output, no partial file


# ====================================================================== links to other workbooks


@pytest.fixture
def listener():
    """A local port that counts connections: a link that partnerfit followed would knock here."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        yield server


def knocks(server) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_links_to_other_workbooks_are_never_followed(tmp_path, listener):
    """Decision: a workbook linked to other workbooks is read and scored like any other (partnerfit
    reads cached values and never opens a link); the working copy keeps the links as the user
    made them; the shared copy drops them, so procurement's Excel never offers to fetch anything."""
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/prices.xlsx"
    path = external_links(tmp_path, url)
    assert cli("check", path).returncode == 0
    data = json.loads(cli("score", path, "--json").stdout)
    assert [(v["vendor"], v["score"], v["rank"]) for v in data["vendors"]] == [("Acme", 4.0, 1), ("Beta", 3.0, 2)]
    scored, shared = tmp_path / "scored.xlsx", tmp_path / "shared.xlsx"
    assert cli("score", path, "-o", scored, memory=MEMORY).returncode == 0
    result = cli("share", path, "-o", shared, memory=MEMORY)
    assert result.returncode == 0 and "lacks links to other workbooks" in result.stderr
    assert cli("verify", shared).returncode == 0
    assert knocks(listener) == 0
    # The working copy keeps the user's links byte for byte; the shared copy has none left.
    for part in ("xl/externalLinks/externalLink1.xml", "xl/externalLinks/_rels/externalLink1.xml.rels"):
        assert _part(scored, part) == _part(path, part)
    with zipfile.ZipFile(shared) as package:
        assert not [n for n in package.namelist() if "externalLink" in n]
        everything = b"".join(package.read(n) for n in package.namelist() if n.endswith((".xml", ".rels")))
    assert url.encode() not in everything and b"externalReference" not in everything and b"[1]" not in everything
    book = openpyxl.load_workbook(shared)
    assert book["Start"]["A1"].value == 4 and "Supplier_Price" not in book.defined_names
    # The listener does notice a connection.
    socket.create_connection(listener.getsockname(), timeout=5).close()
    assert knocks(listener) == 1


@pytest.mark.libreoffice
def test_libreoffice_fetches_nothing_for_the_shared_copy(tmp_path, listener):
    from libreoffice import recalc

    path = external_links(tmp_path, f"http://127.0.0.1:{listener.getsockname()[1]}/prices.xlsx")
    shared = tmp_path / "shared.xlsx"
    assert cli("share", path, "-o", shared).returncode == 0
    (out,) = recalc([shared], tmp_path / "lo")
    assert knocks(listener) == 0
    assert not [n for n in zipfile.ZipFile(out).namelist() if "externalLink" in n]


# ====================================================================== stale results from other programs


def stale(folder: Path) -> Path:
    """A workbook whose inputs changed after its results were last computed, as when a program
    without the add-in saved it: Beta's scores raised from 3 to 5, every cached result left as
    it was (the add-in block still says Acme first)."""
    source = filled(folder, "base.xlsx")
    part = "xl/worksheets/sheet4.xml"  # Vendors
    xml = re.sub(rb'(<c r="[B-L]6"[^>]*><v>)3(</v>)', rb"\g<1>5\g<2>", _part(source, part))
    return _rewrite(source, folder / "stale.xlsx", {part: xml})


def addin_block(path: Path) -> list[list]:
    book = openpyxl.load_workbook(path, data_only=True)
    sheet, ref = next(book.defined_names["Addin_Results"].destinations)
    return [[c.value for c in row] for row in book[sheet][ref.replace("$", "")]][:3]


FRESH = [["Vendor", "Score", "Rank", "Coverage", "Status"], ["Beta", 5, 1, 1, "Eligible"], ["Acme", 4, 2, 1, "Eligible"]]


def test_stale_addin_results_are_replaced_in_both_copies(tmp_path):
    """The add-in block's cells beyond its anchor are plain values: both copies recompute them, so
    the procurement copy shows no stale number and verifies at once."""
    path = stale(tmp_path)
    assert addin_block(path)[1][0] == "Acme"  # stale: Acme first
    assert cli("score", path, "-o", tmp_path / "scored.xlsx").returncode == 0
    assert addin_block(tmp_path / "scored.xlsx") == FRESH
    assert cli("share", path, "-o", tmp_path / "shared.xlsx").returncode == 0
    assert addin_block(tmp_path / "shared.xlsx") == FRESH
    result = cli("verify", tmp_path / "shared.xlsx")
    assert result.returncode == 0, result.stdout


@pytest.mark.libreoffice
def test_a_workbook_saved_by_libreoffice_shares_and_verifies(tmp_path):
    """LibreOffice stores the add-in block as an array of #NAME? errors: the copy replaces them."""
    from libreoffice import recalc

    (saved,) = recalc([filled(tmp_path)], tmp_path / "lo")
    assert cli("share", saved, "-o", tmp_path / "shared.xlsx").returncode == 0
    result = cli("verify", tmp_path / "shared.xlsx")
    assert result.returncode == 0, result.stdout
    assert addin_block(tmp_path / "shared.xlsx")[1] == ["Acme", 4, 1, 1, "Eligible"]
