"""The selection dossier: a PDF that a quality unit files, rendered from a plain data model.

`Dossier` holds what an inspector asks of a partner selection (EU GMP Chapter 7; ICH Q9(R1),
Q10 2.7, E6(R3)): the programme and recommended partner type, the criteria and why they weigh
what they weigh, the ranking, its robustness, the team's disagreements, due diligence, the risk
tier and plan, approvals and declarations, and the checksum tying it to the shared workbook.
`write_dossier` renders it with matplotlib alone (A4 portrait, text kept as text so that it can
be selected and searched); `dossier_from_results` fills it from a scored workbook.

An optional section that is None prints "Not recorded in this workbook" rather than vanishing,
so that the reader sees what is missing; an empty tuple means recorded and empty.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, xlsx

if TYPE_CHECKING:
    from .workbook.results import Results

NOT_RECORDED = "Not recorded in this workbook."


# ---------------------------------------------------------------- the data model


@dataclass(frozen=True)
class Programme:
    """The programme as entered and the recommended partner type with its reason."""

    facts: tuple[tuple[str, str], ...]
    """(label, value) pairs: stage, need, process, CMC experience, modality."""
    partner_type: str
    fit: tuple[tuple[str, float], ...]
    """(partner type, fit 0-100)."""
    reason: str


@dataclass(frozen=True)
class CriterionRow:
    name: str
    share: float
    """Share of the total weight, 0-1."""
    must_have: float | None
    """The minimum score, None when not a must-have."""
    rationale: str


@dataclass(frozen=True)
class AHPSummary:
    lambda_max: float
    ci: float
    cr: float
    consistent: bool
    note: str


@dataclass(frozen=True)
class VendorRow:
    vendor: str
    score: float | None
    rank: int | None
    coverage: float
    status: str


@dataclass(frozen=True)
class FlipRow:
    criterion: str
    weight: float
    """Current share of the weight, 0-1."""
    new_weight: float | None
    """The share at which another vendor leads; None when no share from 0 to 1 does."""
    new_leader: str | None


@dataclass(frozen=True)
class Robustness:
    sentence: str
    vendors: tuple[str, ...]
    """The ranked vendors, rows of `acceptability`."""
    acceptability: tuple[tuple[float, ...], ...]
    """Share of weightings in which each vendor takes rank 1, 2, ... (vendors x ranks)."""
    flips: tuple[FlipRow, ...]
    method: str
    """How the weightings were drawn, in one line."""


@dataclass(frozen=True)
class Disagreement:
    vendor: str
    criterion: str
    spread: float
    evaluators: int
    consensus: float
    agreed: float | None = None
    """The score the team agreed after discussion; None when not recorded."""
    reason: str = ""


@dataclass(frozen=True)
class DueDiligenceRow:
    vendor: str
    suggested: float | None
    """Suggested Regulatory track record score; None when nothing was checked."""
    cause: str
    """The knock-out cause, "" when none."""
    override_reason: str | None
    """The reason for keeping a knocked-out vendor; None when not overridden."""
    not_checked: str


@dataclass(frozen=True)
class TierRow:
    vendor: str
    tier: int
    activity: str
    interval_years: int
    review: str
    """When the next review is due ("due 2027-03-14", "never audited: due now", ...)."""


@dataclass(frozen=True)
class Approval:
    role: str
    name: str
    decision: str
    date: str
    meaning: str
    """What the signature means ("approves the selection of ...")."""


@dataclass(frozen=True)
class Declaration:
    evaluator: str
    interest: str
    """"None" or "Declared"."""
    text: str


@dataclass(frozen=True)
class Dossier:
    programme: Programme
    criteria: tuple[CriterionRow, ...]
    vendors: tuple[VendorRow, ...]
    """In the engine's order: ranked vendors by rank, then the rest as entered."""
    checksum: str
    source: str
    """The workbook's file name."""
    generated: dt.datetime
    version: str = __version__
    scores_from: str = ""
    """Where the scores came from (one evaluator's sheet, a consensus of N rows)."""
    ahp: AHPSummary | None = None
    """None: the weights were entered directly."""
    robustness: Robustness | None = None
    disagreements: tuple[Disagreement, ...] | None = None
    due_diligence: tuple[DueDiligenceRow, ...] | None = None
    tiers: tuple[TierRow, ...] | None = None
    approvals: tuple[Approval, ...] | None = None
    declarations: tuple[Declaration, ...] | None = None
    approval: str = ""
    """"Approved", "Not approved" or "Not approved: rejected"; "" when the workbook has no Approvals sheet."""


