"""RecordReader reads exactly the records csv.reader reads, from the same lines, in chunks."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from migems_cli.records import CELL_CAP, Damage, Grid, RecordReader
from tests.helpers import Pipe, csv_reference

PIECES = ["a", "b", "=1", " ", ",", ";", "\t", '"', '""', "\n", "\r", "\r\n", "é", "\x00"]


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(start line, record) as csv.reader gives them, blank lines included as []."""
    return csv_reference(text, delimiter)[0]


def _chunked(
    text: str, delimiter: str, size: int, width: int = 0
) -> tuple[list[tuple[int, list[str]]], dict]:
    source = RecordReader(io.StringIO(text, newline=""), delimiter)
    lines = [line.rstrip("\r\n") for line in io.StringIO(text, newline="")]
    found = []
    damaged = {}
    for chunk in source.chunks(size, width):
        if chunk.grid.flat is not None:  # only for records of `width` cells, one a line
            assert width > 1
            assert chunk.texts is not None
            assert set(map(len, chunk.records)) == {width}
        damaged.update({chunk.starts[at]: d for at, d in (chunk.cut or {}).items()})
        found += zip(chunk.starts, chunk.records, strict=True)
        if chunk.texts is not None:  # one record a line: the lines' text, and where quotes are
            assert chunk.texts == [lines[start - 1] for start in chunk.starts]
            assert chunk.quoted == [at for at, text in enumerate(chunk.texts) if '"' in text]
    assert source.line_num == len(lines)
    return found, damaged


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from([1, 2, 3, 1024]),
    st.sampled_from([0, 1, 2, 3]),
)
def test_chunks_hold_the_records_csv_reader_reads(
    text: str, delimiter: str, size: int, width: int
) -> None:
    """The same records from the same lines as csv.reader (as 3.11 reads them: NUL is a
    character like any other on every Python), but for a quote left open at the end: that
    record is flagged, and the lines it took are read again. Whatever the header's width."""
    expected, open_at_end = csv_reference(text, delimiter)
    found, damaged = _chunked(text, delimiter, size, width)
    if not open_at_end:
        assert found == expected
        assert damaged == {}
        return
    *before, (start, _) = expected
    assert found[: len(before)] == before
    assert found[len(before)][0] == start
    unclosed = damaged[start].unclosed
    assert unclosed is not None
    assert unclosed[1] >= start


def _read(source: RecordReader, size: int, width: int) -> list[tuple[int, list[str], Any]]:
    return [
        (start, record, (chunk.cut or {}).get(at))
        for chunk in source.chunks(size, width)
        for at, (start, record) in enumerate(zip(chunk.starts, chunk.records, strict=True))
    ]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "\n", '"\n', '\n"']), max_size=60).map("".join),
    st.sampled_from([",", ";"]),
    st.sampled_from([1, 3, 1024]),
    st.sampled_from([0, 2]),
    st.sampled_from([{}, {"cap": 3, "piece": 2}]),
    st.data(),
)
def test_a_part_of_a_file_goes_on_exactly_when_its_end_is_inside_a_record(
    tmp_path_factory: pytest.TempPathFactory,
    text: str,
    delimiter: str,
    size: int,
    width: int,
    caps: dict[str, int],
    data: st.DataObject,
) -> None:
    """`batch --jobs` reads a file's part (from its start to just after a line feed) with
    `more`: a part whose reading ends between records gives the records the whole file's
    reading gives up to there, and the whole file's next record starts on the next line (so the
    next part starts at a record); a part ended inside a quoted cell goes on, once, and gives
    the whole file's records (damage included). With tiny caps, the records are read a piece
    at a time (`_careful`), and go on there."""
    from migems_cli.batch_jobs import _range_text

    feeds = [at + 1 for at, char in enumerate(text) if char == "\n"]
    assume(feeds)
    cut = data.draw(st.sampled_from(feeds))
    path = tmp_path_factory.mktemp("part") / "claims.csv"
    path.write_bytes(text.encode())

    def reader(stream: Any, **more: Any) -> RecordReader:
        return RecordReader(stream, delimiter, **caps, **more)

    whole = _read(reader(io.StringIO(text, newline="")), size, width)
    end = len(text[:cut].encode())
    with path.open("rb") as raw, _range_text(raw.fileno(), 0, end, "utf-8") as (stream, part):
        found = _read(reader(stream, more=part.go_on), size, width)
    if part.went_on is None:
        head = _read(reader(io.StringIO(text[:cut], newline="")), size, width)
        assert found == head == whole[: len(found)]
        lines = len(io.StringIO(text[:cut], newline="").readlines())
        assert len(whole) == len(found) or whole[len(found)][0] == lines + 1
    else:
        assert part.went_on == len(text[:cut].encode())
        assert found == whole


