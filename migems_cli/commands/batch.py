"""`migems batch`: check every claim of a CSV file, streaming, and say how it went."""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, TextIO, cast

import typer

from migems_cli import run_control, stdout_guard
from migems_cli.errors import InputError
from migems_cli.options import (
    PLAIN_TEXT,
    AgentOption,
    Common,
    DayfirstOption,
    JournalOption,
    PolicyOption,
    RecordOption,
    ReplyOption,
    TodayOption,
    common,
)
from migems_cli.render.batch_formats import WRITERS, Format

if TYPE_CHECKING:
    from collections.abc import Callable

    from migems_cli.batch import Evaluator, Layout, Summary
    from migems_cli.batch_versions import Router
    from migems_cli.journal.batch_record import Recorder
    from migems_cli.records import RecordReader


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
            "folder, renamed when complete) instead of stdout, as csv unless --format says; "
            "- writes to standard output.",
            dir_okay=False,
            show_default="stdout",
            metavar="FILE",
        ),
    ] = None,
    encoding: Annotated[
        str,
        typer.Option(
            help="Text encoding of the input, such as cp1252 or utf-16. The output is always "
            "UTF-8.",
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
    reply: ReplyOption = False,
    agent: AgentOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to check a large file with (its rows, their order and the output "
            "are the same whatever the number).",
            show_default="the usable cores for a file over 4 MiB, else 1",
            metavar="N",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Say on stderr how the run was split and its peak memory."
        ),
    ] = False,
    record: RecordOption = False,
    journal: JournalOption = None,
) -> int:
    """Check every claim in a CSV file, exactly as check would, one output row per input row.

    Columns (any case, any order): claim_id, order_id, delivered (required), requested, reason,
    category, custom, sale, condition, packaging, photos, price, shipping; other columns are
    carried through. The output repeats the input columns, then decision, remedy,
    refund_amount, return_shipping_paid_by, return_by, report_damage_by, failed_rules,
    review_rules (rule ids, ;-separated) and error. A row that cannot be evaluated keeps its
    cells and gets an error naming each bad column and its value (;-separated). Blank lines
    are skipped; short rows are padded, extra cells are kept after the error column. CSV output
    is RFC 4180 (CRLF line ends), and any cell a spreadsheet would run as a formula (starting
    with = + - @, tab or CR) gets a leading apostrophe; on a terminal its control characters
    are shown escaped (\\x1b). JSON Lines keep cells as they are, control characters written
    as \\u escapes. A cell longer than 1 MiB (1,048,576 characters) is cut to that length and
    its row gets an error, as does a row of more than 10,000 cells or 16 MiB; a quote left open
    at the end of the file makes its row an error, and the lines after it are read again as
    rows. A summary goes to stderr, and a progress bar while the run lasts when
    stderr is a terminal and the results do not go to one. --output replaces only a regular,
    writable file that is not the input.

    Exit status: 0 every row evaluated, 1 some rows had errors (they are still written), 2 the
    file cannot be processed or the output cannot be written, 130 interrupted, 128 + its number
    for another signal (no partial --output file is left). When the reader of stdout goes away
    (| head), the run stops quietly with 0 or 1 from the rows it evaluated.

    With --reply (csv or jsonl), each evaluated row also gets the customer's reply, in the
    columns reply_subject and reply_body before error, from its customer, order_id and agent
    cells (agent: else --agent); a row whose reply cannot be written keeps its verdict and its
    error names the missing column.

    With --record, each evaluated row is appended to the journal (its order_id and claim_id
    columns, --agent), one transaction per chunk of rows: an interrupted run leaves whole
    chunks recorded, never part of one.

    Example: migems batch claims.csv --output checked.csv
    """
    from migems_cli.batch import Summary, evaluate_chunks, read_layout
    from migems_cli.records import RecordReader

    env = common(policy, today, json, dayfirst)
    separator = _delimiter(delimiter)
    _check_encoding(encoding)
    if output == Path("-"):
        output = None  # `-o -`: stdout, as FILE - is stdin
    fmt = _format(output_format, json, output, reply)
    source = "<stdin>" if file == "-" else file
    started = time.perf_counter()
    summary = Summary()
    with _open_input(file, encoding) as (stream, raw):
        records = RecordReader(stream, separator)
        reread = None if file == "-" else raw  # (stdin may start anywhere in a file)
        try:
            layout = read_layout(_header(records, source), source)
        except (UnicodeError, csv.Error) as exc:
            raise _unreadable(exc, source, encoding, records.line_num, reread) from None
        evaluator = _evaluator(env, layout)
        layout = evaluator.layout
        write = WRITERS[fmt]
        if reply:
            from migems_cli.batch_replies import reply_writer

            write = reply_writer(fmt, evaluator, summary, agent)
        recorder = _recorder(record, journal, agent, env, evaluator)
        alone = (
            "--reply writes each row's reply in this process"
            if reply
            else "--record writes the journal from this process"
            if recorder is not None
            else None
        )
        with (
            _closing(recorder),
            run_control.quiet_gc(),
            run_control.progress(fmt, output, raw) as progress,
        ):
            # a Router has what evaluate_chunks uses of an Evaluator: layout, evaluate_chunk
            chunks = evaluate_chunks(records, cast("Evaluator", evaluator), summary, progress)
            if recorder is not None:
                chunks = recorder.chunks(chunks)
            with run_control.open_output(output, fmt, run_control.status(raw), separator) as out:
                try:
                    if not _in_parallel(
                        file, raw, records, jobs, verbose, alone, encoding, separator, evaluator,
                        fmt, output, summary, out, progress,
                    ):  # fmt: skip
                        write(run_control.while_read(chunks, output), layout, out, separator)
                        if verbose:
                            peak = run_control.peak_kib() / 1024
                            print(f"migems batch: peak RSS: {peak:.1f} MiB", file=sys.stderr)
                except (UnicodeError, csv.Error) as exc:
                    raise _unreadable(exc, source, encoding, records.line_num, reread) from None
    if output is None and stdout_guard.closed():
        return 1 if summary.errors else 0  # the reader went away: quiet, with the verdict so far
    summary.seconds = time.perf_counter() - started
    sys.stdout.flush()  # with 2>&1 the summary comes after the last row, never inside it
    print(f"migems batch: {summary.text()}; {_policies(env)}", file=sys.stderr)
    if recorder is not None:
        print(
            f"migems batch: {recorder.recorded} entries recorded in the journal "
            f"{recorder.store.where}",
            file=sys.stderr,
        )
    return 1 if summary.errors else 0