# ---------------------------------------------------------------- building from a scored workbook


def dossier_from_results(results: Results, source: str, checksum: str,
                         generated: dt.datetime | None = None) -> Dossier:
    """A dossier from a scored workbook (`workbook.check.score_inputs`): what workbooks hold
    today. `checksum`: the shared copy's (its Audit sheet), or `workbook.share.checksum` of the
    results a shared copy would show."""
    import numpy as np

    from .cells import cell_text, is_blank, score_value
    from .consensus import DISAGREEMENT
    from .robustness import flip_margin, rank_acceptability, robustness_summary
    from .workbook.layout import ROBUSTNESS_ARGS

    inputs, rec, p = results.inputs, results.recommendation, results.parameters
    labels = {"stage": "Stage", "need": "Need", "process": "Process", "cmc_experience": "CMC experience",
              "modality": "Modality"}
    programme = Programme(tuple((labels[k], _text(v)) for k, v in inputs.program.items()), rec.partner_type,
                          tuple((t, float(s)) for t, s in rec.scores.items()), rec.reason)
    shares = p.weights / p.weights.sum()
    criteria = tuple(CriterionRow(name, float(s), None if math.isnan(m) else float(m), _rationale(name, rec.partner_type))
                     for name, s, m in zip(inputs.criteria, shares, p.minimums))
    vendors = tuple(VendorRow(row["vendor"], row["score"], row["rank"], row["coverage"], row["status"])
                    for row in results.vendor_table())

    ahp = None
    if inputs.uses_ahp:
        from .workbook.check import ahp_read

        read = ahp_read(inputs)
        if read.levels is not None and read.levels.by_group:  # per level: the level of the highest CR
            h = read.levels.hierarchy
            a = max([h.groups, *h.within.values()], key=lambda r: r.cr)
            ahp = AHPSummary(float(a.lambda_max), float(a.ci), float(a.cr), bool(h.consistent),
                             f"per level (the groups, then within each group): {h.message}")
        else:
            a = read.result
            note = a.message
            if a.worst_pair is not None:
                note += " ({} vs {})".format(*(cell_text(inputs.criteria_cells[k]) for k in a.worst_pair))
            ahp = AHPSummary(float(a.lambda_max), float(a.ci), float(a.cr), bool(a.consistent), note)

    robust = None
    ranked = np.flatnonzero(~np.isnan(results.evaluation.rank))
    if ranked.size:
        uncertainty, samples, seed = ROBUSTNESS_ARGS
        matrix, names = results.matrix[ranked], [inputs.vendors[i] for i in ranked]
        accept = rank_acceptability(matrix, p.weights, uncertainty, samples, seed)
        flips = flip_margin(matrix, p.weights)
        order = np.argsort(results.evaluation.rank[ranked], kind="stable")
        robust = Robustness(
            robustness_summary(accept, flips, names, inputs.criteria),
            tuple(names[i] for i in order), tuple(tuple(float(x) for x in accept[i]) for i in order),
            tuple(FlipRow(c, float(w), None if math.isnan(t) else float(t), None if k < 0 else names[k])
                  for c, w, t, k in zip(inputs.criteria, flips.weight, flips.new_weight, flips.new_leader)),
            f"each weight multiplied by a factor drawn from [{1 - uncertainty:g}, {1 + uncertainty:g}], "
            f"{samples:,} draws, seed {seed}")

    disagreements = None
    if inputs.team is not None:
        centre, spread, count = inputs.consensus()
        agreed, reasons = inputs.agreed or {}, inputs.agreed_reasons or {}

        def settled(i, c):  # (agreed score or None, reason) of a consensus cell
            value = score_value(agreed[i][c]) if agreed and not is_blank(agreed[i][c]) else None
            reason = reasons[i][c] if reasons and not is_blank(reasons[i][c]) else ""
            return (None if value is None or math.isnan(value) else value), cell_text(reason) if reason else ""

        disagreements = tuple(
            Disagreement(inputs.vendors[k], inputs.criteria[j], float(spread[i, c]), int(count[i, c]),
                         float(centre[i, c]), *settled(i, c))
            for k, i in enumerate(inputs.vendor_rows) for j, c in enumerate(inputs.criteria_rows)
            if spread[i, c] >= DISAGREEMENT)
    scores_from = (f"the evaluators' consensus ({inputs.team.method}) of the Evaluations sheet"
                   if inputs.team is not None else "the Vendors sheet (one evaluator)")
    return Dossier(programme, criteria, vendors, checksum, source,
                   generated or dt.datetime.now(dt.timezone.utc), scores_from=scores_from, ahp=ahp,
                   robustness=robust, disagreements=disagreements, due_diligence=_diligence_rows(inputs),
                   **_approval_rows(inputs))


