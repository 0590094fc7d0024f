"""Writers for `migems batch`: CSV (formulas neutralised) and JSON Lines, one record per row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from migems_cli.batch import Chunk, Layout, Row, json_record, neutralise


def write_csv(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    """The header (input names, then the result columns), then one record per row.

    `chunks` must come from `evaluate_chunks(..., spreadsheet_safe=True)`.
    """
    # RFC 4180 line ends: with "\n" alone the csv module would leave a cell holding a bare CR
    # unquoted, and readers would split the record there
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(neutralise(layout.output_header))
    for _, records in chunks:
        writer.writerows(records)


def write_jsonl(rows: Iterator[Row], layout: Layout, out: TextIO) -> None:
    """One JSON object per line (see `json_record`); no header line."""
    dumps = json.dumps
    write = out.write
    for row in rows:
        write(dumps(json_record(row, layout), ensure_ascii=False) + "\n")
