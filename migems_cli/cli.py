"""The `migems` Typer app, and the one place where errors become exit codes."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

# Typer 0.28 vendors click as typer._click (click is not installed): the group's overrides and
# the error mapping need its Command, Context, HelpFormatter and UsageError family, which Typer
# does not re-export.
from typer import _click
from typer.core import TyperGroup, TyperOption

from migems_cli import stdout_guard
from migems_cli.errors import ExitCode, InputError, MigemsError

# Each command's module is imported, and its options built, only when that command runs (or when
# help lists them): Typer would otherwise inspect every command's signature at every start.
# name -> ("module:attribute", help panel); the attribute is a function or a Typer sub-app.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("migems_cli.commands.check:check", "Returns and refunds"),
    "batch": ("migems_cli.commands.batch:batch", "Returns and refunds"),
    "refund": ("migems_cli.commands.refund:refund", "Returns and refunds"),
    "deadlines": ("migems_cli.commands.deadlines:deadlines", "Returns and refunds"),
    "status": ("migems_cli.commands.status:status", "Orders"),
    "ring-size": ("migems_cli.commands.ring_size:ring_size", "Sizing"),
    "policy": ("migems_cli.commands.policy_cmd:policy_app", "Store policy"),
    "log": ("migems_cli.commands.log:log_app", "Journal"),
}


class LazyGroup(TyperGroup):
    """A Typer group that builds a sub-command from `COMMANDS` only when it is asked for."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target[0].partition(":")
        obj = getattr(importlib.import_module(module_name), attribute)
        if isinstance(obj, typer.Typer):
            obj.info.name = cmd_name
            obj.info.rich_help_panel = target[1]
            command = typer.main.get_command(obj)
        else:
            single = typer.Typer(add_completion=False)
            single.command(cmd_name, rich_help_panel=target[1])(obj)
            command = typer.main.get_command(single)
        command.name = cmd_name
        _reflow(command)
        _refuse_blank(command)
        _plain_usage(command)
        return command

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with _trimmed_stdout():
            super().format_help(ctx, formatter)


def _reflow(command: _click.Command) -> None:
    """Make each paragraph of a command's help one line, for rich to wrap to the terminal.

    Typer's rich help keeps a docstring's single line breaks, so text wrapped at 100 columns in
    the source came out ragged in an 80- or 60-column terminal.
    """
    if command.help:
        command.help = "\n\n".join(
            paragraph if paragraph.startswith("\b") else " ".join(paragraph.split())
            for paragraph in command.help.split("\n\n")
        )
    for sub in getattr(command, "commands", {}).values():
        _reflow(sub)
    _trim_help(command)