def _diligence_rows(inputs) -> tuple[DueDiligenceRow, ...] | None:
    """Each vendor's suggested track-record score, knock-out, override reason and what was not
    checked (`due_diligence`); None for a workbook without the due-diligence columns."""
    from .cells import is_blank
    from .due_diligence import Outcome, due_diligence

    table = inputs.due_diligence
    if table is None or table.drop(columns="DD_Criticality").map(is_blank).all(axis=None):
        return None  # nothing recorded: the section says so
    dd = due_diligence(table, inputs.evaluation_date)
    reasons = [" ".join(str(r).split()) if r is not None else "" for r in table["DD_Override_Reason"]]
    return tuple(DueDiligenceRow(str(v), None if math.isnan(r.suggested_score) else float(r.suggested_score),
                                 r.knock_out, reason if r.outcome == Outcome.OVERRIDDEN else None, r.not_checked)
                 for v, r, reason in zip(dd.index, dd.itertuples(), reasons))


def _approval_rows(inputs) -> dict:
    """The Approvals sheet's roles (those required, or filled in) and declarations (those filled in)."""
    from .workbook.approvals import ROLES, required, status

    a = inputs.approvals
    if a is None:
        return {}

    def text(value) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()
        return value.isoformat() if isinstance(value, dt.date) else _text(value)

    approvals = tuple(Approval(role, text(name), text(decision), text(when), text(meaning))
                      for role, need, (name, decision, when, meaning) in zip(ROLES, required(inputs.partner_type), a.roles)
                      if need or any(text(v) for v in (name, decision, when)))
    declarations = tuple(Declaration(*(text(v) for v in row)) for row in a.declarations if any(text(v) for v in row))
    return {"approvals": approvals, "declarations": declarations, "approval": status(a, inputs.partner_type)}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _rationale(criterion: str, partner_type: str) -> str:
    """The default weight profile's reason for a criterion of that name, with its default weight."""
    from .criteria import CRITERIA, PROFILES

    for profile in PROFILES.values():
        if profile.partner_type.value in partner_type.split(" + "):
            for key, (weight, why) in profile.weights.items():
                if CRITERIA[key].name.casefold() == criterion.strip().casefold():
                    return f"{why[0].upper()}{why[1:]} ({profile.partner_type.value} profile: {weight:g} %)."
    return "No rationale recorded (not in the default profile)."


# ---------------------------------------------------------------- rendering

