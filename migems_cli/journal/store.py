"""Where a journal lives, and what every journal store does.

A target is a file path (SQLite) or a `postgresql://` URL; by default the SQLite file
`$XDG_DATA_HOME/migems/journal.sqlite3` (else `~/.local/share/migems/journal.sqlite3`).
The schema is the same on both: one append-only table of entries, whose filterable values are
columns and whose whole entry is a JSON body, and a table of the schema versions applied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from migems_cli.journal.errors import JournalError

if TYPE_CHECKING:
    from typing import Protocol

    from migems_cli.journal.entry import Entry

    class Store(Protocol):
        """A journal: append entries (one transaction per call), read them back newest first."""

        where: str

        def append(self, entries: Sequence[Entry]) -> int | None: ...

        def entries(self, query: Query) -> Iterator[Entry]: ...

        def get(self, entry_id: int) -> Entry | None: ...

        def close(self) -> None: ...


# Version 1: the entries table and the versions table. Version 2: the indexes the filters of
# `migems log` and second contact read by, and triggers that refuse any change to an entry.
SCHEMA_VERSION = 2
ENV = "MIGEMS_JOURNAL"
_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)
_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
_PASSWORD_PARAMETER = re.compile(r"(password=)[^&]*", re.IGNORECASE)


class Target(NamedTuple):
    kind: str  # sqlite or postgresql
    location: str  # the file's path or the URL
    chosen: bool  # given by --journal or MIGEMS_JOURNAL (not the default file)

    @property
    def shown(self) -> str:
        """The target as an error names it: a URL without its password."""
        return _PASSWORD_PARAMETER.sub(r"\1***", _PASSWORD.sub(r"\1***@", self.location))


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "migems" / "journal.sqlite3"


def target(option: str | None) -> Target:
    """The journal `--journal` (else MIGEMS_JOURNAL, else the default file) names."""
    from migems_cli.errors import InputError

    for name, value in (("--journal", option), (ENV, os.environ.get(ENV))):
        if value is None:
            continue
        text = value.strip()
        if not text:
            if name == ENV:
                continue  # an empty variable is unset
            raise InputError(name, value, "is empty; give a file or a postgresql:// URL")
        if not text.isprintable():
            raise InputError(name, value, "has a control character")
        if _URL.match(text):
            return Target("postgresql", text, True)
        if "://" in text:
            raise InputError(name, value, "use a file path or a postgresql:// URL")
        return Target("sqlite", os.path.expanduser(text), True)
    return Target("sqlite", str(default_path()), False)


def open_store(where: Target, create: bool) -> Store | None:
    """The store at `where`, its schema made current when `create` (to write).

    A SQLite file that does not exist gives None when not `create` (nothing recorded yet).
    Raises `JournalError`."""
    if where.kind == "postgresql":
        from migems_cli.journal.postgres import PostgresStore

        return PostgresStore(where, create)
    if not create and not os.path.exists(where.location):
        return None
    from migems_cli.journal.sqlite import SqliteStore

    return SqliteStore(where, create)


class Query(NamedTuple):
    """The filters of `migems log` (and of second contact: an order, maybe a claim)."""

    order_id: str | None = None
    claim_id: str | None = None
    agent: str | None = None
    decision: str | None = None
    overrides: bool = False
    since: date | None = None
    until: date | None = None
    limit: int | None = None


def where_clause(query: Query, mark: str) -> tuple[str, list[object]]:
    """The SQL WHERE (or '') of `query`, with `mark` as the parameter placeholder."""
    parts: list[str] = []
    params: list[object] = []
    for column, value in (
        ("order_id", query.order_id),
        ("claim_id", query.claim_id),
        ("agent", query.agent),
        ("decision", query.decision),
    ):
        if value is not None:
            parts.append(f"{column} = {mark}")
            params.append(value)
    if query.overrides:
        parts.append("overridden = 1")
    if query.since is not None:
        parts.append(f"recorded_at >= {mark}")
        params.append(query.since.isoformat())
    if query.until is not None:
        parts.append(f"recorded_at < {mark}")
        params.append(_day_after(query.until))
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def _day_after(day: date) -> str:
    return "9999-12-31T99" if day == date.max else (day + timedelta(days=1)).isoformat()


def row_values(entry: Entry) -> tuple[object, ...]:
    """The stored columns of `entry`, in `COLUMNS` order."""
    return (
        entry.recorded_at,
        entry.agent,
        entry.order_id,
        entry.claim_id,
        entry.decision,
        1 if entry.override is not None else 0,
        str(entry.policy.get("digest") or ""),
        entry.body(),
    )


COLUMNS = (
    "recorded_at",
    "agent",
    "order_id",
    "claim_id",
    "decision",
    "overridden",
    "policy_digest",
    "body",
)


def newer(found: int, where: str) -> JournalError:
    return JournalError(
        where,
        f"has schema version {found}, newer than this migems knows ({SCHEMA_VERSION}); "
        "upgrade migems to use it",
    )
