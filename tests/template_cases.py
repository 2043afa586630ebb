"""Workbook fillings shared by the template tests, and how to compare a workbook with the engine."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd

from partnerfit.ahp import ahp_weights, read_pairwise
from partnerfit.consensus import consensus
from partnerfit.criteria import PROFILES
from partnerfit.domain import PartnerType
from partnerfit.example import Vendor
from partnerfit.pricing import price_scores, technical_and_total
from partnerfit.scoring import score_vendors
from partnerfit.workbook.layout import ADDIN_NAMES, INPUT_NAMES, grid_names, layout
from partnerfit.workbook.model import Filling, Grid
from partnerfit.workbook.prices import PriceFilling
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.writer import write_workbook

INJECTIONS = ("=HYPERLINK(\"http://example.com\",\"x\")", "+1+1", "-2+3", "@SUM(1,1)", "=1+1")


def _criteria(partner_type: str) -> int:
    return len(PROFILES[PartnerType(partner_type)].weights)


def random_filling(seed: int, partner_type: str = "CRO", vendors: int = 50, capacity: int = 50) -> Filling:
    """Random half-point scores with blanks, N/A in several spellings, text numbers and must-haves."""
    rng = random.Random(seed)
    m = _criteria(partner_type)

    def cell():
        roll = rng.random()
        if roll < 0.08:
            return None
        if roll < 0.12:
            return rng.choice(["N/A", " n/a ", "NA", "na", "-", "not scored", "  ", "n.a."])
        if roll < 0.17:
            return rng.choice([" 4 ", "3.5", "2", " 5", "4.0", "1 "])
        return rng.randint(2, 10) / 2

    minimums = [None] * m
    for j in rng.sample(range(m), 2):
        minimums[j] = rng.choice([2, 2.5, 3])
    return Filling(
        partner_type=partner_type, stage="Phase II", need="clinical",
        minimums=tuple(minimums), min_coverage=0.6,
        vendors=tuple(Vendor(f"Vendor {i + 1:02d}", f"Site {i}", tuple(cell() for _ in range(m)))
                      for i in range(vendors)),
        capacity=capacity,
    )


def _vendor(name, scores, **fields):
    return Vendor(name, "", tuple(scores), **fields)


def ties_filling() -> Filling:
    """Exact ties, and equal means whose float sums differ in the last bit: RANK.EQ shares ranks."""
    criteria = PROFILES[PartnerType.CMO].criteria[:7]
    return Filling(
        partner_type="CMO", criteria=tuple(c.name for c in criteria),
        weights=(0.1, 0.2, 0.3, 0.7, 0.1, 0.1, 0.1),
        vendors=(
            _vendor("Float A", (1, 1, 1, 1, 1, 1, 3)),  # 1.125 summed one way,
            _vendor("Perm A", (4, 4, 4, 4, 5, 3, 4)),
            _vendor("Top", (5, 5, 5, 5, 5, 5, 5)),
            _vendor("Float B", (1, 1, 1, 1, 1, 2, 2)),  # 1.1249999999999998 the other
            _vendor("Perm B", (4, 4, 4, 4, 3, 4, 5)),
            _vendor("Top twin", (5, 5, 5, 5, 5, 5, 5)),
        ),
        capacity=8,
    )


def invalid_filling() -> Filling:
    """Cells that are not scores, knock-outs, missing must-haves, gaps and rows without a name."""
    m = _criteria("CDMO")
    good = [4] * m

    def row(**changes):
        cells = list(good)
        for j, value in changes.items():
            cells[int(j[1:])] = value
        return tuple(cells)

    return Filling(
        partner_type="CDMO", stage="Phase I", need="development + manufacturing",
        minimums=(None, 3) + (None,) * (m - 3) + (2,),
        vendors=(
            _vendor("Text", row(c3="abc")),
            _vendor("Too high", row(c0=7)),
            _vendor("Zero", row(c5=0)),
            _vendor("Dollar", row(c2="$4")),
            _vendor("Boolean", row(c4=True)),
            _vendor("Invalid beats knock-out", row(c1=2, c6="ABC")),
            _vendor("Knocked only", row(c1=2.5)),
            _vendor("Missing must", row(c1=None)),
            _vendor("Must N/A", row(c1="N/A")),
            Vendor(None, None, (None,) * m),
            _vendor("Text numbers", row(c0=" 4 ", c1="4.5", c2="+3", c3="4e0", c4="\t5\n")),
            Vendor(None, "no name", row()),
            _vendor("Nothing scored", (None,) * m),
            _vendor("Low coverage", (4,) + ("N/A",) * (m - 2) + (3,)),
            _vendor("Fine", row()),
        ),
        capacity=20,
    )


def invisible_names_filling() -> Filling:
    """Vendor names that show nothing but count (a tab, a no-break space): scored, and named by
    the Vendors sheet's warning as by check."""
    m = _criteria("CDMO")
    return Filling(vendors=(_vendor("Fine", (4,) * m), _vendor("\t", (3,) * m), _vendor("\u00a0 ", (5,) * m)),
                   capacity=5)


