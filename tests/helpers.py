"""Helpers the test modules share: run the real entry point in-process or in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import NamedTuple

import pytest

from migems_cli.cli import main


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`migems ARGS` as the console script runs it: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


def assert_bad_input(code: int, out: str, err: str, named: str) -> None:
    """Exit 2, one `Error:` line on stderr naming `named`, no traceback; on stdout nothing, or
    (the command ran with --json) one JSON document `{"error": ...}` naming `named` too."""
    assert code == 2
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
    args: list[str], watched: tuple[str, ...], env: dict[str, str] | None = None
) -> Imported:
    """Run `migems ARGS` in a fresh interpreter and report which `watched` modules it imported."""
    code = (
        "import sys, json\n"
        "from migems_cli.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        f"watched = {watched!r}\n"
        "mods = sorted(m for m in sys.modules if any(m == w or m.startswith(w + '.') for w in watched))\n"
        "sys.stderr.write(json.dumps({'code': code, 'mods': mods}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    found = json.loads(done.stderr.splitlines()[-1])
    return Imported(found["code"], done.stdout, found["mods"])