@contextmanager
def _closing(recorder: Recorder | None) -> Iterator[None]:
    """Close the journal of `batch --record` however the run ends."""
    try:
        yield
    finally:
        if recorder is not None:
            recorder.store.close()


def _recorder(
    record: bool, journal: str | None, agent: str | None, env: Common, evaluator: Evaluator | Router
) -> Recorder | None:
    """The journal recorder of `batch --record` (its store open: exit 2 if it cannot be)."""
    if not record:
        return None
    from migems_cli.journal.batch_record import Recorder
    from migems_cli.journal.entry import ticket_text
    from migems_cli.journal.store import open_store, target

    who = ticket_text("--agent", agent)
    store = open_store(target(journal), create=True)
    assert store is not None  # a store opened to write always is
    # each row's entry names the policy (version) that judged it
    return Recorder(
        store, env.policy, env.today, env.dayfirst, evaluator.layout, who, evaluator.policy_of
    )


def _evaluator(env: Common, layout: Layout) -> Evaluator | Router:
    """The rows' evaluator: one policy's own, or a `Router` among versions (issue 14); the
    layout it holds names the policies for the JSON Lines records."""
    from dataclasses import replace

    from migems_cli.batch import Evaluator

    policies = env.versions.versions if env.versions is not None else (env.policy,)
    blocks = {p.identity.digest: p.identity.to_dict() for p in policies}
    layout = replace(layout, policies=blocks, versioned=env.versions is not None)
    plain = env.versions is None and not env.policy.extend_to_business_day
    if plain and "ordered" not in layout.index:  # the fast path, as before issue 14
        return Evaluator(env.policy, env.today, env.dayfirst, layout)
    from migems_cli.batch_versions import Router

    return Router(env.policy, env.versions, env.today, env.dayfirst, layout)


def _policies(env: Common) -> str:
    """The summary's footer: the policy version (or versions) that answered."""
    if env.versions is None:
        identity = env.policy.identity
        return f"policy version {identity.version or '?'} · {identity.digest}"
    versions = ", ".join(p.identity.version or "?" for p in env.versions.versions)
    return f"policy versions {versions} from {env.versions.source}"


