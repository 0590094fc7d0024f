"""A closed stdout, a closed or full stderr, a closed stdin: one clear outcome, never a traceback,
and an exit code that still means what the SPEC says (found by attacking issue 9's fixes)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migems_cli.errors import ExitCode

MIGEMS = shutil.which("migems", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(
    MIGEMS is None or not Path("/dev/full").exists(), reason="needs the console script, /dev/full"
)
ENV = {**os.environ, "MIGEMS_TODAY": "2026-11-26", "NO_COLOR": "1"}
ENV.pop("MIGEMS_POLICY", None)

ELIGIBLE = "check --delivered 2026-11-20 --category rings"
REVIEW = "check --delivered 2026-11-20 --reason damaged"
BAD = "check --delivered xx"


def shell(args: str, redirect: str) -> subprocess.CompletedProcess[str]:
    """`migems ARGS REDIRECT` run by sh, which closes or points the streams as told."""
    return subprocess.run(
        ["sh", "-c", f"{shlex.quote(str(MIGEMS))} {args} {redirect}"],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ELIGIBLE,
        f"{ELIGIBLE} --json",
        "status",
        "ring-size",
        "policy show",
        "refund --received 2026-11-02",
    ],
)
def test_a_closed_stdout_is_exit_2_with_one_line(args: str) -> None:
    done = shell(args, ">&-")
    assert done.returncode == ExitCode.BAD_INPUT
    assert done.stderr == "Error: cannot write output: standard output is closed\n"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (ELIGIBLE, ExitCode.OK),
        (REVIEW, ExitCode.REVIEW),
        (BAD, ExitCode.BAD_INPUT),
        ("policy check", ExitCode.OK),  # its warnings go to stderr
        (f"{BAD} --json", ExitCode.BAD_INPUT),
    ],
)
@pytest.mark.parametrize("redirect", ["2>/dev/full", "2>&-"])
def test_a_full_or_closed_stderr_keeps_the_exit_code(args: str, code: int, redirect: str) -> None:
    done = shell(args, redirect)
    assert done.returncode == code, done.stdout[-500:]
    if "--json" in args:
        assert '"error"' in done.stdout


def test_batch_with_a_full_stderr_keeps_exit_0(tmp_path: Path) -> None:
    source = tmp_path / "ok.csv"
    source.write_text("claim_id,delivered,category\nA,2026-11-20,rings\n", encoding="utf-8")
    done = shell(f"batch {shlex.quote(str(source))} --format csv", "2>/dev/full")
    assert done.returncode == ExitCode.OK
    assert done.stdout.splitlines()[1].startswith("A,2026-11-20,rings,eligible,")