PAGE_W, PAGE_H = 8.27, 11.69  # A4 portrait, inches
LEFT, RIGHT, TOP, BOTTOM = 0.8, 0.8, 0.75, 0.95
WIDTH = PAGE_W - LEFT - RIGHT
BODY = 9.0
"""Body text size in points."""
CHAR_WIDTH = 0.5
"""Average character width of DejaVu Sans in ems (generous, so that wrapped text never overflows)."""
INK, MUTED, ACCENT, RULE, BAND = "#1f2933", "#616e7c", "#1f5f8b", "#cbd2d9", "#eef2f6"
CHART_ROWS = 40
"""Most vendors drawn in the score chart (all are in the table)."""
HEAT_ROWS, HEAT_RANKS = 20, 10
"""Most vendors and ranks drawn in the rank-acceptability chart."""


def _line(size: float) -> float:
    return size * 1.4 / 72


def _chars(width: float, size: float) -> int:
    return max(4, int(width * 72 / (CHAR_WIDTH * size)))


def _wrap(text: str, width: float, size: float, split_words: bool = True) -> list[str]:
    lines = []
    for part in str(text).splitlines() or [""]:
        lines += textwrap.wrap(part, _chars(width, size), break_long_words=split_words, break_on_hyphens=False) or [""]
    return lines


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    """Fraction of the text width."""
    align: str = "left"


