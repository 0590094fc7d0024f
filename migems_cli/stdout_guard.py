"""Standard output that a closed pipe or a full disk cannot turn into a traceback or a wrong code.

The convention of grep and csvkit: when the reader goes away (`migems check ... | true`,
`migems batch ... | head`), say nothing and exit with the verdict the command reached (check:
0, 1 or 3; batch: 0 or 1 from the rows it evaluated before it saw the pipe closed; the others:
0), never a misleading 1 and never 141. Any other write error (ENOSPC on `> /dev/full`, EIO...)
is exit 2 with one line, `Error: cannot write output: <reason>`, including an error that would
only show when Python flushes stdout at exit.

`guard()` puts a raw writer of its own under `sys.stdout` (same file descriptor, encoding and
buffering): the error is caught where the bytes are written, below rich, Typer and print, which
would otherwise each handle it their own way (rich and Typer exit 1 on a broken pipe).
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from typing import IO, Any, TextIO

from migems_cli.errors import ExitCode, MigemsError


class OutputError(MigemsError):
    """stdout cannot be written (not a closed pipe: that is not an error)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(f"cannot write output: {error.strerror or error}")


class _FdWriter(io.RawIOBase):
    """A raw writer of one file descriptor (-1: a stream that was closed when we started)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return self.fd >= 0 and os.isatty(self.fd)


class _Sink(_FdWriter):
    """File descriptor 1, written with os.write; remembers a closed pipe or a failed write and
    drops every later write, so that nothing fails again at exit."""

    def __init__(self, fd: int, error: OSError | None = None) -> None:
        super().__init__(fd)
        self.closed_pipe = False
        self.error = error

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        if self.closed_pipe or self.error is not None:
            return size
        try:
            return os.write(self.fd, data)
        except BrokenPipeError:
            self.closed_pipe = True
        except OSError as exc:
            self.error = exc
            raise OutputError(exc) from None
        return size


class _Quiet(_FdWriter):
    """File descriptor 2, whose write errors are dropped: a message that cannot be shown (a full
    or closed stderr) must not turn into a traceback or change the exit code."""

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        if self.fd >= 0:
            try:
                os.write(self.fd, data)
            except OSError:
                self.fd = -1  # nothing more is tried
        return size


_sink: _Sink | None = None


_ESCAPED_OR_REPLACED = "migems-surrogateescape-or-replace"


def _escaped_or_replaced(exc: UnicodeError) -> tuple[str | bytes, int]:
    """surrogateescape where it applies (bytes that came in undecodable), else '?'."""
    try:
        escaped: tuple[str | bytes, int] = codecs.lookup_error("surrogateescape")(exc)
    except UnicodeError:
        return codecs.replace_errors(exc)
    return escaped


def _wrap(
    raw: io.RawIOBase, like: io.TextIOWrapper | None, write_through: bool
) -> io.TextIOWrapper:
    errors = like.errors if like else "backslashreplace"
    if like and not codecs.lookup(like.encoding).name.startswith("utf"):
        # an ASCII or Latin-1 terminal (PYTHONIOENCODING, a locale) shows '?' for a character
        # it cannot show, such as the footer's '·': a UnicodeEncodeError would be a traceback.
        # The C locale without UTF-8 mode says surrogateescape: escaped bytes still go out.
        if errors == "strict":
            errors = "replace"
        elif errors == "surrogateescape":
            codecs.register_error(_ESCAPED_OR_REPLACED, _escaped_or_replaced)
            errors = _ESCAPED_OR_REPLACED
    return io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=like.encoding if like else "utf-8",
        errors=errors,
        newline=None if os.name == "nt" else "\n",  # as Python makes stdout
        line_buffering=like.line_buffering if like else write_through,
        write_through=write_through,
    )


def _guard_stderr() -> None:
    """Error lines and the batch summary go to stderr; writing them must never fail."""
    stderr = sys.stderr
    if stderr is None:  # started with 2>&-
        sys.stderr = _wrap(_Quiet(-1), None, True)
        return
    if stderr is not sys.__stderr__ or not isinstance(stderr, io.TextIOWrapper):
        return  # captured (tests) or replaced by someone who handles it
    try:
        fd = stderr.fileno()
        stderr.flush()
    except (OSError, ValueError):
        return
    sys.stderr = _wrap(_Quiet(fd), stderr, True)


def guard() -> None:
    """Put the guarded writer under `sys.stdout`, if stdout is still the process's own."""
    global _sink
    _guard_stderr()
    stdout = sys.stdout
    if stdout is None and _sink is None:  # started with >&-: every write is an error (exit 2)
        _sink = _Sink(-1, OSError(errno.EBADF, "standard output is closed"))
        sys.stdout = _wrap(_sink, None, False)
        return
    if (
        _sink is not None
        or stdout is not sys.__stdout__
        or not isinstance(stdout, io.TextIOWrapper)
    ):
        return  # already done, or captured (tests) or replaced by someone who handles it
    try:
        fd = stdout.fileno()
        stdout.flush()
    except (OSError, ValueError):
        return
    sink = _Sink(fd)
    sys.stdout = _wrap(sink, stdout, stdout.write_through)
    _sink = sink


def data_stdout() -> TextIO:
    """`sys.stdout`, made to write UTF-8 if it wrote another encoding: data (CSV, JSON Lines)
    is UTF-8 whatever the locale."""
    stdout = sys.stdout
    if isinstance(stdout, io.TextIOWrapper) and codecs.lookup(stdout.encoding).name != "utf-8":
        stdout.reconfigure(encoding="utf-8")
    return stdout


def guarded() -> bool:
    """Whether `sys.stdout` is still the guarded writer `guard()` put in place (the console
    script's own stdout, not one a caller or a test replaced)."""
    buffer = getattr(sys.stdout, "buffer", None)
    return _sink is not None and getattr(buffer, "raw", None) is _sink


def closed() -> bool:
    """Whether the reader of stdout has gone away (writes are being dropped)."""
    return _sink is not None and _sink.closed_pipe


def quiet() -> None:
    """The reader of an unguarded stdout went away: what Python still flushes at exit goes to
    /dev/null, quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def finish(code: int) -> int:
    """Flush stdout and return `code`. Raises `OutputError` when stdout could not be written
    (the CLI's edge prints it like every other error: exit 2)."""
    try:
        sys.stdout.flush()  # a guarded stdout raises OutputError itself
    except BrokenPipeError:  # an unguarded stdout: quiet, and nothing more at exit
        quiet()
        return code
    except OSError as exc:  # an unguarded stdout
        raise OutputError(exc) from None
    if _sink is not None and _sink.error is not None and code != ExitCode.BAD_INPUT:
        raise OutputError(_sink.error)  # raised once, and swallowed on the way
    return code


class Passthrough:
    """A text sink in front of `file` that answers as `file` would (flush, isatty, fileno,
    encoding, errors); subclasses change what `write` does on the way (rich's trimmed lines,
    the render cache's recorder)."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file

    def write(self, text: str) -> int:
        return self.file.write(text)

    def flush(self) -> None:
        self.file.flush()

    def isatty(self) -> bool:
        return self.file.isatty()

    def fileno(self) -> int:
        return self.file.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.file, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:
        return getattr(self.file, "errors", None)
