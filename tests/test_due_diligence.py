"""Due diligence: the track-record rule, knock-outs and overrides, the tier table and review dates.

Worked cases by hand, a plain-Python reference of the rule (one vendor at a time, if/elif)
checked against the vectorised engine on random vendors, every tier-table combination against
the documented table, and due dates against `date.replace` with Feb 29 moved to Feb 28.
"""

import datetime as dt
import re
from itertools import combinations, product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerfit.domain import Modality, Stage
from partnerfit.due_diligence import (
    FIELDS,
    Cause,
    Outcome,
    Source,
    add_years,
    due_diligence,
    review_schedule,
    reviews_due,
    track_record,
)
from partnerfit.errors import PartnerfitError
from partnerfit.qualification import PLANS, TIER_TABLE, qualification_plan

EVAL = "2025-03-14"
CLEAN = {
    "DD_FDA_Class": "NAI", "DD_FDA_Date": "2024-06-01", "DD_483_Count": 0, "DD_Import_Alert": "No",
    "DD_EU_Noncompliance": "No", "DD_Audit_Outcome": "Acceptable", "DD_Audit_Date": "2024-09-01",
    "DD_Open_CAPAs": 0,
}
CHECKED = ("DD_FDA_Class", "DD_483_Count", "DD_Import_Alert", "DD_EU_Noncompliance", "DD_Audit_Outcome",
           "DD_Open_CAPAs")


def one(evaluation_date=EVAL, **fields):
    """The result row of vendor "V": the clean record with `fields` changed (None: blank)."""
    return due_diligence(pd.DataFrame([{**CLEAN, **fields}], index=["V"]), evaluation_date).loc["V"]


