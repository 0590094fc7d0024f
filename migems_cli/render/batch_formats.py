"""`batch`'s output formats: a closed set, one writer per format (as pip-audit's `_format`).

`WRITERS` maps each `Format` to its writer; a test checks that every member has one. Each
writer takes the evaluated chunks, the input's layout, the stream and the CSV delimiter, and
imports its renderer when called, so that rich is imported only for the table.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from migems_cli.batch import Chunk, Layout, Row


class Format(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    table = "table"


Writer = Callable[["Iterator[Chunk]", "Layout", TextIO, str], None]


def _rows(chunks: Iterator[Chunk]) -> Iterator[Row]:
    return (row for chunk in chunks for row in chunk.rows())


def write_csv(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    from migems_cli.render.batch_out import write_csv

    write_csv(chunks, layout, out, delimiter)


def write_jsonl(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    from migems_cli.render.batch_jsonl import write_jsonl

    write_jsonl(chunks, layout, out)


def write_table(chunks: Iterator[Chunk], layout: Layout, out: TextIO, delimiter: str) -> None:
    from rich.console import Console

    from migems_cli.render.batch_rich import render_table

    # Text only: customer cells are never read as markup; no colour when `out` is a file
    console = Console(
        highlight=False, soft_wrap=False, emoji=False, file=None if out is sys.stdout else out
    )
    render_table(_rows(chunks), layout, console)


WRITERS: dict[Format, Writer] = {
    Format.csv: write_csv,
    Format.jsonl: write_jsonl,
    Format.table: write_table,
}
