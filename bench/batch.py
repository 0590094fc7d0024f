"""Benchmark `migems batch` against a plain csv.reader -> csv.writer copy of the same file.

For each row count it writes claims that look like a store's (tens of thousands of distinct
two-decimal prices, mixed reasons, categories, flags, US and ISO dates over a year, a share of
odd but valid cells such as "$120", "1,200.00" or "120", and about 1% bad rows) to a temporary
folder, then runs, each as a subprocess of the same Python, R times, paired and alternating: a
bare copy script, then `migems batch FILE --format F --output OUT [--jobs J]` for each format and
jobs count. It prints, per row count, format and jobs count: the median of the R paired wall
ratios (batch / the copy of the same pair) with their min-max, the median wall seconds, the
ratio of CPU time (user + sys, children included), and the peak RSS of the largest process of
migems' run, as it says it with -v (/proc's VmHWM; the copy says its own), and of the parent and
the sum of the workers with --jobs.

The machine may be shared: the load average is printed with each table, and paired ratios are
what to compare (both sides of a pair see about the same load).
SPEC goals at 1,000,000 rows: CSV <= 1.2 (one process), <= 0.6 (all cores); JSONL <= 2.0; peak
memory <= 60 MiB, flat with the row count.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shlex
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
with open("/proc/self/status") as status:  # its own peak (see _peak)
    print(*(line for line in status if line.startswith("VmHWM:")), file=sys.stderr)
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
    ("price", "12,5"),
    ("reason", "lost"),
    ("custom", "maybe"),
    ("requested", "yesterdayish"),
]
ODD_SHARE = 0.05  # prices written another way that still reads: "$120", "120", "1,200.00", ...
BAD_SHARE = 0.01


CATALOGUE = 50_000  # price points: cents from 5.00 to 4,999.99, some round


def catalogue(rng: random.Random) -> list[int]:
    return [
        cents - cents % 100 if rng.random() < 0.15 else cents
        for cents in (rng.randint(500, 499_999) for _ in range(CATALOGUE))
    ]


def price_text(rng: random.Random, prices: list[int]) -> str:
    """A price as a store's export writes it, mostly as `120.00`, some another way."""
    cents = rng.choice(prices)
    text = f"{cents // 100}.{cents % 100:02d}"
    if rng.random() < ODD_SHARE:
        odd = [
            f"${text}",
            f"{text} USD",
            f" {text} ",
            f"{cents // 100}",
            f"{cents / 100:,.2f}",
            f"{cents // 100}.{cents % 100 // 10}" if cents % 10 == 0 else f"0{text}",
        ]
        text = rng.choice(odd)
    return text


def generate(path: Path, n: int, seed: int = 5) -> int:
    """N claims (see the module's doc); returns the number of distinct price cells."""
    rng = random.Random(seed)
    prices = catalogue(rng)
    start = date(2025, 1, 1)
    distinct: set[str] = set()
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
                "price": price_text(rng, prices),
                "shipping": rng.choice(["", "", "9.95", "0", "22.00", "12.50"]),
                "agent_note": rng.choice(NOTES),
            }
            if rng.random() < BAD_SHARE:
                column, value = rng.choice(BAD)
                row[column] = value
            distinct.add(row["price"])
            writer.writerow([row[name] for name in HEADER])
    return len(distinct)


