"""CSV records of a text stream, a chunk at a time, with the lines they were read from.

`batch` reads a chunk of lines at a time: from a file, a block of `CHUNK_TEXT` characters cut
at a line end and split in C (see `RecordReader._block`); from a pipe, lines one `readline` at a
time. A line with no quote character in it is one record
whose cells are the line split at the delimiter: exactly what `csv.reader` makes of it, at a
fraction of the cost. Every other line is parsed by `csv.reader`; when a record runs over
several lines, the whole chunk is. When each line of a chunk holds exactly one record, the
lines' text is kept with the records, so that the CSV writer can reuse it instead of formatting
the cells again (see `render.batch_out`).

Memory stays flat whatever the input: no cell is kept longer than `CELL_CAP` characters (1 MiB
of ASCII). A block is `CHUNK_TEXT` characters and at most `LINE_PIECE + 1` more (the rest of
its last line; a longer line sends the file back to the line reader). Lines are read at most
`LINE_PIECE + 1` characters at a time, a few dozen at a time until a chunk holds `CHUNK_TEXT`
characters (a chunk of lines then holds at most 4.25 MiB), and
`csv.reader`'s field limit is the cap, so a longer line or cell is
noticed before it is held whole; its record is then read again by a parser of this module
(`_careful`), a piece at a time, which keeps the first `CELL_CAP` characters of each cell and
says which cells it cut (`RawChunk.cut`): the record is still one record, and the records after
it are read as before. Lines that long are rare, and only they take the slower road.

A record is also capped as a whole: at most `CELLS_CAP` cells (10,000) and `RECORD_CAP`
characters (16 MiB); a record over either (a line of millions of commas, a 100 MB line) is read
by `_careful` too, which keeps what fits, scans the rest for the record's end with C-level finds,
and says so (`Damage`). A quote still open at the end of the input would take every line after
it into one cell: its cell ends with the line the quote opened on instead, the record is flagged,
and the lines after it are read again as records (when they fit in the record cap; past that
they stay in the cut cell, and the record's error says which lines they were). On Python 3.10,
whose csv module refuses NUL, records with a NUL are read by `_careful`, as 3.11 reads them.
"""

from __future__ import annotations

import csv
import io
import sys
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, chain, islice, repeat
from operator import add, contains, itemgetter, methodcaller
from typing import IO, Any

CELL_CAP = 1 << 20  # characters kept of a cell; a longer one is cut, and its row gets an error
CELLS_CAP = 10_000  # cells kept of a record; the rest are dropped, and its row gets an error
RECORD_CAP = 1 << 24  # characters kept of a record (16 MiB); the rest are dropped, likewise
LINE_PIECE = 1 << 16  # a line up to this long (line end included) is read whole
# A chunk takes lines _STEP at a time, and no more once it holds CHUNK_TEXT characters: at most
# CHUNK_TEXT + _STEP * LINE_PIECE characters (4.25 Mi), however many lines were asked for. (With
# 256 lines a step, a file of 64 KiB lines peaked at 131 MiB; with 64, at 47 MiB.)
CHUNK_TEXT = 1 << 18
_STEP = 64


@dataclass(frozen=True, slots=True)
class Damage:
    """What is wrong with a record that `RecordReader` could not read whole (see `_careful`).

    `cut`: the cells longer than the cell cap (cut to it); `cells`: the record had more cells
    than the cells cap (those after it are dropped); `long`: the record had more characters than
    the record cap (the rest is dropped); `unclosed`: (cell, first line, last line) of a quote
    still open at the end of the input; `recovered`: its lines after the first were given back
    and read as records of their own (else they are in the cell, or dropped past the cap).
    """

    cut: tuple[int, ...] = ()
    cells: bool = False
    long: bool = False
    unclosed: tuple[int, int, int] | None = None
    recovered: bool = False


