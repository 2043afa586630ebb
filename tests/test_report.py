"""The selection dossier: the PDF holds every section as selectable text (read back with poppler's
pdftotext), page by page, with the checksum and page N of M on every page; a missing section
says so; long tables continue on the next pages; the write is atomic; and the builder fills the
model from a scored workbook as the engine computed it."""

import datetime as dt
import math
import re
import subprocess
from collections import defaultdict
from dataclasses import replace

import pytest

from partnerfit.cells import score_value
from partnerfit.errors import PartnerfitError
from partnerfit.report import (
    NOT_RECORDED,
    AHPSummary,
    Approval,
    CriterionRow,
    Declaration,
    Disagreement,
    Dossier,
    DueDiligenceRow,
    FlipRow,
    Programme,
    Robustness,
    TierRow,
    VendorRow,
    dossier_from_results,
    write_dossier,
)
from partnerfit.workbook.check import score_inputs
from partnerfit.workbook.reader import Source, read_inputs
from partnerfit.workbook.results import computed_values
from partnerfit.workbook.template import build_workbook
from partnerfit.workbook.writer import write_workbook
from template_cases import team_ahp_filling

CHECKSUM = "f915c7d440938f7c803ff196050686fdd1a87b25406df79a706561c9904c6db8"
GENERATED = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.timezone.utc)
VENDORS = (
    VendorRow("Garnet BioWorks", 4.4375, 1, 0.96, "Eligible"),
    VendorRow("Alder Biologics", 4.3, 2, 1.0, "Eligible"),
    VendorRow("Elmstead Manufacturing", 3.22, None, 1.0, "Knocked out: warning letter 2025-03-14"),
    VendorRow("Hollis Development", 3.74, None, 0.39, "Incomplete"),
)


def minimal() -> Dossier:
    return Dossier(
        Programme((("Stage", "Preclinical"), ("Need", "development + manufacturing"), ("Process", "")), "CDMO",
                  (("CRO", 0.0), ("CMO", 27.0), ("CDMO", 86.0)), "CDMO: CDMO fits 86 against CMO's 27."),
        (CriterionRow("Quality systems", 0.6, 3.0, "GMP from the first clinical batch."),
         CriterionRow("Cost", 0.4, None, "Early programmes buy expertise rather than volume.")),
        VENDORS, CHECKSUM, "evaluation.xlsx", GENERATED, version="9.9.9")


def full() -> Dossier:
    return replace(
        minimal(),
        scores_from="the evaluators' consensus (median)",
        ahp=AHPSummary(4.118, 0.039, 0.044, True, "consistent: CR 0.044 is at most 0.10"),
        robustness=Robustness(
            "Garnet BioWorks leads in 81 % of weightings.", ("Garnet BioWorks", "Alder Biologics"),
            ((0.81, 0.19), (0.19, 0.81)),
            (FlipRow("Quality systems", 0.6, 0.45, "Alder Biologics"), FlipRow("Cost", 0.4, None, None)),
            "factors from [0.8, 1.2], 10,000 draws, seed 0"),
        disagreements=(Disagreement("Garnet BioWorks", "Cost", 3.0, 4, 3.5, 4.0, "quote clarified on 2026-11-20"),),
        due_diligence=(
            DueDiligenceRow("Garnet BioWorks", 5.0, "", None, ""),
            DueDiligenceRow("Elmstead Manufacturing", 1.0, "warning letter 2025-03-14", None, "audit"),
            DueDiligenceRow("Alder Biologics", 1.0, "OAI inspection 2025-06-01", "single source", ""),
        ),
        tiers=(TierRow("Garnet BioWorks", 1, "on-site audit", 1, "due 2027-03-14"),
               TierRow("Alder Biologics", 2, "remote audit", 2, "never audited: due now")),
        approvals=(Approval("Head of Quality", "Dr. Ines Ward", "Approved", "2026-12-01",
                            "approves Garnet BioWorks as CDMO for programme PX-12"),),
        declarations=(Declaration("Ann Lee", "None", "no interest in any vendor"),
                      Declaration("Acme $x^2$ \x1b[2J Bio", "None", "a name as a workbook may hold it"),
                      Declaration("Bob Ray", "Declared", "former employee of Alder Biologics (until 2022)")),
    )