@pytest.mark.parametrize(
    ("text", "chunked_as_lines"),
    [
        ("a,b\nc,d\n", True),
        ('a,"b,c"\r\nd,e', True),
        ("a,b\n\nc,d\n", True),  # a blank line is an empty record
        ('a,"b\nc"\nd,e\n', False),  # a quoted line break: parsed by csv.reader whole
    ],
)
def test_lines_kept_only_when_each_record_is_one_line(text: str, chunked_as_lines: bool) -> None:
    chunks = list(RecordReader(io.StringIO(text, newline=""), ",").chunks(1024))
    assert (chunks[0].texts is not None) is chunked_as_lines
    assert [record for chunk in chunks for record in chunk.records] == [
        record for _, record in _csv_records(text, ",")
    ]


def test_a_cell_over_the_cap_is_cut_and_named_on_its_line() -> None:
    text = "a,b\nc,d\n" + "e," + "x" * (CELL_CAP + 1) + "\nf,g\n"
    source = RecordReader(io.StringIO(text, newline=""), ",")
    chunks = list(source.chunks(1024))
    records = [record for chunk in chunks for record in chunk.records]
    assert records == [["a", "b"], ["c", "d"], ["e", "x" * CELL_CAP], ["f", "g"]]
    assert [chunk.cut for chunk in chunks] == [{2: Damage(cut=(1,))}]
    assert source.line_num == 4


# A table as a claims file holds one: rows of the header's width, cells quoted when they hold
# the delimiter or a quote, and now and then a row of another width, a blank line, a quoted
# line break, or a quote left open.
_CELL = st.lists(st.sampled_from(["a", "7", " ", ",", ";", '"', "é", "\x00", "\n"]), max_size=3)
_ODD_LINES = ["", "x", "x,y,z,w,v", '"open', 'a,"b\nc",d']


def _line(cells: list[str], delimiter: str) -> str:
    def cell(text: str) -> str:
        if any(c in text for c in (delimiter, '"', "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return delimiter.join(map(cell, cells))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda width: st.tuples(
            st.just(width),
            st.lists(
                st.one_of(
                    st.lists(_CELL.map("".join), min_size=width, max_size=width),
                    st.sampled_from(_ODD_LINES),
                ),
                max_size=30,
            ),
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from([1, 4, 1024]),
)
def test_tables_of_the_headers_width_are_read_flat_as_csv_reader_reads_them(
    table: tuple[int, list[list[str] | str]], delimiter: str, size: int
) -> None:
    """Chunks whose lines are each one record of the header's width are split at once (see
    `records._flat`): the records are still exactly csv.reader's, and a chunk is flat exactly
    when every record in it is one line of that width."""
    width, rows = table
    text = "".join(
        (_line(row, delimiter) if isinstance(row, list) else row.replace(",", delimiter)) + "\r\n"
        for row in rows
    )
    expected, open_at_end = csv_reference(text, delimiter)
    source = RecordReader(io.StringIO(text, newline=""), delimiter)
    found = []
    for chunk in source.chunks(size, width):
        records = chunk.records
        found += zip(chunk.starts, records, strict=True)
        regular = chunk.texts is not None and set(map(len, records)) == {width}
        assert (chunk.grid.flat is not None) == regular
    if not open_at_end:
        assert found == expected


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.lists(st.text(max_size=3), min_size=width, max_size=width), min_size=1
        )
    ),
    st.data(),
)
def test_a_flat_grid_answers_as_its_lists_do(records: list[list[str]], data: st.DataObject) -> None:
    width = len(records[0])
    lists = Grid([list(record) for record in records])
    flat = Grid(flat=[cell for record in records for cell in record], width=width)
    where = data.draw(st.lists(st.integers(0, len(records) - 1)))
    columns = [list(column) for column in zip(*records, strict=True)]
    for grid in (flat, lists):
        assert len(grid) == len(records)
        assert [grid.column(at) for at in range(width)] == columns
        assert grid.columns() == columns
        assert [grid.row(at) for at in range(len(records))] == records
        assert grid.cells() == [cell for record in records for cell in record]
        assert list(grid.sizes(where)) == [width] * len(where)
        assert grid.take(where).lists() == [records[at] for at in where]
    assert flat.lists() == records


