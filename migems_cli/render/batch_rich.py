"""The rich table for `migems batch` on a terminal, printed in chunks so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from migems_cli.batch import Layout, Row, split_record
from migems_cli.render.console import DECISION_STYLE

if TYPE_CHECKING:
    from rich.console import Console

_CHUNK = 200


def render_table(rows: Iterator[Row], layout: Layout, console: Console) -> None:
    """Line, claim id, decision, refund, deadlines, and the failed rules or the error."""
    chunk: list[Row] = []
    first = True
    for row in rows:
        chunk.append(row)
        if len(chunk) == _CHUNK:
            console.print(_table(chunk, layout, first))
            chunk.clear()
            first = False
    if chunk or first:
        console.print(_table(chunk, layout, first))


def _table(rows: list[Row], layout: Layout, header: bool) -> Table:
    claim_at = layout.index.get("claim_id")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=header)
    table.add_column("Line", justify="right", no_wrap=True, min_width=4)
    if claim_at is not None:
        table.add_column("Claim", overflow="fold", min_width=8)
    table.add_column("Decision", no_wrap=True, min_width=10)
    table.add_column("Refund", justify="right", no_wrap=True, min_width=7)
    table.add_column("Return by", no_wrap=True, min_width=10)
    table.add_column("Report by", no_wrap=True, min_width=10)
    table.add_column("Failed rules / error", overflow="fold", min_width=12)
    for line, record in rows:
        inputs, results, _ = split_record(record, layout.width)
        decision, _, refund, _, return_by, report_by, failed, review, error = results
        rules = [
            *filter(None, failed.split(";")),
            *(f"{r} (review)" for r in review.split(";") if r),
        ]
        cells: list[Text] = [Text(str(line))]
        if claim_at is not None:
            cells.append(Text(inputs[claim_at]))  # Text: customer data is never markup
        cells += [
            Text(decision or "error", style=DECISION_STYLE.get(decision, "bold red")),
            Text(refund),
            Text(return_by),
            Text(report_by),
            Text(error or "\n".join(rules), style="red" if error else ""),  # a rule a line
        ]
        table.add_row(*cells)
    return table