def run(command: list[str], cwd: Path) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user + sys), peak RSS in MiB, exit code, stderr of a child
    (run in `cwd`: `python -m migems_cli` would import a migems_cli folder of the caller's)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        text = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, text


_MEMORY = re.compile(r"peak RSS: parent ([0-9.]+) MiB, workers ([0-9.]+) MiB")
_EACH = re.compile(r"peak RSS: parent ([0-9.]+) MiB, .* \(each at most ([0-9.]+) MiB\)")
_ONE = re.compile(r"peak RSS: ([0-9.]+) MiB$", re.MULTILINE)  # migems -v, one process
_HWM = re.compile(r"VmHWM:\s+([0-9]+) kB")  # the copy's


def _peak(done: tuple[float, float, float, int, str]) -> float:
    """A run's peak memory in MiB, as it said it (/proc's VmHWM): wait4's ru_maxrss would be
    this script's own when larger, Linux keeping it across the exec of a child started with
    vfork, as subprocess starts them (the copy's 10 MiB read as 28). wait4's figure for a
    program that says nothing (migems before -v said its peak)."""
    err = done[4]
    if found := _EACH.search(err):
        return max(float(found[1]), float(found[2]))
    if found := _ONE.search(err):
        return float(found[1])
    if found := _HWM.search(err):
        return int(found[1]) / 1024
    return done[2]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Wall-time ratio and peak memory of `migems batch` against a csv copy.",
        epilog="Example: python bench/batch.py --rows 100000 1000000 --repeat 5 --jobs 1 2",
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="row counts"
    )
    parser.add_argument("--repeat", type=int, default=3, help="paired runs per measure")
    parser.add_argument("--formats", nargs="+", default=["csv", "jsonl"], choices=["csv", "jsonl"])
    parser.add_argument(
        "--jobs",
        nargs="+",
        default=["1"],
        help="--jobs values for CSV (JSONL: the first); - gives no --jobs option",
    )
    parser.add_argument(
        "--migems",
        help="command that runs migems (default: the installed script); e.g. to compare with "
        "another checkout: --migems 'env PYTHONPATH=/tmp/base python -m migems_cli'",
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed wheel runs
    migems = [shutil.which("migems", path=str(Path(sys.executable).parent)) or "migems"]
    if args.migems:
        migems = shlex.split(args.migems)
    folder = Path(tempfile.mkdtemp(prefix="migems-bench-"))
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()[0]:.2f}")
    print(
        f"{'rows':>9}  {'format':6} {'jobs':>4}  {'ratio':>5} {'(min-max)':>11}  {'copy s':>6}  "
        f"{'batch s':>7}  {'cpu ratio':>9}  {'copy MiB':>8}  {'batch MiB':>9}  {'parent/workers':>14}"
    )
    try:
        for n in args.rows:
            source = folder / f"claims-{n}.csv"
            distinct = generate(source, n)
            copy = [sys.executable, "-c", COPY, str(source), str(folder / "copy.csv")]
            variants = [(fmt, jobs) for fmt in args.formats for jobs in args.jobs]
            variants = [(f, j) for f, j in variants if f == "csv" or j == args.jobs[0]]
            results: dict[tuple[str, str], list[tuple[float, ...]]] = {v: [] for v in variants}
            copies: list[tuple[float, float, float, int, str]] = []
            memory: dict[tuple[str, str], str] = {}
            for _ in range(args.repeat):
                for variant in variants:
                    copies.append(run(copy, folder))
                    fmt, jobs = variant
                    command = [*migems, "batch", str(source), "--format", fmt, "--output"]
                    command += [str(folder / f"checked.{fmt}"), "--today", "2026-01-31"]
                    if jobs != "-":  # "-": no --jobs option (a checkout without it)
                        command += ["--jobs", jobs, "-v"]
                    done = run(command, folder)
                    if done[3] not in (0, 1):
                        raise SystemExit(f"migems batch failed ({done[3]}): {done[4]}")
                    found = _MEMORY.search(done[4])
                    if found:
                        memory[variant] = f"{found[1]}/{found[2]}"
                    copy_run = copies[-1]
                    results[variant].append(
                        (
                            done[0] / copy_run[0],
                            copy_run[0],
                            done[0],
                            done[1] / copy_run[1],
                            _peak(done),
                        )
                    )
            for variant, runs in results.items():
                ratios = [r[0] for r in runs]
                print(
                    f"{n:>9,}  {variant[0]:6} {variant[1]:>4}  {statistics.median(ratios):>5.2f} "
                    f"{f'({min(ratios):.2f}-{max(ratios):.2f})':>11}  "
                    f"{statistics.median(r[1] for r in runs):>6.2f}  "
                    f"{statistics.median(r[2] for r in runs):>7.2f}  "
                    f"{statistics.median(r[3] for r in runs):>9.2f}  "
                    f"{max(map(_peak, copies)):>8.1f}  {max(r[4] for r in runs):>9.1f}  "
                    f"{memory.get(variant, '-'):>14}",
                    flush=True,
                )
            print(
                f"{'':>9}  ({distinct:,} distinct price cells; load average now "
                f"{os.getloadavg()[0]:.2f})",
                flush=True,
            )
            source.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
