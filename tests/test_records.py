"""RecordReader reads exactly the records csv.reader reads, from the same lines, in chunks."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migems_cli.records import CELL_CAP, Damage, RecordReader
from tests.helpers import csv_reference

PIECES = ["a", "b", "=1", " ", ",", ";", "\t", '"', '""', "\n", "\r", "\r\n", "é", "\x00"]


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(start line, record) as csv.reader gives them, blank lines included as []."""
    return csv_reference(text, delimiter)[0]


def _chunked(text: str, delimiter: str, size: int) -> tuple[list[tuple[int, list[str]]], dict]:
    source = RecordReader(io.StringIO(text, newline=""), delimiter)
    lines = [line.rstrip("\r\n") for line in io.StringIO(text, newline="")]
    found = []
    damaged = {}
    for chunk in source.chunks(size):
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
)
def test_chunks_hold_the_records_csv_reader_reads(text: str, delimiter: str, size: int) -> None:
    """The same records from the same lines as csv.reader (as 3.11 reads them: NUL is a
    character like any other on every Python), but for a quote left open at the end: that
    record is flagged, and the lines it took are read again."""
    expected, open_at_end = csv_reference(text, delimiter)
    found, damaged = _chunked(text, delimiter, size)
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