def shift(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; Feb 29 becomes Feb 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- the rule, case by case ------------------------------------------------------------------

RULE_CASES = [
    # fields changed from CLEAN, score, status, reason
    ({}, 5, "Eligible", "NAI inspection 2024-06-01, no Form 483 observation, audit acceptable, no open CAPA"),
    ({"DD_FDA_Date": "2023-03-14"}, 5, "Eligible", ("NAI inspection 2023-03-14, no Form 483 observation, "
     "audit acceptable, no open CAPA")),  # the first day of the 2-year window
    ({"DD_FDA_Date": "2023-03-13"}, 4, "Eligible", ("no adverse finding: NAI inspection 2023-03-13 (more than "
     "2 years ago), no Form 483 observation, audit acceptable, no open CAPA")),
    ({"DD_483_Count": 1}, 4, "Eligible", ("no adverse finding: NAI inspection 2024-06-01, 1 Form 483 observation, "
     "audit acceptable, no open CAPA")),
    ({"DD_483_Count": 2}, 4, "Eligible", None),
    ({"DD_483_Count": 3}, 3, "Eligible", "3 Form 483 observations"),
    ({"DD_FDA_Class": "VAI"}, 3, "Eligible", "VAI inspection 2024-06-01"),
    ({"DD_Audit_Outcome": "Acceptable with conditions"}, 3, "Eligible", "audit acceptable with conditions"),
    ({"DD_Open_CAPAs": 1}, 3, "Eligible", "1 open critical or major CAPAs"),
    ({"DD_FDA_Class": "VAI", "DD_Open_CAPAs": 2}, 3, "Eligible", "VAI inspection 2024-06-01, 2 open critical or major CAPAs"),
    # Knock-outs, each cause alone, both sides of the 2-year line.
    ({"DD_Warning_Letter": "2023-03-14"}, 1, "Knocked out: warning letter 2023-03-14",
     "knock-out: warning letter 2023-03-14"),
    ({"DD_Warning_Letter": "2023-03-13"}, 2, "Eligible", "warning letter 2023-03-13 (more than 2 years ago)"),
    ({"DD_FDA_Class": "OAI", "DD_FDA_Date": "2023-03-14"}, 1, "Knocked out: OAI inspection 2023-03-14", None),
    ({"DD_FDA_Class": "OAI", "DD_FDA_Date": "2023-03-13"}, 2, "Eligible", "OAI inspection 2023-03-13 (more than 2 years ago)"),
    ({"DD_FDA_Class": "OAI", "DD_FDA_Date": None}, 1, "Knocked out: OAI inspection (date not given)",
     "knock-out: OAI inspection (date not given); not checked: FDA inspection date"),
    ({"DD_Import_Alert": "Yes"}, 1, "Knocked out: import alert", "knock-out: import alert"),
    ({"DD_EU_Noncompliance": "yes"}, 1, "Knocked out: EU non-compliance statement", None),
    ({"DD_Audit_Outcome": "Not acceptable"}, 1, "Knocked out: audit not acceptable 2024-09-01", None),
    ({"DD_Audit_Outcome": "not acceptable", "DD_Audit_Date": None}, 1,
     "Knocked out: audit not acceptable (date not given)", None),
    # Blanks are unknown, never good news.
    ({"DD_EU_Noncompliance": None}, 3, "Eligible", ("no adverse finding: NAI inspection 2024-06-01, no Form 483 "
     "observation, audit acceptable, no open CAPA; at most 3 until everything is checked; not checked: EU non-compliance")),
    ({"DD_FDA_Class": None, "DD_FDA_Date": None}, 3, "Eligible", "not checked: FDA inspection"),
    ({"DD_FDA_Date": None}, 3, "Eligible", "not checked: FDA inspection date"),
    ({"DD_FDA_Class": "VAI", "DD_Audit_Outcome": None}, 3, "Eligible",
     "VAI inspection 2024-06-01; not checked: audit"),
    ({f: None for f in CLEAN}, None, "Eligible",
     "not checked: FDA inspection, 483 observations, import alert, EU non-compliance, audit, CAPAs"),
    ({**{f: None for f in CLEAN}, "DD_Warning_Letter": "2024-01-01"}, 1, "Knocked out: warning letter 2024-01-01", None),
    ({**{f: None for f in CLEAN}, "DD_Warning_Letter": "2020-01-01"}, 2, "Eligible", None),
]


@pytest.mark.parametrize(("fields", "score", "status", "reason"), RULE_CASES)
def test_rule_case_by_case(fields, score, status, reason):
    row = one(**fields)
    if score is None:
        assert np.isnan(row["suggested_score"])
    else:
        assert row["suggested_score"] == score
    assert row["status"] == status
    assert row["outcome"] == (Outcome.ELIGIBLE if status == "Eligible" else Outcome.KNOCKED_OUT)
    if reason is not None:
        assert reason in row["score_reason"]


def test_unchecked_fields_are_listed_and_a_blank_warning_letter_is_none():
    row = one(DD_483_Count=None, DD_Open_CAPAs=" ")
    assert row["not_checked"] == "483 observations, CAPAs"
    assert one()["not_checked"] == "" and one()["suggested_score"] == 5  # CLEAN has no warning letter field at all


@pytest.mark.parametrize(("evaluation_date", "inside", "outside"), [
    ("2025-03-14", "2023-03-14", "2023-03-13"),
    ("2028-02-29", "2026-02-28", "2026-02-27"),  # leap day: two years back is Feb 28 (EDATE)
    ("2024-02-29", "2022-02-28", "2022-02-27"),
    ("2026-02-28", "2024-02-28", "2024-02-27"),  # the leap day 2024-02-29 lies inside
])
def test_the_two_year_line_on_both_sides(evaluation_date, inside, outside):
    clean = {"DD_FDA_Date": evaluation_date, "DD_Audit_Date": evaluation_date}
    for field, extra in (("DD_Warning_Letter", {}), ("DD_FDA_Date", {"DD_FDA_Class": "OAI"})):
        assert one(evaluation_date, **{**clean, **extra, field: inside})["outcome"] == Outcome.KNOCKED_OUT
        row = one(evaluation_date, **{**clean, **extra, field: outside})
        assert row["outcome"] == Outcome.ELIGIBLE and row["suggested_score"] == 2


def test_blank_evaluation_date_is_today():
    today = dt.date.today()
    start = shift(today, -2)
    frame = pd.DataFrame({"DD_Warning_Letter": [today, start, start - dt.timedelta(days=1)]}, index=list("abc"))
    assert due_diligence(frame)["outcome"].tolist() == ["Knocked out", "Knocked out", "Eligible"]


# --- overrides and several causes --------------------------------------------------------------


def test_override_with_a_reason_is_recorded_and_shown():
    row = one(DD_Warning_Letter="2024-01-01", DD_Override="Yes", DD_Override_Reason=" re-inspected NAI\n 2025-01 ")
    assert row["status"] == "Overridden: warning letter 2024-01-01 (reason: re-inspected NAI 2025-01)"
    assert row["outcome"] == Outcome.OVERRIDDEN and row["cause"] == Cause.WARNING_LETTER
    assert row["suggested_score"] == 1  # the record stays what it is


def test_override_without_a_reason_is_one_line_naming_the_vendor():
    with pytest.raises(PartnerfitError) as raised:
        one(DD_Import_Alert="Yes", DD_Override="yes", DD_Override_Reason="  ")
    message = str(raised.value)
    assert message.startswith('vendor "V": DD_Override is "yes"') and "DD_Override_Reason" in message
    assert "\n" not in message


def test_override_no_or_without_cause_changes_nothing():
    assert one(DD_Import_Alert="Yes", DD_Override="No")["status"] == "Knocked out: import alert"
    assert one(DD_Override="Yes", DD_Override_Reason="just in case")["status"] == "Eligible"


CAUSE_FIELDS = {  # the warning letter is the oldest: a "most recent" rule would name another cause
    Cause.IMPORT_ALERT: {"DD_Import_Alert": "Yes"},
    Cause.EU_NONCOMPLIANCE: {"DD_EU_Noncompliance": "Yes"},
    Cause.WARNING_LETTER: {"DD_Warning_Letter": "2024-01-01"},
    Cause.OAI: {"DD_FDA_Class": "OAI"},
    Cause.AUDIT: {"DD_Audit_Outcome": "Not acceptable"},
}
CAUSE_TEXT = {Cause.IMPORT_ALERT: "import alert", Cause.EU_NONCOMPLIANCE: "EU non-compliance statement",
              Cause.WARNING_LETTER: "warning letter 2024-01-01", Cause.OAI: "OAI inspection 2024-06-01",
              Cause.AUDIT: "audit not acceptable 2024-09-01"}


@pytest.mark.parametrize("causes", [c for n in (2, 3, 5) for c in combinations(list(Cause), n)])
def test_several_causes_name_the_first_in_the_fixed_order(causes):
    row = one(**{k: v for c in causes for k, v in CAUSE_FIELDS[c].items()})
    first = min(causes, key=list(Cause).index)
    assert row["cause"] == first and row["status"] == f"Knocked out: {CAUSE_TEXT[first]}"
    assert row["causes"] == "; ".join(CAUSE_TEXT[c] for c in Cause if c in causes)


# --- reading the cells -------------------------------------------------------------------------

SERIAL = (dt.date(2024, 1, 2) - dt.date(1899, 12, 30)).days  # Excel's 1900 date system, after 1900-02-28


@pytest.mark.parametrize("value", [
    dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 15, 30), pd.Timestamp("2024-01-02 08:00"),
    np.datetime64("2024-01-02"), float(SERIAL), SERIAL, SERIAL + 0.75, np.float64(SERIAL), "2024-01-02",
    " 2024-01-02 ", "2024-01-02T15:30", "2024-01-02 15:30:00",
    pd.Timestamp("2024-01-02 23:30", tz="America/New_York"),  # its own calendar day, not UTC's 2024-01-03
])
def test_dates_as_dates_excel_serials_or_iso_text(value):
    assert one(DD_Warning_Letter=value)["status"] == "Knocked out: warning letter 2024-01-02"


