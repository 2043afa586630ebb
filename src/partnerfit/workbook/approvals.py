"""The Approvals sheet: who approved the selection, when and with what meaning, and every
evaluator's conflict-of-interest declaration; names, formulas, values, writing and reading.

One role per row (Procurement, Quality Assurance, Technical/CMC, and Clinical operations, required
only when the workbook evaluates CROs: ICH E6(R3) has the sponsor's clinical side oversee a
CRO). A role has approved when its Decision reads Approve (any case, spaces trimmed), its Name is
filled in and its Date is a date. Until every required role has approved, `Approval_Status` and
the Scores sheet's `Scores_Approval` say "Not approved" (with a rejection, "Not approved:
rejected"), and so does `partnerfit score`. The record is not a signature (README, Security):
`share` puts it into the Audit sheet and the checksum, so that an edit afterwards fails `verify`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..cells import is_number
from .layout import APPROVAL_INPUT_NAMES as INPUT_NAMES
from .layout import APPROVALS_SHEET, FIXED, FORMULA, INPUT, SCORES, Area

ROLES = ("Procurement", "Quality Assurance", "Technical/CMC", "Clinical operations")
CRO_ROLE = "Clinical operations"
"""Required only when the workbook's partner type is CRO."""
MEANINGS = (
    "Approved: the selection followed the documented criteria, weights and process, and the commercial terms "
    "are acceptable.",
    "Approved: the vendor's due diligence, knock-outs and overrides were reviewed; qualification per its tier and "
    "a quality agreement are required before any GMP/GCP work starts.",
    "Approved: the vendor's technical capability fits the programme (process, scale, technology transfer).",
    "Approved: the CRO's capability and the sponsor's oversight plan fit the trial (ICH E6(R3)).",
)
"""The default meaning of each role's approval (an input: a company writes its own)."""
DECISIONS = ("Approve", "Reject")
DECLARATIONS = ("None", "Declared")
DECLARATION_ROWS = 10
APPROVED, NOT_APPROVED, REJECTED = "Approved", "Not approved", "Not approved: rejected"

_HEAD, _D_HEAD = 4, 5 + len(ROLES) + 2
"""Header rows of the roles and of the declarations (0-based); their rows follow."""
ROLE_COLUMNS, DECLARATION_COLUMNS = INPUT_NAMES[:4], INPUT_NAMES[4:]


@dataclass(frozen=True)
class ApprovalFilling:
    """What a user types on the Approvals sheet (None = blank): per role (name, decision, date,
    meaning), in `ROLES` order; per declaration row (evaluator, None/Declared, text)."""

    roles: tuple = tuple((None, None, None, m) for m in MEANINGS)
    declarations: tuple = ()

    def __post_init__(self):
        roles = tuple(tuple(r) + (None,) * (4 - len(r)) for r in self.roles)
        object.__setattr__(self, "roles", roles + tuple((None,) * 4 for _ in range(len(ROLES) - len(roles))))
        object.__setattr__(self, "declarations", tuple(tuple(r) + (None,) * (3 - len(r)) for r in self.declarations))


def layout_part() -> dict[str, Area]:
    """The Approvals sheet's names, and the Scores sheet's `Scores_Approval`."""
    r0, d0 = _HEAD + 1, _D_HEAD + 1
    return {
        "Approval_Status": Area(APPROVALS_SHEET, 2, 1, role=FORMULA),
        "Approval_Roles": Area(APPROVALS_SHEET, r0, 0, len(ROLES), role=FIXED),
        "Approval_Required": Area(APPROVALS_SHEET, r0, 1, len(ROLES), role=FORMULA),
        **{name: Area(APPROVALS_SHEET, r0, 2 + j, len(ROLES), role=INPUT) for j, name in enumerate(ROLE_COLUMNS)},
        **{name: Area(APPROVALS_SHEET, d0, j, DECLARATION_ROWS, role=INPUT)
           for j, name in enumerate(DECLARATION_COLUMNS)},
        "Scores_Approval": Area(SCORES, 0, 3, role=FORMULA),  # beside the title: seen first
    }


