"""partnerfit benchmarks: one command, one table of medians and ratios.

    python benchmarks/run.py            # everything
    python benchmarks/run.py engine     # only the groups named

Each group times partnerfit next to a reference doing the same work (a bare numpy computation,
a peer library, or a bare read/write), and prints the median of repeated runs and the ratio.
These are measurements, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

GROUPS: dict[str, Callable[[], list[tuple]]] = {}


def group(function):
    GROUPS[function.__name__] = function
    return function


def median_times(*functions: Callable[[], object], repeat: int = 7, number: int = 1,
                 warm_up: bool = True) -> list[float]:
    """Median seconds per call of each function over `repeat` rounds of `number` calls (after one
    warm-up), the functions taking turns round by round: a change in the machine's load (it is
    shared) then falls on all of them alike, and their ratio holds."""
    for function in functions if warm_up else ():
        function()
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times):
            start = time.perf_counter()
            for _ in range(number):
                function()
            spent.append((time.perf_counter() - start) / number)
    return [statistics.median(spent) for spent in times]


def median_time(function: Callable[[], object], repeat: int = 7, number: int = 1) -> float:
    return median_times(function, repeat=repeat, number=number)[0]


def random_scores(vendors: int, criteria: int, blank_share: float = 0.1, seed: int = 0) -> np.ndarray:
    """1-5 scores in half points, with a share of blanks (NaN)."""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(2, 11, size=(vendors, criteria)) / 2.0
    matrix[rng.random(matrix.shape) < blank_share] = np.nan
    return matrix


def numpy_reference(matrix: np.ndarray, weights: np.ndarray):
    """The same work as score_vendors, written plainly: masked sums, coverage, argsort ranks."""
    scored = ~np.isnan(matrix)
    filled = np.where(scored, matrix, 0.0)
    scored_weight = scored @ weights
    score = (filled @ weights) / scored_weight
    coverage = scored_weight / weights.sum()
    order = np.argsort(-score, kind="stable")
    rank = np.empty(len(score))
    rank[order] = np.arange(1, len(score) + 1)
    return score, coverage, rank


@group
def engine():
    """score_vendors on 100,000 x 20, next to bare numpy and scikit-criteria."""
    import pandas as pd

    from partnerfit.scoring import score_vendors

    matrix = random_scores(100_000, 20)
    weights = np.random.default_rng(1).integers(1, 20, 20).astype(float)
    names = [f"vendor {i}" for i in range(len(matrix))]
    frame = pd.DataFrame(matrix, columns=[f"c{i}" for i in range(20)], index=names)
    reference, ours = median_times(lambda: numpy_reference(matrix, weights), lambda: score_vendors(frame, weights),
                                   repeat=21)
    rows = [
        ("numpy reference (mask, sums, coverage, ranks)", reference, None),
        ("score_vendors 100,000 x 20 (DataFrame in/out)", ours, reference),
    ]
    # The peer library, on the same data; it has no notion of a blank, so blanks become 0.
    try:
        import skcriteria
        from skcriteria.agg.simple import WeightedSumModel
    except Exception as error:  # noqa: BLE001 - a missing peer is a row, not a failure
        return rows + [(f"scikit-criteria unavailable ({type(error).__name__}); pip install scikit-criteria",
                        None, None)]
    filled = np.nan_to_num(matrix, nan=0.0)
    decision = skcriteria.mkdm(filled, [max] * matrix.shape[1], weights=weights)
    peer = median_time(lambda: WeightedSumModel().evaluate(decision), repeat=21)
    return rows + [  # the peer's time over score_vendors' (how many times faster we are)
        (f"scikit-criteria {skcriteria.VERSION} WeightedSumModel.evaluate (blanks 0) / ours", peer, ours),
    ]


@group
def excel():
    """VENDOR_RANKING on a 30 x 12 table shaped as Excel hands it over (floats and None)."""
    from partnerfit import udfs

    matrix = random_scores(30, 12, seed=2)
    table = [["Vendor"] + [f"Criterion {j + 1}" for j in range(12)]]
    table += [[f"Vendor {i + 1}"] + [None if np.isnan(v) else float(v) for v in row] for i, row in enumerate(matrix)]
    weights = [float(w) for w in range(1, 13)]
    per_call = median_time(lambda: udfs.VENDOR_RANKING(table, weights), repeat=9, number=200)
    return [("VENDOR_RANKING 30 x 12 per call", per_call, None)]


@group
def workbook():
    """build_workbook (the template with its formulas and cached values), `partnerfit new` and `demo`."""
    import functools
    import tempfile
    from pathlib import Path

    import xlsxwriter

    from partnerfit.workbook.template import build_workbook

    folder = Path(tempfile.mkdtemp())

    def bare(path, cells):
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet()
        for i in range(cells):
            sheet.write_number(i // 20, i % 20, i)
        book.close()

    def cells_of(path):
        import openpyxl

        return sum(1 for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows()
                   for cell in row if cell.value is not None)

    rows = []
    for label, vendors, example in (("blank, 50 vendors", 50, False), ("example, 50 vendors", 50, True),
                                    ("blank, 1,000 vendors", 1000, False)):
        path = folder / "built.xlsx"
        built = median_time(functools.partial(build_workbook, path, vendors=vendors, example=example), repeat=3)
        cells = cells_of(path)
        reference = median_time(functools.partial(bare, folder / "bare.xlsx", cells), repeat=3)
        rows += [(f"XlsxWriter: {cells:,} plain numbers", reference, None),
                 (f"build_workbook {label}", built, reference)]
    startup = command("python", "-c", "import partnerfit.cli, partnerfit.workbook.template")
    new, demo = command("new", folder / "new.xlsx", "--force"), command("demo", "--out-dir", folder)
    return rows + [("python start-up + partnerfit imports", median_time(startup, repeat=3), None),
                   ("partnerfit new (whole command)", median_time(new, repeat=3), None),
                   ("partnerfit demo (whole command, start-up included)", median_time(demo, repeat=3), None)]


def big_filling(vendors: int):
    """A filled single-evaluator CDMO workbook's inputs with `vendors` vendors: random scores with
    blanks, N/A and text numbers."""
    import random

    from partnerfit.example import Vendor
    from partnerfit.workbook.model import Filling

    rng = random.Random(3)
    cells = [1.0, 2.0, 3.0, 3.5, 4.0, 4.5, 5.0, None, "N/A", " 4 "]
    rows = tuple(Vendor(f"Vendor {i:05d}", "Site", tuple(rng.choice(cells) for _ in range(14)))
                 for i in range(vendors))
    return Filling(partner_type="CDMO", stage="Phase II", need="development + manufacturing",
                   minimums=(None, 2.0) + (None,) * 12, vendors=rows, capacity=vendors)


def big_workbook(vendors: int = 5_000):
    """The `big_filling` workbook, built once."""
    import hashlib
    import tempfile
    from pathlib import Path

    from partnerfit import example
    from partnerfit.workbook import formulas, layout, results, writer

    # Named by the generator's source, so that a changed template is never timed on an old file.
    source = b"".join(Path(module.__file__).read_bytes() for module in (layout, formulas, results, writer, example))
    path = Path(tempfile.gettempdir()) / f"partnerfit-bench-{vendors}-{hashlib.sha256(source).hexdigest()[:12]}.xlsx"
    if not path.exists():
        writer.write_workbook(path, big_filling(vendors))
    return path


def fillings():
    """(label, Filling) of the workbooks users wait for: the blank template (`partnerfit new`), the
    example (`partnerfit new --example`) and 500 vendors scored by one evaluator."""
    from partnerfit.workbook.model import Filling

    return [("blank template", Filling()), ("example", Filling.example()), ("500 vendors", big_filling(500))]


def command(*args, codes=(0,)) -> Callable[[], object]:
    """A whole partnerfit command (`args` after `partnerfit`) or Python command as a subprocess,
    which must exit with one of `codes`."""
    import os
    import subprocess

    line = [sys.executable, *map(str, args[1:])] if args[0] == "python" else \
        [sys.executable, "-m", "partnerfit.cli", *map(str, args)]
    # Bytecode cached as an installed package has it: without, every run compiles partnerfit anew.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run():
        done = subprocess.run(line, capture_output=True, text=True, env=env)
        if done.returncode not in codes:
            raise RuntimeError(f"{' '.join(line)[:200]} exited {done.returncode}: {done.stderr[-500:]}")

    return run


@group
def spreadsheet():
    """LibreOffice opening (headless), recalculating and saving workbooks, next to their floors
    (floors.py: the same numbers, the plainest formulas)."""
    import tempfile
    from pathlib import Path

    from floors import recalc_rows, single_floor, team_filling, team_recalc_rows, team_scores, write_floor

    from partnerfit.workbook.writer import write_workbook

    folder = Path(tempfile.mkdtemp())
    rows = []
    for label, filling in fillings():
        path = folder / f"{label.replace(' ', '_')}.xlsx"
        write_workbook(path, filling)
        rows += recalc_rows(label, path, single_floor(folder / f"floor_{path.name}", filling))
    for vendors, evaluators in TEAM_SIZES:  # 14 criteria, 5 % blanks, the mean
        scores = team_scores(vendors, evaluators, 14)
        weights = np.random.default_rng(1).integers(1, 20, 14).astype(float)
        label = f"{vendors} vendors x {evaluators} evaluators"
        path = folder / f"team_{vendors}x{evaluators}.xlsx"
        write_workbook(path, team_filling(scores, weights))
        rows += team_recalc_rows(label, path, write_floor(folder / f"floor_{path.name}", scores, weights))
    return rows


TEAM_SIZES = ((10, 5), (60, 8))
"""The team workbooks of the spreadsheet group (vendors, evaluators), 14 criteria each."""


@group
def commands():
    """Whole commands (subprocesses) next to Python start-up and a bare openpyxl load + save."""
    import tempfile
    from pathlib import Path

    from partnerfit.workbook.writer import write_workbook

    folder = Path(tempfile.mkdtemp())
    rows = [("python -c 'import partnerfit'", median_time(command("python", "-c", "import partnerfit")), None)]
    for label, filling in fillings()[1:]:
        path, out, shared = (folder / f"{label.replace(' ', '_')}{end}.xlsx" for end in ("", "_out", "_shared"))
        write_workbook(path, filling)
        bare, *times = median_times(
            command("python", "-c", f"import openpyxl; openpyxl.load_workbook({str(path)!r}).save({str(out)!r})"),
            command("score", path, "--json"), command("score", path, "-o", out, "--force"),
            command("share", path, "-o", shared, "--force"), command("verify", shared), repeat=5)
        rows.append((f"openpyxl load + save, {label} (start-up included)", bare, None))
        rows += [(f"partnerfit {name}, {label}", spent, bare)
                 for name, spent in zip(("score --json", "score -o", "share", "verify"), times)]
    return rows


@group
def folder():
    """A folder of 200 workbooks (the example with random scores) through score --out-dir and
    check, on every core (the default) and with --jobs 1."""
    import dataclasses
    import os
    import random
    import tempfile
    from pathlib import Path

    from python_calamine import CalamineWorkbook

    from partnerfit.workbook.model import Filling
    from partnerfit.workbook.writer import write_workbook

    root = Path(tempfile.mkdtemp())
    example, rng, cells = Filling.example(), random.Random(7), [1.0, 2.0, 2.5, 3.0, 4.0, 4.5, 5.0, None, "N/A"]
    paths = []
    for i in range(200):
        paths.append(root / "in" / f"evaluation_{i:03d}.xlsx")
        paths[-1].parent.mkdir(exist_ok=True)
        vendors = tuple(dataclasses.replace(v, scores=tuple(rng.choice(cells) for _ in v.scores))
                        for v in example.vendors)
        write_workbook(paths[-1], dataclasses.replace(example, vendors=vendors))

    def read(path):  # every sheet, as the bare reader gives it
        book = CalamineWorkbook.from_path(str(path))
        return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]

    cpu = time.process_time()
    bare = median_time(lambda: [read(p) for p in paths], repeat=3) / len(paths)
    bare_cpu = (time.process_time() - cpu) / (4 * len(paths))  # the warm-up and 3 rounds
    jobs = getattr(os, "process_cpu_count", os.cpu_count)()
    rows = [("python-calamine: read every sheet of one workbook", bare, None),
            ("python-calamine: the same read's CPU time", bare_cpu, None), free_cores(jobs)]
    for name, args in (("score --out-dir", ("score", *paths, "--out-dir", root / "out", "--force")),
                       ("check", ("check", *paths))):
        # check exits 1: the random blanks leave must-haves unscored, which it lists.
        every, one = median_times(*with_cpu(command(*args, codes=(0, 1)), command(*args, "--jobs", "1", codes=(0, 1))),
                                  repeat=1, warm_up=False)
        every_cpu, one_cpu = CPU_SPENT
        rows += [(f"{name}, 200 files, --jobs 1: {len(paths) / one:.1f} files/s, CPU {one_cpu:.1f} s", one, None),
                 (f"{name}, 200 files, default ({jobs} jobs): {len(paths) / every:.1f} files/s, "
                  f"{one / every:.2f}x faster, CPU {every_cpu:.1f} s", every, one),
                 (f"{name}, one file's share of --jobs 1", one / len(paths), bare),
                 (f"{name}, one file's CPU time (--jobs 1)", one_cpu / len(paths), bare_cpu)]
    return rows


CPU_SPENT: list[float] = []
"""The CPU time (user + system, s) of the subprocesses of each function `with_cpu` wrapped, in order."""


def with_cpu(*functions: Callable[[], object]) -> list[Callable[[], object]]:
    """The functions, each adding the CPU time of the subprocesses it ran to its place in CPU_SPENT
    (a process pool that uses no more CPU than one process gains in wall time whatever cores are free)."""
    import resource

    CPU_SPENT[:] = [0.0] * len(functions)

    def counted(k, function):
        def run():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            function()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            CPU_SPENT[k] += after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return run

    return [counted(k, f) for k, f in enumerate(functions)]


def free_cores(jobs: int) -> tuple:
    """How many cores this run can have: `jobs` CPU-bound processes at once next to one alone
    (the ratio is 1 with `jobs` free cores, `jobs` with one)."""
    import subprocess

    spin = [sys.executable, "-c", "sum(range(4 * 10**7))"]

    def together():
        for process in [subprocess.Popen(spin) for _ in range(jobs)]:
            process.wait()

    alone, at_once = median_times(lambda: subprocess.run(spin, check=True), together, repeat=3)
    return (f"{jobs} busy processes at once / one alone ({jobs / (at_once / alone):.1f} of {jobs} cores free)",
            at_once, alone)


def peak_memory(code: str) -> float:
    """Peak resident memory (MiB) of a fresh Python process running `code`."""
    import subprocess

    # VmHWM, not getrusage: Linux carries ru_maxrss over from the (large) parent across exec.
    probe = code + "\nprint([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024


@group
def cli():
    """partnerfit score on the largest workbook `partnerfit new` makes (5,000 vendors) next to a bare
    read and a bare load + save."""
    import json
    import tempfile
    from pathlib import Path

    import openpyxl
    from python_calamine import CalamineWorkbook

    from partnerfit.workbook.check import score_inputs
    from partnerfit.workbook.reader import Source, filling, read_inputs
    from partnerfit.workbook.results import computed_values
    from partnerfit.workbook.share import write_results

    path = big_workbook()
    out = Path(tempfile.mkdtemp()) / "out.xlsx"

    def read_block():  # the fastest reader on the score block alone
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Vendors").to_python(skip_empty_area=False)
        return [row[1:15] for row in rows[4:5_004]]

    def score_json():
        return json.dumps(score_inputs(read_inputs(Source(path))).as_json())

    def score_output():
        source = Source(path)
        write_results(source, out, computed_values(filling(source)), keep_formulas=True)

    def load_save():
        openpyxl.load_workbook(path).save(out)

    read, json_time = median_times(read_block, score_json, repeat=7)
    bare, output = median_times(load_save, score_output, repeat=3)
    setup = f"import sys; sys.argv = ['partnerfit']; from partnerfit.cli import main; path = {str(path)!r}"
    memory = {
        "score --json": peak_memory(setup + "\nmain(['score', path, '--json'])"),
        "score -o": peak_memory(setup + f"\nmain(['score', path, '-o', {str(out)!r}, '--force'])"),
        "openpyxl load + save": peak_memory(f"import openpyxl; openpyxl.load_workbook({str(path)!r})"
                                            f".save({str(out)!r})"),
    }
    return [
        ("python-calamine: read the 5,000 x 14 score block", read, None),
        ("score --json (in process, start-up excluded)", json_time, read),
        ("openpyxl: bare load + save of the workbook", bare, None),
        ("score -o (in process)", output, bare),
        *((f"peak memory, {label}: {mib:.0f} MiB", None, None) for label, mib in memory.items()),
    ]


@group
def robustness():
    """Rank acceptability (SMAA-2), 10,000 weight draws for 1,000 vendors x 20 criteria."""
    from partnerfit.robustness import rank_acceptability

    matrix = random_scores(1_000, 20, seed=4)
    weights = np.random.default_rng(5).integers(1, 20, 20).astype(float)
    draws = np.random.default_rng(6).random((10_000, 20))
    filled = np.nan_to_num(matrix)
    return [
        ("one matrix product, 10,000 x 20 @ 20 x 1,000", median_time(lambda: draws @ filled.T, repeat=5), None),
        ("rank_acceptability 10,000 draws, 1,000 x 20",
         median_time(lambda: rank_acceptability(matrix, weights, samples=10_000), repeat=3), None),
    ]


def main(argv: list[str]) -> int:
    names = argv or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        print(f"unknown group {unknown[0]!r}; choose from {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    print(f"# partnerfit benchmarks on {platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}, {platform.platform(terse=True)}")
    print(f"{'case':<64} {'median':>12} {'ratio':>8}")
    for name in names:
        print(f"## {name}: {' '.join(GROUPS[name].__doc__.split())}")
        for label, seconds, reference in GROUPS[name]():
            if seconds is None:  # a note (memory, or a case that could not run)
                print(label)
                continue
            ratio = f"{seconds / reference:.2f}x" if reference else ""
            unit = (f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1e3:.3f} ms" if seconds >= 1e-3
                    else f"{seconds * 1e6:.1f} us")
            print(f"{label:<64} {unit:>12} {ratio:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
