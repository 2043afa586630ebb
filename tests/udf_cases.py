"""Excel-function cases shared by the classic tests (test_udfs.py, test_udfs_decisions.py) and the
Office.js runtime test (test_officejs.py), so that both runtimes are held to one table.

Arguments are as Excel hands them to a classic UDF: floats (3.0, never 3), None for blanks, text as
typed ("1/3", "N/A"), scalars for one cell, flat lists for one row or column, lists of lists for
blocks. Expected values embed ``pytest.approx`` where a number has a tolerance.
"""

import datetime as dt

from pytest import approx

from test_ahp import DRINKS, DRINKS_WEIGHTS

# ---------------------------------------------------------------- inputs of the worked cases

HEADER = ["Vendor", "Scope", "Quality", "Cost"]
TABLE = [
    HEADER,
    ["Alpha", 5.0, 4.0, 3.0],
    ["Beta", 4.0, " 5 ", None],
    [None, None, None, None],  # a blank row of a generous selection
    ["Gamma", "N/A", 2.0, 5.0],
]
WEIGHTS = [50.0, 30.0, 20.0]

# A2 of shared/reference/published_cases.md (the leader example of the English Wikipedia
# article on the AHP), with the fractions typed as text as a user does.
LEADER = [
    [1.0, 4.0, 3.0, 7.0],
    ["1/4", 1.0, "1/3", 3.0],
    ["1/3", 3.0, 1.0, 5.0],
    ["1/7", "1/3", "1/5", 1.0],
]

EVALUATIONS = [
    ["Vendor", "Evaluator", "Criterion", "Score", "Evidence"],
    ["Vendor A", "Ann", "Quality", 5.0, "audit 2024"],
    ["Vendor A", "Bob", "Quality", 5.0, None],
    ["Vendor A", "Ann", "Cost", 2.0, None],
    ["Vendor A", "Bob", "Cost", "N/A", None],
    [None, None, None, None, None],  # a blank row of a generous selection
    ["Vendor B", "Ann", "Quality", 1.0, None],
    ["Vendor B", "Bob", "Quality", 4.0, None],
    ["Vendor B", "Ann", "Cost", " 3 ", None],
    ["Vendor B", "Bob", "Cost", 3.0, None],
]

# Vendor A = [5, -, 2] and Vendor B = [3, 3, 3] under equal weights (hand-computed margins in
# tests/test_robustness.py: Quality down to 0.2, Speed up to 1, Cost up to 0.5).
RISK_TABLE = [
    ["Vendor", "Quality", "Speed", "Cost"],
    ["Vendor A", 5.0, None, 2.0],
    ["Vendor B", 3.0, 3.0, 3.0],
    [None, None, None, None],
]
RISK_WEIGHTS = [1.0, 1.0, 1.0]

# The README's robustness example.
README_TABLE = [["Vendor", "Quality", "Cost"], ["Acme", 4.0, 3.0], ["Beta", 4.5, 2.0], ["Gamma", 3.0, 5.0]]
README_WEIGHTS = [70.0, 30.0]

S2 = ("Commercial", "manufacturing", "validated", "strong", "small molecule")
S3 = ("Preclinical", "development + manufacturing", "none", "limited", "cell therapy")


def _ahp_rows(weights, lambda_max, cr, note, tolerance):
    """AHP_WEIGHTS' spill with the published numbers, each within `tolerance`."""
    rows = [[f"Weight {i + 1}", approx(w, abs=tolerance)] for i, w in enumerate(weights)]
    n = len(weights)
    ci = approx((lambda_max - n) / (n - 1), abs=tolerance)
    return rows + [["Lambda max", approx(lambda_max, abs=tolerance)], ["CI", ci], ["CR", approx(cr, abs=tolerance)],
                   ["Consistent", True], ["Note", note]]


# ---------------------------------------------------------------- published and worked cases