def injection_filling() -> Filling:
    """Vendor names and notes that look like formulas must stay text."""
    m = _criteria("CDMO")
    vendors = tuple(
        Vendor(text, text, (4,) * m, evidence=text, comments=text, partner_type=text) for text in INJECTIONS
    )
    return Filling(stage="=1+1", need="@need", process="-none", vendors=vendors, capacity=10)


def bad_weights_fillings() -> dict[str, Filling]:
    """Unusable criteria settings: every vendor says so, nothing is scored."""
    m = _criteria("CRO")
    vendors = random_filling(3, vendors=4, capacity=6).vendors
    return {
        "zero_weights": Filling(partner_type="CRO", weights=(0,) * m, vendors=vendors, capacity=6),
        "negative_weight": Filling(partner_type="CRO", weights=(-1,) + (5,) * (m - 1), vendors=vendors, capacity=6),
        "text_weight": Filling(partner_type="CRO", weights=("ten",) + (5,) * (m - 1), vendors=vendors, capacity=6),
        "bad_minimum": Filling(partner_type="CRO", minimums=(7,) + (None,) * (m - 1), vendors=vendors, capacity=6),
        "no_coverage": Filling(partner_type="CRO", min_coverage=None, vendors=vendors, capacity=6),
    }


# --------------------------------------------------------------------------- several evaluators, AHP

EVALUATORS = ("Quality lead", "CMC lead", "Procurement")


def team_filling(method: object = "mean", seed: int = 11, evaluators: int = 5) -> Filling:
    """Four of the example's vendors scored by three evaluators in grids (a fourth on some cells,
    so that medians of even counts occur; one grid lists the vendors the other way round), with
    N/A, blanks, names typed with extra spaces, disagreements of 2 points or more, a listed vendor
    nobody evaluated, a grid row of a vendor nobody scored and must-haves."""
    rng = random.Random(seed)
    example = Filling.example(capacity=8)
    criteria = example.criteria
    scored = example.vendors[:4]
    grids = []
    for k, evaluator in enumerate((*EVALUATORS, "Site auditor")):
        rows = []
        for vendor in scored:
            row = []
            for j in range(len(criteria)):
                base = vendor.scores[j] if isinstance(vendor.scores[j], (int, float)) else 3
                roll = rng.random()
                if k == 3 and j % 4:
                    row.append(None)
                elif roll < 0.06:
                    row.append(rng.choice(["N/A", None, "n/a"]))
                else:
                    row.append(max(1, min(5, base + rng.choice([-2, -1, 0, 0, 0, 1, 0.5]))))
            rows.append(tuple(row))
        names = [f"  {v.name} " if rng.random() > 0.8 else v.name for v in scored] + [example.vendors[4].name]
        rows.append((None,) * len(criteria))
        evidence = ["notes" if rng.random() > 0.7 else None for _ in names]
        order = list(range(len(names)))[::-1] if k == 1 else list(range(len(names)))
        grids.append(Grid(evaluator, tuple(names[i] for i in order), tuple(rows[i] for i in order),
                          tuple(evidence[i] for i in order)))
    return Filling(
        partner_type="CDMO", stage="Preclinical", need="development", minimums=example.minimums,
        vendors=example.vendors[:5] + (Vendor(None, None, (None,) * len(criteria)),) + example.vendors[5:6],
        capacity=8, grids=tuple(grids), evaluators=evaluators, consensus_method=method,
    )


def team_problems_filling() -> Filling:
    """Every kind of bad grid cell: the statuses say to check the Evaluations sheet."""
    good = team_filling()
    first, second = good.grids[:2]
    m = len(good.criteria)
    bad_scores = list(first.scores)
    bad_scores[0] = (7, "abc", " 4 ", "3", 2.5, *bad_scores[0][5:])  # off the scale, not a number, text numbers
    bad_vendors = (*second.vendors[:-1], "Unknown Bio")  # scored below, not on the Vendors sheet
    scores = (*second.scores[:-1], (4,) + (None,) * (m - 1))
    third = good.grids[2]  # a name spaced otherwise is the vendor's (TRIM); in other capitals it is not
    spelled = (f"  {third.vendors[0]} ", str(third.vendors[1]).upper(), *third.vendors[2:])
    return replace(good, grids=(replace(first, scores=tuple(bad_scores)),
                                replace(second, vendors=bad_vendors, scores=scores),
                                replace(third, vendors=spelled), *good.grids[3:]))


