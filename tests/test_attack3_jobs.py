"""Attack 3 on `batch --jobs N` (commit 6fe16a1): cases where several processes did not give
what one process gives. Each test failed on the code it was written against."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from migems_cli import batch_jobs
from tests.helpers import migems_script, run_main, script_env
from tests.test_batch_jobs import TODAY, check, many_rows, summary, write

HEAD = "claim_id,delivered,requested,reason,category,price,note\n"
GOOD = "C{0},2026-06-01,2026-06-10,changed-mind,ring,10.00,n\n"
BAD = "B{0},2026-06-01,2026-06-10,changed-mind,ring,bad,n\n"


def test_the_error_lines_listed_do_not_depend_on_where_the_file_is_cut(capsys, tmp_path) -> None:
    """A row over the cells cap (its error set after the chunk is evaluated: `_fail_cut`) comes
    after the other errors of its chunk in the summary's list; with --jobs 2 the cut ends the
    parent's chunk right after it, and the list differs from one process's (which leaves out
    line 102, the first error)."""
    wide = "W,2026-06-01,2026-06-10,changed-mind,ring,10.00," + "," * 10_000 + "\n"
    text = HEAD + "".join(map(GOOD.format, range(100))) + wide + "".join(map(BAD.format, range(10)))
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8", newline="")
    args = ["batch", str(path), "--format", "csv", "--today", TODAY]
    one = run_main([*args, "--jobs", "1"], capsys)
    two = run_main([*args, "--jobs", "2", "-v"], capsys)
    assert "2 ranges, starting at bytes 56, 15,295" in two[2]  # the cut is in the wide row
    assert (two[0], two[1], summary(two[2])) == (one[0], one[1], summary(one[2]))


@pytest.mark.parametrize("how", ["replaced", "unlinked"])
def test_the_ranges_read_the_file_that_was_opened(capsys, tmp_path, monkeypatch, how) -> None:
    """The input renamed over (an export that writes a new file and renames it) or deleted
    right after migems opened it: one process reads the file it opened; the ranges open the
    path again, and read another file's bytes under the first one's header and plan (rows lost
    and doubled, exit 1 all the same), or fail with FileNotFoundError (a traceback; with
    --output, 'Error: --output: cannot be written')."""
    path = tmp_path / "claims.csv"
    write(path, many_rows(600), [], crlf=False)
    other = tmp_path / "other.csv"
    write(other, many_rows(900, quoted_every=3)[300:], [], crlf=True)
    one = check(path, 1, "csv", capsys)
    split = batch_jobs.split

    def then_swapped(*args: Any, **kwargs: Any) -> Any:
        found = split(*args, **kwargs)  # the file is open and its header read
        if how == "unlinked":
            path.unlink()
        else:
            other.replace(path)
        return found

    monkeypatch.setattr(batch_jobs, "split", then_swapped)
    args = ["batch", str(path), "--format", "csv", "--today", TODAY, "--jobs", "2"]
    code, out, err = run_main(args, capsys)
    assert (code, out, summary(err)) == one


@pytest.mark.parametrize("late", ["error row", "undecodable byte"])
def test_the_verdict_of_a_run_whose_reader_goes_away_is_that_of_the_rows_it_wrote(
    tmp_path: Path, late: str
) -> None:
    """`| head -c N` that stops reading early in the second range: one process never gets to
    the end of the file (exit 0, nothing on stderr). With --jobs 2:
    - an error row at the end: the worker checked it, and the parent adds the worker's whole
      summary to the verdict after a copy the reader cut short (`_collect`): exit 1;
    - a byte that does not decode at the end: the worker fails, the parent checks its range
      again without `keep_going` (no stop when the reader goes away), reads on to the byte:
      exit 2, 'Error: FILE: cannot be decoded ...'."""
    path = tmp_path / "late.csv"
    text = HEAD + "".join(GOOD.format(at) for at in range(16_000))
    data = (text + BAD.format(0)).encode() if late == "error row" else text.encode() + b"\xff\n"
    path.write_bytes(data)
    args = [migems_script(), "batch", str(path), "--today", TODAY]
    env = script_env({"MIGEMS_NO_CACHE": "1"})
    one = subprocess.run([*args, "--jobs", "1"], capture_output=True, env=env).stdout
    several = subprocess.run([*args, "--jobs", "2", "-v", "-o", str(tmp_path / "out.csv")],
                             capture_output=True, env=env).stderr.decode()  # fmt: skip
    start = int(re.search(r"(?:starting at bytes 56,|the range from byte) ([0-9,]+)", several)
                .group(1).replace(",", ""))  # fmt: skip
    rows_before = data[:start].count(b"\n") - 1
    wanted = sum(map(len, one.split(b"\n")[: rows_before + 1])) + rows_before + 1 + 1000
    assert len(data) - start > 300_000  # its rows make far more output than a pipe holds
    done = []
    for jobs in ("1", "2"):
        read_end, write_end = os.pipe()
        process = subprocess.Popen(
            [*args, "--jobs", jobs], stdout=write_end, stderr=subprocess.PIPE, env=env
        )
        os.close(write_end)
        left = wanted  # the parent's part, then a little of the worker's
        while left > 0:
            left -= len(os.read(read_end, min(left, 1 << 16)))
        os.close(read_end)
        _, err = process.communicate(timeout=60)
        done.append((process.returncode, err))
    assert done[0] == (0, b"")
    assert done[1] == done[0]