PUBLISHED = [  # (id, function name, arguments, expected); shared/reference/published_cases.md
    ("W1: weights 30/25/20/15/10, scores 5 4 4 3 4", "VENDOR_SCORE",
     ([5.0, 4.0, 4.0, 3.0, 4.0], [30.0, 25.0, 20.0, 15.0, 10.0]), approx(4.15, abs=1e-12)),
    ("W1 with the 15 % criterion blank", "VENDOR_SCORE",
     ([5.0, 4.0, 4.0, None, 4.0], [0.3, 0.25, 0.2, 0.15, 0.1]), approx(3.7 / 0.85, abs=1e-12)),
    ("S1: Phase II, clinical", "PARTNER_FIT", ("Phase II", "clinical"), "CRO"),
    ("S1 with the optional cells blank", "PARTNER_FIT", ("Phase II", "clinical", None, None, None), "CRO"),
    ("S2: an approved drug needing volume", "PARTNER_FIT", S2, "CMO"),
    ("S2 fit scores", "PARTNER_FIT_SCORES", S2, [["CRO", "CMO", "CDMO"], [0.0, 91.0, 27.0]]),
    ("S3: start-up, cell therapy, development + manufacturing", "PARTNER_FIT", S3, "CDMO"),
    ("S3 with odd case and spaces", "PARTNER_FIT", (" preclinical ",) + S3[1:], "CDMO"),
    ("A2: AHP leader example, fractions typed as text", "AHP_WEIGHTS", (LEADER,),
     _ahp_rows([0.5476, 0.1266, 0.2699, 0.0559], 4.1185, 0.044, "consistent: CR 0.044 is at most 0.10", 2e-3)),
    ("A1: AHP drinks (Saaty 2008)", "AHP_WEIGHTS",
     ([[v if isinstance(v, str) else float(v) for v in row] for row in DRINKS],),
     _ahp_rows(DRINKS_WEIGHTS, 7.1766, 0.022, "consistent: CR 0.022 is at most 0.10", 1e-3)),
]

