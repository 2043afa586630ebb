"""The `partnerfit` command line.

Each sub-command is a small function `cmd_<name>(args) -> exit code`, registered in `_parser`.
Exit codes: 0 success, 1 problems found or a file failed, 2 usage error. Expected failures
print one line on stderr (`partnerfit: ...`), never a traceback. Heavy imports stay inside the
commands so that `partnerfit --help` and `partnerfit new` start fast.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
from pathlib import Path

from . import __version__
from .errors import PartnerfitError

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (an escape sequence could drive the terminal) and bidi overrides (which
reorder what a line seems to say): shown as escapes when text from a workbook is printed."""


def printable(text) -> str:
    """Text from a workbook, safe to print on a terminal: `\x1b[2J` shows as is, not clearing it."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), str(text))


def format_table(header: list[str], rows: list[list], aligns: str = "") -> str:
    """A plain-text table with aligned columns (`aligns`: 'l' or 'r' per column)."""
    cells = [[str(h) for h in header]] + [["" if v is None else printable(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    aligns = aligns.ljust(len(header), "l")

    def line(row):
        return "  ".join(
            v.rjust(w) if a == "r" else v.ljust(w) for v, w, a in zip(row, widths, aligns)
        ).rstrip()

    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(r) for r in cells[1:]])


def vendor_rows(table: list[dict]) -> list[list]:
    """The engine's vendor table (`Results.vendor_table()`) as printable rows (an overridden
    knock-out shown as the Scores sheet shows it, `diligence.shown_status`)."""
    from .workbook.diligence import shown_status

    return [
        [
            row["vendor"],
            "" if row["score"] is None else f"{row['score']:.2f}",
            "" if row["rank"] is None else str(row["rank"]),
            f"{row['coverage']:.0%}",
            shown_status(row["status"], row.get("due_diligence")),
        ]
        for row in table
    ]


def print_results(recommendation, table: list[dict], out=None, notes: list[str] = (), why_none: str = "") -> None:
    """The recommendation (or `why_none` there is none), the vendor table and, below it, `notes`
    (e.g. the robustness sentence), on `out` (default: the current sys.stdout, which a worker of
    `_each` captures)."""
    out = out or sys.stdout
    if recommendation is None:
        print(f"Recommended partner type: none ({why_none} on the Program sheet)", file=out)
    else:
        scores = ", ".join(f"{k} {v}" for k, v in recommendation.scores.items())
        print(f"Recommended partner type: {recommendation.partner_type}  (fit: {scores})", file=out)
        print(recommendation.reason, file=out)
    print(file=out)
    print(format_table(["Vendor", "Score", "Rank", "Coverage", "Status"], vendor_rows(table), "lrrrl"), file=out)
    if notes:
        print(file=out)
    for note in notes:
        print(printable(note), file=out)


def result_notes(results) -> list[str]:
    """Lines under the vendor table: where the scores and weights come from, and how robust the
    ranking is to the weights (the workbook's Robustness cell)."""
    from .workbook.layout import NO_ELIGIBLE
    from .workbook.model import Code
    from .workbook.prices import price_notes

    lines = [f"Not scored: {problem}" for problem in results.inputs.unscored]
    team = results.inputs.team
    if team is not None:
        lines.append(f"Scores: the {team.method} of {team.rows} score cells in {sum(team.used)} evaluator "
                     "grids (the Evaluations sheet)")
    if results.inputs.uses_ahp:
        lines.append("Weights: from the pairwise comparisons on the Weights (AHP) sheet"
                     + (" per level (the groups, then the criteria within each group)"
                        if results.inputs.ahp_by_group else ""))
    elif results.inputs.weighs_by_group:
        lines.append("Weights: by group (each group's share x the criterion's share of its group; Criteria sheet)")
    sentence = results.computation.values["Robustness_Summary"][0][0]  # the workbook's Robustness cell
    if sentence != NO_ELIGIBLE:
        lines.append(f"Robustness (weights +/-20 %): {sentence}")
    price = results.price
    if price is not None:
        lines.append(f"Price: {price.criterion} scored from the quotes ({price.method}); "
                     f"{price.method_check.message}")
        lines += [f"Abnormally low quote: {note}" for note in price_notes(results.inputs)
                  if note.code is Code.ABNORMALLY_LOW]
    if results.approval is not None:
        lines.append(f"Approval: {results.approval}" + ("" if results.approval == "Approved" else
                                                         " (until every required role approves on the Approvals sheet)"))
    return lines


def cmd_demo(args) -> int:
    """Run the bundled example: print the recommendation and the ranked vendors, and write the
    scored copy (example_scored.xlsx) and the procurement copy (example_shared.xlsx) to the
    current folder, replacing earlier demo outputs."""
    import tempfile

    from .example import EXAMPLE as e
    from .workbook.template import build_workbook

    print(f"Example programme: {e.stage}, {e.need}, process {e.process}, "
          f"CMC experience {e.cmc_experience}, {e.modality}\n")
    with tempfile.TemporaryDirectory() as folder:
        example = Path(folder) / "example_evaluation.xlsx"
        build_workbook(example, example=True)
        status = _score_one(example, Path(args.out_dir) / "example_scored.xlsx", as_json=False, force=True)
        shared = Path(args.out_dir) / "example_shared.xlsx"
        _share_one(example, shared, force=True)
    return status


def cmd_new(args) -> int:
    """Create an evaluation workbook: blank with the partner type's default weights, or the example."""

    if "numpy" not in sys.modules:
        # The workbook's matrices are criteria x criteria: OpenBLAS's thread pool, started as numpy
        # loads, costs more (up to 50 ms on two busy cores) than it could save; a user's setting is kept.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from .workbook.layout import NEW_GRID_ROWS
    from .workbook.template import build_workbook
    from .xlsx import write_atomically

    path = Path(args.path)
    if path.suffix.lower() != ".xlsx":
        print(f"partnerfit: {path.name} must end in .xlsx (to import the Excel functions, "
              "save it as .xlsm in Excel, see its Start sheet)", file=sys.stderr)
        return 2
    if args.example and args.type not in (None, "CDMO"):
        print("partnerfit: the example is a CDMO evaluation; leave out --type", file=sys.stderr)
        return 2
    if args.vendors * args.evaluators > NEW_GRID_ROWS:
        print(f"partnerfit: {args.vendors} vendor rows in {args.evaluators} evaluator grids are "
              f"{args.vendors * args.evaluators:,} grid rows, more than the {NEW_GRID_ROWS:,} a workbook partnerfit "
              "reads back can hold; give fewer --vendors or --evaluators", file=sys.stderr)
        return 2
    partner_type = args.type or "CDMO"
    write_atomically(
        path, lambda temp: build_workbook(temp, partner_type, args.vendors, args.example, args.evaluators),
        force=args.force
    )
    what = "example" if args.example else f"blank {partner_type}"
    print(f"Wrote {path}: {what} evaluation workbook with room for {args.vendors} vendors")
    return 0


class Progress:
    """A one-line progress bar on a terminal's stderr (silent elsewhere)."""

    def __init__(self, total: int):
        self.total, self.on = total, total > 1 and sys.stderr.isatty()

    def show(self, done: int, label: str) -> None:
        if self.on:
            filled = int(30 * done / self.total)
            print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{self.total} {label[:40]:<40}",
                  end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.on:
            print("\r" + " " * 80 + "\r", end="", file=sys.stderr, flush=True)


def _attempt(work, path) -> tuple[int, str | None]:
    """`work(path)`'s exit code, or 0 and the one-line reason it failed: one bad file must not stop
    the batch."""
    try:
        return work(path), None
    except PartnerfitError as error:
        return 0, str(error)
    except BrokenPipeError:
        raise  # the reader of our output went away: stop quietly (see main)
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
        return 0, f"unexpected {type(error).__name__}: {str(error)[:200]} (please report it)"


def _captured(work, path) -> tuple[int, str | None, str, str]:
    """`_attempt` in a worker process, with what it printed on stdout and stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code, failure = _attempt(work, path)
    return code, failure, out.getvalue(), err.getvalue()


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the main process says "interrupted", the workers
    finish their file (no partial output) without a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcomes(paths: list[str], work, jobs: int, progress: Progress):
    """(path, exit code, failure) of `work(path)` for each path, in input order, with each file's output
    printed as its outcome is yielded: on `jobs` worker processes (`work` must pickle), or in this
    process when there is one job or one file."""
    if jobs == 1 or len(paths) == 1:
        for done, path in enumerate(paths):
            progress.show(done, path)
            yield path, *_attempt(work, path)
        return
    from concurrent.futures import ProcessPoolExecutor

    if "numpy" not in sys.modules:  # the workers are the parallelism: one BLAS thread each (a user's setting kept)
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Imported once here: workers forked from this process start with them (where fork is the
    # start method), instead of each importing them again.
    import pandas  # noqa: F401 - the due-diligence checks of a workbook holding any (0.3 s in each worker)
    import python_calamine  # noqa: F401

    from .workbook import share  # noqa: F401 - reads, checks, scores and writes workbooks

    pool = ProcessPoolExecutor(min(jobs, len(paths)), initializer=_quiet_worker)
    try:
        futures = [pool.submit(_captured, work, path) for path in paths]
        for done, (path, future) in enumerate(zip(paths, futures)):
            progress.show(done, path)
            code, failure, out, err = future.result()
            sys.stdout.write(out)
            sys.stdout.flush()
            sys.stderr.write(err)
            yield path, code, failure
    except BaseException:  # Ctrl-C, a closed pipe: drop the files not started, do not wait for them
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _each(paths: list[str], work, jobs: int = 1) -> int:
    """Run `work(path) -> exit code` on every file, on `jobs` processes; one failure never stops
    the others, and the output comes in input order whatever the number of jobs."""
    failures: list[tuple[str, str]] = []
    worst = 0
    progress = Progress(len(paths))
    for path, code, failure in _outcomes(paths, work, jobs, progress):
        worst = max(worst, code)
        if failure is not None:
            failures.append((path, failure))
    progress.close()
    for path, message in failures:
        message = _one_line(message)
        print(f"partnerfit: {message}" if path in message else f"partnerfit: {path}: {message}", file=sys.stderr)
    if len(paths) > 1:
        print(f"{len(paths) - len(failures)} of {len(paths)} files done"
              + (f", {len(failures)} failed: " + ", ".join(p for p, _ in failures) if failures else ""),
              file=sys.stderr)
    return 1 if failures else worst


def _note(warnings: list[str], path) -> None:
    for warning in warnings:
        print(f"partnerfit: note: {path}: {warning}", file=sys.stderr)


def cmd_check(args) -> int:
    """List every problem in filled evaluation workbooks, one line each: sheet!cell, the value found
    and the fix; then notes (evaluators who disagree by 2 points or more, inconsistent AHP
    judgements), which are not problems. Exit 0 when clean, 1 when problems were found."""
    return _each(args.paths, functools.partial(_check_one, len(args.paths) > 1), _jobs_for(args))


def _check_one(several: bool, path) -> int:
    from .workbook.check import check, notes
    from .workbook.reader import Source, read_inputs

    inputs = read_inputs(Source(path))
    problems = check(inputs)
    prefix = f"{path}: " if several else ""
    for problem in problems:
        print(printable(f"{prefix}{problem}"))
    for note in notes(inputs):
        print(printable(f"{prefix}{note.cell}: note: {note.message}"))
    if not problems:
        print(f"{prefix or path + ': '}no problems found")
    return 1 if problems else 0


def _jobs_for(args) -> int:
    """--jobs, or every core this process may use."""
    if args.jobs is not None:
        return args.jobs
    count = getattr(os, "process_cpu_count", os.cpu_count)()  # process_cpu_count: Python 3.13+
    return count or 1


def _output_for(path, args):

    source = Path(path)
    if args.in_place:
        return source
    if args.output:
        return Path(args.output)
    if args.out_dir:
        return Path(args.out_dir) / f"{source.stem}_scored{source.suffix}"
    return None


def _score_one(path, target, as_json: bool, force: bool = False, in_place: bool = False, out=None,
               brief: bool = False) -> int:
    """Score one workbook, print its results, and write the scored copy to `target` if given;
    `brief`: one line (file, leader, vendors, copy) instead of the whole table."""
    import json

    from .workbook.check import score_inputs
    from .workbook.reader import Source, read_inputs
    from .workbook.share import write_results
    from .xlsx import write_atomically

    source = Source(path)
    results = score_inputs(read_inputs(source))
    if as_json:
        print(json.dumps(results.as_json() if out is None else {"file": str(path), **results.as_json()}),
              file=sys.stdout)
    elif not brief:
        if out is not None:
            print(f"== {path}")
        print_results(results.recommendation, results.vendor_table(), notes=result_notes(results),
                      why_none=results.programme_message)
    if target is not None:
        target = Path(target)
        if not in_place and target.exists() and target.resolve() == source.path.resolve():
            raise PartnerfitError(f"{target} is the input file; choose another output or use --in-place")
        if in_place:
            _backup(source.path)
        warnings: list[str] = []
        computed = results.computation.values  # the cells of the results printed
        write_atomically(target, lambda temp: warnings.extend(write_results(source, temp, computed, keep_formulas=True)),
                         force=force or in_place)
        _note(warnings, target)
        if brief and not as_json:
            print(printable(f"{path}: {_leader(results.vendor_table())}, {len(results.vendor_table())} vendors"
                            f" -> {target}"))
        else:
            print(f"Wrote {target}", file=sys.stderr if as_json else sys.stdout)
    return 0


def _leader(table: list[dict]) -> str:
    """'leader Garnet BioWorks 4.44', 'leaders A, B 4.10' (a tie), or 'no qualified vendor'."""
    first = [row for row in table if row["rank"] == 1]
    if not first:
        return "no qualified vendor"
    names = ", ".join(row["vendor"] for row in first)
    return f"leader{'s' if len(first) > 1 else ''} {names} {first[0]['score']:.2f}"


def _backup(path) -> None:
    import datetime as dt
    import shutil

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, backup)
    print(f"Kept a backup of the input in {backup}", file=sys.stderr)


def cmd_score(args) -> int:
    """Score filled evaluation workbooks without Excel: print the recommendation and the ranked
    vendors, and with -o/--out-dir/--in-place write a copy whose result cells are filled in."""
    if len(args.paths) > 1 and args.output:
        print("partnerfit: -o names one output; with several inputs use --out-dir", file=sys.stderr)
        return 2
    if args.in_place and (args.output or args.out_dir):
        print("partnerfit: --in-place writes into the input; leave out -o and --out-dir", file=sys.stderr)
        return 2
    if args.out_dir:  # made once, before any work: a folder that cannot be made fails no file
        try:
            Path(args.out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            print(f"partnerfit: --out-dir {args.out_dir}: cannot make the folder ({error.strerror or error}); "
                  "choose another folder", file=sys.stderr)
            return 2
    return _each(args.paths, functools.partial(_score_path, args), _jobs_for(args))


def _score_path(args, path) -> int:
    """`_score_one` for `score`'s arguments: with several inputs, --json prints one object per line,
    each with its "file", and copies (--out-dir, --in-place) one line per file."""
    several = len(args.paths) > 1
    target = _output_for(path, args)
    return _score_one(path, target, args.as_json, args.force, args.in_place, out=True if several else None,
                      brief=several and target is not None)


def _share_one(path, target, force: bool, technical: bool = False) -> None:

    from .workbook.reader import Source
    from .workbook.share import write_shared, write_technical
    from .xlsx import write_atomically

    source = Source(path)
    target = Path(target)
    wanted = ".xlsm" if source.package.macro_enabled else ".xlsx"
    if target.suffix.lower() != wanted:
        raise PartnerfitError(f"{target.name}: the copy of {source.path.name} must end in {wanted}")
    warnings: list[str] = []
    write = write_technical if technical else write_shared
    write_atomically(target, lambda temp: warnings.extend(write(source, temp)[1]), force=force)
    _note(warnings, target)
    print(f"Wrote {target}: static values, inputs locked, Audit sheet with checksum"
          + ("; no prices (for the technical evaluators)" if technical else ""))


def cmd_share(args) -> int:
    """Make the copy for procurement: every value visible without Python or recalculation,
    inputs locked, the xlwings settings removed, and an Audit sheet with a SHA-256 checksum."""
    _share_one(args.path, args.output, args.force, args.technical)
    return 0


def cmd_verify(args) -> int:
    """Recompute a shared copy from its own inputs; exit 0 if results and checksum still match,
    1 and the altered cells if not."""
    from .workbook.reader import Source
    from .workbook.share import verify

    verdict = verify(Source(args.path))
    if verdict.ok:
        print(f"{args.path}: OK, the results and the checksum match its inputs")
        return 0
    for line in verdict.lines:
        print(line)
    print(f"{args.path}: {len(verdict.lines)} value(s) no longer match", file=sys.stderr)
    return 1


def cmd_report(args) -> int:
    """Write the selection dossier of an evaluation workbook as a PDF: the programme, the criteria
    and their rationale, the ranking, robustness, the team's disagreements and the checksum on
    every page. From a shared copy the dossier carries its Audit checksum (refused when the copy
    was edited after sharing); from a working workbook, the checksum a shared copy would show."""
    from dataclasses import replace

    from .report import TierRow, dossier_from_results, write_dossier
    from .workbook.check import score_inputs
    from .workbook.diligence import schedule
    from .workbook.reader import Source
    from .workbook.share import CHECKSUM_NAME, RESULT_NAMES, checksum, dated_inputs

    source = Source(args.path)
    inputs, _ = dated_inputs(source)  # a working workbook: as its shared copy will record it
    results = score_inputs(inputs)
    if source.has(CHECKSUM_NAME):
        digest = checksum(results, {name: source.block(name) for name in RESULT_NAMES if source.has(name)})
        stored = source.block(CHECKSUM_NAME)[0][0]
        if stored != digest:
            raise PartnerfitError(f"{args.path}: its checksum no longer matches its inputs and results (edited after "
                                  "sharing, see partnerfit verify); make the dossier from the original workbook")
    else:
        digest = checksum(results, results.computation.native)
    dossier = dossier_from_results(results, source.path.name, digest)
    plan = schedule(results.inputs)
    if plan is not None:  # the tier and next review of each vendor
        dossier = replace(dossier, tiers=tuple(TierRow(str(v), int(r.tier), r.activity, int(r.interval_years), r.review)
                                               for v, r in zip(plan.index, plan.itertuples())))
    written = write_dossier(dossier, args.output, force=args.force)
    print(f"Wrote {written}: selection dossier of {source.path.name}, SHA-256 {digest}")
    return 0


def _workbooks(places: list[str]) -> list[str]:
    """The evaluation workbooks in each folder (not its sub-folders; Excel's ~$ lock files left
    out), and any file named as it is; a name that is neither is refused."""
    found = []
    for place in map(Path, places):
        if place.is_dir():
            found += sorted(str(p) for p in place.iterdir()
                            if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$"))
        elif place.is_file():
            found.append(str(place))
        else:
            raise PartnerfitError(f"{place}: no such file or folder; name a folder of evaluation workbooks")
    return found


def cmd_due(args) -> int:
    """List the vendors whose re-evaluation falls due by a date (default: today) across folders of
    evaluation workbooks, soonest first: the file, the vendor, its risk tier and qualification
    activity, and the next review (from the last audit date and the tier's interval)."""
    import json

    from .due_diligence import reviews_due
    from .workbook.diligence import schedule
    from .workbook.reader import Source, read_inputs

    rows = []

    def one(path):
        source = Source(path)
        plan = schedule(read_inputs(source))
        if plan is None:
            print(f"partnerfit: note: {path}: no due-diligence columns (made by an older partnerfit); skipped",
                  file=sys.stderr)
            return 0
        due = reviews_due(plan, args.by)
        rows.extend({"file": str(path), "vendor": str(vendor), "tier": int(row.tier), "activity": row.activity,
                     "next_review": row.next_review.date().isoformat(), "review": row.review}
                    for vendor, row in zip(due.index, due.itertuples()))
        return 0

    status = _each(_workbooks(args.folders), one)
    rows.sort(key=lambda r: r["next_review"])  # stable: within a day, in file and table order
    if args.as_json:
        print(json.dumps(rows))
    elif rows:
        print(format_table(["Next review", "Vendor", "Tier", "Activity", "File"],
                           [[r["review"], r["vendor"], r["tier"], r["activity"], r["file"]] for r in rows], "llrll"))
    else:
        print("No review falls due" + (f" by {args.by}" if args.by else " by today"))
    return status


def _day(text: str) -> str:
    """A date typed on the command line, YYYY-MM-DD."""
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    return text
def cmd_pack(args) -> int:
    """Write one pack per evaluator: an ordinary evaluation workbook holding the programme, the
    criteria with their guides and the vendors (locked), with empty score and evidence cells;
    never another evaluator's scores, never prices."""
    from .workbook.prices import criterion_at
    from .workbook.reader import Source, filling
    from .workbook.team import evaluators_list, pack_filling, pack_name, priced_criterion
    from .workbook.writer import write_workbook
    from .xlsx import write_atomically

    evaluators = evaluators_list(args.evaluators)
    source = Source(args.path)
    evaluation = filling(source)
    price = criterion_at(evaluation.prices.criterion, evaluation.criteria) if source.has("Prices") else 0
    if price and priced_criterion(evaluation) < 0:  # the quotes will score it, but none is typed yet
        name = printable(str(evaluation.criteria[price - 1]))
        print(f"partnerfit: no quote is typed on the Prices sheet yet, so the packs ask the evaluators to score "
              f"{name}; to keep {name} for procurement, type the quotes before making the packs", file=sys.stderr)
    folder = Path(args.out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PartnerfitError(f"--out-dir {folder}: cannot make the folder ({error.strerror or error}); "
                              "choose another folder") from None
    for evaluator in evaluators:
        pack = pack_filling(evaluation, evaluator)
        target = folder / pack_name(Path(args.path), evaluator)
        write_atomically(target, lambda temp, pack=pack: write_workbook(temp, pack), force=args.force)
        print(f"Wrote {target}: the pack of {printable(evaluator)}")
    return 0


def cmd_merge(args) -> int:
    """Bring returned packs into the evaluation, each as its evaluator's scores and evidence, with a
    record of the evaluator, the file's SHA-256 and the time; the input is never modified except
    with --in-place, which keeps a backup first."""
    from .workbook.reader import Source, filling
    from .workbook.team import grids_from_rows, merge, read_pack
    from .workbook.writer import write_workbook
    from .xlsx import write_atomically

    if bool(args.output) == bool(args.in_place):
        print("partnerfit: give -o OUT or --in-place (with a backup of the input)", file=sys.stderr)
        return 2
    source = Source(args.path)
    target = source.path if args.in_place else Path(args.output)
    if not args.in_place and target.exists() and target.resolve() == source.path.resolve():
        raise PartnerfitError(f"{target} is the input file; choose another output or use --in-place")
    if target.suffix.lower() != ".xlsx":
        raise PartnerfitError(f"{target.name}: merge writes an .xlsx workbook; name the output .xlsx")
    refused, packs = [], []
    for path in args.packs:
        try:
            packs.append(read_pack(path))
        except PartnerfitError as error:
            refused.append(_one_line(error))
    evaluation = filling(source)
    carried_over = bool(evaluation.evaluations)
    if carried_over:  # version 0.1's Evaluations table: carried into one grid per evaluator
        evaluation, lines = grids_from_rows(evaluation, source.area("Eval_Vendors").top - 1)
        refused += lines
    result = merge(evaluation, packs, replace_evaluator=args.replace)
    for line in (*result.empty, *result.ignored):
        print(f"partnerfit: {printable(line)}", file=sys.stderr)
    refused += result.refused
    if refused:
        for line in refused:
            print(f"partnerfit: {printable(line)}", file=sys.stderr)
        print(f"partnerfit: nothing merged ({len(refused)} problem(s) above)", file=sys.stderr)
        return 1
    if args.in_place:
        _backup(source.path)
    write_atomically(target, lambda temp: write_workbook(temp, result.filling), force=args.force or args.in_place)
    merged = len(packs) - len(result.empty)
    carried = f"; the Evaluations table carried into {len(evaluation.grids)} evaluator grid(s)" if carried_over else ""
    print(f"Wrote {target}: {merged} pack(s) merged{carried}")
    return 0


def _vendor_rows(text: str) -> int:
    from .workbook.layout import NEW_CAPACITY

    if not text.isdigit() or not 1 <= int(text) <= NEW_CAPACITY:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {NEW_CAPACITY}")
    return int(text)


def _job_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more (the files processed "
                                         "at once; 1 processes them one by one)")
    return int(text)


def _evaluators(text: str) -> int:
    from .workbook.layout import MAX_EVALUATORS

    if not text.isdigit() or not 1 <= int(text) <= MAX_EVALUATORS:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {MAX_EVALUATORS}")
    return int(text)


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error on one line (exit 2), not the whole usage block."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {_one_line(message)} (see {self.prog} --help)\n")


JOBS_HELP = "files processed at once (default: one per core; 1: one by one)"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="partnerfit",
        description="Choose biopharma outsourcing partners (CRO, CMO, CDMO) and score vendors.",
        epilog="Example: partnerfit demo",
    )
    parser.add_argument("--version", action="version", version=f"partnerfit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    demo = commands.add_parser(
        "demo", help="run the bundled example", description=cmd_demo.__doc__,
        epilog="Example: partnerfit demo",
    )
    demo.set_defaults(run=cmd_demo)
    new = commands.add_parser(
        "new", help="create an evaluation workbook", description=cmd_new.__doc__,
        epilog="Examples: partnerfit new evaluation.xlsx --type CMO; partnerfit new example.xlsx --example",
    )
    new.add_argument("path", metavar="PATH", help="the .xlsx file to create")
    new.add_argument("--type", type=str.upper, choices=["CRO", "CMO", "CDMO"],
                     help="partner type whose criteria and default weights to use (default CDMO)")
    new.add_argument("--vendors", type=_vendor_rows, default=50, metavar="N",
                     help="rows for vendors (default 50)")
    new.add_argument("--evaluators", type=_evaluators, default=5, metavar="N",
                     help="evaluator grids on the Evaluations sheet (default 5)")
    new.add_argument("--example", action="store_true", help="fill in the bundled CDMO example")
    new.add_argument("--force", action="store_true", help="replace PATH if it exists")
    new.set_defaults(run=cmd_new)
    demo.add_argument("--out-dir", default=".", metavar="DIR", help="where to write the copies (default: here)")

    check = commands.add_parser(
        "check", help="list every problem in filled workbooks", description=cmd_check.__doc__,
        epilog="Example: partnerfit check evaluation.xlsx other.xlsx",
    )
    check.add_argument("paths", nargs="+", metavar="IN", help="filled evaluation workbooks")
    check.add_argument("--jobs", type=_job_count, metavar="N", help=JOBS_HELP)
    check.set_defaults(run=cmd_check)

    score = commands.add_parser(
        "score", help="score filled workbooks and write copies with the results",
        description=cmd_score.__doc__,
        epilog="Examples: partnerfit score evaluation.xlsx -o scored.xlsx; "
               "partnerfit score inbox/*.xlsx --out-dir scored; partnerfit score evaluation.xlsx --json",
    )
    score.add_argument("paths", nargs="+", metavar="IN", help="filled evaluation workbooks")
    score.add_argument("-o", "--output", metavar="OUT", help="write the scored copy here (one input)")
    score.add_argument("--out-dir", metavar="DIR", help="write each scored copy into DIR as NAME_scored.xlsx")
    score.add_argument("--in-place", action="store_true", help="write into the input (a backup is kept first)")
    score.add_argument("--json", dest="as_json", action="store_true", help="print the results as JSON")
    score.add_argument("--force", action="store_true", help="replace existing outputs")
    score.add_argument("--jobs", type=_job_count, metavar="N", help=JOBS_HELP)
    score.set_defaults(run=cmd_score)

    pack = commands.add_parser(
        "pack", help="write one scoring pack per evaluator", description=cmd_pack.__doc__,
        epilog='Example: partnerfit pack evaluation.xlsx --evaluators "QA lead, CMC lead, Procurement" --out-dir packs',
    )
    pack.add_argument("path", metavar="EVAL", help="the evaluation workbook")
    pack.add_argument("--evaluators", required=True, metavar="NAMES", help="the evaluators, separated by commas")
    pack.add_argument("--out-dir", required=True, metavar="DIR", help="where to write the packs")
    pack.add_argument("--force", action="store_true", help="replace existing packs")
    pack.set_defaults(run=cmd_pack)

    merge = commands.add_parser(
        "merge", help="bring the evaluators' packs into the evaluation", description=cmd_merge.__doc__,
        epilog="Examples: partnerfit merge evaluation.xlsx packs/*.xlsx -o merged.xlsx; "
               "partnerfit merge old.xlsx -o new.xlsx (a version 0.1 workbook carried over)",
    )
    merge.add_argument("path", metavar="EVAL", help="the evaluation workbook")
    merge.add_argument("packs", nargs="*", metavar="PACK",
                       help="the returned packs (none: carry a version 0.1 Evaluations table into grids)")
    merge.add_argument("-o", "--output", metavar="OUT", help="write the merged evaluation here")
    merge.add_argument("--in-place", action="store_true", help="write into EVAL (a backup is kept first)")
    merge.add_argument("--replace", action="store_true",
                       help="a pack of an evaluator already merged replaces their scores")
    merge.add_argument("--force", action="store_true", help="replace OUT if it exists")
    merge.set_defaults(run=cmd_merge)

    share = commands.add_parser(
        "share", help="make the static, locked copy for procurement", description=cmd_share.__doc__,
        epilog="Example: partnerfit share evaluation.xlsx -o for_procurement.xlsx",
    )
    share.add_argument("path", metavar="IN", help="a filled evaluation workbook")
    share.add_argument("-o", "--output", metavar="OUT", required=True, help="the copy to write")
    share.add_argument("--force", action="store_true", help="replace OUT if it exists")
    share.add_argument("--technical", action="store_true",
                       help="the copy for the technical evaluators: no Prices sheet, no quotes, no price scores; "
                            "the price criterion left out (weight 0)")
    share.set_defaults(run=cmd_share)

    verify = commands.add_parser(
        "verify", help="check that a shared copy was not altered", description=cmd_verify.__doc__,
        epilog="Example: partnerfit verify for_procurement.xlsx",
    )
    verify.add_argument("path", metavar="SHARED", help="a copy made by partnerfit share")
    verify.set_defaults(run=cmd_verify)

    due = commands.add_parser(
        "due", help="list the vendors whose re-evaluation falls due", description=cmd_due.__doc__,
        epilog="Example: partnerfit due evaluations/ --by 2027-06-30",
    )
    due.add_argument("folders", nargs="+", metavar="FOLDER", help="folders of evaluation workbooks (or workbooks)")
    due.add_argument("--by", type=_day, metavar="DATE", help="due on or before this date, YYYY-MM-DD (default: today)")
    due.add_argument("--json", dest="as_json", action="store_true", help="print the list as JSON")
    due.set_defaults(run=cmd_due)

    report = commands.add_parser(
        "report", help="write the selection dossier (PDF) of a workbook", description=cmd_report.__doc__,
        epilog="Example: partnerfit report evaluation.xlsx -o dossier.pdf",
    )
    report.add_argument("path", metavar="IN", help="a filled evaluation workbook or a shared copy")
    report.add_argument("-o", "--output", metavar="PDF", required=True, help="the dossier to write")
    report.add_argument("--force", action="store_true", help="replace PDF if it exists")
    report.set_defaults(run=cmd_report)
    return parser


def _one_line(message) -> str:
    """A message on one line (names typed with Alt+Enter hold line breaks), safe to print."""
    return printable(" ".join(str(message).splitlines()))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except PartnerfitError as error:
        print(f"partnerfit: {_one_line(error)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `partnerfit score ... --json | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except KeyboardInterrupt:
        print("partnerfit: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - never a traceback for users
        if os.environ.get("PARTNERFIT_DEBUG"):
            raise
        print(f"partnerfit: unexpected {type(error).__name__}: {_one_line(str(error)[:200])} "
              "(please report it; set PARTNERFIT_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
