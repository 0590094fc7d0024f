"""`migems policy show` and `migems policy check`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from migems_cli.errors import ExitCode, InputError
from migems_cli.options import PLAIN_TEXT, JsonOption, PolicyOption, TodayOption, common

policy_app = typer.Typer(
    help="Show or validate the store policy (policy.toml).",
    no_args_is_help=True,
    add_completion=False,
)


@policy_app.command()
def show(
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="With --policy DIR: show the version in force on this day (a single policy "
            "file answers every day).",
            metavar="DATE",
            show_default="today",
        ),
    ] = None,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
) -> int:
    """Show the effective policy: windows, categories, reasons, statuses, shipping.

    Example: migems policy show --json | jq .return_window_days
    """
    from migems_cli.policy_dump import policy_document
    from migems_cli.render.emit import Document, emit

    env = common(policy, today, json, False)
    if at is not None:  # a single policy file answers every claim: --at changes nothing
        from migems_cli.dates import parse_date

        day = parse_date(at, "at", env.today)
        if env.versions is not None:
            found = env.versions.at(day)
            if found is None:
                first = env.versions.versions[0].identity
                raise InputError(
                    "at",
                    at,
                    f"is before every policy version in {env.versions.source}: the earliest, "
                    f"version {first.version!r}, is in force from {first.effective_from}",
                )
            env.policy, env.chosen_by = found, "at"

    def render() -> None:
        from migems_cli.render.policy_rich import render_policy

        render_policy(env.policy)

    emit(env, Document(lambda: policy_document(env.policy)), render)
    return ExitCode.OK


@policy_app.command("check")
def check_policy(
    path: Annotated[
        str | None,
        typer.Argument(
            help="Policy file to validate.",
            show_default="--policy, MIGEMS_POLICY, or the bundled one",
            metavar="PATH",
            click_type=PLAIN_TEXT,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
) -> int:
    """Validate a policy file: every error as file:line: key: message, then the warnings.

    Exit status: 0 valid, 2 invalid (or any warning with --strict).

    Example: migems policy check my-policy.toml --strict
    """
    from migems_cli.business_days import business_calendar
    from migems_cli.errors import PolicyError
    from migems_cli.policy import display_path, is_directory, resolve_policy_path
    from migems_cli.policy_load import load_policy
    from migems_cli.policy_warnings import check_time_zone, policy_warnings
    from migems_cli.render.emit import Document, NoPolicy, emit

    if today:  # the SPEC gives --today to every command; checking a file does not read it
        from migems_cli.dates import fixed_today

        fixed_today(today, None, False)
    if path is not None and not path.strip():  # not "the default policy", nor the folder '.'
        raise InputError("PATH", path, "is empty; give a policy file or leave it out")
    target = Path(path) if path else resolve_policy_path(str(policy) if policy else None)
    shown = display_path(target)
    errors: list[str] = []
    warnings: list[str] = []
    extras: dict[str, object] = {}
    if is_directory(target):  # a directory of versions: every file, then the set
        from migems_cli.policy_versions import check_directory

        errors, lines, versions = check_directory(target, today)
        warnings = lines
        extras["versions"] = [{**v.identity.to_dict(), "path": v.source} for v in versions]
    else:
        lines = None
        try:
            loaded = load_policy(target, replies=True)  # the reply templates too
            check_time_zone(loaded)
            business_calendar(loaded, str(target))
            warnings = policy_warnings(loaded)
            extras["policy"] = {**loaded.identity.to_dict(), "chosen_by": None}
        except PolicyError as exc:
            errors = exc.problems
    valid = not errors and not (strict and warnings)

    def render() -> None:
        from migems_cli.render.safe import visible

        shown_warnings = (
            lines if lines is not None else [f"{shown}: warning: {line}" for line in warnings]
        )
        for line in [*errors, *shown_warnings]:
            print(_wrapped(visible(line)), file=sys.stderr)
        verdict = "valid" if valid else "INVALID"
        counts = f"{_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}"
        print(f"{visible(shown)}: {verdict} ({counts})")

    report = {"path": shown, "valid": valid, "errors": errors, "warnings": warnings}
    emit(NoPolicy(json), Document(lambda: report), render, extras)
    return ExitCode.OK if valid else ExitCode.BAD_INPUT


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _wrapped(line: str) -> str:
    """On a terminal, `line` broken between words at its width, continuations indented; piped,
    one line (for grep)."""
    if not sys.stderr.isatty():
        return line
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    return textwrap.fill(
        line,
        width=max(width, 20),
        subsequent_indent="    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
