"""Help is printed without importing markdown-it and pygments, and looks exactly as before.

Typer's `rich_utils` imports `rich.markdown` and `rich.traceback` for features migems does not
use (markdown help text, pretty tracebacks); `help_imports` gives it stand-ins (issue 15).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from migems_cli.errors import ExitCode
from migems_cli.help_imports import _stand_in
from tests.helpers import modules_after

HEAVY = ("markdown_it", "pygments", "rich.markdown", "rich.traceback", "rich.syntax")


def help_text(args: list[str], preload: str, color: bool) -> str:
    """The help `migems ARGS` prints in a fresh interpreter after `preload` ran."""
    code = f"{preload}\nfrom migems_cli.cli import main\nmain({args!r})\n"
    env = dict(os.environ, COLUMNS="80", MIGEMS_NO_CACHE="1")  # drawn, never replayed
    env.pop("NO_COLOR", None)
    if color:
        env["FORCE_COLOR"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == ExitCode.OK, done.stderr
    return done.stdout


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["policy", "--help"]])
def test_help_imports_neither_markdown_it_nor_pygments(args: list[str]) -> None:
    found = modules_after(args, HEAVY, dict(os.environ, MIGEMS_NO_CACHE="1"))  # drawn
    assert (found.code, found.modules) == (ExitCode.OK, [])
    assert "Usage: migems" in found.out


@pytest.mark.parametrize(("args", "color"), [(["--help"], True), (["batch", "--help"], False)])
def test_help_looks_as_with_the_real_modules(args: list[str], color: bool) -> None:
    real = help_text(args, "import rich.markdown, rich.traceback, typer.rich_utils", color)
    assert help_text(args, "", color) == real
    assert ("\x1b[" in real) == color


def test_a_stand_in_is_the_real_class_when_used() -> None:
    from rich.markdown import Markdown
    from rich.traceback import Traceback

    assert isinstance(_stand_in("rich.markdown", "Markdown")("*x*"), Markdown)
    traceback = _stand_in("rich.traceback", "Traceback")
    assert traceback.from_exception == Traceback.from_exception
    with pytest.raises(AttributeError):
        traceback.__wrapped__  # noqa: B018