class Grid:
    """A chunk's records: one flat list of cells, `width` to a record, when every record is
    exactly that wide (a column is then a slice of it, made in C), else a list of records.

    The records as lists (`lists`) are made from the flat cells only when asked for: the CSV
    writer never needs them; the JSON Lines, table and journal outputs do.
    """

    __slots__ = ("_lists", "flat", "width")

    def __init__(
        self, lists: list[list[str]] | None = None, flat: list[str] | None = None, width: int = 0
    ) -> None:
        self.flat = flat  # None: the records are `lists`
        self.width = width
        self._lists = lists

    def __len__(self) -> int:
        if self.flat is not None:
            return len(self.flat) // self.width
        return len(self.lists())

    def _unlisted(self) -> list[str] | None:
        """The flat cells while no record has been made a list (callers may extend those)."""
        return self.flat if self._lists is None else None

    def lists(self) -> list[list[str]]:
        """Each record as a list of its cells (made once; callers may extend them)."""
        if self._lists is None:
            flat, width = self.flat, self.width
            assert flat is not None
            self._lists = list(
                map(
                    flat.__getitem__,
                    map(slice, range(0, len(flat), width), range(width, len(flat) + 1, width)),
                )
            )
        return self._lists

    def column(self, at: int) -> list[str]:
        """The cell at `at` of each record (each record has one there)."""
        flat = self._unlisted()
        if flat is not None:
            return flat[at :: self.width]
        return list(map(itemgetter(at), self.lists()))

    def columns(self) -> list[list[str]]:
        """Each column's cells (for records of `width` cells, or as wide as the first)."""
        flat = self._unlisted()
        if flat is not None:
            return [flat[at :: self.width] for at in range(self.width)]
        return list(map(list, zip(*self.lists(), strict=True)))

    def cells(self) -> list[str]:
        """Every cell, record after record."""
        flat = self._unlisted()
        if flat is not None:
            return flat
        return list(chain.from_iterable(self.lists()))

    def row(self, at: int) -> list[str]:
        """The cells of record `at` (a new list when made from the flat cells)."""
        flat = self._unlisted()
        if flat is not None:
            return flat[at * self.width : (at + 1) * self.width]
        return self.lists()[at]

    def sizes(self, where: Iterable[int]) -> Iterator[int]:
        """How many cells each record at `where` has."""
        if self._unlisted() is not None:
            return repeat(self.width, len(list(where)))
        return map(len, map(self.lists().__getitem__, where))

    def take(self, where: Iterable[int]) -> Grid:
        """The records at `where`, in that order."""
        return Grid([self.row(at) for at in where])


@dataclass(slots=True)
class RawChunk:
    """Records and the 1-based line each starts on, and when each record is one line, the
    lines without their line ends and where the lines with a quote character are."""

    starts: Sequence[int]
    grid: Grid
    texts: list[str] | None = None
    quoted: list[int] | None = None
    cut: dict[int, Damage] | None = None  # record -> what is wrong with it

    @property
    def records(self) -> list[list[str]]:
        return self.grid.lists()


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


def pieces_at(pieces: list[str], offsets: Iterable[int], step: int) -> set[int]:
    """Which of `pieces` each offset into their joined text falls in, the pieces joined with
    `step` characters about each (a lead before it and a separator after: `step` in all), found
    by bisecting where each piece ends (one search over a joined text, then this, is cheaper
    than a search of each piece)."""
    ends = list(map(add, accumulate(map(len, pieces)), range(step, step * len(pieces) + 1, step)))
    return {bisect_right(ends, at) for at in offsets}


class _LongLine(Exception):
    """A piece of a line at the length limit: the line goes on (see `RecordReader._feed`)."""


class _OpenAtEnd(Exception):
    """The input ends while csv.reader is in a quoted cell (see `RecordReader._feed`)."""


class _TooWide(Exception):
    """csv.reader gave a record of more cells than the cap (see `RecordReader._parsed`)."""


