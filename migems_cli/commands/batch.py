"""`migems batch`: check every claim of a CSV file, streaming, and say how it went."""

from __future__ import annotations

import codecs
import csv
import gc
import io
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, TextIO

import typer

from migems_cli.errors import InputError
from migems_cli.options import PLAIN_TEXT, DayfirstOption, PolicyOption, TodayOption, common

if TYPE_CHECKING:
    from migems_cli.records import RecordReader


class Format(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    table = "table"


_DELIMITERS = {",": ",", ";": ";", "\t": "\t", "\\t": "\t", "tab": "\t"}


def batch(
    file: Annotated[
        str,
        typer.Argument(
            help="CSV file of claims with a header row; - reads standard input.",
            show_default=False,
            metavar="FILE",
            click_type=PLAIN_TEXT,
        ),
    ],
    output_format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            help="Output format.",
            show_default="table when stdout is a terminal, else csv",
            case_sensitive=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the results to this file (atomically: a temporary file in the same "
            "folder, renamed when complete) instead of stdout, as csv unless --format says.",
            dir_okay=False,
            show_default="stdout",
            metavar="FILE",
        ),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option(
            help="Text encoding of the input, such as cp1252. The output is always UTF-8.",
            show_default="UTF-8, with or without a BOM",
            metavar="NAME",
        ),
    ] = "utf-8-sig",
    delimiter: Annotated[
        str,
        typer.Option(
            help="Cell separator of the input and the CSV output: ',', ';' or tab ('\\t' or "
            "'tab').",
            show_default="','",
            metavar="CHAR",
        ),
    ] = ",",
    dayfirst: DayfirstOption = False,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Same as --format jsonl: one JSON object per row on stdout (JSON Lines).",
        ),
    ] = False,
) -> int:
    """Check every claim in a CSV file, exactly as check would, one output row per input row.

    Columns (any case, any order): claim_id, order_id, delivered (required), requested, reason,
    category, custom, sale, condition, packaging, photos, price, shipping; other columns are
    carried through. The output repeats the input columns, then decision, remedy,
    refund_amount, return_shipping_paid_by, return_by, report_damage_by, failed_rules and
    error. A row that cannot be evaluated keeps its cells and gets an error naming the column
    and the value. Blank lines are skipped; short rows are padded, extra cells are kept after
    the error column. CSV output is RFC 4180 (CRLF line ends), and any cell a spreadsheet would
    run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe; JSON Lines
    keep cells as they are. A summary goes to stderr.

    Exit status: 0 every row evaluated, 1 some rows had errors (they are still written), 2 the
    file cannot be processed, 130 interrupted (no partial --output file is left).

    Example: migems batch claims.csv --output checked.csv
    """
    from migems_cli.batch import Evaluator, Summary, evaluate_chunks, read_layout
    from migems_cli.records import RecordReader

    env = common(policy, today, json, dayfirst)
    separator = _delimiter(delimiter)
    _check_encoding(encoding)
    fmt = _format(output_format, json, output)
    source = "<stdin>" if file == "-" else file
    started = time.perf_counter()
    summary = Summary()
    with _open_input(file, encoding) as (stream, raw):
        records = RecordReader(stream, separator)
        try:
            layout = read_layout(_header(records, source), source)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise _unreadable(exc, source, encoding, records.line_num + 1) from None
        evaluator = Evaluator(env.policy, env.today, env.dayfirst, layout, separator)
        with _quiet_gc(), _progress(fmt, output, raw) as progress:
            chunks = evaluate_chunks(records, evaluator, summary, progress)
            with _open_output(output, fmt) as out:
                try:
                    _write(fmt, chunks, layout, out, separator)
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise _unreadable(exc, source, encoding, records.line_num + 1) from None
    summary.seconds = time.perf_counter() - started
    print(f"migems batch: {summary.text()}", file=sys.stderr)
    return 1 if summary.errors else 0


