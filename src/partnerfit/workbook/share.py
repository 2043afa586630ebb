"""Copies of a filled workbook with its results: the scored copy (`write_results`: every computed
cell set, formulas kept or replaced by their values) and the procurement copy (`write_shared`:
every value static and visible, inputs locked, an Audit sheet); and `verify`.

A shared copy needs no Python and no recalculation: each formula is replaced by its value (the
engine's for partnerfit's own cells, Excel's last cached result for a user's own formula), the
xlwings settings sheet is removed, every sheet is protected, and an Audit sheet records when,
with which version and method, and a SHA-256 checksum of the normalised inputs and results.
`verify` recomputes from the inputs inside a copy and reports anything that no longer matches.

The checksum detects edits made after sharing; it is not a signature (whoever has partnerfit
can recompute it), so keep the copy you sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, replace

import numpy as np

from .. import __version__, xlsx
from ..cells import cell_text, is_blank
from . import approvals, diligence
from .check import score_inputs
from .layout import ADDIN_NAMES, ARRAY_NAMES, CONF, INPUT_NAMES
from .prices import PRICE_NAME, PRICE_PART_NAMES, PRICES_SHEET, TECHNICAL_NOTE, technical_cells
from .reader import Source, filling, read_inputs
from .results import Results, replacing_agreed

AUDIT_SHEET = "Audit"
CHECKSUM_NAME = "Audit_Checksum"
METHOD = (
    "Weighted sum over scored criteria: score = sum(weight x score) / sum(weight) over the criteria "
    "each vendor has scored (blank or N/A leaves both sums); coverage = scored weight / total weight; "
    "a score below a must-have knocks the vendor out; a must-have not scored or coverage below the "
    "minimum makes it Incomplete; only Eligible vendors are ranked (ties share a rank, as RANK.EQ)."
)


def _normal(value):
    """A cell value in a stable form for hashing (floats to 12 significant digits)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        value = float(value)
        return None if math.isnan(value) else float(f"{value:.12g}")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


RESULT_NAMES = ("Recommendation", "Fit_Scores", "Weighted_Scores", "Coverages", "Statuses", "Ranks")
"""The result cells the checksum covers, as shown in the copy."""


def fingerprint(results: Results, shown: dict[str, list[list]]) -> dict:
    """The normalised inputs and the results shown in the copy that the checksum covers (the
    evaluations and AHP judgements only when they feed the results, so that copies made before
    they existed keep their checksum)."""
    inputs = results.inputs
    extra = {}
    if inputs.team is not None:
        extra["evaluations"] = [[_normal(v) for v in row] for row in inputs.evaluations]
        extra["consensus_method"] = _normal(inputs.consensus_method)
    if (recorded := diligence.recorded(inputs)) is not None:
        extra["due_diligence"] = {"vendors": {k: [_normal(v) for v in row] for k, row in recorded["vendors"].items()},
                                  "criticality": _normal(recorded["criticality"]),
                                  "evaluation_date": _normal(recorded["evaluation_date"])}
    if (reasons := diligence.recorded_reasons(inputs)) is not None:
        extra["track_record_reasons"] = {k: _normal(v) for k, v in reasons.items()}
    if inputs.approvals is not None:  # copies made before the Approvals sheet keep their checksum
        extra["approvals"] = approvals.recorded(inputs.approvals, _normal)
    if inputs.uses_ahp:
        extra["ahp_judgements"] = [[_normal(v) for v in row[i + 1:]] for i, row in enumerate(inputs.judgements)]
        if inputs.stakeholders is not None and any(not is_blank(x) for b in inputs.stakeholders
                                                   for i, row in enumerate(b) for x in row[i + 1:]):
            extra["ahp_stakeholders"] = [[[_normal(v) for v in row[i + 1:]] for i, row in enumerate(b)]
                                         for b in inputs.stakeholders]
        if inputs.ahp_by_group:
            extra["ahp_group_judgements"] = [[_normal(v) for v in row[i + 1:]]
                                             for i, row in enumerate(inputs.groups.judgements)]
    return {
        **extra,
        "program": {k: _normal(v) for k, v in inputs.program.items()},
        "criteria": inputs.criteria,
        "weights": [_normal(w) for w in results.parameters.weights],
        "minimums": [_normal(m) for m in results.parameters.minimums],
        "min_coverage": _normal(results.parameters.min_coverage),
        "vendors": {name: [_normal(v) for v in row] for name, row in zip(inputs.vendors, inputs.cells)},
        "results": {name: [[None if v == "" else _normal(v) for v in row] for row in shown.get(name, [])]
                    for name in RESULT_NAMES},
    }