def team_match_filling() -> Filling:
    """Grids whose vendor names are plain text, with the traps of finding a vendor's row in a grid
    (Calc_Grid_At: the first row whose TRIMmed name is EXACTly the vendor's): a row in other capitals
    above the vendor's own, a vendor listed twice (the first row counts) and a number among a
    grid's vendor names."""
    good = team_filling()
    plain = [replace(g, vendors=tuple(" ".join(str(v).split()) if v else v for v in g.vendors)) for g in good.grids]
    first, second, third = plain[:3]
    blank = (None,) * len(good.criteria)
    first = replace(first, vendors=(str(first.vendors[0]).upper(), *first.vendors), scores=(blank, *first.scores),
                    evidence=(None, *first.evidence))
    second = replace(second, vendors=(*second.vendors, second.vendors[0]), scores=(*second.scores, (1,) * len(blank)),
                     evidence=(*second.evidence, None))
    third = replace(third, vendors=(*third.vendors, 42), scores=(*third.scores, blank), evidence=(*third.evidence, None))
    return replace(good, grids=(first, second, third, *plain[3:]))


def grid_evaluations(filling: Filling) -> pd.DataFrame:
    """The grids' cells as rows (Vendor, Evaluator, Criterion, Score) for the pandas consensus: an
    independent reading (vendor names trimmed of spaces, as TRIM does; each grid its own evaluator;
    of a vendor listed twice in a grid, the first row)."""
    rows = [(" ".join(str(v).split(" ")).strip() if v else v, f"grid {g}", c, x)
            for g, grid in enumerate(filling.grids) for v, row in zip(grid.vendors, grid.scores) if v
            for c, x in zip(filling.criteria, row)]
    frame = pd.DataFrame(rows, columns=["Vendor", "Evaluator", "Criterion", "Score"])
    return frame.drop_duplicates(["Vendor", "Evaluator", "Criterion"], keep="first")


A1_CRITERIA = ("Coffee", "Wine", "Tea", "Beer", "Sodas", "Milk", "Water")
A1 = (  # shared/reference/published_cases.md A1 (Saaty 2008): the upper triangle as typed
    (1, 9, 5, 2, 1, 1, "1/2"),
    (None, 1, "1/3", "1/9", "1/9", "1/9", "1/9"),
    (None, None, 1, "1/3", "1/4", "1/3", "1/9"),
    (None, None, None, 1, "1/2", 1, "1/3"),
    (None, None, None, None, 1, 2, "1/2"),
    (None, None, None, None, None, 1, "1/3"),
    (None, None, None, None, None, None, 1),
)
A2_CRITERIA = ("Experience", "Education", "Charisma", "Age")
A2 = ((1, 4, 3, 7), (None, 1, " 1 / 3 ", 3), (None, None, 1, 5), (None, None, None, 1))


def ahp_filling(criteria, judgements, use_ahp: object = "Yes", vendors: int = 5, seed: int = 3) -> Filling:
    """Vendors scored on criteria outside the catalogue, weighted by AHP judgements."""
    rng = random.Random(seed)
    m = len(criteria)
    return Filling(
        partner_type="CRO", stage="Phase II", need="clinical", criteria=tuple(criteria), weights=(10,) * m,
        minimums=(None,) * m, use_ahp=use_ahp, judgements=judgements,
        vendors=tuple(Vendor(f"Vendor {k + 1}", "", tuple(rng.choice([1, 2, 3, 3.5, 4, 5, None]) for _ in range(m)))
                      for k in range(vendors)),
        capacity=vendors + 1, evaluators=1,
    )


def random_judgements(m: int, seed: int, scale=(1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9)) -> tuple:
    """An m x m block whose upper triangle holds random Saaty judgements (inconsistent)."""
    rng = random.Random(seed)
    cells = [[None] * m for _ in range(m)]
    for i in range(m):
        cells[i][i] = 1
        for j in range(i + 1, m):
            value = rng.choice(scale)
            cells[i][j] = value if value >= 1 else f"1/{round(1 / value)}"
    return tuple(map(tuple, cells))


def team_ahp_filling() -> Filling:
    """Several evaluators and inconsistent AHP weights at once, on the CDMO criteria (14)."""
    team = team_filling(method="median", seed=5)
    return replace(team, use_ahp="yes", judgements=random_judgements(14, 2))


ODD_JUDGEMENTS = ("\t1 / 3\n", " 7 ", "1//3", "1e2", "\uff13", "\u00a03", "9.", 2.5, "-3", "3/", "/3", " ", "1.5/0.5",
                  "1/0")
"""Typed group judgements read by the Calc text and parse blocks (Weigh by = Criterion: they weigh nothing).
No TRUE: Excel's ISLOGICAL leaves it out, LibreOffice's ISLOGICAL does not see it on another sheet (reads 1)."""


