"""Writers for `migems batch`: CSV (formulas neutralised) and JSON Lines, one record per row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from migems_cli.batch import Layout, Row, csv_record, json_record, neutralise


def write_csv(rows: Iterator[Row], layout: Layout, out: TextIO, delimiter: str) -> None:
    """The header (input names, then the result columns), then one record per row."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(neutralise(layout.output_header))
    writer.writerows(map(csv_record, rows))


def write_jsonl(rows: Iterator[Row], layout: Layout, out: TextIO) -> None:
    """One JSON object per line (see `json_record`); no header line."""
    dumps = json.dumps
    write = out.write
    for row in rows:
        write(dumps(json_record(row, layout), ensure_ascii=False) + "\n")
