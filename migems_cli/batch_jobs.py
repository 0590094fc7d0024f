"""`batch --jobs N`: a large input file checked by several processes, output in input order.

The file is split into byte ranges at record boundaries: each boundary is just after a line
feed with an even number of quote characters before it (outside every quoted cell, when the
file's quoting is regular). The parent process checks the first range itself, writing as it
goes; each other range is checked by a forked worker with its own `Evaluator`, into an unlinked
temporary file that the parent copies to the output, in order, once the ranges before it are
written. Rows, order and bytes are those of one process (a property test says so).

Regular quoting is checked, not assumed: before a range is evaluated, each quote in it must
open a cell (after a delimiter or a line end), close one (before a delimiter, a line end or the
end of the file) or be half of an escaped pair; but for the last range, whose end is the file's
(its quoting moves no boundary: its worker reads it from its start to the end of the file, as
the parent would). A range that fails this, or a worker that fails
in any way (a byte its encoding cannot decode, say), is checked again by the parent from its
start to the end of the file, exactly as one process would: the ranges before it were regular,
so its start is a true record boundary.

Used only where it can be exact and pays off: a regular file, an encoding in which a line feed
and a quote are single bytes that no other character contains, csv or jsonl to a file or pipe,
and, by default, a file over `AUTO_BYTES`. Anything else runs in one process (`-v` says why).
"""

from __future__ import annotations

import codecs
import io
import os
import re
import resource
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any, TextIO

from migems_cli.batch import Evaluator, Layout, Summary, evaluate_chunks
from migems_cli.records import RecordReader
from migems_cli.render.batch_formats import WRITERS, Format

MAX_JOBS_PER_CORE = 4  # --jobs N is capped at this many processes a usable core
AUTO_BYTES = 4 << 20  # by default, a smaller file runs in one process: forking costs more
# Encodings in which b"\n", b"\r", b'"' and the delimiters are those characters, and only them
_BYTE_SAFE = {"utf-8", "utf-8-sig", "ascii", "iso8859-1", "cp1252", "iso8859-15"}
_BOM = codecs.BOM_UTF8
_LINE_END = re.compile(rb"\r\n|\r|\n")
_MiB = 1 << 20


@dataclass(frozen=True, slots=True)
class Range:
    """Bytes [start, end) of the input, and how many lines come before `start`."""

    start: int
    end: int
    lines: int


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
) -> tuple[list[Range] | None, str]:
    """The ranges to check in parallel (None: one process), and a sentence saying why."""
    # more processes than cores gain nothing: a huge --jobs neither spins nor forks one a row
    wanted = usable_cores() if jobs is None else min(jobs, MAX_JOBS_PER_CORE * usable_cores())
    if wanted <= 1:
        return None, "one process (--jobs 1)" if jobs == 1 else "one process (one usable core)"
    if fmt is Format.table or to_terminal:
        return None, "one process: the output goes to a terminal"
    if codecs.lookup(encoding).name not in _BYTE_SAFE:
        return None, f"one process: the input's encoding ({encoding}) is not split by bytes"
    try:
        status = os.fstat(raw.fileno())
    except (OSError, ValueError):
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
    bounds = _boundaries(data, first, wanted)
    if not bounds:
        return None, "one process: no boundary between records was found (quoted lines)"
    starts = [first, *bounds]
    ranges = [
        Range(start, end, records.line_num if at == 0 else _lines_before(data, start))
        for at, (start, end) in enumerate(zip(starts, [*bounds, len(data)], strict=True))
    ]
    return ranges, f"{len(ranges)} processes, ranges starting at bytes " + ", ".join(
        f"{r.start:,}" for r in ranges
    )


def _line_end(data: FileBytes, lines: int) -> int | None:
    """The byte offset just after the first `lines` lines (None: the file ends first)."""
    if lines == 0:
        return 0
    size = FileBytes.BLOCK
    while True:  # the header's lines are read whole by the reader: they fit in a block or few
        head = data.head(size)
        ends = [match.end() for match in _LINE_END.finditer(head)]
        if len(head) < size or (len(ends) >= lines and ends[lines - 1] < len(head)):
            break
        size *= 2
    if len(ends) < lines:
        return None
    return None if ends[lines - 1] >= len(data) else ends[lines - 1]


