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
import re
from dataclasses import dataclass, replace

from .. import __version__, xlsx
from ..cells import is_blank
from . import approvals, diligence
from .check import score_inputs
from .layout import ADDIN_NAMES, ARRAY_NAMES, CONF, INPUT_NAMES
from .prices import PRICE_NAME, PRICE_PART_NAMES, PRICES_SHEET, TECHNICAL_NOTE, technical_filling
from .reader import Source, filling, read_inputs
from .results import Results, computed_values

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
        extra["evaluations"] = [[_normal(v) for v in row] for row, used in zip(inputs.evaluations, inputs.team.used)
                                if used]
        extra["consensus_method"] = _normal(inputs.consensus_method)
    if (recorded := diligence.recorded(inputs)) is not None:
        extra["due_diligence"] = {"vendors": {k: [_normal(v) for v in row] for k, row in recorded["vendors"].items()},
                                  "criticality": _normal(recorded["criticality"]),
                                  "evaluation_date": _normal(recorded["evaluation_date"])}
    if inputs.approvals is not None:  # copies made before the Approvals sheet keep their checksum
        extra["approvals"] = approvals.recorded(inputs.approvals, _normal)
    if inputs.uses_ahp:
        extra["ahp_judgements"] = [[_normal(v) for v in row[i + 1:]] for i, row in enumerate(inputs.judgements)]
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
    return rows


def _sources(results: Results) -> list[AuditRow]:
    """Where the scores and the weights came from, when not from the Vendors and Criteria sheets."""
    inputs, rows = results.inputs, []
    if inputs.team is not None:
        evaluators = len({str(row[1]).strip() for row, used in zip(inputs.evaluations, inputs.team.used) if used})
        rows.append(AuditRow("Scores", f"consensus ({inputs.team.method}) of {inputs.team.rows} rows on the "
                                       f"Evaluations sheet by {evaluators} evaluators; the Vendors sheet's scores "
                                       "are not used"))
    if inputs.uses_ahp:
        rows.append(AuditRow("Weights", "AHP: principal eigenvector of the pairwise comparisons on the "
                                        "Weights (AHP) sheet (Saaty); the Weight column is not used"))
    elif inputs.weighs_by_group:
        rows.append(AuditRow("Weights", "by group: each group's share of the group weights (groups table on the "
                                        "Criteria sheet) x the criterion's share of its group's weights"))
    return rows


# ---------------------------------------------------------------- making and verifying copies

DROPPED_BY_OPENPYXL = (
    (lambda part, data: part.startswith("xl/media/"), "images"),
    (lambda part, data: part.startswith("xl/drawings/drawing") and (b"<xdr:sp>" in data or b"<xdr:sp " in data
                                                                    or b"<xdr:cxnSp" in data), "shapes and text boxes"),
    (lambda part, data: part.startswith("xl/ctrlProps/") or part.startswith("xl/activeX/"), "form controls"),
    (lambda part, data: part.startswith("xl/worksheets/sheet") and b"sparklineGroup" in data, "sparklines"),
    (lambda part, data: part.startswith("xl/slicers/") or part.startswith("xl/timelines/"), "slicers and timelines"),
    (lambda part, data: part.startswith("xl/externalLinks/"),
     "links to other workbooks (never followed; cells show the values Excel last computed)"),
    (lambda part, data: part.startswith("xl/charts/chart"), "chart styles and data labels (the charts stay)"),
)


def dropped_parts(package) -> list[str]:
    """What a copy rewritten by openpyxl lacks compared with the original."""

    found = []
    for test, label in DROPPED_BY_OPENPYXL:
        for part in sorted(package.parts):
            if label not in found and test(part, xlsx.read_part(package, part) if part.endswith(".xml") else b""):
                found.append(label)
    return found


_EXTERNAL_REF = re.compile(r"\[\d+\]")
"""How a formula or name refers to a linked workbook: [1]Sheet!A1."""


def write_technical(source, target, generated: dt.datetime | None = None) -> tuple[Results, list[str]]:
    """Write the technical evaluators' copy of `source` to `target` (a temporary path): the shared
    copy without the Prices sheet, its names, the quotes (their column blank and hidden) and the
    price scores, the price criterion left out
    (weight 0, its scores blank), so that every score shown is technical (`prices.technical_filling`)."""
    import tempfile
    from pathlib import Path

    import openpyxl

    technical, cells = technical_filling(filling(source))
    with tempfile.TemporaryDirectory() as folder:
        blanked = Path(folder) / source.path.name
        warnings = write_results(source, blanked, {**computed_values(technical), **cells}, keep_formulas=True)
        results, more = write_shared(Source(blanked), target, generated, technical=True)
    book = openpyxl.load_workbook(target, keep_vba=source.package.macro_enabled, rich_text=True)
    if source.has("Prices") and (quotes := source.area("Prices")).sheet in book.sheetnames:
        letter = xlsx.column_letter(quotes.left)  # the quote column (blanked above) hidden as well
        book[quotes.sheet].column_dimensions[letter].hidden = True
    if PRICES_SHEET in book.sheetnames:
        del book[PRICES_SHEET]
    for ws in book.worksheets:  # conditional formats that read a price name (the struck-through typed scores)
        _drop_formats(ws, lambda formula: PRICE_NAME.search(formula) is not None)
    for name in PRICE_PART_NAMES:
        if name in book.defined_names:
            del book.defined_names[name]
    book.save(target)
    return results, warnings + more


