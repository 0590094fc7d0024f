"""`batch --jobs N`: the same rows, order and bytes as one process (issue 15).

Random files (quoted cells holding line breaks, quotes, CRLF and LF, blank lines, bad cells,
quoting that is not regular, an unclosed quote at the end) are checked with one process and
with several, on small chunks: the output, the summary and the exit code must be identical.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migems_cli.batch_jobs import FileBytes
from tests.helpers import run_main, run_script

TODAY = "2026-06-30"
HEADER = ["claim_id", "delivered", "requested", "reason", "category", "price", "note"]
CELLS = st.one_of(
    st.sampled_from(["", "2026-06-01", "2026-06-20", "changed-mind", "damaged", "ring",
                     "hats", "120.00", "$5", "x", "a\nb", "a\r\nb", 'say "hi"', "a,b", "\r",
                     "\n", '"', "=1+2", "caf\u00e9", "2026-13-01"]),
    st.text(alphabet='ab,"\n\r \u00e9', max_size=6),
)  # fmt: skip
ROW = st.lists(CELLS, min_size=0, max_size=9)
RAW_LINES = st.sampled_from(['5" ring,2026-06-01\n', 'x,"open\n', "\n", '"a"b,c\n', "\r\n"])


def summary(err: str) -> str:
    """stderr without the timing ('; 0.05 s, 56,130 rows/s') and the -v notes."""
    lines = [line for line in err.splitlines() if " rows: " in line or " row: " in line]
    timing = re.compile(r"; [0-9.]+ s, [0-9,]+ rows?/s")
    return "\n".join(timing.sub("", line) for line in lines) + err.count("Error:") * "E"


def check(path: Path, jobs: int, fmt: str, capsys: pytest.CaptureFixture[str]) -> tuple:
    args = ["batch", str(path), "--format", fmt, "--today", TODAY, "--jobs", str(jobs)]
    code, out, err = run_main(args, capsys)
    return code, out, summary(err)


def write(path: Path, rows: list[list[str]], raw: list[tuple[int, str]], crlf: bool) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(HEADER)
    lines = []
    for row in rows:
        writer.writerow(row)
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    for at, line in sorted(raw):
        lines.insert(min(at, len(lines)), line)
    path.write_text("".join(lines), encoding="utf-8", newline="")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(ROW, min_size=0, max_size=40),
    st.lists(st.tuples(st.integers(1, 40), RAW_LINES), max_size=2),
    st.booleans(),
    st.sampled_from([2, 3, 5]),
    st.sampled_from(["csv", "jsonl"]),
    st.sampled_from([1, 4, 256]),
)
def test_several_processes_write_what_one_writes(
    capsys, monkeypatch, rows, raw, crlf, jobs, fmt, chunk
) -> None:
    monkeypatch.setattr("migems_cli.batch._CHUNK", chunk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.csv"
        rows = [["C1", "2026-06-01", "", "damaged", "ring", "10.00", ""], *rows]
        write(path, rows, raw, crlf)
        one = check(path, 1, fmt, capsys)
        assert check(path, jobs, fmt, capsys) == one


def many_rows(count: int, quoted_every: int = 7) -> list[list[str]]:
    rows = []
    for at in range(count):
        note = "line one\nline two" if at % quoted_every == 0 else f"note {at}"
        price = "bad" if at % 97 == 0 else f"{at % 500}.{at % 100:02d}"
        rows.append([f"C{at}", "2026-06-01", "2026-06-10", "changed-mind", "ring", price, note])
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_larger_file_split_in_four(capsys, tmp_path, fmt) -> None:
    path = tmp_path / "many.csv"
    write(path, many_rows(3000), [], crlf=False)
    one = check(path, 1, fmt, capsys)
    code, out, err = run_main(
        ["batch", str(path), "--format", fmt, "--today", TODAY, "--jobs", "4", "-v"], capsys
    )
    assert "4 processes, the file cut near bytes" in err
    assert "4 ranges, starting at bytes" in err
    assert "peak RSS: parent " in err
    assert (code, out, summary(err)) == one
    assert one[0] == 1
    assert len(one[1]) > 100_000


def test_a_range_that_ends_in_a_quoted_cell_is_read_on_by_its_worker(capsys, tmp_path) -> None:
    """A stray quote (`5" ring`) makes the quote count odd after it: the next cut's guess
    lands in a quoted cell, which the range before reads on to the end of the file, as one
    process would; the range after it is not used."""
    path = tmp_path / "odd.csv"
    write(path, many_rows(2000), [(1000, 'C9,2026-06-01,,damaged,ring,5,a 5" ring\n')], False)
    one = check(path, 1, "csv", capsys)
    code, out, err = run_main(
        ["batch", str(path), "--format", "csv", "--today", TODAY, "--jobs", "3", "-v"], capsys
    )
    assert "3 processes" in err
    assert re.search(r"a quoted cell runs over byte [0-9,]+: the range from byte [0-9,]+ was "
                     "read on to the end", err)  # fmt: skip
    assert "2 ranges, starting at bytes" in err
    assert "checked here" not in err
    assert (code, out, summary(err)) == one


def test_the_first_range_ending_in_a_quoted_cell_is_read_on_by_the_parent(capsys, tmp_path):
    path = tmp_path / "odd.csv"
    write(path, many_rows(2000), [(10, 'C9,2026-06-01,,damaged,ring,5,a 5" ring\n')], False)
    for fmt in ("csv", "jsonl"):
        one = check(path, 1, fmt, capsys)
        args = ["batch", str(path), "--format", fmt, "--today", TODAY, "--jobs", "2", "-v"]
        code, out, err = run_main(args, capsys)
        assert re.search(r"a quoted cell runs over byte [0-9,]+: read on here, to the end", err)
        assert "peak RSS" not in err  # no worker's output was used
        assert (code, out, summary(err)) == one


@pytest.mark.parametrize("tail", ["quoted cell", "one long line"])
def test_a_cut_far_from_a_record_boundary(capsys, tmp_path, tail: str) -> None:
    """A quoted cell from before the middle of the file to its end: the guess past the middle
    cut is a line feed inside it, the range before it ends in the cell and is read on to the
    end (one process, in effect); with four processes, the first cut is before the cell and
    the file is read in two ranges. One line (no quote) from before the middle to the end: no
    line feed past the cut, no range there."""
    rows = many_rows(1200)  # 66 KB
    rows[-1][6] = "a note\n" * 20_000 if tail == "quoted cell" else "x" * 140_000
    path = tmp_path / "long.csv"
    write(path, rows, [], False)
    one = check(path, 1, "jsonl", capsys)
    for jobs in ("2", "4"):
        args = ["batch", str(path), "--format", "jsonl", "--today", TODAY, "--jobs", jobs, "-v"]
        code, out, err = run_main(args, capsys)
        if jobs == "4":
            assert "2 ranges, starting at bytes" in err
        elif tail == "quoted cell":
            assert re.search(r"a quoted cell runs over byte [0-9,]+: read on here", err)
        else:
            assert "no boundary between records was found near the cuts: one process" in err
            assert "ranges, starting at" not in err
        assert (code, out, summary(err)) == one


def test_inch_marks_do_not_keep_a_file_in_one_process(capsys, tmp_path) -> None:
    """A stray quote (`a 5" ring`: quotes that do not pair up) makes the quote count odd at
    every line end after it. The guess falls back to the first line end past the cut, which
    its reader proves a record boundary: two ranges (it was one process, after a scan of the
    whole part line by line that took longer than checking the file: 5.9 s against 3.4 s for
    1M rows)."""
    path = tmp_path / "inch.csv"
    rows = many_rows(3000, quoted_every=10**9)[1:]  # no quoted line breaks
    write(path, rows, [(10, 'C9,2026-06-01,,damaged,ring,5,a 5" ring\r\n')], crlf=True)
    assert path.read_bytes().count(b'"') == 1
    for fmt in ("csv", "jsonl"):
        one = check(path, 1, fmt, capsys)
        code, out, err = run_main(
            ["batch", str(path), "--format", fmt, "--today", TODAY, "--jobs", "2", "-v"], capsys
        )
        assert "2 ranges, starting at bytes" in err
        assert (code, out, summary(err)) == one


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='a"\n', max_size=40), st.integers(0, 3))
def test_the_guess_is_the_first_line_end_with_an_even_quote_count(text: str, before: int):
    from migems_cli.batch_jobs import _even_line_end

    found = _even_line_end(text.encode(), before)
    ends = [at + 1 for at, char in enumerate(text) if char == "\n"]
    even = [end for end in ends if (before + text[:end].count('"')) % 2 == 0]
    assert found == (even[0] if even else None)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_irregular_quoting_in_the_last_range_is_its_workers(capsys, tmp_path, fmt) -> None:
    """The last range's quoting moves no boundary: its worker checks it whatever its quotes,
    and writes what one process writes (a quote open to the end of the file included)."""
    path = tmp_path / "odd.csv"
    odd = [(1500, 'C9,2026-06-01,,damaged,ring,5,a 5" ring\n'), (1900, 'C8,"open,x\n')]
    write(path, many_rows(2000), odd, False)
    one = check(path, 1, fmt, capsys)
    code, out, err = run_main(
        ["batch", str(path), "--format", fmt, "--today", TODAY, "--jobs", "3", "-v"], capsys
    )
    assert "3 processes" in err
    assert "checked here" not in err
    assert (code, out, summary(err)) == one


def test_a_byte_that_does_not_decode_in_a_worker_range_fails_as_one_process(
    capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr("migems_cli.batch._CHUNK", 256)  # rows are written before the error
    path = tmp_path / "bad.csv"
    write(path, many_rows(2000), [], False)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 3 // 4] + b"\xff" + data[len(data) * 3 // 4 :])
    args = ["batch", str(path), "--format", "csv", "--today", TODAY]
    one = run_main([*args, "--jobs", "1"], capsys)
    several = run_main([*args, "--jobs", "2", "-v"], capsys)
    assert one[0] == several[0] == 2
    assert several[2].splitlines()[-1] == one[2].splitlines()[-1]
    assert one[2].splitlines()[-1].startswith("Error: FILE: cannot be decoded as utf-8-sig")
    # rows before the error are written as they are checked: up to a chunk and a block of
    # decoded text apart, the same rows in the same order
    shorter, longer = sorted((several[1], one[1]), key=len)
    assert longer.startswith(shorter)
    assert shorter.count("\n") > 1000
    output = tmp_path / "out.csv"
    assert run_main([*args, "--jobs", "2", "-o", str(output)], capsys)[0] == 2
    assert not output.exists()


def test_one_process_for_stdin_small_files_and_tables(capsys, tmp_path) -> None:
    path = tmp_path / "small.csv"
    write(path, many_rows(50), [], False)
    code, _, err = run_main(["batch", str(path), "--format", "csv", "--today", TODAY, "-v"], capsys)
    assert "one process: the file is smaller than 4 MiB" in err
    done = run_script(
        "batch", "-", "--format", "csv", "--today", TODAY, "-v", "--jobs", "2",
        stdin=path.read_text(encoding="utf-8"),
    )  # fmt: skip
    assert "one process: the input is standard input" in done.err
    assert done.code == code


def test_a_worker_that_dies_without_a_word_leaves_its_range_to_the_parent(
    capsys, tmp_path, monkeypatch
) -> None:
    import os

    path = tmp_path / "many.csv"
    write(path, many_rows(2000), [], crlf=True)
    one = check(path, 1, "jsonl", capsys)
    monkeypatch.setattr("migems_cli.batch_jobs._work", lambda *args: os._exit(9))
    code, out, err = run_main(
        ["batch", str(path), "--format", "jsonl", "--today", TODAY, "--jobs", "3", "-v"], capsys
    )
    assert "the worker ended without an answer" in err
    assert (code, out, summary(err)) == one


@pytest.mark.parametrize("target", ["file", "pipe", "text"])
def test_a_workers_output_is_copied_byte_for_byte(tmp_path, target: str) -> None:
    """`_copy` sends a worker's bytes after its header with the kernel (a file, a pipe) or,
    onto a text stream, decodes them: the same text either way, after what `out` held."""
    body = "h1,h2\r\n" + "".join(f"é{n},\u2028{n}\r\n" for n in range(50_000))
    with tempfile.TemporaryFile() as sink:
        sink.write(body.encode())
        got = _copied(sink, len(b"h1,h2\r\n"), target, tmp_path)
    expected = "before\n" + body[len("h1,h2\r\n") :] + ("" if target == "text" else "after\n")
    assert got == expected.encode()


def _copied(sink: Any, skip: int, target: str, tmp_path: Path) -> bytes:
    import os
    import threading

    from migems_cli.batch_jobs import _copy

    if target == "text":
        out = io.StringIO()
        out.write("before\n")
        _copy(sink, skip, out)
        return out.getvalue().encode()
    if target == "file":
        path = tmp_path / "out.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("before\n")
            _copy(sink, skip, out)
            out.write("after\n")
        got = path.read_bytes()
    else:
        read_end, write_end = os.pipe()
        chunks: list[bytes] = []
        reader = threading.Thread(
            target=lambda: chunks.extend(iter(lambda: os.read(read_end, 1 << 16), b""))
        )
        reader.start()
        with open(write_end, "w", encoding="utf-8", newline="") as out:
            out.write("before\n")
            _copy(sink, skip, out)
            out.write("after\n")
        reader.join()
        os.close(read_end)
        got = b"".join(chunks)
    return got


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60).map(lambda b: bytes(b"\r\na,"[x % 4] for x in b)),
       st.sampled_from([1, 2, 3, 7, 64]))  # fmt: skip
def test_lines_before_an_offset_count_cr_lf_cr_and_lf_as_a_text_stream_does(
    data: bytes, block: int
) -> None:
    """`_lines_before` reads each block once (CRs only where a block has one), across block
    ends that split a CR LF: what io.TextIOWrapper(newline="") counts as lines."""
    from migems_cli.batch_jobs import _lines_before

    with tempfile.TemporaryFile() as file:
        file.write(data)
        file.flush()
        bytes_ = FileBytes(file.fileno())
        bytes_.BLOCK = block
        for offset in range(len(data) + 1):
            head = data[:offset]
            expected = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")
            assert _lines_before(bytes_, offset) == expected


def _clean_rows(count: int) -> list[list[str]]:
    """Rows that all evaluate (exit 0), with quoted cells (regular quoting: split in ranges)."""
    return [
        [f"C{at}", "2026-06-01", "2026-06-10", "changed-mind", "ring", f"{at % 500}.00", "a,b"]
        for at in range(count)
    ]


def test_a_pipe_closed_while_a_workers_output_is_copied_keeps_the_verdict(tmp_path) -> None:
    """`| head` that goes away while the parent sends a worker's bytes (sendfile, past stdout's
    guard): exit 0 as with one process (every row so far evaluated), not click's exit 1 for
    an EPIPE that reached it; nothing on stderr."""
    import os
    import subprocess

    from tests.helpers import migems_script, script_env

    path = tmp_path / "clean.csv"
    write(path, _clean_rows(12_000), [], crlf=False)
    args = [migems_script(), "batch", str(path), "--today", TODAY]
    env = script_env({"MIGEMS_NO_CACHE": "1"})
    total = len(subprocess.run(args, capture_output=True, env=env, check=True).stdout)
    assert total > 600_000  # the worker's half is far more than a pipe holds
    for jobs in ("1", "2"):
        read_end, write_end = os.pipe()
        process = subprocess.Popen(
            [*args, "--jobs", jobs], stdout=write_end, stderr=subprocess.PIPE, env=env
        )
        os.close(write_end)
        left = total - 200_000  # all of the parent's own half, then into the worker's
        while left > 0:
            left -= len(os.read(read_end, min(left, 1 << 16)))
        os.close(read_end)
        _, err = process.communicate(timeout=60)
        assert (jobs, process.returncode, err) == (jobs, 0, b"")


def test_copying_onto_a_guarded_stdout_whose_reader_went_away_is_quiet() -> None:
    """The guard (stdout_guard) notes the closed pipe and drops the rest: no BrokenPipeError."""
    import os

    from migems_cli import stdout_guard
    from migems_cli.batch_jobs import _copy

    read_end, write_end = os.pipe()
    os.close(read_end)
    sink = stdout_guard._Sink(write_end)
    out = stdout_guard._wrap(sink, None, False)
    with tempfile.TemporaryFile() as worker:
        worker.write(b"h\r\n" + b"x,y\r\n" * 100_000)
        _copy(worker, 3, out)
    out.flush()
    assert sink.closed_pipe
    os.close(write_end)


def test_an_error_part_way_through_sendfile_goes_the_ordinary_way(monkeypatch, tmp_path) -> None:
    """A disk that fills while the kernel copies a worker's output (ENOSPC after some bytes):
    the rest goes through stdout's own writer from where the kernel stopped (nothing twice,
    nothing lost), so a full disk is the guard's one-line error (exit 2), not an OSError
    traceback (exit 1) as it was with `batch --jobs 2 > file` on a full file system."""
    import errno
    import os

    from migems_cli import batch_jobs, stdout_guard

    real = os.sendfile
    calls: list[int] = []

    def full_after_one_call(out: int, source: int, offset: int, count: int) -> int:
        calls.append(offset)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(out, source, offset, min(count, 12_345))

    monkeypatch.setattr(batch_jobs.os, "sendfile", full_after_one_call)
    body = b"h\r\n" + b"".join(b"%d,\xc3\xa9\r\n" % n for n in range(50_000))
    with tempfile.TemporaryFile() as worker:
        worker.write(body)
        path = tmp_path / "out.csv"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        out = stdout_guard._wrap(stdout_guard._Sink(fd), None, False)
        batch_jobs._copy(worker, 3, out)  # the rest written the ordinary way
        out.flush()
        os.close(fd)
        assert path.read_bytes() == body[3:]
        assert calls[:2] == [3, 3 + 12_345]
        calls.clear()
        fd = os.open("/dev/full", os.O_WRONLY)
        out = stdout_guard._wrap(stdout_guard._Sink(fd), None, False)
        with pytest.raises(stdout_guard.OutputError):  # the guard's error: exit 2, one line
            batch_jobs._copy(worker, 3, out)  # (a block over the buffer's size: written now)
        os.close(fd)


@pytest.mark.parametrize("kernel", ["sends nothing", "stops half way", "not linux"])
def test_what_the_kernel_does_not_copy_goes_through_the_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: str
) -> None:
    """sendfile that copies nothing (or stops part way) must neither loop for ever nor lose
    or repeat a byte; off Linux the buffer copies it all."""
    import os
    import sys

    from migems_cli import batch_jobs

    real = os.sendfile
    if kernel == "sends nothing":
        monkeypatch.setattr(os, "sendfile", lambda *args: 0)
    elif kernel == "stops half way":
        sent: list[int] = []

        def half(target: int, source: int, offset: int, count: int) -> int:
            if sent:
                return 0
            sent.append(real(target, source, offset, count // 2))
            return sent[0]

        monkeypatch.setattr(os, "sendfile", half)
    else:
        monkeypatch.setattr(sys, "platform", "darwin")
    body = "h\r\n" + "".join(f"row {n},é\r\n" for n in range(20_000))
    with tempfile.TemporaryFile() as sink:
        sink.write(body.encode())
        path = tmp_path / "out.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("before\n")
            batch_jobs._copy(sink, len(b"h\r\n"), out)
    assert path.read_bytes() == ("before\n" + body[len("h\r\n") :]).encode()


def test_a_signal_in_a_workers_first_moments_ends_it_quietly(tmp_path: Path) -> None:
    """A worker signalled while the fork's hooks still run in it (the parent ending it early,
    a Ctrl-C to the group) has the parent's handlers, which raise SystemExit there: Python
    printed 'Exception ignored in: <function _after_fork ...>' and a traceback. The parent
    holds the terminating signals back until the worker has set its own: the worker then ends
    quietly, and the parent checks its range as one process would."""
    import subprocess
    import sys

    from tests.helpers import script_env

    path = tmp_path / "many.csv"
    write(path, many_rows(2000), [], crlf=False)
    out = tmp_path / "out.csv"
    script = (
        "import os, signal, sys\n"
        "from migems_cli import exit_on_signals\n"
        "exit_on_signals()\n"
        "from migems_cli.cli import main\n"
        # every forked worker is sent SIGTERM while the fork's hooks run in it
        "os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGTERM))\n"
        "main(sys.argv[1:])\n"
    )
    args = ["batch", str(path), "--today", TODAY, "--jobs", "2", "-v"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args, "-o", str(out)],
        capture_output=True,
        text=True,
        env=script_env({"MIGEMS_NO_CACHE": "1"}),
        timeout=60,
    )
    alone = subprocess.run(
        [sys.executable, "-m", "migems_cli", *args[:-3], "--jobs", "1"],
        capture_output=True,
        text=True,
        env=script_env({"MIGEMS_NO_CACHE": "1"}),
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert "the worker ended without an answer" in done.stderr
    assert done.returncode == alone.returncode == 1
    assert out.read_text(encoding="utf-8") == alone.stdout


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds workers in /proc")
def test_workers_end_soon_after_their_parent_is_killed(tmp_path: Path) -> None:
    """`kill -9` of migems leaves its workers without a reader: each ends at its next chunk
    instead of checking the rest of its range into a file nobody will copy (here, chunks of 16
    rows made to take 20 ms each: a range of seconds)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.helpers import script_env

    path = tmp_path / "orphans.csv"
    write(path, many_rows(3000), [], crlf=False)
    script = (
        "import sys, time\n"
        "from migems_cli import batch, exit_on_signals\n"
        "exit_on_signals()\n"
        "batch._CHUNK = 16\n"
        "real = batch.Evaluator.evaluate_chunk\n"
        "def slow(self, rows):\n"
        "    time.sleep(0.02)\n"
        "    return real(self, rows)\n"
        "batch.Evaluator.evaluate_chunk = slow\n"
        "from migems_cli.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    args = ["batch", str(path), "--today", TODAY, "--jobs", "2", "-v", "-o", str(tmp_path / "o")]
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=script_env({"MIGEMS_NO_CACHE": "1"}),
    )
    assert process.stderr is not None
    assert "the file cut near bytes" in process.stderr.readline().decode()

    def workers() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    command = file.read()
            except OSError:
                continue
            if entry.isdigit() and int(entry) != process.pid and str(path).encode() in command:
                found.append(int(entry))
        return found

    deadline = time.monotonic() + 10
    while not workers() and time.monotonic() < deadline:  # forked once the policy is loaded
        time.sleep(0.01)
    assert workers()
    time.sleep(0.2)  # into their ranges
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    process.stderr.close()
    deadline = time.monotonic() + 1
    while workers() and time.monotonic() < deadline:
        time.sleep(0.02)
    left = workers()
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_one_process_says_its_peak_memory_with_v(capsys, tmp_path) -> None:
    """-v says the peak of a run in one process too (bench/batch.py reads it: wait4's figure
    would be the benchmark's own when larger)."""
    path = tmp_path / "few.csv"
    write(path, many_rows(50), [], crlf=False)
    code, _, err = run_main(["batch", str(path), "--today", TODAY, "--jobs", "1", "-v"], capsys)
    assert code in (0, 1)
    peaks = re.findall(r"^migems batch: peak RSS: ([0-9.]+) MiB$", err, re.MULTILINE)
    assert len(peaks) == 1
    assert float(peaks[0]) > 5  # (in process: this test runner's own peak, whatever it is)