def pages(path) -> list[str]:
    """The text of each page, as pdftotext -layout reads it."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def full_pages(tmp_path_factory) -> list[str]:
    path = tmp_path_factory.mktemp("report") / "dossier.pdf"
    assert write_dossier(full(), path) == path
    return pages(path)


def test_every_page_carries_the_checksum_and_page_n_of_m(full_pages):
    count = len(full_pages)
    assert count >= 2
    for n, page in enumerate(full_pages, start=1):
        footer = squeeze(page)
        assert f"Checksum (SHA-256): {CHECKSUM}" in footer
        assert f"Page {n} of {count}" in footer
        assert "evaluation.xlsx" in footer and "generated 2026-12-02 20:00 UTC" in footer and "partnerfit 9.9.9" in footer


def test_every_section_in_order_with_its_content(full_pages):
    text = squeeze(" ".join(full_pages))
    headings = ["Partner selection dossier", "1 Programme and recommended partner type", "2 Criteria and weights",
                "Weights from pairwise comparisons (AHP)", "3 Vendor ranking", "4 Robustness of the ranking",
                "Flip margins", "5 Team disagreements and agreed scores", "6 Due diligence, knock-outs and overrides",
                "7 Risk tier and qualification plan", "8 Approvals and declarations of interest", "9 Integrity"]
    where = [text.index(h) for h in headings]
    assert where == sorted(where)
    assert NOT_RECORDED not in text
    first = squeeze(full_pages[0])
    assert "Recommended partner type: CDMO" in first and "Leading vendor: Garnet BioWorks" in first
    assert "Preclinical" in first and "(blank: unknown)" in first  # the blank process is shown as such
    assert "fit 0-100: CRO 0, CMO 27, CDMO 86" in text
    assert "Quality systems 60.0 % 3 GMP from the first clinical batch." in text
    assert "Cost 40.0 % Early programmes" in text
    assert "lambda max 4.118, CI 0.039, CR 0.044: consistent: CR 0.044 is at most 0.10" in text
    for row in ("Garnet BioWorks 4.44 1 96 % Eligible", "Alder Biologics 4.30 2 100 % Eligible",
                "Elmstead Manufacturing 3.22 100 % Knocked out: warning letter 2025-03-14",
                "Hollis Development 3.74 39 % Incomplete"):
        assert row in text
    assert "Garnet BioWorks leads in 81 % of weightings." in text
    assert "81 %" in text and "19 %" in text and "Rank 1" in text and "Rank 2" in text  # the heat map's cells
    assert "Quality systems 60.0 % 45.0 % Alder Biologics" in text and "Cost 40.0 % never" in text
    assert "Garnet BioWorks Cost 3 4 3.50 4 quote clarified" in text
    assert "Elmstead Manufacturing 1 warning letter 2025-03-14 no audit" in text
    assert "Alder Biologics 1 OAI inspection 2025-06-01 yes: single source" in text
    assert "Garnet BioWorks 5 none no" in text
    assert "Garnet BioWorks 1 on-site audit 1 year due 2027-03-14" in text
    assert "Alder Biologics 2 remote audit 2 years never audited: due now" in text
    assert "Head of Quality Dr. Ines Ward Approved 2026-12-01 approves Garnet BioWorks as CDMO" in text
    assert "Ann Lee None no interest in any vendor" in text
    assert "Bob Ray Declared former employee of Alder Biologics (until 2022)" in text


def test_a_dossier_with_only_the_required_sections_says_what_is_missing(tmp_path):
    path = write_dossier(minimal(), tmp_path / "minimal.pdf")
    text = squeeze(" ".join(pages(path)))
    for section, following in (("5 Team disagreements", "6 Due diligence"), ("6 Due diligence", "7 Risk tier"),
                               ("7 Risk tier", "8 Approvals"), ("Approvals", "Declarations of interest"),
                               ("Declarations of interest", "9 Integrity")):
        body = text[text.index(section):text.index(following, text.index(section))]
        assert NOT_RECORDED in body, section
    assert text.count(NOT_RECORDED) == 6  # the five above and the robustness
    unranked = [replace(v, rank=None, status="Incomplete") for v in VENDORS]
    alone = squeeze(" ".join(pages(write_dossier(replace(minimal(), vendors=unranked), tmp_path / "none.pdf"))))
    assert "Not computed: no vendor is ranked." in alone and alone.count(NOT_RECORDED) == 5
    assert "Not used: the weights were entered directly." in text
    assert "Garnet BioWorks 4.44 1 96 % Eligible" in text


def test_long_tables_continue_on_the_next_pages_under_their_header(tmp_path):
    many = tuple(Declaration(f"Evaluator {k:03d}", "None", "no interest") for k in range(1, 151))
    words = " ".join(f"w{k:04d}" for k in range(1, 1201))  # one cell taller than a page
    dossier = replace(minimal(), declarations=many,
                      criteria=(CriterionRow("Quality systems", 1.0, None, words),))
    found = pages(write_dossier(dossier, tmp_path / "long.pdf"))
    text = squeeze(" ".join(found))
    assert re.findall(r"w\d{4}", text) == words.split()  # every word once, in order, across pages
    holding = [page for page in found if "Evaluator 0" in page or "Evaluator 1" in page]
    assert len(holding) >= 3
    assert [int(k) for k in re.findall(r"Evaluator (\d{3})", text)] == list(range(1, 151))
    for page in holding[1:]:
        assert "Approvals and declarations of interest (continued)" in page
        assert re.search(r"Evaluator\s+Interest\s+Statement", page)  # the header again


def test_workbook_text_is_shown_as_typed_never_as_mathtext_or_control_codes(full_pages):
    assert "Acme $x^2$ \\x1b[2J Bio None a name as a workbook may hold it" in squeeze(" ".join(full_pages))


def test_the_write_is_atomic(tmp_path, monkeypatch):
    from matplotlib.backends.backend_pdf import PdfPages

    target = tmp_path / "dossier.pdf"
    calls = []

    def fail_on_the_second_page(self, figure=None, **kwargs):
        calls.append(figure)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return saved(self, figure, **kwargs)

    saved = PdfPages.savefig
    monkeypatch.setattr(PdfPages, "savefig", fail_on_the_second_page)
    with pytest.raises(OSError):
        write_dossier(full(), target)
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []  # no output, no temporary file left
    monkeypatch.undo()
    write_dossier(minimal(), target)
    with pytest.raises(PartnerfitError, match="already exists"):
        write_dossier(full(), target)
    before = target.read_bytes()
    write_dossier(replace(minimal(), version="9.9.10"), target, force=True)
    assert target.read_bytes() != before and [p.name for p in tmp_path.iterdir()] == ["dossier.pdf"]


# --------------------------------------------------------------------------- the builder


def test_builder_on_the_example_workbook(tmp_path):
    path = tmp_path / "example.xlsx"
    build_workbook(path, example=True)
    results = score_inputs(read_inputs(Source(path)))
    dossier = dossier_from_results(results, "example.xlsx", CHECKSUM, GENERATED)
    assert dossier.programme.partner_type == results.recommendation.partner_type == "CDMO"
    assert dict(dossier.programme.facts)["Stage"] == "Preclinical"
    assert [(v.vendor, v.status, v.rank) for v in dossier.vendors] == \
        [(v["vendor"], v["status"], v["rank"]) for v in results.vendor_table()]
    weights = [float(w) for w in results.inputs.weights]
    assert [c.share for c in dossier.criteria] == pytest.approx([w / sum(weights) for w in weights])
    track = next(c for c in dossier.criteria if c.name == "Regulatory track record")
    assert track.rationale == "CMC sections of our filings depend on them (CDMO profile: 12 %)."
    assert dossier.ahp is None and dossier.disagreements is None and dossier.due_diligence is None
    assert dossier.robustness.sentence == results.computation.values["Robustness_Summary"][0][0]  # the workbook's cell
    ranked = [v.vendor for v in dossier.vendors if v.rank is not None]
    assert list(dossier.robustness.vendors) == ranked
    assert all(math.isclose(sum(row), 1.0) for row in dossier.robustness.acceptability)  # no ties in the example
    assert [f.criterion for f in dossier.robustness.flips] == results.inputs.criteria
    assert (dossier.checksum, dossier.source, dossier.generated) == (CHECKSUM, "example.xlsx", GENERATED)


def test_builder_with_evaluators_and_ahp_weights(tmp_path):
    filling = team_ahp_filling()
    path = tmp_path / "team.xlsx"
    write_workbook(path, filling)
    results = score_inputs(read_inputs(Source(path)))
    dossier = dossier_from_results(results, "team.xlsx", CHECKSUM, GENERATED)
    cached = computed_values(filling)
    assert dossier.ahp.cr == pytest.approx(cached["AHP_CR"][0][0]) and dossier.ahp.consistent is False
    assert dossier.ahp.lambda_max == pytest.approx(cached["AHP_Lambda_Max"][0][0])
    row, column = cached["Calc_AHP_Worst"][0]  # 1-based, as the Weights (AHP) sheet names the pair to revisit
    assert dossier.ahp.note.endswith(f"({filling.criteria[row - 1]} vs {filling.criteria[column - 1]})")
    assert "median" in dossier.scores_from
    # Independently: every vendor and criterion whose scores span 2 points or more.
    scores = defaultdict(list)
    for grid in filling.grids:
        for vendor, row in zip(grid.vendors, grid.scores):
            for criterion, score in zip(filling.criteria, row):
                value = score_value(score)
                if vendor is not None and value is not None and not math.isnan(value):
                    scores[(" ".join(vendor.split()), criterion)].append(value)
    spans = {key: max(v) - min(v) for key, v in scores.items()}
    assert {(x.vendor, x.criterion): x.spread for x in dossier.disagreements} == \
        {key: span for key, span in spans.items() if span >= 2}
    assert all(x.agreed is None for x in dossier.disagreements)
    text = squeeze(" ".join(pages(write_dossier(dossier, tmp_path / "team.pdf"))))
    assert f"CR {dossier.ahp.cr:.3f}: {dossier.ahp.note}"[:60] in text and NOT_RECORDED in text


def test_matplotlib_is_imported_only_to_render():
    import sys

    code = "import sys, partnerfit.report, partnerfit.cli; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