def ahp_problem_fillings() -> dict[str, Filling]:
    """Use AHP weights with unusable judgements, or an unusable Use AHP weights; the groups' block
    holds ODD_JUDGEMENTS above its diagonal (their Calc_AHP_Group_Text and _Parsed are checked)."""
    blocks = [list(row) for row in random_judgements(4, 1)]
    blocks[0][1], blocks[0][2], blocks[1][2], blocks[2][3] = "abc", 0, 45000, "1/0"  # a word, 0, a date, 1/0
    blocks[1][3] = None
    incomplete = ahp_filling(A2_CRITERIA, tuple(map(tuple, blocks)), use_ahp=" YES ")
    g = len(incomplete.groups.judgements)
    upper = iter(ODD_JUDGEMENTS * g)
    odd = tuple(tuple(next(upper) if i < j else None for j in range(g)) for i in range(g))
    return {
        "ahp_incomplete": replace(incomplete, groups=replace(incomplete.groups, judgements=odd)),
        "use_ahp_maybe": ahp_filling(A2_CRITERIA, A2, use_ahp="maybe"),
    }


def team_cases() -> dict[str, Filling]:
    """The LibreOffice cases with evaluations or AHP weights."""
    few = team_filling()
    return {
        "team_mean": team_filling(),
        "team_median": team_filling(method=" Median ", seed=12),
        "team_problems": team_problems_filling(),
        "team_grid_match": team_match_filling(),
        "team_bad_method": replace(few, grids=few.grids[:2], evaluators=2, consensus_method="average"),
        "ahp_a1": ahp_filling(A1_CRITERIA, A1),
        "ahp_a2": ahp_filling(A2_CRITERIA, A2, use_ahp="yes"),
        "team_ahp_cdmo": team_ahp_filling(),
        "team_diligence": team_diligence_filling(),
        **ahp_problem_fillings(),
    }


def diligence_filling() -> Filling:
    """The example with due diligence typed in: dates, counts, choices in other spellings, an
    override with its reason, and formula-like text that must stay text (every cell valid: the
    fidelity gate scores and shares it; diligence_edge_fillings has the invalid ones)."""
    import datetime as dt

    d = dt.date
    rows = (
        ("NAI", d(2025, 5, 1), 0, None, "No", "No", "Acceptable", d(2025, 6, 1), 0, None, None),
        ("oai", d(2025, 1, 10), 5, d(2025, 3, 14), "no", "n", "Acceptable with conditions", d(2024, 6, 1), 2,
         "Yes", "  Sole   supplier  "),
        ("VAI", None, 3, None, "Yes", None, "Not acceptable", d(2023, 2, 28), None, "No", None),
        (None,) * 10 + ("=1+1",),  # a reason without an override: recorded, changes nothing
        (None, None, None, None, None, None, None, None, None, "No", "@SUM(1,1)"),
    )
    return replace(Filling.example(), due_diligence=rows, supply_criticality="minor",
                   evaluation_date=d(2026, 1, 15), capacity=10, evaluators=2)


def diligence_edge_fillings() -> dict[str, Filling]:
    """The knock-out rule's edges, each a vendor row: the 2-year line on both sides (the first day
    of the window and the day before) for a warning letter and an OAI inspection, ISO text dates,
    an OAI without a date, an audit "Not acceptable", synonyms in any case, an override without
    its reason and unreadable cells (invalid rows), counts "n/a" (checked, no count), and a knock-out
    that a bad score outranks."""
    import datetime as dt

    d = dt.date
    rows = (
        (None, None, None, d(2024, 1, 15), None, None, None, None, None, None, None),  # first day: knocked out
        (None, None, None, d(2024, 1, 14), None, None, None, None, None, None, None),  # the day before: not
        ("OAI", "2024-01-15", None, None, None, None, None, None, None, None, None),   # ISO text, first day
        ("o-a-i", "2024-01-14", "2", None, None, None, None, None, " 1 ", None, None),  # not a synonym: invalid
        ("OAI", None, None, None, None, None, None, None, None, "yes", "Only site with the licence"),
        (None, None, None, None, None, None, "not_acceptable", None, None, None, None),  # synonym, no date
        (None, None, None, "2025-13-01", None, None, None, None, None, None, None),  # no such date: invalid
        (None, None, None, None, None, None, None, None, None, "Y", "   "),  # override without reason: invalid
        (None, None, 2.5, None, "TRUE", None, None, None, None, None, None),  # 2.5 observations: invalid
        ("NAI", 2025.0, None, None, None, None, None, None, None, None, None),  # a year typed as a date: invalid
        ("vai", " 2025-03-01 ", "n/a", None, " no ", None, "Passed", None, "N/A", "No", None),  # checked, no counts
    )
    base = random_filling(12, "CDMO", vendors=len(rows), capacity=12)
    first = base.vendors[0]
    vendors = (replace(first, scores=("bad", *first.scores[1:])), *base.vendors[1:])  # Invalid outranks
    return {
        "diligence_edges": replace(base, vendors=vendors, due_diligence=rows, evaluation_date=d(2026, 1, 15)),
        "diligence_text_date": replace(base, due_diligence=rows[:3], evaluation_date="2026-01-14"),
        "diligence_bad_date": replace(base, due_diligence=rows[:3], evaluation_date="15/01/2026"),
    }


