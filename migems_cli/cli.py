"""The `migems` Typer app, its common options, and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from migems_cli.errors import InputError, MigemsError
from migems_cli.policy import Policy

app = typer.Typer(
    name="migems",
    help=(
        "MIGEMS support toolkit: return eligibility, refunds, deadlines, order statuses and ring "
        "sizes, all from the store's policy.toml.\n\n"
        "Example: migems check --delivered 2026-11-03 --category rings --price 120"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

PolicyOption = Annotated[
    Path | None,
    typer.Option(
        "--policy",
        help="Policy file to use [env: MIGEMS_POLICY; default: the bundled policy.toml].",
        show_default=False,
        dir_okay=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Treat this date as today [env: MIGEMS_TODAY; default: today in the store's time zone].",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document on stdout instead of tables."),
]
DayfirstOption = Annotated[
    bool,
    typer.Option("--dayfirst", help="Read slashed dates as DD/MM/YYYY instead of MM/DD/YYYY."),
]


@dataclass(frozen=True)
class Common:
    """What every command needs: the loaded policy, today's date, and how to print."""

    policy: Policy
    today: date
    json: bool
    dayfirst: bool


def common(policy: Path | None, today: str | None, json: bool, dayfirst: bool) -> Common:
    """Load the policy and resolve today; raises `PolicyError` or `InputError`."""
    from migems_cli.dates import resolve_today
    from migems_cli.policy import resolve_policy_path
    from migems_cli.policy_load import load_policy

    loaded = load_policy(resolve_policy_path(str(policy) if policy else None))
    day = resolve_today(today, os.environ.get("MIGEMS_TODAY"), loaded.store.time_zone)
    return Common(loaded, day, json, dayfirst)


def _version(value: bool) -> None:
    if value:
        from migems_cli import version

        print(f"migems {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """MIGEMS support toolkit."""


def _register() -> None:
    from migems_cli.commands import batch, check, policy_cmd

    app.command(rich_help_panel="Returns and refunds")(check.check)
    app.command(rich_help_panel="Returns and refunds")(batch.batch)
    app.add_typer(policy_cmd.policy_app, name="policy", rich_help_panel="Store policy")


_register()


def _option_name(error: InputError) -> str:
    field = error.field
    if field.startswith("-") or field.isupper():
        return field
    return "--" + field.replace("_", "-")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map every outcome to an exit code."""
    from typer import _click

    try:
        code = app(args=argv, prog_name="migems", standalone_mode=False)
    except InputError as exc:
        code = _fail(f"{_option_name(exc)}: {exc.message} (got {exc.value!r})", exc.exit_code)
    except MigemsError as exc:
        code = _fail(str(exc), exc.exit_code)
    except _click.exceptions.UsageError as exc:
        hint = f" (see 'migems {exc.ctx.command_path.partition(' ')[2]} --help')" if exc.ctx else ""
        code = _fail(
            exc.format_message().replace("\n", " ") + hint.replace("  --help", " --help"), 2
        )
    except _click.exceptions.ClickException as exc:
        code = _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = 130
    except BrokenPipeError:
        # the reader went away (`| head`): not an error; keep Python quiet at shutdown
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> int:
    print(f"Error: {message}", file=sys.stderr)
    return code
