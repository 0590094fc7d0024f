"""CSV records of a text stream, a chunk at a time, with the lines they were read from.

`batch` reads the same way the csv module does (it parses every line with `csv.reader`), but a
chunk of lines at a time: when each line of a chunk holds exactly one record, the lines are
kept with the records, so that the CSV writer can reuse their text instead of formatting the
cells again (see `render.batch_out`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice


@dataclass(slots=True)
class RawChunk:
    """Records and the 1-based line each starts on; `lines` when each record is one line."""

    starts: Sequence[int]
    records: list[list[str]]
    lines: list[str] | None  # as read, line ends included


class RecordReader:
    """Reads a text stream (opened with newline="") as CSV records with the given delimiter.

    `line_num` counts the lines read so far; when a `csv.Error` is raised, `line_num + 1` is
    the line it is about (a `UnicodeDecodeError` comes from the line after `line_num` too).
    """

    def __init__(self, stream: Iterator[str], delimiter: str) -> None:
        self._stream = stream
        self._dialect = {"delimiter": delimiter, "strict": False}
        self.line_num = 0

    def header(self) -> list[str] | None:
        """The first record that is not blank, or None when the stream has none."""
        reader = csv.reader(self._stream, **self._dialect)  # type: ignore[arg-type]
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
            reader = csv.reader(lines, **self._dialect)  # type: ignore[arg-type]
            try:
                records = list(reader)
            except csv.Error:
                self.line_num = base + reader.line_num - 1
                raise
            # One record a line, unless a quoted cell runs on past the chunk's last line (the
            # reader then ends that record early, its last cell holding a line break).
            if len(records) == len(lines) and not _open_at_end(records):
                self.line_num = base + len(lines)
                yield RawChunk(range(base + 1, base + len(lines) + 1), records, lines)
                continue
            # Some record spans lines: read again, through to the end of the last one.
            reader = csv.reader(chain(lines, stream), **self._dialect)  # type: ignore[arg-type]
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
            yield RawChunk(starts, records, None)


def _open_at_end(records: list[list[str]]) -> bool:
    last = records[-1]
    return bool(last) and ("\n" in last[-1] or "\r" in last[-1])
