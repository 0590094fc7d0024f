"""Benchmark `migems batch` against a plain csv.reader -> csv.writer copy of the same file.

Usage: python bench/batch.py [--repeat R] [N ...]   (default: 5 runs of 10000 100000 1000000)

For each N it writes N deterministic claims (mixed reasons, categories, flags, dates over a year,
about 1% bad rows) to a temporary folder, then runs, each as a subprocess of the same Python and
R times, alternating: the installed `migems batch FILE --format csv --output OUT`, and a bare
copy script. It prints the best wall time of each (on a shared machine the best run is the one
least disturbed by others), their ratio, the median of the R paired ratios, the ratio of CPU
time, and each child's peak RSS (all from wait4's rusage).
The SPEC's goals at 1,000,000 rows: ratio <= 2.0, migems peak <= 60 MiB, flat with N.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

COPY = """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as src, \\
        open(sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    csv.writer(dst).writerows(csv.reader(src))
"""
HEADER = [
    "claim_id",
    "order_id",
    "delivered",
    "requested",
    "reason",
    "category",
    "custom",
    "sale",
    "condition",
    "packaging",
    "photos",
    "price",
    "shipping",
    "agent_note",
]
REASONS = ["changed-mind"] * 6 + ["damaged", "defective", "wrong-item", ""]
CATEGORIES = ["rings", "necklaces", "Earrings", "bracelet", "pendants", "anklets", "sets", ""]
FLAGS = ["", "", "", "no", "yes", "y", "n", "1", "0", "true", "false"]
CONDITIONS = ["", "", "unused", "worn", "used"]
NOTES = ["", "", "", "called twice", "gift; wrapped", "asked for exchange", "VIP, see ticket"]
BAD = [
    ("delivered", "2026-02-30"),
    ("delivered", ""),
    ("category", "hats"),
    ("price", "-12.00"),
    ("reason", "lost"),
    ("custom", "maybe"),
    ("requested", "yesterdayish"),
]


def generate(path: Path, n: int, seed: int = 5) -> None:
    """N claims; prices from a catalogue of 400 price points, dates over 2025."""
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    prices = [f"{rng.randint(15, 1500)}.{rng.choice(['00', '50', '99'])}" for _ in range(400)]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for i in range(n):
            delivered = start + timedelta(days=rng.randrange(365))
            requested = delivered + timedelta(days=rng.randrange(46))
            us = rng.random() < 0.2  # some agents type US dates
            row = {
                "claim_id": f"CL-{i:07d}",
                "order_id": f"#{100000 + rng.randrange(900000)}",
                "delivered": delivered.strftime("%m/%d/%Y") if us else delivered.isoformat(),
                "requested": requested.isoformat(),
                "reason": rng.choice(REASONS),
                "category": rng.choice(CATEGORIES),
                "custom": rng.choice(FLAGS),
                "sale": rng.choice(FLAGS),
                "condition": rng.choice(CONDITIONS),
                "packaging": rng.choice(FLAGS),
                "photos": rng.choice(FLAGS),
                "price": rng.choice(prices),
                "shipping": rng.choice(["", "", "9.95", "0", "22.00"]),
                "agent_note": rng.choice(NOTES),
            }
            if rng.random() < 0.01:
                column, value = rng.choice(BAD)
                row[column] = value
            writer.writerow([row[name] for name in HEADER])


def run(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + sys), peak RSS in MiB, exit code of one child."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.stderr is not None:
        process.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def main(sizes: list[int], repeat: int) -> None:
    migems = shutil.which("migems", path=str(Path(sys.executable).parent)) or "migems"
    folder = Path(tempfile.mkdtemp(prefix="migems-bench-"))
    print(
        f"{'rows':>9}  {'copy s':>7}  {'batch s':>7}  {'ratio':>5}  {'median':>6}  "
        f"{'cpu ratio':>9}  {'copy MiB':>8}  {'batch MiB':>9}"
    )
    try:
        for n in sizes:
            source = folder / f"claims-{n}.csv"
            generate(source, n)
            copy = [sys.executable, "-c", COPY, str(source), str(folder / "copy.csv")]
            batch = [
                migems,
                "batch",
                str(source),
                "--format",
                "csv",
                "--output",
                str(folder / "checked.csv"),
                "--today",
                "2026-01-31",
            ]
            copies, batches = [], []
            for _ in range(repeat):
                copies.append(run(copy))
                batches.append(run(batch))
                if batches[-1][3] not in (0, 1):
                    raise SystemExit(f"migems batch failed with exit code {batches[-1][3]}")
            copy_s, batch_s = min(c[0] for c in copies), min(b[0] for b in batches)
            copy_cpu, batch_cpu = min(c[1] for c in copies), min(b[1] for b in batches)
            paired = statistics.median(b[0] / c[0] for c, b in zip(copies, batches, strict=True))
            print(
                f"{n:>9,}  {copy_s:>7.2f}  {batch_s:>7.2f}  {batch_s / copy_s:>5.2f}  "
                f"{paired:>6.2f}  {batch_cpu / copy_cpu:>9.2f}  "
                f"{max(c[2] for c in copies):>8.1f}  {max(b[2] for b in batches):>9.1f}",
                flush=True,
            )
            source.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ["--repeat"]:
        runs, args = int(args[1]), args[2:]
    main([int(arg) for arg in args] or [10_000, 100_000, 1_000_000], runs)
