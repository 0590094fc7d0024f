"""Helpers the test modules share: run the real entry point in-process or as the console script.

The two ways to call the CLI in a test:
- the `run` fixture (tests/conftest.py): `migems_cli.cli.main` in-process, as the console script
  calls it; fast, for almost every test;
- `run_script`: the installed `migems` console script in a subprocess, for the few tests that need
  a real process (pipes, signals, start-up, the entry point itself).
Both set the same environment (fixed today, no colour, 100 columns, no MIGEMS_POLICY) and return
a `Result`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from migems_cli.cli import main
from migems_cli.errors import ExitCode
from migems_cli.policy import Policy, bundled_policy_path
from migems_cli.policy_load import load_policy

TODAY = date(2026, 11, 26)
ENV = {"MIGEMS_TODAY": TODAY.isoformat(), "COLUMNS": "100", "NO_COLOR": "1"}


class Result(NamedTuple):
    code: int
    out: str
    err: str


@functools.cache
def shared_policy() -> Policy:
    """The bundled policy, loaded once per test session. Tests take it from the `policy`
    fixture; only what is needed at collection time (parametrize lists, hypothesis strategies)
    calls this directly."""
    return load_policy(bundled_policy_path())


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`migems ARGS` as the console script runs it: (exit code, stdout, stderr). The `run`
    fixture wraps this; call the fixture in tests."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def migems_script() -> str:
    """The installed `migems` console script, next to this interpreter or on PATH."""
    beside = Path(sys.executable).with_name("migems")
    found = str(beside) if beside.exists() else shutil.which("migems")
    if not found:
        pytest.fail("the migems console script is not installed (pip install -e '.[test]')")
    return found


def script_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment `run_script` gives the console script: ours, made predictable."""
    merged = {**os.environ, **ENV, **(env or {})}
    if "MIGEMS_POLICY" not in (env or {}):
        merged.pop("MIGEMS_POLICY", None)
    return merged


def run_script(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> Result:
    """`migems ARGS` as a real process (the installed console script): exit code and streams."""
    done = subprocess.run(
        [migems_script(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=script_env(env),
        cwd=cwd,
        check=False,
        timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def assert_bad_input(code: int, out: str, err: str, named: str) -> None:
    """Exit 2, one `Error:` line on stderr naming `named`, no traceback; on stdout nothing, or
    (the command ran with --json) one JSON document `{"error": ...}` naming `named` too."""
    assert code == ExitCode.BAD_INPUT
    if out:
        error = json.loads(out)["error"]
        assert set(error) == {"message", "option", "value"}
        assert named in error["message"]
    assert err.startswith("Error: ")
    assert err.count("\n") == 1
    assert named in err
    assert "Traceback" not in err


class Imported(NamedTuple):
    code: int
    out: str
    modules: list[str]  # the watched modules (or their submodules) that the run imported


def modules_after(
    args: list[str],
    watched: tuple[str, ...],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Imported:
    """Run `migems ARGS` in a fresh interpreter (in `cwd`: a `migems_cli` folder there comes
    first) and report which `watched` modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", report_script(args, watched, 2)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=60,
    )
    found = json.loads(done.stderr.splitlines()[-1])
    return Imported(found["code"], done.stdout, found["mods"])


def report_script(args: list[str] | tuple[str, ...], watched: tuple[str, ...], fd: int) -> str:
    """Python source that runs `migems ARGS` in-process, then writes, on a line of its own on
    file descriptor `fd`, a JSON object: the exit code and the `watched` modules (or their
    submodules) the run imported."""
    return (
        "import json, os, sys\n"
        "from migems_cli.cli import main\n"
        "code = 0\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        f"watched = {watched!r}\n"
        "mods = sorted(m for m in sys.modules if any(m == w or m.startswith(w + '.') for w in watched))\n"
        "sys.stdout.flush()\n"
        "sys.stderr.flush()\n"
        f"os.write({fd}, ('\\n' + json.dumps({{'code': code, 'mods': mods}})).encode())\n"
    )


def csv_reference(
    text: str, delimiter: str, cap: int | None = None
) -> tuple[list[tuple[int, list[str]]], bool]:
    """The records csv.reader (strict=False) reads from `text`, as Python 3.11+ reads them on
    every Python (3.10 refuses a NUL: here it is read as any other character, as 3.11 does):
    (start line, cells cut to `cap`), blank lines as []; and whether the last record is a quote
    left open at the end of the text (csv.reader asked for a line after the last one)."""
    assert "\x01" not in text  # stands for NUL while csv.reader reads
    ended = False

    def lines() -> Iterator[str]:
        nonlocal ended
        yield from io.StringIO(text.replace("\x00", "\x01"), newline="")
        ended = True

    limit = csv.field_size_limit(sys.maxsize)
    try:
        reader = csv.reader(lines(), delimiter=delimiter, strict=False)
        found: list[tuple[int, list[str]]] = []
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return found, False
            found.append((start, [cell.replace("\x01", "\x00")[:cap] for cell in record]))
            if ended:
                return found, True
    finally:
        csv.field_size_limit(limit)


def on_terminal(
    argv: list[str],
    stdout: int | io.BufferedWriter | None = None,
    stderr: int | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """Run `argv` with stdout and stderr on a pseudo-terminal, except the one given a file (or
    subprocess.DEVNULL): the exit code and every byte the terminal received."""
    import pty
    import threading
    from contextlib import suppress

    master, terminal = pty.openpty()
    shown = bytearray()

    def read_terminal() -> None:
        with suppress(OSError):
            while chunk := os.read(master, 65536):
                shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=terminal if stdout is None else stdout,
            stderr=terminal if stderr is None else stderr,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        reader.join(5)
        os.close(master)
    return done.returncode, bytes(shown)


class Pipe(io.RawIOBase):
    """Bytes that cannot seek, as a pipe gives them (a file's reader reads them a line at a
    time, as it reads standard input)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)