def _boundaries(data: FileBytes, first: int, parts: int) -> list[int]:
    """Offsets just after a line feed with an even number of quotes before them, one near each
    of the `parts - 1` cuts of [first, end) into equal parts (fewer where none is found)."""
    size = len(data)
    found: list[int] = []
    quotes, counted = data.count(b'"', 0, first), first
    for part in range(1, parts):
        at = max(first + (size - first) * part // parts, found[-1] if found else first)
        limit = first + (size - first) * (part + 1) // parts
        while True:
            feed = data.find(b"\n", at, limit)
            if feed < 0:
                break
            quotes += data.count(b'"', counted, feed)
            counted = feed
            if quotes % 2 == 0:
                if feed + 1 < size:
                    found.append(feed + 1)
                break
            at = feed + 1
    return found


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


def regular_quotes(data: FileBytes, start: int, end: int, delimiter: bytes) -> bool:
    """Whether every quote in [start, end) opens a cell, closes one, or is half of an escaped
    pair, counting from outside any quoted cell at `start` (see the module's doc)."""
    before = {delimiter[0], 10, 13}  # what may precede a quote that opens a cell
    after = {delimiter[0], 10, 13, 34}  # what may follow one that closes it (34: an escape)
    size = len(data)
    previous = -2
    inside = False
    bom = data.head(len(_BOM)) == _BOM
    for at in range(start, end, data.BLOCK):
        # the block, with the byte before it and the byte after it
        lead = 1 if at > 0 else 0
        block = data.read(at - lead, min(at + data.BLOCK, end) + 1)
        stop = min(data.BLOCK, end - at) + lead
        quote = block.find(b'"', lead, stop)
        while quote >= 0:
            where = at - lead + quote
            if inside:
                if where + 1 < size and block[quote + 1] not in after:
                    return False
            elif not (
                where == start
                or (quote > 0 and block[quote - 1] in before)
                or previous == where - 1  # the second half of an escaped pair
                or (bom and where == len(_BOM))
            ):
                return False
            inside = not inside
            previous = where
            quote = block.find(b'"', quote + 1, stop)
    return True


@contextmanager
def _range_text(path: str, part: Range, encoding: str) -> Iterator[TextIO]:
    """The bytes of `part` as text (newlines untranslated); a BOM only at the file's start."""
    if codecs.lookup(encoding).name == "utf-8-sig":
        encoding = "utf-8"
    fd = os.open(path, os.O_RDONLY)
    try:
        raw = io.BufferedReader(_Slice(fd, part.start, part.end), 1 << 16)
        with io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
            yield stream
    finally:
        os.close(fd)


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
    """A read-only raw stream of the bytes [start, end) of a file descriptor."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        super().__init__()
        self._fd, self._at, self._end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self._end - self._at)
        if wanted <= 0:
            return 0
        data = os.pread(self._fd, wanted, self._at)
        buffer[: len(data)] = data
        self._at += len(data)
        return len(data)

    def close(self) -> None:  # the descriptor is closed by `_range_text`
        super().close()


def _evaluate(
    path: str,
    part: Range,
    encoding: str,
    delimiter: str,
    evaluator: Evaluator,
    summary: Summary,
    out: TextIO,
    fmt: Format,
    progress: Callable[[int], None] | None = None,
    keep_going: Callable[[Iterator[Any]], Iterator[Any]] = iter,
    lines: RecordReader | None = None,
) -> None:
    """Check the records of `part` and write their output (with the CSV header) to `out`;
    on an error, `lines.line_num` is set to the lines read (what the error message names)."""
    with _range_text(path, part, encoding) as stream:
        records = RecordReader(stream, delimiter)
        records.line_num = part.lines
        chunks = evaluate_chunks(records, evaluator, summary, progress)
        try:
            WRITERS[fmt](keep_going(chunks), evaluator.layout, out, delimiter)
        except Exception:
            if lines is not None:
                lines.line_num = records.line_num
            raise


def _work(
    path: str,
    part: Range,
    encoding: str,
    delimiter: str,
    evaluator: Evaluator,
    fmt: Format,
    sink: IO[bytes],
    send: Any,
    last: bool = False,
) -> None:
    """A worker: check `part` into `sink`, then send its summary and peak memory (the quoting
    of a range but the `last` is checked first: see the module's doc)."""
    import signal

    # The parent's handlers (--output holds terminating signals back while its temporary file
    # exists) are not the worker's: the parent ends a worker it no longer needs at once.
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    code = 0
    try:
        with open(path, "rb") as raw:
            regular = last or regular_quotes(
                FileBytes(raw.fileno()), part.start, part.end, delimiter.encode()
            )
        if not regular:
            send.send(("irregular",))
            return
        summary = Summary()
        out = io.TextIOWrapper(sink, encoding="utf-8", newline="", write_through=False)
        _evaluate(path, part, encoding, delimiter, evaluator, summary, out, fmt)
        out.flush()
        out.detach()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        send.send(("ok", summary.rows, summary.counts, summary.errors, summary.error_lines, peak))
    except BaseException as exc:  # the parent checks the range again itself
        code = 1
        with suppress(BaseException):
            send.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's copied buffers


def run(
    path: str,
    ranges: list[Range],
    encoding: str,
    delimiter: str,
    evaluator: Evaluator,
    fmt: Format,
    summary: Summary,
    out: TextIO,
    progress: Callable[[int], None] | None,
    keep_going: Callable[[Iterator[Any]], Iterator[Any]],
    stopped: Callable[[], bool],
    say: Callable[[str], None] | None,
    lines: RecordReader,
) -> None:
    """Check `ranges` (the first here, the others in forked workers) and write the output in
    order to `out`; see the module's doc. `say` gets the notes -v prints."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers = []
    try:
        for part in ranges[1:]:
            sink = tempfile.TemporaryFile()  # noqa: SIM115 (closed in `finally`)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_work,
                args=(
                    path,
                    part,
                    encoding,
                    delimiter,
                    evaluator,
                    fmt,
                    sink,
                    send,
                    part is ranges[-1],
                ),
                daemon=True,
            )
            process.start()
            send.close()
            workers.append((part, process, sink, receive))
        with open(path, "rb") as raw:
            regular = regular_quotes(FileBytes(raw.fileno()), 0, ranges[0].end, delimiter.encode())
        first = ranges[0] if regular else Range(ranges[0].start, _size(path), ranges[0].lines)
        if not regular and say:
            say(f"quoting that is not regular before byte {ranges[0].end:,}: one process")
        header = _header_bytes(evaluator.layout, fmt, delimiter)
        _evaluate(
            path,
            first,
            encoding,
            delimiter,
            evaluator,
            summary,
            out,
            fmt,
            progress,
            keep_going,
            lines,
        )
        if not regular:
            return
        peaks: list[float] = []
        for part, process, sink, receive in workers:
            if stopped():
                return
            try:
                message = receive.recv()
            except (EOFError, OSError):  # the worker ended without a word (killed, say)
                message = ("failed", "the worker ended without an answer")
            process.join()
            if message[0] != "ok":
                if say:
                    why = "its quoting is not regular" if message[0] == "irregular" else message[1]
                    say(f"the range from byte {part.start:,} ({why}) is checked here, to the end")
                rest = Range(part.start, _size(path), part.lines)
                rest_out: Any = _Rest(out, header)
                _evaluate(
                    path, rest, encoding, delimiter, evaluator, summary, rest_out, fmt, lines=lines
                )
                return
            rows, counts, errors, error_lines, peak = message[1:]
            peaks.append(peak / 1024)
            _copy(sink, len(header), out)
            summary.rows += rows
            for decision, count in counts.items():
                summary.counts[decision] += count
            summary.errors += errors
            summary.error_lines.extend(error_lines[: 10 - len(summary.error_lines)])
            if progress is not None:
                progress(summary.rows)
        if say:
            parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            say(
                f"peak RSS: parent {parent:.1f} MiB, workers {sum(peaks):.1f} MiB "
                f"(each at most {max(peaks, default=0):.1f} MiB)"
            )
    finally:
        for _, process, sink, receive in workers:
            if process.is_alive():
                process.terminate()
            process.join()
            sink.close()
            receive.close()


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


def _size(path: str) -> int:
    return os.stat(path).st_size


def _header_bytes(layout: Layout, fmt: Format, delimiter: str) -> bytes:
    """What the writer writes before the first row (the CSV header; nothing for JSON Lines)."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    WRITERS[fmt](iter(()), layout, text, delimiter)
    text.flush()
    return buffer.getvalue()


def _copy(sink: IO[bytes], skip: int, out: TextIO) -> None:
    """A worker's output, after its header, to `out`: as bytes when `out` writes UTF-8 to a
    file descriptor (the kernel copies them: `sendfile`), else as text, a block at a time."""
    sink.seek(skip)
    buffer = getattr(out, "buffer", None)
    if isinstance(out, io.TextIOWrapper) and codecs.lookup(out.encoding).name == "utf-8":
        out.flush()  # what the text layer holds goes first
        assert buffer is not None
        buffer.flush()
        # what the kernel did not copy goes through `buffer`, from where it stopped: an error
        # (a full disk, a reader gone) meets stdout's own writer there, which reports it as
        # every other write (see stdout_guard), not as an OSError out of sendfile
        sink.seek(_sendfile(sink, skip, buffer))
        while block := sink.read(1 << 20):
            buffer.write(block)
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    write = out.write
    while block := sink.read(1 << 20):
        write(decoder.decode(block))
    write(decoder.decode(b"", final=True))


def _sendfile(sink: IO[bytes], skip: int, buffer: IO[bytes]) -> int:
    """Copy `sink` from byte `skip` to the end onto `buffer`'s descriptor in the kernel (Linux):
    the offset it got to (the end; `skip` where that is not possible; where an error stopped
    it otherwise)."""
    if not sys.platform.startswith("linux"):
        return skip
    try:
        target = buffer.fileno()
    except (AttributeError, OSError, ValueError):
        return skip
    source = sink.fileno()
    at, end = skip, os.fstat(source).st_size
    while at < end:
        try:
            sent = os.sendfile(target, source, at, min(end - at, 1 << 30))
        except OSError:
            break
        if sent == 0:
            break
        at += sent
    return at


def note(text: str) -> None:
    print(f"migems batch: {text}", file=sys.stderr)