def diligence_score_filling() -> Filling:
    """Every row of the suggested-score table, one vendor each, on both sides of the 2-year line,
    with counts typed as text, and one evaluator's own score with its reason (it stands) beside
    one without (the suggestion replaces it)."""
    import datetime as dt

    d = dt.date
    full = ("No", "No", "Acceptable", d(2025, 6, 1), 0)
    rows = (
        ("NAI", d(2025, 5, 1), 0, None, *full),                                       # 5
        ("NAI", d(2023, 5, 1), 0, None, *full),                                       # 4: NAI long ago
        ("NAI", d(2025, 5, 1), "2", None, *full),                                     # 4: 2 observations
        ("NAI", d(2025, 5, 1), 1, None, *full),                                       # 4: 1 observation
        ("VAI", None, 4, None, "No", "No", "Acceptable with conditions", None, " 2 "),  # 3: fair
        ("OAI", d(2023, 12, 1), 0, d(2022, 3, 3), *full),                             # 2: long ago
        ("NAI", d(2025, 5, 1), None, None, "No", None, "Acceptable", None, None),     # 3: not checked
        (None, None, None, None, None, None, None, None, None, None, None, "the evaluator's own reason"),
        ("NAI", d(2025, 5, 1), 0, None, *full, None, None, "  "),                      # blank reason: suggested
        ("NAI", d(2025, 5, 1), 0, None, *full, None, None, "Visited in May"),          # own score stands
        ("n/a", None, "n/a", None, "No", "No", None, None, "N/A"),                     # n/a: invalid
    )
    base = random_filling(21, "CRO", vendors=len(rows), capacity=14)
    return replace(base, due_diligence=rows, evaluation_date=dt.date(2026, 1, 15))


def team_diligence_filling() -> Filling:
    """Evaluations with due diligence: the suggested score replaces the consensus of the
    Regulatory track record (one vendor per suggested-score row, as many as the team scored)."""
    team, dd = team_filling(seed=13), diligence_score_filling()
    return replace(team, due_diligence=dd.due_diligence[:len(team.vendors)], evaluation_date=dd.evaluation_date)


def approval_fillings() -> dict[str, Filling]:
    """The Approvals sheet: all three roles approved (one decision typed " approve "), a CRO that also
    needs Clinical operations, a date typed as text, and a rejection."""
    import datetime as dt

    from partnerfit.workbook.approvals import MEANINGS, ApprovalFilling

    d = dt.date
    signed = (("Ann Buyer", "Approve", d(2026, 1, 20), MEANINGS[0]), ("Quinn QA", " approve ", d(2026, 1, 21), None),
              ("Tess Tech", "APPROVE", dt.datetime(2026, 1, 22, 9, 30), "=1+1"))
    declarations = (("QA lead", "None", None), ("CMC lead", "Declared", "Former employee of a vendor"))
    base = random_filling(13, "CDMO", vendors=4, capacity=6)
    cro = random_filling(14, "CRO", vendors=4, capacity=6)
    return {
        "approvals_signed": replace(base, approvals=ApprovalFilling(signed, declarations)),
        "approvals_cro_missing": replace(cro, approvals=ApprovalFilling(signed)),
        "approvals_cro_signed": replace(cro, approvals=ApprovalFilling(
            (*signed, ("Cleo Clin", "Approve", d(2026, 1, 23), MEANINGS[3])))),
        "approvals_text_date": replace(base, approvals=ApprovalFilling(
            (signed[0][:2] + ("2026-01-20", None), *signed[1:]))),
        "approvals_rejected": replace(base, approvals=ApprovalFilling(
            (*signed, ("Cleo Clin", "reject", None, None)))),
    }


def programme_fillings() -> dict[str, Filling]:
    """Program sheets the native partner-fit formulas must read as `read_programme` does."""
    base = dict(partner_type="CRO", vendors=(_vendor("Acme", (4,) * _criteria("CRO")),))
    return {
        "program_spaces_and_case": Filling(stage="  phase   III ", need="CLINICAL + manufacturing",
                                           process="Validated", cmc_experience=" strong", modality="Small Molecule",
                                           **base),
        "program_commercial_cmo": Filling(stage="Commercial", need="manufacturing", process="validated", **base),
        "program_synonym": Filling(stage="P2", need="clinical", **base),  # a synonym: not on the list
        "program_bad_optional": Filling(stage="Phase I", need="development", modality="peptide", **base),
        "program_number": Filling(stage=3.0, need="clinical", **base),
        "program_blank_need": Filling(stage="Phase I", need=None, **base),
        "program_blank": Filling(**base),
    }