def test_an_empty_table_gives_empty_results():
    empty = pd.DataFrame(columns=["DD_FDA_Class"])
    assert due_diligence(empty, EVAL).empty and track_record(due_diligence(empty, EVAL)).empty
    assert reviews_due(review_schedule(empty, "CMO", evaluation_date=EVAL), EVAL).empty


def test_a_datetime_column_with_blanks_and_case_insensitive_names():
    frame = pd.DataFrame({" dd_warning_letter ": pd.to_datetime(["2024-01-02", None]),
                          "DD_FDA_CLASS": ["nai", "No action indicated"]}, index=["A", "B"])
    result = due_diligence(frame, EVAL)
    assert result["status"].tolist() == ["Knocked out: warning letter 2024-01-02", "Eligible"]
    assert result.loc["B", "not_checked"].startswith("483 observations")  # the class was read


BAD = [
    ("DD_FDA_Class", "XYZ", 'DD_FDA_Class is "XYZ"; enter NAI, VAI, OAI, or leave it blank'),
    ("DD_FDA_Class", 3.0, "DD_FDA_Class is 3; enter NAI, VAI, OAI"),
    ("DD_FDA_Date", "14/03/2025", 'DD_FDA_Date is "14/03/2025"; enter a date from 1970-01-01 on (YYYY-MM-DD'),
    ("DD_FDA_Date", "2025", 'DD_FDA_Date is "2025"; enter a date'),
    ("DD_FDA_Date", 2025.0, "DD_FDA_Date is 2025; enter a date"),  # a typed year: the Excel date 1905-07-17
    ("DD_FDA_Date", "45293", 'DD_FDA_Date is "45293"; enter a date'),  # text is read as ISO only
    ("DD_FDA_Date", "1969-12-31", 'DD_FDA_Date is "1969-12-31"; enter a date'),
    ("DD_FDA_Date", float("inf"), "DD_FDA_Date is inf; enter a date"),
    ("DD_FDA_Date", True, "DD_FDA_Date is True; enter a date"),
    ("DD_Audit_Date", 12.0, "DD_Audit_Date is 12; enter a date"),
    ("DD_Warning_Letter", "2025-02-30", 'DD_Warning_Letter is "2025-02-30"; enter a date'),
    ("DD_Warning_Letter", "2025-03-15", "DD_Warning_Letter is 2025-03-15; that is after the evaluation date 2025-03-14"),
    ("DD_483_Count", -1, "DD_483_Count is -1; enter a whole number, 0 or more"),
    ("DD_483_Count", 2.5, "DD_483_Count is 2.5; enter a whole number"),
    ("DD_Open_CAPAs", "many", 'DD_Open_CAPAs is "many"; enter a whole number'),
    ("DD_Import_Alert", "maybe", 'DD_Import_Alert is "maybe"; enter Yes, No'),
    ("DD_Audit_Outcome", "OK", 'DD_Audit_Outcome is "OK"; enter Acceptable, Acceptable with conditions, Not acceptable'),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD)