WORKED = [  # (id, function name, arguments, expected): worked by hand in the comments
    # Two stakeholders, separate ranges and stacked: geometric means sqrt(3 x 1/3) = 1, sqrt(2 x 8) = 4;
    # 3 against 1/3 is 4 scale steps apart (2 and -2), 2 against 8 is 6.
    ("AHP_AGGREGATE two stakeholders", "AHP_AGGREGATE",
     ([[1.0, 3.0], [None, 1.0]], [[1.0, "1/3"], [None, 1.0]]),
     [[1.0, approx(1.0)], [approx(1.0), 1.0], ["CR stakeholder 1", 0.0], ["CR stakeholder 2", 0.0],
      ["Pairs over 3 steps apart", 1], ["row 1 col 2", 4.0]]),
    ("AHP_AGGREGATE stacked", "AHP_AGGREGATE", ([[1.0, 2.0], [None, 1.0], [1.0, 8.0], [None, 1.0]],),
     [[1.0, approx(4.0)], [approx(0.25), 1.0], ["CR stakeholder 1", 0.0], ["CR stakeholder 2", 0.0],
      ["Pairs over 3 steps apart", 1], ["row 1 col 2", 6.0]]),
    ("VENDOR_SCORE one criterion: scalars", "VENDOR_SCORE", (4.0, 1.0), 4.0),
    ("VENDOR_SCORE knocked out", "VENDOR_SCORE", ([5.0, 2.0], [1.0, 1.0], [None, 3.0]), "Knocked out: criterion 2"),
    ("VENDOR_SCORE invalid", "VENDOR_SCORE", ([5.0, 9.0], [1.0, 1.0]),
     "Invalid: criterion 2 is not a score from 1 to 5"),
    ("VENDOR_SCORE incomplete", "VENDOR_SCORE", ([5.0, None, None], [1.0, 1.0, 1.0]), "Incomplete"),
    ("VENDOR_SCORE min_coverage 0.3", "VENDOR_SCORE", ([5.0, None, None], [1.0, 1.0, 1.0], None, 0.3), 5.0),
    ("VENDOR_SCORE column-shaped selections", "VENDOR_SCORE", ([[5.0], [3.0]], [[1.0], [1.0]]), 4.0),
    ("VENDOR_SCORE blank weight is 0", "VENDOR_SCORE", ([5.0, 1.0], [1.0, None]), 5.0),
    ("VENDOR_RANKING ranked, a must-have", "VENDOR_RANKING", (TABLE, WEIGHTS, [None, 3.0, None]), [
        ["Vendor", "Score", "Rank", "Coverage", "Status"],
        ["Beta", approx(4.375), 1.0, 0.8, "Eligible"],  # (200 + 150) / 80
        ["Alpha", approx(4.3), 2.0, 1.0, "Eligible"],  # (250 + 120 + 60) / 100
        ["Gamma", approx(3.2), None, 0.5, "Knocked out: Quality"],  # (60 + 100) / 50; Quality 2 < 3
    ]),
    ("VENDOR_RANKING numeric vendor name", "VENDOR_RANKING", ([HEADER, [101.0, 4.0, 4.0, 4.0]], WEIGHTS),
     [["Vendor", "Score", "Rank", "Coverage", "Status"], ["101", 4.0, 1.0, 1.0, "Eligible"]]),
    ("CONSENSUS of two evaluators, N/A and a blank row", "CONSENSUS", (EVALUATIONS,),
     [["Vendor", "Quality", "Cost"], ["Vendor A", 5.0, 2.0], ["Vendor B", 2.5, 3.0]]),
    ("CONSENSUS median", "CONSENSUS", (EVALUATIONS + [["Vendor B", "Cy", "Quality", 5.0, None]], "median"),
     [["Vendor", "Quality", "Cost"], ["Vendor A", 5.0, 2.0], ["Vendor B", 4.0, 3.0]]),
    ("RANK_ACCEPTABILITY without uncertainty", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, 0.0, 10.0),
     [["Vendor", "Rank 1", "Rank 2"], ["Vendor A", 1.0, 0.0], ["Vendor B", 0.0, 1.0]]),
    ("FLIP_MARGIN hand-computed margins", "FLIP_MARGIN", (RISK_TABLE, RISK_WEIGHTS), [
        ["Criterion", "Weight", "Change", "New weight", "New leader"],
        ["Quality", approx(1 / 3), approx(0.2 - 1 / 3), approx(0.2), "Vendor B"],
        ["Speed", approx(1 / 3), approx(2 / 3), approx(1.0), "Vendor B"],
        ["Cost", approx(1 / 3), approx(1 / 6), approx(0.5), "Vendor B"],
    ]),
    ("README: RANK_ACCEPTABILITY", "RANK_ACCEPTABILITY", (README_TABLE, README_WEIGHTS), [
        ["Vendor", "Rank 1", "Rank 2", "Rank 3"], ["Acme", 0.0, 1.0, 0.0],
        ["Beta", approx(0.80, abs=0.01), 0.0, approx(0.20, abs=0.01)],
        ["Gamma", approx(0.20, abs=0.01), 0.0, approx(0.80, abs=0.01)],
    ]),
    ("README: FLIP_MARGIN", "FLIP_MARGIN", (README_TABLE, README_WEIGHTS), [
        ["Criterion", "Weight", "Change", "New weight", "New leader"],
        ["Quality", approx(0.7), approx(-0.1 / 3), approx(2 / 3), "Gamma"],  # 4.5w + 2(1-w) = 3w + 5(1-w)
        ["Cost", approx(0.3), approx(0.1 / 3), approx(1 / 3), "Gamma"],
    ]),
    ("README: ROBUSTNESS", "ROBUSTNESS", (README_TABLE, README_WEIGHTS),
     "Beta leads in 80 % of weightings; a 3.3-point cut in the weight of Quality (from 70 % to 66.7 %) would "
     "make Gamma first."),
    ("PARTNERFIT_VERSION", "PARTNERFIT_VERSION", (), None),  # None: the installed version, checked apart
    # PRICE_SCORE keeps the shape of the prices; linear: 5 - 4 (p - low) / (high - low) within [1, 5].
    ("PRICE_SCORE a column", "PRICE_SCORE", ([[100.0], [150.0], [None], [200.0]],), [[5.0], [3.0], [None], [1.0]]),
    ("PRICE_SCORE a row, ratio", "PRICE_SCORE", ([[100.0, 125.0, 200.0]], "ratio"), [[5.0, 4.0, 2.5]]),  # 5 x 100 / p
    ("PRICE_SCORE a flat list (classic, no ndim)", "PRICE_SCORE", ([100.0, None, 200.0],), [5.0, None, 1.0]),
    ("PRICE_SCORE one cell", "PRICE_SCORE", (150.0,), 5.0),
    ("PRICE_SCORE a 1 x 1 block", "PRICE_SCORE", ([[150.0]],), [[5.0]]),
    ("PRICE_SCORE one blank cell", "PRICE_SCORE", (None,), None),
    ("PRICE_SCORE low and high typed", "PRICE_SCORE",
     ([[100.0], [120.0], [135.0], [150.0], [180.0], [200.0]], None, 120.0, 180.0),
     [[5.0], [5.0], [4.0], [3.0], [1.0], [1.0]]),
    ("PRICE_SCORE blank options take the defaults", "PRICE_SCORE",
     ([[100.0], [120.0], [135.0], [150.0], [180.0], [200.0]], "", None, None),
     [[5.0], [approx(4.2)], [approx(3.6)], [3.0], [approx(1.8)], [1.0]]),
    ("PRICE_SCORE method with spaces and capitals", "PRICE_SCORE", ([[100.0], [125.0]], " Ratio "), [[5.0], [4.0]]),
    ("PRICE_SCORE ints (Lite) and text numbers", "PRICE_SCORE", ([100, 200], "linear", "100", " 200 "), [5.0, 1.0]),
]

