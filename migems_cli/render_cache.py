"""Human output that rich drew once, replayed when nothing it depends on has changed.

Why (issue 15, measured with bench/startup.py): `migems status processing` spends about 21 ms
importing rich and 5 ms drawing its table, and `migems --help` / `migems check --help` about
60 ms importing Typer's rich help, every command module and drawing the option panels, against
a Typer floor of 64 ms. Rich still draws every screen; this module keeps what it wrote (the text
that reached `sys.stdout`), and the next run with the same inputs writes that text without
importing rich at all.

An entry is used only when everything the text depends on is the same:
- what was asked: the help's command line, or a renderer's name and its arguments (whose repr
  must show every field: `faithful`), the placeholders marked and the footer line;
- the terminal, as rich and Typer see it: every environment variable they read (`ENV_NAMES`,
  `ENV_PREFIXES`; a test checks their sources for others), whether stdout is a terminal, its
  encoding, and the terminal size of stdin, stdout and stderr;
- the code: the interpreter, `sys.path` (resolved), this package's folder, and every module
  file loaded when the text was drawn (migems, rich, Typer: all but the standard library, which
  the interpreter's version stands for), each with its inode, size, modification and change
  times. Python trusts less (size and mtime) to reuse a .pyc; an edited file always gets a new
  change time.
So a changed docstring, option, renderer or rich version, another width, colour setting or
encoding, is a miss: rich draws again and the entry is replaced.

The file format and its safety are those of `policy_cache`: one file per key in
`$XDG_CACHE_HOME/migems/output/`, `MAGIC | key digest | payload digest | payload`, read without
following links, used only if it is a regular file of this user that no one else may write,
under a size cap, and only if both digests match; written to a temporary file and renamed.
Anything unreadable, corrupt, or unwritable is a miss, never an error. `MIGEMS_NO_CACHE=1` turns
it off, and it is used only by the console script itself (stdout guarded by `stdout_guard`): a
program or test that calls `main` with its own stdout always gets a fresh drawing.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from typing import IO, Any, NamedTuple

from migems_cli import policy_cache, stdout_guard
from migems_cli.policy_cache import digest
from migems_cli.stdout_guard import Passthrough

MAGIC = b"migems-output-cache-1\n"
MAX_BYTES = 1024 * 1024
MAX_ENTRIES = 200  # beyond this many files, a store removes the oldest down to KEEP_ENTRIES
KEEP_ENTRIES = 150

# Environment variables that rich, Typer or its click read and that can change what is drawn
# (width, colour, terminal detection, completion mode, messages' language), besides ENV_PREFIXES.
ENV_NAMES = frozenset(
    {
        "COLUMNS",
        "LINES",
        "NO_COLOR",
        "FORCE_COLOR",
        "TTY_COMPATIBLE",
        "TTY_INTERACTIVE",
        "TERM",
        "COLORTERM",
        "DATABRICKS_RUNTIME_VERSION",
        "TERMINAL_WIDTH",
        "GITHUB_ACTIONS",
        "PY_COLORS",
        "LANG",
        "LANGUAGE",
        "COMP_WORDS",
        "COMP_CWORD",
        "UNICODE_VERSION",  # rich's table of character widths
    }
)
ENV_PREFIXES = ("MIGEMS_", "_MIGEMS", "TYPER_", "_TYPER", "RICH_", "JUPYTER_", "LC_", "PYTHON")

_STDLIB = os.path.dirname(os.__file__) + os.sep
_SITE = ("site-packages", "dist-packages")


def enabled() -> bool:
    """Whether this process may use the cache: the console script's own guarded stdout, and
    not turned off."""
    if sys.platform == "win32":  # rich asks the Windows console what it can do: not keyed here
        return False
    return stdout_guard.guarded() and not os.environ.get("MIGEMS_NO_CACHE")


def directory() -> str | None:
    where = policy_cache.path()
    return None if where is None else os.path.join(os.path.dirname(where), "output")


def _terminal_size(fd: int) -> tuple[int, int] | None:
    try:
        size = os.get_terminal_size(fd)
    except (AttributeError, ValueError, OSError):
        return None
    return (size.columns, size.lines)


def terminal() -> tuple[Any, ...]:
    """Everything about this process's terminal that rich and Typer read to draw."""
    stdout = sys.stdout
    try:
        tty = bool(stdout.isatty())
    except (AttributeError, ValueError, OSError):
        tty = False
    env = tuple(
        sorted(
            (name, value)
            for name, value in os.environ.items()
            if name in ENV_NAMES or name.startswith(ENV_PREFIXES)
        )
    )
    sizes = tuple(_terminal_size(fd) for fd in (0, 1, 2))
    return (env, tty, getattr(stdout, "encoding", None), getattr(stdout, "errors", None), sizes)


# The repr of these shows the whole value (and Decimal's, by name: importing decimal costs 1 ms);
# a tuple's (and a NamedTuple's) shows its items.
_PLAIN_TYPES = (str, int, float, bool, type(None), date)
_NAMEDTUPLE_REPR = NamedTuple("_Probe", [("x", int)]).__repr__.__code__