def test_bad_values_are_one_line_naming_vendor_field_and_fix(field, value, message):
    frame = pd.DataFrame([CLEAN, {**CLEAN, field: value}], index=["Good", "Acme Bio"], dtype=object)
    with pytest.raises(PartnerfitError) as raised:
        due_diligence(frame, EVAL)
    assert str(raised.value).startswith(f'vendor "Acme Bio": {message}')
    assert "\n" not in str(raised.value)


def test_bad_tables_and_dates():
    with pytest.raises(PartnerfitError, match='column "DD_Audit_Dat" is not a due-diligence field'):
        due_diligence(pd.DataFrame({"DD_Audit_Dat": ["2024-01-01"]}), EVAL)
    with pytest.raises(PartnerfitError, match="not a pandas DataFrame"):
        due_diligence([CLEAN], EVAL)
    with pytest.raises(PartnerfitError, match='^evaluation_date is "tomorrow"; enter a date'):
        due_diligence(pd.DataFrame([CLEAN]), "tomorrow")
    other = pd.DataFrame({"Notes": ["x"], **{k: [v] for k, v in CLEAN.items()}})  # other columns are ignored
    assert due_diligence(other, EVAL)["suggested_score"].tolist() == [5]
    assert set(FIELDS) >= set(CLEAN)


# --- the rule against a plain-Python reference ----------------------------------------------


