"""The SQLite journal: one file, WAL mode, a busy timeout, created 0600 in a 0700 folder.

Each `append` is one `BEGIN IMMEDIATE` transaction: concurrent writers (many agents' `check
--record` on one machine) queue on the file's write lock for up to `_BUSY_MS`, and an entry is
either wholly in the journal or not at all (an error or Ctrl-C rolls the transaction back).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

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

_BUSY_MS = 30_000
_FULL_BELOW = 1 << 16  # bytes free under which a failed write is a full disk
_T = TypeVar("_T")

# The statements that bring a journal from version N-1 to N (MIGRATIONS[N - 1]). Entries are
# never changed: the triggers refuse it, whatever program opens the file.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS migems_schema ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS migems_entries ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " recorded_at TEXT NOT NULL, agent TEXT, order_id TEXT, claim_id TEXT,"
        " decision TEXT NOT NULL, overridden INTEGER NOT NULL, policy_digest TEXT NOT NULL,"
        " body TEXT NOT NULL)",
    ),
    (
        "CREATE INDEX IF NOT EXISTS migems_entries_order ON migems_entries (order_id, claim_id)",
        "CREATE INDEX IF NOT EXISTS migems_entries_agent ON migems_entries (agent)",
        "CREATE INDEX IF NOT EXISTS migems_entries_recorded ON migems_entries (recorded_at)",
        "CREATE TRIGGER IF NOT EXISTS migems_entries_no_update BEFORE UPDATE ON migems_entries"
        " BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS migems_entries_no_delete BEFORE DELETE ON migems_entries"
        " BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

_INSERT = (
    f"INSERT INTO migems_entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)


class SqliteStore:
    def __init__(self, where: Target, create: bool) -> None:
        self.where = where.shown
        self._writing = create
        path = where.location
        self._path = path
        if create:
            self._prepare(path)
        try:
            self._db = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            self._version = self._run(self._setup)
        except BaseException:
            self._db.close()
            raise

    def _prepare(self, path: str) -> None:
        """Make the folder (0700) and the file (0600) if missing; refuse what is not a file."""
        if os.path.isdir(path):
            raise JournalError(self.where, "is a folder, not a journal file")
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                problem = f"is read-only ({exc.strerror}); nothing was recorded"
            elif exc.errno == errno.ENOSPC:
                problem = "the disk is full; nothing was recorded"
            else:
                problem = f"cannot be written ({exc.strerror}); nothing was recorded"
            raise JournalError(self.where, problem) from None

    def _setup(self) -> int:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise newer(version, self.where)
        if not self._writing:
            return version
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        if version == SCHEMA_VERSION:
            return version
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._schema_version()  # another process may have upgraded it meanwhile
            if version > SCHEMA_VERSION:
                raise newer(version, self.where)
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    db.execute(statement)
                db.execute(
                    "INSERT INTO migems_schema (version, applied_at) VALUES (?, ?)",
                    (number, now_utc()),
                )
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise
        return SCHEMA_VERSION

    def _schema_version(self) -> int:
        tables = {
            row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "migems_schema" not in tables:
            if tables - {"sqlite_sequence", "migems_entries"}:
                raise JournalError(self.where, "is a SQLite database, but not a migems journal")
            return 0
        found = self._db.execute("SELECT MAX(version) FROM migems_schema").fetchone()[0]
        return int(found or 0)

    def append(self, entries: Sequence[Entry]) -> int | None:
        """Append `entries` in one transaction; the last one's id. Nothing is appended on an
        error."""
        if not entries:
            return None
        db = self._db

        def insert() -> int:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(_INSERT, map(row_values, entries))
                last = int(db.execute("SELECT last_insert_rowid()").fetchone()[0])
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise
            return last

        return self._run(insert)

    def entries(self, query: Query) -> Iterator[Entry]:
        """Entries matching `query`, newest first, read as they are iterated (flat memory)."""
        if self._version == 0:
            return
        clause, params = where_clause(query, "?")
        sql = f"SELECT id, body FROM migems_entries{clause} ORDER BY id DESC"
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        cursor = self._run(lambda: self._db.execute(sql, params))
        cursor.arraysize = 1000
        while True:
            rows = self._run(cursor.fetchmany)
            if not rows:
                return
            for entry_id, body in rows:
                yield entry_from_body(int(entry_id), str(body))

    def get(self, entry_id: int) -> Entry | None:
        if self._version == 0:
            return None
        row = self._run(
            lambda: self._db.execute(
                "SELECT id, body FROM migems_entries WHERE id = ?", (entry_id,)
            ).fetchone()
        )
        return None if row is None else entry_from_body(int(row[0]), str(row[1]))

    def close(self) -> None:
        self._db.close()

    def _run(self, work: Callable[[], _T]) -> _T:
        try:
            return work()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _disk_full(self) -> bool:
        """Whether the journal's disk has no room left: SQLite reports a write that failed
        for want of space (in WAL mode) as a plain I/O error."""
        free = _free_bytes(os.path.dirname(os.path.abspath(self._path)))
        return free is not None and free < _FULL_BELOW

    def _error(self, exc: sqlite3.Error) -> JournalError:
        text = str(exc)
        lowered = text.lower()
        nothing = "; nothing was recorded" if self._writing else ""
        if "not a database" in lowered or "encrypted" in lowered:
            problem = "is not a migems journal (not a SQLite database)"
        elif "readonly" in lowered or "read-only" in lowered:
            problem = f"is read-only{nothing}"
        elif "full" in lowered or ("i/o error" in lowered and self._disk_full()):
            problem = f"the disk is full{nothing}"
        elif "locked" in lowered or "busy" in lowered:
            problem = f"is locked by another program (waited {_BUSY_MS // 1000} s){nothing}"
        elif "unable to open" in lowered:
            problem = "cannot be opened"
        else:
            problem = f"{text}{nothing}"
        return JournalError(self.where, problem)


def _free_bytes(folder: str) -> int | None:
    try:
        found = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    return found.f_bavail * found.f_frsize


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