class _Pages:
    """A flow of A4 pages: text, wrapped tables and charts placed top to bottom."""

    def __init__(self):
        from matplotlib.figure import Figure

        self._figure = Figure
        self.pages: list = []
        self.section = ""
        self._new_page()

    def _new_page(self) -> None:
        self.fig = self._figure(figsize=(PAGE_W, PAGE_H))
        self.pages.append(self.fig)
        self.y = TOP
        if self.section and len(self.pages) > 1:
            self.text(LEFT, f"{self.section} (continued)", 8, color=MUTED)
            self.y += 0.08

    def room(self, height: float) -> None:
        """Start a new page unless `height` inches fit below the cursor."""
        if self.y + height > PAGE_H - BOTTOM and self.y > TOP + 0.3:
            self._new_page()

    def text(self, x: float, text: str, size: float = BODY, y: float | None = None, **style) -> None:
        from .cli import printable

        style.setdefault("color", INK)
        self.fig.text(x / PAGE_W, 1 - (self.y if y is None else y) / PAGE_H, printable(text), fontsize=size,
                      va="top", parse_math=False, **style)
        if y is None:
            self.y += _line(size)

    def rule(self, y: float, color: str = RULE, width: float = 0.6) -> None:
        from matplotlib.lines import Line2D

        self.fig.add_artist(Line2D([LEFT / PAGE_W, 1 - RIGHT / PAGE_W], [1 - y / PAGE_H] * 2, color=color,
                                   linewidth=width))

    def band(self, y: float, height: float, color: str = BAND) -> None:
        from matplotlib.patches import Rectangle

        self.fig.add_artist(Rectangle((LEFT / PAGE_W, 1 - (y + height) / PAGE_H), WIDTH / PAGE_W,
                                      height / PAGE_H, facecolor=color, edgecolor="none", zorder=-1))

    def paragraph(self, text: str, size: float = BODY, **style) -> None:
        for line in _wrap(text, WIDTH, size * (1.12 if style.get("weight") == "bold" else 1)):  # bold is wider
            self.room(_line(size))
            self.text(LEFT, line, size, **style)
        self.y += 0.06

    def heading(self, text: str) -> None:
        self.section = ""  # a page break here continues nothing
        self.y += 0.12
        self.room(1.5)  # the heading stays with what follows
        self.section = text
        self.text(LEFT, text, 13, weight="bold", color=ACCENT)
        self.rule(self.y, ACCENT, 0.9)
        self.y += 0.1

    def subheading(self, text: str) -> None:
        self.y += 0.06
        self.room(0.2 + 4 * _line(BODY))
        self.text(LEFT, text, 10.5, weight="bold")
        self.y += 0.03

    def not_recorded(self, text: str = NOT_RECORDED) -> None:
        self.paragraph(text, color=MUTED)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], size: float = 8.5) -> None:
        """Rows with wrapped cells; a row that does not fit goes on to the next page under the
        repeated header (a row taller than a page is split between pages)."""
        pad, line = 0.07, _line(size)
        widths = [c.width * WIDTH for c in columns]
        lefts = [LEFT + sum(widths[:k]) for k in range(len(widths))]

        def draw(cells: list[list[str]], bold: bool = False, shade: bool = False) -> None:
            height = max(len(c) for c in cells) * line + 2 * pad
            if shade:
                self.band(self.y, height, "#dde4ec" if bold else BAND)
            for cell, left, width, column in zip(cells, lefts, widths, columns):
                x = left + width - pad if column.align == "right" else left + pad
                for n, text in enumerate(cell):
                    self.text(x, text, size, y=self.y + pad + n * line, ha=column.align,
                              weight="bold" if bold else "normal")
            self.y += height

        header = [_wrap(c.header, w - 2 * pad, size * 1.15, False) for c, w in zip(columns, widths)]  # bold is wider
        header_height = max(len(c) for c in header) * line + 2 * pad
        first = max((len(_wrap(_cell(v), w - 2 * pad, size)) for v, w in zip(rows[0], widths)), default=1) if rows else 1
        self.room(header_height + min(first, 8) * line + 2 * pad)  # the header never alone at a page's foot
        draw(header, bold=True, shade=True)
        for r, row in enumerate(rows):
            cells = [_wrap(_cell(v), w - 2 * pad, size) for v, w in zip(row, widths)]
            while cells:
                fit = int((PAGE_H - BOTTOM - self.y - 2 * pad) / line)
                needed = max(len(c) for c in cells)
                if needed > fit:
                    fresh = int((PAGE_H - BOTTOM - TOP - 0.3 - header_height - 2 * pad) / line)
                    if needed <= fresh or fit < 2:  # the row fits a fresh page, or nothing fits here
                        self._new_page()
                        draw(header, bold=True, shade=True)
                        continue
                part, rest = [c[:fit] for c in cells], [c[fit:] for c in cells]
                draw(part, shade=r % 2 == 1)
                cells = rest if any(rest) and needed > fit else []
        self.rule(self.y)
        self.y += 0.12

    def chart(self, title: str, height: float, draw: Callable, left: float = 1.9, right: float = 0.15,
              top: float = 0.05) -> None:
        """Under a subheading, an axes `height` inches tall across the text width (minus `left` and
        `right` for labels) drawn by `draw(ax)`; `top`: room for labels above it."""
        self.room(0.45 + top + height + 0.35)
        self.subheading(title)
        self.y += top
        ax = self.fig.add_axes(((LEFT + left) / PAGE_W, 1 - (self.y + height) / PAGE_H,
                                (WIDTH - left - right) / PAGE_W, height / PAGE_H))
        draw(ax)
        self.y += height + 0.45

    def footers(self, dossier: Dossier) -> None:
        count = len(self.pages)
        for n, fig in enumerate(self.pages, start=1):
            self.fig, base = fig, PAGE_H - BOTTOM + 0.3
            self.rule(base - 0.08)
            self.text(LEFT, f"Checksum (SHA-256): {dossier.checksum}", 7, y=base, color=MUTED, family="monospace")
            self.text(PAGE_W - RIGHT, f"Page {n} of {count}", 8, y=base, ha="right", weight="bold")
            self.text(LEFT, f"{dossier.source}  ·  generated {_when(dossier.generated)}  ·  partnerfit "
                            f"{dossier.version}", 7, y=base + 0.16, color=MUTED)


def _cell(value) -> str:
    return "" if value is None else str(value)