def price_fillings() -> dict[str, Filling]:
    """Quotes on the Prices sheet: linear between the lowest and highest quote, typed bounds, ratio,
    an abnormally low quote, a blank quote, and bad ones (zero, text, negative), each with typed Cost
    scores that the price scores replace."""
    base = random_filling(11, "CDMO", vendors=8, capacity=10)
    quotes = (150_000.0, 210_000.0, None, 95_000.0, 180_000.0, 160_000.0, 175_000.0, 200_000.0)
    cases = {
        "prices_linear": PriceFilling(quotes=quotes),
        "prices_bounds": PriceFilling(quotes=quotes, low=120_000, high=190_000.0, share=0.7),
        "prices_ratio": PriceFilling(quotes=quotes, method=" Ratio ", criterion=" cost"),
        "prices_abnormally_low": PriceFilling(quotes=(100_000.0, 105_000.0, 70_000.0, 110_000.0), share=0.75),
        "prices_zero": PriceFilling(quotes=(*quotes[:2], 0.0)),
        "prices_text": PriceFilling(quotes=(*quotes[:2], "120000")),
        "prices_ratio_bounds": PriceFilling(quotes=quotes, method="ratio", high=1),
        "prices_unknown_criterion": PriceFilling(quotes=quotes, criterion="Price"),
    }
    return {**{name: replace(base, prices=p) for name, p in cases.items()},
            "prices_decides": paradox(low=50.0, high=150.0)}


def paradox(**prices) -> Filling:
    """Quality and Cost weighted 50/50; A (5, quotes 100), B (4, 70), C (1, 35): under ratio C's
    quote makes A lead, under linear (the quotes' range, or 50 to 150) B leads (README's case)."""
    from partnerfit.example import Vendor

    vendors = tuple(Vendor(name, None, scores=(q, None)) for name, q in (("A", 5), ("B", 4), ("C", 1)))
    return Filling(criteria=("Quality", "Cost"), weights=(1.0, 1.0), minimums=(None, None), vendors=vendors,
                   capacity=4, evaluators=2, prices=PriceFilling(quotes=(100.0, 70.0, 35.0), **prices))


PRICE_PROBLEMS = ("prices_zero", "prices_text", "prices_ratio_bounds", "prices_unknown_criterion")
"""Price fillings the workbook refuses to score (Check the Prices sheet)."""


def cases() -> dict[str, Filling]:
    """Every filling the LibreOffice tests recalculate, by file name (all but the default two with
    fewer evaluator grids, which they leave empty: smaller files recalculate faster)."""
    single = {
        "random_cro": random_filling(1),
        "random_cmo": random_filling(2, "CMO", vendors=37, capacity=60),
        "random_cdmo_50": random_filling(5, "CDMO", vendors=50),
        "one_vendor": random_filling(4, "CDMO", vendors=1, capacity=1),
        "ties": ties_filling(),
        "invalid": invalid_filling(),
        "injection": injection_filling(),
        "invisible_names": invisible_names_filling(),
        **bad_weights_fillings(),
        **programme_fillings(),
        **price_fillings(),
        "diligence": diligence_filling(),
        **diligence_edge_fillings(),
        "diligence_scores": diligence_score_filling(),
        **approval_fillings(),
    }
    return {
        "example": Filling.example(),
        "blank": Filling(),
        **{name: replace(filling, evaluators=2) for name, filling in single.items()},
        **team_cases(),
    }


# --------------------------------------------------------------------------- comparing


def _layout(workbook: openpyxl.Workbook, filling: Filling) -> dict:
    """The workbook's names: a pack's have no price name (no "Prices")."""
    return layout(len(filling.criteria), filling.capacity, filling.evaluators,
                  priced="Prices" in workbook.defined_names)


def area_values(workbook: openpyxl.Workbook, filling: Filling, name: str) -> list[list]:
    """The cells of a name as a list of rows ("" for an empty cell)."""
    area = _layout(workbook, filling)[name]
    ws = workbook[area.sheet]
    return [["" if ws.cell(r + 1, c + 1).value is None else ws.cell(r + 1, c + 1).value
             for c in range(area.col, area.col + area.cols)]
            for r in range(area.row, area.row + area.rows)]