def reference(v: dict, today: dt.date) -> tuple:
    """(score, status, not checked) of one vendor, written from the README's tables."""
    start = shift(today, -2)
    fda, fda_day, letter = v["DD_FDA_Class"], v["DD_FDA_Date"], v["DD_Warning_Letter"]
    audit, n483, capas = v["DD_Audit_Outcome"], v["DD_483_Count"], v["DD_Open_CAPAs"]
    causes = []
    if v["DD_Import_Alert"] == "Yes":
        causes.append("import alert")
    if v["DD_EU_Noncompliance"] == "Yes":
        causes.append("EU non-compliance statement")
    if letter is not None and letter >= start:
        causes.append(f"warning letter {letter}")
    if fda == "OAI" and (fda_day is None or fda_day >= start):
        causes.append(f"OAI inspection {fda_day or '(date not given)'}")
    if audit == "Not acceptable":
        causes.append(f"audit not acceptable {v['DD_Audit_Date'] or '(date not given)'}")
    if not causes:
        status = "Eligible"
    elif v["DD_Override"] == "Yes":
        status = f"Overridden: {causes[0]} (reason: {v['DD_Override_Reason']})"
    else:
        status = f"Knocked out: {causes[0]}"
    labels = ["FDA inspection", "483 observations", "import alert", "EU non-compliance", "audit", "CAPAs"]
    missing = [label for label, field in zip(labels, CHECKED) if v[field] is None]
    if fda is not None and fda_day is None:
        missing.append("FDA inspection date")
    if causes:
        score = 1
    elif letter is not None or (fda == "OAI"):  # both before the window here
        score = 2
    elif fda == "VAI" or (n483 or 0) >= 3 or audit == "Acceptable with conditions" or (capas or 0) >= 1:
        score = 3
    elif all(v[field] is None for field in CHECKED):
        score = None
    elif missing:
        score = 3
    elif fda_day >= start and n483 == 0 and audit == "Acceptable" and capas == 0:
        score = 5
    else:
        score = 4
    return score, status, ", ".join(missing)


TODAY = dt.date(2025, 3, 14)
DAY = st.one_of(st.none(), st.sampled_from([dt.date(2023, 3, 13), dt.date(2023, 3, 14), dt.date(2023, 3, 15), TODAY]),
                st.dates(min_value=dt.date(2019, 1, 1), max_value=TODAY))