def _trim_help(command: _click.Command) -> None:
    """Help without the spaces rich pads every line with (Typer prints it through its own
    console, which has no option for that)."""
    if isinstance(command, LazyGroup):
        return  # its own format_help trims
    original = command.format_help

    def format_help(ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        with _trimmed_stdout():
            original(ctx, formatter)

    command.format_help = format_help  # type: ignore[method-assign]


@contextmanager
def _trimmed_stdout() -> Iterator[None]:
    from migems_cli.help_imports import import_rich_utils
    from migems_cli.render.console import TrimmedLines

    import_rich_utils()  # before Typer imports it, with markdown-it and pygments (see there)

    stdout = sys.stdout
    sys.stdout = TrimmedLines(stdout)
    try:
        yield
    finally:
        sys.stdout = stdout


def _refuse_blank(command: _click.Command) -> None:
    """Make an explicitly empty or blank option value (`--price ''`) an error naming the option.

    Left alone, '' reads as "not given" (a default silently used) or reaches a parser as a value.
    An empty CSV cell still means the default: this applies to typed options only.
    """
    for param in command.params:
        if param.param_type_name == "option" and not getattr(param, "is_flag", False):
            param.callback = _not_blank(param.callback)
    for sub in getattr(command, "commands", {}).values():
        _refuse_blank(sub)


def _plain_usage(command: _click.Command) -> None:
    """Name a required argument in the usage line as its help does (`FILE`), not as Typer's
    `{FILE}`: one metavar per kind, whatever the place."""
    for param in command.params:
        if param.param_type_name == "argument" and param.metavar and param.required:
            param.make_metavar = _metavar(param.metavar)  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        _plain_usage(sub)


def _metavar(name: str) -> Callable[..., str]:
    return lambda ctx=None, usage=False: name


# Options whose value may be whitespace (a tab is a delimiter): only '' is refused for them.
_WHITESPACE_VALUES = frozenset({"--delimiter"})


def _not_blank(inner: Callable[..., Any] | None) -> Callable[..., Any]:
    def callback(ctx: _click.Context, param: _click.Parameter, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            name = max(param.opts, key=len)
            if value and name in _WHITESPACE_VALUES:
                return inner(ctx, param, value) if inner is not None else value
            raise InputError(name, value, "is empty; give a value or leave the option out")
        return inner(ctx, param, value) if inner is not None else value

    return callback


app = typer.Typer(
    cls=LazyGroup,
    name="migems",
    help=(
        "MIGEMS support toolkit: return eligibility, refunds, deadlines, order statuses and ring "
        "sizes, all from the store's policy.toml.\n\n"
        "Example: migems check --delivered 2026-11-03 --category rings --price 120"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from migems_cli import version

        print(f"migems {version()}")
        raise typer.Exit(ExitCode.OK)


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


def _option_name(error: InputError) -> str:
    field = error.field
    if field.startswith("-") or field.isupper():
        return field
    return "--" + field.replace("_", "-")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and map every outcome to an exit code."""
    stdout_guard.guard()  # a closed pipe keeps the verdict; a full disk is exit 2 (see there)
    try:
        code = _run(sys.argv[1:] if argv is None else argv)
    except InputError as exc:
        message = f"{_option_name(exc)}: {exc.message} (got {exc.value!r})"
        _json_error(argv, message, _option_name(exc), str(exc.value))
        code = _fail(message, exc.exit_code)
    except MigemsError as exc:
        _json_error(argv, str(exc), None, getattr(exc, "path", None))
        code = _fail(str(exc), exc.exit_code)
    except _click.exceptions.NoArgsIsHelpError:
        # no command: the help it printed says what to type; no empty error line
        code = ExitCode.BAD_INPUT
    except _click.exceptions.UsageError as exc:
        where = exc.ctx.command_path.partition(" ")[2] if exc.ctx else ""
        hint = f" (see 'migems {where} --help')" if where else " (see 'migems --help')"
        message = exc.format_message().replace("\n", " ")
        _json_error(argv, message, _usage_option(exc), None)
        code = _fail(message + hint, ExitCode.BAD_INPUT)
    except _click.exceptions.ClickException as exc:
        code = _fail(exc.format_message(), exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): not an error
        stdout_guard.quiet()
        code = ExitCode.OK
    try:
        code = stdout_guard.finish(code if isinstance(code, int) else ExitCode.OK)
    except MigemsError as exc:  # stdout could not be written
        code = _fail(str(exc), exc.exit_code)
    if argv is None:  # the process ends here: the interpreter's last collection would only
        import gc  # walk every object (batch's caches: 25 ms after 1M rows) to free nothing

        gc.freeze()
    sys.exit(code)


def _run(argv: list[str]) -> Any:
    """The app on `argv`; help (`migems [CMD [SUB]] --help`) replayed from the render cache when
    it holds this very screen (see `render_cache`: about 60 ms of Typer's rich help saved)."""
    if not _is_help(argv):
        return app(args=argv, prog_name="migems", standalone_mode=False)
    from migems_cli import render_cache

    key = render_cache.key("help", tuple(argv))
    if render_cache.replay(key):
        return ExitCode.OK
    with render_cache.recording(key) as record:
        code = app(args=argv, prog_name="migems", standalone_mode=False)
        record.complete = code in (None, ExitCode.OK)
    return code


def _is_help(argv: list[str]) -> bool:
    """`--help` or `-h` after nothing but up to two words that are not options (command names;
    an option before it could take `--help` as its value and run the command)."""
    return (
        1 <= len(argv) <= 3
        and argv[-1] in ("--help", "-h")
        and all(word.isascii() and word[:1].isalpha() for word in argv[:-1])
        and all(word.replace("-", "").isalpha() for word in argv[:-1])
    )


def _json_error(
    argv: list[str] | None, message: str, option: str | None, value: str | None
) -> None:
    """With `--json`, a bad input is also one JSON document on stdout (one line: for `batch`,
    whose --json is JSON Lines, one more record), so a script's JSON parser never meets nothing.
    """
    if not _wants_json(sys.argv[1:] if argv is None else argv):
        return
    from migems_cli.render.json_out import json_text

    if value is not None:  # argv's undecodable bytes are lone surrogates: not for JSON
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    error = {"message": message, "option": option, "value": value}
    try:
        sys.stdout.write(json_text({"error": error}) + "\n")
        sys.stdout.flush()
    except OSError:  # stdout closed or full: the stderr line still says it
        pass


def _wants_json(argv: list[str]) -> bool:
    """Whether `argv` gives `--json` to a command that has it: as an option, not as another
    option's value (`--delivered --json`) nor after `--`. Usage errors come before the command
    has read its options, so the command line itself is read here, the way click reads it.
    """
    group = typer.main.get_command(app)
    context = typer.Context(group)
    command: _click.Command | None = group
    rest = list(argv)
    while isinstance(command, TyperGroup):  # the group's own options are all flags
        if _has_json(command) and (not rest or rest[0] not in command.commands):
            break  # a group that is a command too (`log`, whose sub-command is `show`)
        while rest and rest[0].startswith("-") and rest[0] != "--":
            rest.pop(0)
        if not rest or rest[0] == "--":
            return False
        command = command.get_command(context, rest.pop(0))
    if command is None or not _has_json(command):
        return False
    takes_value = {
        name
        for param in command.params
        if isinstance(param, TyperOption) and not param.is_flag and not param.count
        for name in (*param.opts, *param.secondary_opts)
    }
    tokens = iter(rest)
    for token in tokens:
        if token == "--":
            return False
        if (
            token == "--json" or token.lower() == "--format=jsonl"
        ):  # batch: --format jsonl is --json
            return True
        if token in takes_value:
            value = next(tokens, None)
            if token == "--format" and (value or "").lower() == "jsonl":
                return True
    return False


def _has_json(command: _click.Command) -> bool:
    return any(param.name == "json" for param in command.params)


def _usage_option(exc: _click.exceptions.UsageError) -> str | None:
    """The option a click usage error is about, when it names one."""
    name = getattr(exc, "option_name", None)
    if isinstance(name, str):
        return name
    param = getattr(exc, "param", None)
    if isinstance(param, TyperOption) and param.opts:
        return str(param.opts[0])
    return None


def _fail(message: str, code: int) -> int:
    from migems_cli.render.safe import visible  # a path or value from a file: no raw escapes

    print(f"Error: {visible(message)}", file=sys.stderr)
    return code