def read_back(filling: Filling, path, names=INPUT_NAMES) -> Filling:
    """`filling` written to `path` and read again through the input names and, with them all, the
    grids' (openpyxl, "" for empty)."""
    write_workbook(path, filling)
    workbook = openpyxl.load_workbook(path)
    grids = [name for g in range(1, filling.evaluators + 1) for name in grid_names(g)[:4]] if names is INPUT_NAMES else []
    return Filling.from_names({name: area_values(workbook, filling, name) for name in (*names, *grids)})


def same(a, b) -> bool:
    """Equal cell values, numbers within 1e-9 (booleans are not numbers)."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return a == b


def formula_mismatches(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Native formula cells whose value differs from `computed_values` (add-in cells left out)."""
    expected = computed_values(filling)
    problems = []
    names = _layout(workbook, filling)
    for name, rows in expected.items():
        if name in ADDIN_NAMES or name not in names:
            continue
        for i, (got_row, want_row) in enumerate(zip(area_values(workbook, filling, name), rows)):
            for j, (got, want) in enumerate(zip(got_row, want_row)):
                if not same(got, want):
                    problems.append(f"{name}[{i}][{j}]: workbook {got!r}, expected {want!r}")
    return problems


def engine_weights(filling: Filling) -> list:
    """The weights the engine scores with: the typed ones, or ahp_weights of the judgements
    (the upper triangle as typed, its reciprocals below) when Use AHP weights is yes."""
    if str(filling.use_ahp).strip().lower() != "yes":
        return list(filling.weights)
    m = len(filling.criteria)
    upper = read_pairwise([[filling.judgements[i][j] if i < j else 1 for j in range(m)] for i in range(m)])
    full = [[upper[i][j] if i <= j else 1 / upper[j][i] for j in range(m)] for i in range(m)]
    return list(ahp_weights(full).weights)


def engine_table(filling: Filling) -> pd.DataFrame:
    """score_vendors on the vendor rows of a filling (rows without a name left out); with
    evaluations, on their consensus (`consensus`, the pandas API), vendors nobody evaluated blank."""
    vendors = [v for v in filling.vendors if v.name is not None and str(v.name).strip(" ")]  # LEN(TRIM(name))>0
    names = [v.name for v in vendors]
    if any(x not in (None, "") for grid in filling.grids for row in grid.scores for x in row):  # a score cell typed
        frame = grid_evaluations(filling)
        table = consensus(frame, str(filling.consensus_method).strip(), criteria=list(filling.criteria)).table
        scores = table.reindex(names).astype(float)
        scores = scores.astype(object)
        rows = [k for k, v in enumerate(filling.vendors) if v.name is not None and str(v.name).strip(" ")]
        for at, k in enumerate(rows):  # an agreed score (anything but blanks) replaces the consensus
            for j, x in enumerate(filling.agreed[k] if k < len(filling.agreed) else ()):
                if x is not None and str(x).strip(" "):
                    scores.iloc[at, j] = x
    else:
        scores = pd.DataFrame([list(v.scores) for v in vendors], index=names,
                              columns=list(filling.criteria), dtype=object)
    priced = engine_priced(filling, scores)
    if priced is not None:
        return priced.total
    if not filling.due_diligence:
        return score_vendors(scores, engine_weights(filling), list(filling.minimums), filling.min_coverage)
    from partnerfit.due_diligence import INVALID_STATUS, vendor_statuses
    from partnerfit.scoring import rank_eq
    from partnerfit.workbook.diligence import COLUMN_NAMES

    kept = [i for i, v in enumerate(filling.vendors) if v.name is not None and str(v.name).strip(" ")]
    width = len(COLUMN_NAMES)  # the DD_ names and Track_Record_Reasons
    rows = [tuple(r)[:width] + (None,) * (width - len(r)) for r in filling.due_diligence]
    rows += [(None,) * width] * (len(filling.vendors) - len(rows))
    dd = pd.DataFrame([rows[i] for i in kept], index=names, columns=list(COLUMN_NAMES), dtype=object)
    _, refused = vendor_statuses(dd, filling.evaluation_date)
    bad = np.zeros(len(dd), dtype=bool)
    bad[[k for k, _ in refused] if all(k >= 0 for k, _ in refused) else slice(None)] = True
    table = score_vendors(scores, engine_weights(filling), list(filling.minimums), filling.min_coverage,
                          due_diligence=None if bad.all() else dd.where(np.repeat(~bad[:, None], dd.shape[1], axis=1), None),
                          evaluation_date=filling.evaluation_date)
    if bad.any():  # a refused row: Invalid in the workbook (unless its scores are), and not ranked
        status = table["status"].astype(object)
        status[bad & ~status.str.startswith("Invalid:")] = INVALID_STATUS
        eligible = (status == "Eligible").to_numpy()
        table["status"], table["rank"] = status, pd.array(rank_eq(table["score"].to_numpy(), eligible), dtype="Int64")
    return table


