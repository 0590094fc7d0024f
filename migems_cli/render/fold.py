"""Tables that fold into stacked key/value blocks when the terminal is too narrow for them.

A table is shown only when every column can hold its longest word, so no id, date or amount is
ever cut or broken inside itself; otherwise each row becomes a block: its first cell as a
heading, then one "Header  value" line per other cell (as the `check` panel lays out its facts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from migems_cli.render.console import plain

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _longest_line(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(minimums: list[int], maximums: list[int], room: int) -> list[int]:
    """Each column its longest word, then the spare room to the columns short of their longest
    line, the nearest first: short values ("22.00 USD") stay on one line and prose wraps.
    (rich's own sharing may cut a word.)"""
    widths = list(minimums)
    spare = room - sum(widths)
    for at in sorted(range(len(widths)), key=lambda at: maximums[at] - minimums[at]):
        grow = min(max(maximums[at] - widths[at], 0), spare)
        widths[at] += grow
        spare -= grow
    return widths


def folding_table(
    console: Console, title: str | Text, headers: Sequence[str], rows: Sequence[Sequence[str]]
) -> RenderableType:
    """`rows` (file text, shown plain) as a table when it fits `console.width`, else as blocks."""
    texts = [[plain(cell) for cell in row] for row in rows]
    minimums = [
        max([_longest_word(header), *(_longest_word(row[at].plain) for row in texts)])
        for at, header in enumerate(headers)
    ]
    maximums = [
        max([len(header), *(_longest_line(row[at].plain) for row in texts)])
        for at, header in enumerate(headers)
    ]
    # the simple box puts 1 space of padding either side of each cell, and 1 between columns
    frame = 3 * (len(headers) - 1) + 2
    needed = sum(minimums) + frame
    heading = title if isinstance(title, Text) else Text(title)
    heading.stylize("bold")
    if needed <= console.width:
        table = Table(title=heading, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
        widths = _widths(minimums, maximums, console.width - frame)
        for header, width in zip(headers, widths, strict=True):
            table.add_column(header, width=width)
        for row in texts:
            table.add_row(*row)
        return table
    blocks: list[RenderableType] = [heading]
    for row in texts:
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        for header, cell in zip(headers[1:], row[1:], strict=True):
            facts.add_row(header, cell)
        blocks += [Padding(row[0].copy(), (0, 0, 0, 1)), Padding(facts, (0, 0, 0, 3))]
    return Group(*blocks)
