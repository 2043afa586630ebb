"""Crash safety: `score -o`, `share` and `score --in-place` killed (SIGKILL) at random points.

The kill points are reproducible: a fixed seed draws them, and each run is timed from the moment
its temporary file (`.NAME-partial-XXXXXXXX.xlsx`, see `xlsx.write_atomically`) appears in the
target folder, so that most kills land while the copy is being written. After every kill:

* the input is byte for byte what it was;
* the output either does not exist or is a complete, valid workbook with the right results;
* nothing else appears but the killed run's hidden temporary file, which the next run for the
  same target removes (a running writer holds a lock on its file; a killed one no longer does).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from partnerfit.workbook.writer import write_workbook
from template_cases import random_filling

SEED = 20261124
KILLS = 6
"""Kill points per command: one before the temporary file exists, the rest while it is written."""
VENDORS = 400
"""Big enough that writing a copy takes a few tenths of a second (about 0.3 s score, 1 s share)."""


def command(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PARTNERFIT_DEBUG", None)
    return [sys.executable, "-m", "partnerfit.cli", *map(str, args)], env


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def partials(folder: Path, stem: str) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(f".{stem}-partial-"))


def statuses(path: Path) -> list:
    """The Statuses column as cached in a workbook (a complete copy shows every vendor's)."""
    book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    sheet, ref = next(book.defined_names["Statuses"].destinations)
    return [row[0].value for row in book[sheet][ref.replace("$", "")]]


def complete(path: Path, expected: list) -> bool:
    with zipfile.ZipFile(path) as package:
        if package.testzip() is not None:
            return False
    return statuses(path) == expected


def run_and_kill(args, folder: Path, stem: str, delay: float | None, before: float | None = None):
    """Start a command; kill it `delay` seconds after its temporary file appears in `folder`, or
    `before` seconds after the start (then possibly before the file exists). Returns whether it
    was killed (False: it finished first) and the seconds from start to the file, if seen."""
    argv, env = command(*args)
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    seen = None
    try:
        while process.poll() is None:
            now = time.perf_counter() - start
            if seen is None and partials(folder, stem):
                seen = now
            if (before is not None and now >= before) or (delay is not None and seen is not None and now >= seen + delay):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return process.returncode == -signal.SIGKILL, seen
            time.sleep(0.0005)
        return False, seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "evaluation.xlsx"
    write_workbook(path, random_filling(11, "CRO", vendors=VENDORS, capacity=VENDORS))
    return path


def reference(workbook: Path, args, folder: Path, stem: str) -> tuple[list, float, float]:
    """A run left alone: the results it writes, when its temporary file appears and how long it stays."""
    argv, env = command(*args)
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seen = None
    while process.poll() is None:
        if seen is None and partials(folder, stem):
            seen = time.perf_counter() - start
        time.sleep(0.0005)
    assert process.returncode == 0, process.stderr.read()
    assert seen is not None, "the temporary file was never seen"
    return statuses(folder / f"{stem}.xlsx"), seen, time.perf_counter() - start - seen


@pytest.mark.parametrize("name", ["score", "share"])
def test_killed_at_random_points_the_input_is_intact_and_no_partial_output_remains(workbook, tmp_path, name):
    before = digest(workbook)
    out = tmp_path / "out.xlsx"
    args = ["score", workbook, "-o", out, "--force"] if name == "score" else ["share", workbook, "-o", out, "--force"]
    expected, appears, window = reference(workbook, args, tmp_path, "out")
    out.unlink()
    rng = random.Random(f"{SEED}-{name}")
    delays = [None] + [rng.uniform(0, window * 0.9) for _ in range(KILLS - 1)]
    killed_mid_write = 0
    for delay in delays:
        if delay is None:  # while reading and scoring, before anything is written
            killed, _ = run_and_kill(args, tmp_path, "out", None, before=rng.uniform(0.05, appears * 0.8))
        else:
            killed, _ = run_and_kill(args, tmp_path, "out", delay)
        assert digest(workbook) == before
        leftovers = partials(tmp_path, "out")
        killed_mid_write += bool(killed and leftovers)
        assert set(os.listdir(tmp_path)) <= {"out.xlsx", *leftovers}
        assert not out.exists() or complete(out, expected)
        assert len(leftovers) <= 1  # each run removes the files of the runs killed before it
    assert killed_mid_write >= KILLS // 2, "too few kills landed while the copy was written"
    # The next run completes, and removes the temporary file the last killed run left behind.
    argv, env = command(*args)
    assert subprocess.run(argv, capture_output=True, env=env, timeout=120).returncode == 0
    assert os.listdir(tmp_path) == ["out.xlsx"] and complete(out, expected)
    assert digest(workbook) == before


def test_killed_in_place_the_input_is_the_original_or_the_complete_copy(workbook, tmp_path):
    copy = tmp_path / "mine.xlsx"
    copy.write_bytes(workbook.read_bytes())
    original, expected = digest(copy), statuses(workbook)
    rng = random.Random(f"{SEED}-in-place")
    for _ in range(3):
        run_and_kill(["score", copy, "--in-place"], tmp_path, "mine", rng.uniform(0, 0.2))
        assert digest(copy) == original or complete(copy, expected)
        backups = list(tmp_path.glob("mine.xlsx.*.bak"))
        assert backups and all(digest(b) == original for b in backups)


def test_only_abandoned_temporary_files_of_the_same_target_are_removed(tmp_path, workbook):
    """A temporary file whose writer still runs (it holds the lock) is kept, and so is every file
    that is not a temporary file of this target."""
    keep = [".out-partial-live0000.xlsx", ".other-partial-abcd1234.xlsx", "out-partial-abcd1234.xlsx",
            ".out-partial-toolong123.xlsx", "notes.txt"]
    stale = [".out-partial-dead0000.xlsx", ".out-partial-k1ll3d__.xlsx"]
    for name in keep + stale:
        (tmp_path / name).write_bytes(b"PK\x03\x04 half a workbook")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(tmp_path / keep[0])!r}, os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        argv, env = command("score", workbook, "-o", tmp_path / "out.xlsx")
        assert subprocess.run(argv, capture_output=True, env=env, timeout=120).returncode == 0
    finally:
        holder.kill()
        holder.wait()
    assert sorted(os.listdir(tmp_path)) == sorted(keep + ["out.xlsx"])
