"""`batch --reply`'s writers: CSV (formulas neutralised) and JSON Lines, with the reply
columns just before `error` (see `migems_cli.batch_replies`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from migems_cli.batch import Layout
from migems_cli.batch_replies import COLUMNS, ReplyRow
from migems_cli.records import csv_writer
from migems_cli.render.batch_out import json_record, neutralise
from migems_cli.render.safe import json_safe


def write_csv(rows: Iterator[ReplyRow], layout: Layout, out: TextIO, delimiter: str) -> None:
    """The header (input names, then `COLUMNS`), then one record per row, extras last."""
    writer = csv_writer(out, delimiter)
    writer.writerow(neutralise((*layout.header, *COLUMNS)))
    for row in rows:
        writer.writerow(neutralise([*row.record(), *row.extra]))


def write_jsonl(rows: Iterator[ReplyRow], layout: Layout, out: TextIO) -> None:
    """One object a row, as `batch --json` writes it, with `reply_subject` and `reply_body`
    (null when there is no reply) before `error`."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for row in rows:
        record = json_record((row.line, [*row.cells, *row.results, *row.extra]), layout)
        error = record.pop("error")
        extra = record.pop("extra", None)
        record["reply_subject"] = row.subject or None
        record["reply_body"] = row.body or None
        record["error"] = error
        if extra is not None:
            record["extra"] = extra
        out.write(json_safe(encode(record)) + "\n")