def formulas_part() -> dict:
    approve = 'LOWER(TRIM(Approval_Decisions&""))'
    approved = (f'SUMPRODUCT(--(Approval_Required="Yes"),--({approve}="approve"),--(TRIM(Approval_Names&"")<>""),'
                "--ISNUMBER(Approval_Dates))")
    return {
        "Approval_Required": lambda i, j: '="Yes"' if ROLES[i] != CRO_ROLE else '=IF(Weight_Profile="CRO","Yes","No")',
        "Approval_Status": lambda i, j: (f'=IF(SUMPRODUCT(--({approve}="reject"))>0,"{REJECTED}",'
                                         f'IF({approved}=COUNTIF(Approval_Required,"Yes"),"{APPROVED}","{NOT_APPROVED}"))'),
        "Scores_Approval": lambda i, j: "=Approval_Status",
    }


def _date(value) -> bool:
    """A date cell as ISNUMBER reads it: a date, a datetime or a number (not TRUE/FALSE, not text)."""
    return isinstance(value, (dt.date, dt.datetime)) or is_number(value)


def _decision(value) -> str:
    return str(value).strip().lower() if value is not None else ""


def required(partner_type) -> list[bool]:
    return [role != CRO_ROLE or str(partner_type) == "CRO" for role in ROLES]


def status(a: ApprovalFilling, partner_type) -> str:
    """"Approved", "Not approved" or "Not approved: rejected" (see the module docstring)."""
    if any(_decision(r[1]) == "reject" for r in a.roles):
        return REJECTED
    done = [_decision(d) == "approve" and str(n if n is not None else "").strip() != "" and _date(when)
            for n, d, when, _ in a.roles]
    return APPROVED if all(ok or not need for ok, need in zip(done, required(partner_type))) else NOT_APPROVED


def values_part(a: ApprovalFilling, partner_type) -> dict[str, list[list]]:
    shown = status(a, partner_type)
    return {"Approval_Required": [["Yes" if x else "No"] for x in required(partner_type)], "Approval_Status": [[shown]],
            "Scores_Approval": [[shown]]}


def approval_filling(values) -> dict:
    """`Filling.from_names`' argument `approvals` from the input names' cells (nothing when the
    workbook was made before the Approvals sheet)."""
    if not all(name in values for name in INPUT_NAMES):
        return {}
    roles = tuple(zip(*(tuple(row[0] for row in values[n]) for n in ROLE_COLUMNS)))
    declarations = tuple(zip(*(tuple(row[0] for row in values[n]) for n in DECLARATION_COLUMNS)))
    while declarations and all(v in (None, "") for v in declarations[-1]):
        declarations = declarations[:-1]
    return {"approvals": ApprovalFilling(roles, declarations)}


def recorded(a: ApprovalFilling | None, normal) -> dict | None:
    """The approvals and declarations as the checksum covers them (`normal`: share's cell normaliser)."""
    if a is None:
        return None
    return {"roles": {role: [normal(v) for v in row] for role, row in zip(ROLES, a.roles)},
            "declarations": [[normal(v) for v in row] for row in a.declarations]}


def audit_rows(a: ApprovalFilling | None, partner_type) -> list[tuple[str, str]]:
    """(label, value) lines of the Audit sheet: the status, each role, each declaration."""
    if a is None:
        return []

    def day(value):
        return value.date().isoformat() if isinstance(value, dt.datetime) else \
            value.isoformat() if isinstance(value, dt.date) else "" if value is None else str(value)

    rows = [("Approval", status(a, partner_type))]
    for role, need, (name, decision, when, meaning) in zip(ROLES, required(partner_type), a.roles):
        if not need and all(v in (None, "") for v in (name, decision, when)):
            continue
        rows.append((f"Approval: {role}", " / ".join(str(v) if v not in (None, "") else "(blank)" for v in (
            name, decision, day(when) or None, meaning))))
    for evaluator, declared, text in a.declarations:
        if all(v in (None, "") for v in (evaluator, declared, text)):
            continue
        rows.append((f"Declaration: {evaluator or '(no name)'}",
                     f"{declared or '(blank)'}" + (f": {text}" if text not in (None, "") else "")))
    return rows


