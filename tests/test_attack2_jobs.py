"""Attacks on `batch --jobs N` (second wave): a huge N must neither spin nor fork a process
a row; the output stays the same as one process."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import run_main, run_script

TODAY = "2026-06-30"


def rows_file(path: Path, count: int) -> Path:
    lines = ["claim_id,delivered,category,price"]
    lines += [f"c{n},2026-06-{1 + n % 28:02d},rings,{n}.00" for n in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["99999999999999999999", "10000"])
def test_huge_jobs_is_capped_and_same_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    path = rows_file(tmp_path / "in.csv", 100)
    args = ["batch", str(path), "--format", "csv", "--today", TODAY]
    one = run_main([*args, "--jobs", "1"], capsys)
    # a real process with a time limit: before the fix, 1e20 looped for ever
    many = run_script(*args, "--jobs", jobs, "-v", timeout=20)
    assert (many.code, many.out) == (one[0], one[1].replace("\r\n", "\n"))  # text mode
    assert "Traceback" not in many.err
    found = re.search(r"(\d+) processes", many.err)
    cores = len(os.sched_getaffinity(0))
    assert found is None or int(found.group(1)) <= 4 * max(cores, 1)