class RecordReader:
    """Reads a text stream (opened with newline="") as CSV records with the given delimiter.

    `line_num` counts the lines read so far; when a `csv.Error` is raised, `line_num + 1` is
    the line it is about (a `UnicodeDecodeError` comes from the line after `line_num` too, or
    from a later one in the same block of bytes: see `commands.batch._unreadable`).
    `cap` is the longest cell kept, `piece` the longest line read whole (tests make them
    small); the cap is also set as the csv module's field limit, for this process.

    A seekable stream (a file) is read a block of about `block` characters at a time (see
    `_block`), which gives the very records, lines and errors that reading it a line at a time
    gives (as a pipe is read), at less than half the cost.

    `more` is for a stream that is part of a file (`batch_jobs`): called when the stream ends
    inside a record (in a quoted cell), it may move the stream's end further and say True; the
    record is then read on, as from the whole file. A stream that ends between records never
    calls it: the records read are then exactly the whole file's up to there.
    """

    def __init__(
        self,
        stream: IO[str],
        delimiter: str,
        cap: int = CELL_CAP,
        piece: int = LINE_PIECE,
        cells: int = CELLS_CAP,
        record: int = RECORD_CAP,
        more: Callable[[], bool] | None = None,
        block: int = CHUNK_TEXT,
    ) -> None:
        self._delimiter = delimiter
        self._cap = cap
        self._cells = cells
        self._record = record
        self._piece = min(cap, piece) + 1  # a line shorter than this was read whole
        self._readline = partial(stream.readline, self._piece)
        self._pieces: Iterator[str] = iter(self._readline, "")
        self._more = more
        self._back: deque[str] = deque()  # pieces read, to be read again first
        self.line_num = 0
        # Block reading (see `_block`): a seekable stream's lines are read CHUNK_TEXT
        # characters at a time, split in C; `_texts` are the lines of the block not yet taken
        self._stream = stream
        self._block_size = block
        self._blocks = _seekable(stream)
        self._texts: list[str] = []
        self._taken = 0
        self._ending = "\n"
        self._quotes = False
        csv.field_size_limit(cap)

    def _reader(self, lines: Iterable[str]) -> Iterator[list[str]]:
        return csv.reader(lines, delimiter=self._delimiter, strict=False)

    def header(self) -> list[str] | None:
        """The first record that is not blank, or None when the stream has none."""
        while True:
            start = self.line_num
            found = self._careful(self._back)
            if found is None:
                return None
            record, damage = found
            if damage:
                self.line_num = start
                if damage.unclosed:
                    raise csv.Error(
                        f"a quote opened in header cell {damage.unclosed[0] + 1} is not closed "
                        "by the end of the file; fix the quote"
                    )
                raise csv.Error(
                    f"a header cell is longer than {self._cap:,} characters"
                    if damage.cut
                    else f"the header is wider than {self._cells:,} cells or "
                    f"{self._record:,} characters"
                )
            if record:
                return record

    def chunks(self, size: int, width: int = 0) -> Iterator[RawChunk]:
        """Every record (blank lines give empty ones), in chunks of about `size` lines; a chunk
        whose records are each one line of `width` cells (more than one) holds them flat (see
        `Grid`)."""
        back = self._back
        while True:
            if not back and self._blocks and (self._taken < len(self._texts) or self._block()):
                texts = self._texts[self._taken : self._taken + size]
                self._taken += len(texts)
                chunk = self._whole_lines(texts, width, quotes=self._quotes)
                if chunk is not None:
                    yield chunk
                    continue
                # a record runs over lines: these lines and the rest of the block, as lines
                rest = self._texts[self._taken :]
                self._texts, self._taken = [], 0
                back.extend(map(add, chain(texts, rest), repeat(self._ending)))
            pieces = self._pieces  # (a new one once the stream went on: see `_goes_on`)
            base = self.line_num
            lines: list[str] = []
            while back and len(lines) < size:
                lines.append(back.popleft())
            try:
                # _STEP lines at a time, until `size` lines or CHUNK_TEXT characters
                text = sum(map(len, lines))
                while len(lines) < size and text < CHUNK_TEXT:
                    start, want = len(lines), min(_STEP, size - len(lines))
                    lines.extend(islice(pieces, want))
                    if len(lines) - start < want:  # the end of the input
                        break
                    text += sum(map(len, lines[start:]))
            except UnicodeError:  # after the whole lines decoded before it
                self.line_num = base + sum(map(methodcaller("endswith", ("\n", "\r")), lines))
                raise
            if not lines:
                return
            longest = max(map(len, lines))
            if longest < self._piece and (  # no line was cut at the length limit
                longest < self._cells  # nor can hold more cells than the cap
                or max(map(methodcaller("count", self._delimiter), lines)) < self._cells
            ):
                texts = list(map(str.rstrip, lines, repeat("\r\n")))
                chunk = self._whole_lines(texts, width, lines)
                if chunk is not None:
                    yield chunk
                    continue
            # Some record spans lines, or a line is too long: read again, through to the end
            # of the last record.
            back.extendleft(reversed(lines))
            yield self._parsed(back)

    def _whole_lines(
        self, texts: list[str], width: int, lines: list[str] | None = None, quotes: bool = True
    ) -> RawChunk | None:
        """The chunk of the lines after `line_num` whose texts (no line ends) are `texts`, each
        one record (see `_one_a_line`), counted into `line_num`; None if a record may run over
        lines. `lines`: the lines with their line ends (None: the block's, each `texts` and
        `_ending`); `quotes`: whether any may hold a quote."""
        quoted = positions(list(map(contains, texts, repeat('"'))), True) if quotes else []
        if lines is None:
            quoted_lines = [texts[at] + self._ending for at in quoted]
        else:
            quoted_lines = [lines[at] for at in quoted]
        grid = self._one_a_line(quoted_lines, texts, quoted, width)
        if grid is None:
            return None
        base, self.line_num = self.line_num, self.line_num + len(texts)
        return RawChunk(range(base + 1, base + len(texts) + 1), grid, texts, quoted)

    def _block(self) -> bool:
        """Read the next block of lines into `_texts` (True), or give its lines to `_back` as
        the pieces `_pieces` would have read, or find the end of the input (False).

        A block is CHUNK_TEXT characters, then the rest of the line they end in: it starts and
        ends at a line end, as each line `_pieces` reads (the caller reads it only when `_back`
        is empty, after a whole record). Its lines are split in C at LF, or at CR LF when
        every line break is one; a block with other line ends (a bare CR, LF in a quoted cell
        of a CR LF file) or a line too long for the fast path goes to `_back` in pieces cut as
        `readline` cuts them. When the input ends without a line end, has a line longer than
        a block can end in, or cannot be decoded, the stream goes back to the block's start
        and is read a line at a time from there on, as it always was (the same records, the
        same error on the same line).
        """
        stream = self._stream
        start = stream.tell()
        try:
            block = stream.read(self._block_size)
            if not block:
                return False
            if not block.endswith("\n"):
                block += stream.readline(self._piece)
        except UnicodeError:
            block = ""
        if not block.endswith("\n"):
            stream.seek(start)
            self._blocks = False
            return False
        ending = "\r\n" if "\r" in block else "\n"
        texts = block.split(ending)
        texts.pop()  # after the last line end
        longest = max(map(len, texts), default=0)
        if (
            ending == "\r\n"
            and not block.count("\r") == block.count("\n") == len(texts)  # a bare CR or LF
        ) or longest + len(ending) >= min(self._piece, self._cells):
            # exactly the pieces `readline` gives: the block starts and ends at a line end
            piece = partial(io.StringIO(block, newline="").readline, self._piece)
            self._back.extend(iter(piece, ""))
            return False
        self._texts, self._taken, self._ending = texts, 0, ending
        self._quotes = '"' in block
        return True

    def _parsed(self, pending: deque[str]) -> RawChunk:
        """The records of the lines in `pending`, the last one read on from the stream."""
        starts: list[int] = []
        records: list[list[str]] = []
        cut: dict[int, Damage] = {}
        cells = self._cells
        while pending:
            taken: list[str] = []  # the lines of the record being read
            reader = self._reader(self._feed(pending, taken))
            try:
                while pending:
                    taken.clear()
                    record = next(reader)
                    if len(record) > cells:
                        raise _TooWide
                    starts.append(self.line_num + 1)
                    self.line_num += len(taken)
                    records.append(record)
            except (_LongLine, _OpenAtEnd, _TooWide, csv.Error):
                # A line, a cell or a record over a cap, a quote open at the end of the input,
                # or (Python 3.10) a NUL: this record again, a piece at a time.
                pending.extendleft(reversed(taken))
                starts.append(self.line_num + 1)
                found = self._careful(pending)
                assert found is not None  # pending held a line
                records.append(found[0])
                if found[1]:
                    cut[len(records) - 1] = found[1]
            except UnicodeError:
                self.line_num += len(taken)
                raise
        return RawChunk(starts, Grid(records), cut=cut or None)

    def _feed(self, pending: deque[str], taken: list[str]) -> Iterator[str]:
        """The lines of `pending`, then of the stream, each also put in `taken`; stops with
        `_LongLine` at a piece of a line longer than the limit or when a record's lines grow
        longer than twice that, with `_OpenAtEnd` when the input ends inside a record (csv.reader
        asks for another line only in a quoted cell)."""
        limit = self._piece
        total = 0
        while True:
            if pending:
                line = pending.popleft()
            else:
                line = next(self._pieces, "")
                if not line:
                    if not taken:
                        return
                    if self._goes_on():
                        continue
                    raise _OpenAtEnd
            taken.append(line)
            total = len(line) if len(taken) == 1 else total + len(line)
            if (len(line) >= limit and line[-1] != "\n") or total > 2 * limit:
                raise _LongLine
            yield line

    def _goes_on(self) -> bool:
        """Whether the stream, ended inside a record, goes on (see `more`)."""
        if self._more is None or not self._more():
            return False
        self._pieces = iter(self._readline, "")  # the old one stopped at its sentinel for good
        return True

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

    def _careful(self, queue: deque[str]) -> tuple[list[str], Damage | None] | None:
        """The next record (pieces from `queue`, then the stream), read as `csv.reader` reads
        it (strict=False) but a piece at a time, within the caps: (cells, what is wrong with
        it), or None at the end of the input. Counts the lines into `line_num`.

        Each cell is cut to the cell cap; past the cells cap or the record cap nothing more is
        kept, and the rest of the record is only scanned for its end (C-level finds). A quote
        still open at the end of the input would swallow every line after it: when those lines
        were few enough to keep (the record cap), the cell ends at the end of the line its quote
        opened on, and the lines after it go back to `queue`, to be read as records again.
        """
        cap, delimiter, cells_cap = self._cap, self._delimiter, self._cells
        cells: list[str] = []
        cut: list[int] = []
        cell: list[str] = []
        room = cap  # characters the cell may still take
        left = self._record  # characters the record may still take
        wide = long = done = False  # over the cells cap, over the record cap, keeping nothing
        # the quoted cell being read: its cell, its line, and once it runs over a line end,
        # how much of it the first line made, and the pieces after that line (None: too many)
        quote_cell = quote_line = 0
        mark: tuple[int, int, bool] | None = None
        kept: list[str] | None = None
        kept_size = 0

        def add(text: str) -> None:
            nonlocal room, left, long
            if done or long:
                return
            if len(text) > room:
                text = text[:room]
                if not cut or cut[-1] != len(cells):
                    cut.append(len(cells))
            if len(text) > left:
                text = text[:left]
                long = True
            room -= len(text)
            left -= len(text)
            cell.append(text)

        def save() -> None:
            nonlocal room, done, wide
            if not done:
                if len(cells) == cells_cap:
                    wide = done = True
                else:
                    cells.append("".join(cell))
                    done = long
            cell.clear()
            room = cap

        state = _START
        begun = in_line = False
        while True:
            piece = self._next(queue)
            if kept is not None and piece:
                kept.append(piece)
                kept_size += len(piece)
                if kept_size > self._record:
                    kept = None  # too much to read again: the lines stay in the cell
            if not piece:  # the end of the input
                if begun and state == _QUOTED and self._goes_on():
                    continue
                if not begun:
                    return None
                if in_line:
                    self.line_num += 1
                break  # an open quote, or a last line with no line end: the record ends
            body = piece.rstrip("\r\n")
            end = piece[len(body) :]
            if not begun and not body:  # a blank line: an empty record, as csv.reader gives
                self.line_num += 1
                return [], None
            begun = True
            at, size = 0, len(body)
            while at < size:
                if state == _START:
                    if body[at] == '"':
                        state = _QUOTED
                        quote_cell, quote_line = len(cells), self.line_num + 1
                        mark = kept = None
                        at += 1
                        continue
                    state = _FIELD
                if state == _FIELD:
                    if done:  # only a quote opening a cell matters now
                        stop = body.find(delimiter + '"', at)
                        if stop < 0:
                            state = _START if body[-1] == delimiter else _FIELD
                            break
                        state, at = _START, stop + 1
                        continue
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
            if mark is None:  # the quoted cell runs over its first line end
                mark = (len(cell), len(cut), long)
                kept, kept_size = [], 0
            add(end)  # a line break in a quoted cell
        unclosed = None
        recovered = False
        if state == _QUOTED:  # a quote still open at the end of the input
            unclosed = (quote_cell, quote_line, self.line_num)
            if mark is not None and kept is not None:
                # the cell ends with the line its quote opened on; the lines after it again
                del cell[mark[0] :], cut[mark[1] :]
                long = mark[2]
                queue.extendleft(reversed(kept))
                self.line_num = quote_line
                recovered = bool(kept)
        save()
        if cut or wide or long or unclosed:
            return cells, Damage(tuple(cut), wide, long, unclosed, recovered)
        return cells, None

    def _one_a_line(
        self, quoted_lines: list[str], texts: list[str], quoted: list[int], width: int
    ) -> Grid | None:
        """The record of each line (`texts`, without line ends; `quoted_lines`: those of them
        with a quote character, line ends included), or None if a record may run over lines."""
        if _NUL_IS_AN_ERROR and "\x00" in "".join(texts):  # 3.10: read by `_careful`
            return None
        parsed: list[list[str]] = []
        if quoted:
            reader = self._reader(quoted_lines)
            try:
                parsed = list(reader)
            except csv.Error:
                return None
            # A quote left open takes in the next line given to the reader (one record fewer)
            # or, on the last line, ends the record early with a line break in its last cell.
            # A last line with no line end may be the input's last, its quote open: see `_feed`.
            if (
                len(parsed) != len(quoted)
                or _open_at_end(parsed)
                or not quoted_lines[-1].endswith(("\n", "\r"))
            ):
                return None
        delimiter = self._delimiter
        if width > 1:  # (a blank line splits into one cell)
            flat = _flat(texts, quoted, parsed, delimiter, width)
            if flat is not None:
                return Grid(flat=flat, width=width)
        records = list(map(str.split, texts, repeat(delimiter)))
        for at in positions(texts, ""):
            records[at] = []  # a blank line, as csv.reader gives it
        for at, record in zip(quoted, parsed, strict=True):
            records[at] = record
        return Grid(records)