def write_sheet(w) -> None:
    """Write the Approvals sheet with the writer `w` (`writer._Writer`), and Scores_Approval."""
    ws, a = w.ws[APPROVALS_SHEET], w.f.approvals
    ws.set_tab_color("#7030A0")
    for col, width in enumerate((24, 10, 30, 12, 12, 90)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "Approvals", w.style("title"))
    ws.set_row(0, 24)
    ws.write_string(1, 0, "Who approved the selection, when, and what the approval means; every evaluator's "
                          "conflict-of-interest declaration. Not an electronic signature: sign the shared copy "
                          "and the dossier in your quality system.", w.style("subtitle"))
    ws.write_string(2, 0, "Status", w.style("label"))
    w.formula("Approval_Status", w.style("computed", "bold"))
    header = w.style("header")
    for col, title in enumerate(("Role", "Required", "Name", "Decision", "Date", "Meaning of the approval")):
        ws.write_string(_HEAD, col, title, header)
    w.fill("Approval_Roles", [[r] for r in ROLES], w.style("label"))
    w.formula("Approval_Required", w.style("computed", "center"))
    text, date = w.style("input", "wrap"), w.style("input", num_format="yyyy-mm-dd")
    for j, name in enumerate(ROLE_COLUMNS):
        area = w.names[name]
        for i, row in enumerate(a.roles):  # a date as an Excel date (Filling holds dates, as typed)
            if isinstance(row[j], dt.date):
                ws.write_datetime(area.row + i, area.col, row[j], date)
            else:
                w.put(APPROVALS_SHEET, area.row + i, area.col, row[j], date if name == "Approval_Dates" else text)
    for i in range(len(ROLES)):
        ws.set_row(_HEAD + 1 + i, 32)  # two lines of the meaning
    decisions = w.names["Approval_Decisions"]
    ws.data_validation(decisions.row, decisions.col, decisions.row + decisions.rows - 1, decisions.col, {
        "validate": "list", "source": list(DECISIONS), "error_type": "warning",
        "error_title": "Not a decision", "error_message": "Expected Approve or Reject"})
    ws.write_string(_D_HEAD - 1, 0, "Conflict-of-interest declarations", w.style("section"))
    for col, title in enumerate(("Evaluator", "Declaration", "What is declared")):
        ws.write_string(_D_HEAD, col, title, header)
    rows = list(a.declarations) + [(None,) * 3] * (DECLARATION_ROWS - len(a.declarations))
    for j, name in enumerate(DECLARATION_COLUMNS):
        w.fill(name, [[row[j]] for row in rows], text)
    for i in range(DECLARATION_ROWS):
        ws.set_row(_D_HEAD + 1 + i, 30)  # two lines of what is declared
    statuses = w.names["Declaration_Statuses"]
    ws.data_validation(statuses.row, statuses.col, statuses.row + statuses.rows - 1, statuses.col, {
        "validate": "list", "source": list(DECLARATIONS), "error_type": "warning",
        "error_title": "Not a declaration", "error_message": "Expected None or Declared (then say what)"})
    w.finish(APPROVALS_SHEET)
    for text_value, style in ((APPROVED, "good"), (NOT_APPROVED, "bad")):
        for name in ("Approval_Status", "Scores_Approval"):
            area = w.names[name]
            w.ws[area.sheet].conditional_format(area.row, area.col, area.row, area.col, {
                "type": "text", "criteria": "begins with", "value": text_value, "format": w.style(style)})
    area = w.names["Scores_Approval"]
    w.ws[area.sheet].write_string(area.row, area.col - 1, "Approval", w.style("label", align="right"))
    w.formula("Scores_Approval", w.style("computed", "bold"))
