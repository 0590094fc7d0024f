"""Writers for `migems batch`: CSV (formulas neutralised) and JSON Lines, one record per row."""

from __future__ import annotations

import csv
import json
import re
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate, chain
from operator import add, itemgetter, mul
from typing import Any, TextIO

from migems_cli.batch import FORMULA_START, Chunk, Layout, Row, json_record, neutralise

_HEAD, _MIDDLE, _TAIL, _REFUNDS, _DATES = (
    itemgetter(5),
    itemgetter(6),
    itemgetter(7),
    itemgetter(4),
    itemgetter(3),
)
_WITHOUT_LINE_END = itemgetter(slice(None, -2))


class _Lines:
    """A file-like sink that keeps each line the csv writer formats."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.write = self.lines.append


def write_csv(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    """The header (input names, then the result columns), then one record per row.

    `chunks` must come from an `Evaluator` made for `delimiter`. The input cells of a record
    read from one line with no quote in it are that line's own text (the csv writer would give
    the very same), unless a cell starts like a formula; other records are formatted by the csv
    writer, their formula cells neutralised. The result cells are joined from fragments cached
    with each decision and delivery date (see `Evaluated`). RFC 4180 line ends: with "\\n"
    alone the csv module would leave a cell holding a bare CR unquoted, and readers would split
    the record there.
    """
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(
        neutralise(layout.output_header)
    )
    sink = _Lines()
    formatter = csv.writer(sink, delimiter=delimiter, lineterminator="\r\n")
    # a cell that starts like a formula, after a delimiter, in lines without quotes
    formula = re.compile(
        re.escape(delimiter)
        + "["
        + "".join(re.escape(c) for c in FORMULA_START if c not in (delimiter, "\r"))
        + "]"
    )
    for chunk in chunks:
        inputs = _inputs(chunk, formatter, sink, formula, delimiter)
        evaluated = chunk.evaluated
        decided = evaluated.decided
        delivered = evaluated.delivered
        whole = {at: list(cells) for at, cells in evaluated.slow.items()}
        if chunk.extras and any(chunk.extras):
            results = evaluated.results()
            whole.update(
                (at, [*results[at], *neutralise(extra)])
                for at, extra in enumerate(chunk.extras)
                if extra
            )
        if whole:  # these rows' result (and extra) cells are formatted whole, after the input
            decided, delivered = list(decided), list(delivered)
            for at, cells in whole.items():
                inputs[at] += _cells(formatter, sink, cells, delimiter)
                decided[at], delivered[at] = _NOTHING, _NO_DATES
        # each row: input cells, then the result cells from the fragments (see `Evaluated`)
        out.write(
            "".join(
                chain.from_iterable(
                    zip(
                        inputs,
                        map(_HEAD, decided),
                        map(mul, evaluated.amounts, map(_REFUNDS, decided)),
                        map(_MIDDLE, decided),
                        map(_DATES, delivered),
                        map(_TAIL, decided),
                        strict=True,
                    )
                )
            )
        )


_NOTHING = ("", "", "", "", False, "", "", "", "")  # a decision with empty fragments
_NO_DATES = (0, "", "", "")


def _inputs(
    chunk: Chunk, formatter: Any, sink: _Lines, formula: re.Pattern[str], delimiter: str
) -> list[str]:
    """Each record's input cells as CSV text, formulas neutralised, without the line end."""
    records = chunk.records
    if chunk.texts is None:
        return _formatted(formatter, sink, _neutralised(records))
    texts = list(chunk.texts)
    # Lines to format cell by cell: with a quote (the csv writer may quote differently), or
    # with a cell that starts like a formula. Each line is searched after a delimiter, so that
    # one search finds first cells too.
    redo = sorted(set(chunk.quoted) | _matching(formula, texts, delimiter, "\n"))
    if redo:
        formatted = _formatted(formatter, sink, _neutralised([records[at] for at in redo]))
        for at, text in zip(redo, formatted, strict=True):
            texts[at] = text
    return texts


_CELL_FORMULA = re.compile("\x1f[" + re.escape("".join(FORMULA_START)) + "]")


def _neutralised(records: list[list[str]]) -> list[list[str]]:
    """`records`, with each one that has a cell a spreadsheet would run neutralised.

    One search over all the cells, each led by \\x1f, finds the records to look at closely (a
    cell holding \\x1f itself can only add a record to look at, never hide one).
    """
    dirty = _matching(_CELL_FORMULA, list(map("\x1f".join, records)), "\x1f", "")
    if not dirty:
        return records
    records = list(records)
    for at in dirty:
        records[at] = neutralise(records[at])
    return records


def _matching(pattern: re.Pattern[str], pieces: list[str], lead: str, tail: str) -> set[int]:
    """Which `pieces` a match of `pattern` starts in, each piece searched as lead + piece + tail.

    One search over the whole text: piece i (its lead included) ends where piece i + 1's lead
    starts, and bisecting those boundaries says which piece a match is in.
    """
    text = lead + (tail + lead).join(pieces)
    found = [match.start() for match in pattern.finditer(text)]
    if not found:
        return set()
    step = len(lead) + len(tail)
    bounds = list(map(add, accumulate(map(len, pieces)), range(step, step * len(pieces) + 1, step)))
    return {bisect_right(bounds, at) for at in found}


def _formatted(formatter: Any, sink: _Lines, records: list[list[str]]) -> list[str]:
    """`records` as the csv writer formats them, without the line ends."""
    sink.lines.clear()
    formatter.writerows(records)
    return list(map(_WITHOUT_LINE_END, sink.lines))


def _cells(formatter: Any, sink: _Lines, cells: list[str] | tuple[str, ...], delimiter: str) -> str:
    """`cells` as the csv writer formats them, after a delimiter, with the line end."""
    formatter.writerow(cells)
    return delimiter + sink.lines.pop()


def write_jsonl(rows: Iterator[Row], layout: Layout, out: TextIO) -> None:
    """One JSON object per line (see `json_record`); no header line."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # made once: json.dumps makes one a call
    write = out.write
    for row in rows:
        write(encode(json_record(row, layout)) + "\n")