def _flat(
    texts: list[str], quoted: list[int], parsed: list[list[str]], delimiter: str, width: int
) -> list[str] | None:
    """The cells of every line, `width` to a line, in one list, or None unless every line has
    `width` cells: one split of the lines joined (the quoted lines' records put in place after).

    The lines are joined with a line break between delimiters, an extra cell that no line holds
    (a line has no line break): each line has `width` cells exactly when those extra cells fall
    every `width` + 1 cells. (Counting each line's delimiters took a third of the split's time.)
    """
    if quoted:
        if set(map(len, parsed)) != {width}:
            return None
        texts = list(texts)
        filler = delimiter * (width - 1)  # `width` empty cells, replaced below
        for at in quoted:
            texts[at] = filler
    count = len(texts)
    flat = (delimiter + "\n" + delimiter).join(texts).split(delimiter)
    step = width + 1
    if len(flat) != count * step - 1 or flat[width::step] != ["\n"] * (count - 1):
        return None
    del flat[width::step]
    for at, record in zip(quoted, parsed, strict=True):
        flat[at * width : (at + 1) * width] = record
    return flat


def _seekable(stream: IO[str]) -> bool:
    """Whether `stream` can go back to where it was (for `RecordReader._block`)."""
    try:
        return bool(stream.seekable())
    except (OSError, ValueError):
        return False