VENDOR = st.fixed_dictionaries({
    "DD_FDA_Class": st.sampled_from([None, "NAI", "VAI", "OAI"]), "DD_FDA_Date": DAY,
    "DD_483_Count": st.sampled_from([None, 0, 1, 2, 3, 8]), "DD_Warning_Letter": DAY,
    "DD_Import_Alert": st.sampled_from([None, "Yes", "No"]), "DD_EU_Noncompliance": st.sampled_from([None, "Yes", "No"]),
    "DD_Audit_Outcome": st.sampled_from([None, "Acceptable", "Acceptable with conditions", "Not acceptable"]),
    "DD_Audit_Date": DAY, "DD_Open_CAPAs": st.sampled_from([None, 0, 1, 4]),
    "DD_Override": st.sampled_from([None, "Yes", "No"]), "DD_Override_Reason": st.just("QA approved"),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(VENDOR, min_size=1, max_size=12))
def test_the_engine_matches_the_reference_on_random_vendors(vendors):
    result = due_diligence(pd.DataFrame(vendors, dtype=object), TODAY)
    for v, (_, row) in zip(vendors, result.iterrows()):
        score, status, missing = reference(v, TODAY)
        assert (None if np.isnan(row["suggested_score"]) else row["suggested_score"]) == score
        assert (row["status"], row["not_checked"]) == (status, missing)


# --- merging suggested and evaluator scores ------------------------------------------------


def test_evaluator_score_with_reason_wins_and_the_source_is_reported():
    frame = pd.DataFrame([CLEAN, {**CLEAN, "DD_FDA_Class": "VAI"}, {}], index=["A", "B", "C"], dtype=object)
    result = due_diligence(frame, EVAL)
    merged = track_record(result, pd.Series({"B": "4", "C": "N/A"}), pd.Series({"B": "483 closed, re-inspected"}))
    assert merged["score"].tolist()[:2] == [5.0, 4.0] and np.isnan(merged.loc["C", "score"])
    assert merged["source"].tolist() == [Source.SUGGESTED, Source.EVALUATOR, Source.NONE]
    assert merged.loc["B", "reason"] == "evaluator: 483 closed, re-inspected"
    assert merged.loc["A", "reason"] == result.loc["A", "score_reason"]
    as_lists = track_record(result, [None, 4.0, None], [None, "483 closed, re-inspected", ""])
    pd.testing.assert_frame_equal(as_lists, merged)
    assert track_record(result)["source"].tolist() == ["suggested", "suggested", "none"]


@pytest.mark.parametrize(("scores", "reasons", "message"), [
    ([None, 4, None], None, "vendor \"B\": the evaluator's Regulatory track record score is 4; give the evaluator's reason"),
    ([None, None, None], [None, "why", None], "vendor \"B\": the evaluator's reason is \"why\"; enter the evaluator's score"),
    ([None, 6, None], [None, "why", None], "vendor \"B\": the evaluator's Regulatory track record score is 6; enter a score from 1 to 5"),
    ([None, "good", None], [None, "why", None], "score is \"good\"; enter a score from 1 to 5"),
    ([None, 4], [None, "why"], "evaluator scores hold 2 values for 3 vendors"),
    (pd.Series({"Z": 4}), None, 'evaluator scores name vendor "Z", which is not in the due-diligence table'),
])
def test_merge_errors(scores, reasons, message):
    result = due_diligence(pd.DataFrame([CLEAN] * 3, index=["A", "B", "C"]), EVAL)
    with pytest.raises(PartnerfitError) as raised:
        track_record(result, scores, reasons)
    assert message in str(raised.value) and "\n" not in str(raised.value)


# --- the tier table -------------------------------------------------------------------------

DOCUMENTED_TIERS = {"critical": (1, 1, 1), "major": (2, 2, 1), "minor": (3, 3, 2)}  # README, by raisers 0/1/2
RAISING = {"CRO": {"cell therapy", "gene therapy"},
           "CMO": {"biologic", "cell therapy", "gene therapy", "other"},
           "CDMO": {"biologic", "cell therapy", "gene therapy", "other"}}
LATE = {"Phase III", "Commercial"}
DOCUMENTED_PLANS = {1: ("on-site audit", 1), 2: ("remote audit", 2), 3: ("questionnaire", 3)}
PROGRAMMES = list(product(["CRO", "CMO", "CDMO"], [*Modality.labels(), None], [*Stage.labels(), None]))


def documented_tier(partner_type, modality, stage, criticality):
    raisers = (modality is None or modality in RAISING[partner_type]) + (stage is None or stage in LATE)
    return DOCUMENTED_TIERS[criticality or "critical"][raisers]


@pytest.mark.parametrize(("partner_type", "modality", "stage"), PROGRAMMES)
def test_every_tier_combination_matches_the_documented_table(partner_type, modality, stage):
    levels = ["critical", "major", "minor", None]
    expected = [documented_tier(partner_type, modality, stage, c) for c in levels]
    plans = [qualification_plan(c, partner_type, modality, stage) for c in levels]
    assert [p.tier for p in plans] == expected
    assert [(p.activity, p.interval_years) for p in plans] == [DOCUMENTED_PLANS[t] for t in expected]
    frame = pd.DataFrame({"DD_Criticality": ["Critical", " MAJOR ", "low", None]}, index=list("abcd"))
    schedule = review_schedule(frame, partner_type, modality, stage, EVAL)
    assert schedule["tier"].tolist() == expected
    assert schedule["activity"].tolist() == [DOCUMENTED_PLANS[t][0] for t in expected]
    assert schedule["interval_years"].tolist() == [DOCUMENTED_PLANS[t][1] for t in expected]


def test_tier_reasons_name_what_raised_the_risk():
    frame = pd.DataFrame({"DD_Criticality": ["major", None]}, index=["a", "b"])
    reasons = review_schedule(frame, "CDMO", "mAb", "pivotal", EVAL)["tier_reason"].tolist()
    assert reasons == ["major supply; risk raised by modality biologic, stage Phase III",
                       "criticality not given (taken as critical); risk raised by modality biologic, stage Phase III"]
    assert review_schedule(frame, "CRO", "biologic", "Phase I", EVAL)["tier_reason"].tolist()[0] == "major supply"
    assert review_schedule(frame, "CMO", None, None, EVAL)["tier_reason"].tolist()[0] == \
        "major supply; risk raised by modality not given, stage not given"


def test_readme_states_the_tier_table_and_plans_of_the_code():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Due diligence, risk tier and re-evaluation", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (critical|major|minor) \| (\d) \| (\d) \| (\d) \|", section, flags=re.MULTILINE)
    assert {c: tuple(map(int, t)) for c, *t in rows} == {str(c): t for c, t in TIER_TABLE.items()} == DOCUMENTED_TIERS
    plans = re.findall(r"^\| (\d) \| ([a-z -]+) \| (\d) ", section, flags=re.MULTILINE)
    assert {int(t): (a, int(y)) for t, a, y in plans} == {t: (p.activity, p.interval_years) for t, p in PLANS.items()}


