"""The render cache (issue 15, start-up): help and the status table replayed byte for byte.

What rich and Typer draw is kept (see `migems_cli.render_cache`) and replayed without importing
rich. These tests hold the replay to the drawing: every screen at several widths and colour
settings, in one shared cache, so an entry served for the wrong terminal would show as a run
that did not draw (or drew something else); a real terminal (pty) of two sizes; an edited
source file; and every kind of broken cache file, which must only ever be a miss.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migems_cli import render_cache
from migems_cli.errors import ExitCode
from tests.conftest import ROOT
from tests.helpers import ENV, Imported, modules_after, report_script

DRAWING = ("rich", "typer.rich_utils")
ARGS = (
    ("--help",),
    ("check", "--help"),
    ("status", "processing"),
    ("status", "--ordered", "2026-11-20", "--country", "CA"),
)
TERMINALS = (
    {"COLUMNS": "80", "NO_COLOR": "1"},
    {"COLUMNS": "120", "NO_COLOR": "1"},
    {"COLUMNS": "60", "FORCE_COLOR": "1"},
    {"COLUMNS": "120", "FORCE_COLOR": "1", "TERM": "dumb"},
)
# what rich and Typer read to choose width and colour: each test sets its own
TERMINAL_VARS = (
    "COLUMNS",
    "LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "TTY_COMPATIBLE",
)


def environment(cache: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, **ENV, "XDG_CACHE_HOME": str(cache)}
    for name in (*TERMINAL_VARS, "MIGEMS_NO_CACHE", "MIGEMS_POLICY"):
        env.pop(name, None)
    return {**env, **extra}


def migems(args: tuple[str, ...], env: dict[str, str], cwd: Path | None = None) -> Imported:
    """`migems ARGS` in a fresh interpreter (in `cwd`: a `migems_cli` folder there comes first):
    exit code, stdout, and which modules of DRAWING it imported."""
    found = modules_after(list(args), DRAWING, env, cwd)
    assert found.code == ExitCode.OK
    return found


def test_replayed_screens_are_the_drawn_ones_at_every_width_and_colour(tmp_path) -> None:
    """Every case first runs in a cache that holds the cases drawn before it (two at a time):
    it must draw (rich imported), so no entry of another terminal or command was served; then
    again, replayed (rich not imported), byte for byte what rich drew. 16 screens, 33 runs."""
    cases = [(args, terminal) for args in ARGS for terminal in TERMINALS]

    def run(case: tuple[tuple[str, ...], dict[str, str]]) -> Imported:
        return migems(case[0], environment(tmp_path, **case[1]))

    with ThreadPoolExecutor(2) as pool:
        drawn = list(pool.map(run, cases))
        for (args, terminal), found in zip(cases, drawn, strict=True):
            assert found.modules, (args, terminal)  # drawn, not replayed
            colour = "FORCE_COLOR" in terminal and "TERM" not in terminal
            assert ("\x1b[" in found.out) == colour, (args, terminal)
        replayed = list(pool.map(run, cases))
    for case, before, again in zip(cases, drawn, replayed, strict=True):
        assert again.modules == [], case  # replayed: no rich at all
        assert again.out == before.out, case
    fresh = migems(ARGS[1], environment(tmp_path / "none", MIGEMS_NO_CACHE="1", **TERMINALS[0]))
    assert fresh.out == drawn[len(TERMINALS)].out  # drawn with the cache off: the same


def _pty_run(args: tuple[str, ...], env: dict[str, str], columns: int) -> tuple[str, list[str]]:
    """`migems ARGS` on a pseudo-terminal `columns` wide: its output, and the modules of
    DRAWING it imported (reported on a pipe of its own)."""
    import fcntl
    import pty
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    read, write = os.pipe()
    code = report_script(args, DRAWING, write)
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        pass_fds=(write,),
    )
    os.close(child)
    os.close(write)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    with os.fdopen(read) as report:
        modules = json.loads(report.read())["mods"]
    return b"".join(chunks).decode(), modules


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal; no cache on Windows")
def test_a_real_terminal_of_another_size_is_drawn_again(tmp_path) -> None:
    """No COLUMNS: rich asks the terminal. Replayed at the same size, drawn again at another."""
    env = environment(tmp_path)
    first, drew = _pty_run(("check", "--help"), env, 90)
    again, drew_again = _pty_run(("check", "--help"), env, 90)
    other, drew_other = _pty_run(("check", "--help"), env, 70)
    assert (bool(drew), bool(drew_again), bool(drew_other)) == (True, False, True)
    assert again == first
    assert "\x1b[" in first  # a terminal: colour
    assert other != first
    plain = re.sub(r"\x1b\[[0-9;]*m", "", other)
    assert max(len(line) for line in plain.splitlines()) == 70


def test_an_edited_source_file_is_never_replayed_stale(tmp_path) -> None:
    """A docstring edited in place, same size, modification time put back, bytecode removed:
    only the change time says it changed, and that is enough."""
    package = tmp_path / "code" / "migems_cli"
    shutil.copytree(ROOT / "migems_cli", package, symlinks=False, ignore=_no_bytecode)
    env = environment(tmp_path / "cache", COLUMNS="100", NO_COLOR="1")
    env["PYTHONPATH"] = str(package.parent)
    args = ("status", "processing")
    before = migems(args, env, tmp_path)
    assert before.modules
    assert "Order statuses" in before.out
    assert migems(args, env, tmp_path).modules == []  # replayed
    renderer = package / "render" / "status_rich.py"
    info = renderer.stat()
    renderer.write_text(renderer.read_text().replace('"Order statuses"', '"Order STATUSES"'))
    os.utime(renderer, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert renderer.stat().st_size == info.st_size
    for cached in package.rglob("__pycache__"):
        shutil.rmtree(cached)
    after = migems(args, env, tmp_path)
    assert after.modules  # drawn again
    assert after.out == before.out.replace("Order statuses", "Order STATUSES")


def _no_bytecode(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__"]


# --- broken caches: only ever a miss ------------------------------------------------------------

KEY = "ab" * 32


@pytest.fixture
def cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MIGEMS_NO_CACHE", raising=False)
    render_cache.store(KEY, "kept\n")
    entry = tmp_path / "migems" / "output" / KEY[:40]
    assert render_cache.lookup(KEY) == "kept\n"
    return entry


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[:10],
        lambda blob: blob[:-1],
        lambda blob: blob + b"x",
        lambda blob: _flip(blob, 0),  # the format
        lambda blob: _flip(blob, len(render_cache.MAGIC)),  # the key
        lambda blob: _flip(blob, len(render_cache.MAGIC) + 40),  # the payload's digest
        lambda blob: _flip(blob, len(blob) - 3),  # the text
    ],
    ids=["empty", "cut", "short", "longer", "magic", "key", "digest", "payload"],
)
def test_a_damaged_entry_is_a_miss(cache: Path, damage) -> None:
    cache.write_bytes(damage(cache.read_bytes()))
    assert render_cache.lookup(KEY) is None


def test_an_entry_with_valid_digests_but_another_shape_is_a_miss(cache: Path) -> None:
    import marshal

    from migems_cli.policy_cache import digest

    for payload in (marshal.dumps(42), marshal.dumps((1, 2, 3)), marshal.dumps((("x",), b"t"))):
        payload = payload if payload else b""
        cache.write_bytes(render_cache.MAGIC + bytes.fromhex(KEY) + digest(payload) + payload)
        assert render_cache.lookup(KEY) is None
    garbage = b"\xff\x00garbage"
    cache.write_bytes(render_cache.MAGIC + bytes.fromhex(KEY) + digest(garbage) + garbage)
    assert render_cache.lookup(KEY) is None


def _write_payload(entry: Path, payload: bytes) -> None:
    from migems_cli.policy_cache import digest

    entry.write_bytes(render_cache.MAGIC + bytes.fromhex(KEY) + digest(payload) + payload)


@pytest.mark.parametrize(
    "dependencies",
    [({},), ({0: "x"},), ((2**70, 1, 2, 3, 4),), ((-1, 0, 0, 0, 0),), ((b"/",),), ("",), (None,)],
    ids=["dict", "dict0", "huge-fd", "fd", "bytes", "empty-str", "none"],
)
def test_an_entry_whose_signatures_are_not_signatures_is_a_miss(
    cache: Path, dependencies: tuple[object, ...]
) -> None:
    """Valid digests around a hostile payload (anyone can compute a SHA-256): each signature
    must be a (path, inode, size, mtime, ctime) tuple, or the entry is a miss, not a KeyError
    or an OverflowError from os.stat."""
    import marshal

    _write_payload(cache, marshal.dumps((dependencies, "kept\n")))
    assert render_cache.lookup(KEY) is None


def test_an_entry_stdout_cannot_encode_is_a_miss(cache: Path, monkeypatch) -> None:
    """A text that the drawing could never have written (a lone surrogate, on a strict UTF-8
    stdout, as PYTHONIOENCODING=utf-8 makes it) is a miss, nothing written: not a
    UnicodeEncodeError traceback."""
    import io

    render_cache.store(KEY, "a\udc80b\n")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    assert render_cache.replay(KEY) is False
    assert raw.getvalue() == b""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux has it")
def test_an_entry_that_claims_more_than_memory_holds_is_a_miss(cache: Path, tmp_path) -> None:
    """A payload announcing a tuple of 2**31 - 1 items (16 GiB): under a memory limit (a
    container, ulimit -v) marshal raises MemoryError, which must be a miss."""
    _write_payload(cache, b"(" + (2**31 - 1).to_bytes(4, "little"))
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))\n"
        "from migems_cli import render_cache\n"
        f"print(render_cache.lookup({KEY!r}))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (done.returncode, done.stdout, done.stderr) == (0, "None\n", "")


def test_an_entry_that_is_not_a_private_regular_file_is_a_miss(cache: Path, tmp_path) -> None:
    blob = cache.read_bytes()
    cache.chmod(0o620)  # writable by the group
    assert render_cache.lookup(KEY) is None
    cache.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(blob)
    elsewhere.chmod(0o600)
    cache.symlink_to(elsewhere)  # a link is not followed
    assert render_cache.lookup(KEY) is None
    cache.unlink()
    os.mkfifo(cache)  # opened without blocking, and refused
    assert render_cache.lookup(KEY) is None
    cache.unlink()
    cache.mkdir()
    assert render_cache.lookup(KEY) is None


def test_a_changed_dependency_is_a_miss(cache: Path, tmp_path, monkeypatch) -> None:
    module = tmp_path / "drawn_by.py"
    module.write_text("X = 1\n")
    monkeypatch.setattr(
        render_cache, "_dependencies", lambda: (render_cache._signature(str(module)),)
    )
    render_cache.store(KEY, "kept\n")
    assert render_cache.lookup(KEY) == "kept\n"
    module.write_text("X = 2\n")  # same size
    assert render_cache.lookup(KEY) is None
    module.unlink()
    assert render_cache.lookup(KEY) is None


def test_an_unwritable_cache_is_quietly_nothing(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    render_cache.store(KEY, "kept\n")  # no exception
    assert render_cache.lookup(KEY) is None


def test_the_oldest_entries_go_beyond_the_cap(cache: Path, monkeypatch) -> None:
    keys = [f"{n:02x}" * 32 for n in range(6)]
    for n, key in enumerate(keys):
        render_cache.store(key, f"{n}\n")
        os.utime(cache.parent / key[:40], ns=(n * 10**9, (n + 1) * 10**9))
    os.utime(cache, ns=(0, 0))  # KEY's, the oldest
    monkeypatch.setattr(render_cache, "MAX_ENTRIES", 5)
    monkeypatch.setattr(render_cache, "KEEP_ENTRIES", 3)
    render_cache.store("ff" * 32, "last\n")
    left = sorted(path.name for path in cache.parent.iterdir())
    assert len(left) == 3
    assert "ff" * 20 in left
    assert render_cache.lookup(keys[-1]) == "5\n"
    assert render_cache.lookup(keys[0]) is None


def test_broken_caches_never_reach_the_user(tmp_path) -> None:
    """The console script over a damaged entry, a cache path that is a file, and a cache folder
    that is a file: the drawing, exit 0, nothing on stderr."""
    args = ("check", "--help")
    env = environment(tmp_path / "cache", COLUMNS="80", NO_COLOR="1")
    drawn = migems(args, env)
    (entry,) = (tmp_path / "cache" / "migems" / "output").iterdir()
    entry.write_bytes(_flip(entry.read_bytes(), entry.stat().st_size - 5))
    damaged = subprocess.run(
        [sys.executable, "-m", "migems_cli", *args], capture_output=True, text=True, env=env
    )
    assert (damaged.returncode, damaged.stdout, damaged.stderr) == (0, drawn.out, "")
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    for cache in (blocker, blocker / "below"):
        done = subprocess.run(
            [sys.executable, "-m", "migems_cli", *args],
            capture_output=True,
            text=True,
            env={**env, "XDG_CACHE_HOME": str(cache)},
        )
        assert (done.returncode, done.stdout, done.stderr) == (0, drawn.out, "")


# --- what the key may hold, and what it must hold -----------------------------------------------


def test_faithful_values_show_every_part_in_their_repr() -> None:
    from datetime import date
    from decimal import Decimal
    from typing import NamedTuple

    class Pair(NamedTuple):
        a: str
        b: date | None

    class Custom(NamedTuple):
        a: str

        def __repr__(self) -> str:
            return "Custom"

    assert render_cache.faithful(("x", 1, 2.5, None, True, Decimal("1.10"), Pair("a", None)))
    assert render_cache.faithful((Pair("a", date(2026, 1, 2)), ((),)))
    for unfaithful in ([1], {"a": 1}, object(), Custom("a"), (Pair("a", [1]),), {1}):
        assert not render_cache.faithful(unfaithful)


def test_only_plain_help_requests_are_replayed() -> None:
    """An option before --help could take it as its value and run the command (`status
    --country --help`): such a command line is never a help request for the cache."""
    from migems_cli.cli import _is_help

    for argv in (["--help"], ["-h"], ["check", "--help"], ["log", "show", "-h"]):
        assert _is_help(argv), argv
    for argv in (
        ["status", "--country", "--help"],
        ["--json", "--help"],
        ["check", "-d", "-h"],
        ["a", "b", "c", "--help"],
        ["check"],
        ["--help", "check"],
        [],
    ):
        assert not _is_help(argv), argv


def test_the_key_is_off_where_stdout_is_not_the_scripts_own() -> None:
    """In-process callers (these tests, another program) always get a fresh drawing."""
    assert render_cache.key("help", ("--help",)) is None


def _literal_env_names(folder: Path) -> set[str]:
    pattern = re.compile(
        r"""(?:getenv|environ\.get|environ\[|_environ\.get)\(?\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""
    )
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


# read by rich, Typer or click, and not for what help or a table looks like
NOT_DRAWING = {"XDG_CONFIG_HOME"}  # click.get_app_dir, for configuration files


def test_every_variable_rich_and_typer_read_is_in_the_key() -> None:
    """A new rich or Typer that reads another variable fails here until the key holds it."""
    import rich
    import typer

    found = set()
    for package in (rich, typer):
        found |= _literal_env_names(Path(package.__file__).parent)
    assert {"COLUMNS", "TERMINAL_WIDTH"} <= found  # the scan sees them
    missing = {
        name
        for name in found - NOT_DRAWING
        if name not in render_cache.ENV_NAMES and not name.startswith(render_cache.ENV_PREFIXES)
    }
    assert missing == set()
