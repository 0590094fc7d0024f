"""`migems log`: the journal's entries, newest first, as a table or exported; `log show ID`."""

import sys
from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from migems_cli.claims import FIELDS
from migems_cli.errors import ExitCode, InputError
from migems_cli.options import (
    PLAIN_TEXT,
    ClaimIdOption,
    DayfirstOption,
    JournalOption,
    JsonOption,
    OrderOption,
    PolicyOption,
    TodayOption,
    common,
)

if TYPE_CHECKING:
    from migems_cli.journal.entry import Entry
    from migems_cli.journal.store import Store

log_app = typer.Typer(add_completion=False)
_TABLE_LIMIT = 50  # rows of the table when --limit is not given; exports have no limit


class LogFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


# The CSV export's columns: the entry flattened (claim and policy fields prefixed).
CSV_COLUMNS = (
    "id",
    "recorded_at",
    "agent",
    "order_id",
    "claim_id",
    "command",
    "decision",
    "override_from",
    "override_reason",
    "override_agent",
    "remedy",
    "refund_amount",
    "currency",
    "return_by",
    "report_damage_by",
    "damage_review_until",
    "failed_rules",
    "review_rules",
    "as_of",
    *(f"claim_{name}" for name in FIELDS),  # every field of a claim, as batch reads them
    "policy_name",
    "policy_version",
    "policy_effective_from",
    "policy_digest",
)


@log_app.callback(invoke_without_command=True)
def log(
    ctx: typer.Context,
    order: OrderOption = None,
    claim_id: ClaimIdOption = None,
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent",
            help="Only entries recorded by this agent.",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    decision: Annotated[
        str | None,
        typer.Option(
            "--decision",
            help="Only entries with this final decision: eligible, ineligible or review.",
            metavar="DECISION",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        bool, typer.Option("--overrides", help="Only decisions an agent overrode.")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Only entries recorded on or after this day (UTC).", metavar="DATE"
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Only entries recorded on or before this day (UTC).", metavar="DATE"
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            help="At most this many entries (the newest).",
            metavar="N",
            show_default="50 in the table, all in exports",
        ),
    ] = None,
    output_format: Annotated[
        LogFormat | None,
        typer.Option(
            "--format",
            help="table, or csv / jsonl to export (streamed: any size in flat memory).",
            show_default="table",
            case_sensitive=False,
        ),
    ] = None,
    journal: JournalOption = None,
    policy: PolicyOption = None,
    today: TodayOption = None,
    json: JsonOption = False,
    dayfirst: DayfirstOption = False,
) -> int:
    """List the decisions recorded in the journal, newest first.

    --json prints {"entries": [...]}; --format csv or jsonl exports every matching entry. An
    entry holds when, who, the order and claim ids, the claim as judged, the decision, the
    override (from, to, reason, agent), and which policy decided it. 'migems log show ID'
    prints one entry in full.

    Example: migems log --overrides --since 2026-11-01
    """
    if ctx.invoked_subcommand is not None:
        return ExitCode.OK
    from migems_cli.dates import parse_date
    from migems_cli.journal.entry import DECISIONS, ticket_text
    from migems_cli.journal.store import Query

    env = common(policy, today, json, dayfirst)
    if decision is not None and decision.strip().casefold() not in DECISIONS:
        raise InputError("--decision", decision, "use eligible, ineligible or review")
    if limit is not None and limit < 1:
        raise InputError("--limit", limit, "must be 1 or more")
    if json and output_format not in (None, LogFormat.table):
        raise InputError("--json", f"--format {output_format.value}", "give one of them")
    fmt = output_format or LogFormat.table
    first = None if since is None else parse_date(since, "since", env.today, dayfirst)
    last = None if until is None else parse_date(until, "until", env.today, dayfirst)
    if first is not None and last is not None and last < first:
        raise InputError("--until", until, f"is before --since ({first.isoformat()})")
    shown = limit if limit is not None or json or fmt is not LogFormat.table else _TABLE_LIMIT
    query = Query(
        order_id=ticket_text("--order", order),
        claim_id=ticket_text("--claim-id", claim_id),
        agent=ticket_text("--agent", agent),
        decision=None if decision is None else decision.strip().casefold(),
        overrides=overrides,
        since=first,
        until=last,
        limit=None if shown is None else shown + (1 if limit is None else 0),
    )
    store = _store(journal)
    try:
        entries: Iterator[Entry] = iter(()) if store is None else store.entries(query)
        if json:
            _write_json(entries)
        elif fmt is LogFormat.jsonl:
            _write_jsonl(entries)
        elif fmt is LogFormat.csv:
            _write_csv(entries)
        else:
            from itertools import islice

            from migems_cli.render.journal_rich import render_log

            page = list(islice(entries, (shown or _TABLE_LIMIT) + 1))
            more = limit is None and len(page) > (shown or _TABLE_LIMIT)
            render_log(page[: shown or _TABLE_LIMIT], more, shown or _TABLE_LIMIT)
    finally:
        if store is not None:
            store.close()
    return ExitCode.OK


