"""How a `batch` run runs: where its output goes, its progress bar, the collector's pace.

Kept apart from the command so each piece can be tested alone. The output is stdout (made
UTF-8) or a file written atomically (`output_file.atomic_output`, which also holds back and
restores the terminating signals around its temporary file); the progress bar shows on stderr
when it is a terminal; the cyclic GC is kept quiet while rows stream; and the run stops reading
when the reader of stdout goes away.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from itertools import takewhile
from pathlib import Path
from typing import IO, Any, TextIO

from migems_cli import stdout_guard
from migems_cli.render.batch_formats import Format


def while_read(chunks: Iterator[Any], output: Path | None) -> Iterator[Any]:
    """`chunks`, until the reader of stdout goes away (`| head`): no need to read on."""
    if output is not None:
        return chunks
    return takewhile(lambda _: not stdout_guard.closed(), chunks)


def status(raw: IO[bytes]) -> os.stat_result | None:
    """The input's device and inode, so that --output never names the input itself."""
    try:
        return os.fstat(raw.fileno())
    except (OSError, ValueError):
        return None


@contextmanager
def quiet_gc() -> Iterator[None]:
    """Keep the cyclic GC from rescanning start-up objects and caches every few hundred rows.

    Rows create no reference cycles (refcounting frees them), yet each allocates a few tuples;
    with the default thresholds the collector cost about 1.3 s per million rows.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class VisibleLines:
    """A text stream for a terminal: what is written goes on with every control character made
    visible (`safe.visible_lines`): CSV cells on a terminal can neither clear the screen nor
    plant a link. Each write is whole records (the CSV writer writes no less)."""

    def __init__(self, stream: TextIO, tabs: bool) -> None:
        self.stream = stream
        self.tabs = tabs

    def write(self, text: str) -> int:
        from migems_cli.render.safe import visible_lines

        self.stream.write(visible_lines(text, self.tabs))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def open_output(
    path: Path | None, fmt: Format, source: os.stat_result | None, delimiter: str = ","
) -> Iterator[TextIO]:
    """stdout, or a temporary file beside `path` renamed onto it only when writing completes.

    On any failure or terminating signal the temporary file is removed and `path` is untouched;
    only a regular, writable file that is not the input (`source`) is replaced (see
    `output_file`). CSV on a terminal is written through `VisibleLines`; files and pipes get
    the data byte for byte (JSON Lines are terminal-safe as they are).
    """
    if path is None:
        stdout = sys.stdout if fmt is Format.table else stdout_guard.data_stdout()
        if fmt is Format.csv and stdout.isatty():
            yield VisibleLines(stdout, tabs=delimiter == "\t")  # type: ignore[misc]
        else:
            yield stdout
        stdout.flush()
        return
    from migems_cli.output_file import atomic_output

    with atomic_output(path, source) as out:
        yield out


@contextmanager
def progress(
    fmt: Format, output: Path | None, raw: IO[bytes]
) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr when it is a terminal and the data does not go to a
    terminal too (the bar's line would take the first row, and rows scroll anyway)."""
    if not sys.stderr.isatty() or (output is None and sys.stdout.isatty()):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from migems_cli.render.console import stderr_console

    try:
        total: float | None = os.fstat(raw.fileno()).st_size or None
        if total is not None and not raw.seekable():
            total = None
    except (OSError, ValueError):
        total = None
    with Progress(
        TextColumn("checking"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
        # rich would otherwise capture stdout while the bar shows, and print the data to stderr
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("batch", total=total, rows=0)
        shown = [0.0]  # when the bar was last moved

        def advance(rows: int) -> None:
            now = time.monotonic()
            if now - shown[0] < 0.1:  # the bar redraws 10 times a second: no need for more
                return
            shown[0] = now
            done = raw.tell() if total is not None else None
            bar.update(task, completed=done, rows=rows)

        yield advance


def peak_kib() -> int:
    """This process's peak resident memory, KiB: /proc's VmHWM where there is one. (Linux
    keeps `ru_maxrss` across exec: a process started by a large one, such as a test runner
    spawning it with vfork, would report its starter's memory as its own.)"""
    with suppress(OSError, ValueError), open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1])
    import resource  # (not on Windows; nor is /proc)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
