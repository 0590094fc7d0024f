"""Issue 9's I/O attacks: odd --output targets, huge cells, closed or full stdout, non-text
encodings, misleading line numbers, and signals. Each test reproduces an attack that once
replaced a device, lost rows, printed a traceback or exited with a misleading code."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migems_cli.records import CELL_CAP, RecordReader
from tests.helpers import assert_bad_input, csv_reference

MIGEMS = shutil.which("migems", path=str(Path(sys.executable).parent))
needs_script = pytest.mark.skipif(MIGEMS is None, reason="the console script is not installed")
TODAY = "2026-01-31"
CLAIMS = "claim_id,delivered,category,price\nA,2026-01-20,rings,10\nB,2026-01-21,rings,20\n"


def _batch(run, *args: str):
    return run("batch", *args, "--today", TODAY)


def _claims(n: int) -> bytes:
    lines = ["claim_id,delivered,requested,reason,category,price"]
    lines += [f"C{i},2025-06-{1 + i % 28:02d},2025-07-01,damaged,rings,{i % 500}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def _default_sigint() -> None:
    """In the child: the terminating signals as an interactive shell leaves them, even when
    pytest runs as a background job (which ignores SIGINT and SIGQUIT) or under nohup (SIGHUP):
    a child would inherit that, and migems rightly leaves an ignored signal ignored."""
    for signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


# --- 2. --output replaces nothing but a regular file that is not the input --------------------


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(CLAIMS, encoding="utf-8")
    return path


def _assert_refused(result, target: Path, named: str) -> None:
    assert_bad_input(result.code, result.out, result.err, "--output")
    assert named in result.err
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_output_refuses_a_fifo(run, source, tmp_path):
    target = tmp_path / "fifo"
    os.mkfifo(target)
    _assert_refused(_batch(run, str(source), "--output", str(target)), target, "FIFO")
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_output_refuses_a_device_node(run, source, tmp_path):
    """A device made in tmp_path: never aim a test at the real /dev/null (as root, the bug
    turned it into a regular file)."""
    target = tmp_path / "null"
    try:
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    _assert_refused(_batch(run, str(source), "--output", str(target)), target, "device")
    assert stat.S_ISCHR(os.lstat(target).st_mode)


def test_output_refuses_a_symlink_and_leaves_link_and_target(run, source, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("previous\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    _assert_refused(_batch(run, str(source), "--output", str(link)), link, "symbolic link")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "previous\n"


def test_output_refuses_a_dangling_symlink(run, source, tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    _assert_refused(_batch(run, str(source), "--output", str(link)), link, "symbolic link")
    assert link.is_symlink()
    assert not (tmp_path / "nowhere.csv").exists()


def test_output_refuses_a_directory(run, source, tmp_path):
    target = tmp_path / "folder"
    target.mkdir()
    result = _batch(run, str(source), "--output", str(target))
    assert_bad_input(result.code, result.out, result.err, "--output")
    assert target.is_dir()


def test_output_refuses_the_input_file(run, source):
    result = _batch(run, str(source), "--output", str(source))
    _assert_refused(result, source, "input")
    assert source.read_text(encoding="utf-8") == CLAIMS


def test_output_refuses_the_input_by_another_path_or_a_hard_link(run, source, tmp_path):
    other_path = tmp_path / "." / ".." / tmp_path.name / "in.csv"
    _assert_refused(_batch(run, str(source), "--output", str(other_path)), source, "input")
    hard = tmp_path / "hard.csv"
    os.link(source, hard)
    _assert_refused(_batch(run, str(hard), "--output", str(source)), source, "input")
    assert source.read_text(encoding="utf-8") == CLAIMS


def test_output_refuses_the_file_stdin_reads(run, source, monkeypatch):
    with source.open("rb") as handle:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(handle))
        result = _batch(run, "-", "--output", str(source))
    _assert_refused(result, source, "input")
    assert source.read_text(encoding="utf-8") == CLAIMS


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_output_refuses_a_read_only_file(run, source, tmp_path, mode):
    """Read-only by its mode bits: no write bit set. Root may write anything, so os.access
    alone would let root replace it; the bits say what the owner meant."""
    target = tmp_path / "checked.csv"
    target.write_text("previous\n", encoding="utf-8")
    target.chmod(mode)
    _assert_refused(_batch(run, str(source), "--output", str(target)), target, "read-only")
    target.chmod(0o600)
    assert target.read_text(encoding="utf-8") == "previous\n"


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664, 0o200])
def test_replacing_a_regular_file_keeps_its_mode(run, source, tmp_path, mode):
    target = tmp_path / "checked.csv"
    target.write_text("previous\n", encoding="utf-8")
    target.chmod(mode)
    result = _batch(run, str(source), "--output", str(target))
    assert result.code == 0
    assert stat.S_IMODE(target.stat().st_mode) == mode
    target.chmod(0o600)
    assert target.read_text(encoding="utf-8").startswith("claim_id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checked.csv", "in.csv"]


def test_output_in_a_missing_folder_is_one_clear_line(run, source, tmp_path):
    result = _batch(run, str(source), "--output", str(tmp_path / "no" / "such" / "x.csv"))
    assert_bad_input(result.code, result.out, result.err, "--output")
    assert "does not exist" in result.err


def test_output_under_a_file_is_one_clear_line(run, source, tmp_path):
    result = _batch(run, str(source), "--output", str(source / "x.csv"))
    assert_bad_input(result.code, result.out, result.err, "--output")
    assert source.read_text(encoding="utf-8") == CLAIMS


# --- 5. huge cells ----------------------------------------------------------------------------


def test_a_cell_over_the_cap_is_cut_and_the_rows_after_it_are_written(run, tmp_path):
    source = tmp_path / "in.csv"
    huge = "x" * (CELL_CAP + 10)
    source.write_text(
        "claim_id,delivered,note\nA,2026-01-20,a\nB,2026-01-20," + huge + "\nC,2026-01-20,c\n",
        encoding="utf-8",
    )
    result = _batch(run, str(source), "--format", "csv")
    assert result.code == 1
    rows = list(csv.DictReader(io.StringIO(result.out, newline="")))
    assert [row["claim_id"] for row in rows] == ["A", "B", "C"]
    assert rows[1]["note"] == "x" * CELL_CAP
    assert "note" in rows[1]["error"]
    assert "cut" in rows[1]["error"]
    assert rows[1]["decision"] == ""
    assert [rows[0]["decision"], rows[2]["decision"]] == [
        "review",
        "review",
    ]  # no category column: review
    assert "1 error (line 3)" in result.err


def test_a_cell_at_the_cap_is_kept_whole(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "claim_id,delivered,note\nB,2026-01-20," + "y" * CELL_CAP + "\n", encoding="utf-8"
    )
    result = _batch(run, str(source), "--format", "jsonl")
    assert result.code == 0
    assert '"note": "' + "y" * CELL_CAP + '"' in result.out


def test_an_unclosed_quote_over_the_cap_is_one_row_and_the_file_goes_on(run, tmp_path):
    """Short lines joined by a quote left open: the cell grows past the cap; it is cut, the
    row gets an error, and the record ends where the quote closes."""
    source = tmp_path / "in.csv"
    filler = "".join(f"line {i} of a long note\n" for i in range(CELL_CAP // 20))
    source.write_text(
        'claim_id,delivered,note\nA,2026-01-20,"' + filler + '"\nB,2026-01-20,b\n',
        encoding="utf-8",
    )
    result = _batch(run, str(source), "--format", "jsonl")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert '"claim_id": "A"' in lines[0]
    assert "note: " in lines[0]
    assert "cut" in lines[0]
    assert '"claim_id": "B"' in lines[1]
    assert '"decision": "review"' in lines[1]


def test_a_header_cell_over_the_cap_is_exit_2_naming_line_1(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("claim_id,delivered," + "h" * (CELL_CAP + 1) + "\n", encoding="utf-8")
    result = _batch(run, str(source))
    assert_bad_input(result.code, result.out, result.err, "line 1")


_PIECES = ["a", "b", "xyzw", ",", ";", '"', '""', "\n", "\r", "\r\n", "é"]


def _reference(text: str, delimiter: str, cap: int) -> tuple[list[tuple[int, list[str]]], bool]:
    """csv.reader's records (start line, cells), each cell cut to `cap` characters, and
    whether the last one is a quote left open at the end (see `csv_reference`)."""
    return csv_reference(text, delimiter, cap)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=50).map("".join),
    st.sampled_from([",", ";"]),
    st.sampled_from([1, 2, 3, 8]),
    st.sampled_from([1, 2, 4, 1024]),
    st.sampled_from([1, 2, 3, 1024]),
)
def test_records_with_a_small_cap_are_csv_readers_cut(text, delimiter, size, cap, piece):
    """Any text, read with a tiny cap and line piece (so that long lines and long cells
    happen everywhere): the same records from the same lines as csv.reader, cells cut at the
    cap, and the cut cells named."""
    limit = csv.field_size_limit()
    try:
        source = RecordReader(io.StringIO(text, newline=""), delimiter, cap=cap, piece=piece)
        found = []
        cut = []
        unclosed = []
        for chunk in source.chunks(size):
            found += zip(chunk.starts, chunk.records, strict=True)
            for at, damage in (chunk.cut or {}).items():
                if damage.cut:
                    cut.append((chunk.starts[at], list(damage.cut)))
                if damage.unclosed:
                    unclosed.append(chunk.starts[at])
    finally:
        csv.field_size_limit(limit)
    expected, open_at_end = _reference(text, delimiter, cap)
    long_cells = _reference(text, delimiter, cap + 1)[0]
    cut_expected = [
        (start, [at for at, cell in enumerate(cells) if len(cell) > cap])
        for start, cells in long_cells
        if any(len(cell) > cap for cell in cells)
    ]
    if open_at_end:  # that record is flagged, the lines after its quote's line read again
        start = expected.pop()[0]
        assert found[: len(expected)] == expected
        assert found[len(expected)][0] == start
        assert unclosed[0] == start
        cut = [entry for entry in cut if entry[0] < start]
        cut_expected = [entry for entry in cut_expected if entry[0] < start]
    else:
        assert found == expected
        assert unclosed == []
    assert cut == cut_expected
    assert source.line_num == len(io.StringIO(text, newline="").readlines())


@needs_script
def test_a_64_mb_cell_keeps_memory_flat(tmp_path):
    """The issue measured 430 MB for a 200 MB cell; here a 64 MB one must stay far below
    (a process of this size peaks at about 30 MiB)."""
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8") as handle:
        handle.write("claim_id,delivered,note\nA,2026-01-20,")
        for _ in range(64):
            handle.write("z" * (1 << 20))
        handle.write("\nB,2026-01-20,b\n")
    out = tmp_path / "out.csv"
    code, peak = _exit_and_peak(str(MIGEMS), "batch", str(source), "-o", str(out))
    assert code == 1
    assert peak < 60  # MiB
    lines = out.read_bytes().split(b"\r\n")
    assert [line[:2] for line in lines] == [b"cl", b"A,", b"B,", b""]
    assert lines[1].startswith(b"A,2026-01-20," + b"z" * CELL_CAP + b",,")


@needs_script
def test_lines_near_the_read_limit_keep_memory_flat(tmp_path):
    """Lines just under the length read whole (64 KiB) are taken a few dozen at a time: a chunk
    holds a few MiB of them, not 256 (16 MiB of text, 131 MiB at peak)."""
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8") as handle:
        handle.write("claim_id,delivered,price,note\n")
        for at in range(300):
            handle.write(f"C{at},2026-01-20,120.00," + "x" * 65_000 + "\n")
    out = tmp_path / "out.csv"
    code, peak = _exit_and_peak(str(MIGEMS), "batch", str(source), "--jobs", "1", "-o", str(out))
    assert code == 0
    assert peak < 60  # MiB
    assert out.read_bytes().count(b"\r\n") == 301


def _exit_and_peak(*command: str) -> tuple[int, float]:
    """The exit code and peak RSS (MiB) of `command`, measured from a small intermediate Python:
    a child forked from pytest itself counts the pages it shared with pytest before exec in its
    peak (Linux), over 100 MiB here."""
    measure = (
        "import os, sys\n"
        "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)\n"
        "_, status, usage = os.wait4(pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, *command],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=True,
    )
    code, peak = map(int, done.stdout.split())
    return code, peak / 1024


# --- 6. closed or full stdout -----------------------------------------------------------------

COMMANDS = {
    "check eligible": (["check", "--delivered", "2026-01-20", "--category", "rings"], 0),
    "check ineligible": (["check", "--delivered", "2025-01-20", "--category", "rings"], 1),
    "check review": (["check", "--delivered", "2026-01-20", "--reason", "damaged"], 3),
    "batch": (["batch", "IN", "--format", "csv"], 0),
    "batch with errors": (["batch", "BAD", "--format", "csv"], 1),
    "batch jsonl": (["batch", "IN", "--json"], 0),
    "batch table": (["batch", "IN", "--format", "table"], 0),
    "refund": (["refund", "--price", "120", "--received", "2026-01-20"], 0),
    "deadlines": (["deadlines", "--delivered", "2026-01-20"], 0),
    "status": (["status", "processing"], 0),
    "status json": (["status", "processing", "--json"], 0),
    "ring-size": (["ring-size", "--us", "7"], 0),
    "policy show": (["policy", "show"], 0),
    "policy show json": (["policy", "show", "--json"], 0),
    "help": (["--help"], 0),
}


def _argv(args: list[str], tmp_path: Path) -> list[str]:
    good = tmp_path / "good.csv"
    good.write_bytes(_claims(3_000))
    bad = tmp_path / "bad.csv"
    header, _, rows = _claims(3_000).partition(b"\n")
    bad.write_bytes(header + b"\nX,2026-02-30,,damaged,rings,1\n" + rows)  # a bad first row
    paths = {"IN": str(good), "BAD": str(bad)}
    return [str(MIGEMS), *(paths.get(arg, arg) for arg in args)]


def _env() -> dict[str, str]:
    return dict(os.environ, MIGEMS_TODAY=TODAY, NO_COLOR="1", COLUMNS="100")


@needs_script
@pytest.mark.parametrize("name", list(COMMANDS))
def test_full_stdout_is_exit_2_with_one_line(name, tmp_path):
    args, _ = COMMANDS[name]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            _argv(args, tmp_path),
            stdout=full,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=60,
            check=False,
        )
    assert done.stderr.decode() == "Error: cannot write output: No space left on device\n"
    assert done.returncode == 2


@needs_script
@pytest.mark.parametrize("name", list(COMMANDS))
def test_closed_stdout_is_quiet_and_keeps_the_verdict(name, tmp_path):
    """The reader is gone before the first byte (`| true`): no message, and the exit code the
    command would have had: check's verdict, batch's 0 or 1, 0 for the others."""
    args, verdict = COMMANDS[name]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            _argv(args, tmp_path),
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode == verdict


@needs_script
@pytest.mark.parametrize(("file", "verdict"), [("IN", 0), ("BAD", 1)])
def test_batch_into_head_keeps_its_verdict(file, verdict, tmp_path):
    argv = _argv(["batch", file, "--format", "csv"], tmp_path)
    head = subprocess.Popen(["head", "-2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert head.stdin is not None
    batch = subprocess.Popen(argv, stdout=head.stdin, stderr=subprocess.PIPE, env=_env())
    head.stdin.close()  # the reader is head alone
    assert head.stdout is not None
    out = head.stdout.read()
    head.stdout.close()
    head.wait(timeout=30)
    _, err = batch.communicate(timeout=30)
    assert out.count(b"\n") == 2
    assert err == b""
    done = batch
    # rows after the pipe closed are not read: the verdict is that of the rows evaluated
    assert done.returncode == verdict


# --- 8. --encoding names only a text encoding -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "rot13",
        "base64",
        "hex",
        "zlib_codec",
        "bz2",
        "uu",
        "punycode",
        "idna",
        "unicode_escape",
        "raw_unicode_escape",
        "undefined",
    ],
)
def test_encodings_that_do_not_read_text_files_are_exit_2(run, source, name):
    result = _batch(run, str(source), "--encoding", name)
    assert_bad_input(result.code, result.out, result.err, "--encoding")
    assert "utf-8" in result.err
    assert "cp1252" in result.err


@pytest.mark.parametrize("name", ["utf-8", "UTF8", "latin-1", "cp1252", "utf-16", "mac-roman"])
def test_text_encodings_are_accepted(run, tmp_path, name):
    source = tmp_path / "in.csv"
    source.write_bytes(CLAIMS.encode(name))
    result = _batch(run, str(source), "--encoding", name, "--format", "csv")
    assert result.code == 0, result.err


# --- 9. errors that name the right line -------------------------------------------------------


@pytest.mark.parametrize("bad_line", [2, 102, 1000, 5000])
def test_an_undecodable_byte_is_reported_on_its_own_line(run, tmp_path, bad_line):
    lines = [b"claim_id,delivered,note"]
    lines += [b"C%d,2026-01-20,plain" % i for i in range(2, 6000)]
    lines[bad_line - 1] = b"C,2026-01-20,caf\xe9"
    source = tmp_path / "in.csv"
    source.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = _batch(run, str(source), "--output", str(tmp_path / "out.csv"))
    assert_bad_input(result.code, result.out, result.err, f"line {bad_line}")
    assert not (tmp_path / "out.csv").exists()
    assert "near" not in result.err


def test_an_undecodable_byte_on_stdin_is_reported_on_its_own_line(run, monkeypatch):
    data = b"claim_id,delivered\n" + b"A,2026-01-20\n" * 300 + b"B,\xff\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = _batch(run, "-")
    assert_bad_input(result.code, result.out, result.err, "line 302")


def test_an_unclosed_quote_says_where_it_may_have_started(run, tmp_path):
    source = tmp_path / "in.csv"
    body = "".join(f"C{i},2026-01-20,ok\n" for i in range(3, 300))
    source.write_text(
        'claim_id,delivered,note\n"A,2026-01-20,oops\n' + body + "Z,2026-01-20,ok\n",
        encoding="utf-8",
    )
    result = _batch(run, str(source), "--format", "jsonl")
    assert result.code == 1
    first, *rest = result.out.splitlines()
    assert (
        "an unclosed quote in column 'claim_id' on line 2 runs to the end of the file: the cell "
        "ends with line 2, lines 3-300 are read as rows; fix the quote"
    ) in first
    assert len(rest) == 298  # the lines the quote took are rows again, evaluated
    assert all('"error": null' in line for line in rest)


def test_a_failing_row_without_line_breaks_has_no_quote_note(run, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text('claim_id,delivered,note\nA,nope,"x\ny"\nB,nope,z\n', encoding="utf-8")
    result = _batch(run, str(source), "--format", "jsonl")
    first, second = result.out.splitlines()
    assert "unclosed quote may have joined lines from line 2" in first
    assert "quote" not in second


# --- 11. signals ------------------------------------------------------------------------------


def _start_batch(tmp_path: Path, target: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(MIGEMS), "batch", "-", "--output", str(target), "--today", TODAY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    assert process.stdin is not None
    process.stdin.write(_claims(20_000))  # part of the input; the run waits for the rest
    process.stdin.flush()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the temporary file exists: the run is under way
        if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            break
        time.sleep(0.02)
    return process


@needs_script
@pytest.mark.parametrize(
    "signum",
    [signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT],
)
def test_a_terminating_signal_leaves_the_target_untouched_and_no_temporary_file(tmp_path, signum):
    target = tmp_path / "checked.csv"
    target.write_text("previous\n", encoding="utf-8")
    process = _start_batch(tmp_path, target)
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    process.send_signal(signum)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 128 + signum
    assert b"Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["checked.csv"]
    assert target.read_text(encoding="utf-8") == "previous\n"


def _catches(pid: int, signum: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


@needs_script
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@pytest.mark.parametrize("delay", [0.0, 0.03])
def test_ctrl_c_during_start_up_exits_130_without_a_traceback(delay):
    """From the moment migems' own code runs (its handlers show in /proc), Ctrl-C is 130.
    The command waits on an open standard input once started, so it is still running when the
    signal comes, however fast the machine (`status` could finish within the delay)."""
    process = subprocess.Popen(
        [str(MIGEMS), "batch", "-", "--format", "csv", "--today", TODAY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 10
    while not _catches(process.pid, signal.SIGHUP) and time.monotonic() < deadline:
        time.sleep(0.0005)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert (process.returncode, err) == (130, b"")


def test_the_early_handlers_are_installed_when_the_package_is_imported_as_migems():
    code = (
        "import sys, os, signal\n"
        "sys.argv[0] = '/usr/bin/migems'\n"
        "import migems_cli\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "import time; time.sleep(5)\n"
        "print('not interrupted')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        timeout=30,
        check=False,
        preexec_fn=_default_sigint,
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, b"", b"")


def test_importing_the_package_elsewhere_leaves_signals_alone():
    code = (
        "import signal\n"
        "before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]\n"
        "import migems_cli.cli\n"
        "after = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]\n"
        "assert before == after, (before, after)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def _gc_thresholds(code: str) -> tuple[list[int], list[int]]:
    """The collector's thresholds in a fresh interpreter before and after `code` ran."""
    script = (
        "import gc, json, sys\n"
        "before = gc.get_threshold()\n"
        f"{code}\n"
        "print(json.dumps([before, gc.get_threshold()]), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    before, after = json.loads(done.stderr.strip().splitlines()[-1])
    return before, after


@pytest.mark.parametrize(
    "code",
    [
        "sys.argv[0] = '/usr/bin/migems'\nimport migems_cli",  # the console script
        # python -m migems_cli (its main() exits: the thresholds are read after)
        "import runpy\nsys.argv = ['migems_cli', '--version']\n"
        "try:\n    runpy.run_module('migems_cli', run_name='__main__')\n"
        "except SystemExit:\n    pass",
    ],
)
def test_a_run_of_migems_lets_the_collector_wait_out_start_up(code: str) -> None:
    from migems_cli import START_GC_ALLOCATIONS

    before, after = _gc_thresholds(code)
    assert before[0] < START_GC_ALLOCATIONS  # (the interpreter's default: 700; 2,000 on 3.13)
    assert after == [START_GC_ALLOCATIONS, *before[1:]]


def test_importing_the_package_elsewhere_leaves_the_collector_alone() -> None:
    before, after = _gc_thresholds("import migems_cli.cli")
    assert after == before


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize(
    "args",
    [
        ["status", "processing"],
        ["check", "--delivered", "2026-11-20", "--category", "rings", "--today", "2026-11-26"],
        ["--help"],
        ["check", "--help"],
    ],
)
def test_a_terminal_that_cannot_show_every_character_gets_a_question_mark_not_a_traceback(
    encoding: str, args: list[str]
) -> None:
    """PYTHONIOENCODING=ascii (or Latin-1, which has '·' but not '…' or '─'): what the
    terminal cannot show was a UnicodeEncodeError traceback from rich, exit 1."""
    from tests.helpers import migems_script, script_env

    env = script_env({"PYTHONIOENCODING": encoding, "MIGEMS_NO_CACHE": "1", "COLUMNS": "100"})
    done = subprocess.run(
        [migems_script(), *args], capture_output=True, env=env, check=False, timeout=60
    )
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert "Error" not in err
    assert out.strip()
    if args[-1] != "--help":  # the footer: '·' shown where it can be, else replaced
        mark = "?" if encoding == "ascii" else "\u00b7"
        assert f"Policy version 1 from 2026-11-26 {mark} " in out


@pytest.mark.parametrize(
    "variables",
    [
        {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        {"PYTHONIOENCODING": "ascii:surrogateescape"},
    ],
    ids=["C-locale", "surrogateescape"],
)
@pytest.mark.parametrize(
    "args",
    [
        ["status", "processing"],
        ["check", "--delivered", "2026-11-20", "--category", "rings", "--today", "2026-11-26"],
    ],
)
def test_the_c_locale_terminal_gets_a_question_mark_not_a_traceback(
    variables: dict[str, str], args: list[str]
) -> None:
    """The C locale without UTF-8 mode gives stdout ASCII with errors=surrogateescape, not
    strict: the footer's '\u00b7' was still a UnicodeEncodeError traceback, exit 1."""
    from tests.helpers import migems_script, script_env

    env = script_env({**variables, "MIGEMS_NO_CACHE": "1", "COLUMNS": "100"})
    for name in {"LC_ALL", "PYTHONIOENCODING"} - set(variables):
        env.pop(name, None)
    done = subprocess.run(
        [migems_script(), *args], capture_output=True, env=env, check=False, timeout=60
    )
    err = done.stderr.decode("ascii", "replace")
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert b"Policy version 1 from 2026-11-26 ? " in done.stdout


def test_surrogate_escapes_still_go_out_as_the_bytes_they_came_from() -> None:
    """Where stdout's errors are surrogateescape, bytes that came in undecodable go out as
    they came (the replacement only covers what has no byte to go back to)."""
    import io

    from migems_cli import stdout_guard

    like = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="surrogateescape")
    read, write = os.pipe()
    try:
        out = stdout_guard._wrap(io.FileIO(write, "w", closefd=False), like, True)
        out.write("caf\udce9 \u00b7\n")
        out.flush()
        assert os.read(read, 100) == b"caf\xe9 ?\n"
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "ascii:surrogateescape"])
@pytest.mark.parametrize(
    "args",
    [
        ["ring-size", "--uk", "G\u00bd", "--json"],  # 'F½', 'G½': the chart's UK sizes
        ["check", "--delivered", "2026-11-20", "--category", "bagu\u00e9\u2019", "--json"],
    ],
)
def test_json_on_a_terminal_that_cannot_show_every_character_is_the_same_data(
    encoding: str, args: list[str]
) -> None:
    """'?' for what an ASCII or Latin-1 stdout cannot show is for people; a JSON document
    there (scripts: LANG=C, PYTHONIOENCODING) must still load to the very same data, its
    other characters escaped (\\u00bd), not 'G?'."""
    import json

    from tests.helpers import migems_script, script_env

    def document(variables: dict[str, str], codec: str) -> tuple[int, object]:
        env = script_env({**variables, "MIGEMS_NO_CACHE": "1", "MIGEMS_TODAY": "2026-11-26"})
        done = subprocess.run(
            [migems_script(), *args], capture_output=True, env=env, check=False, timeout=60
        )
        return done.returncode, json.loads(done.stdout.decode(codec))

    utf8 = document({"PYTHONIOENCODING": "utf-8"}, "utf-8")
    assert "\u00bd" in json.dumps(utf8, ensure_ascii=False) or "\u00e9" in str(utf8)
    codec = encoding.partition(":")[0]
    assert document({"PYTHONIOENCODING": encoding}, codec) == utf8


def test_the_log_csv_export_is_utf8_on_an_ascii_stdout(tmp_path) -> None:
    """`log --format csv` is data, like batch's CSV: UTF-8 whatever the terminal, not 'Zo?'
    (the '?' of an ASCII stdout is for people; before it, this was a traceback)."""
    from tests.helpers import migems_script, script_env

    env = script_env(
        {"MIGEMS_NO_CACHE": "1", "MIGEMS_JOURNAL": str(tmp_path / "j.sqlite3"),
         "MIGEMS_TODAY": "2026-11-26"}
    )  # fmt: skip
    record = [migems_script(), "check", "--delivered", "2026-11-20", "--category", "rings"]
    record += ["--record", "--agent", "Zo\u00eb", "--order", "A1"]
    subprocess.run(record, capture_output=True, env=env, check=True, timeout=60)
    done = subprocess.run(
        [migems_script(), "log", "--format", "csv"],
        capture_output=True,
        env={**env, "PYTHONIOENCODING": "ascii"},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert ",Zo\u00eb,A1," in done.stdout.decode("utf-8")