# ---------------------------------------------------------------- bad input: (id, function name, arguments, fragments)

BAD = [
    *[(f"{name} {what}", name, args, fragments) for name in ("PARTNER_FIT", "PARTNER_FIT_SCORES", "PARTNER_FIT_WHY")
      for what, args, fragments in [
          ("stage Phase 9", ("Phase 9", "clinical"), ('stage "Phase 9" is not one of Discovery',)),
          ("stage blank", (None, "clinical"), ("stage is blank",)),
          ("need blank", ("Phase II", None), ("need is blank",)),
          ("stage a number", (2.0, "clinical"), ("stage 2 is not one of",)),
          ("stage a date", (dt.datetime(2026, 1, 1), "clinical"), ("stage 2026-01-01",)),
          ("process a boolean", ("Phase II", "clinical", True), ("process True is not one of",)),
      ]],
    ("VENDOR_RANKING all weights 0", "VENDOR_RANKING", (TABLE, [0.0, 0.0, 0.0]), ("all weights are 0",)),
    ("VENDOR_RANKING negative weight", "VENDOR_RANKING", (TABLE, [1.0, -1.0, 1.0]), ("weight for Quality is -1",)),
    ("VENDOR_RANKING too few weights", "VENDOR_RANKING", (TABLE, [1.0, 1.0]), ("weights has 2 cells for 3 criteria",)),
    ("VENDOR_RANKING weight with a decimal comma", "VENDOR_RANKING", (TABLE, [1.0, "1,5", 1.0]),
     ('weight for Quality is "1,5", not a number',)),
    ("VENDOR_RANKING boolean weight", "VENDOR_RANKING", (TABLE, [1.0, True, 1.0]),
     ("weight for Quality is True, not a number",)),
    ("VENDOR_RANKING weights as a block", "VENDOR_RANKING", (TABLE, [[1.0, 2.0], [3.0, 4.0]]),
     ("weights must be one row or one column",)),
    ("VENDOR_RANKING must-have 6", "VENDOR_RANKING", (TABLE, WEIGHTS, [None, 6.0, None]),
     ("must-have minimum for Quality is 6",)),
    ("VENDOR_RANKING minimums too short", "VENDOR_RANKING", (TABLE, WEIGHTS, [1.0]),
     ("minimums has 1 cells for 3 criteria",)),
    ("VENDOR_RANKING min_coverage 2", "VENDOR_RANKING", (TABLE, WEIGHTS, None, 2.0), ("min_coverage is 2",)),
    ("VENDOR_RANKING min_coverage text", "VENDOR_RANKING", (TABLE, WEIGHTS, None, "half"),
     ('min_coverage is "half", not a number',)),
    ("VENDOR_RANKING duplicate vendor", "VENDOR_RANKING",
     ([HEADER, ["A", 1.0, 1.0, 1.0], ["A", 2.0, 2.0, 2.0]], WEIGHTS),
     ('vendor "A" appears twice',)),
    ("VENDOR_RANKING scores without a name", "VENDOR_RANKING", ([HEADER, [None, 1.0, 1.0, 1.0]], WEIGHTS),
     ("table row 2 has scores but no vendor name",)),
    ("VENDOR_RANKING header a number", "VENDOR_RANKING", ([["Vendor", 1.0, 2.0, 3.0], ["A", 1.0, 1.0, 1.0]], WEIGHTS),
     ("table header column 2 is 1",)),
    ("VENDOR_RANKING header blank", "VENDOR_RANKING", ([["Vendor", "A", None, "C"], ["A", 1.0, 1.0, 1.0]], WEIGHTS),
     ("table header column 3 is blank",)),
    ("AHP_WEIGHTS not reciprocal", "AHP_WEIGHTS", ([[1.0, 3.0], [0.5, 1.0]],),
     ("row 1 col 2 is 3 but row 2 col 1 is 1/2", "enter 1/3 in row 2 col 1")),
    ("AHP_WEIGHTS blank judgements", "AHP_WEIGHTS", ([[1.0, None], [None, 1.0]],),
     ("leave criterion 2 unconnected to criterion 1", "fill one such as row 1 col 2")),
    ("AHP_WEIGHTS words", "AHP_WEIGHTS", ([[1.0, 3.0], ["one third", 1.0]],),
     ('row 2 col 1 is "one third", not a number or a fraction',)),
    ("AHP_WEIGHTS a fraction turned into a date", "AHP_WEIGHTS", ([[1.0, 3.0], [dt.datetime(2025, 1, 3), 1.0]],),
     ("Excel turned a fraction into a date; type it as =1/3",)),
    ("AHP_WEIGHTS not square", "AHP_WEIGHTS", ([[1.0, 3.0, 2.0], ["1/3", 1.0, 1.0]],), ("pairwise matrix is 2 x 3",)),
    ("CONSENSUS score 6", "CONSENSUS", (EVALUATIONS + [["Vendor B", "Cy", "Cost", 6.0, None]], "mean"),
     ('data row 10 (vendor "Vendor B", evaluator "Cy", criterion "Cost") has score 6',)),
    ("CONSENSUS same evaluator twice", "CONSENSUS", (EVALUATIONS + [["Vendor B", "Bob", "Cost", 4.0, None]], "mean"),
     ('vendor "Vendor B", evaluator "Bob", criterion "Cost" is in data rows 9 and 10',)),
    ("CONSENSUS method average", "CONSENSUS", (EVALUATIONS, "average"), ('method is "average"; use mean or median',)),
    ("CONSENSUS no Evaluator column", "CONSENSUS",
     ([["Vendor", "Rater", "Criterion", "Score"], ["A", "x", "Cost", 3.0]], "mean"),
     ('no "Evaluator" column',)),
    ("CONSENSUS one cell", "CONSENSUS", ("Vendor", "mean"), ("evaluations must be a range",)),
    ("RANK_ACCEPTABILITY samples 200000", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, 0.2, 200000.0),
     ("samples is 200000; use a whole number from 1 to 100,000",)),
    ("RANK_ACCEPTABILITY samples 99.5", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, 0.2, 99.5),
     ("samples is 99.5",)),
    ("RANK_ACCEPTABILITY uncertainty 1", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, 1.0),
     ("uncertainty is 1; use a fraction from 0 to below 1",)),
    ("RANK_ACCEPTABILITY uncertainty text", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, "a lot"),
     ('uncertainty is "a lot", not a number',)),
    ("RANK_ACCEPTABILITY seed -1", "RANK_ACCEPTABILITY", (RISK_TABLE, RISK_WEIGHTS, 0.2, 100.0, -1.0),
     ("seed is -1; use a whole number",)),
    ("PRICE_SCORE price 0", "PRICE_SCORE", ([[100.0], [0.0]],),
     ("price 2 is 0; enter the quoted price as a number above 0",)),
    ("PRICE_SCORE price text", "PRICE_SCORE", ([[100.0], ["abc"]],), ('price 2 is "abc", not a number',)),
    ("PRICE_SCORE prices a block", "PRICE_SCORE", ([[100.0, 200.0], [150.0, 120.0]],),
     ("prices must be one row or one column, not a block",)),
    ("PRICE_SCORE method log", "PRICE_SCORE", ([[100.0], [200.0]], "log"), ('method is "log"; use linear or ratio',)),
    ("PRICE_SCORE low with ratio", "PRICE_SCORE", ([[100.0], [200.0]], "ratio", 50.0),
     ("low and high are bounds of the linear method",)),
    ("PRICE_SCORE low above high", "PRICE_SCORE", ([[100.0], [200.0]], None, 300.0, 250.0),
     ("low (300) is above high (250)",)),
    ("PRICE_SCORE low a date", "PRICE_SCORE", ([[100.0], [200.0]], None, dt.datetime(2026, 1, 1)),
     ("low is 2026-01-01",)),
    *[(f"{name} {what}", name, args, fragments) for name in ("RANK_ACCEPTABILITY", "FLIP_MARGIN", "ROBUSTNESS")
      for what, args, fragments in [
          ("weights too short", (RISK_TABLE, [1.0, 1.0]), ("weights has 2 cells for 3 criteria",)),
          ("N/A on a weighted criterion", ([["Vendor", "Quality"], ["Vendor A", "N/A"]], [1.0]),
           ('vendor "Vendor A" has no score on a criterion with a weight',)),
          ("score 6", ([["Vendor", "Quality"], ["Vendor A", 6.0]], [1.0]),
           ('score of vendor "Vendor A" for "Quality" is 6',)),
          ("no vendor rows", ([["Vendor", "Quality"]], [1.0]), ("table has no vendor rows",)),
          ("a line break in a name", ([["Vendor", "Quality"], ["Vendor\nA", 0.0]], [1.0]),
           ('vendor "Vendor A" for "Quality" is 0',)),
      ]],
]
