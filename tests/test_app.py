"""The app as a whole: help everywhere, examples, start-up imports, the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
import typer
from typer import _click
from typer.core import TyperArgument, TyperGroup, TyperOption

from migems_cli.cli import app
from migems_cli.errors import ExitCode
from tests.helpers import migems_script, modules_after, run_script, script_env

HEAVY = ("rich", "dateutil", "holidays", "pydantic")


def _commands() -> Iterator[tuple[str, _click.Command]]:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    ctx = _click.Context(root)

    def walk(group: TyperGroup, prefix: str) -> Iterator[tuple[str, _click.Command]]:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, TyperGroup):
                yield from walk(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command

    yield from walk(root, "")


def test_every_command_and_option_has_help_and_an_example() -> None:
    found = list(_commands())
    assert {name for name, _ in found} >= {"check", "policy show", "policy check"}
    for name, command in found:
        assert command.help, name
        assert "Example: migems " in command.help, name
        for param in command.params:
            if isinstance(param, TyperOption) and param.name != "help":
                assert param.help, f"{name} {param.opts}"
            if isinstance(param, TyperArgument):
                assert getattr(param, "help", None), f"{name} {param.name}"


def test_help_paragraphs_flow_to_the_terminal_width() -> None:
    """Docstrings are wrapped at 100 columns in the source; help must not keep those breaks."""
    for name, command in _commands():
        assert command.help is not None
        for paragraph in command.help.split("\n\n"):
            assert "\n" not in paragraph, name
            assert "  " not in paragraph, name


def test_check_json_imports_no_rich_dateutil_or_holidays() -> None:
    found = modules_after(
        ["check", "--delivered", "2026-11-03", "--category", "rings", "--json"], HEAVY, script_env()
    )
    assert (found.code, found.modules) == (ExitCode.OK, [])


def test_check_panel_imports_nothing_of_the_refund_schedule() -> None:
    """The panel's grids are drawn without `schedule` and `statuses` (about 1 ms of its
    start-up), which only `refund`, `deadlines` and `status` need."""
    watched = ("migems_cli.schedule", "migems_cli.statuses", "migems_cli.render.schedule_rich")
    env = dict(script_env(), MIGEMS_NO_CACHE="1")  # drawn, never replayed
    found = modules_after(
        ["check", "--delivered", "2026-11-03", "--category", "rings"], watched, env
    )
    assert (found.code, found.modules) == (ExitCode.OK, [])
    assert "ELIGIBLE" in found.out


def test_written_month_names_bring_in_dateutil_only_then() -> None:
    found = modules_after(
        ["check", "--delivered", "Nov 3 2026", "--category", "rings", "--json"],
        HEAVY,
        script_env(),
    )
    assert found.code == ExitCode.OK
    assert {m.split(".")[0] for m in found.modules} == {"dateutil"}


def test_console_script_in_a_subprocess(tmp_path) -> None:
    done = run_script(
        "check", "--delivered", "2026-11-03", "--category", "earrings", "--json", cwd=tmp_path
    )
    assert done.code == ExitCode.INELIGIBLE
    assert json.loads(done.out)["decision"] == "ineligible"
    assert done.err == ""


def test_console_script_bad_input_has_no_traceback(tmp_path) -> None:
    done = run_script("check", "--delivered", "2026-02-30", cwd=tmp_path)
    assert done.code == ExitCode.BAD_INPUT
    assert done.out == ""
    assert (
        done.err
        == "Error: --delivered: not a real date (day is out of range for month) (got '2026-02-30')\n"
    )


def test_python_dash_m(tmp_path) -> None:
    """`python -m migems_cli`, the other real entry point (run_script runs the console script)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "migems_cli",
            "check",
            "--delivered",
            "2026-11-20",
            "--reason",
            "damaged",
            "--photos",
        ],
        capture_output=True,
        text=True,
        env=script_env({"COLUMNS": "80"}),
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == ExitCode.OK
    assert "ELIGIBLE" in done.stdout
    assert "\x1b[" not in done.stdout  # piped: no colour codes


def test_broken_pipe_is_quiet(tmp_path) -> None:
    done = subprocess.run(
        f"'{migems_script()}' policy show --json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        env=script_env(),
        cwd=tmp_path,
        check=False,
    )
    assert done.stdout == '{\n  "sourc'
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["check", "--help"],
        ["batch", "--help"],
        ["ring-size", "--help"],
        ["policy", "--help"],
        ["policy", "check", "--help"],
    ],
)
def test_help_has_no_trailing_spaces_at_any_width(run, monkeypatch, args) -> None:
    for width in ("60", "80", "120"):
        monkeypatch.setenv("COLUMNS", width)
        result = run(*args)
        assert result.code == ExitCode.OK
        assert "Usage: migems" in result.out
        padded = [line for line in result.out.splitlines() if line != line.rstrip()]
        assert padded == [], (width, padded[:3])


def test_no_command_prints_the_help_and_no_empty_error_line(run) -> None:
    result = run()
    assert result.code == ExitCode.BAD_INPUT
    assert "Usage: migems" in result.out
    assert result.err == ""
