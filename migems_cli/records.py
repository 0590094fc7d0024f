"""CSV records of a text stream, a chunk at a time, with the lines they were read from.

`batch` reads a chunk of lines at a time. A line with no quote character in it is one record
whose cells are the line split at the delimiter: exactly what `csv.reader` makes of it, at a
fraction of the cost. Every other line is parsed by `csv.reader`; when a record runs over
several lines, the whole chunk is. When each line of a chunk holds exactly one record, the
lines' text is kept with the records, so that the CSV writer can reuse it instead of formatting
the cells again (see `render.batch_out`).

Memory stays flat whatever the input: no cell is kept longer than `CELL_CAP` characters (1 MiB
of ASCII). Lines are read at most `LINE_PIECE + 1` characters at a time (a chunk of lines then
holds at most 16 MiB), and `csv.reader`'s field limit is the cap, so a longer line or cell is
noticed before it is held whole; its record is then read again by a parser of this module
(`_careful`), a piece at a time, which keeps the first `CELL_CAP` characters of each cell and
says which cells it cut (`RawChunk.cut`): the record is still one record, and the records after
it are read as before. Lines that long are rare, and only they take the slower road.
"""

from __future__ import annotations

import csv
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice, repeat
from operator import contains, methodcaller
from typing import IO, Any

CELL_CAP = 1 << 20  # characters kept of a cell; a longer one is cut, and its row gets an error
LINE_PIECE = 1 << 16  # a line up to this long (line end included) is read whole


@dataclass(slots=True)
class RawChunk:
    """Records and the 1-based line each starts on, and when each record is one line, the
    lines without their line ends and where the lines with a quote character are."""

    starts: Sequence[int]
    records: list[list[str]]
    texts: list[str] | None = None
    quoted: list[int] | None = None
    cut: dict[int, list[int]] | None = None  # record -> where its cells over the cap are


def positions(values: list[Any], wanted: object) -> list[int]:
    """Where `wanted` occurs in `values`, found by list.index (C) rather than a Python loop."""
    found: list[int] = []
    at = -1
    try:
        while True:
            at = values.index(wanted, at + 1)
            found.append(at)
    except ValueError:
        return found


CELL_CAP = 1 << 20


class _LongLine(Exception):
    """A piece of a line at the length limit: the line goes on (see `RecordReader._feed`)."""