@contextmanager
def _quiet_gc() -> Iterator[None]:
    """Keep the cyclic GC from rescanning start-up objects and caches every few hundred rows.

    Rows create no reference cycles (refcounting frees them), yet each allocates a few tuples;
    with the default thresholds the collector cost about 1.3 s per million rows.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _write(fmt: Format, chunks: Iterator[Any], layout: Any, out: TextIO, separator: str) -> None:
    if fmt is Format.csv:
        from migems_cli.render.batch_out import write_csv

        write_csv(chunks, layout, out, separator)
        return
    rows = (row for chunk in chunks for row in chunk.rows())
    if fmt is Format.jsonl:
        from migems_cli.render.batch_out import write_jsonl

        write_jsonl(rows, layout, out)
    else:
        from rich.console import Console

        from migems_cli.render.batch_rich import render_table

        # Text only: customer cells are never read as markup; no colour when `out` is a file
        console = Console(
            highlight=False, soft_wrap=False, emoji=False, file=None if out is sys.stdout else out
        )
        render_table(rows, layout, console)


def _delimiter(value: str) -> str:
    separator = _DELIMITERS.get(value.lower() if len(value) > 1 else value)
    if separator is None:
        raise InputError("delimiter", value, "use ',', ';' or tab ('\\t' or 'tab')")
    return separator


def _check_encoding(name: str) -> None:
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError("encoding", name, "unknown encoding; try utf-8 or cp1252") from None


def _format(chosen: Format | None, json: bool, output: Path | None) -> Format:
    if json:
        if chosen not in (None, Format.jsonl):
            raise InputError("--json", "--format " + chosen.value, "--json means --format jsonl")
        return Format.jsonl
    if chosen is not None:
        return chosen
    return Format.table if output is None and sys.stdout.isatty() else Format.csv


def _header(records: RecordReader, source: str) -> list[str]:
    header = records.header()  # blank lines before the header are not a header
    if header is None:
        raise InputError("FILE", source, "is empty: a header row is required")
    return header


def _unreadable(exc: Exception, source: str, encoding: str, line: int) -> InputError:
    if isinstance(exc, UnicodeDecodeError):
        return InputError(
            "FILE",
            source,
            f"cannot be decoded as {encoding} near line {line}; try --encoding cp1252",
        )
    return InputError("FILE", source, f"line {line}: not readable as CSV ({exc})")


@contextmanager
def _open_input(file: str, encoding: str) -> Iterator[tuple[TextIO, IO[bytes]]]:
    """The file (or stdin) as text with newlines untranslated, as the csv module wants."""
    if file == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding=encoding, newline="")
        try:
            yield stream, sys.stdin.buffer
        finally:
            stream.detach()
        return
    try:
        raw = open(file, "rb", buffering=1 << 16)  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InputError("FILE", file, f"cannot be read ({exc.strerror})") from None
    with raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
        yield stream, raw


@contextmanager
def _open_output(path: Path | None, fmt: Format) -> Iterator[TextIO]:
    """stdout, or a temporary file beside `path` renamed onto it only when writing completes.

    On any failure, Ctrl-C or SIGTERM the temporary file is removed and `path` is untouched.
    """
    if path is None:
        stdout = sys.stdout
        if (
            isinstance(stdout, io.TextIOWrapper)
            and fmt is not Format.table
            and codecs.lookup(stdout.encoding).name != "utf-8"
        ):
            stdout.reconfigure(encoding="utf-8")  # data is UTF-8 whatever the locale
        yield stdout
        stdout.flush()
        return
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError("--output", str(path), f"cannot be written ({exc.strerror})") from None
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 16) as out:
            yield out
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp's 0600 would surprise whoever reads it next
        os.replace(temp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _progress(
    fmt: Format, output: Path | None, raw: IO[bytes]
) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr when it is a terminal (and the table is not on it too)."""
    if not sys.stderr.isatty() or (fmt is Format.table and output is None and sys.stdout.isatty()):
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from migems_cli.render.console import stderr_console

    try:
        total: float | None = os.fstat(raw.fileno()).st_size or None
        if total is not None and not raw.seekable():
            total = None
    except (OSError, ValueError):
        total = None
    with Progress(
        TextColumn("checking"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
        # rich would otherwise capture stdout while the bar shows, and print the data to stderr
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("batch", total=total, rows=0)
        shown = [0.0]  # when the bar was last moved

        def advance(rows: int) -> None:
            now = time.monotonic()
            if now - shown[0] < 0.1:  # the bar redraws 10 times a second: no need for more
                return
            shown[0] = now
            done = raw.tell() if total is not None else None
            bar.update(task, completed=done, rows=rows)

        yield advance
