"""The CSV writer finds the result columns by name: any order of `RESULT_COLUMNS` is written as
the csv module would write the rows' `Result`s in that order (so a new or moved column needs no
edit in render/)."""

from __future__ import annotations

import csv
import io
from collections import namedtuple
from datetime import date

import pytest

from migems_cli import batch
from migems_cli.batch import Evaluator, Summary, evaluate_chunks, read_layout
from migems_cli.records import RecordReader
from migems_cli.render import batch_out

ROWS = (
    "claim_id,delivered,requested,reason,category,price,shipping\r\n"
    "A,2026-01-03,2026-01-05,changed-mind,rings,120,9.95\r\n"
    "B,2026-01-03,2026-01-20,damaged,necklaces,80.5,\r\n"
    "C,2026-02-30,2026-01-05,,,,\r\n"
    "D,2026-01-10,2026-01-12,wrong-item,,19.99,0\r\n"
)

ORDERS = [
    batch.RESULT_COLUMNS,
    tuple(reversed(batch.RESULT_COLUMNS)),
    ("return_by", "report_damage_by", "refund_amount", "decision", "error", "remedy",
     "failed_rules", "review_rules", "return_shipping_paid_by"),
    ("refund_amount", "return_by", "decision", "report_damage_by", "error", "remedy",
     "review_rules", "failed_rules", "return_shipping_paid_by"),
]  # fmt: skip


def _evaluate(policy, text, delimiter):
    reader = RecordReader(io.StringIO(text, newline=""), delimiter)
    layout = read_layout(reader.header() or [], "test")
    evaluator = Evaluator(policy, date(2026, 1, 31), False, layout)
    return layout, list(evaluate_chunks(reader, evaluator, Summary()))


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_follows_the_order_of_the_result_fields(policy, monkeypatch, order, delimiter):
    """Reordering `Result`'s fields (the one place the columns are listed) reorders the CSV
    columns, fast rows and rows written whole alike."""
    text = ROWS.replace(",", delimiter)
    _, chunks = _evaluate(policy, text, delimiter)  # as things are: the expected cells, by name
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
    for chunk in chunks:
        for record, result in zip(chunk.records, chunk.evaluated.results(), strict=True):
            cells = dict(zip(batch.RESULT_COLUMNS, result, strict=True))
            writer.writerow([*record, *(cells[name] for name in order)])
    reordered = namedtuple("Result", order)
    monkeypatch.setattr(batch, "Result", reordered)
    monkeypatch.setattr(batch, "RESULT_COLUMNS", order)
    monkeypatch.setattr(batch, "_NO_RESULT", reordered(*[""] * len(order)))
    monkeypatch.setattr(batch_out, "RESULT_COLUMNS", order)
    layout, chunks = _evaluate(policy, text, delimiter)
    out = io.StringIO(newline="")
    batch_out.write_csv(iter(chunks), layout, out, delimiter)
    header, rows = out.getvalue().split("\r\n", 1)
    assert header.split(delimiter)[-len(order) :] == list(order)
    assert rows == expected.getvalue()
    assert "2026-02-30" in rows  # the bad row is there, written whole