# --- due dates --------------------------------------------------------------------------------


@pytest.mark.parametrize("years", [-2, 1, 2, 3])
def test_add_years_is_edate_with_feb_29_to_feb_28(years):
    days = np.arange(np.datetime64("2023-01-01"), np.datetime64("2030-01-01"))
    expected = [shift(d, years) for d in days.astype(dt.date)]
    assert add_years(days, years).astype(dt.date).tolist() == expected
    assert np.isnat(add_years(np.array(["NaT"], dtype="datetime64[D]"), years)).all()


def test_review_dates_from_the_last_audit():
    frame = pd.DataFrame({
        "DD_Criticality": ["critical", "major", "minor", "critical", "critical", "minor"],
        "DD_Audit_Date": ["2024-02-29", "2024-02-29", "2024-02-29", None, "2024-03-14", dt.date(2023, 3, 15)],
    }, index=["leap 1", "leap 2", "leap 3", "never", "today", "minor"])
    schedule = review_schedule(frame, "CMO", "small molecule", "Phase I", EVAL)
    assert schedule["next_review"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-02-28", "2026-02-28", "2027-02-28", "2025-03-14", "2025-03-14", "2026-03-15"]
    assert schedule["review"].tolist() == [
        "overdue since 2025-02-28", "due 2026-02-28", "due 2027-02-28", "never audited: due now", "due today",
        "due 2026-03-15"]
    assert pd.isna(schedule.loc["never", "last_audit"])
    late = review_schedule(pd.DataFrame({"DD_Audit_Date": ["2027-02-28"]}), "CMO", evaluation_date="2027-03-01")
    assert late["next_review"].dt.strftime("%Y-%m-%d").tolist() == ["2028-02-28"]  # blank criticality: tier 1


def test_reviews_due_by_a_date_soonest_first():
    frame = pd.DataFrame({"DD_Criticality": ["minor", "critical", "critical", "critical"],
                          "DD_Audit_Date": ["2024-06-01", "2024-06-01", None, "2024-01-10"]},
                         index=["later", "june", "never", "january"])
    schedule = review_schedule(frame, "CMO", "small molecule", "Phase I", EVAL)
    assert reviews_due(schedule, "2025-06-01").index.tolist() == ["january", "never", "june"]  # inclusive
    assert reviews_due(schedule, "2025-05-31").index.tolist() == ["january", "never"]
    assert reviews_due(schedule, 46000.0).index.tolist() == ["january", "never", "june"]  # 2025-12-08


def test_review_schedule_bad_values():
    with pytest.raises(PartnerfitError, match='^vendor "a": DD_Criticality is "severe"; enter critical, major, minor'):
        review_schedule(pd.DataFrame({"DD_Criticality": ["severe"]}, index=["a"]), "CMO")
    with pytest.raises(PartnerfitError, match="^partner type"):
        review_schedule(pd.DataFrame({"DD_Criticality": ["minor"]}), "CRO + CDMO")
    with pytest.raises(PartnerfitError, match="DD_Audit_Date is 2025-03-15; that is after the evaluation date"):
        review_schedule(pd.DataFrame({"DD_Audit_Date": ["2025-03-15"]}), "CMO", evaluation_date=EVAL)
