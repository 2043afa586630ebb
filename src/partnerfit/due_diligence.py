"""Due diligence of a contract acceptor: regulatory track record, knock-outs and re-evaluation.

What an inspector asks to see, and where it comes from:

* EU GMP Chapter 7 (Outsourced activities): before outsourcing, the contract giver assesses the
  legality, suitability and competence of the contract acceptor, and keeps reviewing its
  performance; the controls incorporate quality risk management.
* ICH Q10 2.7: the contract giver assesses the suitability and competence of the contract
  acceptor before outsourcing and monitors it; ICH E6(R3): the sponsor assesses the suitability
  of the service provider (a CRO) it selects, and oversees it.
* ICH Q9(R1): effort and formality commensurate with the risk: the tier (`qualification.py`).
* FDA classifies an inspection NAI (no objectionable conditions), VAI (objectionable conditions,
  no regulatory action recommended) or OAI (regulatory and/or administrative action
  recommended); Form FDA 483 lists the investigator's observations. A warning letter, an import
  alert (detention without physical examination, e.g. 66-40 for CGMP) and an EU statement of
  non-compliance with GMP (EudraGMDP) are official actions.

Inputs, one row per vendor (columns named as the workbook's defined names, case-insensitive):
DD_FDA_Class (NAI, VAI, OAI), DD_FDA_Date, DD_483_Count (observations at that inspection),
DD_Warning_Letter (the date of the last one; blank: none), DD_Import_Alert and
DD_EU_Noncompliance (Yes/No), DD_Audit_Outcome (Acceptable, Acceptable with conditions, Not
acceptable), DD_Audit_Date (the last qualification: audit or questionnaire), DD_Open_CAPAs (open
critical or major CAPAs), DD_Override (Yes/No), DD_Override_Reason, DD_Criticality (critical,
major, minor; for the tier). A missing column is blank. Any other blank is unknown, never good
news: it is listed as "not checked" and caps the suggested score at 3. Dates may be dates, Excel
serial numbers or ISO text (YYYY-MM-DD); a date before 1970 or after the evaluation date is an
error.

**Knock-outs** (`Cause`, named in this fixed order when there are several: official actions in
force first, then FDA findings, then the sponsor's own audit): an import alert; an EU
non-compliance statement; a warning letter dated within `LOOKBACK_YEARS` (2) before the
evaluation date, on or after the same day two years earlier (Excel's EDATE(date, -24)); an OAI
inspection within that window (an OAI without a date counts as recent); an audit "Not
acceptable". Status: "Knocked out: warning letter 2025-03-14", or with DD_Override Yes and a
reason "Overridden: warning letter 2025-03-14 (reason: ...)"; Override Yes without a reason is
an error. Else "Eligible".

**Suggested Regulatory track record score** (the first row that applies):

| score | when |
|---|---|
| 1 | a knock-out cause (also when overridden) |
| 2 | an OAI inspection or a warning letter before the 2-year window |
| 3 | a VAI inspection, 3 or more Form 483 observations, an audit acceptable with conditions, or an open critical or major CAPA |
| none | nothing checked (no FDA class, 483 count, import alert, EU statement, audit or CAPA count) |
| 3 | no adverse finding, but something not checked |
| 5 | NAI inspection within 2 years, no Form 483 observation, audit acceptable, no open CAPA |
| 4 | otherwise: an NAI inspection before the 2-year window, or 1-2 observations |

`track_record` uses an evaluator's own score instead when it comes with a reason.
`review_schedule` gives the tier, qualification activity and next review date of each vendor;
`reviews_due` the vendors whose review falls due by a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import Enum
from itertools import repeat
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from .cells import cell_texts, score_matrix
from .criteria import SCALE
from .domain import Choice
from .errors import PartnerfitError, show
from .qualification import PLANS, TIERS, Criticality, programme_risk

if TYPE_CHECKING:
    import pandas as pd

LOOKBACK_YEARS = 2
"""Warning letters and OAI inspections this many years before the evaluation date knock out."""

SEVERAL_483 = 3
"""From this many Form 483 observations the suggested score is at most 3."""

UNCHECKED_CAP = 3
"""The best suggested score while something is not checked."""


class FDAClass(Choice):
    NAI = "NAI", "no action indicated"
    VAI = "VAI", "voluntary action indicated"
    OAI = "OAI", "official action indicated"


class AuditOutcome(Choice):
    ACCEPTABLE = "Acceptable", "approved", "pass", "passed"
    CONDITIONAL = "Acceptable with conditions", "conditionally acceptable", "conditional", "conditionally approved"
    NOT_ACCEPTABLE = "Not acceptable", "unacceptable", "rejected", "fail", "failed"


class YesNo(Choice):
    YES = "Yes", "y", "true"
    NO = "No", "n", "false"


class Cause(str, Enum):
    """Knock-out causes, in the order in which the first present one is named."""

    IMPORT_ALERT = "import alert"
    EU_NONCOMPLIANCE = "EU non-compliance statement"
    WARNING_LETTER = "warning letter"
    OAI = "OAI inspection"
    AUDIT = "audit not acceptable"


class Outcome(str, Enum):
    ELIGIBLE = "Eligible"
    KNOCKED_OUT = "Knocked out"
    OVERRIDDEN = "Overridden"


class Source(str, Enum):
    """Where the Regulatory track record score came from."""

    EVALUATOR = "evaluator"
    SUGGESTED = "suggested"
    NONE = "none"


FIELDS = (
    "DD_FDA_Class", "DD_FDA_Date", "DD_483_Count", "DD_Warning_Letter", "DD_Import_Alert",
    "DD_EU_Noncompliance", "DD_Audit_Outcome", "DD_Audit_Date", "DD_Open_CAPAs", "DD_Override",
    "DD_Override_Reason", "DD_Criticality",
)

CHECKS = (
    ("FDA inspection", "DD_FDA_Class"), ("483 observations", "DD_483_Count"),
    ("import alert", "DD_Import_Alert"), ("EU non-compliance", "DD_EU_Noncompliance"),
    ("audit", "DD_Audit_Outcome"), ("CAPAs", "DD_Open_CAPAs"),
)
"""What was checked, by the field that records it (the FDA record includes its warning letters)."""

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_LAST_SERIAL = 2958465  # 9999-12-31
EARLIEST = np.datetime64("1970-01-01", "D")
"""Earlier dates are typing errors (a year typed as a number, 2025, is the Excel date 1905-07-17)."""
_NAT = np.datetime64("NaT", "D")


# --- reading the cells -------------------------------------------------------------------------


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each field's cells as an object array (all None when the column is missing)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise PartnerfitError(f"the due-diligence table is a {type(frame).__name__}, not a pandas DataFrame "
                              "indexed by vendor with DD_... columns")
    known = {f.lower(): f for f in FIELDS}
    found = {}
    for column in frame.columns:
        key = str(column).strip().lower()
        if key in known:
            found[known[key]] = frame[column].to_numpy(dtype=object, na_value=None)
        elif key.startswith("dd_"):
            raise PartnerfitError(f"column {show(str(column))} is not a due-diligence field; use one of {', '.join(FIELDS)}")
    return {f: found.get(f, np.full(len(frame), None, dtype=object)) for f in FIELDS}


def _blank(cells: np.ndarray) -> np.ndarray:
    """True for None, NaN, NaT and text of only spaces."""
    import pandas as pd

    blank = pd.isna(cells)
    text = _of_type(cells, str)
    if text.any():
        blank[text] = np.char.strip(cells[text].astype(str)) == ""
    return blank


def _of_type(cells: np.ndarray, types) -> np.ndarray:
    """True where a cell is an instance of `types`."""
    return np.fromiter(map(isinstance, cells, repeat(types)), dtype=bool, count=len(cells))


def _bad(vendors: Sequence | None, where: np.ndarray, field: str, cells: np.ndarray, fix: str) -> None:
    """Raise for the first vendor marked in `where` (`vendors` None: a single value, not a vendor's)."""
    if where.any():
        i = int(np.argmax(where))
        vendor = "" if vendors is None else f"vendor {show(vendors[i])}: "
        raise PartnerfitError(f"{vendor}{field} is {show(cells[i])}; {fix}")


def _choice(cells: np.ndarray, kind: type[Choice], field: str, vendors: Sequence) -> np.ndarray:
    """Codes (position in `kind`) of the cells, -1 for a blank; each distinct value read once."""
    import pandas as pd

    blank = _blank(cells)
    members = list(kind)
    codes = {}
    for value in pd.unique(cells[~blank]):  # the few distinct values, not the vendors
        try:
            codes[value] = members.index(kind.parse(value, field))
        except PartnerfitError:
            _bad(vendors, ~blank & (cells == value), field, cells,
                 f"enter {', '.join(kind.labels())}, or leave it blank")
    return pd.Series(cells, dtype=object).map(codes).fillna(-1).to_numpy(dtype=np.int8)


def _count(cells: np.ndarray, field: str, vendors: Sequence) -> np.ndarray:
    """Whole numbers 0 or more; NaN for a blank."""
    counts, unreadable = score_matrix(cells.reshape(-1, 1))
    counts, unreadable = counts.ravel(), unreadable.ravel()
    wrong = unreadable | (counts < 0) | np.isinf(counts) | (np.mod(counts, 1) > 0)  # NaN (blank) is none of these
    _bad(vendors, wrong, field, cells, "enter a whole number, 0 or more, or leave it blank (not checked)")
    return counts


def _is_number(value: object) -> bool:
    return isinstance(value, (Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _calendar_day(value: dt.date | np.datetime64):
    """A date or datetime as numpy reads it; a time-zone-aware datetime keeps its own calendar day."""
    return value.replace(tzinfo=None) if isinstance(value, dt.datetime) and value.tzinfo else value


def _dates(cells: np.ndarray, field: str, vendors: Sequence | None) -> np.ndarray:
    """datetime64[D] of date cells (dates, Excel serial numbers, ISO text); NaT for a blank."""
    import pandas as pd

    blank = _blank(cells)
    days = np.full(len(cells), _NAT)
    number = np.fromiter(map(_is_number, cells), dtype=bool, count=len(cells)) & ~blank
    text = _of_type(cells, str) & ~blank
    when = _of_type(cells, (dt.date, np.datetime64)) & ~blank
    serial = np.full(len(cells), np.nan)
    serial[number] = cells[number].astype(float)
    if text.any():
        typed = pd.Series(cells[text], dtype=object).str.strip()
        full = typed.str.match(r"\d{4}-\d{2}-\d{2}(?:[T ]|$)")  # a whole date, not "2025"
        days[text] = pd.to_datetime(typed.where(full), format="ISO8601", errors="coerce").to_numpy()
    if when.any():
        days[when] = np.array(list(map(_calendar_day, cells[when])), dtype="datetime64[D]")
    ok = (serial >= 0) & (serial <= _LAST_SERIAL)
    days[ok] = _EXCEL_EPOCH + np.floor(serial[ok]).astype(np.int64)
    _bad(vendors, ~blank & (np.isnat(days) | (days < EARLIEST)), field, cells,
         f"enter a date from {EARLIEST} on (YYYY-MM-DD or an Excel date), or leave it blank")
    return days


def _date(value: object, what: str) -> np.datetime64:
    """One date (an evaluation date, a due-by date); today when blank."""
    cells = np.array([value], dtype=object)
    if value is None or (isinstance(value, str) and not value.strip()) or _blank(cells)[0]:  # pandas only if needed
        return np.datetime64(dt.date.today(), "D")
    return _dates(cells, what, None)[0]


def add_years(dates, years) -> np.ndarray:
    """Excel's EDATE(date, 12 * years), vectorised: the same day `years` later, or the last day
    of that month when it has no such day (2024-02-29 + 1 year = 2025-02-28). NaT stays NaT."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]")
    target = month + np.asarray(years, dtype=np.int64) * 12
    last_day = (target + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + (dates - month.astype("datetime64[D]")), last_day)


def _after(dates: np.ndarray, day: np.datetime64, field: str, vendors: Sequence) -> None:
    _bad(vendors, dates > day, field, dates,
         f"that is after the evaluation date {day}; correct the date (or the evaluation date)")


# --- per-vendor texts, built column-wise -------------------------------------------------------


def _join(parts: Sequence[np.ndarray], sep: str = "; ") -> np.ndarray:
    """Per vendor, the non-empty texts of `parts` (object arrays) joined by `sep`."""
    out = parts[0]
    for part in parts[1:]:
        out = np.where(out == "", part, np.where(part == "", out, out + sep + part))
    return out


def _when(mask: np.ndarray, text) -> np.ndarray:
    """`text` (a string or an object array) where `mask`, else ""."""
    return np.where(mask, text, "").astype(object)


def _day_text(dates: np.ndarray) -> np.ndarray:
    return np.where(np.isnat(dates), "(date not given)", np.datetime_as_string(dates, unit="D")).astype(object)


def _number_text(counts: np.ndarray) -> np.ndarray:
    return np.nan_to_num(counts).astype(np.int64).astype(str).astype(object)


# --- the rules -----------------------------------------------------------------------------------


def due_diligence(frame: pd.DataFrame, evaluation_date: object = None) -> pd.DataFrame:
    """Suggested Regulatory track record score and knock-out status of each vendor.

    `frame`: one row per vendor (the index), DD_... columns (see the module docstring).
    `evaluation_date`: a date, Excel serial or ISO text; None for today. Returns, in the rows'
    order: suggested_score (1-5, NaN when nothing was checked), score_reason, score_rule (the
    table's row that applied, 1-7 from the top), findings (the favourable findings named),
    not_checked,
    outcome (`Outcome`), cause (the named `Cause`, None without one), causes (all, joined by
    "; "), status ("Eligible", "Knocked out: ...", "Overridden: ... (reason: ...)").
    """
    import pandas as pd

    cells = _columns(frame)
    vendors = list(frame.index)
    today = _date(evaluation_date, "evaluation_date")
    start = add_years(today, -LOOKBACK_YEARS)
    fda = _choice(cells["DD_FDA_Class"], FDAClass, "DD_FDA_Class", vendors)
    audit = _choice(cells["DD_Audit_Outcome"], AuditOutcome, "DD_Audit_Outcome", vendors)
    alert, eu, override = (_choice(cells[f], YesNo, f, vendors)
                           for f in ("DD_Import_Alert", "DD_EU_Noncompliance", "DD_Override"))
    observations = _count(cells["DD_483_Count"], "DD_483_Count", vendors)
    capas = _count(cells["DD_Open_CAPAs"], "DD_Open_CAPAs", vendors)
    dates = {}
    for field in ("DD_FDA_Date", "DD_Warning_Letter", "DD_Audit_Date"):
        dates[field] = _dates(cells[field], field, vendors)
        _after(dates[field], today, field, vendors)
    fda_date, letter, audit_date = dates.values()
    reason = np.array(cell_texts(list(cells["DD_Override_Reason"])), dtype=object)
    reason = pd.Series(reason, dtype=object).str.split().str.join(" ").to_numpy(dtype=object)  # one line
    overridden = override == 0  # YesNo.YES
    _bad(vendors, overridden & (reason == ""), "DD_Override", cells["DD_Override"],
         "give the reason in DD_Override_Reason, or set DD_Override to No")

    # Knock-outs, in `Cause` order.
    oai = fda == 2
    oai_recent = oai & (np.isnat(fda_date) | (fda_date >= start))
    has_letter = ~np.isnat(letter)
    letter_recent = has_letter & (letter >= start)
    found = np.column_stack([alert == 0, eu == 0, letter_recent, oai_recent, audit == 2])
    cause_texts = np.column_stack([
        np.full(len(vendors), Cause.IMPORT_ALERT.value, dtype=object),
        np.full(len(vendors), Cause.EU_NONCOMPLIANCE.value, dtype=object),
        Cause.WARNING_LETTER.value + " " + _day_text(letter),
        Cause.OAI.value + " " + _day_text(fda_date),
        Cause.AUDIT.value + " " + _day_text(audit_date),
    ])
    knocked = found.any(axis=1)
    first = found.argmax(axis=1)
    named = _when(knocked, cause_texts[np.arange(len(vendors)), first])
    causes = _join([_when(found[:, k], cause_texts[:, k]) for k in range(found.shape[1])])
    outcome = np.where(~knocked, Outcome.ELIGIBLE.value,
                       np.where(overridden, Outcome.OVERRIDDEN.value, Outcome.KNOCKED_OUT.value))
    status = np.where(~knocked, Outcome.ELIGIBLE.value, np.where(
        overridden, "Overridden: " + named + " (reason: " + reason + ")", "Knocked out: " + named)).astype(object)

    # What was not checked.
    blank = np.column_stack([_blank(cells[field]) for _, field in CHECKS])
    date_missing = (fda >= 0) & np.isnat(fda_date)
    not_checked = _join([_when(blank[:, k], label) for k, (label, _) in enumerate(CHECKS)]
                        + [_when(date_missing, "FDA inspection date")], ", ")
    unchecked = blank.any(axis=1) | date_missing

    # The suggested score: the first rule that applies.
    old = np.column_stack([has_letter & ~letter_recent, oai & ~oai_recent])
    old_text = _join([_when(old[:, 0], Cause.WARNING_LETTER.value + " " + _day_text(letter)),
                      _when(old[:, 1], Cause.OAI.value + " " + _day_text(fda_date))])
    observed = _number_text(observations)
    several = observations >= SEVERAL_483
    fair = np.column_stack([fda == 1, several, audit == 1, capas >= 1])
    fair_text = _join([
        _when(fair[:, 0], "VAI inspection " + _day_text(fda_date)),
        _when(fair[:, 1], observed + " Form 483 observations"),
        _when(fair[:, 2], "audit acceptable with conditions"),
        _when(fair[:, 3], _number_text(capas) + " open critical or major CAPAs"),
    ], ", ")
    nai_recent = (fda == 0) & (fda_date >= start)
    best = nai_recent & (observations == 0) & (audit == 0) & (capas == 0)
    good_text = _join([
        _when(nai_recent, "NAI inspection " + _day_text(fda_date)),
        _when((fda == 0) & ~nai_recent & ~date_missing, "NAI inspection " + _day_text(fda_date)
              + f" (more than {LOOKBACK_YEARS} years ago)"),
        _when((observations >= 1) & ~several, observed + np.where(observations == 1, " Form 483 observation",
                                                                  " Form 483 observations").astype(object)),
        _when(observations == 0, "no Form 483 observation"),
        _when(audit == 0, "audit acceptable"),
        _when(capas == 0, "no open CAPA"),
    ], ", ")
    rules = [knocked, old.any(axis=1), fair.any(axis=1), blank.all(axis=1) & ~has_letter, unchecked, best]
    rule = np.select(rules, [1, 2, 3, 4, 5, 6], default=7)
    score = np.select(rules, [1.0, 2.0, 3.0, np.nan, float(UNCHECKED_CAP), 5.0], default=4.0)
    why = np.select(rules, [
        "knock-out: " + causes, old_text + f" (more than {LOOKBACK_YEARS} years ago)", fair_text,
        np.full(len(vendors), "", dtype=object),  # the reason is what was not checked
        "no adverse finding" + np.where(good_text == "", "", ": ").astype(object) + good_text
        + f"; at most {UNCHECKED_CAP} until everything is checked",
        good_text,
    ], default="no adverse finding: " + good_text)
    why = _join([why.astype(object), _when(unchecked, "not checked: " + not_checked)])

    return pd.DataFrame({
        "suggested_score": score,
        "score_reason": why,
        "score_rule": rule,
        "findings": good_text,
        "knock_out": named,
        "not_checked": not_checked,
        "outcome": pd.Categorical(outcome, categories=[o.value for o in Outcome]),
        "cause": pd.Categorical(np.where(knocked, np.array([c.value for c in Cause], dtype=object)[first], None),
                                categories=[c.value for c in Cause]),
        "causes": causes,
        "status": status,
    }, index=frame.index)


INVALID_STATUS = "Invalid: a due-diligence cell is not valid (run partnerfit check)"
"""The due-diligence status of a vendor whose row the rule refuses (the workbook shows it too)."""


def vendor_statuses(frame: pd.DataFrame, evaluation_date: object = None) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Each vendor's due-diligence status ("Eligible", "Knocked out: ...", "Overridden: ...", or
    `INVALID_STATUS` for a row `due_diligence` refuses) and the refusals as (row position, one
    line); position -1 for a bad evaluation date, which makes every row invalid."""
    try:
        return due_diligence(frame, evaluation_date)["status"].to_numpy(dtype=object), []
    except PartnerfitError as error:
        first = error
    try:
        _date(evaluation_date, "evaluation_date")
    except PartnerfitError as error:
        return np.full(len(frame), INVALID_STATUS, dtype=object), [(-1, str(error))]
    problems = []
    for k in range(len(frame)):  # only when a row is refused: find every refused row
        try:
            due_diligence(frame.iloc[[k]], evaluation_date)
        except PartnerfitError as error:
            problems.append((k, str(error)))
    if not problems:  # refused only as a table (cannot happen row by row): keep the message
        raise first
    bad = np.zeros(len(frame), dtype=bool)
    bad[[k for k, _ in problems]] = True
    status = np.full(len(frame), INVALID_STATUS, dtype=object)
    if (~bad).any():
        status[~bad] = due_diligence(frame[~bad], evaluation_date)["status"].to_numpy(dtype=object)
    return status, problems


TRACK_RECORD = "Regulatory track record"
"""The criterion the suggested score fills (matched trimmed, in any case)."""
REASONS = "Track_Record_Reasons"
"""The column (the workbook's defined name) of the evaluators' reasons for their own track-record score."""


def track_record_at(criteria) -> int | None:
    """The position of the Regulatory track record criterion among `criteria` (None: not there)."""
    keys = [str(c).strip().lower() for c in criteria]
    return keys.index(TRACK_RECORD.lower()) if TRACK_RECORD.lower() in keys else None


def suggestion_used(suggested, reasons) -> np.ndarray:
    """True where the suggested score (NaN: none) replaces the typed Regulatory track record
    score: there is a suggestion and no reason for the typed one (blank `reasons` cell)."""
    texts = np.array(cell_texts(list(reasons)), dtype=object) if len(reasons) else np.array([], dtype=object)
    return ~np.isnan(np.asarray(suggested, dtype=float)) & (texts == "")


def with_suggestions(matrix, unreadable, at, suggested, used) -> tuple[np.ndarray, np.ndarray]:
    """Scores (vendors x criteria) with the suggested score in column `at` (None: none) of the
    rows `used` marks (`suggestion_used`); copies, the inputs stay."""
    used = np.asarray(used, dtype=bool)
    if at is None or not used.any():
        return matrix, unreadable
    matrix, unreadable = matrix.copy(), unreadable.copy()
    matrix[used, at], unreadable[used, at] = np.asarray(suggested, dtype=float)[used], False
    return matrix, unreadable


def track_record(
    result: pd.DataFrame, evaluator_scores=None, evaluator_reasons=None, scale: tuple[float, float] = SCALE,
) -> pd.DataFrame:
    """The Regulatory track record score of each vendor: the evaluator's own when given with a
    reason, else the suggested one (`due_diligence`).

    `evaluator_scores`, `evaluator_reasons`: a Series indexed by vendor (missing vendors are
    blank) or a list in `result`'s row order; blank or N/A for no evaluator score. A score
    without a reason, or a reason without a score, is an error: neither is silently dropped.
    Returns score (NaN: none), source (`Source`) and reason.
    """
    import pandas as pd

    index = result.index
    scores = _aligned(evaluator_scores, index, "evaluator scores")
    reasons = np.array(cell_texts(list(_aligned(evaluator_reasons, index, "evaluator reasons"))), dtype=object)
    given, unreadable = score_matrix(scores.reshape(-1, 1))
    given, unreadable = given.ravel(), unreadable.ravel()
    lo, hi = scale
    vendors = list(index)
    _bad(vendors, unreadable | (given < lo) | (given > hi), "the evaluator's Regulatory track record score",
         scores, f"enter a score from {lo:g} to {hi:g}, or leave it blank")
    own = ~np.isnan(given)
    _bad(vendors, own & (reasons == ""), "the evaluator's Regulatory track record score", scores,
         "give the evaluator's reason, or clear the score to use the suggested one")
    _bad(vendors, ~own & (reasons != ""), "the evaluator's reason", reasons,
         "enter the evaluator's score, or clear the reason")
    suggested = result["suggested_score"].to_numpy(dtype=float)
    source = np.where(own, Source.EVALUATOR.value,
                      np.where(np.isnan(suggested), Source.NONE.value, Source.SUGGESTED.value))
    return pd.DataFrame({
        "score": np.where(own, given, suggested),
        "source": pd.Categorical(source, categories=[s.value for s in Source]),
        "reason": np.where(own, "evaluator: " + reasons, result["score_reason"].to_numpy(dtype=object)),
    }, index=index)


def _aligned(values, index, what: str) -> np.ndarray:
    """Cells in `index` order: a Series is matched by vendor, a list by position; None: all blank."""
    import pandas as pd

    if values is None:
        return np.full(len(index), None, dtype=object)
    if isinstance(values, pd.Series):
        unknown = values.index.difference(index)
        if len(unknown):
            raise PartnerfitError(f"{what} name vendor {show(unknown[0])}, which is not in the due-diligence table; "
                                  "correct the name")
        return values.reindex(index).to_numpy(dtype=object, na_value=None)
    cells = np.array(list(values), dtype=object)
    if cells.shape != (len(index),):
        raise PartnerfitError(f"{what} hold {cells.size} values for {len(index)} vendors; give one per vendor")
    return cells


# --- risk tier and re-evaluation ----------------------------------------------------------------


def review_schedule(
    frame: pd.DataFrame, partner_type: object, modality: object = None, stage: object = None,
    evaluation_date: object = None,
) -> pd.DataFrame:
    """Tier, qualification activity and next review of each vendor (`qualification.py`).

    The tier comes from DD_Criticality (blank: critical) and the programme (partner type,
    modality, stage); the next review is `add_years(DD_Audit_Date, interval)`, or the
    evaluation date for a vendor never audited (blank DD_Audit_Date: due now). Returns tier,
    activity, interval_years, tier_reason, last_audit, next_review and review ("due
    2027-03-14", "due today", "overdue since 2026-01-10", "never audited: due now").
    """
    import pandas as pd

    cells = _columns(frame)
    vendors = list(frame.index)
    today = _date(evaluation_date, "evaluation_date")
    programme = programme_risk(partner_type, modality, stage)
    level = _choice(cells["DD_Criticality"], Criticality, "DD_Criticality", vendors)
    tier = TIERS[np.maximum(level, 0), programme.raisers]  # blank (-1): critical
    plan_activity = np.array([""] + [PLANS[t].activity for t in (1, 2, 3)], dtype=object)
    plan_interval = np.array([0] + [PLANS[t].interval_years for t in (1, 2, 3)], dtype=np.int8)
    interval = plan_interval[tier]
    audited = _dates(cells["DD_Audit_Date"], "DD_Audit_Date", vendors)
    _after(audited, today, "DD_Audit_Date", vendors)
    never = np.isnat(audited)
    due = np.where(never, today, add_years(audited, interval))
    supply = np.array([f"{c} supply" for c in Criticality] + ["criticality not given (taken as critical)"],
                      dtype=object)[level]
    when = np.datetime_as_string(due, unit="D").astype(object)
    review = np.where(never, "never audited: due now", np.where(
        due < today, "overdue since " + when, np.where(due == today, "due today", "due " + when)))
    return pd.DataFrame({
        "tier": tier,
        "activity": plan_activity[tier],
        "interval_years": interval,
        "tier_reason": _join([supply, np.full(len(vendors), programme.reason, dtype=object)]),
        "last_audit": audited.astype("datetime64[s]"),
        "next_review": due.astype("datetime64[s]"),
        "review": review.astype(object),
    }, index=frame.index)


def reviews_due(schedule: pd.DataFrame, by: object = None) -> pd.DataFrame:
    """The rows of `review_schedule` whose next review falls on or before `by` (a date; None:
    today), soonest first (ties in the schedule's order)."""
    day = _date(by, "by")
    due = schedule[schedule["next_review"].to_numpy().astype("datetime64[D]") <= day]
    return due.sort_values("next_review", kind="stable")
