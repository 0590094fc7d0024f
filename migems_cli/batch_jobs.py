"""`batch --jobs N`: a large input file checked by several processes, output in input order.

The file is cut into byte ranges near equal parts. Each range but the first is checked by a
forked worker with its own `Evaluator`: it finds where its range starts (just after a line feed
near its cut, one with an even number of quote characters before it where there is one: outside
every quoted cell, when quotes pair up; see `_starts`), counts the lines before that, tells the
parent, and writes its output into an unlinked temporary file. The parent checks the first
range itself, writing as it goes: it learns where that range ends (the next worker's start)
only when its reading gets there, long after the worker has said. Once the ranges before a
worker's are written, the parent copies that worker's output. Rows, order and bytes are those
of one process (a property test says so).

No guess about quoting is trusted: each range's reader proves its end. A range whose reading
ends between two records ends where the whole file's reading has a record boundary (the csv
state machine is then at a record's start, on the same bytes), so the next range starts at one
too. A range that ends inside a quoted cell (quotes that do not pair up before it: `5" ring`)
is read on by its reader, as one process reads it, to the end of the file (see
`RecordReader`'s `more`), and the ranges after it are not used. A worker that fails in any way (a
byte its encoding cannot decode, say) leaves its range to the parent, which checks it from its
start to the end of the file, exactly as one process would.

Used only where it can be exact and pays off: a regular file, an encoding in which a line feed
and a quote are single bytes that no other character contains, csv or jsonl to a file or pipe,
and, by default, a file over `AUTO_BYTES`. Anything else runs in one process (`-v` says why).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import IO, Any, TextIO

from migems_cli import run_control
from migems_cli.batch import Evaluator, Layout, Summary, evaluate_chunks
from migems_cli.output_file import hold_signals, release_signals, terminating_signals
from migems_cli.records import RecordReader
from migems_cli.render.batch_formats import WRITERS, Format

MAX_JOBS_PER_CORE = 4  # --jobs N is capped at this many processes a usable core
AUTO_BYTES = 4 << 20  # by default, a smaller file runs in one process: forking costs more
# Encodings in which b"\n", b"\r", b'"' and the delimiters are those characters, and only them
_BYTE_SAFE = {"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252", "iso8859-15"}
_LINE_END = re.compile(rb"\r\n|\r|\n")
_MiB = 1 << 20
# Scanning a byte before a range (for quotes, then for line ends) costs about this fraction of
# checking it: 62 ms for the 47 MB before the cut of the 1M-row benchmark, checked in 3.4 s.
_SCAN_COST = 27
_NEAR = 1 << 16  # how far past a cut a line end with an even quote count is looked for


@dataclass(frozen=True, slots=True)
class Plan:
    """How a file is cut: its rows start at byte `first`, after `lines` lines; each range after
    the first starts near a cut (its worker finds where: see `_starts`); `size`: the file's."""

    first: int
    lines: int
    cuts: tuple[int, ...]
    size: int


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split(
    raw: IO[bytes],
    records: RecordReader,
    jobs: int | None,
    encoding: str,
    fmt: Format,
    to_terminal: bool,
) -> tuple[Plan | None, str]:
    """How to cut the file for several processes (None: one process), and a sentence saying
    why. Reads no more than the header's lines: the workers find their own starts."""
    # more processes than cores gain nothing: a huge --jobs neither spins nor forks one a row
    wanted = usable_cores() if jobs is None else min(jobs, MAX_JOBS_PER_CORE * usable_cores())
    if wanted <= 1:
        return None, "one process (--jobs 1)" if jobs == 1 else "one process (one usable core)"
    if fmt is Format.table or to_terminal:
        return None, "one process: the output goes to a terminal"
    if codecs.lookup(encoding).name not in _BYTE_SAFE:
        return None, f"one process: the input's encoding ({encoding}) is not split by bytes"
    status = run_control.status(raw)
    if status is None:
        return None, "one process: the input is not a file"
    import stat

    if not stat.S_ISREG(status.st_mode):
        return None, "one process: the input is not a regular file"
    if jobs is None and status.st_size <= AUTO_BYTES:
        return None, f"one process: the file is smaller than {AUTO_BYTES // _MiB} MiB"
    if records._back:  # pieces read past the header, to be read again: not byte-aligned
        return None, "one process: the header's lines could not be told apart"
    data = FileBytes(raw.fileno())
    first = _line_end(data, records.line_num)
    if first is None:
        return None, "one process: the file has no rows"
    size = len(data)
    # A worker scans the bytes before its range first (`_range_of`): its range is shorter by
    # about half of what that costs (the parent's longer by as much), so that both end together.
    even = [first + (size - first) * part // wanted for part in range(1, wanted)]
    cuts = tuple(min(size, cut + (cut - first) // (2 * _SCAN_COST)) for cut in even)
    plan = Plan(first, records.line_num, cuts, size)
    return plan, f"{wanted} processes, the file cut near bytes " + ", ".join(
        f"{cut:,}" for cut in cuts
    )


def _line_end(data: FileBytes, lines: int) -> int | None:
    """The byte offset just after the first `lines` lines (None: the file ends first)."""
    if lines == 0:
        return 0
    size = FileBytes.BLOCK
    while True:  # the header's lines are read whole by the reader: they fit in a block or few
        head = data.head(size)
        # the `lines`-th line end, the others passed over one by one (a list of every line end
        # of a block of blank lines took 37 MiB)
        found = next(islice(_LINE_END.finditer(head), lines - 1, None), None)
        end = None if found is None else found.end()
        if len(head) < size or (end is not None and end < len(head)):
            break
        size *= 2
    return None if end is None or end >= len(data) else end


def _starts(data: FileBytes, plan: Plan) -> Iterator[int | None]:
    """For each cut in turn, where the range near it starts: just after the first line feed
    past the cut with an even number of quotes between the first row and it, if one is within
    `_NEAR` bytes (with quotes that pair up, a record ends at nearly every line end); else just
    after the first line feed past the cut (a stray quote, an inch mark as in `5" ring`, makes
    every count after it odd); None where the part up to the next cut has no line feed. A
    guess, made alike by every process that needs it: the readers prove it (module doc)."""
    quotes, counted = 0, plan.first
    for cut, limit in zip(plan.cuts, [*plan.cuts[1:], plan.size], strict=True):
        quotes += data.count(b'"', counted, cut)
        counted = cut
        near = data.read(cut, min(cut + _NEAR, limit))
        found = _even_line_end(near, quotes)
        if found is None:
            feed = near.find(b"\n")
            feed = cut + feed if feed >= 0 else data.find(b"\n", cut + len(near), limit)
            found = feed + 1 if feed >= 0 else None
        else:
            found += cut
        yield found if found is not None and found < plan.size else None


def _even_line_end(text: bytes, quotes: int) -> int | None:
    """Just after the first line feed of `text` with an even number of quotes before it,
    counting `quotes` before `text`; None if it has none."""
    at = 0
    while (feed := text.find(b"\n", at)) >= 0:
        quotes += text.count(b'"', at, feed)
        if quotes % 2 == 0:
            return feed + 1
        at = feed + 1
    return None


def _lines_before(data: FileBytes, offset: int) -> int:
    """Lines before `offset` as a text stream with newline="" counts them (CR LF, CR, LF): one
    read of each block, whose line feeds are counted, and its carriage returns only if it has
    any (a file with CR LF line ends, or CR alone)."""
    lines = 0
    for at in range(0, offset, data.BLOCK):
        end = min(at + data.BLOCK, offset)
        block = data.read(at, end)
        lines += block.count(b"\n")
        if b"\r" in block:  # a CR LF is one line end: each CR that a LF follows is not another
            after = data.read(end, end + 1) if end < offset else b""
            lines += block.count(b"\r") - (block + after).count(b"\r\n")
    return lines


@contextmanager
def _range_text(
    fd: int, start: int, end: int, encoding: str, later: Callable[[], int] | None = None
) -> Iterator[tuple[TextIO, _Slice]]:
    """The bytes [start, end) of the file open as `fd` as text (newlines untranslated; a BOM
    only at the file's start), and the slice they are read from (which `later` and
    `_Slice.go_on` may make longer). `fd` is the descriptor the run opened (a worker has it
    from the fork), never the file's name again: the file is read even if it was deleted or
    another was renamed over it meanwhile, as one process reads it."""
    if codecs.lookup(encoding).name == "utf-8-sig":
        encoding = "utf-8"
    part = _Slice(fd, start, end, later)
    raw = io.BufferedReader(part, 1 << 16)
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
        yield stream, part


class FileBytes:
    """A file's bytes, read a block at a time with pread: `find` and `count` as on bytes, no
    more than a block in memory (a memory map would count every page it scans as ours)."""

    BLOCK = 1 << 20

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._size = os.fstat(fd).st_size

    def __len__(self) -> int:
        return self._size

    def read(self, start: int, end: int) -> bytes:
        return os.pread(self._fd, max(0, min(end, self._size) - start), start)

    def head(self, count: int) -> bytes:
        return self.read(0, count)

    def find(self, byte: bytes, start: int, end: int) -> int:
        """Where the single byte `byte` first is in [start, end), or -1."""
        step = 1 << 16  # a line feed is near, nearly always
        for at in range(start, min(end, self._size), step):
            found = self.read(at, min(at + step, end)).find(byte)
            if found >= 0:
                return at + found
        return -1

    def count(self, needle: bytes, start: int, end: int) -> int:
        """`needle`'s occurrences starting in [start, end) and ending by `end`."""
        found = 0
        for at in range(start, min(end, self._size), self.BLOCK):
            found += self.read(at, min(at + self.BLOCK + len(needle) - 1, end)).count(needle)
        return found


class _Slice(io.RawIOBase):
    """A read-only raw stream of the bytes [start, end) of a file descriptor. `later`, if
    given, is asked for the true end once the reading gets to `end` (a point before it); and
    `go_on` moves the end to the file's, once (the reader is in a quoted cell at the end)."""

    def __init__(
        self, fd: int, start: int, end: int, later: Callable[[], int] | None = None
    ) -> None:
        super().__init__()
        self._fd, self._at, self.end, self._later = fd, start, end, later
        self.went_on: int | None = None  # where the range ended when the reader went on

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the record reader goes back to a block's start (rarely)
        return True

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._at
        elif whence == io.SEEK_END:
            offset += self.end
        self._at = offset
        return offset

    def readinto(self, buffer: Any) -> int:
        if self._at >= self.end and self._later is not None:
            later, self._later = self._later, None
            self.end = later()
        wanted = min(len(buffer), self.end - self._at)
        if wanted <= 0:
            return 0
        data = os.pread(self._fd, wanted, self._at)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)

    def go_on(self) -> bool:
        """Read on to the end of the file (once): the record at the range's end is open."""
        size = os.fstat(self._fd).st_size
        if self.went_on is not None or self._later is not None or self.end >= size:
            return False
        self.went_on, self.end = self.end, size
        return True

    def close(self) -> None:  # the descriptor is the run's: closed by whoever opened it
        super().close()


@dataclass(frozen=True, slots=True)
class Job:
    """What every process of a run shares: the input (the descriptor the run opened: a worker
    has it from the fork), how it is cut and read, and how its rows are checked and written."""

    fd: int
    plan: Plan
    encoding: str
    delimiter: str
    evaluator: Evaluator
    fmt: Format


def _evaluate(
    job: Job,
    start: int,
    end: int,
    lines: int,
    summary: Summary,
    out: TextIO,
    progress: Callable[[int], None] | None = None,
    keep_going: Callable[[Iterator[Any]], Iterator[Any]] = iter,
    error_lines: RecordReader | None = None,
    later: Callable[[], int] | None = None,
) -> int | None:
    """Check the records of bytes [start, end) (`lines` lines before them) and write their
    output (with the CSV header) to `out`; where the range ended if its last record ran over
    that end, and the reading went on to the end of the file (None: it did not). On an error,
    `error_lines.line_num` is set to the lines read (what the error message names)."""
    with _range_text(job.fd, start, end, job.encoding, later) as (stream, part):
        records = RecordReader(stream, job.delimiter, more=part.go_on)
        records.line_num = lines
        chunks = evaluate_chunks(records, job.evaluator, summary, progress)
        try:
            WRITERS[job.fmt](keep_going(chunks), job.evaluator.layout, out, job.delimiter)
        except Exception:
            if error_lines is not None:
                error_lines.line_num = records.line_num
            raise
        return part.went_on


def _work(job: Job, number: int, sink: IO[bytes], send: Any) -> None:
    """Worker `number` (from 1): find where its range starts and ends (`_starts`), say where
    and after how many lines, check it into `sink`, then send its summary and peak memory."""
    import signal

    # The parent's handlers (--output holds terminating signals back while its temporary file
    # exists) are not the worker's: the parent ends a worker it no longer needs at once. The
    # signals were held back from the fork until here (see `run`): one sent meanwhile ends the
    # worker now, quietly, rather than raise inside multiprocessing's after-fork hooks.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, terminating_signals())
    code = 0
    try:
        found = _range_of(job, number)
        if found is None:
            send.send(("none",))
            return
        start, lines, end = found
        send.send(("start", start, lines))
        summary = Summary()
        out = io.TextIOWrapper(sink, encoding="utf-8", newline="", write_through=False)
        first_error: list[int] = []  # where the output of the first chunk with an error starts
        parent = os.getppid()

        def noting_errors(chunks: Iterator[Any]) -> Iterator[Any]:
            for chunk in chunks:  # (evaluated: counted; the chunks before it: written)
                if os.getppid() != parent:  # the parent was killed: nobody reads this any more
                    raise SystemExit(1)
                if summary.errors and not first_error:
                    out.flush()
                    first_error.append(sink.tell())
                yield chunk

        went_on = _evaluate(job, start, end, lines, summary, out, keep_going=noting_errors)
        out.flush()
        out.detach()
        peak = run_control.peak_kib()
        said = (summary.rows, summary.counts, summary.errors, summary.error_lines, *first_error)
        send.send(("ok", peak, went_on, *said))
    except BaseException as exc:  # the parent checks the range again itself
        code = 1
        with suppress(BaseException):
            send.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's copied buffers


def _range_of(job: Job, number: int) -> tuple[int, int, int] | None:
    """Where range `number` (from 1) starts, the lines before that, and where it ends (None:
    no start was found near its cut; its bytes are the range before's)."""
    data = FileBytes(job.fd)
    starts = _starts(data, job.plan)
    start = next(islice(starts, number - 1, None))
    if start is None:
        return None
    end = next((found for found in starts if found is not None), job.plan.size)
    return start, _lines_before(data, start), end


@dataclass(slots=True)
class _Worker:
    """A forked worker, where its output goes, and what it said of its range's start."""

    number: int
    process: Any
    sink: IO[bytes]
    receive: Any
    start: int | None = None
    lines: int = 0

    def message(self) -> tuple[Any, ...]:
        try:
            return tuple(self.receive.recv())
        except (EOFError, OSError):  # the worker ended without a word (killed, say)
            return ("failed", "the worker ended without an answer")

    def told(self) -> tuple[Any, ...]:
        """Its first word: ("start", start, lines), which sets `start` and `lines`; ("none",)
        (no start near its cut); or ("failed", why)."""
        message = self.message()
        if message[0] == "start":
            self.start, self.lines = message[1], message[2]
        return message


def run(
    job: Job,
    summary: Summary,
    out: TextIO,
    progress: Callable[[int], None] | None,
    keep_going: Callable[[Iterator[Any]], Iterator[Any]],
    stopped: Callable[[], bool],
    say: Callable[[str], None] | None,
    lines: RecordReader,
) -> None:
    """Check the file's ranges (the first here, the others in forked workers) and write the
    output in order to `out`; see the module's doc. `say` gets the notes -v prints."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers: list[_Worker] = []
    plan = job.plan
    try:
        for number in range(1, len(plan.cuts) + 1):
            sink = tempfile.TemporaryFile()  # noqa: SIM115 (closed in `finally`)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(job, number, sink, send), daemon=True)
            held = hold_signals(terminating_signals())  # until the worker's handlers are set
            try:
                process.start()
            finally:
                release_signals(held)
            send.close()
            workers.append(_Worker(number, process, sink, receive))
        used: list[_Worker] = []  # the workers whose ranges come after the first, in order

        def first_end() -> int:
            """Where the first range ends: the start of the first worker that found one."""
            for at, worker in enumerate(workers):
                message = worker.told()
                if worker.start is not None:
                    used.extend(workers[at:])
                    return worker.start
                if say and message[0] == "failed":
                    say(f"a worker failed before its range ({message[1]}): checked here")
            if say:
                say("no boundary between records was found near the cuts: one process")
            return plan.size

        went_on = _evaluate(
            job, plan.first, plan.cuts[0], plan.lines, summary, out, progress, keep_going, lines,
            later=first_end,
        )  # fmt: skip
        if went_on is not None:
            if say:
                say(f"a quoted cell runs over byte {went_on:,}: read on here, to the end")
            return
        after = partial(_evaluate, job, summary=summary, progress=progress, keep_going=keep_going,
                        error_lines=lines)  # fmt: skip
        _collect(job, used, summary, out, progress, after, stopped, say)
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
            worker.process.join()
            worker.sink.close()
            worker.receive.close()


def _collect(
    job: Job,
    used: list[_Worker],
    summary: Summary,
    out: TextIO,
    progress: Callable[[int], None] | None,
    check_here: Callable[..., Any],
    stopped: Callable[[], bool],
    say: Callable[[str], None] | None,
) -> None:
    """The output of the workers that start after the first range, in order, onto `out`;
    `check_here(start, end, lines, out=...)` checks a failed worker's range in this process."""
    header = _header_bytes(job.evaluator.layout, job.fmt, job.delimiter)
    peaks: list[float] = []
    starts = [job.plan.first]  # of the ranges whose output is written
    for worker in used:
        if stopped():
            return
        if worker.start is None and worker.told()[0] == "failed":
            # it failed before it said where its range starts: found here as it would have
            found = _range_of(job, worker.number)
            if found is not None:
                worker.start, worker.lines = found[0], found[1]
        if worker.start is None:  # no start near its cut: its range is the one before's
            continue
        message = worker.message()
        worker.process.join()
        if message[0] != "ok":
            if stopped():  # the reader went away: nothing more to check
                return
            if say:
                say(f"the range from byte {worker.start:,} ({message[1]}) is checked here, "
                    "to the end")  # fmt: skip
            check_here(worker.start, job.plan.size, worker.lines, out=_Rest(out, header))
            return
        peak, went_on, rows, counts, errors, error_lines, *first_error = message[1:]
        peaks.append(peak / 1024)
        starts.append(worker.start)
        reached = _copy(worker.sink, len(header), out)
        if stopped() and first_error and first_error[0] >= reached:
            # the reader went away before the first row in error: the verdict is of the rows
            # it got, as one process's is of the rows it checked before it saw the reader gone
            errors, error_lines = 0, []
        summary.rows += rows
        for decision, count in counts.items():
            summary.counts[decision] += count
        summary.errors += errors
        summary.error_lines.extend(error_lines[: 10 - len(summary.error_lines)])
        if progress is not None:
            progress(summary.rows)
        if went_on is not None:
            if say:
                say(f"a quoted cell runs over byte {went_on:,}: the range from byte "
                    f"{worker.start:,} was read on to the end")  # fmt: skip
            break
    if say and peaks:  # (none: no worker's range was used)
        say(f"{len(starts)} ranges, starting at bytes " + ", ".join(f"{at:,}" for at in starts))
        parent = run_control.peak_kib() / 1024
        say(
            f"peak RSS: parent {parent:.1f} MiB, workers {sum(peaks):.1f} MiB "
            f"(each at most {max(peaks, default=0):.1f} MiB)"
        )


class _Rest:
    """`out` for the rest of the file checked here: without the CSV header a second time."""

    def __init__(self, out: TextIO, header: bytes) -> None:
        self._out = out
        self._skip = len(header.decode("utf-8"))

    def write(self, text: str) -> int:
        if self._skip:
            cut = min(self._skip, len(text))
            self._skip -= cut
            text = text[cut:]
        return self._out.write(text) if text else 0

    def flush(self) -> None:
        self._out.flush()


def _header_bytes(layout: Layout, fmt: Format, delimiter: str) -> bytes:
    """What the writer writes before the first row (the CSV header; nothing for JSON Lines)."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    WRITERS[fmt](iter(()), layout, text, delimiter)
    text.flush()
    return buffer.getvalue()


def _copy(sink: IO[bytes], skip: int, out: TextIO) -> int:
    """A worker's output, after its header, to `out`: as bytes when `out` writes UTF-8 to a
    file descriptor (the kernel copies them: `sendfile`), else as text, a block at a time.
    Returns the offset in `sink` that the reader surely got to: where the kernel stopped on
    an error (a reader gone: the rest goes to stdout's guard, which drops it), else the end."""
    end = os.fstat(sink.fileno()).st_size
    sink.seek(skip)
    buffer = getattr(out, "buffer", None)
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name == "utf-8":
        out.flush()  # what the text layer holds goes first
        assert buffer is not None
        buffer.flush()
        # what the kernel did not copy goes through `buffer`, from where it stopped: an error
        # (a full disk, a reader gone) meets stdout's own writer there, which reports it as
        # every other write (see stdout_guard), not as an OSError out of sendfile
        reached, failed = _sendfile(sink, skip, end, buffer)
        sink.seek(reached)
        while block := sink.read(1 << 20):
            buffer.write(block)
        return reached if failed else end
    decoder = codecs.getincrementaldecoder("utf-8")()
    write = out.write
    while block := sink.read(1 << 20):
        write(decoder.decode(block))
    write(decoder.decode(b"", final=True))
    return end


def _sendfile(sink: IO[bytes], skip: int, end: int, buffer: IO[bytes]) -> tuple[int, bool]:
    """Copy `sink` from byte `skip` to `end` onto `buffer`'s descriptor in the kernel (Linux):
    the offset it got to (the end; `skip` where that is not possible; where an error stopped
    it otherwise), and whether an error stopped it."""
    if not sys.platform.startswith("linux"):
        return skip, False
    try:
        target = buffer.fileno()
    except (AttributeError, OSError, ValueError):
        return skip, False
    source = sink.fileno()
    at = skip
    while at < end:
        try:
            sent = os.sendfile(target, source, at, min(end - at, 1 << 30))
        except OSError:
            return at, True
        if sent == 0:
            break
        at += sent
    return at, False


def note(text: str) -> None:
    print(f"migems batch: {text}", file=sys.stderr)