def test_a_chunk_stops_growing_at_its_text_budget() -> None:
    """Lines are taken a few dozen at a time, up to the lines asked for, but no more once a
    chunk holds CHUNK_TEXT characters: long lines make short chunks, so that memory stays flat."""
    from migems_cli.records import _STEP, CHUNK_TEXT

    short = "a,b\n" * 5000
    sizes = [len(chunk.records) for chunk in _reader(short).chunks(2048, 2)]
    assert sizes == [2048, 2048, 904]
    line = "x," + "y" * (4 * CHUNK_TEXT // _STEP) + "\n"  # a step of these: 4 budgets
    long = line * (3 * _STEP + 10)
    # a stream read a line at a time (stdin): _STEP lines, then the budget is checked
    piped = RecordReader(_Piped(long, newline=""), ",")
    chunks = list(piped.chunks(2048, 2))
    assert [len(chunk.records) for chunk in chunks] == [_STEP, _STEP, _STEP, 10]
    assert all(len(chunk.grid.row(0)[1]) == len(line) - 3 for chunk in chunks)
    # a file, read a block at a time: a block is the budget and the rest of its last line
    chunks = list(_reader(long).chunks(2048, 2))
    assert [len(chunk.records) for chunk in chunks] == [CHUNK_TEXT // len(line) + 1] * 12 + [10]
    assert sum(len(chunk.records) for chunk in chunks) == 3 * _STEP + 10
    assert all(len(row[1]) == len(line) - 3 for chunk in chunks for row in chunk.records)


class _Piped(io.StringIO):
    """A text stream that cannot seek, as a pipe: read a line at a time."""

    def seekable(self) -> bool:
        return False


def _reader(text: str) -> RecordReader:
    return RecordReader(io.StringIO(text, newline=""), ",")


_CAPS = [{}, {"cap": 3, "piece": 2}, {"cells": 2}, {"cap": 5, "piece": 6, "record": 12}]


def _everything(source: RecordReader, size: int, width: int) -> tuple[Any, ...]:
    """The header and the records (or the header's error), and the lines read."""
    try:
        header = source.header()
    except csv.Error as exc:
        return str(exc), source.line_num
    return header, _read(source, size, width), source.line_num


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.sampled_from([*PIECES, "\n", '"\n', '\n"', "abcdefgh", "x\r\ny", "a,b,c"]), max_size=80
    ).map("".join),
    st.sampled_from([",", ";"]),
    st.sampled_from([1, 3, 1024]),
    st.sampled_from([0, 2, 3]),
    st.sampled_from(_CAPS),
    st.integers(1, 40),
)
@example("h\na,b,c\nx,y,z,w\n", ",", 3, 0, {"cells": 2}, 3)  # records over the cells cap
@example("h\r\na\r\nb\rc\r\n", ",", 3, 0, {}, 4)  # a bare CR among CR LFs
@example('h\r\n"a\nb"\r\nc\r\n', ",", 3, 0, {}, 5)  # LF in a quoted cell of a CR LF file
@example("h\nabcdefgh\nb\n", ",", 3, 0, {"cap": 3, "piece": 2}, 2)  # lines over the cap
def test_a_file_read_a_block_at_a_time_reads_as_a_pipe_read_a_line_at_a_time(
    text: str, delimiter: str, size: int, width: int, caps: dict[str, int], block: int
) -> None:
    """The same header, records, damage and line count, whatever the block's size: blocks
    that end inside a line, in a CR LF, in a quoted cell, lines longer than the caps."""
    piped = RecordReader(_Piped(text, newline=""), delimiter, **caps)
    filed = RecordReader(io.StringIO(text, newline=""), delimiter, **caps, block=block)
    assert _everything(filed, size, width) == _everything(piped, size, width)


@settings(max_examples=300, deadline=None)
@given(
    # (no bare CR: a CR line end that is the last byte decoded before the bad one makes both
    # readings name the line before the bad byte's, or not, by where the decoded blocks fall)
    st.lists(st.sampled_from(["a,b", "é", "\n", "\r\n", '"', ","]), max_size=400).map("".join),
    st.integers(0, 1 << 20),
    st.integers(1, 200),
)
@example("a,b\n" * 100, 241, 50)  # the bad byte a few blocks on
def test_a_bad_byte_is_found_on_the_same_line_in_a_file_and_in_a_pipe(
    text: str, where: int, block: int
) -> None:
    """A byte that cannot be decoded: block reading goes back to its block's start and reads
    on a line at a time, so the error names the line a pipe's reading names."""
    from migems_cli.commands.batch import _line_breaks_before

    raw = text.encode()
    at = where % (len(raw) + 1)
    assume(raw[at - 1 : at] != b"\r")  # (the bad byte would make a CR LF's CR a bare one)
    raw = raw[:at] + b"\xff" + raw[at:]

    def line_of(stream: Any) -> tuple[int, list[Any]]:
        text = io.TextIOWrapper(stream, "utf-8", newline="")
        text._CHUNK_SIZE = 16  # type: ignore[attr-defined]  # bytes decoded at a time (8 KiB)
        source = RecordReader(text, ",", block=block)
        records: list[Any] = []

        def read() -> None:
            source.header()
            for chunk in source.chunks(7, 2):
                records.extend(chunk.records)

        with pytest.raises(UnicodeDecodeError) as caught:
            read()
        return source.line_num + 1 + _line_breaks_before(caught.value, "utf-8"), records

    filed = line_of(io.BufferedReader(io.BytesIO(raw), 16))
    piped = line_of(io.BufferedReader(Pipe(raw), 16))
    assert filed[0] == piped[0]
    # the records read before the error (whole chunks: where they end differs) are the clean
    # text's, from lines before the bad byte's
    clean = RecordReader(io.StringIO(text, newline=""), ",")
    try:
        clean.header()
        records = [record for chunk in clean.chunks(7, 2) for record in chunk.records]
    except csv.Error:  # a quote opened in the header and never closed: no record read
        records = []
    for found in (filed[1], piped[1]):
        assert found == records[: len(found)]
        assert len(found) < filed[0]  # (the header's line is not a record)