def _when(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _score(value: float | None, digits: int = 2) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _percent(share: float | None, digits: int = 1) -> str:
    return "" if share is None else f"{100 * share:.{digits}f} %"


def write_dossier(dossier: Dossier, path: str | Path, force: bool = False) -> Path:
    """Render `dossier` to a PDF at `path`, atomically (no partial file on error); an existing file
    is replaced only with `force`."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    with matplotlib.rc_context({"pdf.fonttype": 42, "font.size": BODY,
                                "axes.edgecolor": RULE, "axes.labelcolor": INK, "xtick.color": MUTED,
                                "ytick.color": INK, "axes.titlesize": 10}):
        flow = _Pages()
        for section in (_title, _programme, _criteria, _ranking, _robustness, _team, _due_diligence, _tiers,
                        _approvals, _integrity):
            section(flow, dossier)
        flow.footers(dossier)

        def write(temp: Path) -> None:
            metadata = {"Title": f"Partner selection dossier: {dossier.source}", "Creator": f"partnerfit {dossier.version}",
                        "Subject": f"SHA-256 {dossier.checksum}"}
            with PdfPages(temp, metadata=metadata) as pdf:
                for fig in flow.pages:
                    pdf.savefig(fig)

        return xlsx.write_atomically(path, write, force=force)


# ---------------------------------------------------------------- the sections


def _title(flow: _Pages, d: Dossier) -> None:
    flow.text(LEFT, "Partner selection dossier", 22, weight="bold", color=ACCENT)
    flow.y += 0.08
    flow.text(LEFT, f"Recommended partner type: {d.programme.partner_type}", 13)
    leader = next((v for v in d.vendors if v.rank == 1), None)
    flow.text(LEFT, f"Leading vendor: {leader.vendor if leader else 'none ranked'}", 13)
    flow.y += 0.12
    top = flow.y
    facts = [("Source workbook", d.source), ("Generated", _when(d.generated)), ("partnerfit version", d.version),
             ("Scores from", d.scores_from or "not stated"), ("Checksum (SHA-256)", d.checksum)]
    height = len(facts) * _line(BODY) + 0.2
    flow.band(top, height)
    flow.y += 0.1
    for label, value in facts:
        flow.text(LEFT + 0.12, label, BODY, y=flow.y, weight="bold")
        flow.text(LEFT + 1.75, value, BODY - (1 if label.startswith("Checksum") else 0),
                  **({"family": "monospace"} if label.startswith("Checksum") else {}))
    flow.y = top + height + 0.1
    flow.paragraph("The checksum ties this dossier to the shared workbook: it is the SHA-256 of the normalised inputs "
                   "and results that the workbook's Audit sheet records and partnerfit verify recomputes.",
                   8, color=MUTED)


def _programme(flow: _Pages, d: Dossier) -> None:
    p = d.programme
    flow.heading("1  Programme and recommended partner type")
    flow.table([Column("Programme", 0.3), Column("As entered", 0.7)],
               [(label, value or "(blank: unknown)") for label, value in p.facts])
    fit = ", ".join(f"{t} {s:.0f}" for t, s in p.fit)
    flow.paragraph(f"Recommended partner type: {p.partner_type}   (fit 0-100: {fit})", weight="bold")
    flow.paragraph(p.reason)


def _criteria(flow: _Pages, d: Dossier) -> None:
    flow.heading("2  Criteria and weights")
    flow.table([Column("Criterion", 0.27), Column("Weight share", 0.11, "right"),
                Column("Must-have minimum", 0.13, "right"), Column("Rationale", 0.49)],
               [(c.name, _percent(c.share), "" if c.must_have is None else f"{c.must_have:g}", c.rationale)
                for c in d.criteria])
    flow.subheading("Weights from pairwise comparisons (AHP)")
    if d.ahp is None:
        flow.not_recorded("Not used: the weights were entered directly.")
    else:
        a = d.ahp
        flow.paragraph(f"lambda max {a.lambda_max:.3f}, CI {a.ci:.3f}, CR {a.cr:.3f}: {a.note}",
                       weight="normal" if a.consistent else "bold")


def _ranking(flow: _Pages, d: Dossier) -> None:
    flow.heading("3  Vendor ranking")
    if d.scores_from:
        flow.paragraph(f"Scores from {d.scores_from}. Score = weighted mean over the criteria scored; coverage = "
                       "the share of the weight scored; only vendors with no failed must-have and enough coverage "
                       "are ranked.", 8.5, color=MUTED)
    flow.table([Column("Vendor", 0.34), Column("Score", 0.1, "right"), Column("Rank", 0.08, "right"),
                Column("Coverage", 0.11, "right"), Column("Status", 0.37)],
               [(v.vendor, _score(v.score), "" if v.rank is None else str(v.rank), _percent(v.coverage, 0), v.status)
                for v in d.vendors])
    scored = [v for v in d.vendors if v.score is not None]
    shown = scored[:CHART_ROWS]
    if not shown:
        return
    notes = ([f"the first {len(shown)} of {len(scored)} scored vendors"] if len(shown) < len(scored) else []) + \
        ([f"{len(d.vendors) - len(scored)} without a score"] if len(scored) < len(d.vendors) else [])
    def draw(ax) -> None:
        y = range(len(shown))
        ranked = [v.rank is not None for v in shown]
        ax.barh(y, [v.score for v in shown], color=[ACCENT if r else "#b8c2cc" for r in ranked], height=0.62)
        for k, v in enumerate(shown):
            label = _score(v.score) + ("" if v.rank is not None else f"   {v.status}")
            ax.text(v.score + 0.05, k, label, va="center", fontsize=7.5, color=INK if v.rank else MUTED,
                    parse_math=False)
        ax.set_yticks(list(y), [_short(v.vendor) for v in shown], fontsize=8, parse_math=False)
        ax.invert_yaxis()
        ax.set_xlim(0, 5)
        ax.set_xticks(range(6))
        ax.set_xlabel("Weighted score (1-5); grey: not ranked", fontsize=8, color=MUTED)
        ax.tick_params(length=0)
        ax.grid(axis="x", color=BAND)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    flow.chart("Scores" + (f" ({'; '.join(notes)})" if notes else ""), min(0.26 * len(shown) + 0.3, 8.5), draw)


def _short(name: str, limit: int = 30) -> str:
    from .cli import printable

    name = printable(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _robustness(flow: _Pages, d: Dossier) -> None:
    flow.heading("4  Robustness of the ranking")
    r = d.robustness
    if r is None:
        flow.not_recorded(NOT_RECORDED if any(v.rank is not None for v in d.vendors)
                          else "Not computed: no vendor is ranked.")
        return
    flow.paragraph(r.sentence, weight="bold")
    rows, ranks = min(len(r.vendors), HEAT_ROWS), min(len(r.vendors), HEAT_RANKS)
    shown = f" The chart shows the first {rows} of {len(r.vendors)} ranked vendors." if rows < len(r.vendors) else ""
    flow.paragraph(f"Rank acceptability: the share of random weightings in which each vendor takes each rank "
                   f"({r.method}).{shown}", 8.5, color=MUTED)

    def draw(ax) -> None:
        import numpy as np

        grid = np.array([row[:ranks] for row in r.acceptability[:rows]])
        ax.imshow(grid, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for (i, j), share in np.ndenumerate(grid):
            if share > 0:
                ax.text(j, i, "<1 %" if share < 0.005 else f"{100 * share:.0f} %", ha="center", va="center",
                        fontsize=7.5, color="white" if share > 0.55 else INK)
        ax.set_xticks(range(ranks), [f"Rank {k + 1}" for k in range(ranks)], fontsize=8)
        ax.set_yticks(range(rows), [_short(v) for v in r.vendors[:rows]], fontsize=8, parse_math=False)
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)

    flow.chart("Rank acceptability", min(0.32 * rows + 0.2, 7.0), draw, right=max(0.15, WIDTH - 1.9 - 0.75 * ranks),
               top=0.25)
    flow.subheading("Flip margins")
    flow.paragraph("For each criterion, the share of the weight (the others rescaled) at which another vendor "
                   "would lead.", 8.5, color=MUTED)
    flow.table([Column("Criterion", 0.36), Column("Weight share now", 0.16, "right"),
                Column("Leader changes at", 0.18, "right"), Column("New leader", 0.30)],
               [(f.criterion, _percent(f.weight), _percent(f.new_weight) if f.new_weight is not None else "never",
                 f.new_leader or "") for f in r.flips])


def _team(flow: _Pages, d: Dossier) -> None:
    flow.heading("5  Team disagreements and agreed scores")
    if d.disagreements is None:
        flow.not_recorded()
    elif not d.disagreements:
        flow.paragraph("No disagreement of 2 points or more between evaluators.")
    else:
        flow.paragraph("Vendor and criterion scores on which the evaluators' highest and lowest scores differ by "
                       "2 points or more. Agreed: the score the team agreed after discussion (a dash: none "
                       "recorded).", 8.5, color=MUTED)
        flow.table([Column("Vendor", 0.19), Column("Criterion", 0.19), Column("Spread", 0.09, "right"),
                    Column("Evaluators", 0.13, "right"), Column("Consensus", 0.13, "right"),
                    Column("Agreed", 0.1, "right"), Column("Reason", 0.17)],
                   [(x.vendor, x.criterion, f"{x.spread:g}", str(x.evaluators), _score(x.consensus),
                     "–" if x.agreed is None else f"{x.agreed:g}", x.reason) for x in d.disagreements])


def _due_diligence(flow: _Pages, d: Dossier) -> None:
    flow.heading("6  Due diligence, knock-outs and overrides")
    if d.due_diligence is None:
        flow.not_recorded()
        return
    flow.paragraph("Suggested score: the Regulatory track record score that the inspection and audit history "
                   "suggests (none when nothing was checked).", 8.5, color=MUTED)
    flow.table([Column("Vendor", 0.24), Column("Suggested score", 0.09, "right"), Column("Knock-out cause", 0.26),
                Column("Override and reason", 0.19), Column("Not checked", 0.22)],
               [(x.vendor, _score(x.suggested, 0) or "none", x.cause or "none",
                 "no" if x.override_reason is None else f"yes: {x.override_reason}", x.not_checked or "")
                for x in d.due_diligence])


def _tiers(flow: _Pages, d: Dossier) -> None:
    flow.heading("7  Risk tier and qualification plan")
    if d.tiers is None:
        flow.not_recorded()
        return
    flow.table([Column("Vendor", 0.3), Column("Tier", 0.07, "right"), Column("Qualification activity", 0.22),
                Column("Re-evaluate every", 0.15, "right"), Column("Next review", 0.26)],
               [(x.vendor, str(x.tier), x.activity, f"{x.interval_years} year{'s' * (x.interval_years != 1)}",
                 x.review) for x in d.tiers])


def _approvals(flow: _Pages, d: Dossier) -> None:
    flow.heading("8  Approvals and declarations of interest")
    if d.approval:
        flow.paragraph(f"Status: {d.approval} (every required role: Procurement, Quality Assurance, Technical/CMC, "
                       "and Clinical operations for a CRO, approves with its name and date).", 8.5, color=MUTED)
    flow.subheading("Approvals")
    if d.approvals is None:
        flow.not_recorded()
    else:
        flow.table([Column("Role", 0.18), Column("Name", 0.2), Column("Decision", 0.14), Column("Date", 0.12),
                    Column("Meaning of the signature", 0.36)],
                   [(a.role, a.name, a.decision, a.date, a.meaning) for a in d.approvals])
    flow.subheading("Declarations of interest")
    if d.declarations is None:
        flow.not_recorded()
    else:
        flow.table([Column("Evaluator", 0.26), Column("Interest", 0.14), Column("Statement", 0.6)],
                   [(x.evaluator, x.interest, x.text) for x in d.declarations])


def _integrity(flow: _Pages, d: Dossier) -> None:
    flow.heading("9  Integrity")
    flow.paragraph(f"Source workbook: {d.source}")
    flow.paragraph("SHA-256 of its normalised inputs and results:")
    flow.paragraph(d.checksum, family="monospace")
    flow.paragraph("Compare this checksum with the Audit sheet of the shared workbook; \"partnerfit verify\" "
                   "recomputes it from the workbook's own inputs. The checksum detects later edits; it is not a "
                   "signature.", 8.5, color=MUTED)
