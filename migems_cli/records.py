"""CSV records of a text stream, a chunk at a time, with the lines they were read from.

`batch` reads a chunk of lines at a time. A line with no quote character in it is one record
whose cells are the line split at the delimiter: exactly what `csv.reader` makes of it, at a
fraction of the cost. Every other line is parsed by `csv.reader`; when a record runs over
several lines, the whole chunk is. When each line of a chunk holds exactly one record, the
lines' text is kept with the records, so that the CSV writer can reuse it instead of formatting
the cells again (see `render.batch_out`).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from operator import contains
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import _csv


@dataclass(slots=True)
class RawChunk:
    """Records and the 1-based line each starts on, and when each record is one line, the
    lines without their line ends and where the lines with a quote character are."""

    starts: Sequence[int]
    records: list[list[str]]
    texts: list[str] | None = None
    quoted: list[int] | None = None


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


class RecordReader:
    """Reads a text stream (opened with newline="") as CSV records with the given delimiter.

    `line_num` counts the lines read so far; when a `csv.Error` is raised, `line_num + 1` is
    the line it is about (a `UnicodeDecodeError` comes from the line after `line_num` too).
    """

    def __init__(self, stream: Iterator[str], delimiter: str) -> None:
        self._stream = stream
        self._delimiter = delimiter
        self.line_num = 0

    def _reader(self, lines: Iterable[str]) -> _csv.Reader:
        return csv.reader(lines, delimiter=self._delimiter, strict=False)

    def header(self) -> list[str] | None:
        """The first record that is not blank, or None when the stream has none."""
        reader = self._reader(self._stream)
        try:
            for record in reader:
                if record:
                    self.line_num = reader.line_num
                    return record
        except csv.Error:
            self.line_num = reader.line_num - 1
            raise
        except UnicodeDecodeError:
            self.line_num = reader.line_num
            raise
        self.line_num = reader.line_num
        return None

    def chunks(self, size: int) -> Iterator[RawChunk]:
        """Every record (blank lines give empty ones), in chunks of about `size` lines."""
        stream = self._stream
        while True:
            base = self.line_num
            lines: list[str] = []
            try:
                lines.extend(islice(stream, size))
            except UnicodeDecodeError:
                self.line_num = base + len(lines)  # the lines decoded before the error
                raise
            if not lines:
                return
            texts = list(map(str.rstrip, lines, repeat("\r\n")))
            quoted = positions(list(map(contains, texts, repeat('"'))), True)
            records = self._one_a_line(lines, texts, quoted)
            if records is not None:
                self.line_num = base + len(lines)
                yield RawChunk(range(base + 1, base + len(lines) + 1), records, texts, quoted)
                continue
            # Some record spans lines: read again, through to the end of the last one.
            reader = self._reader(chain(lines, stream))
            starts: list[int] = []
            records = []
            try:
                while reader.line_num < len(lines):
                    starts.append(base + reader.line_num + 1)
                    records.append(next(reader))
            except csv.Error:
                self.line_num = base + reader.line_num - 1
                raise
            except UnicodeDecodeError:
                self.line_num = base + reader.line_num
                raise
            self.line_num = base + reader.line_num
            yield RawChunk(starts, records)

    def _one_a_line(
        self, lines: list[str], texts: list[str], quoted: list[int]
    ) -> list[list[str]] | None:
        """The record of each line, or None if a record may run over lines (or a cell is
        longer than the csv module allows: it then says so, for the line it is on)."""
        if max(map(len, lines)) > csv.field_size_limit():
            return None
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


def _open_at_end(records: list[list[str]]) -> bool:
    last = records[-1]
    return bool(last) and ("\n" in last[-1] or "\r" in last[-1])