def faithful(value: Any) -> bool:
    """Whether `repr(value)` shows every part of `value` (so two values with the same repr draw
    the same): plain values, and tuples and NamedTuples of them, NamedTuples with the repr
    Python gives them. Anything else (an object with its own or the default repr) is not."""
    kind = type(value)
    if kind in _PLAIN_TYPES or (kind.__module__, kind.__qualname__) == ("decimal", "Decimal"):
        return True
    if kind is tuple or (
        isinstance(value, tuple)
        and hasattr(kind, "_fields")
        and getattr(kind.__repr__, "__code__", None) is _NAMEDTUPLE_REPR
    ):
        return all(faithful(item) for item in value)
    return False


def key(kind: str, inputs: tuple[Any, ...]) -> str | None:
    """The cache key of drawing `inputs` (see the module's doc), or None when the cache is off
    or `inputs` cannot be keyed faithfully."""
    if not enabled() or not faithful(inputs):
        return None
    material = repr(
        (
            MAGIC,
            sys.version,
            sys.executable,
            sys.platform,
            __file__,  # this checkout of migems
            tuple(os.path.abspath(entry) for entry in sys.path),  # '' is the current folder
            kind,
            inputs,
            terminal(),
        )
    )
    return digest(material.encode("utf-8", "surrogatepass")).hex()


def _file(found: str) -> str | None:
    where = directory()
    return None if where is None else os.path.join(where, found[:40])


def _signature(path: str) -> tuple[str, int, int, int, int]:
    info = os.stat(path)
    return (path, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _dependencies() -> tuple[tuple[str, int, int, int, int], ...] | None:
    """The signature of every loaded module file outside the standard library (None: one that
    cannot be checked, such as a module in a zip file)."""
    found = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name == "__main__" or not isinstance(path, str):
            continue
        if path.startswith(_STDLIB) and not any(site in path for site in _SITE):
            continue
        try:
            found.append(_signature(path))
        except (OSError, ValueError):
            return None
    return tuple(sorted(found))


def _unchanged(dependencies: tuple[Any, ...]) -> bool:
    """Whether every signature still holds. A payload's digest proves nothing against whoever
    wrote it: an entry that is not a (path, ...) tuple of five is a miss (a dict's `[0]` raises
    KeyError, a huge int for a path OverflowError from os.stat)."""
    for entry in dependencies:
        if type(entry) is not tuple or len(entry) != 5 or type(entry[0]) is not str:
            return False
        try:
            if _signature(entry[0]) != entry:
                return False
        except (OSError, ValueError):
            return False
    return True


def lookup(found: str | None) -> str | None:
    """The text kept under key `found`, if it is there, intact, and still current."""
    where = None if found is None else _file(found)
    if where is None or found is None:
        return None
    blob = policy_cache.read_trusted(where, MAX_BYTES)
    if blob is None:
        return None
    payload = policy_cache.opened(MAGIC, bytes.fromhex(found), blob)
    if payload is None:
        return None
    try:
        dependencies, text = marshal.loads(payload)
    except (EOFError, ValueError, TypeError, MemoryError):  # MemoryError: a length it announces
        return None
    if not isinstance(text, str) or not isinstance(dependencies, tuple):
        return None
    return text if _unchanged(dependencies) else None


def replay(found: str | None) -> bool:
    """Write the text kept under key `found` to stdout; False (nothing written) on a miss."""
    text = lookup(found)
    if text is None:
        return False
    try:
        sys.stdout.write(text)  # encoded whole before anything is written
    except UnicodeEncodeError:  # a text no drawing wrote to this stdout: not one of ours
        return False
    return True


def store(found: str, text: str) -> None:
    """Keep `text` under key `found` with the signatures of the code that drew it; quietly
    nothing when that cannot be done."""
    where = _file(found)
    dependencies = _dependencies()
    if where is None or dependencies is None:
        return
    payload = marshal.dumps((dependencies, text))
    blob = policy_cache.seal(MAGIC, bytes.fromhex(found), payload)
    if len(blob) > MAX_BYTES:
        return
    if policy_cache.write_atomic(where, blob):
        _evict(os.path.dirname(where))


def _evict(where: str) -> None:
    """Remove the oldest entries when there are more than MAX_ENTRIES."""
    with suppress(OSError):
        entries = [entry for entry in os.scandir(where) if entry.is_file(follow_symlinks=False)]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_mtime_ns)
        for entry in entries[: len(entries) - KEEP_ENTRIES]:
            with suppress(OSError):
                os.unlink(entry.path)


class _Recorder(Passthrough):
    """sys.stdout for the block: writes through, and keeps a copy of the text."""

    def __init__(self, file: IO[str]) -> None:
        super().__init__(file)
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        written = self.file.write(text)  # first: what the file refuses (click writes b"" to
        self.parts.append(text)  # tell a text stream from a binary one) is not kept
        return written


class Recording:
    """What `recording` yields: set `complete` once the whole output was written."""

    complete = False


@contextmanager
def recording(found: str | None) -> Iterator[Recording]:
    """Record what the block writes to stdout, and keep it under key `found` if the block ends
    with `complete` set, without an exception and without writing to stderr (a drawing with a
    message is not replayed without it). `found` None: the block runs as it is."""
    state = Recording()
    if found is None:
        yield state
        return
    stdout, stderr = sys.stdout, sys.stderr
    recorder = _Recorder(stdout)
    quiet = _Recorder(stderr)
    sys.stdout = recorder
    sys.stderr = quiet
    try:
        yield state
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    if state.complete and not quiet.parts and all(isinstance(p, str) for p in recorder.parts):
        store(found, "".join(recorder.parts))
