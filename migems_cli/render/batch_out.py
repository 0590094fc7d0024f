"""Writers for `migems batch`: CSV (formulas neutralised) and JSON Lines, one record per row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from operator import add, itemgetter, mul
from typing import Any, TextIO

from migems_cli.batch import Chunk, Layout, Row, json_record, neutralise

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

    `chunks` must come from `evaluate_chunks(..., spreadsheet_safe=True)` with an `Evaluator`
    made for `delimiter`. The csv writer formats the input cells; the result cells are joined
    from fragments cached with each decision and delivery date (see `Evaluated`), which halves
    the cost of writing them. RFC 4180 line ends: with "\\n" alone the csv module would leave a
    cell holding a bare CR unquoted, and readers would split the record there.
    """
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(
        neutralise(layout.output_header)
    )
    sink = _Lines()
    formatter = csv.writer(sink, delimiter=delimiter, lineterminator="\r\n")
    for chunk in chunks:
        sink.lines.clear()
        formatter.writerows(chunk.records)
        evaluated = chunk.evaluated
        decided = evaluated.decided
        results = list(
            map(
                add,
                map(
                    add,
                    map(
                        add,
                        map(
                            add,
                            map(_HEAD, decided),
                            map(mul, evaluated.amounts, map(_REFUNDS, decided)),
                        ),
                        map(_MIDDLE, decided),
                    ),
                    map(_DATES, evaluated.delivered),
                ),
                map(_TAIL, decided),
            )
        )
        for at, cells in evaluated.slow.items():
            results[at] = _cells(formatter, sink, cells, delimiter)
        if chunk.extras:
            for at, extra in enumerate(chunk.extras):
                if extra:
                    whole = [*evaluated.results()[at], *extra]
                    results[at] = _cells(formatter, sink, whole, delimiter)
        out.write("".join(map(add, map(_WITHOUT_LINE_END, sink.lines), results)))


def _cells(formatter: Any, sink: _Lines, cells: list[str] | tuple[str, ...], delimiter: str) -> str:
    """`cells` as the csv writer formats them, after a delimiter, with the line end."""
    formatter.writerow(cells)
    return delimiter + sink.lines.pop()


def write_jsonl(rows: Iterator[Row], layout: Layout, out: TextIO) -> None:
    """One JSON object per line (see `json_record`); no header line."""
    dumps = json.dumps
    write = out.write
    for row in rows:
        write(dumps(json_record(row, layout), ensure_ascii=False) + "\n")
