"""`batch --record`: one journal entry per evaluated row, one transaction per chunk.

A chunk's entries are appended before its rows are written, so an interrupted run (Ctrl-C, a
closed pipe, a failed write) leaves the journal holding whole chunks: every row of a chunk or
none of them, never part of an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from migems_cli.batch import RESULT_COLUMNS, Chunk, Layout
from migems_cli.claims import FIELDS, Claim, parse_claim
from migems_cli.journal.entry import Entry, Ticket, from_row, now_utc

if TYPE_CHECKING:
    from migems_cli.journal.store import Store
    from migems_cli.policy import Policy

_CELL_LIMIT = 200  # an order or claim id kept in the journal: longer cells are cut
_CACHE_LIMIT = 1 << 13  # claims kept by their cells (emptied at this size: flat memory)
_T = TypeVar("_T")


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
        policy_of: Callable[[list[str]], Policy] | None = None,
    ) -> None:
        self.store = store
        self.policy = policy
        # the policy (version) a row was judged under: with a directory of versions, each
        # row's own (`Router.policy_of`); else `policy`
        self.policy_of = policy_of or (lambda _record: policy)
        self.today = today
        self.dayfirst = dayfirst
        self.agent = agent
        self.recorded = 0
        index = layout.index
        self._order = index.get("order_id")
        self._claim = index.get("claim_id")
        self._fields = [(name, index[name]) for name in FIELDS if name in index]
        self._names = [name for name, _ in self._fields]
        # the cells of a claim's fields -> its Claim, made by parse_claim itself (real files
        # repeat the same dates, reasons, categories and prices)
        self._claims: dict[tuple[int, tuple[str, ...]], Claim] = {}

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
            policy = self.policy_of(record)
            claim = self.claim(record, policy)
            ticket = Ticket(self.agent, _cell(record, self._order), _cell(record, self._claim))
            found.append(from_row(claim, result, policy, self.today, ticket, when))
        return found

    def claim(self, record: list[str], policy: Policy) -> Claim:
        """The row's claim, as `parse_claim` makes it (a row recorded here was evaluated
        without error, so its cells parse)."""
        texts = tuple(record[at] for _, at in self._fields)
        return _cached(
            self._claims,
            (id(policy), texts),
            lambda: parse_claim(
                policy, dict(zip(self._names, texts, strict=True)), self.today, self.dayfirst
            ),
        )


def _cached(cache: dict[Any, _T], key: Any, make: Callable[[], _T]) -> _T:
    if key in cache:
        return cache[key]
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    found = cache[key] = make()
    return found


def _cell(record: list[str], at: int | None) -> str | None:
    if at is None:
        return None
    text = record[at].strip()
    return text[:_CELL_LIMIT] or None