def _in_parallel(
    file: str,
    raw: IO[bytes],
    records: RecordReader,
    jobs: int | None,
    verbose: bool,
    alone: str | None,
    encoding: str,
    separator: str,
    evaluator: Evaluator | Router,
    fmt: Format,
    output: Path | None,
    summary: Summary,
    out: TextIO,
    progress: Callable[[int], None] | None,
) -> bool:
    """Check the rows with several processes (see `batch_jobs`) if that pays; False: not done.
    `alone`: why this run stays in one process whatever the file (--reply, --record)."""
    if alone is not None:
        if verbose:
            print(f"migems batch: one process: {alone}", file=sys.stderr)
        return False
    if file == "-":
        if verbose:
            print("migems batch: one process: the input is standard input", file=sys.stderr)
        return False
    from migems_cli import batch_jobs

    to_terminal = output is None and sys.stdout.isatty()
    plan, why = batch_jobs.split(raw, records, jobs, encoding, fmt, to_terminal)
    say = batch_jobs.note if verbose else None
    if say:
        say(why)
    if plan is None:
        return False
    # a Router has what batch_jobs uses of an Evaluator: layout, evaluate_chunk (via evaluate_chunks)
    job = batch_jobs.Job(raw.fileno(), plan, encoding, separator, cast("Evaluator", evaluator), fmt)
    batch_jobs.run(
        job, summary, out, progress, lambda chunks: run_control.while_read(chunks, output),
        stdout_guard.closed, say, records,
    )  # fmt: skip
    return True


def _delimiter(value: str) -> str:
    separator = _DELIMITERS.get(value.lower() if len(value) > 1 else value)
    if separator is None:
        raise InputError("delimiter", value, "use ',', ';' or tab ('\\t' or 'tab')")
    return separator


# Text encodings to Python, but not encodings of a file: they read backslash escapes ("\\n" in
# a cell would become a line break, and a lone backslash stops the run half-way), domain
# names, or nothing at all.
_NOT_FILE_ENCODINGS = {"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"}


def _check_encoding(name: str) -> None:
    hint = "use a text encoding such as utf-8, utf-8-sig, utf-16, cp1252 or latin-1"
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise InputError("encoding", name, f"unknown encoding; {hint}") from None
    if not codec._is_text_encoding or codec.name in _NOT_FILE_ENCODINGS:
        raise InputError("encoding", name, f"not an encoding of text files; {hint}")


def _format(chosen: Format | None, json: bool, output: Path | None, reply: bool = False) -> Format:
    if reply and chosen is Format.table:
        raise InputError(
            "--format", "table", "--reply writes csv or jsonl: a reply does not fit a table"
        )
    if json:
        if chosen not in (None, Format.jsonl):
            raise InputError("--json", "--format " + chosen.value, "--json means --format jsonl")
        return Format.jsonl
    if chosen is not None:
        return chosen
    return Format.table if output is None and sys.stdout.isatty() and not reply else Format.csv


def _header(records: RecordReader, source: str) -> list[str]:
    header = records.header()  # blank lines before the header are not a header
    if header is None:
        raise InputError("FILE", source, "is empty: a header row is required")
    return header


def _unreadable(
    exc: Exception, source: str, encoding: str, lines_read: int, raw: IO[bytes] | None = None
) -> InputError:
    """The error for a file that stops being readable after `lines_read` whole lines (`raw`:
    its bytes, read again from the start to name a bad byte's line exactly, if a file)."""
    line = lines_read + 1
    if isinstance(exc, UnicodeEncodeError):  # decoded into lone surrogates (utf-7 can)
        return InputError(
            "FILE",
            source,
            f"decoded as {encoding}, holds text that UTF-8 cannot write ({exc.reason}); "
            "try another --encoding",
        )
    if isinstance(exc, UnicodeError) and _no_bom(exc, encoding, lines_read):
        bits = codecs.lookup(encoding).name[-2:]
        return InputError(
            "FILE",
            source,
            f"cannot be decoded as {encoding} on line 1: no byte-order mark: try "
            f"utf-{bits}-le or utf-{bits}-be",
        )
    if not isinstance(exc, UnicodeDecodeError) and isinstance(exc, UnicodeError):
        return InputError("FILE", source, f"cannot be decoded as {encoding} on line {line} ({exc})")
    if isinstance(exc, UnicodeDecodeError):
        line = _bad_byte_line(raw, encoding) or line + _line_breaks_before(exc, encoding)
        return InputError(
            "FILE",
            source,
            f"cannot be decoded as {encoding} on line {line}; try --encoding cp1252",
        )
    return InputError("FILE", source, f"line {line}: not readable as CSV ({exc})")