def dated_inputs(source):
    """(inputs, filling, stamped) of `source` as a shared copy records them: a blank evaluation
    date is today (what the engine reads a blank as), written into the copy so that `verify`
    recomputes with that day, not with the day it runs."""
    inputs, fill = read_inputs(source), filling(source)
    stamp = source.has("Evaluation_Date") and is_blank(inputs.evaluation_date)
    if stamp:
        inputs.evaluation_date = dt.date.today()
        fill = replace(fill, evaluation_date=inputs.evaluation_date)
    return inputs, fill, stamp


def _drop_formats(ws, unwanted) -> None:
    """Remove the conditional formatting rules of `ws` with a formula for which `unwanted` is true."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    kept = ConditionalFormattingList()
    for block in ws.conditional_formatting:
        for rule in block.rules:
            if not any(unwanted(str(f)) for f in rule.formula or ()):
                kept.add(str(block.sqref), rule)
    ws.conditional_formatting = kept


def write_shared(source, target, generated: dt.datetime | None = None,
                 technical: bool = False) -> tuple[Results, list[str]]:
    """Write the procurement copy of `source` to `target` (a temporary path).

    Returns the results and warnings (what the copy lacks, formulas of the user's own).
    `technical`: the Audit sheet says the copy leaves the prices out (see `write_technical`).
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font, Protection

    generated = generated or dt.datetime.now(dt.timezone.utc)
    inputs, fill, stamp = dated_inputs(source)
    results = score_inputs(inputs)
    shown = computed_values(fill)  # computed once: the copy's cells and its checksum
    warnings = write_results(source, target, shown, keep_formulas=False, fallback=True)
    lost = dropped_parts(source.package)
    if lost:
        warnings.append("the shared copy lacks " + ", ".join(lost) + " (kept only in your original)")
    # keep_links=False: no link to another workbook (a URL, a network share) reaches procurement,
    # whose Excel would offer to update it; names pointing into such links go with them.
    book = openpyxl.load_workbook(target, keep_vba=source.package.macro_enabled, rich_text=True, keep_links=False)
    for names in (book.defined_names, *(sheet.defined_names for sheet in book.worksheets)):
        for name in [n for n, d in names.items() if _EXTERNAL_REF.search(d.attr_text or "")]:
            del names[name]
    if CONF in book.sheetnames:
        del book[CONF]
    locked = Protection(locked=True)
    for name in INPUT_NAMES:
        if source.has(name):
            area = source.area(name)
            for row in book[area.sheet].iter_rows(min_row=area.top, max_row=area.bottom,
                                                  min_col=area.left, max_col=area.right):
                for cell in row:
                    cell.protection = locked
    if stamp:
        area = source.area("Evaluation_Date")
        cell = book[area.sheet].cell(area.top, area.left, inputs.evaluation_date)
        cell.number_format = "yyyy-mm-dd"
    audit = book.create_sheet(AUDIT_SHEET, 1)
    bold = Font(bold=True)
    rows = audit_rows(results, shown, source.path.name, generated)
    if technical:
        rows.insert(5, AuditRow("Prices", TECHNICAL_NOTE))
    for r, row in enumerate(rows, start=1):
        if not row.label:  # a blank line (an empty string would be written as an empty inline string)
            continue
        label, value = audit.cell(r, 1, row.label), audit.cell(r, 2, row.value)
        label.font = bold
        label.data_type = "s"  # criterion names are user text too: never a formula
        if isinstance(row.value, str):
            value.data_type = "s"  # user text (file names, criteria) never becomes a formula
        value.alignment = Alignment(wrap_text=True, vertical="top")
        if row.label.startswith("SHA-256"):
            from openpyxl.workbook.defined_name import DefinedName

            book.defined_names[CHECKSUM_NAME] = DefinedName(CHECKSUM_NAME, attr_text=f"{AUDIT_SHEET}!$B${r}")
    audit.column_dimensions["A"].width = 42
    audit.column_dimensions["B"].width = 100
    for sheet in book.worksheets:
        sheet.protection.sheet = True
    book.active = 0
    book.save(target)
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
    computed = computed_values(filling(source))
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


def result_patches(source: Source, computed: dict[str, list[list]]) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Per sheet part, the A1 ref -> value of every computed cell; and names that did not fit."""
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
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                part[f"{xlsx.column_letter(area.left + j)}{area.top + i}"] = value
    patches.pop("", None)
    return patches, skipped


def write_results(source: Source, target, computed: dict[str, list[list]], keep_formulas: bool,
                  fallback: bool = False) -> list[str]:
    """Copy the workbook to `target` (a temporary path) with every computed cell's result set.

    `computed`: `results.computed_values` of the workbook's inputs. `keep_formulas`: formulas
    stay with fresh cached results (a scored working copy); otherwise each formula becomes its
    value. `fallback`: formulas partnerfit does not own keep the value Excel last cached. Every
    other part of the file is copied unchanged. Returns warnings.
    """
    patches, skipped = result_patches(source, computed)
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