# Python 3.10's csv module refuses NUL characters ("line contains NUL"); 3.11 reads them.
_NUL_IS_AN_ERROR = sys.version_info < (3, 11)


def csv_writer(out: Any, delimiter: str) -> Any:
    """csv.writer with RFC 4180 line ends; on Python 3.10, whose writer refuses a NUL ("need to
    escape"), one that writes it as 3.11's does: as any other character."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    return _NulWriter(out, delimiter) if _NUL_IS_AN_ERROR else writer


class _NulWriter:
    """A csv writer for Python 3.10 that writes NUL as 3.11 does: a record with one is formatted
    with another character in its place, one that the record lacks and the writer does not treat
    specially (so it quotes exactly as 3.11 would), which is then put back."""

    def __init__(self, out: Any, delimiter: str) -> None:
        self._out = out
        self._lines: list[str] = []
        self._writer = csv.writer(self, delimiter=delimiter, lineterminator="\r\n")
        self._special = {delimiter, '"', "\r", "\n"}

    def write(self, text: str) -> None:
        self._lines.append(text)

    def writerow(self, cells: Iterable[Any]) -> None:
        cells = list(cells)
        text = "".join(map(str, cells))
        if "\x00" not in text:
            self._writer.writerow(cells)
            self._out.write(self._lines.pop())
            return
        stand = next(
            c for c in map(chr, range(1, 0x110000)) if c not in text and c not in self._special
        )
        self._writer.writerow([str(cell).replace("\x00", stand) for cell in cells])
        self._out.write(self._lines.pop().replace(stand, "\x00"))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


# `_careful`'s states, named as in the csv module: at the start of a cell, in an unquoted cell,
# in a quoted one, just after a quote in a quoted one.
_START, _FIELD, _QUOTED, _QUOTE = range(4)


def _open_at_end(records: list[list[str]]) -> bool:
    last = records[-1]
    return bool(last) and ("\n" in last[-1] or "\r" in last[-1])