@log_app.command("show")
def show(
    entry_id: Annotated[
        str,
        typer.Argument(
            help="The entry's id.", metavar="ID", show_default=False, click_type=PLAIN_TEXT
        ),
    ],
    journal: JournalOption = None,
    json: JsonOption = False,
) -> int:
    """Print one journal entry in full.

    Example: migems log show 42 --json
    """
    text = entry_id.strip().lstrip("#")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise InputError("ID", entry_id, "not an entry id (a whole number, as migems log shows)")
    store = _store(journal)
    try:
        found = None if store is None else store.get(int(text))
    finally:
        if store is not None:
            store.close()
    if found is None:
        from migems_cli.journal.store import target

        raise InputError("ID", entry_id, f"no such entry in the journal {target(journal).shown}")
    if json:
        from migems_cli.render.json_out import print_json

        print_json(found.to_dict())
    else:
        from migems_cli.render.journal_rich import render_entry

        render_entry(found)
    return ExitCode.OK


def _store(journal: str | None) -> "Store | None":
    """The journal to read; None for the default file when nothing was recorded yet. A journal
    named by --journal or MIGEMS_JOURNAL must exist."""
    from migems_cli.journal.errors import JournalError
    from migems_cli.journal.store import open_store, target

    where = target(journal)
    store = open_store(where, create=False)
    if store is None and where.chosen:
        raise JournalError(where.shown, "does not exist (nothing recorded there yet)")
    return store


def _write_json(entries: "Iterator[Entry]") -> None:
    from migems_cli.render.json_out import json_text

    out = sys.stdout
    out.write('{"entries": [')
    for count, entry in enumerate(entries):
        out.write(("," if count else "") + "\n  " + json_text(entry.to_dict()))
    out.write("\n]}\n")


def _write_jsonl(entries: "Iterator[Entry]") -> None:
    from migems_cli.render.json_out import json_text

    out = sys.stdout
    for entry in entries:
        out.write(json_text(entry.to_dict()) + "\n")


def _write_csv(entries: "Iterator[Entry]") -> None:
    import csv

    from migems_cli.render.batch_out import neutralise
    from migems_cli.render.safe import json_safe
    from migems_cli.stdout_guard import data_stdout

    writer = csv.writer(data_stdout(), lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(neutralise(json_safe(cell) for cell in csv_cells(entry)))


def csv_cells(entry: "Entry") -> list[str]:
    """The `CSV_COLUMNS` cells of `entry`."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    override = entry.override
    deadlines = entry.deadlines
    claim = entry.claim
    policy = entry.policy
    return [
        text(entry.id),
        entry.recorded_at,
        text(entry.agent),
        text(entry.order_id),
        text(entry.claim_id),
        entry.command,
        entry.decision,
        "" if override is None else override.original,
        "" if override is None else override.reason,
        "" if override is None else override.agent,
        entry.remedy,
        text(entry.refund_amount),
        entry.currency,
        text(deadlines.get("return_by")),
        text(deadlines.get("report_damage_by")),
        text(deadlines.get("damage_review_until")),
        ";".join(entry.failed_rules),
        ";".join(entry.review_rules),
        entry.as_of,
        *(text(claim.get(name)) for name in FIELDS),
        *(text(policy.get(key)) for key in ("name", "version", "effective_from", "digest")),
    ]
