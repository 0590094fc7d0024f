"""What `check` does with a journal: read the earlier decisions on the same order (second
contact), and record the new one.

Reading never makes `check` fail: a journal that cannot be read is a warning on stderr. Writing
(`--record`, `--override`) must succeed, or the command fails with exit 2 before printing a
verdict, and nothing is recorded.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from migems_cli.journal.entry import Entry, Override, Ticket, from_verdict
from migems_cli.journal.errors import JournalError
from migems_cli.journal.store import Query, open_store, target

if TYPE_CHECKING:
    from migems_cli.journal.store import Store
    from migems_cli.policy import Policy
    from migems_cli.rules import Verdict

HISTORY_LIMIT = 10  # earlier decisions shown; JSON `history` carries the same
_HEADLINES = {"eligible": "ELIGIBLE", "ineligible": "NOT ELIGIBLE", "review": "NEEDS REVIEW"}


class Contact(NamedTuple):
    """The outcome of a check's journal work: the earlier entries, the new entry's id, and the
    warning when the decision now differs from the last recorded one."""

    history: tuple[Entry, ...]
    recorded: int | None
    journal: str
    differs: str | None


def summary_line(entry: Entry, today: date) -> str:
    """'Nov 20, ana: ELIGIBLE (override: goodwill)': an earlier decision in one line."""
    try:
        when = entry.recorded.date()
        day = f"{when:%b} {when.day}" + ("" if when.year == today.year else f" {when.year}")
    except ValueError:
        day = entry.recorded_at or "?"
    line = f"{day}, {entry.agent or 'no agent'}: {_HEADLINES.get(entry.decision, entry.decision)}"
    if entry.override is not None:
        line += f" (override: {entry.override.reason})"
    return line


def contact(
    journal: str | None,
    ticket: Ticket,
    verdict: Verdict,
    policy: Policy,
    today: date,
    write: bool,
    override: Override | None,
) -> Contact:
    """Read the history of `ticket`'s order (when it names one), then record the verdict (when
    `write`). Raises `JournalError` only for a write that failed."""
    where = target(journal)
    store: Store | None = None
    history: tuple[Entry, ...] = ()
    try:
        store = open_store(where, create=write)
    except JournalError as exc:
        if write:
            raise
        _warn(exc)
    try:
        if store is not None and ticket.order_id is not None:
            try:
                query = Query(
                    order_id=ticket.order_id, claim_id=ticket.claim_id, limit=HISTORY_LIMIT
                )
                history = tuple(store.entries(query))
            except JournalError as exc:
                _warn(exc)
        recorded = None
        if write and store is not None:
            recorded = store.append([from_verdict(verdict, policy, today, ticket, override)])
    finally:
        if store is not None:
            store.close()
    differs = None
    if history and history[0].decision != verdict.decision:
        differs = (
            f"the decision now ({_HEADLINES[verdict.decision]}) differs from the last one "
            f"recorded for order {ticket.order_id}: {summary_line(history[0], today)}"
        )
    return Contact(history, recorded, where.shown, differs)


def _warn(exc: JournalError) -> None:
    from migems_cli.render.safe import visible

    print(f"Warning: {visible(str(exc))}; earlier decisions not shown", file=sys.stderr)
