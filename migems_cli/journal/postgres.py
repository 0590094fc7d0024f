"""The PostgreSQL journal: one a whole team shares, through psycopg 3.

Imported only when a `postgresql://` target is used (psycopg is the optional extra
`migems[postgres]`). Each `append` is one transaction; the schema is created or upgraded under
an advisory lock, so agents starting at once do not race; `entries` reads through a server-side
cursor, a batch of rows at a time (an export of millions of entries runs in flat memory).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from migems_cli.journal.entry import Entry, entry_from_body, now_utc
from migems_cli.journal.errors import JournalError
from migems_cli.journal.store import (
    COLUMNS,
    SCHEMA_VERSION,
    Query,
    Target,
    newer,
    row_values,
    where_clause,
)

_T = TypeVar("_T")
_LOCK = 0x6D6967656D73  # "migems": the advisory lock the schema is changed under
_CONNECT_SECONDS = 10
_FETCH = 2000

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS migems_schema ("
        " version integer PRIMARY KEY, applied_at text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS migems_entries ("
        " id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " recorded_at text NOT NULL, agent text, order_id text, claim_id text,"
        " decision text NOT NULL, overridden integer NOT NULL, policy_digest text NOT NULL,"
        " body text NOT NULL)",
    ),
    (
        "CREATE INDEX IF NOT EXISTS migems_entries_order ON migems_entries (order_id, claim_id)",
        "CREATE INDEX IF NOT EXISTS migems_entries_agent ON migems_entries (agent)",
        "CREATE INDEX IF NOT EXISTS migems_entries_recorded ON migems_entries (recorded_at)",
        "CREATE OR REPLACE FUNCTION migems_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'journal entries are append-only'; END $$",
        "DROP TRIGGER IF EXISTS migems_entries_append_only ON migems_entries",
        "CREATE TRIGGER migems_entries_append_only"
        " BEFORE UPDATE OR DELETE OR TRUNCATE ON migems_entries"
        " FOR EACH STATEMENT EXECUTE FUNCTION migems_append_only()",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

_COPY = f"COPY migems_entries ({', '.join(COLUMNS)}) FROM STDIN"
_INSERT = (
    f"INSERT INTO migems_entries ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
)


class PostgresStore:
    def __init__(self, where: Target, create: bool) -> None:
        self.where = where.shown
        self._writing = create
        try:
            import psycopg
        except ImportError:
            raise JournalError(
                self.where, "a postgresql:// journal needs psycopg: pip install 'migems[postgres]'"
            ) from None
        self._psycopg = psycopg
        try:
            self._db = psycopg.connect(
                where.location, autocommit=True, connect_timeout=_CONNECT_SECONDS
            )
        except psycopg.Error as exc:
            raise JournalError(self.where, f"cannot connect ({_first_line(exc)})") from None
        except Exception as exc:  # a malformed URL: psycopg's parser raises its own errors
            raise JournalError(self.where, f"not a usable URL ({_first_line(exc)})") from None
        try:
            self._version = self._run(self._setup)
        except BaseException:
            self._db.close()
            raise

    def _schema_version(self) -> int:
        # pg_tables through a query, not to_regclass: a query reads the statement's snapshot,
        # which sees a table another agent created while this one waited for the lock (the
        # catalog caches behind to_regclass may not yet)
        found = self._db.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables"
            " WHERE schemaname = current_schema() AND tablename = 'migems_schema'"
        ).fetchone()
        if not found or not found[0]:
            return 0
        row = self._db.execute("SELECT MAX(version) FROM migems_schema").fetchone()
        return int(row[0] or 0) if row else 0

    def _setup(self) -> int:
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise newer(version, self.where)
        if not self._writing or version == SCHEMA_VERSION:
            return version
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            version = self._schema_version()  # another agent may have made it meanwhile
            if version > SCHEMA_VERSION:
                raise newer(version, self.where)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO migems_schema (version, applied_at) VALUES (%s, %s)",
                    (number, now_utc()),
                )
        return SCHEMA_VERSION

    def append(self, entries: Sequence[Entry]) -> int | None:
        """Append `entries` in one transaction; the id of the last (when one entry)."""
        if not entries:
            return None

        def insert() -> int | None:
            with self._db.transaction(), self._db.cursor() as cursor:
                if len(entries) == 1:
                    cursor.execute(_INSERT + " RETURNING id", row_values(entries[0]))
                    row = cursor.fetchone()
                    return int(row[0]) if row else None
                with cursor.copy(_COPY) as copy:  # many rows: COPY, a stream, not a statement each
                    for entry in entries:
                        copy.write_row(row_values(entry))
                return None

        return self._run(insert)

    def entries(self, query: Query) -> Iterator[Entry]:
        """Entries matching `query`, newest first, `_FETCH` rows from the server at a time."""
        if self._version == 0:
            return
        clause, params = where_clause(query, "%s")
        sql = f"SELECT id, body FROM migems_entries{clause} ORDER BY id DESC"
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        transaction = self._run(self._db.transaction)
        self._run(transaction.__enter__)
        try:
            cursor = self._db.cursor(name="migems_entries")
            cursor.itersize = _FETCH
            self._run(lambda: cursor.execute(sql, params))
            while True:
                rows: list[Any] = self._run(lambda: cursor.fetchmany(_FETCH))
                if not rows:
                    break
                for entry_id, body in rows:
                    yield entry_from_body(int(entry_id), str(body))
            self._run(cursor.close)
        finally:
            with contextlib.suppress(self._psycopg.Error):
                transaction.__exit__(None, None, None)

    def get(self, entry_id: int) -> Entry | None:
        if self._version == 0:
            return None
        row = self._run(
            lambda: self._db.execute(
                "SELECT id, body FROM migems_entries WHERE id = %s", (entry_id,)
            ).fetchone()
        )
        return None if row is None else entry_from_body(int(row[0]), str(row[1]))

    def close(self) -> None:
        self._db.close()

    def _run(self, work: Callable[[], _T]) -> _T:
        try:
            return work()
        except self._psycopg.errors.QueryCanceled:
            # Ctrl-C while the server works: psycopg cancels the statement (the transaction is
            # rolled back) and reports the cancel; the run is interrupted, not failed
            raise KeyboardInterrupt from None
        except self._psycopg.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> JournalError:
        errors = self._psycopg.errors
        nothing = "; nothing was recorded" if self._writing else ""
        if isinstance(exc, errors.DiskFull):
            return JournalError(self.where, f"the server's disk is full{nothing}")
        if isinstance(exc, (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
            return JournalError(self.where, f"refuses the write ({_first_line(exc)}){nothing}")
        if isinstance(exc, self._psycopg.OperationalError):
            return JournalError(self.where, f"connection failed ({_first_line(exc)}){nothing}")
        return JournalError(self.where, f"{_first_line(exc)}{nothing}")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