def engine_priced(filling: Filling, scores: pd.DataFrame):
    """`pricing.technical_and_total` of a filling with quotes (None without): the price scores of
    the named vendors' quotes fill the price criterion (matched ignoring case and spaces)."""
    p = filling.prices
    if not any(q is not None for q in p.quotes):
        return None
    quotes = pd.Series([p.quotes[i] if i < len(p.quotes) else None for i, v in enumerate(filling.vendors)
                        if v.name is not None and str(v.name).strip(" ")], index=scores.index, dtype=object)
    low, high = (None if x in (None, "") else x for x in (p.low, p.high))
    criterion = next(c for c in filling.criteria if c.lower() == str(p.criterion).strip().lower())
    return technical_and_total(scores, engine_weights(filling), price_scores(quotes, p.method, low, high),
                               criterion, list(filling.minimums), filling.min_coverage)


def engine_mismatches(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Native Score, Coverage, Status and Rank that differ from score_vendors, by vendor."""
    table = engine_table(filling)
    columns = {name: [row[0] for row in area_values(workbook, filling, name)]
               for name in ("Result_Vendors", "Weighted_Scores", "Coverages", "Statuses", "Ranks")}
    found = {name: (score, coverage, status, rank) for name, score, coverage, status, rank
             in zip(*columns.values()) if name != ""}
    problems = [] if len(found) == len(table) else [f"{len(found)} vendors in the workbook, {len(table)} in the engine"]
    for name, row in table.iterrows():
        score, coverage, status, rank = found.get(name, ("missing",) * 4)
        want = ("" if pd.isna(row.score) else row.score, row.coverage, row.status,
                "" if pd.isna(row["rank"]) else int(row["rank"]))
        if not all(same(g, w) for g, w in zip((score, coverage, status, rank), want)):
            problems.append(f"{name}: workbook {(score, coverage, status, rank)}, engine {want}")
    return problems


def error_cells(workbook: openpyxl.Workbook, filling: Filling) -> list[str]:
    """Cells holding an error value outside the add-in names."""
    names = layout(len(filling.criteria), filling.capacity, filling.evaluators)
    addin = {(names[n].sheet, r, c) for n in ADDIN_NAMES for r, c in names[n].cells()}
    return [f"{ws.title}!{cell.coordinate} {cell.value}" for ws in workbook.worksheets
            for row in ws.iter_rows() for cell in row
            if cell.data_type == "e" and (ws.title, cell.row - 1, cell.column - 1) not in addin]


def name_ref(path, name) -> tuple[str, str]:
    """(sheet, A1:B2) of a defined name as partnerfit resolves it (structured references too,
    which openpyxl's `destinations` cannot read)."""
    from partnerfit import xlsx

    area = xlsx.read_workbook(xlsx.open_package(path)).area(name)
    first, last = (xlsx.column_letter(c) for c in (area.left, area.right))
    return area.sheet, f"{first}{area.top}:{last}{area.bottom}"


def named_values(path, names) -> dict[str, list]:
    """The values of defined names, read with openpyxl (cached values)."""
    book = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name in names:
        if name not in book.defined_names:
            continue
        sheet, ref = name_ref(path, name)
        cells = book[sheet][ref]
        rows = cells if isinstance(cells, tuple) else ((cells,),)
        rows = rows if isinstance(rows[0], tuple) else (rows,)
        out[name] = [[c.value for c in row] for row in rows]
    return out


def score_json_mismatches(path, filling: Filling, capsys) -> list[str]:
    """Vendors whose `partnerfit score PATH --json` score differs (beyond 1e-9) from the workbook's
    own Weighted_Scores for `filling`, or that only one of the two lists: [] when they agree."""
    import json

    from partnerfit.cli import main

    assert main(["score", str(path), "--json"]) == 0
    got = {row["vendor"]: row["score"] for row in json.loads(capsys.readouterr().out)["vendors"]}
    values = computed_values(filling)
    want = {v[0]: s[0] for v, s in zip(values["Result_Vendors"], values["Weighted_Scores"]) if v[0]}
    return sorted(set(got) ^ set(want)) + [
        v for v, s in want.items() if v in got
        and not ((got[v] is None) if s == "" else got[v] is not None and abs(got[v] - s) <= 1e-9)]


def recalculated(cases: dict, folder):
    """Write each filling of `cases` (name -> Filling), recalculate them all in one LibreOffice
    run and yield (name, filling, the recalculated workbook's values)."""
    from libreoffice import recalc

    paths = [folder / f"{name}.xlsx" for name in cases]
    for path, f in zip(paths, cases.values()):
        write_workbook(path, f)
    for (name, f), out in zip(cases.items(), recalc(paths, folder / "out")):
        yield name, f, openpyxl.load_workbook(out, data_only=True)
