"""`batch --record`: one journal entry per evaluated row, one transaction per chunk.

A chunk's entries are appended before its rows are written, so an interrupted run (Ctrl-C, a
closed pipe, a failed write) leaves the journal holding whole chunks: every row of a chunk or
none of them, never part of an entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from migems_cli.batch import RESULT_COLUMNS, Chunk, Layout
from migems_cli.claims import FIELDS, parse_claim
from migems_cli.journal.entry import Entry, Ticket, from_row, now_utc

if TYPE_CHECKING:
    from migems_cli.journal.store import Store
    from migems_cli.policy import Policy

_CELL_LIMIT = 200  # an order or claim id kept in the journal: longer cells are cut


class Recorder:
    """Records the evaluated rows of each chunk that passes through `chunks`."""

    def __init__(
        self,
        store: Store,
        policy: Policy,
        today: date,
        dayfirst: bool,
        layout: Layout,
        agent: str | None,
    ) -> None:
        self.store = store
        self.policy = policy
        self.today = today
        self.dayfirst = dayfirst
        self.agent = agent
        self.recorded = 0
        index = layout.index
        self._fields = [(name, index[name]) for name in FIELDS if name in index]
        self._order = index.get("order_id")
        self._claim = index.get("claim_id")

    def chunks(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        for chunk in chunks:
            entries = self.entries(chunk)
            self.store.append(entries)
            self.recorded += len(entries)
            yield chunk

    def entries(self, chunk: Chunk) -> list[Entry]:
        """An entry for each row of `chunk` that was evaluated (no error)."""
        when = now_utc()
        found: list[Entry] = []
        for record, cells in zip(chunk.records, chunk.evaluated.results(), strict=True):
            result = dict(zip(RESULT_COLUMNS, cells, strict=True))
            if result["error"] or not result["decision"]:
                continue
            values = {name: record[at] for name, at in self._fields}
            claim = parse_claim(self.policy, values, self.today, self.dayfirst)
            ticket = Ticket(self.agent, _cell(record, self._order), _cell(record, self._claim))
            found.append(from_row(claim, result, self.policy, self.today, ticket, when))
        return found


def _cell(record: list[str], at: int | None) -> str | None:
    if at is None:
        return None
    text = record[at].strip()
    return text[:_CELL_LIMIT] or None
