"""RecordReader reads exactly the records csv.reader reads, from the same lines, in chunks."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migems_cli.records import CELL_CAP, RecordReader

PIECES = ["a", "b", "=1", " ", ",", ";", "\t", '"', '""', "\n", "\r", "\r\n", "é", "\x00"]


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(start line, record) as csv.reader gives them, blank lines included as []."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    found = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return found
        found.append((start, record))


def _chunked(text: str, delimiter: str, size: int) -> list[tuple[int, list[str]]]:
    source = RecordReader(io.StringIO(text, newline=""), delimiter)
    lines = [line.rstrip("\r\n") for line in io.StringIO(text, newline="")]
    found = []
    for chunk in source.chunks(size):
        found += zip(chunk.starts, chunk.records, strict=True)
        if chunk.texts is not None:  # one record a line: the lines' text, and where quotes are
            assert chunk.texts == [lines[start - 1] for start in chunk.starts]
            assert chunk.quoted == [at for at, text in enumerate(chunk.texts) if '"' in text]
    assert source.line_num == len(lines)
    return found


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from([1, 2, 3, 1024]),
)
def test_chunks_hold_the_records_csv_reader_reads(text: str, delimiter: str, size: int) -> None:
    try:
        expected = _csv_records(text, delimiter)
    except csv.Error:  # Python 3.10 refuses NUL characters: so must the chunks
        with pytest.raises(csv.Error):
            _chunked(text, delimiter, size)
        return
    assert _chunked(text, delimiter, size) == expected


@pytest.mark.parametrize(
    ("text", "chunked_as_lines"),
    [
        ("a,b\nc,d\n", True),
        ('a,"b,c"\r\nd,e', True),
        ("a,b\n\nc,d\n", True),  # a blank line is an empty record
        ('a,"b\nc"\nd,e\n', False),  # a quoted line break: parsed by csv.reader whole
        ('a,"b\n', False),  # a quote still open at the end of the file
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
    assert [chunk.cut for chunk in chunks] == [{2: [1]}]
    assert source.line_num == 4
