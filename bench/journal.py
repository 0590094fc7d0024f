"""Benchmark the decision journal: entries per second recorded by `migems batch --record`, into
SQLite and into PostgreSQL, and the cost of `--record` on one `check`.

Usage: python bench/journal.py [--rows N] [--repeat R]   (default: 100000 rows, 15 checks)

`batch --record` of N valid claims runs once into a fresh SQLite file and once into a fresh
database of a throwaway PostgreSQL server (tests/pg_server.py; fsync on, as a real server), and
also without --record: entries/s is N over the wall time of the recording run, and the overhead
is the difference to the plain run. Then `log --format jsonl` exports the N entries (its time
and peak RSS, against `log --limit 10`'s: a streamed export stays flat). One `check` is run R times each, alternating, with and
without `--record` into SQLite (and PostgreSQL): the best wall times (the least disturbed by
other work on a shared machine) and their difference in ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import pg_server  # noqa: E402

CHECK = [
    "check", "--delivered", "2026-11-03", "--category", "rings", "--price", "120",
    "--today", "2026-11-26", "--order", "A1", "--agent", "bench",
]  # fmt: skip


def migems() -> str:
    beside = Path(sys.executable).with_name("migems")
    return str(beside) if beside.exists() else shutil.which("migems") or "migems"


def claims(path: Path, rows: int) -> None:
    """`rows` valid claims: four categories, three reasons, requests 0-39 days after delivery
    (eligible, ineligible and review decisions mixed), prices 10-409."""
    categories = ["rings", "necklaces", "bracelets", "pendants"]
    first = date(2026, 9, 1)
    with path.open("w") as out:
        out.write("order_id,claim_id,delivered,requested,reason,category,price\n")
        for n in range(rows):
            delivered = first + timedelta(days=n % 60)
            requested = delivered + timedelta(days=n % 40)
            reason = ("changed-mind", "damaged", "defective")[n % 3]
            out.write(
                f"O{n},C{n},{delivered},{requested},{reason},{categories[n % 4]},{10 + n % 400}.00\n"
            )


def measured(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one run, its stdout discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1, 3):
        raise SystemExit(f"{' '.join(args[:4])}...: exit {process.returncode}: {err.decode()}")
    return seconds, usage.ru_maxrss / 1024


def timed(args: list[str]) -> float:
    return measured(args)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="migems-bench-journal-"))
    try:
        source = work / "claims.csv"
        claims(source, options.rows)
        out = work / "out.csv"
        rows = options.rows
        plain = timed([migems(), "batch", str(source), "-o", str(out)])
        print(f"batch of {rows:,} claims, no --record:   {plain:7.2f} s")
        with pg_server.postgres_server(durable=True) as server:
            targets = {
                "SQLite": str(work / "journal.sqlite3"),
                "PostgreSQL": pg_server.fresh_database(server, "bench"),
            }
            for name, journal in targets.items():
                seconds = timed(
                    [
                        migems(),
                        "batch",
                        str(source),
                        "-o",
                        str(out),
                        "--record",
                        "--journal",
                        journal,
                    ]
                )
                print(
                    f"batch --record into {name:10}   {seconds:7.2f} s: {rows / seconds:9,.0f} "
                    f"entries/s ({seconds - plain:+.2f} s over the plain run)"
                )
                export, peak = measured(
                    [migems(), "log", "--journal", journal, "--format", "jsonl"]
                )
                _, few = measured([migems(), "log", "--journal", journal, "--limit", "10"])
                print(
                    f"  log --format jsonl of {rows:,} entries: {export:.2f} s, peak RSS "
                    f"{peak:.0f} MiB (log --limit 10: {few:.0f} MiB)"
                )
            for name, journal in targets.items():
                without, with_record = [], []
                for _ in range(options.repeat):
                    without.append(timed([migems(), *CHECK, "--journal", journal]))
                    with_record.append(timed([migems(), *CHECK, "--journal", journal, "--record"]))
                print(
                    f"check --order (reads {name}): best {min(without) * 1000:6.1f} ms; "
                    f"with --record {min(with_record) * 1000:6.1f} ms: "
                    f"+{(min(with_record) - min(without)) * 1000:.1f} ms"
                )
            bare = [timed([migems(), *CHECK[:-4]]) for _ in range(options.repeat)]
            print(f"check without a journal: best {min(bare) * 1000:6.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