def _no_bom(exc: UnicodeError, encoding: str, lines_read: int) -> bool:
    """Whether `exc` is utf-16 or utf-32 (byte order unsaid) finding no byte-order mark."""
    if codecs.lookup(encoding).name not in ("utf-16", "utf-32"):
        return False
    if not isinstance(exc, UnicodeDecodeError):
        return "BOM" in str(exc)  # "UTF-16 stream does not start with BOM"
    start = exc.object[:4]
    boms = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    return lines_read == 0 and exc.start < 4 and not start.startswith(boms)


def _line_breaks_before(exc: UnicodeDecodeError, encoding: str) -> int:
    """Line breaks in the bytes decoded with the bad one, before it.

    Text is decoded a block (8 KiB) at a time, ahead of the lines read, so the error comes up
    while reading the line after the last whole one, though the bad byte may be many lines on.
    (A bare CR that ended the block before is not seen: standard input's count may then name
    the line before the bad byte's; a file's is counted again by `_bad_byte_line`.) The bytes
    are decoded as the error names its codec (utf-16-be, not utf-16 without its BOM), but for
    a single-byte table, which names itself "charmap": as `encoding` (in cp424, EBCDIC, a line
    feed is byte 0x25).
    """
    codec = encoding if exc.encoding == "charmap" else exc.encoding
    try:
        text = exc.object[: exc.start].decode(codec, "replace")
    except (LookupError, UnicodeError):
        return 0
    return _breaks(text, "")


def _bad_byte_line(raw: IO[bytes] | None, encoding: str) -> int | None:
    """The line of the first byte of a regular file that `encoding` cannot decode, counted
    from the file's start as the reader counts lines (CR LF, CR, LF); None for a pipe, a file
    that decodes, or one that cannot be read again.

    The reader's own count (`_line_breaks_before`) misses a bare CR that ended the 8 KiB block
    decoded before the bad byte's, and which block that is depends on where decoding started
    (a pipe at byte 0, a file's block reader at a block's start, a `--jobs` range at its own):
    a file is decoded again from its start, a MiB at a time (an error's cost only).
    """
    info = None if raw is None else run_control.status(raw)
    if raw is None or info is None or not stat.S_ISREG(info.st_mode):
        return None
    fd = raw.fileno()
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        return None
    breaks, last, offset = 0, "", 0
    while True:
        try:
            block = os.pread(fd, 1 << 20, offset)
        except OSError:
            return None
        state = decoder.getstate()
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            decoder.setstate(state)  # the text before the bad byte, from where this block began
            good = max(0, exc.start - (len(exc.object) - len(block)))  # (object: kept + block)
            try:
                text = decoder.decode(block[:good])
            except UnicodeDecodeError:
                return None
            return breaks + _breaks(text, last) + 1  # (a CR just before it ends a line)
        except UnicodeError:  # utf-16 without a byte-order mark, ...: not a byte's line
            return None
        if not block:
            return None
        breaks += _breaks(text, last)
        last = text[-1:] or last
        offset += len(block)


def _breaks(text: str, last: str) -> int:
    """Line breaks in `text`, decoded after text that ended with `last` (a CR there and a LF
    starting `text` are one CR LF, counted there)."""
    joined = text.count("\r\n") + (last == "\r" and text.startswith("\n"))
    return text.count("\n") + text.count("\r") - joined


@contextmanager
def _open_input(file: str, encoding: str) -> Iterator[tuple[TextIO, IO[bytes]]]:
    """The file (or stdin) as text with newlines untranslated, as the csv module wants."""
    if file == "-":
        stdin = getattr(sys.stdin, "buffer", None)  # sys.stdin is None when fd 0 is closed
        if stdin is None or stdin.closed:
            raise InputError("FILE", file, "standard input is closed")
        stream = io.TextIOWrapper(stdin, encoding=encoding, newline="")
        try:
            yield stream, stdin
        finally:
            stream.detach()
        return
    try:
        raw = open(file, "rb", buffering=1 << 16)  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InputError("FILE", file, f"cannot be read ({exc.strerror})") from None
    with raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
        yield stream, raw
