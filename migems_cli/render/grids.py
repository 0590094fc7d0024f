"""Grids that several rich renderers lay facts out in (without the modules those renderers
need: `check`'s panel draws these and imports nothing of the refund schedule)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from migems_cli.render.console import plain


def facts_grid() -> Table:
    """Label and value side by side, the value wrapping under itself: the narrow-proof layout."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    return grid


def numbered(lines: tuple[str, ...] | list[str]) -> Table | Text:
    """1. 2. 3. ... with each text wrapping under itself (one line alone is not numbered)."""
    if len(lines) == 1:
        return plain(lines[0])
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="bold", no_wrap=True)
    grid.add_column()
    for number, line in enumerate(lines, start=1):
        grid.add_row(f"{number}.", plain(line))
    return grid