class RecordReader:
    """Reads a text stream (opened with newline="") as CSV records with the given delimiter.

    `line_num` counts the lines read so far; when a `csv.Error` is raised, `line_num + 1` is
    the line it is about (a `UnicodeDecodeError` comes from the line after `line_num` too, or
    from a later one in the same block of bytes: see `commands.batch._unreadable`).
    `cap` is the longest cell kept, `piece` the longest line read whole (tests make them
    small); the cap is also set as the csv module's field limit, for this process.
    """

    def __init__(
        self, stream: IO[str], delimiter: str, cap: int = CELL_CAP, piece: int = LINE_PIECE
    ) -> None:
        self._delimiter = delimiter
        self._cap = cap
        self._piece = min(cap, piece) + 1  # a line shorter than this was read whole
        self._pieces: Iterator[str] = iter(partial(stream.readline, self._piece), "")
        self.line_num = 0
        csv.field_size_limit(cap)

    def _reader(self, lines: Iterable[str]) -> Iterator[list[str]]:
        return csv.reader(lines, delimiter=self._delimiter, strict=False)

    def header(self) -> list[str] | None:
        """The first record that is not blank, or None when the stream has none."""
        queue: deque[str] = deque()
        while True:
            start = self.line_num
            found = self._careful(queue)
            if found is None:
                return None
            record, cut = found
            if cut:
                self.line_num = start
                raise csv.Error(f"a header cell is longer than {self._cap:,} characters")
            if record:
                return record

    def chunks(self, size: int) -> Iterator[RawChunk]:
        """Every record (blank lines give empty ones), in chunks of about `size` lines."""
        pieces = self._pieces
        while True:
            base = self.line_num
            lines: list[str] = []
            try:
                lines.extend(islice(pieces, size))
            except UnicodeDecodeError:  # after the whole lines decoded before it
                self.line_num = base + sum(map(methodcaller("endswith", ("\n", "\r")), lines))
                raise
            if not lines:
                return
            if max(map(len, lines)) < self._piece:  # no line was cut at the length limit
                texts = list(map(str.rstrip, lines, repeat("\r\n")))
                quoted = positions(list(map(contains, texts, repeat('"'))), True)
                records = self._one_a_line(lines, texts, quoted)
                if records is not None:
                    self.line_num = base + len(lines)
                    yield RawChunk(range(base + 1, base + len(lines) + 1), records, texts, quoted)
                    continue
            # Some record spans lines, or a line is too long: read again, through to the end
            # of the last record.
            yield self._parsed(deque(lines))

    def _parsed(self, pending: deque[str]) -> RawChunk:
        """The records of the lines in `pending`, the last one read on from the stream."""
        starts: list[int] = []
        records: list[list[str]] = []
        cut: dict[int, list[int]] = {}
        while pending:
            taken: list[str] = []  # the lines of the record being read
            reader = self._reader(self._feed(pending, taken))
            try:
                while pending:
                    taken.clear()
                    record = next(reader)
                    starts.append(self.line_num + 1)
                    self.line_num += len(taken)
                    records.append(record)
            except (_LongLine, csv.Error):
                # A line or a cell over the cap: this record again, a piece at a time.
                pending.extendleft(reversed(taken))
                starts.append(self.line_num + 1)
                found = self._careful(pending)
                assert found is not None  # pending held a line
                records.append(found[0])
                if found[1]:
                    cut[len(records) - 1] = found[1]
            except UnicodeDecodeError:
                self.line_num += len(taken)
                raise
        return RawChunk(starts, records, cut=cut or None)

    def _feed(self, pending: deque[str], taken: list[str]) -> Iterator[str]:
        """The lines of `pending`, then of the stream, each also put in `taken`; stops with
        `_LongLine` at a piece of a line longer than the limit."""
        limit = self._piece
        while True:
            if pending:
                line = pending.popleft()
            else:
                line = next(self._pieces, "")
                if not line:
                    return
            taken.append(line)
            if len(line) >= limit and line[-1] != "\n":
                raise _LongLine
            yield line

    def _next(self, queue: deque[str]) -> str:
        """The next piece of a line ("" at the end): from `queue`, else from the stream."""
        piece = queue.popleft() if queue else next(self._pieces, "")
        if len(piece) == self._piece and piece[-1] == "\r":
            # a CR LF line end may have been split by the length limit
            following = queue.popleft() if queue else next(self._pieces, "")
            if following == "\n":
                piece += following
            elif following:
                queue.appendleft(following)
        return piece

    def _careful(self, queue: deque[str]) -> tuple[list[str], list[int]] | None:
        """The next record (pieces from `queue`, then the stream), read as `csv.reader` reads
        it (strict=False) but a piece at a time, each cell cut to the cap: (cells, where the
        cut cells are), or None at the end of the input. Counts the lines into `line_num`."""
        cap, delimiter = self._cap, self._delimiter
        cells: list[str] = []
        cut: list[int] = []
        cell: list[str] = []
        room = [cap]  # characters the cell may still take

        def add(text: str) -> None:
            if len(text) > room[0]:
                text = text[: room[0]]
                if not cut or cut[-1] != len(cells):
                    cut.append(len(cells))
            room[0] -= len(text)
            cell.append(text)

        def save() -> None:
            cells.append("".join(cell))
            cell.clear()
            room[0] = cap

        state = _START
        begun = in_line = False
        while True:
            piece = self._next(queue)
            if not piece:  # the end of the input
                if not begun:
                    return None
                if in_line:
                    self.line_num += 1
                break  # an open quote, or a last line with no line end: the record ends
            if _NUL_IS_AN_ERROR and "\x00" in piece:
                raise csv.Error("line contains NUL")
            body = piece.rstrip("\r\n")
            end = piece[len(body) :]
            if not begun and not body:  # a blank line: an empty record, as csv.reader gives
                self.line_num += 1
                return [], []
            begun = True
            at, size = 0, len(body)
            while at < size:
                if state == _START:
                    if body[at] == '"':
                        state = _QUOTED
                        at += 1
                        continue
                    state = _FIELD
                if state == _FIELD:
                    stop = body.find(delimiter, at)
                    if stop < 0:
                        add(body[at:])
                        break
                    add(body[at:stop])
                    save()
                    state, at = _START, stop + 1
                elif state == _QUOTED:
                    stop = body.find('"', at)
                    if stop < 0:
                        add(body[at:])
                        break
                    add(body[at:stop])
                    state, at = _QUOTE, stop + 1
                else:  # after a quote in a quoted cell: doubled, closing, or (not strict) text
                    char = body[at]
                    at += 1
                    if char == '"':
                        add(char)
                        state = _QUOTED
                    elif char == delimiter:
                        save()
                        state = _START
                    else:
                        add(char)
                        state = _FIELD
            if not end:
                in_line = True  # a line longer than the limit, or the last line: read on
                continue
            self.line_num += 1
            in_line = False
            if state != _QUOTED:
                break
            add(end)  # a line break in a quoted cell
        save()
        return cells, cut

    def _one_a_line(
        self, lines: list[str], texts: list[str], quoted: list[int]
    ) -> list[list[str]] | None:
        """The record of each line, or None if a record may run over lines."""
        if _NUL_IS_AN_ERROR and "\x00" in "".join(texts):  # let csv.reader say so, as before 3.11
            return None
        records = list(map(str.split, texts, repeat(self._delimiter)))
        for at in positions(texts, ""):
            records[at] = []  # a blank line, as csv.reader gives it
        if quoted:
            reader = self._reader([lines[at] for at in quoted])
            try:
                parsed = list(reader)
            except csv.Error:
                return None
            # A quote left open takes in the next line given to the reader (one record fewer)
            # or, on the last line, ends the record early with a line break in its last cell.
            if len(parsed) != len(quoted) or _open_at_end(parsed):
                return None
            for at, record in zip(quoted, parsed, strict=True):
                records[at] = record
        return records


# Python 3.10's csv module refuses NUL characters ("line contains NUL"); 3.11 reads them.
_NUL_IS_AN_ERROR = sys.version_info < (3, 11)
# `_careful`'s states, named as in the csv module: at the start of a cell, in an unquoted cell,
# in a quoted one, just after a quote in a quoted one.
_START, _FIELD, _QUOTED, _QUOTE = range(4)


def _open_at_end(records: list[list[str]]) -> bool:
    last = records[-1]
    return bool(last) and ("\n" in last[-1] or "\r" in last[-1])