def checksum(results: Results, shown: dict[str, list[list]]) -> str:
    canonical = json.dumps(fingerprint(results, shown), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class AuditRow:
    label: str
    value: object


def audit_rows(results: Results, shown: dict[str, list[list]], source: str, generated: dt.datetime) -> list[AuditRow]:
    """What the Audit sheet states, top to bottom."""
    p = results.parameters
    total = float(p.weights.sum())
    rows = [
        AuditRow("Generated at (UTC)", generated.strftime("%Y-%m-%d %H:%M:%S")),
        AuditRow("partnerfit version", __version__),
        AuditRow("Source workbook", source),
        AuditRow("Recommended partner type", results.recommendation.partner_type if results.recommendation
                 else f"none ({results.programme_message})"),
        AuditRow("Method", METHOD),
        *_sources(results),
        AuditRow("Minimum coverage", p.min_coverage),
        AuditRow("Vendors", len(results.inputs.vendors)),
        *(AuditRow(label, value) for label, value in approvals.audit_rows(results.inputs.approvals,
                                                                          results.inputs.partner_type)),
        AuditRow("SHA-256 of normalised inputs and results", checksum(results, shown)),
        AuditRow("", None),
        AuditRow("Criterion", "Weight / share of total / must-have minimum"),
    ]
    for name, weight, minimum in zip(results.inputs.criteria, p.weights, p.minimums):
        must = "none" if math.isnan(minimum) else f"{minimum:g}"
        rows.append(AuditRow(name, f"{weight:g} / {weight / total:.1%} / {must}"))
    return rows + _agreed_rows(results)


def _agreed_rows(results: Results) -> list[AuditRow]:
    """Each agreed score that replaced the consensus, with the computed consensus, the spread and the reason."""
    inputs = results.inputs
    if inputs.team is None or not inputs.agreed:
        return []
    centre, spread, _ = inputs.consensus()
    mask = replacing_agreed(inputs)
    rows = [AuditRow("", None), AuditRow("Agreed score", "agreed / computed consensus / spread / reason")]
    for k, c in zip(*np.nonzero(mask)):
        i, j = inputs.vendor_rows[k], inputs.criteria_rows[c]
        consensus = "none" if np.isnan(centre[i, j]) else f"{centre[i, j]:.4g}"
        width = "none" if np.isnan(spread[i, j]) else f"{spread[i, j]:g}"
        rows.append(AuditRow(f"{inputs.vendors[k]} / {inputs.criteria[c]}",
                             f"{cell_text(inputs.agreed[i][j])} / {consensus} / {width} / "
                             f"{'no reason given' if is_blank(reason := inputs.agreed_reasons[i][j]) else cell_text(reason)}"))
    return rows


def _sources(results: Results) -> list[AuditRow]:
    """Where the scores and the weights came from, when not from the Vendors and Criteria sheets."""
    inputs, rows = results.inputs, []
    if inputs.team is not None:
        rows.append(AuditRow("Scores", f"consensus ({inputs.team.method}) of {inputs.team.rows} score cells in "
                                       f"{sum(inputs.team.used)} evaluator grids on the Evaluations sheet; the "
                                       "Vendors sheet's scores are not used"))
    if inputs.uses_ahp:
        rows.append(AuditRow("Weights", "AHP: principal eigenvector of the pairwise comparisons on the "
                                        "Weights (AHP) sheet (Saaty)" + (
                                            ", per level: group weight x weight within the group"
                                            if inputs.ahp_by_group else "") + "; the Weight column is not used"))
    elif inputs.weighs_by_group:
        rows.append(AuditRow("Weights", "by group: each group's share of the group weights (groups table on the "
                                        "Criteria sheet) x the criterion's share of its group's weights"))
    return rows


# ---------------------------------------------------------------- making and verifying copies


def write_technical(source, target, generated: dt.datetime | None = None) -> tuple[Results, list[str]]:
    """Write the technical evaluators' copy of `source` to `target` (a temporary path): the shared
    copy without the Prices sheet, its names, the quotes (their column blank and hidden) and the
    price scores, the price criterion left out
    (weight 0, its scores blank), so that every score shown is technical (`prices.technical_cells`)."""
    import tempfile
    from pathlib import Path

    cells = technical_cells(filling(source))
    with tempfile.TemporaryDirectory() as folder:  # the price inputs blanked; write_shared computes the rest
        blanked = Path(folder) / source.path.name
        warnings = write_results(source, blanked, cells, keep_formulas=True)
        results, more = write_shared(Source(blanked), target, generated, technical=True)
    return results, warnings + more


def dated_inputs(source):
    """(inputs, stamped) of `source` as a shared copy records them: a blank evaluation
    date is today (what the engine reads a blank as), written into the copy so that `verify`
    recomputes with that day, not with the day it runs."""
    inputs = read_inputs(source)
    stamp = source.has("Evaluation_Date") and is_blank(inputs.evaluation_date)
    if stamp:
        inputs.evaluation_date = dt.date.today()
        inputs.filling = replace(inputs.filling, evaluation_date=inputs.evaluation_date)
    return inputs, stamp


def write_shared(source, target, generated: dt.datetime | None = None,
                 technical: bool = False) -> tuple[Results, list[str]]:
    """Write the procurement copy of `source` to `target` (a temporary path), editing the file's XML
    (`xlsx.seal`): every formula its value, the xlwings settings sheet and any link to another
    workbook removed, inputs locked, every sheet protected, an Audit sheet second; everything else
    (images, charts, shapes, macros) kept as it is.

    Returns the results and warnings (formulas of the user's own that keep Excel's last value).
    `technical`: the Prices sheet and its names go too, and the Audit sheet says so (see `write_technical`).
    """
    generated = generated or dt.datetime.now(dt.timezone.utc)
    inputs, stamp = dated_inputs(source)
    results = score_inputs(inputs)
    shown = results.computation.values  # computed once: the results, the copy's cells and its checksum
    patches = shown
    if stamp:  # the day the blank evaluation date stood for, as an Excel date serial (the cell shows a date)
        serial = float((inputs.evaluation_date - dt.date(1899, 12, 30)).days)
        patches = {**shown, "Evaluation_Date": [[serial]]}
    parts, warnings = patched_parts(source, patches, keep_formulas=False, fallback=True)
    if any(p.startswith("xl/externalLinks/") for p in source.package.parts):
        warnings.append("the shared copy lacks links to other workbooks (never followed; cells show the "
                        "values Excel last computed) (kept only in your original)")
    lock: dict[str, set[str]] = {}
    for name in INPUT_NAMES:
        if source.has(name):
            area = source.area(name)
            lock.setdefault(source.book.sheets.get(area.sheet, ""), set()).update(
                area.address(i, j).split("!")[-1] for i in range(area.rows) for j in range(area.cols))
    rows = audit_rows(results, shown, source.path.name, generated)
    if technical:
        rows.insert(5, AuditRow("Prices", TECHNICAL_NOTE))
    checksum_row = next(r for r, row in enumerate(rows, start=1) if row.label.startswith("SHA-256"))
    audit = xlsx.NewSheet(AUDIT_SHEET, 1, (42, 100), tuple(((row.label, True), (row.value, False)) for row in rows))
    hide: dict[str, set[int]] = {}
    if technical and source.has("Prices"):  # the quote column (blanked) hidden as well
        quotes = source.area("Prices")
        hide[source.book.sheets.get(quotes.sheet, "")] = {quotes.left}
    xlsx.seal(source.package, target, parts, lock,
              drop_sheets=(CONF, PRICES_SHEET) if technical else (CONF,),
              drop_names=PRICE_PART_NAMES if technical else (), sheet=audit,
              names={CHECKSUM_NAME: f"{AUDIT_SHEET}!$B${checksum_row}"}, hide_columns=hide,
              # conditional formats that read a price name (the struck-through typed scores)
              drop_formats=PRICE_NAME.search if technical else None)
    return results, warnings


@dataclass(frozen=True)
class Verdict:
    ok: bool
    lines: list[str]


def verify(source) -> Verdict:
    """Recompute a shared copy from its inputs and compare results and checksum."""
    if not source.has(CHECKSUM_NAME):
        return Verdict(False, [f"{source.path}: no {CHECKSUM_NAME} name: not a copy made by partnerfit share"])
    results = score_inputs(read_inputs(source))
    computed = results.computation.values
    lines = []
    for name, rows in computed.items():
        if not source.has(name):
            continue
        area = source.area(name)
        found = source.block(name)
        for i, row in enumerate(rows):
            for j, expected in enumerate(row):
                actual = found[i][j] if i < len(found) and j < len(found[i]) else None
                if not _same(actual, expected):
                    lines.append(f"{area.address(i, j)}: the copy shows {_shown(actual)}, "
                                 f"its inputs give {_shown(expected)}")
    stored = source.block(CHECKSUM_NAME)[0][0]
    fresh = checksum(results, {name: source.block(name) for name in RESULT_NAMES if source.has(name)})
    if stored != fresh:
        lines.append(f"{source.area(CHECKSUM_NAME).address()}: checksum {str(stored)[:16]}... does not match "
                     f"the inputs and results in the copy ({fresh[:16]}...): something was edited after sharing")
    return Verdict(not lines, lines)


_RENAMED_STATUS = {"Qualified": "Eligible"}
"""A status as copies of version 0.1 show it: "Qualified" read as GMP-qualified, hence renamed."""


def _same(actual, expected) -> bool:
    actual = _RENAMED_STATUS.get(actual, actual) if isinstance(actual, str) else actual
    if actual in (None, "") and expected in (None, ""):
        return True
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(actual, (int, float)):
        return math.isclose(float(actual), float(expected), rel_tol=1e-12, abs_tol=1e-12)
    return actual == expected


def _shown(value) -> str:
    if value in (None, ""):
        return "a blank"
    return f"{value:.6g}" if isinstance(value, float) else repr(value)


def result_patches(source: Source, computed: dict[str, list[list]], changed_only: bool = False,
                   together: frozenset[str] = frozenset()) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Per sheet part, the A1 ref -> value of every computed cell; and names that did not fit.
    `changed_only`: leave out the cells whose cached result already shows the value (as Excel or
    LibreOffice left it after recalculating, or partnerfit when it wrote the file); the cells of
    a name in `together` (an array) are all set when one is."""
    patches: dict[str, dict[str, object]] = {}
    skipped = []
    for name, rows in computed.items():
        if not source.has(name):  # a workbook made before the name existed
            continue
        area = source.area(name)
        if (area.rows, area.cols) != (len(rows), len(rows[0]) if rows else 0):
            skipped.append(name)
            continue
        part = patches.setdefault(source.book.sheets.get(area.sheet, ""), {})
        cells = every = ((i, j) for i, row in enumerate(rows) for j in range(len(row)))
        if changed_only:
            stale = _stale(source.values.array(area).tolist(), rows)
            cells = every if stale and name in together else stale
        letters = [xlsx.column_letter(area.left + j) for j in range(area.cols)]
        part.update((f"{letters[j]}{area.top + i}", rows[i][j]) for i, j in cells)
    patches.pop("", None)
    return patches, skipped


_NUMBERS = (float, int, bool)


def _stale(cached: list[list], rows: list[list]) -> list[tuple[int, int]]:
    """(row, column) of each value in `rows` whose cell's cached result (`cached`, python-calamine)
    does not show it (`_shows`; an equal number, or a blank for an empty result, is decided here)."""
    return [(i, j) for i, (row, shown) in enumerate(zip(rows, cached)) for j, (value, old) in enumerate(zip(row, shown))
            if not (old == value and type(old) is type(value) in _NUMBERS or old is None and value == "")
            and not _shows(old, value)]


def _shows(cached, value) -> bool:
    """Whether a cell whose cached result reads `cached` (python-calamine) already shows `value`."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return cached is None
    if isinstance(value, bool) or isinstance(cached, bool):
        return type(cached) is type(value) and cached == value
    if isinstance(value, (int, float)):
        return isinstance(cached, (int, float)) and float(cached) == float(value)
    return isinstance(value, str) and isinstance(cached, str) and cached == value and not value.startswith("#")


def patched_parts(source: Source, computed: dict[str, list[list]], keep_formulas: bool,
                  fallback: bool = False) -> tuple[dict[str, bytes], list[str]]:
    """The sheet parts of `source` with every computed cell's result set, and warnings.

    `computed`: `results.computed_values` of the workbook's inputs. `keep_formulas`: formulas
    stay with fresh cached results (a scored working copy); otherwise each formula becomes its
    value. `fallback`: formulas partnerfit does not own keep the value Excel last cached.
    """
    # A scored copy keeps its formulas: a cell whose cached result is already right is left as it is
    # (most are, in a file Excel, LibreOffice or partnerfit saved), and so is a sheet with none to set.
    # An array's cells are set together (its anchor's range is reset with them).
    patches, skipped = result_patches(source, computed, changed_only=keep_formulas and not fallback,
                                      together=ADDIN_NAMES | ARRAY_NAMES)
    patches = {part: values for part, values in patches.items() if values or fallback}
    warnings = [f"{name}: the named range has a different shape than partnerfit writes; left as it was"
                for name in skipped]
    # Every cell of a result name is set, formula or not: an array's results beyond its anchor are
    # plain values that another program (Excel without the add-in, LibreOffice, an old run, an
    # older layout where an add-in array stood) may have left stale or as errors.
    arrays: dict[str, dict[str, str]] = {}
    for name in ADDIN_NAMES | ARRAY_NAMES:
        if source.has(name) and name not in skipped:
            area = source.area(name)
            anchor, corner = area.address().split("!")[-1], area.address(area.rows - 1, area.cols - 1).split("!")[-1]
            arrays.setdefault(source.book.sheets.get(area.sheet, ""), {})[anchor] = (
                f"{anchor}:{corner}" if corner != anchor else anchor)
    parts = {}
    sheet_of_part = {part: sheet for sheet, part in source.book.sheets.items()}
    for part in ([p for p in source.package.parts if p in sheet_of_part] if fallback else patches):
        values = patches.get(part, {})
        cached = _Cached(source, sheet_of_part[part]) if fallback else None
        parts[part], patched = xlsx.patch_sheet(xlsx.read_part(source.package, part), values,
                                                keep_formulas, cached, values.keys(), arrays.get(part))
        if cached is not None and cached.used:
            warnings.append(f"{sheet_of_part[part]}: {len(cached.used)} formula(s) of your own "
                            f"(e.g. {sorted(cached.used)[0]}) keep the value Excel last computed")
    return parts, warnings


def write_results(source: Source, target, computed: dict[str, list[list]], keep_formulas: bool,
                  fallback: bool = False) -> list[str]:
    """Copy the workbook to `target` (a temporary path) with every computed cell's result set
    (`patched_parts`); every other part of the file is copied unchanged. Returns warnings."""
    parts, warnings = patched_parts(source, computed, keep_formulas, fallback)
    xlsx.copy_with_patches(source.package, target, parts)
    return warnings


class _Cached:
    """The value Excel cached for a cell of one sheet, for formulas partnerfit does not own."""

    def __init__(self, source: Source, sheet: str):
        self.source, self.sheet, self.used = source, sheet, set()

    def __call__(self, ref: str):
        self.used.add(ref)
        letters = ref.rstrip("0123456789")
        row, col = int(ref[len(letters):]), xlsx.column_index(letters)
        return self.source.values.block(xlsx.Area(self.sheet, row, col, row, col))[0][0]

