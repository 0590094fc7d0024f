"""`migems policy show` and `migems policy check`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from migems_cli.options import JsonOption, PolicyOption, TodayOption, common

policy_app = typer.Typer(
    help="Show or validate the store policy (policy.toml).",
    no_args_is_help=True,
    add_completion=False,
)


@policy_app.command()
def show(policy: PolicyOption = None, today: TodayOption = None, json: JsonOption = False) -> int:
    """Show the effective policy: windows, categories, reasons, statuses, shipping.

    Example: migems policy show --json | jq .return_window_days
    """
    env = common(policy, today, json, False)
    if env.json:
        from migems_cli.policy_dump import policy_document
        from migems_cli.render.json_out import print_json

        print_json(policy_document(env.policy))
    else:
        from migems_cli.render.policy_rich import render_policy

        render_policy(env.policy)
    return 0


@policy_app.command("check")
def check_policy(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Policy file to validate [default: --policy, MIGEMS_POLICY, or the bundled one].",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    policy: PolicyOption = None,
    json: JsonOption = False,
) -> int:
    """Validate a policy file: every error as file:line: key: message, then the warnings.

    Exit status: 0 valid, 2 invalid (or any warning with --strict).

    Example: migems policy check my-policy.toml --strict
    """
    from migems_cli.business_days import BusinessCalendar
    from migems_cli.errors import PolicyError
    from migems_cli.policy import display_path, resolve_policy_path
    from migems_cli.policy_load import check_time_zone, load_policy, policy_warnings

    target = path or resolve_policy_path(str(policy) if policy else None)
    shown = display_path(target)
    errors: list[str] = []
    warnings: list[str] = []
    try:
        loaded = load_policy(target)
        check_time_zone(loaded)
        BusinessCalendar(loaded.calendar.holiday_country, loaded.calendar.closures, str(target))
        warnings = policy_warnings(loaded)
    except PolicyError as exc:
        errors = exc.problems
    valid = not errors and not (strict and warnings)
    if json:
        from migems_cli.render.json_out import print_json

        print_json({"path": shown, "valid": valid, "errors": errors, "warnings": warnings})
    else:
        for line in errors:
            print(line, file=sys.stderr)
        for line in warnings:
            print(f"{shown}: warning: {line}", file=sys.stderr)
        verdict = "valid" if valid else "INVALID"
        print(f"{shown}: {verdict} ({len(errors)} errors, {len(warnings)} warnings)")
    return 0 if valid else 2
